//! The authorization matrix: every client API endpoint tried with no token, a stranger's, a member's,
//! a manager's and an administrator's. A refused caller must get exactly 401 (no token) or 403, and a
//! permitted one exactly the endpoint's success status, on a fixture of its own when the call changes
//! something (so an endpoint that answered 404 or 422 to a permitted caller fails the test too).

use crate::common::{TestDb, TestServer};
use serde_json::{Value, json};

#[derive(Clone, Copy, Debug, PartialEq)]
enum Who {
    Nobody,
    Stranger,
    Member,
    Manager,
    Admin,
}

impl Who {
    fn username(self) -> Option<&'static str> {
        match self {
            Who::Nobody => None,
            Who::Stranger => Some("stranger"),
            Who::Member => Some("member"),
            Who::Manager => Some("manager"),
            Who::Admin => Some("admin"),
        }
    }
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

/// What one call needs in place first.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Prep {
    Nothing,
    /// The caller follows the fixture's community.
    Following,
    /// The caller takes part in the fixture's event.
    Participating,
    /// "target" manages the fixture's community.
    TargetManages,
    /// The fixture's community is a member of the network.
    InNetwork,
    /// `spam{n}.example` is blocked.
    Blocked,
}

/// One endpoint: method, path and body with `{c}` (community), `{eid}` (event), `{aid}`
/// (announcement), `{n}` (a number unique to the call), `{domain}` and `{remote}` (the other
/// instance) filled in; who may call it; and
/// what a permitted call answers.
struct Case {
    method: &'static str,
    path: &'static str,
    body: Value,
    allowed: Allowed,
    ok: u16,
    prep: Prep,
}

fn case(method: &'static str, path: &'static str, allowed: Allowed, ok: u16) -> Case {
    Case {
        method,
        path,
        body: Value::Null,
        allowed,
        ok,
        prep: Prep::Nothing,
    }
}

impl Case {
    fn body(mut self, body: Value) -> Case {
        self.body = body;
        self
    }

    fn after(mut self, prep: Prep) -> Case {
        self.prep = prep;
        self
    }
}

/// A community with an event and an announcement, "member" a member of it (made a manager, then
/// demoted); the manager's own.
struct Fixture {
    community: String,
    event: String,
    announcement: String,
}

async fn fixture(s: &TestServer, manager: &str, n: usize) -> Fixture {
    let community = format!("yhteiso{n}");
    s.community(manager, &community, "open").await;
    for method in ["POST", "DELETE"] {
        let res = s
            .http
            .request(
                method.parse().expect("method"),
                s.url(&format!("/api/v1/communities/{community}/managers/member")),
            )
            .bearer_auth(manager)
            .send()
            .await
            .expect("membership");
        assert!(
            res.status().is_success(),
            "{method} manager: {}",
            res.status()
        );
    }
    let (status, e) = s
        .post_json(
            &format!("/api/v1/communities/{community}/events"),
            Some(manager),
            json!({ "title": "x", "starts_at": "2030-01-01T10:00:00Z", "ends_at": "2030-01-01T12:00:00Z" }),
        )
        .await;
    assert_eq!(status, 201, "{e}");
    let (status, a) = s
        .post_json(
            &format!("/api/v1/communities/{community}/announcements"),
            Some(manager),
            json!({ "content": "hei" }),
        )
        .await;
    assert_eq!(status, 201, "{a}");
    Fixture {
        community,
        event: e["id"].as_str().expect("event id").to_string(),
        announcement: a["id"].as_str().expect("announcement id").to_string(),
    }
}

/// Puts in place what a call needs first (as the caller, or as the fixture's manager).
async fn prepare(
    s: &TestServer,
    remote: &TestServer,
    prep: Prep,
    f: &Fixture,
    caller: Option<&str>,
    manager: &str,
    n: usize,
) {
    let (path, token, body) = match prep {
        Prep::Nothing => return,
        Prep::Following => (
            "/api/v1/follows".to_string(),
            caller,
            json!({ "handle": format!("lopetettava@{}", remote.domain) }),
        ),
        Prep::Participating => (
            format!("/api/v1/events/{}/participation", f.event),
            caller,
            json!({}),
        ),
        Prep::TargetManages => (
            format!("/api/v1/communities/{}/managers/target", f.community),
            Some(manager),
            Value::Null,
        ),
        Prep::InNetwork => (
            format!("/api/v1/communities/{}/networks", f.community),
            Some(manager),
            json!({ "handle": format!("verkosto@{}", s.domain) }),
        ),
        Prep::Blocked => (
            "/api/v1/admin/domain-blocks".to_string(),
            caller,
            json!({ "host": format!("spam{n}.example") }),
        ),
    };
    let (status, answer) = s.post_json(&path, token, body).await;
    assert!(
        (200..300).contains(&status),
        "prepare {prep:?}: {status} {answer}"
    );
}

