//! Reports (issue 19): of an event, announcement, comment or account, filed by a person here through
//! the API or arriving from another server as a `Flag` (Mastodon's and Lemmy's shapes). Each lands in
//! the queue of the community its content belongs to (its managers see it; administrators see all,
//! and the reports of accounts) and is resolved there.

use url::Url;

use super::Verkosto;
use crate::error::{Error, Refusal, Result};
use crate::model::Account;
use crate::service::publish::Audience;
use crate::store::{self, bans::Report};
use crate::urls::LocalObject;

/// The longest reason kept.
const MAX_REASON: usize = 5_000;

impl Verkosto {
    /// The community a local object belongs to: `Some(Some(id))` for a community's own content
    /// (itself, its events and announcements, comments on its events), `Some(None)` for a local
    /// account, `None` for what is not ours.
    async fn community_of_object(&self, object: &Url) -> Result<Option<Option<i64>>> {
        let mut c = self.db().acquire().await?;
        let local = self.state().urls().parse(object);
        Ok(match local {
            Some(LocalObject::Community(name)) => {
                store::communities::find_by_name(&mut c.conn(), &name)
                    .await?
                    .map(|community| Some(community.id))
            }
            Some(LocalObject::Event(id)) => store::events::find_by_public_id(&mut c.conn(), &id)
                .await?
                .and_then(|e| e.community_id)
                .map(Some),
            Some(LocalObject::Announcement(id)) => store::announcements::find(&mut c.conn(), &id)
                .await?
                .and_then(|a| a.community_id)
                .map(Some),
            Some(LocalObject::Account(_)) => Some(None),
            // A reply stored on one of our events (its id is the remote author's).
            _ => store::events::event_of_comment(&mut c.conn(), object.as_str())
                .await?
                .and_then(|e| e.community_id)
                .map(Some),
        })
    }

    /// A `Flag` from `reporter`: one report per community whose content it names (and one for the
    /// administrators when it names a local account); what is not ours is ignored. A `Flag` is filed
    /// once however often it is delivered.
    pub(crate) async fn receive_flag(
        &self,
        reporter: &Url,
        objects: &[Url],
        reason: &str,
        flag_id: &Url,
    ) -> Result<()> {
        let mut by_community: Vec<(Option<i64>, Vec<String>)> = vec![];
        for object in objects {
            if let Some(community) = self.community_of_object(object).await? {
                match by_community.iter_mut().find(|(c, _)| *c == community) {
                    Some((_, list)) => list.push(object.to_string()),
                    None => by_community.push((community, vec![object.to_string()])),
                }
            }
        }
        if by_community.is_empty() {
            tracing::debug!(%reporter, "a Flag of nothing of ours; ignored");
            return Ok(());
        }
        let mut c = self.db().acquire().await?;
        for (n, (community, listed)) in by_community.iter().enumerate() {
            // One Flag may make several reports: each keeps the Flag's id apart by its place.
            let id = if n == 0 {
                flag_id.to_string()
            } else {
                format!("{flag_id}#{n}")
            };
            store::bans::insert_report(
                &mut c.conn(),
                *community,
                reporter.as_str(),
                listed,
                reason,
                Some(&id),
                store::now(),
            )
            .await?;
        }
        tracing::info!(%reporter, reports = by_community.len(), "Flag received");
        Ok(())
    }

    /// `by` reports `object` (an event, announcement, comment or account here) with a reason.
    pub async fn file_report(&self, by: &Account, object: &str, reason: &str) -> Result<()> {
        let object =
            Url::parse(object.trim()).map_err(|_| Error::invalid("object", Refusal::NotAUrl))?;
        let reason: String = reason.trim().chars().take(MAX_REASON).collect();
        if reason.is_empty() {
            return Err(Error::invalid("reason", Refusal::Required));
        }
        let Some(community) = self.community_of_object(&object).await? else {
            return Err(Error::invalid("object", Refusal::NotReportable));
        };
        let reporter = crate::apub::actor::account_id(self.state(), &by.username);
        let mut c = self.db().acquire().await?;
        store::bans::insert_report(
            &mut c.conn(),
            community,
            reporter.as_str(),
            &[object.to_string()],
            &reason,
            None,
            store::now(),
        )
        .await?;
        Ok(())
    }

