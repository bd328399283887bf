//! End-to-end tests of the web pages in headless Chromium, driven over WebDriver (chromedriver).
//!
//! A manager logs in, creates a community (after a refused attempt that keeps what was typed), an
//! event and an announcement; the public pages show them in Finnish, Swedish and English; the
//! remote-follow form sends the visitor to their own server; axe-core finds no serious
//! accessibility violation on the key pages. A failing step saves a screenshot of the page to
//! `target/browser-screenshots/`; with `VERKOSTO_SCREENSHOTS=DIR` every key page is saved there.
//!
//! Needs Debian's `chromium` and `chromium-driver` (installed by `.ci/run`) and axe-core
//! (`npm ci --prefix tests/browser`). Without them the test says so and passes only outside CI.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::common::{TestDb, TestServer};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use verkosto::service::NewAccount;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

pub(crate) type Step<T> = Result<T, String>;

pub(crate) fn axe_source() -> Option<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/browser/node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(path).ok()
}

/// chromedriver on a free port, stopped when dropped.
pub(crate) struct Driver {
    _child: tokio::process::Child,
    _profile: tempfile::TempDir,
}

/// Maija, who logs in with `salasana123`, manages the open community `kahvila`: her API token.
pub(crate) async fn manager_of_kahvila(s: &TestServer) -> String {
    s.verkosto
        .create_account(NewAccount {
            username: "maija".into(),
            password: "salasana123".into(),
            is_admin: false,
        })
        .await
        .expect("maija");
    let (_, token) = s
        .post_json(
            "/api/v1/auth/token",
            None,
            json!({ "username": "maija", "password": "salasana123" }),
        )
        .await;
    let token = token["access_token"].as_str().expect("token").to_string();
    s.community(&token, "kahvila", "open").await;
    token
}

pub(crate) async fn start_browser() -> Option<(Driver, Client)> {
    let chromedriver = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| CHROMEDRIVER.into());
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| CHROMIUM.into());
    if !Path::new(&chromedriver).exists()
        || !Path::new(&chromium).exists()
        || axe_source().is_none()
    {
        crate::common::skip(&format!(
            "browser tests: {chromium}, {chromedriver} or axe-core (`npm ci --prefix tests/browser`) is missing"
        ));
        return None;
    }
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("free port");
        l.local_addr().expect("addr").port()
    };
    let child = tokio::process::Command::new(&chromedriver)
        .arg(format!("--port={port}"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("start chromedriver");
    let profile = tempfile::tempdir().expect("profile dir");
    let url = format!("http://127.0.0.1:{port}");
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": chromium,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--window-size=1280,1000",
                format!("--user-data-dir={}", profile.path().display()),
            ]
        }),
    );
    let mut last_error = String::new();
    for _ in 0..100 {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        match ClientBuilder::new(connector)
            .capabilities(caps.clone())
            .connect(&url)
            .await
        {
            Ok(client) => {
                return Some((
                    Driver {
                        _child: child,
                        _profile: profile,
                    },
                    client,
                ));
            }
            Err(e) => last_error = e.to_string(),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not start: {last_error}");
}

/// The browser and the server under test, with helpers that turn WebDriver errors into a step
/// failure naming what was attempted.
pub(crate) struct Browser<'a> {
    pub client: Client,
    pub server: &'a TestServer,
    pub shots: Option<PathBuf>,
}

