//! Calendars coming in (issue 17): a community subscribes to a calendar a test server serves; between
//! syncs it changes, and each entry is published, updated or cancelled exactly once, as a follower's
//! inbox counts; an unchanged calendar answers 304 and changes nothing. Real exports from Google,
//! Outlook and Nextcloud import; a malformed file is refused naming its line, and imports nothing.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use serde_json::{Value, json};

use crate::common::sink::{Sink, follow_from_sink};
use crate::common::{TestDb, TestServer, eventually};

/// The calendar the test server serves, and whether it honours `If-None-Match`.
#[derive(Clone, Default)]
struct Served {
    body: Arc<Mutex<String>>,
    honour_etag: Arc<Mutex<bool>>,
    not_modified: Arc<Mutex<u32>>,
}

fn etag_of(body: &str) -> String {
    format!(
        "\"{:x}\"",
        body.len() * 31 + body.bytes().map(usize::from).sum::<usize>()
    )
}

async fn serve_calendar(State(s): State<Served>, headers: HeaderMap) -> axum::response::Response {
    let body = s.body.lock().expect("lock").clone();
    let etag = etag_of(&body);
    let honour = *s.honour_etag.lock().expect("lock");
    if honour
        && headers
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            == Some(etag.as_str())
    {
        *s.not_modified.lock().expect("lock") += 1;
        return StatusCode::NOT_MODIFIED.into_response();
    }
    (
        [
            (header::CONTENT_TYPE, "text/calendar".to_string()),
            (header::ETAG, etag),
        ],
        body,
    )
        .into_response()
}

async fn calendar_server(served: Served) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let app = axum::Router::new()
        .route("/kalenteri.ics", axum::routing::get(serve_calendar))
        .with_state(served);
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{addr}/kalenteri.ics")
}

fn vevent(uid: &str, extra: &str, summary: &str, start: &str, end: &str) -> String {
    format!(
        "BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20261201T120000Z\r\nSUMMARY:{summary}\r\n\
         DTSTART;TZID=Europe/Helsinki:{start}\r\nDTEND;TZID=Europe/Helsinki:{end}\r\n{extra}END:VEVENT\r\n"
    )
}

fn calendar(events: &[String]) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Verkosto tests//FI\r\n{}END:VCALENDAR\r\n",
        events.concat()
    )
}

/// Breakfast on three Mondays in May 2027, the second left out.
fn breakfasts() -> String {
    vevent(
        "aamiainen@kahvila",
        "RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=3\r\nEXDATE;TZID=Europe/Helsinki:20270510T090000\r\n",
        "Aamiainen",
        "20270503T090000",
        "20270503T100000",
    )
}

fn first_version() -> String {
    calendar(&[
        vevent(
            "kahvi@kahvila",
            "",
            "Kahvitauko",
            "20270504T100000",
            "20270504T103000",
        ),
        vevent(
            "poistuva@kahvila",
            "",
            "Poistuva",
            "20270505T100000",
            "20270505T110000",
        ),
        vevent(
            "peruttava@kahvila",
            "",
            "Peruttava",
            "20270506T100000",
            "20270506T110000",
        ),
        breakfasts(),
        vevent(
            "vanha@kahvila",
            "",
            "Vanha",
            "20200504T100000",
            "20200504T110000",
        ),
    ])
}

fn second_version() -> String {
    calendar(&[
        vevent(
            "kahvi@kahvila",
            "",
            "Kahvitauko ja pulla",
            "20270504T100000",
            "20270504T103000",
        ),
        vevent(
            "peruttava@kahvila",
            "STATUS:CANCELLED\r\n",
            "Peruttava",
            "20270506T100000",
            "20270506T110000",
        ),
        breakfasts(),
        vevent(
            "aamiainen@kahvila",
            "RECURRENCE-ID;TZID=Europe/Helsinki:20270517T090000\r\n",
            "Aamiainen",
            "20270517T100000",
            "20270517T110000",
        ),
        vevent(
            "uusi@kahvila",
            "",
            "Uusi",
            "20270507T100000",
            "20270507T110000",
        ),
        vevent(
            "vanha@kahvila",
            "",
            "Vanha",
            "20200504T100000",
            "20200504T110000",
        ),
    ])
}

