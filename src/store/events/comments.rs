//! Replies to events.

use chrono::{DateTime, Utc};

use crate::error::Result;
use crate::model::{Comment, Event};
use crate::store::{Conn, on_conn, parse_column};

/// Stores a reply (ignoring a repeated one); a `held` one is shown nowhere until approved.
pub async fn insert_comment(
    c: &mut Conn<'_>,
    event_id: i64,
    comment: &Comment,
    held: bool,
) -> Result<()> {
    on_conn!(c, c => sqlx::query(
        "INSERT INTO comments (event_id, ap_id, author_ap_id, content_html, published_at, held) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (ap_id) DO NOTHING")
        .bind(event_id)
        .bind(comment.ap_id.as_str())
        .bind(comment.author_ap_id.as_str())
        .bind(&comment.content_html)
        .bind(comment.published_at)
        .bind(held)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct CommentRow {
    id: i64,
    ap_id: String,
    author_ap_id: String,
    content_html: String,
    published_at: DateTime<Utc>,
}

/// Replies to an event, oldest first (not those held for a manager).
pub async fn comments(c: &mut Conn<'_>, event_id: i64) -> Result<Vec<Comment>> {
    let rows: Vec<CommentRow> = on_conn!(c, c => sqlx::query_as(
        "SELECT id, ap_id, author_ap_id, content_html, published_at FROM comments WHERE event_id = $1 AND held = false \
         ORDER BY published_at, id")
        .bind(event_id)
        .fetch_all(&mut **c)
        .await)?;
    rows.into_iter()
        .map(|r| {
            Ok(Comment {
                id: r.id,
                ap_id: parse_column("ap_id", &r.ap_id)?,
                author_ap_id: parse_column("author_ap_id", &r.author_ap_id)?,
                content_html: r.content_html,
                published_at: r.published_at,
            })
        })
        .collect()
}

/// Removes a reply by id; returns the removed one.
pub async fn delete_comment(c: &mut Conn<'_>, event_id: i64, id: i64) -> Result<Option<Comment>> {
    let found = comments(c, event_id)
        .await?
        .into_iter()
        .find(|x| x.id == id);
    if found.is_some() {
        on_conn!(c, c => sqlx::query("DELETE FROM comments WHERE id = $1").bind(id).execute(&mut **c).await
            .map(|r| r.rows_affected()))?;
    }
    Ok(found)
}

/// Removes a reply by its ActivityPub id, when its author asks.
pub async fn delete_comment_by_ap_id(
    c: &mut Conn<'_>,
    ap_id: &str,
    author_ap_id: &str,
) -> Result<bool> {
    let n = on_conn!(c, c => sqlx::query("DELETE FROM comments WHERE ap_id = $1 AND author_ap_id = $2")
        .bind(ap_id)
        .bind(author_ap_id)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// The event a stored reply comments on, by the reply's ActivityPub id.
pub async fn event_of_comment(c: &mut Conn<'_>, comment_ap_id: &str) -> Result<Option<Event>> {
    let event_ap_id: Option<String> = on_conn!(c, c => sqlx::query_scalar(
        "SELECT e.ap_id FROM comments c JOIN events e ON e.id = c.event_id WHERE c.ap_id = $1")
        .bind(comment_ap_id)
        .fetch_optional(&mut **c)
        .await)?;
    match event_ap_id {
        Some(ap_id) => super::find_by_ap_id(c, &ap_id).await,
        None => Ok(None),
    }
}

/// The author of a stored reply, by the reply's id.
pub async fn comment_author(c: &mut Conn<'_>, ap_id: &str) -> Result<Option<String>> {
    let author: Option<String> = on_conn!(c, c => sqlx::query_scalar(
        "SELECT author_ap_id FROM comments WHERE ap_id = $1")
        .bind(ap_id)
        .fetch_optional(&mut **c)
        .await)?;
    Ok(author)
}
