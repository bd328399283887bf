//! Web pages for people: the public pages of communities, events, networks and announcements, and
//! the manager's workspace, server-rendered in Finnish, Swedish and English.
//!
//! Templates live in `templates/` and are checked at compile time (askama); every
//! text comes from the Fluent files in `locales/`. Pages work without JavaScript and
//! load nothing from another host. Handlers stay thin: they read the visitor ([`Visitor`]), call the
//! service, and render.
//!
//! Browsers reach the public pages at the same addresses as the ActivityPub objects (`/c/{name}`,
//! `/e/{id}`, `/a/{id}`): content negotiation in [`crate::http`] sends them here.

use axum::{
    Router,
    extract::{FromRequestParts, Path, Query, State},
    http::{HeaderMap, HeaderValue, StatusCode, header, request::Parts},
    response::{IntoResponse, Redirect, Response},
    routing::get,
};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use serde::Deserialize;

use crate::error::{Error, Refusal};
use crate::model::Account;
use crate::service::Verkosto;

mod charts;
pub mod i18n;
mod my_calendar;
pub(crate) mod public;
mod recurrence;
mod report;
mod workspace;

pub use i18n::Lang;

const SESSION_COOKIE: &str = "verkosto_session";
const CSRF_COOKIE: &str = "verkosto_csrf";
const LANG_COOKIE: &str = "verkosto_lang";

/// The routes of the pages that do not share an address with an ActivityPub object. The workspace
/// (log in included) shares the client API's per-address request limit.
pub(crate) fn routes(verkosto: &Verkosto) -> Router<Verkosto> {
    Router::new()
        .route("/static/verkosto.css", get(stylesheet))
        .route("/lang/{code}", get(switch_language))
        .route("/c/{name}/embed", get(public::embed))
        .route("/c/{name}/calendar", get(public::calendar))
        .route("/instance/calendar", get(public::instance_calendar))
        .route("/remote-follow", axum::routing::post(public::remote_follow))
        .merge(
            workspace::routes()
                .merge(my_calendar::routes())
                // A shared report is computed on each view: the same budget as the workspace.
                .merge(report::routes())
                .route(
                    "/e/{id}/feedback",
                    axum::routing::post(public::answer_feedback),
                )
                .route("/e/{id}/report", axum::routing::post(public::report_event))
                // Participation by e-mail (issue 19).
                .route("/e/{id}/guest", axum::routing::post(public::guest::request))
                .route("/guest-link/{token}", get(public::guest::link))
                .route(
                    "/guest-link/{token}/confirm",
                    axum::routing::post(public::guest::confirm),
                )
                .route(
                    "/guest-link/{token}/cancel",
                    axum::routing::post(public::guest::cancel),
                )
                .route(
                    "/unsubscribe/{token}",
                    get(public::guest::unsubscribe_page).post(public::guest::unsubscribe),
                )
                .route(
                    "/unsubscribe/{token}/settings",
                    axum::routing::post(public::guest::save_settings),
                )
                .route_layer(axum::middleware::from_fn_with_state(
                    verkosto.clone(),
                    crate::http::limit_per_ip,
                )),
        )
}

/// Verkosto's home page, `/`: mounted apart so that an embedding app can keep its own.
pub(crate) fn home_routes() -> Router<Verkosto> {
    Router::new().route("/", get(public::home))
}

/// The account of the request's session cookie, when it is valid.
pub(crate) async fn session_account(v: &Verkosto, headers: &HeaderMap) -> Option<Account> {
    let jar = CookieJar::from_headers(headers);
    let token = jar.get(SESSION_COOKIE)?.value().to_string();
    v.authenticate(&token).await.ok()
}

/// Who is looking at a page: their language, their account if logged in, and the form token.
pub struct Visitor {
    /// The language the page is written in.
    pub lang: Lang,
    /// Whether the visitor chose it with the switcher (else it came from `Accept-Language`).
    pub lang_chosen: bool,
    /// The logged-in account, if any.
    pub account: Option<Account>,
    /// The session token (the account's API token), if logged in.
    session: Option<String>,
    /// The anti-forgery token every form carries.
    pub csrf: String,
    /// Whether `csrf` is new and must be set as a cookie.
    new_csrf: bool,
    /// The path of the page (for the language switcher).
    pub path: String,
    /// This instance's domain.
    pub domain: String,
    /// Whether the instance sends e-mail (what needs it is offered only then).
    pub sends_mail: bool,
    secure_cookies: bool,
}

