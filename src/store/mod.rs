//! Storage on SQLite (the embedded default) and PostgreSQL, behind one interface.
//!
//! Public (and hidden from the docs) for the reference server's operator commands (queue status) and
//! for the test suite, which sets up and inspects state through it; it is not part of the embedding
//! surface and changes with any release. An embedder passes a [`Db`] to `Verkosto::with_db` and
//! calls [`Db::migrate`]; nothing else here is meant for them.
//!
//! # Why one SQL text through two concrete drivers
//!
//! Every query is written once, in the SQL both databases understand (`$1` placeholders, `RETURNING`,
//! `ON CONFLICT`), and run through sqlx's real SQLite or PostgreSQL driver by the `on_conn!` macro, which
//! expands the same code once per backend. We chose this over the alternatives deliberately:
//!
//! - sqlx's `Any` driver passes the same text through, but has no chrono, JSON or UUID types, so every
//!   timestamp would turn into strings by hand;
//! - a query builder (sea-query) renders per dialect, but hides the SQL a reader wants to see and adds a
//!   layer for queries that are, in this schema, already portable.
//!
//! The few places where the dialects truly differ (row locking in the delivery queue) match on [`Db`]
//! explicitly. Each aggregate has its own module with free functions taking a [`Conn`], so the same
//! function runs on a pooled connection or inside a service's transaction.

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::{Arc, LazyLock, Mutex, Weak};
use std::time::Duration;

use chrono::{DateTime, SubsecRound, Utc};
use sqlx::{
    PgConnection, PgPool, SqliteConnection, SqlitePool,
    postgres::{PgConnectOptions, PgPoolOptions},
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};

use crate::error::{Error, Result};

pub mod accounts;
pub mod announcements;
pub mod authors;
pub mod bans;
pub mod blocks;
pub mod calendar_imports;
pub mod calendars;
pub mod changes;
pub mod communities;
pub mod community_rules;
pub mod deliveries;
pub mod events;
pub mod follows;
pub mod guests;
pub mod insights;
pub mod instance;
pub mod invitations;
pub mod mail;
mod migrate;
pub mod networks;
pub mod outbox;
pub mod polls;
pub mod received;
pub mod relays;
pub mod remote_actors;
pub mod series;
pub mod signature_styles;

/// Runs `$body` with `$c` bound to the concrete connection (`&mut SqliteConnection` or
/// `&mut PgConnection`) of a [`Conn`].
macro_rules! on_conn {
    ($conn:expr, $c:ident => $body:expr) => {
        match $conn {
            $crate::store::Conn::Sqlite($c) => $body,
            $crate::store::Conn::Postgres($c) => $body,
        }
    };
}
pub(crate) use on_conn;

/// A connection pool on one of the two supported databases.
#[derive(Clone, Debug)]
pub enum Db {
    /// An SQLite file (WAL mode).
    Sqlite(SqlitePool),
    /// A PostgreSQL database.
    Postgres(PgPool),
}

/// A borrowed connection of either backend; every store function takes one.
pub enum Conn<'c> {
    /// SQLite.
    Sqlite(&'c mut SqliteConnection),
    /// PostgreSQL.
    Postgres(&'c mut PgConnection),
}

/// A transaction of either backend. Dropped without [`Tx::commit`], it rolls back.
pub struct Tx {
    inner: TxInner,
    /// Moved after the commit: what public documents show may have changed.
    changes: changes::Changes,
    /// SQLite: this process's turn to write, held until the transaction ends (see [`write_turns`]).
    _turn: Option<tokio::sync::OwnedSemaphorePermit>,
}

enum TxInner {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

/// A pooled connection of either backend.
pub enum PooledConn {
    /// SQLite.
    Sqlite(sqlx::pool::PoolConnection<sqlx::Sqlite>),
    /// PostgreSQL.
    Postgres(sqlx::pool::PoolConnection<sqlx::Postgres>),
}

impl Tx {
    /// The transaction's connection, for store functions.
    pub fn conn(&mut self) -> Conn<'_> {
        match &mut self.inner {
            TxInner::Sqlite(tx) => Conn::Sqlite(&mut *tx),
            TxInner::Postgres(tx) => Conn::Postgres(&mut *tx),
        }
    }

    /// Makes the transaction's changes durable.
    pub async fn commit(self) -> Result<()> {
        match self.inner {
            TxInner::Sqlite(tx) => tx.commit().await?,
            TxInner::Postgres(tx) => tx.commit().await?,
        }
        // After the commit, never before: a reader that takes the new value reads what was committed.
        self.changes.changed();
        Ok(())
    }
}

impl PooledConn {
    /// The connection, for store functions.
    pub fn conn(&mut self) -> Conn<'_> {
        match self {
            PooledConn::Sqlite(c) => Conn::Sqlite(&mut *c),
            PooledConn::Postgres(c) => Conn::Postgres(&mut *c),
        }
    }
}

