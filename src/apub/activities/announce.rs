//! `Announce`: a group shares an event (FEP-1b12). Mastodon shows it as a boost.

use activitypub_federation::{config::Data, kinds::activity::AnnounceType};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use url::Url;

use super::addressed;
use crate::context::AppState;
use crate::error::Result;
use crate::model::Event;

/// `Announce` as we send it: a group shares an object by id, publicly and to its followers.
#[derive(Debug, Clone, Serialize)]
pub struct Announce {
    /// Always `Announce`.
    #[serde(rename = "type")]
    pub kind: AnnounceType,
    /// The activity id.
    pub id: Url,
    /// The announcing group.
    pub actor: Url,
    /// What is announced, by id.
    pub object: Url,
    /// Primary audience (public).
    pub to: Vec<String>,
    /// Secondary audience (the group's followers).
    pub cc: Vec<String>,
    /// When the announced object was published.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published: Option<DateTime<Utc>>,
}

impl Announce {
    /// `Announce` of a local `event` by its organizing group.
    pub fn event(id: Url, event: &Event) -> Self {
        Announce {
            kind: AnnounceType::Announce,
            id,
            actor: event.organizer_ap_id.clone(),
            object: event.ap_id.clone(),
            to: addressed(event.visibility, &event.organizer_ap_id).0,
            cc: addressed(event.visibility, &event.organizer_ap_id).1,
            published: Some(event.published_at),
        }
    }

    /// `Announce` of `object` by the group `actor`: a community sharing its own announcement, or a
    /// network relaying a member's event or announcement.
    pub fn object(id: Url, actor: Url, object: Url, visibility: crate::model::Visibility) -> Self {
        Announce {
            kind: AnnounceType::Announce,
            id,
            to: addressed(visibility, &actor).0,
            cc: addressed(visibility, &actor).1,
            actor,
            object,
            published: None,
        }
    }
}

impl super::Outgoing for Announce {
    fn id(&self) -> &Url {
        &self.id
    }
}

/// `Announce` as received. What it carries, and when an embedded object is believed rather than
/// fetched from its origin, is read in [`super::announced`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IncomingAnnounce {
    /// The activity id.
    pub id: Url,
    /// The announcing actor (a group).
    pub actor: Url,
    /// What is announced: an object by id or embedded, or an activity wrapping it (as Lemmy sends).
    pub object: Value,
}

impl IncomingAnnounce {
    /// What can be checked on the document itself, before anything acts on it.
    pub(crate) async fn verify(&self, _data: &Data<AppState>) -> Result<()> {
        self.announced().map(|_| ())
    }
}
