//! The neutral context every layer shares: the instance [`Settings`] and the [`AppState`] the
//! federation library carries to every handler (database, keys, limits, caches). It holds data and
//! builds nothing but itself; `service/` decides, `apub/` translates, and both read this.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use url::Url;

use crate::apub::signatures::{SigningKey, VerifyingKey};
use crate::deliver::DeliveryNotifier;
use crate::error::{Error, Result};
use crate::model::KeyPair;
use crate::store::Db;

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
    /// Deliveries claimed at once for one receiving host, in flight or waiting for a worker (over all
    /// processes sharing the database).
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
    /// How long after a participant count changes the event's `Update` goes out, carrying every
    /// change made meanwhile: a storm of `Join`s costs one `Update` per window, not one per `Join` to
    /// every participant.
    pub event_update_delay: Duration,
    /// Memory for rendered public documents (actors, events, announcements, collections, feeds), in
    /// bytes; 0 turns the cache off. A cached document is dropped when anything it may show changes.
    pub document_cache_bytes: u64,
    /// The longest a rendered document is served from the cache. Changes made by this process or, on
    /// PostgreSQL, by any process drop it at once; this bounds only what nothing tells us of (another
    /// process writing the same SQLite file).
    pub document_cache_ttl: Duration,
    /// After a signature fails with the key we hold, the sender is refetched (its key may have rotated)
    /// at once when the request names another key id, and otherwise at most once per this interval,
    /// doubled for each refetch in a row that did not help (up to a minute).
    pub key_refetch_interval: Duration,
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
    /// What the instance actor does with a `Follow` of itself (instances and relays subscribing to
    /// every public event and announcement of this instance's communities). `Approval` by default:
    /// see [`crate::model::InstanceFollowPolicy`] and README.
    pub instance_follow_policy: crate::model::InstanceFollowPolicy,
    /// The most outbox items read when a follow of a remote community or instance is accepted (or a
    /// community joins a network), to store its upcoming events at once.
    pub backfill_items: usize,
    /// How long the impact figures keep who followed, reacted, withdrew or answered a poll (issue 16);
    /// older rows are pseudonymised (their counts stay). Two years by default.
    pub personal_data_retention: Duration,
    /// How far ahead a recurring series exists as events (issue 17): its next occurrences up to this
    /// many, and none further than [`Settings::series_horizon_days`] (the next one always exists).
    /// A background job extends it as time passes.
    pub series_horizon_count: usize,
    /// The furthest ahead, in days, that a series' occurrences are made.
    pub series_horizon_days: u32,
    /// How often an external calendar a community subscribes to is fetched again (issue 17).
    pub calendar_sync_interval: Duration,
    /// Sign-in with the company's own accounts through OpenID Connect (issue 18), when set.
    pub oidc: Option<OidcSettings>,
    /// Whether people may log in with a password (turned off on an instance whose people all sign
    /// in through [`Settings::oidc`]).
    pub password_login: bool,
    /// E-mail (issue 19): without it, participation by e-mail and notices are not offered.
    pub mail: Option<crate::mail::MailSettings>,
}

/// An OpenID Connect provider people sign in with (authorization code flow with PKCE).
#[derive(Debug, Clone)]
pub struct OidcSettings {
    /// The issuer (`https://login.example.com/`); its discovery document is read from it.
    pub issuer: Url,
    /// This instance's client id at the provider.
    pub client_id: String,
    /// Its client secret.
    pub client_secret: String,
    /// What the login button says (the company's name).
    pub name: String,
    /// Who is put into which community on signing in.
    pub rules: Vec<MembershipRule>,
}

/// Puts a person into a community on sign-in, by their verified e-mail's domain or a group the
/// provider names.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct MembershipRule {
    /// An e-mail domain (`intunex.fi`); the provider must say the address is verified. Empty: any.
    #[serde(default)]
    pub email_domain: String,
    /// A group the provider names in the ID token's `groups` claim (as Keycloak, Entra ID, Okta and
    /// Authentik can send it). None: any. A rule matches when everything it names does.
    #[serde(default)]
    pub group: Option<String>,
    /// The local community they become members of.
    pub community: String,
}

