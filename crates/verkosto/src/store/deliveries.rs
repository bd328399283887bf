//! The durable delivery queue: one row per (activity, inbox).
//!
//! Workers claim due rows by setting a lease (`locked_until`); a crashed worker's lease simply runs out
//! and the row is claimed again, so a delivery is made at least once. Only the oldest row of each inbox
//! is ever claimable, which keeps each receiver's activities in the order they were produced.

use chrono::{DateTime, Utc};

use super::{Conn, Db, on_conn};
use crate::error::Result;

/// A claimed delivery.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Delivery {
    /// Row id.
    pub id: i64,
    /// The activity's id.
    pub activity_ap_id: String,
    /// The local actor that signs it.
    pub actor_ap_id: String,
    /// Where it goes.
    pub inbox: String,
    /// The inbox's host (for per-host limits and statistics).
    pub host: String,
    /// The activity JSON.
    pub body: String,
    /// Failed attempts so far.
    pub attempts: i32,
    /// When it was queued.
    pub created_at: DateTime<Utc>,
}

/// Queues `body` for each inbox.
pub async fn enqueue(
    c: &mut Conn<'_>,
    activity_ap_id: &str,
    actor_ap_id: &str,
    body: &str,
    inboxes: &[&url::Url],
    now: DateTime<Utc>,
) -> Result<()> {
    for inbox in inboxes {
        let host = crate::apub::actor::normalized_host(inbox).unwrap_or_default();
        on_conn!(c, c => sqlx::query(
            "INSERT INTO deliveries (activity_ap_id, actor_ap_id, inbox, host, body, attempts, next_attempt_at, created_at) \
             VALUES ($1, $2, $3, $4, $5, 0, $6, $6)")
            .bind(activity_ap_id)
            .bind(actor_ap_id)
            .bind(inbox.as_str())
            .bind(&host)
            .bind(body)
            .bind(now)
            .execute(&mut **c)
            .await
            .map(|r| r.rows_affected()))?;
    }
    Ok(())
}

const CLAIMABLE: &str = "next_attempt_at <= $1 AND (locked_until IS NULL OR locked_until < $1) \
     AND NOT EXISTS (SELECT 1 FROM deliveries older WHERE older.inbox = d.inbox AND older.id < d.id)";
const RETURNING: &str =
    "RETURNING id, activity_ap_id, actor_ap_id, inbox, host, body, attempts, created_at";

/// Claims up to `limit` due deliveries until `lease_until`. On PostgreSQL rows locked by another
/// process are skipped (`FOR UPDATE SKIP LOCKED`); SQLite serialises writers, so the update is atomic.
pub async fn claim_due(
    db: &Db,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<Delivery>> {
    let rows = match db {
        Db::Postgres(pool) => {
            let sql = format!(
                "UPDATE deliveries SET locked_until = $2 WHERE id IN (SELECT d.id FROM deliveries d WHERE {CLAIMABLE} \
                 ORDER BY d.id LIMIT $3 FOR UPDATE SKIP LOCKED) {RETURNING}"
            );
            sqlx::query_as(&sql)
                .bind(now)
                .bind(lease_until)
                .bind(limit)
                .fetch_all(pool)
                .await?
        }
        Db::Sqlite(pool) => {
            let sql = format!(
                "UPDATE deliveries SET locked_until = $2 WHERE id IN (SELECT d.id FROM deliveries d WHERE {CLAIMABLE} \
                 ORDER BY d.id LIMIT $3) {RETURNING}"
            );
            sqlx::query_as(&sql)
                .bind(now)
                .bind(lease_until)
                .bind(limit)
                .fetch_all(pool)
                .await?
        }
    };
    Ok(rows)
}

/// Removes a delivery that is done (delivered, or given up).
pub async fn remove(db: &Db, id: i64) -> Result<()> {
    let mut c = db.acquire().await?;
    on_conn!(c.conn(), c => sqlx::query("DELETE FROM deliveries WHERE id = $1").bind(id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Schedules another attempt.
pub async fn reschedule(
    db: &Db,
    id: i64,
    attempts: i32,
    next_attempt_at: DateTime<Utc>,
    error: &str,
) -> Result<()> {
    let mut c = db.acquire().await?;
    on_conn!(c.conn(), c => sqlx::query(
        "UPDATE deliveries SET attempts = $2, next_attempt_at = $3, locked_until = NULL, last_error = $4 WHERE id = $1")
        .bind(id)
        .bind(attempts)
        .bind(next_attempt_at)
        .bind(error)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// The earliest time a delivery becomes due, if any is queued.
pub async fn next_due(db: &Db) -> Result<Option<DateTime<Utc>>> {
    let mut c = db.acquire().await?;
    let t: Option<DateTime<Utc>> = on_conn!(c.conn(), c => sqlx::query_scalar(
        "SELECT MIN(next_attempt_at) FROM deliveries WHERE locked_until IS NULL")
        .fetch_one(&mut *c)
        .await)?;
    Ok(t)
}

/// Queue figures per host: pending count, failing count, oldest item.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct HostQueue {
    /// The receiving host.
    pub host: String,
    /// Deliveries waiting.
    pub pending: i64,
    /// Of those, how many failed at least once.
    pub failing: i64,
    /// When the oldest was queued.
    pub oldest: DateTime<Utc>,
}

/// The queue by host, largest first.
pub async fn status(db: &Db) -> Result<Vec<HostQueue>> {
    let mut c = db.acquire().await?;
    let rows: Vec<HostQueue> = on_conn!(c.conn(), c => sqlx::query_as(
        "SELECT host, COUNT(*) AS pending, SUM(CASE WHEN attempts > 0 THEN 1 ELSE 0 END) AS failing, \
         MIN(created_at) AS oldest FROM deliveries GROUP BY host ORDER BY COUNT(*) DESC, host")
        .fetch_all(&mut *c)
        .await)?;
    Ok(rows)
}
