//! The HTTP surface as an axum [`Router`]: federation endpoints, the client API, health.
//!
//! Handlers parse and authorise, then call one service method; the [`crate::Error`] they return is
//! turned into a JSON answer in one place. Embedders nest [`router`] into their own app.

use axum::{
    Json, Router,
    extract::{FromRequest, FromRequestParts, Request, State},
    http::{StatusCode, header, request::Parts},
    response::IntoResponse,
    routing::get,
};
use serde::de::DeserializeOwned;

use crate::error::{Error, Refusal, Result};
use crate::model::Account;
use crate::service::Verkosto;

mod admin_relays;
mod announcements;
mod api;
mod bans;
mod calendar_imports;
mod client_ip;
mod document_cache;
mod events;
mod federation;
mod guests;
mod instance_calendar;
mod invitations;
pub(crate) mod params;
mod series;

pub use document_cache::DocumentCache;

/// Every route of an instance, as the reference server mounts them: [`Mount::everything`] plus a
/// JSON 404 for any other path.
pub fn router(verkosto: Verkosto) -> Router {
    Mount::everything(verkosto)
        .into_router()
        .fallback(|| async { Error::from(Refusal::NoSuchPage) })
}

/// Chooses which of Verkosto's route groups an app mounts, and where the client API lives.
///
/// ```
/// # async fn run(verkosto: verkosto::Verkosto) {
/// use axum::{Router, routing::get};
///
/// let app = Router::new()
///     .route("/", get(|| async { "our own home page" }))
///     .merge(
///         verkosto::http::Mount::new(verkosto)
///             .federation()
///             .client_api("/api/verkosto")
///             .operations()
///             .into_router(),
///     );
/// # let _: Router = app;
/// # }
/// ```
///
/// The groups:
/// - **federation**: the instance actor, community, person, event and announcement objects, inboxes,
///   outboxes and collections, WebFinger, NodeInfo, calendar (`.ics`) and Atom feeds;
/// - **client API**: the JSON API (`/api/v1` in the reference server), under the prefix given;
/// - **pages**: the web pages and the managers' workspace (log in, communities, events...), except `/`;
/// - **home page**: Verkosto's `/`, what this instance is (leave it out to keep your own);
/// - **operations**: `/healthz` and `/metrics`.
///
/// Community, event, person and announcement pages share their address with the ActivityPub object
/// (content negotiation). Without the pages, those addresses answer the object to everyone.
///
/// The returned router has no fallback, so that it merges into an app that has its own.
#[derive(Clone)]
pub struct Mount {
    verkosto: Verkosto,
    federation: bool,
    client_api: Option<String>,
    pages: bool,
    home_page: bool,
    operations: bool,
}

impl Mount {
    /// Nothing mounted yet.
    pub fn new(verkosto: Verkosto) -> Mount {
        Mount {
            verkosto,
            federation: false,
            client_api: None,
            pages: false,
            home_page: false,
            operations: false,
        }
    }

    /// Every group, the client API at `/api/v1`: what the reference server serves.
    pub fn everything(verkosto: Verkosto) -> Mount {
        Mount::new(verkosto)
            .federation()
            .client_api("/api/v1")
            .pages()
            .home_page()
            .operations()
    }

    /// Actors, objects, inboxes, WebFinger, NodeInfo and feeds.
    pub fn federation(mut self) -> Mount {
        self.federation = true;
        self
    }

    /// The JSON client API under `prefix` (for example `/api/v1`).
    pub fn client_api(mut self, prefix: impl Into<String>) -> Mount {
        self.client_api = Some(prefix.into());
        self
    }

    /// The web pages and the workspace, except `/`.
    pub fn pages(mut self) -> Mount {
        self.pages = true;
        self
    }

    /// Verkosto's home page at `/`.
    pub fn home_page(mut self) -> Mount {
        self.home_page = true;
        self
    }

    /// `/healthz` and `/metrics`.
    pub fn operations(mut self) -> Mount {
        self.operations = true;
        self
    }

