//! What others send, read faithfully (issue 20, item 3 and the incoming half of item 0), on running
//! servers: Gancio's event with offset-only times and a plain-text address shown in its own local
//! time on the page, in the API and in the calendar file; Gancio's `Delete` carrying the whole
//! event; a Lemmy community's `Announce{Create{Page}}`, `Announce{Update{Page}}` and
//! `Announce{Delete}`, and Lemmy comments on our events bare and announced.
//!
//! The documents are the platforms' own (sources in `tests/fixtures/SOURCES.md`). What is changed,
//! in code and nowhere else: hosts move to loopback servers (the `rewrite` of `foreign_fixtures`),
//! the ids of our objects replace theirs where a document replies to one of ours, and where Lemmy
//! keeps no announced form of an activity (`Update`, `Delete`, a comment), its own activity is put in
//! the envelope of its real `announce_create_page.json`, as its community announces every activity
//! alike. Gancio's `Delete` is built as Gancio's `server/federation/helpers.js` builds it: the
//! `Create`'s envelope with `type: Delete` and the whole event as its object.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::common::sink::Sink;
use crate::common::{RemoteSigner, TestDb, TestServer};
use crate::foreign_fixtures::rewrite;
use verkosto::model::{FollowState, Following, KeyPair};
use verkosto::store::{self, Db};

