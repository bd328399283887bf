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

/// Limits on what [`claim_due`] may take.
#[derive(Debug, Clone, Copy)]
pub struct ClaimLimits {
    /// How many rows at most.
    pub batch: i64,
    /// Deliveries in flight per receiving host, over all processes.
    pub per_host: i64,
    /// A host failing since before this is unavailable ...
    pub unavailable_if_failing_since: DateTime<Utc>,
    /// ... and is only probed when its last attempt was before this.
    pub probe_if_last_attempt_before: DateTime<Utc>,
}

/// Due, unleased, the oldest of its inbox, and not for an unavailable host between probes.
const DUE: &str = "d.next_attempt_at <= $1 AND (d.locked_until IS NULL OR d.locked_until < $1) \
     AND NOT EXISTS (SELECT 1 FROM deliveries older WHERE older.inbox = d.inbox AND older.id < d.id) \
     AND NOT EXISTS (SELECT 1 FROM failing_hosts f WHERE f.host = d.host AND f.failing_since < $5 \
                     AND f.last_attempt_at >= $6)";
/// Numbers the due rows of each host, so that with those already in flight no host exceeds its limit.
/// `c.rn <= $4` first: only the first `per_host` due rows of a host can qualify, and it spares the
/// count of busy rows for every other due row (which made a claim quadratic in a large fan-out).
const WITHIN_HOST_LIMIT: &str = "c.rn <= $4 AND c.rn + (SELECT COUNT(*) FROM deliveries busy \
     WHERE busy.host = c.host AND busy.locked_until >= $1) <= $4";
const RETURNING: &str =
    "RETURNING id, activity_ap_id, actor_ap_id, inbox, host, body, attempts, created_at";

/// Claims due deliveries until `lease_until`: only the oldest of each inbox (so each receiver gets its
/// activities in order), only as many per host as keep it under `per_host` in flight, and none of an
/// unavailable host between probes. On PostgreSQL, rows another process is claiming are skipped
/// (`FOR UPDATE SKIP LOCKED`); SQLite serialises writers, so the statement is atomic there.
pub async fn claim_due(
    db: &Db,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limits: ClaimLimits,
) -> Result<Vec<Delivery>> {
    // The lease conditions are repeated on the locking query: PostgreSQL re-checks them on the newest
    // row version when another process claimed the row after this statement's snapshot was taken, which
    // the subquery (evaluated on the snapshot) alone would not.
    let lock = match db {
        Db::Postgres(_) => "FOR UPDATE SKIP LOCKED",
        Db::Sqlite(_) => "",
    };
    let sql = format!(
        "UPDATE deliveries SET locked_until = $2 WHERE id IN ( \
           SELECT id FROM deliveries WHERE id IN ( \
             SELECT c.id FROM ( \
               SELECT d.id, d.host, ROW_NUMBER() OVER (PARTITION BY d.host ORDER BY d.id) AS rn \
               FROM deliveries d WHERE {DUE}) c \
             WHERE {WITHIN_HOST_LIMIT}) \
           AND next_attempt_at <= $1 AND (locked_until IS NULL OR locked_until < $1) \
           ORDER BY id LIMIT $3 {lock}) {RETURNING}"
    );
    let rows = match db {
        Db::Postgres(pool) => {
            sqlx::query_as(&sql)
                .bind(now)
                .bind(lease_until)
                .bind(limits.batch)
                .bind(limits.per_host)
                .bind(limits.unavailable_if_failing_since)
                .bind(limits.probe_if_last_attempt_before)
                .fetch_all(pool)
                .await?
        }
        Db::Sqlite(pool) => {
            sqlx::query_as(&sql)
                .bind(now)
                .bind(lease_until)
                .bind(limits.batch)
                .bind(limits.per_host)
                .bind(limits.unavailable_if_failing_since)
                .bind(limits.probe_if_last_attempt_before)
                .fetch_all(pool)
                .await?
        }
    };
    Ok(rows)
}

/// Notes a failed attempt to `host`.
pub async fn host_failed(db: &Db, host: &str, now: DateTime<Utc>) -> Result<()> {
    let mut c = db.acquire().await?;
    on_conn!(c.conn(), c => sqlx::query(
        "INSERT INTO failing_hosts (host, failing_since, last_attempt_at) VALUES ($1, $2, $2) \
         ON CONFLICT (host) DO UPDATE SET last_attempt_at = excluded.last_attempt_at")
        .bind(host)
        .bind(now)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// A delivery to `host` succeeded: it is no longer failing. Other deliveries keep their schedule (one
/// of them may be waiting out a `Retry-After`). Returns whether it had been failing.
pub async fn host_answered(db: &Db, host: &str) -> Result<bool> {
    let mut c = db.acquire().await?;
    // Nearly always the host was not failing: a read answers that without taking SQLite's single write
    // lock, which every delivery and every inbox activity would otherwise queue for.
    let failing: Option<String> = on_conn!(c.conn(), c => sqlx::query_scalar(
        "SELECT host FROM failing_hosts WHERE host = $1")
        .bind(host)
        .fetch_optional(&mut *c)
        .await)?;
    if failing.is_none() {
        return Ok(false);
    }
    let n = on_conn!(c.conn(), c => sqlx::query("DELETE FROM failing_hosts WHERE host = $1")
        .bind(host)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// `host` sent us a signed activity, so it is up: it is no longer failing, and when it had been, its
/// waiting deliveries are made due now. Returns whether it had been failing.
pub async fn host_is_back(db: &Db, host: &str, now: DateTime<Utc>) -> Result<bool> {
    let n = host_answered(db, host).await?;
    if n {
        let mut c = db.acquire().await?;
        on_conn!(c.conn(), c => sqlx::query(
            "UPDATE deliveries SET next_attempt_at = $2 WHERE host = $1 AND next_attempt_at > $2")
            .bind(host)
            .bind(now)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected()))?;
    }
    Ok(n)
}

/// Forgets failing hosts that have nothing queued any more, so this state cannot grow without bound.
pub async fn prune_failing_hosts(db: &Db) -> Result<u64> {
    let mut c = db.acquire().await?;
    let n = on_conn!(c.conn(), c => sqlx::query(
        "DELETE FROM failing_hosts WHERE NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.host = failing_hosts.host)")
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n)
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
    /// Since when deliveries to the host fail, if they do.
    pub failing_since: Option<DateTime<Utc>>,
}

/// The queue by host, largest first.
pub async fn status(db: &Db) -> Result<Vec<HostQueue>> {
    let mut c = db.acquire().await?;
    let rows: Vec<HostQueue> = on_conn!(c.conn(), c => sqlx::query_as(
        "SELECT d.host, COUNT(*) AS pending, SUM(CASE WHEN d.attempts > 0 THEN 1 ELSE 0 END) AS failing, \
         MIN(d.created_at) AS oldest, MIN(f.failing_since) AS failing_since \
         FROM deliveries d LEFT JOIN failing_hosts f ON f.host = d.host \
         GROUP BY d.host ORDER BY COUNT(*) DESC, d.host")
        .fetch_all(&mut *c)
        .await)?;
    Ok(rows)
}
