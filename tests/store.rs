//! The store suite: runs on SQLite always, and on PostgreSQL when `DATABASE_URL` is set.

use crate::on_each_backend;
use chrono::Duration;
use url::Url;
use verkosto::model::{
    Community, CommunityKind, FollowPolicy, FollowState, Follower, KeyPair, MembershipState, Role,
};
use verkosto::store::{self, accounts::NewAccountRow, now};

fn keys() -> KeyPair {
    KeyPair {
        public_key_pem: "PUBLIC".into(),
        private_key_pem: "PRIVATE".into(),
    }
}

fn url(s: &str) -> Url {
    Url::parse(s).expect("url")
}

async fn new_account(db: &verkosto::store::Db, name: &str) -> verkosto::model::Account {
    let mut tx = db.begin().await.expect("begin");
    store::accounts::claim_name(&mut tx.conn(), name, "account")
        .await
        .expect("claim");
    let a = store::accounts::insert(
        &mut tx.conn(),
        &NewAccountRow {
            username: name,
            password_hash: "hash",
            is_admin: false,
            keys: &keys(),
            created_at: now(),
        },
    )
    .await
    .expect("insert account");
    tx.commit().await.expect("commit");
    a
}

fn community(name: &str) -> Community {
    Community {
        id: 0,
        name: name.into(),
        display_name: "Kahvila".into(),
        summary: "<p>hei</p>".into(),
        kind: CommunityKind::Coworking,
        location: Some("Tampere".into()),
        latitude: Some(61.5),
        longitude: Some(23.76),
        website: Some(url("https://kahvila.example/")),
        tags: vec!["cowork".into(), "tampere".into()],
        icon_url: None,
        banner_url: None,
        follow_policy: FollowPolicy::Approval,
        visibility: verkosto::model::Visibility::Public,
        created_at: now(),
        updated_at: now(),
    }
}

#[tokio::test]
async fn names_are_shared_between_accounts_and_communities() {
    on_each_backend!(|t| {
        let a = new_account(&t.db, "aino").await;
        assert_eq!(a.username, "aino");
        let mut tx = t.db.begin().await.expect("begin");
        let err = store::accounts::claim_name(&mut tx.conn(), "aino", "community")
            .await
            .expect_err("taken");
        assert_eq!(err.status().as_u16(), 409, "{}", t.backend);
        drop(tx);
        let mut c = t.db.acquire().await.expect("acquire");
        assert!(
            store::accounts::find_by_username(&mut c.conn(), "aino")
                .await
                .expect("find")
                .is_some()
        );
        assert_eq!(
            store::accounts::count(&mut c.conn()).await.expect("count"),
            1
        );
        drop(c);
        t.cleanup().await;
    });
}

#[tokio::test]
async fn a_rolled_back_transaction_leaves_nothing() {
    on_each_backend!(|t| {
        {
            let mut tx = t.db.begin().await.expect("begin");
            store::accounts::claim_name(&mut tx.conn(), "ghost", "account")
                .await
                .expect("claim");
            // dropped without commit
        }
        let mut tx = t.db.begin().await.expect("begin");
        store::accounts::claim_name(&mut tx.conn(), "ghost", "account")
            .await
            .expect("free again after rollback");
        drop(tx);
        t.cleanup().await;
    });
}

#[tokio::test]
async fn tokens_are_found_by_hash_and_revoked() {
    on_each_backend!(|t| {
        let a = new_account(&t.db, "aino").await;
        let mut c = t.db.acquire().await.expect("acquire");
        store::accounts::insert_token(&mut c.conn(), a.id, "h1", now())
            .await
            .expect("token");
        let found = store::accounts::find_by_token(&mut c.conn(), "h1")
            .await
            .expect("find")
            .expect("some");
        assert_eq!(found.id, a.id);
        assert!(
            store::accounts::delete_token(&mut c.conn(), "h1")
                .await
                .expect("delete")
        );
        assert!(
            !store::accounts::delete_token(&mut c.conn(), "h1")
                .await
                .expect("delete again")
        );
        assert!(
            store::accounts::find_by_token(&mut c.conn(), "h1")
                .await
                .expect("find")
                .is_none()
        );
        drop(c);
        t.cleanup().await;
    });
}

