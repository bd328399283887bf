//! Backfill (issue 20, item 4): when a follow of a remote community or instance is accepted, or a
//! remote community joins one of our networks, the first page of its outbox is read and its
//! upcoming public events are stored, so a new follower sees what is already planned (Gancio reads
//! the ten latest of an outbox the same way).
//!
//! Bounded: one outbox and its first page, at most [`crate::Settings::backfill_items`] items, each
//! document at most the federation client's 1 MB, every request through the one safe client. Run
//! in a spawned task, so the `Accept` that caused it is answered at once.

use chrono::{DateTime, Utc};
use serde_json::Value;
use url::Url;

use super::Verkosto;
use super::relays::organizer_on_own_host;
use crate::apub::actor;
use crate::error::{Error, Result};

impl Verkosto {
    /// Backfills `actor_id`'s upcoming events in the background; `via` records them as relayed by
    /// it (a followed instance actor, shown on the instance calendar).
    pub(crate) fn spawn_backfill(&self, actor_id: Url, via: Option<Url>) {
        let verkosto = self.clone();
        tokio::spawn(async move {
            match verkosto.backfill(&actor_id, via.as_ref()).await {
                Ok(stored) => {
                    tracing::info!(actor = %actor_id, stored, "backfilled upcoming events")
                }
                Err(e) => tracing::info!(actor = %actor_id, error = %e, "backfill failed"),
            }
        });
    }

    /// Reads the first page of `actor_id`'s outbox and stores its upcoming public events; returns
    /// how many were stored.
    pub(crate) async fn backfill(&self, actor_id: &Url, via: Option<&Url>) -> Result<usize> {
        let data = self.federation_data();
        let who = actor::resolve_remote(&data, actor_id).await?;
        let Some(outbox_url) = who.outbox.clone() else {
            return Ok(0);
        };
        let outbox = crate::apub::fetch_json(&self.federation_data(), &outbox_url).await?;
        let first = outbox.get("first").cloned();
        let page = match first {
            Some(Value::String(first)) => {
                let first = Url::parse(&first)
                    .map_err(|_| Error::BadRequest("the outbox's first page is no URL".into()))?;
                same_host(&first, &outbox_url)?;
                crate::apub::fetch_json(&self.federation_data(), &first).await?
            }
            Some(first @ Value::Object(_)) => first,
            _ => outbox,
        };
        let items = page
            .get("orderedItems")
            .or_else(|| page.get("items"))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let now = Utc::now();
        let mut stored = 0;
        for item in items.iter().take(self.settings().backfill_items) {
            let Some(doc) = self.event_of(item, actor_id).await else {
                continue;
            };
            if !is_upcoming(&doc, now) || !crate::apub::is_public(&doc) {
                continue;
            }
            let Some(organizer) = organizer_on_own_host(&doc, Some(actor_id)) else {
                continue;
            };
            match self.store_remote_event(&organizer, &doc).await {
                Ok(event) => {
                    stored += 1;
                    if let Some(via) = via {
                        self.record_relay(&event.ap_id, via).await?;
                    }
                }
                Err(e) => tracing::debug!(error = %e, "backfilled event not stored"),
            }
        }
        Ok(stored)
    }

    /// The event an outbox item carries: `Create{Event}`, `Announce{Event}`, `Announce{Create{Event}}`
    /// (FEP-1b12), embedded or by id. An embedded event is used as it is only when it is on the
    /// outbox owner's host (which served it); any other is read from its origin.
    async fn event_of(&self, item: &Value, owner: &Url) -> Option<Value> {
        let mut object = item.get("object")?.clone();
        if matches!(item.get("type").and_then(Value::as_str), Some("Announce"))
            && object.get("type").and_then(Value::as_str) == Some("Create")
        {
            object = object.get("object")?.clone();
        }
        if !matches!(
            item.get("type").and_then(Value::as_str),
            Some("Create" | "Announce")
        ) {
            return None;
        }
        let id = crate::apub::activities::object_id(&object).ok()?;
        if self.is_local_url(&id) {
            return None;
        }
        let trusted = object.is_object()
            && actor::normalized_host(&id) == actor::normalized_host(owner)
            && object.get("type").and_then(Value::as_str).is_some();
        let doc = if trusted {
            object
        } else {
            crate::apub::fetch_json(&self.federation_data(), &id)
                .await
                .ok()?
        };
        (doc.get("type").and_then(Value::as_str) == Some("Event")).then_some(doc)
    }
}

/// Whether an event document has not ended by `now` (its end, or its start when it has no end).
fn is_upcoming(doc: &Value, now: DateTime<Utc>) -> bool {
    ["endTime", "startTime"]
        .iter()
        .find_map(|k| doc.get(*k).and_then(Value::as_str))
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .is_some_and(|t| t.with_timezone(&Utc) >= now)
}

fn same_host(a: &Url, b: &Url) -> Result<()> {
    if actor::normalized_host(a) == actor::normalized_host(b) {
        Ok(())
    } else {
        Err(Error::Forbidden(
            "an outbox's pages must be on its own host".into(),
        ))
    }
}
