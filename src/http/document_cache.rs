//! Rendered public documents served from memory.
//!
//! Actors, events, announcements, collections, WebFinger and NodeInfo answers, and the iCalendar and
//! Atom feeds are the same for every reader and are read far more often than they change: a post
//! reaching a thousand instances is fetched a thousand times within seconds. Rendering one costs two to
//! four database round trips; serving it from here costs a hash lookup.
//!
//! An entry is filed under the database's change counter ([`crate::store::changes`]) taken before it was
//! rendered, so any change committed since (by this process, or by any process on PostgreSQL) makes
//! it unreachable: nothing served from here is older than the last committed change we heard of. The
//! memory is bounded (`Settings::document_cache_bytes`, weighed in bytes of path and body) and so is
//! an entry's life (`Settings::document_cache_ttl`).
//!
//! Only `GET`s without credentials and only `200` answers of the media types below are kept; web pages
//! (`text/html`) never are, since they differ by visitor.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::{
    body::Body,
    extract::{Request, State},
    http::{HeaderMap, Method, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use bytes::Bytes;

use crate::service::Verkosto;
use crate::store::changes::Changes;

/// The largest document kept is a quarter of the cache, but never less than this: a network's whole
/// calendar (10,000 events are 4.7 MB of iCalendar, 300-470 ms to render) is kept by a cache of the
/// default 32 MiB, so its subscribers' calendar apps are answered from memory.
const MIN_LARGEST_DOCUMENT: u64 = 1024 * 1024;
/// The longest `Accept-Language` that still gets a cache entry of its own (longer ones are rare and
/// would only fill the cache with variants).
const MAX_LANGUAGE_KEY: usize = 64;
/// Media types of documents that are the same for every reader.
const CACHED_TYPES: &[&str] = &[
    "application/activity+json",
    "application/ld+json",
    "application/jrd+json",
    "application/json",
    "text/calendar",
    "application/atom+xml",
];

#[derive(Clone, PartialEq, Eq, Hash)]
struct Key {
    generation: u64,
    path_and_query: String,
    activity_json: bool,
    language: Option<String>,
}

struct Document {
    headers: HeaderMap,
    body: Bytes,
}

/// The cache of one instance: cheap to clone.
#[derive(Clone)]
pub struct DocumentCache {
    documents: Option<moka::future::Cache<Key, Arc<Document>>>,
    /// The largest document kept, in bytes.
    largest: u64,
    /// The database's change counter, which every key carries.
    changes: Changes,
    hits: Arc<AtomicU64>,
    misses: Arc<AtomicU64>,
}

impl DocumentCache {
    /// A cache of at most `max_bytes` (none when 0), whose entries live at most `ttl`.
    pub(crate) fn new(max_bytes: u64, ttl: Duration, changes: Changes) -> DocumentCache {
        let documents = (max_bytes > 0).then(|| {
            moka::future::Cache::builder()
                .max_capacity(max_bytes)
                .weigher(|key: &Key, doc: &Arc<Document>| {
                    let bytes = key.path_and_query.len() + doc.body.len() + 256;
                    u32::try_from(bytes).unwrap_or(u32::MAX)
                })
                .time_to_live(ttl)
                .build()
        });
        DocumentCache {
            documents,
            largest: (max_bytes / 4).max(MIN_LARGEST_DOCUMENT),
            changes,
            hits: Arc::default(),
            misses: Arc::default(),
        }
    }

    /// Answers served from the cache, and answers rendered while the cache was on.
    pub(crate) fn hits_and_misses(&self) -> (u64, u64) {
        (
            self.hits.load(Ordering::Relaxed),
            self.misses.load(Ordering::Relaxed),
        )
    }

    /// Bytes held now (an estimate that settles shortly after writes).
    pub(crate) fn weighted_size(&self) -> u64 {
        self.documents.as_ref().map_or(0, |d| d.weighted_size())
    }
}

/// The cache key of a request, or `None` when its answer must be rendered for it alone.
fn key_of(request: &Request, changes: &Changes) -> Option<Key> {
    if request.method() != Method::GET {
        return None;
    }
    let headers = request.headers();
    // Conditional requests and credentials (a session cookie too): rare on these routes, and answered
    // by the handler for the one who asked.
    if headers.contains_key(header::AUTHORIZATION)
        || headers.contains_key(header::COOKIE)
        || headers.contains_key(header::IF_NONE_MATCH)
        || headers.contains_key(header::IF_MODIFIED_SINCE)
        || headers.contains_key(header::RANGE)
    {
        return None;
    }
    let language = match headers.get(header::ACCEPT_LANGUAGE) {
        None => None,
        Some(v) if v.len() <= MAX_LANGUAGE_KEY => Some(v.to_str().ok()?.to_owned()),
        Some(_) => return None,
    };
    Some(Key {
        generation: changes.generation(),
        path_and_query: request.uri().path_and_query()?.as_str().to_owned(),
        activity_json: super::wants_activity_json(headers),
        language,
    })
}

/// Whether a request carries an HTTP signature (draft-cavage or RFC 9421).
fn is_signed(headers: &HeaderMap) -> bool {
    headers.contains_key("signature") || headers.contains_key("signature-input")
}

fn is_cacheable(response: &Response, largest: u64) -> bool {
    // An answer that sets a cookie, or that its handler marks as one person's, is somebody's own.
    let private = response
        .headers()
        .get_all(header::CACHE_CONTROL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|d| matches!(d.trim(), "private" | "no-store"));
    if response.status() != StatusCode::OK
        || private
        || response.headers().contains_key(header::SET_COOKIE)
    {
        return false;
    }
    let media_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(str::trim);
    let small = axum::body::HttpBody::size_hint(response.body())
        .exact()
        .is_some_and(|n| n <= largest);
    small && media_type.is_some_and(|t| CACHED_TYPES.contains(&t))
}

fn respond(doc: &Document) -> Response {
    let mut response = Response::new(Body::from(doc.body.clone()));
    *response.headers_mut() = doc.headers.clone();
    response
}

/// The middleware: serves a kept document, or renders and keeps it.
pub(super) async fn serve(State(v): State<Verkosto>, request: Request, next: Next) -> Response {
    let cache = &v.state().documents;
    let (Some(documents), Some(key)) = (&cache.documents, key_of(&request, &cache.changes)) else {
        return next.run(request).await;
    };
    if let Some(doc) = documents.get(&key).await {
        cache.hits.fetch_add(1, Ordering::Relaxed);
        return respond(&doc);
    }
    cache.misses.fetch_add(1, Ordering::Relaxed);
    // A signed fetch may be a member's, shown what is for members only (issue 18): it may be served
    // what anyone gets (every kept document was rendered for an unsigned request, and a members-only
    // address answers those 404, which is never kept), but its own answer is never kept.
    let signed = is_signed(request.headers());
    let response = next.run(request).await;
    if signed || !is_cacheable(&response, cache.largest) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let limit = usize::try_from(cache.largest).unwrap_or(usize::MAX);
    let body = match axum::body::to_bytes(body, limit).await {
        Ok(body) => body,
        Err(e) => {
            return crate::Error::Internal(format!("reading a rendered document: {e}"))
                .into_response();
        }
    };
    let doc = Arc::new(Document {
        headers: parts.headers.clone(),
        body: body.clone(),
    });
    documents.insert(key, doc).await;
    Response::from_parts(parts, Body::from(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed(bytes: usize) -> Response {
        let mut response = Response::new(Body::from("X".repeat(bytes)));
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            axum::http::HeaderValue::from_static("text/calendar; charset=utf-8"),
        );
        response
    }

    #[test]
    fn a_large_feed_is_kept_by_a_cache_four_times_its_size_and_no_smaller_one() {
        let changes = Changes::default();
        let default =
            DocumentCache::new(32 * 1024 * 1024, Duration::from_secs(60), changes.clone());
        let small = DocumentCache::new(2 * 1024 * 1024, Duration::from_secs(60), changes);
        let network_feed = 4_747_000;
        assert!(is_cacheable(&feed(network_feed), default.largest));
        assert!(!is_cacheable(&feed(network_feed), small.largest));
        // Never less than a megabyte, however small the cache.
        assert!(is_cacheable(&feed(1_000_000), small.largest));
    }
}
