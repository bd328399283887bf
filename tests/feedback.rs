//! Feedback polls after an event (issue 16): each fediverse participant receives a `Question` of their
//! own, counted where it arrived; votes come back in Mastodon's shape (`Create{Note}` with `name` and
//! `inReplyTo`), words answer the open question, local participants answer through the API; each
//! person answers once, and the results and the insights count it all without names.

use chrono::{Duration, SecondsFormat, Utc};
use serde_json::{Value, json};

use crate::common::sink::{Sink, trust_community};
use crate::common::{RemoteSigner, TestDb, TestServer, eventually};

fn at(t: chrono::DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Mastodon's vote (its `VoteSerializer`): a `Note` with the chosen `name`, replying to the poll.
fn vote(voter: &RemoteSigner, n: u32, question: &str, community: &str, choice: &str) -> Value {
    json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{}#votes/{n}/activity", voter.actor), "type": "Create",
        "actor": voter.actor, "to": [community],
        "object": { "id": format!("{}#votes/{n}", voter.actor), "type": "Note", "name": choice,
                    "attributedTo": voter.actor, "inReplyTo": question, "to": [community] }
    })
}

/// A server whose community `kahvila` (managed by `maija`, whose token comes back with its address)
/// is trusted by the sink, so that what it delivers there is verified.
async fn kahvila(db: TestDb, sink: &Sink) -> (TestServer, String, String) {
    let a = TestServer::start(db).await;
    let manager = a.account("maija").await;
    a.community(&manager, "kahvila", "open").await;
    trust_community(&a.verkosto, "kahvila", sink).await;
    let community = a.url("/c/kahvila");
    (a, manager, community)
}

