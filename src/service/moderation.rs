//! Moderation: domain blocks.

use super::Verkosto;
use crate::apub::safety::normalize_host;
use crate::error::{Error, Refusal, Result};
use crate::model::Account;
use crate::store::{self, blocks::DomainBlock};

impl Verkosto {
    pub(super) fn require_admin(&self, by: &Account) -> Result<()> {
        if by.is_admin {
            Ok(())
        } else {
            Err(Refusal::NotAnAdmin.into())
        }
    }

    /// Blocks a domain (and its subdomains): nothing is accepted from, fetched from or delivered to it,
    /// and its actors' follows of local actors and the deliveries waiting for it are dropped.
    pub async fn block_domain(
        &self,
        by: &Account,
        host: &str,
        reason: Option<&str>,
    ) -> Result<DomainBlock> {
        self.require_admin(by)?;
        self.block_domain_unchecked(host, reason).await
    }

    /// [`Verkosto::block_domain`] for the command line, which runs with the operator's authority.
    pub async fn block_domain_unchecked(
        &self,
        host: &str,
        reason: Option<&str>,
    ) -> Result<DomainBlock> {
        let host = normalize_host(host)
            .filter(|h| h.contains('.') || h == "localhost")
            .ok_or_else(|| Error::invalid("host", Refusal::NotAHostName))?;
        if host == self.settings().domain.split(':').next().unwrap_or_default() {
            return Err(Error::invalid("host", Refusal::CannotBlockItself));
        }
        let mut tx = self.db().begin().await?;
        store::blocks::insert(&mut tx.conn(), &host, reason, store::now()).await?;
        let purged = store::blocks::purge(&mut tx.conn(), &host).await?;
        tx.commit().await?;
        self.reload_domain_blocks().await?;
        tracing::warn!(%host, purged, "domain blocked");
        let mut c = self.db().acquire().await?;
        store::blocks::list(&mut c.conn())
            .await?
            .into_iter()
            .find(|b| b.host == host)
            .ok_or_else(|| Error::Internal("block vanished".into()))
    }

    /// Lifts a block.
    pub async fn unblock_domain(&self, by: Option<&Account>, host: &str) -> Result<()> {
        if let Some(by) = by {
            self.require_admin(by)?;
        }
        let host =
            normalize_host(host).ok_or_else(|| Error::invalid("host", Refusal::NotAHostName))?;
        let mut c = self.db().acquire().await?;
        if !store::blocks::delete(&mut c.conn(), &host).await? {
            return Err(Refusal::NoSuchBlock { host }.into());
        }
        drop(c);
        self.reload_domain_blocks().await
    }

    /// Every block.
    pub async fn domain_blocks(&self, by: Option<&Account>) -> Result<Vec<DomainBlock>> {
        if let Some(by) = by {
            self.require_admin(by)?;
        }
        let mut c = self.db().acquire().await?;
        store::blocks::list(&mut c.conn()).await
    }

    /// Rereads the blocks from the database (another process may have changed them).
    pub async fn reload_domain_blocks(&self) -> Result<()> {
        let mut c = self.db().acquire().await?;
        let hosts = store::blocks::list(&mut c.conn())
            .await?
            .into_iter()
            .map(|b| b.host);
        self.state().blocks.replace(hosts);
        let suspended = store::bans::suspended_ids(&mut c.conn()).await?;
        self.state().suspended.replace(suspended);
        Ok(())
    }
}
