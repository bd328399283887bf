//! Taking part in events: joins and leaves (ours and remote ones), a manager's decisions, capacity
//! and the waitlist, and the answers that tell participants where they stand.

use url::Url;

use super::Verkosto;
use crate::DomainEvent;
use crate::apub::activities::join::Join;
use crate::apub::activities::join_answer::{JoinAnswer, JoinAnswerKind};
use crate::apub::activities::leave::Leave;
use crate::apub::actor;
use crate::error::{Error, Refusal, Result};
use crate::model::{Account, Event, EventStatus, JoinMode, Participation, ParticipationState};
use crate::service::notifications::ManagerRequest;
use crate::service::publish::Audience;
use crate::store::{self, Tx};
use crate::urls::Part;

impl Verkosto {
    /// Seats freed (capacity raised, someone left): promote waitlisted participants, oldest first.
    /// Returns the hooks to emit once `tx` has committed.
    pub(super) async fn fill_seats(&self, tx: &mut Tx, event: &Event) -> Result<Vec<DomainEvent>> {
        let mut promoted = Vec::new();
        loop {
            let accepted = store::events::lock_and_count_accepted(&mut tx.conn(), event.id).await?;
            if event.capacity.is_some_and(|c| accepted >= c) {
                return Ok(promoted);
            }
            let Some(next) = store::events::first_waitlisted(&mut tx.conn(), event.id).await?
            else {
                return Ok(promoted);
            };
            store::events::set_participation_state(
                &mut tx.conn(),
                next.id,
                ParticipationState::Accepted,
            )
            .await?;
            self.answer_participant(tx, event, &next, JoinAnswerKind::Accept)
                .await?;
            let (who, state) = (&next.participant_ap_id, ParticipationState::Accepted);
            self.notify_participation(tx, event, who, next.id, state, true)
                .await?;
            tracing::info!(event = %event.ap_id, participant = %next.participant_ap_id, "promoted from the waitlist");
            promoted.push(DomainEvent::PromotedFromWaitlist {
                event: event.ap_id.clone(),
                participant: next.participant_ap_id,
            });
        }
    }

    /// Tells a participant where they stand (remote ones; local accounts read it from the database).
    async fn answer_participant(
        &self,
        tx: &mut Tx,
        event: &Event,
        p: &Participation,
        kind: JoinAnswerKind,
    ) -> Result<()> {
        if self.is_local_url(&p.participant_ap_id) {
            return Ok(());
        }
        let answer = JoinAnswer::new(
            crate::apub::new_activity_id(self.state()),
            kind,
            event.organizer_ap_id.clone(),
            p.join_activity_id.clone(),
            p.participant_ap_id.clone(),
            event.ap_id.clone(),
        );
        let to = std::slice::from_ref(&p.inbox);
        self.send(tx, &event.organizer_ap_id, &answer, Audience::Only(to))
            .await
    }