#[tokio::test]
async fn communities_round_trip_and_update() {
    on_each_backend!(|t| {
        let owner = new_account(&t.db, "aino").await;
        let mut tx = t.db.begin().await.expect("begin");
        store::accounts::claim_name(&mut tx.conn(), "kahvila", "community")
            .await
            .expect("claim");
        let mut stored = store::communities::insert(&mut tx.conn(), &community("kahvila"), &keys())
            .await
            .expect("insert");
        store::communities::upsert_membership(
            &mut tx.conn(),
            stored.id,
            owner.id,
            Role::Owner,
            MembershipState::Active,
        )
        .await
        .expect("membership");
        tx.commit().await.expect("commit");

        let mut c = t.db.acquire().await.expect("acquire");
        let read = store::communities::find_by_name(&mut c.conn(), "kahvila")
            .await
            .expect("find")
            .expect("some");
        assert_eq!(read.tags, vec!["cowork".to_string(), "tampere".to_string()]);
        assert_eq!(read.website, Some(url("https://kahvila.example/")));
        assert_eq!(read.follow_policy, FollowPolicy::Approval);
        assert_eq!(
            read.created_at, stored.created_at,
            "timestamps survive the round trip exactly"
        );

        stored.display_name = "Kahvila 2".into();
        stored.follow_policy = FollowPolicy::Open;
        stored.tags = vec![];
        store::communities::update(&mut c.conn(), &stored)
            .await
            .expect("update");
        let read = store::communities::find_by_name(&mut c.conn(), "kahvila")
            .await
            .expect("find")
            .expect("some");
        assert_eq!(read.display_name, "Kahvila 2");
        assert_eq!(read.follow_policy, FollowPolicy::Open);
        assert!(read.tags.is_empty());

        let managers = store::communities::managers(&mut c.conn(), stored.id)
            .await
            .expect("managers");
        assert_eq!(managers.len(), 1);
        assert_eq!(managers[0].role, Role::Owner);
        assert!(managers[0].can_manage());
        assert_eq!(
            store::communities::list_public(&mut c.conn(), 10, 0)
                .await
                .expect("list")
                .len(),
            1
        );
        assert_eq!(
            store::communities::keys(&mut c.conn(), stored.id)
                .await
                .expect("keys")
                .public_key_pem,
            "PUBLIC"
        );
        drop(c);
        t.cleanup().await;
    });
}

fn follower(
    target: &str,
    follower: &str,
    activity: &str,
    shared: Option<&str>,
    state: FollowState,
) -> Follower {
    Follower {
        id: 0,
        target_ap_id: url(target),
        follower_ap_id: url(follower),
        inbox: url(&format!("{follower}/inbox")),
        shared_inbox: shared.map(url),
        follow_activity_id: url(activity),
        state,
        created_at: now(),
    }
}

