//! The cache of rendered public documents (src/http/document_cache.rs): repeated reads are served from
//! memory, and nothing it serves is older than the last committed change, whoever wrote it.
//!
//! The time to live is set to an hour here, so only invalidation can make a change visible.

use std::str::FromStr;
use std::time::Duration;

use serde_json::json;
use sqlx::postgres::PgConnectOptions;
use verkosto::store::{Db, changes::UNWATCHED};

use crate::common::{TestDb, TestServer, eventually};

async fn server(db: TestDb) -> TestServer {
    TestServer::start_with(db, |s| s.document_cache_ttl = Duration::from_secs(3600)).await
}

/// The `/metrics` count of answers served from the cache.
async fn hits(s: &TestServer) -> u64 {
    let text = s
        .http
        .get(s.url("/metrics"))
        .send()
        .await
        .expect("GET /metrics")
        .text()
        .await
        .expect("metrics text");
    text.lines()
        .find_map(|l| l.strip_prefix("verkosto_document_cache_requests_total{result=\"hit\"} "))
        .and_then(|n| n.trim().parse().ok())
        .expect("a hit count in /metrics")
}

async fn display_name(s: &TestServer) -> String {
    let (status, _, doc) = s.get_ap("/c/kahvila").await;
    assert_eq!(status, 200);
    doc["name"].as_str().expect("the actor's name").to_owned()
}

/// A write that goes around the service layer: on PostgreSQL through a pool of its own (as another
/// process sharing the database would), on SQLite through the instance's pool outside a transaction.
async fn rename_behind_its_back(s: &TestServer, name: &str) {
    let sql = "UPDATE communities SET display_name = $1 WHERE name = 'kahvila'";
    match s.verkosto.db() {
        Db::Sqlite(pool) => {
            sqlx::query(sql)
                .bind(name)
                .execute(pool)
                .await
                .expect("update");
        }
        Db::Postgres(pool) => {
            let schema: String = sqlx::query_scalar("SELECT current_schema()")
                .fetch_one(pool)
                .await
                .expect("schema");
            let url = std::env::var("DATABASE_URL").expect("DATABASE_URL");
            let options = PgConnectOptions::from_str(&url)
                .expect("DATABASE_URL")
                .options([("search_path", schema.as_str())]);
            let other = sqlx::PgPool::connect_with(options).await.expect("connect");
            sqlx::query(sql)
                .bind(name)
                .execute(&other)
                .await
                .expect("update");
            other.close().await;
        }
    }
}

#[tokio::test]
async fn repeated_reads_are_served_from_memory_and_every_change_shows_at_once() {
    for db in TestDb::all().await {
        let backend = db.backend;
        let s = server(db).await;
        let token = s.account("aino").await;
        s.community(&token, "kahvila", "open").await;

        assert_eq!(display_name(&s).await, "kahvila", "{backend}");
        let before = hits(&s).await;
        assert_eq!(display_name(&s).await, "kahvila", "{backend}");
        assert_eq!(hits(&s).await, before + 1, "{backend}: the repeat is a hit");

        // Credentials are answered by the handler, never from the cache.
        let res = s
            .http
            .get(s.url("/c/kahvila"))
            .header("Accept", "application/activity+json")
            .header("Cookie", "verkosto_session=x")
            .send()
            .await
            .expect("GET");
        assert_eq!(res.status(), 200);
        assert_eq!(
            hits(&s).await,
            before + 1,
            "{backend}: a request with a cookie"
        );

        // One person's secret calendar feed is never kept: a revoked URL must die everywhere at once,
        // even where the revocation was made by another process.
        let (status, made) = s
            .post_json("/api/v1/calendar", Some(&token), json!({}))
            .await;
        assert_eq!(status, 201, "{backend}: {made}");
        let feed = made["url"].as_str().expect("feed url").to_owned();
        for _ in 0..2 {
            let res = s.http.get(&feed).send().await.expect("GET feed");
            assert_eq!(res.status(), 200, "{backend}");
            assert_eq!(
                res.headers()["cache-control"],
                "private, no-store",
                "{backend}"
            );
        }
        assert_eq!(hits(&s).await, before + 1, "{backend}: a personal feed");

        // A change through the API: the next read shows it, with no waiting.
        let res = s
            .http
            .patch(s.url("/api/v1/communities/kahvila"))
            .bearer_auth(&token)
            .json(&json!({ "display_name": "Kahvila Kuppi" }))
            .send()
            .await
            .expect("patch");
        assert_eq!(res.status(), 200, "{backend}");
        assert_eq!(display_name(&s).await, "Kahvila Kuppi", "{backend}");

        // A change nobody in this process made through the service: heard of through the SQLite
        // update hook, or through PostgreSQL's NOTIFY from the table's trigger.
        assert_eq!(display_name(&s).await, "Kahvila Kuppi", "{backend}");
        rename_behind_its_back(&s, "Kahvila Toinen").await;
        eventually(5, "the other writer's change", || async {
            (display_name(&s).await == "Kahvila Toinen").then_some(())
        })
        .await;
        s.stop().await;
    }
}

/// A table the documents show, added by a later migration, must be watched (PostgreSQL triggers, see
/// migration 0017) or named as never shown in `store::changes::UNWATCHED`; and every name there is a
/// table that exists.
#[tokio::test]
async fn every_table_is_watched_or_named_as_unwatched() {
    for db in TestDb::all().await {
        let tables: Vec<String> = match &db.db {
            Db::Sqlite(pool) => sqlx::query_scalar(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
            )
            .fetch_all(pool)
            .await
            .expect("tables"),
            Db::Postgres(pool) => sqlx::query_scalar(
                "SELECT table_name::text FROM information_schema.tables \
                 WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
            )
            .fetch_all(pool)
            .await
            .expect("tables"),
        };
        for name in UNWATCHED {
            assert!(
                tables.iter().any(|t| t == name),
                "{}: UNWATCHED names {name}, which is no table",
                db.backend
            );
        }
        if let Db::Postgres(pool) = &db.db {
            let watched: Vec<String> = sqlx::query_scalar(
                "SELECT c.relname::text FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid \
                 WHERE t.tgname = 'verkosto_changes' AND c.relnamespace = current_schema()::regnamespace",
            )
            .fetch_all(pool)
            .await
            .expect("triggers");
            for table in &tables {
                assert!(
                    watched.contains(table) != UNWATCHED.contains(&table.as_str()),
                    "table {table} must be either watched (a verkosto_changes trigger, see \
                     verkosto_watch in migration 0017) or listed in store::changes::UNWATCHED, not both"
                );
            }
        }
        db.cleanup().await;
    }
}

/// A committed transaction moves its database's counter the moment `commit` returns, so the writer's
/// next read never meets what it just replaced (on PostgreSQL the trigger's NOTIFY comes later; no
/// listener runs here, only the commit can move the counter).
#[tokio::test]
async fn a_commit_moves_the_counter_before_it_returns() {
    for db in TestDb::all().await {
        let changes = db.db.changes();
        let before = changes.generation();
        let mut tx = db.db.begin().await.expect("begin");
        let sql = "UPDATE communities SET display_name = 'x' WHERE name = 'nobody'";
        match tx.conn() {
            verkosto::store::Conn::Sqlite(c) => {
                sqlx::query(sql).execute(&mut *c).await.expect("update");
            }
            verkosto::store::Conn::Postgres(c) => {
                sqlx::query(sql).execute(&mut *c).await.expect("update");
            }
        }
        tx.commit().await.expect("commit");
        assert!(
            changes.generation() > before,
            "{}: the counter did not move on commit",
            db.backend
        );
        db.cleanup().await;
    }
}
