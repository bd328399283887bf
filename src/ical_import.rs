//! Reading calendars from elsewhere (issue 17): the `VEVENT`s of an iCalendar file exported by Google
//! Calendar, Outlook/Exchange, Nextcloud or any RFC 5545 writer, as the events and series they are.
//!
//! The content lines are read here rather than by the `icalendar` crate's parser, for two reasons
//! real files gave: an error must name the line of the file it is on (the crate's parser reports
//! positions in the unfolded text, and stops at the first property it cannot read), and Exchange
//! writes `DTSTART;TZID="W. Europe Standard Time:20200609T090000"` (the quote closed after the value),
//! which calendar clients read as meant; so do we. Everything a line means is then read with the
//! crates made for it: `rrule` for recurrence rules, `chrono-tz` for zones and `windows-timezones`
//! (CLDR's table) for the Windows zone names Outlook writes in `TZID`.
//!
//! Nothing is changed until the whole file has been read: a file that fails anywhere imports nothing.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use sha2::{Digest, Sha256};

use crate::model::{Recurrence, resolve_local};

/// The largest calendar read, in bytes.
pub const MAX_CALENDAR_BYTES: usize = 4 * 1024 * 1024;
/// The most events one calendar may hold.
pub const MAX_EVENTS: usize = 5000;

/// Why a calendar file cannot be read: its line (from 1) and what is wrong there.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {why}")]
pub struct ReadError {
    /// The line of the file, from 1 (0 for the file as a whole).
    pub line: usize,
    /// What is wrong.
    pub why: String,
}

fn fail<T>(line: usize, why: impl Into<String>) -> Result<T, ReadError> {
    Err(ReadError {
        line,
        why: why.into(),
    })
}

/// One `VEVENT` as read: a single event, a series (with `rrule`), or a change of one date of a series
/// (with `recurrence_id`).
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedEvent {
    /// The line its `BEGIN:VEVENT` is on.
    pub line: usize,
    /// `UID`.
    pub uid: String,
    /// `RECURRENCE-ID`: which date of the series `uid` this changes.
    pub recurrence_id: Option<DateTime<Utc>>,
    /// `SUMMARY`.
    pub title: String,
    /// `DESCRIPTION`.
    pub description: Option<String>,
    /// `LOCATION`.
    pub location: Option<String>,
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End (`DTEND`, or start + `DURATION`).
    pub ends_at: DateTime<Utc>,
    /// The IANA zone its times are in.
    pub timezone: String,
    /// A whole-day event (`VALUE=DATE`).
    pub all_day: bool,
    /// `RRULE`, checked and with `UNTIL` in UTC.
    pub rrule: Option<String>,
    /// `EXDATE`s.
    pub exdates: Vec<DateTime<Utc>>,
    /// `STATUS:CANCELLED`.
    pub cancelled: bool,
    /// What a later sync compares to see whether it changed.
    pub fingerprint: String,
    /// What was read but not taken (a rule we do not run, say).
    pub notes: Vec<String>,
}

/// One content line: name, parameters, value, and where it starts in the file.
struct Line {
    number: usize,
    name: String,
    params: Vec<(String, String)>,
    value: String,
}

impl Line {
    fn param(&self, key: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_str())
    }
}

/// Unfolds the file (RFC 5545 3.1) and splits each line into name, parameters and value.
fn content_lines(text: &str) -> Result<Vec<Line>, ReadError> {
    let mut logical: Vec<(usize, String)> = vec![];
    for (i, raw) in text.split('\n').enumerate() {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        if let Some(rest) = raw.strip_prefix([' ', '\t']) {
            match logical.last_mut() {
                Some((_, line)) => line.push_str(rest),
                None => return fail(i + 1, "a continued line before any line"),
            }
        } else if !raw.trim().is_empty() {
            logical.push((i + 1, raw.to_string()));
        }
    }
    logical
        .into_iter()
        .map(|(number, line)| split_line(number, &line))
        .collect()
}

