//! Actors: a community is a `Group`, a local account a `Person`, the instance an `Application`
//! (FEP-2677). Remote actors of any type are read into [`RemoteActor`] and cached.

use activitypub_federation::{
    config::Data,
    fetch::object_id::ObjectId,
    protocol::{
        helpers::deserialize_skip_error, public_key::PublicKey, verification::verify_domains_match,
    },
    traits::{Actor, Object},
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use url::Url;

use crate::error::{Error, Result};
use crate::model::{Account, ActorKind, Community, KeyPair, Membership, RemoteActor};
use crate::service::AppState;
use crate::service::sanitize;
use crate::store;

/// The id of a local community.
pub fn community_id(state: &AppState, name: &str) -> Url {
    state.url(&format!("/c/{name}"))
}

/// The id of a local account.
pub fn account_id(state: &AppState, username: &str) -> Url {
    state.url(&format!("/u/{username}"))
}

/// The id of the instance actor.
pub fn instance_id(state: &AppState) -> Url {
    state.url("/actor")
}

/// `endpoints` of an actor.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Endpoints {
    /// The instance-wide inbox.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "deserialize_skip_error"
    )]
    pub shared_inbox: Option<Url>,
}

/// An image reference (`icon`, `image`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ImageRef {
    /// Always `Image`.
    #[serde(rename = "type", default = "image_type")]
    pub kind: String,
    /// Where the image is.
    pub url: Url,
}

fn image_type() -> String {
    "Image".into()
}

/// A `Hashtag` tag.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Hashtag {
    /// Always `Hashtag`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `#name`.
    pub name: String,
    /// The tag's page.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "deserialize_skip_error"
    )]
    pub href: Option<Url>,
}

/// A named place (`location`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PlaceRef {
    /// Always `Place`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The place as free text.
    #[serde(default)]
    pub name: String,
    /// Latitude.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "deserialize_skip_error"
    )]
    pub latitude: Option<f64>,
    /// Longitude.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "deserialize_skip_error"
    )]
    pub longitude: Option<f64>,
}

/// The wire shape of every actor type we serve or read. Unknown or malformed optional fields of remote
/// documents are skipped rather than failing the whole actor.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActorDocument {
    /// `Group`, `Person`, `Application`, `Service` or `Organization`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The actor's id.
    pub id: Url,
    /// The handle's name part.
    pub preferred_username: String,
    /// Shown name.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "deserialize_skip_error"
    )]
    pub name: Option<String>,
    /// HTML about the actor.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "deserialize_skip_error"
    )]
    pub summary: Option<String>,
    /// Its web page.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "deserialize_skip_error"
    )]
    pub url: Option<Url>,
    /// Its inbox.
    pub inbox: Url,
    /// Its outbox.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "deserialize_skip_error"
    )]
    pub outbox: Option<Url>,
    /// Its followers collection.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "deserialize_skip_error"
    )]
    pub followers: Option<Url>,
    /// Its following collection.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "deserialize_skip_error"
    )]
    pub following: Option<Url>,
    /// Its endpoints (shared inbox).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "deserialize_skip_error"
    )]
    pub endpoints: Option<Endpoints>,
    /// Its signing key.
    pub public_key: PublicKey,
    /// Avatar.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "deserialize_skip_error"
    )]
    pub icon: Option<ImageRef>,
    /// Header image.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "deserialize_skip_error"
    )]
    pub image: Option<ImageRef>,
    /// When it was created.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "deserialize_skip_error"
    )]
    pub published: Option<DateTime<Utc>>,
    /// When it last changed.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "deserialize_skip_error"
    )]
    pub updated: Option<DateTime<Utc>>,
    /// Whether follows wait for approval.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "deserialize_skip_error"
    )]
    pub manually_approves_followers: Option<bool>,
    /// For groups: the moderators collection (FEP-1b12, as Lemmy does).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "deserialize_skip_error"
    )]
    pub attributed_to: Option<Url>,
    /// For groups: the moderators collection under Lemmy's own term.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "deserialize_skip_error"
    )]
    pub moderators: Option<Url>,
    /// Listed in directories.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "deserialize_skip_error"
    )]
    pub discoverable: Option<bool>,
    /// Hashtags.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "deserialize_skip_error"
    )]
    pub tag: Vec<Hashtag>,
    /// Where the community is.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "deserialize_skip_error"
    )]
    pub location: Option<PlaceRef>,
    /// For networks: the member communities (as Mobilizon's `members`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "deserialize_skip_error"
    )]
    pub members: Option<Url>,
    /// Upcoming events (FEP-8a8e).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "deserialize_skip_error"
    )]
    pub upcoming_events: Option<Url>,
    /// Verkosto's kind of community (`coworking`, `network`, ...).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "deserialize_skip_error"
    )]
    pub community_kind: Option<String>,
}

