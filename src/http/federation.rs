//! Federation endpoints: actors, inboxes, collections, WebFinger, NodeInfo.

use axum::{
    Json, Router,
    body::Body,
    extract::{Path, Request, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use serde::Deserialize;
use serde_json::Value;

use super::params::ApiQuery;
use super::wants_activity_json;
use crate::apub::{self, actor, collections, webfinger};
use crate::error::{Error, Result};
use crate::model::FollowState;
use crate::service::{Reader, Verkosto};
use crate::store;
use crate::urls::{LocalUrls, Part};

pub(super) fn routes() -> Router<Verkosto> {
    Router::new()
        .route("/.well-known/webfinger", get(webfinger_query))
        .route("/.well-known/nodeinfo", get(nodeinfo_discovery))
        .route("/nodeinfo/{version}", get(nodeinfo))
        .route("/actor", get(instance_actor))
        .route("/actor/inbox", post(inbox))
        .route("/actor/outbox", get(instance_outbox))
        .route("/actor/followers", get(instance_followers))
        .route("/inbox", post(inbox))
        .route("/c/{name}", get(community_actor))
        .route("/c/{name}/inbox", post(inbox))
        .route("/c/{name}/followers", get(community_followers))
        .route("/c/{name}/outbox", get(community_outbox))
        .route("/c/{name}/moderators", get(community_moderators))
        .route("/u/{name}", get(account_actor))
        .route("/u/{name}/inbox", post(inbox))
        .route("/u/{name}/followers", get(account_followers))
        .route("/u/{name}/outbox", get(account_outbox))
        .route("/activities/{id}", get(activity))
        .route("/q/{id}", get(question))
}

/// A document served as `application/activity+json`.
pub(super) fn activity_json(value: impl serde::Serialize) -> Response {
    let mut response = Json(value).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(apub::activities::CONTENT_TYPE),
    );
    response
        .headers_mut()
        .insert(header::VARY, HeaderValue::from_static("Accept"));
    response
}

#[derive(Deserialize)]
struct WebfingerQuery {
    resource: Option<String>,
}

async fn webfinger_query(
    State(v): State<Verkosto>,
    ApiQuery(q): ApiQuery<WebfingerQuery>,
) -> Result<Response> {
    let resource = q
        .resource
        .ok_or_else(|| Error::BadRequest("the resource query parameter is required".into()))?;
    let answer = webfinger::lookup(v.state(), &resource).await?;
    let mut response = Json(answer).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(webfinger::JRD_CONTENT_TYPE),
    );
    Ok(response)
}

async fn nodeinfo_discovery(State(v): State<Verkosto>) -> Json<Value> {
    Json(apub::nodeinfo::discovery(v.state()))
}

async fn nodeinfo(State(v): State<Verkosto>, Path(version): Path<String>) -> Result<Response> {
    let version = match version.as_str() {
        "2.0" | "2.0.json" => "2.0",
        "2.1" | "2.1.json" => "2.1",
        _ => return Err(Error::NotFound(format!("NodeInfo version {version}"))),
    };
    let doc = apub::nodeinfo::document(v.state(), version).await?;
    let mut response = Json(doc).into_response();
    let ct = format!(
        "application/json; profile=\"http://nodeinfo.diaspora.software/ns/schema/{version}#\""
    );
    if let Ok(value) = HeaderValue::from_str(&ct) {
        response.headers_mut().insert(header::CONTENT_TYPE, value);
    }
    Ok(response)
}

async fn instance_actor(State(v): State<Verkosto>) -> crate::Result<Response> {
    let keys = v.state().instance_keys.get().await?;
    let doc = actor::application_document(v.state(), &keys.pair.public_key_pem);
    Ok(activity_json(
        activitypub_federation::protocol::context::WithContext::new(doc, apub::context::context()),
    ))
}

