//! The public pages: home, community (and network), event, announcement, embeddable calendar,
//! month view, and the remote-follow form.

use askama::Template;
use axum::{
    Form,
    extract::{Path, Query, State},
    http::{HeaderMap, HeaderValue, header},
    response::{IntoResponse, Redirect, Response},
};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use serde::Deserialize;

use super::{Lang, PageError, Visitor, urlencode};
use crate::apub::actor;
use crate::error::Error;
use crate::model::{Announcement, Comment, Community, CommunityKind, Event, EventStatus, JoinMode};
use crate::service::{DirectoryEntry, Verkosto};

/// How long before the start an online event's link is shown.
const ONLINE_LINK_LEAD: i64 = 15;

/// The "follow (or join) from the fediverse" box.
pub struct Follow {
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
pub struct EventItem {
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
            format!("/e/{}", self.event.public_id)
        } else {
            self.event.url.to_string()
        }
    }

    /// Whether it is cancelled.
    pub fn cancelled(&self) -> bool {
        self.event.status == EventStatus::Cancelled
    }
}

fn items(lang: Lang, events: Vec<Event>) -> Vec<EventItem> {
    events
        .into_iter()
        .map(|e| EventItem::new(lang, e))
        .collect()
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    p: Visitor,
    communities: Vec<Community>,
    events: Vec<EventItem>,
    first_run: bool,
}

/// The instance's front page: what Verkosto is, its communities, upcoming events across them.
pub(super) async fn home(State(v): State<Verkosto>, p: Visitor) -> Result<Response, PageError> {
    let lang = p.lang;
    let fail = |e: Error| p.error(e);
    let communities = v.communities(100, 0).await.map_err(fail)?;
    let events = v.upcoming_local_events(20).await.map_err(fail)?;
    let first_run = !v.has_accounts().await.map_err(fail)?;
    let page = HomePage {
        communities,
        events: items(lang, events),
        first_run,
        p,
    };
    Ok(super::render(&page, &page.p))
}

#[derive(Template)]
#[template(path = "community.html")]
struct CommunityPage {
    p: Visitor,
    c: Community,
    handle: String,
    ap_id: String,
    upcoming: Vec<EventItem>,
    past: Vec<EventItem>,
    announcements: Vec<AnnouncementItem>,
    /// Networks it belongs to: (actor id, `name@host`).
    networks: Vec<(String, String)>,
    members: Vec<DirectoryEntry>,
    webcal: String,
    is_manager: bool,
    follow: Follow,
}

impl CommunityPage {
    fn is_network(&self) -> bool {
        self.c.kind == CommunityKind::Network
    }
    fn kind_label(&self) -> String {
        self.p.t(&format!("kind-{}", self.c.kind.as_str()))
    }
    fn summary_text(&self) -> String {
        super::plain_text(&self.c.summary, 200)
    }
}

/// An announcement as a list shows it.
pub struct AnnouncementItem {
    /// The announcement.
    pub a: Announcement,
    /// When it was published, in the visitor's language.
    pub when: String,
}

/// The page a browser gets at a community's (or network's) actor address.
pub(crate) async fn community_page(
    v: &Verkosto,
    headers: &HeaderMap,
    community: Community,
) -> Result<Response, PageError> {
    let p = Visitor::from_headers(v, headers, &format!("/c/{}", community.name)).await;
    let lang = p.lang;
    let fail = |e: Error| p.error(e);
    let upcoming = v
        .community_events(&community, None, None)
        .await
        .map_err(fail)?;
    let now = Utc::now();
    let mut past = v
        .community_events(&community, Some(now - Duration::days(3 * 365)), Some(now))
        .await
        .map_err(fail)?;
    past.retain(|e| e.ends_at < now);
    past.reverse();
    past.truncate(10);
    let announcements = v
        .announcements(&community.name, 10, 0)
        .await
        .map_err(fail)?
        .into_iter()
        .map(|a| AnnouncementItem {
            when: lang.date(&a.published_at, crate::service::DEFAULT_TIMEZONE),
            a,
        })
        .collect();
    let networks = v
        .community_networks(&community.name)
        .await
        .map_err(fail)?
        .into_iter()
        .filter(|n| n.state == crate::model::NetworkMemberState::Active)
        .map(|n| (n.network_ap_id.to_string(), handle_of(&n.network_ap_id)))
        .collect();
    let members = if community.kind == CommunityKind::Network {
        v.network_directory(&community.name).await.map_err(fail)?
    } else {
        Vec::new()
    };
    let is_manager = match &p.account {
        Some(a) => v.require_manager(a, &community).await.is_ok(),
        None => false,
    };
    let ap_id = actor::community_id(v.state(), &community.name).to_string();
    let handle = format!("{}@{}", community.name, v.settings().domain);
    let follow = Follow {
        title: p.t("follow-title"),
        text: p.t_with("follow-text", "name", &community.display_name),
        handle: format!("@{handle}"),
        target: ap_id.clone(),
    };
    let page = CommunityPage {
        handle,
        follow,
        webcal: webcal(v, &format!("/c/{}/events.ics", community.name)),
        ap_id,
        upcoming: items(lang, upcoming),
        past: items(lang, past),
        announcements,
        networks,
        members,
        is_manager,
        c: community,
        p,
    };
    Ok(super::render(&page, &page.p))
}

