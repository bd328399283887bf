//! Ids of activities already received: an inbox acts on each activity id once.

use chrono::{DateTime, Utc};

use super::{Conn, on_conn};
use crate::error::Result;

/// Records `ap_id` as received; returns `false` when it had been received before.
pub async fn record(c: &mut Conn<'_>, ap_id: &str, at: DateTime<Utc>) -> Result<bool> {
    let n = on_conn!(c, c => sqlx::query(
        "INSERT INTO received_activities (ap_id, received_at) VALUES ($1, $2) ON CONFLICT (ap_id) DO NOTHING")
        .bind(ap_id)
        .bind(at)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// Forgets ids received before `before`, so the table does not grow without bound.
pub async fn prune(c: &mut Conn<'_>, before: DateTime<Utc>) -> Result<u64> {
    let n = on_conn!(c, c => sqlx::query("DELETE FROM received_activities WHERE received_at < $1")
        .bind(before)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n)
}

/// Forgets one id (its processing failed, so a retry by the sender must be acted on).
pub async fn forget(c: &mut Conn<'_>, ap_id: &str) -> Result<()> {
    on_conn!(c, c => sqlx::query("DELETE FROM received_activities WHERE ap_id = $1")
        .bind(ap_id)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}
