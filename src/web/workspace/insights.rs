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
pub(crate) struct FigureRow {
    pub(crate) label: String,
    pub(crate) now: String,
    pub(crate) before: String,
}

/// A day of the per-day table.
pub(crate) struct DayRow {
    pub(crate) day: String,
    pub(crate) gained: String,
    pub(crate) lost: String,
}

/// An event of the per-event table.
pub(crate) struct EventLine {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) when: String,
    pub(crate) accepted: String,
    pub(crate) attended: String,
    pub(crate) no_shows: String,
    pub(crate) rate: String,
}

/// What the insights page and a shared report show of one period.
pub(crate) struct InsightsView {
    pub(crate) figures: Vec<FigureRow>,
    pub(crate) days: Vec<DayRow>,
    pub(crate) instances: Vec<(String, String)>,
    pub(crate) events: Vec<EventLine>,
    pub(crate) followers_alt: String,
    pub(crate) events_alt: String,
    /// The charts' addresses.
    pub(crate) followers_chart: String,
    /// Feedback answers the managers picked to quote.
    pub(crate) quotes: Vec<String>,
    /// A network's members side by side: handle, events and participants (now, before).
    pub(crate) members: Option<Vec<[String; 5]>>,
    pub(crate) events_chart: String,
}

impl InsightsView {
    /// The view of `insights` in `lang`, its charts at `{charts}/followers.svg{query}` and
    /// `{charts}/events.svg{query}`.
    pub(crate) fn new(lang: Lang, insights: &Insights, charts: &str, query: &str) -> Self {
        let days = insights
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
        InsightsView {
            figures: figure_rows(lang, &insights.figures, &insights.previous),
            days,
            instances,
            events,
            followers_alt,
            events_alt: lang.t("insights-events-chart"),
            quotes: insights.figures.feedback.quotes.clone(),
            followers_chart: format!("{charts}/followers.svg{query}"),
            members: insights.members.as_ref().map(|members| {
                members
                    .iter()
                    .map(|m| {
                        [
                            m.handle.clone(),
                            lang.number(m.events),
                            lang.number(m.participants),
                            lang.number(m.previous_events),
                            lang.number(m.previous_participants),
                        ]
                    })
                    .collect()
            }),
            events_chart: format!("{charts}/events.svg{query}"),
        }
    }
}

#[derive(Template)]
#[template(path = "insights.html")]
struct InsightsPage {
    p: Visitor,
    c: Community,
    /// The period's first and last day, as the date fields show them.
    from: String,
    to: String,
    /// `from=…&to=…`, for the CSV links.
    query: String,
    v: InsightsView,
    /// The live shared links of this community's reports.
    links: Vec<LinkRow>,
    /// A link just made, shown this once.
    new_link: Option<String>,
}

/// A live report link, as its managers see it.
struct LinkRow {
    id: i64,
    period: String,
    made: String,
}

