//! Two real instances on loopback ports, each with its own database, federating over signed HTTP.

use std::sync::{Arc, Mutex};

use crate::common::{TestDb, TestServer, eventually};
use axum::{Json, Router, routing::get};
use serde_json::{Value, json};

async fn follow_state(s: &TestServer, token: &str) -> Option<String> {
    let (_, follows) = s.get_json("/api/v1/follows", Some(token)).await;
    follows.as_array()?.first()?["state"]
        .as_str()
        .map(str::to_string)
}

async fn follower_count(s: &TestServer, community: &str) -> i64 {
    let (_, _, doc) = s.get_ap(&format!("/c/{community}/followers")).await;
    doc["totalItems"].as_i64().unwrap_or(-1)
}

#[tokio::test]
async fn a_member_follows_an_open_community_on_another_instance_and_unfollows() {
    // One side on PostgreSQL when available, so federation also runs against that backend.
    let a = TestServer::start(TestDb::postgres().await.unwrap_or(TestDb::sqlite().await)).await;
    let b = TestServer::start(TestDb::sqlite().await).await;
    let aino = a.account("aino").await;
    let bea = b.account("bea").await;
    b.community(&bea, "kahvila", "open").await;

    let handle = format!("kahvila@{}", b.domain);
    let res = a
        .http
        .post(a.url("/api/v1/follows"))
        .bearer_auth(&aino)
        .json(&json!({ "handle": handle }))
        .send()
        .await
        .expect("follow");
    assert_eq!(res.status(), 201);
    let body: Value = res.json().await.expect("json");
    assert_eq!(body["state"], "pending");
    assert_eq!(body["target"]["kind"], "Group");

    eventually(10, "the Accept to arrive", || async {
        (follow_state(&a, &aino).await.as_deref() == Some("accepted")).then_some(())
    })
    .await;
    assert_eq!(follower_count(&b, "kahvila").await, 1);
    let (_, _, page) = b.get_ap("/c/kahvila/followers?page=1").await;
    assert_eq!(page["orderedItems"], json!([a.url("/u/aino")]));

    // Following twice is refused.
    let again = a
        .http
        .post(a.url("/api/v1/follows"))
        .bearer_auth(&aino)
        .json(&json!({ "handle": handle }))
        .send()
        .await
        .expect("again");
    assert_eq!(again.status(), 409);

    let res = a
        .http
        .delete(a.url("/api/v1/follows"))
        .bearer_auth(&aino)
        .json(&json!({ "handle": handle }))
        .send()
        .await
        .expect("unfollow");
    assert_eq!(res.status(), 204);
    eventually(10, "the Undo to arrive", || async {
        (follower_count(&b, "kahvila").await == 0).then_some(())
    })
    .await;
    assert_eq!(follow_state(&a, &aino).await, None);
    a.stop().await;
    b.stop().await;
}