impl FromRequestParts<Verkosto> for Visitor {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        v: &Verkosto,
    ) -> Result<Self, std::convert::Infallible> {
        Ok(Visitor::from_headers(v, &parts.headers, parts.uri.path()).await)
    }
}

impl Visitor {
    /// Reads the visitor from request headers (for handlers shared with the federation routes).
    pub async fn from_headers(v: &Verkosto, headers: &HeaderMap, path: &str) -> Visitor {
        let jar = CookieJar::from_headers(headers);
        let chosen = jar
            .get(LANG_COOKIE)
            .and_then(|c| Lang::from_code(c.value()));
        let lang = chosen.unwrap_or_else(|| {
            Lang::negotiate(
                headers
                    .get(header::ACCEPT_LANGUAGE)
                    .and_then(|h| h.to_str().ok())
                    .unwrap_or(""),
            )
        });
        let session = jar.get(SESSION_COOKIE).map(|c| c.value().to_string());
        let account = match &session {
            Some(token) => v.authenticate(token).await.ok(),
            None => None,
        };
        let existing = jar
            .get(CSRF_COOKIE)
            .map(|c| c.value().to_string())
            .filter(|t| t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()));
        let new_csrf = existing.is_none();
        let csrf = existing.unwrap_or_else(random_token);
        Visitor {
            lang,
            lang_chosen: chosen.is_some(),
            session: session.filter(|_| account.is_some()),
            account,
            csrf,
            new_csrf,
            path: path.to_string(),
            domain: v.settings().domain.clone(),
            sends_mail: v.state().mailer.is_some(),
            secure_cookies: v.settings().scheme() == "https",
        }
    }

    /// The visitor as a reader of members-only things (issue 18): their account, if logged in.
    pub fn reader(&self) -> crate::service::Reader {
        crate::service::Reader::from(self.account.clone())
    }

    /// The text with this Fluent id in the visitor's language.
    pub fn t(&self, key: &str) -> String {
        self.lang.t(key)
    }

    /// The text with this Fluent id and one string argument.
    pub fn t_with(&self, key: &str, name: &'static str, value: &str) -> String {
        self.lang.t_with(key, name, value)
    }

    /// The language switcher's links, each returning to this page.
    pub fn language_links(&self) -> Vec<LanguageLink> {
        Lang::ALL
            .into_iter()
            .map(|l| LanguageLink {
                code: l.code(),
                name: l.endonym(),
                href: format!("/lang/{}?back={}", l.code(), urlencode(&self.path)),
                current: l == self.lang,
            })
            .collect()
    }

    /// The logged-in account, or the error that sends the visitor to the login page.
    fn require_account(&self) -> Result<&Account, PageError> {
        self.account.as_ref().ok_or_else(|| PageError {
            lang: self.lang,
            error: Refusal::LogInFirst.into(),
            login_then: Some(self.path.clone()),
        })
    }

    /// Refuses a form whose token does not match the visitor's cookie: a page on another site
    /// cannot read the cookie, so it cannot forge the field.
    /// The comparison takes the same time whatever the first differing byte, so response times
    /// do not reveal the token byte by byte.
    fn check_csrf(&self, submitted: &str) -> Result<(), PageError> {
        let same = aws_lc_rs::constant_time::verify_slices_are_equal(
            submitted.as_bytes(),
            self.csrf.as_bytes(),
        )
        .is_ok();
        if self.new_csrf || !same {
            return Err(self.error(Refusal::FormExpired.into()));
        }
        Ok(())
    }

    /// An error shown as a page in the visitor's language.
    fn error(&self, error: Error) -> PageError {
        PageError {
            lang: self.lang,
            error,
            login_then: None,
        }
    }

    fn cookie(&self, name: &'static str, value: String) -> Cookie<'static> {
        Cookie::build((name, value))
            .path("/")
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(self.secure_cookies)
            .build()
    }

    /// A response with the cookies and caching headers every page needs.
    fn respond(&self, page: impl IntoResponse) -> Response {
        let mut response = page.into_response();
        if self.new_csrf {
            let cookie = Cookie::build((CSRF_COOKIE, self.csrf.clone()))
                .path("/")
                .http_only(true)
                .same_site(SameSite::Strict)
                .secure(self.secure_cookies)
                .build();
            if let Ok(value) = HeaderValue::from_str(&cookie.to_string()) {
                response.headers_mut().append(header::SET_COOKIE, value);
            }
        }
        let headers = response.headers_mut();
        headers.insert(
            header::VARY,
            HeaderValue::from_static("Accept, Accept-Language, Cookie"),
        );
        headers.insert(
            header::CONTENT_LANGUAGE,
            HeaderValue::from_static(self.lang.code()),
        );
        // Pages carry the visitor's form token and name: never cached by a shared cache.
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private"));
        response
    }
}

