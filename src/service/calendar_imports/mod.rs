//! Calendars coming in (issue 17): a community subscribes to an external calendar by URL, synced on
//! a schedule with `ETag` / `If-Modified-Since`, or uploads a calendar file. Each entry maps by its
//! `UID` (and `RECURRENCE-ID`) to the event or series it became: new entries are published, changed
//! ones send `Update`s, removed or cancelled ones are cancelled, and nothing is published twice.
//! A file that cannot be read changes nothing; the error names its line.

use chrono::Duration;
use url::Url;

use super::Verkosto;
use crate::error::{Error, Refusal, Result};
use crate::ical_import::{self, ImportedEvent, MAX_CALENDAR_BYTES};
use crate::model::{Account, CalendarSubscription, Community, SyncReport};
use crate::store;

mod apply;

/// A fetched calendar, or that it had not changed.
enum Fetched {
    Body {
        text: String,
        etag: Option<String>,
        last_modified: Option<String>,
    },
    NotModified,
}

impl Verkosto {
    /// A community's external calendars with what their last sync did (its managers only).
    pub async fn calendars(
        &self,
        by: &Account,
        community: &str,
    ) -> Result<Vec<CalendarSubscription>> {
        let community = self.community(community).await?;
        self.require_manager(by, &community).await?;
        let mut c = self.db().acquire().await?;
        store::calendar_imports::of_community(&mut c.conn(), community.id).await
    }

    /// Subscribes a community to the calendar at `url` and syncs it at once; a calendar that cannot
    /// be fetched or read is refused (and not kept), with the reason.
    pub async fn subscribe_calendar(
        &self,
        by: &Account,
        community: &str,
        url: &str,
    ) -> Result<CalendarSubscription> {
        let community = self.community(community).await?;
        self.require_manager(by, &community).await?;
        let url = crate::service::communities::optional_url("url", Some(url))?
            .ok_or_else(|| Error::invalid("url", Refusal::NotAUrl))?;
        let fetched = self.fetch_calendar(&url, None, None).await?;
        let Fetched::Body {
            text,
            etag,
            last_modified,
        } = fetched
        else {
            return Err(Error::invalid(
                "url",
                Refusal::CalendarUnreadable {
                    why: "no calendar".into(),
                },
            ));
        };
        let items = read_calendar(&text)?;
        let subscription = self.new_subscription(&community, by, Some(&url)).await?;
        let report = self
            .apply_calendar(&subscription, by, &community, items, true)
            .await?;
        self.record_sync(
            &subscription,
            etag.as_deref(),
            last_modified.as_deref(),
            &report,
        )
        .await?;
        self.calendar(&subscription.public_id).await
    }

    /// Imports a calendar file into a community once (its managers only). Entries imported before
    /// from a file are updated, not published again; entries missing from this file are left alone.
    pub async fn import_calendar(
        &self,
        by: &Account,
        community: &str,
        text: &str,
    ) -> Result<SyncReport> {
        let community = self.community(community).await?;
        self.require_manager(by, &community).await?;
        let items = read_calendar(text)?;
        let existing = {
            let mut c = self.db().acquire().await?;
            store::calendar_imports::of_community(&mut c.conn(), community.id)
                .await?
                .into_iter()
                .find(|s| s.url.is_none())
        };
        let uploads = match existing {
            Some(s) => s,
            None => self.new_subscription(&community, by, None).await?,
        };
        let report = self
            .apply_calendar(&uploads, by, &community, items, false)
            .await?;
        self.record_sync(&uploads, None, None, &report).await?;
        Ok(report)
    }

    /// Syncs one of a community's calendars now (its managers only); what it did.
    pub async fn sync_calendar(
        &self,
        by: &Account,
        community: &str,
        id: &str,
    ) -> Result<SyncReport> {
        let community = self.community(community).await?;
        self.require_manager(by, &community).await?;
        let subscription = self.calendar(id).await?;
        if subscription.community_id != community.id {
            return Err(Refusal::NoSuchCalendarSubscription { id: id.to_string() }.into());
        }
        self.sync_subscription(&subscription).await
    }

    /// Removes one of a community's calendars (the events it published stay).
    pub async fn remove_calendar(&self, by: &Account, community: &str, id: &str) -> Result<()> {
        let community = self.community(community).await?;
        self.require_manager(by, &community).await?;
        let subscription = self.calendar(id).await?;
        if subscription.community_id != community.id {
            return Err(Refusal::NoSuchCalendarSubscription { id: id.to_string() }.into());
        }
        let mut c = self.db().acquire().await?;
        store::calendar_imports::delete(&mut c.conn(), subscription.id).await
    }

    /// Syncs the subscriptions not synced for `every` (the delivery workers call this); how many.
    pub async fn sync_due_calendars(&self, every: Duration) -> Result<usize> {
        let due = {
            let mut c = self.db().acquire().await?;
            store::calendar_imports::due(&mut c.conn(), store::now() - every, 20).await?
        };
        let mut synced = 0;
        for subscription in due {
            if let Err(e) = self.sync_subscription(&subscription).await {
                tracing::warn!(calendar = %subscription.public_id, error = %e, "calendar sync failed");
                let report = SyncReport {
                    errors: vec![e.to_string()],
                    ..Default::default()
                };
                self.record_sync(&subscription, None, None, &report).await?;
            }
            synced += 1;
        }
        Ok(synced)
    }

