//! The page of an event: when and where, the online link near the start, replies, how to take
//! part, and schema.org data for search engines.

use askama::Template;
use axum::{http::HeaderMap, response::Response};
use chrono::{Duration, Utc};

use super::{Follow, handle_of, webcal};
use crate::error::Error;
use crate::model::{Comment, Community, Event, EventStatus, JoinMode};
use crate::service::Verkosto;
use crate::web::{PageError, Visitor, render, urlencode};

/// How long before the start an online event's link is shown.
const ONLINE_LINK_LEAD: i64 = 15;

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
    /// The feedback poll, for a logged-in participant (issue 16).
    feedback: crate::service::FeedbackForMe,
    /// "joka maanantai klo 9.00", for an occurrence of a series (issue 17).
    repeats: Option<String>,
    /// The series' next dates.
    next_dates: Vec<NextDate>,
    /// Whether visitors can take part by e-mail here (issue 19).
    guests: bool,
}

/// One of a series' next dates on an occurrence's page.
struct NextDate {
    /// When, in the visitor's language.
    pub when: String,
    /// Its page, once the date is an event.
    pub href: Option<String>,
    /// Whether it was called off.
    pub cancelled: bool,
    /// Whether it is the page's own event.
    pub current: bool,
}

/// A reply as the event page shows it.
struct CommentItem {
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

/// The page a browser gets at an event's address.
pub(crate) async fn event_page(
    v: &Verkosto,
    headers: &HeaderMap,
    event: Event,
) -> Result<Response, PageError> {
    let p =
        Visitor::from_headers(v, headers, v.state().urls().event(&event.public_id).path()).await;
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
    let feedback = match &p.account {
        Some(account) => v
            .feedback_for(account, &event.public_id)
            .await
            .map_err(fail)?,
        None => crate::service::FeedbackForMe::Nothing,
    };
    let now = Utc::now();
    let (repeats, next_dates) = series_dates(v, lang, &p.reader(), &event)
        .await
        .map_err(fail)?;
    let opens = event.starts_at - Duration::minutes(ONLINE_LINK_LEAD);
    let page = EventPage {
        guests: v.takes_guests(&event),
        repeats,
        next_dates,
        when: lang.span(&event.starts_at, &event.ends_at, &event.timezone),
        online_now: event.online_url.is_some() && now >= opens && now <= event.ends_at,
        online_opens: lang.datetime(&opens, &event.timezone),
        ics: v
            .state()
            .urls()
            .event_ics(&event.public_id)
            .path()
            .to_string(),
        webcal: community
            .as_ref()
            .map(|c| webcal(&v.state().urls().community_ics(&c.name))),
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
        feedback,
        e: event,
        p,
    };
    Ok(render(&page, &page.p))
}

/// How an occurrence's series repeats, in words, and its next dates (from this one on).
async fn series_dates(
    v: &Verkosto,
    lang: crate::web::i18n::Lang,
    reader: &crate::service::Reader,
    event: &Event,
) -> Result<(Option<String>, Vec<NextDate>), Error> {
    const SHOWN: usize = 6;
    let Some(link) = &event.series else {
        return Ok((None, vec![]));
    };
    let Ok(rule) = crate::model::Recurrence::parse(&link.recurrence) else {
        return Ok((None, vec![]));
    };
    let series = v.series(&link.id).await?;
    let first = series.zone();
    let start = series.first_starts_at.with_timezone(&first).naive_local();
    let words = crate::web::recurrence::describe(lang, &rule, start);
    let from = event.starts_at.min(Utc::now());
    let dates = if series.is_local() {
        v.series_view(&link.id, reader, from, from + Duration::days(3660), SHOWN)
            .await?
            .occurrences
            .into_iter()
            .map(|o| (o.starts_at, o.event, o.status))
            .collect::<Vec<_>>()
    } else {
        // A received series: the occurrences its organizer has sent so far.
        v.series_occurrences(&series)
            .await?
            .into_iter()
            .filter(|e| e.ends_at >= from)
            .take(SHOWN)
            .map(|e| (e.starts_at, Some(e.public_id), e.status))
            .collect()
    };
    let next = dates
        .into_iter()
        .map(|(at, id, status)| NextDate {
            when: lang.datetime(&at, &event.timezone),
            current: id.as_deref() == Some(event.public_id.as_str()),
            href: id.map(|id| v.state().urls().event(&id).path().to_string()),
            cancelled: status == EventStatus::Cancelled,
        })
        .collect();
    Ok((Some(lang.t_with("series-repeats", "rule", &words)), next))
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
        "startDate": event.local_starts_at().to_rfc3339(),
        "endDate": event.local_ends_at().to_rfc3339(),
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

/// A participant's answer to the event's feedback poll, from the form on its page (issue 16).
#[derive(serde::Deserialize)]
pub(crate) struct FeedbackForm {
    csrf: String,
    #[serde(default)]
    choice: String,
    #[serde(default)]
    answer: String,
}

pub(crate) async fn answer_feedback(
    axum::extract::State(v): axum::extract::State<Verkosto>,
    axum::extract::Path(id): axum::extract::Path<String>,
    p: Visitor,
    axum::Form(form): axum::Form<FeedbackForm>,
) -> Result<Response, PageError> {
    p.check_csrf(&form.csrf)?;
    let account = p.require_account()?;
    v.answer_feedback(account, &id, &form.choice, Some(&form.answer))
        .await
        .map_err(|e| p.error(e))?;
    Ok(axum::response::IntoResponse::into_response(
        axum::response::Redirect::to(&format!("/e/{id}#feedback")),
    ))
}

/// A logged-in person's report of the event, from the form on its page (issue 19).
#[derive(serde::Deserialize)]
pub(crate) struct ReportForm {
    csrf: String,
    #[serde(default)]
    reason: String,
}

#[derive(Template)]
#[template(path = "notice.html")]
struct NoticePage {
    p: Visitor,
    heading: String,
    message: String,
    back: String,
    back_label: String,
}

pub(crate) async fn report_event(
    axum::extract::State(v): axum::extract::State<Verkosto>,
    axum::extract::Path(id): axum::extract::Path<String>,
    p: Visitor,
    axum::Form(form): axum::Form<ReportForm>,
) -> Result<Response, PageError> {
    p.check_csrf(&form.csrf)?;
    let account = p.require_account()?;
    let event = v
        .event_for(&id, &p.reader())
        .await
        .map_err(|e| p.error(e))?;
    v.file_report(account, event.ap_id.as_str(), &form.reason)
        .await
        .map_err(|e| p.error(e))?;
    let page = NoticePage {
        heading: p.t("flag-sent-title"),
        message: p.t("flag-sent"),
        back: event.url.path().to_string(),
        back_label: event.title,
        p,
    };
    Ok(render(&page, &page.p))
}