fn split_line(number: usize, line: &str) -> Result<Line, ReadError> {
    let name_end = line.find([';', ':']).unwrap_or(line.len());
    let name = &line[..name_end];
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return fail(
            number,
            format!("not a calendar line (NAME:value): {:.60}", line),
        );
    }
    let mut params = vec![];
    let mut rest = &line[name_end..];
    while let Some(after) = rest.strip_prefix(';') {
        let eq = after.find('=').ok_or_else(|| ReadError {
            line: number,
            why: format!("parameter without a value in {name}"),
        })?;
        let key = after[..eq].to_string();
        let tail = &after[eq + 1..];
        let (value, remaining) = if let Some(quoted) = tail.strip_prefix('"') {
            match quoted.find('"') {
                Some(close) if quoted[close + 1..].starts_with([':', ';', ',']) => {
                    (quoted[..close].to_string(), &quoted[close + 1..])
                }
                // Exchange's `TZID="Zone:20200609T090000"`: the quote closes after the value.
                Some(close) if close + 1 == quoted.len() && quoted[..close].contains(':') => {
                    let inner = &quoted[..close];
                    let colon = inner.rfind(':').unwrap_or(inner.len());
                    (inner[..colon].to_string(), &inner[colon..])
                }
                _ => {
                    return fail(
                        number,
                        format!("a quoted parameter of {name} is not closed"),
                    );
                }
            }
        } else {
            let end = tail.find([';', ':']).unwrap_or(tail.len());
            (tail[..end].to_string(), &tail[end..])
        };
        params.push((key, value));
        rest = remaining;
    }
    let Some(value) = rest.strip_prefix(':') else {
        return fail(number, format!("{name} has no value (NAME:value)"));
    };
    Ok(Line {
        number,
        name: name.to_ascii_uppercase(),
        params,
        value: value.to_string(),
    })
}

/// A TEXT value unescaped (RFC 5545 3.3.11).
fn text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n' | 'N') => out.push('\n'),
                Some(other) => out.push(other),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// An IANA zone for a `TZID`: an IANA name, a Windows name (Outlook), or an IANA name behind a
/// prefix (`/mozilla.org/20050126_1/Europe/Helsinki`).
pub fn zone_of_tzid(tzid: &str) -> Option<chrono_tz::Tz> {
    let tzid = tzid.trim().trim_matches('"');
    if let Ok(tz) = tzid.parse::<chrono_tz::Tz>() {
        return Some(tz);
    }
    if let Ok(windows) = tzid.parse::<windows_timezones::WindowsTimezone>() {
        return windows.tzdb_id().parse().ok();
    }
    let segments: Vec<&str> = tzid.split('/').filter(|s| !s.is_empty()).collect();
    (1..segments.len())
        .rev()
        .find_map(|n| segments[segments.len() - n..].join("/").parse().ok())
}

/// A date or date-time value read into UTC: with its `TZID`, as UTC (`Z`), or floating in `zone`.
/// Whether it is a whole date.
fn moment(
    line: &Line,
    value: &str,
    zone: chrono_tz::Tz,
) -> Result<(DateTime<Utc>, bool), ReadError> {
    let value = value.trim();
    let is_date = line
        .param("VALUE")
        .is_some_and(|v| v.eq_ignore_ascii_case("DATE"))
        || (value.len() == 8 && value.chars().all(|c| c.is_ascii_digit()));
    let zone = match line.param("TZID") {
        Some(tzid) => zone_of_tzid(tzid).ok_or_else(|| ReadError {
            line: line.number,
            why: format!("unknown time zone {tzid:?} in {}", line.name),
        })?,
        None => zone,
    };
    if is_date {
        let day = NaiveDate::parse_from_str(value, "%Y%m%d")
            .ok()
            .filter(|_| value.len() == 8)
            .ok_or_else(|| ReadError {
                line: line.number,
                why: format!("{} is not a date: {value}", line.name),
            })?;
        return Ok((
            resolve_local(zone, day.and_time(chrono::NaiveTime::MIN)),
            true,
        ));
    }
    let (local, utc) = match value.strip_suffix(['Z', 'z']) {
        Some(v) => (v, true),
        None => (value, false),
    };
    // Exactly YYYYMMDDTHHMMSS: chrono alone would read `2027013T090000` as 3 January.
    let exact = local.len() == 15 && local.as_bytes().get(8) == Some(&b'T');
    let at = NaiveDateTime::parse_from_str(local, "%Y%m%dT%H%M%S")
        .ok()
        .filter(|_| exact)
        .ok_or_else(|| ReadError {
            line: line.number,
            why: format!("{} is not a date-time: {value}", line.name),
        })?;
    Ok((
        if utc {
            at.and_utc()
        } else {
            resolve_local(zone, at)
        },
        false,
    ))
}

