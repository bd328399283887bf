//! The instance as a relay and as a relay subscriber, and backfill on follow (issue 20, items 1,
//! 2 and 4): real servers on loopback, a counting sink and a small Mastodon-style relay written
//! here, every request signed.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::{
    Router,
    body::Bytes,
    extract::{Path, State},
    http::{HeaderMap, Uri},
    response::IntoResponse,
    routing::{get, post},
};
use serde_json::{Value, json};
use verkosto::model::InstanceFollowPolicy;

use crate::common::sink::Sink;
use crate::common::{RemoteSigner, TestDb, TestServer, eventually};

const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

fn event(title: &str, starts: &str, ends: &str) -> Value {
    json!({ "title": title, "starts_at": starts, "ends_at": ends })
}

/// The sink's deliveries of one type at one inbox.
fn arrived(sink: &Sink, inbox: u32, kind: &str) -> usize {
    sink.accepted()
        .iter()
        .filter(|s| s.inbox == inbox && s.kind == kind && s.signature_ok)
        .count()
}

/// Makes the sink check signatures of `server`'s instance actor.
async fn trust_instance(sink: &Sink, server: &TestServer) {
    let keys = server
        .verkosto
        .state()
        .instance_keys
        .get()
        .await
        .expect("keys");
    sink.trust(
        &format!("{}#main-key", server.url("/actor")),
        &keys.pair.public_key_pem,
    );
}

async fn follow_instance(server: &TestServer, signer: &RemoteSigner, n: u32) -> (u16, Value) {
    let follow = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{}/follows/{n}", signer.actor), "type": "Follow",
        "actor": signer.actor, "object": server.url("/actor"),
    });
    let (status, _) = signer.post(server, "/actor/inbox", &follow).await;
    (status, follow)
}

#[tokio::test]
async fn a_peer_follows_the_instance_actor_and_receives_every_public_event() {
    for db in TestDb::all().await {
        eprintln!("-- backend: {}", db.backend);
        let a = TestServer::start(db).await; // approval, the default
        let (sink, host, key) = Sink::serving_actors().await;
        trust_instance(&sink, &a).await;
        let signer = RemoteSigner::with_key(format!("http://{host}/actor/1"), &key.private_key_pem);
        let admin = a.admin("admin").await;
        let aino = a.account("aino").await;
        a.community(&aino, "kahvila", "open").await;

        let (_, ct, actor) = a.get_ap("/actor").await;
        assert!(ct.starts_with("application/activity+json"));
        assert_eq!(actor["outbox"], a.url("/actor/outbox"));
        assert_eq!(actor["followers"], a.url("/actor/followers"));
        assert_eq!(actor["manuallyApprovesFollowers"], true);

        let (status, _) = follow_instance(&a, &signer, 1).await;
        assert_eq!(status, 202, "a Follow of the instance actor is taken");
        let (status, _) = a
            .get_json("/api/v1/admin/instance/follow-requests", Some(&aino))
            .await;
        assert_eq!(status, 403, "only administrators decide");
        let (_, requests) = a
            .get_json("/api/v1/admin/instance/follow-requests", Some(&admin))
            .await;
        let requests = requests.as_array().expect("list").clone();
        assert_eq!(requests.len(), 1, "pending until an administrator decides");
        assert_eq!(requests[0]["follower_ap_id"], signer.actor);

        // Pending: a new event does not reach the peer.
        a.post_json(
            "/api/v1/communities/kahvila/events",
            Some(&aino),
            event(
                "Ennen",
                "2031-03-01T09:00:00+02:00",
                "2031-03-01T10:00:00+02:00",
            ),
        )
        .await;
        let (status, _) = a
            .post_json(
                &format!(
                    "/api/v1/admin/instance/follow-requests/{}/accept",
                    requests[0]["id"]
                ),
                Some(&admin),
                json!({}),
            )
            .await;
        assert_eq!(status, 200);
        eventually(10, "the peer is told it was accepted", || async {
            (arrived(&sink, 1, "Accept") == 1).then_some(())
        })
        .await;
        let (_, _, followers) = a.get_ap("/actor/followers").await;
        assert_eq!(followers["totalItems"], 1);

        // A community's new event and announcement reach the peer as the instance actor's Announce.
        let (status, created) = a
            .post_json(
                "/api/v1/communities/kahvila/events",
                Some(&aino),
                event(
                    "Aamiainen",
                    "2031-03-02T09:00:00+02:00",
                    "2031-03-02T10:00:00+02:00",
                ),
            )
            .await;
        assert_eq!(status, 201, "{created}");
        let (status, _) = a
            .post_json(
                "/api/v1/communities/kahvila/announcements",
                Some(&aino),
                json!({ "content": "Kahvila on auki" }),
            )
            .await;
        assert_eq!(status, 201);
        eventually(10, "two Announces at the peer", || async {
            (arrived(&sink, 1, "Announce") == 2).then_some(())
        })
        .await;
        let (_, _, outbox) = a.get_ap("/actor/outbox?page=1").await;
        let items = outbox["orderedItems"].as_array().expect("items");
        // Three: the one published while the follow was pending is in the outbox too.
        assert_eq!(items.len(), 3, "{outbox}");
        assert!(
            items
                .iter()
                .all(|i| i["type"] == "Announce" && i["actor"] == a.url("/actor"))
        );
        assert!(
            items.iter().any(|i| i["object"] == created["ap_id"]),
            "{outbox}"
        );
        // A change (here a cancellation) is announced again, so the peer refetches the event.
        let response = a
            .http
            .post(a.url(&format!(
                "/api/v1/events/{}/cancel",
                created["id"].as_str().expect("id")
            )))
            .bearer_auth(&aino)
            .send()
            .await
            .expect("cancel");
        assert_eq!(response.status(), 200);
        eventually(10, "a third Announce, of the changed event", || async {
            (arrived(&sink, 1, "Announce") == 3).then_some(())
        })
        .await;

        // Undo{Follow}: nothing more.
        let undo = json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": format!("{}/undo/1", signer.actor), "type": "Undo", "actor": signer.actor,
            "object": { "id": format!("{}/follows/1", signer.actor), "type": "Follow",
                        "actor": signer.actor, "object": a.url("/actor") },
        });
        let (status, _) = signer.post(&a, "/actor/inbox", &undo).await;
        assert_eq!(status, 202);
        let (_, _, followers) = a.get_ap("/actor/followers").await;
        assert_eq!(followers["totalItems"], 0);
        a.post_json(
            "/api/v1/communities/kahvila/events",
            Some(&aino),
            event(
                "Jälkeen",
                "2031-03-03T09:00:00+02:00",
                "2031-03-03T10:00:00+02:00",
            ),
        )
        .await;
        tokio::time::sleep(Duration::from_millis(800)).await;
        assert_eq!(arrived(&sink, 1, "Announce"), 3, "nothing after the Undo");
        a.stop().await;
    }
}

