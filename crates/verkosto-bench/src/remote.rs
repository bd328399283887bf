//! The fediverse around the server under test, in this process: remote actors that sign activities
//! (on many loopback hosts, as the server's per-host limits expect many senders), and sinks that receive
//! and check the server's signed deliveries.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use axum::{
    Router,
    body::Bytes,
    extract::{Path, State},
    http::{HeaderMap, StatusCode, Uri},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use verkosto::model::KeyPair;
use verkosto::signatures::{self, SigningKey, VerifyingKey};

/// One remote actor whose key this tool holds.
pub struct RemoteActor {
    /// Its id, `http://localhost:PORT/actor/N`.
    pub id: String,
    /// `{id}#main-key`.
    pub key_id: String,
    /// Its private key.
    pub key: Arc<SigningKey>,
}

#[derive(Clone)]
struct HostState {
    host: String,
    keys: Arc<Vec<KeyPair>>,
    actors_per_host: usize,
    host_index: usize,
    received: Arc<AtomicU64>,
}

/// Remote instances on loopback ports, each serving `actors_per_host` Person actors.
pub struct RemoteActors {
    /// Every actor, host by host.
    pub actors: Vec<RemoteActor>,
    /// Deliveries the server made to these actors' inboxes (the answers to their activities).
    pub received: Arc<AtomicU64>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl RemoteActors {
    /// Starts `hosts` servers; actor `n` of host `h` has key `keys[(h * actors_per_host + n) % len]`.
    pub async fn start(
        hosts: usize,
        actors_per_host: usize,
        keys: Vec<KeyPair>,
    ) -> anyhow::Result<RemoteActors> {
        let keys = Arc::new(keys);
        let signers: Vec<Arc<SigningKey>> = keys
            .iter()
            .map(|k| SigningKey::from_pkcs8_pem(&k.private_key_pem).map(Arc::new))
            .collect::<Result<_, _>>()?;
        let received = Arc::new(AtomicU64::new(0));
        let mut actors = vec![];
        let mut tasks = vec![];
        for host_index in 0..hosts {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
            let host = format!("localhost:{}", listener.local_addr()?.port());
            let state = HostState {
                host: host.clone(),
                keys: keys.clone(),
                actors_per_host,
                host_index,
                received: received.clone(),
            };
            for n in 0..actors_per_host {
                let id = format!("http://{host}/actor/{n}");
                actors.push(RemoteActor {
                    key_id: format!("{id}#main-key"),
                    id,
                    key: signers[(host_index * actors_per_host + n) % signers.len()].clone(),
                });
            }
            let app = Router::new()
                .route("/actor/{n}", get(actor_document))
                .route("/inbox/{n}", post(actor_inbox))
                .with_state(state);
            tasks.push(tokio::spawn(async move {
                let _ = axum::serve(listener, app).await;
            }));
        }
        Ok(RemoteActors {
            actors,
            received,
            tasks,
        })
    }
}

impl Drop for RemoteActors {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

async fn actor_document(State(s): State<HostState>, Path(n): Path<usize>) -> Response {
    if n >= s.actors_per_host {
        return StatusCode::NOT_FOUND.into_response();
    }
    let key = &s.keys[(s.host_index * s.actors_per_host + n) % s.keys.len()];
    let id = format!("http://{}/actor/{n}", s.host);
    let doc = serde_json::json!({
        "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
        "type": "Person", "id": id, "preferredUsername": format!("remote{n}"),
        "inbox": format!("http://{}/inbox/{n}", s.host),
        "publicKey": { "id": format!("{id}#main-key"), "owner": id, "publicKeyPem": key.public_key_pem }
    });
    (
        [("content-type", "application/activity+json")],
        doc.to_string(),
    )
        .into_response()
}

async fn actor_inbox(State(s): State<HostState>) -> StatusCode {
    s.received.fetch_add(1, Ordering::Relaxed);
    StatusCode::ACCEPTED
}

/// What the sinks saw.
#[derive(Default)]
struct Seen {
    /// (sink host, inbox, activity id) of every delivery whose signature verified.
    valid: HashSet<(usize, u32, String)>,
    /// When the last new valid delivery arrived.
    last_valid_at: Option<Instant>,
}

/// The key id the sinks accept and its parsed key, set per fan-out run.
type Trusted = Arc<RwLock<Option<(String, Arc<VerifyingKey>)>>>;

#[derive(Clone)]
struct SinkState {
    host: String,
    host_index: usize,
    trusted: Trusted,
    seen: Arc<Mutex<Seen>>,
    invalid: Arc<AtomicU64>,
}

/// Receiving instances on loopback ports, with inboxes `/inbox/{n}` that check every delivery's
/// signature (as a real receiver would) and count the valid ones.
pub struct Sinks {
    /// `localhost:PORT` of each sink host.
    pub hosts: Vec<String>,
    trusted: Trusted,
    seen: Arc<Mutex<Seen>>,
    /// Deliveries whose signature did not verify.
    pub invalid: Arc<AtomicU64>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Sinks {
    /// Starts `hosts` sink servers.
    pub async fn start(hosts: usize) -> anyhow::Result<Sinks> {
        let trusted: Trusted = Arc::new(RwLock::new(None));
        let seen = Arc::new(Mutex::new(Seen::default()));
        let invalid = Arc::new(AtomicU64::new(0));
        let mut names = vec![];
        let mut tasks = vec![];
        for host_index in 0..hosts {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
            let host = format!("localhost:{}", listener.local_addr()?.port());
            names.push(host.clone());
            let app = Router::new()
                .route("/inbox/{n}", post(sink_inbox))
                .with_state(SinkState {
                    host,
                    host_index,
                    trusted: trusted.clone(),
                    seen: seen.clone(),
                    invalid: invalid.clone(),
                });
            tasks.push(tokio::spawn(async move {
                let _ = axum::serve(listener, app).await;
            }));
        }
        Ok(Sinks {
            hosts: names,
            trusted,
            seen,
            invalid,
            tasks,
        })
    }

    /// Inbox URLs: `count` inboxes spread evenly over the sink hosts.
    pub fn inboxes(&self, count: usize) -> Vec<(String, String)> {
        (0..count)
            .map(|i| {
                let host = &self.hosts[i % self.hosts.len()];
                let n = i / self.hosts.len();
                (
                    format!("http://{host}/actor/{n}"),
                    format!("http://{host}/inbox/{n}"),
                )
            })
            .collect()
    }

    /// Forgets what was seen and trusts only `key_id` with `public_key_pem` from now on.
    pub fn reset(&self, key_id: &str, public_key_pem: &str) -> anyhow::Result<()> {
        let key = VerifyingKey::from_pem(public_key_pem)
            .ok_or_else(|| anyhow::anyhow!("the community's public key does not parse"))?;
        *self.trusted.write().map_err(|_| anyhow::anyhow!("lock"))? =
            Some((key_id.to_string(), Arc::new(key)));
        *self.seen.lock().map_err(|_| anyhow::anyhow!("lock"))? = Seen::default();
        self.invalid.store(0, Ordering::Relaxed);
        Ok(())
    }

    /// Waits until `expected` distinct valid deliveries arrived; returns when the last one did, or
    /// `None` after `timeout` (with how many arrived).
    pub async fn wait_for(&self, expected: usize, timeout: Duration) -> Result<Instant, usize> {
        let deadline = Instant::now() + timeout;
        loop {
            let (count, last) = {
                let seen = self.seen.lock().map_err(|_| 0usize)?;
                (seen.valid.len(), seen.last_valid_at)
            };
            if count >= expected
                && let Some(at) = last
            {
                return Ok(at);
            }
            if Instant::now() > deadline {
                return Err(count);
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }
}

impl Drop for Sinks {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

async fn sink_inbox(
    State(s): State<SinkState>,
    Path(n): Path<u32>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let trusted = s.trusted.read().ok().and_then(|t| t.clone());
    let valid = signatures::check_post(
        "POST",
        uri.path(),
        &headers,
        &body,
        "http",
        &s.host,
        signatures::SignatureAge::default(),
    )
    .ok()
    .zip(trusted)
    .is_some_and(|(pending, (key_id, key))| {
        pending.key_id() == key_id && pending.verify_with(&key)
    });
    if !valid {
        s.invalid.fetch_add(1, Ordering::Relaxed);
        return StatusCode::UNAUTHORIZED;
    }
    let activity_id = serde_json::from_slice::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| v["id"].as_str().map(str::to_string))
        .unwrap_or_default();
    if let Ok(mut seen) = s.seen.lock()
        && seen.valid.insert((s.host_index, n, activity_id))
    {
        seen.last_valid_at = Some(Instant::now());
    }
    StatusCode::ACCEPTED
}
