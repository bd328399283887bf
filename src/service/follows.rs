//! Following: remote actors following local communities and accounts, and local accounts following
//! communities elsewhere.

use url::Url;

use super::Verkosto;
use super::publish::Audience;
use crate::DomainEvent;
use crate::apub::activities::{
    ObjectOrId, accept::Accept, follow::Follow, reject::Reject, undo::Undo,
};
use crate::apub::{actor, new_activity_id};
use crate::error::{Error, Refusal, Result};
use crate::model::{Account, FollowPolicy, FollowState, Follower, Following, RemoteActor};
use crate::store::{self, Tx};
use crate::urls::LocalObject;

/// How long a stored remote actor is used as it is for a follow before it is looked up again (a
/// day, as the federation crate refreshes the actors it dereferences).
const ACTOR_FRESH_FOR: chrono::TimeDelta = chrono::TimeDelta::hours(24);

/// A manager's answer to a pending follow request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FollowRequestDecision {
    /// Let them follow.
    Accept,
    /// Refuse.
    Reject,
}

/// A local actor a `Follow` can aim at.
enum LocalTarget {
    Community(Box<crate::model::Community>),
    Account(Account),
}

impl Verkosto {
    async fn local_target(&self, url: &Url) -> Result<LocalTarget> {
        match self.state().urls().parse(url) {
            Some(LocalObject::Community(name)) => Ok(LocalTarget::Community(Box::new(
                self.community(&name).await?,
            ))),
            Some(LocalObject::Account(name)) => {
                Ok(LocalTarget::Account(self.account(&name).await?))
            }
            _ => Err(Error::NotFound(format!("local actor {url}"))),
        }
    }

    /// Handles an incoming `Follow` (its signature and origin were verified by the inbox).
    pub(crate) async fn receive_follow(&self, follow: Follow) -> Result<()> {
        if self.state().urls().parse(&follow.object) == Some(LocalObject::InstanceActor) {
            return self.receive_instance_follow(follow).await;
        }
        let data = self.federation_data();
        let follower = actor::resolve_remote(&data, &follow.actor).await?;
        let (target_id, auto_accept, community, community_id) =
            match self.local_target(&follow.object).await? {
                LocalTarget::Community(c) => (
                    actor::community_id(self.state(), &c.name),
                    c.follow_policy == FollowPolicy::Open,
                    Some(c.name),
                    Some(c.id),
                ),
                LocalTarget::Account(a) => (
                    actor::account_id(self.state(), &a.username),
                    true,
                    None,
                    None,
                ),
            };
        // An invited person (issue 18) is let in without a manager.
        let auto_accept = auto_accept
            || match community_id {
                Some(id) => self.take_invitation(id, &follower.ap_id).await?,
                None => false,
            };
        if let Some(id) = community_id
            && self.is_banned_from(id, &follower.ap_id).await?
        {
            // Banned (issue 19): told so at once, nothing stored.
            let mut tx = self.db().begin().await?;
            let reject = crate::apub::activities::reject::Reject::new(
                new_activity_id(self.state()),
                target_id.clone(),
                follow,
            );
            let to = std::slice::from_ref(&follower.inbox);
            self.send(&mut tx, &target_id, &reject, Audience::Only(to))
                .await?;
            self.commit(tx).await?;
            tracing::info!(follower = %follower.ap_id, target = %target_id, "follow from a banned actor rejected");
            return Ok(());
        }
        let row = Follower {
            id: 0,
            target_ap_id: target_id.clone(),
            follower_ap_id: follower.ap_id.clone(),
            inbox: follower.inbox.clone(),
            shared_inbox: follower.shared_inbox.clone(),
            follow_activity_id: follow.id.clone(),
            state: if auto_accept {
                FollowState::Accepted
            } else {
                FollowState::Pending
            },
            created_at: store::now(),
        };
        let mut tx = self.db().begin().await?;
        let stored = store::follows::upsert_follower(&mut tx.conn(), &row).await?;
        if stored.state == FollowState::Accepted {
            let accept = Accept::new(new_activity_id(self.state()), target_id.clone(), follow);
            let to = std::slice::from_ref(&follower.inbox);
            self.send(&mut tx, &target_id, &accept, Audience::Only(to))
                .await?;
        } else if let Some(id) = community_id {
            // The managers decide: those with an address are told (issue 19).
            let who = follower.handle();
            let request = super::notifications::ManagerRequest::Follow { who: &who };
            let key = format!("decision_needed:follow:{}", stored.id);
            self.notify_managers(&mut tx, id, key, request).await?;
        }
        self.commit(tx).await?;
        tracing::info!(follower = %follower.ap_id, target = %target_id, state = %stored.state, "follow received");
        match (stored.state, community) {
            (FollowState::Accepted, _) => self.emit(DomainEvent::FollowAccepted {
                target: target_id,
                follower: follower.ap_id,
            }),
            (FollowState::Pending, Some(community)) => self.emit(DomainEvent::FollowRequested {
                community,
                follower: follower.ap_id,
            }),
            _ => {}
        }
        Ok(())
    }

