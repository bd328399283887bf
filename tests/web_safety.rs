//! Safety of the web pages and their neighbours against a hostile visitor or peer, each against a
//! running server: return addresses that stay on this origin, logins that take as long for unknown
//! usernames, participant CSVs no spreadsheet runs, calendar feed secrets kept only as hashes.

use crate::common::web::{client, form_token, post_login};
use crate::common::{TestDb, TestServer};
use serde_json::json;

/// Logs `username` in on `http` (a client from [`client`]).
async fn login(server: &TestServer, http: &reqwest::Client, username: &str) {
    let res = post_login(server, http, username, "").await;
    assert_eq!(res.status(), 303, "login of {username}");
}

/// Where a `Location` leads, resolved the way a browser resolves it (WHATWG URL parser: tabs and
/// newlines dropped, `\` read as `/`).
fn lands_on(server: &TestServer, res: &reqwest::Response) -> url::Url {
    let location = res
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .unwrap_or_else(|| panic!("a Location header, got {}", res.status()));
    url::Url::parse(&server.base)
        .and_then(|base| base.join(location))
        .unwrap_or_else(|e| panic!("{location}: {e}"))
}

/// Return addresses a browser would read as another site: percent-encoded tabs and newlines
/// (decoded by the query parser into the raw characters the browser then drops), backslashes,
/// scheme-relative and scheme-only forms, encoded slashes.
const FOREIGN_RETURNS: &[&str] = &[
    "/%09/evil.example",
    "/%0A/evil.example",
    "/%0D%0A/evil.example",
    "/%0D/evil.example",
    "%09//evil.example",
    "/%09%09/evil.example",
    "/%5Cevil.example",
    "%5C%5Cevil.example",
    "/%5C/evil.example",
    "//evil.example",
    "https:evil.example",
    "https://evil.example/",
    "/%2F/evil.example",
    "%2F%2Fevil.example",
    "/.//evil.example",
    "%20//evil.example",
    "/%252F/evil.example",
    "javascript:alert(1)",
];

