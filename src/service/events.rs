//! Events: publishing, changing, cancelling; participation with capacity and waitlist; replies; the
//! events of followed communities.

use chrono::{DateTime, Utc};
use rand::RngCore;
use url::Url;

use super::Verkosto;
use super::communities::{bounded, optional_url, tags};
use crate::apub::activities::{announce, create, join};
use crate::apub::{actor, event as ap_event};
use crate::error::{Error, Result};
use crate::model::{
    Account, Comment, Community, Event, EventCategory, EventPlace, EventStatus, EventUpdate,
    JoinMode, NewEvent, Participation, ParticipationState,
};
use crate::store::{self, Tx};

/// The time zone of events that name none.
pub const DEFAULT_TIMEZONE: &str = "Europe/Helsinki";

/// The most events one page of a community's event list holds (and the most a page or feed shows).
pub const MAX_EVENTS_PER_PAGE: i64 = 1000;

/// The highest page number of an event list (ten million events at the largest pages).
pub const MAX_EVENT_PAGE: i64 = 10_000;

/// One page of a community's events.
#[derive(Debug, Clone)]
pub struct EventsPage {
    /// The events, by start.
    pub events: Vec<Event>,
    /// Whether another page follows.
    pub more: bool,
}
const MAX_TITLE: usize = 200;
const MAX_DESCRIPTION: usize = 50_000;

fn new_public_id() -> String {
    let mut raw = [0u8; 12];
    rand::rng().fill_bytes(&mut raw);
    hex::encode(raw)
}

fn parse_time(field: &'static str, raw: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(raw.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            Error::invalid(
                field,
                "must be an RFC 3339 time such as 2026-11-24T18:00:00+02:00",
            )
        })
}

fn check_timezone(raw: &str) -> Result<String> {
    raw.parse::<chrono_tz::Tz>()
        .map(|_| raw.to_string())
        .map_err(|_| {
            Error::invalid(
                "timezone",
                format!("{raw:?} is not an IANA time zone such as Europe/Helsinki"),
            )
        })
}

fn check_title(raw: &str) -> Result<String> {
    let title = raw.trim().to_string();
    if title.is_empty() {
        return Err(Error::invalid("title", "must not be empty"));
    }
    bounded("title", &title, MAX_TITLE)?;
    Ok(title)
}

fn check_capacity(raw: Option<i64>) -> Result<Option<i64>> {
    match raw {
        Some(c) if c < 1 => Err(Error::invalid("capacity", "must be at least 1")),
        other => Ok(other),
    }
}

fn check_place(place: Option<EventPlace>) -> Result<Option<EventPlace>> {
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
            "must be between -90 and 90",
        ));
    }
    if p.longitude.is_some_and(|l| !(-180.0..=180.0).contains(&l)) {
        return Err(Error::invalid(
            "location.longitude",
            "must be between -180 and 180",
        ));
    }
    Ok(Some(p).filter(|p| *p != EventPlace::default()))
}

fn check_language(raw: Option<String>) -> Result<Option<String>> {
    match raw.map(|l| l.trim().to_string()).filter(|l| !l.is_empty()) {
        Some(l) if l.len() > 35 || !l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') => {
            Err(Error::invalid(
                "language",
                "must be a language tag such as fi, sv or en",
            ))
        }
        other => Ok(other),
    }
}

fn check_description(raw: &str) -> Result<()> {
    bounded("description", raw, MAX_DESCRIPTION)
}

fn check_times(starts_at: DateTime<Utc>, ends_at: DateTime<Utc>) -> Result<()> {
    if ends_at < starts_at {
        return Err(Error::invalid("ends_at", "must not be before starts_at"));
    }
    Ok(())
}

fn check_join(mode: JoinMode, external_url: &Option<Url>) -> Result<()> {
    if mode == JoinMode::External && external_url.is_none() {
        return Err(Error::invalid(
            "external_url",
            "is required when join_mode is external",
        ));
    }
    Ok(())
}

