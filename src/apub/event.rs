//! The `Event` object (FEP-8a8e with Mobilizon's extensions), and its conversions from and to
//! [`crate::model::Event`]: [`event_to_ap`] for what we serve and send, [`event_from_ap`] for what we read.
//!
//! Remote documents vary (Mobilizon, Gancio, Friendica, other Verkostos), so reading works on JSON
//! values and takes what it understands; writing emits every field the readers in
//! `shared/design/federation-format.md` use.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use url::Url;

use crate::context::AppState;
use crate::error::{Error, Result};
use crate::model::{Event, EventCategory, EventPlace, EventStatus, EventZone, JoinMode};
use crate::urls::{LocalUrls, Part};

/// The `@context` of event documents: ActivityStreams, security, and every extension term we emit,
/// named as Mobilizon names them so that its JSON-LD reading and ours agree.
pub fn event_context() -> Value {
    let mut context = super::context::context();
    if let Some(Value::Object(terms)) = context.as_array_mut().and_then(|a| a.get_mut(2)) {
        let extra = json!({
            "sc": "http://schema.org/",
            "mz": "https://joinmobilizon.org/ns#",
            "pt": "https://joinpeertube.org/ns#",
            "ical": "http://www.w3.org/2002/12/cal/ical#",
            "PostalAddress": "sc:PostalAddress",
            "address": { "@id": "sc:address", "@type": "sc:PostalAddress" },
            "streetAddress": "sc:streetAddress",
            "postalCode": "sc:postalCode",
            "addressLocality": "sc:addressLocality",
            "addressRegion": "sc:addressRegion",
            "addressCountry": "sc:addressCountry",
            "VirtualLocation": "sc:VirtualLocation",
            "maximumAttendeeCapacity": "sc:maximumAttendeeCapacity",
            "remainingAttendeeCapacity": "sc:remainingAttendeeCapacity",
            "eventStatus": "sc:eventStatus",
            "inLanguage": "sc:inLanguage",
            "category": "sc:category",
            "timezone": { "@id": "mz:timezone", "@type": "sc:Text" },
            "isOnline": { "@id": "mz:isOnline", "@type": "sc:Boolean" },
            "joinMode": { "@id": "mz:joinMode", "@type": "mz:joinModeType" },
            "externalParticipationUrl": { "@id": "mz:externalParticipationUrl", "@type": "sc:URL" },
            "participantCount": { "@id": "mz:participantCount", "@type": "sc:Integer" },
            "anonymousParticipationEnabled": { "@id": "mz:anonymousParticipationEnabled", "@type": "sc:Boolean" },
            "repliesModerationOption": { "@id": "mz:repliesModerationOption", "@type": "mz:repliesModerationOptionType" },
            "commentsEnabled": { "@id": "pt:commentsEnabled", "@type": "sc:Boolean" },
            "draft": { "@id": "mz:draft", "@type": "sc:Boolean" },
            "status": { "@id": "ical:status", "@type": "ical:status" },
            "participationMessage": { "@id": "mz:participationMessage", "@type": "sc:Text" },
            "organizers": { "@id": "https://w3id.org/fep/8a8e#organizers", "@type": "@id" }
        });
        if let Value::Object(extra) = extra {
            terms.extend(extra);
        }
        if let Value::Object(series) = super::series::context_terms() {
            terms.extend(series);
        }
    }
    context
}

/// The short plain line Mastodon shows as the post body: "Tue 24 Nov 2026 18:00 (Europe/Helsinki) –
/// Kahvila, Tampere".
pub fn summary_line(event: &Event) -> String {
    let when = format!(
        "{} ({})",
        event
            .zone()
            .naive_local(&event.starts_at)
            .format("%a %-d %b %Y %H:%M"),
        event.zone().name()
    );
    let place = match (&event.place, &event.online_url) {
        (Some(p), Some(_)) => format!("{} and online", p.one_line()),
        (Some(p), None) => p.one_line(),
        (None, Some(_)) => "online".to_string(),
        (None, None) => String::new(),
    };
    let mut line = if place.is_empty() {
        when
    } else {
        format!("{when} – {place}")
    };
    if event.status == EventStatus::Cancelled {
        line = format!("CANCELLED: {line}");
    }
    line
}

/// The `Event` of an event we host as embedded in an activity (without its own `@context`).
pub fn event_object(state: &AppState, event: &Event) -> Value {
    let mut object = event_to_ap(state, event);
    if let Some(o) = object.as_object_mut() {
        o.remove("@context");
    }
    object
}

