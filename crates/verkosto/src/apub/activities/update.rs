//! `Update`: a local actor changed; followers refresh their copy.

use activitypub_federation::kinds::activity::UpdateType;
use serde::{Deserialize, Serialize};
use url::Url;

use crate::apub::{PUBLIC, actor};
use crate::error::Result;
use crate::model::Community;
use crate::service::AppState;

/// The `Update` activity.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Update<T> {
    /// Always `Update`.
    #[serde(rename = "type")]
    pub kind: UpdateType,
    /// The activity id.
    pub id: Url,
    /// Who changed it.
    pub actor: Url,
    /// The new version.
    pub object: T,
    /// Primary audience.
    pub to: Vec<Url>,
    /// Secondary audience.
    pub cc: Vec<Url>,
}

/// `Update{Group}` of a local community, sent to its followers after a change.
pub fn group_update(
    state: &AppState,
    community: &Community,
    public_key_pem: &str,
) -> Result<Update<actor::ActorDocument>> {
    let id = actor::community_id(state, &community.name);
    let doc = actor::group_document(state, community, public_key_pem);
    let followers = doc.followers.clone().into_iter().collect();
    Ok(Update {
        kind: UpdateType::Update,
        id: crate::apub::new_activity_id(state),
        actor: id,
        object: doc,
        to: vec![Url::parse(PUBLIC).map_err(|e| crate::Error::Internal(e.to_string()))?],
        cc: followers,
    })
}
