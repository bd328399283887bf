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
        .route("/communities/{name}/rules", get(rules).patch(set_rules))
        .route("/communities/{name}/held-comments", get(held))
        .route(
            "/communities/{name}/held-comments/{id}/approve",
            axum::routing::post(approve_held),
        )
        .route(
            "/communities/{name}/held-comments/{id}",
            axum::routing::delete(reject_held),
        )
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

/// A community's rules (public) and whether it holds first-time replies.
async fn rules(
    State(v): State<Verkosto>,
    Path(name): Path<String>,
) -> Result<Json<crate::store::community_rules::CommunityRules>> {
    let community = v.community(&name).await?;
    Ok(Json(v.community_rules(community.id).await?))
}

/// `{"rules": Markdown, "hold_first_comments": bool}` (managers).
async fn set_rules(
    State(v): State<Verkosto>,
    Authenticated(a): Authenticated,
    Path(name): Path<String>,
    ApiJson(update): ApiJson<crate::service::RulesUpdate>,
) -> Result<Json<crate::store::community_rules::CommunityRules>> {
    Ok(Json(v.set_community_rules(&a, &name, update).await?))
}

async fn held(
    State(v): State<Verkosto>,
    Authenticated(a): Authenticated,
    Path(name): Path<String>,
) -> Result<Json<Vec<crate::store::community_rules::HeldComment>>> {
    Ok(Json(v.held_comments(&a, &name).await?))
}

async fn approve_held(
    State(v): State<Verkosto>,
    Authenticated(a): Authenticated,
    Path((name, id)): Path<(String, i64)>,
) -> Result<StatusCode> {
    v.decide_held_comment(&a, &name, id, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn reject_held(
    State(v): State<Verkosto>,
    Authenticated(a): Authenticated,
    Path((name, id)): Path<(String, i64)>,
) -> Result<StatusCode> {
    v.decide_held_comment(&a, &name, id, false).await?;
    Ok(StatusCode::NO_CONTENT)
}