/// A calendar-subscription address (`webcal://`) for a feed path.
fn webcal(v: &Verkosto, path: &str) -> String {
    let url = v.state().url(path).to_string();
    match url.split_once("://") {
        Some((_, rest)) => format!("webcal://{rest}"),
        None => url,
    }
}

#[derive(Template)]
#[template(path = "event.html")]
struct EventPage {
    p: Visitor,
    e: Event,
    when: String,
    community: Option<Community>,
    comments: Vec<CommentItem>,
    place: Option<String>,
    map_url: Option<String>,
    online_now: bool,
    online_opens: String,
    ics: String,
    webcal: Option<String>,
    json_ld: String,
    description: String,
    follow: Follow,
}

/// A reply as the event page shows it.
pub struct CommentItem {
    /// The reply.
    pub c: Comment,
    /// Who wrote it (`name@host`, read from the actor id).
    pub author: String,
    /// When, in the visitor's language.
    pub when: String,
}

impl EventPage {
    fn cancelled(&self) -> bool {
        self.e.status == EventStatus::Cancelled
    }
    fn tentative(&self) -> bool {
        self.e.status == EventStatus::Tentative
    }
    fn join_mode(&self) -> &'static str {
        match self.e.join_mode {
            JoinMode::Free => "join-free",
            JoinMode::Approval => "join-approval",
            JoinMode::Invite => "join-invite",
            JoinMode::External => "join-external",
            JoinMode::None => "join-none",
        }
    }
    fn participants_text(&self) -> String {
        self.p
            .lang
            .count("participant-count", self.e.participant_count)
    }
    /// "Full", "3 seats left", or nothing when seats are not limited.
    fn seats_text(&self) -> Option<String> {
        self.e.remaining().map(|left| {
            if left == 0 {
                self.p.t("event-full")
            } else {
                self.p.lang.count("seats-left", left)
            }
        })
    }
    fn is_past(&self) -> bool {
        self.e.ends_at < Utc::now()
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

/// The page a browser gets at an event's address.
pub(crate) async fn event_page(
    v: &Verkosto,
    headers: &HeaderMap,
    event: Event,
) -> Result<Response, PageError> {
    let p = Visitor::from_headers(v, headers, &format!("/e/{}", event.public_id)).await;
    let lang = p.lang;
    let fail = |e: Error| p.error(e);
    let community = match event.community_id {
        Some(id) => v.community_by_id(id).await.map_err(fail)?,
        None => None,
    };
    let comments = v
        .comments(&event.public_id)
        .await
        .map_err(fail)?
        .into_iter()
        .map(|c| CommentItem {
            author: handle_of(&c.author_ap_id),
            when: lang.datetime(&c.published_at, &event.timezone),
            c,
        })
        .collect();
    let place = event
        .place
        .as_ref()
        .map(|p| p.one_line())
        .filter(|s| !s.is_empty());
    let map_url = event
        .place
        .as_ref()
        .and_then(|pl| match (pl.latitude, pl.longitude) {
            (Some(lat), Some(lon)) => Some(format!(
                "https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}"
            )),
            _ => place.as_ref().map(|q| {
                format!(
                    "https://www.openstreetmap.org/search?query={}",
                    urlencode(q)
                )
            }),
        });
    let now = Utc::now();
    let opens = event.starts_at - Duration::minutes(ONLINE_LINK_LEAD);
    let page = EventPage {
        when: lang.span(&event.starts_at, &event.ends_at, &event.timezone),
        online_now: event.online_url.is_some() && now >= opens && now <= event.ends_at,
        online_opens: lang.datetime(&opens, &event.timezone),
        ics: format!("/e/{}.ics", event.public_id),
        webcal: community
            .as_ref()
            .map(|c| webcal(v, &format!("/c/{}/events.ics", c.name))),
        json_ld: json_ld(&event, place.as_deref(), community.as_ref()),
        description: crate::apub::event::summary_line(&event),
        follow: Follow {
            title: p.t("join-title"),
            text: p.t_with("join-text", "name", &event.title),
            handle: event.ap_id.to_string(),
            target: event.ap_id.to_string(),
        },
        comments,
        place,
        map_url,
        community,
        e: event,
        p,
    };
    Ok(super::render(&page, &page.p))
}

/// schema.org `Event` for search engines, safe to place inside `<script>`.
fn json_ld(event: &Event, place: Option<&str>, organizer: Option<&Community>) -> String {
    let attendance = match (event.place.is_some(), event.online_url.is_some()) {
        (true, true) => "https://schema.org/MixedEventAttendanceMode",
        (false, true) => "https://schema.org/OnlineEventAttendanceMode",
        _ => "https://schema.org/OfflineEventAttendanceMode",
    };
    let status = match event.status {
        EventStatus::Cancelled => "https://schema.org/EventCancelled",
        _ => "https://schema.org/EventScheduled",
    };
    let location = match (&event.place, &event.online_url) {
        (Some(pl), _) => serde_json::json!({
            "@type": "Place",
            "name": pl.name.clone().or_else(|| place.map(str::to_string)),
            "address": {
                "@type": "PostalAddress",
                "streetAddress": pl.street,
                "postalCode": pl.postal_code,
                "addressLocality": pl.locality,
                "addressRegion": pl.region,
                "addressCountry": pl.country,
            }
        }),
        (None, Some(url)) => serde_json::json!({ "@type": "VirtualLocation", "url": url }),
        (None, None) => serde_json::Value::Null,
    };
    let mut doc = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "Event",
        "name": event.title,
        "startDate": event.starts_at.to_rfc3339(),
        "endDate": event.ends_at.to_rfc3339(),
        "eventStatus": status,
        "eventAttendanceMode": attendance,
        "url": event.url,
        "description": crate::apub::event::summary_line(event),
    });
    if !location.is_null() {
        doc["location"] = location;
    }
    if let Some(c) = organizer {
        doc["organizer"] = serde_json::json!({ "@type": "Organization", "name": c.display_name });
    }
    if let Some(banner) = &event.banner_url {
        doc["image"] = serde_json::json!(banner);
    }
    // `</script>` inside a string would end the element: JSON allows `<` written as \u003c.
    doc.to_string().replace('<', "\\u003c")
}

