//! Recurring events (issue 17): a series is a recurrence rule (RFC 5545 `RRULE`) read in the series'
//! time zone from a first start, so 9.00 stays 9.00 across daylight-saving changes. Its occurrences
//! are ordinary events, each with its own page, participants and comments, made on a rolling horizon,
//! so that every peer that understands one `Event` shows them.

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use url::Url;

use super::{EventCategory, EventPlace, JoinMode};

/// The most occurrences one expansion yields: a daily rule over ten years is 3,650; a page of them
/// or a calendar's horizon never needs more.
pub const MAX_EXPANSION: usize = 4000;

/// A recurrence rule, checked: an RFC 5545 `RRULE` value (`FREQ=WEEKLY;BYDAY=MO`), daily or slower.
#[derive(Debug, Clone, PartialEq)]
pub struct Recurrence {
    rule: rrule::RRule<rrule::Unvalidated>,
}

impl Recurrence {
    /// Reads a rule (with or without the `RRULE:` name). The error says what is wrong with it.
    pub fn parse(text: &str) -> Result<Recurrence, String> {
        let text = text.trim();
        let text = text
            .strip_prefix("RRULE:")
            .or_else(|| text.strip_prefix("rrule:"))
            .unwrap_or(text)
            .trim();
        if text.is_empty() || text.contains(['\r', '\n']) {
            return Err("one RRULE value, such as FREQ=WEEKLY;BYDAY=MO".into());
        }
        let rule: rrule::RRule<rrule::Unvalidated> = text
            .to_ascii_uppercase()
            .parse()
            .map_err(|e: rrule::RRuleError| e.to_string())?;
        match rule.get_freq() {
            rrule::Frequency::Daily
            | rrule::Frequency::Weekly
            | rrule::Frequency::Monthly
            | rrule::Frequency::Yearly => {}
            other => return Err(format!("FREQ={other}: events repeat daily at most often")),
        }
        if !(rule.get_by_hour().is_empty()
            && rule.get_by_minute().is_empty()
            && rule.get_by_second().is_empty())
        {
            return Err(
                "BYHOUR, BYMINUTE and BYSECOND: an occurrence's time is its start's".into(),
            );
        }
        Ok(Recurrence { rule })
    }

    /// The rule's text, as sent and stored (`FREQ=WEEKLY;BYDAY=MO`).
    pub fn text(&self) -> String {
        self.rule.to_string()
    }

    /// The rule itself, for describing it in words.
    pub fn rule(&self) -> &rrule::RRule<rrule::Unvalidated> {
        &self.rule
    }

    /// The same rule ending at `until` (inclusive), its `COUNT` dropped: how a series ends or is
    /// split. `UNTIL` is UTC, as RFC 5545 requires with a zoned `DTSTART`.
    pub fn until(&self, until: DateTime<Utc>) -> Recurrence {
        let mut text: Vec<String> = self
            .text()
            .split(';')
            .filter(|p| !p.starts_with("UNTIL=") && !p.starts_with("COUNT="))
            .map(str::to_string)
            .collect();
        text.push(format!("UNTIL={}", until.format("%Y%m%dT%H%M%SZ")));
        Recurrence::parse(&text.join(";")).unwrap_or_else(|_| self.clone())
    }

    /// The same rule with `COUNT=count` (how many remain when a counted series is split).
    pub fn with_count(&self, count: u32) -> Recurrence {
        let mut text: Vec<String> = self
            .text()
            .split(';')
            .filter(|p| !p.starts_with("COUNT="))
            .map(str::to_string)
            .collect();
        text.push(format!("COUNT={}", count.max(1)));
        Recurrence::parse(&text.join(";")).unwrap_or_else(|_| self.clone())
    }

    /// Whether the rule has an end (`COUNT` or `UNTIL`).
    pub fn is_bounded(&self) -> bool {
        self.rule.get_count().is_some() || self.rule.get_until().is_some()
    }

