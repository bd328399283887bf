//! What an incoming activity does, once the inbox pipeline has verified it: the service side of
//! each variant of [`Incoming`], so that `apub/` only translates and never reaches back into services.

use activitypub_federation::config::Data;

use axum::body::Body;
use http::Request;
use serde_json::Value;
use url::Url;

use super::Verkosto;
use super::inbox_announce::{is_post_type, is_reply};
use crate::apub::activities::follow::DataExt;
use crate::apub::activities::join::is_community;
use crate::apub::activities::{ObjectOrId, object_id};
use crate::apub::actor::{self, normalized_host};
use crate::apub::inbox::Envelope;
use crate::apub::inbox::{Incoming, Received};
use crate::apub::signatures;
use crate::context::AppState;
use crate::error::Error;
use crate::error::Result;
use crate::model::ParticipationState;
use crate::model::RemoteActor;
use crate::store;
use crate::store::insights::ReactionKind;

use crate::apub::activities::answer::IncomingAnswer;
use crate::apub::activities::create::IncomingCreate;
use crate::apub::activities::delete::Delete;
use crate::apub::activities::follow::Follow;
use crate::apub::activities::join::IncomingJoin;
use crate::apub::activities::join::IncomingLeave;
use crate::apub::activities::remove::IncomingRemove;
use crate::apub::activities::undo::Undo;
use crate::apub::activities::update::IncomingUpdate;

