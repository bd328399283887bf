//! The ids of local actors, and the host form every origin comparison uses.

use url::Url;

use crate::context::AppState;
use crate::model::Membership;

/// The id of a local community.
pub fn community_id(state: &AppState, name: &str) -> Url {
    state.url(&format!("/c/{name}"))
}

/// The id of a local account.
pub fn account_id(state: &AppState, username: &str) -> Url {
    state.url(&format!("/u/{username}"))
}

/// The id of the instance actor.
pub fn instance_id(state: &AppState) -> Url {
    state.url("/actor")
}

/// The host (and port, when not the default) of a URL, lowercased and without a trailing dot: the
/// form every origin comparison uses.
pub fn normalized_host(url: &Url) -> Option<String> {
    let host = url.host_str()?.trim_end_matches('.').to_ascii_lowercase();
    Some(match url.port() {
        Some(p) => format!("{host}:{p}"),
        None => host,
    })
}

/// What a moderators collection lists: the managers' actor ids.
pub fn manager_ids(state: &AppState, managers: &[Membership]) -> Vec<Url> {
    managers
        .iter()
        .map(|m| account_id(state, &m.username))
        .collect()
}
