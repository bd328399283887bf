//! `Join{Event}` and `Leave{Event}`: taking part in an event, and stopping (Mobilizon's RSVP).

use activitypub_federation::{config::Data, traits::Activity};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use url::Url;

use super::{follow::DataExt, object_id};
use crate::error::{Error, Result};
use crate::service::AppState;

/// `Join` of `event` by `actor`, sent to the organizer.
pub fn join(state: &AppState, actor: &Url, event: &Url, organizer: &Url) -> (Url, Value) {
    let id = crate::apub::new_activity_id(state);
    let body = json!({
        "@context": crate::apub::event::event_context(),
        "type": "Join", "id": id, "actor": actor, "object": event, "to": [organizer],
    });
    (id, body)
}

/// `Leave` of `event` by `actor`.
pub fn leave(state: &AppState, actor: &Url, event: &Url, organizer: &Url) -> (Url, Value) {
    let id = crate::apub::new_activity_id(state);
    let body = json!({
        "@context": crate::apub::context::context(),
        "type": "Leave", "id": id, "actor": actor, "object": event, "to": [organizer],
    });
    (id, body)
}

/// An answer (`Accept`, `TentativeAccept`, `Reject`) to a `Join`, embedding it.
pub fn answer(
    state: &AppState,
    kind: &str,
    organizer: &Url,
    join_id: &Url,
    participant: &Url,
    event: &Url,
) -> (Url, Value) {
    let id = crate::apub::new_activity_id(state);
    let body = json!({
        "@context": crate::apub::context::context(),
        "type": kind, "id": id, "actor": organizer,
        "object": { "type": "Join", "id": join_id, "actor": participant, "object": event },
        "to": [participant],
    });
    (id, body)
}

/// Whether a local URL names a community (`/c/{name}`), which a `Join` makes a network membership.
fn is_community(url: &Url) -> bool {
    url.path_segments().is_some_and(|s| {
        let s: Vec<&str> = s.collect();
        matches!(s.as_slice(), ["c", _])
    })
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

#[async_trait]
impl Activity for IncomingJoin {
    type DataType = AppState;
    type Error = Error;

    fn id(&self) -> &Url {
        &self.id
    }

    fn actor(&self) -> &Url {
        &self.actor
    }

    async fn verify(&self, data: &Data<AppState>) -> Result<()> {
        if !data.config_is_local(&object_id(&self.object)?) {
            return Err(Error::invalid(
                "object",
                "the event is not on this instance",
            ));
        }
        Ok(())
    }

    async fn receive(self, data: &Data<AppState>) -> Result<()> {
        let target = object_id(&self.object)?;
        let verkosto = data.verkosto();
        if is_community(&target) {
            return verkosto
                .receive_network_join(&self.actor, &target, &self.id)
                .await;
        }
        verkosto
            .receive_join(&self.actor, &target, &self.id, self.participation_message)
            .await
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

#[async_trait]
impl Activity for IncomingLeave {
    type DataType = AppState;
    type Error = Error;

    fn id(&self) -> &Url {
        &self.id
    }

    fn actor(&self) -> &Url {
        &self.actor
    }

    async fn verify(&self, _data: &Data<AppState>) -> Result<()> {
        object_id(&self.object).map(|_| ())
    }

    async fn receive(self, data: &Data<AppState>) -> Result<()> {
        let target = object_id(&self.object)?;
        if is_community(&target) && data.config_is_local(&target) {
            return data
                .verkosto()
                .receive_network_leave(&self.actor, &target)
                .await;
        }
        data.verkosto().receive_leave(&self.actor, &target).await
    }
}