/// `DURATION` (RFC 5545 3.3.6): `P1D`, `PT1H30M`, `P2W`.
fn duration(value: &str) -> Option<Duration> {
    let (negative, v) = match value.trim().strip_prefix('-') {
        Some(v) => (true, v),
        None => (false, value.trim().trim_start_matches('+')),
    };
    let v = v.strip_prefix('P')?;
    let (mut total, mut number, mut in_time) = (Duration::zero(), String::new(), false);
    for c in v.chars() {
        match c {
            'T' => in_time = true,
            '0'..='9' => number.push(c),
            unit => {
                let n: i64 = number.parse().ok()?;
                number.clear();
                total += match (unit, in_time) {
                    ('W', false) => Duration::weeks(n),
                    ('D', false) => Duration::days(n),
                    ('H', true) => Duration::hours(n),
                    ('M', true) => Duration::minutes(n),
                    ('S', true) => Duration::seconds(n),
                    _ => return None,
                };
            }
        }
    }
    Some(if negative { -total } else { total })
}

/// A rule from the file made runnable: `UNTIL` as UTC (files write a date, or a local time), checked
/// by [`Recurrence::parse`]. `Err` says why it is not one we run.
fn rule(value: &str, zone: chrono_tz::Tz, all_day: bool) -> Result<String, String> {
    let parts: Vec<String> = value
        .split(';')
        .filter(|p| !p.is_empty())
        .map(|part| {
            let Some(until) = part.strip_prefix("UNTIL=") else {
                return part.to_string();
            };
            let local = if until.len() == 8 {
                NaiveDate::parse_from_str(until, "%Y%m%d")
                    .ok()
                    .and_then(|d| d.and_hms_opt(23, 59, 59))
            } else {
                NaiveDateTime::parse_from_str(until.trim_end_matches('Z'), "%Y%m%dT%H%M%S").ok()
            };
            let utc = match local {
                Some(t) if until.ends_with('Z') => t.and_utc(),
                Some(t) => resolve_local(zone, t),
                None => return part.to_string(),
            };
            // A whole-day series' last day runs to its end.
            let utc = if all_day && until.len() != 8 && utc.time() == chrono::NaiveTime::MIN {
                utc + Duration::days(1) - Duration::seconds(1)
            } else {
                utc
            };
            format!("UNTIL={}", utc.format("%Y%m%dT%H%M%SZ"))
        })
        .collect();
    Recurrence::parse(&parts.join(";")).map(|r| r.text())
}