    /// The starts the rule gives from `first` (the series' first start, read in `zone`), from `from`
    /// (inclusive) until `to` (exclusive), at most `max` of them (and never more than
    /// [`MAX_EXPANSION`]). A wall-clock time a clock change skips moves forward, as RFC 5545 says.
    pub fn starts(
        &self,
        zone: chrono_tz::Tz,
        first: DateTime<Utc>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        max: usize,
    ) -> Result<Vec<DateTime<Utc>>, String> {
        let set = self.set(zone, first)?;
        Ok(set
            .into_iter()
            .map(|t| t.with_timezone(&Utc))
            .skip_while(|t| *t < from)
            .take_while(|t| *t < to)
            .take(max.min(MAX_EXPANSION))
            .collect())
    }

    /// The starts the rule gives from `first`, the first `n` of them at or after `from`.
    pub fn next_starts(
        &self,
        zone: chrono_tz::Tz,
        first: DateTime<Utc>,
        from: DateTime<Utc>,
        n: usize,
    ) -> Result<Vec<DateTime<Utc>>, String> {
        self.starts(zone, first, from, DateTime::<Utc>::MAX_UTC, n)
    }

    /// The first start the rule gives at or after `at` (with `at`'s wall-clock time): where a series
    /// asked to start on a day its rule skips really starts.
    pub fn first_at_or_after(
        &self,
        zone: chrono_tz::Tz,
        at: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, String> {
        Ok(self.next_starts(zone, at, at, 1)?.pop())
    }

    fn set(&self, zone: chrono_tz::Tz, first: DateTime<Utc>) -> Result<rrule::RRuleSet, String> {
        let start = first.with_timezone(&rrule::Tz::Tz(zone));
        self.rule.clone().build(start).map_err(|e| e.to_string())
    }
}

/// A local or received series of events.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Series {
    /// Database id.
    #[serde(skip)]
    pub id: i64,
    /// The id used in API paths.
    #[serde(rename = "id")]
    pub public_id: String,
    /// The ActivityPub id (dereferenceable: the series' collection of occurrences).
    pub ap_id: Url,
    /// The organizing community's actor id.
    pub organizer_ap_id: Url,
    /// The local community's database id, for local series.
    #[serde(skip)]
    pub community_id: Option<i64>,
    /// The RRULE text (`FREQ=WEEKLY;BYDAY=MO`).
    pub recurrence: String,
    /// The IANA zone the rule is read in.
    pub timezone: String,
    /// The first occurrence's start (iCalendar `DTSTART`).
    pub first_starts_at: DateTime<Utc>,
    /// How long each occurrence lasts, in seconds.
    pub duration_seconds: i64,
    /// What new occurrences are made with (local series).
    #[serde(skip)]
    pub template: Option<SeriesTemplate>,
    /// Starts of deleted occurrences (iCalendar `EXDATE`).
    pub exdates: Vec<DateTime<Utc>>,
    /// The last start made into an event.
    #[serde(skip)]
    pub generated_until: Option<DateTime<Utc>>,
    /// When the series was ended, if it was.
    pub ended_at: Option<DateTime<Utc>>,
    /// When created.
    pub created_at: DateTime<Utc>,
    /// When last changed.
    pub updated_at: DateTime<Utc>,
}

impl Series {
    /// Whether it is organised here.
    pub fn is_local(&self) -> bool {
        self.community_id.is_some()
    }

    /// The rule, as checked when it was stored (`None` only for a received one we cannot read).
    pub fn rule(&self) -> Option<Recurrence> {
        Recurrence::parse(&self.recurrence).ok()
    }

    /// The series' zone (UTC when the stored text names none: a page must render).
    pub fn zone(&self) -> chrono_tz::Tz {
        self.timezone.parse().unwrap_or(chrono_tz::UTC)
    }

    /// The starts the rule gives in `[from, to)`, deleted ones left out.
    pub fn starts(&self, from: DateTime<Utc>, to: DateTime<Utc>, max: usize) -> Vec<DateTime<Utc>> {
        let Some(rule) = self.rule() else {
            return vec![];
        };
        rule.starts(self.zone(), self.first_starts_at, from, to, max)
            .unwrap_or_default()
            .into_iter()
            .filter(|t| !self.exdates.contains(t))
            .collect()
    }
}

