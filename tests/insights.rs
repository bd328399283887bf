//! A community's impact figures (issue 16): followers gained and lost, participations, attendance
//! checked at the door, replies, boosts and likes from other servers, each counted from what local
//! and remote people really did through the API and signed activities.

use chrono::{Duration, SecondsFormat, Utc};
use serde_json::{Value, json};

use crate::common::sink::Sink;
use crate::common::{RemoteSigner, TestDb, TestServer, eventually};

fn rfc3339(t: chrono::DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

async fn post(s: &TestServer, path: &str, token: &str, body: Value) -> (u16, Value) {
    s.post_json(path, Some(token), body).await
}

async fn delete(s: &TestServer, path: &str, token: &str) -> (u16, Value) {
    let r = s
        .http
        .delete(s.url(path))
        .bearer_auth(token)
        .send()
        .await
        .expect("delete");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// An event of `kahvila` starting at `starts` (two hours long) with `capacity` seats.
async fn event(s: &TestServer, token: &str, starts: chrono::DateTime<Utc>, capacity: i64) -> Value {
    let (status, event) = post(
        s,
        "/api/v1/communities/kahvila/events",
        token,
        json!({
            "title": "Yhteisöaamiainen",
            "starts_at": rfc3339(starts),
            "ends_at": rfc3339(starts + Duration::hours(2)),
            "timezone": "Europe/Helsinki",
            "capacity": capacity,
            "join_mode": "free",
            "language": "fi"
        }),
    )
    .await;
    assert_eq!(status, 201, "{event}");
    event
}

#[tokio::test]
async fn insights_count_what_local_and_remote_people_did() {
    let (_sink, sink_host, key) = Sink::serving_actors().await;
    let remote = |n: u32| {
        RemoteSigner::with_key(
            format!("http://{sink_host}/actor/{n}"),
            &key.private_key_pem,
        )
    };
    for db in TestDb::all().await {
        let backend = db.backend;
        let a = TestServer::start(db).await;
        let manager = a.account("aino").await;
        a.community(&manager, "kahvila", "open").await;
        let now = Utc::now();
        let from = now - Duration::days(1);
        let period = format!(
            "/api/v1/communities/kahvila/insights?from={}&to={}",
            rfc3339(from).replace('+', "%2B"),
            rfc3339(now + Duration::minutes(5))
        );

        // Three remote followers; one leaves again.
        for n in 1..=3 {
            let follow = json!({ "id": format!("http://{sink_host}/actor/{n}/follows/1"),
                "type": "Follow", "actor": remote(n).actor, "object": a.url("/c/kahvila") });
            let (status, body) = remote(n).post(&a, "/c/kahvila/inbox", &follow).await;
            assert_eq!(status, 202, "{backend}: {body}");
        }
        let undo = json!({ "id": format!("http://{sink_host}/actor/3/undo/1"), "type": "Undo",
            "actor": remote(3).actor, "object": format!("http://{sink_host}/actor/3/follows/1") });
        assert_eq!(remote(3).post(&a, "/inbox", &undo).await.0, 202);

        // An event that began an hour ago with three seats, and one next month (not held yet).
        let held = event(&a, &manager, now - Duration::hours(1), 3).await;
        event(&a, &manager, now + Duration::days(30), 10).await;
        let id = held["id"].as_str().expect("id");
        let ap_id = held["ap_id"].as_str().expect("ap_id");

        // Two local people and two remote ones take part: the fourth waits for a seat, and a
        // fifth, waitlisted too, withdraws.
        for name in ["lauri", "mira"] {
            let token = a.account(name).await;
            let (status, body) = post(
                &a,
                &format!("/api/v1/events/{id}/participation"),
                &token,
                json!({}),
            )
            .await;
            assert_eq!(status, 201, "{backend}: {body}");
        }
        for n in [1, 2, 4] {
            let join = json!({ "id": format!("http://{sink_host}/actor/{n}/joins/1"), "type": "Join",
                "actor": remote(n).actor, "object": ap_id });
            assert_eq!(remote(n).post(&a, "/inbox", &join).await.0, 202);
        }
        let leave = json!({ "id": format!("http://{sink_host}/actor/4/leaves/1"), "type": "Leave",
            "actor": remote(4).actor, "object": ap_id });
        assert_eq!(remote(4).post(&a, "/inbox", &leave).await.0, 202);

        // Check-ins at the door: a local and a remote participant; the waitlisted one cannot be.
        let (_, participants) = a
            .get_json(&format!("/api/v1/events/{id}/participants"), Some(&manager))
            .await;
        let pid = |who: &str| {
            participants
                .as_array()
                .expect("participants")
                .iter()
                .find(|p| {
                    p["participant_ap_id"]
                        .as_str()
                        .is_some_and(|a| a.ends_with(who))
                })
                .map(|p| (p["id"].as_i64().expect("pid"), p["state"].clone()))
                .expect("participant")
        };
        let (lauri, _) = pid("/u/lauri");
        let (first_remote, _) = pid("/actor/1");
        let (waiting, state) = pid("/actor/2");
        assert_eq!(state, "waitlisted", "{backend}");
        for p in [lauri, first_remote] {
            let (status, body) = post(
                &a,
                &format!("/api/v1/events/{id}/participants/{p}/attended"),
                &manager,
                json!({}),
            )
            .await;
            assert_eq!(status, 200, "{backend}: {body}");
            assert!(body["attended_at"].is_string(), "{backend}: {body}");
        }
        let (status, body) = post(
            &a,
            &format!("/api/v1/events/{id}/participants/{waiting}/attended"),
            &manager,
            json!({}),
        )
        .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (409, Some("not_an_accepted_participant")),
            "{backend}: {body}"
        );
        // A mistaken check-in taken back, then made again.
        let (status, body) = delete(
            &a,
            &format!("/api/v1/events/{id}/participants/{lauri}/attended"),
            &manager,
        )
        .await;
        assert_eq!(
            (status, body["attended_at"].is_null()),
            (200, true),
            "{backend}: {body}"
        );
        post(
            &a,
            &format!("/api/v1/events/{id}/participants/{lauri}/attended"),
            &manager,
            json!({}),
        )
        .await;

        // From the fediverse: a reply, two likes (one repeated under another id, one undone the
        // way Mastodon undoes it: embedded, under yet another id), a boost, and a like of
        // something not ours.
        let reply = json!({ "id": format!("http://{sink_host}/actor/1/create/1"), "type": "Create",
            "actor": remote(1).actor, "object": { "id": format!("http://{sink_host}/actor/1/notes/1"),
            "type": "Note", "attributedTo": remote(1).actor, "inReplyTo": ap_id,
            "content": "Kiitos aamiaisesta!", "to": ["https://www.w3.org/ns/activitystreams#Public"] } });
        assert_eq!(remote(1).post(&a, "/inbox", &reply).await.0, 202);
        for (n, like_id) in [(1, "likes/1"), (1, "likes/2"), (2, "likes/1")] {
            let like = json!({ "id": format!("http://{sink_host}/actor/{n}/{like_id}"), "type": "Like",
                "actor": remote(n).actor, "object": ap_id });
            assert_eq!(remote(n).post(&a, "/inbox", &like).await.0, 202);
        }
        let unlike = json!({ "id": format!("http://{sink_host}/actor/2/likes/9/undo"), "type": "Undo",
            "actor": remote(2).actor, "object": { "id": format!("http://{sink_host}/actor/2/likes/9"),
            "type": "Like", "actor": remote(2).actor, "object": ap_id } });
        assert_eq!(remote(2).post(&a, "/inbox", &unlike).await.0, 202);
        let boost = json!({ "id": format!("http://{sink_host}/actor/2/boosts/1"), "type": "Announce",
            "actor": remote(2).actor, "object": ap_id,
            "to": ["https://www.w3.org/ns/activitystreams#Public"] });
        assert_eq!(remote(2).post(&a, "/inbox", &boost).await.0, 202);
        let elsewhere = json!({ "id": format!("http://{sink_host}/actor/2/likes/3"), "type": "Like",
            "actor": remote(2).actor, "object": format!("http://{sink_host}/notes/1") });
        assert_eq!(remote(2).post(&a, "/inbox", &elsewhere).await.0, 202);

        let (status, insights) = a.get_json(&period, Some(&manager)).await;
        assert_eq!(status, 200, "{backend}: {insights}");
        let followers = &insights["followers"];
        assert_eq!(
            (&followers["total"], &followers["new"], &followers["lost"]),
            (&json!(2), &json!(3), &json!(1)),
            "{backend}: {followers}"
        );
        assert_eq!(
            followers["by_instance"],
            json!({ sink_host.clone(): 2 }),
            "{backend}"
        );
        assert_eq!(
            (&followers["local"], &followers["remote"]),
            (&json!(0), &json!(2))
        );
        let events = &insights["events"];
        assert_eq!(events["held"], 1, "{backend}: {events}");
        assert_eq!(
            events["participations"],
            json!({ "requested": 5, "accepted": 3, "waitlisted": 1, "pending": 0, "cancelled": 1 }),
            "{backend}"
        );
        assert_eq!(
            (&events["attended"], &events["no_shows"]),
            (&json!(2), &json!(1)),
            "{backend}"
        );
        let rate = events["attendance_rate"].as_f64().expect("rate");
        assert!((rate - 2.0 / 3.0).abs() < 1e-9, "{backend}: {rate}");
        assert_eq!(
            (&events["first_time"], &events["returning"]),
            (&json!(3), &json!(0))
        );
        let reach = &insights["reach"];
        assert_eq!(
            (
                &reach["announcements_published"],
                &reach["replies"],
                &reach["boosts"],
                &reach["likes"]
            ),
            (&json!(0), &json!(1), &json!(1), &json!(1)),
            "{backend}: {reach}"
        );
        // What the community's deliveries reached, counted as they arrive: the followers' one
        // instance (the answers to the joins went there too).
        let reached = eventually(20, "the deliveries counted", || async {
            let (_, now) = a.get_json(&period, Some(&manager)).await;
            let reach = now["reach"].clone();
            (reach["instances"] == 1 && reach["inboxes"].as_i64().unwrap_or(0) >= 4)
                .then_some(reach)
        })
        .await;
        assert_eq!(reached["instances"], 1, "{backend}: {reached}");
        // Everything happened within the period: the one before had nothing, not even followers.
        assert_eq!(insights["previous"]["followers"]["total"], 0, "{backend}");
        assert_eq!(insights["previous"]["events"]["held"], 0, "{backend}");
        let per_event = insights["series"]["per_event"]
            .as_array()
            .expect("per event");
        assert_eq!(per_event.len(), 1, "{backend}");
        assert_eq!(
            (
                &per_event[0]["id"],
                &per_event[0]["attended"],
                &per_event[0]["no_shows"]
            ),
            (&json!(id), &json!(2), &json!(1))
        );
        let per_day = insights["series"]["per_day"].as_array().expect("per day");
        let sum = |key: &str| {
            per_day
                .iter()
                .map(|d| d[key].as_i64().unwrap_or(0))
                .sum::<i64>()
        };
        assert_eq!(
            (
                sum("followers_gained"),
                sum("followers_lost"),
                sum("participations")
            ),
            (3, 1, 4)
        );

        // A period after all this: the followers are still there, nothing new happened.
        let later = format!(
            "/api/v1/communities/kahvila/insights?from={}&to={}",
            rfc3339(now + Duration::days(2)),
            rfc3339(now + Duration::days(3))
        );
        let (_, insights) = a.get_json(&later, Some(&manager)).await;
        assert_eq!(insights["followers"]["total"], 2, "{backend}: {insights}");
        assert_eq!(insights["followers"]["new"], 0, "{backend}");
        assert_eq!(insights["previous"]["followers"]["total"], 2, "{backend}");
        a.stop().await;
    }
}

#[tokio::test]
async fn insights_are_for_managers_and_refuse_bad_periods() {
    let a = TestServer::start(TestDb::sqlite().await).await;
    let manager = a.account("aino").await;
    let stranger = a.account("outi").await;
    a.community(&manager, "kahvila", "open").await;
    let base = "/api/v1/communities/kahvila/insights";

    let (status, body) = a.get_json(base, Some(&stranger)).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("not_a_manager")),
        "{body}"
    );
    let (status, _) = a.get_json(base, None).await;
    assert_eq!(status, 401);
    let (status, body) = a
        .get_json("/api/v1/communities/nobody/insights", Some(&manager))
        .await;
    assert_eq!(status, 404, "{body}");

    // The default period: the last 30 days, one row a day.
    let (status, body) = a.get_json(base, Some(&manager)).await;
    assert_eq!(status, 200, "{body}");
    let days = body["series"]["per_day"].as_array().expect("days").len();
    assert!((30..=31).contains(&days), "{days}");
    assert!(body.as_object().expect("object").contains_key("feedback"));

    for (query, code, field) in [
        ("?from=yesterday", "not_an_rfc3339_time", "from"),
        (
            "?from=2026-12-01T00:00:00Z&to=2026-11-01T00:00:00Z",
            "range_reversed",
            "to",
        ),
        (
            "?from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z",
            "period_too_long",
            "to",
        ),
    ] {
        let (status, body) = a.get_json(&format!("{base}{query}"), Some(&manager)).await;
        assert_eq!(status, 422, "{query}: {body}");
        assert_eq!(
            (body["code"].as_str(), body["field"].as_str()),
            (Some(code), Some(field)),
            "{query}: {body}"
        );
    }
    a.stop().await;
}

