//! `Follow`: someone asks to receive what a local actor publishes, or a local account asks a remote one.

use activitypub_federation::{config::Data, kinds::activity::FollowType};
use serde::{Deserialize, Serialize};
use url::Url;

use crate::context::AppState;
use crate::error::{Error, Result};

/// The `Follow` activity.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Follow {
    /// Always `Follow`.
    #[serde(rename = "type")]
    pub kind: FollowType,
    /// The activity id.
    pub id: Url,
    /// Who follows.
    pub actor: Url,
    /// Whom.
    pub object: Url,
}

impl super::Outgoing for Follow {
    fn id(&self) -> &Url {
        &self.id
    }
}

impl Follow {
    /// A new `Follow` of `object` by `actor`.
    pub fn new(id: Url, actor: Url, object: Url) -> Self {
        Follow {
            kind: FollowType::Follow,
            id,
            actor,
            object,
        }
    }
}

impl Follow {
    /// What can be checked on the document itself, before anything acts on it.
    pub(crate) async fn verify(&self, data: &Data<AppState>) -> Result<()> {
        if !data.config_is_local(&self.object) {
            return Err(Error::invalid_document(
                "object",
                "the followed actor is not on this instance",
            ));
        }
        Ok(())
    }
}

/// Small helpers the activity handlers share.
pub(crate) trait DataExt {
    /// Whether `url` is on this instance.
    fn config_is_local(&self, url: &Url) -> bool;
}

impl DataExt for Data<AppState> {
    fn config_is_local(&self, url: &Url) -> bool {
        crate::apub::actor::normalized_host(url).as_deref() == Some(self.settings.domain.as_str())
    }
}
