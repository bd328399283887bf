//! Taking part without a fediverse account, and notices by e-mail (issue 19), against a real SMTP
//! server (aiosmtpd, tests/smtp) and running instances on both backends. What is checked is what the
//! server received, parsed as a mail client would: subjects, language, links, headers, counts.

use std::time::Duration;

use chrono::Utc;
use serde_json::{Value, json};

use crate::common::smtp::{SmtpSink, link_in};
use crate::common::web::{client, form_token};
use crate::common::{TestDb, TestServer, eventually};

/// A community and an event in it that takes participants by e-mail.
async fn event(server: &TestServer, token: &str, extra: Value) -> Value {
    let starts = Utc::now() + chrono::Duration::days(3);
    let mut body = json!({
        "title": "Aamukahvit",
        "starts_at": starts.to_rfc3339(),
        "ends_at": (starts + chrono::Duration::hours(2)).to_rfc3339(),
        "language": "fi",
        "guest_participation": true,
        "location": { "name": "Kahvila Kulma", "locality": "Tampere" },
    });
    for (k, v) in extra.as_object().expect("object") {
        body[k] = v.clone();
    }
    let (status, event) = server
        .post_json("/api/v1/communities/kahvila/events", Some(token), body)
        .await;
    assert_eq!(status, 201, "{event}");
    event
}

/// The recipients of queued messages of `kind` not sent (yet).
async fn unsent(server: &TestServer, kind: &str) -> Vec<(String, String)> {
    const SQL: &str = "SELECT recipient, kind FROM mail_outbox WHERE kind = $1 AND sent_at IS NULL";
    let mut c = server.verkosto.db().acquire().await.expect("conn");
    match &mut c.conn() {
        verkosto::store::Conn::Sqlite(c) => {
            sqlx::query_as(SQL).bind(kind).fetch_all(&mut **c).await
        }
        verkosto::store::Conn::Postgres(c) => {
            sqlx::query_as(SQL).bind(kind).fetch_all(&mut **c).await
        }
    }
    .expect("query")
}

async fn participant_count(server: &TestServer, id: &str) -> i64 {
    let (_, e) = server.get_json(&format!("/api/v1/events/{id}"), None).await;
    e["participant_count"].as_i64().expect("participant_count")
}

/// Asks through the API; the confirmation link from the mail.
async fn ask(
    server: &TestServer,
    smtp: &SmtpSink,
    id: &str,
    name: &str,
    email: &str,
    lang: &str,
) -> String {
    let (status, body) = server
        .post_json(
            &format!("/api/v1/events/{id}/guest-participations"),
            None,
            json!({ "name": name, "email": email, "language": lang }),
        )
        .await;
    assert_eq!(status, 202, "{body}");
    let subject = match lang {
        "fi" => "Vahvista osallistumisesi",
        "sv" => "Bekräfta ditt deltagande",
        _ => "Confirm your participation",
    };
    let mail = smtp.wait_for(email, subject).await;
    link_in(mail["text"].as_str().expect("text"), "/guest-link/")
}