#[tokio::test]
async fn closed_refuses_and_open_accepts_follows_of_the_instance() {
    for db in TestDb::all().await {
        eprintln!("-- backend: {}", db.backend);
        let a = TestServer::start_with(db, |s| {
            s.instance_follow_policy = InstanceFollowPolicy::Closed
        })
        .await;
        let (sink, host, key) = Sink::serving_actors().await;
        trust_instance(&sink, &a).await;
        let signer = RemoteSigner::with_key(format!("http://{host}/actor/2"), &key.private_key_pem);
        let aino = a.account("aino").await;
        a.community(&aino, "kahvila", "open").await;
        let (status, _) = follow_instance(&a, &signer, 1).await;
        assert_eq!(status, 202);
        eventually(10, "the peer is refused", || async {
            (arrived(&sink, 2, "Reject") == 1).then_some(())
        })
        .await;
        let (_, _, followers) = a.get_ap("/actor/followers").await;
        assert_eq!(followers["totalItems"], 0, "nothing stored");
        let admin = a.admin("admin").await;
        let (_, requests) = a
            .get_json("/api/v1/admin/instance/follow-requests", Some(&admin))
            .await;
        assert_eq!(requests, json!([]), "nothing pending either");
        a.post_json(
            "/api/v1/communities/kahvila/events",
            Some(&aino),
            event(
                "Aamiainen",
                "2031-03-02T09:00:00+02:00",
                "2031-03-02T10:00:00+02:00",
            ),
        )
        .await;
        tokio::time::sleep(Duration::from_millis(800)).await;
        assert_eq!(arrived(&sink, 2, "Announce"), 0);
        assert_eq!(arrived(&sink, 2, "Accept"), 0);
        a.stop().await;
    }
    let a = TestServer::start_with(TestDb::sqlite().await, |s| {
        s.instance_follow_policy = InstanceFollowPolicy::Open
    })
    .await;
    let (sink, host, key) = Sink::serving_actors().await;
    trust_instance(&sink, &a).await;
    let signer = RemoteSigner::with_key(format!("http://{host}/actor/3"), &key.private_key_pem);
    let (_, _, actor) = a.get_ap("/actor").await;
    assert_eq!(actor["manuallyApprovesFollowers"], false);
    follow_instance(&a, &signer, 1).await;
    eventually(10, "accepted at once", || async {
        (arrived(&sink, 3, "Accept") == 1).then_some(())
    })
    .await;
    a.stop().await;
}