    /// Handles an `Undo{Follow}` from `actor`.
    pub(crate) async fn receive_unfollow(
        &self,
        actor: &Url,
        follow: &ObjectOrId<Follow>,
    ) -> Result<()> {
        let mut tx = self.db().begin().await?;
        let target = match follow {
            ObjectOrId::Object(f) => Some(f.object.clone()),
            ObjectOrId::Id(id) => {
                store::follows::find_follower_by_activity(&mut tx.conn(), id.as_str())
                    .await?
                    .filter(|f| &f.follower_ap_id == actor)
                    .map(|f| f.target_ap_id)
            }
        };
        if let Some(target) = target {
            store::follows::delete_follower(&mut tx.conn(), target.as_str(), actor.as_str())
                .await?;
            tracing::info!(follower = %actor, target = %target, "unfollowed");
        }
        self.commit(tx).await
    }

    /// Handles an `Undo` that names what it undoes only by id. The id is looked up among what we
    /// stored (follows of local actors, participations in our events, members of our networks) and
    /// undone only when `actor` is the one who sent it; an id we never stored has nothing to undo.
    pub(crate) async fn receive_undo_by_id(&self, actor: &Url, id: &Url) -> Result<()> {
        if self.undo_reaction_by_id(actor, id).await? {
            return Ok(());
        }
        let (follower, participation, member) = {
            let mut c = self.db().acquire().await?;
            (
                store::follows::find_follower_by_activity(&mut c.conn(), id.as_str()).await?,
                store::events::participation_by_join(&mut c.conn(), id.as_str()).await?,
                store::networks::member_by_join(&mut c.conn(), id.as_str()).await?,
            )
        };
        let not_yours = |what: &str| {
            Error::Forbidden(format!(
                "{id} is a {what} by another actor; only its actor can undo it"
            ))
        };
        if let Some(f) = follower {
            if &f.follower_ap_id != actor {
                return Err(not_yours("Follow"));
            }
            return self
                .receive_unfollow(actor, &ObjectOrId::Id(id.clone()))
                .await;
        }
        if let Some(p) = participation {
            if &p.participant_ap_id != actor {
                return Err(not_yours("Join"));
            }
            let event = {
                let mut c = self.db().acquire().await?;
                store::events::find_by_id(&mut c.conn(), p.event_id).await?
            }
            .ok_or_else(|| Error::NotFound(format!("the event of {id}")))?;
            return self.receive_leave(actor, &event.ap_id).await;
        }
        if let Some((network_id, m)) = member {
            if &m.member_ap_id != actor {
                return Err(not_yours("Join"));
            }
            let network = {
                let mut c = self.db().acquire().await?;
                store::communities::find_by_id(&mut c.conn(), network_id).await?
            }
            .ok_or_else(|| Error::NotFound(format!("the network of {id}")))?;
            let network_id = actor::community_id(self.state(), &network.name);
            return self.receive_network_leave(actor, &network_id).await;
        }
        tracing::debug!(%actor, %id, "Undo of an activity we never stored; nothing to undo");
        Ok(())
    }

