use chrono::{DateTime, Utc};
use url::Url;

use super::text_enum;

/// Whether an event takes place as planned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventStatus {
    /// Takes place.
    Confirmed,
    /// Planned, not certain.
    Tentative,
    /// Called off.
    Cancelled,
}
text_enum!(EventStatus, "event status" {
    Confirmed => "confirmed",
    Tentative => "tentative",
    Cancelled => "cancelled",
});

impl EventStatus {
    /// The iCalendar / ActivityStreams spelling (`CONFIRMED` ...).
    pub fn upper(&self) -> &'static str {
        match self {
            EventStatus::Confirmed => "CONFIRMED",
            EventStatus::Tentative => "TENTATIVE",
            EventStatus::Cancelled => "CANCELLED",
        }
    }
}

/// How people take part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinMode {
    /// Anyone joins at once (while seats last).
    Free,
    /// A manager accepts or rejects each participant.
    Approval,
    /// Only invited people; requests are refused.
    Invite,
    /// Registration happens elsewhere (`external_url`).
    External,
    /// No registration.
    None,
}
text_enum!(JoinMode, "join mode" {
    Free => "free",
    Approval => "approval",
    Invite => "invite",
    External => "external",
    None => "none",
});

impl JoinMode {
    /// Mobilizon's and FEP-8a8e's `joinMode` value.
    pub fn wire(&self) -> &'static str {
        match self {
            JoinMode::Free => "free",
            JoinMode::Approval => "restricted",
            JoinMode::Invite => "invite",
            JoinMode::External => "external",
            JoinMode::None => "none",
        }
    }

    /// Reads Mobilizon's and FEP-8a8e's spelling.
    pub fn from_wire(raw: &str) -> JoinMode {
        match raw {
            "free" => JoinMode::Free,
            "restricted" | "approval" => JoinMode::Approval,
            "invite" => JoinMode::Invite,
            "external" => JoinMode::External,
            _ => JoinMode::None,
        }
    }
}

/// Event categories, a subset shared with Mobilizon and FEP-8a8e (upper case on the wire).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventCategory {
    /// Meeting people in the field.
    Networking,
    /// Community life.
    Community,
    /// Business and entrepreneurship.
    Business,
    /// Learning and talks.
    Learning,
    /// A meeting (Mobilizon's default for unknown categories).
    Meeting,
    /// A party or celebration.
    Party,
    /// A hands-on workshop.
    Workshop,
}
text_enum!(EventCategory, "category" {
    Networking => "NETWORKING",
    Community => "COMMUNITY",
    Business => "BUSINESS",
    Learning => "LEARNING",
    Meeting => "MEETING",
    Party => "PARTY",
    Workshop => "WORKSHOP",
});

/// A physical place.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventPlace {
    /// The place's name, e.g. "Kahvila co-working, 2nd floor".
    #[serde(default)]
    pub name: Option<String>,
    /// Street address.
    #[serde(default)]
    pub street: Option<String>,
    /// Postal code.
    #[serde(default)]
    pub postal_code: Option<String>,
    /// City or town.
    #[serde(default)]
    pub locality: Option<String>,
    /// Region.
    #[serde(default)]
    pub region: Option<String>,
    /// Country.
    #[serde(default)]
    pub country: Option<String>,
    /// Latitude in degrees.
    #[serde(default)]
    pub latitude: Option<f64>,
    /// Longitude in degrees.
    #[serde(default)]
    pub longitude: Option<f64>,
}

