//! The instance's front page.

use askama::Template;
use axum::{extract::State, response::Response};

use super::{EventItem, items};
use crate::error::Error;
use crate::model::Community;
use crate::service::Verkosto;
use crate::web::{PageError, Visitor, render};

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    p: Visitor,
    communities: Vec<Community>,
    events: Vec<EventItem>,
    first_run: bool,
}

/// The instance's front page: what Verkosto is, its communities, upcoming events across them.
pub(in crate::web) async fn home(
    State(v): State<Verkosto>,
    p: Visitor,
) -> Result<Response, PageError> {
    let lang = p.lang;
    let fail = |e: Error| p.error(e);
    let communities = v.communities(100, 0).await.map_err(fail)?;
    let events = v.upcoming_local_events(20).await.map_err(fail)?;
    let first_run = !v.has_accounts().await.map_err(fail)?;
    let page = HomePage {
        communities,
        events: items(lang, events),
        first_run,
        p,
    };
    Ok(render(&page, &page.p))
}
