//! Event lists: a community's or network's events by time, for pages, feeds, calendars and the API.

use chrono::{DateTime, Utc};

use super::Verkosto;
use crate::apub::actor;
use crate::error::{Error, Refusal, Result};
use crate::model::{Community, Event};
use crate::store;

/// The most events one page of a community's event list holds (and the most a page or feed shows).
pub const MAX_EVENTS_PER_PAGE: i64 = 1000;

/// The highest page number of an event list (ten million events at the largest pages).
pub const MAX_EVENT_PAGE: i64 = 10_000;

/// One page of a community's events.
#[derive(Debug, Clone)]
pub struct EventsPage {
    /// The events, by start.
    pub events: Vec<Event>,
    /// Whether another page follows.
    pub more: bool,
}

impl Verkosto {
    /// A community's events overlapping `from`..`to` (upcoming by default), the first
    /// [`MAX_EVENTS_PER_PAGE`] of them (for pages and feeds; the API pages through all of them
    /// with [`Verkosto::community_events_page`]).
    pub async fn community_events(
        &self,
        community: &Community,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<Vec<Event>> {
        let page = self
            .community_events_page(community, from, to, 1, MAX_EVENTS_PER_PAGE)
            .await?;
        if page.more {
            tracing::debug!(community = %community.name, "event list cut at {MAX_EVENTS_PER_PAGE}");
        }
        Ok(page.events)
    }

    /// Page `page` (from 1) of a community's (or network's) events overlapping `from`..`to`,
    /// `per_page` (1 to [`MAX_EVENTS_PER_PAGE`]) events a page, and whether more follow.
    pub async fn community_events_page(
        &self,
        community: &Community,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
        page: i64,
        per_page: i64,
    ) -> Result<EventsPage> {
        let from = from.unwrap_or_else(Utc::now);
        let to = to.unwrap_or_else(|| from + chrono::Duration::days(3650));
        if to < from {
            return Err(Error::invalid("to", Refusal::RangeReversed));
        }
        if !(1..=MAX_EVENTS_PER_PAGE).contains(&per_page) {
            return Err(Error::invalid(
                "limit",
                Refusal::NotAWholeNumberBetween {
                    min: 1,
                    max: MAX_EVENTS_PER_PAGE,
                },
            ));
        }
        if !(1..=MAX_EVENT_PAGE).contains(&page) {
            return Err(Error::invalid(
                "page",
                Refusal::NotAWholeNumberBetween {
                    min: 1,
                    max: MAX_EVENT_PAGE,
                },
            ));
        }
        // One more than asked tells whether another page follows. Both factors are bounded above,
        // so the offset cannot overflow.
        let (limit, offset) = (per_page + 1, (page - 1) * per_page);
        let mut events = if community.kind == crate::model::CommunityKind::Network {
            self.network_events(community, (from, to), limit, offset)
                .await?
        } else {
            let organizer = actor::community_id(self.state(), &community.name);
            let mut c = self.db().acquire().await?;
            store::events::by_organizer(&mut c.conn(), organizer.as_str(), from, to, limit, offset)
                .await?
        };
        let more = events.len() > usize::try_from(per_page).unwrap_or(usize::MAX);
        events.truncate(usize::try_from(per_page).unwrap_or(usize::MAX));
        Ok(EventsPage { events, more })
    }

    /// Upcoming events organised by this instance's communities, soonest first (at most `limit`).
    pub async fn upcoming_local_events(&self, limit: i64) -> Result<Vec<Event>> {
        let mut c = self.db().acquire().await?;
        store::events::upcoming_local(&mut c.conn(), Utc::now(), limit.clamp(1, 100)).await
    }
}