#[tokio::test]
async fn a_visitor_takes_part_by_email_in_finnish_and_cancels() {
    let Some(smtp) = SmtpSink::start().await else {
        return;
    };
    for db in TestDb::all().await {
        let backend = db.backend;
        // One SMTP server for both backends: each run has its own addresses.
        let maija = format!("maija.{backend}@example.fi");
        let typed = format!(" Maija.{}@Example.FI ", backend.to_uppercase());
        let bob = format!("bob.{backend}@example.org");
        let server = TestServer::start_with(db, |s| s.mail = Some(smtp.settings())).await;
        let token = server.account("aino").await;
        server.community(&token, "kahvila", "open").await;
        let e = event(&server, &token, json!({ "capacity": 1 })).await;
        let id = e["id"].as_str().expect("id").to_string();
        assert_eq!(e["guest_participation"], true);
        let (_, _, doc) = server.get_ap(&format!("/e/{id}")).await;
        assert_eq!(doc["anonymousParticipationEnabled"], true, "{backend}");

        // The form on the event's page, in Finnish.
        let http = client();
        let page_url = server.url(&format!("/e/{id}"));
        let page = http
            .get(&page_url)
            .header("Accept-Language", "fi")
            .send()
            .await
            .expect("GET")
            .text()
            .await
            .expect("page");
        assert!(
            page.contains("Osallistu sähköpostilla"),
            "{backend}: no form"
        );
        let csrf = form_token(&http, &page_url).await;
        let sent = http
            .post(server.url(&format!("/e/{id}/guest")))
            .header("Accept-Language", "fi")
            .form(&[
                ("csrf", csrf.as_str()),
                ("name", "Maija Meikäläinen"),
                ("email", typed.as_str()),
            ])
            .send()
            .await
            .expect("POST");
        assert_eq!(sent.status(), 200, "{backend}");
        let sent = sent.text().await.expect("page");
        assert!(sent.contains("Tarkista sähköpostisi"), "{backend}: {sent}");
        assert_eq!(participant_count(&server, &id).await, 0, "asked is not in");

        // The confirmation, in Finnish, to the address as given (lowercased).
        let mail = smtp
            .wait_for(&maija, "Vahvista osallistumisesi: Aamukahvit")
            .await;
        assert_eq!(mail["content_language"], "fi");
        assert_eq!(mail["from"], "Kahvila Kulma <verkosto@kahvila.example>");
        assert_eq!(
            mail["list_unsubscribe"], "",
            "a requested confirmation cannot be unsubscribed"
        );
        let text = mail["text"].as_str().expect("plain text");
        assert!(text.contains("Hei Maija Meikäläinen!"), "{text}");
        assert!(text.contains("Kahvila Kulma, Tampere"), "{text}");
        let html = mail["html"].as_str().expect("HTML part");
        let link = link_in(text, "/guest-link/");
        assert!(html.contains(&link), "the HTML has the same link");

        // Opening the link (as a mail scanner does) changes nothing; its button confirms.
        let opened = http.get(&link).send().await.expect("GET link");
        assert_eq!(opened.status(), 200);
        let opened = opened.text().await.expect("page");
        assert!(opened.contains("Vahvista osallistuminen"), "{opened}");
        assert_eq!(participant_count(&server, &id).await, 0, "a GET confirmed");
        let confirmed = http
            .post(format!("{link}/confirm"))
            .send()
            .await
            .expect("confirm");
        assert_eq!(confirmed.status(), 303);
        let page = http
            .get(&link)
            .send()
            .await
            .expect("GET")
            .text()
            .await
            .expect("page");
        assert!(page.contains("Olet mukana."), "{page}");
        assert!(page.contains("Peru osallistuminen"), "{page}");
        assert_eq!(participant_count(&server, &id).await, 1, "{backend}");
        let mail = smtp.wait_for(&maija, "Olet mukana: Aamukahvit").await;
        assert!(
            mail["list_unsubscribe"]
                .as_str()
                .expect("header")
                .contains("/unsubscribe/")
        );
        assert_eq!(mail["list_unsubscribe_post"], "List-Unsubscribe=One-Click");
        // Confirming again is no second participation and no second notice.
        http.post(format!("{link}/confirm"))
            .send()
            .await
            .expect("again");
        assert_eq!(participant_count(&server, &id).await, 1);

        // A second guest, in English, through the API: the one seat is taken, so the waitlist.
        let bob_link = ask(&server, &smtp, &id, "Bob", &bob, "en").await;
        http.post(format!("{bob_link}/confirm"))
            .send()
            .await
            .expect("confirm");
        smtp.wait_for(&bob, "You're on the waitlist: Aamukahvit")
            .await;
        assert_eq!(participant_count(&server, &id).await, 1);

        // Maija cancels from her link: Bob gets the seat, and hears of it.
        let cancelled = http
            .post(format!("{link}/cancel"))
            .send()
            .await
            .expect("cancel");
        assert_eq!(cancelled.status(), 303);
        let page = http
            .get(&link)
            .send()
            .await
            .expect("GET")
            .text()
            .await
            .expect("page");
        assert!(page.contains("Peruit osallistumisesi."), "{page}");
        smtp.wait_for(&bob, "You got a seat: Aamukahvit").await;
        assert_eq!(participant_count(&server, &id).await, 1);
        // Her reminder is not sent; Bob's waits for its day.
        let reminders = unsent(&server, "reminder").await;
        assert_eq!(
            reminders,
            vec![(bob.clone(), "reminder".to_string())],
            "{backend}"
        );
        server.stop().await;
    }
}