fn public_key(owner: &Url, pem: &str) -> PublicKey {
    PublicKey {
        id: format!("{owner}#main-key"),
        owner: owner.clone(),
        public_key_pem: pem.to_string(),
    }
}

fn base_document(
    state: &AppState,
    kind: &str,
    id: Url,
    username: &str,
    public_key_pem: &str,
) -> ActorDocument {
    ActorDocument {
        kind: kind.into(),
        preferred_username: username.into(),
        name: None,
        summary: None,
        url: None,
        inbox: Url::parse(&format!("{id}/inbox")).unwrap_or_else(|_| state.url("/inbox")),
        outbox: Url::parse(&format!("{id}/outbox")).ok(),
        followers: Url::parse(&format!("{id}/followers")).ok(),
        following: None,
        endpoints: Some(Endpoints {
            shared_inbox: Some(state.url("/inbox")),
        }),
        public_key: public_key(&id, public_key_pem),
        icon: None,
        image: None,
        published: None,
        updated: None,
        manually_approves_followers: Some(false),
        attributed_to: None,
        moderators: None,
        discoverable: Some(true),
        tag: vec![],
        location: None,
        members: None,
        upcoming_events: None,
        community_kind: None,
        id,
    }
}

/// The `Group` document of a local community.
pub fn group_document(
    state: &AppState,
    community: &Community,
    keys_public_pem: &str,
) -> ActorDocument {
    let id = community_id(state, &community.name);
    let moderators = Url::parse(&format!("{id}/moderators")).ok();
    let mut doc = base_document(state, "Group", id.clone(), &community.name, keys_public_pem);
    doc.name = Some(community.display_name.clone());
    doc.summary = Some(community.summary.clone());
    doc.url = Some(id.clone());
    doc.icon = community.icon_url.clone().map(|url| ImageRef {
        kind: image_type(),
        url,
    });
    doc.image = community.banner_url.clone().map(|url| ImageRef {
        kind: image_type(),
        url,
    });
    doc.published = Some(community.created_at);
    doc.updated = Some(community.updated_at);
    doc.manually_approves_followers =
        Some(community.follow_policy == crate::model::FollowPolicy::Approval);
    doc.attributed_to = moderators.clone();
    doc.moderators = moderators;
    doc.tag = community
        .tags
        .iter()
        .map(|t| Hashtag {
            kind: "Hashtag".into(),
            name: format!("#{t}"),
            href: Some(state.url(&format!("/tags/{t}"))),
        })
        .collect();
    if community.location.is_some() || community.latitude.is_some() {
        doc.location = Some(PlaceRef {
            kind: "Place".into(),
            name: community.location.clone().unwrap_or_default(),
            latitude: community.latitude,
            longitude: community.longitude,
        });
    }
    doc.community_kind = Some(community.kind.to_string());
    doc.upcoming_events = Url::parse(&format!("{id}/upcoming")).ok();
    if community.kind == crate::model::CommunityKind::Network {
        doc.members = Url::parse(&format!("{id}/members")).ok();
    }
    doc
}

/// The `Person` document of a local account.
pub fn person_document(state: &AppState, account: &Account, public_key_pem: &str) -> ActorDocument {
    let id = account_id(state, &account.username);
    let mut doc = base_document(
        state,
        "Person",
        id.clone(),
        &account.username,
        public_key_pem,
    );
    doc.name = Some(
        account
            .display_name
            .clone()
            .unwrap_or_else(|| account.username.clone()),
    );
    doc.summary = account.summary.clone();
    doc.url = Some(id.clone());
    doc.following = Url::parse(&format!("{id}/following")).ok();
    doc.published = Some(account.created_at);
    doc
}

