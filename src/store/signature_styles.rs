//! Which HTTP signature each receiving host takes (see `migrations/*/0009_signatures.sql`).

use chrono::{DateTime, Utc};

use super::{Db, on_conn};
use crate::apub::signatures::SignatureStyle;
use crate::error::Result;

/// The style stored for `host` and when it was learned, if any.
pub async fn get(db: &Db, host: &str) -> Result<Option<(SignatureStyle, DateTime<Utc>)>> {
    let mut c = db.acquire().await?;
    let row: Option<(String, DateTime<Utc>)> = on_conn!(c.conn(), c => sqlx::query_as(
        "SELECT style, updated_at FROM signature_styles WHERE host = $1")
        .bind(host)
        .fetch_optional(&mut *c)
        .await)?;
    Ok(row.map(|(s, at)| (SignatureStyle::parse(&s), at)))
}

/// Stores `style` for `host`.
pub async fn set(db: &Db, host: &str, style: SignatureStyle, now: DateTime<Utc>) -> Result<()> {
    let mut c = db.acquire().await?;
    on_conn!(c.conn(), c => sqlx::query(
        "INSERT INTO signature_styles (host, style, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (host) DO UPDATE SET style = excluded.style, updated_at = excluded.updated_at")
        .bind(host)
        .bind(style.as_str())
        .bind(now)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Every host with a stored style, for `/metrics` and the admin.
pub async fn all(db: &Db) -> Result<Vec<(String, SignatureStyle)>> {
    let mut c = db.acquire().await?;
    let rows: Vec<(String, String)> = on_conn!(c.conn(), c => sqlx::query_as(
        "SELECT host, style FROM signature_styles ORDER BY host")
        .fetch_all(&mut *c)
        .await)?;
    Ok(rows
        .into_iter()
        .map(|(h, s)| (h, SignatureStyle::parse(&s)))
        .collect())
}
