//! FEP-1b12 for what a community publishes: besides the community's own activities, the manager who
//! wrote an event or announcement `Create`s, `Update`s or `Delete`s it in the community, and the
//! community `Announce`s that activity to its followers (see `apub::activities::group_post` for why
//! both are sent). Only managers' edits go this way, not the participant counts an event's `Update`
//! also carries: group-aware readers do not show them.

use url::Url;

use super::Verkosto;
use super::publish::Audience;
use crate::apub::activities::Outgoing;
use crate::apub::activities::group_post::{
    AnnounceActivity, AuthoredInGroup, DeletedInGroup, Verb,
};
use crate::apub::{actor, new_activity_id};
use crate::error::Result;
use crate::model::{Account, Announcement, Event, Role};
use crate::store::{self, Tx};

/// What happened to a community's object, to be told in the group as its author.
pub(crate) enum GroupPost<'a> {
    /// An event was published or changed.
    Event(Verb, &'a Event),
    /// An announcement was published or changed.
    Announcement(Verb, &'a Announcement),
    /// An event was deleted.
    EventDeleted(&'a Event),
    /// An announcement was deleted.
    AnnouncementDeleted(&'a Announcement),
}

impl Verkosto {
    /// Records `by` as the author of a newly published `object`.
    pub(crate) async fn record_author(
        &self,
        tx: &mut Tx,
        object: &Url,
        by: &Account,
    ) -> Result<()> {
        let person = actor::account_id(self.state(), &by.username);
        store::authors::record(&mut tx.conn(), object.as_str(), person.as_str()).await
    }

    /// Sends `post` by its author in its community, announced by the community. Nothing is sent
    /// when the community has no author to name (no recorded author and no managers left).
    pub(crate) async fn share_in_group(&self, tx: &mut Tx, post: GroupPost<'_>) -> Result<()> {
        let (object, community_id, group) = match &post {
            GroupPost::Event(_, e) | GroupPost::EventDeleted(e) => {
                (&e.ap_id, e.community_id, &e.organizer_ap_id)
            }
            GroupPost::Announcement(_, a) | GroupPost::AnnouncementDeleted(a) => {
                (&a.ap_id, a.community_id, &a.author_ap_id)
            }
        };
        let Some(author) = self.author_of(tx, object, community_id).await? else {
            return Ok(());
        };
        let state = self.state();
        let id = new_activity_id(state);
        match post {
            GroupPost::Event(verb, e) => {
                let inner = AuthoredInGroup::event(verb, id, state, e, &author);
                self.announce_in_group(tx, group, &inner).await
            }
            GroupPost::Announcement(verb, a) => {
                let inner = AuthoredInGroup::announcement(verb, id, state, a, &author);
                self.announce_in_group(tx, group, &inner).await
            }
            GroupPost::EventDeleted(e) => {
                let inner =
                    DeletedInGroup::new(id, &author, group, (&e.ap_id, "Event"), e.visibility);
                self.announce_in_group(tx, group, &inner).await
            }
            GroupPost::AnnouncementDeleted(a) => {
                let kind = if a.title.is_some() { "Article" } else { "Note" };
                let inner = DeletedInGroup::new(id, &author, group, (&a.ap_id, kind), a.visibility);
                self.announce_in_group(tx, group, &inner).await
            }
        }
    }

    async fn announce_in_group<A: Outgoing>(
        &self,
        tx: &mut Tx,
        group: &Url,
        inner: &A,
    ) -> Result<()> {
        let announce = AnnounceActivity::of(new_activity_id(self.state()), group, inner)?;
        self.send(tx, group, &announce, Audience::FOLLOWERS).await
    }

    /// Who is named as the author of a local community's `object`: who published it or, for what was
    /// published before authors were recorded, the community's owner (else its first manager).
    async fn author_of(
        &self,
        tx: &mut Tx,
        object: &Url,
        community_id: Option<i64>,
    ) -> Result<Option<Url>> {
        if let Some(person) = store::authors::find(&mut tx.conn(), object.as_str()).await? {
            return Ok(Url::parse(&person).ok());
        }
        let Some(community_id) = community_id else {
            return Ok(None);
        };
        let managers = store::communities::managers(&mut tx.conn(), community_id).await?;
        let first = managers
            .iter()
            .find(|m| m.role == Role::Owner)
            .or(managers.first());
        Ok(first.map(|m| actor::account_id(self.state(), &m.username)))
    }
}
