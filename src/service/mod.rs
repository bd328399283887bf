//! Operations that embedders and the HTTP layer call: each runs its checks, then its storage work in one
//! transaction, and writes any activity it causes to the delivery queue in that same transaction.

use std::sync::Arc;
use std::time::Duration;

use activitypub_federation::config::{Data, FederationConfig};
use url::Url;

use crate::deliver::DeliveryNotifier;
use crate::error::{Error, Result};
use crate::model::KeyPair;
use crate::store::{self, Db};

mod accounts;
mod announcements;
mod calendars;
mod communities;
mod events;
mod follows;
mod keys;
mod moderation;
mod networks;
mod publish;
pub mod sanitize;

pub use accounts::{IssuedToken, NewAccount};
pub use announcements::TimelineItem;
pub use events::{DEFAULT_TIMEZONE, EventsPage, MAX_EVENT_PAGE, MAX_EVENTS_PER_PAGE};
pub use follows::FollowRequestDecision;
pub use keys::generate_keypair;
pub use networks::DirectoryEntry;

/// Instance-wide settings an embedder or the server chooses.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The public `host[:port]` used in every id, e.g. `verkosto.example` or `localhost:8080`.
    pub domain: String,
    /// Allows `http://` and loopback peers and uses `http://` ids. For tests and local trials only.
    pub dev_federation: bool,
    /// Whether anyone may create an account through the API.
    pub open_registration: bool,
    /// The largest request body accepted, in bytes (inbox and API).
    pub max_body_bytes: usize,
    /// Timeout of one outgoing request (fetch or delivery).
    pub request_timeout: Duration,
    /// The first retry delay of a failed delivery; later ones grow from it.
    pub retry_base: Duration,
    /// How long a failing delivery is retried before it is given up.
    pub retry_window: Duration,
    /// Deliveries in flight at once, over all hosts.
    pub delivery_workers: usize,
    /// Deliveries in flight at once to one receiving host (over all processes sharing the database).
    pub workers_per_host: usize,
    /// A host whose deliveries have failed for this long is unavailable: only probed now and then.
    pub unavailable_after: Duration,
    /// How often an unavailable host is probed (it also comes back as soon as it sends us anything).
    pub host_probe_interval: Duration,
    /// How long an incoming signature is valid after its `Date` (or signed `(created)`) when it signs
    /// no `(expires)`: 5 minutes, as Mastodon. Short, so a captured request cannot be replayed later.
    pub signature_lifetime: Duration,
    /// The clock difference tolerated between us and a sender, both ways (1 hour, as Mastodon).
    pub signature_clock_skew: Duration,
    /// The longest validity a signed `(expires)` may claim after creation (12 hours, as Mastodon).
    pub signature_max_lifetime: Duration,
    /// Activities one remote host may post to our inboxes per minute (a burst of as many is allowed),
    /// charged to the host whose signature verified.
    pub inbox_per_host_per_minute: u32,
    /// Inbox posts one client address may make per minute, counted before any signature is checked
    /// (so junk naming someone else's actors is limited by where it comes from).
    pub inbox_per_ip_per_minute: u32,
    /// Reverse proxies whose `X-Forwarded-For`/`Forwarded` is believed (addresses or networks); the
    /// default, none, makes every limit count the connecting address.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// The longest any request may take before it is answered 408.
    pub request_deadline: Duration,
    /// Client API requests one IP address may make per minute (needs the peer address: serve with
    /// `into_make_service_with_connect_info::<SocketAddr>()`).
    pub api_per_ip_per_minute: u32,
    /// Requests handled at once; more are answered 503 with `Retry-After` instead of queueing up.
    pub max_concurrent_requests: usize,
}

impl Settings {
    /// Settings for `domain` with the defaults of a production instance.
    pub fn new(domain: impl Into<String>) -> Self {
        Settings {
            domain: domain.into(),
            dev_federation: false,
            open_registration: false,
            max_body_bytes: 1024 * 1024,
            request_timeout: Duration::from_secs(10),
            retry_base: Duration::from_secs(60),
            retry_window: Duration::from_secs(14 * 24 * 3600),
            delivery_workers: 32,
            workers_per_host: 4,
            unavailable_after: Duration::from_secs(3 * 24 * 3600),
            host_probe_interval: Duration::from_secs(3600),
            signature_lifetime: Duration::from_secs(5 * 60),
            signature_clock_skew: Duration::from_secs(3600),
            signature_max_lifetime: Duration::from_secs(12 * 3600),
            inbox_per_host_per_minute: 1200,
            inbox_per_ip_per_minute: 2400,
            trusted_proxies: Vec::new(),
            request_deadline: Duration::from_secs(30),
            api_per_ip_per_minute: 600,
            max_concurrent_requests: 1024,
        }
    }

    /// The signature age rules these settings make.
    pub fn signature_age(&self) -> crate::apub::signatures::SignatureAge {
        crate::apub::signatures::SignatureAge {
            lifetime: self.signature_lifetime,
            clock_skew: self.signature_clock_skew,
            max_lifetime: self.signature_max_lifetime,
        }
    }

