//! `Create`: a group publishes an event; someone replies to one of our events.

use activitypub_federation::{config::Data, kinds::activity::CreateType};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use url::Url;

use super::{addressed, follow::DataExt, object_id};
use crate::apub::actor::normalized_host;
use crate::apub::event::event_object;
use crate::context::AppState;
use crate::error::{Error, Result};
use crate::model::{Announcement, Event};

/// `Create` as we send it: a local actor publishes one of its objects, publicly and to its followers.
#[derive(Debug, Clone, Serialize)]
pub struct Create {
    /// Always `Create`.
    #[serde(rename = "type")]
    pub kind: CreateType,
    /// The activity id.
    pub id: Url,
    /// Who publishes (the object's owner).
    pub actor: Url,
    /// The object, embedded.
    pub object: Value,
    /// Primary audience (public).
    pub to: Vec<String>,
    /// Secondary audience (the actor's followers).
    pub cc: Vec<String>,
    /// When the object was published.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published: Option<DateTime<Utc>>,
    /// Whether an event is created (sent with the event vocabulary in its `@context`).
    #[serde(skip)]
    of_event: bool,
}

impl Create {
    /// `Create{Event}` of a local `event` by its organizing group.
    pub fn event(id: Url, state: &AppState, event: &Event) -> Self {
        Create {
            kind: CreateType::Create,
            id,
            actor: event.organizer_ap_id.clone(),
            object: event_object(state, event),
            to: addressed(event.visibility, &event.organizer_ap_id).0,
            cc: addressed(event.visibility, &event.organizer_ap_id).1,
            published: Some(event.published_at),
            of_event: true,
        }
    }

    /// `Create{Note}` (or `Article`) of a local announcement by its community.
    pub fn announcement(id: Url, state: &AppState, a: &Announcement) -> Self {
        Create {
            kind: CreateType::Create,
            id,
            actor: a.author_ap_id.clone(),
            object: crate::apub::note::announcement_object(state, a),
            to: addressed(a.visibility, &a.author_ap_id).0,
            cc: addressed(a.visibility, &a.author_ap_id).1,
            published: None,
            of_event: false,
        }
    }
}

impl Create {
    /// `Create{Question}`: a feedback poll sent by `community` to one participant only.
    pub fn question(id: Url, community: Url, question: Value, recipient: &Url) -> Self {
        Create {
            kind: CreateType::Create,
            id,
            actor: community,
            object: question,
            to: vec![recipient.to_string()],
            cc: vec![],
            published: None,
            of_event: false,
        }
    }
}

impl Create {
    /// `Create{Question}`: a public poll by `community` (RSVP), to its followers.
    pub fn public_question(
        id: Url,
        community: Url,
        question: Value,
        visibility: crate::model::Visibility,
    ) -> Self {
        Create {
            kind: CreateType::Create,
            id,
            to: addressed(visibility, &community).0,
            cc: addressed(visibility, &community).1,
            actor: community,
            object: question,
            published: None,
            of_event: false,
        }
    }
}

impl super::Outgoing for Create {
    fn id(&self) -> &Url {
        &self.id
    }

    fn context(&self) -> Value {
        super::context_for(self.of_event)
    }
}

/// `Create` as received: an `Event` from a followed group, or a `Note` replying to one of our events.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IncomingCreate {
    /// The activity id.
    pub id: Url,
    /// Who creates.
    pub actor: Url,
    /// What is created.
    pub object: Value,
}

impl IncomingCreate {
    /// What can be checked on the document itself, before anything acts on it.
    pub(crate) async fn verify(&self, data: &Data<AppState>) -> Result<()> {
        let object = object_id(&self.object)?;
        if data.config_is_local(&object) {
            return Err(Error::Forbidden(
                "objects of this instance cannot be created from outside".into(),
            ));
        }
        // An embedded object from a third host is not trusted (the actor could put words in anyone's
        // mouth); objects by reference are fetched from their origin by the handler.
        if self.object.is_object() && normalized_host(&object) != normalized_host(&self.actor) {
            return Err(Error::Forbidden(
                "an embedded object must be on its actor's host".into(),
            ));
        }
        Ok(())
    }
}
