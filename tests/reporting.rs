//! What the instance says about itself must be true: NodeInfo counts the posts made here, and event
//! lists say when more follow. (The queue status command is tested with the server binary.)

use crate::common::{TestDb, TestServer};
use serde_json::{Value, json};

async fn post(s: &TestServer, path: &str, token: &str, body: Value) -> Value {
    let (status, answer) = s.post_json(path, Some(token), body).await;
    assert_eq!(status, 201, "{path}: {answer}");
    answer
}

fn event(title: &str, day: u32) -> Value {
    json!({ "title": title, "starts_at": format!("2031-02-{day:02}T09:00:00+02:00"),
            "ends_at": format!("2031-02-{day:02}T11:00:00+02:00") })
}

#[tokio::test]
async fn nodeinfo_counts_the_posts_made_here() {
    for db in TestDb::all().await {
        let s = TestServer::start(db).await;
        let token = s.admin("maija").await;
        s.community(&token, "kahvila", "open").await;
        for day in [1, 2] {
            post(
                &s,
                "/api/v1/communities/kahvila/events",
                &token,
                event("Aamukahvit", day),
            )
            .await;
        }
        post(
            &s,
            "/api/v1/communities/kahvila/announcements",
            &token,
            json!({ "content": "Kahvikone on korjattu." }),
        )
        .await;
        for version in ["2.0", "2.1"] {
            let (status, doc) = s.get_json(&format!("/nodeinfo/{version}"), None).await;
            assert_eq!(status, 200);
            assert_eq!(
                doc["usage"]["localPosts"], 3,
                "two events and an announcement: {doc}"
            );
        }
        s.stop().await;
    }
}

/// Follows a list's `Link: <...>; rel="next"` to the end; the titles in order, and the pages.
async fn all_pages(s: &TestServer, first: &str) -> (Vec<String>, usize) {
    let mut url = s.url(first);
    let (mut titles, mut pages) = (vec![], 0);
    loop {
        let res = s.http.get(&url).send().await.expect("list");
        assert_eq!(res.status(), 200, "{url}");
        let next = res
            .headers()
            .get("link")
            .and_then(|l| l.to_str().ok())
            .and_then(|l| l.strip_prefix('<'))
            .and_then(|l| l.split_once(">; rel=\"next\""))
            .map(|(next, _)| next.to_string());
        let list: Vec<Value> = res.json().await.expect("json");
        assert!(list.len() <= 2, "a page holds at most the limit");
        titles.extend(
            list.iter()
                .map(|e| e["title"].as_str().unwrap_or_default().to_string()),
        );
        pages += 1;
        match next {
            Some(next) => url = next,
            None => return (titles, pages),
        }
        assert!(pages < 20, "the pages end");
    }
}

#[tokio::test]
async fn community_and_network_event_lists_page_instead_of_stopping() {
    for db in TestDb::all().await {
        let s = TestServer::start(db).await;
        let token = s.admin("maija").await;
        s.community(&token, "kahvila", "open").await;
        s.post_json(
            "/api/v1/communities",
            Some(&token),
            json!({ "name": "verkosto", "kind": "network" }),
        )
        .await;
        let (status, joined) = s
            .post_json(
                "/api/v1/communities/kahvila/networks",
                Some(&token),
                json!({ "handle": format!("verkosto@{}", s.domain) }),
            )
            .await;
        assert_eq!(status, 201, "{joined}");
        let titles: Vec<String> = (1..=5).map(|n| format!("Tapahtuma {n}")).collect();
        // The second and third start at the same moment, across the first page boundary: the cursor
        // (start and id) must neither repeat nor skip either. Made out of start order, so a list in
        // the order the rows were made (SQLite's, when nothing sorts them) is not in start order.
        for (day, n) in [(3, 3), (1, 0), (4, 4), (2, 1), (2, 2)] {
            let title = &titles[n];
            post(
                &s,
                "/api/v1/communities/kahvila/events",
                &token,
                event(title, day),
            )
            .await;
        }

        let range = "from=2031-01-01T00:00:00Z&limit=2";
        for list in ["kahvila", "verkosto"] {
            let (seen, pages) =
                all_pages(&s, &format!("/api/v1/communities/{list}/events?{range}")).await;
            assert_eq!(seen, titles, "{list}: every event once, in order");
            assert_eq!(pages, 3, "{list}: 2 + 2 + 1");
            // The old page numbers still work.
            let (seen, pages) = all_pages(
                &s,
                &format!("/api/v1/communities/{list}/events?{range}&page=2"),
            )
            .await;
            assert_eq!((&seen[..], pages), (&titles[2..], 2), "{list} from page 2");
        }
        let res = s
            .http
            .get(s.url(&format!("/api/v1/communities/kahvila/events?{range}")))
            .send()
            .await
            .expect("list");
        let link = res.headers()["link"].to_str().expect("link").to_owned();
        assert!(link.contains("cursor="), "the next page by cursor: {link}");

        // Paging parameters out of range are a 422 naming the field, never a 5xx.
        for (query, field) in [
            ("page=0", "page"),
            ("page=abc", "page"),
            ("page=9223372036854775807", "page"),
            ("page=99999999999999999999", "page"),
            ("limit=0", "limit"),
            ("limit=1001", "limit"),
            ("limit=-1", "limit"),
            ("cursor=abc", "cursor"),
            ("cursor=1.x", "cursor"),
            ("cursor=.1", "cursor"),
            ("cursor=99999999999999999999.1", "cursor"),
            ("cursor=9223372036854775807.1", "cursor"),
        ] {
            let (status, body) = s
                .get_json(&format!("/api/v1/communities/kahvila/events?{query}"), None)
                .await;
            assert_eq!(
                (status, body["field"].as_str()),
                (422, Some(field)),
                "{query}: {body}"
            );
        }
        s.stop().await;
    }
}

