//! The web pages over plain HTTP: language negotiation, content negotiation with the ActivityPub
//! objects, forged and malformed forms (refused with a page and the right status, nothing changed),
//! the participant CSV, the embeddable calendar. The browser journey is in `browser.rs`.

use crate::common::web::{client, form_token, post_login};
use crate::common::{TestDb, TestServer};
use serde_json::json;

async fn login(server: &TestServer, http: &reqwest::Client) {
    let res = post_login(server, http, "maija", "").await;
    assert_eq!(res.status(), 303, "login redirects");
    assert_eq!(res.headers()["location"], "/manage");
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("verkosto_session="))
        .expect("session cookie")
        .to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
}

#[tokio::test]
async fn pages_negotiate_language_and_share_addresses_with_activitypub_objects() {
    for db in TestDb::all().await {
        let server = TestServer::start(db).await;
        let token = server.admin("maija").await;
        server.community(&token, "kahvila", "open").await;
        let http = reqwest::Client::new();

        for (accept, heading) in [
            ("sv-FI,sv;q=0.9", "Kommande evenemang"),
            ("fi", "Tulevat tapahtumat"),
            ("de-DE,en;q=0.5", "Upcoming events"),
        ] {
            let res = http
                .get(server.url("/c/kahvila"))
                .header("accept", "text/html")
                .header("accept-language", accept)
                .send()
                .await
                .expect("page");
            assert_eq!(res.status(), 200);
            assert!(
                res.headers()["vary"]
                    .to_str()
                    .unwrap_or("")
                    .contains("Accept")
            );
            let body = res.text().await.expect("body");
            assert!(body.contains(heading), "{accept}: {body}");
            assert!(body.contains("type=\"application/activity+json\""));
        }

        // People have pages too.
        let person = http
            .get(server.url("/u/maija"))
            .header("accept", "text/html")
            .header("accept-language", "sv")
            .send()
            .await
            .expect("person")
            .text()
            .await
            .expect("body");
        assert!(person.contains("Följ från fediversum"), "{person}");
        assert!(person.contains(&format!("@maija@{}", server.domain)));

        // The same address gives fediverse software the actor.
        let (status, content_type, actor) = server.get_ap("/c/kahvila").await;
        assert_eq!(status, 200);
        assert!(content_type.contains("activity+json"), "{content_type}");
        assert_eq!(actor["type"], "Group");

        // Unknown pages are pages too, with the right status.
        let res = http
            .get(server.url("/c/nobody"))
            .header("accept", "text/html")
            .send()
            .await
            .expect("missing");
        assert_eq!(res.status(), 404);
        assert!(res.text().await.expect("body").contains("<html"));

        // The embeddable calendar may be framed by any site.
        let res = http
            .get(server.url("/c/kahvila/embed"))
            .send()
            .await
            .expect("embed");
        assert_eq!(res.status(), 200);
        assert_eq!(
            res.headers()["content-security-policy"],
            "frame-ancestors *"
        );

        let res = http
            .get(server.url("/c/kahvila/calendar?month=2031-13"))
            .send()
            .await
            .expect("bad month");
        assert_eq!(res.status(), 422);
        server.stop().await;
    }
}