#[tokio::test]
async fn an_approval_community_holds_requests_until_a_manager_decides() {
    let a = TestServer::start(TestDb::sqlite().await).await;
    let b = TestServer::start(TestDb::sqlite().await).await;
    let aino = a.account("aino").await;
    let ville = a.account("ville").await;
    let bea = b.account("bea").await;
    let outsider = b.account("olli").await;
    let group = b.community(&bea, "yhdistys", "approval").await;
    let handle = format!("yhdistys@{}", b.domain);

    let (_, _, doc) = b.get_ap("/c/yhdistys").await;
    assert_eq!(doc["manuallyApprovesFollowers"], true);
    assert_eq!(group["follow_policy"], "approval");

    for token in [&aino, &ville] {
        let res = a
            .http
            .post(a.url("/api/v1/follows"))
            .bearer_auth(token)
            .json(&json!({ "handle": handle }))
            .send()
            .await
            .expect("follow");
        assert_eq!(res.status(), 201);
    }
    let requests = eventually(10, "two follow requests", || async {
        let (status, list) = b
            .get_json("/api/v1/communities/yhdistys/follow-requests", Some(&bea))
            .await;
        assert_eq!(status, 200);
        (list.as_array().map(Vec::len) == Some(2)).then_some(list)
    })
    .await;
    assert_eq!(
        follower_count(&b, "yhdistys").await,
        0,
        "pending requests are not followers"
    );
    assert_eq!(follow_state(&a, &aino).await.as_deref(), Some("pending"));

    let (status, _) = b
        .get_json(
            "/api/v1/communities/yhdistys/follow-requests",
            Some(&outsider),
        )
        .await;
    assert_eq!(status, 403, "only managers see requests");

    let id_of = |who: &str| {
        requests
            .as_array()
            .expect("list")
            .iter()
            .find(|r| r["follower_ap_id"] == a.url(&format!("/u/{who}")))
            .expect("request")["id"]
            .as_i64()
            .expect("id")
    };
    let decide = |id: i64, what: &'static str, token: String| {
        let b = &b;
        async move {
            b.http
                .post(b.url(&format!(
                    "/api/v1/communities/yhdistys/follow-requests/{id}/{what}"
                )))
                .bearer_auth(token)
                .send()
                .await
                .expect("decide")
                .status()
                .as_u16()
        }
    };
    assert_eq!(decide(id_of("aino"), "accept", outsider.clone()).await, 403);
    assert_eq!(decide(id_of("aino"), "accept", bea.clone()).await, 200);
    assert_eq!(decide(id_of("ville"), "reject", bea.clone()).await, 200);
    assert_eq!(
        decide(id_of("ville"), "reject", bea.clone()).await,
        404,
        "a decided request is gone"
    );

    eventually(10, "the Accept", || async {
        (follow_state(&a, &aino).await.as_deref() == Some("accepted")).then_some(())
    })
    .await;
    eventually(10, "the Reject", || async {
        (follow_state(&a, &ville).await.as_deref() == Some("rejected")).then_some(())
    })
    .await;
    assert_eq!(follower_count(&b, "yhdistys").await, 1);
    a.stop().await;
    b.stop().await;
}

#[tokio::test]
async fn lookup_resolves_remote_handles_and_refuses_bad_ones() {
    let a = TestServer::start(TestDb::sqlite().await).await;
    let b = TestServer::start(TestDb::sqlite().await).await;
    let aino = a.account("aino").await;
    let bea = b.account("bea").await;
    b.community(&bea, "kahvila", "open").await;

    let (status, actor) = a
        .get_json(
            &format!("/api/v1/lookup?handle=@kahvila@{}", b.domain),
            Some(&aino),
        )
        .await;
    assert_eq!(status, 200, "{actor}");
    assert_eq!(actor["kind"], "Group");
    assert_eq!(actor["username"], "kahvila");
    assert_eq!(actor["ap_id"], b.url("/c/kahvila"));
    assert_eq!(actor["shared_inbox"], b.url("/inbox"));
    let (status, _) = a
        .get_json(
            &format!("/api/v1/lookup?handle=bea@{}", b.domain),
            Some(&aino),
        )
        .await;
    assert_eq!(status, 200, "accounts resolve too");
    let (status, _) = a
        .get_json(
            &format!("/api/v1/lookup?handle=nobody@{}", b.domain),
            Some(&aino),
        )
        .await;
    assert_eq!(status, 404);
    let (status, body) = a
        .get_json("/api/v1/lookup?handle=not-a-handle", Some(&aino))
        .await;
    assert_eq!((status, body["field"].as_str()), (422, Some("handle")));
    let (status, _) = a
        .get_json(&format!("/api/v1/lookup?handle=kahvila@{}", b.domain), None)
        .await;
    assert_eq!(status, 401);
    a.stop().await;
    b.stop().await;
}

