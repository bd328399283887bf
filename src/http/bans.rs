//! A community's bans and moderation log in the client API (issue 19).

use axum::{
    Json, Router,
    extract::{Path, State},
    http::StatusCode,
    response::IntoResponse,
    routing::get,
};

use super::{ApiJson, Authenticated};
use crate::error::Result;
use crate::service::{BanRequest, Verkosto};
use crate::store::bans::{Ban, LogEntry};

/// API routes (nested under `/api/v1`).
pub(super) fn api_routes() -> Router<Verkosto> {
    Router::new()
        .route(
            "/communities/{name}/bans",
            get(list).post(ban).delete(unban),
        )
        .route("/communities/{name}/moderation-log", get(log))
        .route("/reports", get(reports).post(file_report))
        .route("/reports/{id}/resolve", axum::routing::post(resolve))
        .route("/reports/{id}/forward", axum::routing::post(forward))
        .route(
            "/admin/suspensions",
            get(suspensions).post(suspend).delete(unsuspend),
        )
}

async fn reports(
    State(v): State<Verkosto>,
    Authenticated(a): Authenticated,
) -> Result<Json<Vec<crate::store::bans::Report>>> {
    Ok(Json(v.reports(&a).await?))
}

/// `{"object": URL, "reason": text}`.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct NewReport {
    object: String,
    reason: String,
}

async fn file_report(
    State(v): State<Verkosto>,
    Authenticated(a): Authenticated,
    ApiJson(report): ApiJson<NewReport>,
) -> Result<StatusCode> {
    v.file_report(&a, &report.object, &report.reason).await?;
    Ok(StatusCode::CREATED)
}

/// `{"forwarded_to": [hosts]}`.
async fn forward(
    State(v): State<Verkosto>,
    Authenticated(a): Authenticated,
    Path(id): Path<i64>,
) -> Result<Json<serde_json::Value>> {
    let hosts = v.forward_report(&a, id).await?;
    Ok(Json(serde_json::json!({ "forwarded_to": hosts })))
}

async fn resolve(
    State(v): State<Verkosto>,
    Authenticated(a): Authenticated,
    Path(id): Path<i64>,
) -> Result<StatusCode> {
    v.resolve_report(&a, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn list(
    State(v): State<Verkosto>,
    Authenticated(a): Authenticated,
    Path(name): Path<String>,
) -> Result<Json<Vec<Ban>>> {
    Ok(Json(v.bans(&a, &name).await?))
}

/// `{"handle": "name@host"}` or `{"domain": "host"}`, with an optional `note`.
async fn ban(
    State(v): State<Verkosto>,
    Authenticated(a): Authenticated,
    Path(name): Path<String>,
    ApiJson(request): ApiJson<BanRequest>,
) -> Result<impl IntoResponse> {
    Ok((StatusCode::CREATED, Json(v.ban(&a, &name, request).await?)))
}

async fn unban(
    State(v): State<Verkosto>,
    Authenticated(a): Authenticated,
    Path(name): Path<String>,
    ApiJson(request): ApiJson<BanRequest>,
) -> Result<StatusCode> {
    v.unban(&a, &name, request).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn log(
    State(v): State<Verkosto>,
    Authenticated(a): Authenticated,
    Path(name): Path<String>,
) -> Result<Json<Vec<LogEntry>>> {
    Ok(Json(v.moderation_log(&a, &name).await?))
}

async fn suspensions(
    State(v): State<Verkosto>,
    Authenticated(a): Authenticated,
) -> Result<Json<Vec<crate::store::bans::Suspension>>> {
    Ok(Json(v.suspensions(&a).await?))
}

/// `{"handle": "name@host", "note": "..."}` (administrators).
async fn suspend(
    State(v): State<Verkosto>,
    Authenticated(a): Authenticated,
    ApiJson(request): ApiJson<BanRequest>,
) -> Result<impl IntoResponse> {
    Ok((StatusCode::CREATED, Json(v.suspend(&a, request).await?)))
}

async fn unsuspend(
    State(v): State<Verkosto>,
    Authenticated(a): Authenticated,
    ApiJson(request): ApiJson<BanRequest>,
) -> Result<StatusCode> {
    v.unsuspend(&a, request).await?;
    Ok(StatusCode::NO_CONTENT)
}
