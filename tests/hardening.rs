//! Protections against hostile peers and clients, against running servers.

use crate::common::{RemoteSigner, TestDb, TestServer};
use serde_json::json;

#[tokio::test]
async fn password_guessing_is_throttled_per_account() {
    let s = TestServer::start(TestDb::sqlite().await).await;
    s.account("aino").await;
    s.account("ville").await;
    let login = |user: &'static str, pw: &'static str| {
        let s = &s;
        async move {
            s.http
                .post(s.url("/api/v1/auth/token"))
                .json(&json!({ "username": user, "password": pw }))
                .send()
                .await
                .expect("login")
        }
    };
    let mut statuses = vec![];
    for _ in 0..12 {
        statuses.push(login("aino", "arvaus123").await.status().as_u16());
    }
    assert!(statuses[..8].iter().all(|s| *s == 401), "{statuses:?}");
    let limited = login("aino", "salasana123").await;
    assert_eq!(
        limited.status(),
        429,
        "even the right password waits once throttled"
    );
    assert!(limited.headers().get("retry-after").is_some());
    assert_eq!(
        login("ville", "salasana123").await.status(),
        200,
        "other accounts are not affected"
    );
    s.stop().await;
}

#[tokio::test]
async fn a_blocked_domain_is_refused_everywhere_and_its_followers_dropped() {
    let s = TestServer::start(TestDb::sqlite().await).await;
    let member = s.account("aino").await;
    s.community(&member, "kahvila", "open").await;
    let admin = s.admin("admin").await;

    // A follower from the domain about to be blocked, and a delivery waiting for it.
    let target = s.url("/c/kahvila");
    {
        let mut c = s.verkosto.db().acquire().await.expect("acquire");
        verkosto::store::follows::upsert_follower(
            &mut c.conn(),
            &verkosto::model::Follower {
                id: 0,
                target_ap_id: url::Url::parse(&target).expect("url"),
                follower_ap_id: url::Url::parse("https://sub.evil.example/u/spam").expect("url"),
                inbox: url::Url::parse("https://sub.evil.example/inbox").expect("url"),
                shared_inbox: None,
                follow_activity_id: url::Url::parse("https://sub.evil.example/f/1").expect("url"),
                state: verkosto::model::FollowState::Accepted,
                created_at: verkosto::store::now(),
            },
        )
        .await
        .expect("follower");
    }

    // Only admins block.
    let block = |token: Option<String>| {
        let s = &s;
        async move {
            let mut req = s
                .http
                .post(s.url("/api/v1/admin/domain-blocks"))
                .json(&json!({ "host": "Evil.Example.", "reason": "spam" }));
            if let Some(t) = token {
                req = req.bearer_auth(t);
            }
            req.send().await.expect("block").status().as_u16()
        }
    };
    assert_eq!(block(None).await, 401);
    assert_eq!(block(Some(member.clone())).await, 403);
    assert_eq!(block(Some(admin.clone())).await, 201);
    let (_, list) = s
        .get_json("/api/v1/admin/domain-blocks", Some(&admin))
        .await;
    assert_eq!(list[0]["host"], "evil.example", "host names are normalised");
    let (_, _, followers) = s.get_ap("/c/kahvila/followers").await;
    assert_eq!(
        followers["totalItems"], 0,
        "the blocked domain's followers are dropped"
    );

    // Activities naming the blocked domain anywhere are refused, whoever signs them.
    let peer = TestServer::start(TestDb::sqlite().await).await;
    let mallory = RemoteSigner::on(&peer, "mallory").await;
    let refused = [
        json!({ "id": format!("{}/f/1", mallory.actor), "type": "Follow", "actor": mallory.actor, "object": target, "cc": ["https://evil.example/u/x"] }),
        json!({ "id": format!("{}/c/1", mallory.actor), "type": "Create", "actor": mallory.actor,
                "object": { "id": format!("{}/n/1", mallory.actor), "type": "Note", "inReplyTo": "https://www.evil.example/n/1", "content": "x" } }),
    ];
    for activity in refused {
        let (status, body) = mallory.post(&s, "/inbox", &activity).await;
        assert_eq!(status, 403, "{body}");
    }
    let (_, _, followers) = s.get_ap("/c/kahvila/followers").await;
    assert_eq!(followers["totalItems"], 0);

    // Lifting the block.
    let res = s
        .http
        .delete(s.url("/api/v1/admin/domain-blocks/evil.example"))
        .bearer_auth(&admin)
        .send()
        .await
        .expect("unblock");
    assert_eq!(res.status(), 204);
    let ok = json!({ "id": format!("{}/f/2", mallory.actor), "type": "Follow", "actor": mallory.actor, "object": target, "cc": ["https://evil.example/u/x"] });
    let (status, _) = mallory.post(&s, "/inbox", &ok).await;
    assert_eq!(status, 202);

    // Nothing is fetched from a blocked host, though it serves: the listener counts connections and
    // sees one only once the block is lifted. (`localhost` is blocked through the store: the API
    // refuses to block the instance's own host name, which every loopback test server shares.)
    let (port, connections) = counting_listener().await;
    let handle = format!("someone@localhost:{port}");
    let set_block = |on: bool| {
        let s = &s;
        async move {
            let mut c = s.verkosto.db().acquire().await.expect("acquire");
            if on {
                verkosto::store::blocks::insert(
                    &mut c.conn(),
                    "localhost",
                    None,
                    verkosto::store::now(),
                )
                .await
                .expect("block");
            } else {
                verkosto::store::blocks::delete(&mut c.conn(), "localhost")
                    .await
                    .expect("unblock");
            }
            drop(c);
            s.verkosto.reload_domain_blocks().await.expect("reload");
        }
    };
    set_block(true).await;
    let (status, body) = s
        .get_json(&format!("/api/v1/lookup?handle={handle}"), Some(&member))
        .await;
    assert_eq!(status, 422, "{body}");
    let (status, body) = s
        .post_json(
            "/api/v1/follows",
            Some(&member),
            json!({ "handle": handle }),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    let count = || connections.load(std::sync::atomic::Ordering::SeqCst);
    assert_eq!(count(), 0, "a blocked host is never contacted");
    set_block(false).await;
    let _ = s
        .get_json(&format!("/api/v1/lookup?handle={handle}"), Some(&member))
        .await;
    assert!(count() >= 1, "unblocked, the same lookup reaches it");
    s.stop().await;
    peer.stop().await;
}

#[tokio::test]
async fn one_remote_host_cannot_flood_the_inbox() {
    let s = TestServer::start_with(TestDb::sqlite().await, |st| {
        st.inbox_per_host_per_minute = 5
    })
    .await;
    let token = s.account("aino").await;
    s.community(&token, "kahvila", "open").await;
    let peer = TestServer::start(TestDb::sqlite().await).await;
    let mallory = RemoteSigner::on(&peer, "mallory").await;
    let mut statuses = vec![];
    for n in 0..7 {
        let like = json!({ "id": format!("{}/likes/{n}", mallory.actor), "type": "Like", "actor": mallory.actor, "object": s.url("/c/kahvila") });
        statuses.push(mallory.post(&s, "/inbox", &like).await.0);
    }
    assert_eq!(&statuses[..5], &[202; 5], "{statuses:?}");
    assert_eq!(statuses[6], 429, "{statuses:?}");
    s.stop().await;
    peer.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_from_an_unknown_actor_fetches_its_key_once() {
    let s = TestServer::start(TestDb::sqlite().await).await;
    let token = s.account("aino").await;
    s.community(&token, "kahvila", "open").await;
    let (sink, host, key) = crate::common::sink::Sink::serving_actors().await;
    let private =
        <rsa::RsaPrivateKey as rsa::pkcs8::DecodePrivateKey>::from_pkcs8_pem(&key.private_key_pem)
            .expect("key");
    let actor = format!("http://{host}/actor/0");
    let inbox = url::Url::parse(&s.url("/inbox")).expect("url");
    let posts: Vec<_> = (0..20)
        .map(|n| {
            let body = serde_json::to_vec(&json!({ "id": format!("{actor}/likes/{n}"), "type": "Like", "actor": actor, "object": s.url("/c/kahvila") })).expect("json");
            let headers = verkosto::signatures::sign_post(&inbox, &body, &format!("{actor}#main-key"), &private).expect("sign");
            let req = s.http.post(inbox.as_str()).headers(headers).body(body);
            tokio::spawn(async move { req.send().await.map(|r| r.status().as_u16()).unwrap_or(0) })
        })
        .collect();
    for p in posts {
        assert_eq!(p.await.expect("task"), 202);
    }
    assert_eq!(
        sink.actor_fetches.load(std::sync::atomic::Ordering::SeqCst),
        1,
        "one fetch for twenty posts"
    );
    s.stop().await;
}

#[tokio::test]
async fn one_client_address_cannot_flood_the_api() {
    let s = TestServer::start_with(TestDb::sqlite().await, |st| st.api_per_ip_per_minute = 5).await;
    let mut statuses = vec![];
    for _ in 0..7 {
        statuses.push(s.get_json("/api/v1/communities", None).await.0);
    }
    assert_eq!(&statuses[..5], &[200; 5], "{statuses:?}");
    assert_eq!(statuses[6], 429, "{statuses:?}");
    let (status, _) = s.get_json("/healthz", None).await;
    assert_eq!(
        status, 200,
        "federation and health endpoints are not behind the API limit"
    );
    s.stop().await;
}

#[tokio::test]
async fn malformed_signature_headers_and_foreign_moderation_are_refused() {
    let s = TestServer::start(TestDb::sqlite().await).await;
    let token = s.account("aino").await;
    s.community(&token, "kahvila", "open").await;
    let follow = json!({ "id": "http://localhost:1/f", "type": "Follow", "actor": "http://localhost:1/u", "object": s.url("/c/kahvila") });
    for signature in [
        "",
        "keyId=",
        "keyId=\"x\",headers=\"\",signature=\"\"",
        "keyId=\"http://localhost:1/u#k\",algorithm=\"hmac-sha256\",headers=\"(request-target) host date digest\",signature=\"AAAA\"",
        "garbage,,,==\"",
    ] {
        let res = s
            .http
            .post(s.url("/inbox"))
            .header("content-type", "application/activity+json")
            .header(
                "date",
                httpdate::fmt_http_date(std::time::SystemTime::now()),
            )
            .header("digest", "SHA-256=x")
            .header("signature", signature)
            .body(follow.to_string())
            .send()
            .await
            .expect("post");
        assert_eq!(res.status(), 401, "{signature:?}");
    }

    // A Remove from an actor that is not the network: nothing happens to our memberships.
    let kahvila = s.verkosto.community("kahvila").await.expect("community");
    let network = "http://localhost:1/c/net";
    {
        let mut c = s.verkosto.db().acquire().await.expect("acquire");
        verkosto::store::networks::upsert_membership(
            &mut c.conn(),
            &verkosto::model::NetworkMembership {
                id: 0,
                community_id: kahvila.id,
                network_ap_id: url::Url::parse(network).expect("url"),
                join_activity_id: url::Url::parse(&s.url("/activities/join-1")).expect("url"),
                state: verkosto::model::NetworkMemberState::Active,
                created_at: verkosto::store::now(),
            },
        )
        .await
        .expect("membership");
    }
    let peer = TestServer::start(TestDb::sqlite().await).await;
    let mallory = RemoteSigner::on(&peer, "mallory").await;
    let remove = json!({ "id": format!("{}/r/1", mallory.actor), "type": "Remove", "actor": mallory.actor, "object": s.url("/c/kahvila"), "target": format!("{network}/members") });
    let (status, _) = mallory.post(&s, "/inbox", &remove).await;
    assert!(status == 202 || status == 404, "{status}");
    let mut c = s.verkosto.db().acquire().await.expect("acquire");
    let memberships: Vec<_> = verkosto::store::networks::memberships(&mut c.conn(), kahvila.id)
        .await
        .expect("memberships")
        .into_iter()
        .map(|m| (m.network_ap_id.to_string(), m.state.to_string()))
        .collect();
    assert_eq!(
        memberships,
        vec![(network.to_string(), "active".to_string())],
        "only the network itself removes a member"
    );
    drop(c);
    // An event from a group nobody here follows is dropped, not stored.
    let create = json!({ "id": format!("{}/c/1", mallory.actor), "type": "Create", "actor": mallory.actor,
        "object": { "id": format!("{}/e/1", mallory.actor), "type": "Event", "name": "Spam", "attributedTo": mallory.actor,
                    "startTime": "2030-01-01T00:00:00Z", "endTime": "2030-01-01T01:00:00Z" } });
    let (status, _) = mallory.post(&s, "/inbox", &create).await;
    assert_eq!(status, 202);
    let mut c = s.verkosto.db().acquire().await.expect("acquire");
    let stored =
        verkosto::store::events::find_by_ap_id(&mut c.conn(), &format!("{}/e/1", mallory.actor))
            .await
            .expect("find");
    assert!(
        stored.is_none(),
        "unrelated senders' objects are not stored"
    );
    drop(c);
    s.stop().await;
    peer.stop().await;
}

#[tokio::test]
async fn an_actor_whose_key_fetch_answers_gone_is_forgotten() {
    let s = TestServer::start(TestDb::sqlite().await).await;
    let token = s.account("aino").await;
    s.community(&token, "kahvila", "open").await;
    let (sink, host, key) = crate::common::sink::Sink::serving_actors().await;
    let actor = format!("http://{host}/actor/0");
    let inbox = url::Url::parse(&s.url("/c/kahvila/inbox")).expect("url");
    let post = |n: u32, pem: String| {
        let s = &s;
        let actor = actor.clone();
        let inbox = inbox.clone();
        async move {
            let private =
                <rsa::RsaPrivateKey as rsa::pkcs8::DecodePrivateKey>::from_pkcs8_pem(&pem)
                    .expect("key");
            let body = serde_json::to_vec(&json!({ "id": format!("{actor}/follows/{n}"), "type": "Follow", "actor": actor, "object": s.url("/c/kahvila") })).expect("json");
            let headers = verkosto::signatures::sign_post(
                &inbox,
                &body,
                &format!("{actor}#main-key"),
                &private,
            )
            .expect("sign");
            s.http
                .post(inbox.as_str())
                .headers(headers)
                .body(body)
                .send()
                .await
                .expect("post")
                .status()
                .as_u16()
        }
    };
    assert_eq!(post(1, key.private_key_pem.clone()).await, 202);
    let (_, _, followers) = s.get_ap("/c/kahvila/followers").await;
    assert_eq!(followers["totalItems"], 1);

    // The actor is deleted at its origin; a post with another key makes us refetch and learn that.
    sink.actors_gone
        .store(true, std::sync::atomic::Ordering::SeqCst);
    let other = verkosto::service::generate_keypair().await.expect("key");
    assert_eq!(post(2, other.private_key_pem).await, 401);
    let mut c = s.verkosto.db().acquire().await.expect("acquire");
    assert!(
        verkosto::store::remote_actors::find_by_ap_id(&mut c.conn(), &actor)
            .await
            .expect("find")
            .is_none()
    );
    drop(c);
    let (_, _, followers) = s.get_ap("/c/kahvila/followers").await;
    assert_eq!(
        followers["totalItems"], 0,
        "a deleted actor's follows are dropped"
    );
    s.stop().await;
}

/// A loopback listener that counts the connections it accepts (and answers none of them).
async fn counting_listener() -> (u16, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let count = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = count.clone();
    tokio::spawn(async move {
        while let Ok((conn, _)) = listener.accept().await {
            seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            drop(conn);
        }
    });
    (port, count)
}

/// Without dev federation, no address form reaches a loopback listener: not through the API lookup,
/// not through a follow, not through the remote-follow form (which fetches WebFinger itself, outside
/// the federation crate's own URL checks), whether the host is an IP literal in any spelling or a
/// name that resolves to loopback.
#[tokio::test]
async fn without_dev_federation_loopback_and_private_hosts_are_never_contacted() {
    let s = TestServer::start_with(TestDb::sqlite().await, |st| st.dev_federation = false).await;
    let token = s.account("aino").await;
    s.community(&token, "kahvila", "open").await;
    let (port, connections) = counting_listener().await;
    let form_client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let csrf = "ab".repeat(32);
    for handle in [
        format!("someone@127.0.0.1:{port}"),
        format!("someone@[::ffff:127.0.0.1]:{port}"),
        format!("someone@2130706433:{port}"),
        format!("someone@localhost:{port}"),
        "someone@[::1]".to_string(),
        "someone@169.254.169.254".to_string(),
        "someone@10.0.0.1".to_string(),
    ] {
        let (status, body) = s
            .get_json(
                &format!(
                    "/api/v1/lookup?handle={}",
                    url::form_urlencoded::byte_serialize(handle.as_bytes()).collect::<String>()
                ),
                Some(&token),
            )
            .await;
        assert_eq!(status, 422, "lookup {handle}: {body}");
        assert_eq!(body["field"], "handle", "{handle}: {body}");
        let (status, body) = s
            .post_json("/api/v1/follows", Some(&token), json!({ "handle": handle }))
            .await;
        assert_eq!(status, 422, "follow {handle}: {body}");
        let res = form_client
            .post(s.url("/remote-follow"))
            .header("cookie", format!("verkosto_csrf={csrf}"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("address", handle.as_str()),
                ("target", &s.url("/c/kahvila")),
            ])
            .send()
            .await
            .expect("remote follow");
        let status = res.status().as_u16();
        let page = res.text().await.expect("page");
        assert_eq!(
            connections.load(std::sync::atomic::Ordering::SeqCst),
            0,
            "the loopback listener was contacted for {handle}"
        );
        assert_eq!(status, 422, "remote follow {handle}: {page}");
        assert!(page.contains("cannot be reached"), "{handle}: {page}");
    }
    assert_eq!(
        connections.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "the loopback listener was contacted"
    );
    s.stop().await;
}

#[tokio::test]
async fn beyond_the_concurrency_bound_requests_are_refused_quickly_not_queued() {
    use tokio::io::AsyncWriteExt;
    let s =
        TestServer::start_with(TestDb::sqlite().await, |st| st.max_concurrent_requests = 1).await;
    // A client that starts a request and sends its body slowly holds the only slot.
    let mut slow = tokio::net::TcpStream::connect(s.domain.replace("localhost", "127.0.0.1"))
        .await
        .expect("connect");
    let head = format!(
        "POST /inbox HTTP/1.1\r\nHost: {}\r\nContent-Type: application/activity+json\r\nContent-Length: 100\r\n\r\n{{",
        s.domain
    );
    slow.write_all(head.as_bytes()).await.expect("write");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let busy = s.http.get(s.url("/healthz")).send().await.expect("healthz");
    assert_eq!(busy.status(), 503);
    assert_eq!(busy.headers()["retry-after"], "1");
    drop(slow);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let (status, _) = s.get_json("/healthz", None).await;
    assert_eq!(
        status, 200,
        "the slot is free again once the slow client is gone"
    );
    s.stop().await;
}
