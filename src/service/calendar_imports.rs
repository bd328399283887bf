//! Calendars coming in (issue 17): a community subscribes to an external calendar by URL, synced on
//! a schedule with `ETag` / `If-Modified-Since`, or uploads a calendar file. Each entry maps by its
//! `UID` (and `RECURRENCE-ID`) to the event or series it became: new entries are published, changed
//! ones send `Update`s, removed or cancelled ones are cancelled, and nothing is published twice.
//! A file that cannot be read changes nothing; the error names its line.

use std::collections::HashMap;

use chrono::{Duration, Utc};
use url::Url;

use super::Verkosto;
use crate::error::{Error, Refusal, Result};
use crate::ical_import::{self, ImportedEvent, MAX_CALENDAR_BYTES};
use crate::model::{
    Account, CalendarSubscription, Community, EditScope, EventPlace, EventUpdate, NewEvent,
    SyncReport,
};
use crate::store::{self, calendar_imports::Imported};

/// A fetched calendar, or that it had not changed.
enum Fetched {
    Body {
        text: String,
        etag: Option<String>,
        last_modified: Option<String>,
    },
    NotModified,
}

impl Verkosto {
    /// A community's external calendars with what their last sync did (its managers only).
    pub async fn calendars(
        &self,
        by: &Account,
        community: &str,
    ) -> Result<Vec<CalendarSubscription>> {
        let community = self.community(community).await?;
        self.require_manager(by, &community).await?;
        let mut c = self.db().acquire().await?;
        store::calendar_imports::of_community(&mut c.conn(), community.id).await
    }

    /// Subscribes a community to the calendar at `url` and syncs it at once; a calendar that cannot
    /// be fetched or read is refused (and not kept), with the reason.
    pub async fn subscribe_calendar(
        &self,
        by: &Account,
        community: &str,
        url: &str,
    ) -> Result<CalendarSubscription> {
        let community = self.community(community).await?;
        self.require_manager(by, &community).await?;
        let url = crate::service::communities::optional_url("url", Some(url))?
            .ok_or_else(|| Error::invalid("url", Refusal::NotAUrl))?;
        let fetched = self.fetch_calendar(&url, None, None).await?;
        let Fetched::Body {
            text,
            etag,
            last_modified,
        } = fetched
        else {
            return Err(Error::invalid(
                "url",
                Refusal::CalendarUnreadable {
                    why: "no calendar".into(),
                },
            ));
        };
        let items = read_calendar(&text)?;
        let subscription = self.new_subscription(&community, by, Some(&url)).await?;
        let report = self
            .apply_calendar(&subscription, by, &community, items, true)
            .await?;
        self.record_sync(
            &subscription,
            etag.as_deref(),
            last_modified.as_deref(),
            &report,
        )
        .await?;
        self.calendar(&subscription.public_id).await
    }

    /// Imports a calendar file into a community once (its managers only). Entries imported before
    /// from a file are updated, not published again; entries missing from this file are left alone.
    pub async fn import_calendar(
        &self,
        by: &Account,
        community: &str,
        text: &str,
    ) -> Result<SyncReport> {
        let community = self.community(community).await?;
        self.require_manager(by, &community).await?;
        let items = read_calendar(text)?;
        let existing = {
            let mut c = self.db().acquire().await?;
            store::calendar_imports::of_community(&mut c.conn(), community.id)
                .await?
                .into_iter()
                .find(|s| s.url.is_none())
        };
        let uploads = match existing {
            Some(s) => s,
            None => self.new_subscription(&community, by, None).await?,
        };
        let report = self
            .apply_calendar(&uploads, by, &community, items, false)
            .await?;
        self.record_sync(&uploads, None, None, &report).await?;
        Ok(report)
    }

    /// Syncs one of a community's calendars now (its managers only); what it did.
    pub async fn sync_calendar(
        &self,
        by: &Account,
        community: &str,
        id: &str,
    ) -> Result<SyncReport> {
        let community = self.community(community).await?;
        self.require_manager(by, &community).await?;
        let subscription = self.calendar(id).await?;
        if subscription.community_id != community.id {
            return Err(Refusal::NoSuchCalendarSubscription { id: id.to_string() }.into());
        }
        self.sync_subscription(&subscription).await
    }