#[tokio::test]
async fn followers_upsert_count_and_inboxes() {
    on_each_backend!(|t| {
        let target = "https://here.example/c/kahvila";
        let mut c = t.db.acquire().await.expect("acquire");
        let f = follower(
            target,
            "https://a.example/u/1",
            "https://a.example/f/1",
            Some("https://a.example/inbox"),
            FollowState::Pending,
        );
        let stored = store::follows::upsert_follower(&mut c.conn(), &f)
            .await
            .expect("upsert");
        assert_eq!(stored.state, FollowState::Pending);
        store::follows::set_follower_state(&mut c.conn(), stored.id, FollowState::Accepted)
            .await
            .expect("state");
        // A re-sent Follow keeps an accepted follower accepted and records the new activity id.
        let again = follower(
            target,
            "https://a.example/u/1",
            "https://a.example/f/2",
            Some("https://a.example/inbox"),
            FollowState::Pending,
        );
        let again = store::follows::upsert_follower(&mut c.conn(), &again)
            .await
            .expect("upsert again");
        assert_eq!(again.id, stored.id);
        assert_eq!(again.state, FollowState::Accepted);
        assert_eq!(again.follow_activity_id, url("https://a.example/f/2"));

        for (who, act) in [
            ("https://a.example/u/2", "https://a.example/f/3"),
            ("https://b.example/u/1", "https://b.example/f/1"),
        ] {
            let shared = if who.starts_with("https://a.") {
                Some("https://a.example/inbox")
            } else {
                None
            };
            let s = store::follows::upsert_follower(
                &mut c.conn(),
                &follower(target, who, act, shared, FollowState::Accepted),
            )
            .await
            .expect("upsert");
            assert_eq!(s.state, FollowState::Accepted);
        }
        assert_eq!(
            store::follows::count_followers(&mut c.conn(), target, FollowState::Accepted)
                .await
                .expect("count"),
            3
        );
        let mut inboxes = store::follows::follower_inboxes(&mut c.conn(), target)
            .await
            .expect("inboxes");
        inboxes.sort();
        assert_eq!(
            inboxes,
            vec![
                "https://a.example/inbox".to_string(),
                "https://b.example/u/1/inbox".to_string()
            ]
        );
        let page = store::follows::followers(&mut c.conn(), target, FollowState::Accepted, 2, 0)
            .await
            .expect("page");
        assert_eq!(page.len(), 2);
        let by_activity =
            store::follows::find_follower_by_activity(&mut c.conn(), "https://b.example/f/1")
                .await
                .expect("find");
        assert_eq!(
            by_activity.map(|f| f.follower_ap_id),
            Some(url("https://b.example/u/1"))
        );
        assert!(
            store::follows::delete_follower(&mut c.conn(), target, "https://b.example/u/1")
                .await
                .expect("delete")
        );
        assert_eq!(
            store::follows::count_followers(&mut c.conn(), target, FollowState::Accepted)
                .await
                .expect("count"),
            2
        );
        drop(c);
        t.cleanup().await;
    });
}

#[tokio::test]
async fn received_ids_are_recorded_once() {
    on_each_backend!(|t| {
        let mut c = t.db.acquire().await.expect("acquire");
        assert!(
            store::received::record(&mut c.conn(), "https://a.example/act/1", now())
                .await
                .expect("first")
        );
        assert!(
            !store::received::record(&mut c.conn(), "https://a.example/act/1", now())
                .await
                .expect("second")
        );
        let pruned = store::received::prune(&mut c.conn(), now() + Duration::seconds(1))
            .await
            .expect("prune");
        assert_eq!(pruned, 1);
        assert!(
            store::received::record(&mut c.conn(), "https://a.example/act/1", now())
                .await
                .expect("after prune")
        );
        drop(c);
        t.cleanup().await;
    });
}

fn limits(now: chrono::DateTime<chrono::Utc>) -> store::deliveries::ClaimLimits {
    store::deliveries::ClaimLimits {
        batch: 10,
        per_host: 4,
        unavailable_if_failing_since: now - Duration::days(3),
        probe_if_last_attempt_before: now - Duration::hours(1),
    }
}

/// How many rows `table` has.
async fn rows(db: &store::Db, table: &str) -> i64 {
    let sql = format!("SELECT COUNT(*) FROM {table}");
    match db {
        store::Db::Sqlite(p) => sqlx::query_scalar(&sql).fetch_one(p).await,
        store::Db::Postgres(p) => sqlx::query_scalar(&sql).fetch_one(p).await,
    }
    .expect("count")
}

