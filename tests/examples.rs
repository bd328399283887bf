//! The examples run: each is started as its own process (the binaries `cargo test` builds from
//! `examples/`), answers its host's own `/`, serves an actor and WebFinger beside it, and the
//! `host_users` example prints the hook of a follow that a real second instance sends it.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use crate::common::{TestDb, TestServer, eventually, free_port};

/// An example process, killed when dropped, with what it printed so far.
struct Example {
    child: Child,
    port: u16,
    stdout: Arc<Mutex<Vec<String>>>,
    _dir: tempfile::TempDir,
}

impl Drop for Example {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn binary(name: &str) -> PathBuf {
    // target/debug/deps/suite-… -> target/debug/examples/NAME
    let exe = std::env::current_exe().expect("test binary");
    let path = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target dir")
        .join("examples")
        .join(name);
    assert!(
        path.exists(),
        "{} is missing: `cargo test` builds the examples (or run `cargo build --examples`)",
        path.display()
    );
    path
}

async fn start(name: &str) -> Example {
    let dir = tempfile::tempdir().expect("dir");
    let port = free_port();
    let mut child = Command::new(binary(name))
        .env("PORT", port.to_string())
        .env(
            "DATABASE_URL",
            format!("sqlite://{}", dir.path().join("example.db").display()),
        )
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("start {name}: {e}"));
    let stdout = Arc::new(Mutex::new(Vec::new()));
    let lines = BufReader::new(child.stdout.take().expect("stdout"));
    let seen = stdout.clone();
    std::thread::spawn(move || {
        for line in lines.lines().map_while(Result::ok) {
            seen.lock().expect("lock").push(line);
        }
    });
    let mut example = Example {
        child,
        port,
        stdout,
        _dir: dir,
    };
    let url = example.url("/");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        if let Some(status) = example.child.try_wait().expect("wait") {
            panic!("{name} exited with {status} before answering");
        }
        if reqwest::get(&url).await.is_ok_and(|r| r.status() == 200) {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{name} never answered"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    example
}

impl Example {
    fn url(&self, path: &str) -> String {
        format!("http://localhost:{}{path}", self.port)
    }

    fn printed(&self, needle: &str) -> Option<String> {
        self.stdout
            .lock()
            .expect("lock")
            .iter()
            .find(|l| l.contains(needle))
            .cloned()
    }
}

async fn get(url: &str, accept: &str) -> (u16, String) {
    let res = reqwest::Client::new()
        .get(url)
        .header("accept", accept)
        .send()
        .await
        .expect("get");
    (res.status().as_u16(), res.text().await.expect("body"))
}

/// The host's `/`, a community as an ActivityPub actor, and WebFinger for it.
async fn host_and_federation(example: &Example, host_text: &str, community: &str) {
    let (status, home) = get(&example.url("/"), "text/html").await;
    assert_eq!(status, 200);
    assert!(home.contains(host_text), "the host's own `/`: {home}");

    let (status, body) = get(
        &example.url(&format!("/c/{community}")),
        "application/activity+json",
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let actor: Value = serde_json::from_str(&body).expect("actor JSON");
    assert_eq!(actor["type"], "Group");
    assert_eq!(actor["preferredUsername"], community);

    let resource = format!("acct:{community}@localhost:{}", example.port);
    let (status, body) = get(
        &example.url(&format!("/.well-known/webfinger?resource={resource}")),
        "application/jrd+json",
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let jrd: Value = serde_json::from_str(&body).expect("JRD");
    assert_eq!(jrd["subject"], resource);
    assert!(
        jrd["links"]
            .as_array()
            .expect("links")
            .iter()
            .any(|l| l["href"] == actor["id"]),
        "{jrd}"
    );
}

#[tokio::test]
async fn embed_keeps_the_hosts_home_page_beside_verkosto() {
    let example = start("embed").await;
    host_and_federation(&example, "Our space's own web site", "kahvila").await;
    // The pages are mounted (everything but `/`): the community has its page for a browser.
    let (status, page) = get(&example.url("/c/kahvila"), "text/html").await;
    assert_eq!(status, 200);
    assert!(page.contains("Kahvila co-working"), "{page}");
    let (status, _) = get(&example.url("/healthz"), "application/json").await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn host_users_federates_only_and_prints_the_hooks() {
    let example = start("host_users").await;
    host_and_federation(&example, "Our members:", "coworkers").await;
    assert!(example.printed("published http://").is_some());
    // No Verkosto pages or client API: a browser gets the object, the API is the host's 404.
    let (status, body) = get(&example.url("/c/coworkers"), "text/html").await;
    assert_eq!(status, 200);
    assert!(body.starts_with('{'), "the actor, not a page: {body}");
    let (status, _) = get(&example.url("/api/v1/communities"), "application/json").await;
    assert_eq!(status, 404);

    // A person on a second real instance follows the community; the example prints the hook.
    let other = TestServer::start(TestDb::sqlite().await).await;
    let token = other.account("liisa").await;
    let (status, body) = other
        .post_json(
            "/api/v1/follows",
            Some(&token),
            json!({ "handle": format!("coworkers@localhost:{}", example.port) }),
        )
        .await;
    assert!(status < 300, "{status} {body}");
    let follower = other.url("/u/liisa");
    let line = eventually(30, "the follow hook printed", || {
        let found = example.printed(&format!("hook: {follower} now follows"));
        async move { found }
    })
    .await;
    assert!(line.ends_with("/c/coworkers"), "{line}");
    other.stop().await;
}
