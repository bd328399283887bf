//! `Accept{Follow}`: the followed side agrees.

use activitypub_federation::{config::Data, kinds::activity::AcceptType, traits::Activity};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use url::Url;

use super::{ObjectOrId, follow::DataExt, follow::Follow};
use crate::error::{Error, Result};
use crate::service::AppState;

/// The `Accept` activity, answering a `Follow`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Accept {
    /// Always `Accept`.
    #[serde(rename = "type")]
    pub kind: AcceptType,
    /// The activity id.
    pub id: Url,
    /// The followed actor.
    pub actor: Url,
    /// The `Follow`, embedded (as we send it) or by id (as some servers do).
    pub object: ObjectOrId<Follow>,
}

impl Accept {
    /// An `Accept` of `follow` by the followed `actor`.
    pub fn new(id: Url, actor: Url, follow: Follow) -> Self {
        Accept {
            kind: AcceptType::Accept,
            id,
            actor,
            object: ObjectOrId::Object(Box::new(follow)),
        }
    }
}

#[async_trait]
impl Activity for Accept {
    type DataType = AppState;
    type Error = Error;

    fn id(&self) -> &Url {
        &self.id
    }

    fn actor(&self) -> &Url {
        &self.actor
    }

    async fn verify(&self, data: &Data<AppState>) -> Result<()> {
        if let Some(follow) = self.object.object()
            && (!data.config_is_local(&follow.actor) || follow.object != self.actor)
        {
            return Err(Error::Forbidden(
                "only the followed actor can accept a follow of ours".into(),
            ));
        }
        Ok(())
    }

    async fn receive(self, data: &Data<AppState>) -> Result<()> {
        data.verkosto()
            .receive_follow_answer(&self.actor, &self.object, true)
            .await
    }
}