#[tokio::test]
async fn return_addresses_never_leave_this_origin() {
    for db in TestDb::all().await {
        let server = TestServer::start(db).await;
        let origin = url::Url::parse(&server.base).expect("base").origin();
        // Each login counts against the per-username limit (10 a minute): spread them.
        let names = ["maija", "ville", "liisa"];
        for name in names {
            server.account(name).await;
        }

        for (i, back) in FOREIGN_RETURNS.iter().enumerate() {
            // The language switch, with the value as an attacker writes it in a link.
            let res = client()
                .get(format!("{}/lang/fi?back={back}", server.base))
                .send()
                .await
                .expect("switch");
            assert_eq!(res.status(), 303, "back={back}");
            let to = lands_on(&server, &res);
            assert_eq!(to.origin(), origin, "back={back} -> {to}");

            // The login form, with the value decoded as a form carries it.
            let next = url::form_urlencoded::parse(format!("n={back}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default();
            let res = post_login(&server, &client(), names[i % names.len()], &next).await;
            assert_eq!(res.status(), 303, "next={next:?}");
            let to = lands_on(&server, &res);
            assert_eq!(to.origin(), origin, "next={next:?} -> {to}");
        }

        // Raw control characters and backslashes in the form (no query decoding in between).
        for (i, next) in [
            "/\t/evil.example",
            "/\n/evil.example",
            "/\\evil.example",
            "\r\n//evil.example",
        ]
        .iter()
        .enumerate()
        {
            let res = post_login(&server, &client(), names[i % names.len()], next).await;
            assert_eq!(res.status(), 303, "next={next:?}");
            let to = lands_on(&server, &res);
            assert_eq!(to.origin(), origin, "next={next:?} -> {to}");
        }

        // A page of this site is still where the visitor returns, query and fragment kept.
        let res = client()
            .get(format!(
                "{}/lang/sv?back=%2Fc%2Fkahvila%3Fmonth%3D2031-01",
                server.base
            ))
            .send()
            .await
            .expect("switch");
        assert_eq!(res.headers()["location"], "/c/kahvila?month=2031-01");
        server.stop().await;
    }
}

#[tokio::test]
async fn unknown_usernames_cost_the_same_password_verification() {
    for db in TestDb::all().await {
        let server = TestServer::start(db).await;
        server.account("maija").await;
        let login = |username: &'static str| {
            server.post_json(
                "/api/v1/auth/token",
                None,
                json!({ "username": username, "password": "arvaus1234" }),
            )
        };

        // A wrong password runs Argon2 once; an unknown username must too (against a dummy hash),
        // or the quicker answer tells which usernames exist. Same status, same words.
        let before = server.verkosto.password_checks();
        let (status, known) = login("maija").await;
        assert_eq!(status, 401, "{known}");
        assert_eq!(server.verkosto.password_checks(), before + 1);
        let (status, unknown) = login("nobody").await;
        assert_eq!(status, 401, "{unknown}");
        assert_eq!(
            server.verkosto.password_checks(),
            before + 2,
            "the unknown username was answered without a password verification"
        );
        assert_eq!(known, unknown);

        // The login form goes through the same path.
        let http = client();
        let res = post_login(&server, &http, "nobody-either", "").await;
        assert_eq!(res.status(), 401);
        assert_eq!(server.verkosto.password_checks(), before + 3);
        server.stop().await;
    }
}

#[tokio::test]
async fn participant_csv_cells_never_run_as_spreadsheet_formulas() {
    for db in TestDb::all().await {
        let server = TestServer::start(db).await;
        let token = server.admin("maija").await;
        server.community(&token, "kahvila", "open").await;
        let (status, event) = server
            .post_json(
                "/api/v1/communities/kahvila/events",
                Some(&token),
                json!({ "title": "Aamukahvit", "starts_at": "2031-01-27T09:00:00+02:00",
                        "ends_at": "2031-01-27T11:00:00+02:00" }),
            )
            .await;
        assert_eq!(status, 201, "{event}");
        let (id, ap_id) = (
            event["id"].as_str().expect("id").to_string(),
            event["ap_id"].as_str().expect("ap_id").to_string(),
        );

        // Hostile remote people on a peer: each picks a name and a message that a spreadsheet would
        // run as a formula (OWASP's list of leading characters).
        let sink = crate::common::sink::Sink::default();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let host = format!("localhost:{}", listener.local_addr().expect("addr").port());
        let peer = sink.serve(listener);
        server.account("avain").await;
        let account = server.verkosto.account("avain").await.expect("account");
        let keys = {
            let mut c = server.verkosto.db().acquire().await.expect("acquire");
            verkosto::store::accounts::keys(&mut c.conn(), account.id)
                .await
                .expect("keys")
        };
        let key = <rsa::RsaPrivateKey as rsa::pkcs8::DecodePrivateKey>::from_pkcs8_pem(
            &keys.private_key_pem,
        )
        .expect("key");
        sink.act_as_actors(keys);
        let formulas = ["=1+1", "+1+1", "-1+1", "@SUM(1)", "\t=1+1", "\r=1+1"];
        for (n, formula) in (1u32..).zip(formulas) {
            let name = format!("{formula}cmd");
            sink.actor_names.lock().expect("lock").insert(n, name);
            let actor = format!("http://{host}/actor/{n}");
            let join = json!({ "id": format!("{actor}/join"), "type": "Join", "actor": actor,
                               "object": ap_id, "participationMessage": format!("{formula} tulen") });
            let (status, _) = crate::common::post_signed(
                &server.http,
                &server.url("/inbox"),
                &join,
                &format!("{actor}#main-key"),
                &key,
            )
            .await;
            assert_eq!(status, 202, "join {n}");
        }

        let http = client();
        login(&server, &http, "maija").await;
        let res = http
            .get(server.url(&format!("/manage/events/{id}/participants.csv")))
            .send()
            .await
            .expect("csv");
        assert_eq!(res.status(), 200);
        let text = res.text().await.expect("body");
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
        assert_eq!(rows.len(), formulas.len(), "{text}");
        for row in &rows {
            for cell in row {
                assert!(
                    !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                    "a cell a spreadsheet would run: {cell:?} in {row:?}"
                );
            }
        }
        for formula in formulas {
            let handle = format!("'{formula}cmd@{host}");
            let message = format!("'{formula} tulen");
            assert!(
                rows.iter().any(
                    |r| r.get(0) == Some(handle.as_str()) && r.get(4) == Some(message.as_str())
                ),
                "{handle:?} / {message:?} kept as text: {rows:?}"
            );
        }
        peer.abort();
        server.stop().await;
    }
}

/// The rows of a query's one text column, on either backend.
async fn texts(server: &TestServer, sql: &str) -> Vec<String> {
    match server.verkosto.db() {
        verkosto::store::Db::Sqlite(pool) => sqlx::query_scalar(sql).fetch_all(pool).await,
        verkosto::store::Db::Postgres(pool) => sqlx::query_scalar(sql).fetch_all(pool).await,
    }
    .expect(sql)
}

async fn execute(server: &TestServer, sql: &str) {
    match server.verkosto.db() {
        verkosto::store::Db::Sqlite(pool) => sqlx::query(sql).execute(pool).await.map(|_| ()),
        verkosto::store::Db::Postgres(pool) => sqlx::query(sql).execute(pool).await.map(|_| ()),
    }
    .expect(sql)
}

/// The status a calendar feed URL answers.
async fn feed_status(server: &TestServer, url: &str) -> u16 {
    server
        .http
        .get(url)
        .send()
        .await
        .expect("feed")
        .status()
        .as_u16()
}

/// The secret at the end of a feed URL (`.../calendar/{secret}.ics`).
fn secret_of(url: &str) -> String {
    let tail = url.rsplit('/').next().unwrap_or_default();
    tail.strip_suffix(".ics").unwrap_or(tail).to_string()
}

#[tokio::test]
async fn calendar_feed_secrets_are_stored_hashed_and_can_be_rotated_and_revoked() {
    for db in TestDb::all().await {
        let server = TestServer::start(db).await;
        let ville = server.account("ville").await;

        let (status, _) = server.post_json("/api/v1/calendar", None, json!({})).await;
        assert_eq!(status, 401, "a feed needs an account");
        let (status, off) = server.get_json("/api/v1/calendar", Some(&ville)).await;
        assert_eq!((status, &off["active"]), (200, &json!(false)), "{off}");

        // A URL is made and shown once; the database keeps only its hash.
        let (status, made) = server
            .post_json("/api/v1/calendar", Some(&ville), json!({}))
            .await;
        assert_eq!(status, 201, "{made}");
        let first = made["url"].as_str().expect("url").to_string();
        assert_eq!(feed_status(&server, &first).await, 200);
        let (_, on) = server.get_json("/api/v1/calendar", Some(&ville)).await;
        assert_eq!(on["active"], true, "{on}");
        assert!(
            on.get("url").is_none(),
            "the secret is not shown again: {on}"
        );
        let secret = secret_of(&first);
        let stored = texts(&server, "SELECT token_hash FROM calendar_feeds").await;
        assert_eq!(
            stored,
            [verkosto::store::calendars::token_hash(&secret)],
            "one hash"
        );
        assert!(
            !stored.iter().any(|s| s.contains(&secret)),
            "no secret in the clear"
        );
        assert!(
            texts(&server, "SELECT token FROM calendar_tokens")
                .await
                .is_empty()
        );

        // Rotating: a new URL works, the old one is dead.
        let (status, rotated) = server
            .post_json("/api/v1/calendar", Some(&ville), json!({}))
            .await;
        assert_eq!(status, 201);
        let second = rotated["url"].as_str().expect("url").to_string();
        assert_ne!(first, second);
        assert_eq!(feed_status(&server, &first).await, 404, "the old URL");
        assert_eq!(feed_status(&server, &second).await, 200, "the new URL");

        // Revoking: no URL works.
        let res = server
            .http
            .delete(server.url("/api/v1/calendar"))
            .bearer_auth(&ville)
            .send()
            .await
            .expect("delete");
        assert_eq!(res.status(), 204);
        assert_eq!(feed_status(&server, &second).await, 404, "revoked");
        let (_, off) = server.get_json("/api/v1/calendar", Some(&ville)).await;
        assert_eq!(off["active"], false, "{off}");

        // The same in the workspace, behind the form token.
        let http = client();
        login(&server, &http, "ville").await;
        let csrf = form_token(&http, &server.url("/manage/calendar")).await;
        let made = http
            .post(server.url("/manage/calendar"))
            .form(&[("csrf", csrf.as_str()), ("action", "new")])
            .send()
            .await
            .expect("new");
        assert_eq!(made.status(), 200);
        let page = made.text().await.expect("page");
        let at = page
            .find("id=\"calendar-url\">")
            .expect("the new URL shown")
            + 18;
        let third = page[at..].split('<').next().unwrap_or_default().to_string();
        assert_eq!(feed_status(&server, &third).await, 200, "{third}");
        for forged in [
            "",
            "0000000000000000000000000000000000000000000000000000000000000000",
        ] {
            let res = http
                .post(server.url("/manage/calendar"))
                .form(&[("csrf", forged), ("action", "off")])
                .send()
                .await
                .expect("forged");
            assert_eq!(res.status(), 403);
        }
        assert_eq!(
            feed_status(&server, &third).await,
            200,
            "a forged form changes nothing"
        );
        let res = http
            .post(server.url("/manage/calendar"))
            .form(&[("csrf", csrf.as_str()), ("action", "off")])
            .send()
            .await
            .expect("off");
        assert_eq!(res.status(), 303);
        assert_eq!(feed_status(&server, &third).await, 404, "turned off");

        // A secret stored in the clear before the upgrade is hashed by the migration step and keeps
        // working; nothing of it stays in the clear.
        let account = server.verkosto.account("ville").await.expect("account");
        let legacy = "0123456789abcdef0123456789abcdef0123456789abcdef";
        execute(
            &server,
            &format!(
                "INSERT INTO calendar_tokens (account_id, token) VALUES ({}, '{legacy}')",
                account.id
            ),
        )
        .await;
        server.verkosto.db().migrate().await.expect("migrate");
        assert!(
            texts(&server, "SELECT token FROM calendar_tokens")
                .await
                .is_empty()
        );
        assert_eq!(
            feed_status(&server, &server.url(&format!("/calendar/{legacy}.ics"))).await,
            200
        );
        server.stop().await;
    }
}