#[tokio::test]
async fn feedback_polls_go_to_each_participant_and_count_each_answer_once() {
    let (sink, sink_host, key) = Sink::serving_actors().await;
    let remote = |n: u32| {
        RemoteSigner::with_key(
            format!("http://{sink_host}/actor/{n}"),
            &key.private_key_pem,
        )
    };
    for db in TestDb::all().await {
        let backend = db.backend;
        sink.seen.lock().expect("lock").clear();
        let (a, manager, community) = kahvila(db, &sink).await;
        let create = |starts: chrono::DateTime<Utc>| {
            a.post_json(
                "/api/v1/communities/kahvila/events",
                Some(&manager),
                json!({ "title": "Aamukahvit", "starts_at": at(starts),
                        "ends_at": at(starts + Duration::hours(2)), "language": "fi" }),
            )
        };
        let (_, later) = create(Utc::now() + Duration::days(3)).await;
        let (status, over) = create(Utc::now() - Duration::hours(3)).await;
        assert_eq!(status, 201, "{backend}: {over}");
        let id = over["id"].as_str().expect("id");
        let ap_id = over["ap_id"].as_str().expect("ap_id");
        for n in [1, 2] {
            let join = json!({ "id": format!("http://{sink_host}/actor/{n}/joins/1"), "type": "Join",
                "actor": remote(n).actor, "object": ap_id });
            assert_eq!(remote(n).post(&a, "/inbox", &join).await.0, 202);
        }
        let lauri = a.account("lauri").await;
        let stranger = a.account("outi").await;
        let (status, _) = a
            .post_json(
                &format!("/api/v1/events/{id}/participation"),
                Some(&lauri),
                json!({}),
            )
            .await;
        assert_eq!(status, 201);

        // Not before the event is over, not by anyone but its managers.
        let path = |id: &str| format!("/api/v1/events/{id}/feedback");
        let later = later["id"].as_str().expect("id");
        let (status, body) = a.post_json(&path(later), Some(&manager), json!({})).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (409, Some("event_not_over")),
            "{backend}: {body}"
        );
        let (status, _) = a.post_json(&path(id), Some(&stranger), json!({})).await;
        assert_eq!(status, 403);
        let (status, body) = a
            .post_json(
                &path(id),
                Some(&manager),
                json!({ "options": ["kyllä", "kyllä"] }),
            )
            .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (422, Some("choice_twice")),
            "{backend}: {body}"
        );

        let (status, sent) = a
            .post_json(
                &path(id),
                Some(&manager),
                json!({ "open_question": "Mitä toivoisit ensi kerralla?" }),
            )
            .await;
        assert_eq!(status, 201, "{backend}: {sent}");
        assert_eq!(sent["options"], json!(["1", "2", "3", "4", "5"]));
        assert!(
            sent["question"]
                .as_str()
                .is_some_and(|q| q.starts_with("Miten tapahtuma onnistui?"))
        );
        assert_eq!(sent["invited"], 2, "{backend}: {sent}");
        let (status, body) = a.post_json(&path(id), Some(&manager), json!({})).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (409, Some("feedback_already_sent"))
        );

        // What each participant's server received: one Question each, addressed to them alone.
        let questions = eventually(20, "both Questions delivered", || {
            let got: Vec<_> = sink
                .accepted()
                .into_iter()
                .filter(|s| {
                    s.kind == "Create" && s.signature_ok && s.body["object"]["type"] == "Question"
                })
                .collect();
            async move { (got.len() >= 2).then_some(got) }
        })
        .await;
        assert_eq!(questions.len(), 2, "{backend}");
        let mut question_of = std::collections::HashMap::new();
        for q in &questions {
            let object = &q.body["object"];
            let recipient = remote(q.inbox).actor;
            assert_eq!(object["to"], json!([recipient]), "{backend}: {object}");
            assert_eq!(q.body["to"], json!([recipient]), "{backend}");
            assert_eq!(object["tag"][0]["type"], "Mention");
            assert_eq!(object["tag"][0]["href"], recipient.as_str());
            let names: Vec<&str> = object["oneOf"]
                .as_array()
                .expect("oneOf")
                .iter()
                .filter_map(|c| c["name"].as_str())
                .collect();
            assert_eq!(names, ["1", "2", "3", "4", "5"]);
            assert!(
                object["content"]
                    .as_str()
                    .is_some_and(|c| c.contains("Mitä toivoisit ensi kerralla?"))
            );
            question_of.insert(q.inbox, object["id"].as_str().expect("id").to_string());
        }
        let (q1, q2) = (&question_of[&1], &question_of[&2]);
        assert_ne!(q1, q2);

        // Votes, Mastodon's way: the first answer of each person stands.
        assert_eq!(
            remote(1)
                .post(&a, "/inbox", &vote(&remote(1), 1, q1, &community, "4"))
                .await
                .0,
            202
        );
        assert_eq!(
            remote(1)
                .post(&a, "/inbox", &vote(&remote(1), 2, q1, &community, "1"))
                .await
                .0,
            202
        );
        let (status, body) = remote(2)
            .post(&a, "/inbox", &vote(&remote(2), 1, q1, &community, "1"))
            .await;
        assert_eq!(status, 403, "{backend}: someone else's poll: {body}");
        let (status, body) = remote(2)
            .post(&a, "/inbox", &vote(&remote(2), 2, q2, &community, "7"))
            .await;
        assert_eq!(status, 400, "{backend}: not a choice: {body}");
        assert_eq!(
            remote(2)
                .post(&a, "/inbox", &vote(&remote(2), 3, q2, &community, "5"))
                .await
                .0,
            202
        );
        let words = json!({ "id": format!("{}/statuses/9/activity", remote(2).actor), "type": "Create",
            "actor": remote(2).actor, "to": [community],
            "object": { "id": format!("{}/statuses/9", remote(2).actor), "type": "Note",
                "attributedTo": remote(2).actor, "inReplyTo": q2, "to": [community],
                "content": "<p><span class=\"h-card\"><a href=\"http://x/c/kahvila\" class=\"u-url mention\">@<span>kahvila</span></a></span> Lisää kahvia &amp; pullaa!</p>" } });
        assert_eq!(remote(2).post(&a, "/inbox", &words).await.0, 202);

        // A local participant answers through the API, once; someone who was not there cannot.
        let answer = format!("/api/v1/events/{id}/feedback/answer");
        let (status, body) = a
            .post_json(&answer, Some(&lauri), json!({ "choice": "9" }))
            .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (422, Some("not_a_choice")),
            "{backend}: {body}"
        );
        let (status, _) = a
            .post_json(
                &answer,
                Some(&lauri),
                json!({ "choice": "3", "answer": "Hyvä aamu" }),
            )
            .await;
        assert_eq!(status, 204);
        let (status, body) = a
            .post_json(&answer, Some(&lauri), json!({ "choice": "1" }))
            .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (409, Some("no_feedback_to_give")),
            "{backend}"
        );
        let (status, _) = a
            .post_json(&answer, Some(&stranger), json!({ "choice": "1" }))
            .await;
        assert_eq!(status, 409);

        let (status, results) = a.get_json(&path(id), Some(&manager)).await;
        assert_eq!(status, 200, "{backend}: {results}");
        assert_eq!(results["responses"], 3, "{backend}: {results}");
        let votes: Vec<i64> = results["choices"]
            .as_array()
            .expect("choices")
            .iter()
            .map(|c| c["votes"].as_i64().unwrap_or(-1))
            .collect();
        assert_eq!(votes, [0, 0, 1, 1, 1], "{backend}: {results}");
        assert_eq!(results["average"], 4.0, "{backend}");
        let texts: Vec<&str> = results["answers"]
            .as_array()
            .expect("answers")
            .iter()
            .filter_map(|a| a["text"].as_str())
            .collect();
        assert_eq!(texts, ["Lisää kahvia & pullaa!", "Hyvä aamu"], "{backend}");
        assert!(
            !results.to_string().contains(&sink_host),
            "{backend}: no one is named: {results}"
        );
        let (status, _) = a.get_json(&path(id), Some(&stranger)).await;
        assert_eq!(status, 403);

        // The poll as its recipient's server refetches it, with the votes so far.
        let q1_path = q1.strip_prefix(&a.base).expect("local");
        let (status, _, document) = a.get_ap(q1_path).await;
        assert_eq!(status, 200, "{backend}");
        assert_eq!(
            (&document["type"], &document["votersCount"]),
            (&json!("Question"), &json!(3))
        );
        assert_eq!(document["oneOf"][3]["replies"]["totalItems"], 1);

        let (_, insights) = a
            .get_json("/api/v1/communities/kahvila/insights", Some(&manager))
            .await;
        assert_eq!(
            insights["feedback"],
            json!({ "polls": 1, "responses": 3, "average_rating": 4.0, "quotes": [] }),
            "{backend}"
        );

        // A manager picks an answer in words to quote in the shared report; a vote has no words.
        let answers = results["answers"].as_array().expect("answers");
        let quoted = answers[0]["id"].as_i64().expect("id");
        let feature =
            |answer: i64| format!("/api/v1/events/{id}/feedback/answers/{answer}/featured");
        let (status, _) = a
            .post_json(&feature(quoted), Some(&stranger), json!({}))
            .await;
        assert_eq!(status, 403);
        let (status, _) = a
            .post_json(&feature(quoted), Some(&manager), json!({}))
            .await;
        assert_eq!(status, 204, "{backend}");
        let (_, all) = a.get_json(&path(id), Some(&manager)).await;
        let silent = all["answers"].as_array().map(Vec::len).unwrap_or(0) as i64;
        let (status, body) = a
            .post_json(&feature(quoted + 1000 + silent), Some(&manager), json!({}))
            .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (404, Some("no_such_answer")),
            "{backend}: {body}"
        );
        let (_, made) = a
            .post_json(
                "/api/v1/communities/kahvila/reports",
                Some(&manager),
                json!({}),
            )
            .await;
        let report = reqwest::get(made["url"].as_str().expect("url"))
            .await
            .expect("report")
            .text()
            .await
            .expect("body");
        assert!(
            report.contains("<blockquote><p>Lisää kahvia &#38; pullaa!</p></blockquote>"),
            "{backend}: {report}"
        );
        assert!(
            !report.contains("Hyvä aamu"),
            "{backend}: only picked answers are quoted"
        );
        a.stop().await;
    }
}