#[tokio::test]
async fn wrong_input_and_no_smtp_are_told_clearly_and_change_nothing() {
    let Some(smtp) = SmtpSink::start().await else {
        return;
    };
    let server =
        TestServer::start_with(TestDb::sqlite().await, |s| s.mail = Some(smtp.settings())).await;
    let token = server.account("aino").await;
    server.community(&token, "kahvila", "open").await;
    let e = event(&server, &token, json!({})).await;
    let id = e["id"].as_str().expect("id").to_string();
    let path = format!("/api/v1/events/{id}/guest-participations");
    for (body, status, code) in [
        (
            json!({ "name": "Maija", "email": "maija" }),
            422,
            "not_an_email",
        ),
        (
            json!({ "name": "Maija", "email": "Maija <m@example.fi>" }),
            422,
            "not_an_email",
        ),
        (
            json!({ "name": " ", "email": "m@example.fi" }),
            422,
            "required",
        ),
        (
            json!({ "name": "x".repeat(101), "email": "m@example.fi" }),
            422,
            "too_long",
        ),
        (
            json!({ "name": "Maija", "email": "m@example.fi", "language": "de" }),
            422,
            "no_such_language",
        ),
    ] {
        let (got, answer) = server.post_json(&path, None, body.clone()).await;
        assert_eq!(
            (got, answer["code"].as_str()),
            (status, Some(code)),
            "{body}: {answer}"
        );
    }
    let (got, answer) = server
        .post_json(
            &path,
            None,
            json!({ "name": "Maija", "email": "m@example.fi", "extra": 1 }),
        )
        .await;
    assert_eq!(
        (got, answer["code"].as_str()),
        (422, Some("malformed")),
        "{answer}"
    );
    // An event that does not take guests.
    let closed = event(&server, &token, json!({ "guest_participation": false })).await;
    let closed_path = format!(
        "/api/v1/events/{}/guest-participations",
        closed["id"].as_str().expect("id")
    );
    let (got, answer) = server
        .post_json(
            &closed_path,
            None,
            json!({ "name": "Maija", "email": "m@example.fi" }),
        )
        .await;
    assert_eq!(
        (got, answer["code"].as_str()),
        (409, Some("guests_not_taken")),
        "{answer}"
    );
    // A link that names nothing: a page in the visitor's language, 404.
    let res = client()
        .get(server.url(&format!("/guest-link/{}", "0".repeat(64))))
        .header("Accept-Language", "sv")
        .send()
        .await
        .expect("GET");
    assert_eq!(res.status(), 404);
    assert!(
        res.text()
            .await
            .expect("page")
            .contains("Länken leder ingenstans")
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        smtp.received().is_empty(),
        "nothing was sent: {:?}",
        smtp.received()
    );
    server.stop().await;

    // Without SMTP the option is not offered, and asking for it is refused, not broken.
    let server = TestServer::start(TestDb::sqlite().await).await;
    let token = server.account("aino").await;
    server.community(&token, "kahvila", "open").await;
    let starts = Utc::now() + chrono::Duration::days(3);
    let (got, answer) = server
        .post_json(
            "/api/v1/communities/kahvila/events",
            Some(&token),
            json!({ "title": "Aamukahvit", "starts_at": starts.to_rfc3339(),
                    "ends_at": (starts + chrono::Duration::hours(1)).to_rfc3339(), "guest_participation": true }),
        )
        .await;
    assert_eq!(
        (got, answer["code"].as_str(), answer["field"].as_str()),
        (
            422,
            Some("mail_not_configured"),
            Some("guest_participation")
        ),
        "{answer}"
    );
    let plain = event(&server, &token, json!({ "guest_participation": false })).await;
    let id = plain["id"].as_str().expect("id");
    let (got, answer) = server
        .post_json(
            &format!("/api/v1/events/{id}/guest-participations"),
            None,
            json!({ "name": "Maija", "email": "m@example.fi" }),
        )
        .await;
    assert_eq!(
        (got, answer["code"].as_str()),
        (409, Some("mail_not_configured")),
        "{answer}"
    );
    let page = client()
        .get(server.url(&format!("/e/{id}")))
        .send()
        .await
        .expect("GET")
        .text()
        .await
        .expect("page");
    assert!(!page.contains("/guest\""), "no form without SMTP");
    server.stop().await;
}