impl EventPlace {
    /// "name, street, postal code locality": the one-line form used in summaries and calendars.
    pub fn one_line(&self) -> String {
        let city = [self.postal_code.as_deref(), self.locality.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        [
            self.name.clone(),
            self.street.clone(),
            Some(city).filter(|c| !c.is_empty()),
            self.country.clone(),
        ]
        .into_iter()
        .flatten()
        .filter(|p| !p.trim().is_empty())
        .collect::<Vec<_>>()
        .join(", ")
    }
}

/// An event, local (organised by a community here) or remote (cached from a followed community).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Event {
    /// Database id.
    #[serde(skip)]
    pub id: i64,
    /// The id used in API paths.
    #[serde(rename = "id")]
    pub public_id: String,
    /// The ActivityPub id.
    pub ap_id: Url,
    /// The web page.
    pub url: Url,
    /// The organising community's actor id.
    pub organizer_ap_id: Url,
    /// The local community's database id, for local events.
    #[serde(skip)]
    pub community_id: Option<i64>,
    /// Co-hosting communities (FEP-8a8e `organizers` besides the organizer).
    pub cohosts: Vec<Url>,
    /// Whether the event is hosted here.
    pub local: bool,
    /// Title.
    pub title: String,
    /// Markdown as written (local events).
    pub description_source: Option<String>,
    /// Sanitized HTML.
    pub description_html: String,
    /// Start.
    #[serde(serialize_with = "super::rfc3339::serialize")]
    pub starts_at: DateTime<Utc>,
    /// End.
    #[serde(serialize_with = "super::rfc3339::serialize")]
    pub ends_at: DateTime<Utc>,
    /// The zone the times were given in: an IANA name, or for remote events that gave an offset
    /// only, a fixed offset (`UTC+02:00`); read it with [`Event::zone`].
    pub timezone: String,
    /// Confirmed, tentative or cancelled.
    pub status: EventStatus,
    /// Where, physically.
    pub place: Option<EventPlace>,
    /// Stream or meeting link.
    pub online_url: Option<Url>,
    /// Seats, if limited.
    pub capacity: Option<i64>,
    /// How people take part.
    pub join_mode: JoinMode,
    /// Registration elsewhere, with `external`.
    pub external_url: Option<Url>,
    /// Hashtags without `#`.
    pub tags: Vec<String>,
    /// Category.
    pub category: EventCategory,
    /// Banner image.
    pub banner_url: Option<Url>,
    /// Language (BCP 47), e.g. `fi`.
    pub language: Option<String>,
    /// Whether replies are accepted.
    pub comments_enabled: bool,
    /// Whether visitors without a fediverse account may take part by e-mail (issue 19; Mobilizon's
    /// `anonymousParticipationEnabled`).
    pub guest_participation: bool,
    /// Who may see it: fixed when it is published (issue 18).
    pub visibility: crate::model::Visibility,
    /// Grows with every change (iCalendar `SEQUENCE`).
    pub sequence: i64,
    /// Accepted participants (for remote events: as the origin reports it).
    pub participant_count: i64,
    /// When first published.
    #[serde(serialize_with = "super::rfc3339::serialize")]
    pub published_at: DateTime<Utc>,
    /// When last changed.
    #[serde(serialize_with = "super::rfc3339::serialize")]
    pub updated_at: DateTime<Utc>,
    /// The series this event is an occurrence of (issue 17).
    pub series: Option<crate::model::SeriesLink>,
}

impl Event {
    /// Seats left, when capacity is limited.
    pub fn remaining(&self) -> Option<i64> {
        self.capacity.map(|c| (c - self.participant_count).max(0))
    }

    /// The zone its times are shown in (see [`crate::model::EventZone`]).
    pub fn zone(&self) -> crate::model::EventZone {
        crate::model::zone_of(&self.timezone)
    }

    /// The start in the event's own zone, with the offset in force then.
    pub fn local_starts_at(&self) -> DateTime<chrono::FixedOffset> {
        self.zone().local(self.starts_at)
    }

    /// The end in the event's own zone.
    pub fn local_ends_at(&self) -> DateTime<chrono::FixedOffset> {
        self.zone().local(self.ends_at)
    }

    /// Whether the event is (also) online.
    pub fn is_online(&self) -> bool {
        self.online_url.is_some()
    }
}