/// The `Event` document of an event we host.
pub fn event_to_ap(state: &AppState, event: &Event) -> Value {
    let group = &event.organizer_ap_id;
    let mut locations = vec![];
    if let Some(p) = &event.place {
        let mut place = json!({
            "type": "Place",
            "name": p.name.clone().unwrap_or_else(|| p.one_line()),
            "address": {
                "type": "PostalAddress",
                "streetAddress": p.street,
                "postalCode": p.postal_code,
                "addressLocality": p.locality,
                "addressRegion": p.region,
                "addressCountry": p.country,
            }
        });
        if let (Some(lat), Some(lon)) = (p.latitude, p.longitude) {
            place["latitude"] = json!(lat);
            place["longitude"] = json!(lon);
        }
        locations.push(place);
    }
    if let Some(online) = &event.online_url {
        locations.push(json!({ "type": "VirtualLocation", "name": "Online", "url": online }));
    }
    let mut attachment = vec![];
    if let Some(banner) = &event.banner_url {
        attachment.push(json!({ "type": "Document", "mediaType": image_type(banner), "url": banner, "name": "Banner" }));
    }
    if let Some(online) = &event.online_url {
        attachment.push(
            json!({ "type": "Link", "mediaType": "text/html", "href": online, "name": "Website" }),
        );
    }
    let tags: Vec<Value> = event
        .tags
        .iter()
        .map(|t| json!({ "type": "Hashtag", "name": format!("#{t}"), "href": state.url(&format!("/tags/{t}")) }))
        .collect();
    let location = match locations.len() {
        0 => Value::Null,
        1 => locations.remove(0),
        _ => Value::Array(locations),
    };
    let mut doc = json!({
        "@context": event_context(),
        "type": "Event",
        "id": event.ap_id,
        "url": event.url,
        "name": event.title,
        "content": event.description_html,
        "mediaType": "text/html",
        "summary": summary_line(event),
        "startTime": event.starts_at,
        "endTime": event.ends_at,
        // Mobilizon reads `timezone` as an IANA name: a fixed offset is said by the times alone.
        "timezone": Some(event.zone()).filter(EventZone::is_iana).map(|z| z.name()),
        "attributedTo": group,
        "organizers": std::iter::once(group).chain(event.cohosts.iter()).collect::<Vec<_>>(),
        "audience": group,
        "to": super::activities::addressed(event.visibility, group).0,
        "cc": super::activities::addressed(event.visibility, group).1,
        "location": location,
        "attachment": attachment,
        "isOnline": event.is_online(),
        "tag": tags,
        "category": event.category.as_str(),
        "joinMode": event.join_mode.wire(),
        "participantCount": event.participant_count,
        "commentsEnabled": event.comments_enabled,
        "repliesModerationOption": if event.comments_enabled { "allow_all" } else { "closed" },
        "anonymousParticipationEnabled": event.guest_participation,
        "status": event.status.upper(),
        "eventStatus": event.status.upper(),
        "draft": false,
        "published": event.published_at,
        "updated": event.updated_at,
        "replies": LocalUrls::part(&event.ap_id, Part::Replies),
    });
    if let Some(source) = &event.description_source {
        doc["source"] = json!({ "content": source, "mediaType": "text/markdown" });
    }
    if let Some(capacity) = event.capacity {
        doc["maximumAttendeeCapacity"] = json!(capacity);
        doc["remainingAttendeeCapacity"] = json!(event.remaining());
    }
    if let Some(url) = &event.external_url {
        doc["externalParticipationUrl"] = json!(url);
    }
    if let Some(lang) = &event.language {
        doc["inLanguage"] = json!(lang);
        doc["contentMap"] = json!({ lang.clone(): event.description_html });
    }
    super::series::annotate(&mut doc, event);
    if location_is_null(&doc)
        && let Some(o) = doc.as_object_mut()
    {
        o.remove("location");
    }
    doc
}

fn location_is_null(doc: &Value) -> bool {
    doc.get("location").is_some_and(Value::is_null)
}

fn image_type(url: &Url) -> &'static str {
    let path = url.path().to_ascii_lowercase();
    if path.ends_with(".png") {
        "image/png"
    } else if path.ends_with(".webp") {
        "image/webp"
    } else if path.ends_with(".gif") {
        "image/gif"
    } else {
        "image/jpeg"
    }
}

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key)
        .and_then(Value::as_str)
        .map(str::to_string)
        .filter(|s| !s.is_empty())
}

