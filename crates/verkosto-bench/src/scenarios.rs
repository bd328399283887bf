//! The five scenarios, run against one backend: footprint, read path, inbox ingest, fan-out, calendar.

use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use http::StatusCode;
use verkosto::model::KeyPair;

use crate::Plan;
use crate::baseline;
use crate::load::{self, Prepared};
use crate::remote::{RemoteActors, Sinks};
use crate::report::{Results, Row};
use crate::seed::{self, SeedSizes};
use crate::server::{self, BenchDb, Process};

/// Where a run's database lives.
pub enum Backend {
    /// A temporary SQLite file.
    Sqlite,
    /// A database created on the PostgreSQL server of this URL.
    Postgres(String),
}

impl Backend {
    /// `sqlite` or `postgres`.
    pub fn name(&self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }

    async fn fresh_db(&self) -> anyhow::Result<BenchDb> {
        match self {
            Backend::Sqlite => BenchDb::sqlite(),
            Backend::Postgres(url) => BenchDb::postgres(url).await,
        }
    }
}

/// What every backend's run shares: the server binary, keys, remote actors and sinks.
pub struct Env {
    bin: PathBuf,
    prefix: Vec<String>,
    log_dir: PathBuf,
    keys: Vec<KeyPair>,
    actors: RemoteActors,
    sinks: Sinks,
}