#[tokio::test]
async fn reminders_and_change_notices_arrive_once_across_a_restart() {
    let Some(smtp) = SmtpSink::start().await else {
        return;
    };
    for db in TestDb::all().await {
        let backend = db.backend;
        let settings = smtp.settings();
        let server = TestServer::start_with(db, |s| s.mail = Some(settings.clone())).await;
        let token = server.account("aino").await;
        server.community(&token, "kahvila", "open").await;
        // Tomorrow, a few seconds past a day from now: the reminder falls due during the test.
        let starts = Utc::now() + chrono::Duration::hours(24) + chrono::Duration::seconds(8);
        let e = event(
            &server,
            &token,
            json!({ "starts_at": starts.to_rfc3339(), "ends_at": (starts + chrono::Duration::hours(1)).to_rfc3339() }),
        )
        .await;
        let id = e["id"].as_str().expect("id").to_string();
        let to = format!("pekka.{backend}@example.fi");
        let link = ask(&server, &smtp, &id, "Pekka", &to, "fi").await;
        let http = client();
        http.post(format!("{link}/confirm"))
            .send()
            .await
            .expect("confirm");
        smtp.wait_for(&to, "Olet mukana").await;
        // The place changes: a notice, in Finnish, with the new place.
        let (status, _) = {
            let res = server
                .http
                .patch(server.url(&format!("/api/v1/events/{id}")))
                .bearer_auth(&token)
                .json(&json!({ "location": { "name": "Kirjasto Metso", "locality": "Tampere" } }))
                .send()
                .await
                .expect("PATCH");
            (res.status().as_u16(), ())
        };
        assert_eq!(status, 200);
        let change = smtp.wait_for(&to, "Muutos: Aamukahvit").await;
        assert!(
            change["text"]
                .as_str()
                .expect("text")
                .contains("Kirjasto Metso")
        );

        // Restarted before the reminder's time: what was sent is not sent again, the reminder goes once.
        let server = server.restart(|s| s.mail = Some(settings.clone())).await;
        let reminder = smtp.wait_for(&to, "Huomenna: Aamukahvit").await;
        assert!(
            reminder["text"]
                .as_str()
                .expect("text")
                .contains("Kirjasto Metso"),
            "{reminder}"
        );
        // Confirming again after the restart sends nothing new either.
        http.post(format!("{link}/confirm"))
            .send()
            .await
            .expect("confirm again");
        tokio::time::sleep(Duration::from_millis(1500)).await;
        for subject in [
            "Vahvista osallistumisesi",
            "Olet mukana",
            "Muutos: Aamukahvit",
            "Huomenna: Aamukahvit",
        ] {
            assert_eq!(smtp.to(&to, subject).len(), 1, "{backend}: {subject}");
        }
        assert_eq!(
            smtp.to(&to, "").len(),
            4,
            "{backend}: {:?}",
            smtp.subjects(&to)
        );
        // And each is marked sent: none is left to go again once its lease ends.
        for kind in [
            "guest_confirmation",
            "participation_confirmed",
            "event_changed",
            "reminder",
        ] {
            assert_eq!(unsent(&server, kind).await, vec![], "{backend}: {kind}");
        }
        server.stop().await;
    }
}

