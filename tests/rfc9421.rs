//! RFC 9421 HTTP Message Signatures against a real Fedify (tests/fedify/peer.mjs, `@fedify/fedify` 2.3.6 on
//! Node): its first knock (RFC 9421) is accepted by our inbox, our RFC 9421 deliveries verify with its
//! `verifyRequest`, a host that refuses RFC 9421 gets draft-cavage after one refused knock and from then
//! on, and what a signature must bind is enforced.
//!
//! Needs `node` and `npm ci --prefix tests/fedify` (as `.ci/run` does); otherwise skipped, and under CI
//! a failure.

use std::path::PathBuf;
use std::time::Duration;

use serde_json::{Value, json};

use crate::common::{TestDb, TestServer, eventually};
use crate::on_each_backend;

/// A running Fedify peer, stopped when dropped.
struct FedifyPeer {
    base: String,
    http: reqwest::Client,
    _child: tokio::process::Child,
}

impl FedifyPeer {
    async fn start() -> Option<FedifyPeer> {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        if !root
            .join("tests/fedify/node_modules/@fedify/fedify")
            .exists()
        {
            crate::common::skip("Fedify peer: run `npm ci --prefix tests/fedify` (needs Node)");
            return None;
        }
        let port = crate::common::free_port();
        let mut child = tokio::process::Command::new("node")
            .current_dir(&root)
            .args(["tests/fedify/peer.mjs", "--port", &port.to_string()])
            .stdout(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("start node");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = tokio::io::AsyncBufReadExt::lines(tokio::io::BufReader::new(stdout));
        let ready = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
            .await
            .expect("the Fedify peer starts")
            .expect("read")
            .expect("a line");
        assert_eq!(ready, format!("ready {port}"));
        Some(FedifyPeer {
            base: format!("http://localhost:{port}"),
            http: reqwest::Client::new(),
            _child: child,
        })
    }

    fn actor(&self) -> String {
        format!("{}/actor", self.base)
    }

    async fn control(&self, path: &str, body: Value) -> Value {
        let res = self
            .http
            .post(format!("{}/control/{path}", self.base))
            .json(&body)
            .send()
            .await
            .expect("control");
        assert_eq!(res.status(), 200, "{path}");
        res.json().await.expect("json")
    }

    /// Sends `activity` to `inbox` as Fedify does (RFC 9421 first, draft-cavage after a 4xx): the knocks.
    async fn send(&self, inbox: &str, activity: Value) -> Vec<(String, u16)> {
        let answer = self
            .control("send", json!({ "inbox": inbox, "activity": activity }))
            .await;
        answer["knocks"]
            .as_array()
            .expect("knocks")
            .iter()
            .map(|k| {
                (
                    k["spec"].as_str().expect("spec").to_string(),
                    k["status"].as_u64().expect("status") as u16,
                )
            })
            .collect()
    }

    /// What arrived at its inbox: (spec, verified by Fedify, activity type, status answered).
    async fn received(&self) -> Vec<(String, bool, String, u16)> {
        let list: Value = self
            .http
            .get(format!("{}/control/received", self.base))
            .send()
            .await
            .expect("received")
            .json()
            .await
            .expect("json");
        list.as_array()
            .expect("list")
            .iter()
            .map(|r| {
                (
                    r["spec"].as_str().unwrap_or_default().to_string(),
                    r["verified"].as_bool().unwrap_or(false),
                    r["type"].as_str().unwrap_or_default().to_string(),
                    r["status"].as_u64().unwrap_or(0) as u16,
                )
            })
            .collect()
    }

    fn follow(&self, n: u32, object: &str) -> Value {
        json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": format!("{}/follows/{n}", self.base),
            "type": "Follow", "actor": self.actor(), "object": object
        })
    }
}

async fn accepts(peer: &FedifyPeer, n: usize) -> Vec<(String, bool, String, u16)> {
    eventually(20, &format!("{n} Accepts at the Fedify peer"), || async {
        let got: Vec<_> = peer
            .received()
            .await
            .into_iter()
            .filter(|r| r.2 == "Accept")
            .collect();
        (got.len() >= n).then_some(got)
    })
    .await
}