#[derive(Template)]
#[template(path = "person.html")]
struct PersonPage {
    p: Visitor,
    a: crate::model::Account,
    name: String,
    ap_id: String,
    follow: Follow,
}

impl PersonPage {
    fn summary_text(&self) -> String {
        super::plain_text(self.a.summary.as_deref().unwrap_or(""), 200)
    }
}

/// The page a browser gets at a person's actor address.
pub(crate) async fn person_page(
    v: &Verkosto,
    headers: &HeaderMap,
    account: crate::model::Account,
) -> Result<Response, PageError> {
    let p = Visitor::from_headers(v, headers, &format!("/u/{}", account.username)).await;
    let ap_id = actor::account_id(v.state(), &account.username).to_string();
    let name = account
        .display_name
        .clone()
        .unwrap_or_else(|| account.username.clone());
    let page = PersonPage {
        follow: Follow {
            title: p.t("follow-title"),
            text: p.t_with("follow-person-text", "name", &name),
            handle: format!("@{}@{}", account.username, v.settings().domain),
            target: ap_id.clone(),
        },
        name,
        ap_id,
        a: account,
        p,
    };
    Ok(super::render(&page, &page.p))
}

#[derive(Template)]
#[template(path = "announcement.html")]
struct AnnouncementPage {
    p: Visitor,
    a: Announcement,
    when: String,
    community: Option<Community>,
}

impl AnnouncementPage {
    fn summary_text(&self) -> String {
        super::plain_text(&self.a.content_html, 200)
    }
}

/// The page a browser gets at an announcement's address.
pub(crate) async fn announcement_page(
    v: &Verkosto,
    headers: &HeaderMap,
    a: Announcement,
) -> Result<Response, PageError> {
    let p = Visitor::from_headers(v, headers, &format!("/a/{}", a.public_id)).await;
    let fail = |e: Error| p.error(e);
    let community = match a.community_id {
        Some(id) => v.community_by_id(id).await.map_err(fail)?,
        None => None,
    };
    let page = AnnouncementPage {
        when: p
            .lang
            .datetime(&a.published_at, crate::service::DEFAULT_TIMEZONE),
        community,
        a,
        p,
    };
    Ok(super::render(&page, &page.p))
}

