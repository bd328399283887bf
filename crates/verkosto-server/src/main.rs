//! `verkosto`: the reference server. One instance for a space, a company community or a network.

use std::io::Read;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};
use serde::Deserialize;
use verkosto::{Settings, Verkosto, model::InstanceFollowPolicy, service::NewAccount, store::Db};

#[derive(Parser)]
#[command(
    name = "verkosto",
    version,
    about = "Communities, their managers and their events on the fediverse"
)]
struct Cli {
    #[command(flatten)]
    common: Common,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Args, Clone)]
struct Common {
    /// Database: sqlite://FILE (created on first start) or postgres://...
    #[arg(long, env = "DATABASE_URL", global = true)]
    database_url: Option<String>,
    /// Public host[:port] used in every ActivityPub id.
    #[arg(long, env = "VERKOSTO_DOMAIN", global = true)]
    domain: Option<String>,
    /// Allow http:// and loopback peers (tests and local trials only).
    #[arg(long, env = "VERKOSTO_DEV_FEDERATION", global = true)]
    dev_federation: bool,
    /// A TOML file with the same settings (flags and environment win).
    #[arg(long, env = "VERKOSTO_CONFIG", global = true)]
    config: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the instance (the default).
    Serve(Box<ServeArgs>),
    /// Apply database migrations and exit.
    Migrate,
    /// Manage accounts.
    #[command(subcommand)]
    Account(AccountCommand),
    /// Show the delivery queue.
    #[command(subcommand)]
    Queue(QueueCommand),
    /// Block or unblock other instances.
    #[command(subcommand)]
    Domain(DomainCommand),
    /// Subscribe the instance to relays and other instances (their public events fill the
    /// instance calendar, /instance/calendar).
    #[command(subcommand)]
    Relay(RelayCommand),
}

#[derive(Subcommand)]
enum RelayCommand {
    /// Follow a relay or an instance: a relay's inbox URL (Mastodon-style relays, sent a Follow of
    /// the Public collection) or an actor URL (LitePub relays, Gancio or Mobilizon instance actors).
    /// A running server receives the answer; `relay list` shows it.
    Add { url: String },
    /// Stop following (sends Undo{Follow}).
    Remove { url: String },
    /// List subscriptions and their state (pending, accepted, rejected).
    List,
}

#[derive(Subcommand)]
enum DomainCommand {
    /// Block a domain and its subdomains: nothing is accepted from, fetched from or delivered to it.
    Block {
        host: String,
        #[arg(long)]
        reason: Option<String>,
    },
    /// Lift a block.
    Unblock { host: String },
    /// List blocks.
    List,
}

