//! Visitors taking part in events with a name and an e-mail address (issue 19).

use chrono::{DateTime, Utc};

use super::{Conn, on_conn};
use crate::error::Result;

/// A guest's participation: asked for, confirmed through their link, or cancelled.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Guest {
    /// Row id.
    pub id: i64,
    /// In their participant id (`/guests/{public_id}`).
    pub public_id: String,
    /// The event.
    pub event_id: i64,
    /// The name they gave.
    pub name: String,
    /// Their address, lowercased.
    pub email: String,
    /// The language they wrote in (`fi`, `sv`, `en`).
    pub language: String,
    /// The secret of their personal link.
    pub token: String,
    /// When their link confirmed it.
    pub confirmed_at: Option<DateTime<Utc>>,
    /// When they cancelled it.
    pub cancelled_at: Option<DateTime<Utc>>,
    /// When they asked first.
    pub created_at: DateTime<Utc>,
}

const COLUMNS: &str =
    "id, public_id, event_id, name, email, language, token, confirmed_at, cancelled_at, created_at";

/// Records a request, or renews an earlier one of the same address for the same event: its link
/// stays (it is sent again), and a cancelled one is unconfirmed again; a confirmed one stays confirmed.
/// Whoever asks again cannot rename it or take it over: the link goes to the address only.
#[allow(clippy::too_many_arguments)]
pub async fn request(
    c: &mut Conn<'_>,
    public_id: &str,
    event_id: i64,
    name: &str,
    email: &str,
    language: &str,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Guest> {
    let sql = format!(
        "INSERT INTO guest_participations (public_id, event_id, name, email, language, token, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (event_id, email) DO UPDATE SET language = excluded.language, \
         confirmed_at = CASE WHEN guest_participations.cancelled_at IS NULL THEN guest_participations.confirmed_at END, \
         cancelled_at = NULL \
         RETURNING {COLUMNS}"
    );
    on_conn!(c, c => sqlx::query_as(&sql)
        .bind(public_id)
        .bind(event_id)
        .bind(name)
        .bind(email)
        .bind(language)
        .bind(token)
        .bind(now)
        .fetch_one(&mut **c)
        .await)
    .map_err(Into::into)
}

/// The guest whose link has this secret .
pub async fn by_token(c: &mut Conn<'_>, token: &str) -> Result<Option<Guest>> {
    let sql = format!("SELECT {COLUMNS} FROM guest_participations WHERE token = $1");
    on_conn!(c, c => sqlx::query_as(&sql).bind(token).fetch_optional(&mut **c).await)
        .map_err(Into::into)
}

/// The guest with this public id (the participant id's last segment).
pub async fn by_public_id(c: &mut Conn<'_>, public_id: &str) -> Result<Option<Guest>> {
    let sql = format!("SELECT {COLUMNS} FROM guest_participations WHERE public_id = $1");
    on_conn!(c, c => sqlx::query_as(&sql).bind(public_id).fetch_optional(&mut **c).await)
        .map_err(Into::into)
}

/// Marks a guest confirmed (or cancelled) at `at`.
pub async fn set_confirmed(c: &mut Conn<'_>, id: i64, at: DateTime<Utc>) -> Result<()> {
    on_conn!(c, c => sqlx::query("UPDATE guest_participations SET confirmed_at = $2, cancelled_at = NULL WHERE id = $1")
        .bind(id)
        .bind(at)
        .execute(&mut **c)
        .await
        .map(|_| ()))
    .map_err(Into::into)
}

/// Marks a guest's participation cancelled.
pub async fn set_cancelled(c: &mut Conn<'_>, id: i64, at: DateTime<Utc>) -> Result<()> {
    on_conn!(c, c => sqlx::query("UPDATE guest_participations SET cancelled_at = $2 WHERE id = $1")
        .bind(id)
        .bind(at)
        .execute(&mut **c)
        .await
        .map(|_| ()))
    .map_err(Into::into)
}