    /// Handles `Accept`/`Reject` of a `Follow` a local account sent.
    pub(crate) async fn receive_follow_answer(
        &self,
        answered_by: &Url,
        follow: &ObjectOrId<Follow>,
        accepted: bool,
    ) -> Result<()> {
        let follow_id = match follow {
            ObjectOrId::Object(f) => &f.id,
            ObjectOrId::Id(id) => id,
        };
        let mut tx = self.db().begin().await?;
        let Some(following) =
            store::follows::find_following_by_activity(&mut tx.conn(), follow_id.as_str()).await?
        else {
            return Err(Error::NotFound(format!("follow {follow_id}")));
        };
        if &following.target_ap_id != answered_by {
            return Err(Error::Forbidden(
                "only the followed actor can answer this follow".into(),
            ));
        }
        let state = if accepted {
            FollowState::Accepted
        } else {
            FollowState::Rejected
        };
        store::follows::set_following_state(&mut tx.conn(), following.id, state).await?;
        self.commit(tx).await?;
        tracing::info!(target = %answered_by, %state, "follow answered");
        if accepted {
            // What the followed actor already planned, without waiting for it to change.
            self.spawn_backfill(answered_by.clone(), None);
        }
        Ok(())
    }

    /// Pending follow requests of a community (managers only).
    pub async fn follow_requests(&self, by: &Account, name: &str) -> Result<Vec<Follower>> {
        let community = self.community(name).await?;
        self.require_manager(by, &community).await?;
        let target = actor::community_id(self.state(), &community.name);
        let mut c = self.db().acquire().await?;
        store::follows::followers(&mut c.conn(), target.as_str(), FollowState::Pending, 500, 0)
            .await
    }

    /// Accepts or rejects a pending follow request; the requester is told either way.
    pub async fn decide_follow_request(
        &self,
        by: &Account,
        name: &str,
        request_id: i64,
        decision: FollowRequestDecision,
    ) -> Result<Follower> {
        let community = self.community(name).await?;
        self.require_manager(by, &community).await?;
        let target = actor::community_id(self.state(), &community.name);
        self.decide_follow_of(target, request_id, decision).await
    }

    /// Accepts or rejects a pending follow request of the local actor `target` (a community, or the
    /// instance actor); the requester is told either way. The caller checked who may decide.
    pub(crate) async fn decide_follow_of(
        &self,
        target: Url,
        request_id: i64,
        decision: FollowRequestDecision,
    ) -> Result<Follower> {
        let mut tx = self.db().begin().await?;
        let request = store::follows::find_follower(&mut tx.conn(), target.as_str(), request_id)
            .await?
            .filter(|f| f.state == FollowState::Pending)
            .ok_or_else(|| Error::from(Refusal::NoSuchFollowRequest))?;
        let follow = Follow::new(
            request.follow_activity_id.clone(),
            request.follower_ap_id.clone(),
            target.clone(),
        );
        let inbox = [request.inbox.clone()];
        let mut decided = request.clone();
        match decision {
            FollowRequestDecision::Accept => {
                store::follows::set_follower_state(
                    &mut tx.conn(),
                    request.id,
                    FollowState::Accepted,
                )
                .await?;
                let accept = Accept::new(new_activity_id(self.state()), target.clone(), follow);
                self.send(&mut tx, &target, &accept, Audience::Only(&inbox))
                    .await?;
                decided.state = FollowState::Accepted;
            }
            FollowRequestDecision::Reject => {
                store::follows::delete_follower(
                    &mut tx.conn(),
                    target.as_str(),
                    request.follower_ap_id.as_str(),
                )
                .await?;
                let reject = Reject::new(new_activity_id(self.state()), target.clone(), follow);
                self.send(&mut tx, &target, &reject, Audience::Only(&inbox))
                    .await?;
                decided.state = FollowState::Rejected;
            }
        }
        self.commit(tx).await?;
        if decided.state == FollowState::Accepted {
            self.emit(DomainEvent::FollowAccepted {
                target,
                follower: decided.follower_ap_id.clone(),
            });
        }
        Ok(decided)
    }