async fn stored_style(s: &TestServer, host: &str) -> Option<String> {
    verkosto::store::signature_styles::get(s.verkosto.db(), host)
        .await
        .expect("style")
        .map(|(style, _)| style.as_str().to_string())
}

#[tokio::test]
async fn fedifys_first_knock_is_accepted_our_rfc9421_verifies_there_and_a_refusal_is_remembered() {
    on_each_backend!(|db| {
        let Some(peer) = FedifyPeer::start().await else {
            return;
        };
        let peer_host = peer.base.trim_start_matches("http://").to_string();
        let s = TestServer::start(db).await;
        let token = s.account("aino").await;
        s.community(&token, "kahvila", "open").await;
        let community = s.url("/c/kahvila");
        let inbox = s.url("/c/kahvila/inbox");

        // Fedify knocks with RFC 9421 first: one request, accepted.
        let knocks = peer.send(&inbox, peer.follow(1, &community)).await;
        assert_eq!(knocks, vec![("rfc9421".to_string(), 202)], "{knocks:?}");
        assert_eq!(
            stored_style(&s, &peer_host).await.as_deref(),
            Some("rfc9421")
        );
        // Our Accept goes out RFC 9421, and Fedify's verifyRequest takes it.
        let got = accepts(&peer, 1).await;
        assert_eq!(got, vec![("rfc9421".into(), true, "Accept".into(), 202)]);

        // The peer stops taking RFC 9421 (as Mastodon before 4.5): one refused knock, then
        // draft-cavage, which Fedify verifies, and the host is remembered as draft-cavage.
        peer.control("mode", json!({ "refuse9421": true })).await;
        let knocks = peer.send(&inbox, peer.follow(2, &community)).await;
        assert_eq!(knocks, vec![("rfc9421".to_string(), 202)]);
        let got = accepts(&peer, 3).await;
        assert_eq!(
            got[1..],
            [
                ("rfc9421".into(), false, "Accept".into(), 401),
                ("draft-cavage".into(), true, "Accept".into(), 202)
            ]
        );
        eventually(10, "the host is remembered as draft-cavage", || async {
            (stored_style(&s, &peer_host).await.as_deref() == Some("cavage")).then_some(())
        })
        .await;
        // The next delivery is draft-cavage at once, though the peer still signs RFC 9421 itself.
        peer.send(&inbox, peer.follow(3, &community)).await;
        let got = accepts(&peer, 4).await;
        assert_eq!(got[3], ("draft-cavage".into(), true, "Accept".into(), 202));
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(accepts(&peer, 4).await.len(), 4, "no further knock");

        let metrics = s
            .http
            .get(s.url("/metrics"))
            .send()
            .await
            .expect("metrics")
            .text()
            .await
            .expect("text");
        assert!(
            metrics.contains("verkosto_signatures_verified_total{style=\"rfc9421\"} 3"),
            "{metrics}"
        );
        assert!(
            metrics.contains("verkosto_signature_fallbacks_total 1"),
            "{metrics}"
        );
        s.stop().await;
    });
}

/// POSTs `body` with headers Fedify signed (`options` for /control/sign), swapping in `sent_body`.
async fn post_fedify_signed(
    s: &TestServer,
    peer: &FedifyPeer,
    path: &str,
    body: &Value,
    sent_body: Option<&Value>,
    options: Value,
) -> (u16, String) {
    let url = s.url(path);
    let text = body.to_string();
    let mut request = json!({ "url": url, "body": text, "spec": "rfc9421" });
    if let (Some(o), Some(extra)) = (request.as_object_mut(), options.as_object()) {
        o.extend(extra.clone());
    }
    let headers = peer.control("sign", request).await;
    let mut req = s.http.post(&url);
    for (name, value) in headers.as_object().expect("headers") {
        if name != "host" {
            req = req.header(name.as_str(), value.as_str().expect("value"));
        }
    }
    let sent = sent_body.map_or(text, Value::to_string);
    let res = req.body(sent).send().await.expect("post");
    (res.status().as_u16(), res.text().await.unwrap_or_default())
}

