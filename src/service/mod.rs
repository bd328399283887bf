//! Operations that embedders and the HTTP layer call: each runs its checks, then its storage work in one
//! transaction, and writes any activity it causes to the delivery queue in that same transaction.

use std::sync::Arc;

use activitypub_federation::config::{Data, FederationConfig};
use url::Url;

pub use crate::context::{AppState, MembershipRule, OidcSettings, Settings};
use crate::error::{Error, Result};
pub use crate::mail::{Kind as MailKind, MailSettings};
use crate::store::{self, Db};

mod accounts;
mod announcements;
mod backfill;
mod bans;
mod calendar_imports;
mod calendars;
mod communities;
mod community_rules;
mod company_sign_in;
mod events;
mod feedback;
mod follows;
mod group_posts;
mod guests;
pub(crate) mod inbox;
mod inbox_announce;
mod insights;
mod instance_relay;
mod invitations;
mod keys;
mod moderation;
mod networks;
mod notifications;
mod publish;
mod reactions;
mod readers;
mod relays;
mod reports;
mod reports_queue;
mod rsvp;
mod signup;
mod suspensions;
/// Allow-list HTML sanitizing for everything users and remote servers send us.
pub mod sanitize {
    pub use crate::sanitize::{html, markdown};
}

pub use accounts::{IssuedToken, NewAccount};
pub use announcements::TimelineItem;
pub use bans::BanRequest;
pub use community_rules::RulesUpdate;
pub use events::{
    DEFAULT_TIMEZONE, EventCursor, EventsPage, MAX_EVENT_PAGE, MAX_EVENTS_PER_PAGE, Occurrence,
    PageStart, SeriesView,
};
pub use feedback::{AnswerView, ChoiceCount, FeedbackForMe, FeedbackResults, NewFeedbackPoll};
pub use follows::FollowRequestDecision;
pub use guests::{GuestRequest, GuestView, MailChoice};
pub use insights::{
    Day, EventFigures, EventRow, FeedbackFigures, Figures, FollowerFigures, Insights,
    MemberFigures, ParticipationFigures, Reach, Series,
};
pub use invitations::InvitationRequest;
pub use keys::generate_keypair;
pub use networks::DirectoryEntry;
pub use readers::Reader;
pub use relays::RelayedEvent;
pub use reports::NewReportLink;
pub use signup::Registration;

/// The library's entry point: one per instance. Cheap to clone.
///
/// ```no_run
/// # async fn demo() -> verkosto::Result<()> {
/// use verkosto::{Settings, Verkosto};
/// let verkosto = Verkosto::open("sqlite://verkosto.db", Settings::new("localhost:8080")).await?;
/// let app = verkosto::http::router(verkosto.clone()); // an axum Router to serve or nest
/// # let _ = app; Ok(()) }
/// ```
///
/// A handle: cloning it (as every request's `State` extractor does) copies one pointer. (It held the
/// state and the federation configuration by value, and a quarter of a cached read's time went to
/// cloning and dropping their few dozen fields.)
#[derive(Clone)]
pub struct Verkosto(Arc<Shared>);

struct Shared {
    state: AppState,
    federation: FederationConfig<AppState>,
    /// On PostgreSQL, hears other processes' changes for the document cache; stops with the last clone.
    _change_listener: Option<AbortOnDrop>,
}