/// The workspace's exports: the figures and the events as CSV (an event title that looks like a
/// formula stays text), the charts as SVG with their accessible name; none of it for anyone but the
/// community's managers, and a check-in without the form's token changes nothing.
#[tokio::test]
async fn the_workspace_exports_figures_and_charts_to_managers_only() {
    use crate::common::web::{client, form_token, post_login};
    let a = TestServer::start(TestDb::sqlite().await).await;
    let manager = a.account("maija").await;
    a.account("outi").await;
    a.community(&manager, "kahvila", "open").await;
    let (status, held) = post(
        &a,
        "/api/v1/communities/kahvila/events",
        &manager,
        json!({ "title": "=HYPERLINK(\"http://evil.example\")",
                "starts_at": rfc3339(Utc::now() - Duration::hours(1)),
                "ends_at": rfc3339(Utc::now() + Duration::hours(1)), "timezone": "Europe/Helsinki" }),
    )
    .await;
    assert_eq!(status, 201, "{held}");
    let id = held["id"].as_str().expect("id");
    let lauri = a.account("lauri").await;
    post(
        &a,
        &format!("/api/v1/events/{id}/participation"),
        &lauri,
        json!({}),
    )
    .await;

    let http = client();
    assert_eq!(post_login(&a, &http, "maija", "").await.status(), 303);
    let get = |path: &str| {
        let http = http.clone();
        let url = a.url(path);
        async move {
            let r = http
                .get(url)
                .header("accept-language", "fi")
                .send()
                .await
                .expect("get");
            let kind = r
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string();
            (r.status().as_u16(), kind, r.text().await.expect("body"))
        }
    };
    let (status, kind, figures) = get("/manage/c/kahvila/insights.csv").await;
    assert_eq!(
        (status, kind.as_str()),
        (200, "text/csv; charset=utf-8"),
        "{figures}"
    );
    assert!(
        figures.starts_with("figure,this_period,previous_period\n"),
        "{figures}"
    );
    assert!(figures.contains("\nevents_held,1,0\n"), "{figures}");
    assert!(
        figures.contains("\nparticipations_accepted,1,0\n"),
        "{figures}"
    );
    let (status, _, events) = get("/manage/c/kahvila/insights/events.csv").await;
    assert_eq!(status, 200);
    assert!(
        events.contains("\"'=HYPERLINK(\"\"http://evil.example\"\")\""),
        "{events}"
    );
    let (status, kind, chart) = get("/manage/c/kahvila/insights/followers.svg").await;
    assert_eq!(
        (status, kind.as_str()),
        (200, "image/svg+xml; charset=utf-8")
    );
    assert!(
        chart.contains("<title id=\"chart-title\">Seuraajat päivittäin</title>"),
        "{chart}"
    );
    let (status, _, chart) = get("/manage/c/kahvila/insights/events.svg").await;
    assert_eq!(status, 200);
    assert!(
        chart.contains("=HYPERLINK(&quot;http://evil.example&quot;)"),
        "{chart}"
    );
    let (status, _, page) = get("/manage/c/kahvila/insights?from=2026-13-01").await;
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("Anna päivä muodossa 2027-01-25."), "{page}");

    // A check-in without the form's token is refused, and nothing is marked.
    let (_, participants) = a
        .get_json(&format!("/api/v1/events/{id}/participants"), Some(&manager))
        .await;
    let pid = participants[0]["id"].as_i64().expect("pid");
    let check_in = a.url(&format!("/manage/events/{id}/participants/{pid}/attended"));
    let forged = http
        .post(&check_in)
        .form(&[("csrf", "x".repeat(64)), ("attended", "yes".into())])
        .send()
        .await
        .expect("post");
    assert_eq!(forged.status(), 403);
    let (_, participants) = a
        .get_json(&format!("/api/v1/events/{id}/participants"), Some(&manager))
        .await;
    assert!(participants[0]["attended_at"].is_null(), "{participants}");
    let csrf = form_token(&http, &a.url(&format!("/manage/events/{id}/participants"))).await;
    let done = http
        .post(&check_in)
        .form(&[("csrf", csrf), ("attended", "yes".into())])
        .send()
        .await
        .expect("post");
    assert_eq!(done.status(), 303);
    let (_, participants) = a
        .get_json(&format!("/api/v1/events/{id}/participants"), Some(&manager))
        .await;
    assert!(participants[0]["attended_at"].is_string(), "{participants}");

    // Someone else, logged in, sees none of it.
    let other = client();
    assert_eq!(post_login(&a, &other, "outi", "").await.status(), 303);
    for path in [
        "/manage/c/kahvila/insights",
        "/manage/c/kahvila/insights.csv",
        "/manage/c/kahvila/insights/followers.svg",
    ] {
        let r = other.get(a.url(path)).send().await.expect("get");
        assert_eq!(r.status(), 403, "{path}");
    }
    a.stop().await;
}

