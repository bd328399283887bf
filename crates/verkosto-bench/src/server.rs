//! The processes under test: the real `verkosto` binary and the bare axum baseline, each on a loopback
//! port, with their databases (a temporary SQLite file, or a PostgreSQL database made for the run).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

/// A free loopback port (bound and released; another process could take it in between, which is
/// unlikely enough on a benchmark machine).
pub fn free_port() -> anyhow::Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").context("binding a loopback port")?;
    Ok(listener.local_addr()?.port())
}

/// Finds the `verkosto` binary next to this one (same profile), building it with cargo first when this
/// tool was started by cargo (`cargo run` sets `CARGO`), so it is never stale.
pub fn locate_server(explicit: Option<PathBuf>) -> anyhow::Result<PathBuf> {
    if let Some(path) = explicit {
        return Ok(path);
    }
    let me = std::env::current_exe().context("locating this executable")?;
    let dir = me.parent().context("this executable has no directory")?;
    let release = dir.file_name().is_some_and(|n| n == "release");
    if let Ok(cargo) = std::env::var("CARGO") {
        let mut build = std::process::Command::new(cargo);
        build.args(["build", "-p", "verkosto-server", "--bin", "verkosto"]);
        if release {
            build.arg("--release");
        }
        let status = build
            .status()
            .context("running cargo build for the server")?;
        if !status.success() {
            bail!("building the verkosto binary failed");
        }
    }
    let server = dir.join("verkosto");
    if !server.exists() {
        bail!(
            "{} does not exist: build it with `cargo build {}-p verkosto-server` or pass --server-bin",
            server.display(),
            if release { "--release " } else { "" }
        );
    }
    Ok(server)
}

/// A running child process serving HTTP on a loopback port.
pub struct Process {
    child: tokio::process::Child,
    /// Its address.
    pub addr: SocketAddr,
    /// `localhost:PORT`, the server's domain and the `Host` of requests.
    pub host: String,
    /// How long from spawning it until it first answered.
    pub started_in: Duration,
    log: Option<PathBuf>,
}

impl Process {
    /// Spawns `command` (whose last arguments make it listen on `port`) and waits until `ready_path`
    /// answers 200.
    pub async fn spawn(
        mut command: tokio::process::Command,
        port: u16,
        ready_path: &str,
        log: Option<PathBuf>,
    ) -> anyhow::Result<Process> {
        match &log {
            Some(path) => {
                let file = std::fs::File::create(path)
                    .with_context(|| format!("creating {}", path.display()))?;
                command.stdout(Stdio::from(file.try_clone()?));
                command.stderr(Stdio::from(file));
            }
            None => {
                command.stdout(Stdio::null());
                command.stderr(Stdio::null());
            }
        }
        command.kill_on_drop(true);
        let addr: SocketAddr = ([127, 0, 0, 1], port).into();
        let host = format!("localhost:{port}");
        let start = Instant::now();
        let mut child = command.spawn().context("starting the process")?;
        let probe = crate::load::Prepared::get(&host, ready_path, "application/json");
        loop {
            if let Ok((status, _, _)) = crate::load::once(addr, &probe).await
                && status == http::StatusCode::OK
            {
                break;
            }
            if let Some(exit) = child.try_wait()? {
                bail!(
                    "the process exited with {exit} before answering{}",
                    tail(log.as_deref())
                );
            }
            if start.elapsed() > Duration::from_secs(60) {
                bail!(
                    "the process did not answer within 60 s{}",
                    tail(log.as_deref())
                );
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        Ok(Process {
            started_in: start.elapsed(),
            child,
            addr,
            host,
            log,
        })
    }

    /// Resident memory in bytes (Linux `/proc`), `None` elsewhere.
    pub fn rss_bytes(&self) -> Option<u64> {
        let pid = self.child.id()?;
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
        let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
        let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kib * 1024)
    }

    /// The end of its log, for error messages.
    pub fn log_tail(&self) -> String {
        tail(self.log.as_deref())
    }

    /// Stops it with SIGTERM (graceful), then SIGKILL after 10 s.
    pub async fn stop(mut self) {
        if let Some(pid) = self.child.id() {
            let _ = tokio::process::Command::new("kill")
                .args(["-TERM", &pid.to_string()])
                .status()
                .await;
        }
        if tokio::time::timeout(Duration::from_secs(10), self.child.wait())
            .await
            .is_err()
        {
            let _ = self.child.kill().await;
        }
    }
}

fn tail(log: Option<&Path>) -> String {
    let Some(text) = log.and_then(|p| std::fs::read_to_string(p).ok()) else {
        return String::new();
    };
    let lines: Vec<&str> = text.lines().collect();
    format!(
        "; its log ends:\n{}",
        lines[lines.len().saturating_sub(20)..].join("\n")
    )
}

/// The database of one run: a temporary SQLite file, or a PostgreSQL database created here and
/// dropped by [`BenchDb::drop_database`].
pub struct BenchDb {
    /// What the server is given as `--database-url`.
    pub url: String,
    admin: Option<(String, String)>,
    _dir: Option<tempfile::TempDir>,
}

impl BenchDb {
    /// A fresh SQLite file in a new temporary directory.
    pub fn sqlite() -> anyhow::Result<BenchDb> {
        let dir = tempfile::tempdir().context("creating a temporary directory")?;
        let url = format!("sqlite://{}", dir.path().join("bench.db").display());
        Ok(BenchDb {
            url,
            admin: None,
            _dir: Some(dir),
        })
    }

