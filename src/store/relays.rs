//! Relay subscriptions: relays and other instances' actors this instance follows (issue 20).

use chrono::{DateTime, Utc};

use super::{Conn, on_conn, parse_column, parse_url_opt};
use crate::error::{Error, Result};
use crate::model::{FollowState, RelaySubscription};

const COLUMNS: &str =
    "id, url, inbox, actor_ap_id, follows_public, follow_activity_id, state, created_at";

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    url: String,
    inbox: String,
    actor_ap_id: Option<String>,
    follows_public: bool,
    follow_activity_id: String,
    state: String,
    created_at: DateTime<Utc>,
}

impl TryFrom<Row> for RelaySubscription {
    type Error = Error;
    fn try_from(r: Row) -> Result<Self> {
        Ok(RelaySubscription {
            id: r.id,
            url: parse_column("url", &r.url)?,
            inbox: parse_column("inbox", &r.inbox)?,
            actor_ap_id: parse_url_opt("actor_ap_id", r.actor_ap_id)?,
            follows_public: r.follows_public,
            follow_activity_id: parse_column("follow_activity_id", &r.follow_activity_id)?,
            state: parse_column("state", &r.state)?,
            created_at: r.created_at,
        })
    }
}

/// Records a subscription (or renews one of the same URL with a new `Follow`, pending again).
pub async fn upsert(c: &mut Conn<'_>, s: &RelaySubscription) -> Result<RelaySubscription> {
    let sql = format!(
        "INSERT INTO relay_subscriptions (url, inbox, actor_ap_id, follows_public, follow_activity_id, state, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (url) DO UPDATE SET inbox = excluded.inbox, actor_ap_id = excluded.actor_ap_id, \
         follows_public = excluded.follows_public, follow_activity_id = excluded.follow_activity_id, \
         state = excluded.state RETURNING {COLUMNS}"
    );
    let row: Row = on_conn!(c, c => sqlx::query_as(&sql)
        .bind(s.url.as_str())
        .bind(s.inbox.as_str())
        .bind(s.actor_ap_id.as_ref().map(|u| u.as_str()))
        .bind(s.follows_public)
        .bind(s.follow_activity_id.as_str())
        .bind(s.state.as_str())
        .bind(s.created_at)
        .fetch_one(&mut **c)
        .await)?;
    row.try_into()
}

/// Every subscription, oldest first.
pub async fn list(c: &mut Conn<'_>) -> Result<Vec<RelaySubscription>> {
    let sql = format!("SELECT {COLUMNS} FROM relay_subscriptions ORDER BY id");
    let rows: Vec<Row> = on_conn!(c, c => sqlx::query_as(&sql).fetch_all(&mut **c).await)?;
    rows.into_iter().map(TryInto::try_into).collect()
}

/// The subscription of a URL as the administrator gave it.
pub async fn find_by_url(c: &mut Conn<'_>, url: &str) -> Result<Option<RelaySubscription>> {
    let sql = format!("SELECT {COLUMNS} FROM relay_subscriptions WHERE url = $1");
    let row: Option<Row> =
        on_conn!(c, c => sqlx::query_as(&sql).bind(url).fetch_optional(&mut **c).await)?;
    row.map(TryInto::try_into).transpose()
}

/// The subscription our `Follow` with this id made.
pub async fn find_by_follow(
    c: &mut Conn<'_>,
    follow_activity_id: &str,
) -> Result<Option<RelaySubscription>> {
    let sql = format!("SELECT {COLUMNS} FROM relay_subscriptions WHERE follow_activity_id = $1");
    let row: Option<Row> = on_conn!(c, c => sqlx::query_as(&sql)
        .bind(follow_activity_id)
        .fetch_optional(&mut **c)
        .await)?;
    row.map(TryInto::try_into).transpose()
}

/// Whether `actor_ap_id` is a relay or instance we follow and that accepted.
pub async fn is_accepted_actor(c: &mut Conn<'_>, actor_ap_id: &str) -> Result<bool> {
    let n: i64 = on_conn!(c, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM relay_subscriptions WHERE actor_ap_id = $1 AND state = 'accepted'")
        .bind(actor_ap_id)
        .fetch_one(&mut **c)
        .await)?;
    Ok(n > 0)
}

/// Records an answer: the state, and the actor that answered (a Mastodon-style relay's actor is
/// learnt from its `Accept`).
pub async fn answer(
    c: &mut Conn<'_>,
    id: i64,
    state: FollowState,
    actor_ap_id: &str,
) -> Result<()> {
    on_conn!(c, c => sqlx::query("UPDATE relay_subscriptions SET state = $2, actor_ap_id = $3 WHERE id = $1")
        .bind(id)
        .bind(state.as_str())
        .bind(actor_ap_id)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Removes a subscription; returns whether there was one.
pub async fn delete(c: &mut Conn<'_>, id: i64) -> Result<bool> {
    let n = on_conn!(c, c => sqlx::query("DELETE FROM relay_subscriptions WHERE id = $1")
        .bind(id)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n > 0)
}
