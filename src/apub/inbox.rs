//! The inbox pipeline: verify, record, receive.
//!
//! We do not use the federation crate's `receive_activity`: it fetches the sending actor before looking
//! at the signature (so an unsigned request can make us fetch any URL), and checks neither that `Digest`
//! is signed nor the `Content-Type`. Here every check that needs no network runs first, and only a request
//! carrying a well-formed, fresh, correctly digested signature addressed to us can cause a key fetch.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use activitypub_federation::traits::Activity;
use axum::body::Body;
use http::{Request, StatusCode};
use serde_json::Value;
use url::Url;

use super::activities::{
    announce::IncomingAnnounce,
    answer::IncomingAnswer,
    create::IncomingCreate,
    delete::Delete,
    follow::Follow,
    join::{IncomingJoin, IncomingLeave},
    remove::IncomingRemove,
    undo::Undo,
    update::IncomingUpdate,
};
use super::actor::{self, normalized_host};
use super::signatures;
use crate::context::AppState;
use crate::error::{Error, Result};
use crate::model::RemoteActor;
use crate::service::Verkosto;
use crate::store;

/// How often one actor may be refetched because its signature failed (key rotation), at most.
const FORCED_REFETCH_INTERVAL: Duration = Duration::from_secs(60);

/// When each actor was last refetched because of a failed signature.
#[derive(Default)]
pub(crate) struct RefetchGuard(Mutex<HashMap<String, Instant>>);

impl RefetchGuard {
    fn allow(&self, actor: &Url) -> bool {
        let Ok(mut map) = self.0.lock() else {
            return false;
        };
        let now = Instant::now();
        // Bounded state: old entries go, so a flood of bad signatures cannot grow this without limit.
        if map.len() > 10_000 {
            map.retain(|_, t| now.duration_since(*t) < FORCED_REFETCH_INTERVAL);
        }
        match map.get(actor.as_str()) {
            Some(t) if now.duration_since(*t) < FORCED_REFETCH_INTERVAL => false,
            _ => {
                map.insert(actor.as_str().to_string(), now);
                true
            }
        }
    }
}

/// What the inbox did with an activity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Received {
    /// Verified and acted on.
    Processed,
    /// Verified, but seen before: no second effect.
    Duplicate,
    /// Verified (or harmless), but of a type we do not act on.
    Ignored,
}

impl Received {
    /// The HTTP status answered for it.
    pub fn status(self) -> StatusCode {
        StatusCode::ACCEPTED
    }
}

/// Runs an inbox POST through every check, then acts on it.
pub async fn receive(verkosto: &Verkosto, request: Request<Body>) -> Result<Received> {
    let settings = verkosto.settings();
    let (parts, body) = request.into_parts();
    // Nothing is verified yet, so the only thing to charge is where the post comes from: junk that
    // names someone else's actors must not use up their host's budget (charged after verifying).
    if let Some(ip) = crate::http::client_ip(verkosto, &parts.extensions, &parts.headers) {
        charge(&verkosto.state().inbox_ip_limiter, &ip)?;
    }

    let content_type = parts
        .headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !super::is_activity_content_type(content_type) {
        return Err(Error::UnsupportedMediaType(content_type.to_string()));
    }
    let body = axum::body::to_bytes(body, settings.max_body_bytes)
        .await
        .map_err(|_| Error::PayloadTooLarge(settings.max_body_bytes))?;

    let path = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    let signature = signatures::check_post(
        parts.method.as_str(),
        path,
        &parts.headers,
        &body,
        &settings.domain,
        settings.signature_age(),
    )?;

    let json: Value = serde_json::from_slice(&body)?;
    let envelope = Envelope::read(&json)?;
    if let Some(blocked) = super::safety::iris(&json)
        .map_err(|e| Error::BadRequest(e.to_string()))?
        .into_iter()
        .find(|u| verkosto.state().blocks.is_blocked(u))
    {
        return Err(Error::Forbidden(format!(
            "the activity involves a blocked domain ({})",
            blocked.host_str().unwrap_or_default()
        )));
    }

    if envelope.actor != signature.key_owner_guess()? {
        // Most servers use `actor#main-key`; others (GoToSocial: `actor/main-key`) are checked
        // against the actor document's `publicKey.id` below.
        if !signature.key_id().starts_with(envelope.actor.as_str()) {
            return Err(Error::Unauthorized(format!(
                "the signing key {} does not belong to the activity's actor {}",
                signature.key_id(),
                envelope.actor
            )));
        }
    }
    if normalized_host(&envelope.id) != normalized_host(&envelope.actor) {
        return Err(Error::Forbidden(format!(
            "the activity id {} is not on its actor's host {}",
            envelope.id,
            normalized_host(&envelope.actor).unwrap_or_default()
        )));
    }
    if normalized_host(&envelope.actor).as_deref() == Some(settings.domain.as_str()) {
        return Err(Error::Forbidden(
            "activities of local actors are not accepted from outside".into(),
        ));
    }

    let data = verkosto.federation_data();
    let cached = {
        let mut c = verkosto.db().acquire().await?;
        store::remote_actors::find_by_ap_id(&mut c.conn(), envelope.actor.as_str()).await?
    };
    // A Delete of an actor we never saw: nothing to undo and nothing to fetch (its key is gone).
    if envelope.kind == "Delete"
        && cached.is_none()
        && json.get("object").and_then(Value::as_str) == Some(envelope.actor.as_str())
    {
        return Ok(Received::Ignored);
    }
    let sender = authenticate(verkosto, &data, &signature, &envelope.actor, cached).await?;
    tracing::debug!(actor = %sender.ap_id, id = %envelope.id, kind = %envelope.kind, "signature verified");
    charge(&verkosto.state().inbox_limiter, &sender.domain)?;
    // A host that sends us anything is reachable again: resume what waits for it.
    if store::deliveries::host_is_back(verkosto.db(), &sender.domain, store::now()).await? {
        tracing::info!(host = %sender.domain, "host contacted us; its deliveries resume");
        verkosto.state().deliveries.notify();
    }

    if deduplicated_by_effect(&envelope.kind) {
        return dispatch(&data, &envelope.kind, json).await;
    }
    let fresh = {
        let mut c = verkosto.db().acquire().await?;
        store::received::record(&mut c.conn(), envelope.id.as_str(), store::now()).await?
    };
    if !fresh {
        return Ok(Received::Duplicate);
    }
    let outcome = dispatch(&data, &envelope.kind, json).await;
    if outcome.is_err() {
        let mut c = verkosto.db().acquire().await?;
        store::received::forget(&mut c.conn(), envelope.id.as_str()).await?;
    }
    outcome
}

