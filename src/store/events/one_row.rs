//! Long lists of events read from SQLite as one row: a JSON array that SQLite builds.
//!
//! sqlx runs each SQLite connection on a thread of its own and hands every row of a result to the
//! async task through a channel, waking that task once per row. For a network's 10,000 events that
//! was two thread switches per row: the query took 140-490 ms through sqlx where SQLite itself needs
//! 60-80 ms (BENCHMARKS.md, "one row"). Asked for one JSON array, SQLite does the same work and sqlx
//! hands over one value; serde reads it into the same [`Row`]s the per-row path decodes. PostgreSQL
//! sends rows over a socket the task reads itself, so its lists keep the per-row path.

use std::sync::LazyLock;

use super::{COLUMNS, Row};
use crate::error::{Error, Result};

/// Reads the events of `SELECT COLUMNS $from_where` (a `FROM events e ...` ordered by start, limited
/// to a page) on either backend, in start order; `$q` names the query, `$bound` binds its
/// parameters. On SQLite the database sorts only the ids: sorting whole rows to pick a page of 1,000
/// from 10,000 wrote every column of every row into SQLite's sorter (31-63 ms for that page, 11 ms
/// this way, in the `sqlite3` shell). PostgreSQL reads the rows as asked (the same split made its
/// network feed slower, 230-279 -> 366-404 ms).
macro_rules! read_by_start {
    ($c:expr, $from_where:expr, $q:ident => $bound:expr) => {
        match $c {
            $crate::store::Conn::Sqlite(c) => {
                let as_array = $crate::store::events::one_row::as_json_array($from_where);
                let $q = sqlx::query_as::<_, (String,)>(&as_array);
                let (json,) = $bound.fetch_one(&mut **c).await?;
                $crate::store::events::one_row::rows_by_start(&json)?
            }
            $crate::store::Conn::Postgres(c) => {
                let sql = format!("SELECT {} {}", $crate::store::events::COLUMNS, $from_where);
                let $q = sqlx::query_as::<_, Row>(&sql);
                $bound.fetch_all(&mut **c).await?
            }
        }
    };
}
pub(super) use read_by_start;

/// The events of `SELECT e.id {from_where}`, as one row holding a JSON array of objects keyed by
/// [`Row`]'s field names, in no particular order ([`rows_by_start`] sorts them).
pub(super) fn as_json_array(from_where: &str) -> String {
    format!(
        "SELECT json_group_array(json_object({})) FROM \
         (SELECT {COLUMNS} FROM events e WHERE e.id IN (SELECT e.id {from_where})) AS k",
        *OBJECT_FIELDS
    )
}

/// The rows in a JSON array made by [`as_json_array`], in start order.
pub(super) fn rows_by_start(json: &str) -> Result<Vec<Row>> {
    let mut rows: Vec<Row> = serde_json::from_str(json)
        .map_err(|e| Error::Internal(format!("a list of events read as JSON: {e}")))?;
    // Here rather than in SQL: an ORDER BY there would sort whole rows again in SQLite's sorter.
    rows.sort_by_key(|r| (r.starts_at, r.id));
    Ok(rows)
}

/// `'id', k.id, 'public_id', k.public_id, ...`: each name [`COLUMNS`] gives its column (an alias
/// after `AS`, else the column's own name), so the two lists cannot drift apart.
static OBJECT_FIELDS: LazyLock<String> = LazyLock::new(|| {
    column_names(COLUMNS)
        .iter()
        .map(|name| format!("'{name}', k.{name}"))
        .collect::<Vec<_>>()
        .join(", ")
});

/// The names of the columns of a select list: its items split at the commas outside parentheses.
fn column_names(select_list: &str) -> Vec<&str> {
    let mut names = vec![];
    let mut depth = 0usize;
    let mut item_start = 0;
    for (i, ch) in select_list.char_indices().chain([(select_list.len(), ',')]) {
        match ch {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                let item = select_list[item_start..i].trim();
                let name = match item.rsplit_once(" AS ") {
                    Some((_, alias)) => alias,
                    None => item.rsplit_once('.').map_or(item, |(_, column)| column),
                };
                names.push(name.trim());
                item_start = i + ch.len_utf8();
            }
            _ => {}
        }
    }
    names
}

/// SQLite keeps booleans as the integers 0 and 1, and `json_object` writes them so.
pub(super) fn sqlite_bool<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    struct ZeroOrOne;
    impl serde::de::Visitor<'_> for ZeroOrOne {
        type Value = bool;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("0 or 1")
        }
        fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<bool, E> {
            Ok(v != 0)
        }
        fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<bool, E> {
            Ok(v != 0)
        }
        fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<bool, E> {
            Ok(v)
        }
    }
    d.deserialize_any(ZeroOrOne)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_column_of_an_event_row_is_named() {
        let names = column_names(COLUMNS);
        // One per field of `Row`; a name that is not a field fails the next test (`deny_unknown_fields`).
        assert_eq!(names.len(), 34, "{names:?}");
        assert_eq!(names[0], "id");
        assert!(names.contains(&"participant_count"));
        assert_eq!(names.last(), Some(&"series_recurrence"));
        assert!(names.iter().all(|n| !n.contains(' ') && !n.contains('.')));
    }

    #[test]
    fn a_row_reads_from_the_object_sqlite_makes() {
        let names = column_names(COLUMNS);
        let object: serde_json::Map<String, serde_json::Value> = names
            .iter()
            .map(|n| {
                let value = match *n {
                    "id" | "sequence" | "participant_count" => serde_json::json!(7),
                    "comments_enabled" | "guest_participation" | "overridden" => {
                        serde_json::json!(1)
                    }
                    "starts_at" | "ends_at" | "published_at" | "updated_at" => {
                        serde_json::json!("2027-01-25T07:00:00.5+00:00")
                    }
                    "community_id" | "capacity" | "recurrence_id" | "place" | "online_url"
                    | "external_url" | "banner_url" | "language" | "description_source"
                    | "series_public_id" | "series_ap_id" | "series_recurrence" => {
                        serde_json::Value::Null
                    }
                    _ => serde_json::json!("text"),
                };
                (n.to_string(), value)
            })
            .collect();
        let rows = rows_by_start(&serde_json::json!([object]).to_string()).expect("a row");
        assert_eq!(rows.len(), 1);
        assert!(rows[0].comments_enabled && rows[0].overridden);
        let start = chrono::DateTime::parse_from_rfc3339("2027-01-25T07:00:00.5Z").expect("a time");
        assert_eq!(rows[0].starts_at, start);
    }
}
