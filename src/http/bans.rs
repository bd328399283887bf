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
