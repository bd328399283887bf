//! Writing outgoing activities: to the outbox collection and the delivery queue, inside the caller's
//! transaction, so that a change and the activities announcing it are stored together or not at all.

use serde::Serialize;
use url::Url;

use super::Verkosto;
use crate::apub::activities::to_json;
use crate::error::Result;
use crate::store::{self, Tx};

impl Verkosto {
    /// Records `activity` in the actor's outbox and queues it for every accepted follower's inbox.
    pub(crate) async fn publish<A: Serialize + ActivityIdentity>(
        &self,
        tx: &mut Tx,
        actor: &Url,
        activity: &A,
        is_public: bool,
    ) -> Result<()> {
        self.publish_json(
            tx,
            actor,
            activity.activity_id(),
            &to_json(activity)?,
            is_public,
            &[],
        )
        .await
    }

    /// Like [`Verkosto::publish`] for an activity already serialized (with its own `@context`), also
    /// sending it to `extra_inboxes` (the participants of an event, say).
    pub(crate) async fn publish_json(
        &self,
        tx: &mut Tx,
        actor: &Url,
        activity_id: &Url,
        body: &str,
        is_public: bool,
        extra_inboxes: &[Url],
    ) -> Result<()> {
        store::outbox::insert(
            &mut tx.conn(),
            activity_id.as_str(),
            actor.as_str(),
            is_public,
            body,
            store::now(),
        )
        .await?;
        let inboxes = store::follows::follower_inboxes(&mut tx.conn(), actor.as_str()).await?;
        let mut inboxes: Vec<Url> = inboxes.iter().filter_map(|i| Url::parse(i).ok()).collect();
        for extra in extra_inboxes {
            if !inboxes.contains(extra) {
                inboxes.push(extra.clone());
            }
        }
        self.queue(tx, actor, activity_id, body, &inboxes).await
    }

    /// Queues an already serialized activity for the given inboxes only.
    pub(crate) async fn send_json_to(
        &self,
        tx: &mut Tx,
        actor: &Url,
        activity_id: &Url,
        body: &str,
        inboxes: &[Url],
    ) -> Result<()> {
        self.queue(tx, actor, activity_id, body, inboxes).await
    }

    /// Queues `activity` for the given inboxes only (an `Accept` to one follower, a `Follow`).
    pub(crate) async fn send_to<A: Serialize + ActivityIdentity>(
        &self,
        tx: &mut Tx,
        actor: &Url,
        activity: &A,
        inboxes: &[Url],
    ) -> Result<()> {
        let body = to_json(activity)?;
        self.queue(tx, actor, activity.activity_id(), &body, inboxes)
            .await
    }

    async fn queue(
        &self,
        tx: &mut Tx,
        actor: &Url,
        activity_id: &Url,
        body: &str,
        inboxes: &[Url],
    ) -> Result<()> {
        let domain = &self.settings().domain;
        let remote: Vec<&Url> = inboxes
            .iter()
            .filter(|i| crate::apub::actor::normalized_host(i).as_deref() != Some(domain.as_str()))
            .filter(|i| !self.state().blocks.is_blocked(i))
            .collect();
        store::deliveries::enqueue(
            &mut tx.conn(),
            activity_id.as_str(),
            actor.as_str(),
            body,
            &remote,
            store::now(),
        )
        .await
    }

    /// Commits `tx` and wakes the delivery workers for what it queued.
    pub(crate) async fn commit(&self, tx: Tx) -> Result<()> {
        tx.commit().await?;
        self.state().deliveries.notify();
        Ok(())
    }
}

/// Activities name their own id.
pub(crate) trait ActivityIdentity {
    fn activity_id(&self) -> &Url;
}

macro_rules! activity_identity {
    ($($ty:ty),+) => {$(
        impl ActivityIdentity for $ty {
            fn activity_id(&self) -> &Url {
                &self.id
            }
        }
    )+};
}

use crate::apub::activities::{
    accept::Accept, follow::Follow, reject::Reject, undo::Undo, update::Update,
};
activity_identity!(Accept, Follow, Reject, Undo);

impl<T> ActivityIdentity for Update<T> {
    fn activity_id(&self) -> &Url {
        &self.id
    }
}