#[tokio::test]
async fn discovery_documents_and_content_negotiation() {
    let s = TestServer::start(TestDb::sqlite().await).await;
    let token = s.account("aino").await;
    s.community(&token, "kahvila", "open").await;

    let res = s
        .http
        .get(s.url(&format!(
            "/.well-known/webfinger?resource=acct:kahvila@{}",
            s.domain
        )))
        .send()
        .await
        .expect("wf");
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/jrd+json");
    let jrd: Value = res.json().await.expect("json");
    let links = jrd["links"].as_array().expect("links");
    assert!(links.iter().any(|l| l["rel"] == "self"
        && l["type"] == "application/activity+json"
        && l["href"] == s.url("/c/kahvila")));
    assert!(
        links
            .iter()
            .any(|l| l["rel"] == "http://webfinger.net/rel/profile-page")
    );
    let res = s
        .http
        .get(s.url(&format!(
            "/.well-known/webfinger?resource=acct:aino@{}",
            s.domain
        )))
        .send()
        .await
        .expect("wf");
    assert_eq!(res.status(), 200, "accounts have handles too");
    for missing in [
        format!("acct:nobody@{}", s.domain),
        "acct:kahvila@elsewhere.example".to_string(),
    ] {
        let res = s
            .http
            .get(s.url(&format!("/.well-known/webfinger?resource={missing}")))
            .send()
            .await
            .expect("wf");
        assert_eq!(res.status(), 404, "{missing}");
    }

    let (_, nodeinfo) = s.get_json("/.well-known/nodeinfo", None).await;
    let links = nodeinfo["links"].as_array().expect("links");
    assert!(links.iter().any(
        |l| l["rel"] == "https://www.w3.org/ns/activitystreams#Application"
            && l["href"] == s.url("/actor")
    ));
    for v in ["2.0", "2.1"] {
        let (status, doc) = s.get_json(&format!("/nodeinfo/{v}"), None).await;
        assert_eq!(status, 200);
        assert_eq!(doc["version"], v);
        assert_eq!(doc["software"]["name"], "verkosto");
        assert_eq!(doc["usage"]["users"]["total"], 1);
    }

    // A browser gets a page, a fediverse server gets the Group.
    let html = s
        .http
        .get(s.url("/c/kahvila"))
        .header("accept", "text/html")
        .send()
        .await
        .expect("html");
    assert!(
        html.headers()["content-type"]
            .to_str()
            .unwrap_or("")
            .starts_with("text/html")
    );
    for accept in [
        "application/activity+json",
        r#"application/ld+json; profile="https://www.w3.org/ns/activitystreams""#,
    ] {
        let res = s
            .http
            .get(s.url("/c/kahvila"))
            .header("accept", accept)
            .send()
            .await
            .expect("ap");
        assert_eq!(
            res.headers()["content-type"],
            "application/activity+json",
            "{accept}"
        );
        let group: Value = res.json().await.expect("json");
        assert_eq!(group["type"], "Group");
        assert_eq!(group["id"], s.url("/c/kahvila"));
        assert_eq!(group["preferredUsername"], "kahvila");
        assert_eq!(group["inbox"], s.url("/c/kahvila/inbox"));
        assert_eq!(group["outbox"], s.url("/c/kahvila/outbox"));
        assert_eq!(group["followers"], s.url("/c/kahvila/followers"));
        assert_eq!(group["endpoints"]["sharedInbox"], s.url("/inbox"));
        assert_eq!(group["attributedTo"], s.url("/c/kahvila/moderators"));
        assert_eq!(group["publicKey"]["owner"], s.url("/c/kahvila"));
        assert!(
            group["publicKey"]["publicKeyPem"]
                .as_str()
                .unwrap_or("")
                .contains("BEGIN PUBLIC KEY")
        );
        let context = group["@context"].as_array().expect("context");
        assert!(
            context.contains(&json!("https://w3id.org/security/v1")),
            "publicKey must be defined"
        );
        assert!(context[2]["manuallyApprovesFollowers"].is_string());
    }
    let (_, _, mods) = s.get_ap("/c/kahvila/moderators").await;
    assert_eq!(mods["orderedItems"], json!([s.url("/u/aino")]));
    let (_, ct, person) = s.get_ap("/u/aino").await;
    assert_eq!(ct, "application/activity+json");
    assert_eq!(person["type"], "Person");
    let (_, _, app) = s.get_ap("/actor").await;
    assert_eq!(app["type"], "Application");
    s.stop().await;
}

