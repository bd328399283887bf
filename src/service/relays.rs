//! The instance follows (issue 20, item 2): an administrator subscribes the instance to relays and
//! to other instances' actors, and the public events they send are stored and shown on the
//! instance calendar with their source.
//!
//! Two kinds of subscription, told apart by the URL the administrator gives:
//! - a relay's **inbox** (`https://relay.example/inbox`, as Mastodon's and Misskey's admins enter
//!   it): a Mastodon-style relay, sent `Follow{Public}` by the instance actor. Its actor is learnt
//!   from its `Accept`;
//! - any other URL is an **actor**: a LitePub relay's actor, or a Gancio or Mobilizon instance
//!   actor, sent a `Follow` of itself.
//!
//! What arrives this way is stored as remote events and never announced again (the instance relay
//! of `instance_relay.rs` relays local communities only), so relays and instances that follow each
//! other do not loop. Only events are kept from relays: a relay also carries every `Note` of its
//! subscribers, which this instance has no use for.

use chrono::{DateTime, Utc};
use serde_json::Value;
use url::Url;

use super::Verkosto;
use super::publish::Audience;
use crate::apub::activities::{follow::Follow, object_id};
use crate::apub::signatures::PendingSignature;
use crate::apub::{PUBLIC, actor, new_activity_id};
use crate::error::{Error, Refusal, Result};
use crate::model::{Account, Event, FollowState, RelaySubscription};
use crate::store;

/// The most events the instance calendar lists at once.
const CALENDAR_LIMIT: i64 = 500;

/// An event of the instance calendar, with where it came from.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RelayedEvent {
    /// The event (its organizer is `event.organizer_ap_id`).
    #[serde(flatten)]
    pub event: Event,
    /// The relays or instances it came through (empty when the instance actor organised it).
    pub via: Vec<String>,
}

impl Verkosto {
    /// Administrators only; `None` is the operator at the command line.
    pub(crate) fn require_admin_or_operator(&self, by: Option<&Account>) -> Result<()> {
        match by {
            Some(a) if !a.is_admin => Err(Refusal::NotAnAdmin.into()),
            _ => Ok(()),
        }
    }

    /// Subscribes the instance to a relay or another instance's actor (see the module's docs for
    /// how `url` is read). Adding a URL again sends a new `Follow` and waits for its answer.
    pub async fn add_relay(&self, by: Option<&Account>, url: &str) -> Result<RelaySubscription> {
        self.require_admin_or_operator(by)?;
        let url = self.relay_url(url)?;
        let instance = actor::instance_id(self.state());
        let (inbox, actor_ap_id, object) = if is_inbox_url(&url) {
            (url.clone(), None, Url::parse(PUBLIC)?)
        } else {
            let data = self.federation_data();
            let relay = actor::resolve_remote(&data, &url)
                .await
                .map_err(|e| match e {
                    Error::Remote(why) | Error::NotFound(why) => Error::invalid(
                        "url",
                        Refusal::HostRefused {
                            host: url.host_str().unwrap_or_default().to_string(),
                            why,
                        },
                    ),
                    other => other,
                })?;
            (
                relay.inbox.clone(),
                Some(relay.ap_id.clone()),
                relay.ap_id.clone(),
            )
        };
        let follow = Follow::new(new_activity_id(self.state()), instance.clone(), object);
        let mut tx = self.db().begin().await?;
        let saved = store::relays::upsert(
            &mut tx.conn(),
            &RelaySubscription {
                id: 0,
                url,
                inbox: inbox.clone(),
                actor_ap_id,
                follows_public: follow.object.as_str() == PUBLIC,
                follow_activity_id: follow.id.clone(),
                state: FollowState::Pending,
                created_at: store::now(),
            },
        )
        .await?;
        self.send(
            &mut tx,
            &instance,
            &follow,
            Audience::Only(std::slice::from_ref(&inbox)),
        )
        .await?;
        self.commit(tx).await?;
        tracing::info!(relay = %saved.url, "relay subscription sent");
        Ok(saved)
    }

