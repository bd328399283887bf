//! What ends a delivery: only the receiver's permanent answer, or the retry window running out. A
//! trouble of our own while preparing one (the signing key unreadable for a while) is retried.

use crate::common::sink::{Behaviour, Sink, follow_from_sink};
use crate::common::{TestDb, TestServer, eventually};
use verkosto::model::CommunityUpdate;
use verkosto::store::{self, Db};
use verkosto::{Verkosto, store::deliveries::HostQueue};

async fn sender(db: TestDb, tweak: impl FnOnce(&mut verkosto::Settings)) -> TestServer {
    let s = TestServer::start_with(db, tweak).await;
    let token = s.account("aino").await;
    s.community(&token, "kahvila", "open").await;
    s
}

async fn queue_of(v: &Verkosto, host: &str) -> Option<HostQueue> {
    store::deliveries::status(v.db())
        .await
        .expect("status")
        .into_iter()
        .find(|h| h.host == host)
}

async fn execute(db: &Db, sql: &str, text: &str) {
    match db {
        Db::Sqlite(pool) => sqlx::query(sql).bind(text).execute(pool).await.map(|_| ()),
        Db::Postgres(pool) => sqlx::query(sql).bind(text).execute(pool).await.map(|_| ()),
    }
    .expect(sql);
}

#[tokio::test]
async fn a_delivery_whose_key_cannot_be_read_for_a_while_stays_queued_and_arrives_later() {
    for db in TestDb::all().await {
        eprintln!("-- backend: {}", db.backend);
        let s = sender(db, |_| {}).await;
        let v = &s.verkosto;
        let (sink, host) = Sink::on_free_port().await;
        follow_from_sink(v, "kahvila", &sink, &host, [1]).await;
        let saved_key = {
            let c = v.community("kahvila").await.expect("community");
            let mut conn = v.db().acquire().await.expect("acquire");
            store::communities::keys(&mut conn.conn(), c.id)
                .await
                .expect("keys")
                .private_key_pem
        };
        // The community's key cannot be read (it has never been used, so nothing caches it).
        execute(
            v.db(),
            "UPDATE communities SET private_key_pem = $1 WHERE name = 'kahvila'",
            "unreadable for now",
        )
        .await;
        let owner = v.account("aino").await.expect("owner");
        let change = CommunityUpdate {
            display_name: Some("Kahvila renamed".into()),
            ..Default::default()
        };
        v.update_community(&owner, "kahvila", change)
            .await
            .expect("update");

        // The worker tries, cannot sign, and keeps the delivery for a later attempt.
        let queue = eventually(20, "a failed attempt, or the delivery dropped", || async {
            match queue_of(v, &host).await {
                Some(q) if q.failing == 0 => None,
                other => Some(other),
            }
        })
        .await;
        let queue = queue.expect("the delivery is still queued, not dropped");
        assert_eq!((queue.pending, queue.failing), (1, 1));
        assert!(
            queue.failing_since.is_none(),
            "our own trouble is not counted against the receiving host"
        );
        assert!(sink.seen.lock().expect("lock").is_empty());

        // Once the key reads again, the delivery arrives, once.
        execute(
            v.db(),
            "UPDATE communities SET private_key_pem = $1 WHERE name = 'kahvila'",
            &saved_key,
        )
        .await;
        eventually(30, "the delivery to arrive", || async {
            (sink.accepted().len() == 1).then_some(())
        })
        .await;
        eventually(10, "the queue to empty", || async {
            queue_of(v, &host).await.is_none().then_some(())
        })
        .await;
        assert_eq!(sink.accepted().len(), 1);
        assert!(sink.accepted()[0].signature_ok);
        s.stop().await;
    }
}

#[tokio::test]
async fn a_failing_delivery_is_given_up_after_the_retry_window_and_not_before() {
    for db in TestDb::all().await {
        eprintln!("-- backend: {}", db.backend);
        let s = sender(db, |st| {
            st.retry_window = std::time::Duration::from_secs(3600);
        })
        .await;
        let v = &s.verkosto;
        let (sink, host) = Sink::on_free_port().await;
        sink.set(1, Behaviour::ErrorTimes(u32::MAX));
        sink.set(2, Behaviour::ErrorTimes(u32::MAX));
        follow_from_sink(v, "kahvila", &sink, &host, [1, 2]).await;
        let actor = v.state().url("/c/kahvila");
        let inbox = |n: u32| url::Url::parse(&format!("http://{host}/inbox/{n}")).expect("url");
        // One delivery queued two hours ago (older than the window), one just now; both to inboxes
        // that always fail. Written in one transaction so no worker sees the old one as new.
        let mut tx = v.db().begin().await.expect("begin");
        let now = store::now();
        for (n, queued_at) in [(1, now - chrono::Duration::hours(2)), (2, now)] {
            store::deliveries::enqueue(
                &mut tx.conn(),
                &format!("{actor}/activities/{n}"),
                actor.as_str(),
                &format!(r#"{{"id":"{actor}/activities/{n}","type":"Update"}}"#),
                &[&inbox(n)],
                queued_at,
            )
            .await
            .expect("enqueue");
        }
        tx.commit().await.expect("commit");
        v.state().deliveries.notify();

        // The recent one is retried: wait until it failed a third time.
        eventually(
            30,
            "an attempt at the old one, three at the recent one",
            || async {
                (!sink.attempts_at(1).is_empty() && sink.attempts_at(2).len() >= 3).then_some(())
            },
        )
        .await;
        assert_eq!(
            sink.attempts_at(1).len(),
            1,
            "the delivery older than the window is given up after its failed attempt"
        );
        let queue = queue_of(v, &host).await.expect("queue");
        assert_eq!(queue.pending, 1, "only the recent delivery is still queued");
        s.stop().await;
    }
}
