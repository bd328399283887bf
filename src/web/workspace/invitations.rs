//! A community's invitations in the workspace (issue 18): invite by handle (a local name or a
//! fediverse handle) or, on an instance that sends e-mail, by address; see who was invited and
//! whether they came; take an invitation back.

use askama::Template;
use axum::{
    Form,
    extract::{Path, State},
    response::Response,
};
use serde::Deserialize;

use super::CsrfOnly;
use crate::model::Community;
use crate::service::{InvitationRequest, Verkosto};
use crate::store::invitations::Invitation;
use crate::web::{PageError, Visitor, render};

#[derive(Template)]
#[template(path = "invitations.html")]
struct InvitationsPage {
    p: Visitor,
    c: Community,
    invitations: Vec<Row>,
    /// Why the invitation just tried was refused.
    error: Option<String>,
}

/// An invitation as listed: whom, when, and whether it was taken up.
struct Row {
    id: i64,
    whom: String,
    when: String,
    accepted: bool,
}

async fn page(
    v: &Verkosto,
    p: Visitor,
    name: &str,
    error: Option<String>,
) -> Result<Response, PageError> {
    let account = p.require_account()?.clone();
    let c = v.community(name).await.map_err(|e| p.error(e))?;
    let invitations = v
        .invitations(&account, name)
        .await
        .map_err(|e| p.error(e))?
        .into_iter()
        .map(|i: Invitation| Row {
            id: i.id,
            whom: i
                .email
                .clone()
                .or_else(|| {
                    i.actor_ap_id
                        .as_deref()
                        .and_then(|a| url::Url::parse(a).ok())
                        .map(|a| crate::web::public::handle_of(&a))
                })
                .unwrap_or_default(),
            when: p
                .lang
                .datetime(&i.created_at, crate::service::DEFAULT_TIMEZONE),
            accepted: i.accepted_at.is_some(),
        })
        .collect();
    let page = InvitationsPage {
        p,
        c,
        invitations,
        error,
    };
    Ok(render(&page, &page.p))
}

pub(super) async fn invitations_page(
    State(v): State<Verkosto>,
    Path(name): Path<String>,
    p: Visitor,
) -> Result<Response, PageError> {
    page(&v, p, &name, None).await
}

#[derive(Deserialize)]
pub(super) struct InviteForm {
    csrf: String,
    #[serde(default)]
    handle: String,
    #[serde(default)]
    email: String,
}

pub(super) async fn invite(
    State(v): State<Verkosto>,
    Path(name): Path<String>,
    p: Visitor,
    Form(form): Form<InviteForm>,
) -> Result<Response, PageError> {
    p.check_csrf(&form.csrf)?;
    let account = p.require_account()?.clone();
    let filled = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    let request = InvitationRequest {
        handle: filled(&form.handle),
        email: filled(&form.email),
        // The invitation speaks the inviting manager's language.
        language: Some(p.lang.code().to_string()),
    };
    let result = v.invite(&account, &name, request).await.map(|_| ());
    after(&v, p, &name, result).await
}

pub(super) async fn withdraw(
    State(v): State<Verkosto>,
    Path((name, id)): Path<(String, i64)>,
    p: Visitor,
    Form(form): Form<CsrfOnly>,
) -> Result<Response, PageError> {
    p.check_csrf(&form.csrf)?;
    let account = p.require_account()?.clone();
    let result = v.withdraw_invitation(&account, &name, id).await;
    after(&v, p, &name, result).await
}

/// Back to the page after an action, or the page with why it was refused.
async fn after(
    v: &Verkosto,
    p: Visitor,
    name: &str,
    result: crate::Result<()>,
) -> Result<Response, PageError> {
    let to = format!("/manage/c/{name}/invitations");
    super::back_or_why(p, &to, result, |p, why| page(v, p, name, Some(why))).await
}
