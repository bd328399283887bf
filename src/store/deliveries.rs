//! The durable delivery queue: an activity is stored once (`outgoing_activities`) and queued as one
//! row per inbox that refers to it (`deliveries`).
//!
//! Workers claim due rows by setting a lease (`locked_until`); a crashed worker's lease simply runs out
//! and the row is claimed again, so a delivery is made at least once. Only the oldest row of each inbox
//! is ever claimable, which keeps each receiver's activities in the order they were produced.

use std::collections::HashMap;

use axum::body::Bytes;
use chrono::{DateTime, Utc};

use super::{Conn, Db, on_conn};
use crate::apub::signatures::SignatureStyle;
use crate::error::Result;

/// A claimed delivery.
#[derive(Debug, Clone)]
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
    /// The activity JSON, shared by every delivery of the activity claimed together.
    pub body: Bytes,
    /// Failed attempts so far.
    pub attempts: i32,
    /// When it was queued.
    pub created_at: DateTime<Utc>,
    /// Whether the host was failing when the delivery was claimed (a success then clears that).
    pub host_was_failing: bool,
    /// The signature style stored for the host when the delivery was claimed, if any.
    pub signature_style: Option<SignatureStyle>,
}

/// Deliveries inserted per statement: four parameters each, well under either database's limit.
const ROWS_PER_INSERT: usize = 500;

