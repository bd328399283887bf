//! The insights charts (issue 16), drawn on the server as SVG by `charts-rs`: no JavaScript, served
//! as images (an SVG image keeps its own styles out of the page's Content-Security-Policy) with a
//! `<title>` and `<desc>` of their own, and always shown beside a table of the same numbers.

use charts_rs::{BarChart, LineChart, Series};

use super::i18n::Lang;
use crate::error::{Error, Result};
use crate::service::{Day, EventRow};

/// Sans-serif wherever the embedded Roboto (used to measure text) is missing.
const FONTS: &str = "Roboto, system-ui, -apple-system, 'Segoe UI', Arial, sans-serif";
const WIDTH: f32 = 720.0;
const HEIGHT: f32 = 320.0;

/// The chart a file name asks for (`followers.svg` or `events.svg`) of `insights`.
pub(crate) fn by_file(
    lang: Lang,
    insights: &crate::service::Insights,
    file: &str,
) -> Result<String> {
    match file {
        "followers.svg" => followers_per_day(lang, &insights.series.per_day),
        "events.svg" => participants_per_event(lang, &insights.series.per_event),
        other => Err(Error::NotFound(format!("no chart {other}"))),
    }
}

/// Followers gained and lost per day.
pub(crate) fn followers_per_day(lang: Lang, days: &[Day]) -> Result<String> {
    let labels = days.iter().map(|d| lang.short_day(d.date)).collect();
    let gained = days.iter().map(|d| d.followers_gained as f32).collect();
    let lost = days.iter().map(|d| d.followers_lost as f32).collect();
    let mut chart = LineChart::new(
        vec![
            Series::new(lang.t("insights-gained"), gained),
            Series::new(lang.t("insights-lost"), lost),
        ],
        labels,
    );
    let title = lang.t("insights-followers-chart");
    dress(&mut chart.base, &title);
    let most = days
        .iter()
        .map(|d| d.followers_gained.max(d.followers_lost))
        .max();
    counts_axis(&mut chart.y_axis_configs, most.unwrap_or(0));
    let total = |f: fn(&Day) -> i64| days.iter().map(f).sum::<i64>();
    let desc = format!(
        "{}: {}, {}: {}",
        lang.t("insights-gained"),
        lang.number(total(|d| d.followers_gained)),
        lang.t("insights-lost"),
        lang.number(total(|d| d.followers_lost))
    );
    accessible(chart.svg(), &title, &desc)
}

/// Participants with a seat, and those checked in, per event.
pub(crate) fn participants_per_event(lang: Lang, events: &[EventRow]) -> Result<String> {
    let labels = events.iter().map(|e| short_title(&e.title)).collect();
    let accepted = events.iter().map(|e| e.accepted as f32).collect();
    let attended = events.iter().map(|e| e.attended as f32).collect();
    let mut chart = BarChart::new(
        vec![
            Series::new(lang.t("insights-accepted"), accepted),
            Series::new(lang.t("insights-attended"), attended),
        ],
        labels,
    );
    let title = lang.t("insights-events-chart");
    dress(&mut chart.base, &title);
    counts_axis(
        &mut chart.y_axis_configs,
        events.iter().map(|e| e.accepted).max().unwrap_or(0),
    );
    let desc = events
        .iter()
        .map(|e| {
            format!(
                "{}: {} {}, {} {}",
                e.title,
                lang.number(e.accepted),
                lang.t("insights-accepted"),
                lang.number(e.attended),
                lang.t("insights-attended")
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    accessible(chart.svg(), &title, &desc)
}

fn dress(base: &mut charts_rs::ChartBase, title: &str) {
    base.width = WIDTH;
    base.height = HEIGHT;
    base.font_family = FONTS.to_string();
    base.title.text = title.to_string();
}

/// A y axis of whole numbers from 0 (people are not counted in halves): at most five steps of a
/// whole size, up to at least `most`.
fn counts_axis(axes: &mut [charts_rs::YAxisConfig], most: i64) {
    let step = (most.max(1) + 4) / 5;
    let steps = (most.max(1) + step - 1) / step;
    if let Some(axis) = axes.first_mut() {
        axis.min = Some(0.0);
        axis.max = Some((step * steps) as f32);
        axis.split_number = steps as usize;
    }
}

/// Axis labels stay short; the table beside the chart has the whole title.
fn short_title(title: &str) -> String {
    const MAX: usize = 18;
    if title.chars().count() <= MAX {
        title.to_string()
    } else {
        format!("{}…", title.chars().take(MAX - 1).collect::<String>())
    }
}

/// Gives the chart its accessible name and description: `role="img"`, and `<title>`/`<desc>` (escaped)
/// right after the opening tag, which `charts-rs` does not write.
fn accessible(
    svg: Result<String, impl std::fmt::Display>,
    title: &str,
    desc: &str,
) -> Result<String> {
    let svg = svg.map_err(|e| Error::Internal(format!("chart: {e}")))?;
    let Some(open_end) = svg.find('>').filter(|_| svg.starts_with("<svg")) else {
        return Err(Error::Internal("chart: not an SVG document".into()));
    };
    let escape = crate::sanitize::escape_text;
    Ok(format!(
        "{} role=\"img\" aria-labelledby=\"chart-title chart-desc\">\
         <title id=\"chart-title\">{}</title><desc id=\"chart-desc\">{}</desc>{}",
        &svg[..open_end],
        escape(title),
        escape(desc),
        &svg[open_end + 1..]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_carry_an_escaped_title_and_description() {
        let day = |d: u32, gained| Day {
            date: chrono::NaiveDate::from_ymd_opt(2027, 1, d).expect("date"),
            followers_gained: gained,
            followers_lost: 0,
            participations: 0,
        };
        let svg = followers_per_day(Lang::Fi, &[day(24, 3), day(25, 1)]).expect("svg");
        assert!(svg.starts_with("<svg"), "{svg}");
        assert!(svg.contains("role=\"img\""));
        assert!(svg.contains("<title id=\"chart-title\">Seuraajat päivittäin</title>"));
        assert!(svg.contains("<desc id=\"chart-desc\">Tulleet: 4, Lähteneet: 0</desc>"));
        assert!(svg.contains("24.1."), "day labels in Finnish");
        let event = EventRow {
            id: "x".into(),
            title: "<script>alert(1)</script> & more".into(),
            starts_at: chrono::Utc::now(),
            cancelled: false,
            accepted: 3,
            waitlisted: 0,
            attended: 2,
            no_shows: 1,
            attendance_rate: Some(2.0 / 3.0),
        };
        let svg = participants_per_event(Lang::En, &[event]).expect("svg");
        assert!(!svg.contains("<script>"), "titles are escaped: {svg}");
        assert!(svg.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; more: 3 Participants"));
    }
}
