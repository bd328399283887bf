//! Key generation, and the caches that keep PEM parsing off the delivery and inbox paths.

use std::sync::Arc;

use super::Verkosto;
use crate::apub::signatures::SigningKey;
use crate::error::{Error, Result};
use crate::model::KeyPair;
use crate::store;
use crate::urls::LocalObject;

/// Makes a new RSA-2048 key pair on a blocking thread (it takes tens of milliseconds).
pub async fn generate_keypair() -> Result<KeyPair> {
    tokio::task::spawn_blocking(|| {
        activitypub_federation::http_signatures::generate_actor_keypair()
            .map(|k| KeyPair {
                public_key_pem: k.public_key,
                private_key_pem: k.private_key,
            })
            .map_err(|e| Error::Internal(format!("key generation failed: {e}")))
    })
    .await
    .map_err(|e| Error::Internal(format!("key generation task failed: {e}")))?
}

impl Verkosto {
    /// The key id and parsed private key a local actor signs with.
    pub(crate) async fn signing_key(&self, actor_ap_id: &str) -> Result<(String, Arc<SigningKey>)> {
        let key_id = format!("{actor_ap_id}#main-key");
        if let Some(key) = self.state().keys.get(actor_ap_id) {
            return Ok((key_id, key));
        }
        let url = url::Url::parse(actor_ap_id)?;
        let pem = match self.state().urls().parse(&url) {
            Some(LocalObject::InstanceActor) => self.state().instance_keys.private_key_pem.clone(),
            Some(LocalObject::Community(name)) => {
                let community = self.community(&name).await?;
                let mut c = self.db().acquire().await?;
                store::communities::keys(&mut c.conn(), community.id)
                    .await?
                    .private_key_pem
            }
            Some(LocalObject::Account(name)) => {
                let account = self.account(&name).await?;
                let mut c = self.db().acquire().await?;
                store::accounts::keys(&mut c.conn(), account.id)
                    .await?
                    .private_key_pem
            }
            _ => {
                return Err(Error::Internal(format!(
                    "{actor_ap_id} is not a local actor"
                )));
            }
        };
        let key = Arc::new(SigningKey::from_pkcs8_pem(&pem)?);
        self.state().keys.put(actor_ap_id, key.clone());
        Ok((key_id, key))
    }
}
