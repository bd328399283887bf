//! The ids of local actors (built by [`crate::urls::LocalUrls`]), and the host form every origin
//! comparison uses.

use url::Url;

use crate::context::AppState;
use crate::model::Membership;
pub use crate::urls::normalized_host;

/// The id of a local community.
pub fn community_id(state: &AppState, name: &str) -> Url {
    state.urls().community(name)
}

/// The id of a local account.
pub fn account_id(state: &AppState, username: &str) -> Url {
    state.urls().account(username)
}

/// The id of the instance actor.
pub fn instance_id(state: &AppState) -> Url {
    state.urls().instance_actor()
}

/// What a moderators collection lists: the managers' actor ids.
pub fn manager_ids(state: &AppState, managers: &[Membership]) -> Vec<Url> {
    managers
        .iter()
        .map(|m| account_id(state, &m.username))
        .collect()
}
