//! Calendars a community imports from elsewhere (issue 17).

use chrono::{DateTime, Utc};
use url::Url;

/// An external calendar a community subscribes to by URL, or the calendar files uploaded to it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CalendarSubscription {
    /// Database id.
    #[serde(skip)]
    pub id: i64,
    /// The id used in API paths.
    #[serde(rename = "id")]
    pub public_id: String,
    /// The community it publishes to.
    #[serde(skip)]
    pub community_id: i64,
    /// The manager who added it (imported events are published as theirs).
    #[serde(skip)]
    pub account_id: i64,
    /// Where it is fetched from; `None` for uploaded files.
    pub url: Option<Url>,
    /// The `ETag` of the last answer, sent back as `If-None-Match`.
    #[serde(skip)]
    pub etag: Option<String>,
    /// The `Last-Modified` of the last answer, sent back as `If-Modified-Since`.
    #[serde(skip)]
    pub last_modified: Option<String>,
    /// When it was last synced.
    pub last_synced_at: Option<DateTime<Utc>>,
    /// What the last sync did.
    pub last_result: Option<SyncReport>,
    /// When it was added.
    pub created_at: DateTime<Utc>,
}

/// What one sync of a calendar did.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SyncReport {
    /// Events and series published.
    pub added: u32,
    /// Events and series updated.
    pub changed: u32,
    /// Events cancelled and series ended (removed from the calendar or marked cancelled there).
    pub cancelled: u32,
    /// Entries as they were.
    pub unchanged: u32,
    /// Entries that are over already (not published).
    pub past: u32,
    /// The calendar had not changed since the last sync (`304 Not Modified`).
    pub not_modified: bool,
    /// What went wrong or was left out, each naming its line where it has one.
    pub errors: Vec<String>,
}
