//! Series of recurring events (issue 17): the API's view and end of a series, its ActivityPub
//! collection and its iCalendar file.

use axum::{
    Json, Router,
    extract::{Path, State},
    http::HeaderMap,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use chrono::{Duration, Utc};
use serde::Deserialize;

use super::{Authenticated, wants_activity_json};
use crate::error::Result;
use crate::model::{MAX_EXPANSION, Series};
use crate::service::{SeriesView, Verkosto};

/// API routes (nested under `/api/v1`).
pub(super) fn api_routes() -> Router<Verkosto> {
    Router::new()
        .route("/series/{id}", get(get_series))
        .route("/series/{id}/end", post(end_series))
}

/// Public routes: the series' collection (its id) and calendar.
pub(super) fn public_routes() -> Router<Verkosto> {
    Router::new().route("/s/{id}", get(series_document))
}

#[derive(Deserialize)]
struct Window {
    from: Option<String>,
    to: Option<String>,
}

/// The series and its dates from `from` (now) until `to` (a year later).
async fn get_series(
    State(v): State<Verkosto>,
    Path(id): Path<String>,
    reader: crate::service::Reader,
    super::params::ApiQuery(window): super::params::ApiQuery<Window>,
) -> Result<Json<SeriesView>> {
    let from = super::params::rfc3339("from", window.from.as_deref())?.unwrap_or_else(Utc::now);
    let to =
        super::params::rfc3339("to", window.to.as_deref())?.unwrap_or(from + Duration::days(366));
    if to < from {
        return Err(crate::error::Error::invalid(
            "to",
            crate::error::Refusal::RangeReversed,
        ));
    }
    Ok(Json(
        v.series_view(&id, &reader, from, to, MAX_EXPANSION).await?,
    ))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct End {
    /// The last moment the series runs to (RFC 3339); now when absent.
    after: Option<String>,
}

async fn end_series(
    State(v): State<Verkosto>,
    Authenticated(a): Authenticated,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Result<Json<Series>> {
    // The body is optional: an empty one ends the series now.
    let end: End = if body.iter().all(u8::is_ascii_whitespace) {
        End::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| {
            crate::error::Error::BadRequest(format!("the body is not a valid end of a series: {e}"))
        })?
    };
    let after = super::params::rfc3339("after", end.after.as_deref())?;
    Ok(Json(v.end_series(&a, &id, after).await?))
}

/// `/s/{id}`: the collection of occurrences for ActivityPub readers, the iCalendar file with
/// `.ics`, and for people the page of its next occurrence.
async fn series_document(
    State(v): State<Verkosto>,
    Path(id): Path<String>,
    reader: crate::service::Reader,
    headers: HeaderMap,
) -> Result<Response> {
    let result = async {
        let ics = id.strip_suffix(".ics");
        let (series, events) = v.series_for(ics.unwrap_or(&id), &reader).await?;
        if !series.is_local() {
            return Err(crate::error::Refusal::NoSuchSeries { id: id.clone() }.into());
        }
        let title = events
            .iter()
            .find(|e| e.starts_at >= Utc::now())
            .or(events.last())
            .map(|e| e.title.clone())
            .unwrap_or_default();
        if ics.is_some() {
            let feed = crate::ical::feed(&title, &events, std::slice::from_ref(&series));
            return Ok(super::events::ics(feed));
        }
        if wants_activity_json(&headers) {
            return Ok(super::federation::activity_json(
                crate::apub::series::series_to_ap(&series, &title, &events),
            ));
        }
        let next = events
            .iter()
            .find(|e| e.ends_at >= Utc::now())
            .or(events.last());
        Ok(match next {
            Some(e) => Redirect::to(e.url.path()).into_response(),
            None => Redirect::to("/").into_response(),
        })
    }
    .await;
    super::for_browser(&v, &headers, result).await
}