#[tokio::test]
async fn forged_or_malformed_forms_are_refused_and_change_nothing() {
    let server = TestServer::start(TestDb::sqlite().await).await;
    let token = server.admin("maija").await;
    server.community(&token, "kahvila", "open").await;
    let http = client();
    login(&server, &http).await;

    // A page elsewhere cannot know the form token: a post without it, or with another, is refused.
    for csrf in [
        "",
        "0000000000000000000000000000000000000000000000000000000000000000",
    ] {
        let res = http
            .post(server.url("/manage/communities"))
            .form(&[
                ("csrf", csrf),
                ("name", "forged"),
                ("display_name", "Forged"),
            ])
            .send()
            .await
            .expect("forged");
        assert_eq!(res.status(), 403, "token {csrf:?}");
        assert!(
            res.text()
                .await
                .expect("body")
                .contains("The form has expired")
        );
    }
    let (status, _) = server.get_json("/api/v1/communities/forged", None).await;
    assert_eq!(status, 404, "nothing was created");

    // Without a session the workspace sends the visitor to log in and back.
    let anonymous = client();
    let res = anonymous
        .get(server.url("/manage/c/kahvila"))
        .send()
        .await
        .expect("anonymous");
    assert_eq!(res.status(), 303);
    assert_eq!(
        res.headers()["location"],
        "/login?next=%2Fmanage%2Fc%2Fkahvila"
    );

    // A login form may only send the visitor back to a page of this site.
    let res = post_login(&server, &anonymous, "maija", "//evil.example/steal").await;
    assert_eq!(res.headers()["location"], "/");

    // A form with a field of the wrong shape is a clear 422 page, not a 5xx; the event is unchanged.
    let csrf = form_token(&http, &server.url("/manage/c/kahvila/events/new")).await;
    let res = http
        .post(server.url("/manage/c/kahvila/events/new"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("title", "Aamukahvit"),
            ("starts_at", "2031-01-27T09:00"),
            ("ends_at", "2031-01-27T08:00"),
            ("timezone", "Europe/Helsinki"),
            ("capacity", "kaksikymmentä"),
            ("action", "save"),
        ])
        .send()
        .await
        .expect("bad event");
    assert_eq!(res.status(), 422);
    let body = res.text().await.expect("body");
    assert!(body.contains("id=\"capacity-error\""), "{body}");
    assert!(body.contains("value=\"Aamukahvit\""), "the title is kept");

    let res = http
        .post(server.url("/manage/c/kahvila/events/new"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("title", "Aamukahvit"),
            ("starts_at", "2031-01-27T09:00"),
            ("ends_at", "2031-01-27T08:00"),
            ("timezone", "Europe/Helsinki"),
            ("action", "save"),
        ])
        .send()
        .await
        .expect("end before start");
    assert_eq!(res.status(), 422, "end before start");
    assert!(
        res.text()
            .await
            .expect("body")
            .contains("id=\"ends_at-error\">The end must be after the start.")
    );
    let (_, events) = server
        .get_json("/api/v1/communities/kahvila/events", None)
        .await;
    assert_eq!(events.as_array().map(Vec::len), Some(0), "{events}");

    // A remote-follow form with no usable address is a 422 page naming the format.
    let res = http
        .post(server.url("/remote-follow"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("address", "not an address"),
            ("target", &server.url("/c/kahvila")),
        ])
        .send()
        .await
        .expect("remote follow");
    assert_eq!(res.status(), 422);
    let res = http
        .post(server.url("/remote-follow"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("address", "ville@localhost:1"),
            ("target", "https://elsewhere.example/c/x"),
        ])
        .send()
        .await
        .expect("foreign target");
    assert_eq!(res.status(), 422, "only our own objects");
    server.stop().await;
}