impl Verkosto {
    /// Publishes a new event of a community (its managers only): `Create` and `Announce` to followers.
    pub async fn create_event(
        &self,
        by: &Account,
        community_name: &str,
        new: NewEvent,
    ) -> Result<Event> {
        let community = self.community(community_name).await?;
        self.require_manager(by, &community).await?;
        let title = check_title(&new.title)?;
        let description = new.description.unwrap_or_default();
        check_description(&description)?;
        let starts_at = parse_time("starts_at", &new.starts_at)?;
        let ends_at = parse_time("ends_at", &new.ends_at)?;
        check_times(starts_at, ends_at)?;
        let timezone = check_timezone(new.timezone.as_deref().unwrap_or(DEFAULT_TIMEZONE))?;
        let join_mode = new.join_mode.unwrap_or(JoinMode::Free);
        let external_url = optional_url("external_url", new.external_url.as_deref())?;
        check_join(join_mode, &external_url)?;
        if new.status == Some(EventStatus::Cancelled) {
            return Err(Error::invalid("status", "a new event cannot be cancelled"));
        }
        let organizer = actor::community_id(self.state(), &community.name);
        let cohosts = self
            .resolve_cohosts(new.cohosts.unwrap_or_default(), &organizer)
            .await?;
        let public_id = new_public_id();
        let ap_id = self.state().url(&format!("/e/{public_id}"));
        let now = store::now();
        let event = Event {
            id: 0,
            url: ap_id.clone(),
            ap_id,
            organizer_ap_id: organizer,
            community_id: Some(community.id),
            cohosts: cohosts.iter().map(|(id, _)| id.clone()).collect(),
            local: true,
            title,
            description_html: super::sanitize::markdown(&description),
            description_source: Some(description).filter(|d| !d.is_empty()),
            starts_at,
            ends_at,
            timezone,
            status: new.status.unwrap_or(EventStatus::Confirmed),
            place: check_place(new.location)?,
            online_url: optional_url("online_url", new.online_url.as_deref())?,
            capacity: check_capacity(new.capacity)?,
            join_mode,
            external_url,
            tags: tags(new.tags.unwrap_or_default())?,
            category: new.category.unwrap_or(EventCategory::Meeting),
            banner_url: optional_url("banner_url", new.banner_url.as_deref())?,
            language: check_language(new.language)?,
            comments_enabled: new.comments_enabled.unwrap_or(true),
            sequence: 0,
            participant_count: 0,
            published_at: now,
            updated_at: now,
            public_id,
        };
        let mut tx = self.db().begin().await?;
        let event = store::events::upsert(&mut tx.conn(), &event).await?;
        let (id, body) = create::create_event(self.state(), &event);
        let cohost_inboxes: Vec<Url> = cohosts.into_iter().filter_map(|(_, inbox)| inbox).collect();
        let (organizer, body) = (&event.organizer_ap_id, body.to_string());
        self.publish_json(&mut tx, organizer, &id, &body, true, &cohost_inboxes)
            .await?;
        let (id, body) = announce::announce_event(self.state(), &event);
        self.publish_json(
            &mut tx,
            &event.organizer_ap_id,
            &id,
            &body.to_string(),
            true,
            &[],
        )
        .await?;
        self.commit(tx).await?;
        tracing::info!(event = %event.ap_id, community = %community.name, "event published");
        Ok(event)
    }

    /// Resolves co-host handles (`name` here, `name@host` anywhere) to community actor ids, with the
    /// inbox of remote ones (they are sent the event).
    async fn resolve_cohosts(
        &self,
        handles: Vec<String>,
        organizer: &Url,
    ) -> Result<Vec<(Url, Option<Url>)>> {
        if handles.len() > 20 {
            return Err(Error::invalid("cohosts", "at most 20 co-hosts"));
        }
        let mut out: Vec<(Url, Option<Url>)> = vec![];
        for handle in handles {
            let handle = handle.trim().trim_start_matches('@').to_string();
            let local_name = match handle.split_once('@') {
                None => Some(handle.clone()),
                Some((name, host)) if host.eq_ignore_ascii_case(&self.settings().domain) => {
                    Some(name.to_string())
                }
                Some(_) => None,
            };
            let resolved = match local_name {
                Some(name) => {
                    let c = self.community(&name).await.map_err(|_| {
                        Error::invalid("cohosts", format!("no community {name:?} here"))
                    })?;
                    (actor::community_id(self.state(), &c.name), None)
                }
                None => {
                    let remote = self
                        .lookup(&handle)
                        .await
                        .map_err(|e| Error::invalid("cohosts", format!("{handle}: {e}")))?;
                    if remote.kind != crate::model::ActorKind::Group {
                        return Err(Error::invalid(
                            "cohosts",
                            format!("{handle} is not a community"),
                        ));
                    }
                    (remote.ap_id.clone(), Some(remote.delivery_inbox().clone()))
                }
            };
            if &resolved.0 != organizer && !out.iter().any(|(id, _)| id == &resolved.0) {
                out.push(resolved);
            }
        }
        Ok(out)
    }

    /// The event with this API id (local or cached remote).
    pub async fn event(&self, public_id: &str) -> Result<Event> {
        let mut c = self.db().acquire().await?;
        store::events::find_by_public_id(&mut c.conn(), public_id)
            .await?
            .ok_or_else(|| Error::NotFound(format!("event {public_id:?}")))
    }

    /// A local or cached event by its ActivityPub id.
    pub async fn event_by_ap_id(&self, ap_id: &Url) -> Result<Event> {
        let mut c = self.db().acquire().await?;
        store::events::find_by_ap_id(&mut c.conn(), ap_id.as_str())
            .await?
            .ok_or_else(|| Error::NotFound(format!("event {ap_id}")))
    }

    /// Whether a deleted event stood at this id (it answers 410 Gone).
    pub async fn event_is_deleted(&self, ap_id: &Url) -> Result<bool> {
        let mut c = self.db().acquire().await?;
        store::events::is_tombstoned(&mut c.conn(), ap_id.as_str()).await
    }

