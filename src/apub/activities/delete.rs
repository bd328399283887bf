//! `Delete`: a remote actor deleted itself, or one of its objects. Only the owner can delete.

use activitypub_federation::{config::Data, kinds::activity::DeleteType, traits::Activity};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use url::Url;

use super::{follow::DataExt, object_id};
use crate::apub::actor::normalized_host;
use crate::context::AppState;
use crate::error::{Error, Result};

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

#[async_trait]
impl Activity for Delete {
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

    async fn receive(self, data: &Data<AppState>) -> Result<()> {
        let object = object_id(&self.object)?;
        if object == self.actor {
            data.verkosto().forget_remote_actor(&self.actor).await
        } else {
            data.verkosto().receive_delete(&self.actor, &object).await
        }
    }
}
