//! `OrderedCollection`s with paging: followers, outbox, moderators.

use serde_json::{Value, json};
use url::Url;

/// Items per collection page.
pub const PAGE_SIZE: i64 = 50;
/// The highest page served (`?page=` above it is refused): 100,000 pages of 50 is 5 million items,
/// more than any collection here holds, and far from overflowing the paging arithmetic.
pub const MAX_PAGE: i64 = 100_000;

/// The collection head: `totalItems` and a link to the first page (no items inline).
pub fn collection(id: &Url, total: i64) -> Value {
    json!({
        "@context": super::context::context(),
        "type": "OrderedCollection",
        "id": id,
        "totalItems": total,
        "first": page_url(id, 1),
    })
}

/// One page (1-based, at most [`MAX_PAGE`]) with its items and `next`/`prev` links. Any number is safe
/// here (the arithmetic saturates), but callers validate `?page=` first.
pub fn page(id: &Url, page: i64, total: i64, items: Vec<Value>) -> Value {
    let mut doc = json!({
        "@context": super::context::context(),
        "type": "OrderedCollectionPage",
        "id": page_url(id, page),
        "partOf": id,
        "totalItems": total,
        "orderedItems": items,
    });
    if page < MAX_PAGE && page.saturating_mul(PAGE_SIZE) < total {
        doc["next"] = json!(page_url(id, page.saturating_add(1)));
    }
    if page > 1 {
        doc["prev"] = json!(page_url(id, page.saturating_sub(1)));
    }
    doc
}

fn page_url(id: &Url, page: i64) -> Url {
    let mut url = id.clone();
    url.set_query(Some(&format!("page={page}")));
    url
}
