//! Writing outgoing activities: to the outbox collection and the delivery queue, inside the caller's
//! transaction, so that a change and the activities announcing it are stored together or not at all.

use url::Url;

use super::Verkosto;
use crate::apub::activities::Outgoing;
use crate::error::Result;
use crate::store::{self, Tx};

/// Who an outgoing activity goes to.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Audience<'a> {
    /// To the followers: recorded in the actor's outbox and sent to every accepted follower, and
    /// (when public) also to `also` (co-hosts or participants of an event, say).
    Public {
        /// Inboxes beyond the followers'.
        also: &'a [Url],
    },
    /// Sent to these inboxes only, not recorded in the outbox (an answer to one actor, a request).
    Only(&'a [Url]),
}

impl Audience<'static> {
    /// Public, to the followers only.
    pub(crate) const FOLLOWERS: Audience<'static> = Audience::Public { also: &[] };
}

impl Verkosto {
    /// Sends `activity` by `actor` to `audience`, queued in `tx` (delivered once it commits).
    ///
    /// What an activity is addressed to decides where it goes: with `Public` in its `to` or `cc` it is
    /// in the actor's public outbox and goes to the followers and `also`; without (a members-only
    /// community's or item's, issue 18) it is kept from the public outbox and goes to the accepted
    /// followers alone, who are the members: never to co-hosts or anyone else in `also`.
    pub(crate) async fn send<A: Outgoing>(
        &self,
        tx: &mut Tx,
        actor: &Url,
        activity: &A,
        audience: Audience<'_>,
    ) -> Result<()> {
        let body = activity.to_body()?;
        let id = activity.id();
        let also = match audience {
            Audience::Only(inboxes) => return self.queue(tx, actor, id, &body, inboxes).await,
            Audience::Public { also } => also,
        };
        let public = serde_json::from_str::<serde_json::Value>(&body)
            .is_ok_and(|addressed| crate::apub::is_public(&addressed));
        store::outbox::insert(
            &mut tx.conn(),
            id.as_str(),
            actor.as_str(),
            public,
            &body,
            store::now(),
        )
        .await?;
        let inboxes = store::follows::follower_inboxes(&mut tx.conn(), actor.as_str()).await?;
        let mut inboxes: Vec<Url> = inboxes.iter().filter_map(|i| Url::parse(i).ok()).collect();
        for extra in also.iter().filter(|_| public) {
            if !inboxes.contains(extra) {
                inboxes.push(extra.clone());
            }
        }
        self.queue(tx, actor, id, &body, &inboxes).await
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
        self.state().mail_wake.notify_one();
        Ok(())
    }
}
