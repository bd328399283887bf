//! Bans (issue 19): a community's managers ban an actor or a whole instance. It can no longer follow,
//! take part or comment (its `Follow` and `Join` are answered `Reject`, its replies refused), and what
//! it had is removed: its follow, its participations (rejected, so the seat goes to the waitlist),
//! its comments on the community's events (removed, federated as today). Every action is logged.

use url::Url;

use super::Verkosto;
use crate::apub::actor;
use crate::apub::safety::normalize_host;
use crate::error::{Error, Refusal, Result};
use crate::model::{Account, FollowState};
use crate::store::{
    self,
    bans::{Ban, LogEntry},
};

/// Whom to ban: a `handle` (`name@host`, or an actor's URL) or a `domain`, with a note kept for
/// the managers.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BanRequest {
    /// `name@host`, or the actor's id.
    #[serde(default)]
    pub handle: Option<String>,
    /// An instance's host (its subdomains too).
    #[serde(default)]
    pub domain: Option<String>,
    /// Why, for the managers.
    #[serde(default)]
    pub note: Option<String>,
}

/// The host of `actor` and each domain above it (`a.b.example`, `b.example`, `example`).
fn hosts_of(actor: &Url) -> Vec<String> {
    let Some(host) = actor.host_str() else {
        return vec![];
    };
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let mut out = vec![host.clone()];
    let mut rest = host.as_str();
    while let Some((_, parent)) = rest.split_once('.') {
        out.push(parent.to_string());
        rest = parent;
    }
    out
}

/// Whether a ban of `kind` `target` covers `actor`.
fn covers(kind: &str, target: &str, actor: &Url) -> bool {
    match kind {
        "actor" => actor.as_str() == target,
        _ => hosts_of(actor).iter().any(|h| h == target),
    }
}

impl Verkosto {
    /// Whether the community with this id bans `actor` (by its id or its instance).
    pub(crate) async fn is_banned_from(&self, community_id: i64, actor: &Url) -> Result<bool> {
        let mut c = self.db().acquire().await?;
        store::bans::is_banned(
            &mut c.conn(),
            community_id,
            actor.as_str(),
            &hosts_of(actor),
        )
        .await
    }