impl MembershipRule {
    /// Whether a person with the verified address `email` (if any) in `groups` matches the rule.
    pub fn matches(&self, email: Option<&str>, groups: &[String]) -> bool {
        if self.email_domain.is_empty() && self.group.is_none() {
            return false;
        }
        let domain_ok = self.email_domain.is_empty()
            || email
                .and_then(|e| e.rsplit_once('@'))
                .is_some_and(|(_, d)| d.eq_ignore_ascii_case(&self.email_domain));
        let group_ok = self
            .group
            .as_ref()
            .is_none_or(|g| groups.iter().any(|have| have == g));
        domain_ok && group_ok
    }
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
            key_refetch_interval: Duration::from_secs(3),
            event_update_delay: Duration::from_secs(5),
            document_cache_bytes: 32 * 1024 * 1024,
            document_cache_ttl: Duration::from_secs(10),
            inbox_per_host_per_minute: 1200,
            inbox_per_ip_per_minute: 2400,
            trusted_proxies: Vec::new(),
            request_deadline: Duration::from_secs(30),
            api_per_ip_per_minute: 600,
            max_concurrent_requests: 1024,
            instance_follow_policy: crate::model::InstanceFollowPolicy::Approval,
            backfill_items: 20,
            personal_data_retention: Duration::from_secs(730 * 24 * 3600),
            series_horizon_count: 8,
            series_horizon_days: 90,
            calendar_sync_interval: Duration::from_secs(3600),
            oidc: None,
            password_login: true,
            mail: None,
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
    /// The instance actor's keys, for signed fetches (made on first use of a fresh database).
    pub instance_keys: InstanceKeys,
    /// Caches of parsed keys and fetch single-flight state.
    pub(crate) keys: Arc<KeyCache>,
    /// Client API requests per IP address.
    pub(crate) api_limiter: Arc<governor::DefaultKeyedRateLimiter<std::net::IpAddr>>,
    /// Requests in progress, bounded by `max_concurrent_requests`.
    pub(crate) in_flight: Arc<tokio::sync::Semaphore>,
    /// One lock per actor being fetched, so concurrent first contacts fetch it once.
    pub(crate) fetch_gates: Arc<Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>>,
    /// Inbox posts per remote host.
    pub(crate) inbox_limiter: Arc<governor::DefaultKeyedRateLimiter<String>>,
    /// Inbox posts per client address, before their signature is checked.
    pub(crate) inbox_ip_limiter: Arc<governor::DefaultKeyedRateLimiter<std::net::IpAddr>>,
    /// Login attempts per username (a burst of 10, then one every 6 seconds): password guessing is
    /// throttled.
    pub(crate) login_limiter: Arc<governor::DefaultKeyedRateLimiter<String>>,
    /// Argon2 password verifications done (see [`crate::Verkosto::password_checks`]).
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
    /// Signatures verified and made by style, and hosts known to take RFC 9421.
    pub(crate) signature_stats: Arc<crate::deliver::SignatureStats>,
    /// Every local URL, built from the instance's root (validated at start-up).
    urls: Arc<crate::urls::LocalUrls>,
    /// Rendered public documents (see [`crate::http`]'s document cache).
    pub(crate) documents: crate::http::DocumentCache,
    /// Accounts suspended from the whole instance, loaded from the database.
    pub(crate) suspended: crate::apub::safety::SuspendedActors,
    /// The SMTP transport, when the instance sends e-mail.
    pub(crate) mailer: Option<crate::mail::Mailer>,
    /// Wakes the mail sender when something was queued.
    pub(crate) mail_wake: Arc<tokio::sync::Notify>,
}

impl AppState {
    /// The absolute URL of `path` on this instance. Paths are ours, but may carry ids taken from
    /// requests: anything that does not join cleanly yields the root rather than a panic.
    pub fn url(&self, path: &str) -> Url {
        self.urls.path(path)
    }

    /// Every local URL: built from ids and names, and parsed back.
    pub fn urls(&self) -> &crate::urls::LocalUrls {
        &self.urls
    }
}

impl AppState {
    /// The state of an instance on `db` with `settings`, signing fetches with the instance's keys.
    /// The domain blocks start empty: the caller loads them.
    pub(crate) fn new(db: Db, settings: &Settings) -> Result<AppState> {
        let changes = db.changes();
        validate_domain(&settings.domain)?;
        let blocks = crate::apub::safety::DomainBlocks::default();
        let urls = crate::urls::LocalUrls::new(settings.base_url()?);
        let instance_keys = InstanceKeys::new(db.clone());
        let fetch_signer = crate::apub::http_client::FetchSigner {
            key_id: format!("{}#main-key", urls.instance_actor()),
            keys: instance_keys.clone(),
        };
        let http = crate::apub::http_client::client(
            settings.request_timeout,
            crate::apub::http_client::Destinations::new(settings.dev_federation, blocks.clone()),
            Some(fetch_signer),
        )
        .map_err(|e| Error::Internal(format!("HTTP client: {e}")))?;
        let per_minute = |n: u32| {
            governor::Quota::per_minute(NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN))
        };
        let mailer = settings
            .mail
            .as_ref()
            .map(|m| crate::mail::Mailer::new(m, settings.request_timeout))
            .transpose()?;
        Ok(AppState {
            db,
            http,
            mailer,
            mail_wake: Arc::default(),
            suspended: Default::default(),
            settings: Arc::new(settings.clone()),
            deliveries: DeliveryNotifier::default(),
            instance_keys,
            keys: Arc::new(KeyCache::default()),
            refetch_guard: Arc::default(),
            hooks: crate::hooks::Hooks::default(),
            unhandled_activities: Arc::default(),
            urls: Arc::new(urls),
            signature_stats: Arc::default(),
            documents: crate::http::DocumentCache::new(
                settings.document_cache_bytes,
                settings.document_cache_ttl,
                changes,
            ),
            blocks,
            login_limiter: Arc::new(governor::RateLimiter::keyed(per_minute(10))),
            password_checks: Arc::default(),
            fetch_gates: Arc::default(),
            api_limiter: Arc::new(governor::RateLimiter::keyed(per_minute(
                settings.api_per_ip_per_minute,
            ))),
            in_flight: Arc::new(tokio::sync::Semaphore::new(
                settings.max_concurrent_requests.max(1),
            )),
            inbox_limiter: Arc::new(governor::RateLimiter::keyed(per_minute(
                settings.inbox_per_host_per_minute,
            ))),
            inbox_ip_limiter: Arc::new(governor::RateLimiter::keyed(per_minute(
                settings.inbox_per_ip_per_minute,
            ))),
        })
    }
}

