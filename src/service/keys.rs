//! Key generation, and the caches that keep PEM parsing off the delivery and inbox paths.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::Verkosto;
use crate::apub::signatures::{SigningKey, VerifyingKey};
use crate::error::{Error, Result};
use crate::model::KeyPair;
use crate::store;

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

/// How many parsed remote public keys are kept; past that the cache starts over (a flood of new
/// actors costs a re-parse each, never unbounded memory).
const MAX_PUBLIC_KEYS: usize = 10_000;

/// Parsed keys: parsing PEM costs more than a signature (a private key) or about as much as a
/// verification (a public key), and the same few keys come back on every delivery and activity.
#[derive(Default)]
pub(crate) struct KeyCache {
    /// Our actors' private keys by actor id; they never change.
    private: Mutex<HashMap<String, Arc<SigningKey>>>,
    /// Remote actors' public keys by their PEM text, so a rotated key is simply another entry.
    public: Mutex<HashMap<String, Arc<VerifyingKey>>>,
}

impl KeyCache {
    fn get(&self, actor_ap_id: &str) -> Option<Arc<SigningKey>> {
        self.private.lock().ok()?.get(actor_ap_id).cloned()
    }

    fn put(&self, actor_ap_id: &str, key: Arc<SigningKey>) {
        if let Ok(mut map) = self.private.lock() {
            map.insert(actor_ap_id.to_string(), key);
        }
    }

    /// The parsed form of a PEM public key, `None` when it does not parse.
    pub(crate) fn verifying_key(&self, public_key_pem: &str) -> Option<Arc<VerifyingKey>> {
        if let Some(key) = self
            .public
            .lock()
            .ok()
            .and_then(|map| map.get(public_key_pem).cloned())
        {
            return Some(key);
        }
        let key = Arc::new(VerifyingKey::from_pem(public_key_pem)?);
        if let Ok(mut map) = self.public.lock() {
            if map.len() >= MAX_PUBLIC_KEYS {
                map.clear();
            }
            map.insert(public_key_pem.to_string(), key.clone());
        }
        Some(key)
    }
}

impl Verkosto {
    /// The key id and parsed private key a local actor signs with.
    pub(crate) async fn signing_key(&self, actor_ap_id: &str) -> Result<(String, Arc<SigningKey>)> {
        let key_id = format!("{actor_ap_id}#main-key");
        if let Some(key) = self.state().keys.get(actor_ap_id) {
            return Ok((key_id, key));
        }
        let url = url::Url::parse(actor_ap_id)?;
        let segments: Vec<&str> = url.path_segments().map(|s| s.collect()).unwrap_or_default();
        let pem = match segments.as_slice() {
            ["actor"] => self.state().instance_keys.private_key_pem.clone(),
            ["c", name] => {
                let community = self.community(name).await?;
                let mut c = self.db().acquire().await?;
                store::communities::keys(&mut c.conn(), community.id)
                    .await?
                    .private_key_pem
            }
            ["u", name] => {
                let account = self.account(name).await?;
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
