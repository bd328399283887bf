//! `Create`: a group publishes an event; someone replies to one of our events.

use activitypub_federation::{config::Data, traits::Activity};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use url::Url;

use super::{follow::DataExt, object_id};
use crate::apub::actor::normalized_host;
use crate::apub::event::{event_context, event_to_ap};
use crate::context::AppState;
use crate::error::{Error, Result};
use crate::model::Event;
use crate::urls::{LocalUrls, Part};

/// `Create{Event}` from the organizing group to its followers.
pub fn create_event(state: &AppState, event: &Event) -> (Url, Value) {
    let id = crate::apub::new_activity_id(state);
    let mut object = event_to_ap(state, event);
    if let Some(o) = object.as_object_mut() {
        o.remove("@context");
    }
    let body = json!({
        "@context": event_context(),
        "type": "Create",
        "id": id,
        "actor": event.organizer_ap_id,
        "object": object,
        "to": [crate::apub::PUBLIC],
        "cc": [LocalUrls::part(&event.organizer_ap_id, Part::Followers)],
        "published": event.published_at,
    });
    (id, body)
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

#[async_trait]
impl Activity for IncomingCreate {
    type DataType = AppState;
    type Error = Error;

    fn id(&self) -> &Url {
        &self.id
    }

    fn actor(&self) -> &Url {
        &self.actor
    }

    async fn verify(&self, data: &Data<AppState>) -> Result<()> {
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

    async fn receive(self, data: &Data<AppState>) -> Result<()> {
        let verkosto = data.verkosto();
        let object = if self.object.is_object() {
            self.object
        } else {
            crate::apub::fetch_json(data, &object_id(&self.object)?).await?
        };
        match object.get("type").and_then(Value::as_str) {
            Some("Event") => {
                verkosto
                    .receive_remote_event(&self.actor, &object, true)
                    .await
            }
            Some("Note" | "Article" | "Page")
                if object.get("inReplyTo").is_some_and(|r| !r.is_null()) =>
            {
                verkosto.receive_reply(&self.actor, &object).await
            }
            Some("Note" | "Article") => {
                verkosto
                    .receive_remote_announcement(&self.actor, &object)
                    .await
            }
            _ => Ok(()),
        }
    }
}
