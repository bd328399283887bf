//! A shared insights report (issue 16), behind its secret link `/r/{token}`: one community's figures,
//! charts and events for one period, printable, for whoever the manager gave the link to. The link is
//! the only key: nothing here needs an account, nothing is cached or indexed, and the address is not
//! passed on as a referrer.

use askama::Template;
use axum::{
    Router,
    extract::{Path, State},
    http::{HeaderValue, header},
    response::Response,
    routing::get,
};
use chrono::Duration;

use super::workspace::InsightsView;
use super::{PageError, Visitor, charts, render};
use crate::model::Community;
use crate::service::Verkosto;

pub(super) fn routes() -> Router<Verkosto> {
    Router::new()
        .route("/r/{token}", get(report))
        .route("/r/{token}/{chart}", get(chart))
}

#[derive(Template)]
#[template(path = "report.html")]
struct ReportPage {
    p: Visitor,
    c: Community,
    /// The period, written out.
    period: String,
    v: InsightsView,
}

/// Nothing of a report is kept by a cache, a search engine or the next site's logs.
fn private(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    headers.insert(
        "x-robots-tag",
        HeaderValue::from_static("noindex, nofollow"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

async fn report(
    State(v): State<Verkosto>,
    Path(token): Path<String>,
    p: Visitor,
) -> Result<Response, PageError> {
    let (c, insights) = v.shared_report(&token).await.map_err(|e| p.error(e))?;
    let lang = p.lang;
    let period = format!(
        "{} – {}",
        lang.date(&insights.from, "UTC"),
        lang.date(&(insights.to - Duration::nanoseconds(1)), "UTC")
    );
    let page = ReportPage {
        v: InsightsView::new(lang, &insights, &format!("/r/{token}"), ""),
        period,
        c,
        p,
    };
    Ok(private(render(&page, &page.p)))
}

/// A chart of the report (`followers.svg`, `events.svg`).
async fn chart(
    State(v): State<Verkosto>,
    Path((token, file)): Path<(String, String)>,
    p: Visitor,
) -> Result<Response, PageError> {
    let (_, insights) = v.shared_report(&token).await.map_err(|e| p.error(e))?;
    let body = charts::by_file(p.lang, &insights, &file).map_err(|e| p.error(e))?;
    Ok(private(super::workspace::svg(body)))
}