    /// Removes one of a community's calendars (the events it published stay).
    pub async fn remove_calendar(&self, by: &Account, community: &str, id: &str) -> Result<()> {
        let community = self.community(community).await?;
        self.require_manager(by, &community).await?;
        let subscription = self.calendar(id).await?;
        if subscription.community_id != community.id {
            return Err(Refusal::NoSuchCalendarSubscription { id: id.to_string() }.into());
        }
        let mut c = self.db().acquire().await?;
        store::calendar_imports::delete(&mut c.conn(), subscription.id).await
    }

    /// Syncs the subscriptions not synced for `every` (the delivery workers call this); how many.
    pub async fn sync_due_calendars(&self, every: Duration) -> Result<usize> {
        let due = {
            let mut c = self.db().acquire().await?;
            store::calendar_imports::due(&mut c.conn(), store::now() - every, 20).await?
        };
        let mut synced = 0;
        for subscription in due {
            if let Err(e) = self.sync_subscription(&subscription).await {
                tracing::warn!(calendar = %subscription.public_id, error = %e, "calendar sync failed");
                let report = SyncReport {
                    errors: vec![e.to_string()],
                    ..Default::default()
                };
                self.record_sync(&subscription, None, None, &report).await?;
            }
            synced += 1;
        }
        Ok(synced)
    }

    /// Stores a new subscription (`url` `None`: the community's uploaded files).
    async fn new_subscription(
        &self,
        community: &Community,
        by: &Account,
        url: Option<&Url>,
    ) -> Result<CalendarSubscription> {
        let mut c = self.db().acquire().await?;
        store::calendar_imports::insert(
            &mut c.conn(),
            &super::events::new_public_id(),
            community.id,
            by.id,
            url.map(Url::as_str),
            store::now(),
        )
        .await
    }

    async fn calendar(&self, public_id: &str) -> Result<CalendarSubscription> {
        let mut c = self.db().acquire().await?;
        store::calendar_imports::find(&mut c.conn(), public_id)
            .await?
            .ok_or_else(|| {
                Refusal::NoSuchCalendarSubscription {
                    id: public_id.to_string(),
                }
                .into()
            })
    }

    async fn record_sync(
        &self,
        s: &CalendarSubscription,
        etag: Option<&str>,
        last_modified: Option<&str>,
        report: &SyncReport,
    ) -> Result<()> {
        let mut c = self.db().acquire().await?;
        store::calendar_imports::record_sync(
            &mut c.conn(),
            s.id,
            etag,
            last_modified,
            store::now(),
            report,
        )
        .await
    }

    async fn sync_subscription(&self, subscription: &CalendarSubscription) -> Result<SyncReport> {
        let Some(url) = &subscription.url else {
            return Ok(subscription.last_result.clone().unwrap_or_default());
        };
        let (account, community) = {
            let mut c = self.db().acquire().await?;
            let account = store::accounts::find_by_id(&mut c.conn(), subscription.account_id)
                .await?
                .ok_or_else(|| Error::NotFound("the calendar's manager".into()))?;
            let community = self
                .community_by_id(subscription.community_id)
                .await?
                .ok_or_else(|| Error::NotFound("the calendar's community".into()))?;
            (account, community)
        };
        let report = match self
            .fetch_calendar(
                url,
                subscription.etag.as_deref(),
                subscription.last_modified.as_deref(),
            )
            .await?
        {
            Fetched::NotModified => {
                let report = SyncReport {
                    not_modified: true,
                    ..Default::default()
                };
                self.record_sync(subscription, None, None, &report).await?;
                report
            }
            Fetched::Body {
                text,
                etag,
                last_modified,
            } => {
                let items = read_calendar(&text)?;
                let report = self
                    .apply_calendar(subscription, &account, &community, items, true)
                    .await?;
                self.record_sync(
                    subscription,
                    etag.as_deref(),
                    last_modified.as_deref(),
                    &report,
                )
                .await?;
                report
            }
        };
        Ok(report)
    }

