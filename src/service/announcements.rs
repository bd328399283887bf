//! Announcements: a community tells its followers what is going on; and the timeline that mixes them
//! with events.

use chrono::{DateTime, Utc};
use rand::RngCore;
use url::Url;

use super::communities::{bounded, optional_url, tags};
use super::group_posts::GroupPost;
use super::instance_relay::Relayable;
use super::publish::Audience;
use super::{Reader, Verkosto};
use crate::apub::activities::announce::Announce;
use crate::apub::activities::create::Create;
use crate::apub::activities::delete::DeleteObject;
use crate::apub::activities::group_post::Verb;
use crate::apub::activities::update::Update;
use crate::apub::{actor, new_activity_id, note};
use crate::error::{Error, Refusal, Result};
use crate::model::{Account, Announcement, AnnouncementUpdate, Event, NewAnnouncement, Visibility};
use crate::store::{self, Tx};

const MAX_CONTENT: usize = 50_000;

/// One entry of a member's timeline.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TimelineItem {
    /// An event of a followed community (or relayed by a followed network).
    Event(Box<Event>),
    /// An announcement of a followed community (or relayed by a followed network).
    Announcement(Box<Announcement>),
}

impl TimelineItem {
    fn published_at(&self) -> DateTime<Utc> {
        match self {
            TimelineItem::Event(e) => e.published_at,
            TimelineItem::Announcement(a) => a.published_at,
        }
    }
}

fn check_content(raw: &str) -> Result<()> {
    if raw.trim().is_empty() {
        return Err(Error::invalid("content", Refusal::Required));
    }
    bounded("content", raw, MAX_CONTENT)
}

fn check_title(raw: Option<String>) -> Result<Option<String>> {
    let title = raw.map(|t| t.trim().to_string()).filter(|t| !t.is_empty());
    if let Some(t) = &title {
        bounded("title", t, 200)?;
    }
    Ok(title)
}

impl Verkosto {
    /// Posts an announcement of a community (its managers only): `Create` and `Announce` to followers,
    /// and relayed by the local networks the community belongs to.
    pub async fn create_announcement(
        &self,
        by: &Account,
        community_name: &str,
        new: NewAnnouncement,
    ) -> Result<Announcement> {
        let community = self.community(community_name).await?;
        self.require_manager(by, &community).await?;
        check_content(&new.content)?;
        let mut raw = [0u8; 12];
        rand::rng().fill_bytes(&mut raw);
        let public_id = hex::encode(raw);
        let now = store::now();
        let announcement = Announcement {
            id: 0,
            ap_id: self.state().urls().announcement(&public_id),
            public_id,
            author_ap_id: actor::community_id(self.state(), &community.name),
            community_id: Some(community.id),
            local: true,
            title: check_title(new.title)?,
            content_html: crate::sanitize::markdown(&new.content),
            content_source: Some(new.content),
            image_url: optional_url("image_url", new.image_url.as_deref())?,
            tags: tags(new.tags.unwrap_or_default())?,
            language: new.language.filter(|l| !l.is_empty()),
            pinned: new.pinned.unwrap_or(false),
            visibility: new.visibility.unwrap_or(community.visibility),
            published_at: now,
            updated_at: now,
        };
        let mut tx = self.db().begin().await?;
        let saved = store::announcements::upsert(&mut tx.conn(), &announcement).await?;
        let create = Create::announcement(new_activity_id(self.state()), self.state(), &saved);
        self.send(&mut tx, &saved.author_ap_id, &create, Audience::FOLLOWERS)
            .await?;
        self.announce_object(&mut tx, &saved.author_ap_id, &saved.ap_id, saved.visibility)
            .await?;
        self.record_author(&mut tx, &saved.ap_id, by).await?;
        self.share_in_group(&mut tx, GroupPost::Announcement(Verb::Create, &saved))
            .await?;
        self.relay_through_local_networks(
            &mut tx,
            &saved.author_ap_id,
            (&saved.ap_id, saved.visibility),
        )
        .await?;
        self.relay_from_instance(&mut tx, Relayable::Announcement(&saved))
            .await?;
        self.commit(tx).await?;
        Ok(saved)
    }

    /// `Announce` of `object` by `actor` to its followers (a group sharing its own post, or a network
    /// relaying a member's).
    pub(crate) async fn announce_object(
        &self,
        tx: &mut Tx,
        actor: &Url,
        object: &Url,
        visibility: Visibility,
    ) -> Result<()> {
        let announce = Announce::object(
            new_activity_id(self.state()),
            actor.clone(),
            object.clone(),
            visibility,
        );
        self.send(tx, actor, &announce, Audience::FOLLOWERS).await
    }

