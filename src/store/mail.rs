//! The e-mail queue, the addresses we write to, and what each turned off (issue 19).

use chrono::{DateTime, Utc};

use super::{Conn, on_conn};
use crate::error::Result;

/// A message to queue, already written in its recipient's language.
#[derive(Debug, Clone)]
pub struct NewMail<'a> {
    /// Makes it once only (see the migration): a second queueing with this key is dropped.
    pub dedupe_key: String,
    /// The address, lowercased.
    pub recipient: &'a str,
    /// Its notice kind (`crate::mail::Kind`'s code).
    pub kind: &'static str,
    /// The event it is about, when it should go with the event.
    pub event_id: Option<i64>,
    /// The subject line.
    pub subject: String,
    /// Plain text.
    pub text_body: String,
    /// HTML.
    pub html_body: String,
    /// BCP 47 code of the language it is written in.
    pub language: &'static str,
    /// The one-click unsubscribe address of its kind, for opt-out notices.
    pub unsubscribe_url: Option<String>,
    /// Not sent before this (a reminder the day before; now for the others).
    pub send_at: DateTime<Utc>,
}

/// A queued message, claimed for sending.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct QueuedMail {
    /// Row id.
    pub id: i64,
    /// For `Message-ID`.
    pub dedupe_key: String,
    /// The address.
    pub recipient: String,
    /// Its subject line.
    pub subject: String,
    /// Plain text.
    pub text_body: String,
    /// HTML.
    pub html_body: String,
    /// Its language (`Content-Language`).
    pub language: String,
    /// `List-Unsubscribe`, when its kind can be turned off.
    pub unsubscribe_url: Option<String>,
    /// Failed attempts so far.
    pub attempts: i64,
    /// When it was queued.
    pub created_at: DateTime<Utc>,
}

