//! The insights page and the check-in at the door in headless Chromium (issue 16): a manager checks a
//! participant in on the participant list, then reads the period's figures, charts and tables in
//! Finnish, Swedish and English, and shares the period's report by a secret link that a reader without
//! an account opens in the three languages; axe-core finds no serious accessibility violation on either page,
//! and neither is wider than a phone. Needs what `browser.rs` needs.

use std::path::{Path, PathBuf};

use chrono::{Duration, SecondsFormat, Utc};
use serde_json::{Value, json};

use crate::browser::{Browser, Step, axe_source, start_browser};
use crate::common::sink::Sink;
use crate::common::{RemoteSigner, TestDb, TestServer};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manager_checks_people_in_and_reads_the_insights_in_three_languages() {
    let Some((driver, client)) = start_browser().await else {
        return;
    };
    let axe = axe_source().expect("axe-core");
    let server = TestServer::start(TestDb::sqlite().await).await;
    // The sink serves the follower's actor document for as long as the test runs.
    let (event, _sink) = seed(&server).await;
    let browser = Browser {
        client,
        server: &server,
        shots: std::env::var_os("VERKOSTO_SCREENSHOTS").map(PathBuf::from),
    };
    let outcome = journey(&browser, &event, &axe).await;
    if let Err(failure) = outcome {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/browser-screenshots");
        browser.screenshot("insights-failure", &dir).await;
        let _ = browser.client.close().await;
        drop(driver);
        panic!(
            "{failure}\n(screenshot of the page: {})",
            dir.join("insights-failure.png").display()
        );
    }
    let _ = browser.client.close().await;
    drop(driver);
    server.stop().await;
}

/// A community with a remote follower and an event that began an hour ago, with two participants
/// (`lauri` first); returns the event's id and the follower's server.
async fn seed(s: &TestServer) -> (String, Sink) {
    let token = crate::browser::manager_of_kahvila(s).await;
    let (sink, host, key) = Sink::serving_actors().await;
    let follower = RemoteSigner::with_key(format!("http://{host}/actor/1"), &key.private_key_pem);
    let follow = json!({ "id": format!("http://{host}/actor/1/follows/1"), "type": "Follow",
        "actor": follower.actor, "object": s.url("/c/kahvila") });
    assert_eq!(follower.post(s, "/c/kahvila/inbox", &follow).await.0, 202);
    let starts = Utc::now() - Duration::hours(1);
    let at = |t: chrono::DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
    let (status, event) = s
        .post_json(
            "/api/v1/communities/kahvila/events",
            Some(&token),
            json!({ "title": "Aamukahvit", "starts_at": at(starts),
                    "ends_at": at(starts + Duration::hours(2)), "timezone": "Europe/Helsinki" }),
        )
        .await;
    assert_eq!(status, 201, "{event}");
    let id = event["id"].as_str().expect("id").to_string();
    for name in ["lauri", "mira"] {
        let token = s.account(name).await;
        let (status, body) = s
            .post_json(
                &format!("/api/v1/events/{id}/participation"),
                Some(&token),
                json!({}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
    }
    (id, sink)
}

async fn journey(b: &Browser<'_>, event: &str, axe: &str) -> Step<()> {
    b.open("/lang/fi?back=/login").await?;
    b.fill("#username", "maija").await?;
    b.fill("#password", "salasana123").await?;
    b.click("form.stack button[type=submit]").await?;

    // At the door: Lauri is checked in from the participant list.
    b.open(&format!("/manage/events/{event}/participants"))
        .await?;
    b.click("form.check-in button[value=yes]").await?;
    b.expect_text("✓ Paikalla").await?;
    b.accessible(axe).await?;
    b.keep("check-in-fi").await;

    // The insights, reached from the community's workspace page.
    b.open("/manage/c/kahvila").await?;
    b.click("a[href='/manage/c/kahvila/insights']").await?;
    b.expect_text("Vaikuttavuus").await?;
    b.expect_text("Osallistumisaste").await?;
    b.expect_text("50 %").await?; // (WebDriver reads the no-break space as a space)
    b.expect_text("Aamukahvit").await?;
    charts_drawn(b).await?;
    b.accessible(axe).await?;
    b.keep("insights-fi").await;

    b.click("nav.languages a[lang=sv]").await?;
    b.expect_text("Genomslag").await?;
    b.expect_text("Närvarograd").await?;
    b.expect_text("50 %").await?; // (WebDriver reads the no-break space as a space)
    charts_drawn(b).await?;
    b.click("nav.languages a[lang=en]").await?;
    b.expect_text("Attendance rate").await?;
    b.expect_text("50%").await?;
    b.expect_text("Followers by instance").await?;
    charts_drawn(b).await?;
    b.accessible(axe).await?;
    b.keep("insights-en").await;

    // The period's report, shared through a secret link, read without an account.
    b.click("form[action='/manage/c/kahvila/reports'] button")
        .await?;
    b.expect_text("Link made.").await?;
    let link = b.attr("a.secret-link", "href").await?;
    b.accessible(axe).await?;
    b.click("form[action='/logout'] button").await?;
    b.open(&link).await?;
    b.expect_text("Impact report").await?;
    b.expect_text("Aamukahvit").await?;
    charts_drawn(b).await?;
    b.accessible(axe).await?;
    b.keep("report-en").await;
    b.click("nav.languages a[lang=fi]").await?;
    b.expect_text("Vaikuttavuusraportti").await?;
    b.click("nav.languages a[lang=sv]").await?;
    b.expect_text("Genomslagsrapport").await?;
    b.expect_text("Närvarograd").await?;
    b.open("/lang/fi?back=/login").await?;
    b.fill("#username", "maija").await?;
    b.fill("#password", "salasana123").await?;
    b.click("form.stack button[type=submit]").await?;

    // A period that is no period is refused in the visitor's language.
    b.open("/lang/fi?back=/manage/c/kahvila/insights%3Ffrom%3Deilen")
        .await?;
    b.expect_text("Anna päivä muodossa 2027-01-25.").await?;

    // On a phone the page is no wider than the screen.
    b.client
        .set_window_size(390, 844)
        .await
        .map_err(|e| format!("phone size: {e}"))?;
    b.open("/manage/c/kahvila/insights").await?;
    let fits = b
        .client
        .execute(
            "return document.documentElement.scrollWidth <= document.documentElement.clientWidth;",
            vec![],
        )
        .await
        .map_err(|e| format!("measure: {e}"))?;
    if fits != Value::Bool(true) {
        return Err("the insights page is wider than a phone screen".into());
    }
    Ok(())
}

/// Every chart on the page loaded as an image (an SVG the browser could draw).
async fn charts_drawn(b: &Browser<'_>) -> Step<()> {
    for _ in 0..100 {
        let drawn = b
            .client
            .execute(
                "const c = [...document.querySelectorAll('img.chart')];\
                 return c.length === 2 && c.every(i => i.complete && i.naturalWidth > 0);",
                vec![],
            )
            .await
            .map_err(|e| format!("charts: {e}"))?;
        if drawn == Value::Bool(true) {
            return Ok(());
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    Err(format!("the charts of {} were not drawn", b.here().await))
}