/// Runs an inbox POST through every check, then acts on it: the one entry of the HTTP inbox handlers.
pub(crate) async fn receive(verkosto: &Verkosto, request: Request<Body>) -> Result<Received> {
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
    if !crate::apub::is_activity_content_type(content_type) {
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
        settings.scheme(),
        &settings.domain,
        settings.signature_age(),
    )?;

    let json: Value = serde_json::from_slice(&body)?;
    let envelope = Envelope::read(&json)?;
    if let Some(blocked) = crate::apub::safety::iris(&json)
        .map_err(|e| Error::BadRequest(e.to_string()))?
        .into_iter()
        .find(|u| verkosto.state().blocks.is_blocked(u))
    {
        return Err(Error::Forbidden(format!(
            "the activity involves a blocked domain ({})",
            blocked.host_str().unwrap_or_default()
        )));
    }

    if verkosto.state().suspended.contains(&envelope.actor) {
        return Err(Error::Forbidden(
            "the actor is suspended on this instance".into(),
        ));
    }

    if envelope.actor != signature.key_owner_guess()? {
        // A relay we follow forwards its subscribers' activities signed with its own key.
        if let Some(relay) = verkosto.forwarding_relay(&signature).await? {
            return receive_forwarded(verkosto, &signature, &relay, &envelope, &json).await;
        }
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
        && json.get("object").and_then(|o| object_id(o).ok()).as_ref() == Some(&envelope.actor)
    {
        return Ok(Received::Ignored);
    }
    let sender = authenticate(verkosto, &data, &signature, &envelope.actor, cached).await?;
    tracing::debug!(actor = %sender.ap_id, id = %envelope.id, kind = %envelope.kind, style = signature.style().as_str(), "signature verified");
    verkosto.state().signature_stats.verified(signature.style());
    if signature.style() == signatures::SignatureStyle::Rfc9421 {
        crate::deliver::knock::signed_rfc9421(verkosto, &sender.domain).await?;
    }
    charge(&verkosto.state().inbox_limiter, &sender.domain)?;
    // A host that sends us anything is reachable again: resume what waits for it.
    if store::deliveries::host_is_back(verkosto.db(), &sender.domain, store::now()).await? {
        tracing::info!(host = %sender.domain, "host contacted us; its deliveries resume");
        verkosto.state().deliveries.notify();
    }

    if deduplicated_by_effect(&envelope.kind) {
        return dispatch(verkosto, &data, &envelope.kind, json).await;
    }
    let fresh = {
        let mut c = verkosto.db().acquire().await?;
        store::received::record(&mut c.conn(), envelope.id.as_str(), store::now()).await?
    };
    if !fresh {
        return Ok(Received::Duplicate);
    }
    let outcome = dispatch(verkosto, &data, &envelope.kind, json).await;
    if outcome.is_err() {
        let mut c = verkosto.db().acquire().await?;
        store::received::forget(&mut c.conn(), envelope.id.as_str()).await?;
    }
    outcome
}

/// An activity a relay we follow forwarded under its own signature: the relay's key must verify
/// it; what it carries is then read from its origin (`Verkosto::receive_forwarded`).
async fn receive_forwarded(
    verkosto: &Verkosto,
    signature: &signatures::PendingSignature,
    relay: &Url,
    envelope: &Envelope,
    json: &Value,
) -> Result<Received> {
    let data = verkosto.federation_data();
    let cached = {
        let mut c = verkosto.db().acquire().await?;
        store::remote_actors::find_by_ap_id(&mut c.conn(), relay.as_str()).await?
    };
    let sender = authenticate(verkosto, &data, signature, relay, cached).await?;
    charge(&verkosto.state().inbox_limiter, &sender.domain)?;
    let fresh = {
        let mut c = verkosto.db().acquire().await?;
        store::received::record(&mut c.conn(), envelope.id.as_str(), store::now()).await?
    };
    if !fresh {
        return Ok(Received::Duplicate);
    }
    match verkosto
        .receive_forwarded(relay, &envelope.kind, json)
        .await
    {
        Ok(true) => Ok(Received::Processed),
        Ok(false) => Ok(Received::Ignored),
        Err(e) => {
            let mut c = verkosto.db().acquire().await?;
            store::received::forget(&mut c.conn(), envelope.id.as_str()).await?;
            Err(e)
        }
    }
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

/// Verifies the signature with the actor's key: cached key first, then a fresh copy of the actor in
/// case it rotated its key (see [`crate::apub::inbox::RefetchGuard`] for how often).
pub(super) async fn authenticate(
    verkosto: &Verkosto,
    data: &activitypub_federation::config::Data<AppState>,
    signature: &signatures::PendingSignature,
    actor_id: &Url,
    cached: Option<RemoteActor>,
) -> Result<RemoteActor> {
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
    let (verified, known_key) = verify_with_key_of(verkosto, signature, &actor).await?;
    if verified {
        return Ok(actor);
    }
    tracing::debug!(was_cached, "signature did not verify with the cached key");
    let guard = verkosto.refetch_guard();
    if was_cached
        && guard.allow(
            actor_id,
            signature.key_id(),
            &known_key,
            verkosto.settings().key_refetch_interval,
        )
    {
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
        let (helped, _) = verify_with_key_of(verkosto, signature, &fresh).await?;
        guard.outcome(actor_id, helped);
        if helped {
            return Ok(fresh);
        }
    }
    Err(Error::Unauthorized(format!(
        "the signature does not verify with the key of {actor_id}"
    )))
}

/// Whether the signature verifies with `actor`'s key of the signature's key id (its `publicKey`, or an
/// Ed25519 Multikey of its `assertionMethod`), and the key id we hold for that check: the signature's
/// when we hold that key, else the actor's `publicKey` id.
async fn verify_with_key_of(
    verkosto: &Verkosto,
    signature: &signatures::PendingSignature,
    actor: &RemoteActor,
) -> Result<(bool, String)> {
    let key_id = signature.key_id();
    // Parsed keys are cached: the same senders come back, and parsing costs as much as verifying.
    if actor.public_key_id == key_id {
        let verified = verkosto
            .state()
            .keys
            .verifying_key(&actor.public_key_pem)
            .is_some_and(|key| signature.verify_with(&key));
        return Ok((verified, key_id.to_string()));
    }
    let multibase = {
        let mut c = verkosto.db().acquire().await?;
        store::remote_actors::ed25519_key(&mut c.conn(), actor.ap_id.as_str(), key_id).await?
    };
    Ok(match multibase {
        Some(m) => (
            signatures::VerifyingKey::from_multikey(&m)
                .is_some_and(|key| signature.verify_with(&key)),
            key_id.to_string(),
        ),
        None => (false, actor.public_key_id.clone()),
    })
}

/// Reads, checks and acts on a verified activity.
async fn dispatch(
    verkosto: &Verkosto,
    data: &Data<AppState>,
    kind: &str,
    json: Value,
) -> Result<Received> {
    let incoming = Incoming::parse(kind, json)?;
    incoming.verify(data).await?;
    verkosto.act_on(incoming, data).await
}

impl Verkosto {
    /// Acts on a verified activity.
    pub(crate) async fn act_on(
        &self,
        incoming: Incoming,
        data: &Data<AppState>,
    ) -> Result<Received> {
        match incoming {
            Incoming::Announce(activity) => self.act_on_announce(activity, data).await?,
            Incoming::Answer(activity) => self.act_on_answer(activity, data).await?,
            Incoming::Create(activity) => self.act_on_create(activity, data).await?,
            Incoming::Delete(activity) => self.act_on_delete(activity, data).await?,
            Incoming::Follow(activity) => self.act_on_follow(activity, data).await?,
            Incoming::Join(activity) => self.act_on_join(activity, data).await?,
            Incoming::Leave(activity) => self.act_on_leave(activity, data).await?,
            Incoming::Like(activity) => {
                self.receive_reaction(
                    &activity.actor,
                    &activity.liked()?,
                    ReactionKind::Like,
                    &activity.id,
                )
                .await?
            }
            Incoming::Flag(activity) => {
                self.receive_flag(
                    &activity.actor,
                    &activity.reported(),
                    &activity.reason(),
                    &activity.id,
                )
                .await?
            }
            Incoming::Remove(activity) => self.act_on_remove(activity, data).await?,
            Incoming::Undo(activity) => self.act_on_undo(activity, data).await?,
            Incoming::Update(activity) => self.act_on_update(activity, data).await?,
            Incoming::Unhandled(kind) => {
                tracing::debug!(%kind, "activity type not handled; acknowledged");
                data.unhandled_activities.count(&kind);
                return Ok(Received::Ignored);
            }
        }
        Ok(Received::Processed)
    }

    async fn act_on_answer(&self, activity: IncomingAnswer, data: &Data<AppState>) -> Result<()> {
        let verkosto = self;
        let answered = object_id(&activity.object)?;
        if let Some(subscription) = verkosto.relay_follow(&answered).await? {
            let accepted = activity.kind == "Accept";
            return verkosto
                .receive_relay_answer(&activity.actor, subscription, accepted)
                .await;
        }
        let is_follow =
            activity.embedded_type() == Some("Follow") || verkosto.is_our_follow(&answered).await?;
        if is_follow {
            return match activity.kind.as_str() {
                "Accept" => {
                    verkosto
                        .receive_follow_answer(
                            &activity.actor,
                            &ObjectOrId::<Follow>::Id(answered),
                            true,
                        )
                        .await
                }
                "Reject" => {
                    verkosto
                        .receive_follow_answer(
                            &activity.actor,
                            &ObjectOrId::<Follow>::Id(answered),
                            false,
                        )
                        .await
                }
                _ => Ok(()),
            };
        }
        if verkosto.is_our_network_join(&answered).await? {
            let accepted = activity.kind == "Accept";
            return verkosto
                .receive_network_answer(&activity.actor, &answered, accepted)
                .await;
        }
        if activity.embedded_type() == Some("Join") || verkosto.is_our_join(&answered).await? {
            let state = match activity.kind.as_str() {
                "Accept" => ParticipationState::Accepted,
                "TentativeAccept" => ParticipationState::Waitlisted,
                _ => ParticipationState::Rejected,
            };
            return verkosto
                .receive_join_answer(&activity.actor, &answered, state)
                .await;
        }
        if data.config_is_local(&answered) {
            // Friendica's RSVP: the answer's object is our event itself.
            return match activity.kind.as_str() {
                "Reject" => verkosto.receive_leave(&activity.actor, &answered).await,
                _ => {
                    verkosto
                        .receive_join(&activity.actor, &answered, &activity.id, None)
                        .await
                }
            };
        }
        Err(Error::NotFound(format!(
            "nothing of ours answered by {answered}"
        )))
    }

    async fn act_on_create(&self, activity: IncomingCreate, data: &Data<AppState>) -> Result<()> {
        let verkosto = self;
        let object = if activity.object.is_object() {
            activity.object
        } else {
            crate::apub::fetch_json(data, &object_id(&activity.object)?).await?
        };
        // A vote or an answer to one of our feedback polls (issue 16).
        let answered = object.get("inReplyTo").and_then(|r| object_id(r).ok());
        if let Some(crate::urls::LocalObject::Question(poll)) =
            answered.and_then(|r| verkosto.state().urls().parse(&r))
        {
            return verkosto
                .receive_poll_reply(&activity.actor, &activity.id, &poll, &object)
                .await;
        }
        match object.get("type").and_then(Value::as_str) {
            Some("Event") => {
                verkosto
                    .receive_remote_event(&activity.actor, &object, true)
                    .await
            }
            kind if is_post_type(kind) && is_reply(&object) => {
                verkosto.receive_reply(&activity.actor, &object).await
            }
            kind if is_post_type(kind) => {
                verkosto
                    .receive_remote_announcement(&activity.actor, &object)
                    .await
            }
            _ => Ok(()),
        }
    }

    async fn act_on_delete(&self, activity: Delete, _data: &Data<AppState>) -> Result<()> {
        let object = object_id(&activity.object)?;
        if object == activity.actor {
            self.forget_remote_actor(&activity.actor).await
        } else {
            self.receive_delete(&activity.actor, &object).await
        }
    }

    async fn act_on_follow(&self, activity: Follow, _data: &Data<AppState>) -> Result<()> {
        self.receive_follow(activity).await
    }

    async fn act_on_join(&self, activity: IncomingJoin, data: &Data<AppState>) -> Result<()> {
        let target = object_id(&activity.object)?;
        let verkosto = self;
        if is_community(data, &target) {
            return verkosto
                .receive_network_join(&activity.actor, &target, &activity.id)
                .await;
        }
        verkosto
            .receive_join(
                &activity.actor,
                &target,
                &activity.id,
                activity.participation_message,
            )
            .await
    }

    async fn act_on_leave(&self, activity: IncomingLeave, data: &Data<AppState>) -> Result<()> {
        let target = object_id(&activity.object)?;
        if is_community(data, &target) {
            return self.receive_network_leave(&activity.actor, &target).await;
        }
        self.receive_leave(&activity.actor, &target).await
    }

    async fn act_on_remove(&self, activity: IncomingRemove, _data: &Data<AppState>) -> Result<()> {
        self.receive_network_remove(&activity.actor, &object_id(&activity.object)?)
            .await
    }

    async fn act_on_undo(&self, activity: Undo, _data: &Data<AppState>) -> Result<()> {
        if let Some(follow) = activity.undone_follow() {
            return self.receive_unfollow(&activity.actor, &follow).await;
        }
        // Only an id: it means what we stored under it (a Follow, or a Join of an event or network).
        if let Some(id) = activity.undone_id() {
            return self.receive_undo_by_id(&activity.actor, &id).await;
        }
        let Some(embedded) = activity.object.as_object() else {
            return Ok(());
        };
        let undone = || object_id(embedded.get("object").unwrap_or(&serde_json::Value::Null));
        match embedded.get("type").and_then(|t| t.as_str()) {
            // Undo{Join} embedding the Join: its object is the event.
            Some("Join") => self.receive_leave(&activity.actor, &undone()?).await,
            // Mastodon names the reaction it undoes by actor and object (not always by the id
            // it was sent with).
            Some("Like") => {
                self.receive_unreaction(&activity.actor, &undone()?, ReactionKind::Like)
                    .await
            }
            Some("Announce") => {
                self.receive_unreaction(&activity.actor, &undone()?, ReactionKind::Boost)
                    .await
            }
            _ => Ok(()),
        }
    }

    async fn act_on_update(&self, activity: IncomingUpdate, data: &Data<AppState>) -> Result<()> {
        let object = object_id(&activity.object)?;
        if object == activity.actor {
            actor::refetch_remote(data, &activity.actor).await?;
            return Ok(());
        }
        let kind = activity.object.get("type").and_then(|t| t.as_str());
        if kind == Some("Event") {
            // The new version is read from its origin, not from the activity.
            let doc = crate::apub::fetch_json(data, &object).await?;
            self.receive_remote_event(&activity.actor, &doc, false)
                .await?;
        } else if is_post_type(kind) && self.is_remote_post_of(&activity.actor, &object).await? {
            // An edited announcement, by its author: read from its origin too.
            let doc = crate::apub::fetch_json(data, &object).await?;
            // (Who sees it was fixed when it was first kept.)
            let visibility = crate::apub::activities::visibility_of(&doc);
            self.store_remote_announcement(&activity.actor, &doc, visibility)
                .await?;
        }
        Ok(())
    }
}
