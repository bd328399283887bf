//! `Accept{Follow}` as we send it: the followed side agrees. Received answers are in [`super::answer`].

use activitypub_federation::kinds::activity::AcceptType;
use serde::{Deserialize, Serialize};
use url::Url;

use super::{ObjectOrId, follow::Follow};

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

impl super::Outgoing for Accept {
    fn id(&self) -> &Url {
        &self.id
    }
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
