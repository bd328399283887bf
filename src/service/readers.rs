//! Who reads what (issue 18): a members-only community, and a members-only event or announcement,
//! show only to their community's members. Every read of one goes through here, so that pages, the
//! API, ActivityPub documents and feeds decide alike.

use std::sync::Arc;

use axum::http::HeaderMap;
use url::Url;

use super::Verkosto;
use crate::apub::signatures;
use crate::error::{Refusal, Result};
use crate::model::{Account, ActorKind, Announcement, Community, Event, Visibility};
use crate::store;

/// Who is reading: a visitor without credentials, a local account (token or session), or a remote
/// actor by the signature of its fetch.
#[derive(Debug, Clone, Default)]
pub enum Reader {
    /// No credentials, or none that verified.
    #[default]
    Anonymous,
    /// A local account.
    Account(Account),
    /// A remote actor, by the signature of its fetch.
    Remote {
        /// The signer.
        actor: Url,
        /// Its type: an instance actor (`Application`, `Service`) speaks for its server's people.
        kind: ActorKind,
    },
    /// A signed fetch whose signature is checked the first time it matters: only members-only
    /// things ask, so a public document never waits for the signer's key to be fetched.
    Signed(Arc<SignedFetch>),
}

/// A signed fetch, verified once when first asked about (see [`Reader::Signed`]).
#[derive(Debug)]
pub struct SignedFetch {
    path_and_query: String,
    headers: HeaderMap,
    verified: tokio::sync::OnceCell<Reader>,
}

impl Reader {
    /// The reader of a request that may be signed: [`Reader::Signed`] when it carries a signature,
    /// else anonymous. Nothing is checked yet.
    pub fn of_fetch(path_and_query: &str, headers: &HeaderMap) -> Reader {
        if !headers.contains_key("signature") {
            return Reader::Anonymous;
        }
        Reader::Signed(Arc::new(SignedFetch {
            path_and_query: path_and_query.to_string(),
            headers: headers.clone(),
            verified: tokio::sync::OnceCell::new(),
        }))
    }
}

impl From<Option<Account>> for Reader {
    fn from(account: Option<Account>) -> Reader {
        account.map_or(Reader::Anonymous, Reader::Account)
    }
}

