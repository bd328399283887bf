//! A community's moderation in the workspace (issue 19): its rules and the holding of first-time
//! replies, the replies waiting, its open reports (resolve, forward), its bans and its log.

use askama::Template;
use axum::{
    Form,
    extract::{Path, State},
    response::Response,
};
use serde::Deserialize;

use super::CsrfOnly;
use crate::model::Community;
use crate::service::{BanRequest, RulesUpdate, Verkosto};
use crate::store::{
    bans::{Ban, LogEntry, Report},
    community_rules::{CommunityRules, HeldComment},
};
use crate::web::{PageError, Visitor, render};

#[derive(Template)]
#[template(path = "moderation.html")]
struct ModerationPage {
    p: Visitor,
    c: Community,
    rules: CommunityRules,
    held: Vec<Row<HeldComment>>,
    reports: Vec<Row<Report>>,
    bans: Vec<Row<Ban>>,
    log: Vec<Row<LogEntry>>,
    /// Why the action just tried was refused.
    error: Option<String>,
}

impl ModerationPage {
    /// Where the report forms of this page post (it returns here).
    fn report_actions(&self) -> String {
        format!("/manage/c/{}/moderation/reports", self.c.name)
    }
}

/// An item with its time written in the visitor's language.
struct Row<T> {
    item: T,
    when: String,
}

/// Items with their times written in `lang` (in the default zone: the page lists several events').
fn rows<T>(
    lang: crate::web::Lang,
    items: Vec<T>,
    at: impl Fn(&T) -> chrono::DateTime<chrono::Utc>,
) -> Vec<Row<T>> {
    items
        .into_iter()
        .map(|item| Row {
            when: lang.datetime(&at(&item), crate::service::DEFAULT_TIMEZONE),
            item,
        })
        .collect()
}

async fn page(
    v: &Verkosto,
    p: Visitor,
    name: &str,
    error: Option<String>,
) -> Result<Response, PageError> {
    let account = p.require_account()?.clone();
    let c = v.community(name).await.map_err(|e| p.error(e))?;
    v.require_manager(&account, &c)
        .await
        .map_err(|e| p.error(e))?;
    let fail = |e| p.error(e);
    let rules = v.community_rules(c.id).await.map_err(fail)?;
    let held = v.held_comments(&account, name).await.map_err(fail)?;
    let reports = v
        .reports(&account)
        .await
        .map_err(fail)?
        .into_iter()
        .filter(|r| r.state == "open" && r.community.as_deref() == Some(name))
        .collect::<Vec<_>>();
    let bans = v.bans(&account, name).await.map_err(fail)?;
    let log = v.moderation_log(&account, name).await.map_err(fail)?;
    let lang = p.lang;
    let page = ModerationPage {
        held: rows(lang, held, |h| h.published_at),
        reports: rows(lang, reports, |r| r.created_at),
        bans: rows(lang, bans, |b| b.created_at),
        log: rows(lang, log.into_iter().take(100).collect(), |l| l.created_at),
        rules,
        error,
        c,
        p,
    };
    Ok(render(&page, &page.p))
}

pub(super) async fn moderation_page(
    State(v): State<Verkosto>,
    Path(name): Path<String>,
    p: Visitor,
) -> Result<Response, PageError> {
    page(&v, p, &name, None).await
}

/// Back to the page after an action, or the page with why it was refused.
async fn after(
    v: &Verkosto,
    p: Visitor,
    name: &str,
    result: crate::Result<()>,
) -> Result<Response, PageError> {
    let to = format!("/manage/c/{name}/moderation");
    super::back_or_why(p, &to, result, |p, why| page(v, p, name, Some(why))).await
}

#[derive(Deserialize)]
pub(super) struct RulesForm {
    csrf: String,
    #[serde(default)]
    rules: String,
    #[serde(default)]
    hold_first_comments: String,
}

pub(super) async fn save_rules(
    State(v): State<Verkosto>,
    Path(name): Path<String>,
    p: Visitor,
    Form(form): Form<RulesForm>,
) -> Result<Response, PageError> {
    p.check_csrf(&form.csrf)?;
    let account = p.require_account()?.clone();
    let update = RulesUpdate {
        rules: Some(form.rules),
        hold_first_comments: Some(form.hold_first_comments == "on"),
    };
    let result = v.set_community_rules(&account, &name, update).await;
    after(&v, p, &name, result.map(|_| ())).await
}

