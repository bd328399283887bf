//! E-mail (issue 19): notices to people without a fediverse account (and to accounts that have an
//! address), sent through the instance's SMTP server with `lettre`.
//!
//! Sending is durable like deliveries: a message is written to `mail_outbox` in the transaction of
//! the change that causes it, with a key that makes it once only; a worker takes what is due, sends
//! it and marks it sent, retrying failures with a growing delay. Messages are written when queued, in
//! their recipient's language, so what goes out is what the change said.

pub(crate) mod compose;
mod sender;

use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, Tokio1Executor};

use crate::error::{Error, Result};

pub(crate) use sender::spawn_sender;

/// Where e-mail goes out (`--smtp-url`, `--mail-from`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailSettings {
    /// `smtps://user:pass@host:465` (TLS), `smtp://user:pass@host:587?tls=required` (STARTTLS), or
    /// `smtp://host:port` (plain: a relay on the same machine or a test server only). Credentials
    /// in the URL are percent-encoded.
    pub smtp_url: String,
    /// The SMTP user and password, when not in the URL (a password with characters a URL would need
    /// encoded, or one kept out of the command line).
    pub credentials: Option<(String, String)>,
    /// The sender, `Verkosto <verkosto@example.org>` or a bare address.
    pub from: String,
}

/// What kind of notice a message is: each but the confirmation request can be turned off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// "Confirm your participation" (asked for, so never turned off).
    GuestConfirmation,
    /// "Confirm your address" after signing up (asked for, so never turned off).
    AccountConfirmation,
    /// A participation counts (or waits for a seat, or for the organisers).
    ParticipationConfirmed,
    /// A seat came free for someone on the waitlist.
    WaitlistPromoted,
    /// The event's time, place or status changed, or it was cancelled.
    EventChanged,
    /// The event is tomorrow.
    Reminder,
    /// A manager has a participation or follow request to decide.
    DecisionNeeded,
    /// An invitation into a community (sent once, when a manager invites the address).
    Invitation,
}

impl Kind {
    /// Every kind that can be turned off, in the order the settings list them.
    pub const OPTIONAL: [Kind; 5] = [
        Kind::ParticipationConfirmed,
        Kind::WaitlistPromoted,
        Kind::EventChanged,
        Kind::Reminder,
        Kind::DecisionNeeded,
    ];

    /// Its stable code (stored, and in unsubscribe links).
    pub fn code(self) -> &'static str {
        match self {
            Kind::GuestConfirmation => "guest_confirmation",
            Kind::AccountConfirmation => "account_confirmation",
            Kind::ParticipationConfirmed => "participation_confirmed",
            Kind::WaitlistPromoted => "waitlist_promoted",
            Kind::EventChanged => "event_changed",
            Kind::Reminder => "reminder",
            Kind::DecisionNeeded => "decision_needed",
            Kind::Invitation => "invitation",
        }
    }

    /// The kind with this code.
    pub fn from_code(code: &str) -> Option<Kind> {
        Kind::OPTIONAL
            .into_iter()
            .chain([
                Kind::GuestConfirmation,
                Kind::AccountConfirmation,
                Kind::Invitation,
            ])
            .find(|k| k.code() == code)
    }

    /// Whether the recipient may turn it off.
    pub fn optional(self) -> bool {
        !matches!(
            self,
            Kind::GuestConfirmation | Kind::AccountConfirmation | Kind::Invitation
        )
    }
}

/// The SMTP transport and the sender, made once from [`MailSettings`].
#[derive(Clone)]
pub(crate) struct Mailer {
    pub(crate) transport: AsyncSmtpTransport<Tokio1Executor>,
    pub(crate) from: Mailbox,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer").field("from", &self.from).finish()
    }
}

impl Mailer {
    /// Checks the settings at start: a wrong URL or sender stops the instance with a message, not
    /// the first notice.
    pub(crate) fn new(settings: &MailSettings, timeout: std::time::Duration) -> Result<Mailer> {
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(&settings.smtp_url)
            .map_err(|e| Error::Internal(format!("smtp_url: {e}")))?
            .timeout(Some(timeout));
        if let Some((user, password)) = &settings.credentials {
            builder =
                builder.credentials(lettre::transport::smtp::authentication::Credentials::new(
                    user.clone(),
                    password.clone(),
                ));
        }
        let transport = builder.build();
        let from = settings
            .from
            .parse::<Mailbox>()
            .map_err(|e| Error::Internal(format!("mail_from {:?}: {e}", settings.from)))?;
        Ok(Mailer { transport, from })
    }
}

/// A fresh secret for a link sent by e-mail (256 random bits, hex).
pub(crate) fn new_secret() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// An address as we store and compare it: trimmed and lowercased, if it is one (one `@`, a local
/// part and a domain with a dot, no spaces or angle brackets, at most 254 characters).
pub fn normalize_address(address: &str) -> Option<String> {
    let a = address.trim().to_lowercase();
    let (local, domain) = a.split_once('@')?;
    let ok = a.len() <= 254
        && !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && !a
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "<>,;\"()[]\\".contains(c));
    // What lettre takes as an address is what we can send to.
    (ok && a.parse::<lettre::Address>().is_ok()).then_some(a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_checked_and_lowercased() {
        assert_eq!(
            normalize_address(" Maija.Meikalainen@Example.FI "),
            Some("maija.meikalainen@example.fi".into())
        );
        for bad in [
            "",
            "maija",
            "maija@",
            "@example.fi",
            "maija@localhost",
            "maija@example.fi, toinen@example.fi",
            "Maija <maija@example.fi>",
            "maija@@example.fi",
            "mai ja@example.fi",
            "maija@example.fi\r\nBcc: x@example.com",
        ] {
            assert_eq!(normalize_address(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn kinds_round_trip() {
        for k in Kind::OPTIONAL {
            assert_eq!(Kind::from_code(k.code()), Some(k));
            assert!(k.optional());
        }
        assert!(!Kind::GuestConfirmation.optional());
    }
}
