//! Events: publishing, changing, cancelling; participation with capacity and waitlist; replies; the
//! events of followed communities.

use rand::RngCore;
use url::Url;

use super::Verkosto;
use crate::apub::actor;
use crate::error::{Error, Refusal, Result};
use crate::model::{Account, Community, Event};
use crate::store;

mod comments;
mod feeds;
mod lifecycle;
mod participation;
mod remote;
mod series;
mod validation;

pub use feeds::{EventCursor, EventsPage, MAX_EVENT_PAGE, MAX_EVENTS_PER_PAGE, PageStart};
pub use series::{Occurrence, SeriesView};

/// The time zone of events that name none.
pub const DEFAULT_TIMEZONE: &str = "Europe/Helsinki";

/// A new random API id (events, series, calendars).
pub(crate) fn new_public_id() -> String {
    let mut raw = [0u8; 12];
    rand::rng().fill_bytes(&mut raw);
    hex::encode(raw)
}

impl Verkosto {
    /// The event with this API id (local or cached remote).
    pub async fn event(&self, public_id: &str) -> Result<Event> {
        let mut c = self.db().acquire().await?;
        store::events::find_by_public_id(&mut c.conn(), public_id)
            .await?
            .ok_or_else(|| {
                Refusal::NoSuchEvent {
                    id: public_id.to_string(),
                }
                .into()
            })
    }

    /// A local or cached event by its ActivityPub id.
    pub async fn event_by_ap_id(&self, ap_id: &Url) -> Result<Event> {
        let mut c = self.db().acquire().await?;
        store::events::find_by_ap_id(&mut c.conn(), ap_id.as_str())
            .await?
            .ok_or_else(|| Error::NotFound(format!("event {ap_id}")))
    }

    /// Whether a deleted event stood at this id (it answers 410 Gone).
    pub async fn event_is_deleted(&self, ap_id: &Url) -> Result<bool> {
        let mut c = self.db().acquire().await?;
        store::events::is_tombstoned(&mut c.conn(), ap_id.as_str()).await
    }

    /// A local event that `by` may manage, with its community.
    pub async fn managed_local_event(
        &self,
        by: &Account,
        public_id: &str,
    ) -> Result<(Event, Community)> {
        let event = self.event(public_id).await?;
        let Some(community_id) = event.community_id else {
            return Err(Refusal::RemoteEventReadOnly.into());
        };
        let community = self
            .community_by_id(community_id)
            .await?
            .ok_or_else(|| Error::NotFound(format!("community {community_id}")))?;
        self.require_manager(by, &community).await?;
        Ok((event, community))
    }

    pub(crate) fn is_local_url(&self, url: &Url) -> bool {
        actor::normalized_host(url).as_deref() == Some(self.settings().domain.as_str())
    }
}
