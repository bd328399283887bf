//! Shared insights reports (issue 16): a manager makes a secret link to one period's report and hands
//! it to a funder, an employer or a municipality, who reads it without an account; revoking the link
//! ends it. Only the secret's hash is stored (as for calendar feeds), so the link is shown once.

use chrono::{DateTime, Utc};
use rand::RngCore;

use super::Verkosto;
use super::insights::{Insights, period};
use crate::error::{Error, Refusal, Result};
use crate::model::{Account, Community};
use crate::store::{self, calendars::token_hash, insights::ReportLink};

/// A report link just made: its address is shown this once.
#[derive(Debug, serde::Serialize)]
pub struct NewReportLink {
    /// The link as stored.
    #[serde(flatten)]
    pub link: ReportLink,
    /// The secret address (`https://host/r/...`).
    pub url: url::Url,
}

impl Verkosto {
    /// Makes a secret link to community `name`'s report for `[from, to)` (the last 30 days by
    /// default). Its managers only.
    pub async fn create_report_link(
        &self,
        by: &Account,
        name: &str,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<NewReportLink> {
        let community = self.community(name).await?;
        self.require_manager(by, &community).await?;
        let period = period(from, to)?;
        let mut raw = [0u8; 24];
        rand::rng().fill_bytes(&mut raw);
        let token = hex::encode(raw);
        let mut tx = self.db().begin().await?;
        let link = store::insights::add_report_link(
            &mut tx.conn(),
            community.id,
            &token_hash(&token),
            period,
            by.id,
            store::now(),
        )
        .await?;
        self.commit(tx).await?;
        tracing::info!(community = %community.name, by = %by.username, "report link made");
        Ok(NewReportLink {
            link,
            url: self.state().urls().report(&token),
        })
    }

    /// The live report links of community `name` (not their secrets). Its managers only.
    pub async fn report_links(&self, by: &Account, name: &str) -> Result<Vec<ReportLink>> {
        let community = self.community(name).await?;
        self.require_manager(by, &community).await?;
        let mut c = self.db().acquire().await?;
        store::insights::report_links(&mut c.conn(), community.id).await
    }

    /// Revokes report link `id` of community `name`: its address answers 404 from now on.
    pub async fn revoke_report_link(&self, by: &Account, name: &str, id: i64) -> Result<()> {
        let community = self.community(name).await?;
        self.require_manager(by, &community).await?;
        let mut tx = self.db().begin().await?;
        let found = store::insights::delete_report_link(&mut tx.conn(), community.id, id).await?;
        self.commit(tx).await?;
        if !found {
            return Err(Refusal::NoSuchReport.into());
        }
        tracing::info!(community = %community.name, by = %by.username, id, "report link revoked");
        Ok(())
    }

    /// The report behind a secret link, for anyone holding it: the community and its insights for
    /// the link's period.
    pub async fn shared_report(&self, token: &str) -> Result<(Community, Insights)> {
        let link = {
            let mut c = self.db().acquire().await?;
            store::insights::report_link_by_hash(&mut c.conn(), &token_hash(token)).await?
        }
        .ok_or_else(|| Error::from(Refusal::NoSuchReport))?;
        let community = self
            .community_by_id(link.community_id)
            .await?
            .ok_or_else(|| Error::from(Refusal::NoSuchReport))?;
        let insights = self
            .insights_of(community.clone(), link.period_from, link.period_to)
            .await?;
        Ok((community, insights))
    }
}