/// A page rendered for a visitor.
fn render<T: askama::Template>(page: &T, visitor: &Visitor) -> Response {
    visitor.respond(render_bare(page))
}

/// A page rendered without visitor state (the embeddable calendar).
fn render_bare<T: askama::Template>(page: &T) -> Response {
    match page.render() {
        Ok(body) => axum::response::Html(body).into_response(),
        Err(e) => PageError::from(Error::Internal(format!("template: {e}"))).into_response(),
    }
}

/// One link of the language switcher.
pub struct LanguageLink {
    /// `fi`, `sv`, `en`.
    pub code: &'static str,
    /// The language's name in itself.
    pub name: &'static str,
    /// Where the link goes.
    pub href: String,
    /// Whether the page is in this language.
    pub current: bool,
}

/// Text without markup, for `<meta>` descriptions: tags dropped, the common entities decoded.
fn plain_text(html: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(html.len().min(max_chars * 2));
    let mut in_tag = false;
    for ch in html.chars() {
        match ch {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    let decoded = out
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    let words: Vec<&str> = decoded.split_whitespace().collect();
    let joined = words.join(" ");
    match joined.char_indices().nth(max_chars) {
        Some((cut, _)) => format!("{}…", &joined[..cut]),
        None => joined,
    }
}

fn random_token() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// An error rendered as an HTML page with the right status, in the visitor's language.
pub struct PageError {
    lang: Lang,
    error: Error,
    /// Where to come back after logging in, when the error is "log in first".
    login_then: Option<String>,
}

impl From<Error> for PageError {
    fn from(error: Error) -> Self {
        PageError {
            lang: Lang::En,
            error,
            login_then: None,
        }
    }
}

#[derive(askama::Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    lang: Lang,
    status: u16,
    title: String,
    message: &'a str,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        if let Some(then) = self.login_then {
            return Redirect::to(&format!("/login?next={}", urlencode(&then))).into_response();
        }
        let status = self.error.status();
        let message = if status.is_server_error() {
            tracing::error!(error = %self.error, "page failed");
            self.lang.t("error-internal")
        } else {
            self.lang.describe(&self.error)
        };
        let title = match status {
            StatusCode::NOT_FOUND | StatusCode::GONE => self.lang.t("error-not-found"),
            StatusCode::FORBIDDEN | StatusCode::UNAUTHORIZED => self.lang.t("error-forbidden"),
            StatusCode::TOO_MANY_REQUESTS => self.lang.t("error-too-many"),
            s if s.is_server_error() => self.lang.t("error-internal"),
            _ => self.lang.t("error-bad-request"),
        };
        let page = ErrorPage {
            lang: self.lang,
            status: status.as_u16(),
            title,
            message: &message,
        };
        match askama::Template::render(&page) {
            Ok(body) => (status, axum::response::Html(body)).into_response(),
            Err(_) => (status, message).into_response(),
        }
    }
}

/// An error answered to a browser as a page in the visitor's language (for the addresses pages
/// share with ActivityPub objects, whose lookups fail before any page is chosen).
pub async fn error_page(v: &Verkosto, headers: &HeaderMap, error: Error) -> Response {
    let visitor = Visitor::from_headers(v, headers, "/").await;
    visitor.error(error).into_response()
}

