//! A community's or network's calendar as pages: the embeddable list of events to come and the
//! month view.

use askama::Template;
use axum::{
    extract::{Path, Query, State},
    http::{HeaderValue, header},
    response::Response,
};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::Deserialize;

use super::{EventItem, items};
use crate::error::{Error, Refusal};
use crate::model::Community;
use crate::service::Verkosto;
use crate::web::{Lang, PageError, Visitor, render, render_bare};

#[derive(Template)]
#[template(path = "embed.html")]
struct EmbedPage {
    lang: Lang,
    c: Community,
    events: Vec<EventItem>,
    base: String,
}

/// A community's or network's upcoming events for another site's `<iframe>`.
pub(in crate::web) async fn embed(
    State(v): State<Verkosto>,
    Path(name): Path<String>,
    p: Visitor,
) -> Result<Response, PageError> {
    // Framed by other sites and cached by them: public communities and their public events only.
    let community = v
        .community_for(&name, &crate::service::Reader::Anonymous)
        .await
        .map_err(|e| p.error(e))?;
    let mut events = v
        .community_events(&community, &crate::service::Reader::Anonymous, None, None)
        .await
        .map_err(|e| p.error(e))?;
    events.truncate(50);
    let page = EmbedPage {
        lang: p.lang,
        events: items(p.lang, events),
        base: v.state().url("/").to_string(),
        c: community,
    };
    let mut response = render_bare(&page);
    // Made to be framed by any site; it carries no form and no personal data.
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("frame-ancestors *"),
    );
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    Ok(response)
}

#[derive(Deserialize)]
pub(in crate::web) struct MonthQuery {
    month: Option<String>,
}

/// One day cell of the month view.
struct Day {
    /// Day of the month; 0 for padding cells outside the month.
    pub number: u32,
    /// Whether this is today.
    pub today: bool,
    /// Events that start on this day.
    pub events: Vec<EventItem>,
}

#[derive(Template)]
#[template(path = "calendar.html")]
struct CalendarPage {
    p: Visitor,
    c: Community,
    title: String,
    weeks: Vec<Vec<Day>>,
    weekdays: Vec<String>,
    previous: String,
    next: String,
}

/// A month view of a community's or network's calendar (`?month=2027-01`).
pub(in crate::web) async fn calendar(
    State(v): State<Verkosto>,
    Path(name): Path<String>,
    Query(q): Query<MonthQuery>,
    p: Visitor,
) -> Result<Response, PageError> {
    let fail = |e: Error| p.error(e);
    let reader = p.reader();
    let community = v.community_for(&name, &reader).await.map_err(fail)?;
    let tz: chrono_tz::Tz = crate::service::DEFAULT_TIMEZONE
        .parse()
        .unwrap_or(chrono_tz::UTC);
    let today = Utc::now().with_timezone(&tz).date_naive();
    let first = match q.month.as_deref().filter(|m| !m.is_empty()) {
        // Years outside 1-9999 are refused too: chrono reads five-digit and signed years, which
        // nobody means and which the database's timestamps need not hold.
        Some(m) => NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d")
            .ok()
            .filter(|d| (1..=9999).contains(&d.year()))
            .ok_or_else(|| fail(Error::invalid("month", Refusal::NotAMonth)))?,
        None => today.with_day(1).unwrap_or(today),
    };
    let next_first = first
        .checked_add_months(chrono::Months::new(1))
        .ok_or_else(|| fail(Error::invalid("month", Refusal::OutOfRange)))?;
    let previous_first = first
        .checked_sub_months(chrono::Months::new(1))
        .ok_or_else(|| fail(Error::invalid("month", Refusal::OutOfRange)))?;
    let utc = |d: NaiveDate| -> DateTime<Utc> {
        d.and_hms_opt(0, 0, 0)
            .and_then(|t| t.and_local_timezone(tz).earliest())
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(Utc::now)
    };
    let events = v
        .community_events(&community, &reader, Some(utc(first)), Some(utc(next_first)))
        .await
        .map_err(fail)?;
    let days_in_month = (next_first - first).num_days() as u32;
    let mut days: Vec<Day> = (0..first.weekday().num_days_from_monday())
        .map(|_| Day {
            number: 0,
            today: false,
            events: Vec::new(),
        })
        .collect();
    for n in 1..=days_in_month {
        let date = first.with_day(n).unwrap_or(first);
        days.push(Day {
            number: n,
            today: date == today,
            events: Vec::new(),
        });
    }
    let offset = first.weekday().num_days_from_monday() as usize;
    for event in events {
        let start = event.starts_at.with_timezone(&tz).date_naive();
        if start >= first && start < next_first {
            let index = offset + start.day0() as usize;
            if let Some(day) = days.get_mut(index) {
                day.events.push(EventItem::new(p.lang, event));
            }
        }
    }
    while !days.len().is_multiple_of(7) {
        days.push(Day {
            number: 0,
            today: false,
            events: Vec::new(),
        });
    }
    let mut weeks = Vec::new();
    let mut rest = days.into_iter().peekable();
    while rest.peek().is_some() {
        weeks.push(rest.by_ref().take(7).collect());
    }
    let page = CalendarPage {
        title: p.lang.t_with(
            "calendar-month",
            "month",
            &p.lang.t(&format!("month-{}", first.month())),
        ) + &format!(" {}", first.year()),
        weekdays: ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
            .iter()
            .map(|d| p.lang.t(&format!("weekday-{d}")))
            .collect(),
        previous: previous_first.format("%Y-%m").to_string(),
        next: next_first.format("%Y-%m").to_string(),
        weeks,
        c: community,
        p,
    };
    Ok(render(&page, &page.p))
}
