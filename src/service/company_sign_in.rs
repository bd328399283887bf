//! Company sign-in (issue 18): people sign in with their company's own accounts through OpenID
//! Connect (authorization code flow with PKCE, `openidconnect`), instead of one more password.
//!
//! The login in progress (PKCE verifier, nonce, where to return) is stored by its `state` until the
//! provider's answer comes back, so any process on the database can take it, and only once. The
//! answer's `state` must be one we made, and its `iss` (RFC 9207), when given, our issuer: the crate
//! checks neither. The ID token is verified (signature, audience, issuer, expiry, nonce) by the crate.
//! The person's account is found by (issuer, subject); on first sign-in it is made from their
//! `preferred_username` or e-mail, with no usable password, and the membership rules put them into
//! communities by their verified e-mail's domain.

use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointMaybeSet, EndpointNotSet,
    EndpointSet, IssuerUrl, Nonce, OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier,
    RedirectUrl, Scope, TokenResponse,
};
use rand::RngCore;
use url::Url;

use super::Verkosto;
use super::accounts::IssuedToken;
use crate::context::OidcSettings;
use crate::error::{Error, Refusal, Result};
use crate::model::{Account, LocalName};
use crate::store;

/// How long a login may take at the provider.
const LOGIN_LIFETIME: chrono::Duration = chrono::Duration::minutes(15);

/// The client of the provider, as discovery makes it (authorization and token endpoints set).
type ProviderClient = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

type HttpFuture = std::pin::Pin<
    Box<
        dyn std::future::Future<
                Output = std::result::Result<openidconnect::HttpResponse, SignInHttpError>,
            > + Send,
    >,
>;

/// A failed request to the provider.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct SignInHttpError(String);

/// The HTTP client the crate's requests go through: our reqwest, never following redirects (the
/// crate's advice against SSRF), with the instance's timeout.
fn http_client(
    timeout: std::time::Duration,
) -> Result<impl Fn(openidconnect::HttpRequest) -> HttpFuture> {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(timeout)
        .build()
        .map_err(|e| Error::Internal(format!("the sign-in client: {e}")))?;
    Ok(move |request: openidconnect::HttpRequest| -> HttpFuture {
        let client = client.clone();
        Box::pin(async move {
            let failed = |e: &dyn std::fmt::Display| SignInHttpError(e.to_string());
            let (parts, body) = request.into_parts();
            let mut outgoing = client
                .request(parts.method, parts.uri.to_string())
                .body(body);
            for (name, value) in &parts.headers {
                outgoing = outgoing.header(name, value);
            }
            let response = outgoing.send().await.map_err(|e| failed(&e))?;
            let mut answer = http::Response::builder().status(response.status());
            for (name, value) in response.headers() {
                answer = answer.header(name, value);
            }
            let body = response.bytes().await.map_err(|e| failed(&e))?;
            answer.body(body.to_vec()).map_err(|e| failed(&e))
        })
    })
}

fn refused(why: impl std::fmt::Display) -> Error {
    Refusal::SignInFailed {
        why: why.to_string(),
    }
    .into()
}

impl Verkosto {
    fn oidc(&self) -> Result<&OidcSettings> {
        self.settings()
            .oidc
            .as_ref()
            .ok_or_else(|| Refusal::SignInNotConfigured.into())
    }

    /// Where this instance's sign-in returns (`/auth/oidc/callback`).
    pub fn oidc_redirect_url(&self) -> Url {
        self.state().url("/auth/oidc/callback")
    }

