//! The client API (JSON, bearer tokens): accounts, tokens, communities, follows.

use super::accepts;
use axum::{
    Json, Router,
    extract::{FromRequestParts, Path, State},
    http::{StatusCode, request::Parts},
    response::IntoResponse,
    routing::{get, post},
};
use serde::{Deserialize, Serialize};

use super::{ApiJson, Authenticated, bearer_token};
use crate::apub::actor;
use crate::error::{Error, Refusal, Result};
use crate::model::{Community, CommunityUpdate, Follower, Following, NewCommunity, RemoteActor};
use crate::service::{FollowRequestDecision, Verkosto};

pub(super) fn routes() -> Router<Verkosto> {
    Router::new()
        .route("/auth/token", post(issue_token).delete(revoke_token))
        .route("/accounts", post(register))
        .route("/accounts/me", get(me))
        .route("/communities", post(create_community).get(list_communities))
        .route(
            "/communities/{name}",
            get(get_community).patch(update_community),
        )
        .route(
            "/communities/{name}/managers/{username}",
            post(add_manager).delete(remove_manager),
        )
        .route("/communities/{name}/follow-requests", get(follow_requests))
        .route("/communities/{name}/insights", get(insights))
        .route(
            "/communities/{name}/reports",
            post(create_report).get(list_reports),
        )
        .route(
            "/communities/{name}/reports/{id}",
            axum::routing::delete(revoke_report),
        )
        .route(
            "/communities/{name}/follow-requests/{id}/{decision}",
            post(decide_follow_request),
        )
        .route("/follows", post(follow).get(list_follows).delete(unfollow))
        .route("/lookup", get(lookup))
        .route(
            "/admin/domain-blocks",
            post(block_domain).get(domain_blocks),
        )
        .route(
            "/admin/domain-blocks/{host}",
            axum::routing::delete(unblock_domain),
        )
}

#[derive(Deserialize)]
struct Credentials {
    username: String,
    password: String,
}

async fn issue_token(
    State(v): State<Verkosto>,
    ApiJson(c): ApiJson<Credentials>,
) -> Result<impl IntoResponse> {
    Ok(Json(v.login(&c.username, &c.password).await?))
}

/// The token of the request itself, revoked.
struct RawToken(String);

impl FromRequestParts<Verkosto> for RawToken {
    type Rejection = Error;
    async fn from_request_parts(parts: &mut Parts, _: &Verkosto) -> Result<Self> {
        Ok(RawToken(bearer_token(parts)?.to_string()))
    }
}

async fn revoke_token(State(v): State<Verkosto>, RawToken(token): RawToken) -> Result<StatusCode> {
    v.revoke_token(&token).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize)]
struct AccountView {
    username: String,
    ap_id: url::Url,
    handle: String,
    display_name: Option<String>,
    is_admin: bool,
    created_at: chrono::DateTime<chrono::Utc>,
}

fn account_view(v: &Verkosto, a: crate::model::Account) -> AccountView {
    AccountView {
        ap_id: actor::account_id(v.state(), &a.username),
        handle: format!("{}@{}", a.username, v.settings().domain),
        username: a.username,
        display_name: a.display_name,
        is_admin: a.is_admin,
        created_at: a.created_at,
    }
}

async fn register(
    State(v): State<Verkosto>,
    ApiJson(new): ApiJson<crate::service::Registration>,
) -> Result<impl IntoResponse> {
    let account = v.register(new).await?;
    Ok((StatusCode::CREATED, Json(account_view(&v, account))))
}

async fn me(State(v): State<Verkosto>, Authenticated(a): Authenticated) -> Json<AccountView> {
    Json(account_view(&v, a))
}

#[derive(Serialize)]
struct CommunityView {
    #[serde(flatten)]
    community: Community,
    ap_id: url::Url,
    handle: String,
    url: url::Url,
    managers: Vec<String>,
}

async fn community_view(v: &Verkosto, community: Community) -> Result<CommunityView> {
    let managers = v
        .community_managers(&community)
        .await?
        .into_iter()
        .map(|m| m.username)
        .collect();
    let ap_id = actor::community_id(v.state(), &community.name);
    Ok(CommunityView {
        handle: format!("{}@{}", community.name, v.settings().domain),
        url: ap_id.clone(),
        ap_id,
        managers,
        community,
    })
}

async fn create_community(
    State(v): State<Verkosto>,
    Authenticated(a): Authenticated,
    ApiJson(new): ApiJson<NewCommunity>,
) -> Result<impl IntoResponse> {
    let community = v.create_community(&a, new).await?;
    Ok((
        StatusCode::CREATED,
        Json(community_view(&v, community).await?),
    ))
}

#[derive(Deserialize)]
struct Paging {
    limit: Option<i64>,
    offset: Option<i64>,
}

async fn list_communities(
    State(v): State<Verkosto>,
    super::params::ApiQuery(p): super::params::ApiQuery<Paging>,
) -> Result<impl IntoResponse> {
    let mut out = vec![];
    let limit = super::params::limit(p.limit, 50)?;
    let offset = super::params::offset(p.offset)?;
    for c in v.communities(limit, offset).await? {
        out.push(community_view(&v, c).await?);
    }
    Ok(Json(out))
}

async fn get_community(
    State(v): State<Verkosto>,
    Path(name): Path<String>,
    reader: crate::service::Reader,
) -> Result<impl IntoResponse> {
    let community = v.community_for(&name, &reader).await?;
    Ok(Json(community_view(&v, community).await?))
}

async fn update_community(
    State(v): State<Verkosto>,
    Authenticated(a): Authenticated,
    Path(name): Path<String>,
    ApiJson(change): ApiJson<CommunityUpdate>,
) -> Result<impl IntoResponse> {
    let community = v.update_community(&a, &name, change).await?;
    Ok(Json(community_view(&v, community).await?))
}

