//! Test support: databases on both backends, and real servers on loopback ports.
#![allow(dead_code)]

pub mod sink;
pub mod smtp;
pub mod web;

use std::str::FromStr;
use std::time::Duration;

use serde_json::Value;
use sqlx::postgres::PgConnectOptions;
use verkosto::{Settings, Verkosto, service::NewAccount, store::Db};

/// Says that a part of a test cannot run here. Under `CI=true` (which `.ci/run` sets) nothing may be
/// skipped: a missing PostgreSQL, Python peer or browser fails the run instead of looking like a pass.
pub fn skip(what: &str) {
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{what}; under CI=true this must run (.ci/run installs and starts what it needs)");
    }
    eprintln!("skipped: {what}");
}

/// The Python with `tests/interop/requirements.txt` installed (the interop peer, the calendar
/// parsers, the SMTP server): `VERKOSTO_INTEROP_PYTHON`, or the venv `.ci/run` makes.
pub fn python() -> Option<std::path::PathBuf> {
    if let Ok(p) = std::env::var("VERKOSTO_INTEROP_PYTHON") {
        return Some(p.into());
    }
    let venv =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/interop-venv/bin/python");
    venv.exists().then_some(venv)
}

/// A database for one test: a fresh SQLite file, or a fresh schema in the PostgreSQL database named by
/// `DATABASE_URL`, so tests never see each other's rows.
pub struct TestDb {
    pub db: Db,
    pub backend: &'static str,
    _dir: Option<tempfile::TempDir>,
    schema: Option<(String, String)>,
}

impl TestDb {
    pub async fn sqlite() -> TestDb {
        let t = TestDb::sqlite_unmigrated().await;
        t.db.migrate().await.expect("sqlite migrate");
        t
    }

    /// A fresh SQLite database with no tables, for migration tests.
    pub async fn sqlite_unmigrated() -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("test.db").display());
        let db = Db::connect(&url).await.expect("sqlite connect");
        TestDb {
            db,
            backend: "sqlite",
            _dir: Some(dir),
            schema: None,
        }
    }

    /// `None` (and a note on stderr) when `DATABASE_URL` is not set.
    pub async fn postgres() -> Option<TestDb> {
        let t = TestDb::postgres_unmigrated().await?;
        t.db.migrate().await.expect("postgres migrate");
        Some(t)
    }

    /// A fresh PostgreSQL schema with no tables, for migration tests; `None` without `DATABASE_URL`.
    pub async fn postgres_unmigrated() -> Option<TestDb> {
        let Ok(url) = std::env::var("DATABASE_URL") else {
            skip("PostgreSQL tests: DATABASE_URL is not set");
            return None;
        };
        if !url.starts_with("postgres") {
            skip("PostgreSQL tests: DATABASE_URL is not a postgres:// URL");
            return None;
        }
        let schema = format!("t_{:016x}", rand::random::<u64>());
        let admin = sqlx::PgPool::connect(&url)
            .await
            .expect("connect to DATABASE_URL");
        sqlx::query(&format!("CREATE SCHEMA {schema}"))
            .execute(&admin)
            .await
            .expect("create schema");
        admin.close().await;
        let options = PgConnectOptions::from_str(&url)
            .expect("DATABASE_URL")
            .options([("search_path", schema.as_str())]);
        let db = Db::connect_postgres(options)
            .await
            .expect("postgres connect");
        Some(TestDb {
            db,
            backend: "postgres",
            _dir: None,
            schema: Some((url, schema)),
        })
    }

    /// Unmigrated databases: SQLite always; PostgreSQL too when `DATABASE_URL` is set.
    pub async fn all_unmigrated() -> Vec<TestDb> {
        let mut out = vec![TestDb::sqlite_unmigrated().await];
        out.extend(TestDb::postgres_unmigrated().await);
        out
    }

    /// SQLite always; PostgreSQL too when `DATABASE_URL` is set.
    pub async fn all() -> Vec<TestDb> {
        let mut out = vec![TestDb::sqlite().await];
        out.extend(TestDb::postgres().await);
        out
    }

    /// Closes the pool and drops the PostgreSQL schema.
    pub async fn cleanup(self) {
        self.db.close().await;
        if let Some((url, schema)) = &self.schema
            && let Ok(admin) = sqlx::PgPool::connect(url).await
        {
            let _ = sqlx::query(&format!("DROP SCHEMA {schema} CASCADE"))
                .execute(&admin)
                .await;
            admin.close().await;
        }
    }
}