    /// Someone asks to take part in one of our events. Decides by join mode and seats, answers, and
    /// federates the new counts.
    pub(crate) async fn join_local_event(
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
            _ if event.status == EventStatus::Cancelled => {
                (ParticipationState::Rejected, Some(JoinAnswerKind::Reject))
            }
            JoinMode::Free if full => (
                ParticipationState::Waitlisted,
                Some(JoinAnswerKind::TentativeAccept),
            ),
            JoinMode::Free => (ParticipationState::Accepted, Some(JoinAnswerKind::Accept)),
            JoinMode::Approval => (ParticipationState::Pending, None),
            JoinMode::Invite | JoinMode::External | JoinMode::None => {
                (ParticipationState::Rejected, Some(JoinAnswerKind::Reject))
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
                attended_at: None,
            },
        )
        .await?;
        if let Some(answer) = answer {
            self.answer_participant(&mut tx, event, &p, answer).await?;
        }
        if state == ParticipationState::Accepted {
            self.schedule_event_update(&mut tx, event).await?;
        }
        self.notify_participation(&mut tx, event, &p.participant_ap_id, p.id, state, false)
            .await?;
        if state == ParticipationState::Pending
            && let Some(community_id) = event.community_id
        {
            let request = ManagerRequest::Participation {
                event,
                who: &p.handle,
            };
            let key = format!("decision_needed:participation:{}", p.id);
            self.notify_managers(&mut tx, community_id, key, request)
                .await?;
        }
        self.commit(tx).await?;
        self.emit(participation_hook(event, &p.participant_ap_id, state));
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
            ParticipationState::Accepted => JoinAnswerKind::Accept,
            ParticipationState::Waitlisted => JoinAnswerKind::TentativeAccept,
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
    pub(crate) async fn leave_local_event(&self, event: &Event, participant: &Url) -> Result<()> {
        let mut tx = self.db().begin().await?;
        let Some(p) =
            store::events::participation_of(&mut tx.conn(), event.id, participant.as_str()).await?
        else {
            return Ok(());
        };
        self.forget_reminder(&mut tx, event, participant).await?;
        store::events::delete_participation(&mut tx.conn(), p.id).await?;
        let mut hooks = vec![DomainEvent::ParticipationCancelled {
            event: event.ap_id.clone(),
            participant: participant.clone(),
        }];
        if p.state == ParticipationState::Accepted {
            hooks.extend(self.fill_seats(&mut tx, event).await?);
            self.schedule_event_update(&mut tx, event).await?;
        }
        self.commit(tx).await?;
        hooks.into_iter().for_each(|h| self.emit(h));
        Ok(())
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
            return Err(Error::invalid_document(
                "object",
                "the event is not hosted here",
            ));
        }
        let who = actor::resolve_remote(&self.federation_data(), actor_id).await?;
        self.require_member_for(&event, &who.ap_id).await?;
        if let Some(community_id) = event.community_id
            && self.is_banned_from(community_id, &who.ap_id).await?
        {
            // Banned (issue 19): answered `Reject`, nothing stored.
            let mut tx = self.db().begin().await?;
            let reject = JoinAnswer::new(
                crate::apub::new_activity_id(self.state()),
                JoinAnswerKind::Reject,
                event.organizer_ap_id.clone(),
                join_id.clone(),
                who.ap_id.clone(),
                event.ap_id.clone(),
            );
            let to = std::slice::from_ref(&who.inbox);
            self.send(&mut tx, &event.organizer_ap_id, &reject, Audience::Only(to))
                .await?;
            self.commit(tx).await?;
            return Ok(());
        }
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
        if p.state != state {
            self.notify_participation(&mut tx, &event, &p.participant_ap_id, p.id, state, false)
                .await?;
        }
        self.commit(tx).await?;
        tracing::info!(event = %event.ap_id, %state, "join answered");
        self.emit(participation_hook(&event, &p.participant_ap_id, state));
        Ok(())
    }

    /// A local account takes part in a local or remote event (given by API id or by its URL).
    pub async fn participate(&self, account: &Account, event_ref: &str) -> Result<Participation> {
        let event = self.event_for_participation(event_ref).await?;
        let reader = crate::service::Reader::Account(account.clone());
        if !self.may_see_event(&event, &reader).await? {
            return Err(Refusal::NoSuchEvent {
                id: event_ref.to_string(),
            }
            .into());
        }
        let me = actor::account_id(self.state(), &account.username);
        let handle = format!("{}@{}", account.username, self.settings().domain);
        if event.local {
            if let Some(community_id) = event.community_id
                && self.is_banned_from(community_id, &me).await?
            {
                return Err(Refusal::Banned.into());
            }
            let join_id = crate::apub::new_activity_id(self.state());
            let inbox = self
                .state()
                .urls()
                .account_part(&account.username, Part::Inbox);
            return self
                .join_local_event(&event, &me, handle, inbox, &join_id, None)
                .await;
        }
        if matches!(
            event.join_mode,
            JoinMode::External | JoinMode::None | JoinMode::Invite
        ) {
            return Err(Refusal::NotJoinableHere {
                join_mode: event.join_mode.to_string(),
            }
            .into());
        }
        let organizer =
            actor::resolve_remote(&self.federation_data(), &event.organizer_ap_id).await?;
        let join = Join::event(
            crate::apub::new_activity_id(self.state()),
            me.clone(),
            event.ap_id.clone(),
            organizer.ap_id.clone(),
        );
        let mut tx = self.db().begin().await?;
        let p = store::events::upsert_participation(
            &mut tx.conn(),
            &Participation {
                id: 0,
                event_id: event.id,
                participant_ap_id: me.clone(),
                handle,
                instance: String::new(),
                inbox: self
                    .state()
                    .urls()
                    .account_part(&account.username, Part::Inbox),
                join_activity_id: join.id.clone(),
                state: ParticipationState::Pending,
                message: None,
                created_at: store::now(),
                attended_at: None,
            },
        )
        .await?;
        let to = std::slice::from_ref(&organizer.inbox);
        self.send(&mut tx, &me, &join, Audience::Only(to)).await?;
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
            .ok_or_else(|| Refusal::NoSuchParticipation.into())
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
            .ok_or_else(|| Error::from(Refusal::NoSuchParticipation))?;
        store::events::delete_participation(&mut tx.conn(), p.id).await?;
        let leave = Leave::new(
            crate::apub::new_activity_id(self.state()),
            me.clone(),
            event.ap_id.clone(),
            organizer.ap_id.clone(),
        );
        let to = std::slice::from_ref(&organizer.inbox);
        self.send(&mut tx, &me, &leave, Audience::Only(to)).await?;
        self.commit(tx).await?;
        self.emit(DomainEvent::ParticipationCancelled {
            event: event.ap_id,
            participant: me,
        });
        Ok(())
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
            .ok_or_else(|| Error::from(Refusal::NoSuchParticipation))?;
        let (state, answer) = if !accept {
            (ParticipationState::Rejected, Some(JoinAnswerKind::Reject))
        } else {
            let accepted = store::events::lock_and_count_accepted(&mut tx.conn(), event.id).await?;
            if p.state == ParticipationState::Accepted {
                (ParticipationState::Accepted, None)
            } else if event.capacity.is_some_and(|c| accepted >= c) {
                (
                    ParticipationState::Waitlisted,
                    Some(JoinAnswerKind::TentativeAccept),
                )
            } else {
                (ParticipationState::Accepted, Some(JoinAnswerKind::Accept))
            }
        };
        let was_accepted = p.state == ParticipationState::Accepted;
        store::events::set_participation_state(&mut tx.conn(), p.id, state).await?;
        if let Some(answer) = answer {
            self.answer_participant(&mut tx, &event, &p, answer).await?;
        }
        if p.state != state {
            let who = &p.participant_ap_id;
            self.notify_participation(&mut tx, &event, who, p.id, state, false)
                .await?;
        }
        let mut hooks = Vec::new();
        if was_accepted != (state == ParticipationState::Accepted) {
            if was_accepted {
                hooks.extend(self.fill_seats(&mut tx, &event).await?);
            }
            self.schedule_event_update(&mut tx, &event).await?;
        }
        self.commit(tx).await?;
        if p.state != state {
            hooks.push(participation_hook(&event, &p.participant_ap_id, state));
        }
        hooks.into_iter().for_each(|h| self.emit(h));
        let mut c = self.db().acquire().await?;
        store::events::participation(&mut c.conn(), event.id, participation_id)
            .await?
            .ok_or_else(|| Error::Internal("participation vanished".into()))
    }
}

/// The hook telling that `participant` now stands at `state` in `event`.
fn participation_hook(event: &Event, participant: &Url, state: ParticipationState) -> DomainEvent {
    let (event, participant) = (event.ap_id.clone(), participant.clone());
    match state {
        ParticipationState::Pending => DomainEvent::ParticipationRequested { event, participant },
        ParticipationState::Accepted => DomainEvent::ParticipationAccepted { event, participant },
        ParticipationState::Waitlisted => {
            DomainEvent::ParticipationWaitlisted { event, participant }
        }
        ParticipationState::Rejected => DomainEvent::ParticipationCancelled { event, participant },
    }
}