#[tokio::test]
async fn collections_are_paged_with_right_counts() {
    let s = TestServer::start(TestDb::sqlite().await).await;
    let token = s.account("aino").await;
    s.community(&token, "kahvila", "open").await;
    let target = s.url("/c/kahvila");
    {
        let mut c = s.verkosto.db().acquire().await.expect("acquire");
        for i in 0..60 {
            let actor = format!("https://remote{i}.example/u/x");
            verkosto::store::follows::upsert_follower(
                &mut c.conn(),
                &verkosto::model::Follower {
                    id: 0,
                    target_ap_id: url::Url::parse(&target).expect("url"),
                    follower_ap_id: url::Url::parse(&actor).expect("url"),
                    inbox: url::Url::parse(&format!("{actor}/inbox")).expect("url"),
                    shared_inbox: None,
                    follow_activity_id: url::Url::parse(&format!("{actor}/follow")).expect("url"),
                    state: verkosto::model::FollowState::Accepted,
                    created_at: verkosto::store::now(),
                },
            )
            .await
            .expect("follower");
        }
    }
    let (_, _, head) = s.get_ap("/c/kahvila/followers").await;
    assert_eq!(head["type"], "OrderedCollection");
    assert_eq!(head["totalItems"], 60);
    assert_eq!(head["first"], s.url("/c/kahvila/followers?page=1"));
    let (_, _, p1) = s.get_ap("/c/kahvila/followers?page=1").await;
    assert_eq!(p1["type"], "OrderedCollectionPage");
    assert_eq!(p1["orderedItems"].as_array().map(Vec::len), Some(50));
    assert_eq!(p1["next"], s.url("/c/kahvila/followers?page=2"));
    let (_, _, p2) = s.get_ap("/c/kahvila/followers?page=2").await;
    assert_eq!(p2["orderedItems"].as_array().map(Vec::len), Some(10));
    assert!(p2.get("next").is_none());
    assert_eq!(p2["prev"], s.url("/c/kahvila/followers?page=1"));
    let (_, _, outbox) = s.get_ap("/c/kahvila/outbox").await;
    assert_eq!(outbox["totalItems"], 0);
    s.stop().await;
}