/// Stores the activity `body` once and queues it for each inbox.
pub async fn enqueue(
    c: &mut Conn<'_>,
    activity_ap_id: &str,
    actor_ap_id: &str,
    body: &str,
    inboxes: &[&url::Url],
    now: DateTime<Utc>,
) -> Result<()> {
    if inboxes.is_empty() {
        return Ok(());
    }
    let outgoing_id: i64 = on_conn!(c, c => sqlx::query_scalar(
        "INSERT INTO outgoing_activities (activity_ap_id, actor_ap_id, body, created_at) \
         VALUES ($1, $2, $3, $4) RETURNING id")
        .bind(activity_ap_id)
        .bind(actor_ap_id)
        .bind(body)
        .bind(now)
        .fetch_one(&mut **c)
        .await)?;
    let inboxes = interleaved_by_host(inboxes);
    for chunk in inboxes.chunks(ROWS_PER_INSERT) {
        // `$1` the activity, `$2` the time, then an inbox and its host per row.
        let rows: Vec<String> = (0..chunk.len())
            .map(|i| format!("($1, ${}, ${}, 0, $2, $2)", 3 + 2 * i, 4 + 2 * i))
            .collect();
        let sql = format!(
            "INSERT INTO deliveries (outgoing_id, inbox, host, attempts, next_attempt_at, created_at) \
             VALUES {}",
            rows.join(", ")
        );
        on_conn!(c, c => {
            let mut q = sqlx::query(&sql).bind(outgoing_id).bind(now);
            for (host, inbox) in chunk {
                q = q.bind(inbox.as_str()).bind(host);
            }
            q.execute(&mut **c).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}

/// The inboxes with their hosts, taking one inbox of each host in turn: queued in this order, the
/// first deliveries of a fan-out go to every host at once, and a claim walking the queue oldest first
/// meets a host that has room within a few rows, instead of first passing over every inbox of the
/// hosts already full (followers listed by address come grouped by host).
fn interleaved_by_host<'u>(inboxes: &[&'u url::Url]) -> Vec<(String, &'u url::Url)> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut ranked: Vec<(usize, String, &url::Url)> = inboxes
        .iter()
        .map(|inbox| {
            let host = crate::apub::actor::normalized_host(inbox).unwrap_or_default();
            let rank = seen.entry(host.clone()).or_insert(0);
            *rank += 1;
            (*rank, host, *inbox)
        })
        .collect();
    // Stable: within a host, inboxes keep the order they were given in.
    ranked.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    ranked
        .into_iter()
        .map(|(_, host, inbox)| (host, inbox))
        .collect()
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

/// How many candidates a claim reads per row it may take: rows of one host beyond what it may still
/// take are passed over, and the next claim (the host then full and left out) finds the others.
const CANDIDATES_PER_ROW: i64 = 4;

/// Claims due deliveries until `lease_until`: only the oldest of each inbox (so each receiver gets its
/// activities in order), only as many per host as keep it under `per_host` in flight, and none of an
/// unavailable host between probes.
///
/// The claim costs what it takes, not what is queued: it counts the deliveries in flight per host
/// (a partial index holds only those), then walks the due rows oldest first, leaving out full hosts,
/// and stops after a few candidates per row wanted. (It used to number every due row by host, which made
/// a fan-out of N deliveries cost O(N^2).) The lease is then set only where the row is still unleased,
/// so a row is never claimed twice.
///
/// On PostgreSQL, where several processes may share the queue, claims take turns (a transaction-level
/// advisory lock, held for the few milliseconds of a claim) so that what one counts as in flight includes
/// what the other just claimed: together they keep each host's limit. SQLite is one process's database.
pub async fn claim_due(
    db: &Db,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limits: ClaimLimits,
) -> Result<Vec<Delivery>> {
    match db {
        Db::Sqlite(pool) => {
            let mut c = pool.acquire().await?;
            claim_on(&mut Conn::Sqlite(&mut c), now, lease_until, limits).await
        }
        Db::Postgres(pool) => {
            // Claims take turns on an advisory lock. A lease lost in a crash is a delivery claimed
            // again, which at least once allows: the claim's commit need not wait for the disk. Both
            // go with the `BEGIN`, in one round trip (a simple query of three statements).
            let mut tx = pool
                .begin_with(format!(
                    "BEGIN; SELECT pg_advisory_xact_lock({CLAIM_LOCK}); \
                     SET LOCAL synchronous_commit TO off"
                ))
                .await?;
            let claimed = claim_on(&mut Conn::Postgres(&mut tx), now, lease_until, limits).await?;
            tx.commit().await?;
            Ok(claimed)
        }
    }
}

/// The advisory lock claims take turns on ("vkclaim" in ASCII).
const CLAIM_LOCK: i64 = 0x0076_6b63_6c61_696d;

async fn claim_on(
    c: &mut Conn<'_>,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limits: ClaimLimits,
) -> Result<Vec<Delivery>> {
    let postgres = matches!(c, Conn::Postgres(_));
    // Counted here rather than with GROUP BY: SQLite would group along the index on host, reading
    // every queued row, instead of reading the few leased ones from their partial index.
    let busy: Vec<String> = on_conn!(c, c => sqlx::query_scalar(
        "SELECT host FROM deliveries WHERE locked_until IS NOT NULL AND locked_until >= $1")
        .bind(now)
        .fetch_all(&mut **c)
        .await)?;
    let mut room: HashMap<String, i64> = HashMap::new();
    for host in busy {
        *room.entry(host).or_insert(limits.per_host) -= 1;
    }
    let full: Vec<&str> = room
        .iter()
        .filter(|(_, n)| **n <= 0)
        .map(|(h, _)| h.as_str())
        .collect();
    let full = serde_json::to_string(&full)?;
    let candidates_sql = format!(
        "SELECT d.id, d.host, \
         EXISTS (SELECT 1 FROM failing_hosts f WHERE f.host = d.host) AS failing, \
         (SELECT s.style FROM signature_styles s WHERE s.host = d.host) AS style \
         FROM deliveries d \
         WHERE d.next_attempt_at <= $2 AND (d.locked_until IS NULL OR d.locked_until < $2) \
         AND d.host NOT IN ({}) \
         AND NOT EXISTS (SELECT 1 FROM deliveries older WHERE older.inbox = d.inbox AND older.id < d.id) \
         AND NOT EXISTS (SELECT 1 FROM failing_hosts f WHERE f.host = d.host AND f.failing_since < $3 \
                         AND f.last_attempt_at >= $4) \
         ORDER BY d.next_attempt_at, d.id LIMIT $5",
        json_array(postgres, 1, "")
    );
    let wanted = limits.batch.max(1);
    // With each candidate, what its delivery needs to know of its host, read here once per claim
    // instead of once per delivery.
    let candidates: Vec<(i64, String, bool, Option<String>)> = on_conn!(c, c => sqlx::query_as(&candidates_sql)
        .bind(&full)
        .bind(now)
        .bind(limits.unavailable_if_failing_since)
        .bind(limits.probe_if_last_attempt_before)
        .bind(wanted.saturating_mul(CANDIDATES_PER_ROW))
        .fetch_all(&mut **c)
        .await)?;
    let mut chosen = Vec::new();
    let mut hosts: HashMap<String, (bool, Option<SignatureStyle>)> = HashMap::new();
    for (id, host, failing, style) in candidates {
        hosts
            .entry(host.clone())
            .or_insert_with(|| (failing, style.as_deref().map(SignatureStyle::parse)));
        let left = room.entry(host).or_insert(limits.per_host);
        if *left > 0 {
            *left -= 1;
            chosen.push(id);
            if chosen.len() as i64 == wanted {
                break;
            }
        }
    }
    if chosen.is_empty() {
        return Ok(vec![]);
    }
    let claim_sql = format!(
        "UPDATE deliveries SET locked_until = $2 WHERE id IN ({}) \
         AND next_attempt_at <= $1 AND (locked_until IS NULL OR locked_until < $1) \
         RETURNING id, outgoing_id, inbox, host, attempts, created_at",
        json_array(postgres, 3, "::bigint")
    );
    let chosen = serde_json::to_string(&chosen)?;
    let claimed: Vec<(i64, i64, String, String, i32, DateTime<Utc>)> = on_conn!(c, c => sqlx::query_as(&claim_sql)
            .bind(now)
            .bind(lease_until)
            .bind(&chosen)
            .fetch_all(&mut **c)
            .await)?;
    let mut outgoing_ids: Vec<i64> = claimed.iter().map(|row| row.1).collect();
    outgoing_ids.sort_unstable();
    outgoing_ids.dedup();
    let activities_sql = format!(
        "SELECT id, activity_ap_id, actor_ap_id, body FROM outgoing_activities WHERE id IN ({})",
        json_array(postgres, 1, "::bigint")
    );
    let outgoing_ids = serde_json::to_string(&outgoing_ids)?;
    let activities: Vec<(i64, String, String, String)> = on_conn!(c, c => sqlx::query_as(&activities_sql)
            .bind(&outgoing_ids)
            .fetch_all(&mut **c)
            .await)?;
    let activities: HashMap<i64, (String, String, Bytes)> = activities
        .into_iter()
        .map(|(id, activity, actor, body)| (id, (activity, actor, Bytes::from(body))))
        .collect();
    Ok(claimed
        .into_iter()
        .filter_map(|(id, outgoing_id, inbox, host, attempts, created_at)| {
            // Every delivery refers to an activity (a foreign key), which is pruned only when no
            // delivery refers to it any more.
            let (activity_ap_id, actor_ap_id, body) = activities.get(&outgoing_id)?.clone();
            let (host_was_failing, signature_style) = hosts.get(&host).cloned().unwrap_or_default();
            Some(Delivery {
                host_was_failing,
                signature_style,
                id,
                activity_ap_id,
                actor_ap_id,
                inbox,
                host,
                body,
                attempts,
                created_at,
            })
        })
        .collect())
}

/// A subquery listing the elements of the JSON array bound as parameter `n` (ids or hosts: a list of
/// any length in one parameter, on both databases), cast with `pg_cast` on PostgreSQL.
fn json_array(postgres: bool, n: usize, pg_cast: &str) -> String {
    if postgres {
        format!("SELECT json_array_elements_text(${n}::json){pg_cast}")
    } else {
        format!("SELECT value FROM json_each(${n})")
    }
}

/// Forgets activities no delivery refers to any more (all sent or given up), once older than `before`
/// (an activity is stored a moment before its deliveries when they are not queued in one transaction).
pub async fn prune_sent_activities(db: &Db, before: DateTime<Utc>) -> Result<u64> {
    let mut c = db.acquire().await?;
    let n = on_conn!(c.conn(), c => sqlx::query(
        "DELETE FROM outgoing_activities WHERE created_at < $1 AND NOT EXISTS \
         (SELECT 1 FROM deliveries d WHERE d.outgoing_id = outgoing_activities.id)")
        .bind(before)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n)
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

/// Removes deliveries that are done, all in one statement.
pub async fn remove_all(db: &Db, ids: &[i64]) -> Result<()> {
    let sql = format!(
        "DELETE FROM deliveries WHERE id IN ({})",
        json_array(matches!(db, Db::Postgres(_)), 1, "::bigint")
    );
    let ids = serde_json::to_string(ids)?;
    let mut c = db.acquire().await?;
    on_conn!(c.conn(), c => sqlx::query(&sql).bind(&ids).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Gives back what sent deliveries leave behind on PostgreSQL, whose `DELETE` only marks a row dead:
/// its index entries stay until a vacuum. A claim walks the queue's indexes oldest first, and the
/// in-flight count walks every lease not yet run out, sent or not, so without this each claim of a
/// large fan-out costs more than the one before (autovacuum, where it is on, wakes once a minute at
/// most). `SKIP_LOCKED`: when another process or autovacuum is at it already, there is nothing to
/// add. A database role that does not own the table gets a warning from PostgreSQL, not an error,
/// and autovacuum keeps the queue as before. SQLite removes a row's index entries with it.
pub async fn reclaim_removed(db: &Db) -> Result<()> {
    if let Db::Postgres(pool) = db {
        // Sent as a plain query (`raw_sql`): `VACUUM` runs on its own, never in a transaction.
        sqlx::raw_sql("VACUUM (SKIP_LOCKED) deliveries")
            .execute(pool)
            .await?;
    }
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

/// Gives a claimed delivery back unattempted: its lease ends now, so the next claim may take it.
pub async fn release(db: &Db, id: i64) -> Result<()> {
    let mut c = db.acquire().await?;
    on_conn!(c.conn(), c => sqlx::query("UPDATE deliveries SET locked_until = NULL WHERE id = $1")
        .bind(id)
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