/// Activities whose repeat is answered by what is in place rather than dropped by id: a `Follow` or
/// `Join` already in effect is answered again (as Mastodon re-sends the `Accept` of a repeated
/// `Follow`: the sender may have lost the first answer), one no longer in effect (after an `Undo`) is
/// applied again, even under a reused id (Fedify's follow command reuses it); `Leave` and `Undo` of
/// something not in place do nothing. Replays of a captured request are refused by the signature's
/// age, not by the id.
fn deduplicated_by_effect(kind: &str) -> bool {
    matches!(kind, "Follow" | "Join" | "Leave" | "Undo")
}

/// Takes one post from `key`'s budget, or answers 429 with the wait.
fn charge<K>(limiter: &governor::DefaultKeyedRateLimiter<K>, key: &K) -> Result<()>
where
    K: Clone + Eq + std::hash::Hash,
{
    // Bounded state: keys that are back to a full budget are dropped.
    if limiter.len() > 100_000 {
        limiter.retain_recent();
    }
    limiter.check_key(key).map_err(|not_until| {
        let wait = not_until.wait_time_from(governor::clock::Clock::now(
            &governor::clock::DefaultClock::default(),
        ));
        Error::TooManyRequests(wait.as_secs() + 1)
    })
}

/// Verifies the signature with the actor's key: cached key first, then (once, rate-limited) a fresh
/// copy of the actor in case it rotated its key.
async fn authenticate(
    verkosto: &Verkosto,
    data: &activitypub_federation::config::Data<AppState>,
    signature: &signatures::PendingSignature,
    actor_id: &Url,
    cached: Option<RemoteActor>,
) -> Result<RemoteActor> {
    // Parsed keys are cached: the same senders come back, and parsing costs as much as verifying.
    let key_matches = |a: &RemoteActor| {
        a.public_key_id == signature.key_id()
            && verkosto
                .state()
                .keys
                .verifying_key(&a.public_key_pem)
                .is_some_and(|key| signature.verify_with(&key))
    };
    let was_cached = cached.is_some();
    let actor = match cached {
        Some(a) => a,
        None => {
            // Single flight: when a popular actor's first posts arrive together, one request fetches
            // its key and the others wait for it and read the cache.
            let gate = verkosto.fetch_gate(actor_id);
            let _turn = gate.lock().await;
            let again = {
                let mut c = verkosto.db().acquire().await?;
                store::remote_actors::find_by_ap_id(&mut c.conn(), actor_id.as_str()).await?
            };
            match again {
                Some(a) => a,
                None => actor::resolve_remote(data, actor_id).await.map_err(|e| {
                    Error::Unauthorized(format!(
                        "could not fetch the signing actor {actor_id}: {e}"
                    ))
                })?,
            }
        }
    };
    if key_matches(&actor) {
        return Ok(actor);
    }
    tracing::debug!(was_cached, "signature did not verify with the cached key");
    if was_cached && verkosto.refetch_guard().allow(actor_id) {
        let fresh = match actor::refetch_remote(data, actor_id).await {
            Ok(a) => a,
            Err(Error::Gone(_)) => {
                // Its origin says it was deleted: forget it and what it followed here.
                verkosto.forget_remote_actor(actor_id).await?;
                return Err(Error::Unauthorized(format!(
                    "the signing actor {actor_id} was deleted"
                )));
            }
            Err(e) => {
                return Err(Error::Unauthorized(format!(
                    "could not refetch the signing actor {actor_id}: {e}"
                )));
            }
        };
        if key_matches(&fresh) {
            return Ok(fresh);
        }
    }
    Err(Error::Unauthorized(format!(
        "the signature does not verify with the key of {actor_id}"
    )))
}