    /// A fresh database on the PostgreSQL server of `admin_url` (whose own database is left alone).
    pub async fn postgres(admin_url: &str) -> anyhow::Result<BenchDb> {
        let name = format!(
            "verkosto_bench_{}_{:08x}",
            std::process::id(),
            rand::random::<u32>()
        );
        let admin = sqlx::PgPool::connect(admin_url)
            .await
            .context("connecting to DATABASE_URL")?;
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&admin)
            .await
            .context("creating the benchmark database")?;
        admin.close().await;
        let mut url = url::Url::parse(admin_url).context("DATABASE_URL is not a URL")?;
        url.set_path(&format!("/{name}"));
        Ok(BenchDb {
            url: url.to_string(),
            admin: Some((admin_url.to_string(), name)),
            _dir: None,
        })
    }

    /// Drops the PostgreSQL database (the SQLite directory goes with `self`).
    pub async fn drop_database(self) {
        if let Some((admin_url, name)) = &self.admin
            && let Ok(admin) = sqlx::PgPool::connect(admin_url).await
        {
            if let Err(e) = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&admin)
                .await
            {
                eprintln!("could not drop the benchmark database {name}: {e}");
            }
            admin.close().await;
        }
    }
}

/// Starts the `verkosto` binary on `port` with `db`, dev federation on (loopback peers).
pub async fn start_verkosto(
    bin: &Path,
    prefix: &[String],
    db: &BenchDb,
    port: u16,
    log: PathBuf,
) -> anyhow::Result<Process> {
    let mut command = match prefix.split_first() {
        Some((first, rest)) => {
            let mut c = tokio::process::Command::new(first);
            c.args(rest).arg(bin);
            c
        }
        None => tokio::process::Command::new(bin),
    };
    command
        .args(["--database-url", &db.url])
        .args(["--domain", &format!("localhost:{port}")])
        .arg("--dev-federation")
        .arg("serve")
        .args(["--bind", &format!("127.0.0.1:{port}")])
        .args(["--retry-base", "200ms"])
        // Every remote host of the ingest run posts from 127.0.0.1: the per-address budget (2,400 a
        // minute, meant for unverified junk from one address) would measure the limiter.
        .args(["--inbox-per-ip-per-minute", "100000000"]);
    if std::env::var_os("RUST_LOG").is_none() {
        // The default filter logs one line per published event and delivery problem: keep it, as a
        // deployment would, but not sqlx's statement logging.
        command.env("RUST_LOG", "info,sqlx=warn");
    }
    command.env_remove("DATABASE_URL");
    Process::spawn(command, port, "/healthz", Some(log)).await
}

/// Starts the bare axum baseline (this executable, hidden subcommand) serving fixed JSON bodies of
/// `sizes` bytes at `/fixed/{i}`.
pub async fn start_baseline(sizes: &[usize]) -> anyhow::Result<Process> {
    let port = free_port()?;
    let me = std::env::current_exe().context("locating this executable")?;
    let mut command = tokio::process::Command::new(me);
    command
        .arg("baseline-server")
        .args(["--port", &port.to_string()]);
    for size in sizes {
        command.args(["--size", &size.to_string()]);
    }
    Process::spawn(command, port, "/healthz", None).await
}
