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

/// Gancio's REST address for the details of a received event (`<base>/api/event/detail/<slug>`),
/// when the document is Gancio's: its id `<base>/federation/m/<n>`, its url `<base>/event/<slug>`.
/// Gancio federates the occurrences of a recurring event as unrelated `Event`s; only that answer
/// names their parent.
pub fn gancio_detail_url(doc: &Value) -> Option<Url> {
    let id = Url::parse(doc.get("id")?.as_str()?).ok()?;
    let url = Url::parse(doc.get("url")?.as_str()?).ok()?;
    let (id_base, n) = id.path().rsplit_once("/federation/m/")?;
    let (url_base, slug) = url.path().rsplit_once("/event/")?;
    if id_base != url_base
        || id.host_str() != url.host_str()
        || id.port() != url.port()
        || n.is_empty()
        || slug.is_empty()
        || slug.contains('/')
    {
        return None;
    }
    let mut detail = url.clone();
    detail.set_path(&format!("{url_base}/api/event/detail/{slug}"));
    detail.set_query(None);
    detail.set_fragment(None);
    Some(detail)
}

/// The series of a Gancio occurrence, from Gancio's details of it: the parent's id (its
/// `Event` document, `<base>/federation/m/<parent>`) and the rule of the parent's `recurrent`
/// (`{frequency: 1d|1w|2w|1m, type: ordinal|<n>|-1}`), its weekday and day taken from the parent's
/// start as `zone` reads it.
pub fn gancio_series(
    detail: &Value,
    event_id: &Url,
    zone: crate::model::EventZone,
) -> Option<(Url, String)> {
    use chrono::Datelike;
    let parent = detail.get("parent")?;
    let parent_id = parent
        .get("id")
        .or_else(|| detail.get("parentId"))
        .and_then(Value::as_i64)?;
    // Stored as JSON; some versions hand it out as a string of JSON.
    let recurrent = match parent.get("recurrent")? {
        Value::String(text) => serde_json::from_str::<Value>(text).ok()?,
        other => other.clone(),
    };
    let start = DateTime::from_timestamp(parent.get("start_datetime")?.as_i64()?, 0)?;
    let local = zone.naive_local(&start).date();
    let day = crate::model::weekday_code(local.weekday());
    let nth = match recurrent.get("type") {
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(s)) => s.parse().ok(),
        _ => None,
    };
    let rule = match recurrent.get("frequency")?.as_str()? {
        "1d" => "FREQ=DAILY".to_string(),
        "1w" => format!("FREQ=WEEKLY;BYDAY={day}"),
        "2w" => format!("FREQ=WEEKLY;INTERVAL=2;BYDAY={day}"),
        "1m" => match nth {
            Some(n) if n != 0 => format!("FREQ=MONTHLY;BYDAY={n}{day}"),
            _ => format!("FREQ=MONTHLY;BYMONTHDAY={}", local.day()),
        },
        _ => return None,
    };
    let rule = crate::model::Recurrence::parse(&rule).ok()?.text();
    let (base, _) = event_id.as_str().rsplit_once("/federation/m/")?;
    let parent_ap_id = Url::parse(&format!("{base}/federation/m/{parent_id}")).ok()?;
    Some((parent_ap_id, rule))
}
