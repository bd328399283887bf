//! Events, their participants and their comments.

use chrono::{DateTime, Utc};

use super::{Conn, on_conn, parse_column, parse_url_opt};
use crate::error::{Error, Result};
use crate::model::{Event, EventPlace, SeriesLink};

mod comments;
mod one_row;
mod participations;
mod relayed;
pub mod updates_due;

pub use comments::{
    comment_author, comments, delete_comment, delete_comment_by_ap_id, event_of_comment,
    insert_comment,
};
pub use participations::{
    delete_participation, first_waitlisted, lock_and_count_accepted, participation,
    participation_by_join, participation_of, participations, set_participation_state,
    upsert_participation,
};
pub use relayed::{relayed, relayed_via};

const COLUMNS: &str = "e.id, e.public_id, e.ap_id, e.url, e.organizer_ap_id, e.community_id, e.title, \
    e.description_source, e.description_html, e.starts_at, e.ends_at, e.timezone, e.status, e.place, e.online_url, \
    e.capacity, e.join_mode, e.external_url, e.tags, e.category, e.banner_url, e.language, e.comments_enabled, e.guest_participation, \
    e.visibility, e.sequence, e.published_at, e.updated_at, \
    CASE WHEN e.community_id IS NULL THEN e.remote_participant_count ELSE \
      (SELECT COUNT(*) FROM participations p WHERE p.event_id = e.id AND p.state = 'accepted') END AS participant_count, \
    e.recurrence_id, e.overridden, \
    (SELECT s.public_id FROM event_series s WHERE s.id = e.series_id) AS series_public_id, \
    (SELECT s.ap_id FROM event_series s WHERE s.id = e.series_id) AS series_ap_id, \
    (SELECT s.recurrence FROM event_series s WHERE s.id = e.series_id) AS series_recurrence";

// Deserialize: long lists come from SQLite as JSON (`one_row`).
#[derive(sqlx::FromRow, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Row {
    id: i64,
    public_id: String,
    ap_id: String,
    url: String,
    organizer_ap_id: String,
    community_id: Option<i64>,
    title: String,
    description_source: Option<String>,
    description_html: String,
    #[serde(deserialize_with = "crate::model::rfc3339::deserialize")]
    starts_at: DateTime<Utc>,
    #[serde(deserialize_with = "crate::model::rfc3339::deserialize")]
    ends_at: DateTime<Utc>,
    timezone: String,
    status: String,
    place: Option<String>,
    online_url: Option<String>,
    capacity: Option<i64>,
    join_mode: String,
    external_url: Option<String>,
    tags: String,
    category: String,
    banner_url: Option<String>,
    language: Option<String>,
    #[serde(deserialize_with = "one_row::sqlite_bool")]
    comments_enabled: bool,
    #[serde(deserialize_with = "one_row::sqlite_bool")]
    guest_participation: bool,
    visibility: String,
    sequence: i64,
    #[serde(deserialize_with = "crate::model::rfc3339::deserialize")]
    published_at: DateTime<Utc>,
    #[serde(deserialize_with = "crate::model::rfc3339::deserialize")]
    updated_at: DateTime<Utc>,
    participant_count: i64,
    recurrence_id: Option<DateTime<Utc>>,
    #[serde(deserialize_with = "one_row::sqlite_bool")]
    overridden: bool,
    series_public_id: Option<String>,
    series_ap_id: Option<String>,
    series_recurrence: Option<String>,
    /// The co-hosts as a JSON array of ids, where the query reads them with the event (one event).
    #[sqlx(default)]
    #[serde(default)]
    cohosts: Option<String>,
}

