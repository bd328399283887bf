//! Applying a calendar that was read (issue 17): each entry is published, updated or cancelled by
//! what it became last time (its `UID` and `RECURRENCE-ID`), so that nothing is published twice.

use std::collections::HashMap;

use chrono::{Duration, Utc};

use super::Verkosto;
use crate::error::{Error, Result};
use crate::ical_import::ImportedEvent;
use crate::model::{
    Account, CalendarSubscription, Community, EditScope, EventPlace, EventUpdate, NewEvent,
    SyncReport,
};
use crate::store::{self, calendar_imports::Imported};

impl Verkosto {
    /// Makes the community's events what the calendar says: publishes, updates, cancels.
    pub(super) async fn apply_calendar(
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
