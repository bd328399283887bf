//! Follow relations: who follows local actors (`followers`), and whom local accounts follow (`following`).

use chrono::{DateTime, Utc};

use super::{Conn, on_conn, parse_column, parse_url_opt};
use crate::error::{Error, Result};
use crate::model::{FollowState, Follower, Following};

const FOLLOWER_COLUMNS: &str =
    "id, target_ap_id, follower_ap_id, inbox, shared_inbox, follow_activity_id, state, created_at";

#[derive(sqlx::FromRow)]
struct FollowerRow {
    id: i64,
    target_ap_id: String,
    follower_ap_id: String,
    inbox: String,
    shared_inbox: Option<String>,
    follow_activity_id: String,
    state: String,
    created_at: DateTime<Utc>,
}

impl TryFrom<FollowerRow> for Follower {
    type Error = Error;
    fn try_from(r: FollowerRow) -> Result<Self> {
        Ok(Follower {
            id: r.id,
            target_ap_id: parse_column("target_ap_id", &r.target_ap_id)?,
            follower_ap_id: parse_column("follower_ap_id", &r.follower_ap_id)?,
            inbox: parse_column("inbox", &r.inbox)?,
            shared_inbox: parse_url_opt("shared_inbox", r.shared_inbox)?,
            follow_activity_id: parse_column("follow_activity_id", &r.follow_activity_id)?,
            state: parse_column("state", &r.state)?,
            created_at: r.created_at,
        })
    }
}

/// Records a follow request of a local actor. A repeated `Follow` from the same actor replaces the
/// earlier one's activity id and state (remote servers re-send follows they believe lost).
pub async fn upsert_follower(c: &mut Conn<'_>, f: &Follower) -> Result<Follower> {
    let sql = format!(
        "INSERT INTO followers (target_ap_id, follower_ap_id, inbox, shared_inbox, follow_activity_id, state, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (target_ap_id, follower_ap_id) DO UPDATE SET inbox = excluded.inbox, \
         shared_inbox = excluded.shared_inbox, follow_activity_id = excluded.follow_activity_id, \
         state = CASE WHEN followers.state = 'accepted' THEN followers.state ELSE excluded.state END \
         RETURNING {FOLLOWER_COLUMNS}"
    );
    let row: FollowerRow = on_conn!(c, c => sqlx::query_as(&sql)
        .bind(f.target_ap_id.as_str())
        .bind(f.follower_ap_id.as_str())
        .bind(f.inbox.as_str())
        .bind(f.shared_inbox.as_ref().map(|u| u.as_str()))
        .bind(f.follow_activity_id.as_str())
        .bind(f.state.as_str())
        .bind(f.created_at)
        .fetch_one(&mut **c)
        .await)?;
    row.try_into()
}

/// A follower row by database id, limited to one target.
pub async fn find_follower(
    c: &mut Conn<'_>,
    target_ap_id: &str,
    id: i64,
) -> Result<Option<Follower>> {
    let sql =
        format!("SELECT {FOLLOWER_COLUMNS} FROM followers WHERE target_ap_id = $1 AND id = $2");
    let row: Option<FollowerRow> = on_conn!(c, c => sqlx::query_as(&sql).bind(target_ap_id).bind(id).fetch_optional(&mut **c).await)?;
    row.map(TryInto::try_into).transpose()
}

