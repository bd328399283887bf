//! A counter of committed changes to what the public documents are made of, one per database, so that
//! caches of rendered documents (see `http::document_cache`) know when what they hold may be out of date.
//!
//! Three sources move it, so that no write path is missed:
//! - every [`super::Tx::commit`], after the commit (a service's writes, whatever tables they touch);
//! - on SQLite, an update hook on each connection [`super::Db::connect`] opens, for a row changed outside
//!   a transaction (statements run on a pooled connection commit on their own);
//! - on PostgreSQL, a trigger on every watched table (migration 0017) notifies the channel
//!   [`CHANNEL`] with the table's schema when the writing transaction commits, whichever process wrote;
//!   each instance listens ([`listen`]).
//!
//! A reader takes the counter before it reads the database and files what it renders under that value.
//! A change committed after the counter was taken moves the counter, and the rendering is never found
//! again. The SQLite hook runs just before its statement commits, so a reader starting in that window
//! could file the old state under the new value; the cache's time to live bounds that, as it bounds a
//! change made by another process on the same SQLite file (which nothing here hears of), and a write
//! outside a transaction on an SQLite pool an embedder opened itself (which has no hook).
//!
//! Counters are per database (an SQLite file, a PostgreSQL database and schema), so that several
//! instances in one process, as in the tests, do not move each other's.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex, Weak};

/// The PostgreSQL notification channel the watched tables' triggers notify.
pub const CHANNEL: &str = "verkosto_changes";

/// Tables whose rows never show in a public document: the delivery queue and the bookkeeping of
/// receiving, signing and scheduling. Changes to them (several per activity sent or received) leave
/// cached documents alone.
pub const UNWATCHED: &[&str] = &[
    "api_tokens",
    "calendar_subscriptions",
    "community_bans",
    "community_invitations",
    "community_moderation",
    "deliveries",
    "email_confirmations",
    "failing_hosts",
    "follower_changes",
    "guest_participations",
    "imported_events",
    "mail_opt_outs",
    "mail_outbox",
    "mail_recipients",
    "moderation_log",
    "moderation_reports",
    "oidc_identities",
    "oidc_logins",
    "outgoing_activities",
    "participation_cancellations",
    "poll_invitations",
    "poll_votes",
    "polls",
    "reach",
    "reactions",
    "report_links",
    "received_activities",
    "remote_actor_keys",
    "signature_styles",
    "suspended_actors",
    "event_updates_due",
    "verkosto_migrations",
];

/// The change counter of one database; cheap to clone.
#[derive(Clone, Debug, Default)]
pub struct Changes(Arc<AtomicU64>);

impl Changes {
    /// The counter of the database known by `identity` (shared by every pool opened on it in this
    /// process).
    pub(crate) fn of(identity: &str) -> Changes {
        static COUNTERS: LazyLock<Mutex<HashMap<String, Weak<AtomicU64>>>> =
            LazyLock::new(Mutex::default);
        let mut counters = COUNTERS.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(counter) = counters.get(identity).and_then(Weak::upgrade) {
            return Changes(counter);
        }
        counters.retain(|_, c| c.strong_count() > 0);
        let counter = Arc::new(AtomicU64::new(0));
        counters.insert(identity.to_owned(), Arc::downgrade(&counter));
        Changes(counter)
    }

    /// The current value.
    pub fn generation(&self) -> u64 {
        self.0.load(Ordering::Acquire)
    }

    /// Something a document may show has changed (or may have).
    pub fn changed(&self) {
        self.0.fetch_add(1, Ordering::AcqRel);
    }
}

/// Whether a change to `table` may change a public document.
pub fn is_watched(table: &str) -> bool {
    !UNWATCHED.contains(&table)
}

/// Moves `changes` on every notification of [`CHANNEL`] about this pool's schema until the task is
/// dropped; run on PostgreSQL by [`crate::Verkosto`]. A lost connection is reopened (sqlx's listener
/// does that), and the counter moves then too, since notifications sent meanwhile were lost.
pub async fn listen(pool: sqlx::PgPool, changes: Changes) {
    let warn = |e: sqlx::Error| {
        tracing::warn!(error = %e, "cannot listen for changes: cached documents live out their time to live");
    };
    let schema: String = match sqlx::query_scalar("SELECT current_schema()::text")
        .fetch_one(&pool)
        .await
    {
        Ok(s) => s,
        Err(e) => return warn(e),
    };
    let mut listener = match sqlx::postgres::PgListener::connect_with(&pool).await {
        Ok(l) => l,
        Err(e) => return warn(e),
    };
    if let Err(e) = listener.listen(CHANNEL).await {
        return warn(e);
    }
    loop {
        match listener.try_recv().await {
            Ok(Some(n)) if n.payload() == schema => changes.changed(),
            Ok(Some(_)) => {}
            // The connection was lost and is reopened on the next call: anything may have changed.
            Ok(None) => changes.changed(),
            Err(e) => {
                tracing::warn!(error = %e, "listening for changes failed; retrying in a second");
                changes.changed();
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            }
        }
    }
}
