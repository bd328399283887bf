//! Events in the client API, their ActivityPub documents, and calendar feeds.

use super::accepts;
use axum::{
    Json, Router,
    extract::{Path, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{ApiJson, Authenticated, wants_activity_json};
use crate::apub::event as ap_event;
use crate::error::{Refusal, Result};
use crate::model::{Comment, Event, EventUpdate, NewEvent, Participation};
use crate::service::{EventCursor, PageStart, Reader, Verkosto};
use crate::urls::{LocalUrls, Part};

/// API routes (nested under `/api/v1`).
pub(super) fn api_routes() -> Router<Verkosto> {
    Router::new()
        .route(
            "/communities/{name}/events",
            post(create_event).get(community_events),
        )
        .route(
            "/events/{id}",
            get(get_event).patch(update_event).delete(delete_event),
        )
        .route("/events/{id}/cancel", post(cancel_event))
        .route("/events/{id}/participants", get(participants))
        .route(
            "/events/{id}/participants/{pid}/{decision}",
            post(decide_participant),
        )
        .route(
            "/events/{id}/participants/{pid}/attended",
            post(check_in).delete(undo_check_in),
        )
        .route(
            "/events/{id}/participation",
            post(participate).get(my_participation).delete(leave),
        )
        .route(
            "/events/{id}/feedback",
            post(send_feedback).get(feedback_results),
        )
        .route("/events/{id}/feedback/answer", post(answer_feedback))
        .route(
            "/events/{id}/feedback/answers/{answer}/featured",
            post(feature_answer).delete(unfeature_answer),
        )
        .route("/events/{id}/comments", get(comments))
        .route(
            "/events/{id}/comments/{cid}",
            axum::routing::delete(remove_comment),
        )
        .route("/timeline", get(timeline))
        .route(
            "/calendar",
            get(calendar_status)
                .post(new_calendar)
                .delete(revoke_calendar),
        )
}

/// Public routes: the event document and page, feeds.
pub(super) fn public_routes() -> Router<Verkosto> {
    Router::new()
        .route("/e/{id}", get(event_document))
        .route("/e/{id}/replies", get(event_replies))
        .route("/c/{name}/events.ics", get(community_feed))
        .route("/c/{name}/upcoming", get(upcoming_collection))
        .route("/calendar/{token}", get(personal_feed))
}

/// An event as the API shows it.
#[derive(Serialize)]
pub struct EventView {
    #[serde(flatten)]
    event: Event,
    remaining_seats: Option<i64>,
    ics_url: String,
    /// The start as local time in the event's zone, with its offset (`2026-05-16T18:00:00+02:00`):
    /// `starts_at` is UTC, and a fixed-offset `timezone` (`UTC+02:00`) is no IANA name to convert with.
    starts_at_local: String,
    /// The end, likewise.
    ends_at_local: String,
}

fn view(v: &Verkosto, event: Event) -> EventView {
    EventView {
        starts_at_local: event.local_starts_at().to_rfc3339(),
        ends_at_local: event.local_ends_at().to_rfc3339(),
        remaining_seats: event.remaining(),
        ics_url: v.state().urls().event_ics(&event.public_id).to_string(),
        event,
    }
}

async fn create_event(
    State(v): State<Verkosto>,
    Authenticated(a): Authenticated,
    Path(name): Path<String>,
    ApiJson(new): ApiJson<NewEvent>,
) -> Result<impl IntoResponse> {
    let event = v.create_event(&a, &name, new).await?;
    Ok((StatusCode::CREATED, Json(view(&v, event))))
}

#[derive(Deserialize)]
struct Range {
    from: Option<String>,
    to: Option<String>,
    /// The page of the list, from 1 (text, so a bad value gets our 422 naming the field).
    page: Option<String>,
    /// Where the page starts: what the previous page's `Link: rel="next"` gave (instead of `page`).
    cursor: Option<String>,
    /// Events a page, 1 to 1,000 (the default).
    limit: Option<String>,
}

/// A whole-number query parameter within `range` (a text that is no number counts as out of it), or
/// a 422 naming it.
fn bounded_number(
    field: &'static str,
    raw: Option<&str>,
    default: i64,
    range: std::ops::RangeInclusive<i64>,
) -> Result<i64> {
    let Some(raw) = raw else { return Ok(default) };
    let (min, max) = (*range.start(), *range.end());
    super::params::in_range(field, raw.parse().unwrap_or(i64::MIN), min, max)
}

fn range_time(field: &'static str, raw: Option<String>) -> Result<Option<DateTime<Utc>>> {
    super::params::rfc3339(field, raw.as_deref())
}

/// A community's (or network's) events, a page at a time: when more follow, a `Link` header with
/// `rel="next"` (as Mastodon's API pages) gives the next page's address, so a long list never
/// stops silently. That address carries a `cursor` (the last event shown), so every page costs the
/// same however deep it is; `page=N` is still read.
async fn community_events(
    State(v): State<Verkosto>,
    Path(name): Path<String>,
    reader: Reader,
    super::params::ApiQuery(range): super::params::ApiQuery<Range>,
) -> Result<Response> {
    let community = v.community_for(&name, &reader).await?;
    let start = match range.cursor.as_deref() {
        Some(cursor) => PageStart::After(EventCursor::parse(cursor)?),
        None => PageStart::Number(bounded_number(
            "page",
            range.page.as_deref(),
            1,
            1..=crate::service::MAX_EVENT_PAGE,
        )?),
    };
    let per_page = bounded_number(
        "limit",
        range.limit.as_deref(),
        crate::service::MAX_EVENTS_PER_PAGE,
        1..=crate::service::MAX_EVENTS_PER_PAGE,
    )?;
    // Without `from` the list starts now; the next pages continue that same list.
    let from = range_time("from", range.from)?.unwrap_or_else(Utc::now);
    let to = range_time("to", range.to)?;
    let listed = v
        .community_events_page(&community, &reader, Some(from), to, start, per_page)
        .await?;
    let body: Vec<EventView> = listed.events.into_iter().map(|e| view(&v, e)).collect();
    let mut response = Json(body).into_response();
    if let Some(cursor) = listed.next {
        let mut next = v
            .state()
            .url(&format!("/api/v1/communities/{}/events", community.name));
        {
            let mut query = next.query_pairs_mut();
            query.append_pair("from", &from.to_rfc3339());
            if let Some(to) = to {
                query.append_pair("to", &to.to_rfc3339());
            }
            query.append_pair("limit", &per_page.to_string());
            query.append_pair("cursor", &cursor.to_string());
        }
        if let Ok(link) = HeaderValue::from_str(&format!("<{next}>; rel=\"next\"")) {
            response.headers_mut().insert(header::LINK, link);
        }
    }
    Ok(response)
}

async fn get_event(
    State(v): State<Verkosto>,
    Path(id): Path<String>,
    reader: Reader,
) -> Result<Json<EventView>> {
    Ok(Json(view(&v, v.event_for(&id, &reader).await?)))
}

async fn update_event(
    State(v): State<Verkosto>,
    Authenticated(a): Authenticated,
    Path(id): Path<String>,
    ApiJson(change): ApiJson<EventUpdate>,
) -> Result<Json<EventView>> {
    Ok(Json(view(&v, v.update_event(&a, &id, change).await?)))
}

async fn cancel_event(
    State(v): State<Verkosto>,
    Authenticated(a): Authenticated,
    Path(id): Path<String>,
) -> Result<Json<EventView>> {
    Ok(Json(view(&v, v.cancel_event(&a, &id).await?)))
}

async fn delete_event(
    State(v): State<Verkosto>,
    Authenticated(a): Authenticated,
    Path(id): Path<String>,
) -> Result<StatusCode> {
    v.delete_event(&a, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn participants(
    State(v): State<Verkosto>,
    Authenticated(a): Authenticated,
    Path(id): Path<String>,
) -> Result<Json<Vec<Participation>>> {
    Ok(Json(v.participants(&a, &id).await?))
}

async fn decide_participant(
    State(v): State<Verkosto>,
    Authenticated(a): Authenticated,
    Path((id, pid, decision)): Path<(String, i64, String)>,
) -> Result<Json<Participation>> {
    let accept = accepts(&decision)?;
    Ok(Json(v.decide_participation(&a, &id, pid, accept).await?))
}

/// A manager checks a participant in at the door (issue 16).
async fn check_in(
    State(v): State<Verkosto>,
    Authenticated(a): Authenticated,
    Path((id, pid)): Path<(String, i64)>,
) -> Result<Json<Participation>> {
    Ok(Json(v.mark_attended(&a, &id, pid, true).await?))
}

/// A check-in taken back (a mistap at the door).
async fn undo_check_in(
    State(v): State<Verkosto>,
    Authenticated(a): Authenticated,
    Path((id, pid)): Path<(String, i64)>,
) -> Result<Json<Participation>> {
    Ok(Json(v.mark_attended(&a, &id, pid, false).await?))
}

/// Sends the event's feedback poll (managers, once the event is over; issue 16).
async fn send_feedback(
    State(v): State<Verkosto>,
    Authenticated(a): Authenticated,
    Path(id): Path<String>,
    ApiJson(new): ApiJson<crate::service::NewFeedbackPoll>,
) -> Result<impl IntoResponse> {
    Ok((
        StatusCode::CREATED,
        Json(v.send_feedback_poll(&a, &id, new).await?),
    ))
}

/// The feedback poll's results (managers): counts and words, never who.
async fn feedback_results(
    State(v): State<Verkosto>,
    Authenticated(a): Authenticated,
    Path(id): Path<String>,
) -> Result<Json<crate::service::FeedbackResults>> {
    Ok(Json(v.feedback_results(&a, &id).await?))
}

#[derive(serde::Deserialize)]
struct FeedbackAnswer {
    choice: String,
    answer: Option<String>,
}

/// A local participant answers the feedback poll.
async fn answer_feedback(
    State(v): State<Verkosto>,
    Authenticated(a): Authenticated,
    Path(id): Path<String>,
    ApiJson(answer): ApiJson<FeedbackAnswer>,
) -> Result<StatusCode> {
    v.answer_feedback(&a, &id, &answer.choice, answer.answer.as_deref())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A manager picks an answer in words to quote in the shared report.
async fn feature_answer(
    State(v): State<Verkosto>,
    Authenticated(a): Authenticated,
    Path((id, answer)): Path<(String, i64)>,
) -> Result<StatusCode> {
    v.feature_answer(&a, &id, answer, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An answer no longer quoted.
async fn unfeature_answer(
    State(v): State<Verkosto>,
    Authenticated(a): Authenticated,
    Path((id, answer)): Path<(String, i64)>,
) -> Result<StatusCode> {
    v.feature_answer(&a, &id, answer, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn participate(
    State(v): State<Verkosto>,
    Authenticated(a): Authenticated,
    Path(id): Path<String>,
) -> Result<impl IntoResponse> {
    Ok((StatusCode::CREATED, Json(v.participate(&a, &id).await?)))
}

async fn my_participation(
    State(v): State<Verkosto>,
    Authenticated(a): Authenticated,
    Path(id): Path<String>,
) -> Result<Json<Participation>> {
    Ok(Json(v.my_participation(&a, &id).await?))
}

async fn leave(
    State(v): State<Verkosto>,
    Authenticated(a): Authenticated,
    Path(id): Path<String>,
) -> Result<StatusCode> {
    v.leave(&a, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn comments(
    State(v): State<Verkosto>,
    Path(id): Path<String>,
    reader: Reader,
) -> Result<Json<Vec<Comment>>> {
    v.event_for(&id, &reader).await?;
    Ok(Json(v.comments(&id).await?))
}

async fn remove_comment(
    State(v): State<Verkosto>,
    Authenticated(a): Authenticated,
    Path((id, cid)): Path<(String, i64)>,
) -> Result<StatusCode> {
    v.remove_comment(&a, &id, cid).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
struct TimelineQuery {
    /// RFC 3339: items published before this time (the `published_at` of the last item seen).
    before: Option<String>,
    limit: Option<i64>,
}

/// A timeline entry as the API shows it: events get their computed fields too.
#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum TimelineView {
    Event(Box<EventView>),
    Announcement(Box<crate::model::Announcement>),
}

async fn timeline(
    State(v): State<Verkosto>,
    Authenticated(a): Authenticated,
    super::params::ApiQuery(q): super::params::ApiQuery<TimelineQuery>,
) -> Result<Json<Vec<TimelineView>>> {
    let before = range_time("before", q.before)?;
    let items = v
        .timeline(&a, before, super::params::limit(q.limit, 20)?)
        .await?;
    Ok(Json(
        items
            .into_iter()
            .map(|i| match i {
                crate::service::TimelineItem::Event(e) => {
                    TimelineView::Event(Box::new(view(&v, *e)))
                }
                crate::service::TimelineItem::Announcement(a) => TimelineView::Announcement(a),
            })
            .collect(),
    ))
}

/// Whether the personal feed is on, and since when. Its URL is not stored, so it is not shown
/// again: `POST` makes a new one.
async fn calendar_status(
    State(v): State<Verkosto>,
    Authenticated(a): Authenticated,
) -> Result<Json<serde_json::Value>> {
    let since = v.calendar_since(&a).await?;
    Ok(Json(
        serde_json::json!({ "active": since.is_some(), "created_at": since }),
    ))
}

/// A new secret URL for the personal feed, shown this once; the previous URL stops working.
async fn new_calendar(
    State(v): State<Verkosto>,
    Authenticated(a): Authenticated,
) -> Result<Response> {
    let path = v.new_calendar_path(&a).await?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({ "url": v.state().url(&path) })),
    )
        .into_response())
}

/// Turns the personal feed off: its URL answers 404.
async fn revoke_calendar(
    State(v): State<Verkosto>,
    Authenticated(a): Authenticated,
) -> Result<StatusCode> {
    v.revoke_calendar(&a).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub(super) fn ics(body: String) -> Response {
    let mut response = body.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/calendar; charset=utf-8"),
    );
    response
}

async fn event_document(
    State(v): State<Verkosto>,
    Path(id): Path<String>,
    reader: Reader,
    headers: HeaderMap,
) -> Result<Response> {
    let result = event_document_or_error(&v, id, &reader, &headers).await;
    super::for_browser(&v, &headers, result).await
}

async fn event_document_or_error(
    v: &Verkosto,
    id: String,
    reader: &Reader,
    headers: &HeaderMap,
) -> Result<Response> {
    if let Some(public_id) = id.strip_suffix(".ics") {
        let event = v.event_for(public_id, reader).await?;
        return Ok(ics(crate::ical::feed(
            &event.title,
            std::slice::from_ref(&event),
            &[],
        )));
    }
    let ap_id = v.state().urls().event(&id);
    let event = match v.event_for(&id, reader).await {
        Ok(e) if e.local => e,
        // A remote event's page is shown to people (its times in its own zone, its origin linked);
        // its document is its origin's to serve, not ours.
        Ok(e) if !wants_activity_json(headers) => {
            return Ok(crate::web::public::event_page(v, headers, e)
                .await
                .unwrap_or_else(IntoResponse::into_response));
        }
        Ok(_) => return Err(Refusal::NoSuchEvent { id }.into()),
        Err(e) if e.is_not_found() && v.event_is_deleted(&ap_id).await? => {
            let tombstone = serde_json::json!({
                "@context": crate::apub::context::context(),
                "type": "Tombstone", "id": ap_id, "formerType": "Event",
            });
            let mut response = (StatusCode::GONE, Json(tombstone)).into_response();
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(crate::apub::activities::CONTENT_TYPE),
            );
            return Ok(response);
        }
        Err(e) => return Err(e),
    };
    if !wants_activity_json(headers) {
        return Ok(crate::web::public::event_page(v, headers, event)
            .await
            .unwrap_or_else(IntoResponse::into_response));
    }
    Ok(super::federation::activity_json(ap_event::event_to_ap(
        v.state(),
        &event,
    )))
}

async fn event_replies(
    State(v): State<Verkosto>,
    Path(id): Path<String>,
    reader: Reader,
) -> Result<Response> {
    let event = v.event_for(&id, &reader).await?;
    let comments = v.comments(&id).await?;
    let items: Vec<serde_json::Value> = comments
        .iter()
        .map(|c| serde_json::json!(c.ap_id))
        .collect();
    Ok(super::federation::activity_json(serde_json::json!({
        "@context": crate::apub::context::context(),
        "type": "OrderedCollection",
        "id": LocalUrls::part(&event.ap_id, Part::Replies),
        "totalItems": items.len(),
        "orderedItems": items,
    })))
}

async fn community_feed(State(v): State<Verkosto>, Path(name): Path<String>) -> Result<Response> {
    // A public feed, kept by calendar apps and caches: public communities' public events only
    // (members subscribe to their personal feed instead).
    let community = v.community_for(&name, &Reader::Anonymous).await?;
    let from = Utc::now() - chrono::Duration::days(90);
    let events = v
        .all_community_events(&community, &Reader::Anonymous, Some(from), None)
        .await?;
    let series = v.series_of(&events).await?;
    Ok(ics(crate::ical::feed(
        &community.display_name,
        &events,
        &series,
    )))
}

async fn personal_feed(State(v): State<Verkosto>, Path(token): Path<String>) -> Result<Response> {
    let token = token.strip_suffix(".ics").unwrap_or(&token);
    let (account, events) = v.personal_calendar(token).await?;
    // One by one: a person takes part in occurrences, not in every date of their series.
    let mut response = ics(crate::ical::feed(
        &format!("{} – Verkosto", account.username),
        &events,
        &[],
    ));
    // One person's feed behind a secret: no shared cache keeps it, ours included, so a revoked or
    // rotated URL stops working at once.
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(response)
}

async fn upcoming_collection(
    State(v): State<Verkosto>,
    Path(name): Path<String>,
    reader: Reader,
) -> Result<Response> {
    let community = v.community_for(&name, &reader).await?;
    let events = v.community_events(&community, &reader, None, None).await?;
    let items: Vec<serde_json::Value> = events.iter().map(|e| serde_json::json!(e.ap_id)).collect();
    Ok(super::federation::activity_json(serde_json::json!({
        "@context": crate::apub::context::context(),
        "type": "OrderedCollection",
        "id": v.state().urls().community_part(&name, Part::Upcoming),
        "totalItems": items.len(),
        "orderedItems": items,
    })))
}
