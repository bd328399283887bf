//! A community's insights in the workspace (issue 16): the period's figures beside the previous
//! period's, charts drawn on the server with their numbers as tables, CSV for a spreadsheet, and the
//! check-in at the door on the participant list.

use askama::Template;
use axum::{
    Form,
    extract::{Path, Query, State},
    http::header,
    response::{IntoResponse, Redirect, Response},
};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Deserialize;

use crate::error::{Error, Refusal};
use crate::model::Community;
use crate::service::{Day, EventRow, Figures, Insights, Verkosto};
use crate::web::i18n::Lang;
use crate::web::{PageError, Visitor, charts, render, spreadsheet_text};

/// A period's ends as the service takes them (`None`: its default).
type Period = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);

/// The period as the form gives it: whole days, both included.
#[derive(Deserialize, Default)]
pub(super) struct PeriodForm {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

impl PeriodForm {
    /// `[from, to)` in UTC, or `None`s for the default period. A day that is not one is refused in
    /// the visitor's language.
    fn period(&self, p: &Visitor) -> Result<Period, PageError> {
        let day = |field: &'static str, raw: &str, next: bool| -> Result<_, PageError> {
            let raw = raw.trim();
            if raw.is_empty() {
                return Ok(None);
            }
            let date = NaiveDate::parse_from_str(raw, "%Y-%m-%d")
                .map_err(|_| p.error(Error::invalid(field, Refusal::NotADate)))?;
            let date = if next { date.succ_opt() } else { Some(date) };
            Ok(date
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|t| t.and_utc()))
        };
        Ok((day("from", &self.from, false)?, day("to", &self.to, true)?))
    }
}

/// One line of the figures table.
struct FigureRow {
    label: String,
    now: String,
    before: String,
}

/// A day of the per-day table.
struct DayRow {
    day: String,
    gained: String,
    lost: String,
}

/// An event of the per-event table.
struct EventLine {
    id: String,
    title: String,
    when: String,
    accepted: String,
    attended: String,
    no_shows: String,
    rate: String,
}

#[derive(Template)]
#[template(path = "insights.html")]
struct InsightsPage {
    p: Visitor,
    c: Community,
    /// The period's first and last day, as the date fields show them.
    from: String,
    to: String,
    /// `from=…&to=…`, for the charts and the CSV links.
    query: String,
    figures: Vec<FigureRow>,
    days: Vec<DayRow>,
    instances: Vec<(String, String)>,
    events: Vec<EventLine>,
    followers_alt: String,
    events_alt: String,
}

fn figure_rows(lang: Lang, now: &Figures, before: &Figures) -> Vec<FigureRow> {
    type Pick = fn(&Figures) -> i64;
    let counts: [(&str, Pick); 12] = [
        ("insights-followers-total", |f| f.followers.total),
        ("insights-followers-new", |f| f.followers.new),
        ("insights-followers-lost", |f| f.followers.lost),
        ("insights-events-held", |f| f.events.held),
        ("insights-accepted", |f| f.events.participations.accepted),
        ("insights-attended", |f| f.events.attended),
        ("insights-no-shows", |f| f.events.no_shows),
        ("insights-first-time", |f| f.events.first_time),
        ("insights-returning", |f| f.events.returning),
        ("insights-replies", |f| f.reach.replies),
        ("insights-boosts", |f| f.reach.boosts),
        ("insights-likes", |f| f.reach.likes),
    ];
    let mut rows: Vec<FigureRow> = counts
        .iter()
        .map(|(key, pick)| FigureRow {
            label: lang.t(key),
            now: lang.number(pick(now)),
            before: lang.number(pick(before)),
        })
        .collect();
    let rate = |f: &Figures| {
        f.events
            .attendance_rate
            .map(|r| lang.percent(r))
            .unwrap_or_else(|| lang.t("insights-none"))
    };
    rows.insert(
        7,
        FigureRow {
            label: lang.t("insights-attendance-rate"),
            now: rate(now),
            before: rate(before),
        },
    );
    rows.push(FigureRow {
        label: lang.t("insights-announcements"),
        now: lang.number(now.reach.announcements_published),
        before: lang.number(before.reach.announcements_published),
    });
    rows
}

