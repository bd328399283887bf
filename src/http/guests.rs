//! Participation by e-mail in the client API (issue 19).

use axum::{
    Json, Router,
    extract::{Path, State},
    http::StatusCode,
    response::IntoResponse,
    routing::post,
};

use super::ApiJson;
use crate::error::Result;
use crate::service::{GuestRequest, Verkosto};

/// API routes (nested under `/api/v1`).
pub(super) fn api_routes() -> Router<Verkosto> {
    Router::new().route(
        "/events/{id}/guest-participations",
        post(request_participation),
    )
}

/// `{name, email, language}`: 202 once the confirmation is queued. Nothing counts until the link
/// in it is followed and confirmed (a GET of the link alone does not: mail scanners open links).
async fn request_participation(
    State(v): State<Verkosto>,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<GuestRequest>,
) -> Result<impl IntoResponse> {
    v.request_guest_participation(&id, request).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(serde_json::json!({ "status": "confirmation_sent" })),
    ))
}