/// The `Application` document of the instance actor (FEP-2677).
pub fn application_document(state: &AppState) -> ActorDocument {
    let id = instance_id(state);
    let mut doc = base_document(
        state,
        "Application",
        id.clone(),
        &state.settings.domain,
        &state.instance_keys.public_key_pem,
    );
    doc.name = Some(format!("Verkosto at {}", state.settings.domain));
    doc.url = Some(state.url("/"));
    doc.followers = None;
    doc.manually_approves_followers = Some(true);
    doc.discoverable = Some(false);
    doc
}

/// The instance actor, which signs our fetches (Mastodon's authorized fetch requires signed GETs).
#[derive(Debug, Clone)]
pub struct InstanceActor {
    id: Url,
    keys: KeyPair,
}

impl InstanceActor {
    /// The instance actor of `state`.
    pub fn new(state: &AppState) -> Self {
        InstanceActor {
            id: instance_id(state),
            keys: (*state.instance_keys).clone(),
        }
    }
}

#[async_trait]
impl Object for InstanceActor {
    type DataType = AppState;
    type Kind = ActorDocument;
    type Error = Error;

    fn id(&self) -> &Url {
        &self.id
    }

    async fn read_from_id(id: Url, data: &Data<AppState>) -> Result<Option<Self>> {
        Ok((id == instance_id(data)).then(|| InstanceActor::new(data)))
    }

    async fn into_json(self, data: &Data<AppState>) -> Result<ActorDocument> {
        Ok(application_document(data))
    }

    async fn verify(
        _json: &ActorDocument,
        _expected_domain: &Url,
        _data: &Data<AppState>,
    ) -> Result<()> {
        Err(Error::Forbidden("the instance actor is local".into()))
    }

    async fn from_json(_json: ActorDocument, _data: &Data<AppState>) -> Result<Self> {
        Err(Error::Forbidden("the instance actor is local".into()))
    }
}

impl Actor for InstanceActor {
    fn public_key_pem(&self) -> &str {
        &self.keys.public_key_pem
    }

    fn private_key_pem(&self) -> Option<String> {
        Some(self.keys.private_key_pem.clone())
    }

    fn inbox(&self) -> Url {
        Url::parse(&format!("{}/inbox", self.id)).unwrap_or_else(|_| self.id.clone())
    }
}

/// The host (and port, when not the default) of a URL, lowercased and without a trailing dot: the
/// form every origin comparison uses.
pub fn normalized_host(url: &Url) -> Option<String> {
    let host = url.host_str()?.trim_end_matches('.').to_ascii_lowercase();
    Some(match url.port() {
        Some(p) => format!("{host}:{p}"),
        None => host,
    })
}

/// Checks that a URL a remote actor gave us is safe to deliver to: http(s), a host name (the signing
/// library panics on IP-address hosts), and on the actor's own host.
fn check_actor_url(field: &'static str, url: &Url, actor_id: &Url) -> Result<()> {
    if !matches!(url.scheme(), "http" | "https") || url.domain().is_none() {
        return Err(Error::invalid(
            field,
            "must be an http(s) URL with a host name",
        ));
    }
    if normalized_host(url) != normalized_host(actor_id) {
        return Err(Error::invalid(field, "must be on the actor's own host"));
    }
    Ok(())
}

#[async_trait]
impl Object for RemoteActor {
    type DataType = AppState;
    type Kind = ActorDocument;
    type Error = Error;

    fn id(&self) -> &Url {
        &self.ap_id
    }

    fn last_refreshed_at(&self) -> Option<DateTime<Utc>> {
        Some(self.fetched_at)
    }

    async fn read_from_id(id: Url, data: &Data<AppState>) -> Result<Option<Self>> {
        let mut c = data.db.acquire().await?;
        store::remote_actors::find_by_ap_id(&mut c.conn(), id.as_str()).await
    }

    async fn delete(&self, data: &Data<AppState>) -> Result<()> {
        let mut c = data.db.acquire().await?;
        store::remote_actors::delete(&mut c.conn(), self.ap_id.as_str()).await
    }

