//! What an incoming `Follow`, `Join`, `Leave` and `Undo` do, against a running server: an `Undo` naming
//! its object by id undoes what we stored under that id (a Follow or a Join), and only for its own
//! actor; a repeated Follow is answered again and one reusing its id after an unfollow follows again.
//! The remote side is a sink that serves the actors and counts what it receives.

use crate::common::sink::Sink;
use crate::common::{RemoteSigner, TestDb, TestServer, eventually};
use serde_json::{Value, json};
use verkosto::model::FollowState;
use verkosto::store;

struct Setup {
    local: TestServer,
    manager: String,
    sink: Sink,
    /// `/actor/1` and `/actor/2` on the sink, both signing with the key the sink serves.
    alice: RemoteSigner,
    mallory: RemoteSigner,
}

async fn setup(db: TestDb) -> Setup {
    let local = TestServer::start(db).await;
    let manager = local.account("aino").await;
    local.community(&manager, "kahvila", "open").await;
    let (sink, host, key) = Sink::serving_actors().await;
    let signer =
        |n: u32| RemoteSigner::with_key(format!("http://{host}/actor/{n}"), &key.private_key_pem);
    Setup {
        alice: signer(1),
        mallory: signer(2),
        local,
        manager,
        sink,
    }
}

async fn followers(s: &TestServer) -> i64 {
    let mut c = s.verkosto.db().acquire().await.expect("acquire");
    store::follows::count_followers(&mut c.conn(), &s.url("/c/kahvila"), FollowState::Accepted)
        .await
        .expect("count")
}

fn activity(kind: &str, id: &str, actor: &RemoteSigner, object: impl Into<Value>) -> Value {
    json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": id, "type": kind, "actor": actor.actor, "object": object.into(),
    })
}

/// What the sink's inbox `n` received (every delivery to a follower there is an answer to it).
async fn received_at(sink: &Sink, n: u32, expected: usize) {
    eventually(
        20,
        &format!("{expected} deliveries at inbox {n}"),
        || async { (sink.attempts_at(n).len() >= expected).then_some(()) },
    )
    .await;
    assert_eq!(
        sink.attempts_at(n).len(),
        expected,
        "deliveries at inbox {n}"
    );
}