/// The fields a local series makes each new occurrence with (the series' "master" event), stored as JSON.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SeriesTemplate {
    /// Title.
    pub title: String,
    /// Markdown as written.
    pub description_source: Option<String>,
    /// Sanitized HTML.
    pub description_html: String,
    /// Physical place.
    pub place: Option<EventPlace>,
    /// Stream or meeting link.
    pub online_url: Option<Url>,
    /// Seats, if limited.
    pub capacity: Option<i64>,
    /// How people take part.
    pub join_mode: String,
    /// Registration elsewhere.
    pub external_url: Option<Url>,
    /// Hashtags.
    pub tags: Vec<String>,
    /// Category.
    pub category: String,
    /// Banner image.
    pub banner_url: Option<Url>,
    /// Language.
    pub language: Option<String>,
    /// Whether replies are accepted.
    pub comments_enabled: bool,
    /// Whether visitors take part by e-mail.
    #[serde(default)]
    pub guest_participation: bool,
    /// Who sees the occurrences (issue 18; templates stored before it made public ones).
    #[serde(default)]
    pub visibility: super::Visibility,
    /// Co-hosting communities.
    pub cohosts: Vec<Url>,
    /// Confirmed or tentative.
    pub status: String,
}

impl SeriesTemplate {
    /// The template of an occurrence's fields.
    pub fn of(event: &super::Event) -> SeriesTemplate {
        SeriesTemplate {
            title: event.title.clone(),
            description_source: event.description_source.clone(),
            description_html: event.description_html.clone(),
            place: event.place.clone(),
            online_url: event.online_url.clone(),
            capacity: event.capacity,
            join_mode: event.join_mode.as_str().to_string(),
            external_url: event.external_url.clone(),
            tags: event.tags.clone(),
            category: event.category.as_str().to_string(),
            banner_url: event.banner_url.clone(),
            language: event.language.clone(),
            comments_enabled: event.comments_enabled,
            guest_participation: event.guest_participation,
            visibility: event.visibility,
            cohosts: event.cohosts.clone(),
            status: event.status.as_str().to_string(),
        }
    }

    /// Takes each field that differs between `before` and `after` (what one change did) from `after`;
    /// the others stay as they are here (an occurrence changed on its own keeps its own).
    pub fn apply_changes(&mut self, before: &SeriesTemplate, after: &SeriesTemplate) {
        macro_rules! take {
            ($($field:ident),+) => {$(
                if before.$field != after.$field {
                    self.$field = after.$field.clone();
                }
            )+};
        }
        take!(
            title,
            description_source,
            description_html,
            place,
            online_url,
            capacity,
            join_mode,
            external_url,
            tags,
            category,
            banner_url,
            language,
            comments_enabled,
            guest_participation,
            cohosts,
            status
        );
    }

    /// Writes these fields onto `event` (times and identity stay).
    pub fn apply(&self, event: &mut super::Event) {
        event.title = self.title.clone();
        event.description_source = self.description_source.clone();
        event.description_html = self.description_html.clone();
        event.place = self.place.clone();
        event.online_url = self.online_url.clone();
        event.capacity = self.capacity;
        event.join_mode = self.join_mode.parse().unwrap_or(JoinMode::Free);
        event.external_url = self.external_url.clone();
        event.tags = self.tags.clone();
        event.category = self.category.parse().unwrap_or(EventCategory::Meeting);
        event.banner_url = self.banner_url.clone();
        event.language = self.language.clone();
        event.comments_enabled = self.comments_enabled;
        event.guest_participation = self.guest_participation;
        event.visibility = self.visibility;
        event.cohosts = self.cohosts.clone();
        event.status = self.status.parse().unwrap_or(super::EventStatus::Confirmed);
    }
}

