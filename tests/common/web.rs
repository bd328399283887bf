//! The web pages as a browser-like client meets them: cookies kept, redirects not followed (so they
//! can be checked), forms posted with the token the page set.

use reqwest::redirect::Policy;

use super::TestServer;

/// A cookie-keeping browser-like client that does not follow redirects (so they can be checked).
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .expect("client")
}

/// The form token the page set for this client.
pub async fn form_token(http: &reqwest::Client, url: &str) -> String {
    let page = http
        .get(url)
        .send()
        .await
        .expect("GET")
        .text()
        .await
        .expect("body");
    let at = page.find("name=\"csrf\" value=\"").expect("a form token") + 19;
    page[at..at + 64].to_string()
}

/// Posts the login form (with the token of a fresh login page) as `username`.
pub async fn post_login(
    server: &TestServer,
    http: &reqwest::Client,
    username: &str,
    next: &str,
) -> reqwest::Response {
    let csrf = form_token(http, &server.url("/login")).await;
    http.post(server.url("/login"))
        .form(&[
            ("username", username),
            ("password", "salasana123"),
            ("csrf", &csrf),
            ("next", next),
        ])
        .send()
        .await
        .expect("login")
}