impl Env {
    /// Generates keys and starts the remote actors and sinks.
    pub async fn start(
        plan: &Plan,
        bin: PathBuf,
        prefix: Vec<String>,
        log_dir: PathBuf,
    ) -> anyhow::Result<Env> {
        let mut keys = vec![];
        let pending: Vec<_> = (0..4)
            .map(|_| tokio::spawn(verkosto::service::generate_keypair()))
            .collect();
        for k in pending {
            keys.push(k.await??);
        }
        let actors =
            RemoteActors::start(plan.remote_hosts, plan.actors_per_host, keys.clone()).await?;
        let sinks = Sinks::start(plan.sink_hosts).await?;
        Ok(Env {
            bin,
            prefix,
            log_dir,
            keys,
            actors,
            sinks,
        })
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Runs the wanted scenarios on one backend, adding rows (and problems) to `results`.
pub async fn run_backend(
    env: &Env,
    backend: &Backend,
    plan: &Plan,
    wanted: &dyn Fn(&str) -> bool,
    results: &mut Results,
) -> anyhow::Result<()> {
    let name = backend.name();
    if wanted("footprint") {
        footprint(env, backend, plan, results).await?;
    }
    if !["read", "ingest", "fanout", "calendar"]
        .iter()
        .any(|s| wanted(s))
    {
        return Ok(());
    }

    let db = backend.fresh_db().await?;
    let port = server::free_port()?;
    let domain = format!("localhost:{port}");
    let t = Instant::now();
    let sizes = SeedSizes {
        ingest_events: plan.ingest_events(),
        network_members: plan.network_members,
        network_events: plan.network_events,
        fanout: plan.fanout.clone(),
    };
    let seeded = seed::seed(&db.url, &domain, &sizes, &env.keys[0], |n| {
        env.sinks.inboxes(n)
    })
    .await
    .context("seeding the database")?;
    eprintln!("{name}: seeded in {:.1} s", t.elapsed().as_secs_f64());
    let log = env.log_dir.join(format!("verkosto-{name}.log"));
    let server = server::start_verkosto(&env.bin, &env.prefix, &db, port, log).await?;

    let outcome = async {
        if wanted("read") {
            read_path(&server, &seeded, plan, name, results).await?;
        }
        if wanted("ingest") {
            ingest(env, &server, &db, &seeded, plan, name, results).await?;
        }
        if wanted("fanout") {
            fanout(env, &server, &seeded, plan, name, results).await?;
        }
        if wanted("calendar") {
            calendar(&server, &seeded, plan, name, results).await?;
        }
        Ok::<_, anyhow::Error>(())
    }
    .await;
    let outcome = outcome.map_err(|e| anyhow::anyhow!("{e:#}{}", server.log_tail()));
    server.stop().await;
    db.drop_database().await;
    outcome
}

/// Start-up time on a fresh database and idle memory, against a bare axum server's.
async fn footprint(
    env: &Env,
    backend: &Backend,
    plan: &Plan,
    results: &mut Results,
) -> anyhow::Result<()> {
    let name = backend.name();
    let mut starts = vec![];
    let mut idle = None;
    for i in 0..plan.startups {
        let db = backend.fresh_db().await?;
        let port = server::free_port()?;
        let log = env.log_dir.join(format!("verkosto-{name}-start{i}.log"));
        let started = server::start_verkosto(&env.bin, &env.prefix, &db, port, log).await;
        match started {
            Ok(server) => {
                starts.push(server.started_in.as_secs_f64() * 1000.0);
                if idle.is_none() {
                    // Idle: up, migrated, answered once, then left alone for a moment.
                    tokio::time::sleep(if plan.smoke {
                        Duration::from_millis(200)
                    } else {
                        Duration::from_secs(2)
                    })
                    .await;
                    idle = server.rss_bytes();
                }
                server.stop().await;
                db.drop_database().await;
            }
            Err(e) => {
                db.drop_database().await;
                return Err(e);
            }
        }
    }
    let mut base_starts = vec![];
    let mut base_idle = None;
    for _ in 0..plan.startups {
        let base = server::start_baseline(&[2_500]).await?;
        base_starts.push(base.started_in.as_secs_f64() * 1000.0);
        if base_idle.is_none() {
            tokio::time::sleep(Duration::from_millis(200)).await;
            base_idle = base.rss_bytes();
        }
        base.stop().await;
    }
    let start_ms = median(starts);
    results.rows.push(
        Row::info(
            "start-up to first answer, fresh database",
            name,
            start_ms,
            "ms",
        )
        .against("bare axum", median(base_starts), "ms")
        .target("<= 100 ms", start_ms <= 100.0),
    );
    if let (Some(ours), Some(theirs)) = (idle, base_idle) {
        let mb = ours as f64 / 1e6;
        results.rows.push(
            Row::info("resident memory at idle", name, mb, "MB")
                .against("bare axum", theirs as f64 / 1e6, "MB")
                .target("<= 15 MB", mb <= 15.0),
        );
    }
    Ok(())
}

/// Requests/s and latency of three public documents at `connections` connections, against bare axum
/// serving a fixed JSON body of the same size; rounds alternate and the medians are compared.
async fn read_path(
    server: &Process,
    seeded: &seed::Seeded,
    plan: &Plan,
    name: &str,
    results: &mut Results,
) -> anyhow::Result<()> {
    const AP: &str = "application/activity+json";
    let endpoints = [
        (
            "read: event (ActivityPub JSON)",
            format!("/e/{}", seeded.event_public_id),
            AP,
        ),
        (
            "read: community actor",
            format!("/c/{}", seeded.community),
            AP,
        ),
        (
            "read: community ICS feed",
            format!("/c/{}/events.ics", seeded.community),
            "text/calendar",
        ),
    ];
    let mut sizes = vec![];
    for (_, path, accept) in &endpoints {
        let (status, body, _) =
            load::once(server.addr, &Prepared::get(&server.host, path, accept)).await?;
        if status != StatusCode::OK {
            bail!("GET {path} answered {status}");
        }
        sizes.push(body.len());
    }
    let base = server::start_baseline(&sizes).await?;
    let warm_up = Duration::from_millis(if plan.smoke { 50 } else { 300 });
    for (i, (label, path, accept)) in endpoints.iter().enumerate() {
        let ours_request = Prepared::get(&server.host, path, accept);
        let base_request = Prepared::get(&base.host, &format!("/fixed/{i}"), "application/json");
        load::repeat(
            server.addr,
            ours_request.clone(),
            StatusCode::OK,
            plan.connections,
            warm_up,
        )
        .await;
        load::repeat(
            base.addr,
            base_request.clone(),
            StatusCode::OK,
            plan.connections,
            warm_up,
        )
        .await;
        let (mut ours, mut theirs) = (vec![], vec![]);
        for _ in 0..plan.read_rounds {
            let mut o = load::repeat(
                server.addr,
                ours_request.clone(),
                StatusCode::OK,
                plan.connections,
                plan.read_round,
            )
            .await;
            let mut b = load::repeat(
                base.addr,
                base_request.clone(),
                StatusCode::OK,
                plan.connections,
                plan.read_round,
            )
            .await;
            if o.errors > 0 || o.ok == 0 {
                bail!(
                    "{label}: {} errors of {}; first: {}",
                    o.errors,
                    o.ok + o.errors,
                    o.first_error.unwrap_or_default()
                );
            }
            ours.push((o.rate(), o.percentile_ms(50.0), o.percentile_ms(99.0)));
            theirs.push((b.rate(), b.percentile_ms(50.0), b.percentile_ms(99.0)));
        }
        let pick = |v: &[(f64, f64, f64)], f: fn(&(f64, f64, f64)) -> f64| {
            median(v.iter().map(f).collect())
        };
        let rate = pick(&ours, |x| x.0);
        let base_rate = pick(&theirs, |x| x.0);
        let row = Row::info(label, name, rate, "req/s")
            .detail(format!(
                "p50 {:.2} ms, p99 {:.2} ms; {} B",
                pick(&ours, |x| x.1),
                pick(&ours, |x| x.2),
                sizes[i]
            ))
            .against(
                &format!(
                    "bare axum, same size (p50 {:.2} ms, p99 {:.2} ms)",
                    pick(&theirs, |x| x.1),
                    pick(&theirs, |x| x.2)
                ),
                base_rate,
                "req/s",
            );
        let met = row.ratio.is_some_and(|r| r >= 0.5);
        results.rows.push(row.target(">= 0.5 of baseline", met));
    }
    base.stop().await;
    if let Some(rss) = server.rss_bytes() {
        results.rows.push(Row::info(
            "resident memory after the read path",
            name,
            rss as f64 / 1e6,
            "MB",
        ));
    }
    Ok(())
}

/// Signed `Create{Note}` replies and `Join`s from many remote actors on many hosts, posted to the
/// shared inbox at 64 connections and checked as stored; against the raw RSA-2048 verify rate.
async fn ingest(
    env: &Env,
    server: &Process,
    db: &BenchDb,
    seeded: &seed::Seeded,
    plan: &Plan,
    name: &str,
    results: &mut Results,
) -> anyhow::Result<()> {
    let actors = &env.actors.actors;
    let events = &seeded.ingest_events;
    let inbox = url::Url::parse(&format!("http://{}/inbox", server.host))?;
    let run_id: u32 = rand::random();
    let mut bodies = vec![];
    for i in 0..plan.ingest_activities {
        let k = i / 2;
        let actor = &actors[k % actors.len()];
        let body = if i % 2 == 0 {
            let note = format!("{}/notes/{run_id:08x}-{k}", actor.id);
            serde_json::json!({
                "@context": "https://www.w3.org/ns/activitystreams",
                "id": format!("{note}/create"), "type": "Create", "actor": actor.id,
                "to": ["https://www.w3.org/ns/activitystreams#Public"],
                "object": {
                    "id": note, "type": "Note", "attributedTo": actor.id,
                    "inReplyTo": events[k % events.len()],
                    "content": "<p>Kiitos kutsusta, tulen mielelläni! Onko paikalla kahvia?</p>",
                    "published": chrono::Utc::now().to_rfc3339(),
                    "to": ["https://www.w3.org/ns/activitystreams#Public"],
                }
            })
        } else {
            // Join k is the first of event k (see `Plan::ingest_events`).
            let event = &events[k % events.len()];
            serde_json::json!({
                "@context": "https://www.w3.org/ns/activitystreams",
                "id": format!("{}/joins/{run_id:08x}-{k}", actor.id), "type": "Join",
                "actor": actor.id, "object": event,
            })
        };
        bodies.push((k % actors.len(), body.to_string()));
    }
    // Signing is the remote side's work: done before the clock starts, on every core.
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = bodies.len().div_ceil(threads).max(1);
    let signers: Vec<_> = actors
        .iter()
        .map(|a| (a.key_id.clone(), a.key.clone()))
        .collect();
    let signers = std::sync::Arc::new(signers);
    let mut tasks = vec![];
    for part in bodies.chunks(chunk).map(<[_]>::to_vec) {
        let inbox = inbox.clone();
        let signers = signers.clone();
        tasks.push(tokio::task::spawn_blocking(move || {
            part.into_iter()
                .map(|(actor, body)| {
                    let (key_id, key) = &signers[actor];
                    let headers = verkosto::signatures::sign_post(
                        &inbox,
                        body.as_bytes(),
                        key_id,
                        key.as_ref(),
                    )?;
                    Ok(Prepared {
                        method: http::Method::POST,
                        path: "/inbox".into(),
                        headers,
                        body: bytes::Bytes::from(body),
                    })
                })
                .collect::<anyhow::Result<Vec<_>>>()
        }));
    }
    let mut requests = vec![];
    for t in tasks {
        requests.extend(t.await??);
    }
    let comments_before = count(db, "comments").await?;
    let participations_before = count(db, "participations").await?;
    let delivered_before = env.actors.received.load(Ordering::Relaxed);
    let verify_rate = tokio::task::spawn_blocking({
        let keys = env.keys[0].clone();
        let time = plan.crypto_time;
        move || baseline::verify_rate(&keys, time)
    })
    .await?;

    let mut run = load::each_once(
        server.addr,
        requests,
        StatusCode::ACCEPTED,
        plan.connections,
    )
    .await;
    let rate = run.rate();
    let stored = (count(db, "comments").await? - comments_before)
        + (count(db, "participations").await? - participations_before);
    if run.errors > 0 || stored != plan.ingest_activities as i64 {
        bail!(
            "ingest: {} accepted, {} refused, {stored} stored of {}; first refusal: {}",
            run.ok,
            run.errors,
            plan.ingest_activities,
            run.first_error.unwrap_or_default()
        );
    }
    let row = Row::info("inbox ingest (signed, stored)", name, rate, "activities/s")
        .detail(format!(
            "p50 {:.1} ms, p99 {:.1} ms; {} activities",
            run.percentile_ms(50.0),
            run.percentile_ms(99.0),
            plan.ingest_activities
        ))
        .against("raw RSA-2048 verify, all cores", verify_rate, "verifies/s");
    results.rows.push(match name {
        "sqlite" => row.target(">= 5,000/s", rate >= 5_000.0),
        _ => row,
    });
    // Let the Accepts of the Joins go out before the next scenario, so it measures only itself.
    let joins = (plan.ingest_activities / 2) as u64;
    let drain = Instant::now();
    while env.actors.received.load(Ordering::Relaxed) - delivered_before < joins {
        if drain.elapsed() > Duration::from_secs(120) {
            bail!(
                "ingest: only {} of {joins} Accepts were delivered within 120 s",
                env.actors.received.load(Ordering::Relaxed) - delivered_before
            );
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // Each accepted Join also sends an Update (the participant count): wait until the queue is quiet.
    let mut last = env.actors.received.load(Ordering::Relaxed);
    loop {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let now = env.actors.received.load(Ordering::Relaxed);
        if now == last || drain.elapsed() > Duration::from_secs(120) {
            break;
        }
        last = now;
    }
    eprintln!(
        "{name}: ingest answered; its {} deliveries (Accepts, Updates) were out {:.1} s later",
        last - delivered_before,
        drain.elapsed().as_secs_f64()
    );
    Ok(())
}

async fn count(db: &BenchDb, table: &str) -> anyhow::Result<i64> {
    let sql = format!("SELECT COUNT(*) FROM {table}");
    Ok(if db.url.starts_with("sqlite") {
        let pool = sqlx::SqlitePool::connect(&db.url).await?;
        let n: i64 = sqlx::query_scalar(&sql).fetch_one(&pool).await?;
        pool.close().await;
        n
    } else {
        let pool = sqlx::PgPool::connect(&db.url).await?;
        let n: i64 = sqlx::query_scalar(&sql).fetch_one(&pool).await?;
        pool.close().await;
        n
    })
}

/// An event is published as the community's `Create` and `Announce` of it, and the `Announce` of its
/// author's `Create` for group-aware readers (see `Verkosto::create_event`).
const ACTIVITIES_PER_EVENT: usize = 3;

/// Publishes an event in a community followed from N distinct inboxes and times until every inbox has
/// received and verified all three deliveries; against signing that many requests on every core.
async fn fanout(
    env: &Env,
    server: &Process,
    seeded: &seed::Seeded,
    plan: &Plan,
    name: &str,
    results: &mut Results,
) -> anyhow::Result<()> {
    let http = reqwest::Client::new();
    for community in &seeded.fanout {
        env.sinks
            .reset(&community.key_id, &community.public_key_pem)?;
        let expected = community.followers * ACTIVITIES_PER_EVENT;
        let starts = chrono::Utc::now() + chrono::Duration::days(30);
        let started = Instant::now();
        let response = http
            .post(format!(
                "http://{}/api/v1/communities/{}/events",
                server.host, community.name
            ))
            .bearer_auth(&seeded.token)
            .json(&serde_json::json!({
                "title": "Kevätjuhla", "description": "Koko verkoston **kevätjuhla**.",
                "starts_at": starts.to_rfc3339(),
                "ends_at": (starts + chrono::Duration::hours(3)).to_rfc3339(),
                "location": { "name": "Kahvila", "locality": "Tampere", "country": "FI" },
            }))
            .send()
            .await?;
        if response.status() != reqwest::StatusCode::CREATED {
            bail!(
                "publishing in {} answered {}: {}",
                community.name,
                response.status(),
                response.text().await.unwrap_or_default()
            );
        }
        let event: serde_json::Value = response.json().await?;
        let timeout = Duration::from_secs(if plan.smoke { 60 } else { 300 });
        let done = match env.sinks.wait_for(expected, timeout).await {
            Ok(at) => at.duration_since(started),
            Err(got) => bail!(
                "fan-out to {}: {got} of {expected} valid deliveries within {} s ({} invalid)",
                community.followers,
                timeout.as_secs(),
                env.sinks.invalid.load(Ordering::Relaxed)
            ),
        };
        let body = serde_json::to_vec(&event)?;
        let floor = tokio::task::spawn_blocking({
            let keys = env.keys[0].clone();
            move || baseline::signing_floor(&keys, expected, &body)
        })
        .await?;
        let seconds = done.as_secs_f64();
        let row = Row::info(
            &format!("fan-out to {} inboxes", community.followers),
            name,
            seconds,
            "s",
        )
        .detail(format!("{expected} signed deliveries, all verified"))
        .against(
            &format!("signing {expected} requests, all cores"),
            floor.as_secs_f64(),
            "s",
        );
        let met = row.ratio.is_some_and(|r| r <= 2.0);
        results
            .rows
            .push(if community.followers == 1_000 || plan.smoke {
                row.target("<= 2x floor", met)
            } else {
                row
            });
    }
    Ok(())
}

/// The first page of a network's API list holds at most this many events
/// (`verkosto::service::MAX_EVENTS_PER_PAGE`); its feed holds them all.
const NETWORK_LIST_CAP: usize = 1_000;

/// Renders a network's ICS feed and API list (all members' upcoming events) and times each.
async fn calendar(
    server: &Process,
    seeded: &seed::Seeded,
    plan: &Plan,
    name: &str,
    results: &mut Results,
) -> anyhow::Result<()> {
    // The feed is asked for as a calendar app asks (no credentials), so the document cache may answer
    // after the first render; the first render is reported on its own row. The API list is asked with
    // a token, which the cache never answers: every one of its requests renders.
    let request_ics = Prepared::get(
        &server.host,
        &format!("/c/{}/events.ics", seeded.network),
        "text/calendar",
    );
    let mut request_api = Prepared::get(
        &server.host,
        &format!("/api/v1/communities/{}/events", seeded.network),
        "application/json",
    );
    request_api.headers.insert(
        http::header::AUTHORIZATION,
        format!("Bearer {}", seeded.token).parse()?,
    );
    // The targets: the whole feed within 100 ms, each API page within 20 ms.
    for (label, request, count_items, cap, (target, limit_ms)) in [
        (
            "network calendar: ICS feed",
            &request_ics,
            (|body: &[u8]| {
                String::from_utf8_lossy(body)
                    .matches("BEGIN:VEVENT")
                    .count()
            }) as fn(&[u8]) -> usize,
            usize::MAX,
            ("< 100 ms", 100.0),
        ),
        (
            "network calendar: API list",
            &request_api,
            |body: &[u8]| {
                serde_json::from_slice::<Vec<serde_json::Value>>(body).map_or(0, |v| v.len())
            },
            NETWORK_LIST_CAP,
            ("<= 20 ms", 20.0),
        ),
    ] {
        let (status, body, first) = load::once(server.addr, request).await?;
        if status != StatusCode::OK {
            bail!("{label}: answered {status}");
        }
        let items = count_items(&body);
        if items < plan.network_events.min(cap) {
            bail!("{label}: {items} events of {}", plan.network_events);
        }
        if cap == usize::MAX {
            results.rows.push(
                Row::info(
                    &format!("{label}, first render"),
                    name,
                    first.as_secs_f64() * 1000.0,
                    "ms",
                )
                .detail(format!("{items} events, {} KB", body.len() / 1000)),
            );
        }
        let mut times = vec![];
        for _ in 0..plan.calendar_requests {
            let (_, _, took) = load::once(server.addr, request).await?;
            times.push(took.as_secs_f64() * 1000.0);
        }
        let ms = median(times);
        results.rows.push(
            Row::info(label, name, ms, "ms")
                .detail(format!(
                    "{items} events of {} communities, {} KB",
                    plan.network_members + 1,
                    body.len() / 1000
                ))
                .target(target, ms <= limit_ms),
        );
    }
    Ok(())
}
