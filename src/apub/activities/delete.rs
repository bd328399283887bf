//! `Delete`: a remote actor deleted itself, or one of its objects. Only the owner can delete.

use activitypub_federation::{
    config::Data,
    kinds::{activity::DeleteType, object::TombstoneType},
};
use serde::{Deserialize, Serialize};
use url::Url;

use super::{addressed, follow::DataExt, object_id};
use crate::apub::actor::normalized_host;
use crate::context::AppState;
use crate::error::{Error, Result};
use crate::model::{Announcement, Event};

/// A deleted object as a `Delete` names it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Tombstone {
    /// Always `Tombstone`.
    #[serde(rename = "type")]
    pub kind: TombstoneType,
    /// The deleted object's id.
    pub id: Url,
    /// What it was (`Event`, ...).
    pub former_type: String,
}

impl Tombstone {
    /// The tombstone of `object`, which was of type `former_type`.
    pub fn of(object: &Url, former_type: &str) -> Self {
        Tombstone {
            kind: TombstoneType::Tombstone,
            id: object.clone(),
            former_type: former_type.into(),
        }
    }
}

/// `Delete` as we send it: a local actor deleted one of its objects, which is left as a tombstone.
#[derive(Debug, Clone, Serialize)]
pub struct DeleteObject {
    /// Always `Delete`.
    #[serde(rename = "type")]
    pub kind: DeleteType,
    /// The activity id.
    pub id: Url,
    /// The deleting actor (the object's owner).
    pub actor: Url,
    /// The tombstone.
    pub object: Tombstone,
    /// Primary audience (public).
    pub to: Vec<String>,
    /// Secondary audience (the actor's followers).
    pub cc: Vec<String>,
}

impl DeleteObject {
    /// `Delete` of a local `event` by its organizer, public and to the organizer's followers.
    pub fn event(id: Url, event: &Event) -> Self {
        Self::tombstone(
            id,
            &event.organizer_ap_id,
            &event.ap_id,
            "Event",
            event.visibility,
        )
    }

    /// `Delete` of a local announcement (a `Note`, or an `Article` when it has a title) by its
    /// community, public and to the community's followers.
    pub fn announcement(id: Url, a: &Announcement) -> Self {
        let former_type = if a.title.is_some() { "Article" } else { "Note" };
        Self::tombstone(id, &a.author_ap_id, &a.ap_id, former_type, a.visibility)
    }

    fn tombstone(
        id: Url,
        actor: &Url,
        object: &Url,
        former_type: &str,
        visibility: crate::model::Visibility,
    ) -> Self {
        let (to, cc) = addressed(visibility, actor);
        DeleteObject {
            kind: DeleteType::Delete,
            id,
            actor: actor.clone(),
            object: Tombstone::of(object, former_type),
            to,
            cc,
        }
    }
}

impl super::Outgoing for DeleteObject {
    fn id(&self) -> &Url {
        &self.id
    }
}

/// The `Delete` activity as received. Its `object` is an id or an embedded object (or `Tombstone`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Delete {
    /// Always `Delete`.
    #[serde(rename = "type")]
    pub kind: DeleteType,
    /// The activity id.
    pub id: Url,
    /// Who deletes.
    pub actor: Url,
    /// What is deleted.
    pub object: serde_json::Value,
}

impl Delete {
    /// What can be checked on the document itself, before anything acts on it.
    pub(crate) async fn verify(&self, data: &Data<AppState>) -> Result<()> {
        let object = object_id(&self.object)?;
        if data.config_is_local(&object) {
            return Err(Error::Forbidden(
                "objects of this instance cannot be deleted from outside".into(),
            ));
        }
        if normalized_host(&object) != normalized_host(&self.actor) {
            return Err(Error::Forbidden(
                "an actor can only delete objects of its own host".into(),
            ));
        }
        Ok(())
    }
}