/// A running instance on `localhost:PORT` with its own database.
pub struct TestServer {
    pub verkosto: Verkosto,
    pub base: String,
    pub domain: String,
    pub http: reqwest::Client,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    workers: Option<tokio::task::JoinHandle<()>>,
    db: Option<TestDb>,
}

impl TestServer {
    pub async fn start(db: TestDb) -> TestServer {
        Self::start_with(db, |_| {}).await
    }

    pub async fn start_with(db: TestDb, tweak: impl FnOnce(&mut Settings)) -> TestServer {
        Self::start_on(db, 0, tweak).await
    }

    /// Stops the instance gracefully (its workers finish what they hold) and starts it again on the
    /// same database and address: a restart.
    pub async fn restart(mut self, tweak: impl FnOnce(&mut Settings)) -> TestServer {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(workers) = self.workers.take() {
            let _ = tokio::time::timeout(Duration::from_secs(15), workers).await;
        }
        let port: u16 = self
            .domain
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .expect("port");
        let db = self.db.take().expect("database");
        // The listener is dropped with the server task; wait until the port can be bound again.
        for _ in 0..100 {
            if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Self::start_on(db, port, tweak).await
    }

    async fn start_on(db: TestDb, port: u16, tweak: impl FnOnce(&mut Settings)) -> TestServer {
        // RUST_LOG=verkosto=debug shows what the servers do.
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .with_test_writer()
            .try_init();
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let domain = format!("localhost:{port}");
        let mut settings = Settings::new(domain.clone());
        settings.dev_federation = true;
        settings.retry_base = Duration::from_millis(200);
        settings.request_timeout = Duration::from_secs(5);
        settings.event_update_delay = Duration::from_millis(100);
        tweak(&mut settings);
        let verkosto = Verkosto::with_db(db.db.clone(), settings)
            .await
            .expect("verkosto");
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let (workers_tx, workers_rx) = tokio::sync::watch::channel(false);
        let mut workers_rx2 = workers_rx.clone();
        let workers = verkosto.spawn_delivery_workers(async move {
            let _ = workers_rx2.wait_for(|s| *s).await;
        });
        let app = verkosto::http::router(verkosto.clone());
        tokio::spawn(async move {
            let _ = axum::serve(
                listener,
                app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
            )
            .with_graceful_shutdown(async move {
                let _ = rx.await;
                let _ = workers_tx.send(true);
            })
            .await;
        });
        TestServer {
            verkosto,
            base: format!("http://{domain}"),
            domain,
            http: reqwest::Client::new(),
            shutdown: Some(tx),
            workers: Some(workers),
            db: Some(db),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Creates an account and returns a bearer token for it.
    pub async fn account(&self, username: &str) -> String {
        self.account_with(username, false).await
    }

    /// Creates an instance administrator and returns a bearer token for it.
    pub async fn admin(&self, username: &str) -> String {
        self.account_with(username, true).await
    }

    async fn account_with(&self, username: &str, is_admin: bool) -> String {
        self.verkosto
            .create_account(NewAccount {
                username: username.into(),
                password: "salasana123".into(),
                is_admin,
            })
            .await
            .expect("create account");
        let (status, body) = self
            .post_json(
                "/api/v1/auth/token",
                None,
                serde_json::json!({ "username": username, "password": "salasana123" }),
            )
            .await;
        assert_eq!(status, 200, "login of {username}");
        body["access_token"]
            .as_str()
            .expect("access_token")
            .to_string()
    }

    /// POSTs JSON, with a bearer token when given; returns the status and the JSON answer.
    pub async fn post_json(&self, path: &str, token: Option<&str>, body: Value) -> (u16, Value) {
        let mut req = self.http.post(self.url(path)).json(&body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let res = req.send().await.expect("POST");
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    /// Creates a community owned by the token's account.
    pub async fn community(&self, token: &str, name: &str, follow_policy: &str) -> Value {
        let res = self
            .http
            .post(self.url("/api/v1/communities"))
            .bearer_auth(token)
            .json(&serde_json::json!({ "name": name, "display_name": name, "summary": "A space", "follow_policy": follow_policy }))
            .send()
            .await
            .expect("create community");
        assert_eq!(res.status(), 201, "create community {name}");
        res.json().await.expect("community json")
    }

    pub async fn get_json(&self, path: &str, token: Option<&str>) -> (u16, Value) {
        let mut req = self.http.get(self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let res = req.send().await.expect("GET");
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    pub async fn get_ap(&self, path: &str) -> (u16, String, Value) {
        let res = self
            .http
            .get(self.url(path))
            .header("Accept", "application/activity+json")
            .send()
            .await
            .expect("GET");
        let status = res.status().as_u16();
        let ct = res
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        (status, ct, res.json().await.unwrap_or(Value::Null))
    }

    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(db) = self.db.take() {
            tokio::time::sleep(Duration::from_millis(50)).await;
            db.cleanup().await;
        }
    }
}

/// Polls `check` until it returns `Some`, for up to `secs` seconds.
pub async fn eventually<T, F, Fut>(secs: u64, what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(v) = check().await {
            return v;
        }
        if tokio::time::Instant::now() > deadline {
            panic!("timed out waiting for: {what}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Runs a test body once per backend, naming the backend in panics.
#[macro_export]
macro_rules! on_each_backend {
    (|$db:ident| $body:expr) => {{
        for $db in $crate::common::TestDb::all().await {
            eprintln!("-- backend: {}", $db.backend);
            $body;
        }
    }};
}

/// A loopback port nothing listens on (any more): for a server started on it, or a peer that is down.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

/// POSTs `body` to `inbox` signed as `key_id` with `key` (the `Signature` and `Digest` we send too).
pub async fn post_signed(
    http: &reqwest::Client,
    inbox: &str,
    body: &Value,
    key_id: &str,
    key: &rsa::RsaPrivateKey,
) -> (u16, Value) {
    let body = serde_json::to_vec(body).expect("json");
    let url = url::Url::parse(inbox).expect("inbox url");
    let headers = verkosto::signatures::sign_post(&url, &body, key_id, key).expect("sign");
    send_signed(http, &url, headers, body).await
}

/// POSTs an already signed `body`: the status and the JSON answer (`null` when it is not JSON).
async fn send_signed(
    http: &reqwest::Client,
    url: &url::Url,
    headers: reqwest::header::HeaderMap,
    body: Vec<u8>,
) -> (u16, Value) {
    let res = http
        .post(url.as_str())
        .headers(headers)
        .body(body)
        .send()
        .await
        .expect("post");
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// A remote actor on another real instance whose private key the test holds, to sign anything.
pub struct RemoteSigner {
    pub actor: String,
    pub key_id: String,
    key: rsa::RsaPrivateKey,
}

impl RemoteSigner {
    /// Makes account `name` on `server` and takes its key.
    pub async fn on(server: &TestServer, name: &str) -> RemoteSigner {
        server.account(name).await;
        let account = server.verkosto.account(name).await.expect("account");
        let mut c = server.verkosto.db().acquire().await.expect("acquire");
        let keys = verkosto::store::accounts::keys(&mut c.conn(), account.id)
            .await
            .expect("keys");
        let key = <rsa::RsaPrivateKey as rsa::pkcs8::DecodePrivateKey>::from_pkcs8_pem(
            &keys.private_key_pem,
        )
        .expect("key");
        let actor = server.url(&format!("/u/{name}"));
        RemoteSigner {
            key_id: format!("{actor}#main-key"),
            actor,
            key,
        }
    }

    /// An actor served elsewhere (a sink's `/actor/{n}`) whose private key the test holds.
    pub fn with_key(actor: String, private_key_pem: &str) -> RemoteSigner {
        let key =
            <rsa::RsaPrivateKey as rsa::pkcs8::DecodePrivateKey>::from_pkcs8_pem(private_key_pem)
                .expect("key");
        RemoteSigner {
            key_id: format!("{actor}#main-key"),
            actor,
            key,
        }
    }

    /// POSTs `activity` signed with a `Date` of the caller's choosing, and, when given, signed
    /// `(created)` and `(expires)` parameters (Unix seconds).
    pub async fn post_dated(
        &self,
        target: &TestServer,
        path: &str,
        activity: &Value,
        date: std::time::SystemTime,
        created_expires: Option<(u64, u64)>,
    ) -> (u16, Value) {
        let body = serde_json::to_vec(activity).expect("json");
        let inbox = url::Url::parse(&target.url(path)).expect("url");
        let mut headers =
            verkosto::signatures::sign_post_at(&inbox, &body, &self.key_id, &self.key, date)
                .expect("sign");
        if let Some((created, expires)) = created_expires {
            // Re-sign by hand: the signing crate cannot set (created)/(expires) of our choosing.
            let value = |h: &str| headers[h].to_str().expect("header").to_string();
            let signing_string = format!(
                "(request-target): post {}\n(created): {created}\n(expires): {expires}\nhost: {}\ndate: {}\ndigest: {}",
                inbox.path(),
                value("host"),
                value("date"),
                value("digest")
            );
            let signature = self.sign_by_hand(&signing_string);
            let header = format!(
                r#"keyId="{}",algorithm="hs2019",created="{created}",expires="{expires}",headers="(request-target) (created) (expires) host date digest",signature="{signature}""#,
                self.key_id
            );
            headers.insert("signature", header.parse().expect("header"));
        }
        send_signed(&target.http, &inbox, headers, body).await
    }

    /// GETs `url` asking for ActivityPub JSON, signed as this actor the way Mastodon's authorized fetch
    /// signs (draft-cavage, `rsa-sha256` over `(request-target) host date`): the status and the body.
    /// Signed here by hand rather than by the crate's own signer, so that the server's check of it is
    /// tested against an independent signer.
    pub async fn get(&self, url: &str) -> (u16, String) {
        let parsed = url::Url::parse(url).expect("url");
        let host = match parsed.port() {
            Some(port) => format!("{}:{port}", parsed.host_str().expect("host")),
            None => parsed.host_str().expect("host").to_string(),
        };
        let target = match parsed.query() {
            Some(q) => format!("{}?{q}", parsed.path()),
            None => parsed.path().to_string(),
        };
        let date = httpdate::fmt_http_date(std::time::SystemTime::now());
        let signing_string = format!("(request-target): get {target}\nhost: {host}\ndate: {date}");
        let signature = self.sign_by_hand(&signing_string);
        let header = format!(
            r#"keyId="{}",algorithm="rsa-sha256",headers="(request-target) host date",signature="{signature}""#,
            self.key_id
        );
        let res = reqwest::Client::new()
            .get(parsed.as_str())
            .header("host", host)
            .header("date", date)
            .header("signature", header)
            .header("accept", "application/activity+json")
            .send()
            .await
            .expect("signed GET");
        let status = res.status().as_u16();
        (status, res.text().await.unwrap_or_default())
    }

    /// The base64 RSA-SHA256 signature of `signing_string`, made with the `rsa` crate (not the
    /// server's signer, so that its check is tested against an independent one).
    fn sign_by_hand(&self, signing_string: &str) -> String {
        use base64::Engine;
        use sha2::Digest;
        base64::engine::general_purpose::STANDARD.encode(
            self.key
                .sign(
                    rsa::Pkcs1v15Sign::new::<sha2::Sha256>(),
                    &sha2::Sha256::digest(signing_string.as_bytes()),
                )
                .expect("sign"),
        )
    }

    /// POSTs `activity` to `target`'s `path`, correctly signed.
    pub async fn post(&self, target: &TestServer, path: &str, activity: &Value) -> (u16, Value) {
        post_signed(
            &target.http,
            &target.url(path),
            activity,
            &self.key_id,
            &self.key,
        )
        .await
    }
}
