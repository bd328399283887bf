//! A community's external calendars in the workspace (issue 17): subscribe by address, upload a
//! calendar file, sync now, remove; each with what its last sync did.

use askama::Template;
use axum::{
    Form,
    extract::{Multipart, Path, State},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

use super::CsrfOnly;
use crate::model::{Community, SyncReport};
use crate::service::Verkosto;
use crate::web::{PageError, Visitor, render};

/// One calendar as the page lists it.
struct CalendarRow {
    id: String,
    /// The address, or `None` for uploaded files.
    url: Option<String>,
    /// When it was last synced, in the visitor's language.
    synced: Option<String>,
    report: Option<SyncReport>,
}

#[derive(Template)]
#[template(path = "calendars.html")]
struct CalendarsPage {
    p: Visitor,
    c: Community,
    calendars: Vec<CalendarRow>,
    /// What the action just done did, or why it was refused.
    done: Option<SyncReport>,
    error: Option<String>,
    url: String,
}

async fn page(
    v: &Verkosto,
    p: Visitor,
    name: &str,
    done: Option<SyncReport>,
    error: Option<String>,
    url: String,
) -> Result<Response, PageError> {
    let account = p.require_account()?;
    let c = v.community(name).await.map_err(|e| p.error(e))?;
    let calendars = v
        .calendars(account, name)
        .await
        .map_err(|e| p.error(e))?
        .into_iter()
        .map(|s| CalendarRow {
            id: s.public_id,
            url: s.url.map(|u| u.to_string()),
            synced: s
                .last_synced_at
                .map(|t| p.lang.datetime(&t, "Europe/Helsinki")),
            report: s.last_result,
        })
        .collect();
    let page = CalendarsPage {
        p,
        c,
        calendars,
        done,
        error,
        url,
    };
    Ok(render(&page, &page.p))
}

pub(super) async fn calendars_page(
    State(v): State<Verkosto>,
    Path(name): Path<String>,
    p: Visitor,
) -> Result<Response, PageError> {
    page(&v, p, &name, None, None, String::new()).await
}

#[derive(Deserialize)]
pub(super) struct SubscribeForm {
    csrf: String,
    #[serde(default)]
    url: String,
}

pub(super) async fn subscribe(
    State(v): State<Verkosto>,
    Path(name): Path<String>,
    p: Visitor,
    Form(form): Form<SubscribeForm>,
) -> Result<Response, PageError> {
    p.check_csrf(&form.csrf)?;
    let account = p.require_account()?.clone();
    let url = match form.url.trim().strip_prefix("webcal://") {
        Some(rest) => format!("https://{rest}"),
        None => form.url.trim().to_string(),
    };
    match v.subscribe_calendar(&account, &name, &url).await {
        Ok(s) => page(&v, p, &name, s.last_result, None, String::new()).await,
        Err(e) if e.refusal().is_some() => {
            let why = p.lang.describe(&e);
            page(&v, p, &name, None, Some(why), form.url).await
        }
        Err(e) => Err(p.error(e)),
    }
}

/// A calendar file sent with the form (`multipart/form-data`: `csrf` and `file`).
pub(super) async fn upload(
    State(v): State<Verkosto>,
    Path(name): Path<String>,
    p: Visitor,
    mut form: Multipart,
) -> Result<Response, PageError> {
    let (mut csrf, mut file) = (String::new(), None);
    while let Ok(Some(field)) = form.next_field().await {
        match field.name() {
            Some("csrf") => csrf = field.text().await.unwrap_or_default(),
            Some("file") => file = field.bytes().await.ok(),
            _ => {}
        }
    }
    p.check_csrf(&csrf)?;
    let account = p.require_account()?.clone();
    let text = file
        .as_deref()
        .map(String::from_utf8_lossy)
        .unwrap_or_default()
        .into_owned();
    after(
        &v,
        p,
        &name,
        v.import_calendar(&account, &name, &text).await,
    )
    .await
}

/// The page after an import or a sync: what it did, or why it was refused.
async fn after(
    v: &Verkosto,
    p: Visitor,
    name: &str,
    result: crate::error::Result<SyncReport>,
) -> Result<Response, PageError> {
    match result {
        Ok(report) => page(v, p, name, Some(report), None, String::new()).await,
        Err(e) if e.refusal().is_some() => {
            let why = p.lang.describe(&e);
            page(v, p, name, None, Some(why), String::new()).await
        }
        Err(e) => Err(p.error(e)),
    }
}

pub(super) async fn sync(
    State(v): State<Verkosto>,
    Path((name, id)): Path<(String, String)>,
    p: Visitor,
    Form(form): Form<CsrfOnly>,
) -> Result<Response, PageError> {
    p.check_csrf(&form.csrf)?;
    let account = p.require_account()?.clone();
    after(&v, p, &name, v.sync_calendar(&account, &name, &id).await).await
}

pub(super) async fn remove(
    State(v): State<Verkosto>,
    Path((name, id)): Path<(String, String)>,
    p: Visitor,
    Form(form): Form<CsrfOnly>,
) -> Result<Response, PageError> {
    p.check_csrf(&form.csrf)?;
    let account = p.require_account()?;
    v.remove_calendar(account, &name, &id)
        .await
        .map_err(|e| p.error(e))?;
    Ok(Redirect::to(&format!("/manage/c/{name}/calendars")).into_response())
}