#[tokio::test]
async fn metrics_count_activity_types_acknowledged_without_effect() {
    let server = TestServer::start(TestDb::sqlite().await).await;
    let other = TestServer::start(TestDb::sqlite().await).await;
    let signer = crate::common::RemoteSigner::on(&other, "olli").await;
    let activity = |kind: &str, n: u32| {
        json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": format!("{}/activities/{kind}-{n}", signer.actor),
            "type": kind,
            "actor": signer.actor,
            "object": server.url("/actor"),
        })
    };
    // PeerTube's `View` and Misskey's `EmojiReact`: types we acknowledge without acting on.
    for (kind, n) in [("View", 1), ("View", 2), ("EmojiReact", 1)] {
        let (status, body) = signer.post(&server, "/inbox", &activity(kind, n)).await;
        assert_eq!(status, 202, "{kind}: {body}");
    }
    let metrics = server
        .http
        .get(server.url("/metrics"))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    assert!(
        metrics
            .lines()
            .any(|l| l == "verkosto_inbox_unhandled_total{type=\"View\"} 2"),
        "{metrics}"
    );
    assert!(
        metrics
            .lines()
            .any(|l| l == "verkosto_inbox_unhandled_total{type=\"EmojiReact\"} 1"),
        "{metrics}"
    );
    other.stop().await;
    server.stop().await;
}

/// A calendar feed lists every event in its range: a subscriber cannot see a cap, so there must be
/// none (pages of the API and the web stop at 1,000 and say so; a feed cannot).
#[tokio::test]
async fn a_calendar_feed_lists_every_event_not_the_first_thousand() {
    for db in TestDb::all().await {
        let s = TestServer::start(db).await;
        let token = s.admin("maija").await;
        s.community(&token, "kahvila", "open").await;
        let v = &s.verkosto;
        let community = v.community("kahvila").await.expect("community");
        let count = verkosto::service::MAX_EVENTS_PER_PAGE as usize + 1;
        let mut tx = v.db().begin().await.expect("begin");
        let now = verkosto::store::now();
        for i in 0..count {
            let public_id = format!("feed{i:08}");
            let ap_id = v.state().url(&format!("/e/{public_id}"));
            let starts = now + chrono::Duration::hours(1 + i as i64);
            let event = verkosto::model::Event {
                id: 0,
                url: ap_id.clone(),
                ap_id,
                public_id,
                organizer_ap_id: v.state().url("/c/kahvila"),
                community_id: Some(community.id),
                cohosts: vec![],
                local: true,
                title: format!("Tapaaminen {i}"),
                description_source: None,
                description_html: String::new(),
                starts_at: starts,
                ends_at: starts + chrono::Duration::hours(1),
                timezone: "Europe/Helsinki".into(),
                status: verkosto::model::EventStatus::Confirmed,
                place: None,
                online_url: None,
                capacity: None,
                join_mode: verkosto::model::JoinMode::Free,
                external_url: None,
                tags: vec![],
                category: verkosto::model::EventCategory::Meeting,
                banner_url: None,
                language: None,
                comments_enabled: true,
                guest_participation: false,
                visibility: verkosto::model::Visibility::Public,
                sequence: 0,
                participant_count: 0,
                published_at: now,
                updated_at: now,
                series: None,
            };
            verkosto::store::events::upsert(&mut tx.conn(), &event)
                .await
                .expect("event");
        }
        tx.commit().await.expect("commit");
        let res = s
            .http
            .get(s.url("/c/kahvila/events.ics"))
            .send()
            .await
            .expect("feed");
        assert_eq!(res.status(), 200);
        let feed = res.text().await.expect("text");
        assert_eq!(feed.matches("BEGIN:VEVENT").count(), count, "every event");
        s.stop().await;
    }
}
