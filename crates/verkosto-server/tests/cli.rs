//! The real `verkosto` binary: killed with SIGKILL while deliveries are pending, two processes
//! draining one PostgreSQL queue, and what `verkosto queue status` prints.

#[path = "../../../tests/common/mod.rs"]
mod common;

use std::collections::{HashMap, HashSet};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use chrono::{DateTime, Utc};
use common::sink::{Behaviour, Sink, follow_from_sink};
use common::{eventually, free_port};
use verkosto::model::{CommunityUpdate, NewCommunity};
use verkosto::service::NewAccount;
use verkosto::store::Db;
use verkosto::{Settings, Verkosto, store};

/// A `verkosto serve` process.
struct Server {
    child: Child,
    port: u16,
}

impl Server {
    async fn start(database_url: &str, port: u16, domain: &str) -> Server {
        Self::start_with(database_url, port, domain, &[]).await
    }

    /// Starts a process with extra environment variables (settings).
    async fn start_with(
        database_url: &str,
        port: u16,
        domain: &str,
        env: &[(&str, &str)],
    ) -> Server {
        let child = Command::new(env!("CARGO_BIN_EXE_verkosto"))
            .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
            .env("DATABASE_URL", database_url)
            .env("VERKOSTO_DOMAIN", domain)
            .env("VERKOSTO_DEV_FEDERATION", "true")
            .env("VERKOSTO_RETRY_BASE", "200ms")
            // Leases of a killed process run out after twice this plus 5 s.
            .env("VERKOSTO_REQUEST_TIMEOUT", "2s")
            .env("RUST_LOG", "warn")
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .spawn()
            .expect("start verkosto");
        let server = Server { child, port };
        let client = reqwest::Client::new();
        eventually(30, "the server to answer /healthz", || {
            let client = client.clone();
            async move {
                let res = client
                    .get(format!("http://127.0.0.1:{port}/healthz"))
                    .send()
                    .await
                    .ok()?;
                res.status().is_success().then_some(())
            }
        })
        .await;
        server
    }

    /// SIGKILL: no shutdown, no cleanup.
    fn kill(mut self) {
        self.child.kill().expect("kill -9");
        let _ = self.child.wait();
    }

    async fn pending(&self) -> i64 {
        let text = reqwest::get(format!("http://127.0.0.1:{}/metrics", self.port))
            .await
            .expect("metrics")
            .text()
            .await
            .expect("text");
        text.lines()
            .filter(|l| l.starts_with("verkosto_deliveries_pending{"))
            .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
            .sum::<f64>() as i64
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Prepares an instance's database: an owner, a community, and `inboxes` followers on the sink hosts.
async fn prepare(
    database_url: &str,
    domain: &str,
    sinks: &[(&Sink, String)],
    inboxes: u32,
) -> Verkosto {
    let mut settings = Settings::new(domain);
    settings.dev_federation = true;
    let v = Verkosto::open(database_url, settings).await.expect("open");
    let owner = v
        .create_account(NewAccount {
            username: "aino".into(),
            password: "salasana123".into(),
            is_admin: false,
        })
        .await
        .expect("account");
    v.create_community(
        &owner,
        NewCommunity {
            name: "kahvila".into(),
            display_name: None,
            summary: None,
            kind: None,
            location: None,
            latitude: None,
            longitude: None,
            website: None,
            tags: None,
            icon_url: None,
            banner_url: None,
            follow_policy: None,
            visibility: None,
        },
    )
    .await
    .expect("community");
    for (sink, host) in sinks {
        follow_from_sink(&v, "kahvila", sink, host, 0..inboxes).await;
    }
    v
}

async fn publish(v: &Verkosto, n: usize) -> Vec<String> {
    let owner = v.account("aino").await.expect("owner");
    let mut ids = vec![];
    for i in 0..n {
        let change = CommunityUpdate {
            display_name: Some(format!("Kahvila v{i}")),
            ..Default::default()
        };
        v.update_community(&owner, "kahvila", change)
            .await
            .expect("update");
    }
    let mut c = v.db().acquire().await.expect("acquire");
    let actor = v.state().url("/c/kahvila");
    for body in store::outbox::public_page(&mut c.conn(), actor.as_str(), 10_000, 0)
        .await
        .expect("outbox")
    {
        let value: serde_json::Value = serde_json::from_str(&body).expect("json");
        ids.push(value["id"].as_str().expect("id").to_string());
    }
    ids
}

/// How many times each (inbox, activity) pair arrived.
fn arrivals(sink: &Sink) -> HashMap<(u32, String), usize> {
    let mut counts = HashMap::new();
    for d in sink.accepted() {
        assert!(d.signature_ok, "every delivery carries a valid signature");
        *counts.entry((d.inbox, d.activity_id)).or_default() += 1;
    }
    counts
}

/// A database URL per backend: a fresh SQLite file, and a fresh PostgreSQL database when available.
async fn databases(dir: &tempfile::TempDir) -> Vec<(String, Option<String>)> {
    let mut out = vec![(
        format!("sqlite://{}", dir.path().join("crash.db").display()),
        None,
    )];
    if let Ok(url) = std::env::var("DATABASE_URL") {
        let name = format!("verkosto_p_{:012x}", rand::random::<u64>() >> 16);
        let admin = sqlx::PgPool::connect(&url).await.expect("admin");
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&admin)
            .await
            .expect("create db");
        admin.close().await;
        let (base, _) = url.rsplit_once('/').expect("database name in DATABASE_URL");
        out.push((format!("{base}/{name}"), Some(name)));
    } else {
        common::skip("PostgreSQL process tests: DATABASE_URL is not set");
    }
    out
}

async fn drop_database(name: Option<String>) {
    if let (Some(name), Ok(url)) = (name, std::env::var("DATABASE_URL")) {
        let admin = sqlx::PgPool::connect(&url).await.expect("admin");
        let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&admin)
            .await;
        admin.close().await;
    }
}

