//! The client API against a real server: auth, communities, and every class of refused input.

use crate::common::{TestDb, TestServer};
use serde_json::{Value, json};

async fn server() -> TestServer {
    TestServer::start(TestDb::sqlite().await).await
}

fn error_code(body: &Value) -> &str {
    body["error"].as_str().unwrap_or("")
}

#[tokio::test]
async fn healthz_answers_when_the_database_does() {
    for db in TestDb::all().await {
        let s = TestServer::start(db).await;
        let (status, body) = s.get_json("/healthz", None).await;
        assert_eq!(status, 200);
        assert_eq!(body, json!({ "status": "ok" }));
        s.verkosto.db().close().await;
        let (status, body) = s.get_json("/healthz", None).await;
        assert_eq!(status, 503, "a closed database is not healthy");
        assert_eq!(body["status"], "unavailable");
        s.stop().await;
    }
}

#[tokio::test]
async fn tokens_are_issued_checked_and_revoked() {
    let s = server().await;
    let token = s.account("aino").await;
    let (status, me) = s.get_json("/api/v1/accounts/me", Some(&token)).await;
    assert_eq!(status, 200);
    assert_eq!(me["username"], "aino");
    assert_eq!(me["handle"], format!("aino@{}", s.domain));

    let wrong = s
        .http
        .post(s.url("/api/v1/auth/token"))
        .json(&json!({ "username": "aino", "password": "wrong password" }))
        .send()
        .await
        .expect("request");
    assert_eq!(wrong.status(), 401);
    let body: Value = wrong.json().await.expect("json");
    assert_eq!(error_code(&body), "unauthorized");

    let revoke = s
        .http
        .delete(s.url("/api/v1/auth/token"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("revoke");
    assert_eq!(revoke.status(), 204);
    let (status, body) = s.get_json("/api/v1/accounts/me", Some(&token)).await;
    assert_eq!(status, 401, "a revoked token no longer works");
    assert_eq!(error_code(&body), "unauthorized");
    let (status, _) = s.get_json("/api/v1/accounts/me", None).await;
    assert_eq!(status, 401);
    s.stop().await;
}

#[tokio::test]
async fn registration_is_closed_by_default() {
    let s = server().await;
    let res = s
        .http
        .post(s.url("/api/v1/accounts"))
        .json(&json!({ "username": "newbie", "password": "long enough" }))
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), 403);
    s.stop().await;

    let s = TestServer::start_with(TestDb::sqlite().await, |st| st.open_registration = true).await;
    let res = s
        .http
        .post(s.url("/api/v1/accounts"))
        .json(&json!({ "username": "newbie", "password": "long enough", "is_admin": true }))
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), 201);
    let body: Value = res.json().await.expect("json");
    assert_eq!(body["is_admin"], false, "registration never makes admins");
    let res = s
        .http
        .post(s.url("/api/v1/accounts"))
        .json(&json!({ "username": "short", "password": "1234" }))
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), 422);
    let body: Value = res.json().await.expect("json");
    assert_eq!(body["field"], "password");
    s.stop().await;
}

#[tokio::test]
async fn communities_are_created_read_listed_and_changed_by_managers_only() {
    for db in TestDb::all().await {
        let s = TestServer::start(db).await;
        let owner = s.account("aino").await;
        let other = s.account("ville").await;
        let created = s.community(&owner, "kahvila", "open").await;
        assert_eq!(created["name"], "kahvila");
        assert_eq!(created["ap_id"], s.url("/c/kahvila"));
        assert_eq!(created["handle"], format!("kahvila@{}", s.domain));
        assert_eq!(created["managers"], json!(["aino"]));

        let (status, list) = s.get_json("/api/v1/communities", None).await;
        assert_eq!(status, 200);
        assert_eq!(list.as_array().map(Vec::len), Some(1));

        let patch = |token: String, body: Value| {
            let s = &s;
            async move {
                let res = s
                    .http
                    .patch(s.url("/api/v1/communities/kahvila"))
                    .bearer_auth(token)
                    .json(&body)
                    .send()
                    .await
                    .expect("patch");
                let status = res.status().as_u16();
                (status, res.json::<Value>().await.unwrap_or(Value::Null))
            }
        };
        let (status, body) = patch(other.clone(), json!({ "display_name": "Hijacked" })).await;
        assert_eq!(status, 403);
        assert_eq!(error_code(&body), "forbidden");
        let (_, unchanged) = s.get_json("/api/v1/communities/kahvila", None).await;
        assert_eq!(
            unchanged["display_name"], "kahvila",
            "a refused change changes nothing"
        );

        let add = s
            .http
            .post(s.url("/api/v1/communities/kahvila/managers/ville"))
            .bearer_auth(&owner)
            .send()
            .await
            .expect("add manager");
        assert_eq!(add.status(), 200);
        let (status, body) =
            patch(other.clone(), json!({ "display_name": "Kahvila", "summary": "<script>x()</script><b>Hei</b>", "tags": ["#Tampere"] })).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["display_name"], "Kahvila");
        assert_eq!(body["summary"], "<b>Hei</b>", "HTML is sanitized");
        assert_eq!(body["tags"], json!(["Tampere"]));

        let remove_owner = s
            .http
            .delete(s.url("/api/v1/communities/kahvila/managers/aino"))
            .bearer_auth(&other)
            .send()
            .await
            .expect("remove owner");
        assert_eq!(remove_owner.status(), 403, "the owner stays");
        let remove = s
            .http
            .delete(s.url("/api/v1/communities/kahvila/managers/ville"))
            .bearer_auth(&owner)
            .send()
            .await
            .expect("remove manager");
        assert_eq!(remove.status(), 204);
        let (status, _) = patch(other, json!({ "display_name": "Again" })).await;
        assert_eq!(status, 403, "a removed manager can no longer change it");
        s.stop().await;
    }
}

