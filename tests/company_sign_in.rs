//! Company sign-in (issue 18) against a real OpenID provider: panva's certified `oidc-provider`
//! (`tests/oidc`, on Node) on loopback. A person signs in through it (authorization code flow with
//! PKCE, the whole chain of redirects a browser follows), gets an account made from their verified
//! e-mail and name, lands in the internal community by their e-mail's domain, and comes back to the
//! same account next time; someone of another domain does not land there; passwords are off; an
//! answer whose `state` we never made, or from another issuer, signs nobody in.

use std::path::PathBuf;
use std::time::Duration;

use serde_json::json;
use verkosto::model::{CommunityKind, NewCommunity};
use verkosto::service::{MembershipRule, NewAccount, OidcSettings};

use crate::common::{TestDb, TestServer};

/// The provider, running until dropped.
struct Provider {
    base: String,
    _child: tokio::process::Child,
}

impl Provider {
    async fn start(port: u16, redirect: &str) -> Option<Provider> {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        if !root.join("tests/oidc/node_modules/oidc-provider").exists() {
            crate::common::skip("OpenID provider: run `npm ci --prefix tests/oidc` (needs Node)");
            return None;
        }
        let mut child = tokio::process::Command::new("node")
            .current_dir(&root)
            .args(["tests/oidc/provider.mjs", "--port", &port.to_string()])
            .args(["--redirect", redirect, "--login", "alice"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("start node");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = tokio::io::AsyncBufReadExt::lines(tokio::io::BufReader::new(stdout));
        let ready = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
            .await
            .expect("the provider starts")
            .expect("read")
            .expect("a line");
        assert_eq!(ready, "ready");
        // The provider goes on logging to its output; it must stay open or the provider dies.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Some(Provider {
            base: format!("http://localhost:{port}"),
            _child: child,
        })
    }

    /// Who logs in at the provider next.
    async fn log_in_as(&self, who: &str) {
        let res = reqwest::Client::new()
            .post(format!("{}/test/login?as={who}", self.base))
            .send()
            .await
            .expect("switch");
        assert!(res.status().is_success());
    }
}

