//! Outgoing delivery: background workers that drain the durable queue in [`crate::store::deliveries`].
//!
//! Each delivery is signed at send time (fresh `Date`, keys never copied into the queue) and POSTed.
//! Only the oldest pending delivery of each inbox is attempted, so a receiver gets its activities in the
//! order they were produced; at most `workers_per_host` are in flight to one host, so a slow or dead
//! host holds only its own deliveries, never the others'. A host failing for `unavailable_after`
//! (3 days) is unavailable: its deliveries are only probed every `host_probe_interval` (1 hour), and
//! resume at once when the host answers a probe or sends us any signed activity.
//! A 2xx ends it; a 4xx other than 408/429 ends it at once (the receiver will never take it), and so
//! does a block of the receiving domain; anything else (5xx, 408, 429, timeouts, refused connections,
//! and troubles of our own such as a database error while reading the signing key) is retried with exponential backoff from
//! `retry_base`, doubled per attempt up to 12 hours between attempts, with ±20% jitter, honouring
//! `Retry-After` (capped at 24 hours), until `retry_window` (14 days by default) has passed since it
//! was queued.
//!
//! Delivery is at least once: a process killed after a receiver accepted a delivery but before the row
//! was removed sends that delivery again once its lease (twice the request timeout plus 5 s: 25 s by
//! default) has run out. The resend is bounded by what was claimed: at most twice `delivery_workers`
//! deliveries per process (those in flight and as many waiting for a worker), and `workers_per_host` to
//! any one host (the claim counts every process's leases). Receivers de-duplicate by activity id.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use rand::Rng;
use tokio::sync::{Notify, Semaphore};

use crate::apub::signatures::SignatureStyle;
use crate::service::Verkosto;
use crate::store::{self, deliveries::Delivery};

pub mod knock;

pub use knock::SignatureStats;

/// Wakes the workers when a transaction queued deliveries.
#[derive(Clone, Default)]
pub struct DeliveryNotifier(Arc<Notify>);

impl DeliveryNotifier {
    /// Wakes a sleeping worker loop.
    pub fn notify(&self) {
        self.0.notify_one();
    }
}

/// How long a claimed delivery stays leased before another process may take it: long enough for an
/// attempt (bounded by the request timeout), short enough that a crashed process's deliveries are soon
/// taken over.
fn lease(settings: &crate::Settings) -> Duration {
    settings.request_timeout * 2 + LEASE_SLACK
}
/// What a lease holds beyond the longest attempt (two sends, for the double knock): also the longest a
/// claimed delivery may wait for a worker before it is attempted.
const LEASE_SLACK: Duration = Duration::from_secs(5);
/// The longest sleep between polls (other processes may queue work we are not notified of).
const POLL: Duration = Duration::from_secs(1);
/// The longest the loop waits for a quarter of its claim slots to be free before claiming anyway.
const BATCH_WAIT: Duration = Duration::from_millis(20);
const MAX_BACKOFF: Duration = Duration::from_secs(12 * 3600);
const MAX_RETRY_AFTER: Duration = Duration::from_secs(24 * 3600);
const PRUNE_EVERY: Duration = Duration::from_secs(600);
/// Other processes (or `verkosto domain block`) may change blocks: every process rereads them this often.
const BLOCKS_RELOAD_EVERY: Duration = Duration::from_secs(60);

/// Forgets received activity ids older than twice the longest a signature is accepted (its longest
/// signed `(expires)` plus the clock skew): a replay of anything older is refused by its age before the
/// id is even looked at.
async fn prune_received(verkosto: &Verkosto) -> crate::Result<u64> {
    let longest = verkosto.settings().signature_age().longest_accepted();
    let keep =
        chrono::Duration::from_std(longest.saturating_mul(2)).unwrap_or(chrono::Duration::MAX);
    let mut c = verkosto.db().acquire().await?;
    let before = store::now()
        .checked_sub_signed(keep)
        .unwrap_or(chrono::DateTime::<chrono::Utc>::MIN_UTC);
    store::received::prune(&mut c.conn(), before).await
}

/// Claims what may be attempted now.
async fn claim(verkosto: &Verkosto, available: i64) -> Vec<Delivery> {
    let settings = verkosto.settings();
    let now = store::now();
    let to_chrono = |d: Duration| chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX);
    let limits = store::deliveries::ClaimLimits {
        batch: available,
        per_host: settings.workers_per_host.max(1) as i64,
        unavailable_if_failing_since: now - to_chrono(settings.unavailable_after),
        probe_if_last_attempt_before: now - to_chrono(settings.host_probe_interval),
    };
    match store::deliveries::claim_due(verkosto.db(), now, now + to_chrono(lease(settings)), limits)
        .await
    {
        Ok(rows) => rows,
        Err(e) => {
            tracing::warn!(error = %e, "claiming deliveries failed");
            vec![]
        }
    }
}

