//! Replies to events: received from other servers, listed, and removed by managers.

use chrono::{DateTime, Utc};
use url::Url;

use super::Verkosto;
use crate::DomainEvent;
use crate::apub::activities::remove::Remove;
use crate::error::{Error, Refusal, Result};
use crate::model::{Account, Comment, Event};
use crate::service::notifications::ManagerRequest;
use crate::service::publish::Audience;
use crate::store;

impl Verkosto {
    /// A reply to one of our events arrived.
    pub(crate) async fn receive_reply(&self, author: &Url, note: &serde_json::Value) -> Result<()> {
        let Some(in_reply_to) = note
            .get("inReplyTo")
            .and_then(|r| crate::apub::activities::object_id(r).ok())
        else {
            return Ok(());
        };
        let Some(event) = self.event_replied_to(&in_reply_to).await? else {
            return Ok(());
        };
        if !event.comments_enabled {
            return Err(Refusal::CommentsClosed.into());
        }
        self.require_member_for(&event, author).await?;
        if let Some(community_id) = event.community_id
            && self.is_banned_from(community_id, author).await?
        {
            return Err(Refusal::Banned.into());
        }
        let ap_id = crate::apub::activities::object_id(note)?;
        let content: String = note
            .get("content")
            .and_then(|c| c.as_str())
            .unwrap_or("")
            .chars()
            .take(20_000)
            .collect();
        let comment = Comment {
            id: 0,
            ap_id,
            author_ap_id: author.clone(),
            content_html: crate::sanitize::html(&content),
            published_at: note
                .get("published")
                .and_then(|p| p.as_str())
                .and_then(|p| DateTime::parse_from_rfc3339(p).ok())
                .map(|p| p.with_timezone(&Utc))
                .unwrap_or_else(store::now),
        };
        let mut tx = self.db().begin().await?;
        // A first-time commenter's reply waits for a manager when the community asks for that.
        let held = match event.community_id {
            Some(community_id) => {
                store::community_rules::get(&mut tx.conn(), community_id)
                    .await?
                    .hold_first_comments
                    && !store::community_rules::has_accepted_comment(
                        &mut tx.conn(),
                        community_id,
                        author.as_str(),
                    )
                    .await?
            }
            None => false,
        };
        store::events::insert_comment(&mut tx.conn(), event.id, &comment, held).await?;
        if held && let Some(community_id) = event.community_id {
            let request = ManagerRequest::Comment {
                event: &event,
                who: author.as_str(),
            };
            let key = format!("decision_needed:comment:{}", comment.ap_id);
            self.notify_managers(&mut tx, community_id, key, request)
                .await?;
        }
        self.commit(tx).await?;
        self.emit(DomainEvent::CommentReceived {
            event: event.ap_id,
            comment: comment.ap_id,
            author: comment.author_ap_id,
        });
        Ok(())
    }

    /// The event a reply to `target` comments on: our event itself, or (a reply in a thread, as
    /// Lemmy nests comments) a comment already stored on one of our events. `None` for anything remote and not ours.
    pub(crate) async fn event_replied_to(&self, target: &Url) -> Result<Option<Event>> {
        if self.is_local_url(target) {
            // Not found is an error here (the sender replied to something we do not have).
            return self.event_by_ap_id(target).await.map(Some);
        }
        let mut c = self.db().acquire().await?;
        let Some(event) = store::events::event_of_comment(&mut c.conn(), target.as_str()).await?
        else {
            return Ok(None);
        };
        Ok(Some(event).filter(|e| e.local))
    }

    /// Replies to an event.
    pub async fn comments(&self, public_id: &str) -> Result<Vec<Comment>> {
        let event = self.event(public_id).await?;
        let mut c = self.db().acquire().await?;
        store::events::comments(&mut c.conn(), event.id).await
    }

    /// A manager removes a reply; followers are told with a `Remove`.
    pub async fn remove_comment(
        &self,
        by: &Account,
        public_id: &str,
        comment_id: i64,
    ) -> Result<()> {
        let (event, _) = self.managed_local_event(by, public_id).await?;
        let mut tx = self.db().begin().await?;
        let removed = store::events::delete_comment(&mut tx.conn(), event.id, comment_id)
            .await?
            .ok_or_else(|| Error::from(Refusal::NoSuchComment))?;
        let id = crate::apub::new_activity_id(self.state());
        let remove = Remove::comment(id, &event, removed.ap_id);
        self.send(
            &mut tx,
            &event.organizer_ap_id,
            &remove,
            Audience::FOLLOWERS,
        )
        .await?;
        self.commit(tx).await
    }
}
