//! The authorization matrix: every client API endpoint tried with no token, a stranger's, a member's,
//! a manager's and an administrator's, asserting who may do what.

mod common;

use common::{TestDb, TestServer};
use serde_json::{Value, json};

#[derive(Clone, Copy, Debug, PartialEq)]
enum Who {
    Nobody,
    Stranger,
    Member,
    Manager,
    Admin,
}

/// Who may call an endpoint.
#[derive(Clone, Copy, Debug)]
enum Allowed {
    Anyone,
    SignedIn,
    Managers,
    Admins,
}

impl Allowed {
    fn permits(self, who: Who) -> bool {
        match self {
            Allowed::Anyone => true,
            Allowed::SignedIn => who != Who::Nobody,
            Allowed::Managers => matches!(who, Who::Manager | Who::Admin),
            Allowed::Admins => who == Who::Admin,
        }
    }
}

#[tokio::test]
async fn every_endpoint_admits_exactly_who_it_should() {
    let s = TestServer::start(TestDb::sqlite().await).await;
    let manager = s.account("manager").await;
    let stranger = s.account("stranger").await;
    let member = s.account("member").await;
    s.account("target").await;
    let admin = s.admin("admin").await;
    s.community(&manager, "kahvila", "open").await;
    s.community(&manager, "verkosto", "open").await;
    // "member" becomes a member (a manager, then demoted).
    for method in ["POST", "DELETE"] {
        let req = s
            .http
            .request(
                method.parse().expect("method"),
                s.url("/api/v1/communities/kahvila/managers/member"),
            )
            .bearer_auth(&manager);
        assert!(req.send().await.expect("membership").status().is_success());
    }
    let event = |title: &str| json!({ "title": title, "starts_at": "2030-01-01T10:00:00Z", "ends_at": "2030-01-01T12:00:00Z" });
    let (_, e) = {
        let res = s
            .http
            .post(s.url("/api/v1/communities/kahvila/events"))
            .bearer_auth(&manager)
            .json(&event("x"))
            .send()
            .await
            .expect("event");
        (res.status(), res.json::<Value>().await.expect("json"))
    };
    let eid = e["id"].as_str().expect("id").to_string();
    let res = s
        .http
        .post(s.url("/api/v1/communities/kahvila/announcements"))
        .bearer_auth(&manager)
        .json(&json!({ "content": "hei" }))
        .send()
        .await
        .expect("a");
    let aid = res.json::<Value>().await.expect("json")["id"]
        .as_str()
        .expect("id")
        .to_string();

    use Allowed::*;
    let endpoints: Vec<(&str, String, Value, Allowed)> = vec![
        ("GET", "/api/v1/accounts/me".into(), Value::Null, SignedIn),
        ("GET", "/api/v1/communities".into(), Value::Null, Anyone),
        (
            "POST",
            "/api/v1/communities".into(),
            json!({ "name": "uusi" }),
            SignedIn,
        ),
        (
            "GET",
            "/api/v1/communities/kahvila".into(),
            Value::Null,
            Anyone,
        ),
        (
            "PATCH",
            "/api/v1/communities/kahvila".into(),
            json!({ "summary": "muutettu" }),
            Managers,
        ),
        (
            "POST",
            "/api/v1/communities/kahvila/managers/target".into(),
            Value::Null,
            Managers,
        ),
        (
            "DELETE",
            "/api/v1/communities/kahvila/managers/target".into(),
            Value::Null,
            Managers,
        ),
        (
            "GET",
            "/api/v1/communities/kahvila/follow-requests".into(),
            Value::Null,
            Managers,
        ),
        (
            "POST",
            "/api/v1/communities/kahvila/follow-requests/999/accept".into(),
            Value::Null,
            Managers,
        ),
        ("GET", "/api/v1/follows".into(), Value::Null, SignedIn),
        (
            "GET",
            "/api/v1/lookup?handle=x@nowhere.invalid".into(),
            Value::Null,
            SignedIn,
        ),
        (
            "POST",
            "/api/v1/communities/kahvila/events".into(),
            event("uusi"),
            Managers,
        ),
        (
            "GET",
            "/api/v1/communities/kahvila/events".into(),
            Value::Null,
            Anyone,
        ),
        ("GET", format!("/api/v1/events/{eid}"), Value::Null, Anyone),
        (
            "PATCH",
            format!("/api/v1/events/{eid}"),
            json!({ "title": "muutettu" }),
            Managers,
        ),
        (
            "GET",
            format!("/api/v1/events/{eid}/participants"),
            Value::Null,
            Managers,
        ),
        (
            "POST",
            format!("/api/v1/events/{eid}/participants/999/accept"),
            Value::Null,
            Managers,
        ),
        (
            "POST",
            format!("/api/v1/events/{eid}/participation"),
            Value::Null,
            SignedIn,
        ),
        (
            "GET",
            format!("/api/v1/events/{eid}/participation"),
            Value::Null,
            SignedIn,
        ),
        (
            "DELETE",
            format!("/api/v1/events/{eid}/participation"),
            Value::Null,
            SignedIn,
        ),
        (
            "GET",
            format!("/api/v1/events/{eid}/comments"),
            Value::Null,
            Anyone,
        ),
        (
            "DELETE",
            format!("/api/v1/events/{eid}/comments/999"),
            Value::Null,
            Managers,
        ),
        (
            "POST",
            format!("/api/v1/events/{eid}/cancel"),
            Value::Null,
            Managers,
        ),
        ("GET", "/api/v1/timeline".into(), Value::Null, SignedIn),
        ("GET", "/api/v1/calendar".into(), Value::Null, SignedIn),
        (
            "POST",
            "/api/v1/communities/kahvila/announcements".into(),
            json!({ "content": "uusi" }),
            Managers,
        ),
        (
            "GET",
            "/api/v1/communities/kahvila/announcements".into(),
            Value::Null,
            Anyone,
        ),
        (
            "GET",
            format!("/api/v1/announcements/{aid}"),
            Value::Null,
            Anyone,
        ),
        (
            "PATCH",
            format!("/api/v1/announcements/{aid}"),
            json!({ "pinned": true }),
            Managers,
        ),
        (
            "GET",
            "/api/v1/communities/kahvila/networks".into(),
            Value::Null,
            Anyone,
        ),
        (
            "POST",
            "/api/v1/communities/kahvila/networks".into(),
            json!({ "handle": format!("nowhere@{}", s.domain) }),
            Managers,
        ),
        (
            "DELETE",
            "/api/v1/communities/kahvila/networks".into(),
            json!({ "handle": format!("nowhere@{}", s.domain) }),
            Managers,
        ),
        (
            "GET",
            "/api/v1/communities/verkosto/member-requests".into(),
            Value::Null,
            Managers,
        ),
        (
            "POST",
            "/api/v1/communities/verkosto/member-requests/999/accept".into(),
            Value::Null,
            Managers,
        ),
        (
            "DELETE",
            "/api/v1/communities/verkosto/members/999".into(),
            Value::Null,
            Managers,
        ),
        (
            "GET",
            "/api/v1/admin/domain-blocks".into(),
            Value::Null,
            Admins,
        ),
        (
            "POST",
            "/api/v1/admin/domain-blocks".into(),
            json!({ "host": "spam.example" }),
            Admins,
        ),
        (
            "DELETE",
            "/api/v1/admin/domain-blocks/spam.example".into(),
            Value::Null,
            Admins,
        ),
        (
            "DELETE",
            format!("/api/v1/announcements/{aid}"),
            Value::Null,
            Managers,
        ),
        (
            "DELETE",
            format!("/api/v1/events/{eid}"),
            Value::Null,
            Managers,
        ),
    ];
    let tokens = [
        (Who::Nobody, None),
        (Who::Stranger, Some(stranger.clone())),
        (Who::Member, Some(member.clone())),
        (Who::Manager, Some(manager.clone())),
        (Who::Admin, Some(admin.clone())),
    ];
    let mut failures = vec![];
    for (method, path, body, allowed) in &endpoints {
        for (who, token) in &tokens {
            let mut req = s.http.request(method.parse().expect("method"), s.url(path));
            if !body.is_null() {
                req = req.json(body);
            }
            if let Some(t) = token {
                req = req.bearer_auth(t);
            }
            let status = req.send().await.expect("request").status().as_u16();
            let ok = if allowed.permits(*who) {
                status != 401 && status != 403 && status < 500
            } else if *who == Who::Nobody {
                status == 401
            } else {
                status == 403
            };
            if !ok {
                failures.push(format!(
                    "{method} {path} as {who:?}: {status} (allowed: {allowed:?})"
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "authorization mismatches:\n{}",
        failures.join("\n")
    );
    s.stop().await;
}
