//! Query parameters, read and bounded in one place. A value that does not parse is answered 400 and
//! one out of range 422 naming the parameter, both with our JSON error, so no handler ever does
//! arithmetic on an unchecked number (`?page=9223372036854775807` used to overflow the paging).

use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::error::{Error, Refusal, Result};

pub use crate::apub::collections::MAX_PAGE;
/// The most items one API page may ask for.
pub const MAX_LIMIT: i64 = 100;
/// The farthest an API page may start.
pub const MAX_OFFSET: i64 = 1_000_000;

/// A query string deserialized like axum's `Query`, refused with our JSON error (400 naming what did
/// not parse) instead of axum's plain-text one.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self> {
        Query::<T>::try_from_uri(&parts.uri)
            .map(|Query(q)| ApiQuery(q))
            .map_err(|e| Error::BadRequest(format!("invalid query string: {}", e.body_text())))
    }
}

/// `?page=`: absent means the collection itself; otherwise 1 to [`MAX_PAGE`].
pub fn page(raw: Option<i64>) -> Result<Option<i64>> {
    raw.map(|p| in_range("page", p, 1, MAX_PAGE)).transpose()
}

/// `?limit=`: `default` when absent; otherwise 1 to [`MAX_LIMIT`].
pub fn limit(raw: Option<i64>, default: i64) -> Result<i64> {
    raw.map_or(Ok(default), |l| in_range("limit", l, 1, MAX_LIMIT))
}

/// `?offset=`: 0 when absent; otherwise 0 to [`MAX_OFFSET`].
pub fn offset(raw: Option<i64>) -> Result<i64> {
    raw.map_or(Ok(0), |o| in_range("offset", o, 0, MAX_OFFSET))
}

/// `value` when it lies from `min` to `max`, or a 422 naming `field`.
pub(crate) fn in_range(field: &'static str, value: i64, min: i64, max: i64) -> Result<i64> {
    if (min..=max).contains(&value) {
        Ok(value)
    } else {
        Err(Error::invalid(
            field,
            Refusal::NotAWholeNumberBetween { min, max },
        ))
    }
}

/// An optional RFC 3339 time parameter, or a 422 naming it.
pub(super) fn rfc3339(
    field: &'static str,
    raw: Option<&str>,
) -> Result<Option<chrono::DateTime<chrono::Utc>>> {
    raw.map(|r| {
        chrono::DateTime::parse_from_rfc3339(r)
            .map(|t| t.with_timezone(&chrono::Utc))
            .map_err(|_| Error::invalid(field, Refusal::NotAnRfc3339Time))
    })
    .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[derive(serde::Deserialize)]
    struct Numbers {
        page: Option<i64>,
        limit: Option<i64>,
        offset: Option<i64>,
    }

    fn read(query: &str) -> Result<Numbers> {
        let uri: axum::http::Uri = format!("/x?{query}")
            .parse()
            .map_err(|_| Error::BadRequest("not a URI".into()))?;
        Query::<Numbers>::try_from_uri(&uri)
            .map(|Query(q)| q)
            .map_err(|e| Error::BadRequest(e.body_text()))
    }

    fn number_text() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<i64>().prop_map(|n| n.to_string()),
            Just(i64::MAX.to_string()),
            Just(i64::MIN.to_string()),
            Just("99999999999999999999999999".to_string()),
            Just("-1".to_string()),
            Just("0".to_string()),
            "[0-9a-z%+. -]{0,12}",
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// Whatever the query says, each number is refused with a 4xx or comes out in range, and the
        /// collection page built from an accepted page number links only to pages in range.
        #[test]
        fn numeric_query_parameters_are_bounded(
            page_text in number_text(),
            limit_text in number_text(),
            offset_text in number_text(),
            total in 0..i64::MAX,
        ) {
            let encode = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
            let query = format!("page={}&limit={}&offset={}", encode(&page_text), encode(&limit_text), encode(&offset_text));
            let Ok(n) = read(&query) else { return Ok(()); };
            match page(n.page) {
                Ok(Some(p)) => {
                    prop_assert!((1..=MAX_PAGE).contains(&p));
                    let id = url::Url::parse("https://here.example/c/x/followers").expect("url");
                    let doc = crate::apub::collections::page(&id, p, total, vec![]);
                    for link in ["next", "prev"] {
                        if let Some(l) = doc[link].as_str() {
                            let n: i64 = l.rsplit('=').next().and_then(|v| v.parse().ok()).expect("page number");
                            prop_assert!((1..=MAX_PAGE).contains(&n), "{link} {n}");
                        }
                    }
                }
                Ok(None) => prop_assert!(n.page.is_none()),
                Err(e) => prop_assert_eq!(e.status().as_u16(), 422),
            }
            match limit(n.limit, 20) {
                Ok(l) => prop_assert!((1..=MAX_LIMIT).contains(&l)),
                Err(e) => prop_assert_eq!(e.status().as_u16(), 422),
            }
            match offset(n.offset) {
                Ok(o) => prop_assert!((0..=MAX_OFFSET).contains(&o)),
                Err(e) => prop_assert_eq!(e.status().as_u16(), 422),
            }
        }
    }
}
