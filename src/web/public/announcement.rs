//! The page of an announcement.

use askama::Template;
use axum::{http::HeaderMap, response::Response};

use crate::error::Error;
use crate::model::{Announcement, Community};
use crate::service::Verkosto;
use crate::web::{PageError, Visitor, plain_text, render};

#[derive(Template)]
#[template(path = "announcement.html")]
struct AnnouncementPage {
    p: Visitor,
    a: Announcement,
    when: String,
    community: Option<Community>,
}

impl AnnouncementPage {
    fn summary_text(&self) -> String {
        plain_text(&self.a.content_html, 200)
    }
}

/// The page a browser gets at an announcement's address.
pub(crate) async fn announcement_page(
    v: &Verkosto,
    headers: &HeaderMap,
    a: Announcement,
) -> Result<Response, PageError> {
    let p = Visitor::from_headers(
        v,
        headers,
        v.state().urls().announcement(&a.public_id).path(),
    )
    .await;
    let fail = |e: Error| p.error(e);
    let community = match a.community_id {
        Some(id) => v.community_by_id(id).await.map_err(fail)?,
        None => None,
    };
    let page = AnnouncementPage {
        when: p
            .lang
            .datetime(&a.published_at, crate::service::DEFAULT_TIMEZONE),
        community,
        a,
        p,
    };
    Ok(render(&page, &page.p))
}
