//! Members-only communities (issue 18), on running servers: what a members-only community publishes is
//! seen by its members (local accounts with a membership, remote actors whose follow it accepted,
//! administrators) and by nobody else, on no page, feed, collection, list, count or document-cache
//! entry. Deliveries and remote members are in `members_only_delivery`.
//!
//! Every check of a hidden thing also reads its secret texts out of the answer: a 404 whose body
//! shows the title is still a leak. The members' own reads come first, so that a document the cache
//! kept for a member would be served to the anonymous reads after them.

use std::time::Duration;

use serde_json::{Value, json};
use verkosto::model::{MembershipState, Role};

use crate::common::sink::{Sink, follow_from_sink};
use crate::common::{RemoteSigner, TestDb, TestServer, eventually};

pub(crate) const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";
/// The members-only community's shown name, and what it publishes: ASCII and short, so that no
/// escaping or iCalendar line folding could hide a leak from `contains`.
pub(crate) const NAME: &str = "Sisapiirin Seura";
pub(crate) const TITLE: &str = "Salainen saunailta";
pub(crate) const NEWS: &str = "Avain on kukkaruukun alla";
pub(crate) const COMMENT: &str = "Tuon makkarat mukanani";

/// How a surface is asked for.
#[derive(Clone, Copy, Debug)]
pub(crate) enum As {
    /// A browser (`text/html`).
    Page,
    /// A fediverse server (`application/activity+json`).
    Ap,
    /// A calendar app, a feed reader or an API client.
    Plain,
}

/// GETs `path` as `kind` asks; with `token` (when given) as both the session cookie and the bearer
/// token, so the pages and the API alike know who asks. The status and the body.
pub(crate) async fn get(
    s: &TestServer,
    path: &str,
    kind: As,
    token: Option<&str>,
) -> (u16, String) {
    let accept = match kind {
        As::Page => "text/html",
        As::Ap => "application/activity+json",
        As::Plain => "*/*",
    };
    let mut req = s
        .http
        .get(s.url(path))
        .header("accept", accept)
        .header("accept-language", "en");
    if let Some(t) = token {
        req = req
            .bearer_auth(t)
            .header("cookie", format!("verkosto_session={t}"));
    }
    let res = req.send().await.expect("GET");
    let status = res.status().as_u16();
    (status, res.text().await.unwrap_or_default())
}

/// Which of `secrets` the body shows.
pub(crate) fn shown<'a>(body: &str, secrets: &'a [String]) -> Vec<&'a str> {
    secrets
        .iter()
        .filter(|s| body.contains(s.as_str()))
        .map(String::as_str)
        .collect()
}

/// Fails when the body shows any of `secrets`, naming them and `what`.
pub(crate) fn assert_silent(body: &str, secrets: &[String], what: &str) {
    let leaked = shown(body, secrets);
    assert!(leaked.is_empty(), "{what} shows {leaked:?}: {body}");
}

/// POSTs and expects 201: the answer.
pub(crate) async fn created(s: &TestServer, path: &str, token: &str, body: Value) -> Value {
    let (status, answer) = s.post_json(path, Some(token), body).await;
    assert_eq!(status, 201, "{path}: {answer}");
    answer
}

/// A new event on a day of June 2030 (upcoming, and in the month the calendars below show).
pub(crate) fn event(title: &str, day: u32) -> Value {
    json!({ "title": title, "starts_at": format!("2030-06-{day:02}T18:00:00+03:00"),
            "ends_at": format!("2030-06-{day:02}T20:00:00+03:00"),
            "location": { "name": "Sauna", "locality": "Oulu" } })
}

/// Creates the members-only community `sisainen` owned by `token`'s account, and checks what the
/// answer says of it.
pub(crate) async fn members_only_community(s: &TestServer, token: &str) -> Value {
    let c = created(
        s,
        "/api/v1/communities",
        token,
        json!({ "name": "sisainen", "display_name": NAME, "summary": "Vain jasenille", "visibility": "members" }),
    )
    .await;
    assert_eq!(c["visibility"], "members", "{c}");
    assert_eq!(
        c["follow_policy"], "approval",
        "members-only means a manager approves followers: {c}"
    );
    c
}

