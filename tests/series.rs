//! Recurring events (issue 17): a series federates as single events, each naming its series; an edit
//! of one occurrence, or of it and the following ones, reaches exactly the occurrences it changed; the
//! series' iCalendar expands to the server's own dates in two independent parsers across a DST change.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use serde_json::{Value, json};
use verkosto::Settings;

use crate::common::sink::{Sink, follow_from_sink};
use crate::common::{TestDb, TestServer, eventually};

fn horizon(s: &mut Settings) {
    s.series_horizon_count = 4;
    s.series_horizon_days = 3660;
}

/// What the follower's inbox received of each kind, by the object's id.
fn received(sink: &Sink, kind: &str) -> BTreeMap<String, Vec<Value>> {
    let mut out: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for seen in sink.accepted() {
        if seen.inbox == 0 && seen.kind == kind && seen.body["object"]["type"] == "Event" {
            let id = seen.body["object"]["id"].as_str().unwrap_or("").to_string();
            out.entry(id).or_default().push(seen.body["object"].clone());
        }
    }
    out
}

async fn create_series(a: &TestServer, token: &str, body: Value) -> Value {
    let (status, event) = a
        .post_json("/api/v1/communities/kahvila/events", Some(token), body)
        .await;
    assert_eq!(status, 201, "{event}");
    event
}

