//! `Undo{Follow}`: a follower stops following. Other undone types are acknowledged and ignored.

use activitypub_federation::{config::Data, kinds::activity::UndoType, traits::Activity};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use url::Url;

use super::{ObjectOrId, follow::DataExt, follow::Follow};
use crate::error::{Error, Result};
use crate::service::AppState;

/// The `Undo` activity. Its `object` is kept loose: only an undone `Follow` (embedded or by id) has an
/// effect.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Undo {
    /// Always `Undo`.
    #[serde(rename = "type")]
    pub kind: UndoType,
    /// The activity id.
    pub id: Url,
    /// Who undoes.
    pub actor: Url,
    /// What is undone.
    pub object: serde_json::Value,
}

impl Undo {
    /// An `Undo` of `follow` by its actor.
    pub fn of_follow(id: Url, follow: &Follow) -> Result<Self> {
        Ok(Undo {
            kind: UndoType::Undo,
            id,
            actor: follow.actor.clone(),
            object: serde_json::to_value(follow).map_err(|e| Error::Internal(e.to_string()))?,
        })
    }

    /// The undone `Follow`, when that is what is undone.
    pub fn undone_follow(&self) -> Option<ObjectOrId<Follow>> {
        match &self.object {
            serde_json::Value::String(s) => Url::parse(s).ok().map(ObjectOrId::Id),
            obj @ serde_json::Value::Object(map)
                if map.get("type").and_then(|t| t.as_str()) == Some("Follow") =>
            {
                serde_json::from_value::<Follow>(obj.clone())
                    .ok()
                    .map(|f| ObjectOrId::Object(Box::new(f)))
            }
            _ => None,
        }
    }
}

#[async_trait]
impl Activity for Undo {
    type DataType = AppState;
    type Error = Error;

    fn id(&self) -> &Url {
        &self.id
    }

    fn actor(&self) -> &Url {
        &self.actor
    }

    async fn verify(&self, _data: &Data<AppState>) -> Result<()> {
        if let Some(ObjectOrId::Object(follow)) = self.undone_follow()
            && follow.actor != self.actor
        {
            return Err(Error::Forbidden(
                "only the follower can undo its follow".into(),
            ));
        }
        Ok(())
    }

    async fn receive(self, data: &Data<AppState>) -> Result<()> {
        if let Some(follow) = self.undone_follow() {
            return data.verkosto().receive_unfollow(&self.actor, &follow).await;
        }
        match &self.object {
            // Undo{Join} embedding the Join: its object is the event.
            serde_json::Value::Object(o)
                if o.get("type").and_then(|t| t.as_str()) == Some("Join") =>
            {
                let event = super::object_id(o.get("object").unwrap_or(&serde_json::Value::Null))?;
                data.verkosto().receive_leave(&self.actor, &event).await
            }
            _ => Ok(()),
        }
    }
}
