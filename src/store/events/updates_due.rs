//! Coalesced event `Update`s (migration 0013): when each event's next one is due.

use chrono::{DateTime, Utc};

use crate::error::Result;
use crate::store::{Conn, Db, on_conn};

/// Records that the event's `Update` is due at `due_at`, unless one is already waiting (which then
/// carries this change too).
pub async fn schedule(c: &mut Conn<'_>, event_id: i64, due_at: DateTime<Utc>) -> Result<()> {
    on_conn!(c, c => sqlx::query(
        "INSERT INTO event_updates_due (event_id, due_at) VALUES ($1, $2) ON CONFLICT (event_id) DO NOTHING")
        .bind(event_id)
        .bind(due_at)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Events whose `Update` is due at `now`, oldest first, at most `limit`.
pub async fn due(db: &Db, now: DateTime<Utc>, limit: i64) -> Result<Vec<i64>> {
    let mut c = db.acquire().await?;
    let ids: Vec<i64> = on_conn!(c.conn(), c => sqlx::query_scalar(
        "SELECT event_id FROM event_updates_due WHERE due_at <= $1 ORDER BY due_at LIMIT $2")
        .bind(now)
        .bind(limit)
        .fetch_all(&mut *c)
        .await)?;
    Ok(ids)
}

/// Takes the due `Update` of an event: whether it was still waiting (another process may have taken
/// it; the row lock makes the second taker wait and find nothing).
pub async fn take(c: &mut Conn<'_>, event_id: i64, now: DateTime<Utc>) -> Result<bool> {
    let n = on_conn!(c, c => sqlx::query("DELETE FROM event_updates_due WHERE event_id = $1 AND due_at <= $2")
        .bind(event_id)
        .bind(now)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// When the next waiting `Update` falls due.
pub async fn next_due(db: &Db) -> Result<Option<DateTime<Utc>>> {
    let mut c = db.acquire().await?;
    let t: Option<DateTime<Utc>> = on_conn!(c.conn(), c => sqlx::query_scalar(
        "SELECT MIN(due_at) FROM event_updates_due")
        .fetch_one(&mut *c)
        .await)?;
    Ok(t)
}