    async fn oidc_client(
        &self,
    ) -> Result<(
        ProviderClient,
        impl Fn(openidconnect::HttpRequest) -> HttpFuture,
    )> {
        let oidc = self.oidc()?;
        let http = http_client(self.settings().request_timeout)?;
        let issuer = IssuerUrl::new(oidc.issuer.as_str().trim_end_matches('/').to_string())
            .map_err(refused)?;
        let metadata = CoreProviderMetadata::discover_async(issuer, &http)
            .await
            .map_err(|e| refused(format!("the provider's discovery: {e}")))?;
        let redirect = RedirectUrl::new(self.oidc_redirect_url().to_string()).map_err(refused)?;
        let client = CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(oidc.client_id.clone()),
            Some(ClientSecret::new(oidc.client_secret.clone())),
        )
        .set_redirect_uri(redirect);
        Ok((client, http))
    }

    /// Starts a sign-in: the provider's address to send the person to, returning to `next`.
    pub async fn oidc_login_url(&self, next: &str) -> Result<Url> {
        let (client, _) = self.oidc_client().await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state, nonce) = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new("email".into()))
            .add_scope(Scope::new("profile".into()))
            .set_pkce_challenge(challenge)
            .url();
        let mut c = self.db().acquire().await?;
        store::accounts::oidc_login_begin(
            &mut c.conn(),
            state.secret(),
            verifier.secret(),
            nonce.secret(),
            next,
            store::now(),
        )
        .await?;
        Ok(url)
    }

    /// Finishes a sign-in with the provider's answer: the account's token and where to go.
    pub async fn oidc_callback(
        &self,
        code: &str,
        state: &str,
        iss: Option<&str>,
    ) -> Result<(IssuedToken, String)> {
        let oidc = self.oidc()?.clone();
        if let Some(iss) = iss
            && iss.trim_end_matches('/') != oidc.issuer.as_str().trim_end_matches('/')
        {
            return Err(refused("the answer is from another issuer"));
        }
        let pending = {
            let mut c = self.db().acquire().await?;
            store::accounts::oidc_login_take(&mut c.conn(), state, store::now() - LOGIN_LIFETIME)
                .await?
                .ok_or_else(|| refused("no sign-in was started with this state, or it expired"))?
        };
        let (client, http) = self.oidc_client().await?;
        let tokens = client
            .exchange_code(AuthorizationCode::new(code.to_string()))
            .map_err(refused)?
            .set_pkce_verifier(PkceCodeVerifier::new(pending.pkce_verifier))
            .request_async(&http)
            .await
            .map_err(|e| refused(format!("the code exchange: {e}")))?;
        let id_token = tokens
            .id_token()
            .ok_or_else(|| refused("the provider sent no ID token"))?;
        let claims = id_token
            .claims(&client.id_token_verifier(), &Nonce::new(pending.nonce))
            .map_err(|e| refused(format!("the ID token: {e}")))?;
        let subject = claims.subject().clone();
        let mut email = claims
            .email()
            .map(|e| e.to_string())
            .filter(|_| claims.email_verified().unwrap_or(false));
        let mut preferred = claims.preferred_username().map(|u| u.to_string());
        let mut groups = groups_claim(&id_token.to_string());
        let wants_groups = groups.is_empty() && oidc.rules.iter().any(|r| r.group.is_some());
        if email.is_none() || preferred.is_none() || wants_groups {
            // Providers that conform strictly put these in the userinfo answer only.
            let info: openidconnect::UserInfoClaims<
                GroupsClaim,
                openidconnect::core::CoreGenderClaim,
            > = client
                .user_info(tokens.access_token().clone(), Some(subject.clone()))
                .map_err(refused)?
                .request_async(&http)
                .await
                .map_err(|e| refused(format!("the userinfo: {e}")))?;
            if email.is_none() && info.email_verified().unwrap_or(false) {
                email = info.email().map(|e| e.to_string());
            }
            preferred = preferred.or_else(|| info.preferred_username().map(|u| u.to_string()));
            groups.extend(group_names(&info.additional_claims().groups));
        }
        let subject = subject.to_string();
        let preferred = preferred.or_else(|| {
            email
                .as_deref()
                .and_then(|e| e.split('@').next())
                .map(str::to_string)
        });
        let account = self
            .account_of_identity(&oidc, &subject, email.as_deref(), preferred.as_deref())
            .await?;
        self.apply_membership_rules(&oidc, &account, email.as_deref(), &groups)
            .await?;
        if let Some(email) = &email {
            // The provider verified it: notices (issue 19) go there.
            let mut c = self.db().acquire().await?;
            store::accounts::set_email(&mut c.conn(), account.id, Some(&email.to_lowercase()))
                .await?;
        }
        let token = self.issue_token(&account).await?;
        tracing::info!(account = %account.username, "signed in through OpenID Connect");
        Ok((token, pending.next))
    }

    /// The account of (issuer, subject), made on first sign-in.
    async fn account_of_identity(
        &self,
        oidc: &OidcSettings,
        subject: &str,
        email: Option<&str>,
        preferred: Option<&str>,
    ) -> Result<Account> {
        let issuer = oidc.issuer.as_str();
        {
            let mut c = self.db().acquire().await?;
            if let Some(id) = store::accounts::oidc_identity(&mut c.conn(), issuer, subject).await?
            {
                return store::accounts::find_by_id(&mut c.conn(), id)
                    .await?
                    .ok_or_else(|| Error::NotFound("the signed-in account".into()));
            }
        }
        let base = username_from(preferred.unwrap_or("member"));
        let mut password = [0u8; 32];
        rand::rng().fill_bytes(&mut password);
        // A password nobody knows: the account signs in through the provider only.
        let password = hex::encode(password);
        let mut attempt = 0;
        let account = loop {
            let username = if attempt == 0 {
                base.clone()
            } else {
                format!("{}{}", &base[..base.len().min(26)], attempt + 1)
            };
            match self
                .create_account(super::NewAccount {
                    username,
                    password: password.clone(),
                    is_admin: false,
                })
                .await
            {
                Ok(account) => break account,
                Err(e) if attempt < 20 && e.status() == axum::http::StatusCode::CONFLICT => {
                    attempt += 1
                }
                Err(e) => return Err(e),
            }
        };
        let mut c = self.db().acquire().await?;
        store::accounts::oidc_identity_insert(&mut c.conn(), issuer, subject, account.id, email)
            .await?;
        Ok(account)
    }

    /// Puts the account into the communities whose rule its verified e-mail's domain and its groups
    /// match (as a member; a role it already has stays).
    async fn apply_membership_rules(
        &self,
        oidc: &OidcSettings,
        account: &Account,
        email: Option<&str>,
        groups: &[String],
    ) -> Result<()> {
        for rule in oidc.rules.iter().filter(|r| r.matches(email, groups)) {
            let Ok(community) = self.community(&rule.community).await else {
                tracing::warn!(community = %rule.community, "a sign-in rule names no community here");
                continue;
            };
            let mut c = self.db().acquire().await?;
            store::communities::ensure_member(&mut c.conn(), community.id, account.id).await?;
        }
        Ok(())
    }
}