async fn occurrences(a: &TestServer, series: &str, from: &str, to: &str) -> Vec<Value> {
    let (status, view) = a
        .get_json(
            &format!("/api/v1/series/{series}?from={from}&to={to}"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{view}");
    view["occurrences"].as_array().cloned().unwrap_or_default()
}

async fn patch(a: &TestServer, token: &str, id: &str, body: Value) -> Value {
    let res = a
        .http
        .patch(a.url(&format!("/api/v1/events/{id}")))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .expect("patch");
    let status = res.status().as_u16();
    let body: Value = res.json().await.expect("json");
    assert_eq!(status, 200, "{body}");
    body
}

/// The remote events `token` sees on `b`, by title.
async fn remote_events(b: &TestServer, token: &str) -> Vec<Value> {
    let (_, timeline) = b.get_json("/api/v1/timeline", Some(token)).await;
    timeline
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|i| i.get("starts_at").is_some())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_weekly_and_a_yearly_series_federate_as_events_and_their_edits_as_updates() {
    let (sink, sink_host) = Sink::on_free_port().await;
    let a = TestServer::start_with(
        TestDb::postgres().await.unwrap_or(TestDb::sqlite().await),
        horizon,
    )
    .await;
    let b = TestServer::start(TestDb::sqlite().await).await;
    let aino = a.account("aino").await;
    a.community(&aino, "kahvila", "open").await;
    follow_from_sink(&a.verkosto, "kahvila", &sink, &sink_host, [0]).await;
    let bea = b.account("bea").await;
    let (status, follow) = b
        .post_json(
            "/api/v1/follows",
            Some(&bea),
            json!({ "handle": format!("kahvila@{}", a.domain) }),
        )
        .await;
    assert_eq!(status, 201, "{follow}");
    eventually(10, "bea's follow accepted", || async {
        let (_, follows) = b.get_json("/api/v1/follows", Some(&bea)).await;
        (follows[0]["state"] == "accepted").then_some(())
    })
    .await;

    // Breakfast every Monday at 9.00 in Helsinki, across the change to summer time (28 March 2027).
    let weekly = create_series(
        &a,
        &aino,
        json!({ "title": "Maanantaiaamiainen", "starts_at": "2027-03-15T09:00:00+02:00",
                "ends_at": "2027-03-15T10:00:00+02:00", "timezone": "Europe/Helsinki",
                "recurrence": "FREQ=WEEKLY;BYDAY=MO" }),
    )
    .await;
    assert_eq!(weekly["series"]["recurrence"], "FREQ=WEEKLY;BYDAY=MO");
    let weekly_series = weekly["series"]["id"]
        .as_str()
        .expect("series id")
        .to_string();
    let weekly_ap = weekly["series"]["ap_id"]
        .as_str()
        .expect("ap id")
        .to_string();
    // The national community managers' day: the fourth Monday of January.
    let yearly = create_series(
        &a,
        &aino,
        json!({ "title": "CMAD", "starts_at": "2027-01-25T09:00:00+02:00",
                "ends_at": "2027-01-25T16:00:00+02:00", "timezone": "Europe/Helsinki",
                "recurrence": "RRULE:FREQ=YEARLY;BYMONTH=1;BYDAY=4MO" }),
    )
    .await;
    let yearly_ap = yearly["series"]["ap_id"]
        .as_str()
        .expect("ap id")
        .to_string();

    let weekly_dates = [
        "2027-03-15T07:00:00Z",
        "2027-03-22T07:00:00Z",
        "2027-03-29T06:00:00Z",
        "2027-04-05T06:00:00Z",
    ];
    let listed = occurrences(
        &a,
        &weekly_series,
        "2027-03-01T00:00:00Z",
        "2027-04-06T00:00:00Z",
    )
    .await;
    let starts: Vec<&str> = listed
        .iter()
        .filter_map(|o| o["starts_at"].as_str())
        .collect();
    assert_eq!(starts, weekly_dates);
    assert!(listed.iter().all(|o| o["event"].is_string()), "{listed:?}");
    let ids: Vec<String> = listed
        .iter()
        .filter_map(|o| o["event"].as_str().map(str::to_string))
        .collect();

    // The follower got each occurrence as one `Event`, naming its series, at 9.00 local time.
    let creates = eventually(20, "eight Creates at the follower", || async {
        let creates = received(&sink, "Create");
        (creates.len() == 8).then_some(creates)
    })
    .await;
    assert!(creates.values().all(|c| c.len() == 1), "each Create once");
    let starts_of = |series: &str| -> BTreeSet<String> {
        creates
            .values()
            .map(|c| &c[0])
            .filter(|e| e["series"]["id"] == series)
            .map(|e| e["startTime"].as_str().unwrap_or("").to_string())
            .collect()
    };
    let utc = |s: &str| {
        chrono::DateTime::parse_from_rfc3339(s)
            .expect("time")
            .with_timezone(&chrono::Utc)
            .to_rfc3339()
    };
    let normalise = |set: BTreeSet<String>| set.iter().map(|s| utc(s)).collect::<BTreeSet<_>>();
    assert_eq!(
        normalise(starts_of(&weekly_ap)),
        weekly_dates.iter().map(|s| utc(s)).collect::<BTreeSet<_>>()
    );
    assert_eq!(
        normalise(starts_of(&yearly_ap)),
        [
            "2027-01-25T07:00:00Z",
            "2028-01-24T07:00:00Z",
            "2029-01-22T07:00:00Z",
            "2030-01-28T07:00:00Z"
        ]
        .iter()
        .map(|s| utc(s))
        .collect::<BTreeSet<_>>()
    );
    let one = &creates.values().next().expect("a create")[0];
    assert!(
        one["series"]["rrule"].is_string() && one["recurrenceId"].is_string(),
        "{one}"
    );

    // The series itself is dereferenceable: the collection of its occurrences, with its rule.
    let (status, _, doc) = a.get_ap(&format!("/s/{weekly_series}")).await;
    assert_eq!(status, 200);
    assert_eq!(doc["type"], "OrderedCollection");
    assert_eq!(doc["rrule"], "FREQ=WEEKLY;BYDAY=MO");
    assert_eq!(doc["totalItems"], 4);

    // The second instance has all eight, grouped by their two series.
    let on_b = eventually(20, "eight events on the second instance", || async {
        let events = remote_events(&b, &bea).await;
        (events.len() == 8).then_some(events)
    })
    .await;
    let series_on_b: BTreeMap<String, usize> = on_b.iter().fold(BTreeMap::new(), |mut m, e| {
        *m.entry(e["series"]["ap_id"].as_str().unwrap_or("none").to_string())
            .or_default() += 1;
        m
    });
    assert_eq!(
        series_on_b,
        BTreeMap::from([(weekly_ap.clone(), 4), (yearly_ap.clone(), 4)])
    );

    // One occurrence changed alone: one Update, of that occurrence only.
    patch(&a, &aino, &ids[1], json!({ "title": "Aamiainen ja kahvi" })).await;
    eventually(20, "the Update of the second occurrence", || async {
        received(&sink, "Update")
            .contains_key(&creates_key(&creates, weekly_dates[1]))
            .then_some(())
    })
    .await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    let updates = received(&sink, "Update");
    assert_eq!(
        updates.len(),
        1,
        "only the changed occurrence: {:?}",
        updates.keys()
    );

    // This and following, from the third: 10.00 instead of 9.00. The third and the fourth are sent an
    // Update, the first two nothing.
    let third = patch(
        &a,
        &aino,
        &ids[2],
        json!({ "starts_at": "2027-03-29T10:00:00+03:00", "ends_at": "2027-03-29T11:00:00+03:00",
                "scope": "following" }),
    )
    .await;
    assert_ne!(
        third["series"]["id"],
        weekly_series.as_str(),
        "the series was split"
    );
    let updates = eventually(20, "the Updates of the third and fourth", || async {
        let updates = received(&sink, "Update");
        (updates.len() == 3).then_some(updates)
    })
    .await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(received(&sink, "Update").len(), 3);
    for (date, count) in [(0, 0), (1, 1), (2, 1), (3, 1)] {
        let key = creates_key(&creates, weekly_dates[date]);
        assert_eq!(
            updates.get(&key).map_or(0, Vec::len),
            count,
            "Updates of occurrence {date}"
        );
    }
    let fourth = &updates[&creates_key(&creates, weekly_dates[3])][0];
    assert_eq!(
        utc(fourth["startTime"].as_str().expect("start")),
        utc("2027-04-05T07:00:00Z")
    );
    assert_eq!(fourth["series"]["id"], third["series"]["ap_id"]);

    // The second instance follows: the later two under the new series, at 10.00.
    eventually(20, "the split on the second instance", || async {
        let events = remote_events(&b, &bea).await;
        let moved = events
            .iter()
            .filter(|e| e["series"]["ap_id"] == third["series"]["ap_id"])
            .count();
        let renamed = events
            .iter()
            .filter(|e| e["title"] == "Aamiainen ja kahvi")
            .count();
        (moved == 2 && renamed == 1).then_some(())
    })
    .await;
    a.stop().await;
    b.stop().await;
}

/// The id of the occurrence the follower was sent with this start.
fn creates_key(creates: &BTreeMap<String, Vec<Value>>, start: &str) -> String {
    let want = chrono::DateTime::parse_from_rfc3339(start).expect("time");
    creates
        .iter()
        .find(|(_, c)| {
            c[0]["startTime"]
                .as_str()
                .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
                == Some(want)
        })
        .map(|(id, _)| id.clone())
        .unwrap_or_default()
}

/// Expands `ics` in `[from, to)` with an independent parser: `(program, script)`; `None` (after
/// `skip`) when it is not installed.
async fn expand(
    program: &std::path::Path,
    script: &str,
    ics: &str,
    from: &str,
    to: &str,
) -> Vec<String> {
    use tokio::io::AsyncWriteExt;
    let mut child = tokio::process::Command::new(program)
        .current_dir(crate::interop::workspace_root())
        .args([script, from, to])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start the parser");
    let mut stdin = child.stdin.take().expect("stdin");
    stdin.write_all(ics.as_bytes()).await.expect("write");
    drop(stdin);
    let out = child.wait_with_output().await.expect("parser output");
    assert!(
        out.status.success(),
        "{script}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let list: Vec<Value> = serde_json::from_slice(&out.stdout).expect("parser JSON");
    list.iter()
        .map(|o| normalised(o["start"].as_str().expect("start")))
        .collect()
}

fn normalised(t: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(t)
        .expect("time")
        .with_timezone(&chrono::Utc)
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// The parsers, or `None` after saying what is missing.
fn parsers() -> Option<Vec<(std::path::PathBuf, &'static str)>> {
    let Some(python) = crate::interop::interop_python() else {
        crate::common::skip(
            "calendar check: no Python with icalendar (set VERKOSTO_INTEROP_PYTHON or run .ci/run)",
        );
        return None;
    };
    if !crate::interop::workspace_root()
        .join("tests/ical/node_modules/ical.js")
        .exists()
    {
        crate::common::skip("calendar check: run `npm ci --prefix tests/ical` (needs Node)");
        return None;
    }
    Some(vec![
        (python, "tests/ical/expand.py"),
        (std::path::PathBuf::from("node"), "tests/ical/expand.mjs"),
    ])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_series_calendar_expands_to_the_servers_dates_in_two_independent_parsers() {
    let Some(parsers) = parsers() else { return };
    for db in TestDb::all().await {
        let backend = db.backend;
        let a = TestServer::start_with(db, horizon).await;
        let aino = a.account("aino").await;
        a.community(&aino, "kahvila", "open").await;
        let weekly = create_series(
            &a,
            &aino,
            json!({ "title": "Maanantaiaamiainen", "starts_at": "2027-03-08T09:00:00+02:00",
                    "ends_at": "2027-03-08T10:00:00+02:00", "timezone": "Europe/Helsinki",
                    "recurrence": "FREQ=WEEKLY;BYDAY=MO" }),
        )
        .await;
        let series = weekly["series"]["id"].as_str().expect("series").to_string();
        let (from, to) = ("2027-03-01T00:00:00Z", "2027-11-15T00:00:00Z");
        let made = occurrences(&a, &series, from, to).await;
        let id = |n: usize| made[n]["event"].as_str().expect("made").to_string();
        // Cancel the second (EXDATE), move the third to 11.00 (RECURRENCE-ID), delete the fourth.
        let (status, _) = a
            .post_json(
                &format!("/api/v1/events/{}/cancel", id(1)),
                Some(&aino),
                json!({}),
            )
            .await;
        assert_eq!(status, 200);
        patch(
            &a,
            &aino,
            &id(2),
            json!({ "starts_at": "2027-03-22T11:00:00+02:00", "ends_at": "2027-03-22T12:00:00+02:00" }),
        )
        .await;
        let deleted = a
            .http
            .delete(a.url(&format!("/api/v1/events/{}", id(3))))
            .bearer_auth(&aino)
            .send()
            .await
            .expect("delete");
        assert_eq!(deleted.status(), 204);

        // The server's dates: the rule's, the cancelled and deleted ones left out, the moved one moved.
        let listed = occurrences(&a, &series, from, to).await;
        let mut expected: Vec<String> = listed
            .iter()
            .filter(|o| o["status"] != "cancelled")
            .map(|o| normalised(o["starts_at"].as_str().expect("start")))
            .collect();
        expected.sort();
        assert!(
            expected.contains(&"2027-03-22T09:00:00Z".to_string()),
            "moved to 11.00: {expected:?}"
        );
        assert!(
            !expected.contains(&"2027-03-15T07:00:00Z".to_string()),
            "cancelled"
        );
        assert!(
            !expected.contains(&"2027-03-29T06:00:00Z".to_string()),
            "deleted"
        );
        assert!(
            expected.contains(&"2027-04-05T06:00:00Z".to_string()),
            "9.00 in summer time"
        );
        assert!(
            expected.contains(&"2027-11-01T07:00:00Z".to_string()),
            "9.00 in winter again"
        );
        assert_eq!(expected.len(), 34, "{backend}: {expected:?}");

        let res = a
            .http
            .get(a.url(&format!("/s/{series}.ics")))
            .send()
            .await
            .expect("ics");
        assert_eq!(res.status(), 200);
        let ics = res.text().await.expect("text");
        assert_eq!(
            ics.matches("BEGIN:VEVENT").count(),
            2,
            "the rule and one moved date:\n{ics}"
        );
        assert!(ics.contains("RRULE:FREQ=WEEKLY;BYDAY=MO"), "{ics}");
        assert!(
            ics.contains("EXDATE;TZID=Europe/Helsinki:20270315T090000"),
            "{ics}"
        );
        assert!(
            ics.contains("EXDATE;TZID=Europe/Helsinki:20270329T090000"),
            "{ics}"
        );
        assert!(
            ics.contains("RECURRENCE-ID;TZID=Europe/Helsinki:20270322T090000"),
            "{ics}"
        );
        for (program, script) in &parsers {
            let dates = expand(program, script, &ics, from, to).await;
            assert_eq!(
                dates, expected,
                "{backend}: {script} reads other dates than the server's"
            );
        }

        // The yearly day, also beyond the occurrences made so far (the rule runs on).
        let yearly = create_series(
            &a,
            &aino,
            json!({ "title": "CMAD", "starts_at": "2027-01-25T09:00:00+02:00",
                    "ends_at": "2027-01-25T16:00:00+02:00", "timezone": "Europe/Helsinki",
                    "recurrence": "FREQ=YEARLY;BYMONTH=1;BYDAY=4MO" }),
        )
        .await;
        let series = yearly["series"]["id"].as_str().expect("series").to_string();
        let (from, to) = ("2027-01-01T00:00:00Z", "2034-01-01T00:00:00Z");
        let expected: Vec<String> = occurrences(&a, &series, from, to)
            .await
            .iter()
            .map(|o| normalised(o["starts_at"].as_str().expect("start")))
            .collect();
        assert_eq!(
            expected,
            [
                "2027-01-25",
                "2028-01-24",
                "2029-01-22",
                "2030-01-28",
                "2031-01-27",
                "2032-01-26",
                "2033-01-24"
            ]
            .map(|d| format!("{d}T07:00:00Z"))
        );
        let res = a
            .http
            .get(a.url(&format!("/s/{series}.ics")))
            .send()
            .await
            .expect("ics");
        let ics = res.text().await.expect("text");
        for (program, script) in &parsers {
            assert_eq!(
                expand(program, script, &ics, from, to).await,
                expected,
                "{backend}: {script}"
            );
        }
        a.stop().await;
    }
}

/// Gancio's Create as its fixture has it, carrying one occurrence of a recurring event of `host`.
fn gancio_create(sink: &str, actor: &str, n: u32, slug: &str, start: &str, end: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/gancio/create_event.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut create: Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("json");
    let base = format!("{sink}/demo.gancio.org");
    crate::foreign_fixtures::rewrite(
        &mut create,
        &[
            (
                "https://demo.gancio.org/federation/u/gancio".into(),
                actor.to_string(),
            ),
            ("https://demo.gancio.org".into(), base.clone()),
        ],
    );
    create["id"] = json!(format!("{base}/federation/m/{n}#create"));
    let object = &mut create["object"];
    object["id"] = json!(format!("{base}/federation/m/{n}"));
    object["url"] = json!(format!("{base}/event/{slug}"));
    object["name"] = json!("Aamukahvit");
    object["startTime"] = json!(start);
    object["endTime"] = json!(end);
    create
}

#[tokio::test]
async fn gancios_recurring_occurrences_are_grouped_as_a_series() {
    for db in TestDb::all().await {
        let backend = db.backend;
        let local = TestServer::start(db).await;
        let aino = local.account("aino").await;
        let (sink, host, key) = Sink::serving_actors().await;
        let base = format!("http://{host}");
        let gancio = format!("{base}/actor/1");
        crate::incoming_shapes::follow(&local, "aino", &gancio).await;
        // Gancio's REST details of its two occurrences (the shape of `GET /api/event/detail/:slug`
        // in Gancio 1.21, server/api/controller/event.js: the row with `parentId` and `parent`).
        // The parent starts on Tuesday 2 March 2027 at 9.00 (+02:00) and repeats weekly.
        let parent = json!({ "id": 10, "recurrent": { "frequency": "1w" }, "is_visible": false,
                             "start_datetime": 1803970800 });
        for (n, slug) in [(11, "aamukahvit"), (12, "aamukahvit-2")] {
            sink.documents.lock().expect("lock").insert(
                format!("/demo.gancio.org/api/event/detail/{slug}"),
                json!({ "id": n, "slug": slug, "title": "Aamukahvit", "parentId": 10, "parent": parent }),
            );
        }
        let signer = crate::common::RemoteSigner::with_key(gancio.clone(), &key.private_key_pem);
        for (n, slug, start, end) in [
            (
                11,
                "aamukahvit",
                "2027-03-02T09:00:00+02:00",
                "2027-03-02T10:00:00+02:00",
            ),
            (
                12,
                "aamukahvit-2",
                "2027-03-09T09:00:00+02:00",
                "2027-03-09T10:00:00+02:00",
            ),
            (
                13,
                "kertaluontoinen",
                "2027-03-04T18:00:00+02:00",
                "2027-03-04T20:00:00+02:00",
            ),
        ] {
            let create = gancio_create(&base, &gancio, n, slug, start, end);
            let (status, answer) = signer.post(&local, "/inbox", &create).await;
            assert_eq!(status, 202, "{backend}: {answer}");
        }
        let events = remote_events(&local, &aino).await;
        assert_eq!(events.len(), 3, "{backend}: {events:?}");
        let series_of = |n: u32| {
            events
                .iter()
                .find(|e| e["ap_id"] == format!("{base}/demo.gancio.org/federation/m/{n}"))
                .map(|e| e["series"].clone())
                .expect("stored")
        };
        for n in [11, 12] {
            let series = series_of(n);
            assert_eq!(
                series["ap_id"],
                format!("{base}/demo.gancio.org/federation/m/10"),
                "{backend}"
            );
            assert_eq!(series["recurrence"], "FREQ=WEEKLY;BYDAY=TU", "{backend}");
        }
        assert_eq!(series_of(11)["id"], series_of(12)["id"], "one series");
        assert!(
            series_of(13).is_null(),
            "{backend}: a one-off event stays one"
        );
        local.stop().await;
    }
}

#[tokio::test]
async fn a_series_whose_dates_are_all_over_is_refused_and_leaves_nothing() {
    for db in TestDb::all().await {
        let backend = db.backend;
        let a = TestServer::start(db).await;
        let aino = a.account("aino").await;
        a.community(&aino, "kahvila", "open").await;
        let (status, body) = a
            .post_json(
                "/api/v1/communities/kahvila/events",
                Some(&aino),
                json!({ "title": "Menneet", "starts_at": "2020-01-06T09:00:00+02:00",
                        "ends_at": "2020-01-06T10:00:00+02:00", "recurrence": "FREQ=WEEKLY;COUNT=2" }),
            )
            .await;
        assert_eq!(
            (status, body["code"].clone()),
            (422, json!("recurrence_never_starts")),
            "{body}"
        );
        let count = |table: &'static str| {
            let db = a.verkosto.db().clone();
            async move {
                let sql = format!("SELECT COUNT(*) FROM {table}");
                match &db {
                    verkosto::store::Db::Sqlite(p) => {
                        sqlx::query_scalar::<_, i64>(&sql).fetch_one(p).await
                    }
                    verkosto::store::Db::Postgres(p) => {
                        sqlx::query_scalar::<_, i64>(&sql).fetch_one(p).await
                    }
                }
                .expect("count")
            }
        };
        assert_eq!(
            (count("event_series").await, count("events").await),
            (0, 0),
            "{backend}"
        );
        a.stop().await;
    }
}
