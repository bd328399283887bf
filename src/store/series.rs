//! Series of recurring events (issue 17) and the link of each occurrence to its series.

use chrono::{DateTime, Utc};

use super::{Conn, on_conn, parse_column};
use crate::error::{Error, Result};
use crate::model::{Event, Series, SeriesTemplate};

const COLUMNS: &str = "id, public_id, ap_id, organizer_ap_id, community_id, recurrence, timezone, \
    first_starts_at, duration_seconds, template, exdates, generated_until, ended_at, created_at, updated_at";

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    public_id: String,
    ap_id: String,
    organizer_ap_id: String,
    community_id: Option<i64>,
    recurrence: String,
    timezone: String,
    first_starts_at: DateTime<Utc>,
    duration_seconds: i64,
    template: Option<String>,
    exdates: String,
    generated_until: Option<DateTime<Utc>>,
    ended_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl TryFrom<Row> for Series {
    type Error = Error;
    fn try_from(r: Row) -> Result<Series> {
        let template: Option<SeriesTemplate> = r
            .template
            .map(|t| serde_json::from_str(&t))
            .transpose()
            .map_err(|e| Error::Internal(format!("stored series template: {e}")))?;
        Ok(Series {
            id: r.id,
            public_id: r.public_id,
            ap_id: parse_column("ap_id", &r.ap_id)?,
            organizer_ap_id: parse_column("organizer_ap_id", &r.organizer_ap_id)?,
            community_id: r.community_id,
            recurrence: r.recurrence,
            timezone: r.timezone,
            first_starts_at: r.first_starts_at,
            duration_seconds: r.duration_seconds,
            template,
            exdates: serde_json::from_str(&r.exdates)
                .map_err(|e| Error::Internal(format!("stored exdates: {e}")))?,
            generated_until: r.generated_until,
            ended_at: r.ended_at,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

fn json<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| Error::Internal(e.to_string()))
}

/// Stores a new series, or (for a received one, keyed by `ap_id`) its rule and zone; returns it.
pub async fn upsert(c: &mut Conn<'_>, s: &Series) -> Result<Series> {
    let template = s.template.as_ref().map(json).transpose()?;
    let exdates = json(&s.exdates)?;
    let sql = format!(
        "INSERT INTO event_series (public_id, ap_id, organizer_ap_id, community_id, recurrence, timezone, \
         first_starts_at, duration_seconds, template, exdates, generated_until, ended_at, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) \
         ON CONFLICT (ap_id) DO UPDATE SET recurrence = excluded.recurrence, timezone = excluded.timezone, \
         first_starts_at = excluded.first_starts_at, duration_seconds = excluded.duration_seconds, \
         template = excluded.template, exdates = excluded.exdates, generated_until = excluded.generated_until, \
         ended_at = excluded.ended_at, updated_at = excluded.updated_at RETURNING {COLUMNS}"
    );
    let row: Row = on_conn!(c, c => sqlx::query_as(&sql)
        .bind(&s.public_id)
        .bind(s.ap_id.as_str())
        .bind(s.organizer_ap_id.as_str())
        .bind(s.community_id)
        .bind(&s.recurrence)
        .bind(&s.timezone)
        .bind(s.first_starts_at)
        .bind(s.duration_seconds)
        .bind(&template)
        .bind(&exdates)
        .bind(s.generated_until)
        .bind(s.ended_at)
        .bind(s.created_at)
        .bind(s.updated_at)
        .fetch_one(&mut **c)
        .await)?;
    row.try_into()
}

async fn find_where(c: &mut Conn<'_>, column: &str, value: &str) -> Result<Option<Series>> {
    let sql = format!("SELECT {COLUMNS} FROM event_series WHERE {column} = $1");
    let row: Option<Row> =
        on_conn!(c, c => sqlx::query_as(&sql).bind(value).fetch_optional(&mut **c).await)?;
    row.map(TryInto::try_into).transpose()
}

/// A series by its API id.
pub async fn find_by_public_id(c: &mut Conn<'_>, public_id: &str) -> Result<Option<Series>> {
    find_where(c, "public_id", public_id).await
}

/// A series by its ActivityPub id.
pub async fn find_by_ap_id(c: &mut Conn<'_>, ap_id: &str) -> Result<Option<Series>> {
    find_where(c, "ap_id", ap_id).await
}

/// The series of these events (each once), for calendars.
pub async fn of_events(c: &mut Conn<'_>, events: &[Event]) -> Result<Vec<Series>> {
    let mut ids: Vec<&str> = events
        .iter()
        .filter_map(|e| e.series.as_ref().map(|s| s.ap_id.as_str()))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(s) = find_by_ap_id(c, id).await? {
            out.push(s);
        }
    }
    Ok(out)
}

/// Local series whose horizon may need new occurrences: not ended, last made before `before`.
pub async fn to_extend(c: &mut Conn<'_>, before: DateTime<Utc>, limit: i64) -> Result<Vec<Series>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM event_series WHERE community_id IS NOT NULL AND ended_at IS NULL \
         AND (generated_until IS NULL OR generated_until < $1) \
         ORDER BY generated_until IS NOT NULL, generated_until, id LIMIT $2"
    );
    let rows: Vec<Row> = on_conn!(c, c => sqlx::query_as(&sql)
        .bind(before)
        .bind(limit)
        .fetch_all(&mut **c)
        .await)?;
    rows.into_iter().map(TryInto::try_into).collect()
}

