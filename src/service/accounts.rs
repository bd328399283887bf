//! Accounts, passwords and API tokens.

use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

use super::{Verkosto, keys};
use crate::error::{Error, Refusal, Result};
use crate::model::{Account, LocalName};
use crate::store::{self, accounts::NewAccountRow};

/// What it takes to make an account.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct NewAccount {
    /// The local name (see [`LocalName`]).
    pub username: String,
    /// At least 8 characters.
    pub password: String,
    /// Instance administrator (never settable through open registration).
    #[serde(skip)]
    pub is_admin: bool,
}

/// A freshly issued bearer token: the secret is shown here once and stored only as a hash.
#[derive(Debug, Clone, serde::Serialize)]
pub struct IssuedToken {
    /// The secret to send as `Authorization: Bearer ...`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
}

const MIN_PASSWORD: usize = 8;
const MAX_PASSWORD: usize = 1024;

/// The hash an unknown username's password is verified against: made once, from a random
/// password nobody knows, with the same Argon2 parameters as real accounts. Empty (and so
/// refused quickly) only if hashing itself fails, which then fails for every account too.
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        let mut secret = [0u8; 32];
        rand::rng().fill_bytes(&mut secret);
        Argon2::default()
            .hash_password(&secret)
            .map(|h| h.to_string())
            .unwrap_or_default()
    });
    &DUMMY
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

impl Verkosto {
    /// Creates an account with its own key pair.
    pub async fn create_account(&self, new: NewAccount) -> Result<Account> {
        let username = LocalName::parse("username", &new.username)?;
        if new.password.chars().count() < MIN_PASSWORD {
            return Err(Error::invalid(
                "password",
                Refusal::TooShort { min: MIN_PASSWORD },
            ));
        }
        if new.password.len() > MAX_PASSWORD {
            return Err(Error::invalid(
                "password",
                Refusal::TooManyBytes { max: MAX_PASSWORD },
            ));
        }
        let password = new.password;
        let password_hash = tokio::task::spawn_blocking(move || {
            Argon2::default()
                .hash_password(password.as_bytes())
                .map(|h| h.to_string())
                .map_err(|e| Error::Internal(format!("password hashing failed: {e}")))
        })
        .await
        .map_err(|e| Error::Internal(format!("hashing task failed: {e}")))??;
        let keys = keys::generate_keypair().await?;

        let mut tx = self.db().begin().await?;
        store::accounts::claim_name(&mut tx.conn(), username.as_str(), "account").await?;
        let account = store::accounts::insert(
            &mut tx.conn(),
            &NewAccountRow {
                username: username.as_str(),
                password_hash: &password_hash,
                is_admin: new.is_admin,
                keys: &keys,
                created_at: store::now(),
            },
        )
        .await?;
        tx.commit().await?;
        tracing::info!(username = %account.username, admin = account.is_admin, "account created");
        Ok(account)
    }

    /// Checks a username and password and issues a token.
    pub async fn login(&self, username: &str, password: &str) -> Result<IssuedToken> {
        if !self.settings().password_login {
            return Err(Refusal::PasswordLoginOff.into());
        }
        let denied = || Error::from(Refusal::WrongCredentials);
        let limiter = &self.state().login_limiter;
        if limiter.len() > 100_000 {
            limiter.retain_recent();
        }
        if let Err(not_until) = limiter.check_key(&username.to_string()) {
            let wait = not_until.wait_time_from(governor::clock::Clock::now(
                &governor::clock::DefaultClock::default(),
            ));
            return Err(Error::TooManyRequests(wait.as_secs() + 1));
        }
        let mut c = self.db().acquire().await?;
        let found = store::accounts::find_credentials(&mut c.conn(), username).await?;
        drop(c);
        // An unknown username is checked against a dummy hash with the same parameters, so the
        // answer takes as long as a wrong password would: timing does not tell which names exist.
        let (account, hash) = match found {
            Some((account, hash)) => (Some(account), Some(hash)),
            None => (None, None),
        };
        let password = password.to_string();
        let checks = self.state().password_checks.clone();
        let ok = tokio::task::spawn_blocking(move || {
            checks.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let hash = match &hash {
                Some(h) => h.as_str(),
                None => dummy_hash(),
            };
            PasswordHash::new(hash)
                .map(|parsed| {
                    Argon2::default()
                        .verify_password(password.as_bytes(), &parsed)
                        .is_ok()
                })
                .unwrap_or(false)
        })
        .await
        .map_err(|e| Error::Internal(format!("verification task failed: {e}")))?;
        let Some(account) = account.filter(|_| ok) else {
            return Err(denied());
        };
        self.issue_token(&account).await
    }

    /// A new API token of `account` (a login, a session).
    pub(crate) async fn issue_token(&self, account: &Account) -> Result<IssuedToken> {
        self.refuse_suspended(account)?;
        self.refuse_unconfirmed(account).await?;
        let mut raw = [0u8; 32];
        rand::rng().fill_bytes(&mut raw);
        let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw);
        let mut c = self.db().acquire().await?;
        store::accounts::insert_token(&mut c.conn(), account.id, &token_hash(&token), store::now())
            .await?;
        Ok(IssuedToken {
            access_token: token,
            token_type: "Bearer",
        })
    }

    /// How many passwords this instance has verified with Argon2 (for tests: a login for an
    /// unknown username must cost one verification too).
    #[doc(hidden)]
    pub fn password_checks(&self) -> u64 {
        self.state()
            .password_checks
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The account a bearer token belongs to.
    pub async fn authenticate(&self, token: &str) -> Result<Account> {
        let mut c = self.db().acquire().await?;
        let account = store::accounts::find_by_token(&mut c.conn(), &token_hash(token))
            .await?
            .ok_or_else(|| Error::from(Refusal::InvalidToken))?;
        self.refuse_suspended(&account)?;
        Ok(account)
    }

    /// A suspended account (issue 19) can neither sign in nor use a token it had.
    fn refuse_suspended(&self, account: &Account) -> Result<()> {
        let me = crate::apub::actor::account_id(self.state(), &account.username);
        if self.state().suspended.contains(&me) {
            return Err(Refusal::Suspended.into());
        }
        Ok(())
    }

    /// Revokes a bearer token.
    pub async fn revoke_token(&self, token: &str) -> Result<()> {
        let mut c = self.db().acquire().await?;
        if store::accounts::delete_token(&mut c.conn(), &token_hash(token)).await? {
            Ok(())
        } else {
            Err(Refusal::InvalidToken.into())
        }
    }

    /// Whether any account exists yet (a fresh instance shows how to create the first).
    pub async fn has_accounts(&self) -> Result<bool> {
        let mut c = self.db().acquire().await?;
        Ok(store::accounts::count(&mut c.conn()).await? > 0)
    }

    /// The account named `username`.
    pub async fn account(&self, username: &str) -> Result<Account> {
        let mut c = self.db().acquire().await?;
        store::accounts::find_by_username(&mut c.conn(), username)
            .await?
            .ok_or_else(|| {
                Refusal::NoSuchAccount {
                    name: username.to_string(),
                }
                .into()
            })
    }
}