#[tokio::test]
async fn managers_hear_of_requests_and_a_one_click_unsubscribe_stops_one_kind() {
    let Some(smtp) = SmtpSink::start().await else {
        return;
    };
    let server =
        TestServer::start_with(TestDb::sqlite().await, |s| s.mail = Some(smtp.settings())).await;
    let token = server.account("aino").await;
    server.community(&token, "kahvila", "open").await;
    // The manager's address (set by an embedder that verified it, or by the company sign-in).
    server
        .verkosto
        .set_account_email("aino", Some("aino@kahvila.example"))
        .await
        .expect("email");
    let e = event(&server, &token, json!({ "join_mode": "approval" })).await;
    let id = e["id"].as_str().expect("id").to_string();
    let link = ask(&server, &smtp, &id, "Liisa", "liisa@example.fi", "fi").await;
    let http = client();
    http.post(format!("{link}/confirm"))
        .send()
        .await
        .expect("confirm");
    smtp.wait_for("liisa@example.fi", "Pyyntösi odottaa: Aamukahvit")
        .await;
    let note = smtp
        .wait_for("aino@kahvila.example", "Osallistumispyyntö: Aamukahvit")
        .await;
    assert!(
        note["text"]
            .as_str()
            .expect("text")
            .contains("Liisa pyytää päästä"),
        "{note}"
    );
    assert_eq!(participant_count(&server, &id).await, 0);
    // A follow request of a community that approves its followers: the manager hears of it once.
    server.community(&token, "sisainen", "approval").await;
    let (_sink, host, key) = crate::common::sink::Sink::serving_actors().await;
    let follower = crate::common::RemoteSigner::with_key(
        format!("http://{host}/actor/1"),
        &key.private_key_pem,
    );
    let follow = json!({ "id": format!("{}/follows/1", follower.actor), "type": "Follow",
                         "actor": follower.actor, "object": server.url("/c/sisainen") });
    assert_eq!(follower.post(&server, "/inbox", &follow).await.0, 202);
    let note = smtp
        .wait_for("aino@kahvila.example", "Follow request: sisainen")
        .await;
    assert!(
        note["text"]
            .as_str()
            .expect("text")
            .contains("/manage/c/sisainen"),
        "{note}"
    );
    assert_eq!(follower.post(&server, "/inbox", &follow).await.0, 202);

    // The manager accepts: the guest is in, and told so.
    let (_, participants) = server
        .get_json(&format!("/api/v1/events/{id}/participants"), Some(&token))
        .await;
    let pid = participants[0]["id"].as_i64().expect("participation id");
    let (status, _) = server
        .post_json(
            &format!("/api/v1/events/{id}/participants/{pid}/accept"),
            Some(&token),
            json!({}),
        )
        .await;
    assert_eq!(status, 200);
    let accepted = smtp
        .wait_for("liisa@example.fi", "Olet mukana: Aamukahvit")
        .await;

    // One click (RFC 8058) on the notice's List-Unsubscribe: change notices stop, nothing else.
    let unsubscribe = accepted["list_unsubscribe"]
        .as_str()
        .expect("header")
        .trim_matches(['<', '>'])
        .to_string();
    assert!(
        unsubscribe.contains("kind=participation_confirmed"),
        "{unsubscribe}"
    );
    let (settings_link, _) = unsubscribe.split_once('?').expect("query");
    let change_kind = format!("{settings_link}?kind=event_changed");
    let res = reqwest::Client::new()
        .post(&change_kind)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .expect("one click");
    assert_eq!(res.status(), 200);
    let res = server
        .http
        .patch(server.url(&format!("/api/v1/events/{id}")))
        .bearer_auth(&token)
        .json(&json!({ "location": { "name": "Kirjasto Metso" } }))
        .send()
        .await
        .expect("PATCH");
    assert_eq!(res.status(), 200);
    // The cancellation is a change notice too: not sent either. The reminder stays queued.
    let (status, _) = server
        .post_json(
            &format!("/api/v1/events/{id}/cancel"),
            Some(&token),
            json!({}),
        )
        .await;
    assert_eq!(status, 200);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(
        smtp.to("liisa@example.fi", "Muutos").is_empty(),
        "{:?}",
        smtp.subjects("liisa@example.fi")
    );
    assert!(
        smtp.to("liisa@example.fi", "Peruttu").is_empty(),
        "{:?}",
        smtp.subjects("liisa@example.fi")
    );
    // The settings page shows the kind off, and turns it back on.
    let page = http
        .get(&change_kind)
        .header("Accept-Language", "fi")
        .send()
        .await
        .expect("GET")
        .text()
        .await
        .expect("page");
    assert!(
        page.contains("value=\"event_changed\">"),
        "event_changed is unchecked: {page}"
    );
    assert_eq!(
        smtp.to("aino@kahvila.example", "Follow request").len(),
        1,
        "a repeated Follow is one request"
    );
    eventually(5, "nothing more to Liisa", || async {
        (smtp.to("liisa@example.fi", "").len() == 3).then_some(())
    })
    .await;
    server.stop().await;
}

