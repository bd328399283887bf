//! Activities we send and receive, one file per type.

use serde::{Deserialize, Serialize};
use url::Url;

use crate::model::Visibility;
use crate::urls::{LocalUrls, Part};

pub mod accept;
pub mod announce;
pub mod announced;
pub mod answer;
pub mod create;
pub mod delete;
pub mod flag;
pub mod follow;
pub mod group_post;
pub mod join;
pub mod join_answer;
pub mod leave;
pub mod like;
pub mod reject;
pub mod remove;
pub mod undo;
pub mod update;

/// The content type of every ActivityPub document we send.
pub const CONTENT_TYPE: &str = "application/activity+json";

/// An object given either embedded or by its id, as both forms are common in the wild.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ObjectOrId<T> {
    /// Embedded.
    Object(Box<T>),
    /// By reference.
    Id(Url),
}

/// The id of an object given by id or embedded (`{"id": ...}`).
pub fn object_id(object: &serde_json::Value) -> crate::Result<Url> {
    let raw = match object {
        serde_json::Value::String(s) => s.as_str(),
        serde_json::Value::Object(o) => o
            .get("id")
            .and_then(serde_json::Value::as_str)
            .unwrap_or(""),
        _ => "",
    };
    Url::parse(raw)
        .map_err(|_| crate::Error::BadRequest("the activity's object has no valid id".into()))
}

/// `to` of a public activity: the Public collection.
pub(crate) fn to_public() -> Vec<String> {
    vec![crate::apub::PUBLIC.into()]
}

/// `to` and `cc` of what `actor` (a community) publishes with `visibility`: a public thing to the
/// Public collection with its followers in copy; a members-only one to its followers collection
/// (its members) alone, never `Public` (issue 18).
pub(crate) fn addressed(visibility: Visibility, actor: &Url) -> (Vec<String>, Vec<String>) {
    let followers: String = LocalUrls::part(actor, Part::Followers).into();
    match visibility {
        Visibility::Public => (to_public(), vec![followers]),
        Visibility::Members => (vec![followers], vec![]),
    }
}

/// Sets `to` and `cc` of `object` as [`addressed`] gives them.
pub(crate) fn address(object: &mut serde_json::Value, visibility: Visibility, actor: &Url) {
    let (to, cc) = addressed(visibility, actor);
    object["to"] = serde_json::json!(to);
    object["cc"] = serde_json::json!(cc);
}

/// The visibility an activity's (or object's) addressing says: public when `Public` is in its
/// `to` or `cc`.
pub(crate) fn visibility_of(addressed: &serde_json::Value) -> Visibility {
    if crate::apub::is_public(addressed) {
        Visibility::Public
    } else {
        Visibility::Members
    }
}

/// The `@context` of an activity we send: with the event vocabulary when it carries an event.
pub(crate) fn context_for(of_event: bool) -> serde_json::Value {
    match of_event {
        true => crate::apub::event::event_context(),
        false => crate::apub::context::context(),
    }
}

/// An activity we send: serialized as it is, with its `@context` in front.
pub(crate) trait Outgoing: Serialize {
    /// The activity's id.
    fn id(&self) -> &Url;

    /// The `@context` sent with it.
    fn context(&self) -> serde_json::Value {
        crate::apub::context::context()
    }

    /// The activity as sent.
    fn to_body(&self) -> crate::Result<String> {
        let wrapped =
            activitypub_federation::protocol::context::WithContext::new(self, self.context());
        serde_json::to_string(&wrapped)
            .map_err(|e| crate::Error::Internal(format!("serializing activity: {e}")))
    }
}
