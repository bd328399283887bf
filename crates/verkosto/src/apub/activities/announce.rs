//! `Announce`: a group shares an event (FEP-1b12). Mastodon shows it as a boost.

use activitypub_federation::{config::Data, traits::Activity};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use url::Url;

use super::{follow::DataExt, object_id};
use crate::apub::actor::normalized_host;
use crate::error::{Error, Result};
use crate::model::Event;
use crate::service::AppState;

/// `Announce` of an event by its organizing group, to the group's followers.
pub fn announce_event(state: &AppState, event: &Event) -> (Url, Value) {
    let id = crate::apub::new_activity_id(state);
    let body = json!({
        "@context": crate::apub::context::context(),
        "type": "Announce",
        "id": id,
        "actor": event.organizer_ap_id,
        "object": event.ap_id,
        "to": [crate::apub::PUBLIC],
        "cc": [format!("{}/followers", event.organizer_ap_id)],
        "published": event.published_at,
    });
    (id, body)
}

/// `Announce` as received. The announced object is never trusted as embedded: it is fetched from its
/// origin.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IncomingAnnounce {
    /// The activity id.
    pub id: Url,
    /// The announcing actor (a group).
    pub actor: Url,
    /// What is announced, embedded or by id (possibly a `Create` wrapping it, as Lemmy sends).
    pub object: Value,
}

#[async_trait]
impl Activity for IncomingAnnounce {
    type DataType = AppState;
    type Error = Error;

    fn id(&self) -> &Url {
        &self.id
    }

    fn actor(&self) -> &Url {
        &self.actor
    }

    async fn verify(&self, data: &Data<AppState>) -> Result<()> {
        let inner = self
            .object
            .get("object")
            .filter(|_| self.object.get("type").and_then(Value::as_str) == Some("Create"));
        let announced = object_id(inner.unwrap_or(&self.object))?;
        if data.config_is_local(&announced) {
            return Ok(());
        }
        Ok(())
    }

    async fn receive(self, data: &Data<AppState>) -> Result<()> {
        let inner = self
            .object
            .get("object")
            .filter(|_| self.object.get("type").and_then(Value::as_str) == Some("Create"));
        let announced = object_id(inner.unwrap_or(&self.object))?;
        if data.config_is_local(&announced) {
            return Ok(());
        }
        let object = crate::apub::fetch_json(data, &announced).await?;
        if object.get("type").and_then(Value::as_str) != Some("Event") {
            return Ok(());
        }
        // The event's organizer is whoever its origin says, on the origin's own host.
        let organizer = object
            .get("attributedTo")
            .and_then(|a| object_id(a).ok())
            .filter(|a| normalized_host(a) == normalized_host(&announced))
            .ok_or_else(|| {
                Error::Forbidden("the announced event has no organizer on its own host".into())
            })?;
        if organizer != self.actor {
            // A network relaying a member's event (their own issue); for now only organizers' announces count.
            return Ok(());
        }
        data.verkosto()
            .receive_remote_event(&organizer, &object)
            .await
    }
}
