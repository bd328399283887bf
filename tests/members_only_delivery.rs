//! Members-only communities (issue 18) over the wire: what they publish is addressed to their followers
//! collection (never `as:Public`) and delivered to their members' inboxes only; a member on another
//! instance reads, joins and replies with signed requests, a non-member's reply is refused.

use std::time::Duration;

use serde_json::{Value, json};
use verkosto::model::InstanceFollowPolicy;

use crate::common::sink::{Sink, follow_from_sink};
use crate::common::{RemoteSigner, TestDb, TestServer, eventually};
use crate::members_only::{
    As, COMMENT, NAME, NEWS, PUBLIC, TITLE, created, event, get, members_only_community, reply,
};

/// The addressees (`to` and `cc`) of one document.
fn addressees(doc: &Value) -> Vec<String> {
    ["to", "cc"]
        .iter()
        .flat_map(|field| match &doc[field] {
            Value::String(s) => vec![s.clone()],
            Value::Array(a) => a
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            _ => vec![],
        })
        .collect()
}

/// Whether an address is the public collection, in any of its spellings.
fn is_public(address: &str) -> bool {
    address == PUBLIC || address == "as:Public" || address == "Public"
}

/// Whether something that reached `inbox` mentions one of `secrets`.
fn mentions(sink: &Sink, inbox: u32, secrets: &[&str]) -> Vec<String> {
    sink.attempts_at(inbox)
        .iter()
        .map(|s| s.body.to_string())
        .filter(|body| secrets.iter().any(|x| body.contains(x)))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_only_deliveries_reach_members_only() {
    for db in TestDb::all().await {
        let backend = db.backend;
        // The instance actor takes followers at once, so a relay-style follower is set up quickly.
        let a = TestServer::start_with(db, |s| {
            s.instance_follow_policy = InstanceFollowPolicy::Open
        })
        .await;
        let owner = a.account("omistaja").await;
        let (sink, host, key) = Sink::serving_actors().await;
        let peer = |n: u32| {
            RemoteSigner::with_key(format!("http://{host}/actor/{n}"), &key.private_key_pem)
        };

        // Inbox 1 is a member of `sisainen`; inbox 2 follows the public co-host `avoin`, inbox 3 the
        // instance actor (as a relay does), inbox 4 a network `avoin` is in. Only 1 is a member.
        members_only_community(&a, &owner).await;
        a.community(&owner, "avoin", "open").await;
        created(
            &a,
            "/api/v1/communities",
            &owner,
            json!({ "name": "verkko", "kind": "network" }),
        )
        .await;
        created(
            &a,
            "/api/v1/communities/avoin/networks",
            &owner,
            json!({ "handle": format!("verkko@{}", a.domain) }),
        )
        .await;
        follow_from_sink(&a.verkosto, "sisainen", &sink, &host, [1]).await;
        follow_from_sink(&a.verkosto, "avoin", &sink, &host, [2]).await;
        follow_from_sink(&a.verkosto, "verkko", &sink, &host, [4]).await;
        let relay = peer(3);
        let follow = json!({ "@context": "https://www.w3.org/ns/activitystreams",
                             "id": format!("{}/follows/1", relay.actor), "type": "Follow",
                             "actor": relay.actor, "object": a.url("/actor") });
        assert_eq!(relay.post(&a, "/actor/inbox", &follow).await.0, 202);
        eventually(10, "the instance follower accepted", || async {
            sink.accepted()
                .iter()
                .any(|s| s.inbox == 3 && s.kind == "Accept")
                .then_some(())
        })
        .await;

        // The members-only event (co-hosted by the public community) and announcement.
        let mut body = event(TITLE, 12);
        body["cohosts"] = json!(["avoin"]);
        let ev = created(&a, "/api/v1/communities/sisainen/events", &owner, body).await;
        assert_eq!(ev["visibility"], "members", "{backend}: {ev}");
        let an = created(
            &a,
            "/api/v1/communities/sisainen/announcements",
            &owner,
            json!({ "content": NEWS }),
        )
        .await;
        let ev_ap = ev["ap_id"].as_str().expect("ap_id").to_string();
        let an_ap = an["ap_id"].as_str().expect("ap_id").to_string();
        let creates_of = |object: &str| {
            sink.accepted()
                .iter()
                .filter(|s| s.inbox == 1 && s.kind == "Create" && s.body["object"]["id"] == object)
                .count()
        };
        eventually(15, "the member's Creates of both", || async {
            (creates_of(ev_ap.as_str()) >= 1 && creates_of(an_ap.as_str()) >= 1).then_some(())
        })
        .await;

        // A fence: a public event of the co-host published after them reaches inboxes 2 and 3, so
        // whatever was queued before it had its chance to arrive too.
        let fence = created(
            &a,
            "/api/v1/communities/avoin/events",
            &owner,
            event("Avoin aita", 20),
        )
        .await;
        let fence_ap = fence["ap_id"].as_str().expect("ap_id").to_string();
        eventually(15, "the public event at inboxes 2 and 3", || async {
            let got = |n: u32| {
                sink.accepted()
                    .iter()
                    .any(|s| s.inbox == n && s.body.to_string().contains(&fence_ap))
            };
            (got(2) && got(3)).then_some(())
        })
        .await;
        tokio::time::sleep(Duration::from_millis(500)).await;

        // Counted where it arrived: one Create of each at the member's inbox, nothing about either
        // anywhere else.
        assert_eq!(
            (creates_of(ev_ap.as_str()), creates_of(an_ap.as_str())),
            (1, 1),
            "{backend}"
        );
        let pid = ev["id"].as_str().expect("id");
        let aid = an["id"].as_str().expect("id");
        let secrets = [pid, aid, TITLE, NEWS, NAME, ev_ap.as_str(), an_ap.as_str()];
        for n in [2, 3, 4] {
            assert_eq!(
                mentions(&sink, n, &secrets),
                Vec::<String>::new(),
                "{backend}: inbox {n} is no member"
            );
        }

        // Everything the member got is addressed to the followers collection, nothing to the public
        // (neither the activity nor the object it carries).
        let followers = a.url("/c/sisainen/followers");
        let at_member = sink.attempts_at(1);
        assert!(at_member.len() >= 2, "{backend}: {at_member:?}");
        for seen in &at_member {
            let activity = &seen.body;
            let mut all = addressees(activity);
            all.extend(addressees(&activity["object"]));
            assert!(
                !all.iter().any(|x| is_public(x)),
                "{backend}: public addressing: {activity}"
            );
            assert!(
                addressees(activity).contains(&followers),
                "{backend}: not to the followers collection: {activity}"
            );
            assert!(seen.signature_ok, "{backend}: {activity}");
        }
        a.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_on_another_instance_takes_part() {
    for db in TestDb::all().await {
        let backend = db.backend;
        let a = TestServer::start(db).await;
        let b = TestServer::start(TestDb::sqlite().await).await;
        let owner = a.account("omistaja").await;
        members_only_community(&a, &owner).await;
        let ev = created(
            &a,
            "/api/v1/communities/sisainen/events",
            &owner,
            event(TITLE, 12),
        )
        .await;
        let pid = ev["id"].as_str().expect("id").to_string();
        let ev_ap = ev["ap_id"].as_str().expect("ap_id").to_string();
        let group = a.url("/c/sisainen");
        let member = RemoteSigner::on(&b, "etajasen").await;
        let outsider = RemoteSigner::on(&b, "ulkopuolinen").await;

        // Not yet a member: nothing to see.
        let (status, body) = member.get(&a.url(&format!("/e/{pid}"))).await;
        assert_eq!(status, 404, "{backend}: {body}");
        assert!(!body.contains(TITLE), "{backend}");

        // B's account asks to follow (a signed Follow: B's own follow API would first have to read
        // the actor, which answers 404 to it); the owner accepts: a member.
        let follow = json!({ "@context": "https://www.w3.org/ns/activitystreams",
                             "id": format!("{}/follows/1", member.actor), "type": "Follow",
                             "actor": member.actor, "object": group });
        let (status, answer) = member.post(&a, "/c/sisainen/inbox", &follow).await;
        assert_eq!(status, 202, "{backend}: {answer}");
        let request = eventually(10, "the follow request", || async {
            let (_, list) = a
                .get_json("/api/v1/communities/sisainen/follow-requests", Some(&owner))
                .await;
            list.as_array()?
                .iter()
                .find(|r| r["follower_ap_id"] == member.actor.as_str())
                .and_then(|r| r["id"].as_i64())
        })
        .await;
        let (status, answer) = a
            .post_json(
                &format!("/api/v1/communities/sisainen/follow-requests/{request}/accept"),
                Some(&owner),
                json!({}),
            )
            .await;
        assert_eq!(status, 200, "{backend}: {answer}");

        // Its signed fetches are answered.
        for (path, text) in [
            (format!("/e/{pid}"), TITLE),
            ("/c/sisainen".to_string(), NAME),
        ] {
            let (status, body) = member.get(&a.url(&path)).await;
            assert!(
                status == 200 && body.contains(text),
                "{backend}: the member's signed GET of {path}: {status} {body}"
            );
        }

        // A fetch in the member's name signed with another key is nobody's: the signature is checked,
        // not only who it names.
        let stranger_key = verkosto::service::generate_keypair().await.expect("key");
        let forger = RemoteSigner::with_key(member.actor.clone(), &stranger_key.private_key_pem);
        let (status, body) = forger.get(&a.url(&format!("/e/{pid}"))).await;
        assert_eq!(status, 404, "{backend}: a forged signature: {body}");
        assert!(!body.contains(TITLE), "{backend}");

        // A person beside it on B is no member: the member's instance speaks for nobody but its
        // instance actor, and this one signs as itself.
        let (status, body) = outsider.get(&a.url(&format!("/e/{pid}"))).await;
        assert_eq!(status, 404, "{backend}: {body}");
        assert!(!body.contains(TITLE), "{backend}");

        // It joins the event.
        let join = json!({ "@context": "https://www.w3.org/ns/activitystreams",
                           "id": format!("{}/joins/1", member.actor), "type": "Join",
                           "actor": member.actor, "object": ev_ap });
        let (status, answer) = member.post(&a, "/inbox", &join).await;
        assert_eq!(status, 202, "{backend}: {answer}");
        let (_, participants) = a
            .get_json(&format!("/api/v1/events/{pid}/participants"), Some(&owner))
            .await;
        assert!(
            participants
                .as_array()
                .is_some_and(|all| all
                    .iter()
                    .any(|p| p["participant_ap_id"] == member.actor.as_str()
                        && p["state"] == "accepted")),
            "{backend}: {participants}"
        );
        let (status, seen) = a
            .get_json(&format!("/api/v1/events/{pid}"), Some(&owner))
            .await;
        assert_eq!(
            (status, seen["participant_count"].as_i64()),
            (200, Some(1)),
            "{backend}: {seen}"
        );

        // It replies; members see the reply. A non-member's reply is refused and kept nowhere.
        let (status, answer) = member
            .post(&a, "/inbox", &reply(&member, 1, &ev_ap, COMMENT))
            .await;
        assert_eq!(status, 202, "{backend}: the member's reply: {answer}");
        let intrusion = "Kurkistan vain";
        let (status, answer) = outsider
            .post(&a, "/inbox", &reply(&outsider, 1, &ev_ap, intrusion))
            .await;
        assert!(
            status == 202 || (400..500).contains(&status),
            "{backend}: {status} {answer}"
        );
        let (status, comments) = a
            .get_json(&format!("/api/v1/events/{pid}/comments"), Some(&owner))
            .await;
        assert_eq!(status, 200, "{backend}: {comments}");
        let texts = comments.to_string();
        assert!(
            comments.as_array().map(Vec::len) == Some(1)
                && texts.contains(COMMENT)
                && !texts.contains(intrusion),
            "{backend}: only the member's reply is kept: {comments}"
        );
        let (status, page) = get(&a, &format!("/e/{pid}"), As::Page, Some(&owner)).await;
        assert!(
            status == 200 && page.contains(COMMENT) && !page.contains(intrusion),
            "{backend}: the event page a member sees: {status}"
        );
        let (status, replies) = member.get(&a.url(&format!("/e/{pid}/replies"))).await;
        assert!(
            status == 200
                && replies.contains(&format!("{}/notes/1", member.actor))
                && !replies.contains(&format!("{}/notes/1", outsider.actor)),
            "{backend}: {status} {replies}"
        );
        a.stop().await;
        b.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_members_only_series_is_hidden_as_its_events_are() {
    for db in TestDb::all().await {
        let backend = db.backend;
        let a = TestServer::start(db).await;
        let owner = a.account("omistaja").await;
        let stranger = a.account("vieras").await;
        members_only_community(&a, &owner).await;
        let mut weekly = event(TITLE, 3);
        weekly["recurrence"] = json!("FREQ=WEEKLY;COUNT=3");
        let first = created(&a, "/api/v1/communities/sisainen/events", &owner, weekly).await;
        let series = first["series"]["id"]
            .as_str()
            .expect("series id")
            .to_string();
        for (path, kind) in [
            (format!("/s/{series}"), As::Ap),
            (format!("/s/{series}"), As::Page),
            (format!("/s/{series}.ics"), As::Plain),
            (format!("/api/v1/series/{series}"), As::Plain),
        ] {
            for token in [None, Some(stranger.as_str())] {
                let (status, body) = get(&a, &path, kind, token).await;
                assert_eq!(
                    status, 404,
                    "{backend}: {path} as {kind:?} for {token:?}: {body}"
                );
                assert!(!body.contains(TITLE), "{backend}: {path}");
            }
            let (status, body) = get(&a, &path, kind, Some(&owner)).await;
            assert!(
                // (The API's window is the coming year: these dates, in 2030, are not in it.)
                status == 200 && (body.contains(TITLE) || path.starts_with("/api/")),
                "{backend}: {path} as {kind:?} for the owner: {status} {body}"
            );
        }
        a.stop().await;
    }
}
