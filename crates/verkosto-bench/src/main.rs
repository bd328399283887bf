//! `verkosto-bench`: benchmarks of the real `verkosto` binary on loopback, each against a baseline
//! measured in the same run on the same machine. See BENCHMARKS.md for what is measured and how to run.
//!
//! `cargo run --release -p verkosto-bench` runs everything on SQLite (and on PostgreSQL too when
//! `DATABASE_URL` is set), prints a Markdown table and writes the figures as JSON. `--smoke` runs every
//! scenario with tiny sizes in seconds, to keep the tool working; it fails only when something is
//! broken, never on a missed target.

mod baseline;
mod load;
mod remote;
mod report;
mod scenarios;
mod seed;
mod server;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "verkosto-bench",
    about = "Benchmarks of the verkosto server on loopback"
)]
struct Cli {
    /// Tiny sizes, seconds in all: checks that every scenario works, not how fast.
    #[arg(long)]
    smoke: bool,
    /// Also run every scenario on PostgreSQL; a fresh database is created on that server and dropped.
    #[arg(long, env = "DATABASE_URL")]
    database_url: Option<String>,
    /// Where to write the figures as JSON.
    #[arg(long, default_value = "bench.json")]
    out: PathBuf,
    /// The `verkosto` binary (default: next to this tool, built first when run through cargo).
    #[arg(long)]
    server_bin: Option<PathBuf>,
    /// A command put before the server, for profiling, e.g. "perf record -g -o perf.data --" or
    /// "valgrind --tool=callgrind".
    #[arg(long)]
    server_prefix: Option<String>,
    /// Only these scenarios (comma-separated): footprint, read, ingest, fanout, calendar.
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// Only this backend: sqlite or postgres.
    #[arg(long)]
    backend: Option<String>,
    /// Keep the server logs (in this directory) instead of a temporary one.
    #[arg(long)]
    logs: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Internal>,
}

#[derive(Subcommand)]
enum Internal {
    /// The bare axum baseline server (started by the tool itself).
    #[command(hide = true)]
    BaselineServer {
        #[arg(long)]
        port: u16,
        #[arg(long)]
        size: Vec<usize>,
    },
}

/// The sizes of a run.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Plan {
    /// Whether this is the smoke run.
    pub smoke: bool,
    /// Concurrent connections of the read path.
    pub connections: usize,
    /// Length of one measured read round.
    pub read_round: Duration,
    /// Alternating rounds (ours, baseline) per endpoint; the median is reported.
    pub read_rounds: usize,
    /// Fresh-database starts measured (the median is reported).
    pub startups: usize,
    /// Signed activities posted in the ingest run.
    pub ingest_activities: usize,
    /// Remote hosts sending them.
    pub remote_hosts: usize,
    /// Actors per remote host.
    pub actors_per_host: usize,
    /// Follower inbox counts of the fan-out runs.
    pub fanout: Vec<usize>,
    /// Sink hosts the inboxes are spread over.
    pub sink_hosts: usize,
    /// Member communities of the calendar network.
    pub network_members: usize,
    /// Upcoming events of the calendar network.
    pub network_events: usize,
    /// Timed requests per calendar (the median is reported).
    pub calendar_requests: usize,
    /// How long each raw crypto rate is measured.
    pub crypto_time: Duration,
}

impl Plan {
    fn new(smoke: bool) -> Plan {
        if smoke {
            Plan {
                smoke,
                connections: 8,
                read_round: Duration::from_millis(200),
                read_rounds: 1,
                startups: 1,
                ingest_activities: 100,
                remote_hosts: 4,
                actors_per_host: 2,
                fanout: vec![20],
                sink_hosts: 4,
                network_members: 5,
                network_events: 50,
                calendar_requests: 1,
                crypto_time: Duration::from_millis(100),
            }
        } else {
            Plan {
                smoke,
                connections: 64,
                read_round: Duration::from_secs(3),
                read_rounds: 3,
                startups: 3,
                ingest_activities: 20_000,
                remote_hosts: 64,
                actors_per_host: 4,
                fanout: vec![1_000, 10_000],
                sink_hosts: 50,
                network_members: 100,
                network_events: 10_000,
                calendar_requests: 7,
                crypto_time: Duration::from_secs(1),
            }
        }
    }

    /// Events to seed for ingest: one per `Join`, because an accepted `Join` also sends an `Update` (the
    /// participant count) to every participant of the event, so joins piling onto one event would
    /// measure that fan-out (see BENCHMARKS.md), not ingest.
    pub fn ingest_events(&self) -> usize {
        (self.ingest_activities / 2).max(1)
    }
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    if let Some(Internal::BaselineServer { port, size }) = cli.command {
        return runtime.block_on(baseline::serve(port, size));
    }
    let started = Instant::now();
    let code = runtime.block_on(run(cli))?;
    eprintln!("benchmark took {:.1} s", started.elapsed().as_secs_f64());
    std::process::exit(code);
}

async fn run(cli: Cli) -> anyhow::Result<i32> {
    let plan = Plan::new(cli.smoke);
    let bin = server::locate_server(cli.server_bin.clone())?;
    let prefix: Vec<String> = cli
        .server_prefix
        .as_deref()
        .map(|p| p.split_whitespace().map(str::to_string).collect())
        .unwrap_or_default();
    let wanted = |s: &str| cli.only.is_empty() || cli.only.iter().any(|o| o == s);
    let logs = match &cli.logs {
        Some(dir) => {
            std::fs::create_dir_all(dir)?;
            None
        }
        None => Some(tempfile::tempdir()?),
    };
    let log_dir = cli
        .logs
        .clone()
        .or_else(|| logs.as_ref().map(|d| d.path().to_path_buf()))
        .unwrap_or_default();

    let mut backends = vec![];
    if cli.backend.as_deref().is_none_or(|b| b == "sqlite") {
        backends.push(scenarios::Backend::Sqlite);
    }
    match (&cli.database_url, cli.backend.as_deref()) {
        (Some(url), None | Some("postgres")) if url.starts_with("postgres") => {
            backends.push(scenarios::Backend::Postgres(url.clone()));
        }
        (_, Some("postgres")) => anyhow::bail!("--backend postgres needs DATABASE_URL"),
        _ => eprintln!("PostgreSQL skipped: DATABASE_URL is not set"),
    }

    eprintln!(
        "{} run: server {}; {} cores",
        if plan.smoke { "smoke" } else { "full" },
        bin.display(),
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    let env = scenarios::Env::start(&plan, bin, prefix, log_dir).await?;
    let mut results = report::Results::default();
    for backend in &backends {
        let t = Instant::now();
        if let Err(e) = scenarios::run_backend(&env, backend, &plan, &wanted, &mut results).await {
            results.problems.push(format!("{}: {e:#}", backend.name()));
        }
        eprintln!(
            "{} done in {:.1} s",
            backend.name(),
            t.elapsed().as_secs_f64()
        );
    }
    let table = report::markdown(&results.rows);
    println!("{table}");
    for p in &results.problems {
        println!("PROBLEM: {p}");
    }
    report::write_json(&cli.out, &plan, &results)?;
    eprintln!("figures written to {}", cli.out.display());
    drop(logs);
    Ok(if results.problems.is_empty() { 0 } else { 1 })
}
