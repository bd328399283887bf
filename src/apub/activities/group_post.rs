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
use crate::model::{Announcement, Event, Visibility};
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
        let object = in_group(event_object(state, event), author, group, event.visibility);
        Self::new(verb, id, author, group, object, true, event.visibility)
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
        let object = in_group(announcement_object(state, a), author, group, a.visibility);
        Self::new(verb, id, author, group, object, false, a.visibility)
    }

    fn new(
        verb: Verb,
        id: Url,
        author: &Url,
        group: &Url,
        object: Value,
        of_event: bool,
        visibility: Visibility,
    ) -> Self {
        let (to, cc) = group_audience(group, visibility);
        AuthoredInGroup {
            kind: verb,
            id,
            actor: author.clone(),
            object,
            to,
            cc,
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
    pub fn new(
        id: Url,
        author: &Url,
        group: &Url,
        (object, former_type): (&Url, &str),
        visibility: Visibility,
    ) -> Self {
        let (to, cc) = group_audience(group, visibility);
        DeletedInGroup {
            kind: DeleteType::Delete,
            id,
            actor: author.clone(),
            object: Tombstone::of(object, former_type),
            to,
            cc,
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
        // Announced to the audience of what it announces: a members-only activity stays with the members.
        let (to, cc) = super::addressed(super::visibility_of(&object), group);
        Ok(AnnounceActivity {
            kind: AnnounceType::Announce,
            id,
            actor: group.clone(),
            object,
            to,
            cc,
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
fn in_group(mut object: Value, author: &Url, group: &Url, visibility: Visibility) -> Value {
    if let Some(o) = object.as_object_mut() {
        o.insert(
            "attributedTo".into(),
            json!([
                { "type": "Person", "id": author },
                { "type": "Group", "id": group },
            ]),
        );
        o.insert("audience".into(), json!(group));
        let (to, cc) = group_audience(group, visibility);
        o.insert("to".into(), json!(to));
        o.insert("cc".into(), json!(cc));
    }
    object
}

/// `cc` of an activity in a group: the group itself (where Lemmy looks for it) and its followers.
/// `to` and `cc` of a post in `group`: public ones to everyone with the group and its followers in
/// copy, members-only ones to the group and its followers alone.
fn group_audience(group: &Url, visibility: Visibility) -> (Vec<String>, Vec<String>) {
    let group_and_followers = vec![
        group.to_string(),
        LocalUrls::part(group, Part::Followers).into(),
    ];
    match visibility {
        Visibility::Public => (to_public(), group_and_followers),
        Visibility::Members => (group_and_followers, vec![]),
    }
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
            Visibility::Public,
        );
        assert_eq!(object["attributedTo"][0]["type"], "Person");
        assert_eq!(object["attributedTo"][0]["id"], author.as_str());
        assert_eq!(object["attributedTo"][1]["id"], group.as_str());
        assert_eq!(object["audience"], group.as_str());
        assert_eq!(object["cc"][0], group.as_str());
        assert_eq!(object["to"][0], crate::apub::PUBLIC);
    }

    #[test]
    fn a_members_only_post_goes_to_the_group_and_its_followers_alone() {
        let author = Url::parse("https://v.example/u/aino").expect("url");
        let group = Url::parse("https://v.example/c/sisainen").expect("url");
        let object = in_group(
            json!({"type": "Note", "id": "https://v.example/a/1"}),
            &author,
            &group,
            Visibility::Members,
        );
        assert!(!crate::apub::is_public(&object), "{object}");
        assert_eq!(
            object["to"],
            json!([group.as_str(), "https://v.example/c/sisainen/followers"])
        );
        assert_eq!(object["cc"], json!([]));
        let inner = DeletedInGroup::new(
            Url::parse("https://v.example/activities/1").expect("url"),
            &author,
            &group,
            (&Url::parse("https://v.example/a/1").expect("url"), "Note"),
            Visibility::Members,
        );
        let announce = AnnounceActivity::of(
            Url::parse("https://v.example/activities/2").expect("url"),
            &group,
            &inner,
        )
        .expect("announce");
        let wire = serde_json::to_value(&announce).expect("json");
        assert!(!crate::apub::is_public(&wire), "{wire}");
        assert_eq!(
            wire["to"],
            json!(["https://v.example/c/sisainen/followers"])
        );
    }
}