#[tokio::test]
async fn managers_decide_requests_and_export_participants() {
    let server = TestServer::start(TestDb::sqlite().await).await;
    let token = server.admin("maija").await;
    server.community(&token, "kahvila", "open").await;
    let (status, event) = server
        .post_json(
            "/api/v1/communities/kahvila/events",
            Some(&token),
            json!({ "title": "Aamukahvit", "starts_at": "2031-01-27T09:00:00+02:00",
                    "ends_at": "2031-01-27T11:00:00+02:00", "join_mode": "approval" }),
        )
        .await;
    assert_eq!(status, 201, "{event}");
    let id = event["id"].as_str().expect("id").to_string();
    let ville = server.account("ville").await;
    let (status, joined) = server
        .post_json(
            &format!("/api/v1/events/{id}/participation"),
            Some(&ville),
            json!({}),
        )
        .await;
    assert!(status < 300, "{status} {joined}");

    let http = client();
    login(&server, &http).await;
    let page = http
        .get(server.url(&format!("/manage/events/{id}/participants")))
        .header("accept-language", "en")
        .send()
        .await
        .expect("participants");
    assert_eq!(page.status(), 200);
    let page = page.text().await.expect("body");
    assert!(page.contains("Waiting for approval"), "{page}");
    let at = page.find("/participants/").expect("a decision form") + "/participants/".len();
    let pid: String = page[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let csrf = form_token(&http, &server.url("/manage")).await;

    let res = http
        .post(server.url(&format!("/manage/events/{id}/participants/{pid}")))
        .form(&[("csrf", csrf.as_str()), ("decision", "maybe")])
        .send()
        .await
        .expect("bad decision");
    assert_eq!(res.status(), 422);
    let res = http
        .post(server.url(&format!("/manage/events/{id}/participants/{pid}")))
        .form(&[("csrf", csrf.as_str()), ("decision", "accept")])
        .send()
        .await
        .expect("accept");
    assert_eq!(res.status(), 303);

    let csv = http
        .get(server.url(&format!("/manage/events/{id}/participants.csv")))
        .send()
        .await
        .expect("csv");
    assert_eq!(csv.status(), 200);
    assert!(
        csv.headers()["content-type"]
            .to_str()
            .unwrap_or("")
            .starts_with("text/csv")
    );
    let text = csv.text().await.expect("body");
    let mut rows = text.lines();
    assert_eq!(rows.next(), Some("handle,instance,state,since,message"));
    let row = rows.next().expect("one participant");
    assert!(
        row.starts_with(&format!(
            "ville@{},{},accepted,",
            server.domain, server.domain
        )),
        "{row}"
    );

    // Someone who does not manage the community gets no list.
    let other = client();
    let res = post_login(&server, &other, "ville", "").await;
    assert_eq!(res.status(), 303);
    let res = other
        .get(server.url(&format!("/manage/events/{id}/participants.csv")))
        .send()
        .await
        .expect("csv");
    assert_eq!(res.status(), 403);
    server.stop().await;
}

/// A refusal has a stable code: the API answers it with its parameters and the English text, and a
/// page shows it in the visitor's language (here Finnish), next to its field or above the form.
#[tokio::test]
async fn refusals_are_coded_in_the_api_and_translated_on_pages() {
    let server = TestServer::start(TestDb::sqlite().await).await;
    let token = server.admin("maija").await;
    server.community(&token, "kahvila", "open").await;

    let (status, body) = server
        .post_json(
            "/api/v1/communities",
            Some(&token),
            json!({ "name": "kahvila", "display_name": "Toinen kahvila" }),
        )
        .await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"], "conflict", "the coarse code stays: {body}");
    assert_eq!(body["code"], "name_taken", "{body}");
    assert_eq!(body["params"]["name"], "kahvila", "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap_or_default()
            .contains("already taken"),
        "{body}"
    );

    let (status, body) = server
        .post_json(
            "/api/v1/communities",
            Some(&token),
            json!({ "name": "Iso Kahvila", "display_name": "Iso" }),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"], "invalid_field", "{body}");
    assert_eq!(body["field"], "name", "{body}");
    assert_eq!(body["code"], "name_characters", "{body}");

    let http = client();
    login(&server, &http).await;
    let csrf = form_token(&http, &server.url("/manage")).await;
    let res = http
        .post(server.url("/manage/communities"))
        .header("accept-language", "fi")
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "kahvila"),
            ("display_name", "Toinen kahvila"),
        ])
        .send()
        .await
        .expect("taken name");
    assert_eq!(res.status(), 422);
    let page = res.text().await.expect("body");
    assert!(
        page.contains("Nimi ”kahvila” on jo käytössä tällä palvelimella."),
        "{page}"
    );
    assert!(!page.contains("already taken"), "{page}");

    let long_title = "k".repeat(1000);
    let res = http
        .post(server.url("/manage/c/kahvila/events/new"))
        .header("accept-language", "sv")
        .form(&[
            ("csrf", csrf.as_str()),
            ("title", long_title.as_str()),
            ("starts_at", "2031-01-27T09:00"),
            ("ends_at", "2031-01-27T10:00"),
            ("timezone", "Europe/Helsinki"),
            ("action", "save"),
        ])
        .send()
        .await
        .expect("long title");
    assert_eq!(res.status(), 422);
    let page = res.text().await.expect("body");
    assert!(page.contains("id=\"title-error\">Högst "), "{page}");
    server.stop().await;
}