fn url_of(v: &Value) -> Option<Url> {
    match v {
        Value::String(s) => Url::parse(s).ok(),
        Value::Object(o) => o
            .get("href")
            .or_else(|| o.get("url"))
            .or_else(|| o.get("id"))
            .and_then(url_of),
        Value::Array(a) => a.iter().find_map(url_of),
        _ => None,
    }
}

fn time(v: &Value, key: &str) -> Option<DateTime<Utc>> {
    offset_time(v, key).map(|t| t.with_timezone(&Utc))
}

/// A time as given, with its offset.
fn offset_time(v: &Value, key: &str) -> Option<DateTime<chrono::FixedOffset>> {
    v.get(key)?.as_str()?.trim().parse().ok()
}

/// The zone an event's times are shown in: its `timezone` when that is an IANA name (Mobilizon,
/// Verkosto), otherwise the offset its `startTime` was written with (Gancio, Friendica and others
/// send `2026-05-16T18:00:00+02:00` and no `timezone`): kept as a fixed offset, not turned into UTC.
fn zone(doc: &Value) -> EventZone {
    text(doc, "timezone")
        .and_then(|t| EventZone::parse(&t).filter(EventZone::is_iana))
        .or_else(|| offset_time(doc, "startTime").map(|t| EventZone::from_offset(*t.offset())))
        .unwrap_or(EventZone::Iana(chrono_tz::UTC))
}

/// The first physical place and the first online link of an event's `location`: one object or an
/// array of them, each a `Place` (its `address` a `PostalAddress`, plain text as Gancio and others
/// send it, a `VirtualLocation` as Gancio writes an online place, or absent) or a `VirtualLocation`.
fn locations(location: Option<&Value>) -> (Option<EventPlace>, Option<Url>) {
    let all: Vec<&Value> = match location {
        Some(Value::Array(a)) => a.iter().take(20).collect(),
        Some(v @ Value::Object(_)) => vec![v],
        _ => vec![],
    };
    let is_virtual = |v: &Value| v.get("type").and_then(Value::as_str) == Some("VirtualLocation");
    let mut place = None;
    let mut online_url = None;
    for loc in all {
        let address = loc.get("address").unwrap_or(&Value::Null);
        if is_virtual(loc) || is_virtual(address) {
            let url = loc
                .get("url")
                .and_then(url_of)
                .or_else(|| address.get("url").and_then(url_of));
            online_url = online_url.or(url);
            continue;
        }
        if place.is_some() {
            continue;
        }
        let number = |k: &str| {
            loc.get(k)
                .and_then(|v| v.as_f64().or_else(|| v.as_str()?.trim().parse().ok()))
                .filter(|n| n.is_finite())
        };
        // A plain-text address is kept whole, as the street line: it is shown as written.
        let street = match address {
            Value::String(s) => {
                Some(s.trim().chars().take(500).collect::<String>()).filter(|s| !s.is_empty())
            }
            _ => text(address, "streetAddress"),
        };
        let found = EventPlace {
            name: text(loc, "name"),
            street,
            postal_code: text(address, "postalCode"),
            locality: text(address, "addressLocality"),
            region: text(address, "addressRegion"),
            country: text(address, "addressCountry"),
            latitude: number("latitude"),
            longitude: number("longitude"),
        };
        if found != EventPlace::default() {
            place = Some(found);
        }
    }
    (place, online_url)
}

/// Reads a remote `Event` into the domain type. `local_id` and `organizer` are decided by the caller
/// (the organizer is the verified sending group, never the document's word alone).
/// The organizer an `Event` names: its `attributedTo`, or, where that is a list of typed references
/// (FEP-1b12 as group-aware readers get it: the author `Person` and the `Group`), the group.
pub fn organizer_of(doc: &Value) -> Option<Url> {
    let attributed = doc.get("attributedTo")?;
    let chosen = match attributed.as_array() {
        Some(list) => list
            .iter()
            .find(|r| r.get("type").and_then(Value::as_str) == Some("Group"))
            .or_else(|| list.first())?,
        None => attributed,
    };
    crate::apub::activities::object_id(chosen).ok()
}