/// What an occurrence says of its series (the `series` of the event API and document).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SeriesLink {
    /// The series' API id.
    pub id: String,
    /// The series' ActivityPub id.
    pub ap_id: Url,
    /// The series' rule (`FREQ=WEEKLY;BYDAY=MO`).
    pub recurrence: String,
    /// The start the rule gave this occurrence (iCalendar `RECURRENCE-ID`), also after it was moved.
    pub recurrence_id: DateTime<Utc>,
    /// Whether this occurrence was changed on its own.
    pub overridden: bool,
}

/// Which occurrences a change of one occurrence applies to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EditScope {
    /// This occurrence only (the default).
    #[default]
    This,
    /// This occurrence and every later one; the series continues with the change.
    Following,
    /// Every occurrence that has not ended yet, and the series.
    All,
}

/// The RFC 5545 code of a weekday (`MO`, `TU`, ...).
pub fn weekday_code(day: chrono::Weekday) -> &'static str {
    match day {
        chrono::Weekday::Mon => "MO",
        chrono::Weekday::Tue => "TU",
        chrono::Weekday::Wed => "WE",
        chrono::Weekday::Thu => "TH",
        chrono::Weekday::Fri => "FR",
        chrono::Weekday::Sat => "SA",
        chrono::Weekday::Sun => "SU",
    }
}

/// `local` (a wall-clock time in `zone`) as a moment; a time a clock change skips moves forward by
/// the gap, as RFC 5545 has it for recurrence instances.
pub fn resolve_local(zone: chrono_tz::Tz, local: NaiveDateTime) -> DateTime<Utc> {
    match zone.from_local_datetime(&local).earliest() {
        Some(t) => t.with_timezone(&Utc),
        None => zone
            .from_local_datetime(&(local + chrono::Duration::hours(1)))
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(|| local.and_utc()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .expect("test time")
            .with_timezone(&Utc)
    }

    #[test]
    fn the_fourth_monday_of_january_at_nine_in_helsinki() {
        let rule = Recurrence::parse("RRULE:FREQ=YEARLY;BYMONTH=1;BYDAY=4MO").expect("rule");
        let starts = rule
            .next_starts(
                chrono_tz::Europe::Helsinki,
                utc("2027-01-25T07:00:00Z"),
                utc("2027-01-01T00:00:00Z"),
                3,
            )
            .expect("expands");
        assert_eq!(
            starts,
            vec![
                utc("2027-01-25T07:00:00Z"),
                utc("2028-01-24T07:00:00Z"),
                utc("2029-01-22T07:00:00Z")
            ]
        );
    }

    #[test]
    fn nine_stays_nine_across_daylight_saving() {
        let rule = Recurrence::parse("FREQ=WEEKLY;BYDAY=MO").expect("rule");
        let starts = rule
            .starts(
                chrono_tz::Europe::Helsinki,
                utc("2027-03-22T07:00:00Z"),
                utc("2027-03-01T00:00:00Z"),
                utc("2027-04-06T00:00:00Z"),
                10,
            )
            .expect("expands");
        // Summer time begins on 28 March 2027: 9.00 is then 06:00 UTC.
        assert_eq!(
            starts,
            vec![
                utc("2027-03-22T07:00:00Z"),
                utc("2027-03-29T06:00:00Z"),
                utc("2027-04-05T06:00:00Z")
            ]
        );
    }

    #[test]
    fn ending_a_rule_keeps_its_days_and_drops_its_count() {
        let rule = Recurrence::parse("FREQ=WEEKLY;BYDAY=MO,WE;COUNT=10").expect("rule");
        let ended = rule.until(utc("2027-03-01T00:00:00Z"));
        assert_eq!(
            ended.text(),
            "FREQ=WEEKLY;UNTIL=20270301T000000Z;BYDAY=MO,WE"
        );
        assert!(ended.is_bounded());
    }

    #[test]
    fn refuses_what_is_not_a_rule_for_events() {
        for bad in [
            "",
            "FREQ=HOURLY",
            "FREQ=WEEKLY;BYDAY=XX",
            "FREQ=DAILY;BYHOUR=9",
            "FREQ=DAILY\nX",
        ] {
            assert!(Recurrence::parse(bad).is_err(), "{bad:?} must be refused");
        }
    }
}