    /// Ends a subscription: the relay or instance is sent `Undo{Follow}`. The events it brought stay
    /// stored but leave the instance calendar.
    pub async fn remove_relay(&self, by: Option<&Account>, url: &str) -> Result<()> {
        self.require_admin_or_operator(by)?;
        let not_found = || {
            Error::from(Refusal::NoSuchRelay {
                url: url.to_string(),
            })
        };
        let parsed = Url::parse(url.trim()).map_err(|_| not_found())?;
        let mut tx = self.db().begin().await?;
        let sub = store::relays::find_by_url(&mut tx.conn(), parsed.as_str())
            .await?
            .ok_or_else(not_found)?;
        let instance = actor::instance_id(self.state());
        let object = match (&sub.actor_ap_id, sub.follows_public) {
            (Some(actor), false) => actor.clone(),
            _ => Url::parse(PUBLIC)?,
        };
        let follow = Follow::new(sub.follow_activity_id.clone(), instance.clone(), object);
        store::relays::delete(&mut tx.conn(), sub.id).await?;
        self.send_undo_follow(&mut tx, &follow, &sub.inbox).await?;
        self.commit(tx).await?;
        tracing::info!(relay = %sub.url, "relay subscription removed");
        Ok(())
    }

    /// Every subscription with its state.
    pub async fn relays(&self, by: Option<&Account>) -> Result<Vec<RelaySubscription>> {
        self.require_admin_or_operator(by)?;
        let mut c = self.db().acquire().await?;
        store::relays::list(&mut c.conn()).await
    }

    /// Checks an administrator's relay URL: http(s), a host we may contact.
    fn relay_url(&self, raw: &str) -> Result<Url> {
        let url = Url::parse(raw.trim())
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
            .ok_or_else(|| Error::invalid("url", Refusal::NotARelayUrl))?;
        if self.is_local_url(&url) {
            return Err(Error::invalid("url", Refusal::NotARelayUrl));
        }
        crate::apub::http_client::Destinations::new(
            self.settings().dev_federation,
            self.state().blocks.clone(),
        )
        .check(&url)
        .map_err(|refused| {
            Error::invalid(
                "url",
                Refusal::HostRefused {
                    host: url.host_str().unwrap_or_default().to_string(),
                    why: refused.to_string(),
                },
            )
        })?;
        Ok(url)
    }

    /// The subscription an `Accept`/`Reject` answers, if `answered` is one of its `Follow`s.
    pub(crate) async fn relay_follow(&self, answered: &Url) -> Result<Option<RelaySubscription>> {
        let mut c = self.db().acquire().await?;
        store::relays::find_by_follow(&mut c.conn(), answered.as_str()).await
    }

    /// A relay or instance answered our `Follow`. A Mastodon-style relay's actor is learnt here; it
    /// must be on the host of the inbox we followed.
    pub(crate) async fn receive_relay_answer(
        &self,
        answered_by: &Url,
        sub: RelaySubscription,
        accepted: bool,
    ) -> Result<()> {
        let expected = match &sub.actor_ap_id {
            Some(actor) => actor == answered_by,
            None => actor::normalized_host(answered_by) == actor::normalized_host(&sub.inbox),
        };
        if !expected {
            return Err(Error::Forbidden(
                "only the followed relay can answer this follow".into(),
            ));
        }
        let state = if accepted {
            FollowState::Accepted
        } else {
            FollowState::Rejected
        };
        let mut c = self.db().acquire().await?;
        store::relays::answer(&mut c.conn(), sub.id, state, answered_by.as_str()).await?;
        drop(c);
        tracing::info!(relay = %sub.url, %state, "relay answered");
        if accepted && !sub.follows_public {
            // An instance actor (Gancio, Mobilizon) has an outbox of what it already announced.
            self.spawn_backfill(answered_by.clone(), Some(answered_by.clone()));
        }
        Ok(())
    }