#[tokio::test]
async fn a_killed_server_with_its_receiver_down_loses_nothing() {
    let dir = tempfile::tempdir().expect("dir");
    for (url, pg_name) in databases(&dir).await {
        let port = free_port();
        let domain = format!("localhost:{port}");
        let sink = Sink::default();
        let sink_port = free_port();
        let sink_host = format!("localhost:{sink_port}");
        let v = prepare(&url, &domain, &[(&sink, sink_host.clone())], 3).await;

        // The receiver is down; the server queues, fails, and is killed.
        let server = Server::start(&url, port, &domain).await;
        let ids = publish(&v, 5).await;
        eventually(10, "deliveries to be attempted and fail", || async {
            let st = store::deliveries::status(v.db()).await.ok()?;
            st.first().filter(|h| h.failing > 0).map(|_| ())
        })
        .await;
        assert_eq!(server.pending().await, 15);
        server.kill();

        // Receiver and server come back: everything arrives.
        sink.serve(
            tokio::net::TcpListener::bind(("127.0.0.1", sink_port))
                .await
                .expect("sink"),
        );
        let server = Server::start(&url, port, &domain).await;
        eventually(30, "all 15 deliveries after the restart", || async {
            (arrivals(&sink).len() == 15).then_some(())
        })
        .await;
        let got = arrivals(&sink);
        for inbox in 0..3 {
            for id in &ids {
                assert!(
                    got.contains_key(&(inbox, id.clone())),
                    "inbox {inbox} is missing {id}"
                );
            }
        }
        eventually(10, "the queue to empty", || async {
            (server.pending().await == 0).then_some(())
        })
        .await;
        drop(server);
        v.db().close().await;
        drop_database(pg_name).await;
    }
}

