//! A community's external calendars in the client API (issue 17): subscribe by URL, upload a file
//! once, sync now, see what the last sync did, remove.

use axum::{
    Json, Router,
    body::Bytes,
    extract::{Path, State},
    http::StatusCode,
    response::IntoResponse,
    routing::{delete, get, post},
};
use serde::Deserialize;

use super::{ApiJson, Authenticated};
use crate::error::{Error, Refusal, Result};
use crate::model::{CalendarSubscription, SyncReport};
use crate::service::Verkosto;

/// API routes (nested under `/api/v1`).
pub(super) fn api_routes() -> Router<Verkosto> {
    Router::new()
        .route("/communities/{name}/calendars", get(list).post(subscribe))
        .route("/communities/{name}/calendars/import", post(import))
        .route("/communities/{name}/calendars/{id}/sync", post(sync))
        .route("/communities/{name}/calendars/{id}", delete(remove))
}

async fn list(
    State(v): State<Verkosto>,
    Authenticated(a): Authenticated,
    Path(name): Path<String>,
) -> Result<Json<Vec<CalendarSubscription>>> {
    Ok(Json(v.calendars(&a, &name).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Subscribe {
    /// The calendar's address (https; `webcal://` is read as https).
    url: String,
}

async fn subscribe(
    State(v): State<Verkosto>,
    Authenticated(a): Authenticated,
    Path(name): Path<String>,
    ApiJson(body): ApiJson<Subscribe>,
) -> Result<impl IntoResponse> {
    // Calendar apps hand out `webcal://` links; they are https.
    let url = match body.url.trim().strip_prefix("webcal://") {
        Some(rest) => format!("https://{rest}"),
        None => body.url.trim().to_string(),
    };
    let subscription = v.subscribe_calendar(&a, &name, &url).await?;
    Ok((StatusCode::CREATED, Json(subscription)))
}

/// The body is the calendar file itself (`text/calendar`).
async fn import(
    State(v): State<Verkosto>,
    Authenticated(a): Authenticated,
    Path(name): Path<String>,
    body: Bytes,
) -> Result<Json<SyncReport>> {
    let text = std::str::from_utf8(&body).map_err(|_| {
        Error::invalid(
            "calendar",
            Refusal::CalendarUnreadable {
                why: "not UTF-8 text".into(),
            },
        )
    })?;
    Ok(Json(v.import_calendar(&a, &name, text).await?))
}

async fn sync(
    State(v): State<Verkosto>,
    Authenticated(a): Authenticated,
    Path((name, id)): Path<(String, String)>,
) -> Result<Json<SyncReport>> {
    Ok(Json(v.sync_calendar(&a, &name, &id).await?))
}

async fn remove(
    State(v): State<Verkosto>,
    Authenticated(a): Authenticated,
    Path((name, id)): Path<(String, String)>,
) -> Result<StatusCode> {
    v.remove_calendar(&a, &name, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