/// What the follower received of `kind`, by the event's title.
fn received(sink: &Sink, kind: &str) -> Vec<String> {
    let mut titles: Vec<String> = sink
        .accepted()
        .into_iter()
        .filter(|s| s.inbox == 0 && s.kind == kind && s.body["object"]["type"] == "Event")
        .map(|s| s.body["object"]["name"].as_str().unwrap_or("").to_string())
        .collect();
    titles.sort();
    titles
}

async fn settle() {
    tokio::time::sleep(Duration::from_millis(800)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscribed_calendar_that_changes_creates_updates_and_cancels_exactly_once() {
    let (sink, sink_host) = Sink::on_free_port().await;
    let served = Served::default();
    *served.body.lock().expect("lock") = first_version();
    *served.honour_etag.lock().expect("lock") = true;
    let url = calendar_server(served.clone()).await;
    let a = TestServer::start_with(
        TestDb::postgres().await.unwrap_or(TestDb::sqlite().await),
        |s| {
            s.series_horizon_count = 3;
            s.series_horizon_days = 3660;
        },
    )
    .await;
    let aino = a.account("aino").await;
    a.community(&aino, "kahvila", "open").await;
    follow_from_sink(&a.verkosto, "kahvila", &sink, &sink_host, [0]).await;

    let (status, subscription) = a
        .post_json(
            "/api/v1/communities/kahvila/calendars",
            Some(&aino),
            json!({ "url": url }),
        )
        .await;
    assert_eq!(status, 201, "{subscription}");
    let report = &subscription["last_result"];
    assert_eq!(
        (
            report["added"].as_u64(),
            report["past"].as_u64(),
            report["errors"].clone()
        ),
        (Some(4), Some(1), json!([])),
        "{subscription}"
    );
    let id = subscription["id"].as_str().expect("id").to_string();
    // Three events and the series' two dates (the middle one is an EXDATE).
    eventually(20, "five Creates", || async {
        (received(&sink, "Create").len() == 5).then_some(())
    })
    .await;
    assert_eq!(
        received(&sink, "Create"),
        [
            "Aamiainen",
            "Aamiainen",
            "Kahvitauko",
            "Peruttava",
            "Poistuva"
        ]
    );

    // Nothing changed: the server answers 304 and nothing is sent.
    let sync_path = format!("/api/v1/communities/kahvila/calendars/{id}/sync");
    let sync = || a.post_json(&sync_path, Some(&aino), json!({}));
    let (status, report) = sync().await;
    assert_eq!(
        (status, report["not_modified"].clone()),
        (200, json!(true)),
        "{report}"
    );
    assert_eq!(*served.not_modified.lock().expect("lock"), 1);

    // The calendar changes: one renamed, one gone, one cancelled there, one date of the series
    // moved, one new.
    *served.body.lock().expect("lock") = second_version();
    let (status, report) = sync().await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(
        [
            &report["added"],
            &report["changed"],
            &report["cancelled"],
            &report["unchanged"],
            &report["past"]
        ],
        [&json!(1), &json!(2), &json!(2), &json!(1), &json!(1)],
        "{report}"
    );
    assert_eq!(report["errors"], json!([]), "{report}");
    eventually(20, "the new event and the four Updates", || async {
        (received(&sink, "Create").len() == 6 && received(&sink, "Update").len() == 4).then_some(())
    })
    .await;
    settle().await;
    assert_eq!(
        received(&sink, "Create").len(),
        6,
        "nothing published twice"
    );
    assert_eq!(
        received(&sink, "Update"),
        ["Aamiainen", "Kahvitauko ja pulla", "Peruttava", "Poistuva"]
    );
    let cancelled: Vec<String> = sink
        .accepted()
        .into_iter()
        .filter(|s| s.kind == "Update" && s.body["object"]["status"] == "CANCELLED")
        .map(|s| s.body["object"]["name"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(cancelled.len(), 2, "{cancelled:?}");

    // The same calendar again, served in full (no 304): every entry is as it was; nothing is sent.
    *served.honour_etag.lock().expect("lock") = false;
    let (_, report) = sync().await;
    assert_eq!(
        [&report["added"], &report["changed"], &report["cancelled"]],
        [&json!(0), &json!(0), &json!(0)],
        "{report}"
    );
    settle().await;
    assert_eq!(
        (
            received(&sink, "Create").len(),
            received(&sink, "Update").len()
        ),
        (6, 4)
    );

    // The manager sees what the last sync did.
    let (_, list) = a
        .get_json("/api/v1/communities/kahvila/calendars", Some(&aino))
        .await;
    assert_eq!(list[0]["last_result"]["unchanged"], 5, "{list}");
    assert_eq!(list[0]["url"], url.as_str());
    a.stop().await;
}

async fn upload(a: &TestServer, token: &str, body: &str) -> (u16, Value) {
    let res = a
        .http
        .post(a.url("/api/v1/communities/kahvila/calendars/import"))
        .bearer_auth(token)
        .header(header::CONTENT_TYPE, "text/calendar")
        .body(body.to_string())
        .send()
        .await
        .expect("upload");
    let status = res.status().as_u16();
    (status, res.json().await.expect("json"))
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/ical/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("fixture")
}

#[tokio::test]
async fn real_exports_import_and_a_malformed_file_imports_nothing() {
    for db in TestDb::all().await {
        let backend = db.backend;
        let a = TestServer::start_with(db, |s| {
            s.series_horizon_count = 3;
            s.series_horizon_days = 3660;
        })
        .await;
        let aino = a.account("aino").await;
        a.community(&aino, "kahvila", "open").await;
        let count_events = || async {
            let (_, events) = a
                .get_json(
                    "/api/v1/communities/kahvila/events?from=2026-01-01T00:00:00Z",
                    None,
                )
                .await;
            events.as_array().map_or(0, Vec::len)
        };

        // A file broken on line 5 is refused naming it, and nothing of it is imported.
        let broken = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART:2027-01-25 09:00\r\n\
                      SUMMARY:Ei tule\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:b\r\nDTSTART:20270126T090000\r\n\
                      SUMMARY:Ei tämäkään\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let (status, body) = upload(&a, &aino, broken).await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(body["code"], "calendar_line", "{body}");
        assert!(
            body["message"]
                .as_str()
                .is_some_and(|m| m.contains("line 5")),
            "{body}"
        );
        assert_eq!(
            count_events().await,
            0,
            "{backend}: nothing imported half-way"
        );

        // Google's yearly series (from 2014, one date excluded, the first moved): its coming dates
        // become events at 19.00 in Los Angeles.
        let (status, report) = upload(&a, &aino, &fixture("google_recurring.ics")).await;
        assert_eq!(status, 200, "{report}");
        assert_eq!(
            (report["added"].clone(), report["errors"].clone()),
            (json!(1), json!([])),
            "{report}"
        );
        let (_, events) = a
            .get_json(
                "/api/v1/communities/kahvila/events?from=2026-01-01T00:00:00Z",
                None,
            )
            .await;
        let google: Vec<&Value> = events
            .as_array()
            .expect("events")
            .iter()
            .filter(|e| e["title"] == "Vespers for the Feast of St. Joseph")
            .collect();
        assert_eq!(
            google.len(),
            3,
            "{backend}: the horizon's three dates: {events}"
        );
        assert!(
            google.iter().all(|e| e["timezone"] == "America/Los_Angeles"
                && e["starts_at_local"]
                    .as_str()
                    .is_some_and(|t| t.contains("T19:00:00-07:00"))),
            "{google:?}"
        );
        // Uploading it again publishes nothing new.
        let (_, again) = upload(&a, &aino, &fixture("google_recurring.ics")).await;
        assert_eq!(again["added"], 0, "{again}");

        // Outlook's Windows zone names, Nextcloud's and Google's whole-day series: all read, all in
        // the past, so nothing is published, and no entry fails.
        for file in [
            "outlook_windows_zones.ics",
            "outlook_allday_recurring.ics",
            "nextcloud_recurring.ics",
            "google_allday_moved.ics",
        ] {
            let text = fixture(file);
            let entries = text.matches("BEGIN:VEVENT").count() as u64;
            let (status, report) = upload(&a, &aino, &text).await;
            assert_eq!(status, 200, "{file}: {report}");
            let total = ["added", "changed", "unchanged", "past", "cancelled"]
                .iter()
                .map(|k| report[k].as_u64().unwrap_or(0))
                .sum::<u64>();
            assert_eq!(total, entries, "{file}: {report}");
            assert_eq!(report["added"], 0, "{file}: {report}");
            assert_eq!(report["errors"], json!([]), "{file}: {report}");
        }
        assert_eq!(count_events().await, 3, "{backend}");
        a.stop().await;
    }
}
