//! Recurring events (issue 17): a series makes its occurrences as ordinary events on a rolling
//! horizon; an occurrence is changed alone, with the ones after it, or with all; a series ends.
//!
//! "This and following" splits the series as calendars do (Google, Nextcloud): the old series gets
//! an `UNTIL` before the changed occurrence, and a new series continues from it with the change, so
//! the iCalendar of each stays one rule with its exceptions. Occurrences keep their ids, participants
//! and comments; each one whose fields or series changed is sent an `Update`, the earlier ones nothing.

use chrono::{DateTime, Duration, Utc};
use url::Url;

use super::{Verkosto, new_public_id};
use crate::error::{Error, Refusal, Result};
use crate::model::{
    Account, Community, EditScope, Event, EventStatus, Recurrence, Series, SeriesTemplate,
    resolve_local,
};
use crate::store::{self, Tx};

/// A series and the starts its rule gives in a window, each with the event made for it if any.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SeriesView {
    /// The series.
    #[serde(flatten)]
    pub series: Series,
    /// Its dates in the window asked for, deleted ones left out.
    pub occurrences: Vec<Occurrence>,
}

/// One date of a series.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Occurrence {
    /// The start the rule gives (iCalendar `RECURRENCE-ID`).
    pub recurrence_id: DateTime<Utc>,
    /// When it starts: the rule's start, or where it was moved to.
    pub starts_at: DateTime<Utc>,
    /// When it ends.
    pub ends_at: DateTime<Utc>,
    /// The event's API id, once the horizon has reached it.
    pub event: Option<String>,
    /// `confirmed`, `tentative` or `cancelled`.
    pub status: EventStatus,
}

impl Verkosto {
    /// Starts a series with `first` (checked, not stored) as its first occurrence, and publishes the
    /// occurrences within the horizon. Returns the first.
    pub(super) async fn create_series(
        &self,
        by: &Account,
        community: &Community,
        first: Event,
        rule: Recurrence,
        exdates: Vec<DateTime<Utc>>,
        cohost_inboxes: &[Url],
    ) -> Result<Event> {
        let zone: chrono_tz::Tz = first
            .timezone
            .parse()
            .map_err(|_| Error::Internal("a local event's zone is an IANA name".into()))?;
        let starts_at = rule
            .first_at_or_after(zone, first.starts_at)
            .map_err(|why| Error::invalid("recurrence", Refusal::NotARecurrence { why }))?
            .ok_or_else(|| Error::invalid("recurrence", Refusal::RecurrenceNeverStarts))?;
        let public_id = new_public_id();
        let now = store::now();
        let series = Series {
            id: 0,
            ap_id: self.state().urls().series(&public_id),
            public_id,
            organizer_ap_id: first.organizer_ap_id.clone(),
            community_id: Some(community.id),
            recurrence: rule.text(),
            timezone: first.timezone.clone(),
            first_starts_at: starts_at,
            duration_seconds: (first.ends_at - first.starts_at).num_seconds(),
            template: Some(SeriesTemplate::of(&first)),
            exdates,
            generated_until: None,
            ended_at: None,
            created_at: now,
            updated_at: now,
        };
        let mut tx = self.db().begin().await?;
        let mut series = store::series::upsert(&mut tx.conn(), &series).await?;
        self.record_author(&mut tx, &series.ap_id, by).await?;
        let made = self
            .make_occurrences(&mut tx, &mut series, cohost_inboxes)
            .await?;
        // No date to publish (all over already): nothing is kept, the transaction rolls back.
        let Some(first) = made.first().cloned() else {
            return Err(Error::invalid("recurrence", Refusal::RecurrenceNeverStarts));
        };
        self.commit(tx).await?;
        tracing::info!(series = %series.ap_id, community = %community.name, occurrences = made.len(), "series published");
        Ok(first)
    }

