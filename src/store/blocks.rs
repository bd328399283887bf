//! Blocked domains.

use chrono::{DateTime, Utc};

use super::{Conn, on_conn};
use crate::error::Result;

/// A blocked domain.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct DomainBlock {
    /// The normalised host (subdomains are blocked with it).
    pub host: String,
    /// Why, for the administrators.
    pub reason: Option<String>,
    /// Since when.
    pub created_at: DateTime<Utc>,
}

/// Blocks `host` (again: the reason is replaced).
pub async fn insert(
    c: &mut Conn<'_>,
    host: &str,
    reason: Option<&str>,
    at: DateTime<Utc>,
) -> Result<()> {
    on_conn!(c, c => sqlx::query(
        "INSERT INTO domain_blocks (host, reason, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (host) DO UPDATE SET reason = excluded.reason")
        .bind(host)
        .bind(reason)
        .bind(at)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Unblocks `host`; returns whether it was blocked.
pub async fn delete(c: &mut Conn<'_>, host: &str) -> Result<bool> {
    let n = on_conn!(c, c => sqlx::query("DELETE FROM domain_blocks WHERE host = $1")
        .bind(host)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// Every block, by host.
pub async fn list(c: &mut Conn<'_>) -> Result<Vec<DomainBlock>> {
    let rows: Vec<DomainBlock> = on_conn!(c, c => sqlx::query_as(
        "SELECT host, reason, created_at FROM domain_blocks ORDER BY host")
        .fetch_all(&mut **c)
        .await)?;
    Ok(rows)
}

/// Drops what this instance keeps of `host` (and its subdomains): follows of local actors by its
/// actors, and deliveries waiting for it.
pub async fn purge(c: &mut Conn<'_>, host: &str) -> Result<u64> {
    let mut removed = 0;
    for pattern in [
        format!("%://{host}/%"),
        format!("%://%.{host}/%"),
        format!("%://{host}:%"),
        format!("%://%.{host}:%"),
    ] {
        removed += on_conn!(c, c => sqlx::query("DELETE FROM followers WHERE follower_ap_id LIKE $1")
            .bind(&pattern)
            .execute(&mut **c)
            .await
            .map(|r| r.rows_affected()))?;
        removed += on_conn!(c, c => sqlx::query("DELETE FROM deliveries WHERE inbox LIKE $1")
            .bind(&pattern)
            .execute(&mut **c)
            .await
            .map(|r| r.rows_affected()))?;
    }
    Ok(removed)
}