#[tokio::test]
async fn rfc9421_requests_that_do_not_bind_body_time_or_origin_are_refused() {
    let Some(peer) = FedifyPeer::start().await else {
        return;
    };
    let s = TestServer::start(TestDb::sqlite().await).await;
    let token = s.account("aino").await;
    s.community(&token, "kahvila", "open").await;
    let community = s.url("/c/kahvila");
    let follow = peer.follow(1, &community);
    let other = peer.follow(2, &community);
    let path = "/c/kahvila/inbox";

    let refused = [
        ("a body changed after signing", Some(&other), json!({})),
        // The sender signs a Content-Digest that is not its body's.
        (
            "a signed Content-Digest of another body",
            None,
            json!({ "digest_body": other.to_string() }),
        ),
        (
            "a signature made two hours ago",
            None,
            json!({ "ago_secs": 7200 }),
        ),
        (
            "a key id on another host than the actor's",
            None,
            json!({ "key_id": format!("{}/actor#main-key", s.base) }),
        ),
    ];
    // Every case is tried before failing, so that removing one check shows which cases it guards.
    let mut taken = Vec::new();
    for (what, sent, options) in refused {
        let (status, answer) = post_fedify_signed(&s, &peer, path, &follow, sent, options).await;
        if status != 401 {
            taken.push(format!("{what}: {status} {answer}"));
        }
    }
    assert!(taken.is_empty(), "not refused with 401: {taken:#?}");
    // A request signed for another host is refused too (our Host and our URL are what is checked).
    let (status, answer) = post_fedify_signed(
        &s,
        &peer,
        path,
        &follow,
        None,
        json!({ "url": format!("http://elsewhere.example{path}") }),
    )
    .await;
    assert_eq!(status, 401, "signed for another host: {answer}");
    // The same request, signed as it should be, is taken.
    let (status, answer) = post_fedify_signed(&s, &peer, path, &follow, None, json!({})).await;
    assert_eq!(status, 202, "{answer}");
    s.stop().await;
}

/// An Ed25519 key pair that signs RFC 9421 as `alg="ed25519"`.
struct Ed25519(aws_lc_rs::signature::Ed25519KeyPair);

impl verkosto::signatures::SignsRequests for Ed25519 {
    fn sign_sha256(&self, message: &[u8]) -> verkosto::Result<Vec<u8>> {
        Ok(self.0.sign(message).as_ref().to_vec())
    }

    fn rfc9421_alg(&self) -> &'static str {
        "ed25519"
    }
}

impl Ed25519 {
    fn generate() -> Ed25519 {
        Ed25519(aws_lc_rs::signature::Ed25519KeyPair::generate().expect("ed25519"))
    }

    fn multibase(&self) -> String {
        use aws_lc_rs::signature::KeyPair;
        let public: [u8; 32] = self.0.public_key().as_ref().try_into().expect("32 bytes");
        verkosto::signatures::encode_ed25519(&public)
    }
}

#[tokio::test]
async fn an_ed25519_multikey_of_assertion_method_verifies_rfc9421() {
    on_each_backend!(|db| {
        let s = TestServer::start(db).await;
        let token = s.account("aino").await;
        s.community(&token, "kahvila", "open").await;
        let (sink, sink_host, _) = crate::common::sink::Sink::serving_actors().await;
        let published = Ed25519::generate();
        *sink.ed25519_multibase.lock().expect("lock") = Some(published.multibase());
        let actor = format!("http://{sink_host}/actor/1");
        let key_id = format!("{actor}#ed25519-key");
        let inbox = url::Url::parse(&s.url("/c/kahvila/inbox")).expect("url");
        let post = |n: u32, signer: &Ed25519| {
            let body = json!({
                "@context": "https://www.w3.org/ns/activitystreams",
                "id": format!("{actor}/follows/{n}"), "type": "Follow", "actor": actor,
                "object": s.url("/c/kahvila")
            })
            .to_string();
            let headers = verkosto::signatures::sign_post_rfc9421(
                &inbox,
                body.as_bytes(),
                &key_id,
                signer,
                std::time::SystemTime::now(),
            )
            .expect("sign");
            let request = s.http.post(inbox.as_str()).headers(headers).body(body);
            async move { request.send().await.expect("post").status().as_u16() }
        };
        assert_eq!(post(1, &published).await, 202, "the published Ed25519 key");
        assert_eq!(
            post(2, &Ed25519::generate()).await,
            401,
            "an Ed25519 key it did not publish"
        );
        s.stop().await;
    });
}
