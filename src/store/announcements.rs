//! Announcements of local communities and cached ones of followed communities.

use chrono::{DateTime, Utc};

use super::events::FOLLOWED;
use super::{Conn, on_conn, parse_column, parse_url_opt};
use crate::error::{Error, Result};
use crate::model::Announcement;

const COLUMNS: &str = "id, public_id, ap_id, author_ap_id, community_id, title, content_source, content_html, \
                       image_url, tags, language, pinned, visibility, published_at, updated_at";

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    public_id: String,
    ap_id: String,
    author_ap_id: String,
    community_id: Option<i64>,
    title: Option<String>,
    content_source: Option<String>,
    content_html: String,
    image_url: Option<String>,
    tags: String,
    language: Option<String>,
    pinned: bool,
    visibility: String,
    published_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl TryFrom<Row> for Announcement {
    type Error = Error;
    fn try_from(r: Row) -> Result<Self> {
        Ok(Announcement {
            id: r.id,
            public_id: r.public_id,
            ap_id: parse_column("ap_id", &r.ap_id)?,
            author_ap_id: parse_column("author_ap_id", &r.author_ap_id)?,
            local: r.community_id.is_some(),
            community_id: r.community_id,
            title: r.title,
            content_source: r.content_source,
            content_html: r.content_html,
            image_url: parse_url_opt("image_url", r.image_url)?,
            tags: serde_json::from_str(&r.tags)
                .map_err(|e| Error::Internal(format!("stored tags: {e}")))?,
            language: r.language,
            pinned: r.pinned,
            visibility: parse_column("visibility", &r.visibility)?,
            published_at: r.published_at,
            updated_at: r.updated_at,
        })
    }
}

/// Inserts an announcement, or replaces the fields of one with the same `ap_id`.
pub async fn upsert(c: &mut Conn<'_>, a: &Announcement) -> Result<Announcement> {
    let sql = format!(
        "INSERT INTO announcements (public_id, ap_id, author_ap_id, community_id, title, content_source, content_html, \
         image_url, tags, language, pinned, published_at, updated_at, visibility) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) \
         ON CONFLICT (ap_id) DO UPDATE SET title = excluded.title, content_source = excluded.content_source, \
         content_html = excluded.content_html, image_url = excluded.image_url, tags = excluded.tags, \
         language = excluded.language, pinned = excluded.pinned, updated_at = excluded.updated_at RETURNING {COLUMNS}"
    );
    let row: Row = on_conn!(c, c => sqlx::query_as(&sql)
        .bind(&a.public_id)
        .bind(a.ap_id.as_str())
        .bind(a.author_ap_id.as_str())
        .bind(a.community_id)
        .bind(&a.title)
        .bind(&a.content_source)
        .bind(&a.content_html)
        .bind(a.image_url.as_ref().map(|u| u.to_string()))
        .bind(serde_json::Value::from(a.tags.clone()).to_string())
        .bind(&a.language)
        .bind(a.pinned)
        .bind(a.published_at)
        .bind(a.updated_at)
        .bind(a.visibility.as_str())
        .fetch_one(&mut **c)
        .await)?;
    row.try_into()
}

/// One announcement by API id or by ActivityPub id.
pub async fn find(c: &mut Conn<'_>, public_or_ap_id: &str) -> Result<Option<Announcement>> {
    let sql = format!("SELECT {COLUMNS} FROM announcements WHERE public_id = $1 OR ap_id = $1");
    let row: Option<Row> = on_conn!(c, c => sqlx::query_as(&sql).bind(public_or_ap_id).fetch_optional(&mut **c).await)?;
    row.map(TryInto::try_into).transpose()
}

/// A community's announcements: pinned first, then newest first; its members-only ones too when
/// `members_too`.
pub async fn by_author(
    c: &mut Conn<'_>,
    author_ap_id: &str,
    members_too: bool,
    limit: i64,
    offset: i64,
) -> Result<Vec<Announcement>> {
    let visible = if members_too {
        ""
    } else {
        "AND visibility = 'public'"
    };
    let sql = format!(
        "SELECT {COLUMNS} FROM announcements WHERE author_ap_id = $1 {visible} \
         ORDER BY pinned DESC, published_at DESC, id DESC LIMIT $2 OFFSET $3"
    );
    let rows: Vec<Row> = on_conn!(c, c => sqlx::query_as(&sql)
        .bind(author_ap_id)
        .bind(limit)
        .bind(offset)
        .fetch_all(&mut **c)
        .await)?;
    rows.into_iter().map(TryInto::try_into).collect()
}

/// Announcements of the communities an account follows, newest first.
pub async fn timeline(
    c: &mut Conn<'_>,
    account_id: i64,
    before: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<Announcement>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM announcements WHERE (author_ap_id IN {FOLLOWED} \
         OR ap_id IN (SELECT r.object_ap_id FROM relayed_objects r WHERE r.via_ap_id IN {FOLLOWED})) \
         AND published_at < $2 ORDER BY published_at DESC, id DESC LIMIT $3"
    );
    let rows: Vec<Row> = on_conn!(c, c => sqlx::query_as(&sql).bind(account_id).bind(before).bind(limit).fetch_all(&mut **c).await)?;
    rows.into_iter().map(TryInto::try_into).collect()
}

/// Deletes an announcement.
pub async fn delete(c: &mut Conn<'_>, id: i64) -> Result<()> {
    on_conn!(c, c => sqlx::query("DELETE FROM announcements WHERE id = $1").bind(id).execute(&mut **c).await
        .map(|r| r.rows_affected()))?;
    Ok(())
}