    /// Stores a new subscription (`url` `None`: the community's uploaded files).
    async fn new_subscription(
        &self,
        community: &Community,
        by: &Account,
        url: Option<&Url>,
    ) -> Result<CalendarSubscription> {
        let mut c = self.db().acquire().await?;
        store::calendar_imports::insert(
            &mut c.conn(),
            &super::events::new_public_id(),
            community.id,
            by.id,
            url.map(Url::as_str),
            store::now(),
        )
        .await
    }

    async fn calendar(&self, public_id: &str) -> Result<CalendarSubscription> {
        let mut c = self.db().acquire().await?;
        store::calendar_imports::find(&mut c.conn(), public_id)
            .await?
            .ok_or_else(|| {
                Refusal::NoSuchCalendarSubscription {
                    id: public_id.to_string(),
                }
                .into()
            })
    }

    async fn record_sync(
        &self,
        s: &CalendarSubscription,
        etag: Option<&str>,
        last_modified: Option<&str>,
        report: &SyncReport,
    ) -> Result<()> {
        let mut c = self.db().acquire().await?;
        store::calendar_imports::record_sync(
            &mut c.conn(),
            s.id,
            etag,
            last_modified,
            store::now(),
            report,
        )
        .await
    }

    async fn sync_subscription(&self, subscription: &CalendarSubscription) -> Result<SyncReport> {
        let Some(url) = &subscription.url else {
            return Ok(subscription.last_result.clone().unwrap_or_default());
        };
        let (account, community) = {
            let mut c = self.db().acquire().await?;
            let account = store::accounts::find_by_id(&mut c.conn(), subscription.account_id)
                .await?
                .ok_or_else(|| Error::NotFound("the calendar's manager".into()))?;
            let community = self
                .community_by_id(subscription.community_id)
                .await?
                .ok_or_else(|| Error::NotFound("the calendar's community".into()))?;
            (account, community)
        };
        let report = match self
            .fetch_calendar(
                url,
                subscription.etag.as_deref(),
                subscription.last_modified.as_deref(),
            )
            .await?
        {
            Fetched::NotModified => {
                let report = SyncReport {
                    not_modified: true,
                    ..Default::default()
                };
                self.record_sync(subscription, None, None, &report).await?;
                report
            }
            Fetched::Body {
                text,
                etag,
                last_modified,
            } => {
                let items = read_calendar(&text)?;
                let report = self
                    .apply_calendar(subscription, &account, &community, items, true)
                    .await?;
                self.record_sync(
                    subscription,
                    etag.as_deref(),
                    last_modified.as_deref(),
                    &report,
                )
                .await?;
                report
            }
        };
        Ok(report)
    }

    /// Fetches a calendar through the one outgoing client (its destination checks, redirects and
    /// timeout), at most [`MAX_CALENDAR_BYTES`], sending back the validators of the last answer.
    async fn fetch_calendar(
        &self,
        url: &Url,
        etag: Option<&str>,
        last_modified: Option<&str>,
    ) -> Result<Fetched> {
        let unreadable = |why: String| Error::invalid("url", Refusal::CalendarUnreadable { why });
        let mut request = self
            .state()
            .http
            .get(url.clone())
            .header(http::header::ACCEPT, "text/calendar, */*;q=0.5");
        if let Some(etag) = etag {
            request = request.header(http::header::IF_NONE_MATCH, etag);
        }
        if let Some(at) = last_modified {
            request = request.header(http::header::IF_MODIFIED_SINCE, at);
        }
        let mut response = request
            .send()
            .await
            .map_err(|e| unreadable(e.to_string()))?;
        if response.status() == http::StatusCode::NOT_MODIFIED {
            return Ok(Fetched::NotModified);
        }
        if !response.status().is_success() {
            return Err(unreadable(format!(
                "the server answered {}",
                response.status()
            )));
        }
        let header = |name: http::HeaderName| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let (etag, last_modified) = (
            header(http::header::ETAG),
            header(http::header::LAST_MODIFIED),
        );
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| unreadable(e.to_string()))?
        {
            body.extend_from_slice(&chunk);
            if body.len() > MAX_CALENDAR_BYTES {
                return Err(unreadable(format!(
                    "larger than {} MB",
                    MAX_CALENDAR_BYTES / 1024 / 1024
                )));
            }
        }
        let text = String::from_utf8(body).map_err(|_| unreadable("not UTF-8 text".into()))?;
        Ok(Fetched::Body {
            text,
            etag,
            last_modified,
        })
    }
}

fn read_calendar(text: &str) -> Result<Vec<ImportedEvent>> {
    let zone: chrono_tz::Tz = super::DEFAULT_TIMEZONE.parse().unwrap_or(chrono_tz::UTC);
    ical_import::read(text, zone).map_err(|e| {
        Error::invalid(
            "calendar",
            Refusal::CalendarLine {
                line: e.line as i64,
                why: e.why,
            },
        )
    })
}
