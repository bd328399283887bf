//! Numeric query parameters across the HTTP surface, against a running server: huge, negative and
//! non-numeric values are answered 400 or 422 with a message (never a panic, a 5xx or a wrapped
//! number), and ordinary ones still work.

use crate::common::{TestDb, TestServer};

const BAD: [&str; 6] = [
    "9223372036854775807",
    "-1",
    "0",
    "99999999999999999999999999",
    "abc",
    "1e3",
];

#[tokio::test]
async fn numeric_query_parameters_are_bounded_and_validated() {
    for db in TestDb::all().await {
        eprintln!("-- backend: {}", db.backend);
        let s = TestServer::start(db).await;
        let token = s.account("aino").await;
        s.community(&token, "kahvila", "open").await;

        let collections = [
            "/c/kahvila/followers",
            "/c/kahvila/outbox",
            "/u/aino/followers",
            "/u/aino/outbox",
        ];
        for path in collections {
            for bad in BAD {
                let (status, _, answer) = s.get_ap(&format!("{path}?page={bad}")).await;
                assert!(
                    status == 400 || status == 422,
                    "{path}?page={bad}: {status} {answer}"
                );
                assert!(answer["message"].is_string(), "{path}?page={bad}: {answer}");
            }
            let (status, _, page) = s.get_ap(&format!("{path}?page=1")).await;
            assert_eq!(status, 200, "{path}?page=1");
            assert_eq!(page["type"], "OrderedCollectionPage");
            let (status, _, page) = s.get_ap(&format!("{path}?page=100000")).await;
            assert_eq!(
                (status, page.get("next")),
                (200, None),
                "{path}: the last page"
            );
        }

        let api = [
            ("/api/v1/communities", ["limit", "offset"].as_slice()),
            (
                "/api/v1/communities/kahvila/announcements",
                &["limit", "offset"],
            ),
            ("/api/v1/timeline", &["limit"]),
        ];
        for (path, params) in api {
            for param in params {
                let out_of_range = if *param == "limit" { "101" } else { "1000001" };
                for bad in BAD.iter().copied().chain([out_of_range]) {
                    if *param == "offset" && bad == "0" {
                        continue;
                    }
                    let (status, answer) = s
                        .get_json(&format!("{path}?{param}={bad}"), Some(&token))
                        .await;
                    assert!(
                        status == 400 || status == 422,
                        "{path}?{param}={bad}: {status} {answer}"
                    );
                    assert!(
                        answer["error"].is_string() && answer["message"].is_string(),
                        "{path}?{param}={bad}: {answer}"
                    );
                    if status == 422 {
                        assert_eq!(answer["field"], *param, "{answer}");
                    }
                }
                let (status, answer) = s.get_json(&format!("{path}?{param}=1"), Some(&token)).await;
                assert_eq!(status, 200, "{path}?{param}=1: {answer}");
                assert!(answer.is_array(), "{answer}");
            }
        }

        // The month of the web calendar.
        for bad in [
            "9223372036854775807-01",
            "-1-01",
            "99999-01",
            "2027-13",
            "abc",
            "+10000-01",
        ] {
            let res = s
                .http
                .get(s.url(&format!("/c/kahvila/calendar?month={bad}")))
                .send()
                .await
                .expect("GET");
            let status = res.status().as_u16();
            assert!(
                (400..500).contains(&status),
                "calendar?month={bad}: {status}"
            );
        }
        let res = s
            .http
            .get(s.url("/c/kahvila/calendar?month=2027-01"))
            .send()
            .await
            .expect("GET");
        assert_eq!(res.status(), 200);
        s.stop().await;
    }
}