/// How long a statement waits for SQLite's write lock before failing with "database is locked".
const SQLITE_LOCK_WAIT: Duration = Duration::from_secs(10);

/// Replaces SQLite's default busy handler, which sleeps 1, 2, 5, 10 ... up to 100 ms between tries,
/// with short waits: SQLite has one writer at a time, and a transaction holds the lock for about a
/// millisecond here, so under concurrent writes (an inbox taking thousands of activities a second)
/// the default sleeps made each write wait milliseconds for a lock free long before. Runs on sqlx's
/// worker thread of the connection, where sleeping blocks nothing else.
fn set_short_busy_waits(db: std::ptr::NonNull<libsqlite3_sys::sqlite3>) {
    extern "C" fn busy(_: *mut std::ffi::c_void, tries: std::ffi::c_int) -> std::ffi::c_int {
        // 50 µs steps for the first 20 ms, then 1 ms steps, up to SQLITE_LOCK_WAIT in all.
        const SHORT_TRIES: i64 = 400;
        let short = Duration::from_micros(50);
        let tries = i64::from(tries);
        let waited = short * (tries.min(SHORT_TRIES) as u32)
            + Duration::from_millis((tries - SHORT_TRIES).max(0) as u64);
        if waited >= SQLITE_LOCK_WAIT {
            return 0;
        }
        std::thread::sleep(if tries < SHORT_TRIES {
            short
        } else {
            Duration::from_millis(1)
        });
        1
    }
    // SAFETY: `db` is the open connection sqlx hands to `after_connect` (its handle is locked for
    // us); the handler is a plain function that touches no SQLite state and needs no user data.
    unsafe {
        libsqlite3_sys::sqlite3_busy_handler(db.as_ptr(), Some(busy), std::ptr::null_mut());
    }
}

/// The turns this process's write transactions on one SQLite database take, one at a time, before
/// `BEGIN IMMEDIATE` (shared by every pool opened on it in this process). SQLite lets one connection
/// write at a time; without turns, every waiting writer held a pooled connection and polled the lock
/// from its thread (sleeps of 50 us, see [`set_short_busy_waits`]), so under a burst of inbox posts
/// the readers those same requests need waited for a connection too. Waiting here costs no
/// connection and no thread, and the next writer is woken when the lock is free. Other processes on
/// the same file still meet at SQLite's lock.
fn write_turns(identity: &str) -> Arc<tokio::sync::Semaphore> {
    static TURNS: LazyLock<Mutex<HashMap<String, Weak<tokio::sync::Semaphore>>>> =
        LazyLock::new(Mutex::default);
    let mut turns = TURNS.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(turn) = turns.get(identity).and_then(Weak::upgrade) {
        return turn;
    }
    turns.retain(|_, t| t.strong_count() > 0);
    let turn = Arc::new(tokio::sync::Semaphore::new(1));
    turns.insert(identity.to_owned(), Arc::downgrade(&turn));
    turn
}

/// What names one SQLite database for its change counter: its file.
fn sqlite_identity(options: &SqliteConnectOptions) -> String {
    format!("sqlite:{}", options.get_filename().display())
}