/// The instance actor's outbox: the `Announce`s of its relay (issue 20).
async fn instance_outbox(
    State(v): State<Verkosto>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Response> {
    outbox_collection(&v, actor::instance_id(v.state()), q.page).await
}

/// Who follows the instance actor (accepted).
async fn instance_followers(
    State(v): State<Verkosto>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Response> {
    followers_collection(&v, actor::instance_id(v.state()), q.page).await
}

async fn inbox(State(v): State<Verkosto>, request: Request<Body>) -> Result<StatusCode> {
    let received = crate::service::inbox::receive(&v, request).await?;
    Ok(received.status())
}

async fn community_actor(
    State(v): State<Verkosto>,
    Path(name): Path<String>,
    reader: Reader,
    headers: HeaderMap,
) -> Result<Response> {
    let result = community_actor_or_error(&v, &name, &reader, &headers).await;
    super::for_browser(&v, &headers, result).await
}

async fn community_actor_or_error(
    v: &Verkosto,
    name: &str,
    reader: &Reader,
    headers: &HeaderMap,
) -> Result<Response> {
    if !wants_activity_json(headers) {
        let community = v.community_for(name, reader).await?;
        return Ok(crate::web::public::community_page(v, headers, community)
            .await
            .unwrap_or_else(IntoResponse::into_response));
    }
    let community = v.community_actor_for(name, reader).await?;
    let keys = {
        let mut c = v.db().acquire().await?;
        store::communities::keys(&mut c.conn(), community.id).await?
    };
    let doc = actor::group_document(v.state(), &community, &keys.public_key_pem);
    Ok(activity_json(
        activitypub_federation::protocol::context::WithContext::new(doc, apub::context::context()),
    ))
}

async fn account_actor(
    State(v): State<Verkosto>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Result<Response> {
    let result = account_actor_or_error(State(v.clone()), Path(name), headers.clone()).await;
    super::for_browser(&v, &headers, result).await
}

async fn account_actor_or_error(
    State(v): State<Verkosto>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Result<Response> {
    let account = v.account(&name).await?;
    if !wants_activity_json(&headers) {
        return Ok(crate::web::public::person_page(&v, &headers, account)
            .await
            .unwrap_or_else(IntoResponse::into_response));
    }
    let keys = {
        let mut c = v.db().acquire().await?;
        store::accounts::keys(&mut c.conn(), account.id).await?
    };
    let doc = actor::person_document(v.state(), &account, &keys.public_key_pem);
    Ok(activity_json(
        activitypub_federation::protocol::context::WithContext::new(doc, apub::context::context()),
    ))
}

#[derive(Deserialize)]
struct PageQuery {
    page: Option<i64>,
}

async fn followers_collection(
    v: &Verkosto,
    target: url::Url,
    page: Option<i64>,
) -> Result<Response> {
    let id = LocalUrls::part(&target, Part::Followers);
    let mut c = v.db().acquire().await?;
    let total =
        store::follows::count_followers(&mut c.conn(), target.as_str(), FollowState::Accepted)
            .await?;
    let Some(page) = super::params::page(page)? else {
        return Ok(activity_json(collections::collection(&id, total)));
    };
    let rows = store::follows::followers(
        &mut c.conn(),
        target.as_str(),
        FollowState::Accepted,
        collections::PAGE_SIZE,
        (page - 1).saturating_mul(collections::PAGE_SIZE),
    )
    .await?;
    let items = rows
        .into_iter()
        .map(|f| Value::String(f.follower_ap_id.to_string()))
        .collect();
    Ok(activity_json(collections::page(&id, page, total, items)))
}

async fn outbox_collection(v: &Verkosto, owner: url::Url, page: Option<i64>) -> Result<Response> {
    let id = LocalUrls::part(&owner, Part::Outbox);
    let mut c = v.db().acquire().await?;
    let total = store::outbox::count_public(&mut c.conn(), owner.as_str()).await?;
    let Some(page) = super::params::page(page)? else {
        return Ok(activity_json(collections::collection(&id, total)));
    };
    let rows = store::outbox::public_page(
        &mut c.conn(),
        owner.as_str(),
        collections::PAGE_SIZE,
        (page - 1).saturating_mul(collections::PAGE_SIZE),
    )
    .await?;
    let items = rows
        .iter()
        .filter_map(|body| serde_json::from_str::<Value>(body).ok())
        .map(|mut v| {
            if let Some(o) = v.as_object_mut() {
                o.remove("@context");
            }
            v
        })
        .collect();
    Ok(activity_json(collections::page(&id, page, total, items)))
}

async fn community_followers(
    State(v): State<Verkosto>,
    Path(name): Path<String>,
    reader: Reader,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Response> {
    let community = v.community_for(&name, &reader).await?;
    followers_collection(&v, actor::community_id(v.state(), &community.name), q.page).await
}

async fn community_outbox(
    State(v): State<Verkosto>,
    Path(name): Path<String>,
    reader: Reader,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Response> {
    let community = v.community_for(&name, &reader).await?;
    outbox_collection(&v, actor::community_id(v.state(), &community.name), q.page).await
}

async fn community_moderators(
    State(v): State<Verkosto>,
    Path(name): Path<String>,
    reader: Reader,
) -> Result<Response> {
    let community = v.community_for(&name, &reader).await?;
    let managers = v.community_managers(&community).await?;
    let id = v
        .state()
        .urls()
        .community_part(&community.name, Part::Moderators);
    let items: Vec<Value> = actor::manager_ids(v.state(), &managers)
        .into_iter()
        .map(|u| Value::String(u.to_string()))
        .collect();
    Ok(activity_json(serde_json::json!({
        "@context": apub::context::context(),
        "type": "OrderedCollection",
        "id": id,
        "totalItems": items.len(),
        "orderedItems": items,
    })))
}

async fn account_followers(
    State(v): State<Verkosto>,
    Path(name): Path<String>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Response> {
    let account = v.account(&name).await?;
    followers_collection(&v, actor::account_id(v.state(), &account.username), q.page).await
}

async fn account_outbox(
    State(v): State<Verkosto>,
    Path(name): Path<String>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Response> {
    let account = v.account(&name).await?;
    outbox_collection(&v, actor::account_id(v.state(), &account.username), q.page).await
}

async fn activity(State(v): State<Verkosto>, Path(id): Path<String>) -> Result<Response> {
    let ap_id = v.state().urls().activity(&id);
    let mut c = v.db().acquire().await?;
    let body = store::outbox::find_public(&mut c.conn(), ap_id.as_str())
        .await?
        .ok_or_else(|| Error::NotFound(format!("activity {id}")))?;
    let value: Value = serde_json::from_str(&body).map_err(|e| Error::Internal(e.to_string()))?;
    Ok(activity_json(value))
}

/// A feedback poll as one participant was sent it, with the votes so far (Mastodon refetches a poll
/// to show its results). Its id is random: only its recipient and we know it.
async fn question(
    State(v): State<Verkosto>,
    Path(id): Path<String>,
    reader: Reader,
) -> Result<Response> {
    let mut doc = v.question_document(&id, &reader).await?;
    if let Some(map) = doc.as_object_mut() {
        map.insert("@context".into(), apub::context::context());
    }
    Ok(activity_json(doc))
}