#[derive(Args, Default)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "VERKOSTO_BIND")]
    bind: Option<SocketAddr>,
    /// First retry delay of a failed delivery, e.g. 60s or 200ms.
    #[arg(long, env = "VERKOSTO_RETRY_BASE", value_parser = parse_duration)]
    retry_base: Option<Duration>,
    /// Timeout of one outgoing request, e.g. 10s.
    #[arg(long, env = "VERKOSTO_REQUEST_TIMEOUT", value_parser = parse_duration)]
    request_timeout: Option<Duration>,
    /// How long after a participant count changes the event's Update goes out (coalescing), e.g. 5s.
    #[arg(long, env = "VERKOSTO_EVENT_UPDATE_DELAY", value_parser = parse_duration)]
    event_update_delay: Option<Duration>,
    /// Memory for rendered public documents (actors, events, feeds) served without the database, in
    /// MiB; 0 turns the cache off.
    #[arg(long, env = "VERKOSTO_DOCUMENT_CACHE_MB")]
    document_cache_mb: Option<u64>,
    /// Inbox posts a minute from one client address, before their signatures are checked.
    #[arg(long, env = "VERKOSTO_INBOX_PER_IP_PER_MINUTE")]
    inbox_per_ip_per_minute: Option<u32>,
    /// Inbox posts a minute signed by the actors of one host.
    #[arg(long, env = "VERKOSTO_INBOX_PER_HOST_PER_MINUTE")]
    inbox_per_host_per_minute: Option<u32>,
    /// Days the impact figures keep who followed, reacted, cancelled or answered (then pseudonymised;
    /// the counts stay). Default 730.
    #[arg(long, env = "VERKOSTO_PERSONAL_DATA_DAYS")]
    personal_data_days: Option<u64>,
    /// How many next occurrences of a recurring series exist as events (default 8, within
    /// `--series-horizon-days`).
    #[arg(long, env = "VERKOSTO_SERIES_HORIZON_COUNT")]
    series_horizon_count: Option<usize>,
    /// How many days ahead a recurring series' occurrences are made (default 90).
    #[arg(long, env = "VERKOSTO_SERIES_HORIZON_DAYS")]
    series_horizon_days: Option<u32>,
    /// Deliveries in flight at once.
    #[arg(long, env = "VERKOSTO_DELIVERY_WORKERS")]
    delivery_workers: Option<usize>,
    /// Deliveries claimed at once for one receiving host (in flight or waiting for a worker).
    #[arg(long, env = "VERKOSTO_WORKERS_PER_HOST")]
    workers_per_host: Option<usize>,
    /// How long a host may fail before it is only probed now and then, e.g. 3d or 72h.
    #[arg(long, env = "VERKOSTO_UNAVAILABLE_AFTER", value_parser = parse_duration)]
    unavailable_after: Option<Duration>,
    /// How long a failing delivery is retried before it is given up, e.g. 14d.
    #[arg(long, env = "VERKOSTO_RETRY_WINDOW", value_parser = parse_duration)]
    retry_window: Option<Duration>,
    /// Let anyone create an account through the API.
    #[arg(long, env = "VERKOSTO_OPEN_REGISTRATION")]
    open_registration: bool,
    /// Reverse proxies whose X-Forwarded-For / Forwarded is believed, comma-separated addresses or
    /// networks (e.g. 127.0.0.1,10.0.0.0/8). Default: none.
    #[arg(long, env = "VERKOSTO_TRUSTED_PROXIES", value_delimiter = ',', value_parser = parse_proxy)]
    trusted_proxies: Option<Vec<ipnet::IpNet>>,
    /// What a Follow of the instance actor gets (other instances and relays subscribing to every
    /// public event of this instance's communities): open, approval (the default: an administrator
    /// decides through the admin API) or closed.
    #[arg(long, env = "VERKOSTO_INSTANCE_FOLLOWS")]
    instance_follows: Option<InstanceFollowPolicy>,
    /// Company sign-in: the OpenID Connect issuer people sign in with (with --oidc-client-id and the
    /// secret in VERKOSTO_OIDC_CLIENT_SECRET). Its redirect URI is https://DOMAIN/auth/oidc/callback.
    #[arg(long, env = "VERKOSTO_OIDC_ISSUER")]
    oidc_issuer: Option<url::Url>,
    /// This instance's client id at the OpenID provider.
    #[arg(long, env = "VERKOSTO_OIDC_CLIENT_ID")]
    oidc_client_id: Option<String>,
    /// The client secret (better given in the environment or the file than on the command line).
    #[arg(long, env = "VERKOSTO_OIDC_CLIENT_SECRET", hide_env_values = true)]
    oidc_client_secret: Option<String>,
    /// What the sign-in button names (the company's name).
    #[arg(long, env = "VERKOSTO_OIDC_NAME")]
    oidc_name: Option<String>,
    /// Turn password login off (people sign in through the OpenID provider only).
    #[arg(long, env = "VERKOSTO_NO_PASSWORD_LOGIN")]
    no_password_login: bool,
    /// E-mail for people without a fediverse account and for notices: smtps://user:pass@host:465
    /// (TLS), smtp://user:pass@host:587?tls=required (STARTTLS) or smtp://host:25 (plain, a relay on
    /// this machine). Without it, participation by e-mail and notices are not offered.
    #[arg(long, env = "VERKOSTO_SMTP_URL", hide_env_values = true)]
    smtp_url: Option<String>,
    /// The SMTP user, when not in the URL (the password in VERKOSTO_SMTP_PASSWORD).
    #[arg(long, env = "VERKOSTO_SMTP_USER")]
    smtp_user: Option<String>,
    /// The SMTP password, when not in the URL.
    #[arg(long, env = "VERKOSTO_SMTP_PASSWORD", hide_env_values = true)]
    smtp_password: Option<String>,
    /// The sender of e-mail: "Kahvila <verkosto@kahvila.example>" (needed with --smtp-url).
    #[arg(long, env = "VERKOSTO_MAIL_FROM")]
    mail_from: Option<String>,
}

#[derive(Subcommand)]
enum AccountCommand {
    /// Create an account; the password is read from standard input.
    Create {
        #[arg(long)]
        username: String,
        /// Read the password from standard input (required: passwords never go on the command line).
        #[arg(long, required = true)]
        password_stdin: bool,
        /// Make the account an instance administrator.
        #[arg(long)]
        admin: bool,
    },
}

#[derive(Subcommand)]
enum QueueCommand {
    /// Pending deliveries per receiving host.
    Status,
}

