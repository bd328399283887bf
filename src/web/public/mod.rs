//! The public pages: home, community (and network), event, announcement, embeddable calendar,
//! month view, and the remote-follow form.
//!
//! This file holds what the pages share: the "follow from the fediverse" box, events as lists show
//! them, calendar-subscription addresses and readable actor handles. The pages live in a file each.

use super::Lang;
use crate::model::{Event, EventStatus};

mod announcement;
mod calendar;
mod community;
mod event;
pub(super) mod guest;
mod home;
mod instance_calendar;
mod person;
mod remote_follow;

pub(crate) use announcement::announcement_page;
pub(super) use calendar::{calendar, embed};
pub(crate) use community::community_page;
pub(crate) use event::{answer_feedback, event_page, report_event};
pub(super) use home::home;
pub(super) use instance_calendar::instance_calendar;
pub(crate) use person::person_page;
pub(super) use remote_follow::remote_follow;

/// The "follow (or join) from the fediverse" box.
struct Follow {
    /// Its heading.
    pub title: String,
    /// What to do.
    pub text: String,
    /// The address to search for in a fediverse app.
    pub handle: String,
    /// The object the remote-follow form sends the visitor's server to.
    pub target: String,
}

/// An event as a list shows it.
struct EventItem {
    /// The event.
    pub event: Event,
    /// When, in the visitor's language.
    pub when: String,
}

impl EventItem {
    fn new(lang: Lang, event: Event) -> Self {
        EventItem {
            when: lang.span(&event.starts_at, &event.ends_at, &event.timezone),
            event,
        }
    }

    /// The event's page here (also for remote events, which link to their origin).
    pub fn href(&self) -> String {
        if self.event.local {
            self.event.ap_id.path().to_string()
        } else {
            self.event.url.to_string()
        }
    }

    /// Whether it is cancelled.
    pub fn cancelled(&self) -> bool {
        self.event.status == EventStatus::Cancelled
    }
}

/// Events as a list shows them, their times in `lang`.
fn items(lang: Lang, events: Vec<Event>) -> Vec<EventItem> {
    events
        .into_iter()
        .map(|e| EventItem::new(lang, e))
        .collect()
}

/// A calendar-subscription address (`webcal://`) for a feed.
fn webcal(feed: &url::Url) -> String {
    let url = feed.to_string();
    match url.split_once("://") {
        Some((_, rest)) => format!("webcal://{rest}"),
        None => url,
    }
}

/// A readable `name@host` for an actor id, without fetching it.
pub(super) fn handle_of(actor: &url::Url) -> String {
    let name = actor
        .path_segments()
        .and_then(|mut s| s.next_back())
        .filter(|s| !s.is_empty())
        .unwrap_or("?");
    let host = actor.host_str().unwrap_or("?");
    match actor.port() {
        Some(port) => format!("{name}@{host}:{port}"),
        None => format!("{name}@{host}"),
    }
}