/// How many parsed remote public keys are kept; past that the cache starts over (a flood of new
/// actors costs a re-parse each, never unbounded memory).
const MAX_PUBLIC_KEYS: usize = 10_000;

/// The instance actor's key pair, read from the database or made there on first use.
///
/// Making an RSA key takes 50-500 ms, most of a fresh instance's start-up, and nothing needs the key
/// before the first signed fetch or the first read of the instance actor: those wait for it, the
/// rest of the instance answers meanwhile. Several processes on one database end up with the pair
/// the first one stored.
#[derive(Clone)]
pub struct InstanceKeys {
    db: Db,
    loaded: Arc<tokio::sync::OnceCell<Arc<LoadedInstanceKeys>>>,
}

/// The instance key pair as PEM, and its private key parsed for signing.
pub struct LoadedInstanceKeys {
    /// The PEM pair, as stored.
    pub pair: KeyPair,
    pub(crate) signing: Arc<SigningKey>,
}

impl InstanceKeys {
    fn new(db: Db) -> Self {
        InstanceKeys {
            db,
            loaded: Arc::default(),
        }
    }

    /// The keys, read or made (once) on the first call.
    pub async fn get(&self) -> Result<Arc<LoadedInstanceKeys>> {
        self.loaded
            .get_or_try_init(|| async {
                let mut c = self.db.acquire().await?;
                let pair = match crate::store::instance::keys(&mut c.conn()).await? {
                    Some(pair) => pair,
                    None => {
                        let made = tokio::task::spawn_blocking(crate::apub::signatures::rsa_2048)
                            .await
                            .map_err(|e| Error::Internal(format!("key generation task: {e}")))??;
                        crate::store::instance::keys_or_insert(&mut c.conn(), made).await?
                    }
                };
                let signing = Arc::new(SigningKey::from_pkcs8_pem(&pair.private_key_pem)?);
                Ok(Arc::new(LoadedInstanceKeys { pair, signing }))
            })
            .await
            .cloned()
    }
}

/// Parsed keys: parsing PEM costs more than a signature (a private key) or about as much as a
/// verification (a public key), and the same few keys come back on every delivery and activity.
#[derive(Default)]
pub(crate) struct KeyCache {
    /// Our actors' private keys by actor id; they never change.
    private: Mutex<HashMap<String, Arc<SigningKey>>>,
    /// Remote actors' public keys by their PEM text, so a rotated key is simply another entry.
    public: Mutex<HashMap<String, Arc<VerifyingKey>>>,
}

impl KeyCache {
    pub(crate) fn get(&self, actor_ap_id: &str) -> Option<Arc<SigningKey>> {
        self.private.lock().ok()?.get(actor_ap_id).cloned()
    }

    pub(crate) fn put(&self, actor_ap_id: &str, key: Arc<SigningKey>) {
        if let Ok(mut map) = self.private.lock() {
            map.insert(actor_ap_id.to_string(), key);
        }
    }

    /// The parsed form of a PEM public key, `None` when it does not parse.
    pub(crate) fn verifying_key(&self, public_key_pem: &str) -> Option<Arc<VerifyingKey>> {
        if let Some(key) = self
            .public
            .lock()
            .ok()
            .and_then(|map| map.get(public_key_pem).cloned())
        {
            return Some(key);
        }
        let key = Arc::new(VerifyingKey::from_pem(public_key_pem)?);
        if let Ok(mut map) = self.public.lock() {
            if map.len() >= MAX_PUBLIC_KEYS {
                map.clear();
            }
            map.insert(public_key_pem.to_string(), key.clone());
        }
        Some(key)
    }
}

/// Checks that `domain` is a lowercase host name with an optional port.
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