impl TryFrom<Row> for Event {
    type Error = Error;
    fn try_from(r: Row) -> Result<Self> {
        let place: Option<EventPlace> = r
            .place
            .map(|p| serde_json::from_str(&p))
            .transpose()
            .map_err(|e| Error::Internal(format!("stored place is invalid: {e}")))?;
        let series = match (
            r.series_public_id,
            r.series_ap_id,
            r.series_recurrence,
            r.recurrence_id,
        ) {
            (Some(id), Some(ap_id), Some(recurrence), Some(recurrence_id)) => Some(SeriesLink {
                id,
                ap_id: parse_column("series ap_id", &ap_id)?,
                recurrence,
                recurrence_id,
                overridden: r.overridden,
            }),
            _ => None,
        };
        let cohosts = match r.cohosts {
            Some(ids) => serde_json::from_str::<Vec<String>>(&ids)
                .map_err(|e| Error::Internal(format!("stored co-hosts: {e}")))?
                .iter()
                .map(|i| parse_column("cohost_ap_id", i))
                .collect::<Result<_>>()?,
            None => vec![],
        };
        Ok(Event {
            series,
            id: r.id,
            public_id: r.public_id,
            cohosts,
            ap_id: parse_column("ap_id", &r.ap_id)?,
            url: parse_column("url", &r.url)?,
            organizer_ap_id: parse_column("organizer_ap_id", &r.organizer_ap_id)?,
            local: r.community_id.is_some(),
            community_id: r.community_id,
            title: r.title,
            description_source: r.description_source,
            description_html: r.description_html,
            starts_at: r.starts_at,
            ends_at: r.ends_at,
            timezone: r.timezone,
            status: parse_column("status", &r.status)?,
            place,
            online_url: parse_url_opt("online_url", r.online_url)?,
            capacity: r.capacity,
            join_mode: parse_column("join_mode", &r.join_mode)?,
            external_url: parse_url_opt("external_url", r.external_url)?,
            tags: serde_json::from_str(&r.tags)
                .map_err(|e| Error::Internal(format!("stored tags: {e}")))?,
            category: parse_column("category", &r.category)?,
            banner_url: parse_url_opt("banner_url", r.banner_url)?,
            language: r.language,
            comments_enabled: r.comments_enabled,
            guest_participation: r.guest_participation,
            visibility: parse_column("visibility", &r.visibility)?,
            sequence: r.sequence,
            participant_count: r.participant_count,
            published_at: r.published_at,
            updated_at: r.updated_at,
        })
    }
}

fn place_json(p: &Option<EventPlace>) -> Result<Option<String>> {
    p.as_ref()
        .map(serde_json::to_string)
        .transpose()
        .map_err(|e| Error::Internal(e.to_string()))
}

/// Inserts an event, or (for a remote event already cached, keyed by `ap_id`) replaces its fields.
pub async fn upsert(c: &mut Conn<'_>, e: &Event) -> Result<Event> {
    let place = place_json(&e.place)?;
    let tags = serde_json::Value::from(e.tags.clone()).to_string();
    let opt = |u: &Option<url::Url>| u.as_ref().map(|u| u.to_string());
    let id: i64 = on_conn!(c, c => sqlx::query_scalar(
        "INSERT INTO events (public_id, ap_id, url, organizer_ap_id, community_id, title, description_source, \
         description_html, starts_at, ends_at, timezone, status, place, online_url, capacity, join_mode, external_url, \
         tags, category, banner_url, language, comments_enabled, sequence, remote_participant_count, published_at, updated_at, guest_participation, visibility) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28) \
         ON CONFLICT (ap_id) DO UPDATE SET url = excluded.url, title = excluded.title, \
         description_source = excluded.description_source, description_html = excluded.description_html, \
         starts_at = excluded.starts_at, ends_at = excluded.ends_at, timezone = excluded.timezone, status = excluded.status, \
         place = excluded.place, online_url = excluded.online_url, capacity = excluded.capacity, join_mode = excluded.join_mode, \
         external_url = excluded.external_url, tags = excluded.tags, category = excluded.category, \
         banner_url = excluded.banner_url, language = excluded.language, comments_enabled = excluded.comments_enabled, guest_participation = excluded.guest_participation, \
         sequence = excluded.sequence, remote_participant_count = excluded.remote_participant_count, \
         updated_at = excluded.updated_at RETURNING id")
        .bind(&e.public_id)
        .bind(e.ap_id.as_str())
        .bind(e.url.as_str())
        .bind(e.organizer_ap_id.as_str())
        .bind(e.community_id)
        .bind(&e.title)
        .bind(&e.description_source)
        .bind(&e.description_html)
        .bind(e.starts_at)
        .bind(e.ends_at)
        .bind(&e.timezone)
        .bind(e.status.as_str())
        .bind(&place)
        .bind(opt(&e.online_url))
        .bind(e.capacity)
        .bind(e.join_mode.as_str())
        .bind(opt(&e.external_url))
        .bind(&tags)
        .bind(e.category.as_str())
        .bind(opt(&e.banner_url))
        .bind(&e.language)
        .bind(e.comments_enabled)
        .bind(e.sequence)
        .bind(e.participant_count)
        .bind(e.published_at)
        .bind(e.updated_at)
        .bind(e.guest_participation)
        .bind(e.visibility.as_str())
        .fetch_one(&mut **c)
        .await)?;
    on_conn!(c, c => sqlx::query("DELETE FROM event_cohosts WHERE event_id = $1").bind(id).execute(&mut **c).await
        .map(|r| r.rows_affected()))?;
    for cohost in &e.cohosts {
        on_conn!(c, c => sqlx::query(
            "INSERT INTO event_cohosts (event_id, cohost_ap_id) VALUES ($1, $2) ON CONFLICT (event_id, cohost_ap_id) DO NOTHING")
            .bind(id)
            .bind(cohost.as_str())
            .execute(&mut **c)
            .await
            .map(|r| r.rows_affected()))?;
    }
    find_by_id(c, id)
        .await?
        .ok_or_else(|| Error::Internal("event vanished".into()))
}

