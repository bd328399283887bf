//! The instance calendar's query: remote events that arrived through a relay or instance this
//! instance follows (issue 20).

use chrono::{DateTime, Utc};

use super::{COLUMNS, Row, from_rows};
use crate::error::Result;
use crate::model::Event;
use crate::store::{Conn, on_conn};

/// Remote events relayed by (or organised by) a subscribed relay or instance actor, overlapping
/// `from`..`to`, by start.
pub async fn relayed(
    c: &mut Conn<'_>,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
    limit: i64,
    offset: i64,
) -> Result<Vec<Event>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM events e WHERE e.community_id IS NULL AND \
         (e.ap_id IN (SELECT r.object_ap_id FROM relayed_objects r JOIN relay_subscriptions s ON s.actor_ap_id = r.via_ap_id) \
          OR e.organizer_ap_id IN (SELECT s.actor_ap_id FROM relay_subscriptions s WHERE s.actor_ap_id IS NOT NULL)) \
         AND e.visibility = 'public' AND e.ends_at >= $1 AND e.starts_at <= $2 ORDER BY e.starts_at, e.id LIMIT $3 OFFSET $4"
    );
    let rows: Vec<Row> = on_conn!(c, c => sqlx::query_as(&sql)
        .bind(from)
        .bind(to)
        .bind(limit)
        .bind(offset)
        .fetch_all(&mut **c)
        .await)?;
    from_rows(c, rows).await
}

/// The relays or instances that relayed an event to us (for "via" on the calendar).
pub async fn relayed_via(c: &mut Conn<'_>, event_ap_id: &str) -> Result<Vec<String>> {
    let rows: Vec<String> = on_conn!(c, c => sqlx::query_scalar(
        "SELECT r.via_ap_id FROM relayed_objects r JOIN relay_subscriptions s ON s.actor_ap_id = r.via_ap_id \
         WHERE r.object_ap_id = $1 ORDER BY r.via_ap_id")
        .bind(event_ap_id)
        .fetch_all(&mut **c)
        .await)?;
    Ok(rows)
}
