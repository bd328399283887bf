//! Every inbox check, each with a bad request sent to a running server over real HTTP: the status, and
//! that nothing stored changed.
//!
//! The "remote" actors are accounts on a second real instance, whose private keys the test reads from
//! that instance's database so it can sign whatever it wants.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use crate::common::{TestDb, TestServer};
use base64::{Engine, engine::general_purpose::STANDARD as BASE64};
use rsa::{Pkcs1v15Sign, RsaPrivateKey, pkcs8::DecodePrivateKey};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use verkosto::model::FollowState;
use verkosto::store;

/// How to (mis)sign one request.
struct Sig<'a> {
    content_type: &'a str,
    signed: &'a [&'a str],
    date: SystemTime,
    host: Option<String>,
    digest_of: Option<&'a [u8]>,
    unsigned: bool,
}

impl Default for Sig<'_> {
    fn default() -> Self {
        Sig {
            content_type: "application/activity+json",
            signed: &["(request-target)", "host", "date", "digest", "content-type"],
            date: SystemTime::now(),
            host: None,
            digest_of: None,
            unsigned: false,
        }
    }
}

struct Remote {
    server: TestServer,
}

impl Remote {
    async fn start() -> Remote {
        Remote {
            server: TestServer::start(TestDb::sqlite().await).await,
        }
    }

    async fn actor(&self, name: &str) -> (String, RsaPrivateKey) {
        self.server.account(name).await;
        let account = self.server.verkosto.account(name).await.expect("account");
        let mut c = self.server.verkosto.db().acquire().await.expect("acquire");
        let keys = store::accounts::keys(&mut c.conn(), account.id)
            .await
            .expect("keys");
        (
            self.server.url(&format!("/u/{name}")),
            RsaPrivateKey::from_pkcs8_pem(&keys.private_key_pem).expect("key"),
        )
    }
}

async fn post(
    target: &TestServer,
    path: &str,
    body: &[u8],
    key_id: &str,
    key: &RsaPrivateKey,
    sig: Sig<'_>,
) -> (u16, Value) {
    let host = sig.host.clone().unwrap_or_else(|| target.domain.clone());
    let digest = format!(
        "SHA-256={}",
        BASE64.encode(Sha256::digest(sig.digest_of.unwrap_or(body)))
    );
    let date = httpdate::fmt_http_date(sig.date);
    let all: BTreeMap<&str, String> = [
        ("host", host.clone()),
        ("date", date.clone()),
        ("digest", digest.clone()),
        ("content-type", sig.content_type.to_string()),
    ]
    .into_iter()
    .collect();
    let mut req = target
        .http
        .post(target.url(path))
        .header("host", host)
        .header("date", date)
        .header("digest", digest)
        .header("content-type", sig.content_type)
        .body(body.to_vec());
    if !sig.unsigned {
        let headers_list = sig.signed.join(" ");
        let signing_string = sig
            .signed
            .iter()
            .map(|h| match *h {
                "(request-target)" => format!("(request-target): post {path}"),
                other => format!("{other}: {}", all[other]),
            })
            .collect::<Vec<_>>()
            .join("\n");
        let signature = BASE64.encode(
            key.sign(
                Pkcs1v15Sign::new::<Sha256>(),
                &Sha256::digest(signing_string.as_bytes()),
            )
            .expect("sign"),
        );
        req = req.header(
            "signature",
            format!(r#"keyId="{key_id}",algorithm="rsa-sha256",headers="{headers_list}",signature="{signature}""#),
        );
    }
    let res = req.send().await.expect("send");
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

fn follow(id: &str, actor: &str, object: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": id, "type": "Follow", "actor": actor, "object": object
    }))
    .expect("json")
}

/// One refused request: what is wrong, the expected status, body, keyId, key and signing options.
type BadRequest<'a> = (&'a str, u16, Vec<u8>, String, &'a RsaPrivateKey, Sig<'a>);

async fn followers(s: &TestServer) -> i64 {
    let mut c = s.verkosto.db().acquire().await.expect("acquire");
    store::follows::count_followers(&mut c.conn(), &s.url("/c/kahvila"), FollowState::Accepted)
        .await
        .expect("count")
}

