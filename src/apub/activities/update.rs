//! `Update`: a local actor changed; followers refresh their copy.

use activitypub_federation::{config::Data, kinds::activity::UpdateType, traits::Activity};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use url::Url;

use super::{follow::DataExt, object_id};
use crate::apub::{PUBLIC, actor};
use crate::context::AppState;
use crate::error::{Error, Result};
use crate::model::Community;

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
    pub to: Vec<Url>,
    /// Secondary audience.
    pub cc: Vec<Url>,
}

impl<T: Serialize> super::Outgoing for Update<T> {
    fn id(&self) -> &Url {
        &self.id
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
    let followers = doc.followers.clone().into_iter().collect();
    Ok(Update {
        kind: UpdateType::Update,
        id: crate::apub::new_activity_id(state),
        actor: id,
        object: doc,
        to: vec![Url::parse(PUBLIC).map_err(|e| crate::Error::Internal(e.to_string()))?],
        cc: followers,
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

#[async_trait]
impl Activity for IncomingUpdate {
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

    async fn receive(self, data: &Data<AppState>) -> Result<()> {
        let object = object_id(&self.object)?;
        if object == self.actor {
            actor::refetch_remote(data, &self.actor).await?;
            return Ok(());
        }
        if self.object.get("type").and_then(|t| t.as_str()) == Some("Event") {
            // The new version is read from its origin, not from the activity.
            let doc = crate::apub::fetch_json(data, &object).await?;
            data.verkosto()
                .receive_remote_event(&self.actor, &doc, false)
                .await?;
        }
        Ok(())
    }
}
