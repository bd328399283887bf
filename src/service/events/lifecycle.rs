//! An event's life: publishing, changing, cancelling and deleting a local event, each federated to
//! followers, co-hosts and participants.

use url::Url;

use super::validation::{
    check_capacity, check_description, check_join, check_language, check_place, check_recurrence,
    check_times, check_timezone, check_title, parse_time,
};
use super::{DEFAULT_TIMEZONE, Verkosto, new_public_id};
use crate::apub::activities::announce::Announce;
use crate::apub::activities::create::Create;
use crate::apub::activities::delete::DeleteObject;
use crate::apub::activities::group_post::Verb;
use crate::apub::activities::update::Update;
use crate::apub::actor;
use crate::error::{Error, Refusal, Result};
use crate::model::{
    Account, Community, EditScope, Event, EventCategory, EventStatus, EventUpdate, JoinMode,
    NewEvent,
};
use crate::service::communities::{optional_url, tags};
use crate::service::group_posts::GroupPost;
use crate::service::instance_relay::Relayable;
use crate::service::publish::Audience;
use crate::store::{self, Tx};

impl Verkosto {
    /// Publishes a new event of a community (its managers only): `Create` and `Announce` to followers.
    /// With a `recurrence`, the event is the first of a series, and its next occurrences are published
    /// with it (see [`Verkosto::extend_series`]).
    pub async fn create_event(
        &self,
        by: &Account,
        community_name: &str,
        new: NewEvent,
    ) -> Result<Event> {
        self.create_event_without(by, community_name, new, vec![])
            .await
    }

    /// [`Verkosto::create_event`], for a series with these dates left out (an imported `EXDATE`).
    pub(crate) async fn create_event_without(
        &self,
        by: &Account,
        community_name: &str,
        new: NewEvent,
        exdates: Vec<chrono::DateTime<chrono::Utc>>,
    ) -> Result<Event> {
        let community = self.community(community_name).await?;
        self.require_manager(by, &community).await?;
        let rsvp_poll = new.rsvp_poll.unwrap_or(false);
        let recurrence = new
            .recurrence
            .as_deref()
            .filter(|r| !r.trim().is_empty())
            .map(check_recurrence)
            .transpose()?;
        let (event, cohost_inboxes) = self.new_event(&community, new).await?;
        if let Some(rule) = recurrence {
            return self
                .create_series(by, &community, event, rule, exdates, &cohost_inboxes)
                .await;
        }
        let mut tx = self.db().begin().await?;
        let event = self
            .publish_event(&mut tx, by, &event, &cohost_inboxes, rsvp_poll)
            .await?;
        self.commit(tx).await?;
        tracing::info!(event = %event.ap_id, community = %community.name, "event published");
        Ok(event)
    }

