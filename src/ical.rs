//! iCalendar feeds (RFC 5545): one event, a community's events, a person's events.
//!
//! The `icalendar` crate writes the events (line folding, escaping, `DTSTAMP`); it does not write
//! `VTIMEZONE`s, which RFC 5545 (3.2.19) requires for every `TZID` used, so [`vtimezone`] builds them
//! from jiff's bundled time zone database, with one observance per transition inside the feed's window.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use icalendar::{CalendarDateTime, Component, EventLike, Property};

use crate::model::{Event, EventStatus, Series};

/// A whole feed: `name` as the calendar's name, each event with its time zone.
///
/// Occurrences of a series in `series` (local series, whose rule and first start we know) are
/// written as calendars write a series (issue 17): one `VEVENT` with the `RRULE` and an `EXDATE` for
/// each cancelled or deleted date, and one `VEVENT` with `RECURRENCE-ID` for each occurrence changed
/// on its own; the others are the rule's. Other events are written one by one.
///
/// Assembled by structure: the calendar's properties (each once), then one `VTIMEZONE` per zone
/// used, then the events. The crate's `Calendar` cannot hold a `VTIMEZONE` (it would add `UID`
/// and `DTSTAMP` to it), so the parts are written in order here rather than spliced into its text.
pub fn feed(name: &str, events: &[Event], series: &[Series]) -> String {
    let mut windows: Windows = BTreeMap::new();
    let series: BTreeMap<&str, &Series> = series
        .iter()
        .filter(|s| s.is_local())
        .map(|s| (s.ap_id.as_str(), s))
        .collect();
    let mut masters: BTreeMap<&str, (&Series, &Event, Vec<DateTime<Utc>>)> = BTreeMap::new();
    // Each event is written out as soon as it is built, and its component dropped: a network's feed
    // holds thousands, and keeping every one until the end doubled the allocations (the profile of a
    // 10,000-event feed was a quarter malloc and free).
    let mut vevents = String::with_capacity(events.len().saturating_mul(768));
    for event in events {
        let in_series = event
            .series
            .as_ref()
            .and_then(|link| series.get(link.ap_id.as_str()).map(|s| (link, *s)));
        let Some((link, s)) = in_series else {
            let mut vevent = vevent(event, event.ap_id.as_str(), &mut windows);
            vevents.push_str(&vevent.done().try_into_string().unwrap_or_default());
            continue;
        };
        let master = masters
            .entry(s.ap_id.as_str())
            .or_insert_with(|| (s, event, s.exdates.clone()));
        if event.status == EventStatus::Cancelled {
            master.2.push(link.recurrence_id);
        } else if link.overridden {
            let mut vevent = vevent(event, s.ap_id.as_str(), &mut windows);
            vevent.append_property(zoned("RECURRENCE-ID", &s.timezone, link.recurrence_id));
            vevents.push_str(&vevent.done().try_into_string().unwrap_or_default());
        } else if master.1.series.as_ref().is_some_and(|l| l.overridden)
            || master.1.status == EventStatus::Cancelled
        {
            // The rule's own fields are best seen on an occurrence nobody changed alone.
            master.1 = event;
        }
    }
    for (s, prototype, mut exdates) in masters.into_values() {
        let mut master = prototype.clone();
        if let Some(template) = &s.template {
            template.apply(&mut master);
        }
        master.starts_at = s.first_starts_at;
        master.ends_at = s.first_starts_at + chrono::Duration::seconds(s.duration_seconds);
        master.timezone = s.timezone.clone();
        let mut vevent = vevent(&master, s.ap_id.as_str(), &mut windows);
        vevent.add_property("RRULE", &s.recurrence);
        exdates.sort();
        exdates.dedup();
        for exdate in exdates {
            vevent.append_multi_property(zoned("EXDATE", &s.timezone, exdate));
        }
        // The zone's rules must cover every date the rule gives, not only the ones made into events.
        let last = series_end(s);
        let window = windows
            .entry(s.timezone.clone())
            .or_insert((s.first_starts_at, last));
        window.1 = window.1.max(last);
        vevents.push_str(&vevent.done().try_into_string().unwrap_or_default());
    }
    let mut out = String::with_capacity(vevents.len() + 4096);
    out.push_str("BEGIN:VCALENDAR\r\n");
    for property in calendar_properties(name) {
        // Writing into a String cannot fail.
        out.push_str(&TryInto::<String>::try_into(property).unwrap_or_default());
    }
    for (tzid, (from, to)) in &windows {
        if let Some(zone) = vtimezone(
            tzid,
            *from - chrono::Duration::days(1),
            *to + chrono::Duration::days(1),
        ) {
            out.push_str(&zone);
        }
    }
    out.push_str(&vevents);
    out.push_str("END:VCALENDAR\r\n");
    out
}

/// The time each zone's `VTIMEZONE` must cover.
type Windows = BTreeMap<String, (DateTime<Utc>, DateTime<Utc>)>;