#[tokio::test]
async fn an_activity_for_many_inboxes_is_stored_once_and_forgotten_when_all_are_done() {
    on_each_backend!(|t| {
        // More inboxes than one insert statement takes, on more hosts than one claim may fill, given
        // grouped by host (as followers listed by address are).
        let inboxes: Vec<Url> = (0..1_201)
            .map(|i| url(&format!("https://h{}.example/u/{i}/inbox", i * 7 / 1_201)))
            .collect();
        let refs: Vec<&Url> = inboxes.iter().collect();
        let body = r#"{"type":"Create","id":"https://here/act/big"}"#;
        let t0 = now();
        let mut c = t.db.acquire().await.expect("acquire");
        store::deliveries::enqueue(
            &mut c.conn(),
            "https://here/act/big",
            "https://here/c/x",
            body,
            &refs,
            t0,
        )
        .await
        .expect("enqueue");
        drop(c);
        assert_eq!(rows(&t.db, "outgoing_activities").await, 1, "one body");
        assert_eq!(rows(&t.db, "deliveries").await, 1_201, "a row per inbox");

        // Claims take at most per_host of each host and the batch, every one with the body.
        let lease = t0 + Duration::seconds(60);
        let mut limits = limits(t0);
        limits.batch = 28;
        let claimed = store::deliveries::claim_due(&t.db, t0, lease, limits)
            .await
            .expect("claim");
        // Queued one host after another, the first hosts' rows would fill every candidate a claim
        // reads, and a claim would get the first host's four only.
        assert_eq!(claimed.len(), 7 * 4, "four for each of the seven hosts");
        assert!(claimed.iter().all(|d| &d.body[..] == body.as_bytes()
            && d.activity_ap_id == "https://here/act/big"
            && d.actor_ap_id == "https://here/c/x"));
        for d in &claimed {
            store::deliveries::remove_all(&t.db, &[d.id])
                .await
                .expect("remove");
        }
        let next = store::deliveries::claim_due(&t.db, t0, lease, limits)
            .await
            .expect("claim the next ones");
        assert_eq!(next.len(), 7 * 4, "the hosts have room again");

        // Kept while any delivery refers to it, and while it is young; then forgotten.
        let later = t0 + Duration::seconds(120);
        assert_eq!(
            store::deliveries::prune_sent_activities(&t.db, later)
                .await
                .expect("prune"),
            0
        );
        let remaining = rows(&t.db, "deliveries").await;
        assert_eq!(remaining, 1_201 - 28);
        match &t.db {
            store::Db::Sqlite(p) => sqlx::query("DELETE FROM deliveries")
                .execute(p)
                .await
                .map(|r| r.rows_affected()),
            store::Db::Postgres(p) => sqlx::query("DELETE FROM deliveries")
                .execute(p)
                .await
                .map(|r| r.rows_affected()),
        }
        .expect("finish them all");
        // PostgreSQL keeps the removed rows' index entries, which every claim walks, until a vacuum:
        // the delivery loop has one run on the queue after every few thousand removed.
        if let store::Db::Postgres(p) = &t.db {
            let vacuums = || async {
                sqlx::query_scalar::<_, i64>(
                    "SELECT vacuum_count FROM pg_stat_user_tables \
                     WHERE relname = 'deliveries' AND schemaname = current_schema()",
                )
                .fetch_one(p)
                .await
                .expect("vacuum count")
            };
            let before = vacuums().await;
            // `SKIP_LOCKED` passes when autovacuum happens to be on the table at that moment: try again.
            for tries in 1.. {
                store::deliveries::reclaim_removed(&t.db)
                    .await
                    .expect("reclaim");
                if vacuums().await > before {
                    break;
                }
                assert!(tries < 50, "the queue was not vacuumed");
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
        } else {
            store::deliveries::reclaim_removed(&t.db)
                .await
                .expect("nothing to reclaim on SQLite");
        }
        assert_eq!(
            store::deliveries::prune_sent_activities(&t.db, t0)
                .await
                .expect("prune"),
            0,
            "not older than the cut-off"
        );
        assert_eq!(
            store::deliveries::prune_sent_activities(&t.db, later)
                .await
                .expect("prune"),
            1
        );
        assert_eq!(rows(&t.db, "outgoing_activities").await, 0);
    });
}

#[tokio::test]
async fn deliveries_are_claimed_in_order_per_inbox_and_leased() {
    on_each_backend!(|t| {
        let one = url("https://a.example/inbox");
        let two = url("https://b.example/inbox");
        let t0 = now();
        let mut c = t.db.acquire().await.expect("acquire");
        store::deliveries::enqueue(
            &mut c.conn(),
            "https://here/act/1",
            "https://here/c/x",
            "{}",
            &[&one, &two],
            t0,
        )
        .await
        .expect("enqueue 1");
        store::deliveries::enqueue(
            &mut c.conn(),
            "https://here/act/2",
            "https://here/c/x",
            "{}",
            &[&one],
            t0,
        )
        .await
        .expect("enqueue 2");
        drop(c);
        let lease = t0 + Duration::seconds(60);
        let claimed = store::deliveries::claim_due(&t.db, t0, lease, limits(t0))
            .await
            .expect("claim");
        // Only the oldest per inbox: act/1 to both inboxes, act/2 waits behind act/1 to inbox one.
        let mut got: Vec<(String, String)> = claimed
            .iter()
            .map(|d| (d.activity_ap_id.clone(), d.host.clone()))
            .collect();
        got.sort();
        assert_eq!(
            got,
            vec![
                ("https://here/act/1".to_string(), "a.example".to_string()),
                ("https://here/act/1".to_string(), "b.example".to_string()),
            ]
        );
        // Leased rows are not claimed again.
        assert!(
            store::deliveries::claim_due(&t.db, t0, lease, limits(t0))
                .await
                .expect("claim again")
                .is_empty()
        );
        // A delivery given back unattempted (no worker was free in time) is claimable at once, and
        // only that one.
        let to_two = claimed.iter().find(|d| d.host == "b.example").expect("b");
        store::deliveries::release(&t.db, to_two.id)
            .await
            .expect("release");
        let again: Vec<i64> = store::deliveries::claim_due(&t.db, t0, lease, limits(t0))
            .await
            .expect("claim the given back")
            .iter()
            .map(|d| d.id)
            .collect();
        assert_eq!(again, vec![to_two.id]);
        let first_to_one = claimed.iter().find(|d| d.host == "a.example").expect("a");
        store::deliveries::remove_all(&t.db, &[first_to_one.id])
            .await
            .expect("remove");
        let next = store::deliveries::claim_due(&t.db, t0, lease, limits(t0))
            .await
            .expect("claim next");
        assert_eq!(next.len(), 1);
        assert_eq!(next[0].activity_ap_id, "https://here/act/2");
        // A failed attempt is rescheduled for later, and not due before then.
        store::deliveries::reschedule(&t.db, next[0].id, 1, t0 + Duration::seconds(30), "503")
            .await
            .expect("reschedule");
        assert!(
            store::deliveries::claim_due(
                &t.db,
                t0 + Duration::seconds(10),
                lease,
                limits(t0 + Duration::seconds(10))
            )
            .await
            .expect("early")
            .is_empty()
        );
        let later = store::deliveries::claim_due(
            &t.db,
            t0 + Duration::seconds(31),
            t0 + Duration::seconds(90),
            limits(t0 + Duration::seconds(31)),
        )
        .await
        .expect("later");
        assert_eq!(later.len(), 1);
        assert_eq!(later[0].attempts, 1);
        // An expired lease (crashed worker) makes the row claimable again.
        let after_lease = store::deliveries::claim_due(
            &t.db,
            t0 + Duration::seconds(91),
            t0 + Duration::seconds(200),
            limits(t0 + Duration::seconds(91)),
        )
        .await
        .expect("after lease");
        assert_eq!(
            after_lease.len(),
            2,
            "both leases ran out: b.example act/1 and a.example act/2"
        );
        let status = store::deliveries::status(&t.db).await.expect("status");
        assert_eq!(status.iter().map(|h| h.pending).sum::<i64>(), 2);
        t.cleanup().await;
    });
}

#[tokio::test]
async fn per_host_limits_and_unavailable_hosts_hold_deliveries_back() {
    on_each_backend!(|t| {
        let t0 = now();
        let inboxes: Vec<Url> = (0..6)
            .map(|i| url(&format!("https://busy.example/u/{i}/inbox")))
            .collect();
        let refs: Vec<&Url> = inboxes.iter().collect();
        let mut c = t.db.acquire().await.expect("acquire");
        store::deliveries::enqueue(
            &mut c.conn(),
            "https://here/act/1",
            "https://here/c/x",
            "{}",
            &refs,
            t0,
        )
        .await
        .expect("enqueue");
        drop(c);
        let lease = t0 + Duration::seconds(60);
        let one_per_host = store::deliveries::ClaimLimits {
            per_host: 1,
            ..limits(t0)
        };
        let first = store::deliveries::claim_due(&t.db, t0, lease, one_per_host)
            .await
            .expect("claim");
        assert!(!first.is_empty());
        // With one in flight to busy.example, nothing more of that host is claimable.
        assert!(
            store::deliveries::claim_due(&t.db, t0, lease, one_per_host)
                .await
                .expect("claim")
                .is_empty()
        );
        // Once the lease runs out (as after a crash), the rows are claimable again.
        let t0 = t0 + Duration::seconds(61);
        let lease = t0 + Duration::seconds(60);
        // A host failing for longer than the window is skipped until its probe time ...
        store::deliveries::host_failed(&t.db, "busy.example", t0 - Duration::days(4))
            .await
            .expect("failed");
        store::deliveries::host_failed(&t.db, "busy.example", t0)
            .await
            .expect("failed again");
        assert!(
            store::deliveries::claim_due(&t.db, t0, lease, limits(t0))
                .await
                .expect("claim")
                .is_empty()
        );
        let status = store::deliveries::status(&t.db).await.expect("status");
        assert_eq!(
            status[0].failing_since.map(|f| f < t0 - Duration::days(3)),
            Some(true)
        );
        // ... or until it contacts us.
        assert!(
            store::deliveries::host_is_back(&t.db, "busy.example", t0)
                .await
                .expect("back")
        );
        assert_eq!(
            store::deliveries::claim_due(&t.db, t0, lease, limits(t0))
                .await
                .expect("claim")
                .len(),
            4
        );
        assert!(
            !store::deliveries::host_is_back(&t.db, "busy.example", t0)
                .await
                .expect("back again")
        );
        // Failing-host state without queued deliveries is pruned.
        store::deliveries::host_failed(&t.db, "gone.example", t0)
            .await
            .expect("failed");
        assert_eq!(
            store::deliveries::prune_failing_hosts(&t.db)
                .await
                .expect("prune"),
            1
        );
        t.cleanup().await;
    });
}

/// Tables, their columns, and the indexes created by name, as one backend's migrations left them.
type Schema = std::collections::BTreeMap<String, Vec<String>>;

async fn sqlite_schema(pool: &sqlx::SqlitePool) -> Schema {
    let mut out = Schema::new();
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' \
         AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations'",
    )
    .fetch_all(pool)
    .await
    .expect("tables");
    for table in tables {
        let mut columns: Vec<String> = sqlx::query_scalar("SELECT name FROM pragma_table_info($1)")
            .bind(&table)
            .fetch_all(pool)
            .await
            .expect("columns");
        columns.sort();
        out.insert(format!("table {table}"), columns);
    }
    let indexes: Vec<(String, String)> = sqlx::query_as(
        "SELECT name, tbl_name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL",
    )
    .fetch_all(pool)
    .await
    .expect("indexes");
    for (index, table) in indexes {
        let columns: Vec<String> =
            sqlx::query_scalar("SELECT name FROM pragma_index_info($1) ORDER BY seqno")
                .bind(&index)
                .fetch_all(pool)
                .await
                .expect("index columns");
        out.insert(format!("index {index} on {table}"), columns);
    }
    out
}

