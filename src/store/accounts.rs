//! Accounts, their credentials and API tokens; also the shared local-name namespace.

use chrono::{DateTime, Utc};

use super::{Conn, is_unique_violation, on_conn};
use crate::error::{Refusal, Result};
use crate::model::{Account, KeyPair};

#[derive(sqlx::FromRow)]
struct AccountRow {
    id: i64,
    username: String,
    display_name: Option<String>,
    summary: Option<String>,
    is_admin: bool,
    created_at: DateTime<Utc>,
}

impl From<AccountRow> for Account {
    fn from(r: AccountRow) -> Self {
        Account {
            id: r.id,
            username: r.username,
            display_name: r.display_name,
            summary: r.summary,
            is_admin: r.is_admin,
            created_at: r.created_at,
        }
    }
}

const ACCOUNT_COLUMNS: &str = "id, username, display_name, summary, is_admin, created_at";

/// Claims `name` in the namespace accounts and communities share; 409 when taken.
pub async fn claim_name(c: &mut Conn<'_>, name: &str, kind: &str) -> Result<()> {
    let res = on_conn!(c, c => sqlx::query("INSERT INTO local_names (name, kind) VALUES ($1, $2)")
        .bind(name)
        .bind(kind)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()));
    match res {
        Ok(_) => Ok(()),
        Err(e) if is_unique_violation(&e) => Err(Refusal::NameTaken {
            name: name.to_string(),
        }
        .into()),
        Err(e) => Err(e.into()),
    }
}

/// Fields of a new account.
pub struct NewAccountRow<'a> {
    /// The checked local name.
    pub username: &'a str,
    /// Argon2 PHC string.
    pub password_hash: &'a str,
    /// Administrator or not.
    pub is_admin: bool,
    /// The actor's keys.
    pub keys: &'a KeyPair,
    /// Creation time.
    pub created_at: DateTime<Utc>,
}

/// Inserts an account whose name was claimed with [`claim_name`] in the same transaction.
pub async fn insert(c: &mut Conn<'_>, new: &NewAccountRow<'_>) -> Result<Account> {
    let sql = format!(
        "INSERT INTO accounts (username, password_hash, is_admin, public_key_pem, private_key_pem, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING {ACCOUNT_COLUMNS}"
    );
    let row: AccountRow = on_conn!(c, c => sqlx::query_as(&sql)
        .bind(new.username)
        .bind(new.password_hash)
        .bind(new.is_admin)
        .bind(&new.keys.public_key_pem)
        .bind(&new.keys.private_key_pem)
        .bind(new.created_at)
        .fetch_one(&mut **c)
        .await)?;
    Ok(row.into())
}

/// The account named `username`, if any.
pub async fn find_by_username(c: &mut Conn<'_>, username: &str) -> Result<Option<Account>> {
    let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE username = $1");
    let row: Option<AccountRow> =
        on_conn!(c, c => sqlx::query_as(&sql).bind(username).fetch_optional(&mut **c).await)?;
    Ok(row.map(Into::into))
}

/// The account with database id `id`, if any.
pub async fn find_by_id(c: &mut Conn<'_>, id: i64) -> Result<Option<Account>> {
    let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id = $1");
    let row: Option<AccountRow> =
        on_conn!(c, c => sqlx::query_as(&sql).bind(id).fetch_optional(&mut **c).await)?;
    Ok(row.map(Into::into))
}

/// The account and its password hash, for logging in.
pub async fn find_credentials(
    c: &mut Conn<'_>,
    username: &str,
) -> Result<Option<(Account, String)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        account: AccountRow,
        password_hash: String,
    }
    let sql = format!("SELECT {ACCOUNT_COLUMNS}, password_hash FROM accounts WHERE username = $1");
    let row: Option<Row> =
        on_conn!(c, c => sqlx::query_as(&sql).bind(username).fetch_optional(&mut **c).await)?;
    Ok(row.map(|r| (r.account.into(), r.password_hash)))
}