    /// Publishes the occurrences of `series` that the horizon has reached and that do not exist yet
    /// (the next [`crate::Settings::series_horizon_count`], none further than
    /// [`crate::Settings::series_horizon_days`], the next one always).
    async fn make_occurrences(
        &self,
        tx: &mut Tx,
        series: &mut Series,
        cohost_inboxes: &[Url],
    ) -> Result<Vec<Event>> {
        let (Some(rule), Some(template)) = (series.rule(), series.template.clone()) else {
            return Ok(vec![]);
        };
        let settings = self.settings();
        let now = store::now();
        let furthest = now + Duration::days(i64::from(settings.series_horizon_days));
        // Dates that are over are not published (an imported series may have begun years ago).
        let from = series
            .first_starts_at
            .max(now - Duration::seconds(series.duration_seconds));
        let starts = rule
            .next_starts(
                series.zone(),
                series.first_starts_at,
                from,
                settings.series_horizon_count,
            )
            .unwrap_or_default();
        if starts.is_empty() && rule.is_bounded() {
            // Its COUNT or UNTIL has run out: nothing more to extend, ever.
            series.ended_at = Some(now);
            series.updated_at = now;
            *series = store::series::upsert(&mut tx.conn(), series).await?;
            return Ok(vec![]);
        }
        let duration = Duration::seconds(series.duration_seconds);
        let author = store::authors::find(&mut tx.conn(), series.ap_id.as_str()).await?;
        let mut made = vec![];
        for (i, start) in starts.into_iter().enumerate() {
            if i > 0 && start > furthest {
                break;
            }
            if series.generated_until.is_some_and(|g| start <= g) || series.exdates.contains(&start)
            {
                continue;
            }
            let public_id = new_public_id();
            let ap_id = self.state().urls().event(&public_id);
            let mut event = Event {
                id: 0,
                url: ap_id.clone(),
                ap_id,
                public_id,
                organizer_ap_id: series.organizer_ap_id.clone(),
                community_id: series.community_id,
                local: true,
                starts_at: start,
                ends_at: start + duration,
                timezone: series.timezone.clone(),
                sequence: 0,
                participant_count: 0,
                published_at: now,
                updated_at: now,
                series: None,
                // Filled from the template below.
                cohosts: vec![],
                title: String::new(),
                description_source: None,
                description_html: String::new(),
                status: EventStatus::Confirmed,
                place: None,
                online_url: None,
                capacity: None,
                join_mode: crate::model::JoinMode::Free,
                external_url: None,
                tags: vec![],
                category: crate::model::EventCategory::Meeting,
                banner_url: None,
                language: None,
                comments_enabled: true,
                guest_participation: false,
                visibility: crate::model::Visibility::Public,
            };
            template.apply(&mut event);
            let stored = store::events::upsert(&mut tx.conn(), &event).await?;
            store::series::link(&mut tx.conn(), stored.id, series.id, start, false).await?;
            if let Some(person) = &author {
                store::authors::record(&mut tx.conn(), stored.ap_id.as_str(), person).await?;
            }
            let stored = store::events::find_by_id(&mut tx.conn(), stored.id)
                .await?
                .ok_or_else(|| Error::Internal("event vanished".into()))?;
            self.announce_new_event(tx, &stored, cohost_inboxes, false)
                .await?;
            series.generated_until = Some(start);
            made.push(stored);
        }
        if !made.is_empty() {
            series.updated_at = now;
            *series = store::series::upsert(&mut tx.conn(), series).await?;
        }
        Ok(made)
    }

    /// Extends every local series' horizon (the delivery workers call this now and then; an embedder
    /// running its own scheduler may too). How many occurrences were published.
    pub async fn extend_series(&self) -> Result<usize> {
        let furthest =
            store::now() + Duration::days(i64::from(self.settings().series_horizon_days));
        let due = {
            let mut c = self.db().acquire().await?;
            store::series::to_extend(&mut c.conn(), furthest, 200).await?
        };
        let mut made = 0;
        for series in due {
            let mut tx = self.db().begin().await?;
            // Read again inside the transaction: another process may have extended it meanwhile
            // (and the unique index on (series, start) refuses a second copy if it races us).
            let Some(mut series) =
                store::series::find_by_ap_id(&mut tx.conn(), series.ap_id.as_str()).await?
            else {
                continue;
            };
            let inboxes = self.cohost_inboxes(&mut tx, &series).await?;
            made += self
                .make_occurrences(&mut tx, &mut series, &inboxes)
                .await?
                .len();
            self.commit(tx).await?;
        }
        Ok(made)
    }

    /// The inboxes of a series' remote co-hosts, as last fetched.
    async fn cohost_inboxes(&self, tx: &mut Tx, series: &Series) -> Result<Vec<Url>> {
        let mut out = vec![];
        for cohost in series.template.iter().flat_map(|t| &t.cohosts) {
            if self.is_local_url(cohost) {
                continue;
            }
            if let Some(actor) =
                store::remote_actors::find_by_ap_id(&mut tx.conn(), cohost.as_str()).await?
            {
                out.push(actor.delivery_inbox().clone());
            }
        }
        Ok(out)
    }

    /// The series with this API id.
    pub async fn series(&self, public_id: &str) -> Result<Series> {
        let mut c = self.db().acquire().await?;
        store::series::find_by_public_id(&mut c.conn(), public_id)
            .await?
            .ok_or_else(|| {
                Refusal::NoSuchSeries {
                    id: public_id.to_string(),
                }
                .into()
            })
    }

