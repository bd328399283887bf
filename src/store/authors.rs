//! Who published a local event or announcement (see migration 0012).

use super::{Conn, on_conn};
use crate::error::Result;

/// Records `person` as the author of `object` (the first author stays: editing does not change it).
pub async fn record(c: &mut Conn<'_>, object: &str, person: &str) -> Result<()> {
    on_conn!(c, c => sqlx::query(
        "INSERT INTO object_authors (object_ap_id, person_ap_id) VALUES ($1, $2) ON CONFLICT (object_ap_id) DO NOTHING")
        .bind(object)
        .bind(person)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// The recorded author of `object`, if any.
pub async fn find(c: &mut Conn<'_>, object: &str) -> Result<Option<String>> {
    let person: Option<String> = on_conn!(c, c => sqlx::query_scalar(
        "SELECT person_ap_id FROM object_authors WHERE object_ap_id = $1")
        .bind(object)
        .fetch_optional(&mut **c)
        .await)?;
    Ok(person)
}