/// Names `event` an occurrence of `series_id` whose rule gave it `recurrence_id`.
pub async fn link(
    c: &mut Conn<'_>,
    event_id: i64,
    series_id: i64,
    recurrence_id: DateTime<Utc>,
    overridden: bool,
) -> Result<()> {
    on_conn!(c, c => sqlx::query(
        "UPDATE events SET series_id = $2, recurrence_id = $3, overridden = $4 WHERE id = $1")
        .bind(event_id)
        .bind(series_id)
        .bind(recurrence_id)
        .bind(overridden)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Marks an occurrence as changed on its own.
pub async fn mark_overridden(c: &mut Conn<'_>, event_id: i64) -> Result<()> {
    on_conn!(c, c => sqlx::query("UPDATE events SET overridden = TRUE WHERE id = $1 AND series_id IS NOT NULL")
        .bind(event_id)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// The database ids of a series' occurrences whose rule start is at or after `from`, in order.
pub async fn occurrence_ids(
    c: &mut Conn<'_>,
    series_id: i64,
    from: DateTime<Utc>,
) -> Result<Vec<i64>> {
    let ids: Vec<i64> = on_conn!(c, c => sqlx::query_scalar(
        "SELECT id FROM events WHERE series_id = $1 AND recurrence_id >= $2 ORDER BY recurrence_id")
        .bind(series_id)
        .bind(from)
        .fetch_all(&mut **c)
        .await)?;
    Ok(ids)
}

/// Takes an event out of its series (before it is linked again under another start).
pub async fn unlink(c: &mut Conn<'_>, event_id: i64) -> Result<()> {
    on_conn!(c, c => sqlx::query(
        "UPDATE events SET series_id = NULL, recurrence_id = NULL WHERE id = $1")
        .bind(event_id)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// The rule start of a series' first occurrence that has not ended at `now`.
pub async fn first_not_ended(
    c: &mut Conn<'_>,
    series_id: i64,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>> {
    let at: Option<DateTime<Utc>> = on_conn!(c, c => sqlx::query_scalar(
        "SELECT recurrence_id FROM events WHERE series_id = $1 AND ends_at >= $2 \
         ORDER BY recurrence_id LIMIT 1")
        .bind(series_id)
        .bind(now)
        .fetch_optional(&mut **c)
        .await)?;
    Ok(at)
}

/// Adds a deleted occurrence's start to its series' `EXDATE`s.
pub async fn add_exdate(c: &mut Conn<'_>, series_ap_id: &str, start: DateTime<Utc>) -> Result<()> {
    let Some(mut series) = find_by_ap_id(c, series_ap_id).await? else {
        return Ok(());
    };
    if !series.exdates.contains(&start) {
        series.exdates.push(start);
        series.exdates.sort();
        upsert(c, &series).await?;
    }
    Ok(())
}

/// The event of a series at this rule start, if one is linked there.
pub async fn occurrence_at(
    c: &mut Conn<'_>,
    series_id: i64,
    start: DateTime<Utc>,
) -> Result<Option<i64>> {
    let id: Option<i64> = on_conn!(c, c => sqlx::query_scalar(
        "SELECT id FROM events WHERE series_id = $1 AND recurrence_id = $2")
        .bind(series_id)
        .bind(start)
        .fetch_optional(&mut **c)
        .await)?;
    Ok(id)
}
