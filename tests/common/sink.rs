//! A counting receiver: inboxes `/inbox/{n}` on one loopback port that check the HTTP signature of every
//! delivery and answer as each test tells them to.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use verkosto::model::{FollowState, Follower};
use verkosto::{Verkosto, store};

use axum::{
    Router,
    body::Bytes,
    extract::{Path, State},
    http::{HeaderMap, StatusCode, Uri},
    response::{IntoResponse, Response},
    routing::post,
};

/// How one inbox answers.
#[derive(Clone, Debug)]
pub enum Behaviour {
    /// 202.
    Accept,
    /// 429 with `Retry-After: secs` the first time, then 202.
    TooManyOnce(u64),
    /// 410 always.
    Gone,
    /// 500 the first `n` times, then 202.
    ErrorTimes(u32),
    /// Answers after `delay` the first time, then at once.
    SlowOnce(Duration),
    /// Answers after `delay` every time.
    SlowAlways(Duration),
}

/// One delivery as the sink saw it.
#[derive(Clone, Debug)]
pub struct Seen {
    pub inbox: u32,
    pub activity_id: String,
    /// The activity's `type`.
    pub kind: String,
    pub signature_ok: bool,
    /// The activity as received.
    pub body: serde_json::Value,
    pub at: Instant,
    pub accepted: bool,
}

#[derive(Clone, Default)]
pub struct Sink {
    pub seen: Arc<Mutex<Vec<Seen>>>,
    behaviours: Arc<Mutex<HashMap<u32, Behaviour>>>,
    attempts: Arc<Mutex<HashMap<u32, u32>>>,
    /// The sender's public keys by key id, to check signatures with.
    keys: Arc<Mutex<HashMap<String, String>>>,
    host: Arc<Mutex<String>>,
    /// When set, `/actor/{n}` serves Person documents with this key, so the sink can sign as them.
    actor_key: Arc<Mutex<Option<verkosto::model::KeyPair>>>,
    /// The fragment of the served key's id (`main-key` when unset), for key rotations to a new key id.
    pub key_fragment: Arc<Mutex<Option<String>>>,
    /// When set, actors also publish this Ed25519 key (`publicKeyMultibase`) as a Multikey
    /// `{id}#ed25519-key` in `assertionMethod`.
    pub ed25519_multibase: Arc<Mutex<Option<String>>>,
    /// When set, actors answer 410 Gone (they were deleted).
    pub actors_gone: Arc<std::sync::atomic::AtomicBool>,
    /// How many times actor documents were fetched.
    pub actor_fetches: Arc<std::sync::atomic::AtomicUsize>,
    /// Deliveries being received right now, and the most there ever were at once.
    in_flight: Arc<std::sync::atomic::AtomicUsize>,
    pub max_in_flight: Arc<std::sync::atomic::AtomicUsize>,
    /// `preferredUsername` of `/actor/{n}` when not `sink{n}` (a hostile peer picks any name).
    pub actor_names: Arc<Mutex<HashMap<u32, String>>>,
    /// Other JSON documents served by path (a Gancio instance's REST API, say).
    pub documents: Arc<Mutex<HashMap<String, serde_json::Value>>>,
}

