//! Durable delivery: retries, status codes, outages, slow peers, crashes and several processes.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use crate::common::sink::{Behaviour, Sink, follow_from_sink};
use crate::common::{TestDb, TestServer, eventually};
use verkosto::model::CommunityUpdate;
use verkosto::{Verkosto, store};

/// Publishes `n` changes of the community; returns the activity ids in the order produced.
async fn publish(v: &Verkosto, community: &str, n: usize) -> Vec<String> {
    let owner = v.account("aino").await.expect("owner");
    let before = outbox_ids(v, community).await;
    for i in 0..n {
        let change = CommunityUpdate {
            display_name: Some(format!("Kahvila v{i}")),
            ..Default::default()
        };
        v.update_community(&owner, community, change)
            .await
            .expect("update");
    }
    let after = outbox_ids(v, community).await;
    after
        .into_iter()
        .filter(|id| !before.contains(id))
        .collect()
}

/// The community's published activity ids, oldest first.
async fn outbox_ids(v: &Verkosto, community: &str) -> Vec<String> {
    let actor = v.state().url(&format!("/c/{community}"));
    let mut c = v.db().acquire().await.expect("acquire");
    let bodies = store::outbox::public_page(&mut c.conn(), actor.as_str(), 10_000, 0)
        .await
        .expect("outbox");
    let mut ids: Vec<String> = bodies
        .iter()
        .filter_map(|b| serde_json::from_str::<serde_json::Value>(b).ok())
        .filter_map(|v| v["id"].as_str().map(str::to_string))
        .collect();
    ids.reverse();
    ids
}

async fn sender(db: TestDb, tweak: impl FnOnce(&mut verkosto::Settings)) -> TestServer {
    let s = TestServer::start_with(db, tweak).await;
    let token = s.account("aino").await;
    s.community(&token, "kahvila", "open").await;
    s
}

async fn queued(v: &Verkosto) -> i64 {
    store::deliveries::status(v.db())
        .await
        .expect("status")
        .iter()
        .map(|h| h.pending)
        .sum()
}

#[tokio::test]
async fn each_answer_gets_its_treatment() {
    for db in TestDb::all().await {
        let s = sender(db, |st| st.request_timeout = Duration::from_millis(800)).await;
        let (sink, host) = Sink::on_free_port().await;
        sink.set(1, Behaviour::TooManyOnce(1));
        sink.set(2, Behaviour::Gone);
        sink.set(3, Behaviour::ErrorTimes(2));
        sink.set(4, Behaviour::SlowOnce(Duration::from_secs(3)));
        follow_from_sink(&s.verkosto, "kahvila", &sink, &host, 0..5).await;
        // A follower whose server refuses connections.
        let closed = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
            l.local_addr().expect("addr").port()
        };
        follow_from_sink(
            &s.verkosto,
            "kahvila",
            &Sink::default(),
            &format!("localhost:{closed}"),
            [9],
        )
        .await;

        let ids = publish(&s.verkosto, "kahvila", 1).await;
        assert_eq!(ids.len(), 1);
        eventually(20, "2xx inboxes to receive", || async {
            let got: HashSet<u32> = sink.accepted().iter().map(|d| d.inbox).collect();
            [0, 1, 3, 4].iter().all(|n| got.contains(n)).then_some(())
        })
        .await;
        assert!(
            sink.accepted()
                .iter()
                .all(|d| d.signature_ok && d.activity_id == ids[0]),
            "every delivery is signed by the community"
        );

        let at = |n| sink.attempts_at(n);
        assert_eq!(at(0).len(), 1, "202: delivered once");
        let too_many = at(1);
        assert_eq!(too_many.len(), 2, "429: retried");
        let waited = too_many[1].at.duration_since(too_many[0].at);
        assert!(
            waited >= Duration::from_millis(950),
            "Retry-After: 1 honoured, waited {waited:?}"
        );
        assert_eq!(at(3).len(), 3, "500: retried until it succeeds");
        assert_eq!(
            at(4).iter().filter(|d| d.accepted).count(),
            1,
            "timeout: delivered once in the end"
        );
        // The first request to inbox 4 would have been answered after 3 s: a second one arriving
        // shows the sender gave up on it at the 800 ms request timeout and retried.
        assert_eq!(
            sink.arrived_at(4),
            2,
            "timeout: the slow attempt was abandoned"
        );
        tokio::time::sleep(Duration::from_millis(1500)).await;
        assert_eq!(at(2).len(), 1, "410: given up at once, never retried");
        let status = store::deliveries::status(s.verkosto.db())
            .await
            .expect("status");
        assert_eq!(
            status.len(),
            1,
            "only the refused-connection follower still waits: {status:?}"
        );
        assert_eq!(status[0].host, format!("localhost:{closed}"));
        assert!(status[0].failing >= 1 && status[0].failing_since.is_some());
        s.stop().await;
    }
}

#[tokio::test]
async fn a_receiver_that_was_down_gets_everything_in_order() {
    for db in TestDb::all().await {
        let s = sender(db, |_| {}).await;
        let sink = Sink::default();
        let (port, host) = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
            let p = l.local_addr().expect("addr").port();
            (p, format!("localhost:{p}"))
        };
        follow_from_sink(&s.verkosto, "kahvila", &sink, &host, 0..3).await;
        let ids = publish(&s.verkosto, "kahvila", 5).await;
        tokio::time::sleep(Duration::from_millis(1500)).await;
        assert_eq!(
            queued(&s.verkosto).await,
            15,
            "nothing is lost while the receiver is down"
        );
        assert_eq!(
            failing_hosts(&s.verkosto).await,
            std::slice::from_ref(&host)
        );

        sink.serve(
            tokio::net::TcpListener::bind(("127.0.0.1", port))
                .await
                .expect("rebind"),
        );
        eventually(30, "all 15 deliveries", || async {
            (sink.accepted().len() >= 15).then_some(())
        })
        .await;
        for inbox in 0..3 {
            let order: Vec<String> = sink
                .accepted()
                .iter()
                .filter(|d| d.inbox == inbox)
                .map(|d| d.activity_id.clone())
                .collect();
            assert_eq!(
                order, ids,
                "inbox {inbox} got the activities in the order they were produced"
            );
        }
        eventually(5, "the queue to empty", || async {
            (queued(&s.verkosto).await == 0).then_some(())
        })
        .await;
        assert!(
            failing_hosts(&s.verkosto).await.is_empty(),
            "a host that answers again is no longer failing"
        );
        s.stop().await;
    }
}

