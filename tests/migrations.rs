//! Verkosto's migrations beside a host application's own sqlx migrations: each keeps its own history,
//! so both run (sqlx's one `_sqlx_migrations` table held both before), and a database migrated by an
//! earlier release, whose history is in `_sqlx_migrations`, is taken over without re-running anything.

use std::path::{Path, PathBuf};

use sqlx::migrate::Migrator;
use verkosto::store::Db;

use crate::common::TestDb;

/// A host app's migrations, numbered from 1 as sqlx projects usually are.
fn host_migrations(dir: &Path, count: usize) -> PathBuf {
    let path = dir.join("host-migrations");
    std::fs::create_dir_all(&path).expect("dir");
    for n in 1..=count {
        std::fs::write(
            path.join(format!("{n}_host_table_{n}.sql")),
            format!("CREATE TABLE host_table_{n} (id BIGINT PRIMARY KEY, body TEXT);"),
        )
        .expect("write migration");
    }
    path
}

async fn run_migrator(migrator: &Migrator, db: &Db) -> Result<(), sqlx::migrate::MigrateError> {
    match db {
        Db::Sqlite(pool) => migrator.run(pool).await,
        Db::Postgres(pool) => migrator.run(pool).await,
    }
}

async fn count(db: &Db, sql: &str) -> i64 {
    match db {
        Db::Sqlite(pool) => sqlx::query_scalar(sql).fetch_one(pool).await,
        Db::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await,
    }
    .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

fn ours(backend: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(backend)
}

#[tokio::test]
async fn a_host_apps_own_sqlx_migrations_run_beside_ours() {
    for t in TestDb::all_unmigrated().await {
        let dir = tempfile::tempdir().expect("dir");
        let host = Migrator::new(host_migrations(dir.path(), 1))
            .await
            .expect("host migrator");
        run_migrator(&host, &t.db)
            .await
            .expect("host migrations first");
        t.db.migrate()
            .await
            .unwrap_or_else(|e| panic!("{}: ours after the host's: {e}", t.backend));
        // The host ships a second migration later; it runs with ours already applied.
        let host = Migrator::new(host_migrations(dir.path(), 2))
            .await
            .expect("host migrator");
        run_migrator(&host, &t.db)
            .await
            .unwrap_or_else(|e| panic!("{}: the host's after ours: {e}", t.backend));
        t.db.migrate().await.expect("ours again: nothing to do");

        assert_eq!(
            count(&t.db, "SELECT COUNT(*) FROM _sqlx_migrations").await,
            2
        );
        let shipped = std::fs::read_dir(ours(t.backend)).expect("ours").count() as i64;
        assert_eq!(
            count(&t.db, "SELECT COUNT(*) FROM verkosto_migrations").await,
            shipped
        );
        assert_eq!(count(&t.db, "SELECT COUNT(*) FROM host_table_2").await, 0);
        assert_eq!(count(&t.db, "SELECT COUNT(*) FROM communities").await, 0);
        t.cleanup().await;
    }
}

#[tokio::test]
async fn a_database_migrated_by_an_earlier_release_is_taken_over() {
    for t in TestDb::all_unmigrated().await {
        // What releases before the move did: sqlx's migrator, history in `_sqlx_migrations`.
        let earlier = Migrator::new(ours(t.backend)).await.expect("migrator");
        run_migrator(&earlier, &t.db)
            .await
            .expect("earlier release");
        let shipped = count(&t.db, "SELECT COUNT(*) FROM _sqlx_migrations").await;
        assert!(shipped >= 8);

        // Re-running any migration would fail on tables that exist already.
        t.db.migrate()
            .await
            .unwrap_or_else(|e| panic!("{}: taking over: {e}", t.backend));
        assert_eq!(
            count(&t.db, "SELECT COUNT(*) FROM verkosto_migrations").await,
            shipped
        );
        assert_eq!(
            count(&t.db, "SELECT COUNT(*) FROM _sqlx_migrations").await,
            0,
            "the history moved, leaving `_sqlx_migrations` to the host"
        );
        t.cleanup().await;
    }
}

#[tokio::test]
async fn a_database_from_a_newer_release_is_refused() {
    for t in TestDb::all_unmigrated().await {
        t.db.migrate().await.expect("migrate");
        let insert = "INSERT INTO verkosto_migrations (version, description, checksum) VALUES (99990101, 'from the future', X'00')";
        match &t.db {
            Db::Sqlite(pool) => sqlx::query(insert).execute(pool).await.map(|_| ()),
            Db::Postgres(pool) => sqlx::query(&insert.replace("X'00'", "'\\x00'::bytea"))
                .execute(pool)
                .await
                .map(|_| ()),
        }
        .expect("insert");
        let err = t.db.migrate().await.expect_err("a newer schema is refused");
        assert!(err.to_string().contains("99990101"), "{err}");
        t.cleanup().await;
    }
}
