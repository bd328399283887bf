//! The instance calendar page (issue 20): upcoming public events that relays and followed
//! instances brought here, each with where it comes from.

use askama::Template;
use axum::{extract::State, response::Response};

use super::EventItem;
use crate::service::Verkosto;
use crate::web::{PageError, Visitor, render};

/// One event of the instance calendar with its source.
struct RelayedItem {
    /// The event as lists show it.
    pub item: EventItem,
    /// Its organizer's actor id.
    pub organizer: String,
    /// The relays or instances it came through.
    pub via: Vec<String>,
}

#[derive(Template)]
#[template(path = "instance_calendar.html")]
struct InstanceCalendarPage {
    p: Visitor,
    events: Vec<RelayedItem>,
}

/// `/instance/calendar`: the events to come, soonest first.
pub(in crate::web) async fn instance_calendar(
    State(v): State<Verkosto>,
    p: Visitor,
) -> Result<Response, PageError> {
    let events = v
        .instance_calendar(None, None)
        .await
        .map_err(|e| p.error(e))?
        .into_iter()
        .map(|r| RelayedItem {
            organizer: r.event.organizer_ap_id.to_string(),
            via: r.via,
            item: EventItem::new(p.lang, r.event),
        })
        .collect();
    let page = InstanceCalendarPage { p, events };
    Ok(render(&page, &page.p))
}