/// `verkosto.toml`: every key optional.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    bind: Option<SocketAddr>,
    domain: Option<String>,
    database_url: Option<String>,
    dev_federation: Option<bool>,
    open_registration: Option<bool>,
    retry_base: Option<String>,
    request_timeout: Option<String>,
    event_update_delay: Option<String>,
    document_cache_mb: Option<u64>,
    inbox_per_ip_per_minute: Option<u32>,
    inbox_per_host_per_minute: Option<u32>,
    personal_data_days: Option<u64>,
    series_horizon_count: Option<usize>,
    series_horizon_days: Option<u32>,
    delivery_workers: Option<usize>,
    workers_per_host: Option<usize>,
    unavailable_after: Option<String>,
    retry_window: Option<String>,
    trusted_proxies: Option<Vec<String>>,
    instance_follows: Option<InstanceFollowPolicy>,
    oidc_issuer: Option<url::Url>,
    oidc_client_id: Option<String>,
    oidc_client_secret: Option<String>,
    oidc_name: Option<String>,
    /// `[[oidc_rules]] email_domain = "intunex.fi"`, `community = "sisainen"`.
    oidc_rules: Option<Vec<verkosto::service::MembershipRule>>,
    password_login: Option<bool>,
    smtp_url: Option<String>,
    smtp_user: Option<String>,
    smtp_password: Option<String>,
    mail_from: Option<String>,
}

