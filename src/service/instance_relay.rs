//! The instance actor as a relay (issue 20, item 1): other instances and relays follow `/actor`
//! (as Gancio's "trusted nodes" and Mobilizon's instance follows do) and receive every public event
//! and announcement of this instance's communities as an `Announce` by the instance actor, as
//! Mobilizon's instance relay sends them. Whether a `Follow` is accepted is the administrator's
//! [`InstanceFollowPolicy`]; pending requests are decided through the admin API.
//!
//! Only what local communities publish goes this way (never what arrived from elsewhere, so two
//! instances following each other do not loop), and only what [`Relayable::is_relayable`] allows.

use url::Url;

use super::Verkosto;
use super::follows::FollowRequestDecision;
use super::publish::Audience;
use crate::DomainEvent;
use crate::apub::activities::{accept::Accept, announce::Announce, follow::Follow, reject::Reject};
use crate::apub::{actor, new_activity_id};
use crate::error::Result;
use crate::model::{Account, Announcement, Event, FollowState, Follower, InstanceFollowPolicy};
use crate::store::{self, Tx};

/// Something a local community published that the instance actor may relay.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Relayable<'a> {
    /// A new event.
    Event(&'a Event),
    /// A new announcement.
    Announcement(&'a Announcement),
}

impl Relayable<'_> {
    /// The one place that decides what leaves through the instance relay: what a local community
    /// published publicly. Members-only events and announcements (issue 18) never reach the
    /// instance's followers.
    pub(crate) fn is_relayable(&self) -> bool {
        match self {
            Relayable::Event(e) => {
                e.local && e.community_id.is_some() && !e.visibility.is_members()
            }
            Relayable::Announcement(a) => {
                a.local && a.community_id.is_some() && !a.visibility.is_members()
            }
        }
    }

    fn ap_id(&self) -> &Url {
        match self {
            Relayable::Event(e) => &e.ap_id,
            Relayable::Announcement(a) => &a.ap_id,
        }
    }
}

impl Verkosto {
    /// A remote actor (an instance, a relay) follows the instance actor: accepted, kept for an
    /// administrator, or refused, as [`crate::Settings::instance_follow_policy`] says.
    pub(crate) async fn receive_instance_follow(&self, follow: Follow) -> Result<()> {
        let data = self.federation_data();
        let follower = actor::resolve_remote(&data, &follow.actor).await?;
        let target = actor::instance_id(self.state());
        let to = [follower.inbox.clone()];
        let policy = self.settings().instance_follow_policy;
        let mut tx = self.db().begin().await?;
        if policy == InstanceFollowPolicy::Closed {
            // Closed also ends a follow accepted while the instance was open.
            store::follows::delete_follower(
                &mut tx.conn(),
                target.as_str(),
                follower.ap_id.as_str(),
            )
            .await?;
            let reject = Reject::new(new_activity_id(self.state()), target.clone(), follow);
            self.send(&mut tx, &target, &reject, Audience::Only(&to))
                .await?;
            self.commit(tx).await?;
            tracing::info!(follower = %follower.ap_id, "instance follow refused (closed)");
            return Ok(());
        }
        let row = Follower {
            id: 0,
            target_ap_id: target.clone(),
            follower_ap_id: follower.ap_id.clone(),
            inbox: follower.inbox.clone(),
            shared_inbox: follower.shared_inbox.clone(),
            follow_activity_id: follow.id.clone(),
            state: if policy == InstanceFollowPolicy::Open {
                FollowState::Accepted
            } else {
                FollowState::Pending
            },
            created_at: store::now(),
        };
        let stored = store::follows::upsert_follower(&mut tx.conn(), &row).await?;
        if stored.state == FollowState::Accepted {
            let accept = Accept::new(new_activity_id(self.state()), target.clone(), follow);
            self.send(&mut tx, &target, &accept, Audience::Only(&to))
                .await?;
        }
        self.commit(tx).await?;
        tracing::info!(follower = %follower.ap_id, state = %stored.state, "instance follow received");
        if stored.state == FollowState::Accepted {
            self.emit(DomainEvent::FollowAccepted {
                target,
                follower: follower.ap_id,
            });
        }
        Ok(())
    }

    /// `Announce` of what a local community just published or changed, by the instance actor to its
    /// followers, when [`Relayable::is_relayable`] allows it. Called in the publishing transaction.
    pub(crate) async fn relay_from_instance(&self, tx: &mut Tx, what: Relayable<'_>) -> Result<()> {
        if !what.is_relayable() {
            return Ok(());
        }
        let instance = actor::instance_id(self.state());
        let announce = Announce::object(
            new_activity_id(self.state()),
            instance.clone(),
            what.ap_id().clone(),
            crate::model::Visibility::Public,
        );
        // Public: recorded in the instance actor's outbox and sent to its accepted followers.
        self.send(tx, &instance, &announce, Audience::FOLLOWERS)
            .await
    }

    /// Pending follow requests of the instance actor (administrators; `None` is the operator at
    /// the command line).
    pub async fn instance_follow_requests(&self, by: Option<&Account>) -> Result<Vec<Follower>> {
        self.require_admin_or_operator(by)?;
        let target = actor::instance_id(self.state());
        let mut c = self.db().acquire().await?;
        store::follows::followers(&mut c.conn(), target.as_str(), FollowState::Pending, 500, 0)
            .await
    }

    /// The accepted followers of the instance actor (administrators).
    pub async fn instance_followers(&self, by: Option<&Account>) -> Result<Vec<Follower>> {
        self.require_admin_or_operator(by)?;
        let target = actor::instance_id(self.state());
        let mut c = self.db().acquire().await?;
        store::follows::followers(
            &mut c.conn(),
            target.as_str(),
            FollowState::Accepted,
            500,
            0,
        )
        .await
    }

    /// An administrator accepts or rejects a pending follow of the instance actor.
    pub async fn decide_instance_follow_request(
        &self,
        by: Option<&Account>,
        request_id: i64,
        decision: FollowRequestDecision,
    ) -> Result<Follower> {
        self.require_admin_or_operator(by)?;
        self.decide_follow_of(actor::instance_id(self.state()), request_id, decision)
            .await
    }
}