/// The hosts whose deliveries are failing.
async fn failing_hosts(v: &Verkosto) -> Vec<String> {
    let sql = "SELECT host FROM failing_hosts ORDER BY host";
    match v.db() {
        store::Db::Sqlite(p) => sqlx::query_scalar(sql).fetch_all(p).await,
        store::Db::Postgres(p) => sqlx::query_scalar(sql).fetch_all(p).await,
    }
    .expect("failing hosts")
}

#[tokio::test]
async fn a_slow_receiver_does_not_delay_the_others() {
    slow_receiver_beside_a_fast_one(|st| st.request_timeout = Duration::from_secs(30), 8).await;
}

/// The delivery loop claims in batches while most workers are busy, but only for a moment: with
/// seven of eight workers stuck on a slow host, the one left keeps delivering to the others.
#[tokio::test]
async fn one_free_worker_keeps_delivering_while_the_others_wait_on_a_slow_host() {
    slow_receiver_beside_a_fast_one(
        |st| {
            st.request_timeout = Duration::from_secs(30);
            st.delivery_workers = 8;
            st.workers_per_host = 7;
        },
        7,
    )
    .await;
}

/// A slow host's `slow_inboxes` followers never answer within 20 s; the fast host's five get
/// everything long before that.
async fn slow_receiver_beside_a_fast_one(
    settings: impl FnOnce(&mut verkosto::Settings),
    slow_inboxes: u32,
) {
    let s = sender(TestDb::sqlite().await, settings).await;
    let (slow, fast) = (Sink::default(), Sink::default());
    let mut hosts = vec![];
    for sink in [&slow, &fast] {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        hosts.push(format!(
            "localhost:{}",
            listener.local_addr().expect("addr").port()
        ));
        sink.serve(listener);
    }
    for n in 0..slow_inboxes {
        slow.set(n, Behaviour::SlowAlways(Duration::from_secs(20)));
    }
    follow_from_sink(&s.verkosto, "kahvila", &slow, &hosts[0], 0..slow_inboxes).await;
    follow_from_sink(&s.verkosto, "kahvila", &fast, &hosts[1], 0..5).await;
    let started = Instant::now();
    publish(&s.verkosto, "kahvila", 3).await;
    eventually(15, "the fast receiver to get all 15", || async {
        (fast.accepted().len() == 15).then_some(())
    })
    .await;
    assert!(
        slow.accepted().is_empty(),
        "the slow receiver is still answering its first deliveries"
    );
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "the fast receiver did not wait for the slow one"
    );
    s.stop().await;
}

#[tokio::test]
async fn an_unavailable_host_is_skipped_until_it_contacts_us() {
    let s = sender(TestDb::sqlite().await, |st| {
        st.unavailable_after = Duration::from_millis(300);
        st.host_probe_interval = Duration::from_secs(3600);
    })
    .await;
    // The peer is a real instance, down at first: its port is reserved but nothing answers.
    let peer_listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let peer_port = peer_listener.local_addr().expect("addr").port();
    drop(peer_listener);
    let sink = Sink::default();
    let peer_host = format!("localhost:{peer_port}");
    follow_from_sink(&s.verkosto, "kahvila", &sink, &peer_host, [0]).await;
    publish(&s.verkosto, "kahvila", 2).await;
    eventually(
        10,
        "the host to be marked failing for longer than the window",
        || async {
            let st = store::deliveries::status(s.verkosto.db())
                .await
                .expect("status");
            st.first()
                .and_then(|h| h.failing_since)
                .filter(|since| chrono::Utc::now() - *since > chrono::Duration::milliseconds(400))
                .map(|_| ())
        },
    )
    .await;
    sink.serve(
        tokio::net::TcpListener::bind(("127.0.0.1", peer_port))
            .await
            .expect("rebind"),
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(
        sink.accepted().is_empty(),
        "an unavailable host is not retried on the normal schedule"
    );

    // The host sends us a signed activity (one of its actors follows): it is back, and what waited for it
    // is delivered at once.
    let key = verkosto::service::generate_keypair().await.expect("key");
    sink.act_as_actors(key.clone());
    let actor = format!("http://{peer_host}/actor/0");
    let follow = serde_json::json!({
        "id": format!("{actor}/follows/1"), "type": "Follow", "actor": actor, "object": s.url("/c/kahvila")
    });
    let (status, _) = crate::common::RemoteSigner::with_key(actor, &key.private_key_pem)
        .post(&s, "/c/kahvila/inbox", &follow)
        .await;
    assert_eq!(status, 202);
    eventually(10, "the waiting deliveries", || async {
        (sink.accepted().len() >= 2).then_some(())
    })
    .await;
    assert_eq!(
        store::deliveries::status(s.verkosto.db())
            .await
            .expect("status")
            .iter()
            .filter(|h| h.failing_since.is_some())
            .count(),
        0
    );
    s.stop().await;
}
