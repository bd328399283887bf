//! Short, bounded load on loopback: many concurrent readers, and a mix of valid and invalid inbox posts.

use std::time::Duration;

use crate::common::{RemoteSigner, TestDb, TestServer};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_readers_all_get_answers() {
    let s = TestServer::start(TestDb::sqlite().await).await;
    let token = s.account("aino").await;
    s.community(&token, "kahvila", "open").await;
    let res = s.http.post(s.url("/api/v1/communities/kahvila/events")).bearer_auth(&token)
        .json(&json!({ "title": "Aamiainen", "starts_at": "2030-01-01T08:00:00Z", "ends_at": "2030-01-01T09:00:00Z" }))
        .send().await.expect("event");
    let event: serde_json::Value = res.json().await.expect("json");
    let paths = [
        "/c/kahvila".to_string(),
        format!("/e/{}", event["id"].as_str().expect("id")),
        format!("/.well-known/webfinger?resource=acct:kahvila@{}", s.domain),
    ];
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(1000)
        .build()
        .expect("client");
    let tasks: Vec<_> = (0..1000)
        .map(|i| {
            let url = s.url(&paths[i % paths.len()]);
            let client = client.clone();
            tokio::spawn(async move {
                let res = client
                    .get(url)
                    .header("accept", "application/activity+json")
                    .send()
                    .await?;
                Ok::<u16, reqwest::Error>(res.status().as_u16())
            })
        })
        .collect();
    let statuses = tokio::time::timeout(Duration::from_secs(120), futures_join(tasks))
        .await
        .expect("bounded in time");
    let failed: Vec<String> = statuses
        .iter()
        .filter(|s| **s != Ok(200))
        .map(|s| format!("{s:?}"))
        .collect();
    assert!(
        failed.is_empty(),
        "{} of 1000 failed: {:?}",
        failed.len(),
        &failed[..failed.len().min(5)]
    );
    s.stop().await;
}

async fn futures_join(
    tasks: Vec<tokio::task::JoinHandle<Result<u16, reqwest::Error>>>,
) -> Vec<Result<u16, String>> {
    let mut out = Vec::with_capacity(tasks.len());
    for t in tasks {
        out.push(match t.await {
            Ok(Ok(s)) => Ok(s),
            Ok(Err(e)) => Err(e.to_string()),
            Err(e) => Err(e.to_string()),
        });
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn valid_activities_are_all_processed_amid_invalid_ones() {
    let s = TestServer::start(TestDb::sqlite().await).await;
    let token = s.account("aino").await;
    s.community(&token, "kahvila", "open").await;
    let peer = TestServer::start(TestDb::sqlite().await).await;
    let mut signers = vec![];
    for i in 0..10 {
        signers.push(RemoteSigner::on(&peer, &format!("fan{i}")).await);
    }
    let target = s.url("/c/kahvila");
    let mut follows = vec![];
    let mut garbage = vec![];
    for (i, signer) in signers.iter().enumerate() {
        let (s_url, target) = (s.url("/c/kahvila/inbox"), target.clone());
        let follow = json!({ "id": format!("{}/follows/{i}", signer.actor), "type": "Follow", "actor": signer.actor, "object": target });
        let server = &s;
        follows.push((signer, follow));
        // Garbage alongside each valid post: unsigned, malformed, wrong content type.
        for kind in 0..20 {
            let http = server.http.clone();
            let url = s_url.clone();
            garbage.push(tokio::spawn(async move {
                let req = match kind % 3 {
                    0 => http
                        .post(&url)
                        .header("content-type", "application/activity+json")
                        .body("{\"type\":\"Follow\"}"),
                    1 => http
                        .post(&url)
                        .header("content-type", "application/activity+json")
                        .body("not json at all"),
                    _ => http
                        .post(&url)
                        .header("content-type", "text/plain")
                        .body("{}"),
                };
                req.send().await.map(|r| r.status().as_u16()).unwrap_or(0)
            }));
        }
    }
    let posts = follows
        .iter()
        .map(|(signer, follow)| signer.post(&s, "/c/kahvila/inbox", follow));
    for post in posts {
        let (status, body) = tokio::time::timeout(Duration::from_secs(30), post)
            .await
            .expect("in time");
        assert_eq!(status, 202, "{body}");
    }
    for g in garbage {
        let status = g.await.expect("garbage task");
        assert!((400..500).contains(&status), "invalid input got {status}");
    }
    let (_, _, followers) = s.get_ap("/c/kahvila/followers").await;
    assert_eq!(
        followers["totalItems"], 10,
        "every valid Follow was processed"
    );
    s.stop().await;
    peer.stop().await;
}