fn fetches(sink: &crate::common::sink::Sink) -> usize {
    sink.actor_fetches.load(std::sync::atomic::Ordering::SeqCst)
}

async fn setup() -> (TestServer, Remote, String, RsaPrivateKey, String) {
    let local = TestServer::start(TestDb::sqlite().await).await;
    let token = local.account("aino").await;
    local.community(&token, "kahvila", "open").await;
    let remote = Remote::start().await;
    let (actor, key) = remote.actor("mallory").await;
    let key_id = format!("{actor}#main-key");
    (local, remote, actor, key, key_id)
}

#[tokio::test]
async fn a_correct_signed_follow_is_accepted_and_a_late_replay_is_refused() {
    let (local, remote, actor, key, key_id) = setup().await;
    let object = local.url("/c/kahvila");
    let first = follow(&format!("{actor}/follows/1"), &actor, &object);
    let (status, _) = post(
        &local,
        "/c/kahvila/inbox",
        &first,
        &key_id,
        &key,
        Sig::default(),
    )
    .await;
    assert_eq!(status, 202);
    assert_eq!(followers(&local).await, 1);

    // Undo by reference (the Follow's id, not the embedded Follow), as some servers send it.
    let undo = serde_json::to_vec(&json!({ "id": format!("{actor}/undo/1"), "type": "Undo", "actor": actor, "object": format!("{actor}/follows/1") })).expect("json");
    let (status, _) = post(&local, "/inbox", &undo, &key_id, &key, Sig::default()).await;
    assert_eq!(status, 202);
    assert_eq!(followers(&local).await, 0);

    // A captured copy of the Follow replayed later is refused by its signature's age...
    let (status, answer) = post(
        &local,
        "/c/kahvila/inbox",
        &first,
        &key_id,
        &key,
        Sig {
            date: SystemTime::now() - Duration::from_secs(2 * 3600),
            ..Sig::default()
        },
    )
    .await;
    assert_eq!(status, 401, "{answer}");
    assert_eq!(followers(&local).await, 0, "a late replay has no effect");

    // ...while the same Follow sent afresh follows again: Follows are deduplicated by their effect,
    // not their id, since peers reuse a Follow id after an unfollow.
    let (status, _) = post(
        &local,
        "/c/kahvila/inbox",
        &first,
        &key_id,
        &key,
        Sig::default(),
    )
    .await;
    assert_eq!(status, 202);
    assert_eq!(followers(&local).await, 1);

    // Unknown activity types are acknowledged and change nothing.
    let like = serde_json::to_vec(&json!({ "id": format!("{actor}/likes/1"), "type": "Like", "actor": actor, "object": object })).expect("json");
    let (status, _) = post(&local, "/inbox", &like, &key_id, &key, Sig::default()).await;
    assert_eq!(status, 202);
    assert_eq!(followers(&local).await, 1);
    local.stop().await;
    remote.server.stop().await;
}

