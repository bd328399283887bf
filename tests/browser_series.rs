//! A manager creates a recurring series in Finnish in headless Chromium (issue 17): breakfast every
//! Monday at 9.00, six times, chosen in plain words on the event form; the event page says how it
//! repeats and lists the next dates, still at 9.00 after the change to summer time; editing an
//! occurrence asks whether the change is for this time, the following ones or all. axe-core finds no
//! serious accessibility violation on the form or the page. Needs what `browser.rs` needs.

use std::path::{Path, PathBuf};

use crate::browser::{Browser, Step, axe_source, start_browser};
use crate::common::{TestDb, TestServer};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manager_creates_a_weekly_series_in_finnish() {
    let Some((driver, client)) = start_browser().await else {
        return;
    };
    let axe = axe_source().expect("axe-core");
    let server = TestServer::start(TestDb::sqlite().await).await;
    crate::browser::manager_of_kahvila(&server).await;
    let browser = Browser {
        client,
        server: &server,
        shots: std::env::var_os("VERKOSTO_SCREENSHOTS").map(PathBuf::from),
    };
    let outcome = journey(&browser, &axe).await;
    if let Err(failure) = outcome {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/browser-screenshots");
        browser.screenshot("series-failure", &dir).await;
        let _ = browser.client.close().await;
        drop(driver);
        panic!(
            "{failure}\n(screenshot of the page: {})",
            dir.join("series-failure.png").display()
        );
    }
    let _ = browser.client.close().await;
    drop(driver);
    server.stop().await;
}

async fn journey(b: &Browser<'_>, axe: &str) -> Step<()> {
    b.open("/lang/fi?back=/login").await?;
    b.fill("#username", "maija").await?;
    b.fill("#password", "salasana123").await?;
    b.click("form.stack button[type=submit]").await?;

    b.open("/manage/c/kahvila/events/new").await?;
    b.expect_text("Toistuu").await?;
    b.expect_text("Joka vuosi samana viikonpäivänä (esim. tammikuun neljäs maanantai)")
        .await?;
    b.accessible(axe).await?;
    b.fill("#title", "Maanantaiaamiainen").await?;
    b.set("#starts_at", "2027-03-15T09:00").await?;
    b.set("#ends_at", "2027-03-15T10:00").await?;
    b.set("#repeat", "weekly").await?;
    b.set("#repeat_end", "count").await?;
    b.fill("#repeat_count", "6").await?;
    b.keep("series-form-fi").await;
    b.click("button[value=save]").await?;

    // The page of the first time says how it repeats, and lists the next dates: 9.00 also after
    // the clocks move on 28 March.
    b.expect_text("Toistuu joka maanantai klo 9.00, 6 kertaa.")
        .await?;
    b.expect_text("Seuraavat kerrat").await?;
    b.expect_text("22.3.2027 klo 9.00").await?;
    b.expect_text("29.3.2027 klo 9.00").await?;
    b.expect_text("19.4.2027 klo 9.00").await?;
    let page = b.page_text().await?;
    if page.contains("26.4.2027") {
        return Err("a seventh date is listed for a series of six".into());
    }
    b.accessible(axe).await?;
    b.keep("series-page-fi").await;

    // The series is what the form said, in RFC 5545's words.
    let here = b.here().await;
    let id = here
        .rsplit('/')
        .next()
        .ok_or_else(|| format!("no event id in {here}"))?;
    let (status, event) = b
        .server
        .get_json(&format!("/api/v1/events/{id}"), None)
        .await;
    if status != 200 || event["series"]["recurrence"] != "FREQ=WEEKLY;COUNT=6;BYDAY=MO" {
        return Err(format!(
            "the event's series is not weekly six times: {status} {event}"
        ));
    }

    // Editing a time of the series asks which times the change is for.
    b.open(&format!("/manage/events/{id}/edit")).await?;
    b.expect_text("Muutos koskee").await?;
    b.expect_text("tätä ja tulevia kertoja").await?;
    b.accessible(axe).await?;

    // A calendar file from elsewhere, imported once from the workspace: the page says what it did.
    b.open("/manage/c/kahvila/calendars").await?;
    b.expect_text("Tuodut kalenterit").await?;
    b.accessible(axe).await?;
    let file = std::env::temp_dir().join(format!("verkosto-{}.ics", std::process::id()));
    std::fs::write(
        &file,
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//FI\r\nBEGIN:VEVENT\r\nUID:kirja@kahvila\r\n\
         SUMMARY:Kirjapiiri\r\nDTSTART;TZID=Europe/Helsinki:20270601T180000\r\n\
         DTEND;TZID=Europe/Helsinki:20270601T200000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
    )
    .map_err(|e| format!("write the calendar file: {e}"))?;
    let input = b
        .client
        .find(fantoccini::Locator::Css("#file"))
        .await
        .map_err(|e| format!("find the file field: {e}"))?;
    input
        .send_keys(&file.display().to_string())
        .await
        .map_err(|e| format!("choose the file: {e}"))?;
    b.click("form[enctype] button").await?;
    let _ = std::fs::remove_file(&file);
    b.expect_text("Näin kävi").await?;
    b.expect_text("Uusia: 1").await?;
    b.expect_text("Ladatut tiedostot").await?;
    b.accessible(axe).await?;
    b.keep("calendars-fi").await;
    Ok(())
}
