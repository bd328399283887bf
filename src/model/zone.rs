//! The zone an event's times are shown in: an IANA time zone, or a fixed UTC offset for remote events
//! that gave their times with an offset and no `timezone` (Gancio, Friendica, most non-Mobilizon
//! software).
//!
//! An event keeps its zone as text (`Event::timezone`): an IANA name (`Europe/Helsinki`), or a fixed
//! offset written `UTC+02:00`. [`EventZone`] reads either and gives local times; pages, the API and
//! calendars all go through it, so a 18.00 event in Bologna sent as `18:00+02:00` shows as 18.00.
//!
//! Why not the IANA `Etc/GMT-2` names for fixed offsets: they exist only for whole hours (no
//! `+05:30`, `+05:45`, `+09:30`), their signs are inverted (`Etc/GMT-2` is two hours *ahead* of
//! UTC, which anyone reading a page or a calendar would take the other way), and a calendar client
//! shown `Etc/GMT-2` tends to present it as a place it is not. `UTC+02:00` says what we know (the
//! offset on that day) and nothing more; it is never taken for a place with daylight saving.

use chrono::{DateTime, FixedOffset, NaiveDateTime, Offset, TimeZone, Utc};

/// The prefix of a fixed-offset zone's text: `UTC+02:00`.
const FIXED_PREFIX: &str = "UTC";

/// An event's zone, read from its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventZone {
    /// A named IANA zone, with its daylight-saving rules.
    Iana(chrono_tz::Tz),
    /// A fixed offset from UTC, as an offset-only remote time gave it.
    Fixed(FixedOffset),
}

impl EventZone {
    /// Reads an IANA name or a fixed offset (`UTC+02:00`, also `+02:00`); `None` for anything else.
    pub fn parse(text: &str) -> Option<EventZone> {
        let text = text.trim();
        if let Ok(tz) = text.parse::<chrono_tz::Tz>() {
            return Some(EventZone::Iana(tz));
        }
        let offset = text.strip_prefix(FIXED_PREFIX).unwrap_or(text);
        parse_offset(offset).map(EventZone::Fixed)
    }

    /// The zone of a remote time given with an offset only: UTC itself for `Z`/`+00:00` (a named
    /// zone), a fixed offset otherwise.
    pub fn from_offset(offset: FixedOffset) -> EventZone {
        if offset.local_minus_utc() == 0 {
            EventZone::Iana(chrono_tz::UTC)
        } else {
            EventZone::Fixed(offset)
        }
    }

    /// The zone's text as stored in `Event::timezone`: the IANA name, or `UTC+02:00`.
    pub fn name(&self) -> String {
        match self {
            EventZone::Iana(tz) => tz.name().to_string(),
            EventZone::Fixed(offset) => format!("{FIXED_PREFIX}{}", offset_text(*offset)),
        }
    }

    /// Whether this is an IANA zone (what Mobilizon's `timezone` and iCalendar `TZID`s expect).
    pub fn is_iana(&self) -> bool {
        matches!(self, EventZone::Iana(_))
    }

    /// `at` in this zone, with the offset in force then.
    pub fn local(&self, at: DateTime<Utc>) -> DateTime<FixedOffset> {
        match self {
            EventZone::Iana(tz) => {
                let local = at.with_timezone(tz);
                local.with_timezone(&local.offset().fix())
            }
            EventZone::Fixed(offset) => at.with_timezone(offset),
        }
    }

    /// `at` as a wall-clock time in this zone.
    pub fn naive_local(&self, at: &DateTime<Utc>) -> NaiveDateTime {
        self.local(*at).naive_local()
    }

    /// A wall-clock time in this zone as a moment (the earlier one when a clock change repeats it);
    /// `None` for a time a clock change skips.
    pub fn from_local(&self, local: &NaiveDateTime) -> Option<DateTime<Utc>> {
        match self {
            EventZone::Iana(tz) => tz
                .from_local_datetime(local)
                .earliest()
                .map(|t| t.with_timezone(&Utc)),
            EventZone::Fixed(offset) => offset
                .from_local_datetime(local)
                .single()
                .map(|t| t.with_timezone(&Utc)),
        }
    }
}