/// How many deliveries may be claimed and not yet finished: the workers' and as many again waiting for
/// a worker. While the loop takes its turn with the database (removing what finished, claiming), a
/// worker that finishes starts the next claimed delivery at once instead of waiting for that turn: a
/// fan-out on PostgreSQL left a fifth of the two cores idle while every worker waited for the loop.
fn claim_slots(workers: usize) -> usize {
    workers.saturating_mul(2)
}

/// How many slots must be free before the loop claims again while others are still busy: a
/// quarter of them, so that under load each claim takes several deliveries (and an idle loop claims
/// at once whatever is due).
fn claim_batch_floor(slots: usize) -> usize {
    (slots / 4).max(1)
}

/// What one attempt came to.
/// Deliveries that are over (made, refused or given up), taken off the queue together by the worker
/// loop: one statement for many instead of one each. Until then a finished delivery keeps its lease,
/// so it is not claimed again and the next one to its inbox waits, as it must; were the process to
/// stop meanwhile, these few would be sent again (deliveries are at least once anyway).
/// The finished deliveries' ids, and the ones that arrived by actor, day and host (the reach a
/// community's insights show, issue 16), written when the batch is removed.
#[derive(Clone, Default)]
struct Done(Arc<std::sync::Mutex<Finished>>);

#[derive(Default)]
struct Finished {
    ids: Vec<i64>,
    reach: std::collections::HashMap<(String, String, String), i64>,
}

impl Done {
    fn add(&self, id: i64) -> crate::Result<()> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .ids
            .push(id);
        Ok(())
    }

    /// A delivery that arrived: finished, and counted in its actor's reach.
    fn delivered(&self, d: &Delivery) -> crate::Result<()> {
        let mut finished = self.0.lock().unwrap_or_else(|p| p.into_inner());
        finished.ids.push(d.id);
        let day = store::now().date_naive().to_string();
        *finished
            .reach
            .entry((d.actor_ap_id.clone(), day, d.host.clone()))
            .or_insert(0) += 1;
        Ok(())
    }

    /// Takes the finished deliveries off the queue and adds up their reach; kept for the next try
    /// if that fails. Returns how many were removed.
    async fn remove(&self, verkosto: &Verkosto) -> usize {
        let Finished { ids, reach } =
            std::mem::take(&mut *self.0.lock().unwrap_or_else(|p| p.into_inner()));
        if !reach.is_empty() {
            let rows: Vec<(String, String, String, i64)> = reach
                .into_iter()
                .map(|((actor, day, host), n)| (actor, day, host, n))
                .collect();
            let added = async {
                let mut c = verkosto.db().acquire().await?;
                store::insights::add_reach(&mut c.conn(), &rows).await
            };
            // Reach is a figure, not a duty: a failure is logged, never retried or blocking.
            if let Err(e) = added.await {
                tracing::warn!(error = %e, "counting the reach of finished deliveries failed");
            }
        }
        if ids.is_empty() {
            return 0;
        }
        if let Err(e) = store::deliveries::remove_all(verkosto.db(), &ids).await {
            tracing::warn!(error = %e, "removing finished deliveries failed; retrying");
            self.0
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .ids
                .extend(ids);
            return 0;
        }
        ids.len()
    }
}

/// Removed deliveries between two reclaims of their space ([`store::deliveries::reclaim_removed`]):
/// often enough that a claim during a fan-out of 10,000 walks a few thousand dead entries at most, rare
/// enough that the reclaim (30 ms for a queue of 30,000 on the bench's machine) stays a small share.
const RECLAIM_EVERY_REMOVED: usize = 2_000;

/// Counts removals and reclaims their space in the background, one reclaim at a time.
#[derive(Default)]
struct Reclaim {
    removed: usize,
    running: Option<tokio::task::JoinHandle<()>>,
}

impl Reclaim {
    fn removed(&mut self, verkosto: &Verkosto, n: usize) {
        self.removed += n;
        if self.removed < RECLAIM_EVERY_REMOVED
            || self.running.as_ref().is_some_and(|r| !r.is_finished())
        {
            return;
        }
        self.removed = 0;
        let verkosto = verkosto.clone();
        self.running = Some(tokio::spawn(async move {
            if let Err(e) = store::deliveries::reclaim_removed(verkosto.db()).await {
                tracing::warn!(error = %e, "reclaiming the space of sent deliveries failed");
            }
        }));
    }
}