    /// A community's announcements, pinned first.
    pub async fn announcements(
        &self,
        community_name: &str,
        reader: &Reader,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<Announcement>> {
        let community = self.community_for(community_name, reader).await?;
        let members_too = self.lists_members_only(&community, reader).await?;
        let author = actor::community_id(self.state(), &community.name);
        let mut c = self.db().acquire().await?;
        store::announcements::by_author(
            &mut c.conn(),
            author.as_str(),
            members_too,
            limit.clamp(1, 100),
            offset.max(0),
        )
        .await
    }

    /// One announcement by API id.
    pub async fn announcement(&self, public_id: &str) -> Result<Announcement> {
        let mut c = self.db().acquire().await?;
        store::announcements::find(&mut c.conn(), public_id)
            .await?
            .ok_or_else(|| {
                Refusal::NoSuchAnnouncement {
                    id: public_id.to_string(),
                }
                .into()
            })
    }

    async fn managed_announcement(&self, by: &Account, public_id: &str) -> Result<Announcement> {
        let a = self.announcement(public_id).await?;
        if !a.local {
            return Err(Refusal::RemoteAnnouncementReadOnly.into());
        }
        let name = self.local_actor_name(&a.author_ap_id);
        let community = self.community(&name).await?;
        self.require_manager(by, &community).await?;
        Ok(a)
    }

    /// Changes an announcement; followers get an `Update`.
    pub async fn update_announcement(
        &self,
        by: &Account,
        public_id: &str,
        change: AnnouncementUpdate,
    ) -> Result<Announcement> {
        let mut a = self.managed_announcement(by, public_id).await?;
        if let Some(content) = change.content {
            check_content(&content)?;
            a.content_html = crate::sanitize::markdown(&content);
            a.content_source = Some(content);
        }
        if change.title.is_some() {
            a.title = check_title(change.title)?;
        }
        if let Some(i) = change.image_url {
            a.image_url = optional_url("image_url", Some(&i))?;
        }
        if let Some(t) = change.tags {
            a.tags = tags(t)?;
        }
        if let Some(l) = change.language {
            a.language = Some(l).filter(|l| !l.is_empty());
        }
        if let Some(p) = change.pinned {
            a.pinned = p;
        }
        a.updated_at = store::now();
        let mut tx = self.db().begin().await?;
        let saved = store::announcements::upsert(&mut tx.conn(), &a).await?;
        let update = Update::announcement(new_activity_id(self.state()), self.state(), &saved);
        self.send(&mut tx, &saved.author_ap_id, &update, Audience::FOLLOWERS)
            .await?;
        self.share_in_group(&mut tx, GroupPost::Announcement(Verb::Update, &saved))
            .await?;
        self.relay_from_instance(&mut tx, Relayable::Announcement(&saved))
            .await?;
        self.commit(tx).await?;
        Ok(saved)
    }

    /// Deletes an announcement; followers get a `Delete`.
    pub async fn delete_announcement(&self, by: &Account, public_id: &str) -> Result<()> {
        let a = self.managed_announcement(by, public_id).await?;
        let mut tx = self.db().begin().await?;
        store::announcements::delete(&mut tx.conn(), a.id).await?;
        let delete = DeleteObject::announcement(new_activity_id(self.state()), &a);
        self.send(&mut tx, &a.author_ap_id, &delete, Audience::FOLLOWERS)
            .await?;
        self.share_in_group(&mut tx, GroupPost::AnnouncementDeleted(&a))
            .await?;
        self.commit(tx).await
    }

    /// A followed community (or a member of a local network) posted an announcement.
    pub(crate) async fn receive_remote_announcement(
        &self,
        author: &Url,
        doc: &serde_json::Value,
    ) -> Result<()> {
        let attributed = doc
            .get("attributedTo")
            .and_then(|a| crate::apub::activities::object_id(a).ok());
        if attributed.as_ref() != Some(author) {
            return Err(Error::Forbidden(
                "an announcement can only be posted by its author".into(),
            ));
        }
        if !self.has_relation_to(author).await? {
            return Ok(());
        }
        let Some(visibility) = self.kept_as(author, doc).await? else {
            return Ok(());
        };
        let saved = self
            .store_remote_announcement(author, doc, visibility)
            .await?;
        let mut tx = self.db().begin().await?;
        self.relay_through_local_networks(&mut tx, author, (&saved.ap_id, saved.visibility))
            .await?;
        self.commit(tx).await
    }

    /// The visibility a remote post of `author` is kept with, or `None` when it is not kept: a
    /// members-only post (issue 18) is kept only for the accounts here that follow its community,
    /// and shown to them alone.
    pub(crate) async fn kept_as(
        &self,
        author: &Url,
        doc: &serde_json::Value,
    ) -> Result<Option<Visibility>> {
        let visibility = crate::apub::activities::visibility_of(doc);
        if visibility.is_members() {
            let mut c = self.db().acquire().await?;
            if !store::follows::is_followed_locally(&mut c.conn(), author.as_str()).await? {
                return Ok(None);
            }
        }
        Ok(Some(visibility))
    }

    pub(crate) async fn store_remote_announcement(
        &self,
        author: &Url,
        doc: &serde_json::Value,
        visibility: Visibility,
    ) -> Result<Announcement> {
        let ap_id =
            crate::apub::activities::object_id(doc.get("id").unwrap_or(&serde_json::Value::Null))?;
        if actor::normalized_host(&ap_id) != actor::normalized_host(author) {
            return Err(Error::Forbidden(
                "an announcement must be on its author's host".into(),
            ));
        }
        self.upsert_remote_announcement(author, doc, visibility)
            .await
    }

    /// A member's post in a remote group (FEP-1b12: Lemmy's `Announce{Create{Page}}`), stored as an
    /// announcement of the group, which followers here follow. The post may be on another host than
    /// the group (a member elsewhere): the caller read it from its origin, or from the group's own
    /// host, and checked that it is addressed to the group.
    pub(crate) async fn store_group_post(
        &self,
        group: &Url,
        doc: &serde_json::Value,
    ) -> Result<Announcement> {
        self.upsert_remote_announcement(group, doc, Visibility::Public)
            .await
    }

    /// Whether `ap_id` is a remote announcement stored as `author`'s.
    pub(crate) async fn is_remote_post_of(&self, author: &Url, ap_id: &Url) -> Result<bool> {
        let mut c = self.db().acquire().await?;
        Ok(store::announcements::find(&mut c.conn(), ap_id.as_str())
            .await?
            .is_some_and(|a| !a.local && &a.author_ap_id == author))
    }

    /// Stores a remote post as `author`'s announcement; its visibility is fixed when first stored.
    async fn upsert_remote_announcement(
        &self,
        author: &Url,
        doc: &serde_json::Value,
        visibility: Visibility,
    ) -> Result<Announcement> {
        let mut c = self.db().acquire().await?;
        let ap_id =
            crate::apub::activities::object_id(doc.get("id").unwrap_or(&serde_json::Value::Null))?;
        let existing = store::announcements::find(&mut c.conn(), ap_id.as_str()).await?;
        if let Some(e) = &existing
            && (e.local || &e.author_ap_id != author)
        {
            return Err(Error::Forbidden(
                "only its author can change an announcement".into(),
            ));
        }
        let mut raw = [0u8; 12];
        rand::rng().fill_bytes(&mut raw);
        let public_id = existing
            .map(|e| e.public_id)
            .unwrap_or_else(|| hex::encode(raw));
        let mut a = note::announcement_from_ap(doc, public_id, author.clone())?;
        a.visibility = visibility;
        store::announcements::upsert(&mut c.conn(), &a).await
    }

    /// Events and announcements of what an account follows, newest first, published before `before`.
    pub async fn timeline(
        &self,
        account: &Account,
        before: Option<DateTime<Utc>>,
        limit: i64,
    ) -> Result<Vec<TimelineItem>> {
        let limit = limit.clamp(1, 100);
        let before = before.unwrap_or_else(|| Utc::now() + chrono::Duration::days(1));
        let mut c = self.db().acquire().await?;
        let mut items: Vec<TimelineItem> =
            store::events::timeline(&mut c.conn(), account.id, before, limit)
                .await?
                .into_iter()
                .map(|e| TimelineItem::Event(Box::new(e)))
                .chain(
                    store::announcements::timeline(&mut c.conn(), account.id, before, limit)
                        .await?
                        .into_iter()
                        .map(|a| TimelineItem::Announcement(Box::new(a))),
                )
                .collect();
        items.sort_by_key(|i| std::cmp::Reverse(i.published_at()));
        items.truncate(limit as usize);
        Ok(items)
    }
}
