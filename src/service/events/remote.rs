//! Events arriving from other servers: published, changed and deleted by their organizers.

use url::Url;

use super::{Verkosto, new_public_id};
use crate::DomainEvent;
use crate::apub::{actor, event as ap_event};
use crate::error::{Error, Result};
use crate::model::{Event, EventStatus};
use crate::store;

impl Verkosto {
    /// A remote group published or changed an event. Stored when someone here follows the group.
    pub(crate) async fn receive_remote_event(
        &self,
        organizer: &Url,
        doc: &serde_json::Value,
        relay: bool,
    ) -> Result<()> {
        if crate::apub::event::organizer_of(doc).as_ref() != Some(organizer) {
            return Err(Error::Forbidden(
                "an event can only be published or changed by its organizer".into(),
            ));
        }
        if !crate::apub::is_public(doc) {
            // A members-only event (issue 18): kept for the accounts here that follow its group,
            // and shown to them alone. Anything else not public is not ours to keep.
            let mut c = self.db().acquire().await?;
            if !store::follows::is_followed_locally(&mut c.conn(), organizer.as_str()).await? {
                tracing::info!(%organizer, "non-public event of a group nobody here follows ignored");
                return Ok(());
            }
        }
        let cohosted_here = doc
            .get("organizers")
            .and_then(|o| o.as_array())
            .is_some_and(|list| {
                list.iter()
                    .filter_map(|o| o.as_str())
                    .any(|o| Url::parse(o).is_ok_and(|u| self.is_local_url(&u)))
            });
        if !cohosted_here
            && !self.has_relation_to(organizer).await?
            && !self.is_relay_actor(organizer).await?
        {
            tracing::info!(%organizer, "event from a group nobody here follows; dropped");
            return Ok(());
        }
        let mut event = self.store_remote_event(organizer, doc).await?;
        if event.series.is_none()
            && let Some(detail) = crate::apub::series::gancio_detail_url(doc)
        {
            // Gancio names an occurrence's recurring parent only in its REST API: asked once per
            // event until it is grouped (a failure only leaves it ungrouped).
            match self.group_gancio_occurrence(&event, &detail).await {
                Ok(Some(grouped)) => event = grouped,
                Ok(None) => {}
                Err(e) => tracing::info!(%detail, error = %e, "Gancio event details not read"),
            }
        }
        if relay {
            let mut tx = self.db().begin().await?;
            self.relay_through_local_networks(&mut tx, organizer, (&event.ap_id, event.visibility))
                .await?;
            self.commit(tx).await?;
        }
        Ok(())
    }

    /// Whether a remote actor matters here: an account follows it, or it is a member of a local network.
    pub(crate) async fn has_relation_to(&self, actor_id: &Url) -> Result<bool> {
        let mut c = self.db().acquire().await?;
        Ok(
            store::follows::is_followed_locally(&mut c.conn(), actor_id.as_str()).await?
                || !store::networks::networks_of_member(&mut c.conn(), actor_id.as_str())
                    .await?
                    .is_empty(),
        )
    }

    pub(crate) async fn store_remote_event(
        &self,
        organizer: &Url,
        doc: &serde_json::Value,
    ) -> Result<Event> {
        let ap_id = doc
            .get("id")
            .and_then(|i| crate::apub::activities::object_id(i).ok())
            .ok_or_else(|| Error::BadRequest("the event has no id".into()))?;
        if actor::normalized_host(&ap_id) != actor::normalized_host(organizer) {
            return Err(Error::Forbidden(
                "an event must be on its organizer's host".into(),
            ));
        }
        let mut tx = self.db().begin().await?;
        let existing = store::events::find_by_ap_id(&mut tx.conn(), ap_id.as_str()).await?;
        if let Some(e) = &existing
            && (e.local || &e.organizer_ap_id != organizer)
        {
            return Err(Error::Forbidden(
                "only an event's organizer can change it".into(),
            ));
        }
        let public_id = existing
            .as_ref()
            .map(|e| e.public_id.clone())
            .unwrap_or_else(new_public_id);
        let mut event = ap_event::event_from_ap(doc, public_id, organizer.clone())?;
        // Fixed when first stored: a later Update does not widen who sees it.
        event.visibility = crate::apub::activities::visibility_of(doc);
        event.sequence = existing.as_ref().map(|e| e.sequence + 1).unwrap_or(0);
        let mut saved = store::events::upsert(&mut tx.conn(), &event).await?;
        if let Some(link) = &event.series {
            self.link_remote_occurrence(&mut tx, &saved, link).await?;
            saved = store::events::find_by_id(&mut tx.conn(), saved.id)
                .await?
                .unwrap_or(saved);
        }
        tx.commit().await?;
        let id = saved.ap_id.clone();
        self.emit(match existing {
            None => DomainEvent::RemoteEventStored { event: id },
            Some(before)
                if saved.status == EventStatus::Cancelled
                    && before.status != EventStatus::Cancelled =>
            {
                DomainEvent::RemoteEventCancelled { event: id }
            }
            Some(_) => DomainEvent::RemoteEventUpdated { event: id },
        });
        Ok(saved)
    }