    /// A series with its dates in `[from, to)` (at most `max`), each with its event once made, as
    /// `reader` may see it (see [`Verkosto::series_for`]).
    pub async fn series_view(
        &self,
        public_id: &str,
        reader: &crate::service::Reader,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        max: usize,
    ) -> Result<SeriesView> {
        let (series, events) = self.series_for(public_id, reader).await?;
        let duration = Duration::seconds(series.duration_seconds);
        let occurrences = series
            .starts(from, to, max)
            .into_iter()
            .map(|start| {
                let made = events
                    .iter()
                    .find(|e| e.series.as_ref().is_some_and(|s| s.recurrence_id == start));
                match made {
                    Some(e) => Occurrence {
                        recurrence_id: start,
                        starts_at: e.starts_at,
                        ends_at: e.ends_at,
                        event: Some(e.public_id.clone()),
                        status: e.status,
                    },
                    None => Occurrence {
                        recurrence_id: start,
                        starts_at: start,
                        ends_at: start + duration,
                        event: None,
                        status: EventStatus::Confirmed,
                    },
                }
            })
            .collect();
        Ok(SeriesView {
            series,
            occurrences,
        })
    }

    /// The series these events are occurrences of (each once), for their calendars.
    pub async fn series_of(&self, events: &[Event]) -> Result<Vec<Series>> {
        if events.iter().all(|e| e.series.is_none()) {
            return Ok(vec![]);
        }
        let mut c = self.db().acquire().await?;
        store::series::of_events(&mut c.conn(), events).await
    }

    /// Every event made for a series, by their rule start.
    pub async fn series_occurrences(&self, series: &Series) -> Result<Vec<Event>> {
        let mut c = self.db().acquire().await?;
        store::events::of_series(&mut c.conn(), series.id).await
    }

    /// Applies the change of one occurrence (`before` as stored, `after` as changed) to it and the
    /// occurrences after it (`Following`), or to every one that has not ended (`All`); the series
    /// continues with the change. Returns the occurrence as saved.
    pub(super) async fn edit_series(
        &self,
        before: Event,
        after: Event,
        scope: EditScope,
    ) -> Result<Event> {
        let link = before
            .series
            .clone()
            .ok_or_else(|| Error::invalid("scope", Refusal::NotAnOccurrence))?;
        let mut tx = self.db().begin().await?;
        let mut series = store::series::find_by_ap_id(&mut tx.conn(), link.ap_id.as_str())
            .await?
            .ok_or_else(|| Refusal::NoSuchSeries {
                id: link.id.clone(),
            })?;
        let pivot = match scope {
            EditScope::All => {
                store::series::first_not_ended(&mut tx.conn(), series.id, store::now())
                    .await?
                    .unwrap_or(link.recurrence_id)
                    .min(link.recurrence_id)
            }
            _ => link.recurrence_id,
        };
        let old_zone = series.zone();
        let new_zone: chrono_tz::Tz = after.timezone.parse().unwrap_or(old_zone);
        // The change of wall-clock time, applied to every occurrence in its own local time, so a
        // move from 9.00 to 10.00 is 10.00 on both sides of a daylight-saving change.
        let delta = after.zone().naive_local(&after.starts_at)
            - before.zone().naive_local(&before.starts_at);
        let shift = |t: DateTime<Utc>| resolve_local(new_zone, old_zone_local(old_zone, t) + delta);
        let duration = after.ends_at - after.starts_at;
        let old_template = SeriesTemplate::of(&before);
        let new_template = SeriesTemplate::of(&after);
        let mut template = series
            .template
            .clone()
            .unwrap_or_else(|| old_template.clone());
        template.apply_changes(&old_template, &new_template);
        let rule = series
            .rule()
            .ok_or_else(|| Error::Internal("a local series' rule is readable".into()))?;
        let now = store::now();
        let earlier = rule
            .starts(
                old_zone,
                series.first_starts_at,
                series.first_starts_at,
                pivot,
                usize::MAX,
            )
            .unwrap_or_default();
        let moved_exdates: Vec<DateTime<Utc>> = series
            .exdates
            .iter()
            .filter(|t| **t >= pivot)
            .map(|t| shift(*t))
            .collect();
        let mut target = if earlier.is_empty() {
            // Nothing before it: the series itself changes.
            series.first_starts_at = shift(series.first_starts_at);
            series.timezone = new_zone.name().to_string();
            series.duration_seconds = duration.num_seconds();
            series.template = Some(template);
            series.generated_until = series.generated_until.map(shift);
            series.exdates = moved_exdates;
            series.updated_at = now;
            store::series::upsert(&mut tx.conn(), &series).await?
        } else {
            // Split: the old series ends before the pivot, a new one continues from it.
            let mut continued = match rule.rule().get_count() {
                Some(count) => rule.with_count(count.saturating_sub(earlier.len() as u32).max(1)),
                None => rule.clone(),
            };
            if let Some(until) = rule.rule().get_until() {
                continued = continued.until(until.with_timezone(&Utc));
            }
            let public_id = new_public_id();
            let next = Series {
                id: 0,
                ap_id: self.state().urls().series(&public_id),
                public_id,
                organizer_ap_id: series.organizer_ap_id.clone(),
                community_id: series.community_id,
                recurrence: continued.text(),
                timezone: new_zone.name().to_string(),
                first_starts_at: shift(pivot),
                duration_seconds: duration.num_seconds(),
                template: Some(template),
                exdates: moved_exdates,
                generated_until: series.generated_until.map(shift),
                ended_at: None,
                created_at: now,
                updated_at: now,
            };
            let next = store::series::upsert(&mut tx.conn(), &next).await?;
            if let Some(person) =
                store::authors::find(&mut tx.conn(), series.ap_id.as_str()).await?
            {
                store::authors::record(&mut tx.conn(), next.ap_id.as_str(), &person).await?;
            }
            series.recurrence = rule.until(pivot - Duration::seconds(1)).text();
            series.exdates.retain(|t| *t < pivot);
            series.ended_at = Some(now);
            series.updated_at = now;
            store::series::upsert(&mut tx.conn(), &series).await?;
            next
        };
        let mut saved_pivot = None;
        let mut ids = store::series::occurrence_ids(&mut tx.conn(), series.id, pivot).await?;
        if delta > Duration::zero() {
            // Later first, so that no shifted start lands on one not moved yet (a unique index).
            ids.reverse();
        }
        for id in ids {
            let Some(mut event) = store::events::find_by_id(&mut tx.conn(), id).await? else {
                continue;
            };
            let Some(own) = event.series.clone() else {
                continue;
            };
            let cancelled = event.status == EventStatus::Cancelled;
            let mut fields = SeriesTemplate::of(&event);
            fields.apply_changes(&old_template, &new_template);
            fields.apply(&mut event);
            if cancelled {
                event.status = EventStatus::Cancelled;
            }
            event.timezone = new_zone.name().to_string();
            event.starts_at = shift(event.starts_at);
            event.ends_at = event.starts_at + duration;
            let recurrence_id = shift(own.recurrence_id);
            // Moved out of the way first: a shifted start may be another occurrence's old one.
            store::series::unlink(&mut tx.conn(), event.id).await?;
            event.series = None;
            store::series::link(
                &mut tx.conn(),
                event.id,
                target.id,
                recurrence_id,
                own.overridden,
            )
            .await?;
            let saved = self.save_and_announce_change(&mut tx, event).await?;
            if id == before.id {
                saved_pivot = Some(saved);
            }
        }
        target.updated_at = now;
        store::series::upsert(&mut tx.conn(), &target).await?;
        self.commit(tx).await?;
        match saved_pivot {
            Some(e) => Ok(e),
            None => self.event(&before.public_id).await,
        }
    }