/// Counts one delivery in flight for as long as it lives.
struct InFlight(Arc<std::sync::atomic::AtomicUsize>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

impl Sink {
    pub fn set(&self, inbox: u32, b: Behaviour) {
        self.behaviours.lock().expect("lock").insert(inbox, b);
    }

    pub fn trust(&self, key_id: &str, public_key_pem: &str) {
        self.keys
            .lock()
            .expect("lock")
            .insert(key_id.to_string(), public_key_pem.to_string());
    }

    /// Serves on `listener` until the returned handle is aborted.
    pub fn serve(&self, listener: tokio::net::TcpListener) -> tokio::task::JoinHandle<()> {
        let port = listener.local_addr().expect("addr").port();
        *self.host.lock().expect("lock") = format!("localhost:{port}");
        let app = Router::new()
            .route("/inbox/{n}", post(receive))
            .route("/actor/{n}", axum::routing::get(actor))
            .fallback(axum::routing::get(document))
            .with_state(self.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        })
    }

    /// A sink serving on a free loopback port, and its host (`localhost:PORT`).
    pub async fn on_free_port() -> (Sink, String) {
        let sink = Sink::default();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let host = format!("localhost:{}", listener.local_addr().expect("addr").port());
        sink.serve(listener);
        (sink, host)
    }

    /// A sink on a free loopback port whose `/actor/{n}` documents carry a fresh key: the sink, its
    /// host (`localhost:PORT`) and the key, to sign as those actors.
    pub async fn serving_actors() -> (Sink, String, verkosto::model::KeyPair) {
        let (sink, host) = Sink::on_free_port().await;
        let key = verkosto::service::generate_keypair().await.expect("key");
        sink.act_as_actors(key.clone());
        (sink, host, key)
    }

    /// Serves actors `/actor/{n}` with `key`.
    pub fn act_as_actors(&self, key: verkosto::model::KeyPair) {
        *self.actor_key.lock().expect("lock") = Some(key);
    }

    /// Accepted deliveries (2xx answered), in arrival order.
    pub fn accepted(&self) -> Vec<Seen> {
        self.seen
            .lock()
            .expect("lock")
            .iter()
            .filter(|s| s.accepted)
            .cloned()
            .collect()
    }

    /// How many requests arrived at an inbox, counted on arrival: unlike [`Sink::attempts_at`] this
    /// includes requests the sender gave up on before they were answered.
    pub fn arrived_at(&self, inbox: u32) -> u32 {
        self.attempts
            .lock()
            .expect("lock")
            .get(&inbox)
            .copied()
            .unwrap_or(0)
    }

    /// Every attempt that reached an inbox (and was answered or abandoned after its answer).
    pub fn attempts_at(&self, inbox: u32) -> Vec<Seen> {
        self.seen
            .lock()
            .expect("lock")
            .iter()
            .filter(|s| s.inbox == inbox)
            .cloned()
            .collect()
    }
}

async fn receive(
    State(sink): State<Sink>,
    Path(n): Path<u32>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let now_in_flight = sink
        .in_flight
        .fetch_add(1, std::sync::atomic::Ordering::SeqCst)
        + 1;
    let _in_flight = InFlight(sink.in_flight.clone());
    sink.max_in_flight
        .fetch_max(now_in_flight, std::sync::atomic::Ordering::SeqCst);
    let host = sink.host.lock().expect("lock").clone();
    let signature_ok = match verkosto::signatures::check_post(
        "POST",
        uri.path(),
        &headers,
        &body,
        "http",
        &host,
        verkosto::signatures::SignatureAge::default(),
    ) {
        Ok(pending) => {
            let key = sink
                .keys
                .lock()
                .expect("lock")
                .get(pending.key_id())
                .cloned();
            key.is_some_and(|pem| pending.verify(&pem))
        }
        Err(_) => false,
    };
    let activity = serde_json::from_slice::<serde_json::Value>(&body).unwrap_or_default();
    let activity_id = activity["id"].as_str().unwrap_or_default().to_string();
    let kind = activity["type"].as_str().unwrap_or_default().to_string();
    let attempt = {
        let mut a = sink.attempts.lock().expect("lock");
        let e = a.entry(n).or_default();
        *e += 1;
        *e
    };
    let behaviour = sink
        .behaviours
        .lock()
        .expect("lock")
        .get(&n)
        .cloned()
        .unwrap_or(Behaviour::Accept);
    let (status, retry_after, delay) = match behaviour {
        Behaviour::Accept => (StatusCode::ACCEPTED, None, None),
        Behaviour::TooManyOnce(secs) if attempt == 1 => {
            (StatusCode::TOO_MANY_REQUESTS, Some(secs), None)
        }
        Behaviour::TooManyOnce(_) => (StatusCode::ACCEPTED, None, None),
        Behaviour::Gone => (StatusCode::GONE, None, None),
        Behaviour::ErrorTimes(k) if attempt <= k => (StatusCode::INTERNAL_SERVER_ERROR, None, None),
        Behaviour::ErrorTimes(_) => (StatusCode::ACCEPTED, None, None),
        Behaviour::SlowOnce(d) if attempt == 1 => (StatusCode::ACCEPTED, None, Some(d)),
        Behaviour::SlowOnce(_) => (StatusCode::ACCEPTED, None, None),
        Behaviour::SlowAlways(d) => (StatusCode::ACCEPTED, None, Some(d)),
    };
    if let Some(d) = delay {
        tokio::time::sleep(d).await;
    }
    sink.seen.lock().expect("lock").push(Seen {
        inbox: n,
        activity_id,
        kind,
        signature_ok,
        body: activity,
        at: Instant::now(),
        accepted: status.is_success(),
    });
    match retry_after {
        Some(secs) => (status, [("retry-after", secs.to_string())]).into_response(),
        None => status.into_response(),
    }
}

