//! Communities' bans of actors and instances, and the moderation log (issue 19).

use chrono::{DateTime, Utc};

use super::{Conn, on_conn};
use crate::error::Result;

/// One ban, as the managers see it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
pub struct Ban {
    /// Database id.
    pub id: i64,
    /// `actor` or `domain`.
    pub kind: String,
    /// The actor's id, or the host.
    pub target: String,
    /// Why, for the managers.
    pub note: Option<String>,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// One line of the moderation log.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
pub struct LogEntry {
    /// Database id.
    pub id: i64,
    /// Who did it (their username), if the account still exists.
    pub by: Option<String>,
    /// `ban`, `unban`, `remove_follower`, `reject_participation`, `remove_comment`.
    pub action: String,
    /// What it was done to (an actor's id, a host, an object's id).
    pub target: String,
    /// Why.
    pub note: Option<String>,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// Adds a ban (again: its note is updated).
pub async fn insert(
    c: &mut Conn<'_>,
    community_id: i64,
    kind: &str,
    target: &str,
    note: Option<&str>,
    by: i64,
    at: DateTime<Utc>,
) -> Result<Ban> {
    let ban: Ban = on_conn!(c, c => sqlx::query_as(
        "INSERT INTO community_bans (community_id, kind, target, note, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (community_id, kind, target) DO UPDATE SET note = excluded.note \
         RETURNING id, kind, target, note, created_at")
        .bind(community_id)
        .bind(kind)
        .bind(target)
        .bind(note)
        .bind(by)
        .bind(at)
        .fetch_one(&mut **c)
        .await)?;
    Ok(ban)
}

/// Lifts a ban; whether there was one.
pub async fn delete(c: &mut Conn<'_>, community_id: i64, kind: &str, target: &str) -> Result<bool> {
    let n = on_conn!(c, c => sqlx::query(
        "DELETE FROM community_bans WHERE community_id = $1 AND kind = $2 AND target = $3")
        .bind(community_id)
        .bind(kind)
        .bind(target)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// A community's bans, newest first.
pub async fn of_community(c: &mut Conn<'_>, community_id: i64) -> Result<Vec<Ban>> {
    let bans: Vec<Ban> = on_conn!(c, c => sqlx::query_as(
        "SELECT id, kind, target, note, created_at FROM community_bans WHERE community_id = $1 ORDER BY id DESC")
        .bind(community_id)
        .fetch_all(&mut **c)
        .await)?;
    Ok(bans)
}

/// Whether the community bans this actor, or its host or a parent domain of it.
pub async fn is_banned(
    c: &mut Conn<'_>,
    community_id: i64,
    actor: &str,
    hosts: &[String],
) -> Result<bool> {
    let bans = of_community(c, community_id).await?;
    Ok(bans.iter().any(|b| match b.kind.as_str() {
        "actor" => b.target == actor,
        _ => hosts.contains(&b.target),
    }))
}

/// Writes one line of the moderation log.
pub async fn log(
    c: &mut Conn<'_>,
    community_id: i64,
    by: i64,
    action: &str,
    target: &str,
    note: Option<&str>,
    at: DateTime<Utc>,
) -> Result<()> {
    on_conn!(c, c => sqlx::query(
        "INSERT INTO moderation_log (community_id, account_id, action, target, note, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(community_id)
        .bind(by)
        .bind(action)
        .bind(target)
        .bind(note)
        .bind(at)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// A community's moderation log, newest first.
pub async fn log_of(c: &mut Conn<'_>, community_id: i64) -> Result<Vec<LogEntry>> {
    let entries: Vec<LogEntry> = on_conn!(c, c => sqlx::query_as(
        "SELECT l.id, a.username AS by, l.action, l.target, l.note, l.created_at FROM moderation_log l \
         LEFT JOIN accounts a ON a.id = l.account_id WHERE l.community_id = $1 ORDER BY l.id DESC LIMIT 500")
        .bind(community_id)
        .fetch_all(&mut **c)
        .await)?;
    Ok(entries)
}

/// A report of content or an account (issue 19).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Report {
    /// Database id (in API paths).
    pub id: i64,
    /// The community the reported content belongs to (its name), if any.
    pub community: Option<String>,
    /// Who reported (an actor id; for a remote `Flag`, often the reporter's instance).
    pub reporter: String,
    /// What is reported.
    pub objects: Vec<String>,
    /// The reason given.
    pub reason: String,
    /// `open` or `resolved`.
    pub state: String,
    /// When it came.
    pub created_at: DateTime<Utc>,
    /// When it was forwarded to the server of what it is about, if it was.
    pub forwarded_at: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct ReportRow {
    id: i64,
    community_id: Option<i64>,
    community: Option<String>,
    reporter_ap_id: String,
    objects: String,
    reason: String,
    state: String,
    created_at: DateTime<Utc>,
    forwarded_at: Option<DateTime<Utc>>,
}

impl From<ReportRow> for Report {
    fn from(r: ReportRow) -> Report {
        Report {
            id: r.id,
            community: r.community,
            reporter: r.reporter_ap_id,
            objects: serde_json::from_str(&r.objects).unwrap_or_default(),
            reason: r.reason,
            state: r.state,
            created_at: r.created_at,
            forwarded_at: r.forwarded_at,
        }
    }
}

/// Files a report; a `Flag` already filed (by its id) is not filed again. Whether it was new.
pub async fn insert_report(
    c: &mut Conn<'_>,
    community_id: Option<i64>,
    reporter: &str,
    objects: &[String],
    reason: &str,
    flag_id: Option<&str>,
    at: DateTime<Utc>,
) -> Result<bool> {
    let objects = serde_json::to_string(objects).unwrap_or_else(|_| "[]".into());
    let n = on_conn!(c, c => sqlx::query(
        "INSERT INTO moderation_reports (community_id, reporter_ap_id, objects, reason, flag_id, state, created_at) \
         VALUES ($1, $2, $3, $4, $5, 'open', $6) ON CONFLICT (flag_id) DO NOTHING")
        .bind(community_id)
        .bind(reporter)
        .bind(&objects)
        .bind(reason)
        .bind(flag_id)
        .bind(at)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

const REPORT_COLUMNS: &str = "r.id, r.community_id, c.name AS community, r.reporter_ap_id, r.objects, r.reason, r.state, r.created_at, r.forwarded_at";

/// Reports of these communities (all reports, also of accounts, when `all`), newest first.
pub async fn reports(c: &mut Conn<'_>, community_ids: &[i64], all: bool) -> Result<Vec<Report>> {
    let ids: Vec<String> = community_ids.iter().map(i64::to_string).collect();
    let condition = match (all, ids.is_empty()) {
        (true, _) => "TRUE".to_string(),
        (false, true) => return Ok(vec![]),
        // Integers from the database, written into the SQL text.
        (false, false) => format!("r.community_id IN ({})", ids.join(",")),
    };
    let sql = format!(
        "SELECT {REPORT_COLUMNS} FROM moderation_reports r LEFT JOIN communities c ON c.id = r.community_id \
         WHERE {condition} ORDER BY r.id DESC LIMIT 500"
    );
    let rows: Vec<ReportRow> =
        on_conn!(c, c => sqlx::query_as(&sql).persistent(false).fetch_all(&mut **c).await)?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// One report and its community's id.
pub async fn report(c: &mut Conn<'_>, id: i64) -> Result<Option<(Report, Option<i64>)>> {
    let sql = format!(
        "SELECT {REPORT_COLUMNS} FROM moderation_reports r \
         LEFT JOIN communities c ON c.id = r.community_id WHERE r.id = $1"
    );
    let row: Option<ReportRow> =
        on_conn!(c, c => sqlx::query_as(&sql).bind(id).fetch_optional(&mut **c).await)?;
    Ok(row.map(|r| {
        let community_id = r.community_id;
        (r.into(), community_id)
    }))
}

/// Marks a report resolved.
pub async fn resolve_report(c: &mut Conn<'_>, id: i64, by: i64, at: DateTime<Utc>) -> Result<()> {
    on_conn!(c, c => sqlx::query(
        "UPDATE moderation_reports SET state = 'resolved', resolved_by = $2, resolved_at = $3 WHERE id = $1")
        .bind(id)
        .bind(by)
        .bind(at)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Marks a report forwarded.
pub async fn mark_forwarded(c: &mut Conn<'_>, id: i64, at: DateTime<Utc>) -> Result<()> {
    on_conn!(c, c => sqlx::query("UPDATE moderation_reports SET forwarded_at = $2 WHERE id = $1")
        .bind(id)
        .bind(at)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// An account suspended from the whole instance (issue 19).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
pub struct Suspension {
    /// The actor's id.
    pub actor: String,
    /// Why, for the administrators.
    pub note: Option<String>,
    /// The administrator who suspended it.
    pub by: Option<String>,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// Suspends an actor (again: the note is replaced).
pub async fn suspend(
    c: &mut Conn<'_>,
    actor: &str,
    note: Option<&str>,
    by: i64,
    at: DateTime<Utc>,
) -> Result<()> {
    on_conn!(c, c => sqlx::query(
        "INSERT INTO suspended_actors (actor_ap_id, note, suspended_by, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (actor_ap_id) DO UPDATE SET note = excluded.note")
        .bind(actor)
        .bind(note)
        .bind(by)
        .bind(at)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Lifts a suspension; whether there was one.
pub async fn unsuspend(c: &mut Conn<'_>, actor: &str) -> Result<bool> {
    let n = on_conn!(c, c => sqlx::query("DELETE FROM suspended_actors WHERE actor_ap_id = $1")
        .bind(actor)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// Every suspension, newest first.
pub async fn suspensions(c: &mut Conn<'_>) -> Result<Vec<Suspension>> {
    let rows: Vec<Suspension> = on_conn!(c, c => sqlx::query_as(
        "SELECT s.actor_ap_id AS actor, s.note, a.username AS by, s.created_at FROM suspended_actors s \
         LEFT JOIN accounts a ON a.id = s.suspended_by ORDER BY s.created_at DESC")
        .fetch_all(&mut **c)
        .await)?;
    Ok(rows)
}

/// The ids of every suspended actor.
pub async fn suspended_ids(c: &mut Conn<'_>) -> Result<Vec<String>> {
    let ids: Vec<String> = on_conn!(c, c => sqlx::query_scalar("SELECT actor_ap_id FROM suspended_actors")
        .fetch_all(&mut **c)
        .await)?;
    Ok(ids)
}
