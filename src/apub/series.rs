//! Recurring events on the wire (issue 17). Nobody federates a series yet (Mobilizon has none;
//! Gancio keeps its parent-and-instances link in its database only), so the occurrences go out as
//! the plain `Event`s every reader understands, each naming its series with an extension term:
//!
//! ```json
//! "series": { "id": "https://host/s/ID", "type": "OrderedCollection",
//!             "rrule": "FREQ=WEEKLY;BYDAY=MO", "timezone": "Europe/Helsinki" },
//! "recurrenceId": "2027-01-25T07:00:00Z"
//! ```
//!
//! `rrule` and `recurrenceId` are the W3C iCalendar-in-RDF terms (`ical:rrule`, `ical:recurrenceId`);
//! `series` is ours. The series id is dereferenceable: an `OrderedCollection` of its occurrences with
//! the rule, its first start (`startTime`) and deleted dates (`exdate`).

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use url::Url;

use crate::model::{Event, Series, SeriesLink};

/// The context terms of the series extension, added to the event context.
pub fn context_terms() -> Value {
    json!({
        "series": { "@id": "https://verkosto.codeberg.page/ns#series", "@type": "@id" },
        "rrule": "ical:rrule",
        "recurrenceId": "ical:recurrenceId",
        "exdate": "ical:exdate"
    })
}

/// Adds an occurrence's series to its `Event` document.
pub fn annotate(doc: &mut Value, event: &Event) {
    if let Some(link) = &event.series {
        doc["series"] = json!({
            "id": link.ap_id,
            "type": "OrderedCollection",
            "rrule": link.recurrence,
            "timezone": event.timezone,
        });
        doc["recurrenceId"] = json!(link.recurrence_id);
    }
}

/// The series a received `Event` names, if it names one we can read: its id, rule and the
/// occurrence's start by the rule (`recurrenceId`, its start when absent).
pub fn link_from_ap(doc: &Value) -> Option<SeriesLink> {
    let series = doc.get("series")?;
    let ap_id = series
        .get("id")
        .or(Some(series))
        .and_then(Value::as_str)
        .and_then(|s| Url::parse(s).ok())?;
    let recurrence = series.get("rrule").and_then(Value::as_str)?;
    let recurrence = crate::model::Recurrence::parse(recurrence).ok()?.text();
    let at = |key: &str| {
        doc.get(key)
            .and_then(Value::as_str)
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.with_timezone(&Utc))
    };
    let recurrence_id = at("recurrenceId").or_else(|| at("startTime"))?;
    Some(SeriesLink {
        id: String::new(),
        ap_id,
        recurrence,
        recurrence_id,
        overridden: false,
    })
}

/// The document of a local series: the collection of its occurrences, with its rule.
pub fn series_to_ap(series: &Series, title: &str, occurrences: &[Event]) -> Value {
    let items: Vec<&Url> = occurrences.iter().map(|e| &e.ap_id).collect();
    json!({
        "@context": super::event::event_context(),
        "type": "OrderedCollection",
        "id": series.ap_id,
        "name": title,
        "attributedTo": series.organizer_ap_id,
        "rrule": series.recurrence,
        "timezone": series.timezone,
        "startTime": series.first_starts_at,
        "exdate": series.exdates,
        "totalItems": items.len(),
        "orderedItems": items,
    })
}
