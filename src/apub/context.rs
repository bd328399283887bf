//! The JSON-LD `@context` of our documents.
//!
//! Strict JSON-LD readers (Fedify, bovine) drop every property the context does not define; with an
//! ActivityStreams-only context they lose `publicKey` and every delivery from us fails. So every term we
//! emit is defined here: ActivityStreams, security/v1 for keys, and each extension term by its origin.

use serde_json::{Value, json};

/// The `@context` of every document we serve or send.
pub fn context() -> Value {
    json!([
        "https://www.w3.org/ns/activitystreams",
        "https://w3id.org/security/v1",
        {
            "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
            "sensitive": "as:sensitive",
            "Hashtag": "as:Hashtag",
            "toot": "http://joinmastodon.org/ns#",
            "discoverable": "toot:discoverable",
            "lemmy": "https://join-lemmy.org/ns#",
            "moderators": { "@id": "lemmy:moderators", "@type": "@id" },
            "postingRestrictedToMods": "lemmy:postingRestrictedToMods",
            "verkosto": "https://verkosto.codeberg.page/ns#",
            "communityKind": "verkosto:communityKind",
            "members": { "@id": "https://joinmobilizon.org/ns#members", "@type": "@id" },
            "upcomingEvents": { "@id": "https://w3id.org/fep/8a8e#upcomingEvents", "@type": "@id" }
        }
    ])
}
