//! Announcements and networks in the client API; their ActivityPub documents and the Atom feed.

use super::accepts;
use axum::{
    Json, Router,
    extract::{Path, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use serde::Deserialize;

use super::{ApiJson, Authenticated, wants_activity_json};
use crate::apub::{actor, note};
use crate::error::{Refusal, Result};
use crate::model::{
    Announcement, AnnouncementUpdate, NetworkMember, NetworkMembership, NewAnnouncement,
};
use crate::service::{Reader, Verkosto};
use crate::urls::Part;

/// API routes (nested under `/api/v1`).
pub(super) fn api_routes() -> Router<Verkosto> {
    Router::new()
        .route("/communities/{name}/announcements", post(create).get(list))
        .route(
            "/announcements/{id}",
            get(read).patch(update).delete(delete),
        )
        .route(
            "/communities/{name}/networks",
            post(join_network).get(networks).delete(leave_network),
        )
        .route("/communities/{name}/member-requests", get(member_requests))
        .route(
            "/communities/{name}/member-requests/{id}/{decision}",
            post(decide_member),
        )
        .route("/communities/{name}/members", get(members))
        .route(
            "/communities/{name}/members/{id}",
            axum::routing::delete(remove_member),
        )
        .route("/communities/{name}/directory", get(directory))
}

/// Public routes.
pub(super) fn public_routes() -> Router<Verkosto> {
    Router::new()
        .route("/a/{id}", get(document))
        .route("/c/{name}/feed.atom", get(atom))
        .route("/c/{name}/members", get(members_collection))
        .route("/c/{name}/members.geojson", get(geojson))
}

async fn create(
    State(v): State<Verkosto>,
    Authenticated(a): Authenticated,
    Path(name): Path<String>,
    ApiJson(new): ApiJson<NewAnnouncement>,
) -> Result<impl IntoResponse> {
    Ok((
        StatusCode::CREATED,
        Json(v.create_announcement(&a, &name, new).await?),
    ))
}

#[derive(Deserialize)]
struct Paging {
    limit: Option<i64>,
    offset: Option<i64>,
}

async fn list(
    State(v): State<Verkosto>,
    Path(name): Path<String>,
    reader: Reader,
    super::params::ApiQuery(p): super::params::ApiQuery<Paging>,
) -> Result<Json<Vec<Announcement>>> {
    Ok(Json(
        v.announcements(
            &name,
            &reader,
            super::params::limit(p.limit, 20)?,
            super::params::offset(p.offset)?,
        )
        .await?,
    ))
}

async fn read(
    State(v): State<Verkosto>,
    Path(id): Path<String>,
    reader: Reader,
) -> Result<Json<Announcement>> {
    Ok(Json(v.announcement_for(&id, &reader).await?))
}

async fn update(
    State(v): State<Verkosto>,
    Authenticated(a): Authenticated,
    Path(id): Path<String>,
    ApiJson(change): ApiJson<AnnouncementUpdate>,
) -> Result<Json<Announcement>> {
    Ok(Json(v.update_announcement(&a, &id, change).await?))
}

async fn delete(
    State(v): State<Verkosto>,
    Authenticated(a): Authenticated,
    Path(id): Path<String>,
) -> Result<StatusCode> {
    v.delete_announcement(&a, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
struct HandleBody {
    handle: String,
}

async fn join_network(
    State(v): State<Verkosto>,
    Authenticated(a): Authenticated,
    Path(name): Path<String>,
    ApiJson(body): ApiJson<HandleBody>,
) -> Result<impl IntoResponse> {
    Ok((
        StatusCode::CREATED,
        Json(v.join_network(&a, &name, &body.handle).await?),
    ))
}

async fn networks(
    State(v): State<Verkosto>,
    Path(name): Path<String>,
    reader: Reader,
) -> Result<Json<Vec<NetworkMembership>>> {
    v.community_for(&name, &reader).await?;
    Ok(Json(v.community_networks(&name).await?))
}

async fn leave_network(
    State(v): State<Verkosto>,
    Authenticated(a): Authenticated,
    Path(name): Path<String>,
    ApiJson(body): ApiJson<HandleBody>,
) -> Result<StatusCode> {
    v.leave_network(&a, &name, &body.handle).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn member_requests(
    State(v): State<Verkosto>,
    Authenticated(a): Authenticated,
    Path(name): Path<String>,
) -> Result<Json<Vec<NetworkMember>>> {
    Ok(Json(v.member_requests(&a, &name).await?))
}

async fn decide_member(
    State(v): State<Verkosto>,
    Authenticated(a): Authenticated,
    Path((name, id, decision)): Path<(String, i64, String)>,
) -> Result<Json<NetworkMember>> {
    let accept = accepts(&decision)?;
    Ok(Json(v.decide_member_request(&a, &name, id, accept).await?))
}

async fn members(
    State(v): State<Verkosto>,
    Path(name): Path<String>,
    reader: Reader,
) -> Result<Json<Vec<NetworkMember>>> {
    v.community_for(&name, &reader).await?;
    Ok(Json(v.network_members(&name).await?))
}

async fn remove_member(
    State(v): State<Verkosto>,
    Authenticated(a): Authenticated,
    Path((name, id)): Path<(String, i64)>,
) -> Result<StatusCode> {
    v.remove_member(&a, &name, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn document(
    State(v): State<Verkosto>,
    Path(id): Path<String>,
    reader: Reader,
    headers: HeaderMap,
) -> Result<Response> {
    let result = document_or_error(&v, id, &reader, &headers).await;
    super::for_browser(&v, &headers, result).await
}

async fn document_or_error(
    v: &Verkosto,
    id: String,
    reader: &Reader,
    headers: &HeaderMap,
) -> Result<Response> {
    let a = v.announcement_for(&id, reader).await?;
    if !a.local {
        return Err(Refusal::NoSuchAnnouncement { id }.into());
    }
    if !wants_activity_json(headers) {
        return Ok(crate::web::public::announcement_page(v, headers, a)
            .await
            .unwrap_or_else(IntoResponse::into_response));
    }
    Ok(super::federation::activity_json(note::announcement_to_ap(
        v.state(),
        &a,
    )))
}

async fn atom(State(v): State<Verkosto>, Path(name): Path<String>) -> Result<Response> {
    use atom_syndication::{Content, Entry, Feed, Link, Person, Text};
    // A public feed: public communities' public announcements only.
    let community = v.community_for(&name, &Reader::Anonymous).await?;
    let items = v.announcements(&name, &Reader::Anonymous, 50, 0).await?;
    let self_url = v.state().urls().community_atom(&name);
    let page = actor::community_id(v.state(), &community.name);
    let updated = items
        .iter()
        .map(|a| a.updated_at)
        .max()
        .unwrap_or(community.updated_at);
    let entries: Vec<Entry> = items
        .iter()
        .map(|a| Entry {
            id: a.ap_id.to_string(),
            title: Text::plain(a.title.clone().unwrap_or_else(|| {
                let plain = ammonia::Builder::empty().clean(&a.content_html).to_string();
                plain.chars().take(80).collect()
            })),
            updated: a.updated_at.fixed_offset(),
            published: Some(a.published_at.fixed_offset()),
            links: vec![Link {
                href: a.ap_id.to_string(),
                rel: "alternate".into(),
                ..Default::default()
            }],
            content: Some(Content {
                value: Some(a.content_html.clone()),
                content_type: Some("html".into()),
                ..Default::default()
            }),
            ..Default::default()
        })
        .collect();
    let feed = Feed {
        id: self_url.to_string(),
        title: Text::plain(community.display_name.clone()),
        updated: updated.fixed_offset(),
        authors: vec![Person {
            name: community.display_name.clone(),
            uri: Some(page.to_string()),
            ..Default::default()
        }],
        links: vec![
            Link {
                href: self_url.to_string(),
                rel: "self".into(),
                ..Default::default()
            },
            Link {
                href: page.to_string(),
                rel: "alternate".into(),
                ..Default::default()
            },
        ],
        entries,
        ..Default::default()
    };
    let mut response = feed.to_string().into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/atom+xml; charset=utf-8"),
    );
    Ok(response)
}

async fn members_collection(
    State(v): State<Verkosto>,
    Path(name): Path<String>,
    reader: Reader,
) -> Result<Response> {
    v.community_for(&name, &reader).await?;
    let members = v.network_members(&name).await?;
    let id = v.state().urls().community_part(&name, Part::Members);
    let items: Vec<serde_json::Value> = members
        .iter()
        .map(|m| serde_json::json!(m.member_ap_id))
        .collect();
    Ok(super::federation::activity_json(serde_json::json!({
        "@context": crate::apub::context::context(),
        "type": "OrderedCollection", "id": id, "totalItems": items.len(), "orderedItems": items,
    })))
}

async fn directory(
    State(v): State<Verkosto>,
    Path(name): Path<String>,
    reader: Reader,
) -> Result<Json<Vec<crate::service::DirectoryEntry>>> {
    v.community_for(&name, &reader).await?;
    Ok(Json(v.network_directory(&name).await?))
}

/// The member directory as GeoJSON (RFC 7946), for a map of the network's spaces.
async fn geojson(
    State(v): State<Verkosto>,
    Path(name): Path<String>,
    reader: Reader,
) -> Result<Response> {
    v.community_for(&name, &reader).await?;
    let entries = v.network_directory(&name).await?;
    let features: Vec<serde_json::Value> = entries
        .iter()
        .map(|e| {
            let geometry = match (e.longitude, e.latitude) {
                (Some(lon), Some(lat)) => serde_json::json!({ "type": "Point", "coordinates": [lon, lat] }),
                _ => serde_json::Value::Null,
            };
            serde_json::json!({
                "type": "Feature",
                "geometry": geometry,
                "properties": { "id": e.ap_id, "handle": e.handle, "name": e.name, "location": e.location },
            })
        })
        .collect();
    let mut response =
        Json(serde_json::json!({ "type": "FeatureCollection", "features": features }))
            .into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/geo+json"),
    );
    Ok(response)
}
