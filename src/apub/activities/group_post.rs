//! What a community publishes, as group-aware software reads it (FEP-1b12: Lemmy, Mbin, PieFed,
//! Friendica groups): the manager who wrote it `Create`s (`Update`s, `Delete`s) it in the group, and
//! the group `Announce`s that activity to its followers.
//!
//! These are sent besides the community's own `Create`/`Update`/`Delete` and its `Announce` of the
//! object, which Mastodon, Mobilizon and Gancio read (Mastodon ignores an `Announce` of an activity;
//! Lemmy refuses a `Create` whose actor is a group and an `Announce` of a bare object). Each reader
//! gets one shape it knows; the object served at its id keeps the shape Mobilizon reads
//! (`attributedTo` the group).
//!
//! Lemmy finds the author and the group of a post from `attributedTo` when it is a list of typed
//! references (PeerTube's shape for a video's account and channel), or else from the first
//! dereferenceable group in `to`/`cc`; both are given here, and `audience` names the group as
//! FEP-1b12 asks.

use activitypub_federation::kinds::activity::{AnnounceType, DeleteType};
use serde::Serialize;
use serde_json::{Value, json};
use url::Url;

use super::delete::Tombstone;
use super::{Outgoing, to_public};
use crate::apub::event::event_object;
use crate::apub::note::announcement_object;
use crate::context::AppState;
use crate::error::{Error, Result};
use crate::model::{Announcement, Event};
use crate::urls::{LocalUrls, Part};

/// Which activity the author sends in the group.
#[derive(Debug, Clone, Copy, Serialize)]
pub enum Verb {
    /// Published.
    Create,
    /// Changed.
    Update,
}

/// The author's `Create` or `Update` of an object in a group.
#[derive(Debug, Clone, Serialize)]
pub struct AuthoredInGroup {
    /// `Create` or `Update`.
    #[serde(rename = "type")]
    pub kind: Verb,
    /// The activity id.
    pub id: Url,
    /// The author (a local `Person`).
    pub actor: Url,
    /// The object, embedded, with the author and the group in `attributedTo`.
    pub object: Value,
    /// Public.
    pub to: Vec<String>,
    /// The group and its followers.
    pub cc: Vec<String>,
    /// The group (FEP-1b12).
    pub audience: Url,
    /// Whether the object is an event (its `@context` carries the event vocabulary).
    #[serde(skip)]
    of_event: bool,
}

impl AuthoredInGroup {
    /// `Create` or `Update` of a local `event` by `author` in its organizing group.
    pub fn event(verb: Verb, id: Url, state: &AppState, event: &Event, author: &Url) -> Self {
        let group = &event.organizer_ap_id;
        let object = in_group(event_object(state, event), author, group);
        Self::new(verb, id, author, group, object, true)
    }

    /// `Create` or `Update` of a local announcement by `author` in its community.
    pub fn announcement(
        verb: Verb,
        id: Url,
        state: &AppState,
        a: &Announcement,
        author: &Url,
    ) -> Self {
        let group = &a.author_ap_id;
        let object = in_group(announcement_object(state, a), author, group);
        Self::new(verb, id, author, group, object, false)
    }

    fn new(verb: Verb, id: Url, author: &Url, group: &Url, object: Value, of_event: bool) -> Self {
        AuthoredInGroup {
            kind: verb,
            id,
            actor: author.clone(),
            object,
            to: to_public(),
            cc: group_audience(group),
            audience: group.clone(),
            of_event,
        }
    }
}

impl Outgoing for AuthoredInGroup {
    fn id(&self) -> &Url {
        &self.id
    }

    fn context(&self) -> Value {
        super::context_for(self.of_event)
    }
}

/// The author's `Delete` of an object in a group (the object as a `Tombstone`).
#[derive(Debug, Clone, Serialize)]
pub struct DeletedInGroup {
    /// Always `Delete`.
    #[serde(rename = "type")]
    pub kind: DeleteType,
    /// The activity id.
    pub id: Url,
    /// The author.
    pub actor: Url,
    /// What was deleted.
    pub object: Tombstone,
    /// Public.
    pub to: Vec<String>,
    /// The group and its followers.
    pub cc: Vec<String>,
    /// The group.
    pub audience: Url,
}

impl DeletedInGroup {
    /// `Delete` of `object` (of type `former_type`) by `author` in `group`.
    pub fn new(id: Url, author: &Url, group: &Url, object: &Url, former_type: &str) -> Self {
        DeletedInGroup {
            kind: DeleteType::Delete,
            id,
            actor: author.clone(),
            object: Tombstone::of(object, former_type),
            to: to_public(),
            cc: group_audience(group),
            audience: group.clone(),
        }
    }
}

impl Outgoing for DeletedInGroup {
    fn id(&self) -> &Url {
        &self.id
    }
}

/// A group's `Announce` of an activity (embedded, so that readers need not fetch it).
#[derive(Debug, Clone, Serialize)]
pub struct AnnounceActivity {
    /// Always `Announce`.
    #[serde(rename = "type")]
    pub kind: AnnounceType,
    /// The activity id.
    pub id: Url,
    /// The group.
    pub actor: Url,
    /// The announced activity.
    pub object: Value,
    /// Public.
    pub to: Vec<String>,
    /// The group's followers.
    pub cc: Vec<String>,
    /// The announced activity's `@context` (the outer document carries it for both).
    #[serde(skip)]
    context: Value,
}

impl AnnounceActivity {
    /// `Announce` of `inner` by `group`.
    pub fn of<A: Outgoing>(id: Url, group: &Url, inner: &A) -> Result<Self> {
        let object = serde_json::to_value(inner)
            .map_err(|e| Error::Internal(format!("serializing an announced activity: {e}")))?;
        Ok(AnnounceActivity {
            kind: AnnounceType::Announce,
            id,
            actor: group.clone(),
            object,
            to: to_public(),
            cc: vec![LocalUrls::part(group, Part::Followers).into()],
            context: inner.context(),
        })
    }
}

impl Outgoing for AnnounceActivity {
    fn id(&self) -> &Url {
        &self.id
    }

    fn context(&self) -> Value {
        self.context.clone()
    }
}

/// `object` as a post in `group` by `author`: both typed in `attributedTo`, the group in `audience`
/// and `cc`.
fn in_group(mut object: Value, author: &Url, group: &Url) -> Value {
    if let Some(o) = object.as_object_mut() {
        o.insert(
            "attributedTo".into(),
            json!([
                { "type": "Person", "id": author },
                { "type": "Group", "id": group },
            ]),
        );
        o.insert("audience".into(), json!(group));
        o.insert("cc".into(), json!(group_audience(group)));
    }
    object
}

/// `cc` of an activity in a group: the group itself (where Lemmy looks for it) and its followers.
fn group_audience(group: &Url) -> Vec<String> {
    vec![
        group.to_string(),
        LocalUrls::part(group, Part::Followers).into(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_group_and_the_author_are_both_named() {
        let author = Url::parse("https://v.example/u/aino").expect("url");
        let group = Url::parse("https://v.example/c/kahvila").expect("url");
        let object = in_group(
            json!({"type": "Event", "id": "https://v.example/e/1", "attributedTo": group}),
            &author,
            &group,
        );
        assert_eq!(object["attributedTo"][0]["type"], "Person");
        assert_eq!(object["attributedTo"][0]["id"], author.as_str());
        assert_eq!(object["attributedTo"][1]["id"], group.as_str());
        assert_eq!(object["audience"], group.as_str());
        assert_eq!(object["cc"][0], group.as_str());
    }
}