    /// The chosen routes, with Verkosto's limits (body size, requests in progress, deadline) and
    /// its state applied.
    pub fn into_router(self) -> Router {
        let verkosto = self.verkosto;
        let max_body = verkosto.settings().max_body_bytes;
        let deadline = verkosto.settings().request_deadline;
        let mut router = Router::new();
        if self.operations {
            router = router
                .route("/healthz", get(healthz))
                .route("/metrics", get(metrics));
        }
        if self.federation {
            let objects = federation::routes()
                .merge(events::public_routes())
                .merge(series::public_routes())
                .merge(announcements::public_routes())
                .merge(instance_calendar::public_routes());
            let objects = objects.layer(axum::middleware::from_fn_with_state(
                verkosto.clone(),
                document_cache::serve,
            ));
            router = router.merge(if self.pages {
                objects
            } else {
                objects.layer(axum::middleware::map_request(answer_objects_only))
            });
        }
        if self.pages {
            router = router.merge(crate::web::routes(&verkosto));
        }
        if self.home_page {
            router = router.merge(crate::web::home_routes());
        }
        if let Some(prefix) = self.client_api {
            router = router.nest(
                &prefix,
                api::routes()
                    .merge(events::api_routes())
                    .merge(series::api_routes())
                    .merge(calendar_imports::api_routes())
                    .merge(bans::api_routes())
                    .merge(guests::api_routes())
                    .merge(invitations::api_routes())
                    .merge(announcements::api_routes())
                    .merge(admin_relays::api_routes())
                    .route_layer(axum::middleware::from_fn_with_state(
                        verkosto.clone(),
                        limit_per_ip,
                    )),
            );
        }
        router
            // Our extractors read bodies with the same limit and answer 413 in JSON; this layer only
            // stops axum from buffering more than that anywhere else.
            .layer(axum::extract::DefaultBodyLimit::max(max_body))
            .layer(axum::middleware::from_fn_with_state(
                verkosto.clone(),
                shed_load,
            ))
            // A slow client (or a slowly read body) cannot hold a connection and a task forever.
            .layer(tower_http::timeout::TimeoutLayer::with_status_code(
                StatusCode::REQUEST_TIMEOUT,
                deadline,
            ))
            .with_state(verkosto)
    }
}

/// Without the pages, an address shared by a page and an object answers the object to everyone:
/// the request is read as if it asked for ActivityStreams JSON.
async fn answer_objects_only(mut req: Request) -> Request {
    req.headers_mut().insert(
        header::ACCEPT,
        axum::http::HeaderValue::from_static("application/activity+json"),
    );
    req
}

/// Answers 429 with `Retry-After` when one client IP address makes too many API requests.
pub(crate) async fn limit_per_ip(
    State(v): State<Verkosto>,
    req: Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let ip = client_ip(&v, req.extensions(), req.headers());
    if let Some(ip) = ip {
        let limiter = &v.state().api_limiter;
        if limiter.len() > 100_000 {
            limiter.retain_recent();
        }
        if let Err(not_until) = limiter.check_key(&ip) {
            let wait = not_until.wait_time_from(governor::clock::Clock::now(
                &governor::clock::DefaultClock::default(),
            ));
            return Error::TooManyRequests(wait.as_secs() + 1).into_response();
        }
    }
    next.run(req).await
}

/// The client address every per-address limit counts: the peer, or what trusted proxies say.
pub(crate) fn client_ip(
    v: &Verkosto,
    extensions: &axum::http::Extensions,
    headers: &axum::http::HeaderMap,
) -> Option<std::net::IpAddr> {
    client_ip::of_request(extensions, headers, &v.settings().trusted_proxies)
}

/// Beyond `max_concurrent_requests` in progress, answers 503 at once: an overloaded instance degrades
/// into quick refusals that clients retry, instead of a queue that times everyone out.
async fn shed_load(
    State(v): State<Verkosto>,
    req: Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let Ok(_permit) = v.state().in_flight.clone().try_acquire_owned() else {
        let mut response = (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(serde_json::json!({ "error": "overloaded", "message": "the server is busy; retry shortly" })),
        )
            .into_response();
        response.headers_mut().insert(
            header::RETRY_AFTER,
            axum::http::HeaderValue::from_static("1"),
        );
        return response;
    };
    next.run(req).await
}

async fn healthz(State(verkosto): State<Verkosto>) -> impl IntoResponse {
    match verkosto.db().ping().await {
        Ok(()) => (StatusCode::OK, Json(serde_json::json!({ "status": "ok" }))).into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "health check: database does not answer");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(
                    serde_json::json!({ "status": "unavailable", "error": "database_unavailable" }),
                ),
            )
                .into_response()
        }
    }
}