    /// Whether `actor_id` is a relay or instance the instance follows (accepted).
    pub(crate) async fn is_relay_actor(&self, actor_id: &Url) -> Result<bool> {
        let mut c = self.db().acquire().await?;
        store::relays::is_accepted_actor(&mut c.conn(), actor_id.as_str()).await
    }

    /// Whether a signature whose key is not the activity actor's was made by a relay we follow:
    /// Mastodon-style relays forward their subscribers' `Create` as it is, signed with their own key.
    pub(crate) async fn forwarding_relay(
        &self,
        signature: &PendingSignature,
    ) -> Result<Option<Url>> {
        let Ok(owner) = signature.key_owner_guess() else {
            return Ok(None);
        };
        Ok(self.is_relay_actor(&owner).await?.then_some(owner))
    }

    /// An activity forwarded by a relay we follow, whose signature verified as the relay's: only a
    /// `Create` of an event is used, and nothing in it is trusted but the object's id: the event is
    /// read from its origin, and must be public and on its organizer's host.
    pub(crate) async fn receive_forwarded(
        &self,
        relay: &Url,
        kind: &str,
        activity: &Value,
    ) -> Result<bool> {
        if kind != "Create" {
            return Ok(false);
        }
        let object = object_id(activity.get("object").unwrap_or(&Value::Null))?;
        if self.is_local_url(&object) {
            return Ok(false);
        }
        let doc = crate::apub::fetch_json(&self.federation_data(), &object).await?;
        self.store_relayed_event(relay, &doc).await
    }

    /// Stores an event a relay brought (already read from its origin): public events only, the
    /// organizer on the event's own host. Returns whether it was stored.
    pub(crate) async fn store_relayed_event(&self, via: &Url, doc: &Value) -> Result<bool> {
        if doc.get("type").and_then(Value::as_str) != Some("Event") || !crate::apub::is_public(doc)
        {
            return Ok(false);
        }
        let Some(organizer) = organizer_on_own_host(doc, None) else {
            return Err(Error::Forbidden(
                "the relayed event has no organizer on its own host".into(),
            ));
        };
        let event = self.store_remote_event(&organizer, doc).await?;
        self.record_relay(&event.ap_id, via).await?;
        Ok(true)
    }

    /// The instance calendar: remote events that relays and followed instances brought,
    /// overlapping `from`..`to` (upcoming by default), with their source.
    pub async fn instance_calendar(
        &self,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<Vec<RelayedEvent>> {
        let from = from.unwrap_or_else(Utc::now);
        let to = to.unwrap_or_else(|| from + chrono::Duration::days(3650));
        if to < from {
            return Err(Error::invalid("to", Refusal::RangeReversed));
        }
        let mut c = self.db().acquire().await?;
        let events = store::events::relayed(&mut c.conn(), (from, to), CALENDAR_LIMIT, 0).await?;
        let mut out = Vec::with_capacity(events.len());
        for event in events {
            let via = store::events::relayed_via(&mut c.conn(), event.ap_id.as_str()).await?;
            out.push(RelayedEvent { event, via });
        }
        Ok(out)
    }
}

/// A Mastodon-style relay is given by its inbox, as Mastodon's admin page asks for it.
fn is_inbox_url(url: &Url) -> bool {
    url.path().trim_end_matches('/').ends_with("/inbox")
}

/// The organizer of an event document: `prefer` when `attributedTo` names it, or else the first
/// actor `attributedTo` names on the event's own host (an event's author must be on its host).
pub(crate) fn organizer_on_own_host(doc: &Value, prefer: Option<&Url>) -> Option<Url> {
    let id = object_id(doc.get("id")?).ok()?;
    let named: Vec<Url> = match doc.get("attributedTo")? {
        Value::Array(list) => list.iter().filter_map(|a| object_id(a).ok()).collect(),
        one => object_id(one).ok().into_iter().collect(),
    };
    let host = actor::normalized_host(&id);
    if let Some(p) = prefer.filter(|p| named.contains(p)) {
        return (actor::normalized_host(p) == host).then(|| p.clone());
    }
    named
        .into_iter()
        .find(|a| actor::normalized_host(a) == host)
}
