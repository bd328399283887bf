//! `Update`: a local actor or event changed; followers (and participants) refresh their copy.

use activitypub_federation::{config::Data, kinds::activity::UpdateType};
use serde::{Deserialize, Serialize};
use url::Url;

use super::addressed;
use super::{follow::DataExt, object_id};
use crate::apub::actor;
use crate::context::AppState;
use crate::error::{Error, Result};
use crate::model::{Announcement, Community, Event};

/// The `Update` activity.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Update<T> {
    /// Always `Update`.
    #[serde(rename = "type")]
    pub kind: UpdateType,
    /// The activity id.
    pub id: Url,
    /// Who changed it.
    pub actor: Url,
    /// The new version.
    pub object: T,
    /// Primary audience.
    pub to: Vec<String>,
    /// Secondary audience.
    pub cc: Vec<String>,
    /// Whether an event is updated (sent with the event vocabulary in its `@context`).
    #[serde(skip)]
    of_event: bool,
}

impl Update<serde_json::Value> {
    /// `Update{Event}` of a local `event` by its organizer, public and to the organizer's followers.
    pub fn event(id: Url, state: &AppState, event: &Event) -> Self {
        Update {
            kind: UpdateType::Update,
            id,
            actor: event.organizer_ap_id.clone(),
            object: crate::apub::event::event_object(state, event),
            to: addressed(event.visibility, &event.organizer_ap_id).0,
            cc: addressed(event.visibility, &event.organizer_ap_id).1,
            of_event: true,
        }
    }

    /// `Update{Note}` (or `Article`) of a local announcement by its community.
    pub fn announcement(id: Url, state: &AppState, a: &Announcement) -> Self {
        Update {
            kind: UpdateType::Update,
            id,
            actor: a.author_ap_id.clone(),
            object: crate::apub::note::announcement_object(state, a),
            to: addressed(a.visibility, &a.author_ap_id).0,
            cc: addressed(a.visibility, &a.author_ap_id).1,
            of_event: false,
        }
    }
}

impl<T: Serialize> super::Outgoing for Update<T> {
    fn id(&self) -> &Url {
        &self.id
    }

    fn context(&self) -> serde_json::Value {
        super::context_for(self.of_event)
    }
}

/// `Update{Group}` of a local community, sent to its followers after a change.
pub fn group_update(
    state: &AppState,
    community: &Community,
    public_key_pem: &str,
) -> Result<Update<actor::ActorDocument>> {
    let id = actor::community_id(state, &community.name);
    let doc = actor::group_document(state, community, public_key_pem);
    let (to, cc) = addressed(community.visibility, &id);
    Ok(Update {
        kind: UpdateType::Update,
        id: crate::apub::new_activity_id(state),
        actor: id,
        object: doc,
        to,
        cc,
        of_event: false,
    })
}

/// An `Update` as received. The embedded object is never trusted: an updated actor is refetched from
/// its origin, and only by itself.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IncomingUpdate {
    /// Always `Update`.
    #[serde(rename = "type")]
    pub kind: UpdateType,
    /// The activity id.
    pub id: Url,
    /// Who updates.
    pub actor: Url,
    /// The new version (or its id).
    pub object: serde_json::Value,
}

impl IncomingUpdate {
    /// What can be checked on the document itself, before anything acts on it.
    pub(crate) async fn verify(&self, data: &Data<AppState>) -> Result<()> {
        let object = object_id(&self.object)?;
        if data.config_is_local(&object) {
            return Err(Error::Forbidden(
                "objects of this instance cannot be updated from outside".into(),
            ));
        }
        if actor::normalized_host(&object) != actor::normalized_host(&self.actor) {
            return Err(Error::Forbidden(
                "an actor can only update objects of its own host".into(),
            ));
        }
        let is_actor_type = self
            .object
            .get("type")
            .and_then(|t| t.as_str())
            .is_some_and(|t| t.parse::<crate::model::ActorKind>().is_ok());
        if is_actor_type && object != self.actor {
            return Err(Error::Forbidden(
                "only an actor itself can update its profile".into(),
            ));
        }
        Ok(())
    }
}