/// One trusted proxy: an address (`10.0.0.2`) or a network (`10.0.0.0/8`).
fn parse_proxy(raw: &str) -> Result<ipnet::IpNet, String> {
    let raw = raw.trim();
    raw.parse::<ipnet::IpNet>()
        .or_else(|_| raw.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
        .map_err(|_| format!("{raw:?} is not an IP address or network like 10.0.0.0/8"))
}

fn parse_duration(raw: &str) -> Result<Duration, String> {
    let raw = raw.trim();
    let split = raw.find(|c: char| !c.is_ascii_digit()).unwrap_or(raw.len());
    let (number, unit) = raw.split_at(split);
    let n: u64 = number
        .parse()
        .map_err(|_| format!("{raw:?} is not a duration like 200ms, 30s, 5m, 2h or 3d"))?;
    Ok(match unit {
        "ms" => Duration::from_millis(n),
        "s" | "" => Duration::from_secs(n),
        "m" => Duration::from_secs(n * 60),
        "h" => Duration::from_secs(n * 3600),
        "d" => Duration::from_secs(n * 24 * 3600),
        _ => {
            return Err(format!(
                "unknown unit {unit:?} in {raw:?}: use ms, s, m, h or d"
            ));
        }
    })
}

struct Resolved {
    database_url: String,
    settings: Settings,
    bind: SocketAddr,
}

fn resolve(common: &Common, serve: &ServeArgs) -> anyhow::Result<Resolved> {
    let file: FileConfig = match &common.config {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))?
        }
        None => FileConfig::default(),
    };
    let domain = common
        .domain
        .clone()
        .or(file.domain)
        .unwrap_or_else(|| "localhost:8080".into());
    let mut settings = Settings::new(domain);
    settings.dev_federation = common.dev_federation || file.dev_federation.unwrap_or(false);
    settings.open_registration = serve.open_registration || file.open_registration.unwrap_or(false);
    if let Some(d) = serve.retry_base.or(file
        .retry_base
        .as_deref()
        .map(parse_duration)
        .transpose()
        .map_err(anyhow::Error::msg)?)
    {
        settings.retry_base = d;
    }
    if let Some(d) = serve.event_update_delay.or(file
        .event_update_delay
        .as_deref()
        .map(parse_duration)
        .transpose()
        .map_err(anyhow::Error::msg)?)
    {
        settings.event_update_delay = d;
    }
    if let Some(d) = serve.request_timeout.or(file
        .request_timeout
        .as_deref()
        .map(parse_duration)
        .transpose()
        .map_err(anyhow::Error::msg)?)
    {
        settings.request_timeout = d;
    }
    if let Some(mb) = serve.document_cache_mb.or(file.document_cache_mb) {
        settings.document_cache_bytes = mb.saturating_mul(1024 * 1024);
    }
    if let Some(n) = serve
        .inbox_per_ip_per_minute
        .or(file.inbox_per_ip_per_minute)
    {
        settings.inbox_per_ip_per_minute = n.max(1);
    }
    if let Some(n) = serve
        .inbox_per_host_per_minute
        .or(file.inbox_per_host_per_minute)
    {
        settings.inbox_per_host_per_minute = n.max(1);
    }
    if let Some(days) = serve.personal_data_days.or(file.personal_data_days) {
        settings.personal_data_retention = std::time::Duration::from_secs(days.max(1) * 24 * 3600);
    }
    if let Some(n) = serve.series_horizon_count.or(file.series_horizon_count) {
        settings.series_horizon_count = n.clamp(1, 100);
    }
    if let Some(days) = serve.series_horizon_days.or(file.series_horizon_days) {
        settings.series_horizon_days = days.clamp(1, 3660);
    }
    if let Some(n) = serve.delivery_workers.or(file.delivery_workers) {
        settings.delivery_workers = n.max(1);
    }
    if let Some(n) = serve.workers_per_host.or(file.workers_per_host) {
        settings.workers_per_host = n.max(1);
    }
    if let Some(d) = serve.unavailable_after.or(file
        .unavailable_after
        .as_deref()
        .map(parse_duration)
        .transpose()
        .map_err(anyhow::Error::msg)?)
    {
        settings.unavailable_after = d;
    }
    if let Some(d) = serve.retry_window.or(file
        .retry_window
        .as_deref()
        .map(parse_duration)
        .transpose()
        .map_err(anyhow::Error::msg)?)
    {
        settings.retry_window = d;
    }
    if let Some(proxies) = serve.trusted_proxies.clone() {
        settings.trusted_proxies = proxies;
    } else if let Some(proxies) = &file.trusted_proxies {
        settings.trusted_proxies = proxies
            .iter()
            .map(|p| parse_proxy(p))
            .collect::<Result<_, _>>()
            .map_err(anyhow::Error::msg)?;
    }
    if let Some(policy) = serve.instance_follows.or(file.instance_follows) {
        settings.instance_follow_policy = policy;
    }
    let issuer = serve.oidc_issuer.clone().or(file.oidc_issuer);
    if let Some(issuer) = issuer {
        let missing = |what: &str| anyhow::anyhow!("--oidc-issuer needs {what}");
        settings.oidc = Some(verkosto::service::OidcSettings {
            client_id: serve
                .oidc_client_id
                .clone()
                .or(file.oidc_client_id)
                .ok_or_else(|| missing("--oidc-client-id"))?,
            client_secret: serve
                .oidc_client_secret
                .clone()
                .or(file.oidc_client_secret)
                .ok_or_else(|| missing("VERKOSTO_OIDC_CLIENT_SECRET"))?,
            name: serve
                .oidc_name
                .clone()
                .or(file.oidc_name)
                .unwrap_or_else(|| issuer.host_str().unwrap_or("OpenID").to_string()),
            rules: file.oidc_rules.unwrap_or_default(),
            issuer,
        });
    }
    if let Some(smtp_url) = serve.smtp_url.clone().or(file.smtp_url) {
        let user = serve.smtp_user.clone().or(file.smtp_user);
        let password = serve.smtp_password.clone().or(file.smtp_password);
        settings.mail = Some(verkosto::service::MailSettings {
            smtp_url,
            credentials: match (user, password) {
                (Some(u), Some(p)) => Some((u, p)),
                (None, None) => None,
                _ => anyhow::bail!("--smtp-user and VERKOSTO_SMTP_PASSWORD go together"),
            },
            from: serve
                .mail_from
                .clone()
                .or(file.mail_from)
                .ok_or_else(|| anyhow::anyhow!("--smtp-url needs --mail-from"))?,
        });
    }
    settings.password_login = !serve.no_password_login && file.password_login.unwrap_or(true);
    if !settings.password_login && settings.oidc.is_none() {
        anyhow::bail!(
            "password login can be turned off only with a company sign-in (--oidc-issuer)"
        );
    }
    let default_bind: SocketAddr = ([127, 0, 0, 1], 8080).into();
    Ok(Resolved {
        database_url: common
            .database_url
            .clone()
            .or(file.database_url)
            .unwrap_or_else(|| "sqlite://verkosto.db".into()),
        settings,
        bind: serve.bind.or(file.bind).unwrap_or(default_bind),
    })
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .init();
    let cli = Cli::parse();
    match cli.command.unwrap_or(Command::Serve(Box::default())) {
        Command::Serve(args) => serve(resolve(&cli.common, &args)?).await,
        Command::Migrate => {
            let r = resolve(&cli.common, &ServeArgs::default())?;
            let db = Db::connect(&r.database_url).await?;
            db.migrate().await?;
            println!("migrations applied to the {} database", db.backend_name());
            Ok(())
        }
        Command::Account(AccountCommand::Create {
            username,
            password_stdin,
            admin,
        }) => {
            if !password_stdin {
                bail!("--password-stdin is required");
            }
            let mut password = String::new();
            std::io::stdin()
                .read_to_string(&mut password)
                .context("reading the password from standard input")?;
            let password = password.trim_end_matches(['\n', '\r']).to_string();
            let r = resolve(&cli.common, &ServeArgs::default())?;
            let verkosto = Verkosto::open(&r.database_url, r.settings).await?;
            let account = verkosto
                .create_account(NewAccount {
                    username,
                    password,
                    is_admin: admin,
                })
                .await?;
            println!(
                "created {} (@{}@{})",
                if account.is_admin { "admin" } else { "account" },
                account.username,
                verkosto.settings().domain
            );
            Ok(())
        }
        Command::Domain(cmd) => {
            let r = resolve(&cli.common, &ServeArgs::default())?;
            let verkosto = Verkosto::open(&r.database_url, r.settings).await?;
            match cmd {
                DomainCommand::Block { host, reason } => {
                    let b = verkosto
                        .block_domain_unchecked(&host, reason.as_deref())
                        .await?;
                    println!(
                        "blocked {} (running servers pick it up within a minute)",
                        b.host
                    );
                }
                DomainCommand::Unblock { host } => {
                    verkosto.unblock_domain(None, &host).await?;
                    println!("unblocked {host}");
                }
                DomainCommand::List => {
                    for b in verkosto.domain_blocks(None).await? {
                        println!(
                            "{:<40} since {}  {}",
                            b.host,
                            b.created_at,
                            b.reason.unwrap_or_default()
                        );
                    }
                }
            }
            Ok(())
        }
        Command::Relay(cmd) => {
            let r = resolve(&cli.common, &ServeArgs::default())?;
            let verkosto = Verkosto::open(&r.database_url, r.settings).await?;
            match cmd {
                RelayCommand::Add { url } => {
                    let relay = verkosto.add_relay(None, &url).await?;
                    // The Follow waits in the delivery queue; a running server sends it.
                    println!("following {} ({})", relay.url, relay.state);
                }
                RelayCommand::Remove { url } => {
                    verkosto.remove_relay(None, &url).await?;
                    println!("no longer following {url}");
                }
                RelayCommand::List => {
                    for relay in verkosto.relays(None).await? {
                        println!(
                            "{:<50} {:<9} {}  since {}",
                            relay.url.as_str(),
                            relay.state.as_str(),
                            if relay.follows_public {
                                "relay (Public)"
                            } else {
                                "actor"
                            },
                            relay.created_at.format("%Y-%m-%dT%H:%M:%SZ")
                        );
                    }
                }
            }
            Ok(())
        }
        Command::Queue(QueueCommand::Status) => {
            let r = resolve(&cli.common, &ServeArgs::default())?;
            let db = Db::connect(&r.database_url).await?;
            db.migrate().await?;
            let hosts = verkosto::store::deliveries::status(&db).await?;
            if hosts.is_empty() {
                println!("the delivery queue is empty");
            }
            const TIME: &str = "%Y-%m-%dT%H:%M:%SZ";
            for h in hosts {
                // "retrying": deliveries that failed at least once; "failing since": when the host
                // stopped answering (`-` while it answers).
                println!(
                    "{:<40} pending {:>6}  retrying {:>6}  oldest {}  failing since {}",
                    h.host,
                    h.pending,
                    h.failing,
                    h.oldest.format(TIME),
                    h.failing_since
                        .map_or_else(|| "-".to_string(), |t| t.format(TIME).to_string())
                );
            }
            Ok(())
        }
    }
}

async fn serve(r: Resolved) -> anyhow::Result<()> {
    let verkosto = Verkosto::open(&r.database_url, r.settings)
        .await
        .context("opening the database")?;
    let listener = tokio::net::TcpListener::bind(r.bind)
        .await
        .with_context(|| format!("binding {}", r.bind))?;
    tracing::info!(
        bind = %r.bind,
        domain = %verkosto.settings().domain,
        database = verkosto.db().backend_name(),
        "verkosto is serving"
    );
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let mut workers_stop = stop_rx.clone();
    let workers = verkosto.spawn_delivery_workers(async move {
        let _ = workers_stop.wait_for(|s| *s).await;
    });
    let app = verkosto::http::router(verkosto.clone());
    // The peer address feeds the per-IP rate limit of the client API.
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        shutdown_signal().await;
        tracing::info!("shutting down");
        let _ = stop_tx.send(true);
    })
    .await?;
    let _ = workers.await;
    verkosto.db().close().await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}
