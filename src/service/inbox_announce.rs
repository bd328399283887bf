//! What an incoming `Announce` does (the rest of the inbox's effects are in `inbox.rs`): a group
//! sharing its event or announcement, a network relaying a member's, a Lemmy-style group announcing
//! a member's post (`Page`, `Note`, `Article`) or its change or deletion, and a comment on one of our
//! events whichever group's `Announce` carries it.

use activitypub_federation::config::Data;
use serde_json::Value;
use url::Url;

use super::Verkosto;
use crate::apub::activities::announce::IncomingAnnounce;
use crate::apub::activities::announced::{Announced, AnnouncedObject, addressed_to};
use crate::apub::activities::follow::DataExt;
use crate::apub::activities::object_id;
use crate::apub::actor::normalized_host;
use crate::context::AppState;
use crate::error::{Error, Result};
use crate::store::insights::ReactionKind;

/// Post types stored as announcements (`Page` is Lemmy's post, `Article` a titled one).
pub(crate) fn is_post_type(kind: Option<&str>) -> bool {
    matches!(kind, Some("Note" | "Article" | "Page"))
}

/// Whether an object replies to something (`inReplyTo` present and not null).
pub(crate) fn is_reply(object: &Value) -> bool {
    object.get("inReplyTo").is_some_and(|r| !r.is_null())
}

impl Verkosto {
    pub(crate) async fn act_on_announce(
        &self,
        activity: IncomingAnnounce,
        data: &Data<AppState>,
    ) -> Result<()> {
        match activity.announced()? {
            Announced::Object(object) => {
                self.receive_announced(&activity.actor, &activity.id, object, false, data)
                    .await
            }
            Announced::Update(object) => {
                self.receive_announced(&activity.actor, &activity.id, object, true, data)
                    .await
            }
            // The group deletes what is stored as its own (its events, the posts it announced);
            // `receive_delete` touches nothing else.
            Announced::Delete(id) if !data.config_is_local(&id) => {
                self.receive_delete(&activity.actor, &id).await
            }
            Announced::Delete(_) => Ok(()),
            Announced::Other(kind) => {
                tracing::debug!(%kind, actor = %activity.actor, "announced activity not acted on");
                Ok(())
            }
        }
    }

    /// An announced object, new (`changed` false) or changed.
    async fn receive_announced(
        &self,
        group: &Url,
        activity: &Url,
        announced: AnnouncedObject,
        changed: bool,
        data: &Data<AppState>,
    ) -> Result<()> {
        if data.config_is_local(&announced.id) {
            if changed {
                return Ok(());
            }
            // A boost of our own object: counted for its community's insights (issue 16).
            return self
                .receive_reaction(group, &announced.id, ReactionKind::Boost, activity)
                .await;
        }
        let related = self.has_relation_to(group).await?;
        // A relay or instance the instance follows (issue 20): only its events are kept (a relay
        // carries every post of its subscribers).
        let from_relay = self.is_relay_actor(group).await?;
        // From a group nobody here follows, only a comment on one of our events matters; the
        // embedded copy (untrusted) says whether one is worth fetching to find out.
        let hinted_reply = announced
            .hint
            .as_ref()
            .and_then(|h| h.get("inReplyTo"))
            .and_then(|r| object_id(r).ok());
        let may_reply_to_us = match &hinted_reply {
            Some(target) if !related => self
                .event_replied_to(target)
                .await
                .is_ok_and(|e| e.is_some()),
            _ => false,
        };
        if !related && !from_relay && !may_reply_to_us {
            return Ok(());
        }
        let object = match announced.trusted {
            Some(o) => o,
            None => crate::apub::fetch_json(data, &announced.id).await?,
        };
        if object_id(&object).ok().as_ref() != Some(&announced.id) {
            return Err(Error::Forbidden(
                "the announced object's origin serves another id".into(),
            ));
        }
        // Its author is whoever the object names, on the object's own host; an event's is its
        // organizing group, also when the author `Person` is named beside it (FEP-1b12).
        let kind = object.get("type").and_then(Value::as_str);
        let author = match kind {
            Some("Event") => crate::apub::event::organizer_of(&object),
            _ => object.get("attributedTo").and_then(attributed_to),
        }
        .filter(|a| normalized_host(a) == normalized_host(&announced.id))
        .ok_or_else(|| {
            Error::Forbidden("the announced object has no author on its own host".into())
        })?;
        if is_post_type(kind) && is_reply(&object) {
            // A comment (Lemmy's `Announce{Create{Note}}`): ours only when it replies to our event.
            return match changed {
                false => self.receive_reply(&author, &object).await,
                true => Ok(()),
            };
        }
        if !related && !from_relay {
            return Ok(());
        }
        let is_relay = &author != group;
        match kind {
            Some("Event") if is_relay => self
                .store_remote_event(&author, &object)
                .await
                .map(|_| ())?,
            Some("Event") => self.receive_remote_event(&author, &object, false).await?,
            _ if !related => return Ok(()),
            // FEP-1b12: a member's post in the group is the group's post here.
            _ if is_post_type(kind) && is_relay && addressed_to(&object, group) => {
                if !crate::apub::is_public(&object) {
                    return Ok(());
                }
                return self.store_group_post(group, &object).await.map(|_| ());
            }
            _ if is_post_type(kind) => match self.kept_as(&author, &object).await? {
                Some(visibility) => self
                    .store_remote_announcement(&author, &object, visibility)
                    .await
                    .map(|_| ())?,
                None => return Ok(()),
            },
            _ => return Ok(()),
        }
        if is_relay {
            self.record_relay(&announced.id, group).await?;
        }
        Ok(())
    }
}

/// `attributedTo` as an id: a URL, an object with an id, or (Lemmy, PeerTube) a list whose first
/// `Person` (or first entry) is the author.
fn attributed_to(value: &Value) -> Option<Url> {
    match value {
        Value::Array(list) => list
            .iter()
            .find(|v| v.get("type").and_then(Value::as_str) == Some("Person"))
            .or_else(|| list.first())
            .and_then(|v| object_id(v).ok()),
        other => object_id(other).ok(),
    }
}