    /// Ends a local series after `after` (now when absent): its rule gets that `UNTIL`, and the
    /// occurrences already made after it are cancelled (their participants are told).
    pub async fn end_series(
        &self,
        by: &Account,
        public_id: &str,
        after: Option<DateTime<Utc>>,
    ) -> Result<Series> {
        let series = self.series(public_id).await?;
        let Some(community_id) = series.community_id else {
            return Err(Refusal::RemoteEventReadOnly.into());
        };
        let community = self
            .community_by_id(community_id)
            .await?
            .ok_or_else(|| Error::NotFound(format!("community {community_id}")))?;
        self.require_manager(by, &community).await?;
        if series.ended_at.is_some() {
            return Err(Refusal::SeriesEnded.into());
        }
        let now = store::now();
        let at = after.unwrap_or(now);
        let rule = series
            .rule()
            .ok_or_else(|| Error::Internal("a local series' rule is readable".into()))?;
        let mut tx = self.db().begin().await?;
        let mut series = series;
        series.recurrence = rule.until(at).text();
        series.ended_at = Some(now);
        series.updated_at = now;
        let series = store::series::upsert(&mut tx.conn(), &series).await?;
        for id in
            store::series::occurrence_ids(&mut tx.conn(), series.id, at + Duration::seconds(1))
                .await?
        {
            let Some(mut event) = store::events::find_by_id(&mut tx.conn(), id).await? else {
                continue;
            };
            if event.status == EventStatus::Cancelled {
                continue;
            }
            event.status = EventStatus::Cancelled;
            self.save_and_announce_change(&mut tx, event).await?;
        }
        self.commit(tx).await?;
        Ok(series)
    }
}

/// `t` as a wall-clock time in `zone`.
fn old_zone_local(zone: chrono_tz::Tz, t: DateTime<Utc>) -> chrono::NaiveDateTime {
    t.with_timezone(&zone).naive_local()
}