/// The delivery queue in the Prometheus text format, computed from the database at scrape time (so
/// every process sharing the database reports the same figures, and nothing is kept in memory).
async fn metrics(State(verkosto): State<Verkosto>) -> Result<impl IntoResponse> {
    use std::fmt::Write;
    let hosts = crate::store::deliveries::status(verkosto.db()).await?;
    let now = chrono::Utc::now();
    // Label values as the exposition format escapes them (a host or a type a peer chose).
    let label = |h: &str| {
        h.replace('\\', "\\\\")
            .replace('"', "\\\"")
            .replace('\n', "\\n")
    };
    let mut out = String::new();
    let mut family =
        |name: &str,
         help: &str,
         value: &dyn Fn(&crate::store::deliveries::HostQueue) -> Option<f64>| {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge");
            for h in &hosts {
                if let Some(v) = value(h) {
                    let _ = writeln!(out, "{name}{{host=\"{}\"}} {v}", label(&h.host));
                }
            }
        };
    family(
        "verkosto_deliveries_pending",
        "Deliveries waiting, per receiving host.",
        &|h| Some(h.pending as f64),
    );
    family(
        "verkosto_deliveries_retrying",
        "Deliveries that failed at least once, per host.",
        &|h| Some(h.failing as f64),
    );
    family(
        "verkosto_deliveries_oldest_age_seconds",
        "Age of the oldest waiting delivery, per host.",
        &|h| Some((now - h.oldest).num_milliseconds() as f64 / 1000.0),
    );
    family(
        "verkosto_host_failing_seconds",
        "How long deliveries to a host have been failing.",
        &|h| {
            h.failing_since
                .map(|f| (now - f).num_milliseconds() as f64 / 1000.0)
        },
    );
    let unhandled = verkosto.state().unhandled_activities.snapshot();
    counter(
        &mut out,
        "verkosto_inbox_unhandled_total",
        "Activities acknowledged without effect since start, per type (this process).",
        unhandled
            .into_iter()
            .map(|(kind, n)| (format!("type=\"{}\"", label(&kind)), n)),
    );
    let (styles, fallbacks) = verkosto.state().signature_stats.snapshot();
    let by_style = |pick: fn(&(_, u64, u64)) -> u64| {
        styles
            .iter()
            .map(move |s| (format!("style=\"{}\"", s.0.as_str()), pick(s)))
    };
    counter(
        &mut out,
        "verkosto_signatures_verified_total",
        "Incoming HTTP signatures that verified since start, per style (this process).",
        by_style(|s| s.1),
    );
    counter(
        &mut out,
        "verkosto_deliveries_signed_total",
        "Delivery attempts since start, per signature style (this process).",
        by_style(|s| s.2),
    );
    counter(
        &mut out,
        "verkosto_signature_fallbacks_total",
        "RFC 9421 deliveries refused with a 4xx and sent again signed draft-cavage (this process).",
        [(String::new(), fallbacks)],
    );
    let documents = &verkosto.state().documents;
    let (hits, misses) = documents.hits_and_misses();
    counter(
        &mut out,
        "verkosto_document_cache_requests_total",
        "Public documents served from the cache (hit) or rendered (miss) since start (this process).",
        [
            ("result=\"hit\"".to_owned(), hits),
            ("result=\"miss\"".to_owned(), misses),
        ],
    );
    let _ = writeln!(
        out,
        "# HELP verkosto_document_cache_bytes Memory held by cached public documents (this process).\n\
         # TYPE verkosto_document_cache_bytes gauge\nverkosto_document_cache_bytes {}",
        documents.weighted_size()
    );
    Ok(([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], out))
}

/// One counter family of `/metrics`: its help line, then a sample per set of labels (none when empty).
fn counter(
    out: &mut String,
    name: &str,
    help: &str,
    samples: impl IntoIterator<Item = (String, u64)>,
) {
    use std::fmt::Write;
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter");
    for (labels, value) in samples {
        let _ = match labels.is_empty() {
            true => writeln!(out, "{name} {value}"),
            false => writeln!(out, "{name}{{{labels}}} {value}"),
        };
    }
}