/// Events from their rows, co-hosts filled in.
async fn from_rows(c: &mut Conn<'_>, rows: Vec<Row>) -> Result<Vec<Event>> {
    let events = rows
        .into_iter()
        .map(TryInto::try_into)
        .collect::<Result<Vec<Event>>>()?;
    with_cohosts(c, events).await
}

/// Fills in the co-hosts of events read from the database.
async fn with_cohosts(c: &mut Conn<'_>, mut events: Vec<Event>) -> Result<Vec<Event>> {
    // One query per 500 events rather than one per event: a network calendar lists thousands, and
    // each query is a round trip (to SQLite's worker thread or to PostgreSQL). The ids are integers
    // from the database, written into the SQL text; such one-off statements are not cached.
    const CHUNK: usize = 500;
    let mut by_event: std::collections::HashMap<i64, Vec<String>> = Default::default();
    for chunk in events.chunks(CHUNK) {
        let ids: Vec<String> = chunk.iter().map(|e| e.id.to_string()).collect();
        let sql = format!(
            "SELECT event_id, cohost_ap_id FROM event_cohosts WHERE event_id IN ({}) \
             ORDER BY event_id, cohost_ap_id",
            ids.join(",")
        );
        let rows: Vec<(i64, String)> = on_conn!(c, c => sqlx::query_as(&sql)
            .persistent(false)
            .fetch_all(&mut **c)
            .await)?;
        for (event_id, cohost) in rows {
            by_event.entry(event_id).or_default().push(cohost);
        }
    }
    for e in &mut events {
        if let Some(ids) = by_event.remove(&e.id) {
            e.cohosts = ids
                .iter()
                .map(|i| parse_column("cohost_ap_id", i))
                .collect::<Result<_>>()?;
        }
    }
    Ok(events)
}

/// The columns of one event read with its co-hosts, in one statement: every inbox activity, page
/// and document of an event reads one, and a second query for the co-hosts was a second round trip.
fn one_event_sql(c: &Conn<'_>, condition: &str) -> String {
    let cohosts = match c {
        Conn::Sqlite(_) => {
            "(SELECT json_group_array(cohost_ap_id ORDER BY cohost_ap_id) FROM event_cohosts \
             WHERE event_id = e.id)"
        }
        Conn::Postgres(_) => {
            "(SELECT COALESCE(json_agg(cohost_ap_id ORDER BY cohost_ap_id), '[]')::text \
             FROM event_cohosts WHERE event_id = e.id)"
        }
    };
    format!("SELECT {COLUMNS}, {cohosts} AS cohosts FROM events e WHERE {condition} = $1")
}

async fn find_where(c: &mut Conn<'_>, condition: &str, value: &str) -> Result<Option<Event>> {
    let sql = one_event_sql(c, condition);
    let row: Option<Row> =
        on_conn!(c, c => sqlx::query_as(&sql).bind(value).fetch_optional(&mut **c).await)?;
    row.map(TryInto::try_into).transpose()
}

/// The event with this database id.
pub async fn find_by_id(c: &mut Conn<'_>, id: i64) -> Result<Option<Event>> {
    let sql = one_event_sql(c, "e.id");
    let row: Option<Row> =
        on_conn!(c, c => sqlx::query_as(&sql).bind(id).fetch_optional(&mut **c).await)?;
    row.map(TryInto::try_into).transpose()
}

/// The events made for a series, by the start its rule gave each: one query, co-hosts in one more.
pub async fn of_series(c: &mut Conn<'_>, series_id: i64) -> Result<Vec<Event>> {
    let sql =
        format!("SELECT {COLUMNS} FROM events e WHERE e.series_id = $1 ORDER BY e.recurrence_id");
    let rows: Vec<Row> =
        on_conn!(c, c => sqlx::query_as(&sql).bind(series_id).fetch_all(&mut **c).await)?;
    from_rows(c, rows).await
}