async fn postgres_schema(pool: &sqlx::PgPool) -> Schema {
    let mut out = Schema::new();
    let columns: Vec<(String, String)> = sqlx::query_as(
        "SELECT c.table_name::text, c.column_name::text FROM information_schema.columns c \
         JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name \
         WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' \
         AND c.table_name <> '_sqlx_migrations'",
    )
    .fetch_all(pool)
    .await
    .expect("columns");
    for (table, column) in columns {
        out.entry(format!("table {table}"))
            .or_default()
            .push(column);
    }
    out.values_mut().for_each(|c| c.sort());
    // Indexes created by CREATE INDEX, not those backing a primary key or UNIQUE constraint (SQLite
    // creates those implicitly too and lists them without SQL).
    let indexes: Vec<(String, String, Vec<String>)> = sqlx::query_as(
        "SELECT i.relname::text, t.relname::text, \
                ARRAY(SELECT a.attname::text FROM unnest(x.indkey) WITH ORDINALITY k(attnum, n) \
                      JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum ORDER BY k.n) \
         FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid \
         JOIN pg_namespace s ON s.oid = t.relnamespace \
         WHERE s.nspname = current_schema() AND t.relname <> '_sqlx_migrations' \
         AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)",
    )
    .fetch_all(pool)
    .await
    .expect("indexes");
    for (index, table, columns) in indexes {
        out.insert(format!("index {index} on {table}"), columns);
    }
    out
}