#[tokio::test]
async fn our_signed_fetches_sign_request_target_host_and_date_and_verify() {
    // A stand-in remote server that records the Signature header of every GET it is sent.
    let seen: Arc<Mutex<Vec<axum::http::HeaderMap>>> = Arc::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let host = format!("localhost:{port}");
    let actor_id = format!("http://{host}/users/remote");
    let key = verkosto::service::generate_keypair().await.expect("key");
    let doc = json!({
        "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
        "type": "Person", "id": actor_id, "preferredUsername": "remote",
        "inbox": format!("{actor_id}/inbox"),
        "publicKey": { "id": format!("{actor_id}#main-key"), "owner": actor_id, "publicKeyPem": key.public_key_pem }
    });
    let jrd = json!({ "subject": format!("acct:remote@{host}"), "links": [{ "rel": "self", "type": "application/activity+json", "href": actor_id }] });
    let record = {
        let seen = seen.clone();
        move |headers: axum::http::HeaderMap| {
            if headers.contains_key("signature") {
                seen.lock().expect("lock").push(headers);
            }
        }
    };
    let record2 = record.clone();
    let app = Router::new()
        .route(
            "/.well-known/webfinger",
            get(move |h: axum::http::HeaderMap| {
                record(h);
                let jrd = jrd.clone();
                async move { Json(jrd) }
            }),
        )
        .route(
            "/users/remote",
            get(move |h: axum::http::HeaderMap| {
                record2(h);
                let doc = doc.clone();
                async move { ([("content-type", "application/activity+json")], Json(doc)) }
            }),
        );
    tokio::spawn(async move { axum::serve(listener, app).await });

    let s = TestServer::start(TestDb::sqlite().await).await;
    let token = s.account("aino").await;
    let (status, actor) = s
        .get_json(
            &format!("/api/v1/lookup?handle=remote@{host}"),
            Some(&token),
        )
        .await;
    assert_eq!(status, 200, "{actor}");
    let fetches = seen.lock().expect("lock").clone();
    let fetch_headers = fetches.last().expect("the actor fetch was signed");
    let actor_fetch = fetch_headers["signature"].to_str().expect("signature");
    let signed = actor_fetch
        .split("headers=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("headers list");
    let signed: Vec<&str> = signed.split(' ').collect();
    for required in ["(request-target)", "host", "date"] {
        assert!(
            signed.contains(&required),
            "{required} missing from signed headers {signed:?}"
        );
    }
    assert!(
        actor_fetch.contains(&format!("keyId=\"{}#main-key\"", s.url("/actor"))),
        "{actor_fetch}"
    );
    // And it verifies with the instance actor's published key, as an authorized-fetch server checks it.
    let (_, _, instance) = s.get_ap("/actor").await;
    let key = verkosto::signatures::VerifyingKey::from_pem(
        instance["publicKey"]["publicKeyPem"].as_str().expect("pem"),
    )
    .expect("key");
    let signing_string = signed
        .iter()
        .map(|h| match *h {
            "(request-target)" => "(request-target): get /users/remote".to_string(),
            name => format!(
                "{name}: {}",
                fetch_headers[name].to_str().expect("signed header")
            ),
        })
        .collect::<Vec<_>>()
        .join("\n");
    let signature = actor_fetch
        .split("signature=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("signature");
    use base64::Engine;
    let signature = base64::engine::general_purpose::STANDARD
        .decode(signature)
        .expect("base64");
    assert!(
        key.verify(signing_string.as_bytes(), &signature),
        "the signed fetch verifies with the instance key: {signing_string}"
    );
    s.stop().await;
}

/// Serves one actor document (and its WebFinger) on a loopback port; returns its host.
async fn fake_remote_actor(make_doc: impl FnOnce(&str) -> Value) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let host = format!("localhost:{}", listener.local_addr().expect("addr").port());
    let actor_id = format!("http://{host}/users/remote");
    let doc = make_doc(&host);
    let jrd = json!({ "subject": format!("acct:remote@{host}"), "links": [{ "rel": "self", "type": "application/activity+json", "href": actor_id }] });
    let app = Router::new()
        .route(
            "/.well-known/webfinger",
            get(move || {
                let jrd = jrd.clone();
                async move { Json(jrd) }
            }),
        )
        .route(
            "/users/remote",
            get(move || {
                let doc = doc.clone();
                async move { ([("content-type", "application/activity+json")], Json(doc)) }
            }),
        );
    tokio::spawn(async move { axum::serve(listener, app).await });
    host
}

#[tokio::test]
async fn actors_with_unsafe_inboxes_or_foreign_keys_are_not_stored() {
    let key = verkosto::service::generate_keypair().await.expect("key");
    let s = TestServer::start(TestDb::sqlite().await).await;
    let token = s.account("aino").await;
    let pem = key.public_key_pem.clone();
    let cases = [
        "an inbox on an IP address",
        "an inbox on a third host",
        "a key owned by another actor",
    ];
    for what in cases {
        let host = fake_remote_actor(|host| {
            let id = format!("http://{host}/users/remote");
            let (inbox, key_owner) = match what {
                "an inbox on an IP address" => ("http://127.0.0.1:9/inbox".to_string(), id.clone()),
                "an inbox on a third host" => ("http://victim.example/inbox".to_string(), id.clone()),
                _ => (format!("{id}/inbox"), "http://other.example/u/x".to_string()),
            };
            json!({
                "type": "Person", "id": id, "preferredUsername": "remote", "inbox": inbox,
                "publicKey": { "id": format!("{key_owner}#main-key"), "owner": key_owner, "publicKeyPem": pem }
            })
        })
        .await;
        let (status, body) = s
            .get_json(
                &format!("/api/v1/lookup?handle=remote@{host}"),
                Some(&token),
            )
            .await;
        assert!(
            (400..500).contains(&status) || status == 502,
            "{what}: {status} {body}"
        );
        assert!(body["error"].is_string(), "{what}: {body}");
        let mut c = s.verkosto.db().acquire().await.expect("acquire");
        let cached = verkosto::store::remote_actors::find_by_ap_id(
            &mut c.conn(),
            &format!("http://{host}/users/remote"),
        )
        .await
        .expect("find");
        assert!(cached.is_none(), "{what}: the actor must not be stored");
    }
    s.stop().await;
}

#[tokio::test]
async fn fetched_documents_must_be_activitystreams_and_carry_their_own_id() {
    let key = verkosto::service::generate_keypair().await.expect("key");
    let s = TestServer::start(TestDb::sqlite().await).await;
    let token = s.account("aino").await;
    for (what, content_type, claims_other_id) in [
        ("served as plain JSON", "application/json", false),
        (
            "claiming another host's id",
            "application/activity+json",
            true,
        ),
    ] {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let host = format!("localhost:{}", listener.local_addr().expect("addr").port());
        let id = format!("http://{host}/users/remote");
        let claimed = if claims_other_id {
            "http://other.example/users/remote".to_string()
        } else {
            id.clone()
        };
        let doc = json!({
            "type": "Person", "id": claimed, "preferredUsername": "remote", "inbox": format!("{claimed}/inbox"),
            "publicKey": { "id": format!("{claimed}#main-key"), "owner": claimed, "publicKeyPem": key.public_key_pem }
        });
        let jrd = json!({ "subject": format!("acct:remote@{host}"), "links": [{ "rel": "self", "type": "application/activity+json", "href": id }] });
        let app = Router::new()
            .route(
                "/.well-known/webfinger",
                get(move || {
                    let jrd = jrd.clone();
                    async move { Json(jrd) }
                }),
            )
            .route(
                "/users/remote",
                get(move || {
                    let doc = doc.clone();
                    async move { ([("content-type", content_type)], Json(doc)) }
                }),
            );
        tokio::spawn(async move { axum::serve(listener, app).await });
        let (status, body) = s
            .get_json(
                &format!("/api/v1/lookup?handle=remote@{host}"),
                Some(&token),
            )
            .await;
        assert!((400..500).contains(&status), "{what}: {status} {body}");
        let mut c = s.verkosto.db().acquire().await.expect("acquire");
        for stored in [id.as_str(), claimed.as_str()] {
            assert!(
                verkosto::store::remote_actors::find_by_ap_id(&mut c.conn(), stored)
                    .await
                    .expect("find")
                    .is_none(),
                "{what}"
            );
        }
    }
    s.stop().await;
}

#[tokio::test]
async fn redirect_loops_end_in_a_clear_refusal() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let host = format!("localhost:{}", listener.local_addr().expect("addr").port());
    let id = format!("http://{host}/users/remote");
    let jrd = json!({ "subject": format!("acct:remote@{host}"), "links": [{ "rel": "self", "type": "application/activity+json", "href": id }] });
    let target = id.clone();
    let app = Router::new()
        .route(
            "/.well-known/webfinger",
            get(move || {
                let jrd = jrd.clone();
                async move { Json(jrd) }
            }),
        )
        .route(
            "/users/remote",
            get(move || {
                let t = target.clone();
                async move { axum::response::Redirect::temporary(&t) }
            }),
        );
    tokio::spawn(async move { axum::serve(listener, app).await });
    let s = TestServer::start(TestDb::sqlite().await).await;
    let token = s.account("aino").await;
    let (status, body) = tokio::time::timeout(
        std::time::Duration::from_secs(20),
        s.get_json(
            &format!("/api/v1/lookup?handle=remote@{host}"),
            Some(&token),
        ),
    )
    .await
    .expect("a loop does not hang");
    assert!((400..500).contains(&status), "{status} {body}");
    s.stop().await;
}

