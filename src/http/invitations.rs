//! Invitations into a community in the client API (issue 18).

use axum::{
    Json, Router,
    extract::{Path, State},
    http::StatusCode,
    response::IntoResponse,
    routing::{delete, post},
};

use super::{ApiJson, Authenticated};
use crate::error::Result;
use crate::service::{InvitationRequest, Verkosto};
use crate::store::invitations::Invitation;

/// API routes (nested under `/api/v1`).
pub(super) fn api_routes() -> Router<Verkosto> {
    Router::new()
        .route(
            "/communities/{name}/invitations",
            post(invite).get(invitations),
        )
        .route("/communities/{name}/invitations/{id}", delete(withdraw))
}

/// `{"handle": "name@host"}`: 201 with the invitation (a local account is a member at once).
async fn invite(
    State(v): State<Verkosto>,
    Authenticated(a): Authenticated,
    Path(name): Path<String>,
    ApiJson(request): ApiJson<InvitationRequest>,
) -> Result<impl IntoResponse> {
    Ok((
        StatusCode::CREATED,
        Json(v.invite(&a, &name, request).await?),
    ))
}

async fn invitations(
    State(v): State<Verkosto>,
    Authenticated(a): Authenticated,
    Path(name): Path<String>,
) -> Result<Json<Vec<Invitation>>> {
    Ok(Json(v.invitations(&a, &name).await?))
}

async fn withdraw(
    State(v): State<Verkosto>,
    Authenticated(a): Authenticated,
    Path((name, id)): Path<(String, i64)>,
) -> Result<StatusCode> {
    v.withdraw_invitation(&a, &name, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
