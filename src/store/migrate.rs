//! Verkosto's schema history, kept apart from the host application's.
//!
//! The migrations ship inside the crate (`migrations/{sqlite,postgres}`, embedded at compile time by
//! `sqlx::migrate!`), but they are applied here rather than by sqlx's `Migrator::run`: sqlx 0.8 records
//! every migrator's history in the one table `_sqlx_migrations`, so an embedding app whose own sqlx
//! migrations also start at version 1 would find ours there and refuse to run (and ours theirs). Our
//! history lives in `verkosto_migrations`; `_sqlx_migrations` is left to the host.
//!
//! All pending migrations run in one transaction, after the history is read under a lock (the write
//! lock `BEGIN IMMEDIATE` takes on SQLite, an advisory lock on PostgreSQL), so two processes starting
//! together apply each migration once, and a failed migration leaves the schema as it was.
//!
//! A database migrated by an earlier release (our history in `_sqlx_migrations`) is adopted: the rows
//! whose version and checksum are ours move to `verkosto_migrations`.

use sqlx::migrate::{MigrateError, Migration, Migrator};

use super::{Conn, Db, on_conn};
use crate::error::Result;

/// Where our history is kept.
const HISTORY: &str = "verkosto_migrations";

/// The PostgreSQL advisory lock key held while migrating (any fixed number of our own; "verkosto").
const PG_LOCK_KEY: i64 = 0x7665_726b_6f73_746f;

static SQLITE: Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES: Migrator = sqlx::migrate!("migrations/postgres");

/// One row of the history: a version applied, and the checksum of the SQL that was applied.
struct Applied {
    version: i64,
    checksum: Vec<u8>,
}

/// Applies every migration the database does not have yet; refuses a database whose history names a
/// migration we do not ship (a newer release) or one whose SQL has changed since it was applied.
pub(super) async fn run(db: &Db) -> Result<()> {
    let migrator = match db {
        Db::Sqlite(_) => &SQLITE,
        Db::Postgres(_) => &POSTGRES,
    };
    let mut tx = db.begin().await?;
    let mut c = tx.conn();
    if let Conn::Postgres(pg) = &mut c {
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(PG_LOCK_KEY)
            .execute(&mut **pg)
            .await?;
    }
    let blob = match db {
        Db::Sqlite(_) => "BLOB",
        Db::Postgres(_) => "BYTEA",
    };
    let create = format!(
        "CREATE TABLE IF NOT EXISTS {HISTORY} (
            version BIGINT PRIMARY KEY,
            description TEXT NOT NULL,
            checksum {blob} NOT NULL,
            installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
        )"
    );
    on_conn!(&mut c, c => sqlx::raw_sql(&create).execute(&mut **c).await.map(|_| ()))?;

    let mut applied = history(&mut c).await?;
    if applied.is_empty() && sqlx_history_exists(&mut c).await? {
        adopt(&mut c, migrator).await?;
        applied = history(&mut c).await?;
    }
    for row in &applied {
        match migrator.iter().find(|m| m.version == row.version) {
            None => return Err(MigrateError::VersionMissing(row.version).into()),
            Some(m) if *m.checksum != *row.checksum => {
                return Err(MigrateError::VersionMismatch(row.version).into());
            }
            Some(_) => {}
        }
    }
    for migration in migrator
        .iter()
        .filter(|m| m.migration_type.is_up_migration())
    {
        if applied.iter().any(|a| a.version == migration.version) {
            continue;
        }
        apply(&mut c, migration).await?;
    }
    tx.commit().await
}

async fn history(c: &mut Conn<'_>) -> Result<Vec<Applied>> {
    let sql = format!("SELECT version, checksum FROM {HISTORY} ORDER BY version");
    let rows: Vec<(i64, Vec<u8>)> =
        on_conn!(c, c => sqlx::query_as(&sql).fetch_all(&mut **c).await)?;
    Ok(rows
        .into_iter()
        .map(|(version, checksum)| Applied { version, checksum })
        .collect())
}

async fn sqlx_history_exists(c: &mut Conn<'_>) -> Result<bool> {
    Ok(match c {
        Conn::Sqlite(c) => {
            sqlx::query_scalar(
                "SELECT COUNT(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
            )
            .fetch_one(&mut **c)
            .await?
        }
        // `to_regclass` follows the search path, as our own tables do.
        Conn::Postgres(c) => {
            sqlx::query_scalar("SELECT to_regclass('_sqlx_migrations') IS NOT NULL")
                .fetch_one(&mut **c)
                .await?
        }
    })
}

/// Moves our rows (same version and checksum, applied successfully) from `_sqlx_migrations` into our
/// history, leaving the host's rows where they are.
async fn adopt(c: &mut Conn<'_>, migrator: &Migrator) -> Result<()> {
    let rows: Vec<(i64, String, Vec<u8>)> = on_conn!(c, c => sqlx::query_as(
        "SELECT version, description, checksum FROM _sqlx_migrations WHERE success ORDER BY version")
        .fetch_all(&mut **c)
        .await)?;
    for (version, description, checksum) in rows {
        let ours = migrator
            .iter()
            .any(|m| m.version == version && *m.checksum == *checksum);
        if !ours {
            continue;
        }
        record(c, version, &description, &checksum).await?;
        on_conn!(c, c => sqlx::query("DELETE FROM _sqlx_migrations WHERE version = $1")
            .bind(version)
            .execute(&mut **c)
            .await
            .map(|_| ()))?;
    }
    tracing::info!("schema history moved from _sqlx_migrations to {HISTORY}");
    Ok(())
}

async fn apply(c: &mut Conn<'_>, migration: &Migration) -> Result<()> {
    on_conn!(c, c => sqlx::raw_sql(&migration.sql).execute(&mut **c).await.map(|_| ()))
        .map_err(|e| MigrateError::ExecuteMigration(e, migration.version))?;
    record(
        c,
        migration.version,
        &migration.description,
        &migration.checksum,
    )
    .await?;
    tracing::info!(version = migration.version, description = %migration.description, "migration applied");
    Ok(())
}

/// Writes one row of our history.
async fn record(c: &mut Conn<'_>, version: i64, description: &str, checksum: &[u8]) -> Result<()> {
    let insert =
        format!("INSERT INTO {HISTORY} (version, description, checksum) VALUES ($1, $2, $3)");
    on_conn!(c, c => sqlx::query(&insert)
        .bind(version)
        .bind(description)
        .bind(checksum)
        .execute(&mut **c)
        .await
        .map(|_| ()))?;
    Ok(())
}
