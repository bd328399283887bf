//! `Accept`, `TentativeAccept` and `Reject` as received: answers to a `Follow` or a `Join` one of our
//! accounts sent, or (Friendica's RSVP) a remote person's answer to one of our events.

use activitypub_federation::{config::Data, traits::Activity};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use url::Url;

use super::{ObjectOrId, follow::DataExt, follow::Follow, object_id};
use crate::context::AppState;
use crate::error::{Error, Result};
use crate::model::ParticipationState;

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
    fn embedded_type(&self) -> Option<&str> {
        self.object.get("type").and_then(Value::as_str)
    }
}

#[async_trait]
impl Activity for IncomingAnswer {
    type DataType = AppState;
    type Error = Error;

    fn id(&self) -> &Url {
        &self.id
    }

    fn actor(&self) -> &Url {
        &self.actor
    }

    async fn verify(&self, data: &Data<AppState>) -> Result<()> {
        if self.embedded_type() == Some("Follow") {
            let follow: Follow = serde_json::from_value(self.object.clone())
                .map_err(|e| Error::BadRequest(format!("malformed Follow: {e}")))?;
            if !data.config_is_local(&follow.actor) || follow.object != self.actor {
                return Err(Error::Forbidden(
                    "only the followed actor can answer a follow of ours".into(),
                ));
            }
        }
        Ok(())
    }

    async fn receive(self, data: &Data<AppState>) -> Result<()> {
        let verkosto = data.verkosto();
        let answered = object_id(&self.object)?;
        let is_follow =
            self.embedded_type() == Some("Follow") || verkosto.is_our_follow(&answered).await?;
        if is_follow {
            return match self.kind.as_str() {
                "Accept" => {
                    verkosto
                        .receive_follow_answer(
                            &self.actor,
                            &ObjectOrId::<Follow>::Id(answered),
                            true,
                        )
                        .await
                }
                "Reject" => {
                    verkosto
                        .receive_follow_answer(
                            &self.actor,
                            &ObjectOrId::<Follow>::Id(answered),
                            false,
                        )
                        .await
                }
                _ => Ok(()),
            };
        }
        if verkosto.is_our_network_join(&answered).await? {
            let accepted = self.kind == "Accept";
            return verkosto
                .receive_network_answer(&self.actor, &answered, accepted)
                .await;
        }
        if self.embedded_type() == Some("Join") || verkosto.is_our_join(&answered).await? {
            let state = match self.kind.as_str() {
                "Accept" => ParticipationState::Accepted,
                "TentativeAccept" => ParticipationState::Waitlisted,
                _ => ParticipationState::Rejected,
            };
            return verkosto
                .receive_join_answer(&self.actor, &answered, state)
                .await;
        }
        if data.config_is_local(&answered) {
            // Friendica's RSVP: the answer's object is our event itself.
            return match self.kind.as_str() {
                "Reject" => verkosto.receive_leave(&self.actor, &answered).await,
                _ => {
                    verkosto
                        .receive_join(&self.actor, &answered, &self.id, None)
                        .await
                }
            };
        }
        Err(Error::NotFound(format!(
            "nothing of ours answered by {answered}"
        )))
    }
}