fn fill(template: &str, f: &Fixture, n: usize, domain: &str, remote: &str) -> String {
    template
        .replace("{remote}", remote)
        .replace("{c}", &f.community)
        .replace("{eid}", &f.event)
        .replace("{aid}", &f.announcement)
        .replace("{n}", &n.to_string())
        .replace("{domain}", domain)
}

#[tokio::test]
async fn every_endpoint_admits_exactly_who_it_should() {
    let s = TestServer::start_with(TestDb::sqlite().await, |settings| {
        settings.open_registration = true;
    })
    .await;
    // Another instance with communities to follow, look up and unfollow.
    let remote = TestServer::start(TestDb::sqlite().await).await;
    let owner = remote.account("omistaja").await;
    remote.community(&owner, "seurattava", "open").await;
    remote.community(&owner, "lopetettava", "open").await;
    let manager = s.account("manager").await;
    for who in ["stranger", "member", "target"] {
        s.account(who).await;
    }
    s.admin("admin").await;
    let login = |who: Who| {
        let s = &s;
        async move {
            let name = who.username()?;
            let (status, body) = s
                .post_json(
                    "/api/v1/auth/token",
                    None,
                    json!({ "username": name, "password": "salasana123" }),
                )
                .await;
            assert_eq!(status, 200, "login of {name}");
            body["access_token"].as_str().map(str::to_string)
        }
    };
    let (status, network) = s
        .post_json(
            "/api/v1/communities",
            Some(&manager),
            json!({ "name": "verkosto", "kind": "network" }),
        )
        .await;
    assert_eq!(status, 201, "{network}");
    let shared = fixture(&s, &manager, 0).await;
    let mut fixtures = 1;

    use Allowed::*;
    let cases: Vec<Case> =
        vec![
        case("POST", "/api/v1/accounts", Anyone, 201)
            .body(json!({ "username": "uusi{n}", "password": "pitka salasana" })),
        case("DELETE", "/api/v1/auth/token", SignedIn, 204),
        case("GET", "/api/v1/accounts/me", SignedIn, 200),
        case("GET", "/api/v1/communities", Anyone, 200),
        case("POST", "/api/v1/communities", SignedIn, 201).body(json!({ "name": "uusi{n}" })),
        case("GET", "/api/v1/communities/{c}", Anyone, 200),
        case("PATCH", "/api/v1/communities/{c}", Managers, 200)
            .body(json!({ "summary": "muutettu" })),
        case("POST", "/api/v1/communities/{c}/managers/target", Managers, 200),
        case("DELETE", "/api/v1/communities/{c}/managers/target", Managers, 204)
            .after(Prep::TargetManages),
        case("GET", "/api/v1/communities/{c}/follow-requests", Managers, 200),
        case("POST", "/api/v1/communities/{c}/follow-requests/999/accept", Managers, 404),
        case("POST", "/api/v1/communities/{c}/follow-requests/999/reject", Managers, 404),
        case("GET", "/api/v1/follows", SignedIn, 200),
        case("POST", "/api/v1/follows", SignedIn, 201)
            .body(json!({ "handle": "seurattava@{remote}" })),
        case("DELETE", "/api/v1/follows", SignedIn, 204)
            .body(json!({ "handle": "lopetettava@{remote}" }))
            .after(Prep::Following),
        case("GET", "/api/v1/lookup?handle=seurattava@{remote}", SignedIn, 200),
        case("POST", "/api/v1/communities/{c}/events", Managers, 201).body(json!({
            "title": "uusi", "starts_at": "2030-01-01T10:00:00Z", "ends_at": "2030-01-01T12:00:00Z"
        })),
        case("GET", "/api/v1/communities/{c}/events", Anyone, 200),
        case("GET", "/api/v1/events/{eid}", Anyone, 200),
        case("PATCH", "/api/v1/events/{eid}", Managers, 200).body(json!({ "title": "muutettu" })),
        case("GET", "/api/v1/events/{eid}/participants", Managers, 200),
        case("POST", "/api/v1/events/{eid}/participants/999/accept", Managers, 404),
        case("POST", "/api/v1/events/{eid}/participants/999/reject", Managers, 404),
        case("POST", "/api/v1/events/{eid}/participation", SignedIn, 201),
        case("GET", "/api/v1/events/{eid}/participation", SignedIn, 200).after(Prep::Participating),
        case("DELETE", "/api/v1/events/{eid}/participation", SignedIn, 204)
            .after(Prep::Participating),
        case("GET", "/api/v1/events/{eid}/comments", Anyone, 200),
        case("DELETE", "/api/v1/events/{eid}/comments/999", Managers, 404),
        case("POST", "/api/v1/events/{eid}/cancel", Managers, 200),
        case("GET", "/api/v1/timeline", SignedIn, 200),
        case("GET", "/api/v1/calendar", SignedIn, 200),
        case("POST", "/api/v1/calendar", SignedIn, 201),
        case("DELETE", "/api/v1/calendar", SignedIn, 204),
        case("POST", "/api/v1/communities/{c}/announcements", Managers, 201)
            .body(json!({ "content": "uusi" })),
        case("GET", "/api/v1/communities/{c}/announcements", Anyone, 200),
        case("GET", "/api/v1/announcements/{aid}", Anyone, 200),
        case("PATCH", "/api/v1/announcements/{aid}", Managers, 200).body(json!({ "pinned": true })),
        case("DELETE", "/api/v1/announcements/{aid}", Managers, 204),
        case("GET", "/api/v1/communities/{c}/networks", Anyone, 200),
        case("POST", "/api/v1/communities/{c}/networks", Managers, 201)
            .body(json!({ "handle": "verkosto@{domain}" })),
        case("DELETE", "/api/v1/communities/{c}/networks", Managers, 204)
            .body(json!({ "handle": "verkosto@{domain}" }))
            .after(Prep::InNetwork),
        case("GET", "/api/v1/communities/{c}/member-requests", Managers, 200),
        case("POST", "/api/v1/communities/{c}/member-requests/999/accept", Managers, 404),
        case("POST", "/api/v1/communities/{c}/member-requests/999/reject", Managers, 404),
        case("GET", "/api/v1/communities/verkosto/members", Anyone, 200),
        case("GET", "/api/v1/communities/verkosto/directory", Anyone, 200),
        case("DELETE", "/api/v1/communities/{c}/members/999", Managers, 404),
        case("GET", "/api/v1/admin/domain-blocks", Admins, 200),
        case("POST", "/api/v1/admin/domain-blocks", Admins, 201)
            .body(json!({ "host": "spam{n}.example" })),
        case("DELETE", "/api/v1/admin/domain-blocks/spam{n}.example", Admins, 204)
            .after(Prep::Blocked),
        case("DELETE", "/api/v1/events/{eid}", Managers, 204),
    ];
    let whos = [
        Who::Nobody,
        Who::Stranger,
        Who::Member,
        Who::Manager,
        Who::Admin,
    ];
    let mut tokens = std::collections::HashMap::new();
    for who in whos {
        tokens.insert(format!("{who:?}"), login(who).await);
    }
    let mut failures = vec![];
    for c in &cases {
        for who in whos {
            let permitted = c.allowed.permits(who);
            // A permitted call that changes something gets a fixture of its own, so each is checked
            // against its exact answer.
            let own;
            let f = if permitted && c.method != "GET" {
                own = fixture(&s, &manager, fixtures).await;
                fixtures += 1;
                &own
            } else {
                &shared
            };
            // Revoking the token needs one of its own.
            let token = if permitted && c.path == "/api/v1/auth/token" {
                login(who).await
            } else {
                tokens[&format!("{who:?}")].clone()
            };
            if permitted {
                prepare(&s, &remote, c.prep, f, token.as_deref(), &manager, fixtures).await;
            }
            let path = fill(c.path, f, fixtures, &s.domain, &remote.domain);
            let mut req = s
                .http
                .request(c.method.parse().expect("method"), s.url(&path));
            if !c.body.is_null() {
                let body = fill(&c.body.to_string(), f, fixtures, &s.domain, &remote.domain);
                req = req.header("content-type", "application/json").body(body);
            }
            if let Some(t) = &token {
                req = req.bearer_auth(t);
            }
            let res = req.send().await.expect("request");
            let status = res.status().as_u16();
            let expected = if permitted {
                c.ok
            } else if who == Who::Nobody {
                401
            } else {
                403
            };
            if status != expected {
                let answer = res.text().await.unwrap_or_default();
                failures.push(format!(
                    "{} {path} as {who:?}: {status}, expected {expected}: {answer}",
                    c.method
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
    remote.stop().await;
}
