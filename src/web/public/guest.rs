//! The pages of people without a fediverse account (issue 19): the form on an event's page, their
//! personal link (confirm, cancel, add to calendar, which notices to get) and unsubscribing.
//!
//! The link pages need no form token: their address carries a 256-bit secret another site cannot
//! know, and one-click unsubscribing (RFC 8058) posts without cookies by design.

use askama::Template;
use axum::{
    Form,
    extract::{Path, Query, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};

use crate::mail::Kind;
use crate::model::{Event, ParticipationState};
use crate::service::{GuestRequest, MailChoice, Verkosto};
use crate::web::{PageError, Visitor, render};

#[derive(Template)]
#[template(path = "guest.html")]
struct GuestPage {
    p: Visitor,
    heading: String,
    event: Option<Event>,
    when: String,
    status: Option<String>,
    token: Option<String>,
    can_confirm: bool,
    can_cancel: bool,
    cancelled: bool,
    ics: Option<String>,
    mail_settings: Option<MailSettingsView>,
    back: String,
    /// Where the one-click form of the unsubscribe page posts.
    stop: Option<String>,
}

impl GuestPage {
    fn new(p: Visitor, heading: String) -> Self {
        GuestPage {
            p,
            heading,
            event: None,
            when: String::new(),
            status: None,
            token: None,
            can_confirm: false,
            can_cancel: false,
            cancelled: false,
            ics: None,
            mail_settings: None,
            back: String::new(),
            stop: None,
        }
    }

    fn about(mut self, event: Event) -> Self {
        self.when = self
            .p
            .lang
            .span(&event.starts_at, &event.ends_at, &event.timezone);
        self.event = Some(event);
        self
    }
}

/// Which notices an address gets, as the settings form shows them.
struct MailSettingsView {
    token: String,
    address: String,
    kinds: Vec<KindRow>,
}

struct KindRow {
    code: &'static str,
    label: String,
    on: bool,
}

async fn mail_settings_view(
    v: &Verkosto,
    p: &Visitor,
    token: &str,
) -> Result<MailSettingsView, PageError> {
    let (address, on) = v.mail_settings(token).await.map_err(|e| p.error(e))?;
    Ok(MailSettingsView {
        token: token.to_string(),
        address,
        kinds: Kind::OPTIONAL
            .into_iter()
            .map(|k| KindRow {
                code: k.code(),
                label: p.t(&format!("mail-kind-{}", k.code())),
                on: on.contains(&k),
            })
            .collect(),
    })
}

/// The form on an event's page.
#[derive(serde::Deserialize)]
pub(crate) struct GuestForm {
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
}

/// `POST /e/{id}/guest`: the confirmation link goes out; the page says where.
pub(crate) async fn request(
    State(v): State<Verkosto>,
    Path(id): Path<String>,
    p: Visitor,
    Form(form): Form<GuestForm>,
) -> Result<Response, PageError> {
    p.check_csrf(&form.csrf)?;
    let event = v.event(&id).await.map_err(|e| p.error(e))?;
    let request = GuestRequest {
        name: form.name,
        email: form.email.clone(),
        language: Some(p.lang.code().to_string()),
    };
    v.request_guest_participation(&id, request)
        .await
        .map_err(|e| p.error(e))?;
    let mut page = GuestPage::new(p, String::new()).about(event);
    page.heading = page.p.t("guest-sent-title");
    page.status = Some(page.p.t_with("guest-sent", "email", form.email.trim()));
    Ok(render(&page, &page.p))
}

/// `GET /guest-link/{token}`: where the guest stands, with what they can do.
pub(crate) async fn link(
    State(v): State<Verkosto>,
    Path(token): Path<String>,
    mut p: Visitor,
) -> Result<Response, PageError> {
    let view = v.guest_view(&token).await.map_err(|e| p.error(e))?;
    // Their page speaks the language they asked in, unless they switched it here.
    if !p.lang_chosen
        && let Some(lang) = crate::web::Lang::from_code(&view.language)
    {
        p.lang = lang;
    }
    let mut page = GuestPage::new(p, String::new());
    page.heading = page.p.t("guest-page-title");
    let state = view
        .participation
        .as_ref()
        .filter(|_| view.confirmed)
        .map(|pt| pt.state);
    page.status = Some(match (view.cancelled, state) {
        (true, _) => page.p.t("guest-cancelled"),
        (false, Some(s)) => page.p.t(match s {
            ParticipationState::Accepted => "guest-state-accepted",
            ParticipationState::Waitlisted => "guest-state-waitlisted",
            ParticipationState::Pending => "guest-state-pending",
            ParticipationState::Rejected => "guest-state-rejected",
        }),
        (false, None) => page
            .p
            .t_with("guest-confirm-text", "title", &view.event.title),
    });
    page.cancelled = view.cancelled;
    page.can_confirm = state.is_none() && v.takes_guests(&view.event);
    page.can_cancel = state.is_some_and(|s| s != ParticipationState::Rejected);
    page.ics = page.can_cancel.then(|| {
        v.state()
            .urls()
            .event_ics(&view.event.public_id)
            .path()
            .to_string()
    });
    page.back = format!("/guest-link/{token}");
    page.token = Some(token);
    if let Some(mail_token) = &view.mail_token {
        page.mail_settings = Some(mail_settings_view(&v, &page.p, mail_token).await?);
    }
    let page = page.about(view.event);
    Ok(render(&page, &page.p))
}

/// `POST /guest-link/{token}/confirm`: the button, not the link, confirms (mail scanners open links).
pub(crate) async fn confirm(
    State(v): State<Verkosto>,
    Path(token): Path<String>,
    p: Visitor,
) -> Result<Response, PageError> {
    v.confirm_guest(&token).await.map_err(|e| p.error(e))?;
    Ok(Redirect::to(&format!("/guest-link/{token}")).into_response())
}

/// `POST /guest-link/{token}/cancel`.
pub(crate) async fn cancel(
    State(v): State<Verkosto>,
    Path(token): Path<String>,
    p: Visitor,
) -> Result<Response, PageError> {
    v.cancel_guest(&token).await.map_err(|e| p.error(e))?;
    Ok(Redirect::to(&format!("/guest-link/{token}")).into_response())
}

#[derive(serde::Deserialize)]
pub(crate) struct KindQuery {
    #[serde(default)]
    kind: String,
}

fn kind_of(p: &Visitor, code: &str) -> Result<Kind, PageError> {
    Kind::from_code(code)
        .filter(|k| k.optional())
        .ok_or_else(|| p.error(crate::Refusal::NoSuchMailLink.into()))
}

/// `GET /unsubscribe/{token}?kind=`: asks before turning the kind off (a GET changes nothing), and
/// shows every kind's setting.
pub(crate) async fn unsubscribe_page(
    State(v): State<Verkosto>,
    Path(token): Path<String>,
    Query(q): Query<KindQuery>,
    p: Visitor,
) -> Result<Response, PageError> {
    let kind = kind_of(&p, &q.kind)?;
    let settings = mail_settings_view(&v, &p, &token).await?;
    let label = p.t(&format!("mail-kind-{}", kind.code()));
    let mut page = GuestPage::new(p, String::new());
    page.heading = page.p.t("unsubscribe-title");
    page.status = Some(page.p.lang.t_args(
        "unsubscribe-text",
        [("kind", label), ("email", settings.address.clone())],
    ));
    page.stop = Some(format!("/unsubscribe/{token}?kind={}", kind.code()));
    page.back = format!("/unsubscribe/{token}?kind={}", kind.code());
    page.mail_settings = Some(settings);
    Ok(render(&page, &page.p))
}

/// `POST /unsubscribe/{token}?kind=`: the kind is off. Mail clients post `List-Unsubscribe=One-Click`
/// here (RFC 8058); the page's button posts nothing; both mean the same.
pub(crate) async fn unsubscribe(
    State(v): State<Verkosto>,
    Path(token): Path<String>,
    Query(q): Query<KindQuery>,
    p: Visitor,
) -> Result<Response, PageError> {
    let kind = kind_of(&p, &q.kind)?;
    v.set_mail_settings(&token, MailChoice::TurnOff(kind))
        .await
        .map_err(|e| p.error(e))?;
    let label = p.t(&format!("mail-kind-{}", kind.code()));
    let mut page = GuestPage::new(p, String::new());
    page.heading = page.p.t("unsubscribe-title");
    page.status = Some(page.p.t_with("unsubscribe-done", "kind", &label));
    page.mail_settings = Some(mail_settings_view(&v, &page.p, &token).await?);
    page.back = format!("/unsubscribe/{token}?kind={}", kind.code());
    Ok(render(&page, &page.p))
}

/// `POST /unsubscribe/{token}/settings`: exactly the checked kinds on.
pub(crate) async fn save_settings(
    State(v): State<Verkosto>,
    Path(token): Path<String>,
    p: Visitor,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let on: Vec<Kind> = fields
        .iter()
        .filter(|(name, _)| name == "receive")
        .filter_map(|(_, code)| Kind::from_code(code))
        .collect();
    v.set_mail_settings(&token, MailChoice::Exactly(&on))
        .await
        .map_err(|e| p.error(e))?;
    let back = fields
        .iter()
        .find(|(name, _)| name == "back")
        .map(|(_, b)| b.as_str())
        // Only our own link pages: never an address another site chose.
        .filter(|b| b.starts_with("/guest-link/") || b.starts_with("/unsubscribe/"))
        .unwrap_or("/");
    Ok((StatusCode::SEE_OTHER, [("location", back.to_string())]).into_response())
}