async fn add_manager(
    State(v): State<Verkosto>,
    Authenticated(a): Authenticated,
    Path((name, username)): Path<(String, String)>,
) -> Result<impl IntoResponse> {
    let membership = v.add_manager(&a, &name, &username).await?;
    Ok(Json(membership))
}

async fn remove_manager(
    State(v): State<Verkosto>,
    Authenticated(a): Authenticated,
    Path((name, username)): Path<(String, String)>,
) -> Result<StatusCode> {
    v.remove_manager(&a, &name, &username).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn follow_requests(
    State(v): State<Verkosto>,
    Authenticated(a): Authenticated,
    Path(name): Path<String>,
) -> Result<Json<Vec<Follower>>> {
    Ok(Json(v.follow_requests(&a, &name).await?))
}

async fn decide_follow_request(
    State(v): State<Verkosto>,
    Authenticated(a): Authenticated,
    Path((name, id, decision)): Path<(String, i64, String)>,
) -> Result<Json<Follower>> {
    let decision = if accepts(&decision)? {
        FollowRequestDecision::Accept
    } else {
        FollowRequestDecision::Reject
    };
    Ok(Json(
        v.decide_follow_request(&a, &name, id, decision).await?,
    ))
}

#[derive(Deserialize)]
struct HandleBody {
    handle: String,
}

#[derive(Serialize)]
struct FollowView {
    #[serde(flatten)]
    following: Following,
    target: RemoteActor,
}

async fn follow(
    State(v): State<Verkosto>,
    Authenticated(a): Authenticated,
    ApiJson(body): ApiJson<HandleBody>,
) -> Result<impl IntoResponse> {
    let (following, target) = v.follow(&a, &body.handle).await?;
    Ok((StatusCode::CREATED, Json(FollowView { following, target })))
}

async fn unfollow(
    State(v): State<Verkosto>,
    Authenticated(a): Authenticated,
    ApiJson(body): ApiJson<HandleBody>,
) -> Result<StatusCode> {
    v.unfollow(&a, &body.handle).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn list_follows(
    State(v): State<Verkosto>,
    Authenticated(a): Authenticated,
) -> Result<Json<Vec<Following>>> {
    Ok(Json(v.following(&a).await?))
}

#[derive(Deserialize)]
struct LookupQuery {
    handle: Option<String>,
}

async fn lookup(
    State(v): State<Verkosto>,
    Authenticated(_): Authenticated,
    super::params::ApiQuery(q): super::params::ApiQuery<LookupQuery>,
) -> Result<Json<RemoteActor>> {
    let handle = q
        .handle
        .ok_or_else(|| Error::invalid("handle", Refusal::Required))?;
    Ok(Json(v.lookup(&handle).await?))
}

#[derive(Deserialize)]
struct BlockBody {
    host: String,
    #[serde(default)]
    reason: Option<String>,
}

async fn block_domain(
    State(v): State<Verkosto>,
    Authenticated(a): Authenticated,
    ApiJson(body): ApiJson<BlockBody>,
) -> Result<impl IntoResponse> {
    let block = v
        .block_domain(&a, &body.host, body.reason.as_deref())
        .await?;
    Ok((StatusCode::CREATED, Json(block)))
}

async fn domain_blocks(
    State(v): State<Verkosto>,
    Authenticated(a): Authenticated,
) -> Result<Json<Vec<crate::store::blocks::DomainBlock>>> {
    Ok(Json(v.domain_blocks(Some(&a)).await?))
}

async fn unblock_domain(
    State(v): State<Verkosto>,
    Authenticated(a): Authenticated,
    Path(host): Path<String>,
) -> Result<StatusCode> {
    v.unblock_domain(Some(&a), &host).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
struct Period {
    from: Option<String>,
    to: Option<String>,
}

/// A community's impact figures for `from`..`to` (RFC 3339; the last 30 days by default), beside the
/// previous period's (issue 16). Its managers only.
async fn insights(
    State(v): State<Verkosto>,
    Authenticated(a): Authenticated,
    Path(name): Path<String>,
    super::params::ApiQuery(period): super::params::ApiQuery<Period>,
) -> Result<Json<crate::service::Insights>> {
    let from = super::params::rfc3339("from", period.from.as_deref())?;
    let to = super::params::rfc3339("to", period.to.as_deref())?;
    Ok(Json(v.insights(&a, &name, from, to).await?))
}

/// A secret link to the community's report for `from`..`to` (RFC 3339 in the JSON body; the last 30
/// days by default): its `url` is in this answer only.
async fn create_report(
    State(v): State<Verkosto>,
    Authenticated(a): Authenticated,
    Path(name): Path<String>,
    ApiJson(period): ApiJson<Period>,
) -> Result<impl IntoResponse> {
    let from = super::params::rfc3339("from", period.from.as_deref())?;
    let to = super::params::rfc3339("to", period.to.as_deref())?;
    let made = v.create_report_link(&a, &name, from, to).await?;
    Ok((StatusCode::CREATED, Json(made)))
}

/// The community's live report links (their periods, not their secrets).
async fn list_reports(
    State(v): State<Verkosto>,
    Authenticated(a): Authenticated,
    Path(name): Path<String>,
) -> Result<impl IntoResponse> {
    Ok(Json(v.report_links(&a, &name).await?))
}

/// Revokes a report link: its address answers 404 from now on.
async fn revoke_report(
    State(v): State<Verkosto>,
    Authenticated(a): Authenticated,
    Path((name, id)): Path<(String, i64)>,
) -> Result<StatusCode> {
    v.revoke_report_link(&a, &name, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