#[tokio::test]
async fn malformed_or_forged_requests_are_refused_and_change_nothing() {
    let (local, remote, actor, key, key_id) = setup().await;
    let object = local.url("/c/kahvila");
    let (_, other_key) = remote.actor("eve").await;
    let eve = remote.server.url("/u/eve");
    let n = std::sync::atomic::AtomicU32::new(0);
    let fresh = || {
        follow(
            &format!(
                "{actor}/follows/{}",
                n.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 100
            ),
            &actor,
            &object,
        )
    };

    let cases: Vec<BadRequest> = vec![
        ("not an ActivityStreams content type, even though signed", 415, fresh(), key_id.clone(), &key, Sig { content_type: "application/json", ..Sig::default() }),
        ("no signature at all", 401, fresh(), key_id.clone(), &key, Sig { unsigned: true, ..Sig::default() }),
        ("digest does not match the body", 401, fresh(), key_id.clone(), &key, Sig { digest_of: Some(b"something else"), ..Sig::default() }),
        ("digest not among the signed headers", 401, fresh(), key_id.clone(), &key, Sig { signed: &["(request-target)", "host", "date"], ..Sig::default() }),
        ("host not signed", 401, fresh(), key_id.clone(), &key, Sig { signed: &["(request-target)", "date", "digest"], ..Sig::default() }),
        ("date 13 hours old", 401, fresh(), key_id.clone(), &key, Sig { date: SystemTime::now() - Duration::from_secs(13 * 3600), ..Sig::default() }),
        ("date 13 hours ahead", 401, fresh(), key_id.clone(), &key, Sig { date: SystemTime::now() + Duration::from_secs(13 * 3600), ..Sig::default() }),
        ("signed for another host (replayed from elsewhere)", 401, fresh(), key_id.clone(), &key, Sig { host: Some("other.example".into()), ..Sig::default() }),
        ("signed with another actor's key", 401, fresh(), format!("{eve}#main-key"), &other_key, Sig::default()),
        ("keyId names the actor but the key is someone else's", 401, fresh(), key_id.clone(), &other_key, Sig::default()),
        ("activity id on another host than its actor", 403, follow("https://evil.example/follows/1", &actor, &object), key_id.clone(), &key, Sig::default()),
        ("not JSON", 400, b"{nope".to_vec(), key_id.clone(), &key, Sig::default()),
        ("JSON-LD @graph reshaping", 400, serde_json::to_vec(&json!({ "@graph": [], "id": format!("{actor}/x"), "type": "Follow", "actor": actor })).expect("json"), key_id.clone(), &key, Sig::default()),
        ("follow of an actor that is not on this instance", 422, follow(&format!("{actor}/follows/999"), &actor, "https://elsewhere.example/c/x"), key_id.clone(), &key, Sig::default()),
        ("follow of an unknown local community", 404, follow(&format!("{actor}/follows/998"), &actor, &local.url("/c/nowhere")), key_id.clone(), &key, Sig::default()),
    ];
    for (what, expected, body, kid, k, sig) in cases {
        let (status, answer) = post(&local, "/c/kahvila/inbox", &body, &kid, k, sig).await;
        assert_eq!(status, expected, "{what}: {answer}");
        assert!(
            answer["error"].is_string() && answer["message"].is_string(),
            "{what}: JSON error expected, got {answer}"
        );
        assert_eq!(followers(&local).await, 0, "{what}: nothing may change");
    }

    // An unsigned request causes no fetch of its claimed actor: the actor's server counts none.
    let (sink, sink_host, _) = crate::common::sink::Sink::serving_actors().await;
    let unseen = format!("http://{sink_host}/actor/7");
    let (status, _) = post(
        &local,
        "/inbox",
        &follow(&format!("{unseen}/f/1"), &unseen, &object),
        &format!("{unseen}#main-key"),
        &key,
        Sig {
            unsigned: true,
            ..Sig::default()
        },
    )
    .await;
    assert_eq!(status, 401);
    assert_eq!(fetches(&sink), 0, "no fetch for unsigned input");
    local.stop().await;
    remote.server.stop().await;
}