/// Reads the fields every activity must have (for tests of the parser).
#[cfg(test)]
pub(crate) fn read_envelope(json: &Value) -> Result<()> {
    Envelope::read(json).map(|_| ())
}

/// The fields every activity must have, read before anything is trusted.
struct Envelope {
    id: Url,
    actor: Url,
    kind: String,
}

impl Envelope {
    fn read(json: &Value) -> Result<Envelope> {
        let obj = json
            .as_object()
            .ok_or_else(|| Error::BadRequest("the activity must be a JSON object".into()))?;
        for key in ["@graph", "@reverse", "@included"] {
            if obj.contains_key(key) {
                return Err(Error::BadRequest(format!(
                    "JSON-LD {key} is not accepted in activities"
                )));
            }
        }
        let url_field = |name: &'static str, v: Option<&Value>| -> Result<Url> {
            let raw = match v {
                Some(Value::String(s)) => s.as_str(),
                Some(Value::Object(o)) => o.get("id").and_then(Value::as_str).unwrap_or(""),
                _ => "",
            };
            let url = Url::parse(raw)
                .map_err(|_| Error::BadRequest(format!("the activity's {name} must be a URL")))?;
            if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
                return Err(Error::BadRequest(format!(
                    "the activity's {name} must be an http(s) URL"
                )));
            }
            Ok(url)
        };
        let kind = obj
            .get("type")
            .and_then(Value::as_str)
            .ok_or_else(|| Error::BadRequest("the activity has no type".into()))?
            .to_string();
        Ok(Envelope {
            id: url_field("id", obj.get("id"))?,
            actor: url_field("actor", obj.get("actor"))?,
            kind,
        })
    }
}

/// Activities we acknowledge without acting on, per type, for `/metrics`: what peers send that we do
/// not understand yet. The type is the sender's text, so only the first [`UNHANDLED_TYPES`] distinct
/// types get a series of their own; the rest count as `other`.
#[derive(Debug, Default)]
pub(crate) struct UnhandledActivities(std::sync::Mutex<std::collections::BTreeMap<String, u64>>);

const UNHANDLED_TYPES: usize = 50;

impl UnhandledActivities {
    fn count(&self, kind: &str) {
        let mut counts = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let key = if counts.contains_key(kind) || counts.len() < UNHANDLED_TYPES {
            kind
        } else {
            "other"
        };
        *counts.entry(key.to_string()).or_default() += 1;
    }

    /// Each type seen and how many times, since this process started.
    pub(crate) fn snapshot(&self) -> Vec<(String, u64)> {
        let counts = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        counts.iter().map(|(k, v)| (k.clone(), *v)).collect()
    }
}

async fn run<A>(
    data: &activitypub_federation::config::Data<AppState>,
    json: Value,
) -> Result<Received>
where
    A: Activity<DataType = AppState, Error = Error> + serde::de::DeserializeOwned,
{
    let activity: A = serde_json::from_value(json)
        .map_err(|e| Error::BadRequest(format!("malformed activity: {e}")))?;
    activity.verify(data).await?;
    activity.receive(data).await?;
    Ok(Received::Processed)
}

async fn dispatch(
    data: &activitypub_federation::config::Data<AppState>,
    kind: &str,
    json: Value,
) -> Result<Received> {
    match kind {
        "Follow" => run::<Follow>(data, json).await,
        "Accept" | "Reject" | "TentativeAccept" => run::<IncomingAnswer>(data, json).await,
        "Create" => run::<IncomingCreate>(data, json).await,
        "Announce" => run::<IncomingAnnounce>(data, json).await,
        "Join" => run::<IncomingJoin>(data, json).await,
        "Leave" => run::<IncomingLeave>(data, json).await,
        "Remove" => run::<IncomingRemove>(data, json).await,
        "Undo" => run::<Undo>(data, json).await,
        "Update" => run::<IncomingUpdate>(data, json).await,
        "Delete" => run::<Delete>(data, json).await,
        other => {
            tracing::debug!(kind = other, "activity type not handled; acknowledged");
            data.unhandled_activities.count(other);
            Ok(Received::Ignored)
        }
    }
}