/// The insights of `name` for the form's period, for its managers.
async fn load(
    v: &Verkosto,
    p: &Visitor,
    name: &str,
    form: &PeriodForm,
) -> Result<(Community, Insights), PageError> {
    let account = p.require_account()?;
    let (from, to) = form.period(p)?;
    let insights = v
        .insights(account, name, from, to)
        .await
        .map_err(|e| p.error(e))?;
    let community = v.community(name).await.map_err(|e| p.error(e))?;
    Ok((community, insights))
}

/// The last day of `[from, to)`.
fn last_day(insights: &Insights) -> NaiveDate {
    (insights.to - Duration::nanoseconds(1)).date_naive()
}

pub(super) async fn insights_page(
    State(v): State<Verkosto>,
    Path(name): Path<String>,
    Query(form): Query<PeriodForm>,
    p: Visitor,
) -> Result<Response, PageError> {
    let (c, insights) = load(&v, &p, &name, &form).await?;
    let lang = p.lang;
    let from = insights.from.date_naive().to_string();
    let to = last_day(&insights).to_string();
    let days: Vec<DayRow> = insights
        .series
        .per_day
        .iter()
        .map(|d: &Day| DayRow {
            day: lang.short_day(d.date),
            gained: lang.number(d.followers_gained),
            lost: lang.number(d.followers_lost),
        })
        .collect();
    let events = insights
        .series
        .per_event
        .iter()
        .map(|e: &EventRow| EventLine {
            id: e.id.clone(),
            title: e.title.clone(),
            when: lang.date(&e.starts_at, "UTC"),
            accepted: lang.number(e.accepted),
            attended: lang.number(e.attended),
            no_shows: lang.number(e.no_shows),
            rate: e
                .attendance_rate
                .map(|r| lang.percent(r))
                .unwrap_or_else(|| lang.t("insights-none")),
        })
        .collect();
    let instances = insights
        .figures
        .followers
        .by_instance
        .iter()
        .map(|(host, n)| (host.clone(), lang.number(n)))
        .collect();
    let followers_alt = format!(
        "{}: {} {}, {} {}",
        lang.t("insights-followers-chart"),
        lang.number(insights.figures.followers.new),
        lang.t("insights-gained"),
        lang.number(insights.figures.followers.lost),
        lang.t("insights-lost")
    );
    let page = InsightsPage {
        figures: figure_rows(lang, &insights.figures, &insights.previous),
        query: format!("from={from}&to={to}"),
        from,
        to,
        days,
        instances,
        events,
        followers_alt,
        events_alt: lang.t("insights-events-chart"),
        c,
        p,
    };
    Ok(render(&page, &page.p))
}

fn svg(body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml; charset=utf-8"),
            (header::CACHE_CONTROL, "private, no-store"),
        ],
        body,
    )
        .into_response()
}

pub(super) async fn followers_chart(
    State(v): State<Verkosto>,
    Path(name): Path<String>,
    Query(form): Query<PeriodForm>,
    p: Visitor,
) -> Result<Response, PageError> {
    let (_, insights) = load(&v, &p, &name, &form).await?;
    let body =
        charts::followers_per_day(p.lang, &insights.series.per_day).map_err(|e| p.error(e))?;
    Ok(svg(body))
}

pub(super) async fn events_chart(
    State(v): State<Verkosto>,
    Path(name): Path<String>,
    Query(form): Query<PeriodForm>,
    p: Visitor,
) -> Result<Response, PageError> {
    let (_, insights) = load(&v, &p, &name, &form).await?;
    let body = charts::participants_per_event(p.lang, &insights.series.per_event)
        .map_err(|e| p.error(e))?;
    Ok(svg(body))
}

fn csv_response(
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
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        body,
    )
        .into_response())
}

