//! The page an e-mail invitation's link opens (issue 18): it names the community, and its button
//! makes the account one is logged in with a member. Opening the link changes nothing (mail scanners
//! open links); someone without an account logs in or signs up first and comes back.

use askama::Template;
use axum::{
    Form,
    extract::{Path, State},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

use crate::model::Community;
use crate::service::Verkosto;
use crate::web::{PageError, Visitor, render, urlencode};

#[derive(Template)]
#[template(path = "invitation.html")]
struct InvitationPage {
    p: Visitor,
    c: Community,
    token: String,
    /// Whether open registration lets someone without an account sign up here.
    can_sign_up: bool,
    /// Where logging in comes back to.
    login_next: String,
}

impl InvitationPage {
    fn text(&self) -> String {
        self.p
            .t_with("invitation-text", "community", &self.c.display_name)
    }
}

pub(super) async fn page(
    State(v): State<Verkosto>,
    Path(token): Path<String>,
    p: Visitor,
) -> Result<Response, PageError> {
    let c = v
        .invitation_community(&token)
        .await
        .map_err(|e| p.error(e))?;
    let page = InvitationPage {
        can_sign_up: v.settings().open_registration && v.settings().password_login,
        login_next: urlencode(&p.path),
        p,
        c,
        token,
    };
    Ok(render(&page, &page.p))
}

#[derive(Deserialize)]
pub(super) struct AcceptForm {
    csrf: String,
}

pub(super) async fn accept(
    State(v): State<Verkosto>,
    Path(token): Path<String>,
    p: Visitor,
    Form(form): Form<AcceptForm>,
) -> Result<Response, PageError> {
    p.check_csrf(&form.csrf)?;
    let account = p.require_account()?.clone();
    let c = v
        .accept_invitation(&account, &token)
        .await
        .map_err(|e| p.error(e))?;
    Ok(Redirect::to(v.state().urls().community(&c.name).path()).into_response())
}
