//! `Reject{Follow}`: the followed side refuses.

use activitypub_federation::{config::Data, kinds::activity::RejectType, traits::Activity};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use url::Url;

use super::{ObjectOrId, follow::DataExt, follow::Follow};
use crate::error::{Error, Result};
use crate::service::AppState;

/// The `Reject` activity, refusing a `Follow`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Reject {
    /// Always `Reject`.
    #[serde(rename = "type")]
    pub kind: RejectType,
    /// The activity id.
    pub id: Url,
    /// The followed actor.
    pub actor: Url,
    /// The `Follow`, embedded or by id.
    pub object: ObjectOrId<Follow>,
}

impl Reject {
    /// A `Reject` of `follow` by the followed `actor`.
    pub fn new(id: Url, actor: Url, follow: Follow) -> Self {
        Reject {
            kind: RejectType::Reject,
            id,
            actor,
            object: ObjectOrId::Object(Box::new(follow)),
        }
    }
}

#[async_trait]
impl Activity for Reject {
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
                "only the followed actor can reject a follow of ours".into(),
            ));
        }
        Ok(())
    }

    async fn receive(self, data: &Data<AppState>) -> Result<()> {
        data.verkosto()
            .receive_follow_answer(&self.actor, &self.object, false)
            .await
    }
}