    /// A community's events overlapping `from`..`to` (upcoming by default), the first
    /// [`MAX_EVENTS_PER_PAGE`] of them (for pages and feeds; the API pages through all of them
    /// with [`Verkosto::community_events_page`]).
    pub async fn community_events(
        &self,
        community: &Community,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<Vec<Event>> {
        let page = self
            .community_events_page(community, from, to, 1, MAX_EVENTS_PER_PAGE)
            .await?;
        if page.more {
            tracing::debug!(community = %community.name, "event list cut at {MAX_EVENTS_PER_PAGE}");
        }
        Ok(page.events)
    }

    /// Page `page` (from 1) of a community's (or network's) events overlapping `from`..`to`,
    /// `per_page` (1 to [`MAX_EVENTS_PER_PAGE`]) events a page, and whether more follow.
    pub async fn community_events_page(
        &self,
        community: &Community,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
        page: i64,
        per_page: i64,
    ) -> Result<EventsPage> {
        let from = from.unwrap_or_else(Utc::now);
        let to = to.unwrap_or_else(|| from + chrono::Duration::days(3650));
        if to < from {
            return Err(Error::invalid("to", "must not be before from"));
        }
        if !(1..=MAX_EVENTS_PER_PAGE).contains(&per_page) {
            return Err(Error::invalid(
                "limit",
                format!("must be from 1 to {MAX_EVENTS_PER_PAGE}"),
            ));
        }
        if !(1..=MAX_EVENT_PAGE).contains(&page) {
            return Err(Error::invalid(
                "page",
                format!("must be from 1 to {MAX_EVENT_PAGE}"),
            ));
        }
        // One more than asked tells whether another page follows. Both factors are bounded above,
        // so the offset cannot overflow.
        let (limit, offset) = (per_page + 1, (page - 1) * per_page);
        let mut events = if community.kind == crate::model::CommunityKind::Network {
            self.network_events(community, (from, to), limit, offset)
                .await?
        } else {
            let organizer = actor::community_id(self.state(), &community.name);
            let mut c = self.db().acquire().await?;
            store::events::by_organizer(&mut c.conn(), organizer.as_str(), from, to, limit, offset)
                .await?
        };
        let more = events.len() > usize::try_from(per_page).unwrap_or(usize::MAX);
        events.truncate(usize::try_from(per_page).unwrap_or(usize::MAX));
        Ok(EventsPage { events, more })
    }

    /// A local event that `by` may manage, with its community.
    pub async fn managed_local_event(
        &self,
        by: &Account,
        public_id: &str,
    ) -> Result<(Event, Community)> {
        let event = self.event(public_id).await?;
        let Some(community_id) = event.community_id else {
            return Err(Error::Forbidden(
                "only the organizer's instance can change a remote event".into(),
            ));
        };
        let community = self
            .community_by_id(community_id)
            .await?
            .ok_or_else(|| Error::NotFound(format!("community {community_id}")))?;
        self.require_manager(by, &community).await?;
        Ok((event, community))
    }

    /// Upcoming events organised by this instance's communities, soonest first (at most `limit`).
    pub async fn upcoming_local_events(&self, limit: i64) -> Result<Vec<Event>> {
        let mut c = self.db().acquire().await?;
        store::events::upcoming_local(&mut c.conn(), Utc::now(), limit.clamp(1, 100)).await
    }

    /// Changes an event (its community's managers only); followers and participants get an `Update`.
    pub async fn update_event(
        &self,
        by: &Account,
        public_id: &str,
        change: EventUpdate,
    ) -> Result<Event> {
        let (mut event, _) = self.managed_local_event(by, public_id).await?;
        if let Some(t) = change.title {
            event.title = check_title(&t)?;
        }
        if let Some(d) = change.description {
            check_description(&d)?;
            event.description_html = super::sanitize::markdown(&d);
            event.description_source = Some(d).filter(|d| !d.is_empty());
        }
        if let Some(s) = change.starts_at {
            event.starts_at = parse_time("starts_at", &s)?;
        }
        if let Some(e) = change.ends_at {
            event.ends_at = parse_time("ends_at", &e)?;
        }
        check_times(event.starts_at, event.ends_at)?;
        if let Some(tz) = change.timezone {
            event.timezone = check_timezone(&tz)?;
        }
        if let Some(place) = change.location {
            event.place = check_place(Some(place))?;
        }
        if let Some(u) = change.online_url {
            event.online_url = optional_url("online_url", Some(&u))?;
        }
        if change.capacity.is_some() {
            event.capacity = check_capacity(change.capacity)?;
        }
        if let Some(m) = change.join_mode {
            event.join_mode = m;
        }
        if let Some(u) = change.external_url {
            event.external_url = optional_url("external_url", Some(&u))?;
        }
        check_join(event.join_mode, &event.external_url)?;
        if let Some(t) = change.tags {
            event.tags = tags(t)?;
        }
        if let Some(c) = change.category {
            event.category = c;
        }
        if let Some(b) = change.banner_url {
            event.banner_url = optional_url("banner_url", Some(&b))?;
        }
        if change.language.is_some() {
            event.language = check_language(change.language)?;
        }
        if let Some(c) = change.comments_enabled {
            event.comments_enabled = c;
        }
        match change.status {
            Some(EventStatus::Cancelled) => {
                return Err(Error::invalid(
                    "status",
                    "use POST /api/v1/events/{id}/cancel to cancel",
                ));
            }
            Some(s) => event.status = s,
            None => {}
        }
        let mut tx = self.db().begin().await?;
        let event = self.save_and_announce_change(&mut tx, event).await?;
        self.fill_seats(&mut tx, &event).await?;
        self.commit(tx).await?;
        self.event(public_id).await
    }

    /// Cancels an event: it stays visible as cancelled, and everyone is told with an `Update`.
    pub async fn cancel_event(&self, by: &Account, public_id: &str) -> Result<Event> {
        let (mut event, _) = self.managed_local_event(by, public_id).await?;
        event.status = EventStatus::Cancelled;
        let mut tx = self.db().begin().await?;
        self.save_and_announce_change(&mut tx, event).await?;
        self.commit(tx).await?;
        self.event(public_id).await
    }

    /// Deletes an event: followers and participants get a `Delete`, and its id answers 410 Gone.
    pub async fn delete_event(&self, by: &Account, public_id: &str) -> Result<()> {
        let (event, _) = self.managed_local_event(by, public_id).await?;
        let mut tx = self.db().begin().await?;
        let inboxes = self.participant_inboxes(&mut tx, &event).await?;
        store::events::delete(&mut tx.conn(), &event, store::now()).await?;
        let id = crate::apub::new_activity_id(self.state());
        let body = serde_json::json!({
            "@context": crate::apub::context::context(),
            "type": "Delete", "id": id, "actor": event.organizer_ap_id,
            "object": { "type": "Tombstone", "id": event.ap_id, "formerType": "Event" },
            "to": [crate::apub::PUBLIC], "cc": [format!("{}/followers", event.organizer_ap_id)],
        });
        self.publish_json(
            &mut tx,
            &event.organizer_ap_id,
            &id,
            &body.to_string(),
            true,
            &inboxes,
        )
        .await?;
        self.commit(tx).await
    }

    /// Stores a changed local event with a higher `SEQUENCE` and queues its `Update`.
    async fn save_and_announce_change(&self, tx: &mut Tx, mut event: Event) -> Result<Event> {
        event.sequence += 1;
        event.updated_at = store::now();
        let saved = store::events::upsert(&mut tx.conn(), &event).await?;
        self.send_event_update(tx, &saved).await?;
        Ok(saved)
    }

    async fn send_event_update(&self, tx: &mut Tx, event: &Event) -> Result<()> {
        let fresh = store::events::find_by_id(&mut tx.conn(), event.id)
            .await?
            .ok_or_else(|| Error::Internal("event vanished".into()))?;
        let mut object = ap_event::event_to_ap(self.state(), &fresh);
        if let Some(o) = object.as_object_mut() {
            o.remove("@context");
        }
        let id = crate::apub::new_activity_id(self.state());
        let body = serde_json::json!({
            "@context": ap_event::event_context(),
            "type": "Update", "id": id, "actor": fresh.organizer_ap_id, "object": object,
            "to": [crate::apub::PUBLIC], "cc": [format!("{}/followers", fresh.organizer_ap_id)],
        });
        let inboxes = self.participant_inboxes(tx, &fresh).await?;
        self.publish_json(
            tx,
            &fresh.organizer_ap_id,
            &id,
            &body.to_string(),
            true,
            &inboxes,
        )
        .await
    }

    async fn participant_inboxes(&self, tx: &mut Tx, event: &Event) -> Result<Vec<Url>> {
        let all = store::events::participations(&mut tx.conn(), event.id).await?;
        let mut out: Vec<Url> = vec![];
        for p in all {
            if !out.contains(&p.inbox) {
                out.push(p.inbox);
            }
        }
        Ok(out)
    }

    /// Seats freed (capacity raised, someone left): promote waitlisted participants, oldest first.
    async fn fill_seats(&self, tx: &mut Tx, event: &Event) -> Result<()> {
        loop {
            let accepted = store::events::lock_and_count_accepted(&mut tx.conn(), event.id).await?;
            if event.capacity.is_some_and(|c| accepted >= c) {
                return Ok(());
            }
            let Some(next) = store::events::first_waitlisted(&mut tx.conn(), event.id).await?
            else {
                return Ok(());
            };
            store::events::set_participation_state(
                &mut tx.conn(),
                next.id,
                ParticipationState::Accepted,
            )
            .await?;
            self.answer_participant(tx, event, &next, "Accept").await?;
            tracing::info!(event = %event.ap_id, participant = %next.participant_ap_id, "promoted from the waitlist");
        }
    }

    /// Tells a participant where they stand (remote ones; local accounts read it from the database).
    async fn answer_participant(
        &self,
        tx: &mut Tx,
        event: &Event,
        p: &Participation,
        kind: &str,
    ) -> Result<()> {
        if self.is_local_url(&p.participant_ap_id) {
            return Ok(());
        }
        let (id, body) = join::answer(
            self.state(),
            kind,
            &event.organizer_ap_id,
            &p.join_activity_id,
            &p.participant_ap_id,
            &event.ap_id,
        );
        self.send_json_to(
            tx,
            &event.organizer_ap_id,
            &id,
            &body.to_string(),
            std::slice::from_ref(&p.inbox),
        )
        .await
    }

    pub(crate) fn is_local_url(&self, url: &Url) -> bool {
        actor::normalized_host(url).as_deref() == Some(self.settings().domain.as_str())
    }

    /// Someone asks to take part in one of our events. Decides by join mode and seats, answers, and
    /// federates the new counts.
    async fn join_local_event(
        &self,
        event: &Event,
        participant: &Url,
        handle: String,
        inbox: Url,
        join_id: &Url,
        message: Option<String>,
    ) -> Result<Participation> {
        let mut tx = self.db().begin().await?;
        let existing =
            store::events::participation_of(&mut tx.conn(), event.id, participant.as_str()).await?;
        if let Some(p) = existing.filter(|p| p.state != ParticipationState::Rejected) {
            return self.join_again(tx, event, p, join_id).await;
        }
        let accepted = store::events::lock_and_count_accepted(&mut tx.conn(), event.id).await?;
        let full = event.capacity.is_some_and(|c| accepted >= c);
        let (state, answer) = match event.join_mode {
            _ if event.status == EventStatus::Cancelled => (ParticipationState::Rejected, "Reject"),
            JoinMode::Free if full => (ParticipationState::Waitlisted, "TentativeAccept"),
            JoinMode::Free => (ParticipationState::Accepted, "Accept"),
            JoinMode::Approval => (ParticipationState::Pending, ""),
            JoinMode::Invite | JoinMode::External | JoinMode::None => {
                (ParticipationState::Rejected, "Reject")
            }
        };
        let p = store::events::upsert_participation(
            &mut tx.conn(),
            &Participation {
                id: 0,
                event_id: event.id,
                participant_ap_id: participant.clone(),
                instance: String::new(),
                handle,
                inbox,
                join_activity_id: join_id.clone(),
                state,
                message: message.map(|m| m.chars().take(2000).collect()),
                created_at: store::now(),
            },
        )
        .await?;
        if !answer.is_empty() {
            self.answer_participant(&mut tx, event, &p, answer).await?;
        }
        if state == ParticipationState::Accepted {
            self.send_event_update(&mut tx, event).await?;
        }
        self.commit(tx).await?;
        Ok(p)
    }

    /// A `Join` of someone already taking part: nothing changes but the `Join` id kept (the latest, so
    /// an `Undo` of it works), and the standing is answered again, since the sender may have lost the
    /// first answer. A pending request still waits for a manager.
    async fn join_again(
        &self,
        mut tx: Tx,
        event: &Event,
        p: Participation,
        join_id: &Url,
    ) -> Result<Participation> {
        let answer = match p.state {
            ParticipationState::Accepted => "Accept",
            ParticipationState::Waitlisted => "TentativeAccept",
            _ => return Ok(p),
        };
        let p = if &p.join_activity_id == join_id {
            p
        } else {
            store::events::upsert_participation(
                &mut tx.conn(),
                &Participation {
                    join_activity_id: join_id.clone(),
                    ..p
                },
            )
            .await?
        };
        self.answer_participant(&mut tx, event, &p, answer).await?;
        self.commit(tx).await?;
        Ok(p)
    }

    /// A participant leaves one of our events; a waitlisted person may get the seat.
    async fn leave_local_event(&self, event: &Event, participant: &Url) -> Result<()> {
        let mut tx = self.db().begin().await?;
        let Some(p) =
            store::events::participation_of(&mut tx.conn(), event.id, participant.as_str()).await?
        else {
            return Ok(());
        };
        store::events::delete_participation(&mut tx.conn(), p.id).await?;
        if p.state == ParticipationState::Accepted {
            self.fill_seats(&mut tx, event).await?;
            self.send_event_update(&mut tx, event).await?;
        }
        self.commit(tx).await
    }

    /// Handles a remote `Join` (or a Friendica-style `Accept`) of one of our events.
    pub(crate) async fn receive_join(
        &self,
        actor_id: &Url,
        event_id: &Url,
        join_id: &Url,
        message: Option<String>,
    ) -> Result<()> {
        let event = self.event_by_ap_id(event_id).await?;
        if !event.local {
            return Err(Error::invalid("object", "the event is not hosted here"));
        }
        let who = actor::resolve_remote(&self.federation_data(), actor_id).await?;
        let p = self
            .join_local_event(
                &event,
                &who.ap_id,
                who.handle(),
                who.inbox.clone(),
                join_id,
                message,
            )
            .await?;
        tracing::info!(event = %event.ap_id, participant = %who.ap_id, state = %p.state, "join received");
        Ok(())
    }

    /// Handles a remote `Leave` or `Undo{Join}`.
    pub(crate) async fn receive_leave(&self, actor_id: &Url, event_id: &Url) -> Result<()> {
        let event = self.event_by_ap_id(event_id).await?;
        if event.local {
            self.leave_local_event(&event, actor_id).await?;
        }
        Ok(())
    }

    /// Whether `id` is a `Join` one of our accounts sent.
    pub(crate) async fn is_our_join(&self, id: &Url) -> Result<bool> {
        let mut c = self.db().acquire().await?;
        Ok(
            store::events::participation_by_join(&mut c.conn(), id.as_str())
                .await?
                .is_some_and(|p| self.is_local_url(&p.participant_ap_id)),
        )
    }

    /// Whether `id` is a `Follow` one of our accounts sent.
    pub(crate) async fn is_our_follow(&self, id: &Url) -> Result<bool> {
        let mut c = self.db().acquire().await?;
        Ok(
            store::follows::find_following_by_activity(&mut c.conn(), id.as_str())
                .await?
                .is_some(),
        )
    }

    /// The organizer of a remote event answered one of our accounts' `Join`.
    pub(crate) async fn receive_join_answer(
        &self,
        organizer: &Url,
        join_id: &Url,
        state: ParticipationState,
    ) -> Result<()> {
        let mut tx = self.db().begin().await?;
        let p = store::events::participation_by_join(&mut tx.conn(), join_id.as_str())
            .await?
            .ok_or_else(|| Error::NotFound(format!("join {join_id}")))?;
        let event = store::events::find_by_id(&mut tx.conn(), p.event_id)
            .await?
            .ok_or_else(|| Error::NotFound("event".into()))?;
        if &event.organizer_ap_id != organizer {
            return Err(Error::Forbidden(
                "only the event's organizer can answer a join".into(),
            ));
        }
        store::events::set_participation_state(&mut tx.conn(), p.id, state).await?;
        self.commit(tx).await?;
        tracing::info!(event = %event.ap_id, %state, "join answered");
        Ok(())
    }

    /// A local account takes part in a local or remote event (given by API id or by its URL).
    pub async fn participate(&self, account: &Account, event_ref: &str) -> Result<Participation> {
        let event = self.event_for_participation(event_ref).await?;
        let me = actor::account_id(self.state(), &account.username);
        let handle = format!("{}@{}", account.username, self.settings().domain);
        if event.local {
            let join_id = crate::apub::new_activity_id(self.state());
            let inbox = self.state().url(&format!("/u/{}/inbox", account.username));
            return self
                .join_local_event(&event, &me, handle, inbox, &join_id, None)
                .await;
        }
        if matches!(
            event.join_mode,
            JoinMode::External | JoinMode::None | JoinMode::Invite
        ) {
            return Err(Error::Conflict(format!(
                "this event does not take participants here (join mode {})",
                event.join_mode
            )));
        }
        let organizer =
            actor::resolve_remote(&self.federation_data(), &event.organizer_ap_id).await?;
        let (join_id, body) = join::join(self.state(), &me, &event.ap_id, &organizer.ap_id);
        let mut tx = self.db().begin().await?;
        let p = store::events::upsert_participation(
            &mut tx.conn(),
            &Participation {
                id: 0,
                event_id: event.id,
                participant_ap_id: me.clone(),
                handle,
                instance: String::new(),
                inbox: self.state().url(&format!("/u/{}/inbox", account.username)),
                join_activity_id: join_id.clone(),
                state: ParticipationState::Pending,
                message: None,
                created_at: store::now(),
            },
        )
        .await?;
        self.send_json_to(
            &mut tx,
            &me,
            &join_id,
            &body.to_string(),
            std::slice::from_ref(&organizer.inbox),
        )
        .await?;
        self.commit(tx).await?;
        Ok(p)
    }

    /// Where a local account stands with an event.
    pub async fn my_participation(
        &self,
        account: &Account,
        event_ref: &str,
    ) -> Result<Participation> {
        let event = self.event_for_participation(event_ref).await?;
        let me = actor::account_id(self.state(), &account.username);
        let mut c = self.db().acquire().await?;
        store::events::participation_of(&mut c.conn(), event.id, me.as_str())
            .await?
            .ok_or_else(|| Error::NotFound("participation".into()))
    }

    /// A local account stops taking part.
    pub async fn leave(&self, account: &Account, event_ref: &str) -> Result<()> {
        let event = self.event_for_participation(event_ref).await?;
        let me = actor::account_id(self.state(), &account.username);
        if event.local {
            return self.leave_local_event(&event, &me).await;
        }
        let organizer =
            actor::resolve_remote(&self.federation_data(), &event.organizer_ap_id).await?;
        let mut tx = self.db().begin().await?;
        let p = store::events::participation_of(&mut tx.conn(), event.id, me.as_str())
            .await?
            .ok_or_else(|| Error::NotFound("participation".into()))?;
        store::events::delete_participation(&mut tx.conn(), p.id).await?;
        let (id, body) = join::leave(self.state(), &me, &event.ap_id, &organizer.ap_id);
        self.send_json_to(
            &mut tx,
            &me,
            &id,
            &body.to_string(),
            std::slice::from_ref(&organizer.inbox),
        )
        .await?;
        self.commit(tx).await
    }

    async fn event_for_participation(&self, event_ref: &str) -> Result<Event> {
        match Url::parse(event_ref) {
            Ok(url) => match self.event_by_ap_id(&url).await {
                Ok(e) => Ok(e),
                Err(Error::NotFound(_)) if !self.is_local_url(&url) => {
                    let doc = crate::apub::fetch_json(&self.federation_data(), &url).await?;
                    let organizer = doc
                        .get("attributedTo")
                        .and_then(|a| crate::apub::activities::object_id(a).ok())
                        .filter(|o| actor::normalized_host(o) == actor::normalized_host(&url))
                        .ok_or_else(|| {
                            Error::Remote("the event has no organizer on its own host".into())
                        })?;
                    self.store_remote_event(&organizer, &doc).await
                }
                Err(e) => Err(e),
            },
            Err(_) => self.event(event_ref).await,
        }
    }

    /// The participants of an event (its community's managers only), with handles and instances.
    pub async fn participants(&self, by: &Account, public_id: &str) -> Result<Vec<Participation>> {
        let (event, _) = self.managed_local_event(by, public_id).await?;
        let mut c = self.db().acquire().await?;
        store::events::participations(&mut c.conn(), event.id).await
    }

    /// A manager accepts or rejects a pending (or waitlisted) participant.
    pub async fn decide_participation(
        &self,
        by: &Account,
        public_id: &str,
        participation_id: i64,
        accept: bool,
    ) -> Result<Participation> {
        let (event, _) = self.managed_local_event(by, public_id).await?;
        let mut tx = self.db().begin().await?;
        let p = store::events::participation(&mut tx.conn(), event.id, participation_id)
            .await?
            .ok_or_else(|| Error::NotFound(format!("participant {participation_id}")))?;
        let (state, answer) = if !accept {
            (ParticipationState::Rejected, "Reject")
        } else {
            let accepted = store::events::lock_and_count_accepted(&mut tx.conn(), event.id).await?;
            if p.state == ParticipationState::Accepted {
                (ParticipationState::Accepted, "")
            } else if event.capacity.is_some_and(|c| accepted >= c) {
                (ParticipationState::Waitlisted, "TentativeAccept")
            } else {
                (ParticipationState::Accepted, "Accept")
            }
        };
        let was_accepted = p.state == ParticipationState::Accepted;
        store::events::set_participation_state(&mut tx.conn(), p.id, state).await?;
        if !answer.is_empty() {
            self.answer_participant(&mut tx, &event, &p, answer).await?;
        }
        if was_accepted != (state == ParticipationState::Accepted) {
            if was_accepted {
                self.fill_seats(&mut tx, &event).await?;
            }
            self.send_event_update(&mut tx, &event).await?;
        }
        self.commit(tx).await?;
        let mut c = self.db().acquire().await?;
        store::events::participation(&mut c.conn(), event.id, participation_id)
            .await?
            .ok_or_else(|| Error::Internal("participation vanished".into()))
    }

    /// A remote group published or changed an event. Stored when someone here follows the group.
    pub(crate) async fn receive_remote_event(
        &self,
        organizer: &Url,
        doc: &serde_json::Value,
        relay: bool,
    ) -> Result<()> {
        let attributed = doc
            .get("attributedTo")
            .and_then(|a| crate::apub::activities::object_id(a).ok());
        if attributed.as_ref() != Some(organizer) {
            return Err(Error::Forbidden(
                "an event can only be published or changed by its organizer".into(),
            ));
        }
        if !crate::apub::is_public(doc) {
            // We show what we store to anyone, so only public objects are stored; an Update cannot
            // widen a restricted object's audience here because restricted ones never arrive.
            tracing::info!(%organizer, "non-public event ignored");
            return Ok(());
        }
        let cohosted_here = doc
            .get("organizers")
            .and_then(|o| o.as_array())
            .is_some_and(|list| {
                list.iter()
                    .filter_map(|o| o.as_str())
                    .any(|o| Url::parse(o).is_ok_and(|u| self.is_local_url(&u)))
            });
        if !cohosted_here && !self.has_relation_to(organizer).await? {
            tracing::info!(%organizer, "event from a group nobody here follows; dropped");
            return Ok(());
        }
        let event = self.store_remote_event(organizer, doc).await?;
        if relay {
            let mut tx = self.db().begin().await?;
            self.relay_through_local_networks(&mut tx, organizer, &event.ap_id)
                .await?;
            self.commit(tx).await?;
        }
        Ok(())
    }

    /// Whether a remote actor matters here: an account follows it, or it is a member of a local network.
    pub(crate) async fn has_relation_to(&self, actor_id: &Url) -> Result<bool> {
        let mut c = self.db().acquire().await?;
        Ok(
            store::follows::is_followed_locally(&mut c.conn(), actor_id.as_str()).await?
                || !store::networks::networks_of_member(&mut c.conn(), actor_id.as_str())
                    .await?
                    .is_empty(),
        )
    }

    pub(crate) async fn store_remote_event(
        &self,
        organizer: &Url,
        doc: &serde_json::Value,
    ) -> Result<Event> {
        let ap_id = doc
            .get("id")
            .and_then(|i| crate::apub::activities::object_id(i).ok())
            .ok_or_else(|| Error::BadRequest("the event has no id".into()))?;
        if actor::normalized_host(&ap_id) != actor::normalized_host(organizer) {
            return Err(Error::Forbidden(
                "an event must be on its organizer's host".into(),
            ));
        }
        let mut tx = self.db().begin().await?;
        let existing = store::events::find_by_ap_id(&mut tx.conn(), ap_id.as_str()).await?;
        if let Some(e) = &existing
            && (e.local || &e.organizer_ap_id != organizer)
        {
            return Err(Error::Forbidden(
                "only an event's organizer can change it".into(),
            ));
        }
        let public_id = existing
            .as_ref()
            .map(|e| e.public_id.clone())
            .unwrap_or_else(new_public_id);
        let mut event = ap_event::event_from_ap(doc, public_id, organizer.clone())?;
        event.sequence = existing.as_ref().map(|e| e.sequence + 1).unwrap_or(0);
        let saved = store::events::upsert(&mut tx.conn(), &event).await?;
        tx.commit().await?;
        Ok(saved)
    }

    /// A remote actor deleted an object: one of its events, or a reply it wrote.
    pub(crate) async fn receive_delete(&self, actor_id: &Url, object: &Url) -> Result<()> {
        let mut tx = self.db().begin().await?;
        if let Some(event) = store::events::find_by_ap_id(&mut tx.conn(), object.as_str()).await? {
            if event.local || &event.organizer_ap_id != actor_id {
                return Err(Error::Forbidden(
                    "only an event's organizer can delete it".into(),
                ));
            }
            store::events::delete(&mut tx.conn(), &event, store::now()).await?;
        } else {
            store::events::delete_comment_by_ap_id(
                &mut tx.conn(),
                object.as_str(),
                actor_id.as_str(),
            )
            .await?;
        }
        tx.commit().await
    }

    /// A reply to one of our events arrived.
    pub(crate) async fn receive_reply(&self, author: &Url, note: &serde_json::Value) -> Result<()> {
        let Some(in_reply_to) = note
            .get("inReplyTo")
            .and_then(|r| crate::apub::activities::object_id(r).ok())
        else {
            return Ok(());
        };
        if !self.is_local_url(&in_reply_to) {
            return Ok(());
        }
        let event = self.event_by_ap_id(&in_reply_to).await?;
        if !event.comments_enabled {
            return Err(Error::Forbidden(
                "comments are closed for this event".into(),
            ));
        }
        let ap_id = crate::apub::activities::object_id(note)?;
        let content: String = note
            .get("content")
            .and_then(|c| c.as_str())
            .unwrap_or("")
            .chars()
            .take(20_000)
            .collect();
        let comment = Comment {
            id: 0,
            ap_id,
            author_ap_id: author.clone(),
            content_html: super::sanitize::html(&content),
            published_at: note
                .get("published")
                .and_then(|p| p.as_str())
                .and_then(|p| DateTime::parse_from_rfc3339(p).ok())
                .map(|p| p.with_timezone(&Utc))
                .unwrap_or_else(store::now),
        };
        let mut c = self.db().acquire().await?;
        store::events::insert_comment(&mut c.conn(), event.id, &comment).await
    }

    /// Replies to an event.
    pub async fn comments(&self, public_id: &str) -> Result<Vec<Comment>> {
        let event = self.event(public_id).await?;
        let mut c = self.db().acquire().await?;
        store::events::comments(&mut c.conn(), event.id).await
    }

    /// A manager removes a reply; followers are told with a `Remove`.
    pub async fn remove_comment(
        &self,
        by: &Account,
        public_id: &str,
        comment_id: i64,
    ) -> Result<()> {
        let (event, _) = self.managed_local_event(by, public_id).await?;
        let mut tx = self.db().begin().await?;
        let removed = store::events::delete_comment(&mut tx.conn(), event.id, comment_id)
            .await?
            .ok_or_else(|| Error::NotFound(format!("comment {comment_id}")))?;
        let id = crate::apub::new_activity_id(self.state());
        let body = serde_json::json!({
            "@context": crate::apub::context::context(),
            "type": "Remove", "id": id, "actor": event.organizer_ap_id,
            "object": removed.ap_id, "target": format!("{}/replies", event.ap_id),
            "to": [crate::apub::PUBLIC], "cc": [format!("{}/followers", event.organizer_ap_id)],
        });
        self.publish_json(
            &mut tx,
            &event.organizer_ap_id,
            &id,
            &body.to_string(),
            true,
            &[],
        )
        .await?;
        self.commit(tx).await
    }
}
