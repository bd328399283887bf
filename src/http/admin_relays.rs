//! The administrators' API of the instance's federation with relays (issue 20): the relays and
//! instances the instance follows (`/admin/relays`), and who follows the instance actor
//! (`/admin/instance/...`). Administrators only.

use axum::{
    Json, Router,
    extract::{Path, State},
    http::StatusCode,
    response::IntoResponse,
    routing::{get, post},
};
use serde::Deserialize;

use super::params::ApiQuery;
use super::{ApiJson, Authenticated, accepts};
use crate::error::{Error, Result};
use crate::model::{Follower, RelaySubscription};
use crate::service::{FollowRequestDecision, Verkosto};

/// Nested under the API prefix with the other API routes.
pub(super) fn api_routes() -> Router<Verkosto> {
    Router::new()
        .route(
            "/admin/relays",
            post(add_relay).get(list_relays).delete(remove_relay),
        )
        .route(
            "/admin/instance/follow-requests",
            get(instance_follow_requests),
        )
        .route(
            "/admin/instance/follow-requests/{id}/{decision}",
            post(decide_instance_follow_request),
        )
        .route("/admin/instance/followers", get(instance_followers))
}

#[derive(Deserialize)]
struct RelayBody {
    url: String,
}

#[derive(Deserialize)]
struct RelayQuery {
    url: Option<String>,
}

async fn add_relay(
    State(v): State<Verkosto>,
    Authenticated(a): Authenticated,
    ApiJson(body): ApiJson<RelayBody>,
) -> Result<impl IntoResponse> {
    let relay = v.add_relay(Some(&a), &body.url).await?;
    Ok((StatusCode::CREATED, Json(relay)))
}

async fn list_relays(
    State(v): State<Verkosto>,
    Authenticated(a): Authenticated,
) -> Result<Json<Vec<RelaySubscription>>> {
    Ok(Json(v.relays(Some(&a)).await?))
}

/// `DELETE /admin/relays?url=...` (a JSON body `{"url": ...}` is not read: DELETE bodies are
/// dropped by some proxies).
async fn remove_relay(
    State(v): State<Verkosto>,
    Authenticated(a): Authenticated,
    ApiQuery(q): ApiQuery<RelayQuery>,
) -> Result<StatusCode> {
    let url = q
        .url
        .ok_or_else(|| Error::BadRequest("the url query parameter is required".into()))?;
    v.remove_relay(Some(&a), &url).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn instance_follow_requests(
    State(v): State<Verkosto>,
    Authenticated(a): Authenticated,
) -> Result<Json<Vec<Follower>>> {
    Ok(Json(v.instance_follow_requests(Some(&a)).await?))
}

async fn instance_followers(
    State(v): State<Verkosto>,
    Authenticated(a): Authenticated,
) -> Result<Json<Vec<Follower>>> {
    Ok(Json(v.instance_followers(Some(&a)).await?))
}

async fn decide_instance_follow_request(
    State(v): State<Verkosto>,
    Authenticated(a): Authenticated,
    Path((id, decision)): Path<(i64, String)>,
) -> Result<Json<Follower>> {
    let decision = if accepts(&decision)? {
        FollowRequestDecision::Accept
    } else {
        FollowRequestDecision::Reject
    };
    Ok(Json(
        v.decide_instance_follow_request(Some(&a), id, decision)
            .await?,
    ))
}
