//! Suspensions (issue 19): an administrator suspends a single account from the whole instance,
//! beyond domain blocks. Nothing of a suspended remote account is accepted (its inbox posts are
//! refused), and what it had here is removed from every community (as a ban would, each removal in
//! that community's log); a suspended local account can no longer sign in or use a token it had.

use super::Verkosto;
use super::bans::BanRequest;
use crate::error::{Error, Refusal, Result};
use crate::model::Account;
use crate::store::{self, bans::Suspension};

impl Verkosto {
    /// Suspends the account a `handle` names (administrators only), and clears out what it had.
    pub async fn suspend(&self, by: &Account, request: BanRequest) -> Result<Suspension> {
        self.require_admin(by)?;
        let Some(handle) = request
            .handle
            .as_deref()
            .filter(|_| request.domain.is_none())
        else {
            // A whole instance is a domain block (`verkosto domain block`).
            return Err(Error::invalid("handle", Refusal::BanTarget));
        };
        let actor = self.banned_actor(handle).await?;
        let me = crate::apub::actor::account_id(self.state(), &by.username);
        if actor == me || actor == self.state().urls().instance_actor() {
            return Err(Error::invalid("handle", Refusal::BanOwnInstance));
        }
        let note = request
            .note
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty());
        {
            let mut c = self.db().acquire().await?;
            store::bans::suspend(&mut c.conn(), actor.as_str(), note, by.id, store::now()).await?;
        }
        self.reload_domain_blocks().await?;
        let mut offset = 0;
        loop {
            let page = self.communities(200, offset).await?;
            if page.is_empty() {
                break;
            }
            for community in &page {
                self.clear_out(by, community, "actor", actor.as_str())
                    .await?;
            }
            offset += 200;
        }
        let mut c = self.db().acquire().await?;
        // Its follows of our accounts go too (those of communities went above, logged).
        store::follows::delete_all_of(&mut c.conn(), actor.as_str()).await?;
        tracing::info!(%actor, "suspended");
        store::bans::suspensions(&mut c.conn())
            .await?
            .into_iter()
            .find(|s| s.actor == actor.as_str())
            .ok_or_else(|| Error::Internal("suspension vanished".into()))
    }

    /// Lifts a suspension (administrators only). What was removed stays removed.
    pub async fn unsuspend(&self, by: &Account, request: BanRequest) -> Result<()> {
        self.require_admin(by)?;
        let handle = request
            .handle
            .as_deref()
            .ok_or_else(|| Error::invalid("handle", Refusal::BanTarget))?;
        let actor = self.banned_actor(handle).await?;
        let lifted = {
            let mut c = self.db().acquire().await?;
            store::bans::unsuspend(&mut c.conn(), actor.as_str()).await?
        };
        if !lifted {
            return Err(Refusal::NoSuchBan.into());
        }
        self.reload_domain_blocks().await
    }

    /// Every suspension (administrators only).
    pub async fn suspensions(&self, by: &Account) -> Result<Vec<Suspension>> {
        self.require_admin(by)?;
        let mut c = self.db().acquire().await?;
        store::bans::suspensions(&mut c.conn()).await
    }
}
