//! Events across real instances: publishing, timelines, RSVP with capacity and waitlist, approval,
//! updates, cancellation, deletion, replies, and calendar feeds parsed back with an iCalendar parser.

use std::collections::HashMap;

use crate::common::sink::Sink;
use crate::common::{TestDb, TestServer, eventually};
use serde_json::{Value, json};

/// One parsed iCalendar component: its properties (name -> (value, parameters)) and children.
#[derive(Debug)]
struct Ics {
    name: String,
    props: HashMap<String, (String, HashMap<String, String>)>,
    children: Vec<Ics>,
}

fn parse_ics(text: &str) -> Ics {
    let unfolded = icalendar::parser::unfold(text);
    let cal = icalendar::parser::read_calendar(&unfolded)
        .unwrap_or_else(|e| panic!("unparsable feed: {e}\n{text}"));
    fn convert(c: &icalendar::parser::Component) -> Ics {
        Ics {
            name: c.name.as_str().to_string(),
            props: c
                .properties
                .iter()
                .map(|p| {
                    let params = p
                        .params
                        .iter()
                        .map(|x| {
                            (
                                x.key.as_str().to_string(),
                                x.val
                                    .as_ref()
                                    .map(|v| v.as_str().to_string())
                                    .unwrap_or_default(),
                            )
                        })
                        .collect();
                    (
                        p.name.as_str().to_string(),
                        (p.val.as_str().to_string(), params),
                    )
                })
                .collect(),
            children: c.components.iter().map(convert).collect(),
        }
    }
    Ics {
        name: "VCALENDAR".into(),
        props: HashMap::new(),
        children: cal.components.iter().map(convert).collect(),
    }
}

impl Ics {
    fn all(&self, name: &str) -> Vec<&Ics> {
        self.children.iter().filter(|c| c.name == name).collect()
    }
    fn get(&self, prop: &str) -> &str {
        self.props.get(prop).map(|(v, _)| v.as_str()).unwrap_or("")
    }
    fn param(&self, prop: &str, param: &str) -> &str {
        self.props
            .get(prop)
            .and_then(|(_, p)| p.get(param))
            .map(String::as_str)
            .unwrap_or("")
    }
}

async fn post(s: &TestServer, path: &str, token: &str, body: Value) -> (u16, Value) {
    s.post_json(path, Some(token), body).await
}

fn event_body() -> Value {
    json!({
        "title": "Yhteisömanagerien aamiainen",
        "description": "**Tervetuloa!** Aamiainen ja verkostoitumista. https://kahvila.example",
        "starts_at": "2030-06-12T09:00:00+03:00",
        "ends_at": "2030-06-12T11:00:00+03:00",
        "timezone": "Europe/Helsinki",
        "location": { "name": "Kahvila co-working", "street": "Hämeenkatu 1", "postal_code": "33100",
                      "locality": "Tampere", "country": "Finland", "latitude": 61.4981, "longitude": 23.7608 },
        "online_url": "https://meet.example/aamiainen",
        "capacity": 1,
        "join_mode": "free",
        "tags": ["CMAD", "yhteisö"],
        "category": "NETWORKING",
        "language": "fi"
    })
}

