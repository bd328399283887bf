//! The wire documents of actors: the one shape we serve for local actors and read remote ones into.

use activitypub_federation::protocol::{helpers::deserialize_skip_error, public_key::PublicKey};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use url::Url;

use super::{account_id, community_id, instance_id};
use crate::context::AppState;
use crate::model::{Account, Community};
use crate::urls::{LocalUrls, Part, normalized_host};

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
    /// Verification methods (FEP-521a): Ed25519 keys published as `Multikey`, which RFC 9421
    /// signatures (`alg="ed25519"`) may name. Read with [`ActorDocument::ed25519_keys`].
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "deserialize_skip_error"
    )]
    pub assertion_method: Vec<serde_json::Value>,
    /// Verkosto's kind of community (`coworking`, `network`, ...).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "deserialize_skip_error"
    )]
    pub community_kind: Option<String>,
}

impl ActorDocument {
    /// The Ed25519 `Multikey`s of `assertionMethod` that belong to this actor (controlled by it, with an
    /// id on its host): `(key id, publicKeyMultibase)`. Others, and keys of other types, are skipped.
    pub fn ed25519_keys(&self) -> Vec<(String, String)> {
        let host = normalized_host(&self.id);
        self.assertion_method
            .iter()
            .filter(|m| m.get("type").and_then(|t| t.as_str()) == Some("Multikey"))
            .filter(|m| m.get("controller").and_then(|c| c.as_str()) == Some(self.id.as_str()))
            .filter_map(|m| {
                let id = m.get("id")?.as_str()?;
                let multibase = m.get("publicKeyMultibase")?.as_str()?;
                let on_host = Url::parse(id)
                    .ok()
                    .is_some_and(|u| normalized_host(&u) == host);
                (on_host && crate::apub::multikey::decode_ed25519(multibase).is_some())
                    .then(|| (id.to_string(), multibase.to_string()))
            })
            .take(10)
            .collect()
    }
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
        inbox: LocalUrls::part(&id, Part::Inbox),
        outbox: Some(LocalUrls::part(&id, Part::Outbox)),
        followers: Some(LocalUrls::part(&id, Part::Followers)),
        following: None,
        endpoints: Some(Endpoints {
            shared_inbox: Some(state.urls().shared_inbox()),
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
        assertion_method: vec![],
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
    let moderators = Some(LocalUrls::part(&id, Part::Moderators));
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
            href: Some(state.urls().tag(t)),
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
    doc.upcoming_events = Some(LocalUrls::part(&id, Part::Upcoming));
    if community.kind == crate::model::CommunityKind::Network {
        doc.members = Some(LocalUrls::part(&id, Part::Members));
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
pub fn application_document(state: &AppState, public_key_pem: &str) -> ActorDocument {
    let id = instance_id(state);
    let mut doc = base_document(
        state,
        "Application",
        id.clone(),
        &state.settings.domain,
        public_key_pem,
    );
    doc.name = Some(format!("Verkosto at {}", state.settings.domain));
    doc.url = Some(state.url("/"));
    // Other instances and relays follow the instance actor to receive what the instance's
    // communities publish (issue 20); the administrator's policy decides.
    doc.manually_approves_followers =
        Some(state.settings.instance_follow_policy != crate::model::InstanceFollowPolicy::Open);
    doc.discoverable = Some(false);
    doc
}