/// The figures as CSV: one line per figure, this period and the previous one (machine names, so
/// that a spreadsheet made from one export reads the next).
pub(super) async fn insights_csv(
    State(v): State<Verkosto>,
    Path(name): Path<String>,
    Query(form): Query<PeriodForm>,
    p: Visitor,
) -> Result<Response, PageError> {
    let (c, insights) = load(&v, &p, &name, &form).await?;
    let (now, before) = (&insights.figures, &insights.previous);
    type Pick = fn(&Figures) -> String;
    let n = |x: i64| x.to_string();
    let lines: [(&str, Pick); 17] = [
        ("followers_total", |f| f.followers.total.to_string()),
        ("followers_new", |f| f.followers.new.to_string()),
        ("followers_lost", |f| f.followers.lost.to_string()),
        ("followers_local", |f| f.followers.local.to_string()),
        ("followers_remote", |f| f.followers.remote.to_string()),
        ("events_held", |f| f.events.held.to_string()),
        ("events_cancelled", |f| f.events.cancelled.to_string()),
        ("participations_requested", |f| {
            f.events.participations.requested.to_string()
        }),
        ("participations_accepted", |f| {
            f.events.participations.accepted.to_string()
        }),
        ("participations_cancelled", |f| {
            f.events.participations.cancelled.to_string()
        }),
        ("attended", |f| f.events.attended.to_string()),
        ("no_shows", |f| f.events.no_shows.to_string()),
        ("attendance_rate", |f| {
            f.events
                .attendance_rate
                .map(|r| format!("{r:.4}"))
                .unwrap_or_default()
        }),
        ("first_time", |f| f.events.first_time.to_string()),
        ("returning", |f| f.events.returning.to_string()),
        ("replies", |f| f.reach.replies.to_string()),
        ("boosts", |f| f.reach.boosts.to_string()),
    ];
    let likes = (n(now.reach.likes), n(before.reach.likes));
    let published = (
        n(now.reach.announcements_published),
        n(before.reach.announcements_published),
    );
    let filename = format!(
        "insights-{}-{}-{}.csv",
        c.name,
        insights.from.date_naive(),
        last_day(&insights)
    );
    csv_response(&p, filename, |out| {
        out.write_record(["figure", "this_period", "previous_period"])?;
        for (key, pick) in lines {
            out.write_record([key.to_string(), pick(now), pick(before)])?;
        }
        out.write_record(["likes", &likes.0, &likes.1])?;
        out.write_record(["announcements_published", &published.0, &published.1])?;
        Ok(())
    })
}

/// The period's events as CSV: one line per event with its participants and attendance.
pub(super) async fn events_csv(
    State(v): State<Verkosto>,
    Path(name): Path<String>,
    Query(form): Query<PeriodForm>,
    p: Visitor,
) -> Result<Response, PageError> {
    let (c, insights) = load(&v, &p, &name, &form).await?;
    let filename = format!(
        "insights-events-{}-{}-{}.csv",
        c.name,
        insights.from.date_naive(),
        last_day(&insights)
    );
    csv_response(&p, filename, |out| {
        out.write_record([
            "event",
            "title",
            "starts_at",
            "cancelled",
            "accepted",
            "waitlisted",
            "attended",
            "no_shows",
            "attendance_rate",
        ])?;
        for e in &insights.series.per_event {
            out.write_record([
                e.id.clone(),
                // Titles are typed by people: written as text a spreadsheet will not run.
                spreadsheet_text(&e.title),
                e.starts_at.to_rfc3339(),
                e.cancelled.to_string(),
                e.accepted.to_string(),
                e.waitlisted.to_string(),
                e.attended.to_string(),
                e.no_shows.to_string(),
                e.attendance_rate
                    .map(|r| format!("{r:.4}"))
                    .unwrap_or_default(),
            ])?;
        }
        Ok(())
    })
}

/// The check-in form on the participant list.
#[derive(Deserialize)]
pub(super) struct CheckInForm {
    csrf: String,
    /// `yes` to check in, `no` to take it back.
    attended: String,
}

pub(super) async fn check_in(
    State(v): State<Verkosto>,
    Path((id, pid)): Path<(String, i64)>,
    p: Visitor,
    Form(form): Form<CheckInForm>,
) -> Result<Response, PageError> {
    p.check_csrf(&form.csrf)?;
    let account = p.require_account()?;
    v.mark_attended(account, &id, pid, form.attended == "yes")
        .await
        .map_err(|e| p.error(e))?;
    Ok(Redirect::to(&format!("/manage/events/{id}/participants#p{pid}")).into_response())
}
