//! The instance calendar's iCalendar feed (issue 20): the public events that relays and followed
//! instances brought, each with its organizer (`ORGANIZER`) and its page at the origin (`URL`).

use axum::{Router, extract::State, response::Response, routing::get};
use chrono::Utc;

use crate::error::Result;
use crate::service::Verkosto;

/// Public routes (mounted with the federation routes).
pub(super) fn public_routes() -> Router<Verkosto> {
    Router::new().route("/instance/events.ics", get(feed))
}

async fn feed(State(v): State<Verkosto>) -> Result<Response> {
    let from = Utc::now() - chrono::Duration::days(90);
    let events: Vec<_> = v
        .instance_calendar(Some(from), None)
        .await?
        .into_iter()
        .map(|r| r.event)
        .collect();
    let name = format!("{} – relayed events", v.settings().domain);
    let series = v.series_of(&events).await?;
    Ok(super::events::ics(crate::ical::feed(
        &name, &events, &series,
    )))
}