    /// `https`, or `http` with dev federation.
    pub fn scheme(&self) -> &'static str {
        if self.dev_federation { "http" } else { "https" }
    }

    /// The root URL of this instance, e.g. `https://verkosto.example/`.
    pub fn base_url(&self) -> Result<Url> {
        Url::parse(&format!("{}://{}/", self.scheme(), self.domain))
            .map_err(|e| Error::BadRequest(format!("invalid domain {:?}: {e}", self.domain)))
    }
}

/// What the federation library carries to every handler: the database and settings.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub db: Db,
    /// Instance settings.
    pub settings: Arc<Settings>,
    /// Wakes the delivery workers when something was queued.
    pub deliveries: DeliveryNotifier,
    /// The instance actor's keys, for signed fetches.
    pub instance_keys: Arc<KeyPair>,
    /// Caches of parsed keys and fetch single-flight state.
    pub(crate) keys: Arc<keys::KeyCache>,
    /// Client API requests per IP address.
    pub(crate) api_limiter: Arc<governor::DefaultKeyedRateLimiter<std::net::IpAddr>>,
    /// Requests in progress, bounded by `max_concurrent_requests`.
    pub(crate) in_flight: Arc<tokio::sync::Semaphore>,
    /// One lock per actor being fetched, so concurrent first contacts fetch it once.
    pub(crate) fetch_gates:
        Arc<std::sync::Mutex<std::collections::HashMap<String, Arc<tokio::sync::Mutex<()>>>>>,
    /// Inbox posts per remote host.
    pub(crate) inbox_limiter: Arc<governor::DefaultKeyedRateLimiter<String>>,
    /// Inbox posts per client address, before their signature is checked.
    pub(crate) inbox_ip_limiter: Arc<governor::DefaultKeyedRateLimiter<std::net::IpAddr>>,
    /// Login attempts per username: password guessing is throttled.
    pub(crate) login_limiter: Arc<accounts::LoginLimiter>,
    /// Argon2 password verifications done (see [`Verkosto::password_checks`]).
    pub(crate) password_checks: Arc<std::sync::atomic::AtomicU64>,
    /// Blocked domains, loaded from the database.
    pub blocks: crate::apub::safety::DomainBlocks,
    /// The one client of every outgoing request (see [`crate::apub::http_client`]).
    pub(crate) http: reqwest_middleware::ClientWithMiddleware,
    /// Activity types received and acknowledged without effect, for `/metrics`.
    pub(crate) unhandled_activities: Arc<crate::apub::inbox::UnhandledActivities>,
    /// The domain events told to the host application.
    pub(crate) hooks: crate::hooks::Hooks,
    /// Limits refetches of actors whose signatures fail.
    pub(crate) refetch_guard: Arc<crate::apub::inbox::RefetchGuard>,
    /// The instance's root URL (validated at start-up).
    base_url: Arc<Url>,
    /// The federation configuration, set once right after it is built (it holds this state itself).
    federation: Arc<std::sync::OnceLock<FederationConfig<AppState>>>,
}

impl AppState {
    /// The absolute URL of `path` on this instance. Paths are ours, but may carry ids taken from
    /// requests: anything that does not join cleanly yields the root rather than a panic.
    pub fn url(&self, path: &str) -> Url {
        self.base_url
            .join(path)
            .unwrap_or_else(|_| (*self.base_url).clone())
    }
}

/// The library's entry point: one per instance. Cheap to clone.
///
/// ```no_run
/// # async fn demo() -> verkosto::Result<()> {
/// use verkosto::{Settings, Verkosto};
/// let verkosto = Verkosto::open("sqlite://verkosto.db", Settings::new("localhost:8080")).await?;
/// let app = verkosto::http::router(verkosto.clone()); // an axum Router to serve or nest
/// # let _ = app; Ok(()) }
/// ```
#[derive(Clone)]
pub struct Verkosto {
    state: AppState,
    federation: FederationConfig<AppState>,
}