/// The `groups` claim of a userinfo answer, as sent (a list of names is read; anything else is none,
/// never a failed sign-in).
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
struct GroupsClaim {
    #[serde(default)]
    groups: serde_json::Value,
}

impl openidconnect::AdditionalClaims for GroupsClaim {}

/// The `groups` claim of an ID token whose signature was already checked: the crate's claim types
/// have no place for it, so it is read from the token's payload (a JWT's middle part). A list of
/// strings; anything else (none, a single string, other types) reads as no groups.
fn groups_claim(jwt: &str) -> Vec<String> {
    use base64::Engine;
    let payload = jwt
        .split('.')
        .nth(1)
        .and_then(|p| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(p)
                .ok()
        })
        .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok());
    payload
        .as_ref()
        .and_then(|claims| claims.get("groups"))
        .map(group_names)
        .unwrap_or_default()
}

/// The names of a `groups` claim: the strings of a list (at most 1,000).
fn group_names(claim: &serde_json::Value) -> Vec<String> {
    claim
        .as_array()
        .map(|groups| {
            groups
                .iter()
                .filter_map(|g| g.as_str().map(str::to_string))
                .take(1000)
                .collect()
        })
        .unwrap_or_default()
}

/// A local name from what the provider calls the person: lower case, `a-z0-9_`, 3 to 30 long.
fn username_from(raw: &str) -> String {
    let mut name: String = raw
        .to_lowercase()
        .chars()
        .map(|c| match c {
            'ä' | 'å' => 'a',
            'ö' => 'o',
            c if c.is_ascii_alphanumeric() => c,
            _ => '_',
        })
        .collect();
    name.truncate(28);
    let name = name.trim_matches('_').to_string();
    let name = if name.len() < 3 {
        format!("member_{name}")
    } else {
        name
    };
    LocalName::parse("username", &name)
        .map(|n| n.as_str().to_string())
        .unwrap_or_else(|_| "member".into())
}

#[cfg(test)]
mod tests {
    use super::{groups_claim, username_from};
    use crate::context::MembershipRule;

    #[test]
    fn groups_are_read_from_a_token_and_rules_match_all_they_name() {
        use base64::Engine;
        let part = |v: serde_json::Value| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
        };
        let token = |claims| {
            format!(
                "{}.{}.c2ln",
                part(serde_json::json!({"alg": "RS256"})),
                part(claims)
            )
        };
        let groups = groups_claim(&token(
            serde_json::json!({"sub": "1", "groups": ["henkilosto", 7]}),
        ));
        assert_eq!(groups, ["henkilosto"]);
        assert!(groups_claim(&token(serde_json::json!({"groups": "henkilosto"}))).is_empty());
        assert!(groups_claim("not a token").is_empty());

        let rule = |domain: &str, group: Option<&str>| MembershipRule {
            email_domain: domain.into(),
            group: group.map(str::to_string),
            community: "sisainen".into(),
        };
        let staff = ["henkilosto".to_string()];
        assert!(rule("intunex.fi", None).matches(Some("a@Intunex.fi"), &[]));
        assert!(!rule("intunex.fi", None).matches(Some("a@intunex.fi.evil"), &[]));
        assert!(rule("", Some("henkilosto")).matches(None, &staff));
        assert!(!rule("", Some("henkilosto")).matches(Some("a@intunex.fi"), &[]));
        assert!(!rule("intunex.fi", Some("henkilosto")).matches(Some("a@other.fi"), &staff));
        assert!(rule("intunex.fi", Some("henkilosto")).matches(Some("a@intunex.fi"), &staff));
        assert!(
            !rule("", None).matches(Some("a@intunex.fi"), &staff),
            "a rule naming nothing matches nobody"
        );
    }

    #[test]
    fn usernames_come_from_what_the_provider_says() {
        assert_eq!(username_from("alice"), "alice");
        assert_eq!(username_from("Äijä Öhman"), "aija_ohman");
        assert_eq!(username_from("a"), "member_a");
    }
}
