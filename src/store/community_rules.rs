//! A community's rules and its holding of first-time replies (issue 19), and the replies held.

use chrono::{DateTime, Utc};

use super::{Conn, on_conn};
use crate::error::Result;

/// A community's moderation settings.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
pub struct CommunityRules {
    /// The rules as written (Markdown); empty for none.
    pub rules: String,
    /// The rules as shown (sanitized HTML).
    #[serde(skip)]
    pub rules_html: String,
    /// Whether the replies of someone with none accepted in the community before wait for a manager.
    pub hold_first_comments: bool,
}

/// A community's settings (the defaults when it never set any).
pub async fn get(c: &mut Conn<'_>, community_id: i64) -> Result<CommunityRules> {
    let row: Option<CommunityRules> = on_conn!(c, c => sqlx::query_as(
        "SELECT rules_source AS rules, rules_html, hold_first_comments FROM community_moderation WHERE community_id = $1")
        .bind(community_id)
        .fetch_optional(&mut **c)
        .await)?;
    Ok(row.unwrap_or_default())
}

/// Stores a community's settings.
pub async fn set(
    c: &mut Conn<'_>,
    community_id: i64,
    rules: &CommunityRules,
    at: DateTime<Utc>,
) -> Result<()> {
    on_conn!(c, c => sqlx::query(
        "INSERT INTO community_moderation (community_id, rules_source, rules_html, hold_first_comments, updated_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (community_id) DO UPDATE SET rules_source = excluded.rules_source, \
         rules_html = excluded.rules_html, hold_first_comments = excluded.hold_first_comments, updated_at = excluded.updated_at")
        .bind(community_id)
        .bind(&rules.rules)
        .bind(&rules.rules_html)
        .bind(rules.hold_first_comments)
        .bind(at)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Whether `author` has a reply accepted (not held) on any event of the community.
pub async fn has_accepted_comment(
    c: &mut Conn<'_>,
    community_id: i64,
    author: &str,
) -> Result<bool> {
    let found: Option<i64> = on_conn!(c, c => sqlx::query_scalar(
        "SELECT c.id FROM comments c JOIN events e ON e.id = c.event_id \
         WHERE e.community_id = $1 AND c.author_ap_id = $2 AND c.held = false LIMIT 1")
        .bind(community_id)
        .bind(author)
        .fetch_optional(&mut **c)
        .await)?;
    Ok(found.is_some())
}

/// A reply waiting for a manager.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
pub struct HeldComment {
    /// Database id (in API paths).
    pub id: i64,
    /// The event's API id.
    pub event: String,
    /// The event's title.
    pub event_title: String,
    /// The reply's id.
    pub ap_id: String,
    /// Its author.
    pub author: String,
    /// Sanitized HTML.
    pub content_html: String,
    /// When it was written.
    pub published_at: DateTime<Utc>,
}

/// The replies held in a community, oldest first.
pub async fn held(c: &mut Conn<'_>, community_id: i64) -> Result<Vec<HeldComment>> {
    let rows: Vec<HeldComment> = on_conn!(c, c => sqlx::query_as(
        "SELECT c.id, e.public_id AS event, e.title AS event_title, c.ap_id, c.author_ap_id AS author, \
         c.content_html, c.published_at FROM comments c JOIN events e ON e.id = c.event_id \
         WHERE e.community_id = $1 AND c.held = true ORDER BY c.published_at, c.id LIMIT 500")
        .bind(community_id)
        .fetch_all(&mut **c)
        .await)?;
    Ok(rows)
}

/// Lets a held reply of the community be shown; whether there was one.
pub async fn approve(c: &mut Conn<'_>, community_id: i64, id: i64) -> Result<bool> {
    let n = on_conn!(c, c => sqlx::query(
        "UPDATE comments SET held = false WHERE id = $1 AND held = true \
         AND event_id IN (SELECT id FROM events WHERE community_id = $2)")
        .bind(id)
        .bind(community_id)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// Drops a held reply of the community; whether there was one.
pub async fn reject(c: &mut Conn<'_>, community_id: i64, id: i64) -> Result<bool> {
    let n = on_conn!(c, c => sqlx::query(
        "DELETE FROM comments WHERE id = $1 AND held = true \
         AND event_id IN (SELECT id FROM events WHERE community_id = $2)")
        .bind(id)
        .bind(community_id)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n > 0)
}