    /// Splits `name@host` (a leading `@` is allowed) and checks that `host` is one we may contact.
    fn parse_handle<'h>(&self, handle: &'h str) -> Result<(&'h str, &'h str, Url)> {
        let handle = handle.trim().trim_start_matches('@');
        let (name, host) = handle
            .split_once('@')
            .filter(|(n, h)| !n.is_empty() && !h.is_empty() && !h.contains('@') && !h.contains('/'))
            .ok_or_else(|| Error::invalid("handle", Refusal::NotAHandle))?;
        if host.eq_ignore_ascii_case(&self.settings().domain) {
            return Err(Error::invalid(
                "handle",
                Refusal::HandleIsLocal {
                    name: name.to_string(),
                },
            ));
        }
        // The outgoing client refuses non-public addresses and blocked domains anyway; checking the
        // host first gives the client a clear 422 naming the handle.
        let origin = Url::parse(&format!("{}://{host}/", self.settings().scheme()))
            .map_err(|_| Error::invalid("handle", Refusal::NotAHostName))?;
        crate::apub::http_client::Destinations::new(
            self.settings().dev_federation,
            self.state().blocks.clone(),
        )
        .check(&origin)
        .map_err(|refused| {
            Error::invalid(
                "handle",
                Refusal::HostRefused {
                    host: host.to_string(),
                    why: refused.to_string(),
                },
            )
        })?;
        Ok((name, host, origin))
    }

    /// The actor of a handle for following and unfollowing: the stored copy while it is fresh, so a
    /// follow of a known actor is queued even while its host is briefly unreachable (the delivery
    /// queue retries); a lookup for unknown or stale handles. A stale copy still serves when the
    /// lookup cannot reach its host.
    async fn actor_for_handle(&self, handle: &str) -> Result<RemoteActor> {
        let (name, _, origin) = self.parse_handle(handle)?;
        let stored = match actor::normalized_host(&origin) {
            Some(domain) => {
                let mut c = self.db().acquire().await?;
                store::remote_actors::find_by_handle(&mut c.conn(), name, &domain).await?
            }
            None => None,
        };
        let Some(stored) = stored else {
            return self.lookup(handle).await;
        };
        if store::now() - stored.fetched_at < ACTOR_FRESH_FOR {
            return Ok(stored);
        }
        match self.lookup(handle).await {
            Ok(fresh) => Ok(fresh),
            Err(e) if e.is_not_found() || matches!(e, Error::Gone(_) | Error::Forbidden(_)) => {
                Err(e)
            }
            Err(e) => {
                tracing::info!(%handle, error = %e, "lookup failed; using the stored actor");
                Ok(stored)
            }
        }
    }

    /// Resolves `name@host` (a leading `@` is allowed) to an actor: WebFinger, then the actor document.
    pub async fn lookup(&self, handle: &str) -> Result<RemoteActor> {
        let handle = handle.trim().trim_start_matches('@');
        self.parse_handle(handle)?;
        let data = self.federation_data();
        activitypub_federation::fetch::webfinger::webfinger_resolve_actor::<_, RemoteActor>(
            handle, &data,
        )
        .await
        .map_err(|e| match e {
            Error::NotFound(_) => Refusal::NoSuchActor {
                handle: handle.to_string(),
            }
            .into(),
            // A host we cannot reach, or that does not speak ActivityPub: the handle is what is wrong,
            // so the client gets a 422 naming it rather than a gateway error.
            Error::Remote(why) => Error::invalid(
                "handle",
                Refusal::UnresolvableHandle {
                    handle: handle.to_string(),
                    why,
                },
            ),
            other => other,
        })
    }

    /// A local account follows a remote actor by handle; the request stays pending until it is accepted.
    pub async fn follow(
        &self,
        account: &Account,
        handle: &str,
    ) -> Result<(Following, RemoteActor)> {
        let target = self.actor_for_handle(handle).await?;
        let me = actor::account_id(self.state(), &account.username);
        let mut tx = self.db().begin().await?;
        if let Some(existing) =
            store::follows::find_following(&mut tx.conn(), account.id, target.ap_id.as_str())
                .await?
            && existing.state != FollowState::Rejected
        {
            return Err(Refusal::AlreadyFollowing {
                handle: handle.to_string(),
                state: existing.state.to_string(),
            }
            .into());
        }
        let follow = Follow::new(
            new_activity_id(self.state()),
            me.clone(),
            target.ap_id.clone(),
        );
        let following = store::follows::upsert_following(
            &mut tx.conn(),
            &Following {
                id: 0,
                account_id: account.id,
                target_ap_id: target.ap_id.clone(),
                follow_activity_id: follow.id.clone(),
                state: FollowState::Pending,
                created_at: store::now(),
            },
        )
        .await?;
        self.send(
            &mut tx,
            &me,
            &follow,
            Audience::Only(std::slice::from_ref(&target.inbox)),
        )
        .await?;
        self.commit(tx).await?;
        Ok((following, target))
    }

    /// A local account stops following; the followed side gets an `Undo{Follow}`.
    pub async fn unfollow(&self, account: &Account, handle: &str) -> Result<()> {
        let target = self.actor_for_handle(handle).await?;
        let me = actor::account_id(self.state(), &account.username);
        let mut tx = self.db().begin().await?;
        let following =
            store::follows::find_following(&mut tx.conn(), account.id, target.ap_id.as_str())
                .await?
                .ok_or_else(|| {
                    Error::from(Refusal::NoSuchFollow {
                        handle: handle.to_string(),
                    })
                })?;
        store::follows::delete_following(&mut tx.conn(), following.id).await?;
        let follow = Follow::new(
            following.follow_activity_id.clone(),
            me.clone(),
            target.ap_id.clone(),
        );
        self.send_undo_follow(&mut tx, &follow, &target.inbox)
            .await?;
        self.commit(tx).await
    }

    /// Queues the `Undo` of a `Follow` we sent, to the followed side's `inbox`.
    pub(crate) async fn send_undo_follow(
        &self,
        tx: &mut Tx,
        follow: &Follow,
        inbox: &Url,
    ) -> Result<()> {
        let undo = Undo::of_follow(new_activity_id(self.state()), follow)?;
        let to = std::slice::from_ref(inbox);
        self.send(tx, &follow.actor, &undo, Audience::Only(to))
            .await
    }

    /// What a local account follows.
    pub async fn following(&self, account: &Account) -> Result<Vec<Following>> {
        let mut c = self.db().acquire().await?;
        store::follows::following_of(&mut c.conn(), account.id).await
    }
}

impl Verkosto {
    /// A remote actor deleted itself: forget it and its follows of local actors.
    pub(crate) async fn forget_remote_actor(&self, actor: &Url) -> Result<()> {
        let mut tx = self.db().begin().await?;
        let follows = store::follows::delete_all_of(&mut tx.conn(), actor.as_str()).await?;
        store::remote_actors::delete(&mut tx.conn(), actor.as_str()).await?;
        self.commit(tx).await?;
        tracing::info!(%actor, follows, "remote actor deleted");
        Ok(())
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
}