enum Outcome {
    Delivered,
    /// Never retry: we will not send it (a blocked domain, an address we never contact).
    Refused(String),
    /// Never retry: the receiver answered a 4xx other than 408/429 (after an RFC 9421 signature,
    /// draft-cavage is tried first: see [`knock`]).
    RefusedByReceiver(http::StatusCode),
    /// Retry, optionally not before the given delay.
    Failed(String, Option<Duration>),
    /// Not sent because of a passing trouble on our side (a database timeout reading the key, say):
    /// retried like a failure, without counting against the receiving host.
    NotSent(String),
}

pub(crate) fn spawn_workers(
    verkosto: Verkosto,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        tokio::pin!(shutdown);
        let workers = verkosto.settings().delivery_workers.max(1);
        // Attempts in flight, and deliveries claimed and not yet finished (in flight or waiting).
        let permits = Arc::new(Semaphore::new(workers));
        let slots = claim_slots(workers);
        let claimed_slots = Arc::new(Semaphore::new(slots));
        let client = verkosto.state().http.clone();
        let mut last_prune = std::time::Instant::now();
        let mut last_blocks_reload = std::time::Instant::now();
        let done = Done::default();
        let batch_floor = claim_batch_floor(slots);
        let mut gathering_since: Option<std::time::Instant> = None;
        let mut reclaim = Reclaim::default();
        loop {
            let available = claimed_slots.available_permits();
            let outstanding = slots - available.min(slots);
            let gathering = *gathering_since.get_or_insert_with(std::time::Instant::now);
            if outstanding > 0 && available < batch_floor && gathering.elapsed() < BATCH_WAIT {
                // Most slots are taken: let more deliveries finish before claiming again (each
                // finished delivery wakes this loop). A claim costs the same few statements (a
                // transaction of six on PostgreSQL) whether it takes one delivery or thirty. The
                // wait is bounded, so workers stuck on slow hosts do not hold the others back.
                tokio::select! {
                    _ = &mut shutdown => break,
                    _ = verkosto.state().deliveries.0.notified() => {}
                    _ = tokio::time::sleep(BATCH_WAIT.saturating_sub(gathering.elapsed())) => {}
                }
                continue;
            }
            gathering_since = None;
            reclaim.removed(&verkosto, done.remove(&verkosto).await);
            if let Err(e) = verkosto.send_due_event_updates().await {
                tracing::warn!(error = %e, "sending coalesced event updates failed");
            }
            let available = claimed_slots.available_permits() as i64;
            let claimed = if available > 0 {
                claim(&verkosto, available).await
            } else {
                vec![]
            };
            let got_work = !claimed.is_empty();
            if last_blocks_reload.elapsed() > BLOCKS_RELOAD_EVERY {
                last_blocks_reload = std::time::Instant::now();
                if let Err(e) = verkosto.reload_domain_blocks().await {
                    tracing::warn!(error = %e, "reloading domain blocks failed");
                }
            }
            if last_prune.elapsed() > PRUNE_EVERY {
                last_prune = std::time::Instant::now();
                if let Err(e) = store::deliveries::prune_failing_hosts(verkosto.db()).await {
                    tracing::warn!(error = %e, "pruning failing hosts failed");
                }
                let a_minute_ago = store::now() - chrono::Duration::minutes(1);
                if let Err(e) =
                    store::deliveries::prune_sent_activities(verkosto.db(), a_minute_ago).await
                {
                    tracing::warn!(error = %e, "pruning sent activities failed");
                }
                if let Err(e) = prune_received(&verkosto).await {
                    tracing::warn!(error = %e, "pruning received activity ids failed");
                }
                if let Err(e) = verkosto.purge_personal_data().await {
                    tracing::warn!(error = %e, "pseudonymising old personal data failed");
                }
                // Recurring series publish their next occurrences as the horizon moves on.
                if let Err(e) = verkosto.extend_series().await {
                    tracing::warn!(error = %e, "extending recurring series failed");
                }
                let every = chrono::Duration::from_std(verkosto.settings().calendar_sync_interval)
                    .unwrap_or(chrono::Duration::hours(1));
                if let Err(e) = verkosto.sync_due_calendars(every).await {
                    tracing::warn!(error = %e, "syncing external calendars failed");
                }
            }
            for delivery in claimed {
                let Ok(slot) = claimed_slots.clone().acquire_owned().await else {
                    return;
                };
                let verkosto = verkosto.clone();
                let client = client.clone();
                let done = done.clone();
                let permits = permits.clone();
                tokio::spawn(async move {
                    // Waiting longer than its lease allows (workers held by slow hosts), it is given
                    // back unattempted: an attempt begun now could outlast the lease and be claimed
                    // again meanwhile.
                    let Ok(Ok(permit)) =
                        tokio::time::timeout(LEASE_SLACK, permits.acquire_owned()).await
                    else {
                        if let Err(e) = store::deliveries::release(verkosto.db(), delivery.id).await
                        {
                            tracing::warn!(error = %e, delivery = delivery.id, "giving back a claimed delivery failed; its lease will run out");
                        }
                        drop(slot);
                        verkosto.state().deliveries.notify();
                        return;
                    };
                    let outcome = attempt(&verkosto, &client, &delivery).await;
                    finish(&verkosto, &delivery, outcome, &done).await;
                    drop(permit);
                    drop(slot);
                    // The loop takes it off the queue, and claims what its inbox has next, at once.
                    verkosto.state().deliveries.notify();
                });
            }
            if got_work {
                continue;
            }
            let deliveries_due = store::deliveries::next_due(verkosto.db()).await;
            let updates_due = store::events::updates_due::next_due(verkosto.db()).await;
            let sleep = [deliveries_due, updates_due]
                .into_iter()
                .filter_map(|due| due.ok().flatten())
                .map(|t| (t - Utc::now()).to_std().unwrap_or(Duration::ZERO))
                .fold(POLL, Duration::min);
            tokio::select! {
                _ = &mut shutdown => break,
                _ = verkosto.state().deliveries.0.notified() => {}
                _ = tokio::time::sleep(sleep.max(Duration::from_millis(5))) => {}
            }
        }
        // Let deliveries in flight finish so their rows are removed rather than resent.
        let _ = tokio::time::timeout(
            verkosto.settings().request_timeout,
            claimed_slots.acquire_many(slots as u32),
        )
        .await;
        done.remove(&verkosto).await;
    })
}

