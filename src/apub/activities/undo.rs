//! `Undo`: of a `Follow` (the follower stops following) or a `Join` (of an event or a network), embedded
//! or named by id. Other undone types are acknowledged and ignored.

use activitypub_federation::{config::Data, kinds::activity::UndoType};
use serde::{Deserialize, Serialize};
use url::Url;

use super::{ObjectOrId, follow::Follow};
use crate::context::AppState;
use crate::error::{Error, Result};

/// The `Undo` activity. Its `object` is kept loose: an embedded `Follow` or `Join`, or the id of one we
/// stored, has an effect.
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

impl super::Outgoing for Undo {
    fn id(&self) -> &Url {
        &self.id
    }
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

    /// The undone `Follow`, when it is embedded. An id alone may name a `Join` as well: see
    /// [`Undo::undone_id`].
    pub fn undone_follow(&self) -> Option<ObjectOrId<Follow>> {
        match &self.object {
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

    /// The undone activity's id, when that is all the `Undo` gives (or it embeds only `{type, id}`).
    pub fn undone_id(&self) -> Option<Url> {
        match &self.object {
            serde_json::Value::String(s) => Url::parse(s).ok(),
            serde_json::Value::Object(o) if o.get("object").is_none() => o
                .get("id")
                .and_then(|i| i.as_str())
                .and_then(|s| Url::parse(s).ok()),
            _ => None,
        }
    }
}

impl Undo {
    /// What can be checked on the document itself, before anything acts on it.
    pub(crate) async fn verify(&self, _data: &Data<AppState>) -> Result<()> {
        if let Some(ObjectOrId::Object(follow)) = self.undone_follow()
            && follow.actor != self.actor
        {
            return Err(Error::Forbidden(
                "only the follower can undo its follow".into(),
            ));
        }
        Ok(())
    }
}
