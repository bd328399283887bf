//! Limits and checks a hostile peer or visitor could get around, against running servers: the inbox
//! limits charged to the right party, client addresses behind reverse proxies, blocked IRIs hidden
//! deep in an activity, and follows of known communities while their host is down.

use crate::common::{RemoteSigner, TestDb, TestServer, eventually};
use serde_json::{Value, json};

/// Posts `activity` to `server`'s shared inbox as `key_id` says, signed with `key` (which need not be
/// the key of `key_id`: that is how junk naming someone else's actor is made).
async fn post_signed(
    server: &TestServer,
    activity: &Value,
    key_id: &str,
    key: &rsa::RsaPrivateKey,
    forwarded_for: Option<&str>,
) -> u16 {
    let body = serde_json::to_vec(activity).expect("json");
    let inbox = url::Url::parse(&server.url("/inbox")).expect("url");
    let headers = verkosto::signatures::sign_post(&inbox, &body, key_id, key).expect("sign");
    let mut req = server.http.post(inbox.as_str()).headers(headers).body(body);
    if let Some(f) = forwarded_for {
        req = req.header("x-forwarded-for", f);
    }
    req.send().await.expect("post").status().as_u16()
}

async fn stranger_key() -> rsa::RsaPrivateKey {
    let pair = verkosto::service::generate_keypair().await.expect("key");
    <rsa::RsaPrivateKey as rsa::pkcs8::DecodePrivateKey>::from_pkcs8_pem(&pair.private_key_pem)
        .expect("key")
}

fn like(actor: &str, n: u32, object: &str) -> Value {
    json!({ "id": format!("{actor}/likes/{n}"), "type": "Like", "actor": actor, "object": object })
}

#[tokio::test]
async fn junk_naming_a_host_does_not_use_up_that_hosts_inbox_budget() {
    let s = TestServer::start_with(TestDb::sqlite().await, |st| {
        st.inbox_per_host_per_minute = 5;
    })
    .await;
    let token = s.account("aino").await;
    s.community(&token, "kahvila", "open").await;
    let peer = TestServer::start(TestDb::sqlite().await).await;
    let mallory = RemoteSigner::on(&peer, "mallory").await;
    let forger = stranger_key().await;
    let object = s.url("/c/kahvila");
    // Ten posts naming mallory (and her key), signed by someone else: each refused, none charged to
    // mallory's host.
    for n in 0..10 {
        let status = post_signed(
            &s,
            &like(&mallory.actor, 100 + n, &object),
            &mallory.key_id,
            &forger,
            None,
        )
        .await;
        assert_eq!(status, 401, "forged post {n}");
    }
    let (status, body) = mallory
        .post(&s, "/inbox", &like(&mallory.actor, 1, &object))
        .await;
    assert_eq!(status, 202, "mallory's own post still passes: {body}");
    s.stop().await;
    peer.stop().await;
}

#[tokio::test]
async fn unverified_posts_are_limited_per_client_address() {
    let s = TestServer::start_with(TestDb::sqlite().await, |st| {
        st.inbox_per_ip_per_minute = 5;
    })
    .await;
    let token = s.account("aino").await;
    s.community(&token, "kahvila", "open").await;
    let forger = stranger_key().await;
    let object = s.url("/c/kahvila");
    let mut statuses = vec![];
    for n in 0..7 {
        // A different made-up host each time: no per-host limit could catch these.
        let actor = format!("http://localhost:{}/u/x", 1 + n);
        let key_id = format!("{actor}#main-key");
        statuses.push(post_signed(&s, &like(&actor, n, &object), &key_id, &forger, None).await);
    }
    assert_eq!(statuses[6], 429, "{statuses:?}");
    assert!(statuses[..5].iter().all(|s| *s != 429), "{statuses:?}");
    s.stop().await;
}

/// The client API counts the client behind a trusted proxy, and only behind a trusted proxy.
#[tokio::test]
async fn client_addresses_come_from_forwarded_headers_only_behind_trusted_proxies() {
    let get = |s: &TestServer, forwarded_for: &'static str| {
        let req = s
            .http
            .get(s.url("/api/v1/communities"))
            .header("x-forwarded-for", forwarded_for);
        async move { req.send().await.expect("get").status().as_u16() }
    };

    let behind_proxy = TestServer::start_with(TestDb::sqlite().await, |st| {
        st.api_per_ip_per_minute = 3;
        st.trusted_proxies = vec!["127.0.0.1/32".parse().expect("net")];
    })
    .await;
    let mut first = vec![];
    for _ in 0..4 {
        first.push(get(&behind_proxy, "203.0.113.1").await);
    }
    assert_eq!(first, [200, 200, 200, 429], "one client's own bucket");
    assert_eq!(
        get(&behind_proxy, "203.0.113.2").await,
        200,
        "another client behind the same proxy has its own bucket"
    );
    // A client cannot escape its bucket by prepending addresses: the proxy appends the real one.
    assert_eq!(get(&behind_proxy, "198.51.100.9, 203.0.113.1").await, 429);
    behind_proxy.stop().await;

    let direct = TestServer::start_with(TestDb::sqlite().await, |st| {
        st.api_per_ip_per_minute = 3;
    })
    .await;
    let mut statuses = vec![];
    for spoofed in [
        "192.0.2.1",
        "192.0.2.2",
        "192.0.2.3",
        "192.0.2.4",
        "192.0.2.5",
    ] {
        statuses.push(get(&direct, spoofed).await);
    }
    assert_eq!(
        statuses,
        [200, 200, 200, 429, 429],
        "no proxy trusted: a spoofed X-Forwarded-For changes nothing"
    );
    direct.stop().await;
}