/// The last start a series' rule gives, or ten years on for an open-ended one.
fn series_end(s: &Series) -> DateTime<Utc> {
    let ten_years = Utc::now().max(s.first_starts_at) + chrono::Duration::days(3653);
    match s.rule() {
        Some(rule) if rule.is_bounded() => s
            .starts(s.first_starts_at, ten_years, crate::model::MAX_EXPANSION)
            .last()
            .copied()
            .unwrap_or(s.first_starts_at),
        _ => ten_years,
    }
}

/// `NAME;TZID=zone:local time` (EXDATE, RECURRENCE-ID): the same form as the series' `DTSTART`,
/// as RFC 5545 requires of both.
fn zoned(name: &str, tzid: &str, at: DateTime<Utc>) -> Property {
    let zone = crate::model::zone_of(tzid);
    let mut property = Property::new(
        name,
        zone.naive_local(&at).format("%Y%m%dT%H%M%S").to_string(),
    );
    property.add_parameter("TZID", tzid);
    property
}

/// One `VEVENT` of `event` under `uid`, its zone's window widened to cover it.
fn vevent(event: &Event, uid: &str, windows: &mut Windows) -> icalendar::Event {
    // Named zones and fixed offsets alike are written as local time with a TZID and its
    // VTIMEZONE; only a zone we cannot read (none is stored so) falls back to UTC times.
    let zone = crate::model::EventZone::parse(&event.timezone);
    let mut vevent = icalendar::Event::new();
    vevent
        .uid(uid)
        .summary(&one_newline(&event.title))
        .sequence(u32::try_from(event.sequence).unwrap_or(0))
        .url(event.url.as_str())
        .timestamp(event.updated_at)
        .last_modified(event.updated_at)
        .created(event.published_at)
        .status(match event.status {
            EventStatus::Confirmed => icalendar::EventStatus::Confirmed,
            EventStatus::Tentative => icalendar::EventStatus::Tentative,
            EventStatus::Cancelled => icalendar::EventStatus::Cancelled,
        });
    match zone {
        Some(zone) => {
            let tzid = zone.name();
            let local = |t: DateTime<Utc>| CalendarDateTime::WithTimezone {
                date_time: zone.naive_local(&t),
                tzid: tzid.clone(),
            };
            vevent
                .starts(local(event.starts_at))
                .ends(local(event.ends_at));
            let window = windows
                .entry(tzid.clone())
                .or_insert((event.starts_at, event.ends_at));
            window.0 = window.0.min(event.starts_at);
            window.1 = window.1.max(event.ends_at);
        }
        None => {
            vevent.starts(event.starts_at).ends(event.ends_at);
        }
    }
    let description = plain_description(event);
    if !description.is_empty() {
        vevent.description(&one_newline(&description));
    }
    let mut location = event
        .place
        .as_ref()
        .map(|p| p.one_line())
        .unwrap_or_default();
    if let Some(online) = &event.online_url {
        if !location.is_empty() {
            location.push_str(" / ");
        }
        location.push_str(online.as_str());
    }
    if !location.is_empty() {
        vevent.location(&one_newline(&location));
    }
    if let Some((lat, lon)) = event
        .place
        .as_ref()
        .and_then(|p| p.latitude.zip(p.longitude))
    {
        vevent.add_property("GEO", format!("{lat};{lon}"));
    }
    let mut organizer = Property::new("ORGANIZER", event.organizer_ap_id.as_str());
    organizer.add_parameter("CN", &organizer_name(event));
    vevent.append_property(organizer);
    if !event.tags.is_empty() {
        vevent.add_property("CATEGORIES", event.tags.join(","));
    }
    vevent
}

/// The calendar's own properties, `PRODID` once (`Calendar::new()` would add the crate's own).
fn calendar_properties(name: &str) -> [Property; 5] {
    [
        Property::new("VERSION", "2.0"),
        Property::new("PRODID", "-//Verkosto//Verkosto//EN"),
        Property::new("CALSCALE", "GREGORIAN"),
        // The crate knows no value type for NAME (RFC 7986) and would write it as given, line
        // breaks included: escape it as TEXT here. X-WR-CALNAME it escapes itself.
        Property::new("NAME", escape_text(name)),
        Property::new("X-WR-CALNAME", one_newline(name)),
    ]
}

/// Text with every line break as `\n`: the crate escapes `\n` in TEXT values but writes a `\r`
/// (from a browser's form, say) as it is, which readers take as the end of the line.
fn one_newline(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\r', "\n")
}

/// A TEXT value escaped as RFC 5545 (3.3.11) says: backslash, semicolon, comma and line breaks.
fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\r' | '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

fn organizer_name(event: &Event) -> String {
    event
        .organizer_ap_id
        .path_segments()
        .and_then(|mut s| s.next_back().map(str::to_string))
        .unwrap_or_default()
}