#[derive(Template)]
#[template(path = "embed.html")]
struct EmbedPage {
    lang: Lang,
    c: Community,
    events: Vec<EventItem>,
    base: String,
}

/// A community's or network's upcoming events for another site's `<iframe>`.
pub(super) async fn embed(
    State(v): State<Verkosto>,
    Path(name): Path<String>,
    p: Visitor,
) -> Result<Response, PageError> {
    let community = v.community(&name).await.map_err(|e| p.error(e))?;
    let mut events = v
        .community_events(&community, None, None)
        .await
        .map_err(|e| p.error(e))?;
    events.truncate(50);
    let page = EmbedPage {
        lang: p.lang,
        events: items(p.lang, events),
        base: v.state().url("/").to_string(),
        c: community,
    };
    let mut response = super::render_bare(&page);
    // Made to be framed by any site; it carries no form and no personal data.
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("frame-ancestors *"),
    );
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    Ok(response)
}

#[derive(Deserialize)]
pub(super) struct MonthQuery {
    month: Option<String>,
}

/// One day cell of the month view.
pub struct Day {
    /// Day of the month; 0 for padding cells outside the month.
    pub number: u32,
    /// Whether this is today.
    pub today: bool,
    /// Events that start on this day.
    pub events: Vec<EventItem>,
}

#[derive(Template)]
#[template(path = "calendar.html")]
struct CalendarPage {
    p: Visitor,
    c: Community,
    title: String,
    weeks: Vec<Vec<Day>>,
    weekdays: Vec<String>,
    previous: String,
    next: String,
}

/// A month view of a community's or network's calendar (`?month=2027-01`).
pub(super) async fn calendar(
    State(v): State<Verkosto>,
    Path(name): Path<String>,
    Query(q): Query<MonthQuery>,
    p: Visitor,
) -> Result<Response, PageError> {
    let fail = |e: Error| p.error(e);
    let community = v.community(&name).await.map_err(fail)?;
    let tz: chrono_tz::Tz = crate::service::DEFAULT_TIMEZONE
        .parse()
        .unwrap_or(chrono_tz::UTC);
    let today = Utc::now().with_timezone(&tz).date_naive();
    let first = match q.month.as_deref().filter(|m| !m.is_empty()) {
        // Years outside 1-9999 are refused too: chrono reads five-digit and signed years, which
        // nobody means and which the database's timestamps need not hold.
        Some(m) => NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d")
            .ok()
            .filter(|d| (1..=9999).contains(&d.year()))
            .ok_or_else(|| {
                fail(Error::invalid(
                    "month",
                    "must be a month such as 2027-01 (years 1 to 9999)",
                ))
            })?,
        None => today.with_day(1).unwrap_or(today),
    };
    let next_first = first
        .checked_add_months(chrono::Months::new(1))
        .ok_or_else(|| fail(Error::invalid("month", "is out of range")))?;
    let previous_first = first
        .checked_sub_months(chrono::Months::new(1))
        .ok_or_else(|| fail(Error::invalid("month", "is out of range")))?;
    let utc = |d: NaiveDate| -> DateTime<Utc> {
        d.and_hms_opt(0, 0, 0)
            .and_then(|t| t.and_local_timezone(tz).earliest())
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(Utc::now)
    };
    let events = v
        .community_events(&community, Some(utc(first)), Some(utc(next_first)))
        .await
        .map_err(fail)?;
    let days_in_month = (next_first - first).num_days() as u32;
    let mut days: Vec<Day> = (0..first.weekday().num_days_from_monday())
        .map(|_| Day {
            number: 0,
            today: false,
            events: Vec::new(),
        })
        .collect();
    for n in 1..=days_in_month {
        let date = first.with_day(n).unwrap_or(first);
        days.push(Day {
            number: n,
            today: date == today,
            events: Vec::new(),
        });
    }
    let offset = first.weekday().num_days_from_monday() as usize;
    for event in events {
        let start = event.starts_at.with_timezone(&tz).date_naive();
        if start >= first && start < next_first {
            let index = offset + start.day0() as usize;
            if let Some(day) = days.get_mut(index) {
                day.events.push(EventItem::new(p.lang, event));
            }
        }
    }
    while !days.len().is_multiple_of(7) {
        days.push(Day {
            number: 0,
            today: false,
            events: Vec::new(),
        });
    }
    let mut weeks = Vec::new();
    let mut rest = days.into_iter().peekable();
    while rest.peek().is_some() {
        weeks.push(rest.by_ref().take(7).collect());
    }
    let page = CalendarPage {
        title: p.lang.t_with(
            "calendar-month",
            "month",
            &p.lang.t(&format!("month-{}", first.month())),
        ) + &format!(" {}", first.year()),
        weekdays: ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
            .iter()
            .map(|d| p.lang.t(&format!("weekday-{d}")))
            .collect(),
        previous: previous_first.format("%Y-%m").to_string(),
        next: next_first.format("%Y-%m").to_string(),
        weeks,
        c: community,
        p,
    };
    Ok(super::render(&page, &page.p))
}

