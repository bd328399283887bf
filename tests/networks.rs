//! Networks across four real instances: communities on A and B join a network on C; a person on D follows
//! the network and sees what the members publish, relayed by C.

use std::time::Duration;

use crate::common::{TestDb, TestServer, eventually};
use serde_json::{Value, json};

async fn post(s: &TestServer, path: &str, token: &str, body: Value) -> (u16, Value) {
    s.post_json(path, Some(token), body).await
}

async fn delete(s: &TestServer, path: &str, token: &str, body: Value) -> u16 {
    s.http
        .delete(s.url(path))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .expect("delete")
        .status()
        .as_u16()
}

fn event(title: &str) -> Value {
    json!({ "title": title, "starts_at": "2030-06-12T09:00:00+03:00", "ends_at": "2030-06-12T11:00:00+03:00",
            "location": { "name": "Tila", "locality": "Oulu" } })
}

async fn timeline_titles(d: &TestServer, token: &str) -> Vec<String> {
    let (_, tl) = d.get_json("/api/v1/timeline", Some(token)).await;
    tl.as_array()
        .map(|items| {
            items
                .iter()
                .map(|i| {
                    let text = i["title"]
                        .as_str()
                        .or_else(|| i["content_html"].as_str())
                        .unwrap_or("");
                    text.trim_start_matches("<p>")
                        .trim_end()
                        .trim_end_matches("</p>")
                        .to_string()
                })
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn a_network_relays_its_members_events_and_announcements() {
    let a = TestServer::start(TestDb::sqlite().await).await;
    let b = TestServer::start(TestDb::sqlite().await).await;
    let c = TestServer::start(TestDb::postgres().await.unwrap_or(TestDb::sqlite().await)).await;
    let d = TestServer::start(TestDb::sqlite().await).await;
    let aino = a.account("aino").await;
    let bea = b.account("bea").await;
    let cecilia = c.account("cecilia").await;
    let dora = d.account("dora").await;
    a.community(&aino, "kahvila", "open").await;
    b.community(&bea, "tila", "open").await;
    let (status, network) = post(&c, "/api/v1/communities", &cecilia, json!({
        "name": "verkosto", "display_name": "Yhteisömanagerien verkosto", "kind": "network", "follow_policy": "approval"
    })).await;
    assert_eq!(status, 201, "{network}");
    let handle = format!("verkosto@{}", c.domain);

    // A and B ask to join; C's manager admits them.
    for (s, token, name) in [(&a, &aino, "kahvila"), (&b, &bea, "tila")] {
        let (status, m) = post(
            s,
            &format!("/api/v1/communities/{name}/networks"),
            token,
            json!({ "handle": handle }),
        )
        .await;
        assert_eq!((status, m["state"].as_str()), (201, Some("pending")), "{m}");
    }
    let requests = eventually(10, "two member requests at C", || async {
        let (_, r) = c
            .get_json(
                "/api/v1/communities/verkosto/member-requests",
                Some(&cecilia),
            )
            .await;
        (r.as_array().map(Vec::len) == Some(2)).then_some(r)
    })
    .await;
    let (status, _) = c
        .get_json("/api/v1/communities/verkosto/member-requests", Some(&dora))
        .await;
    assert_eq!(
        status, 401,
        "a token of another instance means nothing here"
    );
    for r in requests.as_array().expect("list") {
        let (status, m) = post(
            &c,
            &format!(
                "/api/v1/communities/verkosto/member-requests/{}/accept",
                r["id"]
            ),
            &cecilia,
            json!({}),
        )
        .await;
        assert_eq!((status, m["state"].as_str()), (200, Some("active")));
    }
    for (s, name) in [(&a, "kahvila"), (&b, "tila")] {
        eventually(10, "the membership to be active", || async {
            let (_, n) = s
                .get_json(&format!("/api/v1/communities/{name}/networks"), None)
                .await;
            (n[0]["state"] == "active").then_some(())
        })
        .await;
    }
    let (_, _, members) = c.get_ap("/c/verkosto/members").await;
    assert_eq!(members["totalItems"], 2);
    let (_, _, group) = c.get_ap("/c/verkosto").await;
    assert_eq!(group["members"], c.url("/c/verkosto/members"));
    assert!(group["upcomingEvents"].is_string());

    // D follows the network (approval: C's manager accepts).
    post(&d, "/api/v1/follows", &dora, json!({ "handle": handle })).await;
    let follow_requests = eventually(10, "D's follow request at C", || async {
        let (_, r) = c
            .get_json(
                "/api/v1/communities/verkosto/follow-requests",
                Some(&cecilia),
            )
            .await;
        r.as_array().and_then(|l| l.first().cloned())
    })
    .await;
    post(
        &c,
        &format!(
            "/api/v1/communities/verkosto/follow-requests/{}/accept",
            follow_requests["id"]
        ),
        &cecilia,
        json!({}),
    )
    .await;
    eventually(10, "D's follow accepted", || async {
        let (_, f) = d.get_json("/api/v1/follows", Some(&dora)).await;
        (f[0]["state"] == "accepted").then_some(())
    })
    .await;

    // A publishes an event, B an announcement: D sees both through C.
    let (status, ev) = post(
        &a,
        "/api/v1/communities/kahvila/events",
        &aino,
        event("CMAD Tampere"),
    )
    .await;
    assert_eq!(status, 201, "{ev}");
    let (status, an) = post(
        &b,
        "/api/v1/communities/tila/announcements",
        &bea,
        json!({ "content": "Tila on auki joulun yli" }),
    )
    .await;
    assert_eq!(status, 201, "{an}");
    eventually(15, "both relayed to D", || async {
        let titles = timeline_titles(&d, &dora).await;
        (titles.contains(&"CMAD Tampere".to_string())
            && titles.contains(&"Tila on auki joulun yli".to_string()))
        .then_some(())
    })
    .await;
    let (_, tl) = d.get_json("/api/v1/timeline", Some(&dora)).await;
    let relayed_event = tl
        .as_array()
        .expect("tl")
        .iter()
        .find(|i| i["type"] == "event")
        .expect("event");
    assert_eq!(
        relayed_event["organizer_ap_id"],
        a.url("/c/kahvila"),
        "the hosting community is named"
    );

    // C's calendar lists the member's event once.
    let (_, cal) = c
        .get_json("/api/v1/communities/verkosto/events", None)
        .await;
    let titles: Vec<&str> = cal
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|e| e["title"].as_str())
        .collect();
    assert_eq!(titles, vec!["CMAD Tampere"]);
    let ics = c
        .http
        .get(c.url("/c/verkosto/events.ics"))
        .send()
        .await
        .expect("ics")
        .text()
        .await
        .expect("text");
    assert_eq!(ics.matches("BEGIN:VEVENT").count(), 1);

    // A leaves: its next event is no longer relayed.
    assert_eq!(
        delete(
            &a,
            "/api/v1/communities/kahvila/networks",
            &aino,
            json!({ "handle": handle })
        )
        .await,
        204
    );
    eventually(10, "A gone from the members", || async {
        let (_, m) = c
            .get_json("/api/v1/communities/verkosto/members", None)
            .await;
        (m.as_array().map(Vec::len) == Some(1)).then_some(())
    })
    .await;
    post(
        &a,
        "/api/v1/communities/kahvila/events",
        &aino,
        event("After leaving"),
    )
    .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(
        !timeline_titles(&d, &dora)
            .await
            .contains(&"After leaving".to_string())
    );

    // C removes B.
    let (_, m) = c
        .get_json("/api/v1/communities/verkosto/members", None)
        .await;
    let id = m[0]["id"].as_i64().expect("id");
    assert_eq!(
        delete(
            &c,
            &format!("/api/v1/communities/verkosto/members/{id}"),
            &cecilia,
            json!({})
        )
        .await,
        204
    );
    eventually(10, "B told of its removal", || async {
        let (_, n) = b.get_json("/api/v1/communities/tila/networks", None).await;
        (n.as_array().map(Vec::len) == Some(0)).then_some(())
    })
    .await;

    // A forged Announce: an "event" that its claimed origin does not have is refused, nothing stored.
    let mallory = crate::common::RemoteSigner::on(&b, "mallory").await;
    post(
        &d,
        "/api/v1/follows",
        &dora,
        json!({ "handle": format!("mallory@{}", b.domain) }),
    )
    .await;
    eventually(10, "D follows mallory", || async {
        let (_, f) = d.get_json("/api/v1/follows", Some(&dora)).await;
        f.as_array()?
            .iter()
            .any(|x| x["target_ap_id"] == mallory.actor && x["state"] == "accepted")
            .then_some(())
    })
    .await;
    let forged = json!({
        "id": format!("{}/activities/forged", mallory.actor), "type": "Announce", "actor": mallory.actor,
        "object": { "id": a.url("/e/not-there"), "type": "Event", "name": "Forged", "attributedTo": a.url("/c/kahvila"),
                    "startTime": "2030-01-01T00:00:00Z" }
    });
    let (status, answer) = mallory.post(&d, "/inbox", &forged).await;
    assert!((400..500).contains(&status), "{status} {answer}");
    assert!(
        !timeline_titles(&d, &dora)
            .await
            .contains(&"Forged".to_string())
    );
    for s in [a, b, c, d] {
        s.stop().await;
    }
}

#[tokio::test]
async fn announcements_are_validated_changed_deleted_and_fed_as_atom() {
    let s = TestServer::start(TestDb::sqlite().await).await;
    let owner = s.account("aino").await;
    let other = s.account("ville").await;
    s.community(&owner, "kahvila", "open").await;
    let path = "/api/v1/communities/kahvila/announcements";
    let (status, body) = post(&s, path, &owner, json!({ "content": "   " })).await;
    assert_eq!((status, body["field"].as_str()), (422, Some("content")));
    let (status, body) = post(
        &s,
        path,
        &owner,
        json!({ "content": "x", "title": "t".repeat(201) }),
    )
    .await;
    assert_eq!((status, body["field"].as_str()), (422, Some("title")));
    let (status, _) = post(&s, path, &other, json!({ "content": "Hijack" })).await;
    assert_eq!(status, 403);

    let (status, note) = post(
        &s,
        path,
        &owner,
        json!({ "content": "Kahvi on *valmista*", "tags": ["kahvi"] }),
    )
    .await;
    assert_eq!(status, 201, "{note}");
    let (status, article) = post(
        &s,
        path,
        &owner,
        json!({ "title": "Vuosikatsaus", "content": "Pitkä teksti", "pinned": true }),
    )
    .await;
    assert_eq!(status, 201, "{article}");
    let (_, _, doc) = s
        .get_ap(&format!("/a/{}", note["id"].as_str().expect("id")))
        .await;
    assert_eq!(doc["type"], "Note");
    assert_eq!(doc["content"], "<p>Kahvi on <em>valmista</em></p>\n");
    let (_, _, doc) = s
        .get_ap(&format!("/a/{}", article["id"].as_str().expect("id")))
        .await;
    assert_eq!(
        (doc["type"].as_str(), doc["name"].as_str()),
        (Some("Article"), Some("Vuosikatsaus"))
    );

    let (_, list) = s.get_json(path, None).await;
    assert_eq!(list[0]["title"], "Vuosikatsaus", "pinned first");
    let id = note["id"].as_str().expect("id");
    let res = s
        .http
        .patch(s.url(&format!("/api/v1/announcements/{id}")))
        .bearer_auth(&owner)
        .json(&json!({ "content": "Kahvi loppui" }))
        .send()
        .await
        .expect("patch");
    assert_eq!(res.status(), 200);
    let atom = s
        .http
        .get(s.url("/c/kahvila/feed.atom"))
        .send()
        .await
        .expect("atom");
    assert!(
        atom.headers()["content-type"]
            .to_str()
            .unwrap_or("")
            .starts_with("application/atom+xml")
    );
    let feed = atom.text().await.expect("text");
    assert!(
        feed.contains("<feed") && feed.contains("Kahvi loppui") && feed.contains("Vuosikatsaus"),
        "{feed}"
    );
    let res = s
        .http
        .delete(s.url(&format!("/api/v1/announcements/{id}")))
        .bearer_auth(&other)
        .send()
        .await
        .expect("delete");
    assert_eq!(res.status(), 403);
    let res = s
        .http
        .delete(s.url(&format!("/api/v1/announcements/{id}")))
        .bearer_auth(&owner)
        .send()
        .await
        .expect("delete");
    assert_eq!(res.status(), 204);
    let (status, _) = s
        .get_json(&format!("/api/v1/announcements/{id}"), None)
        .await;
    assert_eq!(status, 404);
    s.stop().await;
}

#[tokio::test]
async fn cohosted_events_are_listed_by_each_host_once_and_members_are_mapped() {
    let a = TestServer::start(TestDb::sqlite().await).await;
    let b = TestServer::start(TestDb::sqlite().await).await;
    let aino = a.account("aino").await;
    let bea = b.account("bea").await;
    let (status, _) = post(&a, "/api/v1/communities", &aino, json!({ "name": "kahvila", "location": "Tampere", "latitude": 61.4981, "longitude": 23.7608 })).await;
    assert_eq!(status, 201);
    let (status, body) = post(
        &a,
        "/api/v1/communities",
        &aino,
        json!({ "name": "bad", "latitude": 91.0 }),
    )
    .await;
    assert_eq!((status, body["field"].as_str()), (422, Some("latitude")));
    post(
        &b,
        "/api/v1/communities",
        &bea,
        json!({ "name": "tila", "location": "Oulu", "latitude": 65.0121, "longitude": 25.4651 }),
    )
    .await;
    post(
        &b,
        "/api/v1/communities",
        &bea,
        json!({ "name": "verkosto", "kind": "network" }),
    )
    .await;
    let network = format!("verkosto@{}", b.domain);
    let (status, m) = post(
        &b,
        "/api/v1/communities/tila/networks",
        &bea,
        json!({ "handle": network }),
    )
    .await;
    assert_eq!(
        (status, m["state"].as_str()),
        (201, Some("active")),
        "an open local network admits at once"
    );
    post(
        &a,
        "/api/v1/communities/kahvila/networks",
        &aino,
        json!({ "handle": network }),
    )
    .await;
    eventually(10, "kahvila admitted", || async {
        let (_, n) = a
            .get_json("/api/v1/communities/kahvila/networks", None)
            .await;
        (n[0]["state"] == "active").then_some(())
    })
    .await;

    // An event of kahvila co-hosted by tila: both list it, the network once.
    let mut body = event("CMAD Tampere ja Oulu");
    body["cohosts"] = json!([format!("tila@{}", b.domain)]);
    let (status, ev) = post(&a, "/api/v1/communities/kahvila/events", &aino, body).await;
    assert_eq!(status, 201, "{ev}");
    assert_eq!(ev["cohosts"], json!([b.url("/c/tila")]));
    let (_, _, doc) = a
        .get_ap(&format!("/e/{}", ev["id"].as_str().expect("id")))
        .await;
    assert_eq!(
        doc["organizers"],
        json!([a.url("/c/kahvila"), b.url("/c/tila")])
    );
    eventually(10, "the co-host to list it", || async {
        let (_, list) = b.get_json("/api/v1/communities/tila/events", None).await;
        (list.as_array().map(Vec::len) == Some(1)).then_some(())
    })
    .await;
    let (_, cal) = b
        .get_json("/api/v1/communities/verkosto/events", None)
        .await;
    assert_eq!(
        cal.as_array().map(Vec::len),
        Some(1),
        "organizer and co-host are both members, listed once: {cal}"
    );
    let mut bad = event("Nobody");
    bad["cohosts"] = json!(["nosuchcommunity"]);
    let (status, body) = post(&a, "/api/v1/communities/kahvila/events", &aino, bad).await;
    assert_eq!((status, body["field"].as_str()), (422, Some("cohosts")));

    // The member map.
    let res = b
        .http
        .get(b.url("/c/verkosto/members.geojson"))
        .send()
        .await
        .expect("geojson");
    assert_eq!(res.headers()["content-type"], "application/geo+json");
    let geo: Value = res.json().await.expect("json");
    assert_eq!(geo["type"], "FeatureCollection");
    let mut points: Vec<(String, Value)> = geo["features"]
        .as_array()
        .expect("features")
        .iter()
        .map(|f| {
            (
                f["properties"]["location"]
                    .as_str()
                    .unwrap_or("")
                    .to_string(),
                f["geometry"]["coordinates"].clone(),
            )
        })
        .collect();
    points.sort_by(|x, y| x.0.cmp(&y.0));
    assert_eq!(
        points,
        vec![
            ("Oulu".to_string(), json!([25.4651, 65.0121])),
            ("Tampere".to_string(), json!([23.7608, 61.4981])),
        ]
    );

    // The network's page lists its members and the co-hosted event; a member's page its network.
    let page = |s: &TestServer, path: &str| {
        let req = s
            .http
            .get(s.url(path))
            .header("accept", "text/html")
            .header("accept-language", "en");
        async move { req.send().await.expect("page").text().await.expect("html") }
    };
    let network_page = page(&b, "/c/verkosto").await;
    assert!(
        network_page.contains("Member communities"),
        "{network_page}"
    );
    for member in [
        format!("kahvila@{}", a.domain),
        format!("tila@{}", b.domain),
    ] {
        assert!(network_page.contains(&member), "{member} on {network_page}");
    }
    assert!(network_page.contains("CMAD Tampere ja Oulu"));
    assert!(network_page.contains("/c/verkosto/members.geojson"));
    let month = page(&b, "/c/verkosto/calendar?month=2030-06").await;
    assert!(month.contains("CMAD Tampere ja Oulu"), "{month}");
    let member_page = page(&a, "/c/kahvila").await;
    assert!(
        member_page.contains(&format!("@verkosto@{}", b.domain)),
        "the member's networks: {member_page}"
    );
    a.stop().await;
    b.stop().await;
}