#[tokio::test]
async fn signing_up_needs_the_address_confirmed_before_logging_in() {
    let Some(smtp) = SmtpSink::start().await else {
        return;
    };
    let server = TestServer::start_with(TestDb::sqlite().await, |s| {
        s.mail = Some(smtp.settings());
        s.open_registration = true;
    })
    .await;
    // With e-mail, an address is required.
    let (status, answer) = server
        .post_json(
            "/api/v1/accounts",
            None,
            json!({ "username": "uusi", "password": "salasana123" }),
        )
        .await;
    assert_eq!(
        (status, answer["field"].as_str(), answer["code"].as_str()),
        (422, Some("email"), Some("required"))
    );

    // The sign-up page, in Finnish.
    let http = client();
    let page = http
        .get(server.url("/login"))
        .header("Accept-Language", "fi")
        .send()
        .await
        .expect("GET")
        .text()
        .await
        .expect("page");
    assert!(
        page.contains("href=\"/signup\""),
        "the login page links the sign-up"
    );
    let csrf = form_token(&http, &server.url("/signup")).await;
    let res = http
        .post(server.url("/signup"))
        .header("Accept-Language", "fi")
        .form(&[
            ("csrf", csrf.as_str()),
            ("username", "liisa"),
            ("email", "Liisa@Example.FI"),
            ("password", "salasana123"),
        ])
        .send()
        .await
        .expect("POST");
    assert_eq!(res.status(), 200);
    assert!(
        res.text()
            .await
            .expect("page")
            .contains("Lähetimme vahvistuslinkin")
    );
    let login = json!({ "username": "liisa", "password": "salasana123" });
    let (status, answer) = server
        .post_json("/api/v1/auth/token", None, login.clone())
        .await;
    assert_eq!(
        (status, answer["code"].as_str()),
        (403, Some("email_unconfirmed"))
    );

    let mail = smtp
        .wait_for("liisa@example.fi", "Vahvista sähköpostiosoitteesi")
        .await;
    assert_eq!(mail["list_unsubscribe"], "");
    let link = link_in(mail["text"].as_str().expect("text"), "/confirm-email/");
    // Opening the link confirms nothing; its button does.
    let opened = http.get(&link).send().await.expect("GET");
    assert_eq!(opened.status(), 200);
    assert!(
        opened
            .text()
            .await
            .expect("page")
            .contains("Vahvista osoite")
    );
    let (status, _) = server
        .post_json("/api/v1/auth/token", None, login.clone())
        .await;
    assert_eq!(status, 403, "a GET of the link confirmed the address");
    let done = http.post(&link).send().await.expect("POST");
    assert_eq!(done.status(), 200);
    assert!(
        done.text()
            .await
            .expect("page")
            .contains("Osoite on vahvistettu.")
    );
    let (status, _) = server.post_json("/api/v1/auth/token", None, login).await;
    assert_eq!(status, 200);
    // The link is used up.
    let again = http.post(&link).send().await.expect("POST");
    assert_eq!(again.status(), 404);
    server.stop().await;
}
