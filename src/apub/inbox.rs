//! The inbox's wire side: the envelope every activity must have, the typed [`Incoming`] activities and
//! their document checks. The pipeline that runs them (signature, limits, deduplication, then acting)
//! is `service/inbox.rs`.
//!
//! We do not use the federation crate's `receive_activity`: it fetches the sending actor before looking
//! at the signature (so an unsigned request can make us fetch any URL), and checks neither that `Digest`
//! is signed nor the `Content-Type`. Here every check that needs no network runs first, and only a request
//! carrying a well-formed, fresh, correctly digested signature addressed to us can cause a key fetch.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use activitypub_federation::config::Data;
use http::StatusCode;
use serde_json::Value;
use url::Url;

use super::activities::{
    announce::IncomingAnnounce,
    answer::IncomingAnswer,
    create::IncomingCreate,
    delete::Delete,
    flag::IncomingFlag,
    follow::Follow,
    join::{IncomingJoin, IncomingLeave},
    like::IncomingLike,
    remove::IncomingRemove,
    undo::Undo,
    update::IncomingUpdate,
};
use crate::context::AppState;
use crate::error::{Error, Result};

/// The longest wait between refetches of one actor whose signatures keep failing (the backoff's cap).
const MAX_REFETCH_INTERVAL: Duration = Duration::from_secs(60);

/// Refetches of actors whose signatures failed with the key we hold (it may have rotated).
#[derive(Default)]
pub(crate) struct RefetchGuard(Mutex<HashMap<String, Refetched>>);

/// The last refetch of one actor.
struct Refetched {
    at: Instant,
    /// The key id that caused it.
    key_id: String,
    /// Refetches in a row that did not make a signature verify.
    futile: u32,
}

impl RefetchGuard {
    /// Whether `actor` may be refetched now for a signature by `key_id` that failed with the key we
    /// hold, `stored_key_id`: at once when the key id is another than ours (and did not already cause
    /// a refetch that did not help), otherwise once per `interval`, doubled for each futile refetch in
    /// a row, up to a minute.
    pub(crate) fn allow(
        &self,
        actor: &Url,
        key_id: &str,
        stored_key_id: &str,
        interval: Duration,
    ) -> bool {
        let Ok(mut map) = self.0.lock() else {
            return false;
        };
        let now = Instant::now();
        // Bounded state: old entries go, so a flood of bad signatures cannot grow this without limit.
        if map.len() > 10_000 {
            map.retain(|_, r| now.duration_since(r.at) < MAX_REFETCH_INTERVAL);
        }
        let allowed = match map.get(actor.as_str()) {
            None => true,
            Some(last) if key_id != stored_key_id && key_id != last.key_id => true,
            Some(last) => {
                let wait = interval
                    .saturating_mul(1 << last.futile.saturating_sub(1).min(6))
                    .min(MAX_REFETCH_INTERVAL);
                now.duration_since(last.at) >= wait
            }
        };
        if allowed {
            let futile = map.get(actor.as_str()).map_or(0, |r| r.futile);
            map.insert(
                actor.as_str().to_string(),
                Refetched {
                    at: now,
                    key_id: key_id.to_string(),
                    futile,
                },
            );
        }
        allowed
    }

    /// The refetch allowed last for `actor` made its signature verify (`true`) or not.
    pub(crate) fn outcome(&self, actor: &Url, helped: bool) {
        if let Ok(mut map) = self.0.lock()
            && let Some(r) = map.get_mut(actor.as_str())
        {
            r.futile = if helped {
                0
            } else {
                r.futile.saturating_add(1)
            };
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

/// Reads the fields every activity must have (for tests of the parser).
#[cfg(test)]
pub(crate) fn read_envelope(json: &Value) -> Result<()> {
    Envelope::read(json).map(|_| ())
}

/// The fields every activity must have, read before anything is trusted.
pub(crate) struct Envelope {
    pub(crate) id: Url,
    pub(crate) actor: Url,
    pub(crate) kind: String,
}

impl Envelope {
    pub(crate) fn read(json: &Value) -> Result<Envelope> {
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
    pub(crate) fn count(&self, kind: &str) {
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

/// An incoming activity, typed: what the inbox can act on, or the type it cannot.
#[derive(Debug)]
pub(crate) enum Incoming {
    /// `Follow`.
    Follow(Follow),
    /// `Accept`, `TentativeAccept` or `Reject` of a `Follow` or a `Join` we sent.
    Answer(IncomingAnswer),
    /// `Create` (an event, or a reply).
    Create(IncomingCreate),
    /// `Announce` (a network relaying, a group sharing).
    Announce(IncomingAnnounce),
    /// `Join` of an event or a network.
    Join(IncomingJoin),
    /// `Leave` of an event or a network.
    Leave(IncomingLeave),
    /// `Like` of one of our objects.
    Like(IncomingLike),
    /// `Flag`: a report of our content or people.
    Flag(IncomingFlag),
    /// `Remove` of a member from a network.
    Remove(IncomingRemove),
    /// `Undo` of a `Follow` or a `Join`.
    Undo(Undo),
    /// `Update` of an event or an actor.
    Update(IncomingUpdate),
    /// `Delete` of an object or an actor.
    Delete(Delete),
    /// A type we acknowledge without acting on (counted in `/metrics`).
    Unhandled(String),
}

impl Incoming {
    /// Reads `json` as the activity its `type` names.
    pub(crate) fn parse(kind: &str, json: Value) -> Result<Incoming> {
        fn read<A: serde::de::DeserializeOwned>(json: Value) -> Result<A> {
            serde_json::from_value(json)
                .map_err(|e| Error::BadRequest(format!("malformed activity: {e}")))
        }
        Ok(match kind {
            "Follow" => Incoming::Follow(read(json)?),
            "Accept" | "Reject" | "TentativeAccept" => Incoming::Answer(read(json)?),
            "Create" => Incoming::Create(read(json)?),
            "Announce" => Incoming::Announce(read(json)?),
            "Join" => Incoming::Join(read(json)?),
            "Leave" => Incoming::Leave(read(json)?),
            "Like" => Incoming::Like(read(json)?),
            "Flag" => Incoming::Flag(read(json)?),
            "Remove" => Incoming::Remove(read(json)?),
            "Undo" => Incoming::Undo(read(json)?),
            "Update" => Incoming::Update(read(json)?),
            "Delete" => Incoming::Delete(read(json)?),
            other => Incoming::Unhandled(other.to_string()),
        })
    }

    /// What can be checked on the document itself, before anything acts on it.
    pub(crate) async fn verify(&self, data: &Data<AppState>) -> Result<()> {
        match self {
            Incoming::Follow(a) => a.verify(data).await,
            Incoming::Answer(a) => a.verify(data).await,
            Incoming::Create(a) => a.verify(data).await,
            Incoming::Announce(a) => a.verify(data).await,
            Incoming::Join(a) => a.verify(data).await,
            Incoming::Leave(a) => a.verify(data).await,
            Incoming::Like(a) => a.verify(data).await,
            Incoming::Flag(a) => a.verify(data).await,
            Incoming::Remove(a) => a.verify(data).await,
            Incoming::Undo(a) => a.verify(data).await,
            Incoming::Update(a) => a.verify(data).await,
            Incoming::Delete(a) => a.verify(data).await,
            Incoming::Unhandled(_) => Ok(()),
        }
    }
}