/// Gives `username` an active plain membership of `community` (no API makes one yet besides the
/// company sign-in rules; a demoted manager stays a member, as this is).
pub(crate) async fn make_member(s: &TestServer, community: &str, username: &str) {
    let c = s.verkosto.community(community).await.expect("community");
    let account = s.verkosto.account(username).await.expect("account");
    let mut conn = s.verkosto.db().acquire().await.expect("acquire");
    verkosto::store::communities::upsert_membership(
        &mut conn.conn(),
        c.id,
        account.id,
        Role::Member,
        MembershipState::Active,
    )
    .await
    .expect("membership");
}

/// A reply (`Create{Note}`) by `who` to `in_reply_to`, number `n`.
pub(crate) fn reply(who: &RemoteSigner, n: u32, in_reply_to: &str, text: &str) -> Value {
    json!({ "@context": "https://www.w3.org/ns/activitystreams",
            "id": format!("{}/replies/{n}", who.actor), "type": "Create", "actor": who.actor,
            "object": { "id": format!("{}/notes/{n}", who.actor), "type": "Note", "attributedTo": who.actor,
                        "inReplyTo": in_reply_to, "content": format!("<p>{text}</p>"),
                        "published": "2030-01-01T10:00:00Z" } })
}

/// NodeInfo's count of posts and of communities.
async fn nodeinfo_counts(s: &TestServer) -> (Value, Value) {
    let (status, doc) = s.get_json("/nodeinfo/2.1", None).await;
    assert_eq!(status, 200);
    (
        doc["usage"]["localPosts"].clone(),
        doc["metadata"]["communities"].clone(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_only_community_leaks_nowhere() {
    for db in TestDb::all().await {
        let backend = db.backend;
        // Kept for an hour: only correct keying and invalidation keep the cache from leaking.
        let a =
            TestServer::start_with(db, |s| s.document_cache_ttl = Duration::from_secs(3600)).await;
        let b = TestServer::start(TestDb::sqlite().await).await;
        let owner = a.account("omistaja").await;
        let member = a.account("jasen").await;
        let outsider = a.account("ulla").await;
        let admin = a.admin("yllapito").await;
        // A non-member elsewhere, on an instance where nobody is a member (so nothing there vouches).
        let stranger = RemoteSigner::on(&b, "vieras").await;
        let bruno = b.account("bruno").await;
        let (sink, host, key) = Sink::serving_actors().await;
        let remote_member =
            RemoteSigner::with_key(format!("http://{host}/actor/1"), &key.private_key_pem);

        // The public side: a network, a community in it with an event of its own, and a person on
        // B who follows both (a leak through either would reach their timeline).
        created(
            &a,
            "/api/v1/communities",
            &owner,
            json!({ "name": "verkko", "display_name": "Verkko", "kind": "network" }),
        )
        .await;
        a.community(&owner, "avoin", "open").await;
        let network = format!("verkko@{}", a.domain);
        let m = created(
            &a,
            "/api/v1/communities/avoin/networks",
            &owner,
            json!({ "handle": network }),
        )
        .await;
        assert_eq!(m["state"], "active", "{backend}: {m}");
        created(
            &a,
            "/api/v1/communities/avoin/events",
            &owner,
            event("Avoin kahvitus", 10),
        )
        .await;
        for handle in [format!("avoin@{}", a.domain), network.clone()] {
            created(&b, "/api/v1/follows", &bruno, json!({ "handle": handle })).await;
        }
        eventually(15, "B's two follows accepted", || async {
            let (_, f) = b.get_json("/api/v1/follows", Some(&bruno)).await;
            let f = f.as_array()?.clone();
            (f.len() == 2 && f.iter().all(|x| x["state"] == "accepted")).then_some(())
        })
        .await;
        let counts_before = nodeinfo_counts(&a).await;

        // The members-only community: a local member, a remote member (the sink's actor 1, an
        // accepted follower), an attempt to join the network, an event co-hosted by the public
        // community, an announcement and the remote member's comment.
        members_only_community(&a, &owner).await;
        make_member(&a, "sisainen", "jasen").await;
        follow_from_sink(&a.verkosto, "sisainen", &sink, &host, [1]).await;
        let (status, joined) = a
            .post_json(
                "/api/v1/communities/sisainen/networks",
                Some(&owner),
                json!({ "handle": network }),
            )
            .await;
        // Either refused, or a member the network's lists must keep quiet about.
        assert!(
            status == 201 || (400..500).contains(&status),
            "{backend}: {status} {joined}"
        );
        let mut body = event(TITLE, 12);
        body["cohosts"] = json!(["avoin"]);
        let ev = created(&a, "/api/v1/communities/sisainen/events", &owner, body).await;
        assert_eq!(
            ev["visibility"], "members",
            "{backend}: the community's by default: {ev}"
        );
        assert_eq!(ev["cohosts"], json!([a.url("/c/avoin")]), "{backend}");
        let an = created(
            &a,
            "/api/v1/communities/sisainen/announcements",
            &owner,
            json!({ "content": NEWS }),
        )
        .await;
        assert_eq!(an["visibility"], "members", "{backend}: {an}");
        let pid = ev["id"].as_str().expect("id").to_string();
        let ev_ap = ev["ap_id"].as_str().expect("ap_id").to_string();
        let aid = an["id"].as_str().expect("id").to_string();
        let an_ap = an["ap_id"].as_str().expect("ap_id").to_string();
        let (status, answer) = remote_member
            .post(&a, "/inbox", &reply(&remote_member, 1, &ev_ap, COMMENT))
            .await;
        assert_eq!(status, 202, "{backend}: a member's reply: {answer}");

        // The member's deliveries give the ids of the community's activities.
        let activities: Vec<String> =
            eventually(15, "the Creates at the member's inbox", || async {
                let got = sink.accepted();
                let created_object = |id: &str| {
                    got.iter()
                        .any(|s| s.kind == "Create" && s.body["object"]["id"] == id)
                };
                (created_object(ev_ap.as_str()) && created_object(an_ap.as_str())).then(|| {
                    got.iter()
                        .map(|s| s.activity_id.clone())
                        .filter(|id| id.starts_with(&a.url("/activities/")))
                        .collect::<Vec<String>>()
                })
            })
            .await;

        assert!(activities.len() >= 2, "{backend}: {activities:?}");

        // Nothing of it is counted.
        assert_eq!(
            nodeinfo_counts(&a).await,
            counts_before,
            "{backend}: NodeInfo counts a members-only community and its posts"
        );

        // One anonymous read before any member's, so a cached "not found" cannot pass the test.
        let (status, _, _) = a.get_ap(&format!("/e/{pid}")).await;
        assert_eq!(status, 404, "{backend}");

        // Members see it all: the owner, a plain member, an administrator, the remote member.
        for (who, token) in [("owner", &owner), ("member", &member), ("admin", &admin)] {
            let (status, c) = a
                .get_json("/api/v1/communities/sisainen", Some(token))
                .await;
            assert_eq!(
                (status, c["visibility"].as_str()),
                (200, Some("members")),
                "{backend}: {who}: {c}"
            );
            for (path, text) in [
                ("/api/v1/communities/sisainen/events", TITLE),
                ("/api/v1/communities/sisainen/announcements", NEWS),
            ] {
                let (status, body) = get(&a, path, As::Plain, Some(token)).await;
                assert!(
                    status == 200 && body.contains(text),
                    "{backend}: {who}: {path}: {status} {body}"
                );
            }
        }
        let (status, body) = get(
            &a,
            &format!("/api/v1/events/{pid}/comments"),
            As::Plain,
            Some(&owner),
        )
        .await;
        assert!(
            status == 200 && body.contains(COMMENT),
            "{backend}: the member's comment is kept: {status} {body}"
        );
        for (path, texts) in [
            ("/c/sisainen".to_string(), vec![NAME]),
            (format!("/e/{pid}"), vec![TITLE, COMMENT]),
            (format!("/a/{aid}"), vec![NEWS]),
        ] {
            let (status, body) = get(&a, &path, As::Page, Some(&member)).await;
            assert_eq!(status, 200, "{backend}: the member's page {path}");
            for text in texts {
                assert!(body.contains(text), "{backend}: {text} on {path}: {body}");
            }
        }
        let signed = [
            ("/c/sisainen".to_string(), NAME.to_string()),
            (format!("/e/{pid}"), TITLE.to_string()),
            (format!("/a/{aid}"), NEWS.to_string()),
            (
                format!("/e/{pid}/replies"),
                format!("{}/notes/1", remote_member.actor),
            ),
            ("/c/sisainen/outbox".to_string(), "totalItems".to_string()),
        ];
        for (path, text) in &signed {
            let (status, body) = remote_member.get(&a.url(path)).await;
            assert!(
                status == 200 && body.contains(text.as_str()),
                "{backend}: the remote member's signed GET of {path}: {status} {body}"
            );
        }

        // Everyone else meets 404 everywhere, and no secret in the body: anonymous, a logged-in
        // local non-member, and a remote non-member's signed fetch (after the members' reads above,
        // so the document cache is tried too).
        let words: Vec<String> = [TITLE, NEWS, COMMENT, NAME].map(String::from).to_vec();
        let mut hidden: Vec<(String, As)> = [
            ("/c/sisainen", As::Page),
            ("/c/sisainen", As::Ap),
            ("/c/sisainen/outbox", As::Ap),
            ("/c/sisainen/outbox?page=1", As::Ap),
            ("/c/sisainen/followers", As::Ap),
            ("/c/sisainen/moderators", As::Ap),
            ("/c/sisainen/members", As::Ap),
            ("/c/sisainen/members.geojson", As::Plain),
            ("/c/sisainen/calendar?month=2030-06", As::Page),
            ("/c/sisainen/embed", As::Page),
            ("/c/sisainen/upcoming", As::Ap),
            ("/c/sisainen/events.ics", As::Plain),
            ("/c/sisainen/feed.atom", As::Plain),
            ("/api/v1/communities/sisainen", As::Plain),
            ("/api/v1/communities/sisainen/events", As::Plain),
            ("/api/v1/communities/sisainen/announcements", As::Plain),
        ]
        .map(|(p, k)| (p.to_string(), k))
        .to_vec();
        hidden.extend([
            (format!("/e/{pid}"), As::Page),
            (format!("/e/{pid}"), As::Ap),
            (format!("/e/{pid}.ics"), As::Plain),
            (format!("/e/{pid}/replies"), As::Ap),
            (format!("/a/{aid}"), As::Page),
            (format!("/a/{aid}"), As::Ap),
            (format!("/api/v1/events/{pid}"), As::Plain),
            (format!("/api/v1/events/{pid}/comments"), As::Plain),
            (format!("/api/v1/announcements/{aid}"), As::Plain),
        ]);
        // Its activities too (whether members may fetch them one by one is left open here).
        hidden.extend(activities.iter().map(|id| {
            let path = id.strip_prefix(&a.base).expect("a local activity");
            (path.to_string(), As::Ap)
        }));
        for (path, kind) in &hidden {
            for (who, token) in [("anonymous", None), ("a local non-member", Some(&outsider))] {
                let (status, body) = get(&a, path, *kind, token.map(String::as_str)).await;
                assert_eq!(status, 404, "{backend}: {who}: {path} as {kind:?}: {body}");
                assert_silent(&body, &words, &format!("{backend}: {who}: {path}"));
            }
            let (status, body) = stranger.get(&a.url(path)).await;
            assert_eq!(
                status, 404,
                "{backend}: a remote non-member's signed GET of {path}: {body}"
            );
            assert_silent(&body, &words, &format!("{backend}: signed {path}"));
        }

        // Nor is it listed anywhere: these answer, and show neither its texts nor its ids.
        let mut secrets = words.clone();
        secrets.extend([pid.clone(), aid.clone(), "/c/sisainen".to_string()]);
        let listings = [
            ("/", As::Page),
            ("/api/v1/communities", As::Plain),
            ("/instance/calendar", As::Page),
            ("/instance/events.ics", As::Plain),
            ("/c/avoin", As::Page),
            ("/c/avoin", As::Ap),
            ("/c/avoin/outbox?page=1", As::Ap),
            ("/c/avoin/upcoming", As::Ap),
            ("/c/avoin/events.ics", As::Plain),
            ("/c/avoin/calendar?month=2030-06", As::Page),
            ("/c/avoin/embed", As::Page),
            ("/c/avoin/feed.atom", As::Plain),
            ("/api/v1/communities/avoin/events", As::Plain),
            ("/api/v1/communities/avoin/announcements", As::Plain),
            ("/c/verkko", As::Page),
            ("/c/verkko/events.ics", As::Plain),
            ("/c/verkko/calendar?month=2030-06", As::Page),
            ("/c/verkko/members", As::Ap),
            ("/c/verkko/members.geojson", As::Plain),
            ("/c/verkko/upcoming", As::Ap),
            ("/api/v1/communities/verkko/directory", As::Plain),
            ("/api/v1/communities/verkko/members", As::Plain),
            ("/api/v1/communities/verkko/events", As::Plain),
        ];
        for (path, kind) in listings {
            for (who, token) in [("anonymous", None), ("a local non-member", Some(&outsider))] {
                let (status, body) = get(&a, path, kind, token.map(String::as_str)).await;
                assert_eq!(status, 200, "{backend}: {who}: {path}: {body}");
                assert_silent(&body, &secrets, &format!("{backend}: {who}: {path}"));
            }
            if matches!(kind, As::Ap) {
                let (_, body) = stranger.get(&a.url(path)).await;
                assert_silent(&body, &secrets, &format!("{backend}: signed {path}"));
            }
        }
        // The lists do work: the public community's own event is in them.
        for path in [
            "/api/v1/communities/avoin/events",
            "/c/avoin/events.ics",
            "/api/v1/communities/verkko/events",
        ] {
            let (_, body) = get(&a, path, As::Plain, None).await;
            assert!(body.contains("Avoin kahvitus"), "{backend}: {path}: {body}");
        }

        // WebFinger: nothing, or the bare minimum to address it.
        let res = a
            .http
            .get(a.url(&format!(
                "/.well-known/webfinger?resource=acct:sisainen@{}",
                a.domain
            )))
            .send()
            .await
            .expect("webfinger");
        let status = res.status().as_u16();
        let wf: Value = res.json().await.unwrap_or(Value::Null);
        if status != 404 {
            assert_eq!(status, 200, "{backend}: {wf}");
            let keys: Vec<&String> = wf.as_object().expect("object").keys().collect();
            assert!(
                keys.iter().all(|k| *k == "subject" || *k == "links"),
                "{backend}: {wf}"
            );
            let links = wf["links"].as_array().expect("links");
            assert!(
                links.len() == 1 && links[0]["rel"] == "self",
                "{backend}: only the self link: {wf}"
            );
            assert_silent(&wf.to_string(), &words, &format!("{backend}: WebFinger"));
        }

        // A fence: a public event published after all of it reaches B's follower; the members-only
        // one (co-hosted by what they follow) never did.
        created(
            &a,
            "/api/v1/communities/avoin/events",
            &owner,
            event("Avoin aita", 20),
        )
        .await;
        let timeline = eventually(15, "the public event in B's timeline", || async {
            let (_, tl) = b.get_json("/api/v1/timeline", Some(&bruno)).await;
            let tl = tl.to_string();
            tl.contains("Avoin aita").then_some(tl)
        })
        .await;
        assert_silent(&timeline, &secrets, &format!("{backend}: B's timeline"));
        a.stop().await;
        b.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changing_to_members_keeps_already_public_things_public() {
    for db in TestDb::all().await {
        let backend = db.backend;
        let s = TestServer::start(db).await;
        let owner = s.account("omistaja").await;
        s.community(&owner, "muuttuva", "open").await;
        s.community(&owner, "avoin", "open").await;
        let before = created(
            &s,
            "/api/v1/communities/muuttuva/events",
            &owner,
            event("Ennen muutosta", 5),
        )
        .await;
        assert_eq!(before["visibility"], "public", "{backend}: {before}");

        let res = s
            .http
            .patch(s.url("/api/v1/communities/muuttuva"))
            .bearer_auth(&owner)
            .json(&json!({ "visibility": "members" }))
            .send()
            .await
            .expect("patch");
        assert_eq!(res.status(), 200, "{backend}");
        let c: Value = res.json().await.expect("json");
        assert_eq!(
            (c["visibility"].as_str(), c["follow_policy"].as_str()),
            (Some("members"), Some("approval")),
            "{backend}: {c}"
        );
        // Whatever the answer to asking for an open policy now, the policy stays approval.
        let _ = s
            .http
            .patch(s.url("/api/v1/communities/muuttuva"))
            .bearer_auth(&owner)
            .json(&json!({ "follow_policy": "open" }))
            .send()
            .await
            .expect("patch");
        let (_, c) = s
            .get_json("/api/v1/communities/muuttuva", Some(&owner))
            .await;
        assert_eq!(c["follow_policy"], "approval", "{backend}: {c}");

        // What was already public stays public (it may have been copied anywhere); what comes
        // after the change is for members.
        let old = before["id"].as_str().expect("id");
        for kind in [As::Page, As::Ap] {
            let (status, body) = get(&s, &format!("/e/{old}"), kind, None).await;
            assert!(
                status == 200 && body.contains("Ennen muutosta"),
                "{backend}: {kind:?}: {status} {body}"
            );
        }
        let after = created(
            &s,
            "/api/v1/communities/muuttuva/events",
            &owner,
            event("Muutoksen jalkeen", 6),
        )
        .await;
        assert_eq!(after["visibility"], "members", "{backend}: {after}");
        let new = after["id"].as_str().expect("id");
        for kind in [As::Page, As::Ap] {
            let (status, body) = get(&s, &format!("/e/{new}"), kind, None).await;
            assert_eq!(status, 404, "{backend}: {kind:?}: {body}");
            assert!(!body.contains("Muutoksen jalkeen"), "{backend}: {body}");
            let (status, _) = get(&s, "/c/muuttuva", kind, None).await;
            assert_eq!(status, 404, "{backend}: the community is members-only now");
        }

        // A members-only event of a public community: hidden alone, its community still public.
        let mut body = event("Vain seuraajille", 7);
        body["visibility"] = json!("members");
        let only = created(&s, "/api/v1/communities/avoin/events", &owner, body).await;
        assert_eq!(only["visibility"], "members", "{backend}: {only}");
        let only = only["id"].as_str().expect("id");
        for kind in [As::Page, As::Ap] {
            let (status, body) = get(&s, &format!("/e/{only}"), kind, None).await;
            assert_eq!(status, 404, "{backend}: {kind:?}: {body}");
            assert!(!body.contains("Vain seuraajille"), "{backend}");
        }
        for path in [
            "/api/v1/communities/avoin/events",
            "/c/avoin/events.ics",
            "/c/avoin/upcoming",
        ] {
            let (status, body) = get(&s, path, As::Plain, None).await;
            assert_eq!(status, 200, "{backend}: {path}");
            assert!(
                !body.contains("Vain seuraajille") && !body.contains(only),
                "{backend}: {path}: {body}"
            );
        }
        let (_, body) = get(
            &s,
            "/api/v1/communities/avoin/events",
            As::Plain,
            Some(&owner),
        )
        .await;
        assert!(
            body.contains("Vain seuraajille"),
            "{backend}: its manager sees it: {body}"
        );

        // A members-only announcement of a public community, likewise.
        let news = "Vain jasenten tiedote";
        let posted = created(
            &s,
            "/api/v1/communities/avoin/announcements",
            &owner,
            json!({ "content": news, "visibility": "members" }),
        )
        .await;
        let id = posted["id"].as_str().expect("id");
        for (path, kind, status) in [
            (format!("/a/{id}"), As::Page, 404),
            (format!("/a/{id}"), As::Ap, 404),
            (format!("/api/v1/announcements/{id}"), As::Plain, 404),
            ("/c/avoin".to_string(), As::Page, 200),
            ("/c/avoin/feed.atom".to_string(), As::Plain, 200),
            (
                "/api/v1/communities/avoin/announcements".to_string(),
                As::Plain,
                200,
            ),
        ] {
            let (got, body) = get(&s, &path, kind, None).await;
            assert_eq!(got, status, "{backend}: {path}");
            assert!(!body.contains(news), "{backend}: {path}: {body}");
        }
        let (_, body) = get(
            &s,
            "/api/v1/communities/avoin/announcements",
            As::Plain,
            Some(&owner),
        )
        .await;
        assert!(body.contains(news), "{backend}: its manager sees it");
        s.stop().await;
    }
}