    /// Bans an actor or an instance from a community (its managers only) and removes what it had.
    pub async fn ban(&self, by: &Account, community: &str, request: BanRequest) -> Result<Ban> {
        let community = self.community(community).await?;
        self.require_manager(by, &community).await?;
        let (kind, target) = self.ban_target(&request).await?;
        if kind == "domain"
            && target == self.settings().domain.split(':').next().unwrap_or_default()
        {
            return Err(Error::invalid("domain", Refusal::BanOwnInstance));
        }
        let note = request
            .note
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty());
        let now = store::now();
        let ban = {
            let mut tx = self.db().begin().await?;
            let ban = store::bans::insert(
                &mut tx.conn(),
                community.id,
                kind,
                &target,
                note,
                by.id,
                now,
            )
            .await?;
            store::bans::log(
                &mut tx.conn(),
                community.id,
                by.id,
                "ban",
                &target,
                note,
                now,
            )
            .await?;
            tx.commit().await?;
            ban
        };
        self.clear_out(by, &community, kind, &target).await?;
        tracing::info!(community = %community.name, kind, %target, "banned");
        Ok(ban)
    }

    /// Removes from a community what a banned (or suspended) actor or instance had there: its
    /// follow, its participations in the community's events (rejected, so seats go to the
    /// waitlist), its comments on them; each removal is in the community's moderation log.
    pub(super) async fn clear_out(
        &self,
        by: &Account,
        community: &crate::model::Community,
        kind: &str,
        target: &str,
    ) -> Result<()> {
        let now = store::now();
        let group = actor::community_id(self.state(), &community.name);
        // Its follow.
        let followers = {
            let mut c = self.db().acquire().await?;
            let mut all = store::follows::followers(
                &mut c.conn(),
                group.as_str(),
                FollowState::Accepted,
                i64::MAX,
                0,
            )
            .await?;
            all.extend(
                store::follows::followers(
                    &mut c.conn(),
                    group.as_str(),
                    FollowState::Pending,
                    i64::MAX,
                    0,
                )
                .await?,
            );
            all
        };
        for follower in followers
            .iter()
            .filter(|f| covers(kind, target, &f.follower_ap_id))
        {
            let mut tx = self.db().begin().await?;
            store::follows::delete_follower(
                &mut tx.conn(),
                group.as_str(),
                follower.follower_ap_id.as_str(),
            )
            .await?;
            store::bans::log(
                &mut tx.conn(),
                community.id,
                by.id,
                "remove_follower",
                follower.follower_ap_id.as_str(),
                None,
                now,
            )
            .await?;
            tx.commit().await?;
        }
        // Its participations and comments in the community's events.
        for event in self.every_event_of(community, true, None, None).await? {
            if event.community_id != Some(community.id) {
                continue;
            }
            let participations = {
                let mut c = self.db().acquire().await?;
                store::events::participations(&mut c.conn(), event.id).await?
            };
            for p in participations.iter().filter(|p| {
                p.state != crate::model::ParticipationState::Rejected
                    && covers(kind, target, &p.participant_ap_id)
            }) {
                self.decide_participation(by, &event.public_id, p.id, false)
                    .await?;
                self.log_moderation(
                    community.id,
                    by,
                    "reject_participation",
                    p.participant_ap_id.as_str(),
                )
                .await?;
            }
            let comments = {
                let mut c = self.db().acquire().await?;
                store::events::comments(&mut c.conn(), event.id).await?
            };
            for comment in comments
                .iter()
                .filter(|c| covers(kind, target, &c.author_ap_id))
            {
                self.remove_comment(by, &event.public_id, comment.id)
                    .await?;
                self.log_moderation(community.id, by, "remove_comment", comment.ap_id.as_str())
                    .await?;
            }
        }
        Ok(())
    }

    /// Writes one line of a community's moderation log, now.
    async fn log_moderation(
        &self,
        community_id: i64,
        by: &Account,
        action: &str,
        target: &str,
    ) -> Result<()> {
        let mut c = self.db().acquire().await?;
        store::bans::log(
            &mut c.conn(),
            community_id,
            by.id,
            action,
            target,
            None,
            store::now(),
        )
        .await
    }

    /// What a ban request names: `("actor", its id)` or `("domain", the host)`.
    async fn ban_target(&self, request: &BanRequest) -> Result<(&'static str, String)> {
        match (request.handle.as_deref(), request.domain.as_deref()) {
            (Some(handle), None) => Ok(("actor", self.banned_actor(handle).await?.to_string())),
            (None, Some(domain)) => Ok((
                "domain",
                normalize_host(domain)
                    .ok_or_else(|| Error::invalid("domain", Refusal::NotAHostName))?,
            )),
            _ => Err(Error::invalid("handle", Refusal::BanTarget)),
        }
    }

    /// The actor a ban names: an actor id as given, a local account, or a remote handle looked up.
    pub(super) async fn banned_actor(&self, handle: &str) -> Result<Url> {
        let handle = handle.trim().trim_start_matches('@');
        if let Ok(url) = Url::parse(handle)
            && matches!(url.scheme(), "http" | "https")
        {
            return Ok(url);
        }
        let (name, host) = match handle.split_once('@') {
            Some((name, host)) => (name, Some(host)),
            None => (handle, None),
        };
        if let Some(host) = host
            && !host.eq_ignore_ascii_case(&self.settings().domain)
        {
            return Ok(self.lookup(handle).await?.ap_id);
        }
        if name.is_empty() {
            return Err(Error::invalid("handle", Refusal::NotAHandle));
        }
        Ok(actor::account_id(
            self.state(),
            &self.account(name).await?.username,
        ))
    }

    /// Lifts a ban (its managers only).
    pub async fn unban(&self, by: &Account, community: &str, request: BanRequest) -> Result<()> {
        let community = self.community(community).await?;
        self.require_manager(by, &community).await?;
        let (kind, target) = self.ban_target(&request).await?;
        let mut tx = self.db().begin().await?;
        if !store::bans::delete(&mut tx.conn(), community.id, kind, &target).await? {
            return Err(Refusal::NoSuchBan.into());
        }
        let note = request.note.as_deref();
        store::bans::log(
            &mut tx.conn(),
            community.id,
            by.id,
            "unban",
            &target,
            note,
            store::now(),
        )
        .await?;
        tx.commit().await
    }

    /// A community's bans (its managers only).
    pub async fn bans(&self, by: &Account, community: &str) -> Result<Vec<Ban>> {
        let community = self.community(community).await?;
        self.require_manager(by, &community).await?;
        let mut c = self.db().acquire().await?;
        store::bans::of_community(&mut c.conn(), community.id).await
    }

    /// A community's moderation log, newest first (its managers only).
    pub async fn moderation_log(&self, by: &Account, community: &str) -> Result<Vec<LogEntry>> {
        let community = self.community(community).await?;
        self.require_manager(by, &community).await?;
        let mut c = self.db().acquire().await?;
        store::bans::log_of(&mut c.conn(), community.id).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_domain_ban_covers_its_subdomains_and_nothing_else() {
        let url = |s: &str| Url::parse(s).expect("url");
        assert!(covers(
            "domain",
            "spam.example",
            &url("https://spam.example/users/a")
        ));
        assert!(covers(
            "domain",
            "spam.example",
            &url("https://eu.spam.example:8443/u/a")
        ));
        assert!(!covers(
            "domain",
            "spam.example",
            &url("https://notspam.example/u/a")
        ));
        assert!(!covers(
            "domain",
            "spam.example",
            &url("https://spam.example.org/u/a")
        ));
        assert!(covers(
            "actor",
            "https://x.example/u/a",
            &url("https://x.example/u/a")
        ));
        assert!(!covers(
            "actor",
            "https://x.example/u/a",
            &url("https://x.example/u/ab")
        ));
    }
}