/// A JSON request body, refused with our error format: 413 over the limit, 400 when it is not JSON,
/// 422 naming the field when a field has the wrong type or is missing.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned> FromRequest<Verkosto> for ApiJson<T> {
    type Rejection = Error;

    async fn from_request(req: Request, state: &Verkosto) -> Result<Self> {
        let limit = state.settings().max_body_bytes;
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|ct| {
                ct.split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .eq_ignore_ascii_case("application/json")
            })
            .unwrap_or(false);
        if !is_json {
            return Err(Error::UnsupportedMediaType(
                "expected application/json".into(),
            ));
        }
        let bytes = axum::body::to_bytes(req.into_body(), limit)
            .await
            .map_err(|_| Error::PayloadTooLarge(limit))?;
        parse_json(&bytes).map(ApiJson)
    }
}

fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T> {
    serde_json::from_slice(bytes).map_err(|e| {
        use serde_json::error::Category;
        match e.classify() {
            Category::Data => {
                let text = e.to_string();
                let field = text
                    .split('`')
                    .nth(1)
                    .filter(|_| {
                        text.starts_with("missing field") || text.starts_with("unknown field")
                    })
                    .unwrap_or("body")
                    .to_string();
                Error::invalid(field, Refusal::Malformed { detail: text })
            }
            _ => Error::BadRequest(format!("the body is not valid JSON: {e}")),
        }
    })
}

/// The account behind the request's bearer token.
pub struct Authenticated(pub Account);

impl FromRequestParts<Verkosto> for Authenticated {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &Verkosto) -> Result<Self> {
        let token = bearer_token(parts)?;
        Ok(Authenticated(state.authenticate(token).await?))
    }
}

/// Who reads (issue 18): the account of a valid bearer token or session cookie, else the verified
/// signer of a signed fetch, else anonymous. Never a refusal: a reader who is not let in gets the
/// 404 of something that does not exist.
impl FromRequestParts<Verkosto> for crate::service::Reader {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        v: &Verkosto,
    ) -> std::result::Result<Self, std::convert::Infallible> {
        if let Ok(token) = bearer_token(parts)
            && let Ok(account) = v.authenticate(token).await
        {
            return Ok(crate::service::Reader::Account(account));
        }
        if let Some(account) = crate::web::session_account(v, &parts.headers).await {
            return Ok(crate::service::Reader::Account(account));
        }
        // The signature covers the path as sent, before an embedding app's `nest` took its prefix.
        let uri = parts
            .extensions
            .get::<axum::extract::OriginalUri>()
            .map_or(&parts.uri, |o| &o.0);
        let path = uri.path_and_query().map_or("/", |p| p.as_str());
        Ok(crate::service::Reader::of_fetch(path, &parts.headers))
    }
}

/// The bearer token of a request.
pub(crate) fn bearer_token(parts: &Parts) -> Result<&str> {
    let value = parts
        .headers
        .get(header::AUTHORIZATION)
        .ok_or_else(|| Error::from(Refusal::TokenRequired))?
        .to_str()
        .map_err(|_| Error::from(Refusal::MalformedAuthorization))?;
    let (scheme, token) = value
        .split_once(' ')
        .ok_or_else(|| Error::from(Refusal::MalformedAuthorization))?;
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(Refusal::MalformedAuthorization.into());
    }
    Ok(token.trim())
}

/// The `{decision}` of an `.../accept` or `.../reject` route: whether it accepts.
pub(crate) fn accepts(decision: &str) -> Result<bool> {
    match decision {
        "accept" => Ok(true),
        "reject" => Ok(false),
        _ => Err(crate::error::Refusal::NoSuchAction {
            action: decision.to_string(),
        }
        .into()),
    }
}

/// A browser gets a failed lookup of an address shared by a page and an ActivityPub object as a
/// page; fediverse software gets our JSON error.
pub(crate) async fn for_browser(
    v: &Verkosto,
    headers: &http::HeaderMap,
    result: Result<axum::response::Response>,
) -> Result<axum::response::Response> {
    match result {
        Err(e) if !wants_activity_json(headers) => Ok(crate::web::error_page(v, headers, e).await),
        other => other,
    }
}

/// Whether a request asks for ActivityStreams JSON rather than a web page.
pub(crate) fn wants_activity_json(parts: &http::HeaderMap) -> bool {
    parts
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .map(|accept| {
            accept.split(',').any(|item| {
                let item = item.trim();
                crate::apub::is_activity_content_type(item)
                    || item.starts_with("application/activity+json")
            })
        })
        .unwrap_or(false)
}