impl Verkosto {
    /// The service layer behind a federation context (for activity handlers).
    pub(crate) fn from_data(data: &Data<AppState>) -> Verkosto {
        let state = data.app_data().clone();
        let federation = state.federation.get().cloned().unwrap_or_else(|| {
            unreachable!("the federation config is set before any request is served")
        });
        Verkosto { state, federation }
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
        validate_domain(&settings.domain)?;
        if settings.dev_federation {
            tracing::warn!(
                "DEV FEDERATION IS ON: http:// and loopback peers are allowed. Never use this on a public instance."
            );
        }
        let instance_keys = {
            let mut c = db.acquire().await?;
            match store::instance::keys(&mut c.conn()).await? {
                Some(k) => k,
                None => {
                    let k = keys::generate_keypair().await?;
                    store::instance::keys_or_insert(&mut c.conn(), k).await?
                }
            }
        };
        let blocks = crate::apub::safety::DomainBlocks::default();
        let http = crate::apub::http_client::client(
            settings.request_timeout,
            crate::apub::http_client::Destinations::new(settings.dev_federation, blocks.clone()),
        )
        .map_err(|e| Error::Internal(format!("HTTP client: {e}")))?;
        let state = AppState {
            db,
            http,
            settings: Arc::new(settings.clone()),
            deliveries: DeliveryNotifier::default(),
            instance_keys: Arc::new(instance_keys),
            keys: Arc::new(keys::KeyCache::default()),
            refetch_guard: Arc::default(),
            hooks: crate::hooks::Hooks::default(),
            unhandled_activities: Arc::default(),
            base_url: Arc::new(settings.base_url()?),
            blocks,
            login_limiter: Arc::new(accounts::login_limiter()),
            password_checks: Arc::default(),
            fetch_gates: Arc::default(),
            api_limiter: Arc::new(governor::RateLimiter::keyed(governor::Quota::per_minute(
                std::num::NonZeroU32::new(settings.api_per_ip_per_minute.max(1))
                    .unwrap_or(std::num::NonZeroU32::MIN),
            ))),
            in_flight: Arc::new(tokio::sync::Semaphore::new(
                settings.max_concurrent_requests.max(1),
            )),
            inbox_limiter: Arc::new(governor::RateLimiter::keyed(governor::Quota::per_minute(
                std::num::NonZeroU32::new(settings.inbox_per_host_per_minute.max(1))
                    .unwrap_or(std::num::NonZeroU32::MIN),
            ))),
            inbox_ip_limiter: Arc::new(governor::RateLimiter::keyed(governor::Quota::per_minute(
                std::num::NonZeroU32::new(settings.inbox_per_ip_per_minute.max(1))
                    .unwrap_or(std::num::NonZeroU32::MIN),
            ))),
            federation: Arc::new(std::sync::OnceLock::new()),
        };
        {
            let mut c = state.db.acquire().await?;
            state.blocks.replace(
                store::blocks::list(&mut c.conn())
                    .await?
                    .into_iter()
                    .map(|b| b.host),
            );
        }
        let instance_actor = crate::apub::actor::InstanceActor::new(&state);
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
            .signed_fetch_actor(&instance_actor)
            .build()
            .await
            .map_err(|e| Error::Internal(format!("federation config: {e}")))?;
        let _ = state.federation.set(federation.clone());
        Ok(Verkosto { state, federation })
    }

    /// Subscribes to what happens from now on (follows, participations, comments, remote events,
    /// network memberships): see [`crate::hooks`].
    pub fn subscribe(&self) -> tokio::sync::broadcast::Receiver<crate::DomainEvent> {
        self.state.hooks.subscribe()
    }

    /// Tells subscribers, after the transaction that made `event` true committed.
    pub(crate) fn emit(&self, event: crate::DomainEvent) {
        self.state.hooks.emit(event);
    }

    /// The shared state (database, settings).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// The lock that serialises fetches of one actor.
    pub(crate) fn fetch_gate(&self, actor: &Url) -> Arc<tokio::sync::Mutex<()>> {
        let Ok(mut gates) = self.state.fetch_gates.lock() else {
            return Arc::default();
        };
        // Gates nobody holds are dropped, so the map stays as small as the fetches in flight.
        if gates.len() > 1000 {
            gates.retain(|_, g| Arc::strong_count(g) > 1);
        }
        gates.entry(actor.to_string()).or_default().clone()
    }

    pub(crate) fn refetch_guard(&self) -> &crate::apub::inbox::RefetchGuard {
        &self.state.refetch_guard
    }

    /// The database.
    pub fn db(&self) -> &Db {
        &self.state.db
    }

    /// Instance settings.
    pub fn settings(&self) -> &Settings {
        &self.state.settings
    }

    /// A fresh federation context (its fetch counter starts at zero).
    pub fn federation_data(&self) -> Data<AppState> {
        self.federation.to_request_data()
    }

    /// The federation configuration.
    pub fn federation_config(&self) -> &FederationConfig<AppState> {
        &self.federation
    }

    /// Starts the background delivery workers; they stop when `shutdown` resolves.
    pub fn spawn_delivery_workers(
        &self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> tokio::task::JoinHandle<()> {
        crate::deliver::spawn_workers(self.clone(), shutdown)
    }
}

/// The name in a local actor URL (`/c/{name}` or `/u/{name}`).
pub(crate) fn local_name(url: &Url) -> String {
    url.path_segments()
        .and_then(|mut s| s.nth(1))
        .unwrap_or_default()
        .to_string()
}

fn validate_domain(domain: &str) -> Result<()> {
    let parsed = Url::parse(&format!("http://{domain}/"))
        .map_err(|e| Error::BadRequest(format!("invalid domain {domain:?}: {e}")))?;
    let host_only = match parsed.port() {
        Some(p) => format!("{}:{p}", parsed.host_str().unwrap_or_default()),
        None => parsed.host_str().unwrap_or_default().to_string(),
    };
    if host_only != domain || parsed.domain().is_none() {
        return Err(Error::BadRequest(format!(
            "invalid domain {domain:?}: expected a lowercase host name with an optional :port (not an IP address)"
        )));
    }
    Ok(())
}