    /// The reports `by` may see: of the communities they manage; all, for administrators.
    pub async fn reports(&self, by: &Account) -> Result<Vec<Report>> {
        let managed: Vec<i64> = self
            .managed_communities(by)
            .await?
            .into_iter()
            .map(|c| c.id)
            .collect();
        let mut c = self.db().acquire().await?;
        store::bans::reports(&mut c.conn(), &managed, by.is_admin).await
    }

    /// Resolves a report (a manager of its community, or an administrator).
    pub async fn resolve_report(&self, by: &Account, id: i64) -> Result<()> {
        self.report_for(by, id).await?;
        let mut c = self.db().acquire().await?;
        store::bans::resolve_report(&mut c.conn(), id, by.id, store::now()).await
    }

    /// Forwards a report to the servers of the remote accounts whose replies it names, as a `Flag`
    /// from the instance actor (the reporter stays anonymous; Mastodon's shape: the account, then
    /// its posts, the reason in `content`). The hosts it went to.
    pub async fn forward_report(&self, by: &Account, id: i64) -> Result<Vec<String>> {
        let (report, community_id) = self.report_for(by, id).await?;
        // Reported replies by remote authors, grouped by author.
        let mut by_author: Vec<(Url, Vec<Url>)> = vec![];
        {
            let mut c = self.db().acquire().await?;
            for object in report.objects.iter().filter_map(|o| Url::parse(o).ok()) {
                if self.is_local_url(&object) {
                    continue;
                }
                let author = store::events::comment_author(&mut c.conn(), object.as_str())
                    .await?
                    .and_then(|a| Url::parse(&a).ok());
                let Some(author) = author.filter(|a| !self.is_local_url(a)) else {
                    continue;
                };
                match by_author.iter_mut().find(|(a, _)| *a == author) {
                    Some((_, posts)) => posts.push(object),
                    None => by_author.push((author, vec![object])),
                }
            }
        }
        if by_author.is_empty() {
            return Err(Refusal::NothingToForward.into());
        }
        let instance = self.state().urls().instance_actor();
        let mut hosts = vec![];
        let mut tx = self.db().begin().await?;
        for (author, posts) in by_author {
            let who = crate::apub::actor::resolve_remote(&self.federation_data(), &author).await?;
            let inbox = who.shared_inbox.clone().unwrap_or(who.inbox.clone());
            let flag = crate::apub::activities::flag::Flag::forward(
                crate::apub::new_activity_id(self.state()),
                instance.clone(),
                who.ap_id.clone(),
                posts,
                &report.reason,
            );
            self.send(&mut tx, &instance, &flag, Audience::Only(&[inbox]))
                .await?;
            hosts.extend(crate::urls::normalized_host(&who.ap_id));
        }
        let now = store::now();
        store::bans::mark_forwarded(&mut tx.conn(), id, now).await?;
        if let Some(community_id) = community_id {
            store::bans::log(
                &mut tx.conn(),
                community_id,
                by.id,
                "forward_report",
                &hosts.join(", "),
                None,
                now,
            )
            .await?;
        }
        self.commit(tx).await?;
        tracing::info!(report = id, ?hosts, "report forwarded");
        Ok(hosts)
    }

    /// A report `by` may act on (a manager of its community, or an administrator), with its
    /// community's id; anyone else is told there is none.
    async fn report_for(&self, by: &Account, id: i64) -> Result<(Report, Option<i64>)> {
        let found = {
            let mut c = self.db().acquire().await?;
            store::bans::report(&mut c.conn(), id).await?
        };
        let Some((report, community_id)) = found else {
            return Err(Refusal::NoSuchModerationReport.into());
        };
        if !by.is_admin {
            let community = match community_id {
                Some(id) => self.community_by_id(id).await?,
                None => None,
            };
            // Someone who may not see a report is not told it exists; reports of accounts are the
            // administrators'.
            let allowed = match community {
                Some(community) => self.require_manager(by, &community).await.is_ok(),
                None => false,
            };
            if !allowed {
                return Err(Refusal::NoSuchModerationReport.into());
            }
        }
        Ok((report, community_id))
    }
}
