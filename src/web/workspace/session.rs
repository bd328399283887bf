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
}

pub(super) async fn login_page(p: Visitor, Query(q): Query<Next>) -> Response {
    let page = LoginPage {
        username: String::new(),
        next: after_login(q.next.as_deref()),
        error: None,
        p,
    };
    render(&page, &page.p)
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
            let page = LoginPage {
                username: form.username,
                next: after_login(form.next.as_deref()),
                error: Some(p.t("login-failed")),
                p,
            };
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