/// A Mastodon-style relay (and the instance its events come from): an application actor, an inbox
/// that checks signatures and keeps what arrives, a group and its events.
#[derive(Clone)]
struct TestRelay {
    host: String,
    key: verkosto::model::KeyPair,
    /// The key of the instance that follows us, to check its signatures.
    follower_key: Arc<Mutex<Option<(String, String)>>>,
    /// (activity, whether its signature verified).
    inbox: Arc<Mutex<Vec<(Value, bool)>>>,
}

impl TestRelay {
    async fn start() -> TestRelay {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let relay = TestRelay {
            host: format!("localhost:{}", listener.local_addr().expect("addr").port()),
            key: verkosto::service::generate_keypair().await.expect("key"),
            follower_key: Arc::default(),
            inbox: Arc::default(),
        };
        let app = Router::new()
            .route("/actor", get(relay_actor))
            .route("/groups/g", get(relay_group))
            .route("/events/{n}", get(relay_event))
            .route("/inbox", post(relay_inbox))
            .with_state(relay.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        relay
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.host)
    }

    fn signer(&self) -> RemoteSigner {
        RemoteSigner::with_key(self.url("/actor"), &self.key.private_key_pem)
    }

    fn received(&self, kind: &str) -> Vec<(Value, bool)> {
        self.inbox
            .lock()
            .expect("lock")
            .iter()
            .filter(|(a, _)| a["type"] == kind)
            .cloned()
            .collect()
    }
}

fn ap(doc: Value) -> impl IntoResponse {
    (
        [("content-type", "application/activity+json")],
        axum::Json(doc),
    )
}

async fn relay_actor(State(r): State<TestRelay>) -> impl IntoResponse {
    let id = r.url("/actor");
    ap(json!({
        "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
        "type": "Application", "id": id, "preferredUsername": "relay",
        "inbox": r.url("/inbox"),
        "publicKey": { "id": format!("{id}#main-key"), "owner": id, "publicKeyPem": r.key.public_key_pem }
    }))
}

async fn relay_group(State(r): State<TestRelay>) -> impl IntoResponse {
    let id = r.url("/groups/g");
    ap(json!({
        "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
        "type": "Group", "id": id, "preferredUsername": "g", "inbox": r.url("/groups/g/inbox"),
        "publicKey": { "id": format!("{id}#main-key"), "owner": id, "publicKeyPem": r.key.public_key_pem }
    }))
}

/// Events 1 and 2 are to come, 3 is past.
async fn relay_event(State(r): State<TestRelay>, Path(n): Path<u32>) -> impl IntoResponse {
    let year = if n == 3 { 2020 } else { 2031 };
    ap(json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "type": "Event", "id": r.url(&format!("/events/{n}")), "name": format!("Relayed event {n}"),
        "startTime": format!("{year}-05-0{n}T18:00:00+02:00"), "endTime": format!("{year}-05-0{n}T20:00:00+02:00"),
        "attributedTo": r.url("/groups/g"), "to": [PUBLIC], "cc": [],
        "content": "<p>From elsewhere</p>", "url": r.url(&format!("/events/{n}")),
    }))
}