impl Verkosto {
    /// `reader` with its signature checked, if it had one to check.
    pub(crate) async fn verified<'r>(&self, reader: &'r Reader) -> &'r Reader {
        match reader {
            Reader::Signed(fetch) => {
                fetch
                    .verified
                    .get_or_init(|| self.signed_reader(&fetch.path_and_query, &fetch.headers))
                    .await
            }
            other => other,
        }
    }

    /// The remote reader of a signed GET of `path_and_query`, when it is signed and its signature
    /// verifies with the signer's key (fetched the first time, as the inbox does). An unsigned
    /// request, or one whose signature fails, reads as anonymous: members-only things then answer
    /// 404 like things that do not exist.
    pub async fn signed_reader(&self, path_and_query: &str, headers: &HeaderMap) -> Reader {
        let settings = self.settings();
        let Some(pending) = signatures::check_get(
            path_and_query,
            headers,
            &settings.domain,
            settings.signature_age(),
        ) else {
            return Reader::Anonymous;
        };
        let verified = async {
            let signature = pending?;
            let actor_id = signature.key_owner_guess()?;
            if self.state().blocks.is_blocked(&actor_id)
                || self.state().suspended.contains(&actor_id)
            {
                return Ok(None);
            }
            let cached = {
                let mut c = self.db().acquire().await?;
                store::remote_actors::find_by_ap_id(&mut c.conn(), actor_id.as_str()).await?
            };
            let data = self.federation_data();
            let actor =
                super::inbox::authenticate(self, &data, &signature, &actor_id, cached).await?;
            Ok::<_, crate::Error>(Some(actor))
        };
        match verified.await {
            Ok(Some(actor)) => Reader::Remote {
                actor: actor.ap_id,
                kind: actor.kind,
            },
            Ok(None) => Reader::Anonymous,
            Err(e) => {
                tracing::debug!(error = %e, "signed fetch not verified: read as anonymous");
                Reader::Anonymous
            }
        }
    }

    /// Whether `reader` is a member of `community`: a local account with an active membership (or an
    /// administrator of this instance), a remote actor whose follow it accepted, or the instance
    /// actor of a server where one of those lives (as Mastodon's authorized fetch vouches).
    pub async fn is_member(&self, community: &Community, reader: &Reader) -> Result<bool> {
        let group = crate::apub::actor::community_id(self.state(), &community.name);
        match self.verified(reader).await {
            Reader::Anonymous | Reader::Signed(_) => Ok(false),
            Reader::Account(account) if account.is_admin => Ok(true),
            Reader::Account(account) => {
                let mut c = self.db().acquire().await?;
                let member =
                    store::communities::membership(&mut c.conn(), community.id, account.id)
                        .await?
                        .is_some_and(|m| m.state == crate::model::MembershipState::Active);
                if member {
                    return Ok(true);
                }
                let me = crate::apub::actor::account_id(self.state(), &account.username);
                store::follows::is_accepted_follower(
                    &mut c.conn(),
                    group.as_str(),
                    me.as_str(),
                    None,
                )
                .await
            }
            Reader::Remote { actor, kind } => {
                let mut c = self.db().acquire().await?;
                let origin = matches!(kind, ActorKind::Application | ActorKind::Service)
                    .then(|| actor.join("/").ok())
                    .flatten();
                store::follows::is_accepted_follower(
                    &mut c.conn(),
                    group.as_str(),
                    actor.as_str(),
                    origin.as_ref().map(Url::as_str),
                )
                .await
            }
        }
    }

    /// Whether `reader`'s lists of the community's events and announcements take in its members-only
    /// ones. A remote reader of a public community's lists is given its public items (its members-only
    /// ones were delivered to its members): so a signed fetch of a public list never waits for a key.
    pub(crate) async fn lists_members_only(
        &self,
        community: &Community,
        reader: &Reader,
    ) -> Result<bool> {
        match reader {
            Reader::Anonymous => Ok(false),
            Reader::Signed(_) | Reader::Remote { .. } if !community.visibility.is_members() => {
                Ok(false)
            }
            _ => self.is_member(community, reader).await,
        }
    }

    /// The community named `name` as `reader` may see it: a members-only one answers as if it did
    /// not exist to anyone but its members.
    pub async fn community_for(&self, name: &str, reader: &Reader) -> Result<Community> {
        let community = self.community(name).await?;
        if self.sees(&community, reader).await? {
            return Ok(community);
        }
        Err(Refusal::NoSuchCommunity {
            name: name.to_string(),
        }
        .into())
    }

    /// The community named `name` for a fetch of its actor document: its members see it, and so do
    /// invited people and their servers' instance actors (to follow it, they must find it first).
    pub async fn community_actor_for(&self, name: &str, reader: &Reader) -> Result<Community> {
        let community = self.community(name).await?;
        if self.sees(&community, reader).await? || self.is_invited(&community, reader).await? {
            return Ok(community);
        }
        Err(Refusal::NoSuchCommunity {
            name: name.to_string(),
        }
        .into())
    }

    /// Whether `reader` may see `event`: public ones everyone, members-only ones the members of its
    /// local organiser; a remote group's members-only event, the accounts here that follow the group.
    pub async fn may_see_event(&self, event: &Event, reader: &Reader) -> Result<bool> {
        self.may_see_item(
            event.visibility,
            event.community_id,
            &event.organizer_ap_id,
            reader,
        )
        .await
    }

    /// Whether `reader` may see `announcement` (as [`Verkosto::may_see_event`]).
    pub async fn may_see_announcement(&self, a: &Announcement, reader: &Reader) -> Result<bool> {
        self.may_see_item(a.visibility, a.community_id, &a.author_ap_id, reader)
            .await
    }

    /// Whether `reader` may see an item of `visibility` published by the local community
    /// `community_id`, or (none) by the remote `author`.
    async fn may_see_item(
        &self,
        visibility: Visibility,
        community_id: Option<i64>,
        author: &Url,
        reader: &Reader,
    ) -> Result<bool> {
        if !visibility.is_members() {
            return Ok(true);
        }
        let Some(community_id) = community_id else {
            return self.follows_here(author, reader).await;
        };
        match self.community_by_id(community_id).await? {
            Some(community) => self.is_member(&community, reader).await,
            None => Ok(false),
        }
    }

    /// Whether `reader` sees `community`: a public one everyone, a members-only one its members.
    async fn sees(&self, community: &Community, reader: &Reader) -> Result<bool> {
        if !community.visibility.is_members() {
            return Ok(true);
        }
        self.is_member(community, reader).await
    }

    /// Whether `reader` is an account here following the remote `group` (accepted), or an
    /// administrator.
    async fn follows_here(&self, group: &Url, reader: &Reader) -> Result<bool> {
        let Reader::Account(account) = reader else {
            return Ok(false);
        };
        if account.is_admin {
            return Ok(true);
        }
        let mut c = self.db().acquire().await?;
        Ok(
            store::follows::find_following(&mut c.conn(), account.id, group.as_str())
                .await?
                .is_some_and(|f| f.state == crate::model::FollowState::Accepted),
        )
    }
}

impl Verkosto {
    /// The event with this API id as `reader` may see it (else the 404 of an unknown event).
    pub async fn event_for(&self, id: &str, reader: &Reader) -> Result<Event> {
        let event = self.event(id).await?;
        if self.may_see_event(&event, reader).await? {
            return Ok(event);
        }
        Err(Refusal::NoSuchEvent { id: id.to_string() }.into())
    }

    /// The announcement with this API id as `reader` may see it (else the 404 of an unknown one).
    pub async fn announcement_for(&self, id: &str, reader: &Reader) -> Result<Announcement> {
        let a = self.announcement(id).await?;
        if self.may_see_announcement(&a, reader).await? {
            return Ok(a);
        }
        Err(Refusal::NoSuchAnnouncement { id: id.to_string() }.into())
    }
}

impl Verkosto {
    /// Refuses a remote `actor`'s reply to, or `Join` of, a members-only `event` unless the actor
    /// itself (not its server) is a member.
    pub(crate) async fn require_member_for(&self, event: &Event, actor: &Url) -> Result<()> {
        let reader = Reader::Remote {
            actor: actor.clone(),
            kind: ActorKind::Person,
        };
        if self.may_see_event(event, &reader).await? {
            return Ok(());
        }
        Err(Refusal::MembersOnly.into())
    }
}

impl Verkosto {
    /// The series with this API id and its occurrences as `reader` may see them: one whose
    /// occurrences are members-only answers as unknown to anyone who may not see them.
    pub async fn series_for(
        &self,
        id: &str,
        reader: &Reader,
    ) -> Result<(crate::model::Series, Vec<Event>)> {
        let series = self.series(id).await?;
        let occurrences = self.series_occurrences(&series).await?;
        let hidden = match occurrences.iter().find(|e| e.visibility.is_members()) {
            Some(members_only) => !self.may_see_event(members_only, reader).await?,
            None => series
                .template
                .as_ref()
                .is_some_and(|t| t.visibility.is_members()),
        };
        if hidden {
            return Err(Refusal::NoSuchSeries { id: id.to_string() }.into());
        }
        Ok((series, occurrences))
    }
}
