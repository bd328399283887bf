//! `Accept`, `TentativeAccept` and `Reject` as received: answers to a `Follow` or a `Join` one of our
//! accounts sent, or (Friendica's RSVP) a remote person's answer to one of our events.

use activitypub_federation::config::Data;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use url::Url;

use super::{follow::DataExt, follow::Follow};
use crate::context::AppState;
use crate::error::{Error, Result};

/// An answer as received.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IncomingAnswer {
    /// `Accept`, `TentativeAccept` or `Reject`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The activity id.
    pub id: Url,
    /// Who answers.
    pub actor: Url,
    /// What is answered: a `Follow` or `Join` (embedded or by id), or an `Event`.
    pub object: Value,
}

impl IncomingAnswer {
    pub(crate) fn embedded_type(&self) -> Option<&str> {
        self.object.get("type").and_then(Value::as_str)
    }
}

impl IncomingAnswer {
    /// What can be checked on the document itself, before anything acts on it.
    pub(crate) async fn verify(&self, data: &Data<AppState>) -> Result<()> {
        if self.embedded_type() == Some("Follow") {
            let follow: Follow = serde_json::from_value(self.object.clone())
                .map_err(|e| Error::BadRequest(format!("malformed Follow: {e}")))?;
            // A Mastodon-style relay answers our Follow of the Public collection: which relay may
            // answer it is checked against the subscription (`service/relays.rs`).
            let answerable =
                follow.object == self.actor || follow.object.as_str() == crate::apub::PUBLIC;
            if !data.config_is_local(&follow.actor) || !answerable {
                return Err(Error::Forbidden(
                    "only the followed actor can answer a follow of ours".into(),
                ));
            }
        }
        Ok(())
    }
}