/// The event with this API id.
pub async fn find_by_public_id(c: &mut Conn<'_>, public_id: &str) -> Result<Option<Event>> {
    find_where(c, "e.public_id", public_id).await
}

/// The event with this ActivityPub id.
pub async fn find_by_ap_id(c: &mut Conn<'_>, ap_id: &str) -> Result<Option<Event>> {
    find_where(c, "e.ap_id", ap_id).await
}

/// Events of one organizer (or co-host) ending after `from` and starting before `to`, by start: its
/// public ones, and with `members_too` its own members-only ones as well (a co-host's members are
/// not the organiser's).
pub async fn by_organizer(
    c: &mut Conn<'_>,
    organizer_ap_id: &str,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
    listed: Listed,
) -> Result<Vec<Event>> {
    let Listed {
        start,
        limit,
        members_too,
    } = listed;
    let visible = if members_too {
        "AND (e.visibility = 'public' OR e.organizer_ap_id = $1)"
    } else {
        "AND e.visibility = 'public'"
    };
    let from_where = format!(
        // A UNION rather than `organizer = $1 OR id IN (...)`: PostgreSQL cannot use an index for that OR
        // and scanned every event of the instance for each community feed.
        "FROM events e WHERE e.id IN \
         (SELECT o.id FROM events o WHERE o.organizer_ap_id = $1 AND o.starts_at <= $3 \
          UNION SELECT h.event_id FROM event_cohosts h WHERE h.cohost_ap_id = $1) \
         AND e.ends_at >= $2 AND e.starts_at <= $3 {visible} {} ORDER BY e.starts_at, e.id LIMIT $4 OFFSET $5",
        start.condition(6)
    );
    let rows: Vec<Row> = one_row::read_by_start!(c, &from_where, q => start.bind(q
        .bind(organizer_ap_id)
        .bind(from)
        .bind(to)
        .bind(limit)
        .bind(start.offset())));
    from_rows(c, rows).await
}

/// Which part of a list of events to read.
#[derive(Debug, Clone, Copy)]
pub struct Listed {
    /// Where the list starts.
    pub start: ListStart,
    /// How many to read.
    pub limit: i64,
    /// Whether members-only events are listed too (the reader is a member).
    pub members_too: bool,
}

/// Where a list of events by start begins: after skipping a number of them (a page number), or just
/// after the last one of the previous page (a cursor: it costs the same on every page, and an event
/// added or removed meanwhile moves nothing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListStart {
    /// Skip this many.
    Skip(i64),
    /// After the event starting at this time with this row id (events are ordered by both).
    After(DateTime<Utc>, i64),
}

impl ListStart {
    fn offset(&self) -> i64 {
        match self {
            ListStart::Skip(n) => *n,
            ListStart::After(..) => 0,
        }
    }

    /// The SQL condition, with its parameters numbered from `first`.
    fn condition(&self, first: usize) -> String {
        match self {
            ListStart::Skip(_) => String::new(),
            ListStart::After(..) => {
                format!("AND (e.starts_at, e.id) > (${first}, ${})", first + 1)
            }
        }
    }

    fn bind<'q, DB: sqlx::Database, O>(
        &self,
        query: sqlx::query::QueryAs<'q, DB, O, <DB as sqlx::Database>::Arguments<'q>>,
    ) -> sqlx::query::QueryAs<'q, DB, O, <DB as sqlx::Database>::Arguments<'q>>
    where
        DateTime<Utc>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
        i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    {
        match *self {
            ListStart::Skip(_) => query,
            ListStart::After(at, id) => query.bind(at).bind(id),
        }
    }
}

/// Upcoming events organised by this instance's communities, soonest first (the home page).
pub async fn upcoming_local(
    c: &mut Conn<'_>,
    from: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<Event>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM events e WHERE e.community_id IS NOT NULL AND e.visibility = 'public' AND e.ends_at >= $1 \
         ORDER BY e.starts_at, e.id LIMIT $2"
    );
    let rows: Vec<Row> = on_conn!(c, c => sqlx::query_as(&sql)
        .bind(from)
        .bind(limit)
        .fetch_all(&mut **c)
        .await)?;
    from_rows(c, rows).await
}