#[tokio::test]
async fn an_undo_by_id_undoes_the_join_or_follow_stored_under_it_and_only_for_its_actor() {
    for db in TestDb::all().await {
        eprintln!("-- backend: {}", db.backend);
        let Setup {
            local,
            manager,
            sink,
            alice,
            mallory,
        } = setup(db).await;
        let (status, event) = local
            .post_json(
                "/api/v1/communities/kahvila/events",
                Some(&manager),
                json!({ "title": "Aamiainen", "description": "Tervetuloa",
                        "starts_at": "2030-06-12T09:00:00+03:00", "ends_at": "2030-06-12T11:00:00+03:00",
                        "join_mode": "free" }),
            )
            .await;
        assert_eq!(status, 201, "{event}");
        let event_id = event["id"].as_str().expect("id").to_string();
        let event_ap_id = event["ap_id"].as_str().expect("ap_id").to_string();
        let participants = || async {
            let (status, list) = local
                .get_json(
                    &format!("/api/v1/events/{event_id}/participants"),
                    Some(&manager),
                )
                .await;
            assert_eq!(status, 200, "{list}");
            list.as_array().expect("list").len()
        };

        // Alice joins the event.
        let join_id = format!("{}/joins/1", alice.actor);
        let (status, answer) = alice
            .post(
                &local,
                "/inbox",
                &activity("Join", &join_id, &alice, event_ap_id.clone()),
            )
            .await;
        assert_eq!(status, 202, "{answer}");
        assert_eq!(participants().await, 1);
        // Her inbox gets the Accept and the event's Update with the new count.
        received_at(&sink, 1, 2).await;

        // A repeated Join (the answer was lost, say) is answered again; nothing else changes.
        let (status, answer) = alice
            .post(
                &local,
                "/inbox",
                &activity("Join", &join_id, &alice, event_ap_id.clone()),
            )
            .await;
        assert_eq!(status, 202, "{answer}");
        assert_eq!(participants().await, 1);
        received_at(&sink, 1, 3).await;

        // Someone else cannot undo her Join by naming its id.
        let (status, answer) = mallory
            .post(
                &local,
                "/inbox",
                &activity(
                    "Undo",
                    &format!("{}/undo/1", mallory.actor),
                    &mallory,
                    join_id.clone(),
                ),
            )
            .await;
        assert_eq!(status, 403, "an Undo of another actor's Join: {answer}");
        assert_eq!(participants().await, 1, "nothing changed");

        // Her own Undo naming the Join by id cancels her participation.
        let (status, answer) = alice
            .post(
                &local,
                "/inbox",
                &activity(
                    "Undo",
                    &format!("{}/undo/1", alice.actor),
                    &alice,
                    join_id.clone(),
                ),
            )
            .await;
        assert_eq!(status, 202, "{answer}");
        assert_eq!(
            participants().await,
            0,
            "Undo{{Join id}} cancels the participation"
        );

        // Undo of a Follow by id still works, and only for the follower.
        let follow_id = format!("{}/follows/1", alice.actor);
        let (status, _) = alice
            .post(
                &local,
                "/c/kahvila/inbox",
                &activity("Follow", &follow_id, &alice, local.url("/c/kahvila")),
            )
            .await;
        assert_eq!(status, 202);
        assert_eq!(followers(&local).await, 1);
        let (status, _) = mallory
            .post(
                &local,
                "/inbox",
                &activity(
                    "Undo",
                    &format!("{}/undo/2", mallory.actor),
                    &mallory,
                    follow_id.clone(),
                ),
            )
            .await;
        assert_eq!(status, 403, "an Undo of another actor's Follow");
        assert_eq!(followers(&local).await, 1);
        let (status, _) = alice
            .post(
                &local,
                "/inbox",
                &activity(
                    "Undo",
                    &format!("{}/undo/2", alice.actor),
                    &alice,
                    follow_id.clone(),
                ),
            )
            .await;
        assert_eq!(status, 202);
        assert_eq!(followers(&local).await, 0);

        // An id we never stored: acknowledged, nothing to undo.
        let (status, _) = alice
            .post(
                &local,
                "/inbox",
                &activity(
                    "Undo",
                    &format!("{}/undo/3", alice.actor),
                    &alice,
                    format!("{}/unknown", alice.actor),
                ),
            )
            .await;
        assert_eq!(status, 202);
        local.stop().await;
    }
}

#[tokio::test]
async fn a_follow_is_answered_again_when_repeated_and_applied_again_after_an_unfollow() {
    for db in TestDb::all().await {
        eprintln!("-- backend: {}", db.backend);
        let Setup {
            local, sink, alice, ..
        } = setup(db).await;
        let follow_id = format!("{}/follows/1", alice.actor);
        let follow = activity("Follow", &follow_id, &alice, local.url("/c/kahvila"));

        let (status, _) = alice.post(&local, "/c/kahvila/inbox", &follow).await;
        assert_eq!(status, 202);
        assert_eq!(followers(&local).await, 1);
        received_at(&sink, 1, 1).await;

        let undo = activity(
            "Undo",
            &format!("{}/undo/1", alice.actor),
            &alice,
            follow_id.clone(),
        );
        let (status, _) = alice.post(&local, "/inbox", &undo).await;
        assert_eq!(status, 202);
        assert_eq!(followers(&local).await, 0);

        // Following again under the same Follow id (as Fedify does) follows again and is accepted.
        let (status, _) = alice.post(&local, "/c/kahvila/inbox", &follow).await;
        assert_eq!(status, 202);
        assert_eq!(followers(&local).await, 1, "the follower is in place again");
        received_at(&sink, 1, 2).await;

        // A plain repeat of the accepted Follow is answered with an Accept again.
        let (status, _) = alice.post(&local, "/c/kahvila/inbox", &follow).await;
        assert_eq!(status, 202);
        assert_eq!(followers(&local).await, 1);
        received_at(&sink, 1, 3).await;
        local.stop().await;
    }
}