impl Db {
    /// Connects to `url`: `sqlite://path` (created if missing) or `postgres://...`.
    pub async fn connect(url: &str) -> Result<Db> {
        if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)
                .map_err(|e| Error::BadRequest(format!("invalid SQLite URL {url:?}: {e}")))?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(SQLITE_LOCK_WAIT);
            let changes = changes::Changes::of(&sqlite_identity(&options));
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                .after_connect(move |conn, _| {
                    let changes = changes.clone();
                    Box::pin(async move {
                        let mut handle = conn.lock_handle().await?;
                        set_short_busy_waits(handle.as_raw_handle());
                        handle.set_update_hook(move |change| {
                            if changes::is_watched(change.table) {
                                changes.changed();
                            }
                        });
                        Ok(())
                    })
                })
                .connect_with(options)
                .await?;
            Ok(Db::Sqlite(pool))
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let options = PgConnectOptions::from_str(url)
                .map_err(|e| Error::BadRequest(format!("invalid PostgreSQL URL: {e}")))?;
            Self::connect_postgres(options).await
        } else {
            Err(Error::BadRequest(format!(
                "unsupported database URL {url:?}: use sqlite://FILE or postgres://..."
            )))
        }
    }

    /// Connects to PostgreSQL with explicit options (for example a `search_path` per test).
    ///
    /// Sessions run with PostgreSQL's JIT compilation off, unless `options` already set `jit`.
    pub async fn connect_postgres(options: PgConnectOptions) -> Result<Db> {
        // A list's estimated cost grows with its correlated counts, and past `jit_above_cost` PostgreSQL
        // compiled it first: 546 ms of compiling for the network feed's 60 ms of work, 36 ms for an API
        // page's 5 (`auto_explain`, in the bench after its ingest). Our statements are short; none
        // runs long enough to win the compile back.
        let sets_jit = options
            .get_options()
            .is_some_and(|o| o.split_whitespace().any(|w| w.starts_with("jit=")));
        let options = if sets_jit {
            options
        } else {
            options.options([("jit", "off")])
        };
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await?;
        Ok(Db::Postgres(pool))
    }

    /// Applies every migration not applied yet, keeping Verkosto's schema history in its own table
    /// (`verkosto_migrations`) so the host application's sqlx migrations run beside it.
    pub async fn migrate(&self) -> Result<()> {
        migrate::run(self).await?;
        // Migration 0008 cannot hash in SQL on SQLite: the same code does it here for both.
        let mut c = self.acquire().await?;
        calendars::hash_plain_tokens(&mut c.conn()).await?;
        Ok(())
    }

    /// Starts a transaction.
    pub async fn begin(&self) -> Result<Tx> {
        Ok(match self {
            // IMMEDIATE takes the write lock up front: a deferred transaction that reads, then writes after
            // another connection wrote, fails at once with SQLITE_BUSY_SNAPSHOT instead of waiting.
            Db::Sqlite(pool) => {
                let identity = sqlite_identity(&pool.connect_options());
                // Bounded like SQLite's own wait, so a transaction begun while another of the
                // same task is open fails as it did before turns, instead of waiting forever.
                let turn =
                    tokio::time::timeout(SQLITE_LOCK_WAIT, write_turns(&identity).acquire_owned())
                        .await
                        .map_err(|_| {
                            Error::Internal("the database stayed locked for writing".into())
                        })?
                        .map_err(|e| Error::Internal(format!("write turns: {e}")))?;
                Tx {
                    inner: TxInner::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
                    changes: changes::Changes::of(&identity),
                    _turn: Some(turn),
                }
            }
            Db::Postgres(pool) => Tx {
                inner: TxInner::Postgres(pool.begin().await?),
                changes: self.changes(),
                _turn: None,
            },
        })
    }

    /// The change counter of this database (see [`changes`]).
    pub fn changes(&self) -> changes::Changes {
        changes::Changes::of(&match self {
            Db::Sqlite(pool) => sqlite_identity(&pool.connect_options()),
            Db::Postgres(pool) => {
                let o = pool.connect_options();
                format!(
                    "postgres://{}:{}/{}?{}",
                    o.get_host(),
                    o.get_port(),
                    o.get_database().unwrap_or_default(),
                    o.get_options().unwrap_or_default()
                )
            }
        })
    }

    /// Takes a connection from the pool, for reads and single statements.
    pub async fn acquire(&self) -> Result<PooledConn> {
        Ok(match self {
            Db::Sqlite(pool) => PooledConn::Sqlite(pool.acquire().await?),
            Db::Postgres(pool) => PooledConn::Postgres(pool.acquire().await?),
        })
    }

    /// Answers when the database does: what `/healthz` asks.
    pub async fn ping(&self) -> Result<()> {
        let mut c = self.acquire().await?;
        on_conn!(c.conn(), c => sqlx::query("SELECT 1").execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// `"sqlite"` or `"postgres"`.
    pub fn backend_name(&self) -> &'static str {
        match self {
            Db::Sqlite(_) => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }

    /// Closes the pool, waiting for connections in use.
    pub async fn close(&self) {
        match self {
            Db::Sqlite(pool) => pool.close().await,
            Db::Postgres(pool) => pool.close().await,
        }
    }
}

/// Now, at the precision both databases keep (microseconds), so what is read equals what was written.
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

/// Whether a database error is the violation of the named unique constraint (or, on SQLite, which
/// does not name constraints, of a unique index over the named table).
pub(crate) fn is_unique_violation(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Database(db) => db.is_unique_violation(),
        _ => false,
    }
}

/// Parses a text column into a domain type, reporting corrupt data as an internal error.
pub(crate) fn parse_column<T: FromStr>(column: &str, raw: &str) -> Result<T>
where
    T::Err: std::fmt::Display,
{
    raw.parse()
        .map_err(|e| Error::Internal(format!("stored {column} {raw:?} is invalid: {e}")))
}

/// Parses an optional URL column.
pub(crate) fn parse_url_opt(column: &str, raw: Option<String>) -> Result<Option<url::Url>> {
    raw.map(|r| parse_column(column, &r)).transpose()
}