async fn relay_inbox(
    State(r): State<TestRelay>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> impl IntoResponse {
    let key = r.follower_key.lock().expect("lock").clone();
    let ok = verkosto::signatures::check_post(
        "POST",
        uri.path(),
        &headers,
        &body,
        "http",
        &r.host,
        verkosto::signatures::SignatureAge::default(),
    )
    .ok()
    .zip(key)
    .is_some_and(|(pending, (key_id, pem))| pending.key_id() == key_id && pending.verify(&pem));
    let activity: Value = serde_json::from_slice(&body).unwrap_or_default();
    r.inbox.lock().expect("lock").push((activity, ok));
    axum::http::StatusCode::ACCEPTED
}

#[tokio::test]
async fn the_instance_subscribes_to_a_relay_and_shows_what_it_relays() {
    for db in TestDb::all().await {
        eprintln!("-- backend: {}", db.backend);
        let a = TestServer::start_with(db, |s| {
            s.instance_follow_policy = InstanceFollowPolicy::Open
        })
        .await;
        let relay = TestRelay::start().await;
        *relay.follower_key.lock().expect("lock") = Some((
            format!("{}#main-key", a.url("/actor")),
            a.verkosto
                .state()
                .instance_keys
                .get()
                .await
                .expect("keys")
                .pair
                .public_key_pem
                .clone(),
        ));
        let admin = a.admin("admin").await;
        let aino = a.account("aino").await;
        // A peer follows this instance's relay: what the relay brings must not go on to it.
        let (sink, host, key) = Sink::serving_actors().await;
        trust_instance(&sink, &a).await;
        follow_instance(
            &a,
            &RemoteSigner::with_key(format!("http://{host}/actor/1"), &key.private_key_pem),
            1,
        )
        .await;
        eventually(10, "the peer follows", || async {
            (arrived(&sink, 1, "Accept") == 1).then_some(())
        })
        .await;

        let body = json!({ "url": relay.url("/inbox") });
        let (status, _) = a
            .post_json("/api/v1/admin/relays", Some(&aino), body.clone())
            .await;
        assert_eq!(status, 403, "administrators only");
        let (status, sub) = a
            .post_json("/api/v1/admin/relays", Some(&admin), body)
            .await;
        assert_eq!(
            (status, sub["state"].as_str()),
            (201, Some("pending")),
            "{sub}"
        );
        assert_eq!(sub["follows_public"], true);
        let follows = eventually(10, "the relay gets a signed Follow of Public", || async {
            let f = relay.received("Follow");
            (!f.is_empty()).then_some(f)
        })
        .await;
        let (follow, signed) = &follows[0];
        assert!(signed, "signed by the instance actor");
        assert_eq!(follow["object"], PUBLIC);
        assert_eq!(follow["actor"], a.url("/actor"));

        // The relay accepts, then relays an event as Announce and forwards another one's Create.
        let r = relay.signer();
        let accept = json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": relay.url("/activities/accept-1"), "type": "Accept", "actor": relay.url("/actor"),
            "object": { "id": follow["id"], "type": "Follow", "actor": a.url("/actor"), "object": PUBLIC },
        });
        assert_eq!(r.post(&a, "/inbox", &accept).await.0, 202);
        let (_, list) = a.get_json("/api/v1/admin/relays", Some(&admin)).await;
        assert_eq!(list[0]["state"], "accepted", "{list}");
        assert_eq!(list[0]["actor_ap_id"], relay.url("/actor"));

        let announce = json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": relay.url("/activities/announce-1"), "type": "Announce", "actor": relay.url("/actor"),
            "object": relay.url("/events/1"), "to": [PUBLIC],
        });
        assert_eq!(r.post(&a, "/inbox", &announce).await.0, 202);
        let forwarded = json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": relay.url("/groups/g/create-2"), "type": "Create", "actor": relay.url("/groups/g"),
            "object": { "id": relay.url("/events/2"), "type": "Event", "name": "Forged title" },
            "to": [PUBLIC],
        });
        assert_eq!(
            r.post(&a, "/inbox", &forwarded).await.0,
            202,
            "a forwarded Create is taken"
        );

        let page = a
            .http
            .get(a.url("/instance/calendar"))
            .send()
            .await
            .expect("page");
        assert_eq!(page.status(), 200);
        let html = page.text().await.expect("html");
        assert!(html.contains("Relayed event 1"), "{html}");
        assert!(
            html.contains("Relayed event 2"),
            "read from its origin: {html}"
        );
        assert!(
            !html.contains("Forged title"),
            "what the relay carried is not trusted"
        );
        assert!(
            html.contains(&relay.url("/groups/g")),
            "the organizer is shown"
        );
        assert!(
            html.contains(&relay.url("/actor")),
            "and the relay it came through"
        );
        let ics = a
            .http
            .get(a.url("/instance/events.ics"))
            .send()
            .await
            .expect("ics");
        assert!(
            ics.headers()["content-type"]
                .to_str()
                .unwrap_or("")
                .starts_with("text/calendar")
        );
        let ics = ics.text().await.expect("ics");
        assert_eq!(ics.matches("BEGIN:VEVENT").count(), 2, "{ics}");
        assert!(ics.contains("Relayed event 1") && ics.contains(&relay.url("/groups/g")));

        // Not relayed on: the instance relay carries local communities' content only.
        let (_, _, outbox) = a.get_ap("/actor/outbox").await;
        assert_eq!(outbox["totalItems"], 0);
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(arrived(&sink, 1, "Announce"), 0, "no loop");

        // Removing it sends Undo, and a forwarded Create signed by the relay is no longer taken.
        let status = a
            .http
            .delete(a.url(&format!(
                "/api/v1/admin/relays?url={}",
                url::form_urlencoded::byte_serialize(relay.url("/inbox").as_bytes())
                    .collect::<String>()
            )))
            .bearer_auth(&admin)
            .send()
            .await
            .expect("delete")
            .status();
        assert_eq!(status, 204);
        eventually(10, "the relay gets Undo{Follow}", || async {
            (relay.received("Undo").len() == 1).then_some(())
        })
        .await;
        let mut again = forwarded.clone();
        again["id"] = json!(relay.url("/groups/g/create-4"));
        assert_eq!(
            r.post(&a, "/inbox", &again).await.0,
            401,
            "the relay's key is not the actor's"
        );
        let html = a
            .http
            .get(a.url("/instance/calendar"))
            .send()
            .await
            .expect("page")
            .text()
            .await
            .expect("html");
        assert!(!html.contains("Relayed event 1"), "it left the calendar");
        a.stop().await;
    }
}

