//! The page of a community or network: its events to come and past, announcements, the networks
//! it belongs to (a network's: its members), and how to follow it.

use askama::Template;
use axum::{http::HeaderMap, response::Response};
use chrono::{Duration, Utc};

use super::{EventItem, Follow, handle_of, items, webcal};
use crate::apub::actor;
use crate::error::Error;
use crate::model::{Announcement, Community, CommunityKind};
use crate::service::{DirectoryEntry, Verkosto};
use crate::web::{PageError, Visitor, plain_text, render};

#[derive(Template)]
#[template(path = "community.html")]
struct CommunityPage {
    p: Visitor,
    c: Community,
    handle: String,
    ap_id: String,
    upcoming: Vec<EventItem>,
    past: Vec<EventItem>,
    announcements: Vec<AnnouncementItem>,
    /// Networks it belongs to: (actor id, `name@host`).
    networks: Vec<(String, String)>,
    members: Vec<DirectoryEntry>,
    webcal: String,
    is_manager: bool,
    follow: Follow,
    /// The community's rules as HTML, when it has some (issue 19).
    rules: Option<String>,
}

impl CommunityPage {
    fn is_network(&self) -> bool {
        self.c.kind == CommunityKind::Network
    }
    fn kind_label(&self) -> String {
        self.p.t(&format!("kind-{}", self.c.kind.as_str()))
    }
    fn summary_text(&self) -> String {
        plain_text(&self.c.summary, 200)
    }
}

/// An announcement as a list shows it.
struct AnnouncementItem {
    /// The announcement.
    pub a: Announcement,
    /// When it was published, in the visitor's language.
    pub when: String,
}

/// The page a browser gets at a community's (or network's) actor address.
pub(crate) async fn community_page(
    v: &Verkosto,
    headers: &HeaderMap,
    community: Community,
) -> Result<Response, PageError> {
    let p = Visitor::from_headers(
        v,
        headers,
        v.state().urls().community(&community.name).path(),
    )
    .await;
    let lang = p.lang;
    let fail = |e: Error| p.error(e);
    let reader = p.reader();
    let upcoming = v
        .community_events(&community, &reader, None, None)
        .await
        .map_err(fail)?;
    let now = Utc::now();
    let mut past = v
        .community_events(
            &community,
            &reader,
            Some(now - Duration::days(3 * 365)),
            Some(now),
        )
        .await
        .map_err(fail)?;
    past.retain(|e| e.ends_at < now);
    past.reverse();
    past.truncate(10);
    let announcements = v
        .announcements(&community.name, &reader, 10, 0)
        .await
        .map_err(fail)?
        .into_iter()
        .map(|a| AnnouncementItem {
            when: lang.date(&a.published_at, crate::service::DEFAULT_TIMEZONE),
            a,
        })
        .collect();
    let networks = v
        .community_networks(&community.name)
        .await
        .map_err(fail)?
        .into_iter()
        .filter(|n| n.state == crate::model::NetworkMemberState::Active)
        .map(|n| (n.network_ap_id.to_string(), handle_of(&n.network_ap_id)))
        .collect();
    let members = if community.kind == CommunityKind::Network {
        v.network_directory(&community.name).await.map_err(fail)?
    } else {
        Vec::new()
    };
    let is_manager = match &p.account {
        Some(a) => v.require_manager(a, &community).await.is_ok(),
        None => false,
    };
    let ap_id = actor::community_id(v.state(), &community.name).to_string();
    let handle = format!("{}@{}", community.name, v.settings().domain);
    let follow = Follow {
        title: p.t("follow-title"),
        text: p.t_with("follow-text", "name", &community.display_name),
        handle: format!("@{handle}"),
        target: ap_id.clone(),
    };
    let rules = v
        .community_rules(community.id)
        .await
        .map_err(|e| p.error(e))?
        .rules_html;
    let page = CommunityPage {
        rules: Some(rules).filter(|r| !r.trim().is_empty()),
        handle,
        follow,
        webcal: webcal(&v.state().urls().community_ics(&community.name)),
        ap_id,
        upcoming: items(lang, upcoming),
        past: items(lang, past),
        announcements,
        networks,
        members,
        is_manager,
        c: community,
        p,
    };
    Ok(render(&page, &page.p))
}
