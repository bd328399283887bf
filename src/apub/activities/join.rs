//! `Join{Event}` and `Leave{Event}`: taking part in an event, and stopping (Mobilizon's RSVP).

use activitypub_federation::{config::Data, kinds::activity::JoinType};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use url::Url;

use super::{follow::DataExt, object_id};
use crate::context::AppState;
use crate::error::{Error, Result};
use crate::urls::LocalObject;

/// The `Join` activity as we send it: a local account takes part in an event, or a local community
/// joins a network.
#[derive(Debug, Clone, Serialize)]
pub struct Join {
    /// Always `Join`.
    #[serde(rename = "type")]
    pub kind: JoinType,
    /// The activity id.
    pub id: Url,
    /// Who joins.
    pub actor: Url,
    /// The event or network.
    pub object: Url,
    /// The organizer or network.
    pub to: Vec<Url>,
    /// Whether an event is joined (sent with the event vocabulary in its `@context`).
    #[serde(skip)]
    of_event: bool,
}

impl Join {
    /// `Join` of `event` by `actor`, sent to the event's `organizer`.
    pub fn event(id: Url, actor: Url, event: Url, organizer: Url) -> Self {
        Join {
            kind: JoinType::Join,
            id,
            actor,
            object: event,
            to: vec![organizer],
            of_event: true,
        }
    }

    /// `Join` of `network` by the community `member`, sent to the network.
    pub fn network(id: Url, member: Url, network: Url) -> Self {
        Join {
            kind: JoinType::Join,
            id,
            actor: member,
            object: network.clone(),
            to: vec![network],
            of_event: false,
        }
    }
}

impl super::Outgoing for Join {
    fn id(&self) -> &Url {
        &self.id
    }

    fn context(&self) -> Value {
        if self.of_event {
            crate::apub::event::event_context()
        } else {
            crate::apub::context::context()
        }
    }
}

/// Whether a URL names one of our communities (`/c/{name}`), which a `Join` makes a network membership.
pub(crate) fn is_community(data: &Data<AppState>, url: &Url) -> bool {
    matches!(data.urls().parse(url), Some(LocalObject::Community(_)))
}

/// `Join` as received.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IncomingJoin {
    /// The activity id.
    pub id: Url,
    /// Who joins.
    pub actor: Url,
    /// The event, by id or embedded.
    pub object: Value,
    /// What they wrote with the request (Mobilizon).
    #[serde(default)]
    pub participation_message: Option<String>,
}

impl IncomingJoin {
    /// What can be checked on the document itself, before anything acts on it.
    pub(crate) async fn verify(&self, data: &Data<AppState>) -> Result<()> {
        if !data.config_is_local(&object_id(&self.object)?) {
            return Err(Error::invalid_document(
                "object",
                "the event is not on this instance",
            ));
        }
        Ok(())
    }
}

/// `Leave` as received.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IncomingLeave {
    /// The activity id.
    pub id: Url,
    /// Who leaves.
    pub actor: Url,
    /// The event.
    pub object: Value,
}

impl IncomingLeave {
    /// What can be checked on the document itself, before anything acts on it.
    pub(crate) async fn verify(&self, _data: &Data<AppState>) -> Result<()> {
        object_id(&self.object).map(|_| ())
    }
}
