//! The instance's own key pair (for its `Application` actor and signed fetches), and its figures.

use super::{Conn, on_conn};
use crate::error::Result;
use crate::model::KeyPair;

/// The instance key pair, if one was made.
pub async fn keys(c: &mut Conn<'_>) -> Result<Option<KeyPair>> {
    let row: Option<(String, String)> = on_conn!(c, c => sqlx::query_as(
        "SELECT public_key_pem, private_key_pem FROM instance_keys WHERE id = 1")
        .fetch_optional(&mut **c)
        .await)?;
    Ok(row.map(|(public_key_pem, private_key_pem)| KeyPair {
        public_key_pem,
        private_key_pem,
    }))
}

/// Stores `keys` unless another process stored a pair first; returns the pair in force.
pub async fn keys_or_insert(c: &mut Conn<'_>, keys: KeyPair) -> Result<KeyPair> {
    on_conn!(c, c => sqlx::query(
        "INSERT INTO instance_keys (id, public_key_pem, private_key_pem, created_at) VALUES (1, $1, $2, $3) \
         ON CONFLICT (id) DO NOTHING")
        .bind(&keys.public_key_pem)
        .bind(&keys.private_key_pem)
        .bind(super::now())
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(self::keys(c).await?.unwrap_or(keys))
}

/// Posts made on this instance, for NodeInfo's `localPosts`: the events and announcements of its
/// own communities (remote ones cached here have no community). Comments are replies from other
/// servers, so they do not count.
pub async fn local_posts(c: &mut Conn<'_>) -> Result<i64> {
    let n: i64 = on_conn!(c, c => sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM events WHERE community_id IS NOT NULL AND visibility = 'public') \
              + (SELECT COUNT(*) FROM announcements WHERE community_id IS NOT NULL AND visibility = 'public')")
        .fetch_one(&mut **c)
        .await)?;
    Ok(n)
}
