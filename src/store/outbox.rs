//! Activities local actors published, served as their outbox collections.

use chrono::{DateTime, Utc};

use super::{Conn, on_conn};
use crate::error::Result;

/// Records a published activity.
pub async fn insert(
    c: &mut Conn<'_>,
    ap_id: &str,
    actor_ap_id: &str,
    is_public: bool,
    body: &str,
    at: DateTime<Utc>,
) -> Result<()> {
    on_conn!(c, c => sqlx::query(
        "INSERT INTO outbox_activities (ap_id, actor_ap_id, is_public, body, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(ap_id)
        .bind(actor_ap_id)
        .bind(is_public)
        .bind(body)
        .bind(at)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// An actor's public activities, newest first, as JSON texts.
pub async fn public_page(
    c: &mut Conn<'_>,
    actor_ap_id: &str,
    limit: i64,
    offset: i64,
) -> Result<Vec<String>> {
    let rows: Vec<String> = on_conn!(c, c => sqlx::query_scalar(
        "SELECT body FROM outbox_activities WHERE actor_ap_id = $1 AND is_public ORDER BY id DESC LIMIT $2 OFFSET $3")
        .bind(actor_ap_id)
        .bind(limit)
        .bind(offset)
        .fetch_all(&mut **c)
        .await)?;
    Ok(rows)
}

/// How many public activities an actor has.
pub async fn count_public(c: &mut Conn<'_>, actor_ap_id: &str) -> Result<i64> {
    let n: i64 = on_conn!(c, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM outbox_activities WHERE actor_ap_id = $1 AND is_public")
        .bind(actor_ap_id)
        .fetch_one(&mut **c)
        .await)?;
    Ok(n)
}

/// A public activity by id, as JSON text.
pub async fn find_public(c: &mut Conn<'_>, ap_id: &str) -> Result<Option<String>> {
    let row: Option<String> = on_conn!(c, c => sqlx::query_scalar(
        "SELECT body FROM outbox_activities WHERE ap_id = $1 AND is_public")
        .bind(ap_id)
        .fetch_optional(&mut **c)
        .await)?;
    Ok(row)
}