#[tokio::test]
async fn a_server_killed_mid_delivery_resends_at_most_what_was_in_flight() {
    let dir = tempfile::tempdir().expect("dir");
    for (url, pg_name) in databases(&dir).await {
        let port = free_port();
        let domain = format!("localhost:{port}");
        let (sink, sink_host) = Sink::on_free_port().await;
        for n in 0..120 {
            sink.set(n, Behaviour::SlowAlways(Duration::from_millis(40)));
        }
        let v = prepare(&url, &domain, &[(&sink, sink_host)], 120).await;
        let server = Server::start(&url, port, &domain).await;
        let ids = publish(&v, 1).await;
        eventually(20, "some deliveries to arrive", || async {
            (sink.accepted().len() >= 30).then_some(())
        })
        .await;
        server.kill();
        let before_restart = sink.accepted().len();
        assert!(before_restart < 120, "killed before the end");

        let server = Server::start(&url, port, &domain).await;
        eventually(60, "every inbox to get the activity", || async {
            (arrivals(&sink).len() == 120).then_some(())
        })
        .await;
        let got = arrivals(&sink);
        assert!(got.keys().all(|(_, id)| id == &ids[0]));
        let resent: usize = got.values().map(|n| n - 1).sum();
        // The documented bound: at most the deliveries in flight when the process died, and to one
        // host that is `workers_per_host` (4), not the 32 workers of the process.
        let cap = Settings::new("x").workers_per_host;
        assert!(resent <= cap, "{resent} resent, more than {cap}");
        assert!(
            sink.max_in_flight.load(std::sync::atomic::Ordering::SeqCst) <= cap,
            "more than {cap} deliveries in flight to one host"
        );
        drop(server);
        v.db().close().await;
        drop_database(pg_name).await;
    }
}