    /// Fetches a calendar through the one outgoing client (its destination checks, redirects and
    /// timeout), at most [`MAX_CALENDAR_BYTES`], sending back the validators of the last answer.
    async fn fetch_calendar(
        &self,
        url: &Url,
        etag: Option<&str>,
        last_modified: Option<&str>,
    ) -> Result<Fetched> {
        let unreadable = |why: String| Error::invalid("url", Refusal::CalendarUnreadable { why });
        let mut request = self
            .state()
            .http
            .get(url.clone())
            .header(http::header::ACCEPT, "text/calendar, */*;q=0.5");
        if let Some(etag) = etag {
            request = request.header(http::header::IF_NONE_MATCH, etag);
        }
        if let Some(at) = last_modified {
            request = request.header(http::header::IF_MODIFIED_SINCE, at);
        }
        let mut response = request
            .send()
            .await
            .map_err(|e| unreadable(e.to_string()))?;
        if response.status() == http::StatusCode::NOT_MODIFIED {
            return Ok(Fetched::NotModified);
        }
        if !response.status().is_success() {
            return Err(unreadable(format!(
                "the server answered {}",
                response.status()
            )));
        }
        let header = |name: http::HeaderName| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let (etag, last_modified) = (
            header(http::header::ETAG),
            header(http::header::LAST_MODIFIED),
        );
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| unreadable(e.to_string()))?
        {
            body.extend_from_slice(&chunk);
            if body.len() > MAX_CALENDAR_BYTES {
                return Err(unreadable(format!(
                    "larger than {} MB",
                    MAX_CALENDAR_BYTES / 1024 / 1024
                )));
            }
        }
        let text = String::from_utf8(body).map_err(|_| unreadable("not UTF-8 text".into()))?;
        Ok(Fetched::Body {
            text,
            etag,
            last_modified,
        })
    }

    /// Makes the community's events what the calendar says: publishes, updates, cancels.
    async fn apply_calendar(
        &self,
        subscription: &CalendarSubscription,
        by: &Account,
        community: &Community,
        items: Vec<ImportedEvent>,
        cancel_missing: bool,
    ) -> Result<SyncReport> {
        let mut report = SyncReport::default();
        let before: HashMap<(String, String), Imported> = {
            let mut c = self.db().acquire().await?;
            store::calendar_imports::imported(&mut c.conn(), subscription.id)
                .await?
                .into_iter()
                .map(|i| ((i.uid.clone(), i.recurrence_key.clone()), i))
                .collect()
        };
        // What each entry is now, updated as this sync goes (a changed date needs its series, which
        // may have been published a moment ago).
        let mut current = before.clone();
        let mut seen = std::collections::HashSet::new();
        // Series and single events first, then the changed dates of series (they need their series).
        let (masters, overrides): (Vec<_>, Vec<_>) =
            items.into_iter().partition(|i| i.recurrence_id.is_none());
        for item in masters.into_iter().chain(overrides) {
            report.errors.extend(item.notes.iter().cloned());
            let key = (item.uid.clone(), recurrence_key(&item));
            if !seen.insert(key.clone()) {
                report.errors.push(format!(
                    "line {}: UID {} appears twice; the first is kept",
                    item.line, item.uid
                ));
                continue;
            }
            let previous = before.get(&key);
            let master = masters_of(&current, &item);
            let outcome = self
                .apply_entry(community, by, &item, previous, &master)
                .await;
            match outcome {
                Ok((Some(record), effect)) => {
                    let mut c = self.db().acquire().await?;
                    store::calendar_imports::record_imported(
                        &mut c.conn(),
                        subscription.id,
                        &record,
                    )
                    .await?;
                    current.insert(key, record);
                    match effect {
                        Effect::Added => report.added += 1,
                        Effect::Changed => report.changed += 1,
                        Effect::Cancelled => report.cancelled += 1,
                        Effect::Unchanged => report.unchanged += 1,
                        Effect::Past => report.past += 1,
                    }
                }
                Ok((None, Effect::Past)) => report.past += 1,
                Ok((None, _)) => report.unchanged += 1,
                Err(e) => report.errors.push(format!("line {}: {}", item.line, e)),
            }
        }
        if cancel_missing {
            for (key, gone) in &before {
                if seen.contains(key) || gone.cancelled {
                    continue;
                }
                match self.cancel_imported(by, gone).await {
                    Ok(()) => {
                        report.cancelled += 1;
                        let mut c = self.db().acquire().await?;
                        let record = Imported {
                            cancelled: true,
                            ..gone.clone()
                        };
                        store::calendar_imports::record_imported(
                            &mut c.conn(),
                            subscription.id,
                            &record,
                        )
                        .await?;
                    }
                    Err(e) => report.errors.push(format!("{}: {e}", gone.uid)),
                }
            }
        }
        Ok(report)
    }

    /// One entry: what it became, and what was done.
    async fn apply_entry(
        &self,
        community: &Community,
        by: &Account,
        item: &ImportedEvent,
        previous: Option<&Imported>,
        master: &Option<Imported>,
    ) -> Result<(Option<Imported>, Effect)> {
        let record = |event: Option<String>, series: Option<String>| Imported {
            uid: item.uid.clone(),
            recurrence_key: recurrence_key(item),
            event_public_id: event,
            series_public_id: series,
            fingerprint: item.fingerprint.clone(),
            cancelled: item.cancelled,
        };
        if let Some(rid) = item.recurrence_id {
            // A changed date of a series: applied to its occurrence once the horizon has made it.
            let Some(series_id) = master.as_ref().and_then(|m| m.series_public_id.clone()) else {
                if item.ends_at < Utc::now() {
                    // Of a series that is over, not published.
                    return Ok((None, Effect::Past));
                }
                return Err(Error::BadRequest(
                    "a changed date of a series this calendar does not have".into(),
                ));
            };
            if previous
                .is_some_and(|p| p.fingerprint == item.fingerprint && p.event_public_id.is_some())
            {
                return Ok((None, Effect::Unchanged));
            }
            let series = self.series(&series_id).await?;
            let occurrence = {
                let mut c = self.db().acquire().await?;
                store::series::occurrence_at(&mut c.conn(), series.id, rid).await?
            };
            let Some(event_id) = occurrence else {
                return Ok((Some(record(None, Some(series_id))), Effect::Unchanged));
            };
            let event = store_event_public_id(self, event_id).await?;
            if item.cancelled {
                self.cancel_event(by, &event).await?;
                return Ok((
                    Some(record(Some(event), Some(series_id))),
                    Effect::Cancelled,
                ));
            }
            self.update_event(by, &event, update_of(item, EditScope::This))
                .await?;
            return Ok((Some(record(Some(event), Some(series_id))), Effect::Changed));
        }
        match previous {
            None if item.cancelled => Ok((None, Effect::Unchanged)),
            None => {
                if is_over(item) {
                    return Ok((None, Effect::Past));
                }
                let exdates = item.exdates.clone();
                let event = self
                    .create_event_without(by, &community.name, new_event(item), exdates)
                    .await?;
                let series = event.series.as_ref().map(|s| s.id.clone());
                Ok((Some(record(Some(event.public_id), series)), Effect::Added))
            }
            Some(p) if p.fingerprint == item.fingerprint => Ok((None, Effect::Unchanged)),
            Some(p) => {
                let Some(event_id) = p.event_public_id.clone() else {
                    return Ok((None, Effect::Unchanged));
                };
                if item.cancelled {
                    self.cancel_imported(by, p).await?;
                    return Ok((
                        Some(record(Some(event_id), p.series_public_id.clone())),
                        Effect::Cancelled,
                    ));
                }
                match &p.series_public_id {
                    Some(series_id) => {
                        let series = self.series(series_id).await?;
                        let same_dates = item.rrule.as_deref() == Some(series.recurrence.as_str())
                            && item.starts_at == series.first_starts_at
                            && (item.ends_at - item.starts_at).num_seconds()
                                == series.duration_seconds
                            && item.timezone == series.timezone
                            && item.exdates == series.exdates;
                        if same_dates {
                            let first = self
                                .first_upcoming(&series)
                                .await?
                                .unwrap_or(event_id.clone());
                            // Times stay: the rule and the first start are the same.
                            let change = EventUpdate {
                                starts_at: None,
                                ends_at: None,
                                timezone: None,
                                ..update_of(item, EditScope::All)
                            };
                            self.update_event(by, &first, change).await?;
                            return Ok((
                                Some(record(Some(first), Some(series_id.clone()))),
                                Effect::Changed,
                            ));
                        }
                        // New dates: the old series ends, a new one takes over.
                        if series.ended_at.is_none() {
                            self.end_series(by, series_id, None).await?;
                        }
                        let event = self
                            .create_event_without(
                                by,
                                &community.name,
                                new_event(item),
                                item.exdates.clone(),
                            )
                            .await?;
                        let series = event.series.as_ref().map(|s| s.id.clone());
                        Ok((Some(record(Some(event.public_id), series)), Effect::Changed))
                    }
                    None => {
                        let mut change = update_of(item, EditScope::This);
                        if p.cancelled {
                            change.status = Some(crate::model::EventStatus::Confirmed);
                        }
                        self.update_event(by, &event_id, change).await?;
                        Ok((Some(record(Some(event_id), None)), Effect::Changed))
                    }
                }
            }
        }
    }

    /// Cancels what an entry became: its event, or its series from now on.
    async fn cancel_imported(&self, by: &Account, entry: &Imported) -> Result<()> {
        match (&entry.series_public_id, &entry.event_public_id) {
            (Some(series), _) if entry.recurrence_key.is_empty() => {
                let ended = self.series(series).await?.ended_at.is_some();
                if !ended {
                    self.end_series(by, series, None).await?;
                }
                Ok(())
            }
            (_, Some(event)) => self.cancel_event(by, event).await.map(|_| ()),
            _ => Ok(()),
        }
    }

    async fn first_upcoming(&self, series: &crate::model::Series) -> Result<Option<String>> {
        Ok(self
            .series_occurrences(series)
            .await?
            .into_iter()
            .find(|e| e.ends_at >= Utc::now())
            .map(|e| e.public_id))
    }
}

