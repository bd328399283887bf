//! The page of a person, at their actor address.

use askama::Template;
use axum::{http::HeaderMap, response::Response};

use super::Follow;
use crate::apub::actor;
use crate::service::Verkosto;
use crate::web::{PageError, Visitor, plain_text, render};

#[derive(Template)]
#[template(path = "person.html")]
struct PersonPage {
    p: Visitor,
    a: crate::model::Account,
    name: String,
    ap_id: String,
    follow: Follow,
}

impl PersonPage {
    fn summary_text(&self) -> String {
        plain_text(self.a.summary.as_deref().unwrap_or(""), 200)
    }
}

/// The page a browser gets at a person's actor address.
pub(crate) async fn person_page(
    v: &Verkosto,
    headers: &HeaderMap,
    account: crate::model::Account,
) -> Result<Response, PageError> {
    let p = Visitor::from_headers(
        v,
        headers,
        v.state().urls().account(&account.username).path(),
    )
    .await;
    let ap_id = actor::account_id(v.state(), &account.username).to_string();
    let name = account
        .display_name
        .clone()
        .unwrap_or_else(|| account.username.clone());
    let page = PersonPage {
        follow: Follow {
            title: p.t("follow-title"),
            text: p.t_with("follow-person-text", "name", &name),
            handle: format!("@{}@{}", account.username, v.settings().domain),
            target: ap_id.clone(),
        },
        name,
        ap_id,
        a: account,
        p,
    };
    Ok(render(&page, &page.p))
}
