//! Checks of the fields of a new or changed event.

use chrono::{DateTime, Utc};
use url::Url;

use crate::error::{Error, Refusal, Result};
use crate::model::{EventPlace, JoinMode};
use crate::service::communities::bounded;

const MAX_TITLE: usize = 200;
const MAX_DESCRIPTION: usize = 50_000;

pub(super) fn parse_time(field: &'static str, raw: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(raw.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| Error::invalid(field, Refusal::NotAnRfc3339Time))
}

pub(super) fn check_timezone(raw: &str) -> Result<String> {
    raw.parse::<chrono_tz::Tz>()
        .map(|_| raw.to_string())
        .map_err(|_| {
            Error::invalid(
                "timezone",
                Refusal::UnknownTimeZone {
                    value: raw.to_string(),
                },
            )
        })
}

pub(super) fn check_title(raw: &str) -> Result<String> {
    let title = raw.trim().to_string();
    if title.is_empty() {
        return Err(Error::invalid("title", Refusal::Required));
    }
    bounded("title", &title, MAX_TITLE)?;
    Ok(title)
}

pub(super) fn check_capacity(raw: Option<i64>) -> Result<Option<i64>> {
    match raw {
        Some(c) if c < 1 => Err(Error::invalid("capacity", Refusal::TooSmall { min: 1 })),
        other => Ok(other),
    }
}

pub(super) fn check_place(place: Option<EventPlace>) -> Result<Option<EventPlace>> {
    let Some(p) = place else { return Ok(None) };
    for (field, value) in [
        ("location.name", &p.name),
        ("location.street", &p.street),
        ("location.postal_code", &p.postal_code),
        ("location.locality", &p.locality),
        ("location.region", &p.region),
        ("location.country", &p.country),
    ] {
        if let Some(v) = value {
            bounded(field, v, 200)?;
        }
    }
    if p.latitude.is_some_and(|l| !(-90.0..=90.0).contains(&l)) {
        return Err(Error::invalid(
            "location.latitude",
            Refusal::NotBetween { min: -90, max: 90 },
        ));
    }
    if p.longitude.is_some_and(|l| !(-180.0..=180.0).contains(&l)) {
        return Err(Error::invalid(
            "location.longitude",
            Refusal::NotBetween {
                min: -180,
                max: 180,
            },
        ));
    }
    Ok(Some(p).filter(|p| *p != EventPlace::default()))
}

pub(super) fn check_language(raw: Option<String>) -> Result<Option<String>> {
    match raw.map(|l| l.trim().to_string()).filter(|l| !l.is_empty()) {
        Some(l) if l.len() > 35 || !l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') => {
            Err(Error::invalid("language", Refusal::NotALanguageTag))
        }
        other => Ok(other),
    }
}

pub(super) fn check_description(raw: &str) -> Result<()> {
    bounded("description", raw, MAX_DESCRIPTION)
}

pub(super) fn check_times(starts_at: DateTime<Utc>, ends_at: DateTime<Utc>) -> Result<()> {
    if ends_at < starts_at {
        return Err(Error::invalid("ends_at", Refusal::EndsBeforeStart));
    }
    Ok(())
}

pub(super) fn check_join(mode: JoinMode, external_url: &Option<Url>) -> Result<()> {
    if mode == JoinMode::External && external_url.is_none() {
        return Err(Error::invalid("external_url", Refusal::ExternalUrlRequired));
    }
    Ok(())
}

/// A series' rule, checked (issue 17).
pub(super) fn check_recurrence(raw: &str) -> Result<crate::model::Recurrence> {
    crate::model::Recurrence::parse(raw)
        .map_err(|why| Error::invalid("recurrence", Refusal::NotARecurrence { why }))
}