/// What a manager sends to create an event. Times are RFC 3339.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewEvent {
    /// 1 to 200 characters.
    pub title: String,
    /// Markdown, at most 50,000 characters.
    #[serde(default)]
    pub description: Option<String>,
    /// RFC 3339 start.
    pub starts_at: String,
    /// RFC 3339 end, after the start.
    pub ends_at: String,
    /// IANA time zone; the instance's default (`Europe/Helsinki`) when absent.
    #[serde(default)]
    pub timezone: Option<String>,
    /// Physical place.
    #[serde(default)]
    pub location: Option<EventPlace>,
    /// Stream or meeting link.
    #[serde(default)]
    pub online_url: Option<String>,
    /// Seats, at least 1.
    #[serde(default)]
    pub capacity: Option<i64>,
    /// `free` (default), `approval`, `invite`, `external` or `none`.
    #[serde(default)]
    pub join_mode: Option<JoinMode>,
    /// Registration URL, required with `external`.
    #[serde(default)]
    pub external_url: Option<String>,
    /// Hashtags.
    #[serde(default)]
    pub tags: Option<Vec<String>>,
    /// Category; `MEETING` when absent.
    #[serde(default)]
    pub category: Option<EventCategory>,
    /// Banner image URL.
    #[serde(default)]
    pub banner_url: Option<String>,
    /// Language, e.g. `fi`, `sv`, `en`.
    #[serde(default)]
    pub language: Option<String>,
    /// Whether replies are accepted (default true).
    #[serde(default)]
    pub comments_enabled: Option<bool>,
    /// Whether visitors may take part with a name and an e-mail address (default false; needs SMTP).
    #[serde(default)]
    pub guest_participation: Option<bool>,
    /// `public` or `members`; defaults to the community's visibility.
    #[serde(default)]
    pub visibility: Option<crate::model::Visibility>,
    /// Co-hosting communities: local names or `name@host` handles.
    #[serde(default)]
    pub cohosts: Option<Vec<String>>,
    /// `confirmed` (default) or `tentative`.
    #[serde(default)]
    pub status: Option<EventStatus>,
    /// Also publish a public poll "Going / Maybe / Can't go" whose votes are participations, so that
    /// people on Mastodon and other microblogs can take part (issue 16).
    #[serde(default)]
    pub rsvp_poll: Option<bool>,
    /// Makes the event the first of a series: an RFC 5545 RRULE (`FREQ=WEEKLY;BYDAY=MO`, daily or
    /// slower, with `COUNT`, `UNTIL` or open-ended), read in `timezone` (issue 17).
    #[serde(default)]
    pub recurrence: Option<String>,
}

/// A partial change to an event; absent fields stay. `null` clears optional fields where noted.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventUpdate {
    /// New title.
    pub title: Option<String>,
    /// New Markdown description.
    pub description: Option<String>,
    /// New start.
    pub starts_at: Option<String>,
    /// New end.
    pub ends_at: Option<String>,
    /// New time zone.
    pub timezone: Option<String>,
    /// New place (replaces it).
    pub location: Option<EventPlace>,
    /// New online link; an empty string clears it.
    pub online_url: Option<String>,
    /// New capacity; 0 is refused, absent leaves it.
    pub capacity: Option<i64>,
    /// New join mode.
    pub join_mode: Option<JoinMode>,
    /// New registration URL.
    pub external_url: Option<String>,
    /// New tags.
    pub tags: Option<Vec<String>>,
    /// New category.
    pub category: Option<EventCategory>,
    /// New banner; an empty string clears it.
    pub banner_url: Option<String>,
    /// New language.
    pub language: Option<String>,
    /// Comments on or off.
    pub comments_enabled: Option<bool>,
    /// Participation by e-mail on or off.
    pub guest_participation: Option<bool>,
    /// `confirmed` or `tentative` (cancel with the cancel call).
    pub status: Option<EventStatus>,
    /// A series keeps its rule: refused with a code saying so (end it and start another).
    #[serde(default)]
    pub recurrence: Option<String>,
    /// For an occurrence of a series: `this` (default), `following` or `all` (issue 17).
    #[serde(default)]
    pub scope: Option<crate::model::EditScope>,
}

/// Where a participation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParticipationState {
    /// Waiting for a manager (approval events).
    Pending,
    /// Has a seat.
    Accepted,
    /// The event is full: waits for a seat, promoted automatically.
    Waitlisted,
    /// Refused.
    Rejected,
}
text_enum!(ParticipationState, "participation state" {
    Pending => "pending",
    Accepted => "accepted",
    Waitlisted => "waitlisted",
    Rejected => "rejected",
});

/// Someone taking part in an event.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Participation {
    /// Database id (used to accept or reject).
    pub id: i64,
    /// The event's database id.
    #[serde(skip)]
    pub event_id: i64,
    /// The participant's actor id.
    pub participant_ap_id: Url,
    /// `name@host`, so organizers see where remote participants come from.
    pub handle: String,
    /// The participant's instance.
    pub instance: String,
    /// Where answers go.
    #[serde(skip)]
    pub inbox: Url,
    /// The `Join` activity's id.
    pub join_activity_id: Url,
    /// Where it stands.
    pub state: ParticipationState,
    /// What the participant wrote with the request.
    pub message: Option<String>,
    /// When it came in.
    pub created_at: DateTime<Utc>,
    /// When a manager checked the participant in at the door (issue 16), if they did.
    pub attended_at: Option<DateTime<Utc>>,
}

/// A reply to an event from the fediverse.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Comment {
    /// Database id.
    pub id: i64,
    /// The reply's ActivityPub id.
    pub ap_id: Url,
    /// Its author.
    pub author_ap_id: Url,
    /// Sanitized HTML.
    pub content_html: String,
    /// When written.
    pub published_at: DateTime<Utc>,
}