impl Browser<'_> {
    pub(crate) async fn open(&self, path: &str) -> Step<()> {
        let url = if path.starts_with("http") {
            path.to_string()
        } else {
            self.server.url(path)
        };
        self.client
            .goto(&url)
            .await
            .map_err(|e| format!("open {url}: {e}"))
    }

    pub(crate) async fn text(&self, css: &str) -> Step<String> {
        let here = self.here().await;
        self.client
            .find(Locator::Css(css))
            .await
            .map_err(|e| format!("find {css} on {here}: {e}"))?
            .text()
            .await
            .map_err(|e| format!("text of {css}: {e}"))
    }

    pub(crate) async fn value(&self, css: &str) -> Step<String> {
        Ok(self
            .client
            .find(Locator::Css(css))
            .await
            .map_err(|e| format!("find {css}: {e}"))?
            .prop("value")
            .await
            .map_err(|e| format!("value of {css}: {e}"))?
            .unwrap_or_default())
    }

    pub(crate) async fn attr(&self, css: &str, name: &str) -> Step<String> {
        Ok(self
            .client
            .find(Locator::Css(css))
            .await
            .map_err(|e| format!("find {css}: {e}"))?
            .attr(name)
            .await
            .map_err(|e| format!("{name} of {css}: {e}"))?
            .unwrap_or_default())
    }

    pub(crate) async fn fill(&self, css: &str, text: &str) -> Step<()> {
        let field = self
            .client
            .find(Locator::Css(css))
            .await
            .map_err(|e| format!("find {css}: {e}"))?;
        field
            .clear()
            .await
            .map_err(|e| format!("clear {css}: {e}"))?;
        field
            .send_keys(text)
            .await
            .map_err(|e| format!("type into {css}: {e}"))
    }

    /// Sets a field's value directly (date and time pickers take keys in the browser's locale).
    pub(crate) async fn set(&self, css: &str, value: &str) -> Step<()> {
        self.client
            .execute(
                "document.querySelector(arguments[0]).value = arguments[1];",
                vec![json!(css), json!(value)],
            )
            .await
            .map(|_| ())
            .map_err(|e| format!("set {css}: {e}"))
    }

    /// Clicks a link or button and waits for the page it leads to (every click here navigates).
    pub(crate) async fn click(&self, css: &str) -> Step<()> {
        let here = self.here().await;
        let element = self
            .client
            .find(Locator::Css(css))
            .await
            .map_err(|e| format!("find {css} on {here}: {e}"))?;
        self.client
            .execute("window.__verkostoOldPage = true;", vec![])
            .await
            .map_err(|e| format!("mark the page: {e}"))?;
        element
            .click()
            .await
            .map_err(|e| format!("click {css}: {e}"))?;
        for _ in 0..200 {
            let loaded = self
                .client
                .execute(
                    "return !window.__verkostoOldPage && document.readyState === 'complete';",
                    vec![],
                )
                .await
                .unwrap_or(Value::Bool(false));
            if loaded == Value::Bool(true) {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Err(format!("clicking {css} on {here} led nowhere"))
    }

    pub(crate) async fn here(&self) -> String {
        self.client
            .current_url()
            .await
            .map(|u| u.to_string())
            .unwrap_or_default()
    }

    pub(crate) async fn page_text(&self) -> Step<String> {
        self.text("body").await
    }

    pub(crate) async fn expect_text(&self, wanted: &str) -> Step<()> {
        let body = self.page_text().await?;
        if body.contains(wanted) {
            Ok(())
        } else {
            Err(format!(
                "{} does not say {wanted:?}; it says:\n{body}",
                self.here().await
            ))
        }
    }

    pub(crate) async fn screenshot(&self, name: &str, dir: &Path) {
        if let Ok(png) = self.client.screenshot().await {
            let _ = std::fs::create_dir_all(dir);
            let _ = std::fs::write(dir.join(format!("{name}.png")), png);
        }
    }

    /// Saves the page when `VERKOSTO_SCREENSHOTS` asks for the key pages.
    pub(crate) async fn keep(&self, name: &str) {
        if let Some(dir) = &self.shots {
            self.screenshot(name, dir).await;
        }
    }

    /// Runs axe-core on the open page; fails on any serious or critical violation.
    pub(crate) async fn accessible(&self, axe: &str) -> Step<()> {
        self.client
            .execute(axe, vec![])
            .await
            .map_err(|e| format!("load axe-core: {e}"))?;
        let result = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];\
                 axe.run(document, { resultTypes: ['violations'] })\
                    .then(r => done(r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help,\
                        nodes: v.nodes.map(n => n.html).slice(0, 3) }))))\
                    .catch(e => done([{ id: 'axe-error', impact: 'critical', help: String(e) }]));",
                vec![],
            )
            .await
            .map_err(|e| format!("run axe-core: {e}"))?;
        let serious: Vec<&Value> = result
            .as_array()
            .map(|a| {
                a.iter()
                    .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
                    .collect()
            })
            .unwrap_or_default();
        if serious.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "accessibility violations on {}: {}",
                self.here().await,
                serde_json::to_string_pretty(&serious).unwrap_or_default()
            ))
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manager_publishes_and_people_read_it_in_three_languages() {
    let Some((driver, client)) = start_browser().await else {
        return;
    };
    let axe = axe_source().expect("axe-core");
    let server = TestServer::start(TestDb::sqlite().await).await;
    let elsewhere = TestServer::start(TestDb::sqlite().await).await;
    let browser = Browser {
        client,
        server: &server,
        shots: std::env::var_os("VERKOSTO_SCREENSHOTS").map(PathBuf::from),
    };
    let outcome = journey(&browser, &elsewhere, &axe).await;
    if let Err(failure) = outcome {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/browser-screenshots");
        browser.screenshot("failure", &dir).await;
        let _ = browser.client.close().await;
        drop(driver);
        panic!(
            "{failure}\n(screenshot of the page: {})",
            dir.join("failure.png").display()
        );
    }
    let _ = browser.client.close().await;
    drop(driver);
    server.stop().await;
    elsewhere.stop().await;
}