/// A report link shows one period's report to anyone holding it, in their language, never cached,
/// indexed or passed on as a referrer; only its hash is stored; revoked, it is gone.
#[tokio::test]
async fn a_shared_report_is_read_through_its_secret_link_until_revoked() {
    for db in TestDb::all().await {
        let backend = db.backend;
        let a = TestServer::start(db).await;
        let manager = a.account("maija").await;
        let stranger = a.account("outi").await;
        a.community(&manager, "kahvila", "open").await;
        let held = event(&a, &manager, Utc::now() - Duration::hours(1), 5).await;
        let id = held["id"].as_str().expect("id");
        let lauri = a.account("lauri").await;
        post(
            &a,
            &format!("/api/v1/events/{id}/participation"),
            &lauri,
            json!({}),
        )
        .await;

        let (status, body) = post(
            &a,
            "/api/v1/communities/kahvila/reports",
            &stranger,
            json!({}),
        )
        .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (403, Some("not_a_manager")),
            "{backend}: {body}"
        );
        let (status, made) = post(
            &a,
            "/api/v1/communities/kahvila/reports",
            &manager,
            json!({}),
        )
        .await;
        assert_eq!(status, 201, "{backend}: {made}");
        let url = made["url"].as_str().expect("url").to_string();
        let token = url.rsplit('/').next().expect("token").to_string();
        assert!(url.starts_with(&a.url("/r/")) && token.len() == 48, "{url}");

        let http = reqwest::Client::new();
        let read = |path: String| {
            let http = http.clone();
            async move {
                let r = http
                    .get(path)
                    .header("accept-language", "sv")
                    .send()
                    .await
                    .expect("get");
                let headers = r.headers().clone();
                (r.status().as_u16(), headers, r.text().await.expect("body"))
            }
        };
        let (status, headers, page) = read(url.clone()).await;
        assert_eq!(status, 200, "{backend}: {page}");
        assert_eq!(headers["cache-control"], "private, no-store");
        assert_eq!(headers["x-robots-tag"], "noindex, nofollow");
        assert_eq!(headers["referrer-policy"], "no-referrer");
        for wanted in [
            "Genomslagsrapport",
            "Yhteisöaamiainen",
            "Närvarograd",
            &format!("/r/{token}/events.svg"),
        ] {
            assert!(page.contains(wanted), "{backend}: {wanted} in {page}");
        }
        assert!(
            !page.contains("/manage/events/"),
            "{backend}: no workspace links in a report"
        );
        let (status, _, chart) = read(format!("{url}/events.svg")).await;
        assert_eq!(status, 200, "{backend}");
        assert!(
            chart.contains("<title id=\"chart-title\">Deltagare per evenemang</title>"),
            "{chart}"
        );

        // Its managers see the link's period, never its secret; the database keeps only a hash.
        let (_, links) = a
            .get_json("/api/v1/communities/kahvila/reports", Some(&manager))
            .await;
        assert_eq!(
            links.as_array().map(Vec::len),
            Some(1),
            "{backend}: {links}"
        );
        assert!(!links.to_string().contains(&token), "{backend}: {links}");
        let (status, _) = a
            .get_json("/api/v1/communities/kahvila/reports", Some(&stranger))
            .await;
        assert_eq!(status, 403);
        let stored: Vec<String> = match a.verkosto.db() {
            verkosto::store::Db::Sqlite(p) => {
                sqlx::query_scalar("SELECT token_hash FROM report_links")
                    .fetch_all(p)
                    .await
            }
            verkosto::store::Db::Postgres(p) => {
                sqlx::query_scalar("SELECT token_hash FROM report_links")
                    .fetch_all(p)
                    .await
            }
        }
        .expect("hashes");
        assert!(
            stored.len() == 1 && stored[0] != token,
            "{backend}: {stored:?}"
        );

        // A wrong secret, then the revoked one: 404 in the reader's language.
        let (status, _, page) = read(a.url(&format!("/r/{}", "0".repeat(48)))).await;
        assert_eq!(status, 404, "{backend}");
        assert!(page.contains("Rapporten finns inte"), "{backend}: {page}");
        let link = made["id"].as_i64().expect("id");
        let (status, _) = delete(
            &a,
            &format!("/api/v1/communities/kahvila/reports/{link}"),
            &stranger,
        )
        .await;
        assert_eq!(status, 403);
        let (status, _) = delete(
            &a,
            &format!("/api/v1/communities/kahvila/reports/{link}"),
            &manager,
        )
        .await;
        assert_eq!(status, 204);
        for path in [url.clone(), format!("{url}/followers.svg")] {
            assert_eq!(read(path).await.0, 404, "{backend}");
        }
        let (status, body) = delete(
            &a,
            &format!("/api/v1/communities/kahvila/reports/{link}"),
            &manager,
        )
        .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (404, Some("no_such_report")),
            "{backend}: {body}"
        );
        a.stop().await;
    }
}

