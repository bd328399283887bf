//! Invitations into a community (issue 18). A members-only community admits people by a manager's
//! approval or by invitation: a local account invited by name is a member at once; a remote person
//! invited by handle has their follow accepted without waiting for a manager (at once, if they had
//! already asked), and their server may fetch the community's actor to follow it; anyone invited by
//! e-mail gets a link whose button makes the account they are logged in with (or sign up for) a
//! member.

use url::Url;

use super::follows::FollowRequestDecision;
use super::notifications::{Notice, Recipient};
use super::{Reader, Verkosto};
use crate::apub::actor;
use crate::error::{Error, Refusal, Result};
use crate::mail::Kind;
use crate::mail::compose::Letter;
use crate::model::{Account, ActorKind, Community, FollowState, MembershipState};
use crate::store::{self, invitations::Invitation};
use crate::web::i18n::Lang;

/// Whom a manager invites: `{"handle": "name@host"}` (or a local `name`), or `{"email": ...}` with
/// the invitation's `language`.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InvitationRequest {
    /// A local username, or a fediverse handle `name@host`.
    #[serde(default)]
    pub handle: Option<String>,
    /// An e-mail address (on an instance that sends e-mail).
    #[serde(default)]
    pub email: Option<String>,
    /// The language of the e-mail (`fi`, `sv`, `en`; Finnish by default).
    #[serde(default)]
    pub language: Option<String>,
}

impl Verkosto {
    /// Invites someone into a community (its managers only).
    pub async fn invite(
        &self,
        by: &Account,
        community_name: &str,
        request: InvitationRequest,
    ) -> Result<Invitation> {
        let community = self.community(community_name).await?;
        self.require_manager(by, &community).await?;
        let handle = match (request.handle.as_deref(), request.email.as_deref()) {
            (Some(handle), None) => handle.trim().trim_start_matches('@'),
            (None, Some(email)) => {
                return self
                    .invite_address(by, &community, email, request.language.as_deref())
                    .await;
            }
            _ => return Err(Error::invalid("handle", Refusal::InvitationTarget)),
        };
        if handle.is_empty() {
            return Err(Error::invalid("handle", Refusal::Required));
        }
        let local_name = match handle.rsplit_once('@') {
            None => Some(handle),
            Some((name, host)) if host.eq_ignore_ascii_case(&self.settings().domain) => Some(name),
            Some(_) => None,
        };
        match local_name {
            Some(name) => self.invite_local(by, &community, name).await,
            None => self.invite_remote(by, &community, handle).await,
        }
    }

    /// A local account invited: a member at once (a role it already has stays).
    async fn invite_local(
        &self,
        by: &Account,
        community: &Community,
        username: &str,
    ) -> Result<Invitation> {
        let account = self.account(username).await?;
        let me = actor::account_id(self.state(), &account.username);
        let now = store::now();
        let mut tx = self.db().begin().await?;
        store::communities::ensure_member(&mut tx.conn(), community.id, account.id).await?;
        let mut invitation =
            store::invitations::invite_actor(&mut tx.conn(), community.id, me.as_str(), by.id, now)
                .await?;
        if store::invitations::take_actor(&mut tx.conn(), community.id, me.as_str(), now).await? {
            invitation.accepted_at = Some(now);
        }
        tx.commit().await?;
        tracing::info!(community = %community.name, member = %account.username, "local account invited");
        Ok(invitation)
    }

    /// A remote person invited by handle: their follow is accepted without a manager.
    async fn invite_remote(
        &self,
        by: &Account,
        community: &Community,
        handle: &str,
    ) -> Result<Invitation> {
        let invitee = self.lookup(handle).await?;
        if invitee.kind != ActorKind::Person {
            return Err(Error::invalid("handle", Refusal::NotAPerson));
        }
        let target = actor::community_id(self.state(), &community.name);
        let invitation = {
            let mut c = self.db().acquire().await?;
            store::invitations::invite_actor(
                &mut c.conn(),
                community.id,
                invitee.ap_id.as_str(),
                by.id,
                store::now(),
            )
            .await?
        };
        // They may have asked already: the invitation answers their request.
        let pending = {
            let mut c = self.db().acquire().await?;
            store::follows::followers(&mut c.conn(), target.as_str(), FollowState::Pending, 500, 0)
                .await?
                .into_iter()
                .find(|f| f.follower_ap_id == invitee.ap_id)
        };
        if let Some(request) = pending {
            self.decide_follow_of(target, request.id, FollowRequestDecision::Accept)
                .await?;
            let mut c = self.db().acquire().await?;
            store::invitations::take_actor(
                &mut c.conn(),
                community.id,
                invitee.ap_id.as_str(),
                store::now(),
            )
            .await?;
        }
        tracing::info!(community = %community.name, invitee = %invitee.ap_id, "remote person invited");
        Ok(invitation)
    }

