//! Communities in the workspace: the dashboard listing the manager's communities with the form
//! creating one, a community's own workspace page with its settings, and the decisions on its
//! follow and (for networks) member requests.

use askama::Template;
use axum::{
    Form,
    extract::{Path, State},
    response::{IntoResponse, Redirect, Response},
};
use chrono::Utc;
use serde::Deserialize;

use super::announcements::AnnouncementForm;
use super::{DecisionForm, FieldErrors, check_url, non_empty, render_form};
use crate::error::Error;
use crate::model::{
    Community, CommunityKind, CommunityUpdate, Event, EventStatus, FollowPolicy, NewCommunity,
};
use crate::service::{FollowRequestDecision, Verkosto};
use crate::web::{PageError, Visitor};

/// The community form's fields, as typed.
#[derive(Deserialize, Default)]
pub(super) struct CommunityForm {
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
    /// `public` or `members`.
    #[serde(default)]
    pub visibility: String,
}

impl CommunityForm {
    pub(super) fn of(c: &Community) -> Self {
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
            visibility: c.visibility.as_str().into(),
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
    ("visibility", "visibility"),
];

#[derive(Template)]
#[template(path = "manage.html")]
struct Dashboard {
    p: Visitor,
    communities: Vec<Community>,
    /// Communities the visitor is a member of without managing them.
    member_of: Vec<Community>,
    form: CommunityForm,
    errors: FieldErrors,
}

pub(super) async fn dashboard(
    State(v): State<Verkosto>,
    p: Visitor,
) -> Result<Response, PageError> {
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
    let member_of = v
        .member_communities(account)
        .await
        .map_err(|e| p.error(e))?;
    let failed = !errors.is_empty();
    let page = Dashboard {
        p,
        communities,
        member_of,
        form,
        errors,
    };
    Ok(render_form(&page, &page.p, failed))
}

pub(super) async fn create_community(
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
        visibility: form.visibility.parse().ok(),
    };
    match v.create_community(&account, new).await {
        Ok(c) => Ok(Redirect::to(&format!("/manage/c/{}", c.name)).into_response()),
        Err(e) => {
            let errors =
                FieldErrors::from_error(e, COMMUNITY_FIELDS, &p).map_err(|e| p.error(e))?;
            dashboard_with(&v, p, form, errors).await
        }
    }
}

/// A pending request as the workspace lists it.
struct Request {
    /// Its id for the decision form.
    pub id: i64,
    /// Who asks, `name@host`.
    pub who: String,
    /// The actor id, to look them up.
    pub actor: String,
}

/// An event in the workspace list.
struct ManagedEvent {
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

pub(super) async fn community(
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
pub(super) async fn workspace_with(
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
    let handle = |u: &url::Url| crate::web::public::handle_of(u);
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
        .every_event_of(&c, true, Some(now - chrono::Duration::days(365)), None)
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
        embed_url: v.state().urls().community_embed(&c.name).to_string(),
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

pub(super) async fn update_community(
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
        visibility: form.visibility.parse().ok(),
    };
    match v.update_community(&account, &name, update).await {
        Ok(_) => Ok(Redirect::to(&format!("/manage/c/{name}?saved=1")).into_response()),
        Err(e) => {
            let errors =
                FieldErrors::from_error(e, COMMUNITY_FIELDS, &p).map_err(|e| p.error(e))?;
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

pub(super) async fn decide_follow_request(
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

pub(super) async fn decide_member_request(
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