#[tokio::test]
async fn two_processes_share_one_postgres_queue_without_duplicates() {
    let Ok(_) = std::env::var("DATABASE_URL") else {
        common::skip("several-processes test: DATABASE_URL is not set");
        return;
    };
    let dir = tempfile::tempdir().expect("dir");
    let (url, pg_name) = databases(&dir).await.pop().expect("postgres");
    let port = free_port();
    let domain = format!("localhost:{port}");
    let sinks: Vec<Sink> = (0..3).map(|_| Sink::default()).collect();
    let mut hosts = vec![];
    for sink in &sinks {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        hosts.push(format!(
            "localhost:{}",
            listener.local_addr().expect("addr").port()
        ));
        sink.serve(listener);
    }
    let pairs: Vec<(&Sink, String)> = sinks.iter().zip(hosts.iter().cloned()).collect();
    let v = prepare(&url, &domain, &pairs, 100).await;
    let first = Server::start(&url, port, &domain).await;
    let second = Server::start(&url, free_port(), &domain).await;
    let ids = publish(&v, 2).await;
    let total = || sinks.iter().map(|s| s.accepted().len()).sum::<usize>();
    eventually(60, "600 deliveries", || async {
        (total() >= 600).then_some(())
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(total(), 600, "no delivery was made twice");
    for sink in &sinks {
        let got = arrivals(sink);
        assert_eq!(got.len(), 200);
        assert!(got.values().all(|n| *n == 1));
        let activities: HashSet<&String> = got.keys().map(|(_, id)| id).collect();
        assert_eq!(activities.len(), ids.len());
    }
    assert_eq!(first.pending().await + second.pending().await, 0);
    drop(first);
    drop(second);
    v.db().close().await;
    drop_database(pg_name).await;
}

/// Two processes on one PostgreSQL queue, each allowed 2 deliveries in flight per host, together never
/// have more than 2 in flight to the one receiving host (counted at the receiver): claims in one
/// process see the other's leases.
#[tokio::test]
async fn two_processes_together_keep_the_per_host_limit() {
    let Ok(_) = std::env::var("DATABASE_URL") else {
        common::skip("several-processes test: DATABASE_URL is not set");
        return;
    };
    let dir = tempfile::tempdir().expect("dir");
    let (url, pg_name) = databases(&dir).await.pop().expect("postgres");
    let port = free_port();
    let domain = format!("localhost:{port}");
    let (sink, sink_host) = Sink::on_free_port().await;
    for n in 0..60 {
        sink.set(n, Behaviour::SlowAlways(Duration::from_millis(20)));
    }
    let v = prepare(&url, &domain, &[(&sink, sink_host)], 60).await;
    let env = [("VERKOSTO_WORKERS_PER_HOST", "2")];
    let first = Server::start_with(&url, port, &domain, &env).await;
    let second = Server::start_with(&url, free_port(), &domain, &env).await;
    publish(&v, 3).await;
    eventually(60, "180 deliveries", || async {
        (sink.accepted().len() >= 180).then_some(())
    })
    .await;
    let most = sink.max_in_flight.load(std::sync::atomic::Ordering::SeqCst);
    assert!(most <= 2, "{most} deliveries in flight to one host at once");
    assert!(most == 2, "both slots were used ({most})");
    drop(first);
    drop(second);
    v.db().close().await;
    drop_database(pg_name).await;
}

#[tokio::test]
async fn queue_status_prints_failing_since_per_host() {
    let dir = tempfile::tempdir().expect("dir");
    for (url, pg_name) in databases(&dir).await {
        let db = Db::connect(&url).await.expect("connect");
        db.migrate().await.expect("migrate");
        let queued: DateTime<Utc> = "2031-01-27T07:00:00Z".parse().expect("time");
        let down = url::Url::parse("https://down.example/inbox").expect("url");
        let up = url::Url::parse("https://up.example/inbox").expect("url");
        {
            let mut c = db.acquire().await.expect("acquire");
            store::deliveries::enqueue(
                &mut c.conn(),
                "https://here.example/activities/1",
                "https://here.example/c/kahvila",
                "{}",
                &[&down, &up],
                queued,
            )
            .await
            .expect("enqueue");
        }
        let since: DateTime<Utc> = "2031-01-27T08:30:00Z".parse().expect("time");
        store::deliveries::host_failed(&db, "down.example", since)
            .await
            .expect("failed");
        db.close().await;

        let out = Command::new(env!("CARGO_BIN_EXE_verkosto"))
            .args(["queue", "status"])
            .env("DATABASE_URL", &url)
            .env("VERKOSTO_DOMAIN", "here.example")
            .env("RUST_LOG", "warn")
            .output()
            .expect("run verkosto queue status");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let line = |host: &str| {
            stdout
                .lines()
                .find(|l| l.starts_with(host))
                .unwrap_or_else(|| panic!("a line for {host}: {stdout}"))
                .to_string()
        };
        let down_line = line("down.example");
        assert!(
            down_line.contains("failing since 2031-01-27T08:30:00Z"),
            "{down_line}"
        );
        assert!(
            down_line.contains("oldest 2031-01-27T07:00:00Z"),
            "{down_line}"
        );
        assert!(
            line("up.example").contains("failing since -"),
            "a host that answers is not failing: {stdout}"
        );
        drop_database(pg_name).await;
    }
}

#[tokio::test]
async fn relay_add_list_remove() {
    let dir = tempfile::tempdir().expect("dir");
    for (url, pg_name) in databases(&dir).await {
        let relay_inbox = format!("http://localhost:{}/inbox", free_port());
        let run = |args: &[&str]| {
            Command::new(env!("CARGO_BIN_EXE_verkosto"))
                .args(args)
                .env("DATABASE_URL", &url)
                .env("VERKOSTO_DOMAIN", "here.example")
                .env("VERKOSTO_DEV_FEDERATION", "true")
                .env("RUST_LOG", "warn")
                .output()
                .expect("run verkosto relay")
        };
        let out = run(&["relay", "add", &relay_inbox]);
        let stdout = String::from_utf8_lossy(&out.stdout).to_string();
        assert!(
            out.status.success(),
            "{stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(stdout.contains("(pending)"), "{stdout}");
        let out = run(&["relay", "list"]);
        let stdout = String::from_utf8_lossy(&out.stdout).to_string();
        let line = stdout
            .lines()
            .find(|l| l.starts_with(&relay_inbox))
            .unwrap_or_else(|| panic!("a line for the relay: {stdout}"));
        assert!(
            line.contains("pending") && line.contains("relay (Public)"),
            "{line}"
        );
        // The Follow waits in the queue for a running server to send it.
        let db = Db::connect(&url).await.expect("connect");
        let hosts = store::deliveries::status(&db).await.expect("status");
        assert_eq!(hosts.iter().map(|h| h.pending).sum::<i64>(), 1);
        db.close().await;

        let out = run(&["relay", "add", "ftp://relay.example/inbox"]);
        assert!(!out.status.success(), "not a relay URL");
        let out = run(&["relay", "remove", &relay_inbox]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let out = run(&["relay", "list"]);
        // (Only the dev-federation warning may remain on standard output.)
        assert!(
            !String::from_utf8_lossy(&out.stdout)
                .lines()
                .any(|l| l.starts_with(&relay_inbox)),
            "removed"
        );
        let out = run(&["relay", "remove", &relay_inbox]);
        assert!(!out.status.success(), "removing twice fails");
        drop_database(pg_name).await;
    }
}
