//! `Remove`: a manager removes a reply from one of our events, or a network removes a member; and a
//! network removes one of our communities from its members.

use activitypub_federation::{config::Data, kinds::activity::RemoveType};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use url::Url;

use super::{addressed, follow::DataExt, object_id};
use crate::context::AppState;
use crate::error::{Error, Result};
use crate::model::Event;
use crate::urls::{LocalUrls, Part};

/// `Remove` as we send it.
#[derive(Debug, Clone, Serialize)]
pub struct Remove {
    /// Always `Remove`.
    #[serde(rename = "type")]
    pub kind: RemoveType,
    /// The activity id.
    pub id: Url,
    /// Who removes (the event's organizer, or the network).
    pub actor: Url,
    /// What is removed (a reply, or a member).
    pub object: Url,
    /// The collection it is removed from.
    pub target: Url,
    /// Primary audience.
    pub to: Vec<String>,
    /// Secondary audience (none when sent to the removed member only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cc: Vec<String>,
}

impl Remove {
    /// `Remove` of the reply `comment` from the replies of a local `event`, by its organizer, public and
    /// to the organizer's followers.
    pub fn comment(id: Url, event: &Event, comment: Url) -> Self {
        Remove {
            kind: RemoveType::Remove,
            id,
            actor: event.organizer_ap_id.clone(),
            object: comment,
            target: LocalUrls::part(&event.ap_id, Part::Replies),
            to: addressed(event.visibility, &event.organizer_ap_id).0,
            cc: addressed(event.visibility, &event.organizer_ap_id).1,
        }
    }

    /// `Remove` of `member` from the members of `network`, sent to the member.
    pub fn member(id: Url, network: Url, member: Url) -> Self {
        Remove {
            kind: RemoveType::Remove,
            id,
            target: LocalUrls::part(&network, Part::Members),
            actor: network,
            to: vec![member.to_string()],
            object: member,
            cc: vec![],
        }
    }
}

impl super::Outgoing for Remove {
    fn id(&self) -> &Url {
        &self.id
    }
}

/// `Remove` as received.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IncomingRemove {
    /// The activity id.
    pub id: Url,
    /// The network.
    pub actor: Url,
    /// The removed member.
    pub object: Value,
}

impl IncomingRemove {
    /// What can be checked on the document itself, before anything acts on it.
    pub(crate) async fn verify(&self, data: &Data<AppState>) -> Result<()> {
        if !data.config_is_local(&object_id(&self.object)?) {
            return Err(Error::invalid_document(
                "object",
                "the removed member is not on this instance",
            ));
        }
        Ok(())
    }
}