/// The description as plain text: the Markdown as written for local events, tags stripped otherwise.
fn plain_description(event: &Event) -> String {
    if let Some(source) = &event.description_source {
        return source.clone();
    }
    crate::sanitize::plain_text(&event.description_html)
}

fn offset_text(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let s = seconds.unsigned_abs();
    let (h, m, sec) = (s / 3600, (s % 3600) / 60, s % 60);
    if sec == 0 {
        format!("{sign}{h:02}{m:02}")
    } else {
        format!("{sign}{h:02}{m:02}{sec:02}")
    }
}

fn local_text(ts: jiff::Timestamp, offset_seconds: i32) -> Option<String> {
    let offset = jiff::tz::Offset::from_seconds(offset_seconds).ok()?;
    let dt = offset.to_datetime(ts);
    Some(format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}",
        dt.year(),
        dt.month(),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second()
    ))
}

/// The `VTIMEZONE` of `tzid` covering `from`..`to`: the observance in force at `from`, then one per
/// transition until `to`; for a fixed offset (`UTC+02:00`, see [`crate::model::EventZone`]) one
/// `STANDARD` observance of that offset, which has no transitions. `None` for names jiff does not know.
pub fn vtimezone(tzid: &str, from: DateTime<Utc>, to: DateTime<Utc>) -> Option<String> {
    if let Some(crate::model::EventZone::Fixed(offset)) = crate::model::EventZone::parse(tzid) {
        let offset = offset_text(offset.local_minus_utc());
        return Some(format!(
            "BEGIN:VTIMEZONE\r\nTZID:{tzid}\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\n\
             TZOFFSETFROM:{offset}\r\nTZOFFSETTO:{offset}\r\nTZNAME:{tzid}\r\nEND:STANDARD\r\n\
             END:VTIMEZONE\r\n"
        ));
    }
    let tz = jiff::tz::TimeZone::get(tzid).ok()?;
    let start = jiff::Timestamp::from_second(from.timestamp()).ok()?;
    let end = jiff::Timestamp::from_second(to.timestamp()).ok()?;
    let mut out = format!("BEGIN:VTIMEZONE\r\nTZID:{tzid}\r\n");
    let info = tz.to_offset_info(start);
    let mut previous = info.offset().seconds();
    let block = |kind: &str, dtstart: String, from: i32, to: i32, name: &str| {
        format!(
            "BEGIN:{kind}\r\nDTSTART:{dtstart}\r\nTZOFFSETFROM:{}\r\nTZOFFSETTO:{}\r\nTZNAME:{name}\r\nEND:{kind}\r\n",
            offset_text(from),
            offset_text(to)
        )
    };
    let kind = |dst: bool| if dst { "DAYLIGHT" } else { "STANDARD" };
    out.push_str(&block(
        kind(info.dst().is_dst()),
        local_text(start, previous)?,
        previous,
        previous,
        info.abbreviation(),
    ));
    for transition in tz.following(start) {
        if transition.timestamp() > end {
            break;
        }
        let next = transition.offset().seconds();
        out.push_str(&block(
            kind(transition.dst().is_dst()),
            local_text(transition.timestamp(), previous)?,
            previous,
            next,
            transition.abbreviation(),
        ));
        previous = next;
    }
    out.push_str("END:VTIMEZONE\r\n");
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_escaped_text() {
        assert_eq!(
            escape_text("a;b,c\\d\r\nBEGIN:VEVENT\ne\u{7}"),
            "a\\;b\\,c\\\\d\\nBEGIN:VEVENT\\ne"
        );
    }

    #[test]
    fn helsinki_has_both_transitions_of_2026() {
        let from = "2026-01-01T00:00:00Z".parse().expect("date");
        let to = "2026-12-31T00:00:00Z".parse().expect("date");
        let vtz = vtimezone("Europe/Helsinki", from, to).expect("known zone");
        assert!(vtz.contains("BEGIN:DAYLIGHT\r\nDTSTART:20260329T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0300\r\nTZNAME:EEST"), "{vtz}");
        assert!(vtz.contains("BEGIN:STANDARD\r\nDTSTART:20261025T040000\r\nTZOFFSETFROM:+0300\r\nTZOFFSETTO:+0200\r\nTZNAME:EET"), "{vtz}");
        assert!(vtimezone("Mars/Olympus", from, to).is_none());
    }

    #[test]
    fn a_fixed_offset_has_one_standard_observance() {
        let from = "2026-01-01T00:00:00Z".parse().expect("date");
        let to = "2026-12-31T00:00:00Z".parse().expect("date");
        let vtz = vtimezone("UTC+05:30", from, to).expect("fixed offset");
        assert_eq!(
            vtz,
            "BEGIN:VTIMEZONE\r\nTZID:UTC+05:30\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\n\
             TZOFFSETFROM:+0530\r\nTZOFFSETTO:+0530\r\nTZNAME:UTC+05:30\r\nEND:STANDARD\r\n\
             END:VTIMEZONE\r\n"
        );
    }
}
