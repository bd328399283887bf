//! Actors: a community is a `Group`, a local account a `Person`, the instance an `Application`
//! (FEP-2677). Remote actors of any type are read into [`RemoteActor`] and cached.

use activitypub_federation::{
    config::Data,
    traits::{Actor, Object},
};
use async_trait::async_trait;
use url::Url;

use crate::context::AppState;
use crate::error::{Error, Result};
use crate::model::KeyPair;

mod document;
mod remote;
mod urls;

pub use document::{ActorDocument, application_document, group_document, person_document};
pub use remote::{refetch_remote, resolve_remote};
pub use urls::{account_id, community_id, instance_id, manager_ids, normalized_host};

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
        crate::urls::LocalUrls::part(&self.id, crate::urls::Part::Inbox)
    }
}