/// Events of the communities an account follows (accepted follows), newest published first.
pub async fn timeline(
    c: &mut Conn<'_>,
    account_id: i64,
    before: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<Event>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM events e WHERE (e.organizer_ap_id IN {FOLLOWED} \
         OR e.ap_id IN (SELECT r.object_ap_id FROM relayed_objects r WHERE r.via_ap_id IN {FOLLOWED})) \
         AND e.published_at < $2 ORDER BY e.published_at DESC, e.id DESC LIMIT $3"
    );
    let rows: Vec<Row> = on_conn!(c, c => sqlx::query_as(&sql)
        .bind(account_id)
        .bind(before)
        .bind(limit)
        .fetch_all(&mut **c)
        .await)?;
    from_rows(c, rows).await
}

/// The actors an account (`$1`) follows, accepted.
pub(crate) const FOLLOWED: &str =
    "(SELECT f.target_ap_id FROM following f WHERE f.account_id = $1 AND f.state = 'accepted')";

/// Events organised by any of `organizers` (a network and its members), overlapping `from`..`to`, by
/// start; `limit` of them from `start`.
pub async fn by_organizers(
    c: &mut Conn<'_>,
    network_id: i64,
    network_ap_id: &str,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
    start: ListStart,
    limit: i64,
) -> Result<Vec<Event>> {
    let from_where = format!(
        "FROM events e WHERE (e.organizer_ap_id = $2 OR e.organizer_ap_id IN \
         (SELECT m.member_ap_id FROM network_members m WHERE m.network_id = $1 AND m.state = 'active') \
         OR e.id IN (SELECT h.event_id FROM event_cohosts h JOIN network_members m ON m.member_ap_id = h.cohost_ap_id \
                     WHERE m.network_id = $1 AND m.state = 'active')) \
         AND e.visibility = 'public' AND e.ends_at >= $3 AND e.starts_at <= $4 {} ORDER BY e.starts_at, e.id LIMIT $5 OFFSET $6",
        start.condition(7)
    );
    let rows: Vec<Row> = one_row::read_by_start!(c, &from_where, q => start.bind(q
        .bind(network_id)
        .bind(network_ap_id)
        .bind(from)
        .bind(to)
        .bind(limit)
        .bind(start.offset())));
    from_rows(c, rows).await
}

/// Events an account takes part in (accepted, waitlisted or pending), by start.
pub async fn participating(c: &mut Conn<'_>, participant_ap_id: &str) -> Result<Vec<Event>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM events e JOIN participations p ON p.event_id = e.id \
         WHERE p.participant_ap_id = $1 AND p.state IN ('accepted', 'waitlisted', 'pending') ORDER BY e.starts_at"
    );
    let rows: Vec<Row> =
        on_conn!(c, c => sqlx::query_as(&sql).bind(participant_ap_id).fetch_all(&mut **c).await)?;
    from_rows(c, rows).await
}

/// The members-only events an account sees as a member (issue 18): every event of the members-only
/// communities it is an active member of, and the members-only events of the others, ending after
/// `from`, by start.
pub async fn for_member(
    c: &mut Conn<'_>,
    account_id: i64,
    from: DateTime<Utc>,
) -> Result<Vec<Event>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM events e WHERE e.ends_at >= $2 AND e.community_id IN \
         (SELECT m.community_id FROM memberships m JOIN communities c ON c.id = m.community_id \
          WHERE m.account_id = $1 AND m.state = 'active' \
          AND (c.visibility = 'members' OR e.visibility = 'members')) \
         ORDER BY e.starts_at, e.id"
    );
    let rows: Vec<Row> = on_conn!(c, c => sqlx::query_as(&sql)
        .bind(account_id)
        .bind(from)
        .fetch_all(&mut **c)
        .await)?;
    from_rows(c, rows).await
}

/// Deletes an event and leaves a tombstone at its id.
pub async fn delete(c: &mut Conn<'_>, e: &Event, at: DateTime<Utc>) -> Result<()> {
    on_conn!(c, c => sqlx::query("DELETE FROM events WHERE id = $1").bind(e.id).execute(&mut **c).await
        .map(|r| r.rows_affected()))?;
    on_conn!(c, c => sqlx::query(
        "INSERT INTO event_tombstones (ap_id, deleted_at) VALUES ($1, $2) ON CONFLICT (ap_id) DO NOTHING")
        .bind(e.ap_id.as_str())
        .bind(at)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Whether an event id was deleted.
pub async fn is_tombstoned(c: &mut Conn<'_>, ap_id: &str) -> Result<bool> {
    let n: i64 = on_conn!(c, c => sqlx::query_scalar("SELECT COUNT(*) FROM event_tombstones WHERE ap_id = $1")
        .bind(ap_id)
        .fetch_one(&mut **c)
        .await)?;
    Ok(n > 0)
}