    /// Reads Gancio's details of a received event and, when it is an occurrence of a recurring
    /// parent, groups it under that parent as a series.
    async fn group_gancio_occurrence(&self, event: &Event, detail: &Url) -> Result<Option<Event>> {
        if actor::normalized_host(detail) != actor::normalized_host(&event.ap_id) {
            return Ok(None);
        }
        let response = self
            .state()
            .http
            .get(detail.clone())
            .header(http::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| Error::BadRequest(e.to_string()))?;
        if !response.status().is_success() {
            return Ok(None);
        }
        let mut response = response;
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| Error::BadRequest(e.to_string()))?
        {
            body.extend_from_slice(&chunk);
            if body.len() > 256 * 1024 {
                return Ok(None);
            }
        }
        let Ok(detail) = serde_json::from_slice::<serde_json::Value>(&body) else {
            return Ok(None);
        };
        let Some((series, rule)) =
            crate::apub::series::gancio_series(&detail, &event.ap_id, event.zone())
        else {
            return Ok(None);
        };
        let link = crate::model::SeriesLink {
            id: String::new(),
            ap_id: series,
            recurrence: rule,
            recurrence_id: event.starts_at,
            overridden: false,
        };
        let mut tx = self.db().begin().await?;
        self.link_remote_occurrence(&mut tx, event, &link).await?;
        let grouped = store::events::find_by_id(&mut tx.conn(), event.id).await?;
        tx.commit().await?;
        Ok(grouped)
    }

    /// Groups a received occurrence under its series (stored as a remote series on first sight), so
    /// that pages show it as one of a series. A series id off the organizer's host is ignored.
    async fn link_remote_occurrence(
        &self,
        tx: &mut store::Tx,
        event: &Event,
        link: &crate::model::SeriesLink,
    ) -> Result<()> {
        if actor::normalized_host(&link.ap_id) != actor::normalized_host(&event.organizer_ap_id)
            || self.is_local_url(&link.ap_id)
        {
            return Ok(());
        }
        let existing = store::series::find_by_ap_id(&mut tx.conn(), link.ap_id.as_str()).await?;
        if existing.as_ref().is_some_and(|s| s.is_local()) {
            return Ok(());
        }
        let now = store::now();
        let series = crate::model::Series {
            id: 0,
            public_id: existing
                .as_ref()
                .map(|s| s.public_id.clone())
                .unwrap_or_else(new_public_id),
            ap_id: link.ap_id.clone(),
            organizer_ap_id: event.organizer_ap_id.clone(),
            community_id: None,
            recurrence: link.recurrence.clone(),
            timezone: event.timezone.clone(),
            first_starts_at: existing.as_ref().map_or(link.recurrence_id, |s| {
                s.first_starts_at.min(link.recurrence_id)
            }),
            duration_seconds: (event.ends_at - event.starts_at).num_seconds(),
            template: None,
            exdates: vec![],
            generated_until: None,
            ended_at: None,
            created_at: existing.as_ref().map_or(now, |s| s.created_at),
            updated_at: now,
        };
        let series = store::series::upsert(&mut tx.conn(), &series).await?;
        let taken =
            store::series::occurrence_at(&mut tx.conn(), series.id, link.recurrence_id).await?;
        if taken.is_none_or(|id| id == event.id) {
            store::series::unlink(&mut tx.conn(), event.id).await?;
            store::series::link(
                &mut tx.conn(),
                event.id,
                series.id,
                link.recurrence_id,
                false,
            )
            .await?;
        }
        Ok(())
    }

    /// A remote actor deleted an object: one of its events, an announcement stored as its own, or a
    /// reply it wrote. Anything else, someone else's above all, is left alone.
    pub(crate) async fn receive_delete(&self, actor_id: &Url, object: &Url) -> Result<()> {
        let mut tx = self.db().begin().await?;
        if let Some(event) = store::events::find_by_ap_id(&mut tx.conn(), object.as_str()).await? {
            if event.local || &event.organizer_ap_id != actor_id {
                return Err(Error::Forbidden(
                    "only an event's organizer can delete it".into(),
                ));
            }
            store::events::delete(&mut tx.conn(), &event, store::now()).await?;
            tx.commit().await?;
            self.emit(DomainEvent::RemoteEventCancelled { event: event.ap_id });
            return Ok(());
        }
        if let Some(a) = store::announcements::find(&mut tx.conn(), object.as_str()).await? {
            // Only the actor it is stored under: its author, or for a group's post (FEP-1b12) the
            // group, which announces its members' and moderators' deletions.
            if a.local || &a.author_ap_id != actor_id {
                return Err(Error::Forbidden(
                    "only an announcement's author can delete it".into(),
                ));
            }
            store::announcements::delete(&mut tx.conn(), a.id).await?;
        } else {
            store::events::delete_comment_by_ap_id(
                &mut tx.conn(),
                object.as_str(),
                actor_id.as_str(),
            )
            .await?;
        }
        tx.commit().await
    }
}