#[tokio::test]
async fn a_new_follower_gets_the_communitys_upcoming_events_at_once() {
    for db in TestDb::all().await {
        eprintln!("-- backend: {}", db.backend);
        let a = TestServer::start(db).await;
        let b = TestServer::start(TestDb::sqlite().await).await;
        let aino = a.account("aino").await;
        let bea = b.account("bea").await;
        b.community(&bea, "tila", "open").await;
        let path = "/api/v1/communities/tila/events";
        let (_, upcoming) = b
            .post_json(
                path,
                Some(&bea),
                event(
                    "Tuleva",
                    "2031-06-01T18:00:00+03:00",
                    "2031-06-01T20:00:00+03:00",
                ),
            )
            .await;
        let (_, past) = b
            .post_json(
                path,
                Some(&bea),
                event(
                    "Mennyt",
                    "2020-06-01T18:00:00+03:00",
                    "2020-06-01T20:00:00+03:00",
                ),
            )
            .await;
        let (status, f) = a
            .post_json(
                "/api/v1/follows",
                Some(&aino),
                json!({ "handle": format!("tila@{}", b.domain) }),
            )
            .await;
        assert!(status == 201 || status == 200, "{status} {f}");
        let stored = eventually(15, "the upcoming event is stored on A", || async {
            let mut c = a.verkosto.db().acquire().await.ok()?;
            verkosto::store::events::find_by_ap_id(&mut c.conn(), upcoming["ap_id"].as_str()?)
                .await
                .ok()?
        })
        .await;
        assert_eq!(stored.title, "Tuleva");
        let mut c = a.verkosto.db().acquire().await.expect("conn");
        let past = verkosto::store::events::find_by_ap_id(
            &mut c.conn(),
            past["ap_id"].as_str().expect("ap_id"),
        )
        .await
        .expect("query");
        assert!(past.is_none(), "a past event is not backfilled");
        drop(c);
        a.stop().await;
        b.stop().await;
    }
}

#[tokio::test]
async fn a_community_joining_a_network_brings_its_upcoming_events() {
    for db in TestDb::all().await {
        eprintln!("-- backend: {}", db.backend);
        let c = TestServer::start(db).await;
        let b = TestServer::start(TestDb::sqlite().await).await;
        let cecilia = c.account("cecilia").await;
        let bea = b.account("bea").await;
        let (status, _) = c
            .post_json(
                "/api/v1/communities",
                Some(&cecilia),
                json!({ "name": "verkosto", "kind": "network", "follow_policy": "open" }),
            )
            .await;
        assert_eq!(status, 201);
        b.community(&bea, "tila", "open").await;
        b.post_json(
            "/api/v1/communities/tila/events",
            Some(&bea),
            event(
                "Suunniteltu",
                "2031-07-01T18:00:00+03:00",
                "2031-07-01T20:00:00+03:00",
            ),
        )
        .await;
        let (status, m) = b
            .post_json(
                "/api/v1/communities/tila/networks",
                Some(&bea),
                json!({ "handle": format!("verkosto@{}", c.domain) }),
            )
            .await;
        assert_eq!(status, 201, "{m}");
        eventually(
            15,
            "the member's planned event in the network calendar",
            || async {
                let (_, events) = c
                    .get_json("/api/v1/communities/verkosto/events", None)
                    .await;
                events
                    .as_array()?
                    .iter()
                    .any(|e| e["title"] == "Suunniteltu")
                    .then_some(())
            },
        )
        .await;
        c.stop().await;
        b.stop().await;
    }
}
