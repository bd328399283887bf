//! The hooks a host app subscribes to (`Verkosto::subscribe`): each domain event arrives once what
//! it tells has happened, driven here by real instances talking signed HTTP and by the client API.

use std::time::Duration;

use serde_json::{Value, json};
use tokio::sync::broadcast::Receiver;
use url::Url;
use verkosto::DomainEvent;

use crate::common::{RemoteSigner, TestDb, TestServer};

/// The next hook, or a panic naming what was awaited.
async fn next(hooks: &mut Receiver<DomainEvent>, what: &str) -> DomainEvent {
    tokio::time::timeout(Duration::from_secs(15), hooks.recv())
        .await
        .unwrap_or_else(|_| panic!("no hook while waiting for {what}"))
        .expect("hook stream open")
}

fn url(s: &str) -> Url {
    Url::parse(s).expect("url")
}

async fn post(s: &TestServer, path: &str, token: &str, body: Value) -> Value {
    let (status, answer) = s.post_json(path, Some(token), body).await;
    assert!(status < 300, "{path}: {status} {answer}");
    answer
}

#[tokio::test]
async fn follows_participations_waitlist_and_comments_are_told_once_done() {
    let a = TestServer::start(TestDb::sqlite().await).await;
    let b = TestServer::start(TestDb::sqlite().await).await;
    let mut hooks = a.verkosto.subscribe();
    let aino = a.account("aino").await;
    a.community(&aino, "kahvila", "approval").await;
    let kahvila = url(&a.url("/c/kahvila"));

    // A person on B asks to follow; the manager approves.
    let bea = b.account("bea").await;
    post(
        &b,
        "/api/v1/follows",
        &bea,
        json!({ "handle": format!("kahvila@{}", a.domain) }),
    )
    .await;
    let bea_id = url(&b.url("/u/bea"));
    assert_eq!(
        next(&mut hooks, "the follow request").await,
        DomainEvent::FollowRequested {
            community: "kahvila".into(),
            follower: bea_id.clone()
        }
    );
    let (_, requests) = a
        .get_json("/api/v1/communities/kahvila/follow-requests", Some(&aino))
        .await;
    let request = requests[0]["id"].as_i64().expect("request id");
    post(
        &a,
        &format!("/api/v1/communities/kahvila/follow-requests/{request}/accept"),
        &aino,
        json!({}),
    )
    .await;
    assert_eq!(
        next(&mut hooks, "the accepted follow").await,
        DomainEvent::FollowAccepted {
            target: kahvila.clone(),
            follower: bea_id.clone()
        }
    );

    // One seat: Olli takes it, Ville waits; Olli leaves and Ville gets the seat.
    let event = post(
        &a,
        "/api/v1/communities/kahvila/events",
        &aino,
        json!({ "title": "Aamiainen", "starts_at": "2031-01-27T08:00:00+02:00",
                "ends_at": "2031-01-27T10:00:00+02:00", "capacity": 1 }),
    )
    .await;
    let id = event["id"].as_str().expect("id").to_string();
    let event_id = url(event["ap_id"].as_str().expect("ap_id"));
    let participation = format!("/api/v1/events/{id}/participation");
    let olli = a.account("olli").await;
    let ville = a.account("ville").await;
    let (olli_id, ville_id) = (url(&a.url("/u/olli")), url(&a.url("/u/ville")));
    post(&a, &participation, &olli, json!({})).await;
    assert_eq!(
        next(&mut hooks, "Olli's seat").await,
        DomainEvent::ParticipationAccepted {
            event: event_id.clone(),
            participant: olli_id.clone()
        }
    );
    post(&a, &participation, &ville, json!({})).await;
    assert_eq!(
        next(&mut hooks, "Ville waitlisted").await,
        DomainEvent::ParticipationWaitlisted {
            event: event_id.clone(),
            participant: ville_id.clone()
        }
    );
    let res = a
        .http
        .delete(a.url(&participation))
        .bearer_auth(&olli)
        .send()
        .await
        .expect("leave");
    assert_eq!(res.status(), 204);
    assert_eq!(
        next(&mut hooks, "Olli leaving").await,
        DomainEvent::ParticipationCancelled {
            event: event_id.clone(),
            participant: olli_id
        }
    );
    assert_eq!(
        next(&mut hooks, "Ville promoted").await,
        DomainEvent::PromotedFromWaitlist {
            event: event_id.clone(),
            participant: ville_id
        }
    );

    // A reply from the fediverse.
    let remote = RemoteSigner::on(&b, "bertta").await;
    let note = format!("{}/notes/1", remote.actor);
    let (status, _) = remote
        .post(
            &a,
            "/inbox",
            &json!({ "id": format!("{}/activities/1", remote.actor), "type": "Create", "actor": remote.actor,
                     "object": { "id": note, "type": "Note", "attributedTo": remote.actor,
                                 "inReplyTo": event_id, "content": "<p>Tulen!</p>" } }),
        )
        .await;
    assert_eq!(status, 202);
    assert_eq!(
        next(&mut hooks, "the reply").await,
        DomainEvent::CommentReceived {
            event: event_id,
            comment: url(&note),
            author: url(&remote.actor)
        }
    );
    a.stop().await;
    b.stop().await;
}

#[tokio::test]
async fn remote_events_stored_updated_and_cancelled_are_told() {
    let a = TestServer::start(TestDb::sqlite().await).await;
    let b = TestServer::start(TestDb::sqlite().await).await;
    let mut hooks = a.verkosto.subscribe();
    let aino = a.account("aino").await;
    let bea = b.account("bea").await;
    b.community(&bea, "kerho", "open").await;
    post(
        &a,
        "/api/v1/follows",
        &aino,
        json!({ "handle": format!("kerho@{}", b.domain) }),
    )
    .await;
    // Wait until B has A's follower, or B's Create would not be sent to A.
    crate::common::eventually(15, "the follow accepted", || async {
        let (_, follows) = a.get_json("/api/v1/follows", Some(&aino)).await;
        (follows[0]["state"] == "accepted").then_some(())
    })
    .await;

    let event = post(
        &b,
        "/api/v1/communities/kerho/events",
        &bea,
        json!({ "title": "Kerhoilta", "starts_at": "2031-02-02T18:00:00+02:00",
                "ends_at": "2031-02-02T20:00:00+02:00" }),
    )
    .await;
    let id = event["id"].as_str().expect("id").to_string();
    let event_id = url(event["ap_id"].as_str().expect("ap_id"));
    assert_eq!(
        next(&mut hooks, "the remote event").await,
        DomainEvent::RemoteEventStored {
            event: event_id.clone()
        }
    );
    let res = b
        .http
        .patch(b.url(&format!("/api/v1/events/{id}")))
        .bearer_auth(&bea)
        .json(&json!({ "title": "Kerhoilta ja sauna" }))
        .send()
        .await
        .expect("patch");
    assert_eq!(res.status(), 200);
    assert_eq!(
        next(&mut hooks, "the change").await,
        DomainEvent::RemoteEventUpdated {
            event: event_id.clone()
        }
    );
    post(&b, &format!("/api/v1/events/{id}/cancel"), &bea, json!({})).await;
    // Deliveries may arrive more than once or late (a retried Update after a slow answer): updates of
    // the same event may come first, anything else may not.
    loop {
        match next(&mut hooks, "the cancellation").await {
            DomainEvent::RemoteEventCancelled { event } => {
                assert_eq!(event, event_id);
                break;
            }
            DomainEvent::RemoteEventUpdated { event } if event == event_id => {}
            other => panic!("unexpected hook {other:?}"),
        }
    }
    a.stop().await;
    b.stop().await;
}