/// What applying one entry did.
enum Effect {
    Added,
    Changed,
    Cancelled,
    Unchanged,
    Past,
}

fn read_calendar(text: &str) -> Result<Vec<ImportedEvent>> {
    let zone: chrono_tz::Tz = super::DEFAULT_TIMEZONE.parse().unwrap_or(chrono_tz::UTC);
    ical_import::read(text, zone).map_err(|e| {
        Error::invalid(
            "calendar",
            Refusal::CalendarLine {
                line: e.line as i64,
                why: e.why,
            },
        )
    })
}

fn recurrence_key(item: &ImportedEvent) -> String {
    item.recurrence_id
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default()
}

/// The record of the series a changed date belongs to.
fn masters_of(
    before: &HashMap<(String, String), Imported>,
    item: &ImportedEvent,
) -> Option<Imported> {
    before.get(&(item.uid.clone(), String::new())).cloned()
}

/// Whether an entry is over (a series: its rule gives no date from now on).
fn is_over(item: &ImportedEvent) -> bool {
    let now = Utc::now();
    match &item.rrule {
        None => item.ends_at < now,
        Some(rule) => {
            let duration = item.ends_at - item.starts_at;
            let zone = item.timezone.parse().unwrap_or(chrono_tz::UTC);
            crate::model::Recurrence::parse(rule)
                .and_then(|r| r.next_starts(zone, item.starts_at, now - duration, 1))
                .map(|next| next.is_empty())
                .unwrap_or(true)
        }
    }
}

