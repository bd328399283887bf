//! NodeInfo 2.0 and 2.1, with the FEP-2677 link to the instance actor.

use serde_json::{Value, json};

use crate::context::AppState;
use crate::error::Result;
use crate::store;

/// The `/.well-known/nodeinfo` discovery document.
pub fn discovery(s: &AppState) -> Value {
    json!({
        "links": [
            { "rel": "http://nodeinfo.diaspora.software/ns/schema/2.1", "href": s.url("/nodeinfo/2.1") },
            { "rel": "http://nodeinfo.diaspora.software/ns/schema/2.0", "href": s.url("/nodeinfo/2.0") },
            { "rel": "https://www.w3.org/ns/activitystreams#Application", "href": super::actor::instance_id(s) }
        ]
    })
}

/// The NodeInfo document in `version` ("2.0" or "2.1").
pub async fn document(state: &AppState, version: &str) -> Result<Value> {
    let mut c = state.db.acquire().await?;
    let users = store::accounts::count(&mut c.conn()).await?;
    let communities = store::communities::count_public(&mut c.conn()).await?;
    let local_posts = store::instance::local_posts(&mut c.conn()).await?;
    let mut software = json!({ "name": "verkosto", "version": env!("CARGO_PKG_VERSION") });
    if version == "2.1" {
        software["repository"] = json!(env!("CARGO_PKG_REPOSITORY"));
        software["homepage"] = json!(env!("CARGO_PKG_REPOSITORY"));
    }
    Ok(json!({
        "version": version,
        "software": software,
        "protocols": ["activitypub"],
        "services": { "inbound": [], "outbound": [] },
        "openRegistrations": state.settings.open_registration,
        "usage": { "users": { "total": users }, "localPosts": local_posts },
        "metadata": { "nodeName": state.settings.domain, "communities": communities }
    }))
}