/// `approve` or `reject` a held reply.
pub(super) async fn decide_held(
    State(v): State<Verkosto>,
    Path((name, id, decision)): Path<(String, i64, String)>,
    p: Visitor,
    Form(form): Form<CsrfOnly>,
) -> Result<Response, PageError> {
    p.check_csrf(&form.csrf)?;
    let account = p.require_account()?.clone();
    let approve = decision_is(&p, &decision, "approve", "reject")?;
    let result = v.decide_held_comment(&account, &name, id, approve).await;
    after(&v, p, &name, result).await
}

/// `resolve` or `forward` a report.
pub(super) async fn act_on_report(
    State(v): State<Verkosto>,
    Path((name, id, action)): Path<(String, i64, String)>,
    p: Visitor,
    Form(form): Form<CsrfOnly>,
) -> Result<Response, PageError> {
    p.check_csrf(&form.csrf)?;
    let result = report_action(&v, &p, id, &action).await?;
    after(&v, p, &name, result).await
}

/// Resolves or forwards a report for the visitor: the outcome (a refusal is shown on the page).
async fn report_action(
    v: &Verkosto,
    p: &Visitor,
    id: i64,
    action: &str,
) -> Result<crate::Result<()>, PageError> {
    let account = p.require_account()?;
    Ok(if decision_is(p, action, "resolve", "forward")? {
        v.resolve_report(account, id).await
    } else {
        v.forward_report(account, id).await.map(|_| ())
    })
}

#[derive(Template)]
#[template(path = "reports_queue.html")]
struct ReportsPage {
    p: Visitor,
    reports: Vec<Row<Report>>,
    error: Option<String>,
}

/// Every open report the visitor may act on: their communities', and for administrators all,
/// reports of accounts too (`/manage/reports`).
async fn reports_queue(
    v: &Verkosto,
    p: Visitor,
    error: Option<String>,
) -> Result<Response, PageError> {
    let account = p.require_account()?;
    let open = v
        .reports(account)
        .await
        .map_err(|e| p.error(e))?
        .into_iter()
        .filter(|r| r.state == "open")
        .collect();
    let page = ReportsPage {
        reports: rows(p.lang, open, |r| r.created_at),
        error,
        p,
    };
    Ok(render(&page, &page.p))
}

pub(super) async fn reports_page(
    State(v): State<Verkosto>,
    p: Visitor,
) -> Result<Response, PageError> {
    reports_queue(&v, p, None).await
}

pub(super) async fn act_on_queued_report(
    State(v): State<Verkosto>,
    Path((id, action)): Path<(i64, String)>,
    p: Visitor,
    Form(form): Form<CsrfOnly>,
) -> Result<Response, PageError> {
    p.check_csrf(&form.csrf)?;
    let result = report_action(&v, &p, id, &action).await?;
    super::back_or_why(p, "/manage/reports", result, |p, why| {
        reports_queue(&v, p, Some(why))
    })
    .await
}

/// Whether `got` is `yes` (else `no`; anything else is no such page).
fn decision_is(p: &Visitor, got: &str, yes: &str, no: &str) -> Result<bool, PageError> {
    match got {
        g if g == yes => Ok(true),
        g if g == no => Ok(false),
        other => Err(p.error(
            crate::Refusal::NoSuchAction {
                action: other.chars().take(40).collect(),
            }
            .into(),
        )),
    }
}

#[derive(Deserialize)]
pub(super) struct BanForm {
    csrf: String,
    /// `name@host`, an actor's address, or a host.
    #[serde(default)]
    target: String,
    #[serde(default)]
    note: String,
}

impl BanForm {
    /// A handle or an actor's address names an account; anything else, an instance.
    fn request(&self) -> BanRequest {
        let target = self.target.trim().trim_start_matches('@').to_string();
        let note = Some(self.note.trim().to_string()).filter(|n| !n.is_empty());
        let (handle, domain) = if target.contains('@') || target.contains("://") {
            (Some(target), None)
        } else {
            (None, Some(target))
        };
        BanRequest {
            handle,
            domain,
            note,
        }
    }
}

pub(super) async fn ban(
    State(v): State<Verkosto>,
    Path(name): Path<String>,
    p: Visitor,
    Form(form): Form<BanForm>,
) -> Result<Response, PageError> {
    p.check_csrf(&form.csrf)?;
    let account = p.require_account()?.clone();
    let result = v.ban(&account, &name, form.request()).await;
    after(&v, p, &name, result.map(|_| ())).await
}

pub(super) async fn unban(
    State(v): State<Verkosto>,
    Path(name): Path<String>,
    p: Visitor,
    Form(form): Form<BanForm>,
) -> Result<Response, PageError> {
    p.check_csrf(&form.csrf)?;
    let account = p.require_account()?.clone();
    let result = v.unban(&account, &name, form.request()).await;
    after(&v, p, &name, result).await
}
