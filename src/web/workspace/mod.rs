//! The manager's workspace: log in and out, communities, events, announcements, requests to decide,
//! participant lists. Every form carries the anti-forgery token; a form refused by validation comes
//! back with what was typed and the reason next to the field.
//!
//! This file holds the route list and what the forms share: the field errors, the refused-form
//! rendering, the small value checks, the decision and token-only forms, and the lookup of an
//! event its visitor manages. The pages live in a file each by concern.

use std::collections::HashMap;

use askama::Template;
use axum::{
    Router,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use serde::Deserialize;

use super::{PageError, Visitor, render};
use crate::error::{Error, Kind as RefusalKind, Refusal};
use crate::model::{Community, Event};
use crate::service::Verkosto;

mod announcements;
mod calendars;
mod communities;
mod events;
mod insights;
mod interaction;
mod invitation;
mod invitations;
mod moderation;
mod participants;
mod session;
mod signup;

use announcements::post_announcement;
use communities::{
    community, create_community, dashboard, decide_follow_request, decide_member_request,
    update_community,
};
use events::{cancel_event, create_event, edit_event_page, new_event_page, update_event};
pub(super) use insights::{InsightsView, svg};
use insights::{
    chart, check_in, events_csv, insights_csv, insights_page, revoke_report, share_report,
};
use interaction::{interact, interaction};
use participants::{
    ask_feedback, decide_participation, feature_answer, participants, participants_csv,
};
use session::{login, login_page, logout, oidc_callback, oidc_login};

pub(super) fn routes() -> Router<Verkosto> {
    Router::new()
        .route("/login", get(login_page).post(login))
        .route("/auth/oidc/login", get(oidc_login))
        .route("/auth/oidc/callback", get(oidc_callback))
        .route("/authorize_interaction", get(interaction).post(interact))
        .route("/logout", post(logout))
        .route("/signup", get(signup::signup_page).post(signup::signup))
        .route(
            "/confirm-email/{token}",
            get(signup::confirm_page).post(signup::confirm),
        )
        .route(
            "/invitation/{token}",
            get(invitation::page).post(invitation::accept),
        )
        .route("/manage", get(dashboard))
        .route("/manage/communities", post(create_community))
        .route("/manage/c/{name}", get(community).post(update_community))
        .route(
            "/manage/c/{name}/follow-requests/{id}",
            post(decide_follow_request),
        )
        .route(
            "/manage/c/{name}/member-requests/{id}",
            post(decide_member_request),
        )
        .route("/manage/c/{name}/announcements", post(post_announcement))
        .route(
            "/manage/c/{name}/calendars",
            get(calendars::calendars_page).post(calendars::subscribe),
        )
        .route("/manage/c/{name}/calendars/upload", post(calendars::upload))
        .route(
            "/manage/c/{name}/moderation",
            get(moderation::moderation_page),
        )
        .route(
            "/manage/c/{name}/moderation/rules",
            post(moderation::save_rules),
        )
        .route(
            "/manage/c/{name}/moderation/held/{id}/{decision}",
            post(moderation::decide_held),
        )
        .route(
            "/manage/c/{name}/moderation/reports/{id}/{action}",
            post(moderation::act_on_report),
        )
        .route("/manage/c/{name}/moderation/bans", post(moderation::ban))
        .route("/manage/reports", get(moderation::reports_page))
        .route(
            "/manage/c/{name}/invitations",
            get(invitations::invitations_page).post(invitations::invite),
        )
        .route(
            "/manage/c/{name}/invitations/{id}/withdraw",
            post(invitations::withdraw),
        )
        .route(
            "/manage/reports/{id}/{action}",
            post(moderation::act_on_queued_report),
        )
        .route(
            "/manage/c/{name}/moderation/bans/remove",
            post(moderation::unban),
        )
        .route(
            "/manage/c/{name}/calendars/{id}/sync",
            post(calendars::sync),
        )
        .route(
            "/manage/c/{name}/calendars/{id}/remove",
            post(calendars::remove),
        )
        .route("/manage/c/{name}/insights", get(insights_page))
        .route("/manage/c/{name}/insights.csv", get(insights_csv))
        .route("/manage/c/{name}/insights/events.csv", get(events_csv))
        .route("/manage/c/{name}/insights/{chart}", get(chart))
        .route("/manage/c/{name}/reports", post(share_report))
        .route("/manage/c/{name}/reports/{id}/revoke", post(revoke_report))
        .route(
            "/manage/c/{name}/events/new",
            get(new_event_page).post(create_event),
        )
        .route(
            "/manage/events/{id}/edit",
            get(edit_event_page).post(update_event),
        )
        .route("/manage/events/{id}/cancel", post(cancel_event))
        .route("/manage/events/{id}/participants", get(participants))
        .route(
            "/manage/events/{id}/participants.csv",
            get(participants_csv),
        )
        .route(
            "/manage/events/{id}/participants/{pid}",
            post(decide_participation),
        )
        .route(
            "/manage/events/{id}/participants/{pid}/attended",
            post(check_in),
        )
        .route("/manage/events/{id}/feedback", post(ask_feedback))
        .route(
            "/manage/events/{id}/feedback/answers/{answer}",
            post(feature_answer),
        )
}

/// A form page: 422 when it comes back refused, so clients and tests can tell it from a fresh form.
fn render_form<T: Template>(page: &T, visitor: &Visitor, refused: bool) -> Response {
    let mut response = render(page, visitor);
    if refused {
        *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    response
}

/// What a form said was wrong, by field.
#[derive(Default)]
struct FieldErrors {
    by_field: HashMap<String, String>,
    /// An error that belongs to no field of the form.
    pub general: Option<String>,
}

impl FieldErrors {
    /// The error next to `field`, if any.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.by_field.get(field).map(String::as_str)
    }

    fn add(&mut self, field: &str, message: String) {
        self.by_field.entry(field.to_string()).or_insert(message);
    }

    fn is_empty(&self) -> bool {
        self.by_field.is_empty() && self.general.is_none()
    }

    /// Files a service error under the form field it names, or as a general error. `fields` maps
    /// the service's field names to the form's.
    /// The text is the refusal in the visitor's language.
    fn from_error(e: Error, fields: &[(&str, &str)], p: &Visitor) -> Result<FieldErrors, Error> {
        let mut errors = FieldErrors::default();
        match e {
            Error::InvalidField { field, reason } => {
                let message = p.lang.refusal(&reason);
                let root = field.split(['.', '[']).next().unwrap_or(&field);
                match fields
                    .iter()
                    .find(|(service, _)| *service == field || *service == root)
                {
                    Some((_, form)) => errors.add(form, message),
                    None => errors.general = Some(format!("{field}: {message}")),
                }
            }
            Error::Refused(ref r)
                if matches!(r.kind(), RefusalKind::Conflict | RefusalKind::BadRequest) =>
            {
                errors.general = Some(p.lang.refusal(r))
            }
            Error::Conflict(message) | Error::BadRequest(message) => errors.general = Some(message),
            other => return Err(other),
        }
        Ok(errors)
    }
}

/// An optional web address must be http(s); said in the visitor's language before the service's
/// own (English) check would.
fn check_url(raw: &str, field: &str, p: &Visitor, errors: &mut FieldErrors) {
    let raw = raw.trim();
    if !raw.is_empty()
        && !url::Url::parse(raw).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
    {
        errors.add(field, p.t("form-bad-url"));
    }
}

/// The typed text trimmed, or `None` when nothing but spaces was typed.
fn non_empty(s: &str) -> Option<String> {
    Some(s.trim().to_string()).filter(|s| !s.is_empty())
}

/// A manager's answer to a request: a follow, a membership or a participation.
#[derive(Deserialize)]
struct DecisionForm {
    csrf: String,
    decision: String,
}

impl DecisionForm {
    fn accept(&self, p: &Visitor) -> Result<bool, PageError> {
        match self.decision.as_str() {
            "accept" => Ok(true),
            "reject" => Ok(false),
            other => Err(p.error(Error::invalid(
                "decision",
                Refusal::NotAcceptOrReject {
                    value: other.to_string(),
                },
            ))),
        }
    }
}

/// A form that carries only the anti-forgery token (log out, cancel an event).
#[derive(Deserialize)]
struct CsrfOnly {
    csrf: String,
}

/// Back to `to` after an action that worked, or the page again (`again`) with why it was refused;
/// anything else is the error page.
async fn back_or_why<Again>(
    p: Visitor,
    to: &str,
    result: crate::Result<()>,
    again: impl FnOnce(Visitor, String) -> Again,
) -> Result<Response, PageError>
where
    Again: std::future::Future<Output = Result<Response, PageError>>,
{
    match result {
        Ok(()) => Ok(Redirect::to(to).into_response()),
        Err(e) if e.refusal().is_some() => {
            let why = p.lang.describe(&e);
            again(p, why).await
        }
        Err(e) => Err(p.error(e)),
    }
}

/// A CSV download named `filename`, written by `write` (the participant list, the insights).
pub(super) fn csv_response(
    p: &Visitor,
    filename: String,
    write: impl FnOnce(&mut csv::Writer<Vec<u8>>) -> Result<(), csv::Error>,
) -> Result<Response, PageError> {
    let mut out = csv::Writer::from_writer(Vec::new());
    let body = write(&mut out)
        .map_err(|e| e.to_string())
        .and_then(|()| out.into_inner().map_err(|e| e.to_string()))
        .map_err(|e| p.error(Error::Internal(format!("CSV: {e}"))))?;
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "text/csv; charset=utf-8".to_string(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        body,
    )
        .into_response())
}

/// A local event its visitor manages, with its community.
async fn managed_event(
    v: &Verkosto,
    p: &Visitor,
    public_id: &str,
) -> Result<(Event, Community), PageError> {
    let account = p.require_account()?;
    v.managed_local_event(account, public_id)
        .await
        .map_err(|e| p.error(e))
}