fn fixture(file: &str) -> Value {
    let path = format!("{}/tests/fixtures/{file}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).expect("fixture")).expect("fixture json")
}

fn rules(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

async fn count(db: &Db, table: &str) -> i64 {
    let sql = format!("SELECT COUNT(*) FROM {table}");
    match db {
        Db::Sqlite(p) => sqlx::query_scalar(&sql).fetch_one(p).await,
        Db::Postgres(p) => sqlx::query_scalar(&sql).fetch_one(p).await,
    }
    .expect("count")
}

/// `username` here follows `target` (accepted), so what `target` publishes is stored.
pub(crate) async fn follow(server: &TestServer, username: &str, target: &str) {
    let account = server.verkosto.account(username).await.expect("account");
    let mut c = server.verkosto.db().acquire().await.expect("acquire");
    store::follows::upsert_following(
        &mut c.conn(),
        &Following {
            id: 0,
            account_id: account.id,
            target_ap_id: url::Url::parse(target).expect("url"),
            follow_activity_id: url::Url::parse(&format!("{target}/follows/1")).expect("url"),
            state: FollowState::Accepted,
            created_at: store::now(),
        },
    )
    .await
    .expect("following");
}

async fn event_public_id(server: &TestServer, ap_id: &str) -> Option<String> {
    let mut c = server.verkosto.db().acquire().await.expect("acquire");
    store::events::find_by_ap_id(&mut c.conn(), ap_id)
        .await
        .expect("find")
        .map(|e| e.public_id)
}

async fn get_text(server: &TestServer, path: &str) -> (u16, String) {
    let res = server
        .http
        .get(server.url(path))
        .header("Accept", "text/html")
        .header("Accept-Language", "en")
        .send()
        .await
        .expect("GET");
    (res.status().as_u16(), res.text().await.unwrap_or_default())
}

#[tokio::test]
async fn gancio_event_keeps_its_offset_and_its_plain_address_and_only_its_organizer_deletes_it() {
    for db in TestDb::all().await {
        eprintln!("-- backend: {}", db.backend);
        let local = TestServer::start(db).await;
        local.account("aino").await;
        let (_sink, host, key) = Sink::serving_actors().await;
        let sink = format!("http://{host}");
        let gancio = format!("{sink}/actor/1");
        follow(&local, "aino", &gancio).await;

        // Gancio's Create (the copy Mobilizon's tests keep) carrying the same event as Gancio
        // serves it (the copy Pleroma's tests keep): a plain-text address, `+02:00` times with
        // milliseconds, no `timezone`.
        let mut create = fixture("gancio/create_event.json");
        create["object"] = fixture("gancio/event_string_address.json");
        let gancio_rules = rules(&[
            ("https://demo.gancio.org/federation/u/gancio", &gancio),
            ("https://demo.gancio.org/federation/u/customized", &gancio),
            (
                "https://demo.gancio.org",
                &format!("{sink}/demo.gancio.org"),
            ),
        ]);
        rewrite(&mut create, &gancio_rules);
        let signer = RemoteSigner::with_key(gancio.clone(), &key.private_key_pem);
        let (status, answer) = signer.post(&local, "/inbox", &create).await;
        assert_eq!(status, 202, "{answer}");
        let ap_id = create["object"]["id"].as_str().expect("id").to_string();
        let id = event_public_id(&local, &ap_id).await.expect("stored");

        // The API: the zone is the offset, the local times carry it, the address is kept.
        let (status, event) = local.get_json(&format!("/api/v1/events/{id}"), None).await;
        assert_eq!(status, 200, "{event}");
        assert_eq!(event["timezone"], "UTC+02:00", "{event}");
        assert_eq!(event["starts_at"], "2021-07-14T15:30:57Z", "{event}");
        assert_eq!(event["starts_at_local"], "2021-07-14T17:30:57+02:00");
        assert_eq!(event["ends_at_local"], "2021-07-14T18:30:57+02:00");
        assert_eq!(event["place"]["name"], "Colosseo");
        assert_eq!(event["place"]["street"], "Piazza del Colosseo, Rome");

        // The page: 17.30 as in Rome, not 15.30 (UTC); the address as written.
        let (status, page) = get_text(&local, &format!("/e/{id}")).await;
        assert_eq!(status, 200, "{page}");
        assert!(
            page.contains(
                r#"datetime="2021-07-14T17:30:57+02:00">Wed 14 Jul 2021, 17:30–18:30</time>"#
            ),
            "local time on the page: {page}"
        );
        assert!(
            page.contains("Wed 14 Jul 2021 17:30 (UTC+02:00)"),
            "the summary names the offset"
        );
        assert!(page.contains("Piazza del Colosseo, Rome"), "{page}");

        // The calendar file: local time under a fixed-offset zone defined in the file.
        let (status, ics) = get_text(&local, &format!("/e/{id}.ics")).await;
        assert_eq!(status, 200, "{ics}");
        // (The parameter is quoted, as RFC 5545 wants a value with a colon.)
        assert!(
            ics.contains("DTSTART;TZID=\"UTC+02:00\":20210714T173057"),
            "{ics}"
        );
        assert!(
            ics.contains("DTEND;TZID=\"UTC+02:00\":20210714T183057"),
            "{ics}"
        );
        assert!(
            ics.contains("TZID:UTC+02:00\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0200"),
            "{ics}"
        );
        assert!(ics.contains("Piazza del Colosseo\\, Rome"), "{ics}");

        // Gancio's Delete carries the whole event. From another actor of the same host: refused,
        // the event stays.
        let mut delete = create.clone();
        delete["type"] = json!("Delete");
        delete["id"] = json!(format!("{ap_id}#Delete-1"));
        let intruder = format!("{sink}/actor/2");
        delete["actor"] = json!(intruder);
        let (status, answer) = RemoteSigner::with_key(intruder, &key.private_key_pem)
            .post(&local, "/inbox", &delete)
            .await;
        assert_eq!(status, 403, "{answer}");
        assert!(
            event_public_id(&local, &ap_id).await.is_some(),
            "someone else's Delete deletes nothing"
        );
        // From its organizer: deleted.
        delete["id"] = json!(format!("{ap_id}#Delete-2"));
        delete["actor"] = json!(gancio);
        let (status, answer) = signer.post(&local, "/inbox", &delete).await;
        assert_eq!(status, 202, "{answer}");
        assert!(event_public_id(&local, &ap_id).await.is_none());
        local.stop().await;
    }
}

/// A Lemmy-shaped host on loopback: a `Group` at `/c/{name}`, `Person`s at `/u/{name}` (all with
/// one key the test signs with), and the documents the test puts at their paths.
#[derive(Clone)]
struct LemmyHost {
    base: String,
    key: KeyPair,
    docs: Arc<Mutex<HashMap<String, Value>>>,
    fetches: Arc<Mutex<Vec<String>>>,
}

impl LemmyHost {
    async fn start() -> LemmyHost {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!(
            "http://localhost:{}",
            listener.local_addr().expect("addr").port()
        );
        let host = LemmyHost {
            base,
            key: verkosto::service::generate_keypair().await.expect("key"),
            docs: Arc::default(),
            fetches: Arc::default(),
        };
        let app = axum::Router::new()
            .route("/{*path}", axum::routing::get(serve))
            .with_state(host.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        host
    }

    /// Serves `doc` at its id's path.
    fn put(&self, doc: &Value) {
        let id = url::Url::parse(doc["id"].as_str().expect("id")).expect("url");
        self.docs
            .lock()
            .expect("lock")
            .insert(id.path().to_string(), doc.clone());
    }

    fn fetched(&self, path: &str) -> usize {
        let fetches = self.fetches.lock().expect("lock");
        fetches.iter().filter(|p| *p == path).count()
    }

    fn signer(&self, path: &str) -> RemoteSigner {
        RemoteSigner::with_key(format!("{}{path}", self.base), &self.key.private_key_pem)
    }
}

async fn serve(State(host): State<LemmyHost>, Path(path): Path<String>) -> Response {
    let path = format!("/{path}");
    host.fetches.lock().expect("lock").push(path.clone());
    let id = format!("{}{path}", host.base);
    let actor = |kind: &str, name: &str| {
        json!({
            "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
            "type": kind, "id": id, "preferredUsername": name,
            "inbox": format!("{id}/inbox"), "outbox": format!("{id}/outbox"),
            "followers": format!("{id}/followers"),
            "publicKey": { "id": format!("{id}#main-key"), "owner": id,
                           "publicKeyPem": host.key.public_key_pem }
        })
    };
    let doc = if let Some(name) = path.strip_prefix("/c/") {
        actor("Group", name)
    } else if let Some(name) = path.strip_prefix("/u/") {
        actor("Person", name)
    } else {
        match host.docs.lock().expect("lock").get(&path) {
            Some(d) => d.clone(),
            None => return axum::http::StatusCode::NOT_FOUND.into_response(),
        }
    };
    (
        [("content-type", "application/activity+json")],
        axum::Json(doc),
    )
        .into_response()
}

/// Lemmy's `Announce` envelope (its real `announce_create_page.json`) around `activity`, under a
/// fresh id on the announcing group's host.
fn announced(group_host: &LemmyHost, activity: Value, n: u32) -> Value {
    let mut envelope = fixture("lemmy/announce_create_page.json");
    rewrite(
        &mut envelope,
        &rules(&[("http://enterprise.lemmy.ml", &group_host.base)]),
    );
    envelope["id"] = json!(format!("{}/activities/announce/test-{n}", group_host.base));
    envelope["object"] = activity;
    envelope
}

#[tokio::test]
async fn a_followed_lemmy_community_announces_posts_changes_deletions_and_comments() {
    for db in TestDb::all().await {
        eprintln!("-- backend: {}", db.backend);
        let local = TestServer::start(db).await;
        let manager = local.account("aino").await;
        local.community(&manager, "kahvila", "open").await;
        let mut events = vec![];
        for title in ["Aamiainen", "Iltapala"] {
            let (status, event) = local
                .post_json(
                    "/api/v1/communities/kahvila/events",
                    Some(&manager),
                    json!({ "title": title, "starts_at": "2030-06-12T09:00:00+03:00",
                            "ends_at": "2030-06-12T11:00:00+03:00" }),
                )
                .await;
            assert_eq!(status, 201, "{event}");
            events.push(event);
        }
        let ap_id = |i: usize| events[i]["ap_id"].as_str().expect("ap_id").to_string();
        let public_id = |i: usize| events[i]["id"].as_str().expect("id").to_string();

        // `enterprise` hosts the community aino follows; `ds9` hosts a member posting in it.
        let enterprise = LemmyHost::start().await;
        let ds9 = LemmyHost::start().await;
        let group = format!("{}/c/main", enterprise.base);
        follow(&local, "aino", &group).await;
        let lemmy = rules(&[
            ("http://enterprise.lemmy.ml", &enterprise.base),
            ("https://enterprise.lemmy.ml", &enterprise.base),
            ("http://ds9.lemmy.ml", &ds9.base),
        ]);
        let db = local.verkosto.db().clone();
        let posts = || count(&db, "announcements");
        let post_title = |ap_id: String| {
            let v = local.verkosto.clone();
            async move {
                let mut c = v.db().acquire().await.expect("acquire");
                store::announcements::find(&mut c.conn(), &ap_id)
                    .await
                    .expect("find")
                    .map(|a| (a.title, a.author_ap_id.to_string()))
            }
        };

        // 1. Lemmy's own Announce{Create{Page}}: member, post and group on one host, so the
        // embedded Page is believed as it is (no fetch); stored as the community's post.
        let mut doc = fixture("lemmy/announce_create_page.json");
        rewrite(&mut doc, &lemmy);
        let before = posts().await;
        let (status, answer) = enterprise
            .signer("/c/main")
            .post(&local, "/inbox", &doc)
            .await;
        assert_eq!(status, 202, "{answer}");
        assert_eq!(posts().await, before + 1);
        let page7 = format!("{}/post/7", enterprise.base);
        assert_eq!(
            post_title(page7).await,
            Some((Some("post 4".into()), group.clone()))
        );
        assert_eq!(enterprise.fetched("/post/7"), 0, "same host: not fetched");

        // 2. A ds9 member's post in the community (Lemmy's create_page.json, announced): the Page
        // is on another host than the group, so it is read from ds9.
        let mut create_page = fixture("lemmy/create_page.json");
        rewrite(&mut create_page, &lemmy);
        ds9.put(&create_page["object"]);
        let (status, answer) = enterprise
            .signer("/c/main")
            .post(
                &local,
                "/inbox",
                &announced(&enterprise, create_page.clone(), 2),
            )
            .await;
        assert_eq!(status, 202, "{answer}");
        assert_eq!(posts().await, before + 2);
        assert_eq!(ds9.fetched("/post/1"), 1, "read from its origin");
        let page1 = format!("{}/post/1", ds9.base);
        assert_eq!(
            post_title(page1.clone()).await,
            Some((Some("test post".into()), group.clone()))
        );

        // 3. The group cannot put words in ds9's mouth: a Page ds9 does not serve is not stored,
        // whatever the embedded copy says.
        let mut forged = create_page.clone();
        forged["object"]["id"] = json!(format!("{}/post/99", ds9.base));
        forged["object"]["name"] = json!("forged");
        let (status, answer) = enterprise
            .signer("/c/main")
            .post(&local, "/inbox", &announced(&enterprise, forged, 3))
            .await;
        assert_ne!(status, 202, "{answer}");
        assert_eq!(posts().await, before + 2, "nothing stored");

        // 4. Announce{Update{Page}} (Lemmy's update_page.json): the new version, from ds9.
        let mut update = fixture("lemmy/update_page.json");
        rewrite(&mut update, &lemmy);
        ds9.put(&update["object"]);
        let (status, answer) = enterprise
            .signer("/c/main")
            .post(&local, "/inbox", &announced(&enterprise, update, 4))
            .await;
        assert_eq!(status, 202, "{answer}");
        assert_eq!(posts().await, before + 2);
        assert_eq!(
            post_title(page1.clone()).await,
            Some((Some("test post 1".into()), group.clone()))
        );

        // 5. Someone else's Delete does nothing: ds9's own community announcing it, or the member
        // alone (the post is the community's here).
        let mut delete = fixture("lemmy/delete_page.json");
        rewrite(&mut delete, &lemmy);
        let (status, answer) = ds9
            .signer("/c/main")
            .post(&local, "/inbox", &announced(&ds9, delete.clone(), 5))
            .await;
        assert_eq!(status, 403, "{answer}");
        let (status, answer) = ds9
            .signer("/u/lemmy_alpha")
            .post(&local, "/inbox", &delete)
            .await;
        assert_eq!(status, 403, "{answer}");
        assert_eq!(posts().await, before + 2, "nothing deleted");

        // 6. The community's Announce{Delete}: deleted.
        let (status, answer) = enterprise
            .signer("/c/main")
            .post(&local, "/inbox", &announced(&enterprise, delete, 6))
            .await;
        assert_eq!(status, 202, "{answer}");
        assert_eq!(posts().await, before + 1);
        assert_eq!(post_title(page1).await, None);

        // 7. Comments on our events: Lemmy's create_comment.json bare (to the first event) and
        // announced by the community (to the second, as ds9's comment 2, read from ds9), then a
        // reply in that thread (comment 3 replying to comment 2).
        let comments = |i: usize| {
            let path = format!("/api/v1/events/{}/comments", public_id(i));
            let local = &local;
            async move {
                let (status, list) = local.get_json(&path, None).await;
                assert_eq!(status, 200, "{list}");
                list.as_array().expect("list").len()
            }
        };
        let comment_rules = |n: u32, parent: &str| {
            let mut r = rules(&[
                (
                    "http://ds9.lemmy.ml/comment/1",
                    &format!("{}/comment/{n}", ds9.base),
                ),
                (
                    "http://ds9.lemmy.ml/activities/create/1e77d67c-44ac-45ed-bf2a-460e21f60236",
                    &format!("{}/activities/create/comment-{n}", ds9.base),
                ),
                ("http://ds9.lemmy.ml/post/1", parent),
            ]);
            r.extend(lemmy.clone());
            r
        };
        let mut bare = fixture("lemmy/create_comment.json");
        rewrite(&mut bare, &comment_rules(1, &ap_id(0)));
        let (status, answer) = ds9
            .signer("/u/lemmy_alpha")
            .post(&local, "/inbox", &bare)
            .await;
        assert_eq!(status, 202, "{answer}");
        assert_eq!(comments(0).await, 1, "bare Create{{Note}}: a comment");

        let mut wrapped = fixture("lemmy/create_comment.json");
        rewrite(&mut wrapped, &comment_rules(2, &ap_id(1)));
        ds9.put(&wrapped["object"]);
        let (status, answer) = enterprise
            .signer("/c/main")
            .post(&local, "/inbox", &announced(&enterprise, wrapped, 7))
            .await;
        assert_eq!(status, 202, "{answer}");
        assert_eq!(
            comments(1).await,
            1,
            "Announce{{Create{{Note}}}}: a comment"
        );
        assert_eq!(ds9.fetched("/comment/2"), 1, "read from its origin");

        let mut reply = fixture("lemmy/create_comment.json");
        rewrite(
            &mut reply,
            &comment_rules(3, &format!("{}/comment/2", ds9.base)),
        );
        let (status, answer) = ds9
            .signer("/u/lemmy_alpha")
            .post(&local, "/inbox", &reply)
            .await;
        assert_eq!(status, 202, "{answer}");
        assert_eq!(
            comments(1).await,
            2,
            "a reply in the thread joins the event"
        );
        local.stop().await;
    }
}