/// Reads a whole calendar. The calendar's own zone (`X-WR-TIMEZONE`) or else `default_zone` is what
/// floating and whole-day times are read in.
pub fn read(text: &str, default_zone: chrono_tz::Tz) -> Result<Vec<ImportedEvent>, ReadError> {
    if text.len() > MAX_CALENDAR_BYTES {
        return fail(
            0,
            format!(
                "the calendar is larger than {} MB",
                MAX_CALENDAR_BYTES / 1024 / 1024
            ),
        );
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines = content_lines(text)?;
    let Some(first) = lines.first() else {
        return fail(0, "the file is empty");
    };
    if first.name != "BEGIN" || !first.value.eq_ignore_ascii_case("VCALENDAR") {
        return fail(first.number, "a calendar starts with BEGIN:VCALENDAR");
    }
    let zone = lines
        .iter()
        .find(|l| l.name == "X-WR-TIMEZONE")
        .and_then(|l| zone_of_tzid(&l.value))
        .unwrap_or(default_zone);
    let mut stack: Vec<(String, usize)> = vec![];
    let mut events = vec![];
    let mut current: Vec<&Line> = vec![];
    for line in &lines {
        match line.name.as_str() {
            "BEGIN" => {
                let kind = line.value.trim().to_ascii_uppercase();
                if stack.is_empty() && kind != "VCALENDAR" {
                    return fail(line.number, format!("BEGIN:{kind} outside the calendar"));
                }
                if kind == "VEVENT" {
                    current.clear();
                }
                stack.push((kind, line.number));
            }
            "END" => {
                let kind = line.value.trim().to_ascii_uppercase();
                match stack.pop() {
                    Some((open, _)) if open == kind => {}
                    Some((open, at)) => {
                        return fail(
                            line.number,
                            format!("END:{kind} closes BEGIN:{open} of line {at}"),
                        );
                    }
                    None => return fail(line.number, format!("END:{kind} without its BEGIN")),
                }
                if kind == "VEVENT" {
                    let begin = stack_begin(&lines, line.number);
                    events.push(vevent(begin, &current, zone)?);
                    if events.len() > MAX_EVENTS {
                        return fail(line.number, format!("more than {MAX_EVENTS} events"));
                    }
                }
            }
            // Properties of the event itself, not of its alarms.
            _ if stack.last().is_some_and(|(k, _)| k == "VEVENT") => current.push(line),
            _ => {}
        }
    }
    if let Some((open, at)) = stack.pop() {
        return fail(at, format!("BEGIN:{open} is never closed (END:{open})"));
    }
    Ok(events)
}

/// The line of the `BEGIN:VEVENT` the `END:VEVENT` on `end` closes.
fn stack_begin(lines: &[Line], end: usize) -> usize {
    lines
        .iter()
        .rev()
        .filter(|l| l.number < end)
        .find(|l| l.name == "BEGIN" && l.value.trim().eq_ignore_ascii_case("VEVENT"))
        .map_or(end, |l| l.number)
}

fn vevent(begin: usize, lines: &[&Line], zone: chrono_tz::Tz) -> Result<ImportedEvent, ReadError> {
    let get = |name: &str| lines.iter().find(|l| l.name == name).copied();
    let uid = get("UID")
        .map(|l| l.value.trim().to_string())
        .filter(|u| !u.is_empty())
        .ok_or_else(|| ReadError {
            line: begin,
            why: "the event has no UID".into(),
        })?;
    let start_line = get("DTSTART").ok_or_else(|| ReadError {
        line: begin,
        why: "the event has no DTSTART".into(),
    })?;
    let own_zone = start_line
        .param("TZID")
        .and_then(zone_of_tzid)
        .unwrap_or(zone);
    let (starts_at, all_day) = moment(start_line, &start_line.value, own_zone)?;
    let ends_at = match (get("DTEND"), get("DURATION")) {
        (Some(end), _) => moment(end, &end.value, own_zone)?.0,
        (None, Some(d)) => {
            starts_at
                + duration(&d.value).ok_or_else(|| ReadError {
                    line: d.number,
                    why: format!("DURATION is not a duration: {}", d.value),
                })?
        }
        (None, None) if all_day => starts_at + Duration::days(1),
        (None, None) => starts_at,
    };
    if ends_at < starts_at {
        return fail(begin, "the event ends before it starts");
    }
    let recurrence_id = get("RECURRENCE-ID")
        .map(|l| moment(l, &l.value, own_zone).map(|m| m.0))
        .transpose()?;
    let mut notes = vec![];
    let rrule = match get("RRULE") {
        Some(l) => match rule(&l.value, own_zone, all_day) {
            Ok(r) => Some(r),
            Err(why) => {
                notes.push(format!(
                    "line {}: the rule {} is not run ({why}); the first date is imported",
                    l.number, l.value
                ));
                None
            }
        },
        None => None,
    };
    let mut exdates = vec![];
    for l in lines.iter().filter(|l| l.name == "EXDATE") {
        for value in l.value.split(',').filter(|v| !v.trim().is_empty()) {
            exdates.push(moment(l, value, own_zone)?.0);
        }
    }
    exdates.sort();
    exdates.dedup();
    let title = get("SUMMARY").map(|l| text(&l.value)).unwrap_or_default();
    let description = get("DESCRIPTION")
        .map(|l| text(&l.value))
        .filter(|d| !d.trim().is_empty());
    let location = get("LOCATION")
        .map(|l| text(&l.value))
        .filter(|d| !d.trim().is_empty());
    let cancelled = get("STATUS").is_some_and(|l| l.value.trim().eq_ignore_ascii_case("CANCELLED"));
    let timezone = own_zone.name().to_string();
    let fingerprint = hex::encode(Sha256::digest(
        format!(
            "{title}\u{0}{description:?}\u{0}{location:?}\u{0}{starts_at}\u{0}{ends_at}\u{0}{timezone}\u{0}{rrule:?}\u{0}{exdates:?}\u{0}{cancelled}"
        )
        .as_bytes(),
    ));
    Ok(ImportedEvent {
        line: begin,
        uid,
        recurrence_id,
        title,
        description,
        location,
        starts_at,
        ends_at,
        timezone,
        all_day,
        rrule,
        exdates,
        cancelled,
        fingerprint,
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const HELSINKI: chrono_tz::Tz = chrono_tz::Europe::Helsinki;

    fn fixture(name: &str) -> String {
        std::fs::read_to_string(format!(
            "{}/tests/fixtures/ical/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .expect("fixture")
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .expect("time")
            .with_timezone(&Utc)
    }

    #[test]
    fn reads_googles_series_with_its_exdate_and_moved_first_date() {
        let events = read(&fixture("google_recurring.ics"), HELSINKI).expect("reads");
        assert_eq!(events.len(), 2);
        let master = &events[0];
        assert_eq!(master.rrule.as_deref(), Some("FREQ=YEARLY"));
        assert_eq!(master.timezone, "America/Los_Angeles");
        assert_eq!(master.starts_at, utc("2014-08-02T02:00:00Z"));
        assert_eq!(master.exdates, vec![utc("2016-08-02T02:00:00Z")]);
        assert_eq!(events[1].recurrence_id, Some(utc("2014-08-02T02:00:00Z")));
        assert_eq!(events[1].starts_at, utc("2014-08-02T01:30:00Z"));
    }

    #[test]
    fn reads_outlooks_windows_zones_and_its_misquoted_start() {
        let events = read(&fixture("outlook_windows_zones.ics"), HELSINKI).expect("reads");
        assert_eq!(events.len(), 4);
        assert_eq!(
            events[0].timezone, "Europe/Berlin",
            "W. Europe Standard Time"
        );
        assert_eq!(
            events[1].starts_at,
            utc("2020-06-09T07:00:00Z"),
            "09:00 CEST"
        );
        assert_eq!(
            events[3].timezone, "America/Los_Angeles",
            "Pacific Standard Time"
        );
        assert_eq!(events[3].exdates.len(), 6);
        assert!(
            events[3]
                .rrule
                .as_deref()
                .is_some_and(|r| r.contains("UNTIL=20210309T200000Z"))
        );
    }

    #[test]
    fn reads_whole_days_floating_times_and_nextcloud() {
        let days = read(&fixture("google_allday_moved.ics"), HELSINKI).expect("reads");
        let all_day = days
            .iter()
            .find(|e| e.all_day && e.recurrence_id.is_none())
            .expect("all-day");
        assert_eq!(all_day.timezone, "Australia/Sydney");
        assert_eq!(all_day.ends_at - all_day.starts_at, Duration::days(1));
        let floating = read(&fixture("floating.ics"), HELSINKI).expect("reads");
        assert!(
            floating
                .iter()
                .all(|e| e.timezone == "US/Eastern" || e.timezone == "America/New_York")
        );
        let nextcloud = read(&fixture("nextcloud_recurring.ics"), HELSINKI).expect("reads");
        assert!(nextcloud.iter().any(|e| e.rrule.is_some()));
        assert!(nextcloud.iter().any(|e| e.recurrence_id.is_some()));
        let outlook = read(&fixture("outlook_allday_recurring.ics"), HELSINKI).expect("reads");
        assert!(outlook.iter().any(|e| e.rrule.is_some() && e.all_day));
    }

    #[test]
    fn a_malformed_file_names_its_line() {
        let bad = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART:2027013T090000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let err = read(bad, HELSINKI).expect_err("refused");
        assert_eq!(err.line, 5, "{err}");
        let unclosed = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\nDTSTART:20270125T090000\n";
        assert_eq!(read(unclosed, HELSINKI).expect_err("refused").line, 2);
        let garbage = "BEGIN:VCALENDAR\nthis is no calendar\nEND:VCALENDAR\n";
        assert_eq!(read(garbage, HELSINKI).expect_err("refused").line, 2);
        assert_eq!(read("<html>", HELSINKI).expect_err("refused").line, 1);
    }

    #[test]
    fn durations_read_as_rfc_5545_writes_them() {
        assert_eq!(duration("PT1H30M"), Some(Duration::minutes(90)));
        assert_eq!(duration("P1D"), Some(Duration::days(1)));
        assert_eq!(duration("P2W"), Some(Duration::weeks(2)));
        assert_eq!(duration("1H"), None);
    }
}
