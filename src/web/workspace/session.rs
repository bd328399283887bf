//! Log in and log out. The session cookie holds an API token of the account, revoked at logout.

use askama::Template;
use axum::{
    Form,
    extract::{Query, State},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

use super::CsrfOnly;
use crate::error::Error;
use crate::service::Verkosto;
use crate::web::{PageError, SESSION_COOKIE, Visitor, local_path, render};

#[derive(Deserialize)]
pub(super) struct Next {
    next: Option<String>,
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    p: Visitor,
    username: String,
    next: String,
    error: Option<String>,
    /// The company sign-in's name, when there is one (issue 18).
    company: Option<String>,
    /// Whether the password form is offered.
    password_login: bool,
    /// Whether anyone may sign up here.
    signup: bool,
}

impl LoginPage {
    fn new(
        v: &Verkosto,
        p: Visitor,
        username: String,
        next: String,
        error: Option<String>,
    ) -> Self {
        LoginPage {
            company: v.settings().oidc.as_ref().map(|o| o.name.clone()),
            password_login: v.settings().password_login,
            signup: v.settings().open_registration,
            username,
            next,
            error,
            p,
        }
    }
}

pub(super) async fn login_page(
    State(v): State<Verkosto>,
    p: Visitor,
    Query(q): Query<Next>,
) -> Response {
    let page = LoginPage::new(&v, p, String::new(), after_login(q.next.as_deref()), None);
    render(&page, &page.p)
}

/// Starts a company sign-in: to the provider, returning to `next`.
pub(super) async fn oidc_login(
    State(v): State<Verkosto>,
    p: Visitor,
    Query(q): Query<Next>,
) -> Result<Response, PageError> {
    let url = v
        .oidc_login_url(&after_login(q.next.as_deref()))
        .await
        .map_err(|e| p.error(e))?;
    Ok(Redirect::to(url.as_str()).into_response())
}

/// The provider's answer (RFC 6749 4.1.2, RFC 9207 `iss`).
#[derive(Deserialize)]
pub(super) struct OidcAnswer {
    code: Option<String>,
    state: Option<String>,
    iss: Option<String>,
    error: Option<String>,
}

/// Finishes a company sign-in: the session cookie, then the page that asked for it.
pub(super) async fn oidc_callback(
    State(v): State<Verkosto>,
    p: Visitor,
    Query(answer): Query<OidcAnswer>,
) -> Result<Response, PageError> {
    let (Some(code), Some(state)) = (answer.code, answer.state) else {
        let why = answer.error.unwrap_or_else(|| "no code".into());
        return Err(p.error(crate::error::Refusal::SignInFailed { why }.into()));
    };
    let (issued, next) = v
        .oidc_callback(&code, &state, answer.iss.as_deref())
        .await
        .map_err(|e| p.error(e))?;
    let cookie = p.cookie(SESSION_COOKIE, issued.access_token);
    let jar = axum_extra::extract::CookieJar::new().add(cookie);
    Ok((jar, Redirect::to(&after_login(Some(&next)))).into_response())
}

/// Where a login returns: the page that asked for it, or the workspace.
fn after_login(next: Option<&str>) -> String {
    match next.filter(|n| !n.is_empty() && *n != "/") {
        Some(n) => local_path(Some(n)),
        None => "/manage".into(),
    }
}

#[derive(Deserialize)]
pub(super) struct LoginForm {
    username: String,
    password: String,
    csrf: String,
    next: Option<String>,
}

/// Logs in with the account's password; the session cookie holds an API token, revoked at logout.
/// Attempts per username are rate-limited by the service.
pub(super) async fn login(
    State(v): State<Verkosto>,
    p: Visitor,
    Form(form): Form<LoginForm>,
) -> Result<Response, PageError> {
    p.check_csrf(&form.csrf)?;
    match v.login(form.username.trim(), &form.password).await {
        Ok(issued) => {
            let cookie = p.cookie(SESSION_COOKIE, issued.access_token);
            let jar = axum_extra::extract::CookieJar::new().add(cookie);
            Ok((jar, Redirect::to(&after_login(form.next.as_deref()))).into_response())
        }
        Err(e @ Error::TooManyRequests(_)) => Err(p.error(e)),
        Err(e)
            if e.status() == axum::http::StatusCode::UNAUTHORIZED
                || matches!(e, Error::InvalidField { .. }) =>
        {
            let error = Some(p.t("login-failed"));
            let page = LoginPage::new(
                &v,
                p,
                form.username,
                after_login(form.next.as_deref()),
                error,
            );
            let mut response = render(&page, &page.p);
            *response.status_mut() = axum::http::StatusCode::UNAUTHORIZED;
            Ok(response)
        }
        Err(e) => Err(p.error(e)),
    }
}

pub(super) async fn logout(
    State(v): State<Verkosto>,
    p: Visitor,
    Form(form): Form<CsrfOnly>,
) -> Result<Response, PageError> {
    p.check_csrf(&form.csrf)?;
    if let Some(token) = &p.session {
        v.revoke_token(token).await.map_err(|e| p.error(e))?;
    }
    let jar = axum_extra::extract::CookieJar::new().remove(
        axum_extra::extract::cookie::Cookie::build(SESSION_COOKIE)
            .path("/")
            .build(),
    );
    Ok((jar, Redirect::to("/")).into_response())
}
