//! The manager's workspace: log in and out, communities, events, announcements, requests to decide,
//! participant lists. Every form carries the anti-forgery token; a form refused by validation comes
//! back with what was typed and the reason next to the field.

use std::collections::HashMap;

use askama::Template;
use axum::{
    Form, Router,
    extract::{Path, Query, State},
    http::header,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use serde::Deserialize;

use super::{PageError, SESSION_COOKIE, Visitor, local_path, render};
use crate::error::Error;
use crate::model::{
    Community, CommunityKind, CommunityUpdate, Event, EventPlace, EventStatus, EventUpdate,
    FollowPolicy, JoinMode, NewAnnouncement, NewCommunity, NewEvent, Participation,
};
use crate::service::{FollowRequestDecision, Verkosto};

pub(super) fn routes() -> Router<Verkosto> {
    Router::new()
        .route("/login", get(login_page).post(login))
        .route("/authorize_interaction", get(interaction).post(interact))
        .route("/logout", post(logout))
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
pub struct FieldErrors {
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
    fn from_error(e: Error, fields: &[(&str, &str)]) -> Result<FieldErrors, Error> {
        let mut errors = FieldErrors::default();
        match e {
            Error::InvalidField { field, message } => {
                let root = field.split(['.', '[']).next().unwrap_or(&field);
                match fields
                    .iter()
                    .find(|(service, _)| *service == field || *service == root)
                {
                    Some((_, form)) => errors.add(form, message),
                    None => errors.general = Some(format!("{field}: {message}")),
                }
            }
            Error::Conflict(message) | Error::BadRequest(message) => errors.general = Some(message),
            other => return Err(other),
        }
        Ok(errors)
    }
}

// ---- log in, log out ----

#[derive(Deserialize)]
struct Next {
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

async fn login_page(p: Visitor, Query(q): Query<Next>) -> Response {
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
struct LoginForm {
    username: String,
    password: String,
    csrf: String,
    next: Option<String>,
}

/// Logs in with the account's password; the session cookie holds an API token, revoked at logout.
/// Attempts per username are rate-limited by the service.
async fn login(
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
        Err(Error::Unauthorized(_)) | Err(Error::InvalidField { .. }) => {
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

#[derive(Deserialize)]
struct CsrfOnly {
    csrf: String,
}

async fn logout(
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

// ---- communities ----

/// The community form's fields, as typed.
#[derive(Deserialize, Default)]
pub struct CommunityForm {
    #[serde(default)]
    csrf: String,
    /// Name in addresses (create only).
    #[serde(default)]
    pub name: String,
    /// Shown name.
    #[serde(default)]
    pub display_name: String,
    /// About text.
    #[serde(default)]
    pub summary: String,
    /// Kind (`coworking`, ...).
    #[serde(default)]
    pub kind: String,
    /// Where.
    #[serde(default)]
    pub location: String,
    /// Latitude, as typed.
    #[serde(default)]
    pub latitude: String,
    /// Longitude, as typed.
    #[serde(default)]
    pub longitude: String,
    /// Web site.
    #[serde(default)]
    pub website: String,
    /// `open` or `approval`.
    #[serde(default)]
    pub follow_policy: String,
}

impl CommunityForm {
    fn of(c: &Community) -> Self {
        CommunityForm {
            csrf: String::new(),
            name: c.name.clone(),
            display_name: c.display_name.clone(),
            summary: c.summary.clone(),
            kind: c.kind.as_str().into(),
            location: c.location.clone().unwrap_or_default(),
            latitude: c.latitude.map(|l| l.to_string()).unwrap_or_default(),
            longitude: c.longitude.map(|l| l.to_string()).unwrap_or_default(),
            website: c
                .website
                .as_ref()
                .map(|u| u.to_string())
                .unwrap_or_default(),
            follow_policy: c.follow_policy.as_str().into(),
        }
    }

    fn coordinate(raw: &str, field: &str, p: &Visitor, errors: &mut FieldErrors) -> Option<f64> {
        let raw = raw.trim().replace(',', ".");
        if raw.is_empty() {
            return None;
        }
        match raw.parse::<f64>() {
            Ok(v) => Some(v),
            Err(_) => {
                errors.add(field, p.t("form-not-a-number"));
                None
            }
        }
    }
}

const COMMUNITY_FIELDS: &[(&str, &str)] = &[
    ("name", "name"),
    ("display_name", "display_name"),
    ("summary", "summary"),
    ("kind", "kind"),
    ("location", "location"),
    ("latitude", "latitude"),
    ("longitude", "longitude"),
    ("website", "website"),
    ("follow_policy", "follow_policy"),
];

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

fn non_empty(s: &str) -> Option<String> {
    Some(s.trim().to_string()).filter(|s| !s.is_empty())
}

#[derive(Template)]
#[template(path = "manage.html")]
struct Dashboard {
    p: Visitor,
    communities: Vec<Community>,
    form: CommunityForm,
    errors: FieldErrors,
}

async fn dashboard(State(v): State<Verkosto>, p: Visitor) -> Result<Response, PageError> {
    let form = CommunityForm {
        kind: "coworking".into(),
        follow_policy: "open".into(),
        ..Default::default()
    };
    dashboard_with(&v, p, form, FieldErrors::default()).await
}

async fn dashboard_with(
    v: &Verkosto,
    p: Visitor,
    form: CommunityForm,
    errors: FieldErrors,
) -> Result<Response, PageError> {
    let account = p.require_account()?;
    let communities = v
        .managed_communities(account)
        .await
        .map_err(|e| p.error(e))?;
    let failed = !errors.is_empty();
    let page = Dashboard {
        p,
        communities,
        form,
        errors,
    };
    Ok(render_form(&page, &page.p, failed))
}

async fn create_community(
    State(v): State<Verkosto>,
    p: Visitor,
    Form(form): Form<CommunityForm>,
) -> Result<Response, PageError> {
    p.check_csrf(&form.csrf)?;
    let account = p.require_account()?.clone();
    let mut errors = FieldErrors::default();
    let latitude = CommunityForm::coordinate(&form.latitude, "latitude", &p, &mut errors);
    let longitude = CommunityForm::coordinate(&form.longitude, "longitude", &p, &mut errors);
    let kind = form.kind.parse::<CommunityKind>();
    let policy = form.follow_policy.parse::<FollowPolicy>();
    if form.name.trim().is_empty() {
        errors.add("name", p.t("form-required"));
    } else if crate::model::LocalName::parse("name", form.name.trim()).is_err() {
        errors.add("name", p.t("form-bad-name"));
    }
    check_url(&form.website, "website", &p, &mut errors);
    if !errors.is_empty() {
        return dashboard_with(&v, p, form, errors).await;
    }
    let new = NewCommunity {
        name: form.name.trim().to_string(),
        display_name: non_empty(&form.display_name),
        summary: non_empty(&form.summary),
        kind: kind.ok(),
        location: non_empty(&form.location),
        latitude,
        longitude,
        website: non_empty(&form.website),
        tags: None,
        icon_url: None,
        banner_url: None,
        follow_policy: policy.ok(),
    };
    match v.create_community(&account, new).await {
        Ok(c) => Ok(Redirect::to(&format!("/manage/c/{}", c.name)).into_response()),
        Err(e) => {
            let errors = FieldErrors::from_error(e, COMMUNITY_FIELDS).map_err(|e| p.error(e))?;
            dashboard_with(&v, p, form, errors).await
        }
    }
}

/// A pending request as the workspace lists it.
pub struct Request {
    /// Its id for the decision form.
    pub id: i64,
    /// Who asks, `name@host`.
    pub who: String,
    /// The actor id, to look them up.
    pub actor: String,
}

/// An event in the workspace list.
pub struct ManagedEvent {
    /// The event.
    pub e: Event,
    /// When, in the manager's language.
    pub when: String,
}

impl ManagedEvent {
    /// Whether it is cancelled.
    pub fn cancelled(&self) -> bool {
        self.e.status == EventStatus::Cancelled
    }
}

#[derive(Template)]
#[template(path = "manage_community.html")]
struct CommunityWorkspace {
    p: Visitor,
    c: Community,
    form: CommunityForm,
    errors: FieldErrors,
    follow_requests: Vec<Request>,
    member_requests: Vec<Request>,
    events: Vec<ManagedEvent>,
    announcement: AnnouncementForm,
    announcement_errors: FieldErrors,
    preview: Option<String>,
    embed_url: String,
}

impl CommunityWorkspace {
    fn is_network(&self) -> bool {
        self.c.kind == CommunityKind::Network
    }
}

async fn community(
    State(v): State<Verkosto>,
    Path(name): Path<String>,
    p: Visitor,
) -> Result<Response, PageError> {
    let c = v.community(&name).await.map_err(|e| p.error(e))?;
    let form = CommunityForm::of(&c);
    workspace_with(
        &v,
        p,
        c,
        form,
        FieldErrors::default(),
        AnnouncementForm::default(),
        FieldErrors::default(),
        None,
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn workspace_with(
    v: &Verkosto,
    p: Visitor,
    c: Community,
    form: CommunityForm,
    errors: FieldErrors,
    announcement: AnnouncementForm,
    announcement_errors: FieldErrors,
    preview: Option<String>,
) -> Result<Response, PageError> {
    let account = p.require_account()?.clone();
    let fail = |e: Error| p.error(e);
    v.require_manager(&account, &c).await.map_err(fail)?;
    let handle = |u: &url::Url| super::public::handle_of(u);
    let follow_requests = v
        .follow_requests(&account, &c.name)
        .await
        .map_err(fail)?
        .into_iter()
        .map(|f| Request {
            id: f.id,
            who: handle(&f.follower_ap_id),
            actor: f.follower_ap_id.to_string(),
        })
        .collect();
    let member_requests = if c.kind == CommunityKind::Network {
        v.member_requests(&account, &c.name)
            .await
            .map_err(fail)?
            .into_iter()
            .map(|m| Request {
                id: m.id,
                who: handle(&m.member_ap_id),
                actor: m.member_ap_id.to_string(),
            })
            .collect()
    } else {
        Vec::new()
    };
    let now = Utc::now();
    let events = v
        .community_events(&c, Some(now - chrono::Duration::days(365)), None)
        .await
        .map_err(fail)?
        .into_iter()
        .filter(|e| e.community_id == Some(c.id))
        .map(|e| ManagedEvent {
            when: p.lang.span(&e.starts_at, &e.ends_at, &e.timezone),
            e,
        })
        .collect();
    let failed = !errors.is_empty() || !announcement_errors.is_empty();
    let page = CommunityWorkspace {
        p,
        embed_url: v.state().url(&format!("/c/{}/embed", c.name)).to_string(),
        c,
        form,
        errors,
        follow_requests,
        member_requests,
        events,
        announcement,
        announcement_errors,
        preview,
    };
    Ok(render_form(&page, &page.p, failed))
}

async fn update_community(
    State(v): State<Verkosto>,
    Path(name): Path<String>,
    p: Visitor,
    Form(mut form): Form<CommunityForm>,
) -> Result<Response, PageError> {
    p.check_csrf(&form.csrf)?;
    let account = p.require_account()?.clone();
    let c = v.community(&name).await.map_err(|e| p.error(e))?;
    form.name = c.name.clone();
    let mut errors = FieldErrors::default();
    let latitude = CommunityForm::coordinate(&form.latitude, "latitude", &p, &mut errors);
    let longitude = CommunityForm::coordinate(&form.longitude, "longitude", &p, &mut errors);
    check_url(&form.website, "website", &p, &mut errors);
    if !errors.is_empty() {
        return workspace_with(
            &v,
            p,
            c,
            form,
            errors,
            AnnouncementForm::default(),
            FieldErrors::default(),
            None,
        )
        .await;
    }
    let update = CommunityUpdate {
        display_name: Some(form.display_name.trim().to_string()),
        summary: Some(form.summary.trim().to_string()),
        kind: form.kind.parse().ok(),
        location: Some(form.location.trim().to_string()),
        latitude,
        longitude,
        website: Some(form.website.trim().to_string()),
        tags: None,
        icon_url: None,
        banner_url: None,
        follow_policy: form.follow_policy.parse().ok(),
    };
    match v.update_community(&account, &name, update).await {
        Ok(_) => Ok(Redirect::to(&format!("/manage/c/{name}?saved=1")).into_response()),
        Err(e) => {
            let errors = FieldErrors::from_error(e, COMMUNITY_FIELDS).map_err(|e| p.error(e))?;
            workspace_with(
                &v,
                p,
                c,
                form,
                errors,
                AnnouncementForm::default(),
                FieldErrors::default(),
                None,
            )
            .await
        }
    }
}

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
                format!("must be accept or reject, not {other:?}"),
            ))),
        }
    }
}

async fn decide_follow_request(
    State(v): State<Verkosto>,
    Path((name, id)): Path<(String, i64)>,
    p: Visitor,
    Form(form): Form<DecisionForm>,
) -> Result<Response, PageError> {
    p.check_csrf(&form.csrf)?;
    let account = p.require_account()?;
    let decision = if form.accept(&p)? {
        FollowRequestDecision::Accept
    } else {
        FollowRequestDecision::Reject
    };
    v.decide_follow_request(account, &name, id, decision)
        .await
        .map_err(|e| p.error(e))?;
    Ok(Redirect::to(&format!("/manage/c/{name}")).into_response())
}

async fn decide_member_request(
    State(v): State<Verkosto>,
    Path((name, id)): Path<(String, i64)>,
    p: Visitor,
    Form(form): Form<DecisionForm>,
) -> Result<Response, PageError> {
    p.check_csrf(&form.csrf)?;
    let account = p.require_account()?;
    v.decide_member_request(account, &name, id, form.accept(&p)?)
        .await
        .map_err(|e| p.error(e))?;
    Ok(Redirect::to(&format!("/manage/c/{name}")).into_response())
}

// ---- announcements ----

/// The announcement form, as typed.
#[derive(Deserialize, Default)]
pub struct AnnouncementForm {
    #[serde(default)]
    csrf: String,
    /// Optional title (makes it an `Article`).
    #[serde(default)]
    pub title: String,
    /// Markdown text.
    #[serde(default)]
    pub content: String,
    /// `preview` shows the rendered text instead of publishing.
    #[serde(default)]
    action: String,
}

async fn post_announcement(
    State(v): State<Verkosto>,
    Path(name): Path<String>,
    p: Visitor,
    Form(form): Form<AnnouncementForm>,
) -> Result<Response, PageError> {
    p.check_csrf(&form.csrf)?;
    let account = p.require_account()?.clone();
    let c = v.community(&name).await.map_err(|e| p.error(e))?;
    let again = |p: Visitor, form: AnnouncementForm, errors: FieldErrors, preview| {
        let community_form = CommunityForm::of(&c);
        workspace_with(
            &v,
            p,
            c.clone(),
            community_form,
            FieldErrors::default(),
            form,
            errors,
            preview,
        )
    };
    if form.action == "preview" {
        let html = crate::service::sanitize::markdown(&form.content);
        return again(p, form, FieldErrors::default(), Some(html)).await;
    }
    let new = NewAnnouncement {
        content: form.content.clone(),
        title: non_empty(&form.title),
        image_url: None,
        tags: None,
        language: Some(p.lang.code().to_string()),
        pinned: None,
    };
    match v.create_announcement(&account, &name, new).await {
        Ok(a) => Ok(Redirect::to(&format!("/a/{}", a.public_id)).into_response()),
        Err(e) => {
            let errors = FieldErrors::from_error(e, &[("content", "content"), ("title", "title")])
                .map_err(|e| p.error(e))?;
            again(p, form, errors, None).await
        }
    }
}

// ---- events ----

/// The event form's fields, as typed.
#[derive(Deserialize, Default)]
pub struct EventForm {
    #[serde(default)]
    csrf: String,
    /// Title.
    #[serde(default)]
    pub title: String,
    /// Markdown description.
    #[serde(default)]
    pub description: String,
    /// Start, `YYYY-MM-DDTHH:MM` in `timezone`.
    #[serde(default)]
    pub starts_at: String,
    /// End, likewise.
    #[serde(default)]
    pub ends_at: String,
    /// IANA time zone.
    #[serde(default)]
    pub timezone: String,
    /// Name of the place.
    #[serde(default)]
    pub place_name: String,
    /// Street address.
    #[serde(default)]
    pub street: String,
    /// Postal code.
    #[serde(default)]
    pub postal_code: String,
    /// Town.
    #[serde(default)]
    pub locality: String,
    /// Country.
    #[serde(default)]
    pub country: String,
    /// Stream or meeting link.
    #[serde(default)]
    pub online_url: String,
    /// Seats, empty for unlimited.
    #[serde(default)]
    pub capacity: String,
    /// `free`, `approval`, `invite`, `external`, `none`.
    #[serde(default)]
    pub join_mode: String,
    /// Registration elsewhere, with `external`.
    #[serde(default)]
    pub external_url: String,
    /// `preview` renders the description instead of saving.
    #[serde(default)]
    action: String,
}

const EVENT_FIELDS: &[(&str, &str)] = &[
    ("title", "title"),
    ("description", "description"),
    ("starts_at", "starts_at"),
    ("ends_at", "ends_at"),
    ("timezone", "timezone"),
    ("location", "place_name"),
    ("online_url", "online_url"),
    ("capacity", "capacity"),
    ("join_mode", "join_mode"),
    ("external_url", "external_url"),
];

/// Time zones offered first; any IANA zone typed in is accepted.
pub const TIMEZONES: &[&str] = &[
    "Europe/Helsinki",
    "Europe/Mariehamn",
    "Europe/Stockholm",
    "Europe/Tallinn",
    "Europe/Oslo",
    "Europe/Copenhagen",
    "Europe/Berlin",
    "Europe/London",
    "UTC",
];

fn local_input(at: &DateTime<Utc>, tz: &str) -> String {
    let zone: chrono_tz::Tz = tz.parse().unwrap_or(chrono_tz::UTC);
    at.with_timezone(&zone).format("%Y-%m-%dT%H:%M").to_string()
}

impl EventForm {
    fn of(e: &Event) -> Self {
        let place = e.place.clone().unwrap_or_default();
        EventForm {
            csrf: String::new(),
            title: e.title.clone(),
            description: e.description_source.clone().unwrap_or_default(),
            starts_at: local_input(&e.starts_at, &e.timezone),
            ends_at: local_input(&e.ends_at, &e.timezone),
            timezone: e.timezone.clone(),
            place_name: place.name.unwrap_or_default(),
            street: place.street.unwrap_or_default(),
            postal_code: place.postal_code.unwrap_or_default(),
            locality: place.locality.unwrap_or_default(),
            country: place.country.unwrap_or_default(),
            online_url: e
                .online_url
                .as_ref()
                .map(|u| u.to_string())
                .unwrap_or_default(),
            capacity: e.capacity.map(|c| c.to_string()).unwrap_or_default(),
            join_mode: e.join_mode.wire().into(),
            external_url: e
                .external_url
                .as_ref()
                .map(|u| u.to_string())
                .unwrap_or_default(),
            action: String::new(),
        }
    }

    /// The typed local time as RFC 3339, or the reason it is not one.
    fn moment(&self, raw: &str, field: &str, p: &Visitor, errors: &mut FieldErrors) -> String {
        let zone: Result<chrono_tz::Tz, _> = self.timezone.trim().parse();
        let Ok(zone) = zone else {
            errors.add("timezone", p.t("form-bad-timezone"));
            return String::new();
        };
        let parsed = NaiveDateTime::parse_from_str(raw.trim(), "%Y-%m-%dT%H:%M")
            .or_else(|_| NaiveDateTime::parse_from_str(raw.trim(), "%Y-%m-%dT%H:%M:%S"));
        match parsed
            .ok()
            .and_then(|t| zone.from_local_datetime(&t).earliest())
        {
            Some(t) => t.to_rfc3339(),
            None => {
                errors.add(
                    field,
                    if raw.trim().is_empty() {
                        p.t("form-required")
                    } else {
                        p.t("form-bad-time")
                    },
                );
                String::new()
            }
        }
    }

    fn place(&self) -> Option<EventPlace> {
        let place = EventPlace {
            name: non_empty(&self.place_name),
            street: non_empty(&self.street),
            postal_code: non_empty(&self.postal_code),
            locality: non_empty(&self.locality),
            region: None,
            country: non_empty(&self.country),
            latitude: None,
            longitude: None,
        };
        (place != EventPlace::default()).then_some(place)
    }

    /// The checks people trip over most, in their language; the service checks everything again.
    fn check(&self, starts_at: &str, ends_at: &str, p: &Visitor, errors: &mut FieldErrors) {
        if self.title.trim().is_empty() {
            errors.add("title", p.t("form-required"));
        }
        if let (Ok(start), Ok(end)) = (
            DateTime::parse_from_rfc3339(starts_at),
            DateTime::parse_from_rfc3339(ends_at),
        ) && end <= start
        {
            errors.add("ends_at", p.t("form-end-before-start"));
        }
        check_url(&self.online_url, "online_url", p, errors);
        check_url(&self.external_url, "external_url", p, errors);
    }

    fn capacity(&self, p: &Visitor, errors: &mut FieldErrors) -> Option<i64> {
        let raw = self.capacity.trim();
        if raw.is_empty() {
            return None;
        }
        match raw.parse::<i64>() {
            Ok(n) if n >= 1 => Some(n),
            Ok(_) => {
                errors.add("capacity", p.t("form-capacity-min"));
                None
            }
            Err(_) => {
                errors.add("capacity", p.t("form-not-a-number"));
                None
            }
        }
    }
}

#[derive(Template)]
#[template(path = "event_form.html")]
struct EventFormPage {
    p: Visitor,
    c: Community,
    /// The event being edited; `None` when creating.
    editing: Option<Event>,
    form: EventForm,
    errors: FieldErrors,
    preview: Option<String>,
    timezones: Vec<&'static str>,
}

impl EventFormPage {
    fn action(&self) -> String {
        match &self.editing {
            Some(e) => format!("/manage/events/{}/edit", e.public_id),
            None => format!("/manage/c/{}/events/new", self.c.name),
        }
    }
    fn custom_timezone(&self) -> bool {
        !TIMEZONES.contains(&self.form.timezone.as_str())
    }
}

fn event_form_page(
    p: Visitor,
    c: Community,
    editing: Option<Event>,
    form: EventForm,
    errors: FieldErrors,
    preview: Option<String>,
) -> Response {
    let failed = !errors.is_empty();
    let page = EventFormPage {
        p,
        c,
        editing,
        form,
        errors,
        preview,
        timezones: TIMEZONES.to_vec(),
    };
    render_form(&page, &page.p, failed)
}

async fn new_event_page(
    State(v): State<Verkosto>,
    Path(name): Path<String>,
    p: Visitor,
) -> Result<Response, PageError> {
    let account = p.require_account()?;
    let c = v.community(&name).await.map_err(|e| p.error(e))?;
    v.require_manager(account, &c)
        .await
        .map_err(|e| p.error(e))?;
    let form = EventForm {
        timezone: crate::service::DEFAULT_TIMEZONE.into(),
        join_mode: "free".into(),
        ..Default::default()
    };
    Ok(event_form_page(
        p,
        c,
        None,
        form,
        FieldErrors::default(),
        None,
    ))
}

async fn create_event(
    State(v): State<Verkosto>,
    Path(name): Path<String>,
    p: Visitor,
    Form(form): Form<EventForm>,
) -> Result<Response, PageError> {
    p.check_csrf(&form.csrf)?;
    let account = p.require_account()?.clone();
    let c = v.community(&name).await.map_err(|e| p.error(e))?;
    v.require_manager(&account, &c)
        .await
        .map_err(|e| p.error(e))?;
    if form.action == "preview" {
        let html = crate::service::sanitize::markdown(&form.description);
        return Ok(event_form_page(
            p,
            c,
            None,
            form,
            FieldErrors::default(),
            Some(html),
        ));
    }
    let mut errors = FieldErrors::default();
    let starts_at = form.moment(&form.starts_at, "starts_at", &p, &mut errors);
    let ends_at = form.moment(&form.ends_at, "ends_at", &p, &mut errors);
    let capacity = form.capacity(&p, &mut errors);
    form.check(&starts_at, &ends_at, &p, &mut errors);
    if !errors.is_empty() {
        return Ok(event_form_page(p, c, None, form, errors, None));
    }
    let new = NewEvent {
        title: form.title.trim().to_string(),
        description: non_empty(&form.description),
        starts_at,
        ends_at,
        timezone: non_empty(&form.timezone),
        location: form.place(),
        online_url: non_empty(&form.online_url),
        capacity,
        join_mode: Some(JoinMode::from_wire(&form.join_mode)),
        external_url: non_empty(&form.external_url),
        tags: None,
        category: None,
        banner_url: None,
        language: Some(p.lang.code().to_string()),
        comments_enabled: None,
        cohosts: None,
        status: None,
    };
    match v.create_event(&account, &name, new).await {
        Ok(e) => Ok(Redirect::to(&format!("/e/{}", e.public_id)).into_response()),
        Err(e) => {
            let errors = FieldErrors::from_error(e, EVENT_FIELDS).map_err(|e| p.error(e))?;
            Ok(event_form_page(p, c, None, form, errors, None))
        }
    }
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

async fn edit_event_page(
    State(v): State<Verkosto>,
    Path(id): Path<String>,
    p: Visitor,
) -> Result<Response, PageError> {
    let (event, c) = managed_event(&v, &p, &id).await?;
    let form = EventForm::of(&event);
    Ok(event_form_page(
        p,
        c,
        Some(event),
        form,
        FieldErrors::default(),
        None,
    ))
}

async fn update_event(
    State(v): State<Verkosto>,
    Path(id): Path<String>,
    p: Visitor,
    Form(form): Form<EventForm>,
) -> Result<Response, PageError> {
    p.check_csrf(&form.csrf)?;
    let (event, c) = managed_event(&v, &p, &id).await?;
    let account = p.require_account()?.clone();
    if form.action == "preview" {
        let html = crate::service::sanitize::markdown(&form.description);
        return Ok(event_form_page(
            p,
            c,
            Some(event),
            form,
            FieldErrors::default(),
            Some(html),
        ));
    }
    let mut errors = FieldErrors::default();
    let starts_at = form.moment(&form.starts_at, "starts_at", &p, &mut errors);
    let ends_at = form.moment(&form.ends_at, "ends_at", &p, &mut errors);
    let capacity = form.capacity(&p, &mut errors);
    form.check(&starts_at, &ends_at, &p, &mut errors);
    if !errors.is_empty() {
        return Ok(event_form_page(p, c, Some(event), form, errors, None));
    }
    let update = EventUpdate {
        title: Some(form.title.trim().to_string()),
        description: Some(form.description.clone()),
        starts_at: Some(starts_at),
        ends_at: Some(ends_at),
        timezone: Some(form.timezone.trim().to_string()),
        location: form.place(),
        online_url: Some(form.online_url.trim().to_string()),
        capacity,
        join_mode: Some(JoinMode::from_wire(&form.join_mode)),
        external_url: non_empty(&form.external_url),
        ..Default::default()
    };
    match v.update_event(&account, &id, update).await {
        Ok(e) => Ok(Redirect::to(&format!("/e/{}", e.public_id)).into_response()),
        Err(e) => {
            let errors = FieldErrors::from_error(e, EVENT_FIELDS).map_err(|e| p.error(e))?;
            Ok(event_form_page(p, c, Some(event), form, errors, None))
        }
    }
}

async fn cancel_event(
    State(v): State<Verkosto>,
    Path(id): Path<String>,
    p: Visitor,
    Form(form): Form<CsrfOnly>,
) -> Result<Response, PageError> {
    p.check_csrf(&form.csrf)?;
    let account = p.require_account()?;
    let event = v.cancel_event(account, &id).await.map_err(|e| p.error(e))?;
    Ok(Redirect::to(&format!("/e/{}", event.public_id)).into_response())
}

/// A participant row.
pub struct ParticipantRow {
    /// The participation.
    pub x: Participation,
    /// When they asked, in the manager's language.
    pub when: String,
}

impl ParticipantRow {
    /// Whether a manager can still decide on it.
    pub fn undecided(&self) -> bool {
        matches!(
            self.x.state,
            crate::model::ParticipationState::Pending
                | crate::model::ParticipationState::Waitlisted
        )
    }
}

#[derive(Template)]
#[template(path = "participants.html")]
struct ParticipantsPage {
    p: Visitor,
    e: Event,
    c: Community,
    rows: Vec<ParticipantRow>,
}

async fn participants(
    State(v): State<Verkosto>,
    Path(id): Path<String>,
    p: Visitor,
) -> Result<Response, PageError> {
    let (event, c) = managed_event(&v, &p, &id).await?;
    let account = p.require_account()?;
    let rows = v
        .participants(account, &id)
        .await
        .map_err(|e| p.error(e))?
        .into_iter()
        .map(|x| ParticipantRow {
            when: p.lang.datetime(&x.created_at, &event.timezone),
            x,
        })
        .collect();
    let page = ParticipantsPage {
        p,
        e: event,
        c,
        rows,
    };
    Ok(render(&page, &page.p))
}

/// The participant list as CSV (handle, instance, state, since, message) for a spreadsheet.
async fn participants_csv(
    State(v): State<Verkosto>,
    Path(id): Path<String>,
    p: Visitor,
) -> Result<Response, PageError> {
    let (event, _) = managed_event(&v, &p, &id).await?;
    let account = p.require_account()?;
    let list = v.participants(account, &id).await.map_err(|e| p.error(e))?;
    let mut out = csv::Writer::from_writer(Vec::new());
    let written: Result<(), csv::Error> = (|| {
        out.write_record(["handle", "instance", "state", "since", "message"])?;
        for x in &list {
            // Handles, instances and messages come from other servers: every cell is written
            // as text a spreadsheet will not run.
            out.write_record(
                [
                    x.handle.as_str(),
                    x.instance.as_str(),
                    x.state.as_str(),
                    &x.created_at.to_rfc3339(),
                    x.message.as_deref().unwrap_or(""),
                ]
                .map(super::spreadsheet_text),
            )?;
        }
        Ok(())
    })();
    let body = written
        .map_err(|e| e.to_string())
        .and_then(|()| out.into_inner().map_err(|e| e.to_string()))
        .map_err(|e| p.error(Error::Internal(format!("CSV: {e}"))))?;
    let disposition = format!(
        "attachment; filename=\"participants-{}.csv\"",
        event.public_id
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response())
}

async fn decide_participation(
    State(v): State<Verkosto>,
    Path((id, pid)): Path<(String, i64)>,
    p: Visitor,
    Form(form): Form<DecisionForm>,
) -> Result<Response, PageError> {
    p.check_csrf(&form.csrf)?;
    let account = p.require_account()?;
    v.decide_participation(account, &id, pid, form.accept(&p)?)
        .await
        .map_err(|e| p.error(e))?;
    Ok(Redirect::to(&format!("/manage/events/{id}/participants")).into_response())
}

// ---- remote interaction: another server sends one of our people here to follow or join ----

#[derive(Deserialize)]
struct InteractionQuery {
    #[serde(default)]
    uri: String,
}

/// What the interaction page offers for an object.
pub enum Interaction {
    /// Follow this actor (`name@host`).
    Follow {
        /// The actor's handle.
        handle: String,
        /// Its shown name.
        name: String,
    },
    /// Take part in this event.
    Participate,
}

#[derive(Template)]
#[template(path = "interact.html")]
struct InteractionPage {
    p: Visitor,
    uri: String,
    offer: Interaction,
    done: Option<String>,
}

impl InteractionPage {
    fn follow_handle(&self) -> Option<(&str, &str)> {
        match &self.offer {
            Interaction::Follow { handle, name } => Some((handle, name)),
            Interaction::Participate => None,
        }
    }
}

/// What the object at `uri` (an `acct:` handle or an ActivityPub id) lets one do: an actor can be
/// followed; anything else is offered as an event to take part in.
async fn offer_for(v: &Verkosto, uri: &str) -> Result<Interaction, Error> {
    let uri = uri.trim();
    if let Some(handle) = uri.strip_prefix("acct:") {
        let actor = v.lookup(handle).await?;
        return Ok(Interaction::Follow {
            handle: format!("{}@{}", actor.username, actor.domain),
            name: actor.display_name.unwrap_or(actor.username),
        });
    }
    let url = url::Url::parse(uri)
        .map_err(|_| Error::invalid("uri", "must be a URL or acct:name@host"))?;
    match crate::apub::actor::resolve_remote(&v.federation_data(), &url).await {
        Ok(actor) => Ok(Interaction::Follow {
            handle: format!("{}@{}", actor.username, actor.domain),
            name: actor.display_name.unwrap_or(actor.username),
        }),
        Err(_) => Ok(Interaction::Participate),
    }
}

async fn interaction(
    State(v): State<Verkosto>,
    Query(q): Query<InteractionQuery>,
    p: Visitor,
) -> Result<Response, PageError> {
    if p.account.is_none() {
        let back = format!("/authorize_interaction?uri={}", super::urlencode(&q.uri));
        return Ok(
            Redirect::to(&format!("/login?next={}", super::urlencode(&back))).into_response(),
        );
    }
    let offer = offer_for(&v, &q.uri).await.map_err(|e| p.error(e))?;
    let page = InteractionPage {
        p,
        uri: q.uri,
        offer,
        done: None,
    };
    Ok(render(&page, &page.p))
}

#[derive(Deserialize)]
struct InteractionForm {
    csrf: String,
    uri: String,
}

async fn interact(
    State(v): State<Verkosto>,
    p: Visitor,
    Form(form): Form<InteractionForm>,
) -> Result<Response, PageError> {
    p.check_csrf(&form.csrf)?;
    let account = p.require_account()?.clone();
    let offer = offer_for(&v, &form.uri).await.map_err(|e| p.error(e))?;
    let done = match &offer {
        Interaction::Follow { handle, .. } => {
            v.follow(&account, handle).await.map_err(|e| p.error(e))?;
            p.t_with("interact-followed", "name", handle)
        }
        Interaction::Participate => {
            v.participate(&account, &form.uri)
                .await
                .map_err(|e| p.error(e))?;
            p.t("interact-joined")
        }
    };
    let page = InteractionPage {
        p,
        uri: form.uri,
        offer,
        done: Some(done),
    };
    Ok(render(&page, &page.p))
}
