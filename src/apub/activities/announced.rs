//! What an incoming `Announce` carries, and which of it can be believed as embedded.
//!
//! Senders wrap differently: Mastodon, Mobilizon and Verkosto networks announce an object by id;
//! Lemmy, Mbin and PieFed groups (FEP-1b12) announce the *activity* a member sent to the group,
//! embedded in full: `Announce{Create{Page}}`, `Announce{Update{Page}}`, `Announce{Delete{id}}`,
//! `Announce{Create{Note}}` for comments, and votes, locks and the like that we do not act on.
//!
//! Trust. The signature proves only that the announcing actor spoke. An embedded object is believed
//! only when it is on the announcer's own host, and for a wrapped activity, when the wrapped
//! activity's actor is on that host too: that host holds the announcer's key and serves the object
//! and its author, so fetching it would ask the same server for the same words. Lemmy's own
//! announce of a local member's post is this case. Anything else (a member on another instance
//! posting in the group, as `ds9` posting in an `enterprise` community; a wrapped activity whose
//! actor is elsewhere) is fetched from the object's origin, which names its author; the embedded
//! copy is then only a hint of whether to fetch at all. A host being the same as the announcer's is
//! not enough by itself: the wrapped activity must be by an actor of that host as well, or a group
//! could relay words it claims a third host's member wrote.

use serde_json::Value;
use url::Url;

use super::announce::IncomingAnnounce;
use super::object_id;
use crate::apub::actor::normalized_host;
use crate::error::Result;

/// What an `Announce` carries.
#[derive(Debug)]
pub(crate) enum Announced {
    /// An object shared or created: by id, embedded, or in a wrapped `Create`.
    Object(AnnouncedObject),
    /// A changed object, in a wrapped `Update`.
    Update(AnnouncedObject),
    /// A wrapped `Delete` of the object with this id.
    Delete(Url),
    /// Another wrapped activity (`Like`, `Dislike`, `Undo`, `Lock`, `Add` ...): not acted on.
    Other(String),
}

/// An announced object: its id, and the embedded copy when it can be believed (see the module).
#[derive(Debug)]
pub(crate) struct AnnouncedObject {
    /// The object's id.
    pub id: Url,
    /// The embedded object, when on the announcer's host and wrapped by an actor of that host.
    pub trusted: Option<Value>,
    /// The embedded object however it came: a hint only, never acted on.
    pub hint: Option<Value>,
}

impl IncomingAnnounce {
    /// Reads what this `Announce` carries.
    pub(crate) fn announced(&self) -> Result<Announced> {
        let Some(inner) = self.object.as_object() else {
            return Ok(Announced::Object(AnnouncedObject {
                id: object_id(&self.object)?,
                trusted: None,
                hint: None,
            }));
        };
        let kind = inner.get("type").and_then(Value::as_str).unwrap_or("");
        let wraps_activity = inner.contains_key("actor") && inner.contains_key("object");
        if !wraps_activity {
            let id = object_id(&self.object)?;
            let trusted = self.on_my_host(&id).then(|| self.object.clone());
            return Ok(Announced::Object(AnnouncedObject {
                id,
                trusted,
                hint: Some(self.object.clone()),
            }));
        }
        let object = inner.get("object").unwrap_or(&Value::Null);
        let wrapped = || -> Result<AnnouncedObject> {
            let id = object_id(object)?;
            let actor_here = inner
                .get("actor")
                .and_then(|a| object_id(a).ok())
                .is_some_and(|a| self.on_my_host(&a));
            let embedded = object.get("type").is_some().then(|| object.clone());
            Ok(AnnouncedObject {
                trusted: embedded
                    .clone()
                    .filter(|_| actor_here && self.on_my_host(&id)),
                hint: embedded,
                id,
            })
        };
        Ok(match kind {
            "Create" => Announced::Object(wrapped()?),
            "Update" => Announced::Update(wrapped()?),
            "Delete" => Announced::Delete(object_id(object)?),
            other => Announced::Other(other.to_string()),
        })
    }

    fn on_my_host(&self, url: &Url) -> bool {
        normalized_host(url).is_some() && normalized_host(url) == normalized_host(&self.actor)
    }
}

/// Whether `object` names `actor` in `to`, `cc` or `audience`: it was posted to that group (FEP-1b12).
pub(crate) fn addressed_to(object: &Value, actor: &Url) -> bool {
    ["to", "cc", "audience"]
        .iter()
        .any(|k| match object.get(*k) {
            Some(Value::String(s)) => s == actor.as_str(),
            Some(Value::Array(a)) => a.iter().any(|v| v.as_str() == Some(actor.as_str())),
            _ => false,
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn announce(actor: &str, object: Value) -> IncomingAnnounce {
        IncomingAnnounce {
            id: Url::parse(&format!("{actor}/announce/1")).expect("url"),
            actor: Url::parse(actor).expect("url"),
            object,
        }
    }

    #[test]
    fn a_member_post_on_the_groups_host_is_believed_as_embedded() {
        let a = announce(
            "http://lemmy.example/c/main",
            json!({ "type": "Create", "id": "http://lemmy.example/activities/create/1",
                    "actor": "http://lemmy.example/u/beta",
                    "object": { "type": "Page", "id": "http://lemmy.example/post/7" } }),
        );
        let Ok(Announced::Object(o)) = a.announced() else {
            panic!("an object");
        };
        assert_eq!(o.id.as_str(), "http://lemmy.example/post/7");
        assert!(o.trusted.is_some());
    }

    #[test]
    fn a_post_or_an_author_of_another_host_is_fetched() {
        for (actor, post) in [
            ("http://ds9.example/u/alpha", "http://ds9.example/post/1"),
            ("http://ds9.example/u/alpha", "http://lemmy.example/post/1"),
            ("http://lemmy.example/u/beta", "http://ds9.example/post/1"),
        ] {
            let a = announce(
                "http://lemmy.example/c/main",
                json!({ "type": "Update", "id": "http://lemmy.example/activities/update/1",
                        "actor": actor, "object": { "type": "Page", "id": post } }),
            );
            let Ok(Announced::Update(o)) = a.announced() else {
                panic!("an update");
            };
            assert!(o.trusted.is_none(), "{actor} {post}");
            assert!(o.hint.is_some());
        }
    }

    #[test]
    fn deletes_votes_and_bare_ids() {
        let group = "http://lemmy.example/c/main";
        let delete = announce(
            group,
            json!({ "type": "Delete", "id": "http://ds9.example/d/1", "actor": "http://ds9.example/u/a",
                    "object": "http://ds9.example/post/1" }),
        );
        assert!(
            matches!(delete.announced(), Ok(Announced::Delete(id)) if id.as_str() == "http://ds9.example/post/1")
        );
        let like = announce(
            group,
            json!({ "type": "Like", "id": "http://ds9.example/l/1", "actor": "http://ds9.example/u/a",
                    "object": "http://ds9.example/post/1" }),
        );
        assert!(matches!(like.announced(), Ok(Announced::Other(k)) if k == "Like"));
        let boost = announce(group, json!("http://elsewhere.example/notes/1"));
        assert!(
            matches!(boost.announced(), Ok(Announced::Object(o)) if o.trusted.is_none() && o.hint.is_none())
        );
    }
}