/// The zone of an event's stored text, UTC when it is neither (never fails: a page must render).
pub fn zone_of(text: &str) -> EventZone {
    EventZone::parse(text).unwrap_or(EventZone::Iana(chrono_tz::UTC))
}

/// `+02:00`, `-03:30`.
fn offset_text(offset: FixedOffset) -> String {
    let seconds = offset.local_minus_utc();
    let sign = if seconds < 0 { '-' } else { '+' };
    let s = seconds.unsigned_abs();
    format!("{sign}{:02}:{:02}", s / 3600, (s % 3600) / 60)
}

/// `+02:00`, `-0330`, `+05`: within ±18 hours, whole minutes.
fn parse_offset(text: &str) -> Option<FixedOffset> {
    let (sign, rest) = match text.as_bytes().first()? {
        b'+' => (1, &text[1..]),
        b'-' => (-1, &text[1..]),
        _ => return None,
    };
    let digits: String = rest.chars().filter(|c| *c != ':').collect();
    if !digits.chars().all(|c| c.is_ascii_digit()) || !matches!(digits.len(), 2 | 4) {
        return None;
    }
    let hours: i32 = digits.get(0..2)?.parse().ok()?;
    let minutes: i32 = digits
        .get(2..)
        .filter(|m| !m.is_empty())
        .map_or(Some(0), |m| m.parse().ok())?;
    if hours > 18 || minutes > 59 {
        return None;
    }
    FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_iana_names_and_fixed_offsets() {
        assert_eq!(
            EventZone::parse("Europe/Rome").map(|z| z.name()).as_deref(),
            Some("Europe/Rome")
        );
        for text in ["UTC+02:00", "+02:00", "+0200", "UTC+02"] {
            assert_eq!(
                EventZone::parse(text).map(|z| z.name()).as_deref(),
                Some("UTC+02:00"),
                "{text}"
            );
        }
        assert_eq!(
            EventZone::parse("UTC-03:30").map(|z| z.name()).as_deref(),
            Some("UTC-03:30")
        );
        for bad in [
            "",
            "Mars/Olympus",
            "+25:00",
            "+02:61",
            "UTC+",
            "+2",
            "+02:00x",
        ] {
            assert_eq!(EventZone::parse(bad), None, "{bad}");
        }
        assert_eq!(
            EventZone::parse("UTC"),
            Some(EventZone::Iana(chrono_tz::UTC))
        );
    }

    #[test]
    fn local_time_of_a_fixed_offset_and_of_a_named_zone() {
        let at: DateTime<Utc> = "2026-05-16T16:00:00Z".parse().expect("time");
        let bologna = EventZone::from_offset(FixedOffset::east_opt(7200).expect("offset"));
        assert_eq!(bologna.local(at).to_rfc3339(), "2026-05-16T18:00:00+02:00");
        let rome = EventZone::parse("Europe/Rome").expect("zone");
        assert_eq!(rome.local(at).to_rfc3339(), "2026-05-16T18:00:00+02:00");
        let winter: DateTime<Utc> = "2026-01-16T17:00:00Z".parse().expect("time");
        assert_eq!(rome.local(winter).to_rfc3339(), "2026-01-16T18:00:00+01:00");
        assert_eq!(
            bologna.local(winter).to_rfc3339(),
            "2026-01-16T19:00:00+02:00"
        );
        assert_eq!(
            bologna.from_local(&bologna.naive_local(&at)),
            Some(at),
            "round trip"
        );
        assert_eq!(
            EventZone::from_offset(FixedOffset::east_opt(0).expect("offset")).name(),
            "UTC"
        );
    }
}