/// A local participant answers on the event's page: the form is there for them (and not for someone
/// who did not come), a forged form changes nothing, and afterwards the page thanks them; the
/// manager sends the poll and reads its results on the participant list, and the insights page shows
/// the answer in the manager's language.
#[tokio::test]
async fn local_participants_answer_on_the_event_page() {
    use crate::common::web::{client, form_token, post_login};
    let a = TestServer::start(TestDb::sqlite().await).await;
    let manager = a.account("maija").await;
    a.community(&manager, "kahvila", "open").await;
    let starts = Utc::now() - Duration::hours(3);
    let (_, event) = a
        .post_json(
            "/api/v1/communities/kahvila/events",
            Some(&manager),
            json!({ "title": "Aamukahvit", "starts_at": at(starts),
                    "ends_at": at(starts + Duration::hours(2)), "language": "sv" }),
        )
        .await;
    let id = event["id"].as_str().expect("id");
    let lauri = a.account("lauri").await;
    a.account("outi").await;
    a.post_json(
        &format!("/api/v1/events/{id}/participation"),
        Some(&lauri),
        json!({}),
    )
    .await;
    // The manager sends the poll from the participant list, with an open question.
    let boss = client();
    post_login(&a, &boss, "maija", "").await;
    let list = a.url(&format!("/manage/events/{id}/participants"));
    let csrf = form_token(&boss, &list).await;
    let sent = boss
        .post(a.url(&format!("/manage/events/{id}/feedback")))
        .form(&[("csrf", csrf.as_str()), ("open_question", "Något mer?")])
        .send()
        .await
        .expect("send");
    assert_eq!(sent.status(), 303);

    let page = |http: reqwest::Client| {
        let url = a.url(&format!("/e/{id}"));
        async move {
            http.get(url)
                .header("accept", "text/html")
                .header("accept-language", "fi")
                .send()
                .await
                .expect("page")
                .text()
                .await
                .expect("body")
        }
    };
    let outi = client();
    post_login(&a, &outi, "outi", "").await;
    assert!(
        !page(outi).await.contains("name=\"choice\""),
        "no form for someone who did not come"
    );

    let http = client();
    assert_eq!(post_login(&a, &http, "lauri", "").await.status(), 303);
    let before = page(http.clone()).await;
    // The question is in the event's language (Swedish), the page in the visitor's.
    assert!(before.contains("Hur lyckades evenemanget?"), "{before}");
    assert!(
        before.contains("Något mer?") && before.contains("Anna palautetta"),
        "{before}"
    );
    let post = |csrf: String, choice: &str| {
        http.post(a.url(&format!("/e/{id}/feedback")))
            .form(&[
                ("csrf", csrf),
                ("choice", choice.to_string()),
                ("answer", "Toppen!".into()),
            ])
            .send()
    };
    assert_eq!(post("x".repeat(64), "5").await.expect("post").status(), 403);
    let csrf = form_token(&http, &a.url(&format!("/e/{id}"))).await;
    assert_eq!(post(csrf.clone(), "5").await.expect("post").status(), 303);
    let after = page(http.clone()).await;
    assert!(
        after.contains("Kiitos palautteesta!") && !after.contains("name=\"choice\""),
        "{after}"
    );
    let again = post(csrf, "1").await.expect("post");
    assert_eq!(again.status(), 409, "one answer per person");

    let (_, results) = a
        .get_json(&format!("/api/v1/events/{id}/feedback"), Some(&manager))
        .await;
    assert_eq!(
        (&results["responses"], &results["answers"][0]["text"]),
        (&json!(1), &json!("Toppen!")),
        "{results}"
    );
    let results = boss
        .get(&list)
        .header("accept-language", "fi")
        .send()
        .await
        .expect("list")
        .text()
        .await
        .expect("body");
    assert!(
        results.contains("<q>Toppen!</q>") && results.contains("Palautteen keskiarvo: 5,0"),
        "{results}"
    );
    let insights = boss
        .get(a.url("/manage/c/kahvila/insights"))
        .header("accept-language", "fi")
        .send()
        .await
        .expect("insights")
        .text()
        .await
        .expect("body");
    assert!(
        insights.contains("Palautteen keskiarvo</th><td>5,0</td>"),
        "{insights}"
    );
    a.stop().await;
}