/// The block check walks the whole activity or refuses it: a blocked IRI cannot hide deeper than the
/// walk goes, and an activity too deep or too wide to walk is refused.
#[tokio::test]
async fn blocked_iris_deep_in_an_activity_are_found_and_unwalkable_activities_refused() {
    let s = TestServer::start(TestDb::sqlite().await).await;
    let token = s.account("aino").await;
    s.community(&token, "kahvila", "open").await;
    let admin = s.admin("admin").await;
    let (status, _) = s
        .post_json(
            "/api/v1/admin/domain-blocks",
            Some(&admin),
            json!({ "host": "evil.example" }),
        )
        .await;
    assert_eq!(status, 201);
    let peer = TestServer::start(TestDb::sqlite().await).await;
    let mallory = RemoteSigner::on(&peer, "mallory").await;
    let nest = |levels: usize, inner: Value| {
        (0..levels).fold(inner, |acc, _| json!({ "type": "Note", "object": acc }))
    };
    // PeerTube's `View`: a type the inbox acknowledges without acting on, so only the walk decides.
    let activity = |n: u32, object: Value| json!({ "id": format!("{}/views/{n}", mallory.actor), "type": "View", "actor": mallory.actor, "object": object });

    let (status, body) = mallory
        .post(
            &s,
            "/inbox",
            &activity(1, nest(4, json!("https://evil.example/n/1"))),
        )
        .await;
    assert_eq!(status, 403, "a blocked IRI five levels down: {body}");
    assert!(body["message"].as_str().unwrap_or("").contains("blocked"));

    let (status, body) = mallory
        .post(
            &s,
            "/inbox",
            &activity(2, nest(20, json!("https://fine.example/n/1"))),
        )
        .await;
    assert_eq!(status, 400, "too deep to check: {body}");
    let addresses: Vec<String> = (0..3000)
        .map(|n| format!("https://fine.example/u/{n}"))
        .collect();
    let mut wide = activity(3, json!(s.url("/c/kahvila")));
    wide["cc"] = json!(addresses);
    let (status, body) = mallory.post(&s, "/inbox", &wide).await;
    assert_eq!(status, 400, "too wide to check: {body}");

    // What the walk checks in full still passes.
    let (status, body) = mallory
        .post(
            &s,
            "/inbox",
            &activity(4, nest(4, json!("https://fine.example/n/1"))),
        )
        .await;
    assert_eq!(status, 202, "{body}");
    s.stop().await;
    peer.stop().await;
}

async fn followers(b: &TestServer) -> i64 {
    let (_, _, doc) = b.get_ap("/c/kahvila/followers").await;
    doc["totalItems"].as_i64().unwrap_or(-1)
}

async fn follow(a: &TestServer, token: &str, handle: &str, method: reqwest::Method) -> u16 {
    a.http
        .request(method, a.url("/api/v1/follows"))
        .bearer_auth(token)
        .json(&json!({ "handle": handle }))
        .send()
        .await
        .expect("follow")
        .status()
        .as_u16()
}

/// Following a community this server already knows is queued while its host is down, and delivered
/// when it is back.
#[tokio::test]
async fn a_known_community_is_followed_while_its_host_is_down() {
    for db in TestDb::all().await {
        eprintln!("-- backend: {}", db.backend);
        let a = TestServer::start(db).await;
        let b = TestServer::start(TestDb::sqlite().await).await;
        let aino = a.account("aino").await;
        let bea = b.account("bea").await;
        b.community(&bea, "kahvila", "open").await;
        let handle = format!("kahvila@{}", b.domain);
        let b_address = b.domain.replace("localhost", "127.0.0.1");

        assert_eq!(follow(&a, &aino, &handle, reqwest::Method::POST).await, 201);
        eventually(10, "the follow to arrive", || async {
            (followers(&b).await == 1).then_some(())
        })
        .await;
        assert_eq!(
            follow(&a, &aino, &handle, reqwest::Method::DELETE).await,
            204
        );
        eventually(10, "the unfollow to arrive", || async {
            (followers(&b).await == 0).then_some(())
        })
        .await;
        b.stop().await;

        // b is down: the follow is still taken and queued.
        assert_eq!(
            follow(&a, &aino, &handle, reqwest::Method::POST).await,
            201,
            "a known community is followed without a new lookup"
        );

        // b's address answers again: the queued Follow arrives.
        let delivered = std::sync::Arc::new(std::sync::Mutex::new(Vec::<Value>::new()));
        let seen = delivered.clone();
        let app =
            axum::Router::new().fallback(axum::routing::post(move |body: axum::body::Bytes| {
                let seen = seen.clone();
                async move {
                    if let Ok(v) = serde_json::from_slice::<Value>(&body) {
                        seen.lock().expect("lock").push(v);
                    }
                    axum::http::StatusCode::ACCEPTED
                }
            }));
        let listener = eventually(10, "b's port to be free", || async {
            tokio::net::TcpListener::bind(&b_address).await.ok()
        })
        .await;
        tokio::spawn(async move { axum::serve(listener, app).await });
        eventually(20, "the queued Follow to be delivered", || async {
            delivered
                .lock()
                .expect("lock")
                .iter()
                .any(|v| v["type"] == "Follow")
                .then_some(())
        })
        .await;
        a.stop().await;
    }
}