#[tokio::test]
async fn every_error_class_is_answered_in_json_and_changes_nothing() {
    let s = server().await;
    let token = s.account("aino").await;
    s.community(&token, "kahvila", "open").await;
    let post = |body: reqwest::Body, content_type: &'static str, token: Option<String>| {
        let s = &s;
        async move {
            let mut req = s
                .http
                .post(s.url("/api/v1/communities"))
                .header("content-type", content_type)
                .body(body);
            if let Some(t) = token {
                req = req.bearer_auth(t);
            }
            let res = req.send().await.expect("post");
            let status = res.status().as_u16();
            (status, res.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let t = || Some(token.clone());

    // 400: not JSON at all.
    let (status, body) = post("{not json".into(), "application/json", t()).await;
    assert_eq!((status, error_code(&body)), (400, "bad_request"), "{body}");
    // 401: no token, bad token.
    let (status, body) = post(r#"{"name":"x"}"#.into(), "application/json", None).await;
    assert_eq!((status, error_code(&body)), (401, "unauthorized"));
    let (status, _) = post(
        r#"{"name":"x"}"#.into(),
        "application/json",
        Some("nonsense".into()),
    )
    .await;
    assert_eq!(status, 401);
    // 404: unknown community.
    let (status, body) = s.get_json("/api/v1/communities/nowhere", None).await;
    assert_eq!((status, error_code(&body)), (404, "not_found"));
    // 409: name taken, by a community or by an account.
    let (status, body) = post(r#"{"name":"kahvila"}"#.into(), "application/json", t()).await;
    assert_eq!((status, error_code(&body)), (409, "conflict"));
    let (status, _) = post(r#"{"name":"aino"}"#.into(), "application/json", t()).await;
    assert_eq!(status, 409, "community names cannot take account names");
    // 413: body over the limit.
    let huge = format!(
        r#"{{"name":"big","summary":"{}"}}"#,
        "x".repeat(2 * 1024 * 1024)
    );
    let (status, body) = post(huge.into(), "application/json", t()).await;
    assert_eq!((status, error_code(&body)), (413, "payload_too_large"));
    // 415: not JSON content type.
    let (status, _) = post(r#"{"name":"x"}"#.into(), "text/plain", t()).await;
    assert_eq!(status, 415);
    // 422: invalid field, named.
    for (payload, field) in [
        (r#"{"name":"Bad Name"}"#, "name"),
        (r#"{"name":""}"#, "name"),
        (r#"{"name":"ok_name","kind":"castle"}"#, "body"),
        (
            r#"{"name":"ok_name","website":"ftp://x.example"}"#,
            "website",
        ),
        (r#"{"display_name":"no name"}"#, "name"),
    ] {
        let (status, body) = post(payload.to_string().into(), "application/json", t()).await;
        assert_eq!(
            (status, error_code(&body)),
            (422, "invalid_field"),
            "{payload}: {body}"
        );
        assert_eq!(body["field"], field, "{payload}: {body}");
        assert!(!body["message"].as_str().unwrap_or("").is_empty());
    }
    let res = s
        .http
        .patch(s.url("/api/v1/communities/kahvila"))
        .bearer_auth(&token)
        .json(&json!({ "no_such_field": 1 }))
        .send()
        .await
        .expect("patch");
    assert_eq!(
        res.status(),
        422,
        "unknown fields are refused, not silently ignored"
    );

    let (_, list) = s.get_json("/api/v1/communities", None).await;
    let names: Vec<&str> = list
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert_eq!(
        names,
        vec!["kahvila"],
        "no refused request created anything"
    );
    s.stop().await;
}

#[tokio::test]
async fn a_decision_other_than_accept_or_reject_is_refused_on_every_decision_route() {
    let s = server().await;
    let token = s.account("aino").await;
    s.community(&token, "kahvila", "approval").await;
    for path in [
        "/api/v1/communities/kahvila/follow-requests/1/maybe",
        "/api/v1/communities/kahvila/member-requests/1/maybe",
        "/api/v1/events/abc/participants/1/maybe",
    ] {
        let (status, body) = s.post_json(path, Some(&token), json!({})).await;
        assert_eq!(status, 404, "{path}: {body}");
        assert_eq!(body["code"], "no_such_action", "{path}: {body}");
        assert_eq!(body["params"]["action"], "maybe", "{path}: {body}");
    }
}
