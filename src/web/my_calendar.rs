//! The workspace page of a person's own calendar feed: whether it is on, a new secret address
//! (shown once, since only its hash is kept; the old one stops working), or off.

use askama::Template;
use axum::{
    Form, Router,
    extract::State,
    response::{IntoResponse, Redirect, Response},
    routing::get,
};
use serde::Deserialize;

use super::{PageError, Visitor, render};
use crate::error::{Error, Refusal};
use crate::service::{DEFAULT_TIMEZONE, Verkosto};

pub(super) fn routes() -> Router<Verkosto> {
    Router::new().route("/manage/calendar", get(page).post(change))
}

#[derive(Template)]
#[template(path = "my_calendar.html")]
struct MyCalendar {
    p: Visitor,
    /// When the current address was made, written in the visitor's language.
    since: Option<String>,
    /// The address just made (only in the answer to "make a new address").
    new_url: Option<String>,
}

async fn page(State(v): State<Verkosto>, p: Visitor) -> Result<Response, PageError> {
    show(&v, p, None).await
}

async fn show(v: &Verkosto, p: Visitor, new_url: Option<String>) -> Result<Response, PageError> {
    let account = p.require_account()?;
    let since = v
        .calendar_since(account)
        .await
        .map_err(|e| p.error(e))?
        .map(|at| p.lang.datetime(&at, DEFAULT_TIMEZONE));
    let page = MyCalendar { since, new_url, p };
    Ok(render(&page, &page.p))
}

#[derive(Deserialize)]
struct ChangeForm {
    csrf: String,
    /// `new` or `off`.
    action: String,
}

async fn change(
    State(v): State<Verkosto>,
    p: Visitor,
    Form(form): Form<ChangeForm>,
) -> Result<Response, PageError> {
    p.check_csrf(&form.csrf)?;
    let account = p.require_account()?.clone();
    match form.action.as_str() {
        "new" => {
            let path = v
                .new_calendar_path(&account)
                .await
                .map_err(|e| p.error(e))?;
            let url = v.state().url(&path).to_string();
            show(&v, p, Some(url)).await
        }
        "off" => {
            v.revoke_calendar(&account).await.map_err(|e| p.error(e))?;
            Ok(Redirect::to("/manage/calendar").into_response())
        }
        _ => Err(p.error(Error::invalid("action", Refusal::NotNewOrOff))),
    }
}