fn new_event(item: &ImportedEvent) -> NewEvent {
    NewEvent {
        title: title_of(item),
        description: item.description.clone(),
        starts_at: item.starts_at.to_rfc3339(),
        ends_at: item
            .ends_at
            .max(item.starts_at + Duration::minutes(1))
            .to_rfc3339(),
        timezone: Some(item.timezone.clone()),
        location: place_of(item),
        recurrence: item.rrule.clone(),
        ..Default::default()
    }
}

fn update_of(item: &ImportedEvent, scope: EditScope) -> EventUpdate {
    EventUpdate {
        title: Some(title_of(item)),
        description: Some(item.description.clone().unwrap_or_default()),
        starts_at: Some(item.starts_at.to_rfc3339()),
        ends_at: Some(
            item.ends_at
                .max(item.starts_at + Duration::minutes(1))
                .to_rfc3339(),
        ),
        timezone: Some(item.timezone.clone()),
        location: Some(place_of(item).unwrap_or_default()),
        scope: Some(scope),
        ..Default::default()
    }
}

fn title_of(item: &ImportedEvent) -> String {
    let title: String = item.title.trim().chars().take(200).collect();
    if title.is_empty() {
        "–".to_string()
    } else {
        title
    }
}

fn place_of(item: &ImportedEvent) -> Option<EventPlace> {
    item.location.as_ref().map(|l| EventPlace {
        name: Some(l.chars().take(200).collect()),
        ..Default::default()
    })
}

async fn store_event_public_id(v: &Verkosto, id: i64) -> Result<String> {
    let mut c = v.db().acquire().await?;
    store::events::find_by_id(&mut c.conn(), id)
        .await?
        .map(|e| e.public_id)
        .ok_or_else(|| Error::NotFound(format!("event {id}")))
}
