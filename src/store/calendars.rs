//! Personal calendar feeds: per account, the SHA-256 of the secret in the feed's URL.

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use super::{Conn, on_conn};
use crate::error::Result;

/// What is stored of a calendar secret (as for API tokens: the secret is 24 random bytes, so a
/// plain SHA-256 cannot be reversed by guessing).
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Makes `token_hash` the account's only calendar secret: a previous one stops working.
pub async fn replace(
    c: &mut Conn<'_>,
    account_id: i64,
    token_hash: &str,
    at: DateTime<Utc>,
) -> Result<()> {
    on_conn!(c, c => sqlx::query(
        "INSERT INTO calendar_feeds (account_id, token_hash, created_at) VALUES ($1, $2, $3)
         ON CONFLICT (account_id) DO UPDATE SET token_hash = excluded.token_hash, created_at = excluded.created_at")
        .bind(account_id)
        .bind(token_hash)
        .bind(at)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Turns the account's feed off. Whether there was one.
pub async fn delete(c: &mut Conn<'_>, account_id: i64) -> Result<bool> {
    let n = on_conn!(c, c => sqlx::query("DELETE FROM calendar_feeds WHERE account_id = $1")
        .bind(account_id)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// When the account's current feed secret was made, if it has one.
pub async fn created_at(c: &mut Conn<'_>, account_id: i64) -> Result<Option<DateTime<Utc>>> {
    let at: Option<DateTime<Utc>> = on_conn!(c, c => sqlx::query_scalar(
        "SELECT created_at FROM calendar_feeds WHERE account_id = $1")
        .bind(account_id)
        .fetch_optional(&mut **c)
        .await)?;
    Ok(at)
}

/// The account whose feed secret hashes to `token_hash`.
pub async fn account_of(c: &mut Conn<'_>, token_hash: &str) -> Result<Option<i64>> {
    let id: Option<i64> = on_conn!(c, c => sqlx::query_scalar(
        "SELECT account_id FROM calendar_feeds WHERE token_hash = $1")
        .bind(token_hash)
        .fetch_optional(&mut **c)
        .await)?;
    Ok(id)
}

/// Moves the secrets stored in the clear before migration 0008 (`calendar_tokens`) into
/// `calendar_feeds` as hashes, so their URLs keep working, and deletes them. Nothing to do (one
/// empty read) once done.
pub async fn hash_plain_tokens(c: &mut Conn<'_>) -> Result<()> {
    let plain: Vec<(i64, String)> = on_conn!(c, c => sqlx::query_as(
        "SELECT account_id, token FROM calendar_tokens")
        .fetch_all(&mut **c)
        .await)?;
    for (account_id, token) in plain {
        on_conn!(c, c => sqlx::query(
            "INSERT INTO calendar_feeds (account_id, token_hash, created_at) VALUES ($1, $2, $3)
             ON CONFLICT (account_id) DO NOTHING")
            .bind(account_id)
            .bind(token_hash(&token))
            .bind(super::now())
            .execute(&mut **c)
            .await
            .map(|r| r.rows_affected()))?;
        on_conn!(c, c => sqlx::query("DELETE FROM calendar_tokens WHERE account_id = $1")
            .bind(account_id)
            .execute(&mut **c)
            .await
            .map(|r| r.rows_affected()))?;
    }
    Ok(())
}
