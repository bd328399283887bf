//! Which signature a delivery carries, per receiving host: RFC 9421 to hosts known to take it,
//! draft-cavage to everyone else, and the "double knock" (as Fedify does) when an RFC 9421 delivery is
//! refused with a 4xx: the same delivery is sent again at once signed draft-cavage, and when that is
//! taken the host is remembered as a draft-cavage host.
//!
//! Unknown hosts get draft-cavage, and a host is known to take RFC 9421 once it signed an activity to
//! us that way and it verified. Every server in the fediverse verifies draft-cavage, while Mastodon
//! before 4.5 (most of the network) answers an RFC 9421 signature with 401: knocking with RFC 9421 first
//! everywhere would double every delivery to them and log a failure on their side each time, for no
//! gain. A server that signs RFC 9421 itself (Mastodon 4.5+, Fedify) verifies it too, and tells us so
//! with its first delivery, without any extra request. A host that refused our RFC 9421 is not moved
//! back by its own RFC 9421 signatures for [`RELEARN_AFTER`], so one behind a proxy that strips
//! `Signature-Input` does not flap between the two.

use std::collections::HashSet;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::apub::signatures::SignatureStyle;
use crate::error::Result;
use crate::service::Verkosto;
use crate::store;

/// How long a host that refused our RFC 9421 stays a draft-cavage host even if it signs RFC 9421.
pub const RELEARN_AFTER: chrono::Duration = chrono::Duration::days(30);

/// How many hosts known to take RFC 9421 are remembered in memory (beyond that, the database answers).
const KNOWN_HOSTS: usize = 10_000;

/// Signature figures for `/metrics` (this process), and the hosts already known to take RFC 9421.
#[derive(Default)]
pub struct SignatureStats {
    verified_cavage: AtomicU64,
    verified_rfc9421: AtomicU64,
    sent_cavage: AtomicU64,
    sent_rfc9421: AtomicU64,
    fallbacks: AtomicU64,
    known_rfc9421: Mutex<HashSet<String>>,
}

impl SignatureStats {
    /// Counts an incoming signature that verified.
    pub(crate) fn verified(&self, style: SignatureStyle) {
        match style {
            SignatureStyle::Cavage => &self.verified_cavage,
            SignatureStyle::Rfc9421 => &self.verified_rfc9421,
        }
        .fetch_add(1, Ordering::Relaxed);
    }

    /// Counts a delivery attempt signed in `style`.
    pub(crate) fn sent(&self, style: SignatureStyle) {
        match style {
            SignatureStyle::Cavage => &self.sent_cavage,
            SignatureStyle::Rfc9421 => &self.sent_rfc9421,
        }
        .fetch_add(1, Ordering::Relaxed);
    }

    /// Counts a refused RFC 9421 delivery sent again as draft-cavage.
    pub(crate) fn fell_back(&self) {
        self.fallbacks.fetch_add(1, Ordering::Relaxed);
    }

    /// `(verified, sent)` per style, and the fallbacks: for `/metrics`.
    pub fn snapshot(&self) -> ([(SignatureStyle, u64, u64); 2], u64) {
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        (
            [
                (
                    SignatureStyle::Cavage,
                    get(&self.verified_cavage),
                    get(&self.sent_cavage),
                ),
                (
                    SignatureStyle::Rfc9421,
                    get(&self.verified_rfc9421),
                    get(&self.sent_rfc9421),
                ),
            ],
            get(&self.fallbacks),
        )
    }

    fn is_known(&self, host: &str) -> bool {
        self.known_rfc9421
            .lock()
            .is_ok_and(|set| set.contains(host))
    }

    fn remember(&self, host: &str, takes_rfc9421: bool) {
        if let Ok(mut set) = self.known_rfc9421.lock() {
            if takes_rfc9421 {
                if set.len() >= KNOWN_HOSTS {
                    set.clear();
                }
                set.insert(host.to_string());
            } else {
                set.remove(host);
            }
        }
    }
}

/// The style to sign the next delivery to `host` with.
/// `stored` is what the database held for it when the delivery was claimed.
pub(crate) fn style_for(
    verkosto: &Verkosto,
    host: &str,
    stored: Option<SignatureStyle>,
) -> SignatureStyle {
    if verkosto.state().signature_stats.is_known(host) {
        return SignatureStyle::Rfc9421;
    }
    let style = stored.unwrap_or(SignatureStyle::Cavage);
    if style == SignatureStyle::Rfc9421 {
        verkosto.state().signature_stats.remember(host, true);
    }
    style
}

/// `host` sent us an RFC 9421 signature that verified: it takes RFC 9421, unless it refused ours
/// less than [`RELEARN_AFTER`] ago.
pub(crate) async fn signed_rfc9421(verkosto: &Verkosto, host: &str) -> Result<()> {
    let stats = &verkosto.state().signature_stats;
    if stats.is_known(host) {
        return Ok(());
    }
    let now = store::now();
    match store::signature_styles::get(verkosto.db(), host).await? {
        Some((SignatureStyle::Rfc9421, _)) => {}
        Some((SignatureStyle::Cavage, at)) if now - at < RELEARN_AFTER => return Ok(()),
        _ => {
            tracing::info!(%host, "host signs RFC 9421; our deliveries to it will too");
            store::signature_styles::set(verkosto.db(), host, SignatureStyle::Rfc9421, now).await?;
        }
    }
    stats.remember(host, true);
    Ok(())
}

/// `host` refused our RFC 9421 delivery and took it signed draft-cavage: it gets draft-cavage.
pub(crate) async fn refused_rfc9421(verkosto: &Verkosto, host: &str) -> Result<()> {
    tracing::info!(%host, "host refused RFC 9421 and took draft-cavage; remembered");
    verkosto.state().signature_stats.remember(host, false);
    store::signature_styles::set(verkosto.db(), host, SignatureStyle::Cavage, store::now()).await
}