    /// Someone invited by e-mail: a link to take up, sent in `language`.
    async fn invite_address(
        &self,
        by: &Account,
        community: &Community,
        email: &str,
        language: Option<&str>,
    ) -> Result<Invitation> {
        if self.state().mailer.is_none() {
            return Err(Refusal::MailNotConfigured.into());
        }
        let email = crate::mail::normalize_address(email)
            .ok_or_else(|| Error::invalid("email", Refusal::NotAnEmail))?;
        let lang = super::notifications::chosen_language(language, Lang::Fi)?;
        let token = crate::mail::new_secret();
        let link = self.state().urls().invitation(&token);
        let now = store::now();
        let mut tx = self.db().begin().await?;
        let invitation = store::invitations::invite_email(
            &mut tx.conn(),
            community.id,
            (&email, &token),
            by.id,
            now,
        )
        .await?;
        let inviter = by
            .display_name
            .clone()
            .unwrap_or_else(|| by.username.clone());
        let letter = Letter {
            subject: lang.t_with(
                "mail-invitation-subject",
                "community",
                &community.display_name,
            ),
            name: None,
            paragraphs: vec![
                lang.t_args(
                    "mail-invitation-body",
                    [
                        ("who", inviter),
                        ("community", community.display_name.clone()),
                        ("instance", self.settings().domain.clone()),
                    ],
                ),
                lang.t("mail-invitation-ignore"),
            ],
            action: Some((lang.t("mail-invitation-action"), link.clone())),
        };
        let to = Recipient {
            address: email,
            lang,
            name: None,
            link,
        };
        let notice = Notice {
            kind: Kind::Invitation,
            key: format!("invitation:{}", invitation.id),
            event_id: None,
            send_at: now,
            letter,
        };
        self.queue_notice(&mut tx, &to, notice).await?;
        self.commit(tx).await?;
        tracing::info!(community = %community.name, "invited by e-mail");
        Ok(invitation)
    }

    /// The community an e-mail invitation's link is for (its page names it to whoever holds the
    /// link), or the refusal of an unknown link.
    pub async fn invitation_community(&self, token: &str) -> Result<Community> {
        let id = {
            let mut c = self.db().acquire().await?;
            store::invitations::community_of_token(&mut c.conn(), token).await?
        };
        match id {
            Some(id) => self
                .community_by_id(id)
                .await?
                .ok_or_else(|| Refusal::NoSuchMailLink.into()),
            None => Err(Refusal::NoSuchMailLink.into()),
        }
    }

    /// Takes up an e-mail invitation with `account`: a member of its community from now on. A link
    /// already taken up answers the same for the account that took it, and is refused to others.
    pub async fn accept_invitation(&self, account: &Account, token: &str) -> Result<Community> {
        let community = self.invitation_community(token).await?;
        let mut tx = self.db().begin().await?;
        let taken = store::invitations::take_token(&mut tx.conn(), token, store::now()).await?;
        let already = store::communities::membership(&mut tx.conn(), community.id, account.id)
            .await?
            .is_some_and(|m| m.state == MembershipState::Active);
        if taken.is_none() && !already {
            return Err(Refusal::NoSuchMailLink.into());
        }
        store::communities::ensure_member(&mut tx.conn(), community.id, account.id).await?;
        tx.commit().await?;
        tracing::info!(community = %community.name, member = %account.username, "invitation taken up");
        Ok(community)
    }

    /// A community's invitations (managers only), newest first.
    pub async fn invitations(&self, by: &Account, community_name: &str) -> Result<Vec<Invitation>> {
        let community = self.community(community_name).await?;
        self.require_manager(by, &community).await?;
        let mut c = self.db().acquire().await?;
        store::invitations::of_community(&mut c.conn(), community.id).await
    }

    /// Takes an invitation back (managers only); an accepted follow or membership stays.
    pub async fn withdraw_invitation(
        &self,
        by: &Account,
        community_name: &str,
        id: i64,
    ) -> Result<()> {
        let community = self.community(community_name).await?;
        self.require_manager(by, &community).await?;
        let mut c = self.db().acquire().await?;
        if store::invitations::delete(&mut c.conn(), community.id, id).await? {
            Ok(())
        } else {
            Err(Refusal::NoSuchInvitation.into())
        }
    }

    /// Whether a follow of the community by `follower` was invited; marks the invitation taken.
    pub(crate) async fn take_invitation(&self, community_id: i64, follower: &Url) -> Result<bool> {
        let mut c = self.db().acquire().await?;
        store::invitations::take_actor(&mut c.conn(), community_id, follower.as_str(), store::now())
            .await
    }

    /// Whether `reader` may find the community's actor though not (yet) a member: an invited person,
    /// or the instance actor of their server, fetching it to follow.
    pub(crate) async fn is_invited(&self, community: &Community, reader: &Reader) -> Result<bool> {
        let Reader::Remote { actor, kind } = self.verified(reader).await else {
            return Ok(false);
        };
        let mut c = self.db().acquire().await?;
        let invited = store::invitations::of_community(&mut c.conn(), community.id).await?;
        let vouches = matches!(kind, ActorKind::Application | ActorKind::Service);
        Ok(invited
            .iter()
            .filter_map(|i| i.actor_ap_id.as_deref())
            .any(|invitee| {
                invitee == actor.as_str()
                    || (vouches && Url::parse(invitee).is_ok_and(|u| u.origin() == actor.origin()))
            }))
    }
}
