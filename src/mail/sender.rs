//! The worker that sends what `mail_outbox` has due, with retries.

use std::time::Duration;

use chrono::Utc;
use lettre::AsyncTransport;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, Message, MultiPart};
use sha2::Digest;

use super::Mailer;
use crate::Verkosto;
use crate::error::{Error, Result};
use crate::store::{self, mail::QueuedMail};

/// Messages taken at once.
const BATCH: i64 = 20;
/// How long a taken message is another process's to leave alone (one SMTP exchange is far shorter).
const LEASE: chrono::Duration = chrono::Duration::minutes(5);
/// The longest sleep: another process may queue mail we are not woken for.
const POLL: Duration = Duration::from_secs(30);
/// How long a failing message is retried before it is given up.
const RETRY_WINDOW: chrono::Duration = chrono::Duration::days(3);
/// The longest wait between two attempts.
const MAX_RETRY_DELAY: chrono::Duration = chrono::Duration::hours(6);
/// How long sent messages are kept, so that their keys keep them from being sent again.
const KEEP_SENT: chrono::Duration = chrono::Duration::days(60);

/// Starts the sender when the instance has SMTP settings; it stops when `stop` turns true, after
/// the message in hand (so a message sent is also marked sent).
pub(crate) fn spawn_sender(
    verkosto: Verkosto,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> Option<tokio::task::JoinHandle<()>> {
    let mailer = verkosto.state().mailer.clone()?;
    Some(tokio::spawn(async move {
        let mut last_prune: Option<std::time::Instant> = None;
        loop {
            if *stop.borrow() {
                break;
            }
            if last_prune.is_none_or(|t| t.elapsed() > Duration::from_secs(3600)) {
                last_prune = Some(std::time::Instant::now());
                if let Err(e) = prune(&verkosto).await {
                    tracing::warn!(error = %e, "pruning sent mail failed");
                }
            }
            match send_due(&verkosto, &mailer).await {
                Ok(n) if n > 0 => continue,
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "sending mail failed"),
            }
            let next = next_due(&verkosto).await.unwrap_or(None);
            let sleep = next
                .map(|t| (t - Utc::now()).to_std().unwrap_or(Duration::ZERO))
                .unwrap_or(POLL)
                .min(POLL)
                .max(Duration::from_millis(20));
            tokio::select! {
                _ = stop.changed() => {}
                _ = verkosto.state().mail_wake.notified() => {}
                _ = tokio::time::sleep(sleep) => {}
            }
        }
    }))
}

async fn prune(verkosto: &Verkosto) -> Result<()> {
    let mut c = verkosto.db().acquire().await?;
    store::mail::prune(&mut c.conn(), store::now() - KEEP_SENT).await?;
    Ok(())
}

async fn next_due(verkosto: &Verkosto) -> Result<Option<chrono::DateTime<Utc>>> {
    let mut c = verkosto.db().acquire().await?;
    store::mail::next_due(&mut c.conn()).await
}

/// Sends what is due; how many were taken.
async fn send_due(verkosto: &Verkosto, mailer: &Mailer) -> Result<usize> {
    let now = store::now();
    let claimed = {
        let mut c = verkosto.db().acquire().await?;
        store::mail::claim(&mut c.conn(), now, now + LEASE, BATCH).await?
    };
    for m in &claimed {
        let outcome = match message(verkosto, mailer, m) {
            Ok(msg) => mailer
                .transport
                .send(msg)
                .await
                .map(|_| ())
                .map_err(|e| (e.is_permanent(), e.to_string())),
            Err(e) => Err((true, e.to_string())),
        };
        let mut c = verkosto.db().acquire().await?;
        let now = store::now();
        match outcome {
            Ok(()) => {
                store::mail::mark_sent(&mut c.conn(), m.id, now).await?;
                tracing::info!(to = %m.recipient, subject = %m.subject, "mail sent");
            }
            Err((permanent, error)) => {
                let retry_at = retry_at(verkosto, m, permanent, now);
                tracing::warn!(to = %m.recipient, %error, retry = ?retry_at, "mail not sent");
                store::mail::mark_failed(&mut c.conn(), m.id, &error, retry_at, now).await?;
            }
        }
    }
    Ok(claimed.len())
}

/// When to try again: never after a permanent refusal (5xx) or past the retry window; otherwise
/// after a delay doubling from the instance's first retry delay.
fn retry_at(
    verkosto: &Verkosto,
    m: &QueuedMail,
    permanent: bool,
    now: chrono::DateTime<Utc>,
) -> Option<chrono::DateTime<Utc>> {
    if permanent || now - m.created_at > RETRY_WINDOW {
        return None;
    }
    let base = chrono::Duration::from_std(verkosto.settings().retry_base)
        .unwrap_or(chrono::Duration::minutes(1));
    let delay = base * 2i32.saturating_pow(m.attempts.clamp(0, 16) as u32);
    Some(now + delay.min(MAX_RETRY_DELAY))
}

/// The message as it goes out: plain text and HTML, its language, a `Message-ID` made from its key
/// (so a resend after a crash is recognisably the same message), and for notices that can be
/// turned off, RFC 8058 one-click `List-Unsubscribe`.
fn message(verkosto: &Verkosto, mailer: &Mailer, m: &QueuedMail) -> Result<Message> {
    let to: Mailbox = m
        .recipient
        .parse()
        .map_err(|e| Error::Internal(format!("recipient {:?}: {e}", m.recipient)))?;
    let host = verkosto
        .settings()
        .domain
        .split(':')
        .next()
        .unwrap_or("verkosto")
        .to_string();
    let digest = hex::encode(sha2::Sha256::digest(m.dedupe_key.as_bytes()));
    let mut msg = Message::builder()
        .from(mailer.from.clone())
        .to(to)
        .subject(&m.subject)
        .message_id(Some(format!("<{}@{host}>", &digest[..32])))
        .multipart(MultiPart::alternative_plain_html(
            m.text_body.clone(),
            m.html_body.clone(),
        ))
        .map_err(|e| Error::Internal(format!("building a message: {e}")))?;
    let headers = msg.headers_mut();
    let mut raw = |name: &'static str, value: String| {
        headers.insert_raw(HeaderValue::new(
            HeaderName::new_from_ascii_str(name),
            value,
        ));
    };
    raw("Content-Language", m.language.clone());
    raw("Auto-Submitted", "auto-generated".into());
    if let Some(u) = &m.unsubscribe_url {
        raw("List-Unsubscribe", format!("<{u}>"));
        raw("List-Unsubscribe-Post", "List-Unsubscribe=One-Click".into());
    }
    Ok(msg)
}