/// Queues a message unless one with its key was queued before; whether it was queued now.
pub async fn enqueue(c: &mut Conn<'_>, m: &NewMail<'_>, now: DateTime<Utc>) -> Result<bool> {
    let n = on_conn!(c, c => sqlx::query(
        "INSERT INTO mail_outbox (dedupe_key, recipient, kind, event_id, subject, text_body, html_body, language, \
         unsubscribe_url, next_attempt_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
         ON CONFLICT (dedupe_key) DO NOTHING")
        .bind(&m.dedupe_key)
        .bind(m.recipient)
        .bind(m.kind)
        .bind(m.event_id)
        .bind(&m.subject)
        .bind(&m.text_body)
        .bind(&m.html_body)
        .bind(m.language)
        .bind(&m.unsubscribe_url)
        .bind(m.send_at)
        .bind(now)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// Drops the unsent messages of `kind` about an event (to one address, or to everyone): a reminder
/// of a time that changed, of an event cancelled, of a participation withdrawn.
pub async fn drop_unsent(
    c: &mut Conn<'_>,
    event_id: i64,
    kind: &str,
    recipient: Option<&str>,
) -> Result<u64> {
    on_conn!(c, c => sqlx::query(
        "DELETE FROM mail_outbox WHERE event_id = $1 AND kind = $2 AND sent_at IS NULL \
         AND ($3 IS NULL OR recipient = $3)")
        .bind(event_id)
        .bind(kind)
        .bind(recipient)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))
    .map_err(Into::into)
}

/// Takes up to `limit` due messages for `lease` (another process takes them after that, if this one
/// died sending). The outer condition is checked again on PostgreSQL's row versions, so two
/// processes never take the same message.
pub async fn claim(
    c: &mut Conn<'_>,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<QueuedMail>> {
    on_conn!(c, c => sqlx::query_as(
        "UPDATE mail_outbox SET next_attempt_at = $2 WHERE id IN (SELECT id FROM mail_outbox \
         WHERE sent_at IS NULL AND given_up_at IS NULL AND next_attempt_at <= $1 ORDER BY next_attempt_at LIMIT $3) \
         AND sent_at IS NULL AND given_up_at IS NULL AND next_attempt_at <= $1 \
         RETURNING id, dedupe_key, recipient, subject, text_body, html_body, language, unsubscribe_url, attempts, created_at")
        .bind(now)
        .bind(lease_until)
        .bind(limit)
        .fetch_all(&mut **c)
        .await)
    .map_err(Into::into)
}

/// The message went out.
pub async fn mark_sent(c: &mut Conn<'_>, id: i64, at: DateTime<Utc>) -> Result<()> {
    on_conn!(c, c => sqlx::query("UPDATE mail_outbox SET sent_at = $2 WHERE id = $1")
        .bind(id)
        .bind(at)
        .execute(&mut **c)
        .await
        .map(|_| ()))
    .map_err(Into::into)
}

/// An attempt failed: try again at `retry_at`, or (`None`) never.
pub async fn mark_failed(
    c: &mut Conn<'_>,
    id: i64,
    error: &str,
    retry_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<()> {
    on_conn!(c, c => sqlx::query(
        "UPDATE mail_outbox SET attempts = attempts + 1, last_error = $2, \
         next_attempt_at = COALESCE($3, next_attempt_at), given_up_at = CASE WHEN $3 IS NULL THEN $4 END \
         WHERE id = $1")
        .bind(id)
        .bind(error)
        .bind(retry_at)
        .bind(now)
        .execute(&mut **c)
        .await
        .map(|_| ()))
    .map_err(Into::into)
}

/// When the next unsent message is due, if any.
pub async fn next_due(c: &mut Conn<'_>) -> Result<Option<DateTime<Utc>>> {
    on_conn!(c, c => sqlx::query_scalar(
        "SELECT MIN(next_attempt_at) FROM mail_outbox WHERE sent_at IS NULL AND given_up_at IS NULL")
        .fetch_one(&mut **c)
        .await)
    .map_err(Into::into)
}

/// Forgets messages sent or given up before `before` (their keys no longer needed: what they were
/// about is over).
pub async fn prune(c: &mut Conn<'_>, before: DateTime<Utc>) -> Result<u64> {
    on_conn!(c, c => sqlx::query(
        "DELETE FROM mail_outbox WHERE (sent_at IS NOT NULL AND sent_at < $1) OR (given_up_at IS NOT NULL AND given_up_at < $1)")
        .bind(before)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))
    .map_err(Into::into)
}

/// The secret of an address's unsubscribe links, made on first use.
pub async fn recipient_token(
    c: &mut Conn<'_>,
    address: &str,
    language: &str,
    fresh_token: &str,
    now: DateTime<Utc>,
) -> Result<String> {
    on_conn!(c, c => sqlx::query(
        "INSERT INTO mail_recipients (address, token, language, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (address) DO NOTHING")
        .bind(address)
        .bind(fresh_token)
        .bind(language)
        .bind(now)
        .execute(&mut **c)
        .await
        .map(|_| ()))?;
    recipient_token_of(c, address)
        .await?
        .ok_or_else(|| crate::Error::Internal("mail recipient vanished".into()))
}

/// The address an unsubscribe secret belongs to.
pub async fn address_of_token(c: &mut Conn<'_>, token: &str) -> Result<Option<String>> {
    on_conn!(c, c => sqlx::query_scalar("SELECT address FROM mail_recipients WHERE token = $1")
        .bind(token)
        .fetch_optional(&mut **c)
        .await)
    .map_err(Into::into)
}

/// The kinds an address turned off.
pub async fn opted_out(c: &mut Conn<'_>, address: &str) -> Result<Vec<String>> {
    on_conn!(c, c => sqlx::query_scalar("SELECT kind FROM mail_opt_outs WHERE address = $1 ORDER BY kind")
        .bind(address)
        .fetch_all(&mut **c)
        .await)
    .map_err(Into::into)
}

/// Turns a kind off (`off`) or on again for an address that has a token.
pub async fn set_opt_out(
    c: &mut Conn<'_>,
    address: &str,
    kind: &str,
    off: bool,
    now: DateTime<Utc>,
) -> Result<()> {
    if off {
        on_conn!(c, c => sqlx::query(
            "INSERT INTO mail_opt_outs (address, kind, created_at) VALUES ($1, $2, $3) ON CONFLICT (address, kind) DO NOTHING")
            .bind(address)
            .bind(kind)
            .bind(now)
            .execute(&mut **c)
            .await
            .map(|_| ()))?;
    } else {
        on_conn!(c, c => sqlx::query("DELETE FROM mail_opt_outs WHERE address = $1 AND kind = $2")
            .bind(address)
            .bind(kind)
            .execute(&mut **c)
            .await
            .map(|_| ()))?;
    }
    Ok(())
}

/// The secret of an address's links, if we have written to it.
pub async fn recipient_token_of(c: &mut Conn<'_>, address: &str) -> Result<Option<String>> {
    on_conn!(c, c => sqlx::query_scalar("SELECT token FROM mail_recipients WHERE address = $1")
        .bind(address)
        .fetch_optional(&mut **c)
        .await)
    .map_err(Into::into)
}
