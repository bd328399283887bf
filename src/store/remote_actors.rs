//! The cache of remote actors.

use chrono::{DateTime, Utc};

use super::{Conn, on_conn, parse_column, parse_url_opt};
use crate::error::{Error, Result};
use crate::model::RemoteActor;

const COLUMNS: &str = "id, ap_id, kind, username, domain, display_name, summary, inbox, shared_inbox, outbox, \
                       followers_url, url, icon_url, public_key_id, public_key_pem, manually_approves_followers, fetched_at, \
                       location_name, latitude, longitude";

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    ap_id: String,
    kind: String,
    username: String,
    domain: String,
    display_name: Option<String>,
    summary: Option<String>,
    inbox: String,
    shared_inbox: Option<String>,
    outbox: Option<String>,
    followers_url: Option<String>,
    url: Option<String>,
    icon_url: Option<String>,
    public_key_id: String,
    public_key_pem: String,
    manually_approves_followers: bool,
    fetched_at: DateTime<Utc>,
    location_name: Option<String>,
    latitude: Option<f64>,
    longitude: Option<f64>,
}

impl TryFrom<Row> for RemoteActor {
    type Error = Error;
    fn try_from(r: Row) -> Result<Self> {
        Ok(RemoteActor {
            id: r.id,
            ap_id: parse_column("ap_id", &r.ap_id)?,
            kind: parse_column("kind", &r.kind)?,
            username: r.username,
            domain: r.domain,
            display_name: r.display_name,
            summary: r.summary,
            inbox: parse_column("inbox", &r.inbox)?,
            shared_inbox: parse_url_opt("shared_inbox", r.shared_inbox)?,
            outbox: parse_url_opt("outbox", r.outbox)?,
            followers_url: parse_url_opt("followers_url", r.followers_url)?,
            url: parse_url_opt("url", r.url)?,
            icon_url: parse_url_opt("icon_url", r.icon_url)?,
            public_key_id: r.public_key_id,
            public_key_pem: r.public_key_pem,
            manually_approves_followers: r.manually_approves_followers,
            fetched_at: r.fetched_at,
            location_name: r.location_name,
            latitude: r.latitude,
            longitude: r.longitude,
        })
    }
}

/// Inserts or refreshes a remote actor (keyed by `ap_id`); returns the stored row.
pub async fn upsert(c: &mut Conn<'_>, a: &RemoteActor) -> Result<RemoteActor> {
    let sql = format!(
        "INSERT INTO remote_actors (ap_id, kind, username, domain, display_name, summary, inbox, shared_inbox, \
         outbox, followers_url, url, icon_url, public_key_id, public_key_pem, manually_approves_followers, fetched_at, location_name, latitude, longitude) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19) \
         ON CONFLICT (ap_id) DO UPDATE SET kind = excluded.kind, username = excluded.username, \
         domain = excluded.domain, display_name = excluded.display_name, summary = excluded.summary, \
         inbox = excluded.inbox, shared_inbox = excluded.shared_inbox, outbox = excluded.outbox, \
         followers_url = excluded.followers_url, url = excluded.url, icon_url = excluded.icon_url, \
         public_key_id = excluded.public_key_id, public_key_pem = excluded.public_key_pem, \
         manually_approves_followers = excluded.manually_approves_followers, fetched_at = excluded.fetched_at, \
         location_name = excluded.location_name, latitude = excluded.latitude, longitude = excluded.longitude \
         RETURNING {COLUMNS}"
    );
    let opt = |u: &Option<url::Url>| u.as_ref().map(|u| u.to_string());
    let row: Row = on_conn!(c, c => sqlx::query_as(&sql)
        .bind(a.ap_id.as_str())
        .bind(a.kind.as_str())
        .bind(&a.username)
        .bind(&a.domain)
        .bind(&a.display_name)
        .bind(&a.summary)
        .bind(a.inbox.as_str())
        .bind(opt(&a.shared_inbox))
        .bind(opt(&a.outbox))
        .bind(opt(&a.followers_url))
        .bind(opt(&a.url))
        .bind(opt(&a.icon_url))
        .bind(&a.public_key_id)
        .bind(&a.public_key_pem)
        .bind(a.manually_approves_followers)
        .bind(a.fetched_at)
        .bind(&a.location_name)
        .bind(a.latitude)
        .bind(a.longitude)
        .fetch_one(&mut **c)
        .await)?;
    row.try_into()
}

/// The cached actor with this id, if any.
pub async fn find_by_ap_id(c: &mut Conn<'_>, ap_id: &str) -> Result<Option<RemoteActor>> {
    let sql = format!("SELECT {COLUMNS} FROM remote_actors WHERE ap_id = $1");
    let row: Option<Row> =
        on_conn!(c, c => sqlx::query_as(&sql).bind(ap_id).fetch_optional(&mut **c).await)?;
    row.map(TryInto::try_into).transpose()
}

/// The most recently fetched cached actor called `username` (case-insensitively, as WebFinger
/// handles are) whose id is on `domain` (normalised `host[:port]`).
pub async fn find_by_handle(
    c: &mut Conn<'_>,
    username: &str,
    domain: &str,
) -> Result<Option<RemoteActor>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM remote_actors WHERE lower(username) = lower($1) AND domain = $2 \
         ORDER BY fetched_at DESC, id DESC LIMIT 1"
    );
    let row: Option<Row> = on_conn!(c, c => sqlx::query_as(&sql)
        .bind(username)
        .bind(domain)
        .fetch_optional(&mut **c)
        .await)?;
    row.map(TryInto::try_into).transpose()
}

/// Forgets a remote actor (deleted at its origin).
pub async fn delete(c: &mut Conn<'_>, ap_id: &str) -> Result<()> {
    on_conn!(c, c => sqlx::query("DELETE FROM remote_actors WHERE ap_id = $1")
        .bind(ap_id)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Replaces the Ed25519 keys (`(key id, publicKeyMultibase)`) an actor publishes in `assertionMethod`.
/// A key id held by another actor is left to it.
pub async fn replace_ed25519_keys(
    c: &mut Conn<'_>,
    actor_ap_id: &str,
    keys: &[(String, String)],
) -> Result<()> {
    on_conn!(c, c => sqlx::query("DELETE FROM remote_actor_keys WHERE actor_ap_id = $1")
        .bind(actor_ap_id)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    for (key_id, multibase) in keys {
        on_conn!(c, c => sqlx::query(
            "INSERT INTO remote_actor_keys (key_id, actor_ap_id, public_key_multibase) VALUES ($1, $2, $3) \
             ON CONFLICT (key_id) DO NOTHING")
            .bind(key_id)
            .bind(actor_ap_id)
            .bind(multibase)
            .execute(&mut **c)
            .await
            .map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// The `publicKeyMultibase` of the Ed25519 key `key_id` of `actor_ap_id`, if it published one.
pub async fn ed25519_key(
    c: &mut Conn<'_>,
    actor_ap_id: &str,
    key_id: &str,
) -> Result<Option<String>> {
    let key: Option<String> = on_conn!(c, c => sqlx::query_scalar(
        "SELECT public_key_multibase FROM remote_actor_keys WHERE actor_ap_id = $1 AND key_id = $2")
        .bind(actor_ap_id)
        .bind(key_id)
        .fetch_optional(&mut **c)
        .await)?;
    Ok(key)
}
