//! Remote actors: read from their documents, checked, cached, and resolved by id.

use activitypub_federation::{
    config::Data,
    fetch::object_id::ObjectId,
    protocol::verification::verify_domains_match,
    traits::{Actor, Object},
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use url::Url;

use super::{ActorDocument, normalized_host};
use crate::context::AppState;
use crate::error::{Error, Result};
use crate::model::{ActorKind, RemoteActor};
use crate::sanitize;
use crate::store;

/// Checks that a URL a remote actor gave us is safe to deliver to: http(s), a host name (the signing
/// library panics on IP-address hosts), and on the actor's own host.
fn check_actor_url(field: &'static str, url: &Url, actor_id: &Url) -> Result<()> {
    if !matches!(url.scheme(), "http" | "https") || url.domain().is_none() {
        return Err(Error::invalid_document(
            field,
            "must be an http(s) URL with a host name",
        ));
    }
    if normalized_host(url) != normalized_host(actor_id) {
        return Err(Error::invalid_document(
            field,
            "must be on the actor's own host",
        ));
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
        let ed25519_keys = json.ed25519_keys();
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
        let actor = store::remote_actors::upsert(&mut c.conn(), &actor).await?;
        store::remote_actors::replace_ed25519_keys(
            &mut c.conn(),
            actor.ap_id.as_str(),
            &ed25519_keys,
        )
        .await?;
        Ok(actor)
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