#[tokio::test]
async fn oversized_bodies_are_refused_before_parsing() {
    let (local, remote, actor, key, key_id) = setup().await;
    let mut body = follow(
        &format!("{actor}/follows/1"),
        &actor,
        &local.url("/c/kahvila"),
    );
    body.truncate(body.len() - 1);
    body.extend_from_slice(format!(r#","padding":"{}"}}"#, "x".repeat(2 * 1024 * 1024)).as_bytes());
    let (status, answer) = post(
        &local,
        "/c/kahvila/inbox",
        &body,
        &key_id,
        &key,
        Sig::default(),
    )
    .await;
    assert_eq!(status, 413, "{answer}");
    assert_eq!(followers(&local).await, 0);
    local.stop().await;
    remote.server.stop().await;
}

#[tokio::test]
async fn a_rotated_key_is_refetched_once_and_then_accepted() {
    let (local, remote, _, _, _) = setup().await;
    let object = local.url("/c/kahvila");
    // The actor lives on a sink that counts the fetches of its document.
    let (sink, sink_host, first_keys) = crate::common::sink::Sink::serving_actors().await;
    let actor = format!("http://{sink_host}/actor/1");
    let key_id = format!("{actor}#main-key");
    let key = RsaPrivateKey::from_pkcs8_pem(&first_keys.private_key_pem).expect("key");
    let (status, _) = post(
        &local,
        "/c/kahvila/inbox",
        &follow(&format!("{actor}/follows/1"), &actor, &object),
        &key_id,
        &key,
        Sig::default(),
    )
    .await;
    assert_eq!(status, 202, "the actor is now cached with its first key");
    assert_eq!(fetches(&sink), 1, "fetched once, at first contact");

    // The remote actor rotates its key: its document now carries a new one.
    let new_keys = verkosto::service::generate_keypair().await.expect("keys");
    sink.act_as_actors(new_keys.clone());
    let new_key = RsaPrivateKey::from_pkcs8_pem(&new_keys.private_key_pem).expect("key");
    let undo = serde_json::to_vec(&json!({ "id": format!("{actor}/undo/1"), "type": "Undo", "actor": actor, "object": format!("{actor}/follows/1") })).expect("json");
    let (status, answer) = post(&local, "/inbox", &undo, &key_id, &new_key, Sig::default()).await;
    assert_eq!(status, 202, "one refetch picks up the new key: {answer}");
    assert_eq!(
        fetches(&sink),
        2,
        "the failed signature refetched the actor once"
    );
    assert_eq!(followers(&local).await, 0);

    // The old key no longer works, and failing again does not refetch again right away.
    let refollow = follow(&format!("{actor}/follows/2"), &actor, &object);
    let (status, _) = post(&local, "/inbox", &refollow, &key_id, &key, Sig::default()).await;
    assert_eq!(status, 401);
    assert_eq!(fetches(&sink), 2, "no second refetch within the interval");
    assert_eq!(followers(&local).await, 0);
    local.stop().await;
    remote.server.stop().await;
}

#[tokio::test]
async fn a_key_rotated_5_seconds_after_the_last_refetch_is_accepted() {
    let (local, remote, _, _, _) = setup().await;
    let object = local.url("/c/kahvila");
    let (sink, sink_host, first_keys) = crate::common::sink::Sink::serving_actors().await;
    let actor = format!("http://{sink_host}/actor/1");
    let key_id = format!("{actor}#main-key");
    let key = RsaPrivateKey::from_pkcs8_pem(&first_keys.private_key_pem).expect("key");
    let activity = |n: u32| follow(&format!("{actor}/follows/{n}"), &actor, &object);
    let (status, _) = post(
        &local,
        "/inbox",
        &activity(1),
        &key_id,
        &key,
        Sig::default(),
    )
    .await;
    assert_eq!(status, 202);
    assert_eq!(fetches(&sink), 1);

    // A signature by a key the actor does not have: refetched once, which does not help ...
    let junk = verkosto::service::generate_keypair().await.expect("keys");
    let junk = RsaPrivateKey::from_pkcs8_pem(&junk.private_key_pem).expect("key");
    let (status, _) = post(
        &local,
        "/inbox",
        &activity(2),
        &key_id,
        &junk,
        Sig::default(),
    )
    .await;
    assert_eq!(status, 401);
    assert_eq!(fetches(&sink), 2);
    // ... and is not refetched again within the window.
    let (status, _) = post(
        &local,
        "/inbox",
        &activity(3),
        &key_id,
        &junk,
        Sig::default(),
    )
    .await;
    assert_eq!(status, 401);
    assert_eq!(fetches(&sink), 2, "no refetch within the window");

    // 5 seconds later the actor rotates its key (same key id): accepted on the first attempt.
    tokio::time::sleep(Duration::from_secs(5)).await;
    let rotated = verkosto::service::generate_keypair().await.expect("keys");
    sink.act_as_actors(rotated.clone());
    let new_key = RsaPrivateKey::from_pkcs8_pem(&rotated.private_key_pem).expect("key");
    let (status, answer) = post(
        &local,
        "/inbox",
        &activity(4),
        &key_id,
        &new_key,
        Sig::default(),
    )
    .await;
    assert_eq!(status, 202, "the rotated key is taken at once: {answer}");
    assert_eq!(fetches(&sink), 3);

    // A rotation to a new key id is refetched at once, however recent the last refetch.
    let third = verkosto::service::generate_keypair().await.expect("keys");
    sink.act_as_actors(third.clone());
    *sink.key_fragment.lock().expect("lock") = Some("key-3".into());
    let third_key = RsaPrivateKey::from_pkcs8_pem(&third.private_key_pem).expect("key");
    let (status, answer) = post(
        &local,
        "/inbox",
        &activity(5),
        &format!("{actor}#key-3"),
        &third_key,
        Sig::default(),
    )
    .await;
    assert_eq!(status, 202, "a new key id is fetched at once: {answer}");
    assert_eq!(fetches(&sink), 4);
    local.stop().await;
    remote.server.stop().await;
}

#[tokio::test]
async fn updates_and_deletes_are_accepted_only_from_the_owner() {
    let (local, remote, actor, key, key_id) = setup().await;
    let object = local.url("/c/kahvila");
    let (status, _) = post(
        &local,
        "/c/kahvila/inbox",
        &follow(&format!("{actor}/follows/1"), &actor, &object),
        &key_id,
        &key,
        Sig::default(),
    )
    .await;
    assert_eq!(status, 202);
    let eve = remote.server.url("/u/eve");
    let refused = [
        (
            "an actor updating another actor's profile",
            json!({ "id": format!("{actor}/u/1"), "type": "Update", "actor": actor, "object": { "id": eve, "type": "Person" } }),
        ),
        (
            "a remote Update of a local community",
            json!({ "id": format!("{actor}/u/2"), "type": "Update", "actor": actor, "object": { "id": object, "type": "Group", "name": "Hijacked" } }),
        ),
        (
            "a remote Delete of a local community",
            json!({ "id": format!("{actor}/d/1"), "type": "Delete", "actor": actor, "object": object }),
        ),
        (
            "a Delete of an object on a third host",
            json!({ "id": format!("{actor}/d/2"), "type": "Delete", "actor": actor, "object": "https://third.example/notes/1" }),
        ),
    ];
    for (what, activity) in refused {
        let (status, answer) = post(
            &local,
            "/inbox",
            &serde_json::to_vec(&activity).expect("json"),
            &key_id,
            &key,
            Sig::default(),
        )
        .await;
        assert_eq!(status, 403, "{what}: {answer}");
    }
    let (status, group) = local.get_json("/api/v1/communities/kahvila", None).await;
    assert_eq!(
        (status, group["display_name"].as_str()),
        (200, Some("kahvila")),
        "the community is untouched"
    );
    assert_eq!(followers(&local).await, 1);

    // The actor updating itself is refetched from its origin; deleting itself removes its follows.
    let own_update = json!({ "id": format!("{actor}/u/3"), "type": "Update", "actor": actor, "object": { "id": actor, "type": "Person" } });
    let (status, _) = post(
        &local,
        "/inbox",
        &serde_json::to_vec(&own_update).expect("json"),
        &key_id,
        &key,
        Sig::default(),
    )
    .await;
    assert_eq!(status, 202);
    let own_delete = json!({ "id": format!("{actor}#delete"), "type": "Delete", "actor": actor, "object": actor });
    let (status, _) = post(
        &local,
        "/inbox",
        &serde_json::to_vec(&own_delete).expect("json"),
        &key_id,
        &key,
        Sig::default(),
    )
    .await;
    assert_eq!(status, 202);
    assert_eq!(followers(&local).await, 0);
    let mut c = local.verkosto.db().acquire().await.expect("acquire");
    assert!(
        store::remote_actors::find_by_ap_id(&mut c.conn(), &actor)
            .await
            .expect("find")
            .is_none()
    );
    drop(c);

    // A Delete from an actor never seen is acknowledged without fetching anything: its server
    // counts no fetch.
    // Signed with the ghost's own key, so only the count tells a fetch happened.
    let (sink, sink_host, ghost_keys) = crate::common::sink::Sink::serving_actors().await;
    let ghost = format!("http://{sink_host}/actor/9");
    let ghost_key = RsaPrivateKey::from_pkcs8_pem(&ghost_keys.private_key_pem).expect("key");
    let ghost_delete = json!({ "id": format!("{ghost}#delete"), "type": "Delete", "actor": ghost, "object": ghost });
    let (status, _) = post(
        &local,
        "/inbox",
        &serde_json::to_vec(&ghost_delete).expect("json"),
        &format!("{ghost}#main-key"),
        &ghost_key,
        Sig::default(),
    )
    .await;
    assert_eq!(status, 202);
    assert_eq!(
        fetches(&sink),
        0,
        "no fetch of an unknown actor deleting itself"
    );
    local.stop().await;
    remote.server.stop().await;
}