/// RSVP from Mastodon: an event published with `rsvp_poll` reaches the community's followers as a
/// public poll; a vote "Going" is a participation by the event's rules (its capacity, its waitlist),
/// answered as a `Join` is; a new vote changes it, and "Maybe" holds no seat.
#[tokio::test]
async fn an_rsvp_poll_turns_votes_into_participations() {
    let (sink, sink_host, key) = Sink::serving_actors().await;
    let remote = |n: u32| {
        RemoteSigner::with_key(
            format!("http://{sink_host}/actor/{n}"),
            &key.private_key_pem,
        )
    };
    for db in TestDb::all().await {
        let backend = db.backend;
        sink.seen.lock().expect("lock").clear();
        let (a, manager, community) = kahvila(db, &sink).await;
        let follow = json!({ "id": format!("http://{sink_host}/actor/9/follows/1"), "type": "Follow",
            "actor": remote(9).actor, "object": community });
        assert_eq!(remote(9).post(&a, "/c/kahvila/inbox", &follow).await.0, 202);
        let starts = Utc::now() + Duration::days(3);
        let (status, event) = a
            .post_json(
                "/api/v1/communities/kahvila/events",
                Some(&manager),
                json!({ "title": "CMAD breakfast", "starts_at": at(starts),
                        "ends_at": at(starts + Duration::hours(2)), "language": "en",
                        "capacity": 1, "rsvp_poll": true }),
            )
            .await;
        assert_eq!(status, 201, "{backend}: {event}");
        let id = event["id"].as_str().expect("id");

        // The follower's server receives the poll, public, in the event's language.
        let poll = eventually(20, "the RSVP poll delivered", || {
            let got = sink
                .accepted()
                .into_iter()
                .find(|s| s.inbox == 9 && s.signature_ok && s.body["object"]["type"] == "Question");
            async move { got }
        })
        .await;
        let object = &poll.body["object"];
        let names: Vec<&str> = object["oneOf"]
            .as_array()
            .expect("oneOf")
            .iter()
            .filter_map(|c| c["name"].as_str())
            .collect();
        assert_eq!(names, ["Going", "Maybe", "Can't go"], "{backend}");
        assert_eq!(
            object["to"],
            json!(["https://www.w3.org/ns/activitystreams#Public"])
        );
        let question = object["id"].as_str().expect("id").to_string();

        let vote_for =
            |n: u32, v: u32, choice: &str| vote(&remote(n), v, &question, &community, choice);
        assert_eq!(
            remote(1)
                .post(&a, "/inbox", &vote_for(1, 1, "Going"))
                .await
                .0,
            202
        );
        assert_eq!(
            remote(2)
                .post(&a, "/inbox", &vote_for(2, 1, "Going"))
                .await
                .0,
            202
        );
        assert_eq!(
            remote(3)
                .post(&a, "/inbox", &vote_for(3, 1, "Maybe"))
                .await
                .0,
            202
        );
        let (status, body) = remote(3)
            .post(&a, "/inbox", &vote_for(3, 2, "Perhaps"))
            .await;
        assert_eq!(status, 400, "{backend}: {body}");
        let states = || async {
            let (_, list) = a
                .get_json(&format!("/api/v1/events/{id}/participants"), Some(&manager))
                .await;
            let mut states: Vec<(String, String)> = list
                .as_array()
                .expect("participants")
                .iter()
                .map(|p| {
                    (
                        p["participant_ap_id"]
                            .as_str()
                            .unwrap_or("")
                            .rsplit('/')
                            .next()
                            .unwrap_or("")
                            .to_string(),
                        p["state"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect();
            states.sort();
            states
        };
        let pair = |n: &str, s: &str| (n.to_string(), s.to_string());
        assert_eq!(
            states().await,
            [pair("1", "accepted"), pair("2", "waitlisted")],
            "{backend}"
        );
        // Each was answered as a Join is, where they are.
        for (inbox, kind) in [(1, "Accept"), (2, "TentativeAccept")] {
            eventually(20, "the answer delivered", || {
                let got = sink
                    .accepted()
                    .iter()
                    .any(|s| s.inbox == inbox && s.kind == kind && s.signature_ok);
                async move { got.then_some(()) }
            })
            .await;
        }
        // The first changes their mind: the seat goes to the one waiting.
        assert_eq!(
            remote(1)
                .post(&a, "/inbox", &vote_for(1, 2, "Can't go"))
                .await
                .0,
            202
        );
        assert_eq!(states().await, [pair("2", "accepted")], "{backend}");

        let path = question.strip_prefix(&a.base).expect("local").to_string();
        let (status, _, document) = a.get_ap(&path).await;
        assert_eq!(
            (status, &document["votersCount"]),
            (200, &json!(3)),
            "{backend}: {document}"
        );
        a.stop().await;
    }
}
