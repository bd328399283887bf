//! Signing up on an instance with open registration, and confirming the address (issue 19).

use askama::Template;
use axum::{
    Form,
    extract::{Path, State},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

use crate::service::{Registration, Verkosto};
use crate::web::{PageError, Visitor, render};

#[derive(Template)]
#[template(path = "signup.html")]
struct SignupPage {
    p: Visitor,
    heading: String,
    error: Option<String>,
    status: Option<String>,
    show_form: bool,
    username: String,
    email: String,
    /// The confirmation secret, on the page its link opens.
    confirm: Option<String>,
    login_link: bool,
}

impl SignupPage {
    fn new(p: Visitor, heading: &str) -> Self {
        SignupPage {
            heading: p.t(heading),
            p,
            error: None,
            status: None,
            show_form: false,
            username: String::new(),
            email: String::new(),
            confirm: None,
            login_link: false,
        }
    }
}

fn open(v: &Verkosto, p: &Visitor) -> Result<(), PageError> {
    if v.settings().open_registration && v.settings().password_login {
        Ok(())
    } else {
        Err(p.error(crate::Refusal::RegistrationClosed.into()))
    }
}

pub(super) async fn signup_page(
    State(v): State<Verkosto>,
    p: Visitor,
) -> Result<Response, PageError> {
    open(&v, &p)?;
    let mut page = SignupPage::new(p, "signup-title");
    page.show_form = true;
    Ok(render(&page, &page.p))
}

#[derive(Deserialize)]
pub(super) struct SignupForm {
    csrf: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

pub(super) async fn signup(
    State(v): State<Verkosto>,
    p: Visitor,
    Form(form): Form<SignupForm>,
) -> Result<Response, PageError> {
    p.check_csrf(&form.csrf)?;
    open(&v, &p)?;
    let registration = Registration {
        username: form.username.clone(),
        password: form.password,
        email: Some(form.email.clone()).filter(|e| !e.trim().is_empty()),
        language: Some(p.lang.code().to_string()),
    };
    match v.register(registration).await {
        Ok(_) if p.sends_mail => {
            let mut page = SignupPage::new(p, "guest-sent-title");
            page.status = Some(page.p.t_with("signup-sent", "email", form.email.trim()));
            Ok(render(&page, &page.p))
        }
        Ok(_) => Ok(Redirect::to("/login").into_response()),
        Err(e) if e.refusal().is_some() => {
            let mut page = SignupPage::new(p, "signup-title");
            page.error = Some(page.p.lang.describe(&e));
            page.show_form = true;
            page.username = form.username;
            page.email = form.email;
            Ok(render(&page, &page.p))
        }
        Err(e) => Err(p.error(e)),
    }
}

/// The page a confirmation link opens: its button confirms.
pub(super) async fn confirm_page(
    State(v): State<Verkosto>,
    Path(token): Path<String>,
    mut p: Visitor,
) -> Result<Response, PageError> {
    let (account, language) = v.email_confirmation(&token).await.map_err(|e| p.error(e))?;
    speak(&mut p, &language);
    let mut page = SignupPage::new(p, "confirm-email-title");
    page.status = Some(
        page.p
            .t_with("confirm-email-text", "name", &account.username),
    );
    page.confirm = Some(token);
    Ok(render(&page, &page.p))
}

pub(super) async fn confirm(
    State(v): State<Verkosto>,
    Path(token): Path<String>,
    mut p: Visitor,
) -> Result<Response, PageError> {
    let (_, language) = v.confirm_email(&token).await.map_err(|e| p.error(e))?;
    speak(&mut p, &language);
    let mut page = SignupPage::new(p, "confirm-email-title");
    page.status = Some(page.p.t("confirm-email-done"));
    page.login_link = true;
    Ok(render(&page, &page.p))
}

/// The page speaks the language the account signed up in, unless the visitor switched it here.
fn speak(p: &mut Visitor, language: &str) {
    if !p.lang_chosen
        && let Some(lang) = crate::web::Lang::from_code(language)
    {
        p.lang = lang;
    }
}
