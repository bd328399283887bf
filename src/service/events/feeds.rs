//! Event lists: a community's or network's events by time, for pages, feeds, calendars and the API.

use chrono::{DateTime, Utc};

use super::Verkosto;
use crate::apub::actor;
use crate::error::{Error, Refusal, Result};
use crate::model::{Community, Event};
use crate::service::Reader;
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
    /// Where the next page starts, when another follows.
    pub next: Option<EventCursor>,
}

/// Where a page of events starts: a page number (from 1), or a cursor a previous page gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageStart {
    /// Page `n`, from 1.
    Number(i64),
    /// Just after the last event of the page that gave this cursor.
    After(EventCursor),
}

/// A position in a list of events by start: the last event of a page. As text (`?cursor=`), the
/// start in microseconds since 1970 and the row id, such as `1795526400000000.42`; it is opaque to
/// clients, who follow the `Link` they are given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventCursor {
    starts_at: DateTime<Utc>,
    id: i64,
}

impl EventCursor {
    fn after(event: &Event) -> EventCursor {
        EventCursor {
            starts_at: event.starts_at,
            id: event.id,
        }
    }

    /// Reads a cursor given as text, or a 422 naming the field `cursor`.
    pub fn parse(text: &str) -> Result<EventCursor> {
        let refused = || Error::invalid("cursor", Refusal::NotACursor);
        let (micros, id) = text.split_once('.').ok_or_else(refused)?;
        let starts_at = micros
            .parse::<i64>()
            .ok()
            .and_then(DateTime::from_timestamp_micros)
            .ok_or_else(refused)?;
        let id = id.parse::<i64>().map_err(|_| refused())?;
        Ok(EventCursor { starts_at, id })
    }
}

impl std::fmt::Display for EventCursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.starts_at.timestamp_micros(), self.id)
    }
}

impl Verkosto {
    /// A community's events overlapping `from`..`to` (upcoming by default), the first
    /// [`MAX_EVENTS_PER_PAGE`] of them (for pages and collections; the API pages through all of them
    /// with [`Verkosto::community_events_page`], and feeds take them all with
    /// [`Verkosto::all_community_events`]).
    pub async fn community_events(
        &self,
        community: &Community,
        reader: &Reader,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<Vec<Event>> {
        let page = self
            .community_events_page(
                community,
                reader,
                from,
                to,
                PageStart::Number(1),
                MAX_EVENTS_PER_PAGE,
            )
            .await?;
        if page.next.is_some() {
            tracing::debug!(community = %community.name, "event list cut at {MAX_EVENTS_PER_PAGE}");
        }
        Ok(page.events)
    }

    /// Every event of a community (or network) overlapping `from`..`to`, read a page at a time: what
    /// a calendar feed lists, with no cap a subscriber would not see.
    pub async fn all_community_events(
        &self,
        community: &Community,
        reader: &Reader,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<Vec<Event>> {
        let members_too = self.lists_members_only(community, reader).await?;
        self.every_event_of(community, members_too, from, to).await
    }

    /// Every event of a community overlapping `from`..`to`, its members-only ones too when
    /// `members_too`. Read in one query: reading it in pages made the database sort what was left
    /// of the list again for every page (a network's 10,000 events: ten sorts of 10,000 down to
    /// 1,000 rows, where one sort does).
    pub(crate) async fn every_event_of(
        &self,
        community: &Community,
        members_too: bool,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<Vec<Event>> {
        let range = window(from, to)?;
        self.list_events(
            community,
            members_too,
            range,
            store::events::ListStart::Skip(0),
            i64::MAX,
        )
        .await
    }

    /// A page of a community's (or network's) events overlapping `from`..`to`, `per_page` (1 to
    /// [`MAX_EVENTS_PER_PAGE`]) events a page, and where the next page starts. Members-only events
    /// are listed to the community's members only (a network lists public events only).
    pub async fn community_events_page(
        &self,
        community: &Community,
        reader: &Reader,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
        start: PageStart,
        per_page: i64,
    ) -> Result<EventsPage> {
        let members_too = self.lists_members_only(community, reader).await?;
        self.events_page(community, members_too, from, to, start, per_page)
            .await
    }

    async fn events_page(
        &self,
        community: &Community,
        members_too: bool,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
        start: PageStart,
        per_page: i64,
    ) -> Result<EventsPage> {
        let range = window(from, to)?;
        if !(1..=MAX_EVENTS_PER_PAGE).contains(&per_page) {
            return Err(Error::invalid(
                "limit",
                Refusal::NotAWholeNumberBetween {
                    min: 1,
                    max: MAX_EVENTS_PER_PAGE,
                },
            ));
        }
        let start = match start {
            PageStart::Number(page) if !(1..=MAX_EVENT_PAGE).contains(&page) => {
                return Err(Error::invalid(
                    "page",
                    Refusal::NotAWholeNumberBetween {
                        min: 1,
                        max: MAX_EVENT_PAGE,
                    },
                ));
            }
            // Both factors are bounded above, so the offset cannot overflow.
            PageStart::Number(page) => store::events::ListStart::Skip((page - 1) * per_page),
            PageStart::After(c) => store::events::ListStart::After(c.starts_at, c.id),
        };
        // One more than asked tells whether another page follows.
        let mut events = self
            .list_events(community, members_too, range, start, per_page + 1)
            .await?;
        let per_page = usize::try_from(per_page).unwrap_or(usize::MAX);
        let more = events.len() > per_page;
        events.truncate(per_page);
        let next = if more {
            events.last().map(EventCursor::after)
        } else {
            None
        };
        Ok(EventsPage { events, next })
    }

    /// At most `limit` events of a community (or network) overlapping `range`, by start, from `start`.
    async fn list_events(
        &self,
        community: &Community,
        members_too: bool,
        range: (DateTime<Utc>, DateTime<Utc>),
        start: store::events::ListStart,
        limit: i64,
    ) -> Result<Vec<Event>> {
        if community.kind == crate::model::CommunityKind::Network {
            return self.network_events(community, range, start, limit).await;
        }
        let organizer = actor::community_id(self.state(), &community.name);
        let mut c = self.db().acquire().await?;
        let listed = store::events::Listed {
            start,
            limit,
            members_too,
        };
        store::events::by_organizer(&mut c.conn(), organizer.as_str(), range, listed).await
    }

    /// Upcoming events organised by this instance's communities, soonest first (at most `limit`).
    pub async fn upcoming_local_events(&self, limit: i64) -> Result<Vec<Event>> {
        let mut c = self.db().acquire().await?;
        store::events::upcoming_local(&mut c.conn(), Utc::now(), limit.clamp(1, 100)).await
    }
}

/// The time window of a list: from now (or `from`) to ten years later (or `to`).
fn window(
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
) -> Result<(DateTime<Utc>, DateTime<Utc>)> {
    let from = from.unwrap_or_else(Utc::now);
    let to = to.unwrap_or_else(|| from + chrono::Duration::days(3650));
    if to < from {
        return Err(Error::invalid("to", Refusal::RangeReversed));
    }
    Ok((from, to))
}