/// Sets a follower's state.
pub async fn set_follower_state(c: &mut Conn<'_>, id: i64, state: FollowState) -> Result<()> {
    on_conn!(c, c => sqlx::query("UPDATE followers SET state = $2 WHERE id = $1")
        .bind(id)
        .bind(state.as_str())
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Removes a follower; returns whether there was one.
pub async fn delete_follower(
    c: &mut Conn<'_>,
    target_ap_id: &str,
    follower_ap_id: &str,
) -> Result<bool> {
    let n = on_conn!(c, c => sqlx::query("DELETE FROM followers WHERE target_ap_id = $1 AND follower_ap_id = $2")
        .bind(target_ap_id)
        .bind(follower_ap_id)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// The follower row created by the `Follow` with this id.
pub async fn find_follower_by_activity(
    c: &mut Conn<'_>,
    follow_activity_id: &str,
) -> Result<Option<Follower>> {
    let sql = format!("SELECT {FOLLOWER_COLUMNS} FROM followers WHERE follow_activity_id = $1");
    let row: Option<FollowerRow> = on_conn!(c, c => sqlx::query_as(&sql).bind(follow_activity_id).fetch_optional(&mut **c).await)?;
    row.map(TryInto::try_into).transpose()
}

/// Followers of a local actor in one state, oldest first, a page at a time.
pub async fn followers(
    c: &mut Conn<'_>,
    target_ap_id: &str,
    state: FollowState,
    limit: i64,
    offset: i64,
) -> Result<Vec<Follower>> {
    let sql = format!(
        "SELECT {FOLLOWER_COLUMNS} FROM followers WHERE target_ap_id = $1 AND state = $2 ORDER BY id LIMIT $3 OFFSET $4"
    );
    let rows: Vec<FollowerRow> = on_conn!(c, c => sqlx::query_as(&sql)
        .bind(target_ap_id)
        .bind(state.as_str())
        .bind(limit)
        .bind(offset)
        .fetch_all(&mut **c)
        .await)?;
    rows.into_iter().map(TryInto::try_into).collect()
}

/// How many followers of a local actor are in one state.
pub async fn count_followers(
    c: &mut Conn<'_>,
    target_ap_id: &str,
    state: FollowState,
) -> Result<i64> {
    let n: i64 = on_conn!(c, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM followers WHERE target_ap_id = $1 AND state = $2")
        .bind(target_ap_id)
        .bind(state.as_str())
        .fetch_one(&mut **c)
        .await)?;
    Ok(n)
}

/// Whether `follower_ap_id` is an accepted follower of `target_ap_id`, or, when `vouching_origin`
/// (`https://host/`) is given, whether any accepted follower lives at that origin.
pub async fn is_accepted_follower(
    c: &mut Conn<'_>,
    target_ap_id: &str,
    follower_ap_id: &str,
    vouching_origin: Option<&str>,
) -> Result<bool> {
    let n: i64 = on_conn!(c, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM followers WHERE target_ap_id = $1 AND state = 'accepted' \
         AND (follower_ap_id = $2 OR substr(follower_ap_id, 1, length($3)) = $3)")
        .bind(target_ap_id)
        .bind(follower_ap_id)
        // An empty origin would match every follower: none is given as a space, which no id starts with.
        .bind(vouching_origin.filter(|o| !o.is_empty()).unwrap_or(" "))
        .fetch_one(&mut **c)
        .await)?;
    Ok(n > 0)
}

/// The distinct inboxes (shared when known) of a local actor's accepted followers.
pub async fn follower_inboxes(c: &mut Conn<'_>, target_ap_id: &str) -> Result<Vec<String>> {
    let rows: Vec<String> = on_conn!(c, c => sqlx::query_scalar(
        "SELECT DISTINCT COALESCE(shared_inbox, inbox) FROM followers WHERE target_ap_id = $1 AND state = 'accepted'")
        .bind(target_ap_id)
        .fetch_all(&mut **c)
        .await)?;
    Ok(rows)
}

const FOLLOWING_COLUMNS: &str =
    "id, account_id, target_ap_id, follow_activity_id, state, created_at";

#[derive(sqlx::FromRow)]
struct FollowingRow {
    id: i64,
    account_id: i64,
    target_ap_id: String,
    follow_activity_id: String,
    state: String,
    created_at: DateTime<Utc>,
}

impl TryFrom<FollowingRow> for Following {
    type Error = Error;
    fn try_from(r: FollowingRow) -> Result<Self> {
        Ok(Following {
            id: r.id,
            account_id: r.account_id,
            target_ap_id: parse_column("target_ap_id", &r.target_ap_id)?,
            follow_activity_id: parse_column("follow_activity_id", &r.follow_activity_id)?,
            state: parse_column("state", &r.state)?,
            created_at: r.created_at,
        })
    }
}

/// Records (or renews) a follow sent by a local account.
pub async fn upsert_following(c: &mut Conn<'_>, f: &Following) -> Result<Following> {
    let sql = format!(
        "INSERT INTO following (account_id, target_ap_id, follow_activity_id, state, created_at) \
         VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (account_id, target_ap_id) DO UPDATE SET follow_activity_id = excluded.follow_activity_id, \
         state = excluded.state RETURNING {FOLLOWING_COLUMNS}"
    );
    let row: FollowingRow = on_conn!(c, c => sqlx::query_as(&sql)
        .bind(f.account_id)
        .bind(f.target_ap_id.as_str())
        .bind(f.follow_activity_id.as_str())
        .bind(f.state.as_str())
        .bind(f.created_at)
        .fetch_one(&mut **c)
        .await)?;
    row.try_into()
}

/// The follow a local account sent, by the `Follow` activity id.
pub async fn find_following_by_activity(
    c: &mut Conn<'_>,
    follow_activity_id: &str,
) -> Result<Option<Following>> {
    let sql = format!("SELECT {FOLLOWING_COLUMNS} FROM following WHERE follow_activity_id = $1");
    let row: Option<FollowingRow> = on_conn!(c, c => sqlx::query_as(&sql).bind(follow_activity_id).fetch_optional(&mut **c).await)?;
    row.map(TryInto::try_into).transpose()
}

/// The follow from a local account to a target, if any.
pub async fn find_following(
    c: &mut Conn<'_>,
    account_id: i64,
    target_ap_id: &str,
) -> Result<Option<Following>> {
    let sql = format!(
        "SELECT {FOLLOWING_COLUMNS} FROM following WHERE account_id = $1 AND target_ap_id = $2"
    );
    let row: Option<FollowingRow> = on_conn!(c, c => sqlx::query_as(&sql)
        .bind(account_id)
        .bind(target_ap_id)
        .fetch_optional(&mut **c)
        .await)?;
    row.map(TryInto::try_into).transpose()
}

/// Everything a local account follows, newest first.
pub async fn following_of(c: &mut Conn<'_>, account_id: i64) -> Result<Vec<Following>> {
    let sql =
        format!("SELECT {FOLLOWING_COLUMNS} FROM following WHERE account_id = $1 ORDER BY id DESC");
    let rows: Vec<FollowingRow> =
        on_conn!(c, c => sqlx::query_as(&sql).bind(account_id).fetch_all(&mut **c).await)?;
    rows.into_iter().map(TryInto::try_into).collect()
}

/// Sets the state of a follow sent by a local account.
pub async fn set_following_state(c: &mut Conn<'_>, id: i64, state: FollowState) -> Result<()> {
    on_conn!(c, c => sqlx::query("UPDATE following SET state = $2 WHERE id = $1")
        .bind(id)
        .bind(state.as_str())
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Removes a follow sent by a local account.
pub async fn delete_following(c: &mut Conn<'_>, id: i64) -> Result<()> {
    on_conn!(c, c => sqlx::query("DELETE FROM following WHERE id = $1")
        .bind(id)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Removes every follow relation of a remote actor (it was deleted at its origin).
pub async fn delete_all_of(c: &mut Conn<'_>, follower_ap_id: &str) -> Result<u64> {
    let n = on_conn!(c, c => sqlx::query("DELETE FROM followers WHERE follower_ap_id = $1")
        .bind(follower_ap_id)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n)
}

/// Whether any local account follows `target_ap_id` (accepted).
pub async fn is_followed_locally(c: &mut Conn<'_>, target_ap_id: &str) -> Result<bool> {
    let n: i64 = on_conn!(c, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM following WHERE target_ap_id = $1 AND state = 'accepted'")
        .bind(target_ap_id)
        .fetch_one(&mut **c)
        .await)?;
    Ok(n > 0)
}