/// Signs in through the provider as a browser does (cookies, every redirect): where it ends.
async fn sign_in(server: &TestServer) -> (reqwest::Client, reqwest::Response) {
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .expect("client");
    let res = browser
        .get(server.url("/auth/oidc/login?next=/manage"))
        .header("Accept-Language", "fi")
        .send()
        .await
        .expect("sign in");
    (browser, res)
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// Follows a sign-in through the provider up to its answer to us: the callback address, not visited.
async fn provider_answer(server: &TestServer) -> String {
    let browser = no_redirects();
    let callback = server.url("/auth/oidc/callback");
    let mut url = server.url("/auth/oidc/login?next=/manage");
    for _ in 0..10 {
        let res = browser.get(&url).send().await.expect("hop");
        let location = res
            .headers()
            .get("location")
            .and_then(|l| l.to_str().ok())
            .map(str::to_string)
            .unwrap_or_else(|| panic!("{url} answered {} without a redirect", res.status()));
        url = res.url().join(&location).expect("location").to_string();
        if url.starts_with(&callback) {
            return url;
        }
    }
    panic!("no answer from the provider after ten redirects");
}

/// The communities `username` is a plain member of.
async fn member_of(server: &TestServer, username: &str) -> Vec<String> {
    let account = server.verkosto.account(username).await.expect("account");
    let communities = server
        .verkosto
        .member_communities(&account)
        .await
        .expect("communities");
    communities.into_iter().map(|c| c.name).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_signs_in_with_the_company_account_and_lands_in_the_internal_community() {
    for db in TestDb::all().await {
        let backend = db.backend;
        let port = crate::common::free_port();
        let issuer = url::Url::parse(&format!("http://localhost:{port}")).expect("issuer");
        let server = TestServer::start_with(db, |s| {
            s.oidc = Some(OidcSettings {
                issuer,
                client_id: "verkosto".into(),
                client_secret: "yrityksen-salaisuus".into(),
                name: "Intunex".into(),
                rules: vec![
                    MembershipRule {
                        email_domain: "intunex.example".into(),
                        group: None,
                        community: "sisainen".into(),
                    },
                    // By the provider's groups claim (sent in its userinfo answer).
                    MembershipRule {
                        email_domain: String::new(),
                        group: Some("henkilosto".into()),
                        community: "tiimi".into(),
                    },
                ],
            });
            s.password_login = false;
        })
        .await;
        let Some(provider) = Provider::start(port, &server.url("/auth/oidc/callback")).await else {
            return;
        };
        let owner = server
            .verkosto
            .create_account(NewAccount {
                username: "hanna".into(),
                password: "pitkä salasana".into(),
                is_admin: true,
            })
            .await
            .expect("owner");
        server
            .verkosto
            .create_community(
                &owner,
                NewCommunity {
                    name: "sisainen".into(),
                    display_name: Some("Sisäinen yhteisö".into()),
                    kind: Some(CommunityKind::CompanyInternal),
                    visibility: Some(verkosto::model::Visibility::Members),
                    ..Default::default()
                },
            )
            .await
            .expect("community");
        server
            .verkosto
            .create_community(
                &owner,
                NewCommunity {
                    name: "tiimi".into(),
                    kind: Some(CommunityKind::CompanyInternal),
                    visibility: Some(verkosto::model::Visibility::Members),
                    ..Default::default()
                },
            )
            .await
            .expect("community");

        // The login page offers the company sign-in and no password form.
        let page = server
            .http
            .get(server.url("/login"))
            .header("Accept-Language", "fi")
            .send()
            .await
            .expect("login page")
            .text()
            .await
            .expect("text");
        assert!(page.contains("Kirjaudu: Intunex"), "{backend}: {page}");
        assert!(
            !page.contains("type=\"password\""),
            "{backend}: no password form"
        );

        // Alice signs in: an account from her name and verified e-mail, in the internal community.
        let (browser, res) = sign_in(&server).await;
        assert_eq!(res.url().as_str(), server.url("/manage"), "{backend}");
        assert_eq!(res.status(), 200, "{backend}");
        let workspace = res.text().await.expect("text");
        assert!(
            workspace.contains("Sisäinen yhteisö"),
            "{backend}: {workspace}"
        );
        // Her domain puts her in one, her group in the other (both members-only: she sees them now).
        assert_eq!(
            member_of(&server, "alice").await,
            ["sisainen", "tiimi"],
            "{backend}"
        );
        let alice = server.verkosto.account("alice").await.expect("alice");
        let reader = verkosto::service::Reader::Account(alice);
        for name in ["sisainen", "tiimi"] {
            assert!(
                server.verkosto.community_for(name, &reader).await.is_ok(),
                "{backend}: {name}"
            );
        }
        // Her session works for the API too (the cookie holds a token), and is hers.
        let _ = browser;

        // Next time she comes back to the same account; the owner's role is not touched by a rule.
        sign_in(&server).await;
        assert!(
            server.verkosto.account("alice2").await.is_err(),
            "{backend}: one account"
        );

        // Bob, of another company, gets an account and no membership.
        provider.log_in_as("bob").await;
        let (_, res) = sign_in(&server).await;
        assert_eq!(res.url().as_str(), server.url("/manage"), "{backend}");
        assert!(member_of(&server, "bob").await.is_empty(), "{backend}");

        // Passwords are off: the API refuses them with a reason.
        let (status, body) = server
            .post_json(
                "/api/v1/auth/token",
                None,
                json!({ "username": "hanna", "password": "pitkä salasana" }),
            )
            .await;
        assert_eq!(
            (status, body["code"].clone()),
            (403, json!("password_login_off")),
            "{body}"
        );

        // The provider's genuine answer, held back: with another issuer it signs nobody in (RFC
        // 9207); as it is, it does; a second time (the state is used once), it does not; nor does
        // a state we never made.
        let answer = provider_answer(&server).await;
        let other_issuer = answer.replace(
            "iss=http%3A%2F%2Flocalhost",
            "iss=http%3A%2F%2Fevil.example",
        );
        assert_ne!(
            other_issuer, answer,
            "the answer names its issuer: {answer}"
        );
        let never_made = format!(
            "{}?code=abc&state=never-made",
            server.url("/auth/oidc/callback")
        );
        for (url, signs_in) in [
            (&other_issuer, false),
            (&answer, true),
            (&answer, false),
            (&never_made, false),
        ] {
            let res = no_redirects()
                .get(url)
                .header("Accept-Language", "fi")
                .send()
                .await
                .expect("callback");
            let session = res
                .headers()
                .get_all("set-cookie")
                .iter()
                .any(|c| c.to_str().unwrap_or("").starts_with("verkosto_session="));
            assert_eq!(session, signs_in, "{backend}: {url}");
            if !signs_in {
                assert_eq!(res.status(), 401, "{backend}: {url}");
                let page = res.text().await.unwrap_or_default();
                assert!(
                    page.contains("Kirjautuminen ei onnistunut"),
                    "{backend}: {page}"
                );
            }
        }
        drop(provider);
        server.stop().await;
    }
}