#[derive(Deserialize)]
pub(super) struct RemoteFollowForm {
    /// The visitor's own fediverse address, `name@server`.
    address: String,
    /// What to follow or join (an actor or event id of ours).
    target: String,
    csrf: String,
}

/// "Your fediverse address" -> that server's interaction page for our object, found through its
/// WebFinger subscribe template (Mastodon's `/authorize_interaction` when it has none).
pub(super) async fn remote_follow(
    State(v): State<Verkosto>,
    p: Visitor,
    Form(form): Form<RemoteFollowForm>,
) -> Result<Response, PageError> {
    p.check_csrf(&form.csrf)?;
    let target = url::Url::parse(&form.target)
        .ok()
        .filter(|t| t.host_str() == v.state().url("/").host_str())
        .ok_or_else(|| p.error(Error::invalid("target", "is not an object of this server")))?;
    let address = form.address.trim().trim_start_matches('@');
    let (user, host) = address
        .split_once('@')
        .filter(|(u, h)| {
            !u.is_empty()
                && !h.is_empty()
                && h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
        })
        .ok_or_else(|| p.error(Error::invalid("address", p.t("remote-follow-invalid"))))?;
    let scheme = v.settings().scheme();
    // An address on a loopback or private address (`x@127.0.0.1:8080`, `x@2130706433`, a name that
    // resolves there) or on a blocked domain is refused by the outgoing client: say so clearly.
    let template = subscribe_template(&v, scheme, user, host)
        .await
        .map_err(|_| p.error(Error::invalid("address", p.t("remote-follow-unreachable"))))?;
    let uri = urlencode(target.as_str());
    let destination = match template {
        Some(t) if t.contains("{uri}") => t.replace("{uri}", &uri),
        _ => format!("{scheme}://{host}/authorize_interaction?uri={uri}"),
    };
    Ok(Redirect::to(&destination).into_response())
}

/// The `http://ostatus.org/schema/1.0/subscribe` template of `user@host`, if its server says.
/// `Err` when the outgoing client refuses to contact that server at all.
async fn subscribe_template(
    v: &Verkosto,
    scheme: &str,
    user: &str,
    host: &str,
) -> Result<Option<String>, crate::apub::http_client::Refused> {
    // The instance's one outgoing client: its checks cover every hop, whatever the host says.
    let client = &v.state().http;
    let url = format!(
        "{scheme}://{host}/.well-known/webfinger?resource={}",
        urlencode(&format!("acct:{user}@{host}"))
    );
    let response = match client.get(&url).send().await {
        Ok(r) => r,
        Err(e) if crate::apub::http_client::is_refusal(&e) => {
            return Err(crate::apub::http_client::Refused {
                url: format!("{scheme}://{host}/"),
                why: "not a public server",
            });
        }
        // Unreachable or not speaking WebFinger: Mastodon's interaction page is tried instead.
        Err(_) => return Ok(None),
    };
    Ok(template_of(response.json().await.ok(), host))
}

/// The subscribe template of a WebFinger answer, if it points to `host` itself.
fn template_of(jrd: Option<serde_json::Value>, host: &str) -> Option<String> {
    let jrd = jrd?;
    let template = jrd["links"]
        .as_array()?
        .iter()
        .find(|l| l["rel"] == crate::apub::webfinger::SUBSCRIBE_REL)?["template"]
        .as_str()?
        .to_string();
    // Only a web address on the same server: the template must not send the visitor elsewhere.
    let parsed = url::Url::parse(&template.replace("{uri}", "x")).ok()?;
    (matches!(parsed.scheme(), "http" | "https")
        && parsed
            .host_str()
            .is_some_and(|h| host.split(':').next() == Some(h)))
    .then_some(template)
}