/// Aborts a background task when dropped.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl Verkosto {
    /// Connects to `database_url`, applies migrations, and prepares federation.
    pub async fn open(database_url: &str, settings: Settings) -> Result<Self> {
        let db = Db::connect(database_url).await?;
        db.migrate().await?;
        Self::with_db(db, settings).await
    }

    /// Like [`Verkosto::open`], on a database already connected and migrated.
    pub async fn with_db(db: Db, settings: Settings) -> Result<Self> {
        if settings.dev_federation {
            tracing::warn!(
                "DEV FEDERATION IS ON: http:// and loopback peers are allowed. Never use this on a public instance."
            );
        }
        let state = AppState::new(db, &settings)?;
        // A fresh database has no instance key yet: made in the background while the instance
        // starts answering (what needs it waits for it).
        let keys = state.instance_keys.clone();
        tokio::spawn(async move {
            if let Err(e) = keys.get().await {
                tracing::error!(error = %e, "the instance key could not be read or made");
            }
        });
        {
            let mut c = state.db.acquire().await?;
            state.blocks.replace(
                store::blocks::list(&mut c.conn())
                    .await?
                    .into_iter()
                    .map(|b| b.host),
            );
            state
                .suspended
                .replace(store::bans::suspended_ids(&mut c.conn()).await?);
        }
        let federation = FederationConfig::builder()
            .domain(settings.domain.clone())
            .app_data(state.clone())
            .debug(settings.dev_federation)
            .http_signature_compat(true)
            .client(state.http.clone())
            .url_verifier(Box::new(crate::apub::safety::BlockingVerifier(
                state.blocks.clone(),
            )))
            .request_timeout(settings.request_timeout)
            // No signed_fetch_actor: the crate would sign with the `rsa` crate (RUSTSEC-2023-0071). Our
            // client signs every GET itself, with aws-lc-rs (apub::http_client::FetchSigner).
            .build()
            .await
            .map_err(|e| Error::Internal(format!("federation config: {e}")))?;
        let change_listener = match state.db.clone() {
            Db::Postgres(pool) => Some(AbortOnDrop(tokio::spawn(store::changes::listen(
                pool,
                state.db.changes(),
            )))),
            Db::Sqlite(_) => None,
        };
        Ok(Verkosto(Arc::new(Shared {
            state,
            federation,
            _change_listener: change_listener,
        })))
    }

    /// Subscribes to what happens from now on (follows, participations, comments, remote events,
    /// network memberships): see [`crate::hooks`].
    pub fn subscribe(&self) -> tokio::sync::broadcast::Receiver<crate::DomainEvent> {
        self.0.state.hooks.subscribe()
    }

    /// Tells subscribers, after the transaction that made `event` true committed.
    pub(crate) fn emit(&self, event: crate::DomainEvent) {
        self.0.state.hooks.emit(event);
    }

    /// The shared state (database, settings).
    pub fn state(&self) -> &AppState {
        &self.0.state
    }

    /// The lock that serialises fetches of one actor.
    pub(crate) fn fetch_gate(&self, actor: &Url) -> Arc<tokio::sync::Mutex<()>> {
        let Ok(mut gates) = self.0.state.fetch_gates.lock() else {
            return Arc::default();
        };
        // Gates nobody holds are dropped, so the map stays as small as the fetches in flight.
        if gates.len() > 1000 {
            gates.retain(|_, g| Arc::strong_count(g) > 1);
        }
        gates.entry(actor.to_string()).or_default().clone()
    }

    pub(crate) fn refetch_guard(&self) -> &crate::apub::inbox::RefetchGuard {
        &self.0.state.refetch_guard
    }

    /// The database.
    pub fn db(&self) -> &Db {
        &self.0.state.db
    }

    /// Instance settings.
    pub fn settings(&self) -> &Settings {
        &self.0.state.settings
    }

    /// A fresh federation context (its fetch counter starts at zero).
    pub fn federation_data(&self) -> Data<AppState> {
        self.0.federation.to_request_data()
    }

    /// The federation configuration.
    pub fn federation_config(&self) -> &FederationConfig<AppState> {
        &self.0.federation
    }

    /// Starts the background workers: deliveries, and the e-mail sender when the instance has SMTP
    /// settings. They stop when `shutdown` resolves; the handle ends when both have.
    pub fn spawn_delivery_workers(
        &self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> tokio::task::JoinHandle<()> {
        let (stop_mail, mail_stop) = tokio::sync::watch::channel(false);
        let mail = crate::mail::spawn_sender(self.clone(), mail_stop);
        let deliveries = crate::deliver::spawn_workers(self.clone(), async move {
            shutdown.await;
            let _ = stop_mail.send(true);
        });
        tokio::spawn(async move {
            let _ = deliveries.await;
            if let Some(mail) = mail {
                let _ = mail.await;
            }
        })
    }
}

impl Verkosto {
    /// The name in a local actor URL (`/c/{name}` or `/u/{name}`); empty (which names nobody) for
    /// any other URL.
    pub(crate) fn local_actor_name(&self, url: &Url) -> String {
        self.state().urls().actor_name(url).unwrap_or_default()
    }
}
