//! A storm of `Join`s to one event: each participant gets its `Accept` at once, and the participant
//! count's `Update` is coalesced (one per `event_update_delay` window, of the event as it then is)
//! instead of one to every participant per `Join`, which grew with the square of the participants.

use std::time::Duration;

use serde_json::json;

use crate::common::sink::Sink;
use crate::common::{RemoteSigner, TestDb, TestServer, eventually};

const JOINERS: u32 = 15;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_storm_of_joins_sends_each_participant_one_coalesced_update() {
    let (sink, sink_host, key) = Sink::serving_actors().await;
    let remotes: Vec<RemoteSigner> = (0..JOINERS)
        .map(|n| {
            RemoteSigner::with_key(
                format!("http://{sink_host}/actor/{n}"),
                &key.private_key_pem,
            )
        })
        .collect();
    for db in TestDb::all().await {
        let backend = db.backend;
        sink.seen.lock().expect("lock").clear();
        let a = TestServer::start_with(db, |s| s.event_update_delay = Duration::from_secs(3)).await;
        let manager = a.account("aino").await;
        a.community(&manager, "kahvila", "open").await;
        crate::common::sink::trust_community(&a.verkosto, "kahvila", &sink).await;
        let (status, event) = a
            .post_json(
                "/api/v1/communities/kahvila/events",
                Some(&manager),
                json!({ "title": "CMAD", "starts_at": "2031-01-27T08:00:00+02:00",
                        "ends_at": "2031-01-27T16:00:00+02:00", "capacity": 100 }),
            )
            .await;
        assert_eq!(status, 201, "{event}");
        let ap_id = event["ap_id"].as_str().expect("ap_id").to_string();

        let joins = remotes.iter().map(|r| {
            let join = json!({ "@context": "https://www.w3.org/ns/activitystreams",
                               "id": format!("{}/joins/{backend}", r.actor), "type": "Join",
                               "actor": r.actor, "object": ap_id });
            let a = &a;
            async move { r.post(a, "/inbox", &join).await.0 }
        });
        let answers = futures::future::join_all(joins).await;
        assert!(answers.iter().all(|s| *s == 202), "{backend}: {answers:?}");

        // Every joiner is accepted at once, and gets the event's Update with the final count.
        let updates_with = |count: usize| {
            let seen = sink.accepted();
            (0..JOINERS)
                .filter(|n| {
                    seen.iter().any(|s| {
                        s.inbox == *n
                            && s.kind == "Update"
                            && s.body["object"]["participantCount"] == count
                    })
                })
                .count()
        };
        eventually(
            20,
            "every participant told of all the participants",
            || async { (updates_with(JOINERS as usize) == JOINERS as usize).then_some(()) },
        )
        .await;
        let seen = sink.accepted();
        for n in 0..JOINERS {
            let accepts = seen
                .iter()
                .filter(|s| s.inbox == n && s.kind == "Accept")
                .count();
            let updates = seen
                .iter()
                .filter(|s| s.inbox == n && s.kind == "Update")
                .count();
            assert_eq!(accepts, 1, "{backend}: inbox {n}");
            // One window, or two when the joins straddled one: never one per later Join.
            assert!(
                (1..=2).contains(&updates),
                "{backend}: inbox {n} got {updates} Updates"
            );
        }
        let total = seen.iter().filter(|s| s.kind == "Update").count();
        assert!(total <= 2 * JOINERS as usize, "{backend}: {total} Updates");
        a.stop().await;
    }
}