async fn attempt(
    verkosto: &Verkosto,
    client: &reqwest_middleware::ClientWithMiddleware,
    d: &Delivery,
) -> Outcome {
    if verkosto.state().blocks.is_blocked_host(&d.host) {
        return Outcome::Refused("the receiving domain is blocked".into());
    }
    // The inbox was a URL when it was queued; one that no longer parses can never be delivered.
    let inbox = match url::Url::parse(&d.inbox) {
        Ok(u) => u,
        Err(e) => return Outcome::Refused(format!("the inbox is not a URL: {e}")),
    };
    // Anything else that stops us signing is our own trouble, not the receiver's answer: it is retried,
    // so a database hiccup does not silently drop what we owe a follower.
    let key = match verkosto.signing_key(&d.actor_ap_id).await {
        Ok(k) => k,
        Err(e) => return Outcome::NotSent(format!("cannot sign: {e}")),
    };
    let style = knock::style_for(verkosto, &d.host, d.signature_style);
    let first = send(verkosto, client, d, &inbox, &key, style).await;
    if style == SignatureStyle::Rfc9421 && matches!(first, Outcome::RefusedByReceiver(_)) {
        // The double knock: the same delivery again at once, signed draft-cavage.
        verkosto.state().signature_stats.fell_back();
        let second = send(verkosto, client, d, &inbox, &key, SignatureStyle::Cavage).await;
        if matches!(second, Outcome::Delivered)
            && let Err(e) = knock::refused_rfc9421(verkosto, &d.host).await
        {
            tracing::warn!(error = %e, host = %d.host, "remembering the host's signature style failed");
        }
        return second;
    }
    first
}

