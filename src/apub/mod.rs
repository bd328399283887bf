//! ActivityPub: the wire shapes of our objects and activities (one file per type), their conversions from
//! and to the domain model, HTTP signatures, and the inbox pipeline.
//!
//! An incoming activity flows: [`inbox`] verifies (content type, size, digest, signature, origin) ->
//! records its id (a redelivery has no second effect) -> hands it to the activity type's `receive`, which
//! calls a service. Outgoing activities are built here and queued by the services (see [`crate::deliver`]).

pub mod activities;
pub mod actor;
pub mod collections;
pub mod context;
pub mod event;
pub mod http_client;
pub mod inbox;
pub mod multikey;
pub mod nodeinfo;
pub mod note;
pub mod question;
pub mod rfc9421;
pub mod safety;
pub mod series;
pub mod signatures;
pub mod webfinger;

#[cfg(test)]
mod proptests;

/// The special collection that makes an activity public.
pub const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

/// Whether an object is addressed to the public (`to` or `cc` holds the Public collection, in any of
/// its spellings).
pub fn is_public(object: &serde_json::Value) -> bool {
    ["to", "cc"].iter().any(|k| match object.get(*k) {
        Some(serde_json::Value::String(s)) => is_public_iri(s),
        Some(serde_json::Value::Array(a)) => a.iter().filter_map(|v| v.as_str()).any(is_public_iri),
        _ => false,
    })
}

fn is_public_iri(s: &str) -> bool {
    matches!(s, PUBLIC | "as:Public" | "Public")
}

/// Whether a `Content-Type` value names an ActivityStreams document.
pub fn is_activity_content_type(value: &str) -> bool {
    let mut parts = value.split(';').map(str::trim);
    let essence = parts.next().unwrap_or("").to_ascii_lowercase();
    match essence.as_str() {
        "application/activity+json" => true,
        "application/ld+json" => parts.any(|p| {
            let p = p.replace(' ', "");
            p.eq_ignore_ascii_case("profile=\"https://www.w3.org/ns/activitystreams\"")
                || p.eq_ignore_ascii_case("profile=https://www.w3.org/ns/activitystreams")
        }),
        _ => false,
    }
}

/// Fetches any ActivityPub document from its origin (signed with the instance key), checking its
/// content type and that its `id` is the URL it was fetched from.
pub(crate) async fn fetch_json(
    data: &activitypub_federation::config::Data<crate::context::AppState>,
    url: &url::Url,
) -> crate::Result<serde_json::Value> {
    let res =
        activitypub_federation::fetch::fetch_object_http::<_, serde_json::Value>(url, data).await?;
    Ok(res.object)
}

/// A new id for an activity published by this instance.
pub(crate) fn new_activity_id(state: &crate::context::AppState) -> url::Url {
    use rand::RngCore;
    let mut raw = [0u8; 16];
    rand::rng().fill_bytes(&mut raw);
    state.urls().activity(&hex::encode(raw))
}

#[cfg(test)]
mod tests {
    use super::is_activity_content_type as ok;

    #[test]
    fn content_types() {
        assert!(ok("application/activity+json"));
        assert!(ok("application/activity+json; charset=utf-8"));
        assert!(ok(
            "application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\""
        ));
        assert!(!ok("application/ld+json"));
        assert!(!ok("application/json"));
        assert!(!ok("text/html"));
    }
}