    /// A new event of `community` from what a manager sent, checked, not stored yet; with the inboxes
    /// of its remote co-hosts.
    async fn new_event(&self, community: &Community, new: NewEvent) -> Result<(Event, Vec<Url>)> {
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
            return Err(Error::invalid("status", Refusal::NewEventCancelled));
        }
        let organizer = actor::community_id(self.state(), &community.name);
        let cohosts = self
            .resolve_cohosts(new.cohosts.unwrap_or_default(), &organizer)
            .await?;
        let public_id = new_public_id();
        let ap_id = self.state().urls().event(&public_id);
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
            description_html: crate::sanitize::markdown(&description),
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
            guest_participation: self.check_guest_participation(new.guest_participation)?,
            visibility: new.visibility.unwrap_or(community.visibility),
            sequence: 0,
            participant_count: 0,
            published_at: now,
            updated_at: now,
            public_id,
            series: None,
        };
        let cohost_inboxes = cohosts.into_iter().filter_map(|(_, inbox)| inbox).collect();
        Ok((event, cohost_inboxes))
    }

    /// Stores a new local event and queues its `Create` (to followers and remote co-hosts) and
    /// `Announce`, its group post and instance relay, and its RSVP poll if asked for.
    pub(super) async fn publish_event(
        &self,
        tx: &mut Tx,
        by: &Account,
        event: &Event,
        cohost_inboxes: &[Url],
        rsvp_poll: bool,
    ) -> Result<Event> {
        let event = store::events::upsert(&mut tx.conn(), event).await?;
        self.record_author(tx, &event.ap_id, by).await?;
        self.announce_new_event(tx, &event, cohost_inboxes, rsvp_poll)
            .await?;
        Ok(event)
    }

    /// Queues what a new local event sends (see [`Verkosto::publish_event`]), once it is stored and
    /// its author recorded.
    pub(super) async fn announce_new_event(
        &self,
        tx: &mut Tx,
        event: &Event,
        cohost_inboxes: &[Url],
        rsvp_poll: bool,
    ) -> Result<()> {
        let organizer = &event.organizer_ap_id;
        let create = Create::event(
            crate::apub::new_activity_id(self.state()),
            self.state(),
            event,
        );
        let audience = Audience::Public {
            also: cohost_inboxes,
        };
        self.send(tx, organizer, &create, audience).await?;
        let announce = Announce::event(crate::apub::new_activity_id(self.state()), event);
        self.send(tx, organizer, &announce, Audience::FOLLOWERS)
            .await?;
        self.share_in_group(tx, GroupPost::Event(Verb::Create, event))
            .await?;
        self.relay_from_instance(tx, Relayable::Event(event))
            .await?;
        if rsvp_poll {
            self.publish_rsvp_poll(tx, event).await?;
        }
        Ok(())
    }

    /// Resolves co-host handles (`name` here, `name@host` anywhere) to community actor ids, with the
    /// inbox of remote ones (they are sent the event).
    async fn resolve_cohosts(
        &self,
        handles: Vec<String>,
        organizer: &Url,
    ) -> Result<Vec<(Url, Option<Url>)>> {
        if handles.len() > 20 {
            return Err(Error::invalid(
                "cohosts",
                Refusal::TooManyCohosts { max: 20 },
            ));
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
                        Error::invalid(
                            "cohosts",
                            Refusal::NoSuchLocalCommunity { name: name.clone() },
                        )
                    })?;
                    (actor::community_id(self.state(), &c.name), None)
                }
                None => {
                    let remote = self.lookup(&handle).await.map_err(|e| {
                        Error::invalid(
                            "cohosts",
                            Refusal::UnresolvableHandle {
                                handle: handle.clone(),
                                why: e.to_string(),
                            },
                        )
                    })?;
                    if remote.kind != crate::model::ActorKind::Group {
                        return Err(Error::invalid("cohosts", Refusal::NotACommunity { handle }));
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

    /// Changes an event (its community's managers only); followers and participants get an `Update`.
    pub async fn update_event(
        &self,
        by: &Account,
        public_id: &str,
        change: EventUpdate,
    ) -> Result<Event> {
        let (mut event, _) = self.managed_local_event(by, public_id).await?;
        if change.recurrence.is_some() {
            return Err(Error::invalid("recurrence", Refusal::RecurrenceChange));
        }
        let scope = change.scope.unwrap_or_default();
        if scope != EditScope::This && event.series.is_none() {
            return Err(Error::invalid("scope", Refusal::NotAnOccurrence));
        }
        let before = event.clone();
        if let Some(t) = change.title {
            event.title = check_title(&t)?;
        }
        if let Some(d) = change.description {
            check_description(&d)?;
            event.description_html = crate::sanitize::markdown(&d);
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
        if let Some(g) = change.guest_participation {
            event.guest_participation = self.check_guest_participation(Some(g))?;
        }
        match change.status {
            Some(EventStatus::Cancelled) => {
                return Err(Error::invalid("status", Refusal::CancelWithItsAction));
            }
            Some(s) => event.status = s,
            None => {}
        }
        if scope != EditScope::This {
            return self.edit_series(before, event, scope).await;
        }
        let mut tx = self.db().begin().await?;
        if event.series.is_some() {
            store::series::mark_overridden(&mut tx.conn(), event.id).await?;
        }
        let event = self.save_and_announce_change(&mut tx, event).await?;
        let promoted = self.fill_seats(&mut tx, &event).await?;
        self.commit(tx).await?;
        promoted.into_iter().for_each(|h| self.emit(h));
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
        // Participants with an address hear of it as of a cancellation (issue 19).
        let gone = Event {
            status: EventStatus::Cancelled,
            sequence: event.sequence + 1,
            ..event.clone()
        };
        self.notify_event_change(&mut tx, &event, &gone).await?;
        if let Some(link) = &event.series {
            // The series' calendar leaves its date out (EXDATE), and its horizon does not make it again.
            store::series::add_exdate(&mut tx.conn(), link.ap_id.as_str(), link.recurrence_id)
                .await?;
        }
        store::events::delete(&mut tx.conn(), &event, store::now()).await?;
        let delete = DeleteObject::event(crate::apub::new_activity_id(self.state()), &event);
        let audience = Audience::Public { also: &inboxes };
        self.send(&mut tx, &event.organizer_ap_id, &delete, audience)
            .await?;
        self.share_in_group(&mut tx, GroupPost::EventDeleted(&event))
            .await?;
        self.commit(tx).await
    }

    /// Stores a changed local event with a higher `SEQUENCE` and queues its `Update`.
    pub(super) async fn save_and_announce_change(
        &self,
        tx: &mut Tx,
        mut event: Event,
    ) -> Result<Event> {
        event.sequence += 1;
        event.updated_at = store::now();
        // What it was, for the change notices (issue 19); nothing to read when no mail is sent.
        let before = match self.state().mailer {
            Some(_) => store::events::find_by_id(&mut tx.conn(), event.id).await?,
            None => None,
        };
        let saved = store::events::upsert(&mut tx.conn(), &event).await?;
        if let Some(before) = &before {
            self.notify_event_change(tx, before, &saved).await?;
        }
        self.send_event_update(tx, &saved).await?;
        self.share_in_group(tx, GroupPost::Event(Verb::Update, &saved))
            .await?;
        // The instance's followers refetch it (an `Announce` of what they hold is read as news of it).
        self.relay_from_instance(tx, Relayable::Event(&saved))
            .await?;
        Ok(saved)
    }

    /// A participant count changed: the event's `Update` goes out `event_update_delay` after the first
    /// change of a window, carrying every change made meanwhile (see `store::events::updates_due`).
    pub(super) async fn schedule_event_update(&self, tx: &mut Tx, event: &Event) -> Result<()> {
        let delay = chrono::Duration::from_std(self.settings().event_update_delay)
            .unwrap_or(chrono::Duration::zero());
        store::events::updates_due::schedule(&mut tx.conn(), event.id, store::now() + delay).await
    }

    /// Sends the coalesced `Update`s that are due (the delivery workers call this); how many.
    pub(crate) async fn send_due_event_updates(&self) -> Result<usize> {
        let now = store::now();
        let mut sent = 0;
        for id in store::events::updates_due::due(self.db(), now, 100).await? {
            let mut tx = self.db().begin().await?;
            // Another process may have taken it meanwhile; then this transaction is dropped unused.
            if !store::events::updates_due::take(&mut tx.conn(), id, now).await? {
                continue;
            }
            if let Some(event) = store::events::find_by_id(&mut tx.conn(), id).await? {
                self.send_event_update(&mut tx, &event).await?;
                sent += 1;
            }
            self.commit(tx).await?;
        }
        Ok(sent)
    }

    pub(super) async fn send_event_update(&self, tx: &mut Tx, event: &Event) -> Result<()> {
        let fresh = store::events::find_by_id(&mut tx.conn(), event.id)
            .await?
            .ok_or_else(|| Error::Internal("event vanished".into()))?;
        let id = crate::apub::new_activity_id(self.state());
        let update = Update::event(id, self.state(), &fresh);
        let inboxes = self.participant_inboxes(tx, &fresh).await?;
        let audience = Audience::Public { also: &inboxes };
        self.send(tx, &fresh.organizer_ap_id, &update, audience)
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
}