/// A network's insights put its member communities side by side: the events each held and their
/// participant counts, this period and the one before, and no one's name.
#[tokio::test]
async fn a_network_sees_its_members_side_by_side() {
    for db in TestDb::all().await {
        let backend = db.backend;
        let a = TestServer::start(db).await;
        let manager = a.account("maija").await;
        let (status, _) = post(
            &a,
            "/api/v1/communities",
            &manager,
            json!({ "name": "verkosto", "kind": "network" }),
        )
        .await;
        assert_eq!(status, 201);
        let network = format!("verkosto@{}", a.domain);
        for name in ["kahvila", "tila"] {
            a.community(&manager, name, "open").await;
            let (status, body) = post(
                &a,
                &format!("/api/v1/communities/{name}/networks"),
                &manager,
                json!({ "handle": network }),
            )
            .await;
            assert_eq!(
                (status, body["state"].as_str()),
                (201, Some("active")),
                "{backend}: {body}"
            );
        }
        // kahvila: an event with two people; tila: one with one person, and one cancelled.
        let people = [a.account("lauri").await, a.account("mira").await];
        let make = |community: &'static str, hours_ago: i64| {
            let manager = manager.clone();
            let a = &a;
            async move {
                let starts = Utc::now() - Duration::hours(hours_ago);
                let (status, e) = post(a, &format!("/api/v1/communities/{community}/events"), &manager,
                    json!({ "title": format!("{community} {hours_ago}"), "starts_at": rfc3339(starts),
                            "ends_at": rfc3339(starts + Duration::hours(1)) })).await;
                assert_eq!(status, 201, "{e}");
                e["id"].as_str().expect("id").to_string()
            }
        };
        let kahvila = make("kahvila", 5).await;
        let tila = make("tila", 4).await;
        let cancelled = make("tila", 3).await;
        for (event, who) in [(&kahvila, &people[..]), (&tila, &people[..1])] {
            for token in who {
                let (status, _) = post(
                    &a,
                    &format!("/api/v1/events/{event}/participation"),
                    token,
                    json!({}),
                )
                .await;
                assert_eq!(status, 201);
            }
        }
        let (status, _) = post(
            &a,
            &format!("/api/v1/events/{cancelled}/cancel"),
            &manager,
            json!({}),
        )
        .await;
        assert_eq!(status, 200, "{backend}");

        let (status, insights) = a
            .get_json("/api/v1/communities/verkosto/insights", Some(&manager))
            .await;
        assert_eq!(status, 200, "{backend}: {insights}");
        let members = insights["members"].as_array().expect("members");
        let row = |name: &str| {
            members
                .iter()
                .find(|m| m["handle"] == format!("{name}@{}", a.domain))
                .map(|m| {
                    (
                        m["events"].as_i64(),
                        m["participants"].as_i64(),
                        m["previous_events"].as_i64(),
                    )
                })
        };
        assert_eq!(
            row("kahvila"),
            Some((Some(1), Some(2), Some(0))),
            "{backend}: {insights}"
        );
        assert_eq!(
            row("tila"),
            Some((Some(1), Some(1), Some(0))),
            "{backend}: {insights}"
        );
        let text = insights.to_string();
        assert!(
            !text.contains("/u/lauri") && !text.contains("/u/mira"),
            "{backend}: names: {text}"
        );
        // A community that is no network has no members row.
        let (_, plain) = a
            .get_json("/api/v1/communities/kahvila/insights", Some(&manager))
            .await;
        assert!(plain.get("members").is_none(), "{backend}: {plain}");
        a.stop().await;
    }
}

