//! Invitations into a members-only community (issue 18) and the members' personal feed, on running
//! servers: a local account invited by name is a member at once; a remote person invited by handle
//! may find the community's actor, and their follow is accepted without a manager (at once, if they
//! had asked already); someone not invited waits for a manager.

use serde_json::json;

use crate::common::smtp::{SmtpSink, link_in};
use crate::common::{RemoteSigner, TestDb, TestServer, eventually, web};
use crate::members_only::{As, NAME, NEWS, TITLE, created, event, get, members_only_community};

/// A signed `Follow` of A's `sisainen` by `who`, number `n`.
async fn follow(who: &RemoteSigner, a: &TestServer, n: u32) {
    let follow = json!({ "@context": "https://www.w3.org/ns/activitystreams",
                         "id": format!("{}/follows/{n}", who.actor), "type": "Follow",
                         "actor": who.actor, "object": a.url("/c/sisainen") });
    let (status, answer) = who.post(a, "/c/sisainen/inbox", &follow).await;
    assert_eq!(status, 202, "{}: {answer}", who.actor);
}

/// The actors whose follow of `sisainen` waits for a manager.
async fn waiting(a: &TestServer, owner: &str) -> Vec<String> {
    let (status, requests) = a
        .get_json("/api/v1/communities/sisainen/follow-requests", Some(owner))
        .await;
    assert_eq!(status, 200, "{requests}");
    requests
        .as_array()
        .expect("list")
        .iter()
        .map(|r| r["follower_ap_id"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// The text of `token`'s personal calendar feed.
async fn personal_feed(s: &TestServer, token: &str) -> String {
    let made = created(s, "/api/v1/calendar", token, json!({})).await;
    let url = made["url"].as_str().expect("feed url").to_string();
    let res = s.http.get(&url).send().await.expect("feed");
    assert_eq!(res.status(), 200, "{url}");
    res.text().await.expect("text")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invitations_let_people_in_and_members_get_their_feed() {
    for db in TestDb::all().await {
        let backend = db.backend;
        let a = TestServer::start(db).await;
        let b = TestServer::start(TestDb::sqlite().await).await;
        let owner = a.admin("omistaja").await;
        members_only_community(&a, &owner).await;
        let ev = created(
            &a,
            "/api/v1/communities/sisainen/events",
            &owner,
            event(TITLE, 12),
        )
        .await;
        assert_eq!(ev["visibility"], "members", "{backend}: {ev}");
        let pid = ev["id"].as_str().expect("id").to_string();

        // A local account: nothing before, a member once invited by name.
        let kalle = a.account("kalle").await;
        let ville = a.account("ville").await;
        let (status, _) = get(&a, "/c/sisainen", As::Page, Some(&kalle)).await;
        assert_eq!(status, 404, "{backend}");
        let (status, answer) = a
            .post_json(
                "/api/v1/communities/sisainen/invitations",
                Some(&kalle),
                json!({ "handle": "ville" }),
            )
            .await;
        assert_eq!(
            (status, answer["code"].clone()),
            (403, json!("not_a_manager")),
            "{backend}: only managers invite: {answer}"
        );
        let invited = created(
            &a,
            "/api/v1/communities/sisainen/invitations",
            &owner,
            json!({ "handle": "@kalle" }),
        )
        .await;
        assert!(invited["accepted_at"].is_string(), "{backend}: {invited}");
        let (status, page) = get(&a, "/c/sisainen", As::Page, Some(&kalle)).await;
        assert!(status == 200 && page.contains(NAME), "{backend}: {status}");

        // Its events come in the member's personal feed, not in anyone else's.
        assert!(personal_feed(&a, &kalle).await.contains(TITLE), "{backend}");
        assert!(
            !personal_feed(&a, &ville).await.contains(TITLE),
            "{backend}"
        );

        // Bad invitations are refused with a reason, and change nothing.
        for (body, field) in [
            (json!({ "handle": "  " }), "handle"),
            (json!({ "handle": "kalle", "role": "manager" }), "role"),
            (json!({ "handle": "nobody_here" }), ""),
        ] {
            let (status, answer) = a
                .post_json(
                    "/api/v1/communities/sisainen/invitations",
                    Some(&owner),
                    body,
                )
                .await;
            assert!(
                (400..500).contains(&status) && (field.is_empty() || answer["field"] == field),
                "{backend}: {status} {answer}"
            );
        }

        // Remote people on B.
        let b_host = b.url("/").trim_end_matches('/').replace("http://", "");
        let invitee = RemoteSigner::on(&b, "etajasen").await;
        let early = RemoteSigner::on(&b, "etuajassa").await;
        let stranger = RemoteSigner::on(&b, "kolmas").await;
        let (status, _) = invitee.get(&a.url("/c/sisainen")).await;
        assert_eq!(status, 404, "{backend}: not invited yet");

        // One asked before being invited: the invitation answers the request.
        follow(&early, &a, 1).await;
        assert_eq!(
            waiting(&a, &owner).await,
            std::slice::from_ref(&early.actor),
            "{backend}"
        );
        created(
            &a,
            "/api/v1/communities/sisainen/invitations",
            &owner,
            json!({ "handle": format!("etuajassa@{b_host}") }),
        )
        .await;
        assert!(waiting(&a, &owner).await.is_empty(), "{backend}");
        let (status, body) = early.get(&a.url(&format!("/e/{pid}"))).await;
        assert!(status == 200 && body.contains(TITLE), "{backend}: {status}");

        // One invited first: their server may find the community, their follow needs nobody.
        let invitation = created(
            &a,
            "/api/v1/communities/sisainen/invitations",
            &owner,
            json!({ "handle": format!("etajasen@{b_host}") }),
        )
        .await;
        assert_eq!(invitation["actor_ap_id"], invitee.actor, "{backend}");
        assert!(invitation["accepted_at"].is_null(), "{backend}");
        let (status, _) = invitee.get(&a.url("/c/sisainen")).await;
        assert_eq!(status, 200, "{backend}: an invited person finds the actor");
        let (status, _) = invitee.get(&a.url(&format!("/e/{pid}"))).await;
        assert_eq!(status, 404, "{backend}: but is no member before following");
        follow(&invitee, &a, 1).await;
        assert!(waiting(&a, &owner).await.is_empty(), "{backend}");
        let (status, body) = invitee.get(&a.url(&format!("/e/{pid}"))).await;
        assert!(status == 200 && body.contains(TITLE), "{backend}: {status}");

        // Someone not invited waits for a manager, and sees nothing meanwhile.
        follow(&stranger, &a, 1).await;
        assert_eq!(
            waiting(&a, &owner).await,
            std::slice::from_ref(&stranger.actor),
            "{backend}"
        );
        let (status, _) = stranger.get(&a.url(&format!("/e/{pid}"))).await;
        assert_eq!(status, 404, "{backend}");

        // The list, and taking one back (once).
        let (status, list) = a
            .get_json("/api/v1/communities/sisainen/invitations", Some(&owner))
            .await;
        assert_eq!(status, 200, "{backend}");
        assert_eq!(list.as_array().map(Vec::len), Some(3), "{backend}: {list}");
        let id = invitation["id"].as_i64().expect("id");
        let path = format!("/api/v1/communities/sisainen/invitations/{id}");
        let res = a
            .http
            .delete(a.url(&path))
            .bearer_auth(&owner)
            .send()
            .await
            .expect("delete");
        assert_eq!(res.status(), 204, "{backend}");
        let res = a
            .http
            .delete(a.url(&path))
            .bearer_auth(&owner)
            .send()
            .await
            .expect("delete");
        assert_eq!(res.status(), 404, "{backend}");
        let answer: serde_json::Value = res.json().await.expect("json");
        assert_eq!(answer["code"], "no_such_invitation", "{backend}");

        b.stop().await;
        a.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invitation_by_email_makes_whoever_takes_it_up_a_member() {
    let Some(smtp) = SmtpSink::start().await else {
        return;
    };
    for db in TestDb::all().await {
        let backend = db.backend;
        let address = format!("liisa.{backend}@intunex.example");
        let a = TestServer::start_with(db, |s| s.mail = Some(smtp.settings())).await;
        let owner = a.account("omistaja").await;
        members_only_community(&a, &owner).await;
        let liisa = a.account("liisa").await;

        // Both a handle and an address, or neither: refused, naming the field.
        for body in [json!({}), json!({ "handle": "liisa", "email": address })] {
            let (status, answer) = a
                .post_json(
                    "/api/v1/communities/sisainen/invitations",
                    Some(&owner),
                    body,
                )
                .await;
            assert_eq!(
                (status, answer["code"].clone()),
                (422, json!("invitation_target")),
                "{backend}: {answer}"
            );
        }
        let (status, answer) = a
            .post_json(
                "/api/v1/communities/sisainen/invitations",
                Some(&owner),
                json!({ "email": "ei osoite" }),
            )
            .await;
        assert_eq!(
            (status, answer["field"].clone()),
            (422, json!("email")),
            "{backend}"
        );

        let invitation = created(
            &a,
            "/api/v1/communities/sisainen/invitations",
            &owner,
            json!({ "email": address, "language": "fi" }),
        )
        .await;
        assert_eq!(invitation["email"], address, "{backend}");
        let mail = smtp
            .wait_for(&address, &format!("Kutsu yhteisöön {NAME}"))
            .await;
        let link = link_in(mail["text"].as_str().expect("text"), "/invitation/");

        // Opening the link names the community and changes nothing; logged out, it asks to log in.
        let browser = web::client();
        let page = browser.get(&link).send().await.expect("page");
        assert_eq!(page.status(), 200, "{backend}");
        let page = page.text().await.expect("text");
        assert!(
            page.contains(NAME) && page.contains("/login?next="),
            "{backend}: {page}"
        );
        let path = url::Url::parse(&link).expect("link").path().to_string();
        let res = web::post_login(&a, &browser, "liisa", &path).await;
        assert_eq!(res.status(), 303, "{backend}");
        let (status, _) = a
            .get_json("/api/v1/communities/sisainen", Some(&liisa))
            .await;
        assert_eq!(status, 404, "{backend}: not a member by opening the link");

        // The button makes her a member.
        let csrf = web::form_token(&browser, &link).await;
        let res = browser
            .post(&link)
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .expect("join");
        assert_eq!(res.status(), 303, "{backend}");
        assert_eq!(
            res.headers()["location"].to_str().expect("location"),
            "/c/sisainen",
            "{backend}"
        );
        let page = browser
            .get(a.url("/c/sisainen"))
            .header("accept", "text/html")
            .send()
            .await
            .expect("page");
        assert_eq!(page.status(), 200, "{backend}");

        // The link is hers now: someone else holding it is refused.
        let toinen = a.account("toinen").await;
        let other = web::client();
        web::post_login(&a, &other, "toinen", "/manage").await;
        let csrf = web::form_token(&other, &link).await;
        let res = other
            .post(&link)
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .expect("join");
        assert_eq!(res.status(), 404, "{backend}");
        let (status, _) = a
            .get_json("/api/v1/communities/sisainen", Some(&toinen))
            .await;
        assert_eq!(status, 404, "{backend}");
        a.stop().await;
    }
}

/// The titles in `token`'s timeline on `s`.
async fn timeline_titles(s: &TestServer, token: &str) -> Vec<String> {
    let (status, items) = s.get_json("/api/v1/timeline", Some(token)).await;
    assert_eq!(status, 200, "{items}");
    items
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|i| i["title"].as_str().map(str::to_string))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_on_another_verkosto_follows_by_invitation_and_takes_part() {
    for db in TestDb::all().await {
        let backend = db.backend;
        let a = TestServer::start(db).await;
        let b = TestServer::start(TestDb::sqlite().await).await;
        let owner = a.account("omistaja").await;
        members_only_community(&a, &owner).await;
        let member = b.account("etajasen").await;
        let neighbour = b.account("naapuri").await;
        let handle = format!("sisainen@{}", a.domain);

        // Not invited: B cannot even find the community.
        let (status, answer) = b
            .post_json(
                "/api/v1/follows",
                Some(&member),
                json!({ "handle": handle }),
            )
            .await;
        assert!((400..500).contains(&status), "{backend}: {status} {answer}");

        // Invited, B's own follow goes through and is accepted without a manager.
        created(
            &a,
            "/api/v1/communities/sisainen/invitations",
            &owner,
            json!({ "handle": format!("etajasen@{}", b.domain) }),
        )
        .await;
        let (status, answer) = b
            .post_json(
                "/api/v1/follows",
                Some(&member),
                json!({ "handle": handle }),
            )
            .await;
        assert_eq!(status, 201, "{backend}: {answer}");
        eventually(10, "the Accept to reach B", || async {
            let (_, follows) = b.get_json("/api/v1/follows", Some(&member)).await;
            (follows[0]["state"] == "accepted").then_some(())
        })
        .await;

        // A members-only event reaches B, where only the member sees it.
        created(
            &a,
            "/api/v1/communities/sisainen/events",
            &owner,
            event(TITLE, 14),
        )
        .await;
        let titles = eventually(10, "the event to reach B", || async {
            let titles = timeline_titles(&b, &member).await;
            titles.contains(&TITLE.to_string()).then_some(titles)
        })
        .await;
        assert_eq!(titles, [TITLE], "{backend}");
        assert!(
            timeline_titles(&b, &neighbour).await.is_empty(),
            "{backend}"
        );
        let (_, items) = b.get_json("/api/v1/timeline", Some(&member)).await;
        let b_id = items[0]["id"].as_str().expect("id").to_string();
        for (token, seen) in [
            (Some(member.as_str()), true),
            (Some(neighbour.as_str()), false),
            (None, false),
        ] {
            let (status, page) = get(&b, &format!("/e/{b_id}"), As::Page, token).await;
            assert_eq!(
                (status == 200, page.contains(TITLE)),
                (seen, seen),
                "{backend}: B's page of the event for {token:?}"
            );
        }
        let feed = b
            .http
            .get(b.url("/instance/events.ics"))
            .send()
            .await
            .expect("feed")
            .text()
            .await
            .expect("text");
        assert!(!feed.contains(TITLE), "{backend}: B's instance calendar");

        // A members-only announcement too: in the member's timeline on B, in nobody else's.
        created(
            &a,
            "/api/v1/communities/sisainen/announcements",
            &owner,
            json!({ "content": NEWS }),
        )
        .await;
        eventually(10, "the announcement to reach B", || async {
            let (_, items) = b.get_json("/api/v1/timeline", Some(&member)).await;
            items.to_string().contains(NEWS).then_some(())
        })
        .await;
        let (_, theirs) = b.get_json("/api/v1/timeline", Some(&neighbour)).await;
        assert!(!theirs.to_string().contains(NEWS), "{backend}: {theirs}");

        // The member takes part from B; A counts them.
        let (status, answer) = b
            .post_json(
                &format!("/api/v1/events/{b_id}/participation"),
                Some(&member),
                json!({}),
            )
            .await;
        assert_eq!(status, 201, "{backend}: {answer}");
        let a_id = {
            let (_, list) = a
                .get_json("/api/v1/communities/sisainen/events", Some(&owner))
                .await;
            list[0]["id"].as_str().expect("id").to_string()
        };
        eventually(10, "the Join to reach A", || async {
            let (_, people) = a
                .get_json(&format!("/api/v1/events/{a_id}/participants"), Some(&owner))
                .await;
            people
                .as_array()?
                .iter()
                .any(|p| p["participant_ap_id"] == b.url("/u/etajasen"))
                .then_some(())
        })
        .await;
        b.stop().await;
        a.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_event_form_publishes_a_members_only_event_in_a_public_community() {
    let db = TestDb::sqlite().await;
    let a = TestServer::start(db).await;
    let owner = a.account("maija").await;
    a.community(&owner, "avoin", "open").await;
    let browser = web::client();
    web::post_login(&a, &browser, "maija", "/manage").await;
    let form_url = a.url("/manage/c/avoin/events/new");
    let page = browser.get(&form_url).send().await.expect("form");
    assert!(
        page.text()
            .await
            .expect("text")
            .contains("name=\"members_only\""),
        "a public community's new-event form offers members only"
    );
    let csrf = web::form_token(&browser, &form_url).await;
    for (title, members_only) in [("Avoin aamukahvi", ""), (TITLE, "on")] {
        let res = browser
            .post(&form_url)
            .form(&[
                ("csrf", csrf.as_str()),
                ("title", title),
                ("starts_at", "2031-01-27T09:00"),
                ("ends_at", "2031-01-27T10:00"),
                ("timezone", "Europe/Helsinki"),
                ("members_only", members_only),
                ("action", "save"),
            ])
            .send()
            .await
            .expect("publish");
        assert_eq!(res.status(), 303, "{title}");
        let at = res.headers()["location"]
            .to_str()
            .expect("location")
            .to_string();
        let (status, body) = get(&a, &at, As::Page, None).await;
        assert_eq!(
            (status, body.contains(title)),
            if members_only.is_empty() {
                (200, true)
            } else {
                (404, false)
            },
            "{title} for anonymous"
        );
        let (status, _) = get(&a, &at, As::Page, Some(&owner)).await;
        assert_eq!(status, 200, "{title} for its manager");
    }
    // A members-only community's form does not offer it: everything there is for members.
    members_only_community(&a, &owner).await;
    let page = browser
        .get(a.url("/manage/c/sisainen/events/new"))
        .send()
        .await
        .expect("form");
    assert!(
        !page
            .text()
            .await
            .expect("text")
            .contains("name=\"members_only\"")
    );
    a.stop().await;
}