/// Signs the delivery in `style` and POSTs it once.
async fn send(
    verkosto: &Verkosto,
    client: &reqwest_middleware::ClientWithMiddleware,
    d: &Delivery,
    inbox: &url::Url,
    (key_id, key): &(String, Arc<crate::apub::signatures::SigningKey>),
    style: SignatureStyle,
) -> Outcome {
    let body = &d.body[..];
    let signed = match style {
        SignatureStyle::Cavage => {
            crate::apub::signatures::sign_post(inbox, body, key_id, key.as_ref())
        }
        SignatureStyle::Rfc9421 => crate::apub::rfc9421::sign_post(
            inbox,
            body,
            key_id,
            key.as_ref(),
            std::time::SystemTime::now(),
        ),
    };
    let headers = match signed {
        Ok(h) => h,
        Err(e) => return Outcome::NotSent(format!("cannot sign: {e}")),
    };
    verkosto.state().signature_stats.sent(style);
    let response = client
        .post(inbox.clone())
        .headers(headers)
        .body(d.body.clone())
        .send()
        .await;
    match response {
        // An inbox we will never contact (a non-public address, a blocked domain): not worth retrying.
        Err(e) if crate::apub::http_client::is_refusal(&e) => Outcome::Refused(e.to_string()),
        Err(e) => Outcome::Failed(format!("request failed: {e}"), None),
        // Redirects are followed (checked) for fetches; a delivery that ended elsewhere was not
        // received by the inbox it was signed for.
        Ok(r) if r.url() != inbox => Outcome::Failed(format!("redirected to {}", r.url()), None),
        Ok(r) if r.status().is_success() => Outcome::Delivered,
        Ok(r) => {
            let status = r.status();
            let retry_after = r
                .headers()
                .get(http::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(parse_retry_after)
                .map(|d| d.min(MAX_RETRY_AFTER));
            if status.is_client_error()
                && status != http::StatusCode::REQUEST_TIMEOUT
                && status != http::StatusCode::TOO_MANY_REQUESTS
            {
                Outcome::RefusedByReceiver(status)
            } else {
                Outcome::Failed(format!("answered {status}"), retry_after)
            }
        }
    }
}

fn parse_retry_after(value: &str) -> Option<Duration> {
    if let Ok(secs) = value.trim().parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(value.trim()).ok()?;
    Some(
        at.duration_since(std::time::SystemTime::now())
            .unwrap_or_default(),
    )
}

/// The delay before retry number `attempts` (1-based): `base * 2^(attempts-1)`, capped, ±20% jitter.
pub fn backoff(base: Duration, attempts: u32) -> Duration {
    let exp = base.saturating_mul(
        1u32.checked_shl(attempts.saturating_sub(1).min(30))
            .unwrap_or(u32::MAX),
    );
    let capped = exp.min(MAX_BACKOFF);
    let jitter = rand::rng().random_range(0.8..1.2);
    capped.mul_f64(jitter)
}

async fn finish(verkosto: &Verkosto, d: &Delivery, outcome: Outcome, done: &Done) {
    let db = verkosto.db();
    let result = match outcome {
        Outcome::Delivered => {
            tracing::debug!(activity = %d.activity_ap_id, inbox = %d.inbox, "delivered");
            // Only a host that was failing when this was claimed has anything to clear (one fewer
            // statement for every delivery of a fan-out).
            if d.host_was_failing {
                match store::deliveries::host_answered(db, &d.host).await {
                    Ok(true) => tracing::info!(host = %d.host, "host answers again"),
                    Ok(false) => {}
                    Err(e) => tracing::warn!(error = %e, "updating host state failed"),
                }
            }
            done.delivered(d)
        }
        Outcome::RefusedByReceiver(status) => {
            tracing::info!(activity = %d.activity_ap_id, inbox = %d.inbox, %status, "delivery refused; not retried");
            done.add(d.id)
        }
        Outcome::Refused(why) => {
            tracing::info!(activity = %d.activity_ap_id, inbox = %d.inbox, %why, "delivery refused; not retried");
            done.add(d.id)
        }
        Outcome::Failed(why, retry_after) => {
            if let Err(e) = store::deliveries::host_failed(db, &d.host, store::now()).await {
                tracing::warn!(error = %e, "updating host state failed");
            }
            retry_or_give_up(verkosto, d, &why, retry_after, done).await
        }
        Outcome::NotSent(why) => retry_or_give_up(verkosto, d, &why, None, done).await,
    };
    if let Err(e) = result {
        tracing::warn!(error = %e, delivery = d.id, "updating the delivery queue failed; the lease will expire and it is retried");
    }
}

/// Schedules the next attempt with backoff, or gives the delivery up once that would fall after
/// `retry_window` from when it was queued.
async fn retry_or_give_up(
    verkosto: &Verkosto,
    d: &Delivery,
    why: &str,
    retry_after: Option<Duration>,
    done: &Done,
) -> crate::Result<()> {
    let db = verkosto.db();
    let attempts = d.attempts.saturating_add(1);
    let delay = backoff(verkosto.settings().retry_base, attempts as u32)
        .max(retry_after.unwrap_or_default());
    let next = Utc::now() + chrono::Duration::from_std(delay).unwrap_or_default();
    let window = chrono::Duration::from_std(verkosto.settings().retry_window).unwrap_or_default();
    if next > d.created_at + window {
        tracing::warn!(activity = %d.activity_ap_id, inbox = %d.inbox, attempts, %why, "delivery given up");
        done.add(d.id)
    } else {
        tracing::info!(activity = %d.activity_ap_id, inbox = %d.inbox, attempts, %why, retry_in = ?delay, "delivery failed; will retry");
        store::deliveries::reschedule(db, d.id, attempts, next, why).await
    }
}