/// Past the retention, the impact figures forget who: follower history, reactions, withdrawals and
/// poll answers are pseudonymised, and the counts stay the same.
#[tokio::test]
async fn personal_data_past_its_retention_is_pseudonymised_and_counts_stay() {
    let (_sink, sink_host, key) = Sink::serving_actors().await;
    let fan = RemoteSigner::with_key(format!("http://{sink_host}/actor/1"), &key.private_key_pem);
    for db in TestDb::all().await {
        let backend = db.backend;
        let a = TestServer::start_with(db, |s| {
            s.personal_data_retention = std::time::Duration::ZERO
        })
        .await;
        let manager = a.account("maija").await;
        a.community(&manager, "kahvila", "open").await;
        let held = event(&a, &manager, Utc::now() - Duration::hours(1), 5).await;
        let follow = json!({ "id": format!("{}/follows/1", fan.actor), "type": "Follow",
            "actor": fan.actor, "object": a.url("/c/kahvila") });
        assert_eq!(fan.post(&a, "/c/kahvila/inbox", &follow).await.0, 202);
        let like = json!({ "id": format!("{}/likes/1", fan.actor), "type": "Like",
            "actor": fan.actor, "object": held["ap_id"] });
        assert_eq!(fan.post(&a, "/inbox", &like).await.0, 202);
        let (_, before) = a
            .get_json("/api/v1/communities/kahvila/insights", Some(&manager))
            .await;

        a.verkosto.purge_personal_data().await.expect("purge");
        let named = |table: &'static str, who: &'static str| {
            let sql = format!("SELECT COUNT(*) FROM {table} WHERE {who} LIKE '%{sink_host}%'");
            let db = a.verkosto.db().clone();
            async move {
                match db {
                    verkosto::store::Db::Sqlite(p) => {
                        sqlx::query_scalar::<_, i64>(&sql).fetch_one(&p).await
                    }
                    verkosto::store::Db::Postgres(p) => {
                        sqlx::query_scalar::<_, i64>(&sql).fetch_one(&p).await
                    }
                }
                .expect("count")
            }
        };
        assert_eq!(
            named("follower_changes", "follower_ap_id").await,
            0,
            "{backend}"
        );
        assert_eq!(named("reactions", "actor_ap_id").await, 0, "{backend}");
        let (_, after) = a
            .get_json("/api/v1/communities/kahvila/insights", Some(&manager))
            .await;
        assert_eq!(after["followers"]["new"], 1, "{backend}: {after}");
        assert_eq!(
            (&after["reach"]["likes"], &after["reach"]["boosts"]),
            (&before["reach"]["likes"], &before["reach"]["boosts"]),
            "{backend}"
        );
        assert_eq!(after["reach"]["likes"], 1, "{backend}");
        a.stop().await;
    }
    // With the default retention (two years), nothing this young is touched.
    let a = TestServer::start(TestDb::sqlite().await).await;
    let manager = a.account("maija").await;
    a.community(&manager, "kahvila", "open").await;
    let follow = json!({ "id": format!("{}/follows/2", fan.actor), "type": "Follow",
        "actor": fan.actor, "object": a.url("/c/kahvila") });
    assert_eq!(fan.post(&a, "/c/kahvila/inbox", &follow).await.0, 202);
    assert_eq!(a.verkosto.purge_personal_data().await.expect("purge"), 0);
    a.stop().await;
}
