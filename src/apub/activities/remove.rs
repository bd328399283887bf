//! `Remove`: a network removes one of our communities from its members.

use activitypub_federation::{config::Data, traits::Activity};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use url::Url;

use super::{follow::DataExt, object_id};
use crate::context::AppState;
use crate::error::{Error, Result};

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

#[async_trait]
impl Activity for IncomingRemove {
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
            return Err(Error::invalid_document(
                "object",
                "the removed member is not on this instance",
            ));
        }
        Ok(())
    }

    async fn receive(self, data: &Data<AppState>) -> Result<()> {
        data.verkosto()
            .receive_network_remove(&self.actor, &object_id(&self.object)?)
            .await
    }
}