async fn journey(b: &Browser<'_>, elsewhere: &TestServer, axe: &str) -> Step<()> {
    // A newcomer on a fresh instance learns what it is and how to create the first account.
    b.open("/lang/en?back=/").await?;
    b.expect_text("Verkosto is where co-working spaces").await?;
    b.expect_text("account create --admin --username YOURNAME --password-stdin")
        .await?;
    b.accessible(axe).await?;

    b.server
        .verkosto
        .create_account(NewAccount {
            username: "maija".into(),
            password: "salasana123".into(),
            is_admin: true,
        })
        .await
        .map_err(|e| format!("create account: {e}"))?;

    // Log in, in Finnish; a wrong password is refused on the same page.
    b.open("/lang/fi?back=/login").await?;
    b.accessible(axe).await?;
    b.fill("#username", "maija").await?;
    b.fill("#password", "väärä salasana").await?;
    b.click("form.stack button[type=submit]").await?;
    b.expect_text("Käyttäjänimi tai salasana on väärin.")
        .await?;
    b.fill("#password", "salasana123").await?;
    b.click("form.stack button[type=submit]").await?;
    if !b.here().await.ends_with("/manage") {
        return Err(format!("login led to {}", b.here().await));
    }
    b.expect_text("Hallinnoimani yhteisöt").await?;

    // A refused community keeps what was typed and says what is wrong next to the field.
    b.fill("#name", "Kahvila Ä!").await?;
    b.fill("#display_name", "Kahvila Kuppi").await?;
    b.fill("#summary", "Etätyöpaikka Tampereen keskustassa.")
        .await?;
    b.fill("#latitude", "pohjoinen").await?;
    b.click("form.stack button[type=submit]").await?;
    let error = b.text("#latitude-error").await?;
    if !error.contains("Kirjoita luku") {
        return Err(format!("latitude error says {error:?}"));
    }
    if b.value("#display_name").await? != "Kahvila Kuppi" || b.value("#name").await? != "Kahvila Ä!"
    {
        return Err("the refused form lost what was typed".into());
    }
    b.fill("#latitude", "61.4981").await?;
    b.fill("#longitude", "23.7610").await?;
    b.click("form.stack button[type=submit]").await?;
    let name_error = b.text("#name-error").await?;
    if !name_error.contains("pieniä kirjaimia")
        || b.value("#display_name").await? != "Kahvila Kuppi"
    {
        return Err(format!(
            "a bad name should be refused next to the field, got {name_error:?}"
        ));
    }
    b.accessible(axe).await?;
    b.fill("#name", "kahvila").await?;
    b.fill("#location", "Tampere").await?;
    b.click("form.stack button[type=submit]").await?;
    if !b.here().await.ends_with("/manage/c/kahvila") {
        return Err(format!("creating the community led to {}", b.here().await));
    }

    // An event: a missing start is refused and the title kept; then it is published.
    b.click("a[href='/manage/c/kahvila/events/new']").await?;
    b.fill("#title", "Yhteisömanagerien aamukahvit").await?;
    b.fill(
        "#description",
        "Tule **juttelemaan** muiden yhteisömanagerien kanssa.",
    )
    .await?;
    b.click("button[value=save]").await?;
    b.text("#starts_at-error").await?;
    if b.value("#title").await? != "Yhteisömanagerien aamukahvit" {
        return Err("the refused event form lost its title".into());
    }
    b.accessible(axe).await?;
    b.set("#starts_at", "2031-01-27T09:00").await?;
    b.set("#ends_at", "2031-01-27T11:30").await?;
    b.fill("#place_name", "Kahvila Kuppi").await?;
    b.fill("#street", "Hämeenkatu 1").await?;
    b.fill("#locality", "Tampere").await?;
    b.fill("#capacity", "20").await?;
    b.click("button[value=preview]").await?;
    let preview = b.text(".preview strong").await?;
    if preview != "juttelemaan" {
        return Err(format!("the preview shows {preview:?}"));
    }
    b.click("button[value=save]").await?;
    let event_url = b.here().await;
    if !event_url.contains("/e/") {
        return Err(format!("publishing the event led to {event_url}"));
    }
    b.expect_text("Yhteisömanagerien aamukahvit").await?;
    b.expect_text("ma 27.1.2031 klo 9.00–11.30").await?;
    b.expect_text("20 paikkaa jäljellä").await?;
    let map = b.attr("a[href*='openstreetmap.org']", "href").await?;
    if !map.contains("Tampere") {
        return Err(format!("the map link is {map}"));
    }
    b.keep("event-fi").await;
    b.accessible(axe).await?;

    // What search engines and fediverse software read from the event page.
    let ap_id = b
        .attr(
            "link[rel=alternate][type='application/activity+json']",
            "href",
        )
        .await?;
    if !event_url.starts_with(&ap_id) {
        return Err(format!(
            "alternate link {ap_id} is not the event {event_url}"
        ));
    }
    let og_title = b.attr("meta[property='og:title']", "content").await?;
    if og_title != "Yhteisömanagerien aamukahvit" {
        return Err(format!("og:title is {og_title:?}"));
    }
    let ld = b
        .client
        .execute(
            "return document.querySelector('script[type=\"application/ld+json\"]').textContent;",
            vec![],
        )
        .await
        .map_err(|e| format!("read JSON-LD: {e}"))?;
    let ld: Value = serde_json::from_str(ld.as_str().unwrap_or("")).map_err(|e| e.to_string())?;
    if ld["@type"] != "Event" || ld["location"]["address"]["addressLocality"] != "Tampere" {
        return Err(format!("schema.org JSON-LD is {ld}"));
    }
    b.text(".h-event .p-name").await?;

    // An announcement, previewed then published.
    b.open("/manage/c/kahvila").await?;
    b.fill("#a-title", "Uusi kahvikone").await?;
    b.fill("#a-content", "Nyt on **espressoa**.").await?;
    b.click("form[action$='/announcements'] button[value=preview]")
        .await?;
    if b.text(".preview strong").await? != "espressoa" {
        return Err("the announcement preview is wrong".into());
    }
    b.click("form[action$='/announcements'] button[value=publish]")
        .await?;
    if !b.here().await.contains("/a/") {
        return Err(format!(
            "publishing the announcement led to {}",
            b.here().await
        ));
    }
    b.expect_text("Uusi kahvikone").await?;
    b.accessible(axe).await?;

    // The community page in the three languages, switched with the language links.
    b.open("/c/kahvila").await?;
    b.expect_text("Tulevat tapahtumat").await?;
    b.expect_text("Yhteisömanagerien aamukahvit").await?;
    b.expect_text("Uusi kahvikone").await?;
    b.expect_text("@kahvila@").await?;
    b.keep("community-fi").await;
    b.accessible(axe).await?;
    b.click("nav.languages a[lang=sv]").await?;
    b.expect_text("Kommande evenemang").await?;
    b.expect_text("mån 27 jan. 2031 kl. 9.00").await?;
    b.keep("community-sv").await;
    b.click("nav.languages a[lang=en]").await?;
    b.expect_text("Upcoming events").await?;
    b.expect_text("Mon 27 Jan 2031, 09:00").await?;
    b.keep("community-en").await;
    b.open(&event_url).await?;
    b.expect_text("20 seats left").await?;
    b.open("/c/kahvila/calendar?month=2031-01").await?;
    b.expect_text("January 2031").await?;
    b.text("table.month a.h-event").await?;
    b.accessible(axe).await?;

    // On a phone nothing is wider than the screen.
    b.client
        .set_window_size(390, 844)
        .await
        .map_err(|e| format!("phone size: {e}"))?;
    for page in [
        "/c/kahvila",
        event_url.as_str(),
        "/c/kahvila/calendar?month=2031-01",
        "/manage/c/kahvila",
    ] {
        b.open(page).await?;
        let fits = b
            .client
            .execute(
                "const w = document.documentElement.clientWidth;\
                 const wide = [...document.querySelectorAll('body *')]\
                    .filter(e => e.getBoundingClientRect().right > w + 0.5)\
                    .map(e => e.tagName + (e.id ? '#' + e.id : '') + '.' + e.className);\
                 return document.documentElement.scrollWidth <= w ? true : wide.slice(0, 5).join(', ');",
                vec![],
            )
            .await
            .map_err(|e| format!("measure {page}: {e}"))?;
        if fits != Value::Bool(true) {
            return Err(format!("{page} is wider than a phone screen: {fits}"));
        }
    }
    b.keep("community-phone").await;
    b.client
        .set_window_size(1280, 1000)
        .await
        .map_err(|e| format!("desktop size: {e}"))?;

    // Remote follow: the visitor's own server (another Verkosto here), found through WebFinger,
    // gets the community to follow; they log in there and confirm, and the follow arrives.
    elsewhere
        .verkosto
        .create_account(NewAccount {
            username: "ville".into(),
            password: "salasana123".into(),
            is_admin: false,
        })
        .await
        .map_err(|e| format!("create ville: {e}"))?;
    b.open("/c/kahvila").await?;
    b.fill("#address", &format!("@ville@{}", elsewhere.domain))
        .await?;
    b.click("form.remote-follow button").await?;
    let landed = b.here().await;
    let interaction = format!(
        "/authorize_interaction?uri={}",
        urlencoding(&b.server.url("/c/kahvila"))
    );
    if landed != elsewhere.url(&format!("/login?next={}", urlencoding(&interaction))) {
        return Err(format!(
            "remote follow led to {landed}, not to the login then {interaction} on {}",
            elsewhere.domain
        ));
    }
    b.fill("#username", "ville").await?;
    b.fill("#password", "salasana123").await?;
    b.click("form.stack button[type=submit]").await?;
    b.expect_text(&format!("kahvila@{}", b.server.domain))
        .await?;
    b.accessible(axe).await?;
    b.click("form[action='/authorize_interaction'] button")
        .await?;
    b.expect_text("You asked to follow").await?;
    let followers = b.server.url("/c/kahvila/followers");
    let ville = elsewhere.url("/u/ville");
    let mut followed = false;
    for _ in 0..100 {
        let (_, _, collection) = b.server.get_ap("/c/kahvila/followers").await;
        if collection["totalItems"] == 1 {
            followed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    if !followed {
        return Err(format!("{ville} never appeared in {followers}"));
    }

    // Cancelling says so clearly on the event page. (Cookies ignore ports: logging in on the other
    // localhost server replaced this one's session, so the manager logs in again.)
    b.open("/manage/c/kahvila").await?;
    b.fill("#username", "maija").await?;
    b.fill("#password", "salasana123").await?;
    b.click("form.stack button[type=submit]").await?;
    b.click("form[action$='/cancel'] button").await?;
    b.expect_text("This event is cancelled.").await?;

    // The community's moderation page (issue 19): rules saved there show on the community's page.
    b.open("/manage/c/kahvila/moderation").await?;
    b.accessible(axe).await?;
    b.fill("#rules", "Be kind. **No ads.**").await?;
    b.click("form[action$='/moderation/rules'] button").await?;
    b.open("/c/kahvila").await?;
    b.expect_text("Be kind. No ads.").await?;

    // Its invitations (issue 18): a person elsewhere invited by handle is listed as not joined yet;
    // an unknown name is refused on the page with why.
    b.open("/manage/c/kahvila/invitations").await?;
    b.accessible(axe).await?;
    b.fill("#handle", &format!("@ville@{}", elsewhere.domain))
        .await?;
    b.click("form[action$='/invitations'] button").await?;
    b.expect_text("not yet joined").await?;
    b.fill("#handle", "nobody_here").await?;
    b.click("form[action$='/invitations'] button").await?;
    b.text("p.alert.error").await?;
    b.accessible(axe).await?;
    Ok(())
}

fn urlencoding(raw: &str) -> String {
    url::form_urlencoded::byte_serialize(raw.as_bytes()).collect()
}
