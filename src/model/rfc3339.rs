//! Dates as RFC 3339 text through serde, for the long lists: the same text chrono's own
//! `Serialize` writes, without its cost. chrono formats through `collect_str`, which serde_json
//! escapes one character at a time (5% of the samples of an API page of 1,000 events), and reads
//! through its general format parser; its dedicated RFC 3339 writer and parser are a few times faster.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserializer, Serializer, de};

/// Writes `2026-05-16T16:00:00Z` (fractions of a second as chrono writes them: none, 3, 6 or 9 digits).
pub(crate) fn serialize<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&t.to_rfc3339_opts(SecondsFormat::AutoSi, true))
}

/// Reads what chrono's own `Deserialize` reads: RFC 3339 by the fast parser, anything else chrono
/// accepts by its general one.
pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
    d.deserialize_str(Rfc3339)
}

struct Rfc3339;

impl de::Visitor<'_> for Rfc3339 {
    type Value = DateTime<Utc>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a date and time (RFC 3339)")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<DateTime<Utc>, E> {
        match DateTime::parse_from_rfc3339(text) {
            Ok(t) => Ok(t.with_timezone(&Utc)),
            Err(_) => text.parse::<DateTime<Utc>>().map_err(E::custom),
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, TimeZone, Timelike, Utc};

    #[derive(serde::Serialize, serde::Deserialize)]
    struct Ours(#[serde(with = "super")] DateTime<Utc>);

    #[derive(serde::Serialize, serde::Deserialize)]
    struct Chronos(DateTime<Utc>);

    #[test]
    fn writes_what_chrono_writes_and_reads_what_it_reads() {
        let base = Utc
            .with_ymd_and_hms(2026, 1, 26, 9, 30, 59)
            .single()
            .expect("a date");
        let nanos = [0, 120_000_000, 250_428_000, 1, 999_999_999, 1_500_000_000];
        for n in nanos {
            let t = base.with_nanosecond(n).expect("in range");
            let ours = serde_json::to_string(&Ours(t)).expect("ours");
            assert_eq!(ours, serde_json::to_string(&Chronos(t)).expect("chrono's"));
            let back: Ours = serde_json::from_str(&ours).expect("read back");
            assert_eq!(back.0, t, "{ours}");
        }
        for text in [
            "\"2026-01-26T09:30:00.250428+00:00\"",
            "\"2026-01-26T11:30:00+02:00\"",
            "\"2026-01-26 09:30:00Z\"",
            "\"2026-01-26T09:30:00\\u002E5Z\"",
        ] {
            let chronos: Chronos = serde_json::from_str(text).expect(text);
            let ours: Ours = serde_json::from_str(text).expect(text);
            assert_eq!(ours.0, chronos.0, "{text}");
        }
        for bad in ["\"2026-01-26\"", "\"tomorrow\"", "42"] {
            assert!(serde_json::from_str::<Chronos>(bad).is_err(), "{bad}");
            assert!(serde_json::from_str::<Ours>(bad).is_err(), "{bad}");
        }
    }
}