#[tokio::test]
async fn invalid_events_are_refused_with_the_field_named() {
    let s = TestServer::start(TestDb::sqlite().await).await;
    let owner = s.account("aino").await;
    let other = s.account("ville").await;
    s.community(&owner, "kahvila", "open").await;
    let with = |patch: Value| {
        let mut body = event_body();
        for (k, v) in patch.as_object().expect("object") {
            body[k] = v.clone();
        }
        body
    };
    let cases = [
        (json!({ "ends_at": "2030-06-12T08:00:00+03:00" }), "ends_at"),
        (json!({ "starts_at": "next tuesday" }), "starts_at"),
        (json!({ "timezone": "Europe/Tampere" }), "timezone"),
        (json!({ "capacity": 0 }), "capacity"),
        (json!({ "title": "  " }), "title"),
        (json!({ "title": "x".repeat(201) }), "title"),
        (json!({ "description": "x".repeat(50_001) }), "description"),
        (json!({ "online_url": "not a url" }), "online_url"),
        (json!({ "banner_url": "javascript:alert(1)" }), "banner_url"),
        (json!({ "join_mode": "external" }), "external_url"),
        (
            json!({ "location": { "latitude": 123.0 } }),
            "location.latitude",
        ),
    ];
    for (patch, field) in cases {
        let (status, body) = post(
            &s,
            "/api/v1/communities/kahvila/events",
            &owner,
            with(patch.clone()),
        )
        .await;
        assert_eq!(status, 422, "{patch}: {body}");
        assert_eq!(body["field"], field, "{patch}: {body}");
    }
    let (status, _) = post(
        &s,
        "/api/v1/communities/kahvila/events",
        &other,
        event_body(),
    )
    .await;
    assert_eq!(status, 403, "only managers publish");
    let (status, list) = s.get_json("/api/v1/communities/kahvila/events", None).await;
    assert_eq!((status, list), (200, json!([])), "nothing was stored");

    let (status, created) = post(
        &s,
        "/api/v1/communities/kahvila/events",
        &owner,
        event_body(),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().expect("id").to_string();
    let res = s
        .http
        .patch(s.url(&format!("/api/v1/events/{id}")))
        .bearer_auth(&owner)
        .json(&json!({ "ends_at": "2030-06-12T08:00:00+03:00" }))
        .send()
        .await
        .expect("patch");
    assert_eq!(res.status(), 422, "an update is validated too");
    let (_, unchanged) = s.get_json(&format!("/api/v1/events/{id}"), None).await;
    assert_eq!(unchanged["ends_at"], created["ends_at"]);
    assert_eq!(unchanged["sequence"], 0);
    s.stop().await;
}

#[tokio::test]
async fn an_event_federates_with_rsvp_capacity_waitlist_updates_and_cancellation() {
    let a = TestServer::start(TestDb::postgres().await.unwrap_or(TestDb::sqlite().await)).await;
    let b = TestServer::start(TestDb::sqlite().await).await;
    let manager = a.account("aino").await;
    a.community(&manager, "kahvila", "open").await;
    let bea = b.account("bea").await;
    let ville = b.account("ville").await;
    for token in [&bea, &ville] {
        let (status, _) = post(
            &b,
            "/api/v1/follows",
            token,
            json!({ "handle": format!("kahvila@{}", a.domain) }),
        )
        .await;
        assert_eq!(status, 201);
    }
    eventually(10, "both follows accepted", || async {
        let (_, f1) = b.get_json("/api/v1/follows", Some(&bea)).await;
        let (_, f2) = b.get_json("/api/v1/follows", Some(&ville)).await;
        (f1[0]["state"] == "accepted" && f2[0]["state"] == "accepted").then_some(())
    })
    .await;

    // A publishes; B's followers see it in their timeline.
    let (status, event) = post(
        &a,
        "/api/v1/communities/kahvila/events",
        &manager,
        event_body(),
    )
    .await;
    assert_eq!(status, 201, "{event}");
    let a_id = event["id"].as_str().expect("id").to_string();
    let ap_id = event["ap_id"].as_str().expect("ap_id").to_string();
    assert!(
        event["description_html"]
            .as_str()
            .unwrap_or("")
            .contains("<strong>Tervetuloa!</strong>")
    );
    let remote = eventually(10, "the event in B's timeline", || async {
        let (_, tl) = b.get_json("/api/v1/timeline", Some(&bea)).await;
        tl.as_array()
            .and_then(|a| a.first())
            .filter(|e| e["ap_id"] == ap_id.as_str())
            .cloned()
    })
    .await;
    assert_eq!(remote["title"], "Yhteisömanagerien aamiainen");
    assert_eq!(remote["timezone"], "Europe/Helsinki");
    assert_eq!(remote["capacity"], 1);
    assert_eq!(remote["place"]["locality"], "Tampere");
    assert_eq!(remote["online_url"], "https://meet.example/aamiainen");
    assert_eq!(remote["local"], false);
    let b_id = remote["id"].as_str().expect("id").to_string();
    // Every shape of it reaches B (the community's Create and Announce, and the Announce of the
    // manager's Create that group-aware readers take): the event stays the community's there.
    eventually(10, "A's deliveries all out", || async {
        verkosto::store::deliveries::status(a.verkosto.db())
            .await
            .ok()
            .filter(|hosts| hosts.is_empty())
    })
    .await;
    let (_, stored) = b.get_json(&format!("/api/v1/events/{b_id}"), None).await;
    assert_eq!(stored["organizer_ap_id"], a.url("/c/kahvila"), "{stored}");
    assert_eq!(stored["title"], "Yhteisömanagerien aamiainen");

    // The Event document carries the fields other software reads, with every term defined.
    let (_, ct, doc) = a.get_ap(&format!("/e/{a_id}")).await;
    assert_eq!(ct, "application/activity+json");
    assert_eq!(doc["type"], "Event");
    assert_eq!(doc["startTime"], "2030-06-12T06:00:00Z");
    assert_eq!(doc["timezone"], "Europe/Helsinki");
    assert_eq!(doc["attributedTo"], a.url("/c/kahvila"));
    assert_eq!(
        doc["to"],
        json!(["https://www.w3.org/ns/activitystreams#Public"])
    );
    assert_eq!(doc["location"][0]["type"], "Place");
    assert_eq!(doc["location"][0]["address"]["type"], "PostalAddress");
    assert_eq!(doc["location"][1]["type"], "VirtualLocation");
    assert_eq!(doc["joinMode"], "free");
    assert_eq!(doc["maximumAttendeeCapacity"], 1);
    assert_eq!(doc["remainingAttendeeCapacity"], 1);
    assert_eq!(doc["category"], "NETWORKING");
    assert!(
        doc["summary"].as_str().unwrap_or("").contains("Tampere"),
        "{}",
        doc["summary"]
    );
    let terms = &doc["@context"][2];
    for term in [
        "timezone",
        "joinMode",
        "participantCount",
        "maximumAttendeeCapacity",
        "address",
        "streetAddress",
        "isOnline",
        "commentsEnabled",
    ] {
        assert!(!terms[term].is_null(), "@context must define {term}");
    }

    // Bea joins and gets the seat; Ville is waitlisted; A's organizer sees both with their instance.
    let (status, p) = post(
        &b,
        &format!("/api/v1/events/{b_id}/participation"),
        &bea,
        json!({}),
    )
    .await;
    assert_eq!((status, p["state"].as_str()), (201, Some("pending")));
    let state_of = |token: String| {
        let b = &b;
        let b_id = b_id.clone();
        async move {
            b.get_json(
                &format!("/api/v1/events/{b_id}/participation"),
                Some(&token),
            )
            .await
            .1["state"]
                .as_str()
                .map(str::to_string)
        }
    };
    eventually(10, "Bea accepted", || async {
        (state_of(bea.clone()).await.as_deref() == Some("accepted")).then_some(())
    })
    .await;
    post(
        &b,
        &format!("/api/v1/events/{b_id}/participation"),
        &ville,
        json!({}),
    )
    .await;
    eventually(10, "Ville waitlisted", || async {
        (state_of(ville.clone()).await.as_deref() == Some("waitlisted")).then_some(())
    })
    .await;
    let (status, participants) = a
        .get_json(
            &format!("/api/v1/events/{a_id}/participants"),
            Some(&manager),
        )
        .await;
    assert_eq!(status, 200);
    let handles: Vec<(&str, &str, &str)> = participants
        .as_array()
        .expect("list")
        .iter()
        .map(|p| {
            (
                p["handle"].as_str().unwrap_or(""),
                p["instance"].as_str().unwrap_or(""),
                p["state"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        handles,
        vec![
            (
                format!("bea@{}", b.domain).as_str(),
                b.domain.as_str(),
                "accepted"
            ),
            (
                format!("ville@{}", b.domain).as_str(),
                b.domain.as_str(),
                "waitlisted"
            ),
        ]
    );
    eventually(10, "the count to reach B", || async {
        let (_, e) = b.get_json(&format!("/api/v1/events/{b_id}"), None).await;
        (e["participant_count"] == 1 && e["remaining_seats"] == 0).then_some(())
    })
    .await;

    // Bea leaves: Ville gets the seat.
    let res = b
        .http
        .delete(b.url(&format!("/api/v1/events/{b_id}/participation")))
        .bearer_auth(&bea)
        .send()
        .await
        .expect("leave");
    assert_eq!(res.status(), 204);
    eventually(10, "Ville promoted", || async {
        (state_of(ville.clone()).await.as_deref() == Some("accepted")).then_some(())
    })
    .await;

    // An update and a cancellation reach B, and the feeds carry them.
    let res = a.http.patch(a.url(&format!("/api/v1/events/{a_id}"))).bearer_auth(&manager)
        .json(&json!({ "title": "Aamiainen (uusi aika)", "starts_at": "2030-06-12T10:00:00+03:00", "ends_at": "2030-06-12T12:00:00+03:00" }))
        .send().await.expect("patch");
    assert_eq!(res.status(), 200);
    eventually(10, "the update at B", || async {
        let (_, e) = b.get_json(&format!("/api/v1/events/{b_id}"), None).await;
        (e["title"] == "Aamiainen (uusi aika)" && e["starts_at"] == "2030-06-12T07:00:00Z")
            .then_some(())
    })
    .await;
    let (status, cancelled) = post(
        &a,
        &format!("/api/v1/events/{a_id}/cancel"),
        &manager,
        json!({}),
    )
    .await;
    assert_eq!(
        (status, cancelled["status"].as_str()),
        (200, Some("cancelled"))
    );
    eventually(10, "the cancellation at B", || async {
        let (_, e) = b.get_json(&format!("/api/v1/events/{b_id}"), None).await;
        (e["status"] == "cancelled").then_some(())
    })
    .await;

    let feed = a
        .http
        .get(a.url(&format!("/e/{a_id}.ics")))
        .send()
        .await
        .expect("ics");
    assert!(
        feed.headers()["content-type"]
            .to_str()
            .unwrap_or("")
            .starts_with("text/calendar")
    );
    let cal = parse_ics(&feed.text().await.expect("text"));
    let vevent = cal.all("VEVENT")[0];
    assert_eq!(vevent.get("UID"), ap_id);
    assert_eq!(vevent.get("SUMMARY"), "Aamiainen (uusi aika)");
    assert_eq!(vevent.get("STATUS"), "CANCELLED");
    assert_eq!(vevent.get("DTSTART"), "20300612T100000");
    assert_eq!(vevent.param("DTSTART", "TZID"), "Europe/Helsinki");
    assert_eq!(
        vevent.get("SEQUENCE"),
        "2",
        "created 0, updated 1, cancelled 2 (seat changes are no revision)"
    );
    assert_eq!(vevent.get("GEO"), "61.4981;23.7608");
    assert!(vevent.get("LOCATION").contains("Tampere"));
    assert!(
        vevent.get("DESCRIPTION").contains("Tervetuloa"),
        "plain text, not HTML"
    );
    assert!(!vevent.get("DESCRIPTION").contains("<strong>"));
    let zones = cal.all("VTIMEZONE");
    assert_eq!(zones.len(), 1);
    assert_eq!(
        zones[0].get("TZID"),
        "Europe/Helsinki",
        "every TZID has its VTIMEZONE"
    );

    let community_feed = parse_ics(
        &a.http
            .get(a.url("/c/kahvila/events.ics"))
            .send()
            .await
            .expect("ics")
            .text()
            .await
            .expect("text"),
    );
    assert_eq!(community_feed.all("VEVENT").len(), 1);
    let (_, cal_url) = b
        .post_json("/api/v1/calendar", Some(&ville), json!({}))
        .await;
    let personal = b
        .http
        .get(cal_url["url"].as_str().expect("url"))
        .send()
        .await
        .expect("ics");
    let personal = parse_ics(&personal.text().await.expect("text"));
    assert_eq!(
        personal.all("VEVENT")[0].get("UID"),
        ap_id,
        "Ville's own feed has the remote event"
    );
    let bad = b
        .http
        .get(b.url("/calendar/not-a-token.ics"))
        .send()
        .await
        .expect("ics");
    assert_eq!(bad.status(), 404);

    // Deleting: B forgets it, A answers 410 Gone at its id.
    let res = a
        .http
        .delete(a.url(&format!("/api/v1/events/{a_id}")))
        .bearer_auth(&manager)
        .send()
        .await
        .expect("delete");
    assert_eq!(res.status(), 204);
    let (status, _, tomb) = a.get_ap(&format!("/e/{a_id}")).await;
    assert_eq!((status, tomb["type"].as_str()), (410, Some("Tombstone")));
    eventually(10, "the deletion at B", || async {
        let (status, _) = b.get_json(&format!("/api/v1/events/{b_id}"), None).await;
        (status == 404).then_some(())
    })
    .await;
    a.stop().await;
    b.stop().await;
}

#[tokio::test]
async fn approval_events_wait_for_a_manager_and_invite_only_events_refuse() {
    let a = TestServer::start(TestDb::sqlite().await).await;
    let manager = a.account("aino").await;
    let member = a.account("mikko").await;
    a.community(&manager, "kahvila", "open").await;
    let mut body = event_body();
    body["join_mode"] = json!("approval");
    body["capacity"] = json!(10);
    let (_, event) = post(&a, "/api/v1/communities/kahvila/events", &manager, body).await;
    let id = event["id"].as_str().expect("id");
    let (status, p) = post(
        &a,
        &format!("/api/v1/events/{id}/participation"),
        &member,
        json!({}),
    )
    .await;
    assert_eq!((status, p["state"].as_str()), (201, Some("pending")));
    let (status, _) = a
        .get_json(&format!("/api/v1/events/{id}/participants"), Some(&member))
        .await;
    assert_eq!(status, 403, "participants are for managers");
    let pid = p["id"].as_i64().expect("pid");
    let (status, decided) = post(
        &a,
        &format!("/api/v1/events/{id}/participants/{pid}/accept"),
        &manager,
        json!({}),
    )
    .await;
    assert_eq!((status, decided["state"].as_str()), (200, Some("accepted")));
    let (_, e) = a.get_json(&format!("/api/v1/events/{id}"), None).await;
    assert_eq!(e["participant_count"], 1);

    let mut body = event_body();
    body["join_mode"] = json!("invite");
    let (_, event) = post(&a, "/api/v1/communities/kahvila/events", &manager, body).await;
    let id = event["id"].as_str().expect("id");
    let (_, p) = post(
        &a,
        &format!("/api/v1/events/{id}/participation"),
        &member,
        json!({}),
    )
    .await;
    assert_eq!(p["state"], "rejected");
    a.stop().await;
}

#[tokio::test]
async fn replies_are_kept_sanitized_removable_and_refused_when_closed() {
    let a = TestServer::start(TestDb::sqlite().await).await;
    let b = TestServer::start(TestDb::sqlite().await).await;
    let manager = a.account("aino").await;
    a.community(&manager, "kahvila", "open").await;
    let (_, event) = post(
        &a,
        "/api/v1/communities/kahvila/events",
        &manager,
        event_body(),
    )
    .await;
    let id = event["id"].as_str().expect("id").to_string();
    let ap_id = event["ap_id"].as_str().expect("ap_id").to_string();
    let remote = crate::common::RemoteSigner::on(&b, "bea").await;
    let reply = |n: u32, content: &str| {
        json!({
            "id": format!("{}/activities/reply{n}", remote.actor), "type": "Create", "actor": remote.actor,
            "object": { "id": format!("{}/notes/{n}", remote.actor), "type": "Note", "attributedTo": remote.actor,
                        "inReplyTo": ap_id, "content": content, "published": "2030-01-01T10:00:00Z" }
        })
    };
    let (status, _) = remote
        .post(
            &a,
            "/inbox",
            &reply(1, "<p>Tulen! <script>x()</script></p>"),
        )
        .await;
    assert_eq!(status, 202);
    let (_, comments) = a
        .get_json(&format!("/api/v1/events/{id}/comments"), None)
        .await;
    assert_eq!(comments[0]["content_html"], "<p>Tulen! </p>");
    assert_eq!(comments[0]["author_ap_id"], remote.actor);
    let (_, _, replies) = a.get_ap(&format!("/e/{id}/replies")).await;
    assert_eq!(replies["totalItems"], 1);

    // A reply embedded by someone on another host is not trusted.
    let forged = json!({
        "id": format!("{}/activities/forged", remote.actor), "type": "Create", "actor": remote.actor,
        "object": { "id": "https://elsewhere.example/notes/1", "type": "Note", "inReplyTo": ap_id, "content": "forged" }
    });
    let (status, _) = remote.post(&a, "/inbox", &forged).await;
    assert_eq!(status, 403);

    // Friendica-style RSVP: an Accept whose object is the event itself.
    let rsvp = json!({ "id": format!("{}/activities/rsvp", remote.actor), "type": "Accept", "actor": remote.actor, "object": ap_id });
    let (status, _) = remote.post(&a, "/inbox", &rsvp).await;
    assert_eq!(status, 202);
    let (_, participants) = a
        .get_json(&format!("/api/v1/events/{id}/participants"), Some(&manager))
        .await;
    assert_eq!(participants[0]["handle"], format!("bea@{}", b.domain));
    assert_eq!(participants[0]["state"], "accepted");

    // The manager removes the reply; then closes comments, and new replies are refused.
    let cid = comments[0]["id"].as_i64().expect("cid");
    let res = a
        .http
        .delete(a.url(&format!("/api/v1/events/{id}/comments/{cid}")))
        .bearer_auth(&manager)
        .send()
        .await
        .expect("delete");
    assert_eq!(res.status(), 204);
    let res = a
        .http
        .patch(a.url(&format!("/api/v1/events/{id}")))
        .bearer_auth(&manager)
        .json(&json!({ "comments_enabled": false }))
        .send()
        .await
        .expect("patch");
    assert_eq!(res.status(), 200);
    let (status, _) = remote.post(&a, "/inbox", &reply(2, "myöhässä")).await;
    assert_eq!(status, 403);
    let (_, comments) = a
        .get_json(&format!("/api/v1/events/{id}/comments"), None)
        .await;
    assert_eq!(comments, json!([]));
    a.stop().await;
    b.stop().await;
}

/// 50 people ask for 10 seats at the same moment, 10 local accounts through the API and 40 remote
/// actors through signed `Join`s: exactly 10 get a seat and 40 wait, on both backends, and the remote
/// actors receive one `Accept` or `TentativeAccept` each to match. (The seat count and the insert are
/// one decision under a lock; under READ COMMITTED without it, concurrent joins counted the same free
/// seats.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_joins_never_oversell_an_event() {
    let (sink, sink_host, key) = Sink::serving_actors().await;
    let actor = |n: u32| format!("http://{sink_host}/actor/{n}");
    let remotes: Vec<crate::common::RemoteSigner> = (0..40)
        .map(|n| crate::common::RemoteSigner::with_key(actor(n), &key.private_key_pem))
        .collect();
    for db in TestDb::all().await {
        let backend = db.backend;
        sink.seen.lock().expect("lock").clear();
        let a = TestServer::start(db).await;
        let manager = a.account("aino").await;
        a.community(&manager, "kahvila", "open").await;
        crate::common::sink::trust_community(&a.verkosto, "kahvila", &sink).await;
        let mut body = event_body();
        body["capacity"] = json!(10);
        let (status, event) = post(&a, "/api/v1/communities/kahvila/events", &manager, body).await;
        assert_eq!(status, 201, "{event}");
        let id = event["id"].as_str().expect("id").to_string();
        let ap_id = event["ap_id"].as_str().expect("ap_id").to_string();
        let mut locals = vec![];
        for i in 0..10 {
            locals.push(a.account(&format!("osallistuja{i}")).await);
        }

        // Each remote actor is known first (its key fetched and cached by a harmless `Like`), so that
        // the joins below arrive together rather than staggered by key fetches.
        let likes = remotes.iter().map(|r| {
            let like = json!({ "id": format!("{}/likes/{backend}", r.actor), "type": "Like",
                               "actor": r.actor, "object": ap_id });
            let a = &a;
            async move { r.post(a, "/inbox", &like).await.0 }
        });
        let liked = futures::future::join_all(likes).await;
        assert!(liked.iter().all(|s| *s == 202), "{backend}: {liked:?}");

        let path = format!("/api/v1/events/{id}/participation");
        let local_joins = locals.iter().map(|token| post(&a, &path, token, json!({})));
        let remote_joins = remotes.iter().map(|r| {
            let join = json!({
                "@context": "https://www.w3.org/ns/activitystreams",
                "id": format!("{}/joins/{backend}", r.actor),
                "type": "Join",
                "actor": r.actor,
                "object": ap_id,
            });
            let a = &a;
            async move { r.post(a, "/inbox", &join).await.0 }
        });
        let (local, remote) = tokio::join!(
            futures::future::join_all(local_joins),
            futures::future::join_all(remote_joins)
        );
        for (status, answer) in local {
            assert_eq!(status, 201, "{backend}: {answer}");
        }
        assert!(remote.iter().all(|s| *s == 202), "{backend}: {remote:?}");

        let (_, participants) = a
            .get_json(&format!("/api/v1/events/{id}/participants"), Some(&manager))
            .await;
        let participants = participants.as_array().expect("participants").clone();
        let count = |state: &str, remote: Option<bool>| {
            participants
                .iter()
                .filter(|p| p["state"] == state)
                .filter(|p| {
                    remote.is_none_or(|r| {
                        p["participant_ap_id"]
                            .as_str()
                            .unwrap_or("")
                            .contains(&sink_host)
                            == r
                    })
                })
                .count()
        };
        assert_eq!(participants.len(), 50, "{backend}");
        assert_eq!(count("accepted", None), 10, "{backend}");
        assert_eq!(count("waitlisted", None), 40, "{backend}");

        // What the remote actors were told, counted where they received it.
        let remote_accepted = count("accepted", Some(true));
        let answers = |kind: &str| {
            sink.accepted()
                .iter()
                .filter(|d| d.kind == kind && d.signature_ok)
                .count()
        };
        eventually(20, "an answer to each remote join", || async {
            (answers("Accept") + answers("TentativeAccept") >= 40).then_some(())
        })
        .await;
        assert_eq!(answers("Accept"), remote_accepted, "{backend}");
        assert_eq!(
            answers("TentativeAccept"),
            40 - remote_accepted,
            "{backend}"
        );
        a.stop().await;
    }
}

/// A calendar name may contain anything, `BEGIN:VEVENT` and line breaks included: the feed keeps
/// one `PRODID`, puts each `VTIMEZONE` before the events as a component, and the name stays a name.
#[tokio::test]
async fn calendar_feeds_are_built_by_structure_whatever_the_names() {
    for db in TestDb::all().await {
        let s = TestServer::start(db).await;
        let token = s.admin("maija").await;
        let name = "Kahvila BEGIN:VEVENT\r\nBEGIN:VEVENT\r\nUID:forged\r\nEND:VEVENT; ja, muut\\";
        let res = s
            .http
            .post(s.url("/api/v1/communities"))
            .bearer_auth(&token)
            .json(&json!({ "name": "kahvila", "display_name": name, "follow_policy": "open" }))
            .send()
            .await
            .expect("community");
        assert_eq!(res.status(), 201);
        let (status, event) = post(
            &s,
            "/api/v1/communities/kahvila/events",
            &token,
            json!({ "title": "BEGIN:VEVENT aamukahvit", "starts_at": "2031-01-27T09:00:00+02:00",
                    "ends_at": "2031-01-27T11:00:00+02:00", "timezone": "Europe/Helsinki" }),
        )
        .await;
        assert_eq!(status, 201, "{event}");

        let text = s
            .http
            .get(s.url("/c/kahvila/events.ics"))
            .send()
            .await
            .expect("ics")
            .text()
            .await
            .expect("text");
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert_eq!(
            lines.iter().filter(|l| l.starts_with("PRODID:")).count(),
            1,
            "RFC 5545 allows one PRODID:\n{text}"
        );
        let begins: Vec<&str> = lines
            .iter()
            .filter(|l| l.starts_with("BEGIN:"))
            .copied()
            .collect();
        assert_eq!(
            begins,
            [
                "BEGIN:VCALENDAR",
                "BEGIN:VTIMEZONE",
                "BEGIN:STANDARD",
                "BEGIN:VEVENT"
            ],
            "the zone before the one event, nothing from the name:\n{text}"
        );
        assert!(
            !text.replace("\r\n", "").contains('\r') && !text.replace("\r\n", "").contains('\n'),
            "no bare line breaks"
        );

        // An independent parser reads it back: the zone and the event as components, the name whole.
        let unfolded = icalendar::parser::unfold(&text);
        let cal = icalendar::parser::read_calendar(&unfolded)
            .unwrap_or_else(|e| panic!("unparsable feed: {e}\n{text}"));
        let kinds: Vec<&str> = cal.components.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(kinds, ["VTIMEZONE", "VEVENT"], "{text}");
        let calname = cal
            .properties
            .iter()
            .find(|p| p.name.as_str() == "NAME")
            .map(|p| p.val.as_str().to_string())
            .expect("NAME");
        assert_eq!(
            calname,
            "Kahvila BEGIN:VEVENT\\nBEGIN:VEVENT\\nUID:forged\\nEND:VEVENT\\; ja\\, muut\\\\"
        );
        s.stop().await;
    }
}
