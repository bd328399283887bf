//! Bans (issue 19), on running servers with a remote peer whose inboxes count what arrives: a banned
//! actor's follow, participation and comment are removed (its seat goes to the waitlist), and its
//! `Follow`, `Join` and reply are refused afterwards; the moderation log says what was done; the
//! instance's own domain cannot be banned.

use serde_json::{Value, json};

use crate::common::sink::Sink;
use crate::common::{RemoteSigner, TestDb, TestServer, eventually};

/// What inbox `n` received of `kind` whose object is of `object_type`.
fn received(sink: &Sink, n: u32, kind: &str, object_type: &str) -> usize {
    sink.accepted()
        .iter()
        .filter(|s| s.inbox == n && s.kind == kind && s.body["object"]["type"] == object_type)
        .count()
}

async fn followers(a: &TestServer) -> u64 {
    let (_, _, doc) = a.get_ap("/c/kahvila/followers").await;
    doc["totalItems"].as_u64().unwrap_or(u64::MAX)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_banned_actor_loses_its_follow_seat_and_comment_and_is_refused_afterwards() {
    for db in TestDb::all().await {
        let backend = db.backend;
        let a = TestServer::start(db).await;
        let aino = a.account("aino").await;
        a.community(&aino, "kahvila", "open").await;
        let (sink, host, key) = Sink::serving_actors().await;
        let peer = |n: u32| {
            RemoteSigner::with_key(format!("http://{host}/actor/{n}"), &key.private_key_pem)
        };
        let (troll, guest) = (peer(1), peer(2));
        let (status, event) = a
            .post_json(
                "/api/v1/communities/kahvila/events",
                Some(&aino),
                json!({ "title": "Aamukahvit", "starts_at": "2031-03-04T09:00:00+02:00",
                        "ends_at": "2031-03-04T10:00:00+02:00", "capacity": 1 }),
            )
            .await;
        assert_eq!(status, 201, "{event}");
        let (id, ap_id) = (
            event["id"].as_str().expect("id"),
            event["ap_id"].as_str().expect("ap_id"),
        );
        let group = a.url("/c/kahvila");
        let follow = |who: &RemoteSigner, n: u32| json!({ "id": format!("{}/follows/{n}", who.actor), "type": "Follow", "actor": who.actor, "object": group });
        let join = |who: &RemoteSigner, n: u32| json!({ "id": format!("{}/joins/{n}", who.actor), "type": "Join", "actor": who.actor, "object": ap_id });
        let reply = |who: &RemoteSigner, n: u32| {
            json!({ "id": format!("{}/replies/{n}", who.actor), "type": "Create", "actor": who.actor,
                    "object": { "id": format!("{}/notes/{n}", who.actor), "type": "Note", "attributedTo": who.actor,
                                "inReplyTo": ap_id, "content": "<p>Ostakaa halvalla!</p>",
                                "published": "2030-01-01T10:00:00Z" } })
        };

        // Before: the troll follows, has the one seat and comments; the guest waits for a seat.
        assert_eq!(troll.post(&a, "/inbox", &follow(&troll, 1)).await.0, 202);
        assert_eq!(troll.post(&a, "/inbox", &join(&troll, 1)).await.0, 202);
        assert_eq!(guest.post(&a, "/inbox", &join(&guest, 1)).await.0, 202);
        assert_eq!(troll.post(&a, "/inbox", &reply(&troll, 1)).await.0, 202);
        assert_eq!(followers(&a).await, 1, "{backend}");
        let (_, comments) = a
            .get_json(&format!("/api/v1/events/{id}/comments"), None)
            .await;
        assert_eq!(comments.as_array().map(Vec::len), Some(1), "{backend}");

        // The ban.
        let (status, ban) = a
            .post_json(
                "/api/v1/communities/kahvila/bans",
                Some(&aino),
                json!({ "handle": troll.actor, "note": "roskapostia" }),
            )
            .await;
        assert_eq!(status, 201, "{backend}: {ban}");
        assert_eq!(followers(&a).await, 0, "{backend}: the follow is gone");
        let (_, comments) = a
            .get_json(&format!("/api/v1/events/{id}/comments"), None)
            .await;
        assert_eq!(comments, json!([]), "{backend}: the comment is gone");
        let (_, participants) = a
            .get_json(&format!("/api/v1/events/{id}/participants"), Some(&aino))
            .await;
        let state_of = |who: &RemoteSigner| {
            participants
                .as_array()
                .and_then(|all| {
                    all.iter()
                        .find(|p| p["participant_ap_id"] == who.actor.as_str())
                })
                .map(|p| p["state"].clone())
                .unwrap_or(Value::Null)
        };
        assert_eq!(
            (state_of(&troll), state_of(&guest)),
            (json!("rejected"), json!("accepted")),
            "{backend}: the seat went to the waitlist"
        );
        eventually(10, "the troll's Reject and the guest's Accept", || async {
            (received(&sink, 1, "Reject", "Join") == 1 && received(&sink, 2, "Accept", "Join") == 1)
                .then_some(())
        })
        .await;

        // Afterwards: the troll's Follow and Join are answered Reject, its reply refused.
        assert_eq!(troll.post(&a, "/inbox", &follow(&troll, 2)).await.0, 202);
        assert_eq!(troll.post(&a, "/inbox", &join(&troll, 2)).await.0, 202);
        let (status, _) = troll.post(&a, "/inbox", &reply(&troll, 2)).await;
        assert_eq!(status, 403, "{backend}: a banned actor's reply");
        eventually(
            10,
            "the Rejects of the Follow and the second Join",
            || async {
                (received(&sink, 1, "Reject", "Follow") == 1
                    && received(&sink, 1, "Reject", "Join") == 2)
                    .then_some(())
            },
        )
        .await;
        assert_eq!(followers(&a).await, 0, "{backend}");
        let (_, comments) = a
            .get_json(&format!("/api/v1/events/{id}/comments"), None)
            .await;
        assert_eq!(comments, json!([]), "{backend}");

        // The instance's own domain cannot be banned; another one can; the log says what was done.
        let own = a.domain.split(':').next().expect("host").to_string();
        let (status, body) = a
            .post_json(
                "/api/v1/communities/kahvila/bans",
                Some(&aino),
                json!({ "domain": own }),
            )
            .await;
        assert_eq!(
            (status, body["code"].clone()),
            (422, json!("ban_own_instance")),
            "{body}"
        );
        let (status, _) = a
            .post_json(
                "/api/v1/communities/kahvila/bans",
                Some(&aino),
                json!({ "domain": "Spam.Example." }),
            )
            .await;
        assert_eq!(status, 201);
        let (_, bans) = a
            .get_json("/api/v1/communities/kahvila/bans", Some(&aino))
            .await;
        let targets: Vec<&str> = bans
            .as_array()
            .expect("bans")
            .iter()
            .filter_map(|b| b["target"].as_str())
            .collect();
        assert_eq!(targets, ["spam.example", troll.actor.as_str()], "{backend}");
        let (_, log) = a
            .get_json("/api/v1/communities/kahvila/moderation-log", Some(&aino))
            .await;
        let actions: Vec<&str> = log
            .as_array()
            .expect("log")
            .iter()
            .filter_map(|l| l["action"].as_str())
            .collect();
        assert_eq!(
            actions,
            [
                "ban",
                "remove_comment",
                "reject_participation",
                "remove_follower",
                "ban"
            ],
            "{backend}"
        );
        assert_eq!(log[4]["by"], "aino");
        assert_eq!(log[4]["note"], "roskapostia");
        // A local account banned cannot take part either.
        let bea = a.account("bea").await;
        let (status, _) = a
            .post_json(
                "/api/v1/communities/kahvila/bans",
                Some(&aino),
                json!({ "handle": "bea" }),
            )
            .await;
        assert_eq!(status, 201);
        let (status, body) = a
            .post_json(
                &format!("/api/v1/events/{id}/participation"),
                Some(&bea),
                json!({}),
            )
            .await;
        assert_eq!(
            (status, body["code"].clone()),
            (403, json!("banned")),
            "{backend}: {body}"
        );
        // Only managers see bans.
        let (status, _) = a
            .get_json("/api/v1/communities/kahvila/bans", Some(&bea))
            .await;
        assert_eq!(status, 403);
        a.stop().await;
    }
}

fn fixture(file: &str) -> Value {
    let path = format!("{}/tests/fixtures/{file}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("json")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flags_from_mastodon_and_lemmy_and_a_members_report_reach_the_managers_once() {
    for db in TestDb::all().await {
        let backend = db.backend;
        let a = TestServer::start(db).await;
        let aino = a.account("aino").await;
        let bea = a.account("bea").await;
        a.community(&aino, "kahvila", "open").await;
        let (_sink, host, key) = Sink::serving_actors().await;
        let peer = |n: u32| {
            RemoteSigner::with_key(format!("http://{host}/actor/{n}"), &key.private_key_pem)
        };
        let (status, event) = a
            .post_json(
                "/api/v1/communities/kahvila/events",
                Some(&aino),
                json!({ "title": "Aamukahvit", "starts_at": "2031-03-04T09:00:00+02:00",
                        "ends_at": "2031-03-04T10:00:00+02:00" }),
            )
            .await;
        assert_eq!(status, 201, "{event}");
        let ap_id = event["ap_id"].as_str().expect("ap_id").to_string();
        let reports = |token: String| {
            let a = &a;
            async move { a.get_json("/api/v1/reports", Some(&token)).await.1 }
        };

        // Mastodon's Flag (its instance actor, the comment in `content`, a remote account and one of
        // our events), delivered twice: one report, of the event only, in the community's queue.
        let mastodon = peer(1);
        let mut flag = fixture("mastodon/flag.json");
        crate::foreign_fixtures::rewrite(
            &mut flag,
            &[
                ("https://example.org/actor".into(), mastodon.actor.clone()),
                ("https://example.org".into(), format!("http://{host}")),
                (
                    "https://bad.instance/users/tobi/statuses/01GP388K19DGXSV3SW2RXWM533".into(),
                    ap_id.clone(),
                ),
            ],
        );
        for _ in 0..2 {
            assert_eq!(mastodon.post(&a, "/inbox", &flag).await.0, 202, "{backend}");
        }
        let queue = reports(aino.clone()).await;
        assert_eq!(
            queue.as_array().map(Vec::len),
            Some(1),
            "{backend}: {queue}"
        );
        assert_eq!(queue[0]["community"], "kahvila");
        assert_eq!(queue[0]["objects"], json!([ap_id]));
        assert_eq!(queue[0]["reason"], "misinfo: it's not a good morning");

        // Lemmy's Flag (the person reporting, the reason in `summary`, one object).
        let lemmy = peer(2);
        let mut flag = fixture("lemmy/report_page.json");
        crate::foreign_fixtures::rewrite(
            &mut flag,
            &[
                (
                    "http://ds9.lemmy.ml/u/lemmy_alpha".into(),
                    lemmy.actor.clone(),
                ),
                ("http://ds9.lemmy.ml".into(), format!("http://{host}")),
                ("http://enterprise.lemmy.ml/post/7".into(), ap_id.clone()),
            ],
        );
        assert_eq!(lemmy.post(&a, "/inbox", &flag).await.0, 202, "{backend}");
        // A Flag of nothing of ours files nothing.
        let elsewhere = json!({ "id": format!("{}/flags/9", lemmy.actor), "type": "Flag", "actor": lemmy.actor,
                                "object": "https://elsewhere.example/post/1", "summary": "not yours" });
        assert_eq!(lemmy.post(&a, "/inbox", &elsewhere).await.0, 202);
        // A member reports the event here.
        let (status, body) = a
            .post_json(
                "/api/v1/reports",
                Some(&bea),
                json!({ "object": ap_id, "reason": "Väärä päivä" }),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        let queue = reports(aino.clone()).await;
        let reasons: Vec<&str> = queue
            .as_array()
            .expect("queue")
            .iter()
            .filter_map(|r| r["reason"].as_str())
            .collect();
        assert_eq!(
            reasons,
            [
                "Väärä päivä",
                "report this post",
                "misinfo: it's not a good morning"
            ],
            "{backend}"
        );

        // Only the community's managers see and resolve them.
        assert_eq!(reports(bea.clone()).await, json!([]));
        let id = queue[0]["id"].as_i64().expect("id");
        let resolve = format!("/api/v1/reports/{id}/resolve");
        assert_eq!(a.post_json(&resolve, Some(&bea), json!({})).await.0, 404);
        let (status, _) = a.post_json(&resolve, Some(&aino), json!({})).await;
        assert_eq!(status, 204);
        assert_eq!(reports(aino.clone()).await[0]["state"], "resolved");
        a.stop().await;
    }
}

/// The event the tests below use, published by `token` in "kahvila".
async fn aamukahvit(a: &TestServer, token: &str) -> Value {
    let (status, event) = a
        .post_json(
            "/api/v1/communities/kahvila/events",
            Some(token),
            json!({ "title": "Aamukahvit", "starts_at": "2031-03-04T09:00:00+02:00",
                    "ends_at": "2031-03-04T10:00:00+02:00" }),
        )
        .await;
    assert_eq!(status, 201, "{event}");
    event
}

/// `who`'s `n`th reply to `event`, as a `Create{Note}`.
fn reply_to(who: &RemoteSigner, n: u32, event: &Value, html: &str) -> Value {
    json!({ "id": format!("{}/replies/{n}", who.actor), "type": "Create", "actor": who.actor,
        "object": { "id": format!("{}/notes/{n}", who.actor), "type": "Note", "attributedTo": who.actor,
                    "inReplyTo": event["ap_id"], "content": html } })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_report_of_a_remote_reply_is_forwarded_to_its_server_anonymously_once() {
    for db in TestDb::all().await {
        let backend = db.backend;
        let a = TestServer::start(db).await;
        let aino = a.account("aino").await;
        let pekka = a.account("pekka").await;
        a.community(&aino, "kahvila", "open").await;
        let (sink, host, key) = Sink::serving_actors().await;
        let keys = a.verkosto.state().instance_keys.get().await.expect("keys");
        sink.trust(
            &format!("{}#main-key", a.url("/actor")),
            &keys.pair.public_key_pem,
        );
        let troll = RemoteSigner::with_key(format!("http://{host}/actor/1"), &key.private_key_pem);
        let event = aamukahvit(&a, &aino).await;
        let note = format!("{}/notes/1", troll.actor);
        let reply = reply_to(&troll, 1, &event, "<p>Ostakaa halvalla!</p>");
        assert_eq!(troll.post(&a, "/inbox", &reply).await.0, 202);
        let (status, _) = a
            .post_json(
                "/api/v1/reports",
                Some(&pekka),
                json!({ "object": note, "reason": "Mainosroskaa" }),
            )
            .await;
        assert_eq!(status, 201);
        let (_, reports) = a.get_json("/api/v1/reports", Some(&aino)).await;
        let id = reports[0]["id"].as_i64().expect("report id");
        assert_eq!(reports[0]["forwarded_at"], Value::Null);

        // Only those who may see the report forward it.
        let path = format!("/api/v1/reports/{id}/forward");
        let (status, answer) = a.post_json(&path, Some(&pekka), json!({})).await;
        assert_eq!(
            (status, answer["code"].as_str()),
            (404, Some("no_such_moderation_report"))
        );
        let (status, answer) = a.post_json(&path, Some(&aino), json!({})).await;
        assert_eq!(status, 200, "{answer}");
        assert_eq!(answer["forwarded_to"], json!([host]));
        let flag = eventually(10, "the Flag arrives", || async {
            sink.accepted().into_iter().find(|s| s.kind == "Flag")
        })
        .await;
        // From the instance actor, signed by it, naming the account and its reply, the reason
        // given, and nothing of who reported.
        assert!(flag.signature_ok, "{backend}: signed by the instance actor");
        assert_eq!(flag.inbox, 1);
        assert_eq!(flag.body["actor"], a.url("/actor"));
        assert_eq!(flag.body["object"], json!([troll.actor, note]));
        assert_eq!(flag.body["content"], "Mainosroskaa");
        assert!(!flag.body.to_string().contains("pekka"), "{}", flag.body);
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        let flags = sink.accepted().iter().filter(|s| s.kind == "Flag").count();
        assert_eq!(flags, 1, "{backend}");
        let (_, reports) = a.get_json("/api/v1/reports", Some(&aino)).await;
        assert!(reports[0]["forwarded_at"].is_string(), "{}", reports[0]);
        let (_, log) = a
            .get_json("/api/v1/communities/kahvila/moderation-log", Some(&aino))
            .await;
        assert_eq!(log[0]["action"], "forward_report", "{log}");

        // A report of our own content has nowhere to go.
        let (status, _) = a
            .post_json(
                "/api/v1/reports",
                Some(&pekka),
                json!({ "object": event["ap_id"], "reason": "Väärä päivä" }),
            )
            .await;
        assert_eq!(status, 201);
        let (_, reports) = a.get_json("/api/v1/reports", Some(&aino)).await;
        let own = reports[0]["id"].as_i64().expect("id");
        let (status, answer) = a
            .post_json(
                &format!("/api/v1/reports/{own}/forward"),
                Some(&aino),
                json!({}),
            )
            .await;
        assert_eq!(
            (status, answer["code"].as_str()),
            (409, Some("nothing_to_forward"))
        );
        a.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_administrator_suspends_single_accounts_from_the_whole_instance() {
    for db in TestDb::all().await {
        let backend = db.backend;
        let a = TestServer::start(db).await;
        let aino = a.account("aino").await;
        let admin = a.admin("yllapito").await;
        let pekka = a.account("pekka").await;
        a.community(&aino, "kahvila", "open").await;
        let (_sink, host, key) = Sink::serving_actors().await;
        let troll = RemoteSigner::with_key(format!("http://{host}/actor/1"), &key.private_key_pem);
        let event = aamukahvit(&a, &aino).await;
        let group = a.url("/c/kahvila");
        let follow = |n: u32| json!({ "id": format!("{}/follows/{n}", troll.actor), "type": "Follow", "actor": troll.actor, "object": group });
        let reply = |n: u32| reply_to(&troll, n, &event, "<p>Ostakaa!</p>");
        assert_eq!(troll.post(&a, "/inbox", &follow(1)).await.0, 202);
        assert_eq!(troll.post(&a, "/inbox", &reply(1)).await.0, 202);
        eventually(10, "the troll follows", || async {
            (followers(&a).await == 1).then_some(())
        })
        .await;

        // Managers cannot; administrators can.
        let (status, answer) = a
            .post_json(
                "/api/v1/admin/suspensions",
                Some(&aino),
                json!({ "handle": troll.actor }),
            )
            .await;
        assert_eq!(
            (status, answer["code"].as_str()),
            (403, Some("not_an_admin"))
        );
        let (status, answer) = a
            .post_json(
                "/api/v1/admin/suspensions",
                Some(&admin),
                json!({ "handle": troll.actor, "note": "Mainoksia joka yhteisöön" }),
            )
            .await;
        assert_eq!(status, 201, "{answer}");
        assert_eq!(answer["note"], "Mainoksia joka yhteisöön");
        // What it had is gone, each removal in the community's log; nothing of it is accepted.
        assert_eq!(followers(&a).await, 0, "{backend}");
        let (_, comments) = a
            .get_json(
                &format!(
                    "/api/v1/events/{}/comments",
                    event["id"].as_str().expect("id")
                ),
                None,
            )
            .await;
        assert_eq!(comments, json!([]), "{backend}");
        let (_, log) = a
            .get_json("/api/v1/communities/kahvila/moderation-log", Some(&aino))
            .await;
        let actions: Vec<&str> = log
            .as_array()
            .expect("log")
            .iter()
            .filter_map(|e| e["action"].as_str())
            .collect();
        assert!(
            actions.contains(&"remove_follower") && actions.contains(&"remove_comment"),
            "{log}"
        );
        assert_eq!(
            troll.post(&a, "/inbox", &follow(2)).await.0,
            403,
            "{backend}"
        );
        assert_eq!(
            troll.post(&a, "/inbox", &reply(2)).await.0,
            403,
            "{backend}"
        );
        assert_eq!(followers(&a).await, 0);

        // A local account: its token stops working, and it cannot log in again until lifted.
        let (status, _) = a
            .post_json(
                "/api/v1/admin/suspensions",
                Some(&admin),
                json!({ "handle": "pekka" }),
            )
            .await;
        assert_eq!(status, 201);
        let (status, answer) = a.get_json("/api/v1/accounts/me", Some(&pekka)).await;
        assert_eq!(
            (status, answer["code"].as_str()),
            (403, Some("suspended")),
            "{backend}"
        );
        let (status, answer) = a
            .post_json(
                "/api/v1/auth/token",
                None,
                json!({ "username": "pekka", "password": "salasana123" }),
            )
            .await;
        assert_eq!((status, answer["code"].as_str()), (403, Some("suspended")));
        let (_, list) = a.get_json("/api/v1/admin/suspensions", Some(&admin)).await;
        assert_eq!(list.as_array().map(Vec::len), Some(2), "{list}");
        let res = a
            .http
            .delete(a.url("/api/v1/admin/suspensions"))
            .bearer_auth(&admin)
            .json(&json!({ "handle": "pekka" }))
            .send()
            .await
            .expect("DELETE");
        assert_eq!(res.status(), 204);
        let (status, _) = a.get_json("/api/v1/accounts/me", Some(&pekka)).await;
        assert_eq!(status, 200);
        // The administrator cannot suspend themselves.
        let (status, _) = a
            .post_json(
                "/api/v1/admin/suspensions",
                Some(&admin),
                json!({ "handle": "yllapito" }),
            )
            .await;
        assert_eq!(status, 422);
        a.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rules_are_shown_and_first_time_replies_wait_for_a_manager() {
    for db in TestDb::all().await {
        let backend = db.backend;
        let a = TestServer::start(db).await;
        let aino = a.account("aino").await;
        let pekka = a.account("pekka").await;
        a.community(&aino, "kahvila", "open").await;
        let (_sink, host, key) = Sink::serving_actors().await;
        let peer = |n: u32| {
            RemoteSigner::with_key(format!("http://{host}/actor/{n}"), &key.private_key_pem)
        };
        let (first, second) = (peer(1), peer(2));
        let event = aamukahvit(&a, &aino).await;
        let id = event["id"].as_str().expect("id").to_string();
        let reply =
            |who: &RemoteSigner, n: u32| reply_to(who, n, &event, &format!("<p>Kommentti {n}</p>"));
        let shown = || async {
            let (_, list) = a
                .get_json(&format!("/api/v1/events/{id}/comments"), None)
                .await;
            list.as_array().expect("list").len()
        };
        let held = || async {
            let (_, list) = a
                .get_json("/api/v1/communities/kahvila/held-comments", Some(&aino))
                .await;
            list
        };

        // Rules and holding, set by a manager only; the rules are public and on the page.
        let settings =
            json!({ "rules": "**Ole ystävällinen.** Ei mainoksia.", "hold_first_comments": true });
        let res = a
            .http
            .patch(a.url("/api/v1/communities/kahvila/rules"))
            .bearer_auth(&pekka)
            .json(&settings)
            .send()
            .await
            .expect("PATCH");
        assert_eq!(res.status(), 403);
        let res = a
            .http
            .patch(a.url("/api/v1/communities/kahvila/rules"))
            .bearer_auth(&aino)
            .json(&settings)
            .send()
            .await
            .expect("PATCH");
        assert_eq!(res.status(), 200);
        let (_, rules) = a.get_json("/api/v1/communities/kahvila/rules", None).await;
        assert_eq!(rules["hold_first_comments"], true);
        let page = a
            .http
            .get(a.url("/c/kahvila"))
            .header("Accept", "text/html")
            .header("Accept-Language", "fi")
            .send()
            .await
            .expect("GET")
            .text()
            .await
            .expect("page");
        assert!(
            page.contains("Säännöt") && page.contains("<strong>Ole ystävällinen.</strong>"),
            "{backend}"
        );

        // A first reply waits; once one is approved, its author's next reply shows at once.
        assert_eq!(first.post(&a, "/inbox", &reply(&first, 1)).await.0, 202);
        assert_eq!(shown().await, 0, "{backend}: a first-time reply was shown");
        let list = held().await;
        assert_eq!(list[0]["author"], first.actor.as_str(), "{list}");
        let held_id = list[0]["id"].as_i64().expect("id");
        let (status, _) = a
            .post_json(
                &format!("/api/v1/communities/kahvila/held-comments/{held_id}/approve"),
                Some(&aino),
                json!({}),
            )
            .await;
        assert_eq!(status, 204);
        assert_eq!(shown().await, 1);
        assert_eq!(first.post(&a, "/inbox", &reply(&first, 2)).await.0, 202);
        assert_eq!(shown().await, 2, "{backend}: a known commenter waited");
        // Another newcomer's reply waits, and a manager drops it.
        assert_eq!(second.post(&a, "/inbox", &reply(&second, 1)).await.0, 202);
        let list = held().await;
        assert_eq!(list.as_array().map(Vec::len), Some(1), "{list}");
        let held_id = list[0]["id"].as_i64().expect("id");
        let res = a
            .http
            .delete(a.url(&format!(
                "/api/v1/communities/kahvila/held-comments/{held_id}"
            )))
            .bearer_auth(&aino)
            .send()
            .await
            .expect("DELETE");
        assert_eq!(res.status(), 204);
        assert_eq!(held().await, json!([]));
        assert_eq!(shown().await, 2);
        let (_, log) = a
            .get_json("/api/v1/communities/kahvila/moderation-log", Some(&aino))
            .await;
        let actions: Vec<&str> = log
            .as_array()
            .expect("log")
            .iter()
            .filter_map(|e| e["action"].as_str())
            .collect();
        assert_eq!(actions, ["reject_comment", "approve_comment"], "{log}");
        a.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_workspace_page_sets_rules_decides_replies_and_bans() {
    use crate::common::web::{client, form_token, post_login};
    let a = TestServer::start(TestDb::sqlite().await).await;
    let aino = a.account("aino").await;
    a.account("pekka").await;
    a.community(&aino, "kahvila", "open").await;
    let (_sink, host, key) = Sink::serving_actors().await;
    let troll = RemoteSigner::with_key(format!("http://{host}/actor/1"), &key.private_key_pem);
    let event = aamukahvit(&a, &aino).await;
    let page_url = a.url("/manage/c/kahvila/moderation");

    // Someone who does not manage the community is refused.
    let other = client();
    post_login(&a, &other, "pekka", "/manage").await;
    let res = other.get(&page_url).send().await.expect("GET");
    assert_eq!(res.status(), 403);
    // They can report the event from its page, and its managers see the report on theirs.
    let event_page = a.url(&format!("/e/{}", event["id"].as_str().expect("id")));
    let csrf = form_token(&other, &event_page).await;
    let res = other
        .post(format!("{event_page}/report"))
        .header("Accept-Language", "fi")
        .form(&[("csrf", csrf.as_str()), ("reason", "Väärä kaupunki")])
        .send()
        .await
        .expect("POST");
    assert_eq!(res.status(), 200);
    assert!(
        res.text()
            .await
            .expect("page")
            .contains("Ilmoitus lähetetty")
    );
    let visitor_page = client()
        .get(&event_page)
        .header("Accept", "text/html")
        .send()
        .await
        .expect("GET")
        .text()
        .await
        .expect("page");
    assert!(
        !visitor_page.contains("/report\""),
        "no report form without an account"
    );

    let http = client();
    post_login(&a, &http, "aino", "/manage").await;
    let page = http
        .get(&page_url)
        .header("Accept-Language", "fi")
        .send()
        .await
        .expect("GET");
    assert_eq!(page.status(), 200);
    let page = page.text().await.expect("page");
    assert!(page.contains("Ei odottavia kommentteja."));
    assert!(page.contains("Väärä kaupunki"), "the report is on the page");

    // Rules and holding, from the form.
    let csrf = form_token(&http, &page_url).await;
    let res = http
        .post(a.url("/manage/c/kahvila/moderation/rules"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("rules", "Ei mainoksia."),
            ("hold_first_comments", "on"),
        ])
        .send()
        .await
        .expect("POST");
    assert_eq!(res.status(), 303);
    let (_, rules) = a.get_json("/api/v1/communities/kahvila/rules", None).await;
    assert_eq!(
        rules,
        json!({ "rules": "Ei mainoksia.", "hold_first_comments": true })
    );

    // A held reply, approved from the page.
    let reply = reply_to(&troll, 1, &event, "<p>Hei kaikki</p>");
    assert_eq!(troll.post(&a, "/inbox", &reply).await.0, 202);
    let page = http
        .get(&page_url)
        .send()
        .await
        .expect("GET")
        .text()
        .await
        .expect("page");
    assert!(page.contains("Hei kaikki"), "{page}");
    let (_, held) = a
        .get_json("/api/v1/communities/kahvila/held-comments", Some(&aino))
        .await;
    let id = held[0]["id"].as_i64().expect("id");
    let res = http
        .post(a.url(&format!("/manage/c/kahvila/moderation/held/{id}/approve")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .expect("POST");
    assert_eq!(res.status(), 303);
    let (_, comments) = a
        .get_json(
            &format!(
                "/api/v1/events/{}/comments",
                event["id"].as_str().expect("id")
            ),
            None,
        )
        .await;
    assert_eq!(comments.as_array().map(Vec::len), Some(1));

    // A ban by the actor's address, and a refused one said on the page in the visitor's language.
    let res = http
        .post(a.url("/manage/c/kahvila/moderation/bans"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("target", troll.actor.as_str()),
            ("note", "roskaa"),
        ])
        .send()
        .await
        .expect("POST");
    assert_eq!(res.status(), 303);
    let (_, bans) = a
        .get_json("/api/v1/communities/kahvila/bans", Some(&aino))
        .await;
    assert_eq!(bans[0]["target"], troll.actor.as_str(), "{bans}");
    let own = a.domain.split(':').next().expect("host").to_string();
    let res = http
        .post(a.url("/manage/c/kahvila/moderation/bans"))
        .header("Accept-Language", "fi")
        .form(&[
            ("csrf", csrf.as_str()),
            ("target", own.as_str()),
            ("note", ""),
        ])
        .send()
        .await
        .expect("POST");
    assert_eq!(res.status(), 200);
    assert!(
        res.text()
            .await
            .expect("page")
            .contains("Omaa palvelinta ei voi estää.")
    );
    // Lifted from the page.
    let res = http
        .post(a.url("/manage/c/kahvila/moderation/bans/remove"))
        .form(&[("csrf", csrf.as_str()), ("target", troll.actor.as_str())])
        .send()
        .await
        .expect("POST");
    assert_eq!(res.status(), 303);
    let (_, bans) = a
        .get_json("/api/v1/communities/kahvila/bans", Some(&aino))
        .await;
    assert_eq!(bans, json!([]));
    a.stop().await;
}

#[tokio::test]
async fn administrators_see_reports_of_accounts_on_the_reports_page() {
    use crate::common::web::{client, form_token, post_login};
    let a = TestServer::start(TestDb::sqlite().await).await;
    let aino = a.account("aino").await;
    a.account("pekka").await;
    a.admin("yllapito").await;
    a.community(&aino, "kahvila", "open").await;
    let (status, _) = a
        .post_json(
            "/api/v1/reports",
            Some(&aino),
            json!({ "object": a.url("/u/pekka"), "reason": "Häiriköi viesteillä" }),
        )
        .await;
    assert_eq!(status, 201);

    // A manager who is no administrator does not see a report of an account.
    let manager = client();
    post_login(&a, &manager, "aino", "/manage").await;
    let page = manager
        .get(a.url("/manage/reports"))
        .send()
        .await
        .expect("GET")
        .text()
        .await
        .expect("page");
    assert!(!page.contains("Häiriköi viesteillä"));

    let admin = client();
    post_login(&a, &admin, "yllapito", "/manage").await;
    let url = a.url("/manage/reports");
    let page = admin
        .get(&url)
        .header("Accept-Language", "fi")
        .send()
        .await
        .expect("GET")
        .text()
        .await
        .expect("page");
    assert!(page.contains("Häiriköi viesteillä"), "{page}");
    let (_, reports) = a.get_json("/api/v1/reports", Some(&aino)).await;
    assert_eq!(reports, json!([]), "the manager's API agrees");
    let csrf = form_token(&admin, &url).await;
    let id = page
        .split("/manage/reports/")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .expect("a report's form");
    let res = admin
        .post(a.url(&format!("/manage/reports/{id}/resolve")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .expect("POST");
    assert_eq!(res.status(), 303);
    let page = admin
        .get(&url)
        .send()
        .await
        .expect("GET")
        .text()
        .await
        .expect("page");
    assert!(
        !page.contains("Häiriköi viesteillä"),
        "resolved reports leave the queue"
    );
    a.stop().await;
}