/// One of [`Sink::documents`], by the request's path.
async fn document(State(sink): State<Sink>, uri: axum::http::Uri) -> Response {
    let found = sink
        .documents
        .lock()
        .expect("lock")
        .get(uri.path())
        .cloned();
    match found {
        Some(doc) => axum::Json(doc).into_response(),
        None => axum::http::StatusCode::NOT_FOUND.into_response(),
    }
}

async fn actor(State(sink): State<Sink>, Path(n): Path<u32>) -> Response {
    sink.actor_fetches
        .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    if sink.actors_gone.load(std::sync::atomic::Ordering::SeqCst) {
        return StatusCode::GONE.into_response();
    }
    let Some(key) = sink.actor_key.lock().expect("lock").clone() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let host = sink.host.lock().expect("lock").clone();
    let id = format!("http://{host}/actor/{n}");
    let name = sink.actor_names.lock().expect("lock").get(&n).cloned();
    let fragment = sink
        .key_fragment
        .lock()
        .expect("lock")
        .clone()
        .unwrap_or_else(|| "main-key".into());
    let mut doc = serde_json::json!({
        "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
        "type": "Person", "id": id, "preferredUsername": name.unwrap_or_else(|| format!("sink{n}")),
        "inbox": format!("http://{host}/inbox/{n}"),
        "publicKey": { "id": format!("{id}#{fragment}"), "owner": id, "publicKeyPem": key.public_key_pem }
    });
    if let Some(multibase) = sink.ed25519_multibase.lock().expect("lock").clone() {
        doc["assertionMethod"] = serde_json::json!([{
            "id": format!("{id}#ed25519-key"), "type": "Multikey", "controller": id,
            "publicKeyMultibase": multibase
        }]);
    }
    (
        [("content-type", "application/activity+json")],
        axum::Json(doc),
    )
        .into_response()
}

/// Lets the sink check the signatures of the local `community`.
pub async fn trust_community(v: &Verkosto, community: &str, sink: &Sink) {
    let c = v.community(community).await.expect("community");
    let mut conn = v.db().acquire().await.expect("acquire");
    let keys = store::communities::keys(&mut conn.conn(), c.id)
        .await
        .expect("keys");
    let target = v.state().url(&format!("/c/{community}"));
    sink.trust(&format!("{target}#main-key"), &keys.public_key_pem);
}

/// Makes `inboxes` on `sink_host` accepted followers of the community, and lets the sink check the
/// community's signatures.
pub async fn follow_from_sink(
    v: &Verkosto,
    community: &str,
    sink: &Sink,
    sink_host: &str,
    inboxes: impl IntoIterator<Item = u32>,
) {
    let target = v.state().url(&format!("/c/{community}"));
    trust_community(v, community, sink).await;
    let mut conn = v.db().acquire().await.expect("acquire");
    for n in inboxes {
        let actor = url::Url::parse(&format!("http://{sink_host}/actor/{n}")).expect("url");
        store::follows::upsert_follower(
            &mut conn.conn(),
            &Follower {
                id: 0,
                target_ap_id: target.clone(),
                follower_ap_id: actor.clone(),
                inbox: url::Url::parse(&format!("http://{sink_host}/inbox/{n}")).expect("url"),
                shared_inbox: None,
                follow_activity_id: url::Url::parse(&format!("{actor}/follow")).expect("url"),
                state: FollowState::Accepted,
                created_at: store::now(),
            },
        )
        .await
        .expect("follower");
    }
}
