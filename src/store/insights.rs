//! What a community's impact figures are counted from (issue 16): attendance, boosts and likes of our
//! objects, and the rows a period's figures are computed from. The history tables are written by
//! triggers (see migration 0019); the arithmetic is in `service::insights`.

use chrono::{DateTime, Utc};

use super::{Conn, on_conn};
use crate::error::Result;

/// A boost or a like of one of our objects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReactionKind {
    /// `Announce` of our object by someone else.
    Boost,
    /// `Like`.
    Like,
}

impl ReactionKind {
    fn as_str(self) -> &'static str {
        match self {
            ReactionKind::Boost => "boost",
            ReactionKind::Like => "like",
        }
    }
}

/// Records `actor`'s reaction to `object`; a repeat (another activity id, same actor and kind) keeps
/// the first. Returns whether it was new.
pub async fn record_reaction(
    c: &mut Conn<'_>,
    object: &str,
    actor: &str,
    kind: ReactionKind,
    activity: &str,
    at: DateTime<Utc>,
) -> Result<bool> {
    let n = on_conn!(c, c => sqlx::query(
        "INSERT INTO reactions (object_ap_id, actor_ap_id, kind, activity_ap_id, created_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (object_ap_id, actor_ap_id, kind) DO NOTHING")
        .bind(object)
        .bind(actor)
        .bind(kind.as_str())
        .bind(activity)
        .bind(at)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// Removes `actor`'s reaction of `kind` to `object` (an `Undo` embedding it: Mastodon's names the
/// reaction by actor and object, its id need not be the one stored). Returns whether there was one.
pub async fn remove_reaction(
    c: &mut Conn<'_>,
    object: &str,
    actor: &str,
    kind: ReactionKind,
) -> Result<bool> {
    let n = on_conn!(c, c => sqlx::query(
        "DELETE FROM reactions WHERE object_ap_id = $1 AND actor_ap_id = $2 AND kind = $3")
        .bind(object)
        .bind(actor)
        .bind(kind.as_str())
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// Removes `actor`'s reaction recorded from the activity `activity` (an `Undo` naming only its id).
pub async fn remove_reaction_by_activity(
    c: &mut Conn<'_>,
    actor: &str,
    activity: &str,
) -> Result<bool> {
    let n = on_conn!(c, c => sqlx::query(
        "DELETE FROM reactions WHERE activity_ap_id = $1 AND actor_ap_id = $2")
        .bind(activity)
        .bind(actor)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// Marks the participation `id` of `event_id` as attended at `at` (or not, with `None`). Returns
/// whether the participation exists.
pub async fn set_attended(
    c: &mut Conn<'_>,
    event_id: i64,
    id: i64,
    at: Option<DateTime<Utc>>,
) -> Result<bool> {
    let n = on_conn!(c, c => sqlx::query(
        "UPDATE participations SET attended_at = $3 WHERE event_id = $1 AND id = $2")
        .bind(event_id)
        .bind(id)
        .bind(at)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// A follower gained or lost.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FollowerChange {
    /// Who.
    pub follower_ap_id: String,
    /// `gained` or `lost`.
    pub change: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// The accepted followers of `target` now.
pub async fn followers_now(c: &mut Conn<'_>, target: &str) -> Result<Vec<String>> {
    Ok(on_conn!(c, c => sqlx::query_scalar(
        "SELECT follower_ap_id FROM followers WHERE target_ap_id = $1 AND state = 'accepted'")
        .bind(target)
        .fetch_all(&mut **c)
        .await)?)
}

/// Followers of `target` gained and lost from `from` on, oldest first.
pub async fn follower_changes(
    c: &mut Conn<'_>,
    target: &str,
    from: DateTime<Utc>,
) -> Result<Vec<FollowerChange>> {
    Ok(on_conn!(c, c => sqlx::query_as(
        "SELECT follower_ap_id, change, at FROM follower_changes \
         WHERE target_ap_id = $1 AND at >= $2 ORDER BY at, id")
        .bind(target)
        .bind(from)
        .fetch_all(&mut **c)
        .await)?)
}

/// One event of a community, as its figures need it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EventRow {
    /// Database id.
    pub id: i64,
    /// Public id (in URLs).
    pub public_id: String,
    /// ActivityPub id.
    pub ap_id: String,
    /// Title.
    pub title: String,
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End.
    pub ends_at: DateTime<Utc>,
    /// `confirmed`, `tentative` or `cancelled`.
    pub status: String,
}

/// The community's own events starting before `to`, oldest first.
pub async fn events_until(
    c: &mut Conn<'_>,
    community_id: i64,
    to: DateTime<Utc>,
) -> Result<Vec<EventRow>> {
    Ok(on_conn!(c, c => sqlx::query_as(
        "SELECT id, public_id, ap_id, title, starts_at, ends_at, status FROM events \
         WHERE community_id = $1 AND starts_at < $2 ORDER BY starts_at, id")
        .bind(community_id)
        .bind(to)
        .fetch_all(&mut **c)
        .await)?)
}

/// A participation in one of a community's events.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ParticipationRow {
    /// The event's database id.
    pub event_id: i64,
    /// Who.
    pub participant_ap_id: String,
    /// `pending`, `accepted`, `waitlisted` or `rejected`.
    pub state: String,
    /// When it was asked for.
    pub created_at: DateTime<Utc>,
    /// When the participant was checked in, if they were.
    pub attended_at: Option<DateTime<Utc>>,
}

/// Every participation in the community's events starting before `to`.
pub async fn participations_until(
    c: &mut Conn<'_>,
    community_id: i64,
    to: DateTime<Utc>,
) -> Result<Vec<ParticipationRow>> {
    Ok(on_conn!(c, c => sqlx::query_as(
        "SELECT p.event_id, p.participant_ap_id, p.state, p.created_at, p.attended_at \
         FROM participations p JOIN events e ON e.id = p.event_id \
         WHERE e.community_id = $1 AND e.starts_at < $2")
        .bind(community_id)
        .bind(to)
        .fetch_all(&mut **c)
        .await)?)
}

/// Participations in the community's events withdrawn within `[from, to)`.
pub async fn cancellations(
    c: &mut Conn<'_>,
    community_id: i64,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<i64> {
    Ok(on_conn!(c, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM participation_cancellations x JOIN events e ON e.id = x.event_id \
         WHERE e.community_id = $1 AND x.at >= $2 AND x.at < $3")
        .bind(community_id)
        .bind(from)
        .bind(to)
        .fetch_one(&mut **c)
        .await)?)
}

/// What the community published and what came back within `[from, to)`: announcements published,
/// replies to its events, boosts and likes of its events and announcements.
#[derive(Debug, Clone, Copy, Default, sqlx::FromRow)]
pub struct Echo {
    /// Announcements published.
    pub announcements: i64,
    /// Replies (comments) received on its events.
    pub replies: i64,
    /// Boosts of its events and announcements.
    pub boosts: i64,
    /// Likes of them.
    pub likes: i64,
}

/// The community's [`Echo`] within `[from, to)`.
pub async fn echo(
    c: &mut Conn<'_>,
    community_id: i64,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Echo> {
    // Reactions are to events or announcements; both are matched by id (one index lookup each).
    Ok(on_conn!(c, c => sqlx::query_as(
        "SELECT \
           (SELECT COUNT(*) FROM announcements \
             WHERE community_id = $1 AND published_at >= $2 AND published_at < $3) AS announcements, \
           (SELECT COUNT(*) FROM comments m JOIN events e ON e.id = m.event_id \
             WHERE e.community_id = $1 AND m.published_at >= $2 AND m.published_at < $3) AS replies, \
           (SELECT COUNT(*) FROM reactions r \
             WHERE r.kind = 'boost' AND r.created_at >= $2 AND r.created_at < $3 \
               AND (EXISTS (SELECT 1 FROM events e WHERE e.ap_id = r.object_ap_id AND e.community_id = $1) \
                 OR EXISTS (SELECT 1 FROM announcements a WHERE a.ap_id = r.object_ap_id AND a.community_id = $1))) AS boosts, \
           (SELECT COUNT(*) FROM reactions r \
             WHERE r.kind = 'like' AND r.created_at >= $2 AND r.created_at < $3 \
               AND (EXISTS (SELECT 1 FROM events e WHERE e.ap_id = r.object_ap_id AND e.community_id = $1) \
                 OR EXISTS (SELECT 1 FROM announcements a WHERE a.ap_id = r.object_ap_id AND a.community_id = $1))) AS likes")
        .bind(community_id)
        .bind(from)
        .bind(to)
        .fetch_one(&mut **c)
        .await)?)
}

/// A shared report's link, as its managers see it (never its secret).
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct ReportLink {
    /// Database id (to revoke it).
    pub id: i64,
    /// The community reported on.
    #[serde(skip)]
    pub community_id: i64,
    /// Start of the period (included).
    pub period_from: DateTime<Utc>,
    /// End of the period (excluded).
    pub period_to: DateTime<Utc>,
    /// When it was made.
    pub created_at: DateTime<Utc>,
}

const REPORT_COLUMNS: &str = "id, community_id, period_from, period_to, created_at";

/// Stores a report link of `community_id` for `[from, to)` under the secret's hash.
pub async fn add_report_link(
    c: &mut Conn<'_>,
    community_id: i64,
    token_hash: &str,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
    created_by: i64,
    at: DateTime<Utc>,
) -> Result<ReportLink> {
    let sql = format!(
        "INSERT INTO report_links (community_id, token_hash, period_from, period_to, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING {REPORT_COLUMNS}"
    );
    Ok(on_conn!(c, c => sqlx::query_as(&sql)
        .bind(community_id)
        .bind(token_hash)
        .bind(from)
        .bind(to)
        .bind(created_by)
        .bind(at)
        .fetch_one(&mut **c)
        .await)?)
}

/// The live report links of a community, newest first.
pub async fn report_links(c: &mut Conn<'_>, community_id: i64) -> Result<Vec<ReportLink>> {
    let sql = format!(
        "SELECT {REPORT_COLUMNS} FROM report_links WHERE community_id = $1 ORDER BY id DESC"
    );
    Ok(on_conn!(c, c => sqlx::query_as(&sql).bind(community_id).fetch_all(&mut **c).await)?)
}

/// The report behind a secret's hash.
pub async fn report_link_by_hash(c: &mut Conn<'_>, token_hash: &str) -> Result<Option<ReportLink>> {
    let sql = format!("SELECT {REPORT_COLUMNS} FROM report_links WHERE token_hash = $1");
    Ok(on_conn!(c, c => sqlx::query_as(&sql).bind(token_hash).fetch_optional(&mut **c).await)?)
}

/// Revokes report link `id` of `community_id`; returns whether there was one.
pub async fn delete_report_link(c: &mut Conn<'_>, community_id: i64, id: i64) -> Result<bool> {
    let n = on_conn!(c, c => sqlx::query(
        "DELETE FROM report_links WHERE community_id = $1 AND id = $2")
        .bind(community_id)
        .bind(id)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// The events of the community `organizer` (any instance's) starting within `[from, to)`, not
/// cancelled, and their participants: what a member shows its network. Participants of a remote
/// event are the count its organizer publishes; of a local one, those with a seat.
pub async fn organizer_echo(
    c: &mut Conn<'_>,
    organizer: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<(i64, i64)> {
    Ok(on_conn!(c, c => sqlx::query_as(
        "SELECT COUNT(*), CAST(COALESCE(SUM(CASE WHEN e.community_id IS NULL THEN e.remote_participant_count \
           ELSE (SELECT COUNT(*) FROM participations p WHERE p.event_id = e.id AND p.state = 'accepted') END), 0) AS BIGINT) \
         FROM events e WHERE e.organizer_ap_id = $1 AND e.starts_at >= $2 AND e.starts_at < $3 \
           AND e.status <> 'cancelled'")
        .bind(organizer)
        .bind(from)
        .bind(to)
        .fetch_one(&mut **c)
        .await)?)
}

/// Pseudonymises who followed, withdrew, reacted, was sent or answered a poll, in rows older than
/// `before`: the person's id becomes `purged:<row id>`, so counts stay and no one can be told apart.
/// Returns how many rows changed.
pub async fn purge_personal(c: &mut Conn<'_>, before: DateTime<Utc>) -> Result<u64> {
    const TABLES: [(&str, &str, &str); 5] = [
        ("follower_changes", "follower_ap_id", "at"),
        ("participation_cancellations", "participant_ap_id", "at"),
        ("reactions", "actor_ap_id", "created_at"),
        ("poll_invitations", "recipient_ap_id", "created_at"),
        ("poll_votes", "voter_ap_id", "created_at"),
    ];
    let mut changed = 0;
    for (table, who, when) in TABLES {
        let sql = format!(
            "UPDATE {table} SET {who} = 'purged:' || CAST(id AS TEXT) \
             WHERE {when} < $1 AND {who} NOT LIKE 'purged:%'"
        );
        changed += on_conn!(c, c => sqlx::query(&sql)
            .bind(before)
            .execute(&mut **c)
            .await
            .map(|r| r.rows_affected()))?;
    }
    Ok(changed)
}

/// Adds delivered inboxes to the reach of their actors: `(actor, day, host, inboxes)` rows, summed
/// with what is there (one statement for a batch of finished deliveries).
pub async fn add_reach(c: &mut Conn<'_>, rows: &[(String, String, String, i64)]) -> Result<()> {
    for chunk in rows.chunks(200) {
        let mut sql = String::from("INSERT INTO reach (actor_ap_id, day, host, inboxes) VALUES ");
        for i in 0..chunk.len() {
            let n = i * 4;
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!("(${}, ${}, ${}, ${})", n + 1, n + 2, n + 3, n + 4));
        }
        sql.push_str(
            " ON CONFLICT (actor_ap_id, day, host) DO UPDATE SET inboxes = reach.inboxes + excluded.inboxes",
        );
        on_conn!(c, c => {
            let mut q = sqlx::query(&sql);
            for (actor, day, host, inboxes) in chunk {
                q = q.bind(actor).bind(day).bind(host).bind(inboxes);
            }
            q.execute(&mut **c).await.map(|_| ())
        })?;
    }
    Ok(())
}

/// Inboxes and distinct instances `actor`'s deliveries reached on the days `[from, to)` (`YYYY-MM-DD`).
pub async fn reach_of(c: &mut Conn<'_>, actor: &str, from: &str, to: &str) -> Result<(i64, i64)> {
    Ok(on_conn!(c, c => sqlx::query_as(
        "SELECT CAST(COALESCE(SUM(inboxes), 0) AS BIGINT), COUNT(DISTINCT host) FROM reach \
         WHERE actor_ap_id = $1 AND day >= $2 AND day < $3")
        .bind(actor)
        .bind(from)
        .bind(to)
        .fetch_one(&mut **c)
        .await)?)
}