fn figure_rows(lang: Lang, now: &Figures, before: &Figures) -> Vec<FigureRow> {
    type Pick = fn(&Figures) -> i64;
    let counts: [(&str, Pick); 14] = [
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
        ("insights-inboxes", |f| f.reach.inboxes),
        ("insights-instances", |f| f.reach.instances),
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
    let average = |f: &Figures| {
        f.feedback
            .average_rating
            .map(|a| lang.decimal(a))
            .unwrap_or_else(|| lang.t("insights-none"))
    };
    rows.push(FigureRow {
        label: lang.t("insights-responses"),
        now: lang.number(now.feedback.responses),
        before: lang.number(before.feedback.responses),
    });
    rows.push(FigureRow {
        label: lang.t("insights-feedback"),
        now: average(now),
        before: average(before),
    });
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
    page(&v, p, &name, &form, None).await
}

async fn page(
    v: &Verkosto,
    p: Visitor,
    name: &str,
    form: &PeriodForm,
    new_link: Option<String>,
) -> Result<Response, PageError> {
    let (c, insights) = load(v, &p, name, form).await?;
    let lang = p.lang;
    let from = insights.from.date_naive().to_string();
    let to = last_day(&insights).to_string();
    let query = format!("from={from}&to={to}");
    let account = p.require_account()?;
    let links = v
        .report_links(account, name)
        .await
        .map_err(|e| p.error(e))?
        .into_iter()
        .map(|l| LinkRow {
            id: l.id,
            period: format!(
                "{} – {}",
                lang.date(&l.period_from, "UTC"),
                lang.date(&(l.period_to - Duration::nanoseconds(1)), "UTC")
            ),
            made: lang.datetime(&l.created_at, "UTC"),
        })
        .collect();
    let page = InsightsPage {
        v: InsightsView::new(
            lang,
            &insights,
            &format!("/manage/c/{}/insights", c.name),
            &format!("?{query}"),
        ),
        query,
        from,
        to,
        links,
        new_link,
        c,
        p,
    };
    Ok(render(&page, &page.p))
}

/// The share form: the period on the page.
#[derive(Deserialize)]
pub(super) struct ShareForm {
    csrf: String,
    #[serde(flatten)]
    period: PeriodForm,
}

/// Makes a secret link to the report of the period shown; the page shows it this once.
pub(super) async fn share_report(
    State(v): State<Verkosto>,
    Path(name): Path<String>,
    p: Visitor,
    Form(form): Form<ShareForm>,
) -> Result<Response, PageError> {
    p.check_csrf(&form.csrf)?;
    let account = p.require_account()?;
    let (from, to) = form.period.period(&p)?;
    let made = v
        .create_report_link(account, &name, from, to)
        .await
        .map_err(|e| p.error(e))?;
    page(&v, p, &name, &form.period, Some(made.url.to_string())).await
}

/// Revokes a report link.
pub(super) async fn revoke_report(
    State(v): State<Verkosto>,
    Path((name, id)): Path<(String, i64)>,
    p: Visitor,
    Form(form): Form<super::CsrfOnly>,
) -> Result<Response, PageError> {
    p.check_csrf(&form.csrf)?;
    let account = p.require_account()?;
    v.revoke_report_link(account, &name, id)
        .await
        .map_err(|e| p.error(e))?;
    Ok(Redirect::to(&format!("/manage/c/{name}/insights#reports")).into_response())
}

pub(crate) fn svg(body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml; charset=utf-8"),
            (header::CACHE_CONTROL, "private, no-store"),
        ],
        body,
    )
        .into_response()
}

/// A chart of the period (`followers.svg`, `events.svg`).
pub(super) async fn chart(
    State(v): State<Verkosto>,
    Path((name, file)): Path<(String, String)>,
    Query(form): Query<PeriodForm>,
    p: Visitor,
) -> Result<Response, PageError> {
    let (_, insights) = load(&v, &p, &name, &form).await?;
    let body = charts::by_file(p.lang, &insights, &file).map_err(|e| p.error(e))?;
    Ok(svg(body))
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
    let lines: [(&str, Pick); 23] = [
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
        ("inboxes_reached", |f| f.reach.inboxes.to_string()),
        ("instances_reached", |f| f.reach.instances.to_string()),
        ("likes", |f| f.reach.likes.to_string()),
        ("announcements_published", |f| {
            f.reach.announcements_published.to_string()
        }),
        ("feedback_responses", |f| f.feedback.responses.to_string()),
        ("feedback_average_rating", |f| {
            f.feedback
                .average_rating
                .map(|r| format!("{r:.4}"))
                .unwrap_or_default()
        }),
    ];
    let filename = format!(
        "insights-{}-{}-{}.csv",
        c.name,
        insights.from.date_naive(),
        last_day(&insights)
    );
    super::csv_response(&p, filename, |out| {
        out.write_record(["figure", "this_period", "previous_period"])?;
        for (key, pick) in lines {
            out.write_record([key.to_string(), pick(now), pick(before)])?;
        }
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
    super::csv_response(&p, filename, |out| {
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