    async fn into_json(self, _data: &Data<AppState>) -> Result<ActorDocument> {
        Err(Error::Internal("remote actors are not served by us".into()))
    }

    async fn verify(
        json: &ActorDocument,
        expected_domain: &Url,
        _data: &Data<AppState>,
    ) -> Result<()> {
        verify_domains_match(&json.id, expected_domain).map_err(|_| {
            Error::Remote(format!(
                "actor {} is not on the host it was fetched from",
                json.id
            ))
        })?;
        json.kind
            .parse::<ActorKind>()
            .map_err(|e| Error::Remote(format!("actor {}: {e}", json.id)))?;
        check_actor_url("inbox", &json.inbox, &json.id)
            .map_err(|e| Error::Remote(format!("actor {}: {e}", json.id)))?;
        if let Some(shared) = json
            .endpoints
            .as_ref()
            .and_then(|e| e.shared_inbox.as_ref())
        {
            check_actor_url("sharedInbox", shared, &json.id)
                .map_err(|e| Error::Remote(format!("actor {}: {e}", json.id)))?;
        }
        if json.public_key.owner != json.id {
            return Err(Error::Remote(format!(
                "actor {}: its key belongs to {}",
                json.id, json.public_key.owner
            )));
        }
        if json.preferred_username.is_empty() || json.preferred_username.len() > 200 {
            return Err(Error::Remote(format!(
                "actor {}: preferredUsername missing or too long",
                json.id
            )));
        }
        Ok(())
    }

    async fn from_json(json: ActorDocument, data: &Data<AppState>) -> Result<Self> {
        let kind = json.kind.parse::<ActorKind>().map_err(Error::Remote)?;
        let domain = normalized_host(&json.id)
            .ok_or_else(|| Error::Remote("actor id without host".into()))?;
        let actor = RemoteActor {
            id: 0,
            kind,
            username: json.preferred_username,
            domain,
            display_name: json.name.map(|n| n.chars().take(200).collect()),
            summary: json
                .summary
                .map(|s| sanitize::html(&s.chars().take(20_000).collect::<String>())),
            inbox: json.inbox,
            shared_inbox: json.endpoints.and_then(|e| e.shared_inbox),
            outbox: json.outbox,
            followers_url: json.followers,
            url: json.url,
            icon_url: json.icon.map(|i| i.url),
            location_name: json
                .location
                .as_ref()
                .map(|l| l.name.clone())
                .filter(|n| !n.is_empty()),
            latitude: json
                .location
                .as_ref()
                .and_then(|l| l.latitude)
                .filter(|v| (-90.0..=90.0).contains(v)),
            longitude: json
                .location
                .as_ref()
                .and_then(|l| l.longitude)
                .filter(|v| (-180.0..=180.0).contains(v)),
            public_key_id: json.public_key.id,
            public_key_pem: json.public_key.public_key_pem,
            manually_approves_followers: json.manually_approves_followers.unwrap_or(false),
            fetched_at: store::now(),
            ap_id: json.id,
        };
        let mut c = data.db.acquire().await?;
        store::remote_actors::upsert(&mut c.conn(), &actor).await
    }
}

impl Actor for RemoteActor {
    fn public_key_pem(&self) -> &str {
        &self.public_key_pem
    }

    fn private_key_pem(&self) -> Option<String> {
        None
    }

    fn inbox(&self) -> Url {
        self.inbox.clone()
    }

    fn shared_inbox(&self) -> Option<Url> {
        self.shared_inbox.clone()
    }
}

/// Fetches (or reads from cache) the remote actor with this id.
pub async fn resolve_remote(data: &Data<AppState>, id: &Url) -> Result<RemoteActor> {
    ObjectId::<RemoteActor>::from(id.clone())
        .dereference(data)
        .await
}

/// Fetches the remote actor again from its origin, ignoring the cache.
pub async fn refetch_remote(data: &Data<AppState>, id: &Url) -> Result<RemoteActor> {
    ObjectId::<RemoteActor>::from(id.clone())
        .dereference_forced(data)
        .await
}

/// What a moderators collection lists: the managers' actor ids.
pub fn manager_ids(state: &AppState, managers: &[Membership]) -> Vec<Url> {
    managers
        .iter()
        .map(|m| account_id(state, &m.username))
        .collect()
}