/// The two migration sets are written by hand in two dialects: they must build the same schema, so
/// that code tested on one backend meets the same tables, columns and indexes on the other.
#[tokio::test]
async fn both_migration_sets_define_the_same_schema() {
    let sqlite = crate::common::TestDb::sqlite().await;
    let Some(postgres) = crate::common::TestDb::postgres().await else {
        return;
    };
    let (store::Db::Sqlite(lite), store::Db::Postgres(pg)) = (&sqlite.db, &postgres.db) else {
        panic!("one database of each backend");
    };
    let (lite_schema, pg_schema) = (sqlite_schema(lite).await, postgres_schema(pg).await);
    assert!(
        lite_schema.keys().any(|k| k.starts_with("index ")),
        "indexes are read"
    );
    for (what, columns) in &lite_schema {
        assert_eq!(
            Some(columns),
            pg_schema.get(what),
            "{what} differs (SQLite has it as shown, PostgreSQL as the right side)"
        );
    }
    for what in pg_schema.keys() {
        assert!(
            lite_schema.contains_key(what),
            "{what} exists only on PostgreSQL"
        );
    }
    sqlite.cleanup().await;
    postgres.cleanup().await;
}

/// PostgreSQL's JIT compiled a network's event list before running it (546 ms of compiling for 60 ms
/// of work, seen with `auto_explain` in the bench): sessions run with it off, and an embedder who sets
/// `jit` in the connection's options keeps their choice.
#[tokio::test]
async fn postgres_sessions_run_without_jit_unless_the_options_ask_for_it() {
    let Some(t) = crate::common::TestDb::postgres().await else {
        return;
    };
    assert_eq!(jit(&t.db).await, "off", "our sessions compile no queries");

    let url = std::env::var("DATABASE_URL").expect("DATABASE_URL");
    let asked = url
        .parse::<sqlx::postgres::PgConnectOptions>()
        .expect("DATABASE_URL")
        .options([("jit", "on")]);
    let theirs = store::Db::connect_postgres(asked).await.expect("connect");
    assert_eq!(
        jit(&theirs).await,
        "on",
        "an embedder's own setting is kept"
    );
    theirs.close().await;
    t.cleanup().await;
}

/// What `SHOW jit` answers on a PostgreSQL database's connections.
async fn jit(db: &store::Db) -> String {
    let store::Db::Postgres(pool) = db else {
        panic!("a PostgreSQL database");
    };
    sqlx::query_scalar("SHOW jit")
        .fetch_one(pool)
        .await
        .expect("show jit")
}
