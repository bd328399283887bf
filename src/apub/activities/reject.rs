//! `Reject{Follow}` as we send it: the followed side refuses. Received answers are in [`super::answer`].

use activitypub_federation::kinds::activity::RejectType;
use serde::{Deserialize, Serialize};
use url::Url;

use super::{ObjectOrId, follow::Follow};

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

impl super::Outgoing for Reject {
    fn id(&self) -> &Url {
        &self.id
    }
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