/// The account's key pair.
pub async fn keys(c: &mut Conn<'_>, id: i64) -> Result<KeyPair> {
    let (public_key_pem, private_key_pem): (String, String) = on_conn!(c, c => sqlx::query_as(
        "SELECT public_key_pem, private_key_pem FROM accounts WHERE id = $1")
        .bind(id)
        .fetch_one(&mut **c)
        .await)?;
    Ok(KeyPair {
        public_key_pem,
        private_key_pem,
    })
}

/// How many accounts exist (NodeInfo usage).
pub async fn count(c: &mut Conn<'_>) -> Result<i64> {
    let n: i64 = on_conn!(c, c => sqlx::query_scalar("SELECT COUNT(*) FROM accounts")
        .fetch_one(&mut **c)
        .await)?;
    Ok(n)
}

/// Stores the SHA-256 of a new bearer token.
pub async fn insert_token(
    c: &mut Conn<'_>,
    account_id: i64,
    token_hash: &str,
    at: DateTime<Utc>,
) -> Result<()> {
    on_conn!(c, c => sqlx::query("INSERT INTO api_tokens (account_id, token_hash, created_at) VALUES ($1, $2, $3)")
        .bind(account_id)
        .bind(token_hash)
        .bind(at)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// The account a token hash belongs to.
pub async fn find_by_token(c: &mut Conn<'_>, token_hash: &str) -> Result<Option<Account>> {
    let sql = "SELECT a.id, a.username, a.display_name, a.summary, a.is_admin, a.created_at \
               FROM api_tokens t JOIN accounts a ON a.id = t.account_id WHERE t.token_hash = $1";
    let row: Option<AccountRow> =
        on_conn!(c, c => sqlx::query_as(sql).bind(token_hash).fetch_optional(&mut **c).await)?;
    Ok(row.map(Into::into))
}

/// Deletes a token; returns whether it existed.
pub async fn delete_token(c: &mut Conn<'_>, token_hash: &str) -> Result<bool> {
    let done = on_conn!(c, c => sqlx::query("DELETE FROM api_tokens WHERE token_hash = $1")
        .bind(token_hash)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(done > 0)
}

/// A sign-in started at the OpenID provider, kept until its answer (issue 18).
pub struct OidcLogin {
    /// The PKCE verifier of the challenge sent.
    pub pkce_verifier: String,
    /// The nonce the ID token must carry.
    pub nonce: String,
    /// Where the person returns.
    pub next: String,
}

/// Records a sign-in started with `state`.
pub async fn oidc_login_begin(
    c: &mut Conn<'_>,
    state: &str,
    pkce_verifier: &str,
    nonce: &str,
    next: &str,
    at: DateTime<Utc>,
) -> Result<()> {
    on_conn!(c, c => sqlx::query(
        "INSERT INTO oidc_logins (state, pkce_verifier, nonce, next, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(state)
        .bind(pkce_verifier)
        .bind(nonce)
        .bind(next)
        .bind(at)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Takes the sign-in started with `state` (once: it is deleted), if it began after `since`; older
/// ones are deleted on the way.
pub async fn oidc_login_take(
    c: &mut Conn<'_>,
    state: &str,
    since: DateTime<Utc>,
) -> Result<Option<OidcLogin>> {
    on_conn!(c, c => sqlx::query("DELETE FROM oidc_logins WHERE created_at < $1")
        .bind(since)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    let row: Option<(String, String, String)> = on_conn!(c, c => sqlx::query_as(
        "DELETE FROM oidc_logins WHERE state = $1 RETURNING pkce_verifier, nonce, next")
        .bind(state)
        .fetch_optional(&mut **c)
        .await)?;
    Ok(row.map(|(pkce_verifier, nonce, next)| OidcLogin {
        pkce_verifier,
        nonce,
        next,
    }))
}

/// The account of a person the provider names (issuer, subject).
pub async fn oidc_identity(c: &mut Conn<'_>, issuer: &str, subject: &str) -> Result<Option<i64>> {
    let id: Option<i64> = on_conn!(c, c => sqlx::query_scalar(
        "SELECT account_id FROM oidc_identities WHERE issuer = $1 AND subject = $2")
        .bind(issuer)
        .bind(subject)
        .fetch_optional(&mut **c)
        .await)?;
    Ok(id)
}

/// Links a person the provider names to an account.
pub async fn oidc_identity_insert(
    c: &mut Conn<'_>,
    issuer: &str,
    subject: &str,
    account_id: i64,
    email: Option<&str>,
) -> Result<()> {
    on_conn!(c, c => sqlx::query(
        "INSERT INTO oidc_identities (issuer, subject, account_id, email) VALUES ($1, $2, $3, $4)")
        .bind(issuer)
        .bind(subject)
        .bind(account_id)
        .bind(email)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Sets (or clears) the address an account gets notices at (issue 19).
pub async fn set_email(c: &mut Conn<'_>, account_id: i64, email: Option<&str>) -> Result<()> {
    on_conn!(c, c => sqlx::query("UPDATE accounts SET email = $2 WHERE id = $1")
        .bind(account_id)
        .bind(email)
        .execute(&mut **c)
        .await
        .map(|_| ()))?;
    Ok(())
}

/// The address of the local account `username`, if it has one.
pub async fn email_of(c: &mut Conn<'_>, username: &str) -> Result<Option<String>> {
    let email: Option<Option<String>> = on_conn!(c, c => sqlx::query_scalar(
        "SELECT email FROM accounts WHERE username = $1")
        .bind(username)
        .fetch_optional(&mut **c)
        .await)?;
    Ok(email.flatten())
}

/// The addresses of a community's active owners and managers that have one.
pub async fn manager_emails(c: &mut Conn<'_>, community_id: i64) -> Result<Vec<String>> {
    let emails: Vec<String> = on_conn!(c, c => sqlx::query_scalar(
        "SELECT a.email FROM memberships m JOIN accounts a ON a.id = m.account_id \
         WHERE m.community_id = $1 AND m.state = 'active' AND m.role IN ('owner', 'manager') \
         AND a.email IS NOT NULL ORDER BY a.id")
        .bind(community_id)
        .fetch_all(&mut **c)
        .await)?;
    Ok(emails)
}

/// Records an address to confirm for a new account (issue 19).
pub async fn insert_email_confirmation(
    c: &mut Conn<'_>,
    account_id: i64,
    email: &str,
    language: &str,
    token: &str,
    at: DateTime<Utc>,
) -> Result<()> {
    on_conn!(c, c => sqlx::query(
        "INSERT INTO email_confirmations (account_id, email, language, token, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(account_id)
        .bind(email)
        .bind(language)
        .bind(token)
        .bind(at)
        .execute(&mut **c)
        .await
        .map(|_| ()))?;
    Ok(())
}

/// The account, address and language a confirmation secret belongs to.
pub async fn email_confirmation(
    c: &mut Conn<'_>,
    token: &str,
) -> Result<Option<(i64, String, String)>> {
    let row: Option<(i64, String, String)> = on_conn!(c, c => sqlx::query_as(
        "SELECT account_id, email, language FROM email_confirmations WHERE token = $1")
        .bind(token)
        .fetch_optional(&mut **c)
        .await)?;
    Ok(row)
}

/// Whether an account still waits for its address to be confirmed.
pub async fn awaits_confirmation(c: &mut Conn<'_>, account_id: i64) -> Result<bool> {
    let found: Option<i64> = on_conn!(c, c => sqlx::query_scalar(
        "SELECT account_id FROM email_confirmations WHERE account_id = $1")
        .bind(account_id)
        .fetch_optional(&mut **c)
        .await)?;
    Ok(found.is_some())
}

/// The address is confirmed: it becomes the account's, and the wait ends.
pub async fn confirm_email(c: &mut Conn<'_>, account_id: i64, email: &str) -> Result<()> {
    set_email(c, account_id, Some(email)).await?;
    on_conn!(c, c => sqlx::query("DELETE FROM email_confirmations WHERE account_id = $1")
        .bind(account_id)
        .execute(&mut **c)
        .await
        .map(|_| ()))?;
    Ok(())
}
