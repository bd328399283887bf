//! `Announce`: a group shares an event (FEP-1b12). Mastodon shows it as a boost.

use activitypub_federation::{config::Data, kinds::activity::AnnounceType, traits::Activity};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use url::Url;

use super::{cc_followers, follow::DataExt, object_id, to_public};
use crate::apub::actor::normalized_host;
use crate::context::AppState;
use crate::error::{Error, Result};
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
            to: to_public(),
            cc: cc_followers(&event.organizer_ap_id),
            published: Some(event.published_at),
        }
    }

    /// `Announce` of `object` by the group `actor`: a community sharing its own announcement, or a
    /// network relaying a member's event or announcement.
    pub fn object(id: Url, actor: Url, object: Url) -> Self {
        Announce {
            kind: AnnounceType::Announce,
            id,
            to: to_public(),
            cc: cc_followers(&actor),
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

/// `Announce` as received. The announced object is never trusted as embedded: it is fetched from its
/// origin.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IncomingAnnounce {
    /// The activity id.
    pub id: Url,
    /// The announcing actor (a group).
    pub actor: Url,
    /// What is announced, embedded or by id (possibly a `Create` wrapping it, as Lemmy sends).
    pub object: Value,
}

impl IncomingAnnounce {
    /// The id of what is announced; a `Create` (as Lemmy sends) is looked through to its object.
    fn announced_id(&self) -> Result<Url> {
        let inner = self
            .object
            .get("object")
            .filter(|_| self.object.get("type").and_then(Value::as_str) == Some("Create"));
        object_id(inner.unwrap_or(&self.object))
    }
}

#[async_trait]
impl Activity for IncomingAnnounce {
    type DataType = AppState;
    type Error = Error;

    fn id(&self) -> &Url {
        &self.id
    }

    fn actor(&self) -> &Url {
        &self.actor
    }

    async fn verify(&self, _data: &Data<AppState>) -> Result<()> {
        self.announced_id().map(|_| ())
    }

    async fn receive(self, data: &Data<AppState>) -> Result<()> {
        let announced = self.announced_id()?;
        if data.config_is_local(&announced) {
            return Ok(());
        }
        let verkosto = data.verkosto();
        if !verkosto.has_relation_to(&self.actor).await? {
            return Ok(());
        }
        // Never trusted as embedded: the object is read from its origin, and its author is whoever the
        // origin names, on the origin's own host.
        let object = crate::apub::fetch_json(data, &announced).await?;
        let author = object
            .get("attributedTo")
            .and_then(|a| object_id(a).ok())
            .filter(|a| normalized_host(a) == normalized_host(&announced))
            .ok_or_else(|| {
                Error::Forbidden("the announced object has no author on its own host".into())
            })?;
        let is_relay = author != self.actor;
        match object.get("type").and_then(Value::as_str) {
            Some("Event") if is_relay => verkosto
                .store_remote_event(&author, &object)
                .await
                .map(|_| ())?,
            Some("Event") => {
                verkosto
                    .receive_remote_event(&author, &object, false)
                    .await?
            }
            Some("Note" | "Article") if object.get("inReplyTo").is_none_or(Value::is_null) => {
                verkosto
                    .store_remote_announcement(&author, &object)
                    .await
                    .map(|_| ())?
            }
            _ => return Ok(()),
        }
        if is_relay {
            verkosto.record_relay(&announced, &self.actor).await?;
        }
        Ok(())
    }
}