/// Percent-encodes a query value.
fn urlencode(raw: &str) -> String {
    url::form_urlencoded::byte_serialize(raw.as_bytes()).collect()
}

/// A local path to return to, never another site.
///
/// A browser resolves a `Location` with the WHATWG URL parser, which drops tabs and newlines,
/// reads `\` as `/` and accepts `https:evil.example`; a check on the raw text misses those
/// (`/\t/evil.example` lands on `//evil.example`). So the target is resolved the same way (the
/// `url` crate implements that parser) against a placeholder origin, must stay on that origin,
/// and only its path, query and fragment are kept, re-serialised (controls percent-encoded).
fn local_path(raw: Option<&str>) -> String {
    const ORIGIN: &str = "https://verkosto.invalid/";
    let resolved = url::Url::parse(ORIGIN).and_then(|base| {
        let target = base.join(raw.unwrap_or("/"))?;
        Ok((target.origin() == base.origin()).then_some(target))
    });
    match resolved {
        // A path that itself starts with `//` (from `/.//evil.example`) would be read by the
        // browser as another host once the origin is cut off.
        Ok(Some(target)) if !target.path().starts_with("//") => {
            target[url::Position::BeforePath..].to_string()
        }
        _ => "/".to_string(),
    }
}

/// A CSV cell as text a spreadsheet shows and never evaluates (OWASP "CSV injection"): a cell
/// starting with `=`, `+`, `-`, `@`, tab or carriage return would be read as a formula, so it
/// gets a leading `'`, which spreadsheets take as "text follows" and do not display.
fn spreadsheet_text(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed_back() {
        assert_eq!(local_path(Some("/c/kahvila?x=1")), "/c/kahvila?x=1");
        assert_eq!(local_path(Some("/e/x#join")), "/e/x#join");
        for foreign in [
            "//evil.example/",
            "https://evil.example/",
            "https:evil.example",
            "/\\evil.example",
            "\\/evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "\r\n//evil.example",
            " //evil.example",
            "/.//evil.example",
            "javascript:alert(1)",
            "",
        ] {
            // Where a browser on our page lands (`https:evil.example` is a path here, as the
            // WHATWG parser reads it on an https page).
            let kept = local_path(Some(foreign));
            let lands = url::Url::parse("https://ours.example/c/x")
                .and_then(|page| page.join(&kept))
                .map(|u| u.host_str().map(str::to_string));
            assert_eq!(
                lands,
                Ok(Some("ours.example".to_string())),
                "{foreign:?} -> {kept}"
            );
        }
        assert_eq!(local_path(None), "/");
    }

    #[test]
    fn spreadsheet_formulas_are_written_as_text() {
        for formula in ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"] {
            assert_eq!(spreadsheet_text(formula), format!("'{formula}"));
        }
        assert_eq!(spreadsheet_text("maija@example.org"), "maija@example.org");
        assert_eq!(spreadsheet_text(""), "");
    }

    #[test]
    fn descriptions_are_plain_text_cut_at_a_character_boundary() {
        assert_eq!(
            plain_text(
                "<p>Tervetuloa <strong>kahville</strong> &amp; juttelemaan</p>",
                200
            ),
            "Tervetuloa kahville & juttelemaan"
        );
        assert_eq!(plain_text("äöå äöå", 5), "äöå ä…");
        assert_eq!(plain_text("&lt;script&gt;", 50), "<script>");
    }
}

#[derive(Deserialize)]
struct Back {
    back: Option<String>,
}

/// Remembers the chosen language in a cookie and returns to the page.
async fn switch_language(
    State(v): State<Verkosto>,
    Path(code): Path<String>,
    Query(back): Query<Back>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let visitor = Visitor::from_headers(&v, &headers, "/").await;
    let lang = Lang::from_code(&code)
        .ok_or_else(|| visitor.error(Refusal::NoSuchLanguage { code: code.clone() }.into()))?;
    let mut lang_cookie = visitor.cookie(LANG_COOKIE, lang.code().to_string());
    lang_cookie.set_max_age(cookie::time::Duration::days(365));
    let jar = CookieJar::new().add(lang_cookie);
    Ok((jar, Redirect::to(&local_path(back.back.as_deref()))).into_response())
}

async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/verkosto.css"),
    )
}
