//! `Like` as received: someone on another server liked one of our events or announcements (Mastodon's
//! favourite, Misskey's reaction, Lemmy's upvote). Counted in a community's insights (issue 16); we
//! send none.

use activitypub_federation::config::Data;
use serde::Deserialize;
use serde_json::Value;
use url::Url;

use super::object_id;
use crate::context::AppState;
use crate::error::Result;

/// `Like` as received.
#[derive(Debug, Clone, Deserialize)]
pub struct IncomingLike {
    /// The activity id.
    pub id: Url,
    /// Who likes.
    pub actor: Url,
    /// What is liked, by id or embedded.
    pub object: Value,
}

impl IncomingLike {
    /// What can be checked on the document itself, before anything acts on it: it names an object.
    pub(crate) async fn verify(&self, _data: &Data<AppState>) -> Result<()> {
        object_id(&self.object).map(|_| ())
    }

    /// The liked object's id.
    pub fn liked(&self) -> Result<Url> {
        object_id(&self.object)
    }
}