/// A fresh instance makes its key in the background (start-up does not wait for it); processes
/// sharing the database, and the same instance restarted, end up with the one key stored.
#[tokio::test]
async fn the_instance_key_is_made_once_for_every_process_on_a_database() {
    for db in TestDb::all().await {
        eprintln!("-- backend: {}", db.backend);
        let settings = verkosto::Settings::new("localhost:1");
        let start = || verkosto::Verkosto::with_db(db.db.clone(), settings.clone());
        let (one, two) = tokio::join!(start(), start());
        let (one, two) = (one.expect("first"), two.expect("second"));
        let (a, b) = tokio::join!(
            one.state().instance_keys.get(),
            two.state().instance_keys.get()
        );
        let (a, b) = (a.expect("keys"), b.expect("keys"));
        assert_eq!(a.pair.private_key_pem, b.pair.private_key_pem);
        assert!(
            a.pair
                .public_key_pem
                .starts_with("-----BEGIN PUBLIC KEY-----")
        );
        let again = start().await.expect("restart");
        let c = again.state().instance_keys.get().await.expect("keys");
        assert_eq!(c.pair.public_key_pem, a.pair.public_key_pem);
        // Their PostgreSQL listeners hold connections until they are dropped.
        drop((one, two, again));
        db.cleanup().await;
    }
}
