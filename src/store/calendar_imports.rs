//! External calendars of communities and what each of their entries became (issue 17).

use chrono::{DateTime, Utc};

use super::{Conn, on_conn, parse_url_opt};
use crate::error::{Error, Result};
use crate::model::{CalendarSubscription, SyncReport};

const COLUMNS: &str = "id, public_id, community_id, account_id, url, etag, last_modified, last_synced_at, \
    last_result, created_at";

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    public_id: String,
    community_id: i64,
    account_id: i64,
    url: Option<String>,
    etag: Option<String>,
    last_modified: Option<String>,
    last_synced_at: Option<DateTime<Utc>>,
    last_result: Option<String>,
    created_at: DateTime<Utc>,
}

impl TryFrom<Row> for CalendarSubscription {
    type Error = Error;
    fn try_from(r: Row) -> Result<Self> {
        Ok(CalendarSubscription {
            id: r.id,
            public_id: r.public_id,
            community_id: r.community_id,
            account_id: r.account_id,
            url: parse_url_opt("url", r.url)?,
            etag: r.etag,
            last_modified: r.last_modified,
            last_synced_at: r.last_synced_at,
            last_result: r
                .last_result
                .map(|t| serde_json::from_str(&t))
                .transpose()
                .map_err(|e| Error::Internal(format!("stored sync result: {e}")))?,
            created_at: r.created_at,
        })
    }
}

/// Adds a subscription (`url` `None`: the community's uploaded files).
pub async fn insert(
    c: &mut Conn<'_>,
    public_id: &str,
    community_id: i64,
    account_id: i64,
    url: Option<&str>,
    at: DateTime<Utc>,
) -> Result<CalendarSubscription> {
    let sql = format!(
        "INSERT INTO calendar_subscriptions (public_id, community_id, account_id, url, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING {COLUMNS}"
    );
    let row: Row = on_conn!(c, c => sqlx::query_as(&sql)
        .bind(public_id)
        .bind(community_id)
        .bind(account_id)
        .bind(url)
        .bind(at)
        .fetch_one(&mut **c)
        .await)?;
    row.try_into()
}

/// A community's subscriptions, oldest first.
pub async fn of_community(
    c: &mut Conn<'_>,
    community_id: i64,
) -> Result<Vec<CalendarSubscription>> {
    let sql =
        format!("SELECT {COLUMNS} FROM calendar_subscriptions WHERE community_id = $1 ORDER BY id");
    let rows: Vec<Row> =
        on_conn!(c, c => sqlx::query_as(&sql).bind(community_id).fetch_all(&mut **c).await)?;
    rows.into_iter().map(TryInto::try_into).collect()
}

/// A subscription by its API id.
pub async fn find(c: &mut Conn<'_>, public_id: &str) -> Result<Option<CalendarSubscription>> {
    let sql = format!("SELECT {COLUMNS} FROM calendar_subscriptions WHERE public_id = $1");
    let row: Option<Row> =
        on_conn!(c, c => sqlx::query_as(&sql).bind(public_id).fetch_optional(&mut **c).await)?;
    row.map(TryInto::try_into).transpose()
}

/// Subscriptions by URL last synced before `before` (or never).
pub async fn due(
    c: &mut Conn<'_>,
    before: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<CalendarSubscription>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM calendar_subscriptions WHERE url IS NOT NULL \
         AND (last_synced_at IS NULL OR last_synced_at < $1) ORDER BY last_synced_at LIMIT $2"
    );
    let rows: Vec<Row> = on_conn!(c, c => sqlx::query_as(&sql)
        .bind(before)
        .bind(limit)
        .fetch_all(&mut **c)
        .await)?;
    rows.into_iter().map(TryInto::try_into).collect()
}

/// Records a sync: its validators (kept when the answer gave none) and what it did.
pub async fn record_sync(
    c: &mut Conn<'_>,
    id: i64,
    etag: Option<&str>,
    last_modified: Option<&str>,
    at: DateTime<Utc>,
    result: &SyncReport,
) -> Result<()> {
    let result = serde_json::to_string(result).map_err(|e| Error::Internal(e.to_string()))?;
    on_conn!(c, c => sqlx::query(
        "UPDATE calendar_subscriptions SET etag = COALESCE($2, etag), \
         last_modified = COALESCE($3, last_modified), last_synced_at = $4, last_result = $5 WHERE id = $1")
        .bind(id)
        .bind(etag)
        .bind(last_modified)
        .bind(at)
        .bind(result)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Removes a subscription and its bookkeeping (the events it published stay).
pub async fn delete(c: &mut Conn<'_>, id: i64) -> Result<()> {
    on_conn!(c, c => sqlx::query("DELETE FROM calendar_subscriptions WHERE id = $1")
        .bind(id)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// What one entry of a calendar became.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Imported {
    /// The entry's `UID`.
    pub uid: String,
    /// `''`, or the `RECURRENCE-ID` of a changed date (RFC 3339, UTC).
    pub recurrence_key: String,
    /// The event it became.
    pub event_public_id: Option<String>,
    /// The series it became.
    pub series_public_id: Option<String>,
    /// What the entry was, to tell a change.
    pub fingerprint: String,
    /// Whether what it became is cancelled (or ended).
    pub cancelled: bool,
}

/// Every entry of a subscription as last synced.
pub async fn imported(c: &mut Conn<'_>, subscription_id: i64) -> Result<Vec<Imported>> {
    let rows: Vec<Imported> = on_conn!(c, c => sqlx::query_as(
        "SELECT uid, recurrence_key, event_public_id, series_public_id, fingerprint, cancelled \
         FROM imported_events WHERE subscription_id = $1")
        .bind(subscription_id)
        .fetch_all(&mut **c)
        .await)?;
    Ok(rows)
}

/// Records what an entry became.
pub async fn record_imported(c: &mut Conn<'_>, subscription_id: i64, i: &Imported) -> Result<()> {
    on_conn!(c, c => sqlx::query(
        "INSERT INTO imported_events (subscription_id, uid, recurrence_key, event_public_id, series_public_id, \
         fingerprint, cancelled) VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (subscription_id, uid, recurrence_key) DO UPDATE SET event_public_id = excluded.event_public_id, \
         series_public_id = excluded.series_public_id, fingerprint = excluded.fingerprint, cancelled = excluded.cancelled")
        .bind(subscription_id)
        .bind(&i.uid)
        .bind(&i.recurrence_key)
        .bind(&i.event_public_id)
        .bind(&i.series_public_id)
        .bind(&i.fingerprint)
        .bind(i.cancelled)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}