pub fn event_from_ap(doc: &Value, public_id: String, organizer: Url) -> Result<Event> {
    let bad = |what: &str| Error::BadRequest(format!("the Event {what}"));
    if doc.get("type").and_then(Value::as_str) != Some("Event") {
        return Err(bad("is not of type Event"));
    }
    let ap_id = doc
        .get("id")
        .and_then(url_of)
        .ok_or_else(|| bad("has no id"))?;
    let title: String = text(doc, "name")
        .ok_or_else(|| bad("has no name"))?
        .chars()
        .take(200)
        .collect();
    let starts_at = time(doc, "startTime").ok_or_else(|| bad("has no valid startTime"))?;
    let ends_at = time(doc, "endTime").unwrap_or(starts_at).max(starts_at);
    let content = text(doc, "content").unwrap_or_default();
    let (place, mut online_url) = locations(doc.get("location"));
    if online_url.is_none() && doc.get("isOnline").and_then(Value::as_bool) == Some(true) {
        online_url = doc
            .get("attachment")
            .and_then(Value::as_array)
            .and_then(|a| {
                a.iter()
                    .find(|x| x.get("type").and_then(Value::as_str) == Some("Link"))
            })
            .and_then(url_of);
    }
    let status = match doc
        .get("status")
        .or_else(|| doc.get("eventStatus"))
        .or_else(|| doc.get("ical:status"))
        .and_then(Value::as_str)
        .map(str::to_ascii_uppercase)
        .as_deref()
    {
        Some("CANCELLED") => EventStatus::Cancelled,
        Some("TENTATIVE") => EventStatus::Tentative,
        _ => EventStatus::Confirmed,
    };
    let tags = doc
        .get("tag")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter(|t| t.get("type").and_then(Value::as_str) == Some("Hashtag"))
                .filter_map(|t| text(t, "name"))
                .map(|n| n.trim_start_matches('#').to_string())
                .take(20)
                .collect()
        })
        .unwrap_or_default();
    let banner_url = doc
        .get("attachment")
        .and_then(Value::as_array)
        .and_then(|a| {
            a.iter()
                .find(|x| {
                    x.get("mediaType")
                        .and_then(Value::as_str)
                        .is_some_and(|m| m.starts_with("image/"))
                        || matches!(x.get("type").and_then(Value::as_str), Some("Image"))
                })
                .and_then(url_of)
        });
    let published_at = time(doc, "published").unwrap_or_else(crate::store::now);
    let count = |k: &str| doc.get(k).and_then(Value::as_i64);
    let cohosts = doc
        .get("organizers")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(url_of)
                .filter(|u| u != &organizer)
                .take(20)
                .collect()
        })
        .unwrap_or_default();
    Ok(Event {
        id: 0,
        cohosts,
        public_id,
        url: doc
            .get("url")
            .and_then(url_of)
            .unwrap_or_else(|| ap_id.clone()),
        ap_id,
        organizer_ap_id: organizer,
        community_id: None,
        local: false,
        title,
        description_source: None,
        description_html: crate::sanitize::html(&content.chars().take(50_000).collect::<String>()),
        starts_at,
        ends_at,
        timezone: zone(doc).name(),
        status,
        place,
        online_url,
        capacity: count("maximumAttendeeCapacity").filter(|c| *c > 0),
        join_mode: text(doc, "joinMode")
            .map(|m| JoinMode::from_wire(&m))
            .unwrap_or(JoinMode::Free),
        external_url: doc.get("externalParticipationUrl").and_then(url_of),
        tags,
        category: text(doc, "category")
            .and_then(|c| c.to_ascii_uppercase().parse().ok())
            .unwrap_or(EventCategory::Meeting),
        banner_url,
        language: text(doc, "inLanguage"),
        comments_enabled: doc
            .get("commentsEnabled")
            .and_then(Value::as_bool)
            .unwrap_or(true),
        guest_participation: doc
            .get("anonymousParticipationEnabled")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        // Only public events of other servers are stored (we show what we store to anyone).
        visibility: crate::model::Visibility::Public,
        sequence: 0,
        participant_count: count("participantCount").unwrap_or(0).max(0),
        published_at,
        updated_at: time(doc, "updated").unwrap_or(published_at),
        series: super::series::link_from_ap(doc),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_organizer_is_the_group_also_when_the_author_is_named_beside_it() {
        let group = "https://v.example/c/kahvila";
        let fep_1b12 = json!({ "attributedTo": [
            { "type": "Person", "id": "https://v.example/u/aino" },
            { "type": "Group", "id": group },
        ] });
        assert_eq!(
            organizer_of(&fep_1b12).map(String::from),
            Some(group.into())
        );
        let mobilizon = json!({ "attributedTo": group, "actor": "https://v.example/u/aino" });
        assert_eq!(
            organizer_of(&mobilizon).map(String::from),
            Some(group.into())
        );
        assert_eq!(organizer_of(&json!({})), None);
    }

    #[test]
    fn reads_a_mobilizon_event() {
        let doc: Value =
            serde_json::from_str(include_str!("../../tests/fixtures/mobilizon_event.json"))
                .expect("fixture");
        let organizer = Url::parse("https://mobilizon.example/@lappi").expect("url");
        let e = event_from_ap(&doc, "x".into(), organizer.clone()).expect("readable");
        assert_eq!(e.title, "Etätyöpäivä Lapissa");
        assert_eq!(e.starts_at.to_rfc3339(), "2030-03-05T07:00:00+00:00");
        assert_eq!(e.timezone, "Europe/Helsinki");
        assert_eq!(e.join_mode, JoinMode::Approval, "Mobilizon's restricted");
        assert_eq!(e.capacity, Some(20));
        assert_eq!(e.participant_count, 4);
        assert_eq!(e.category, EventCategory::Workshop);
        assert_eq!(e.status, EventStatus::Confirmed);
        assert_eq!(e.language.as_deref(), Some("fi"));
        let place = e.place.expect("place");
        assert_eq!(
            (place.locality.as_deref(), place.latitude),
            (Some("Sirkka"), Some(67.8))
        );
        assert_eq!(
            e.banner_url.map(|u| u.to_string()).as_deref(),
            Some("https://mobilizon.example/media/banner.jpg")
        );
        assert_eq!(e.tags, vec!["etätyö".to_string()]);
        assert!(
            !e.description_html.contains("script"),
            "remote HTML is sanitized"
        );
        assert_eq!(e.organizer_ap_id, organizer);
        assert!(!e.local);
    }

    fn gancio_location(file: &str) -> (Option<EventPlace>, Option<Url>) {
        let path = format!(
            "{}/tests/fixtures/gancio/{file}",
            env!("CARGO_MANIFEST_DIR")
        );
        let doc: Value =
            serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("json");
        locations(Some(&doc))
    }

    #[test]
    fn reads_gancios_locations() {
        let (place, online) = gancio_location("place_string_address.json");
        let place = place.expect("place");
        assert_eq!(
            (place.name.as_deref(), place.street.as_deref()),
            (
                Some("Location with a simple string address"),
                Some("Simple string address")
            ),
            "a plain-text address is kept"
        );
        assert_eq!(online, None);

        let (place, online) = gancio_location("virtual_location.json");
        assert_eq!(
            place, None,
            "a Place whose address is a VirtualLocation is online"
        );
        assert_eq!(
            online.map(String::from).as_deref(),
            Some("https://virtual.location.org/")
        );

        let (place, online) = gancio_location("multiple_mixed_locations.json");
        assert_eq!(
            place.and_then(|p| p.name).as_deref(),
            Some("Location with a name"),
            "the first place of a list, without an address"
        );
        assert_eq!(
            online.map(String::from).as_deref(),
            Some("https://virtual.location.org/")
        );
    }

    #[test]
    fn offset_only_times_keep_their_offset() {
        let organizer = Url::parse("https://gancio.example/federation/u/relay").expect("url");
        let doc = json!({ "type": "Event", "id": "https://gancio.example/federation/m/1",
            "name": "Concerto", "startTime": "2026-05-16T18:00:00.000+02:00" });
        let e = event_from_ap(&doc, "x".into(), organizer.clone()).expect("event");
        assert_eq!(e.timezone, "UTC+02:00");
        assert_eq!(e.starts_at.to_rfc3339(), "2026-05-16T16:00:00+00:00");
        assert!(
            summary_line(&e).starts_with("Sat 16 May 2026 18:00 (UTC+02:00)"),
            "{}",
            summary_line(&e)
        );
        let named = json!({ "type": "Event", "id": "https://m.example/events/1", "name": "Kokous",
            "startTime": "2026-05-16T16:00:00Z", "timezone": "Europe/Rome" });
        let e = event_from_ap(&named, "x".into(), organizer.clone()).expect("event");
        assert_eq!(e.timezone, "Europe/Rome", "a real timezone wins");
        let utc = json!({ "type": "Event", "id": "https://m.example/events/2", "name": "Kokous",
            "startTime": "2026-05-16T16:00:00Z", "timezone": "UTC+02:00" });
        let e = event_from_ap(&utc, "x".into(), organizer).expect("event");
        assert_eq!(
            e.timezone, "UTC",
            "a `timezone` that is no IANA name is not believed"
        );
    }

    #[test]
    fn refuses_what_is_not_an_event() {
        let organizer = Url::parse("https://x.example/g").expect("url");
        for doc in [
            json!({ "type": "Note", "id": "https://x.example/1" }),
            json!({ "type": "Event", "id": "https://x.example/1" }),
        ] {
            assert!(
                event_from_ap(&doc, "x".into(), organizer.clone()).is_err(),
                "{doc}"
            );
        }
    }
}
