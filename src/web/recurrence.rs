//! Recurring events in people's words (issue 17): the rules the workspace offers ("every week on
//! the start's weekday", "every month on the nth weekday", "yearly on the nth weekday of the month")
//! made into RRULEs, and any rule we can say back in words ("joka maanantai klo 9.00").

use chrono::{Datelike, NaiveDate, NaiveDateTime, Weekday};
use rrule::{Frequency, NWeekday};

use super::i18n::{Lang, weekday_key};
use crate::model::{Recurrence, weekday_code};

/// The repeat choices of the event form, by their form value.
pub(crate) const CHOICES: &[&str] = &[
    "none",
    "daily",
    "weekly",
    "monthly_nth",
    "monthly_day",
    "yearly_nth",
];

/// Which of its weekday a date is in its month: 1 to 4, or -1 for the last (a fifth one, which not
/// every month has).
fn nth_of_month(day: NaiveDate) -> i16 {
    match (day.day() - 1) / 7 + 1 {
        5 => -1,
        n => n as i16,
    }
}

/// How a repeat ends, as the form gives it.
pub(crate) enum Ending {
    /// Runs on.
    Never,
    /// After this many occurrences.
    Count(u32),
    /// On this day (the last occurrence is on or before it), with the series' zone.
    Until(NaiveDate, chrono_tz::Tz),
}

/// The RRULE of a form choice for a series starting at `start` (local time); `None` for `none`.
pub(crate) fn rule_of_choice(choice: &str, start: NaiveDateTime, ending: Ending) -> Option<String> {
    let day = start.date();
    let weekday = weekday_code(day.weekday());
    let mut rule = match choice {
        "daily" => "FREQ=DAILY".to_string(),
        "weekly" => format!("FREQ=WEEKLY;BYDAY={weekday}"),
        "monthly_nth" => format!("FREQ=MONTHLY;BYDAY={}{weekday}", nth_of_month(day)),
        "monthly_day" => format!("FREQ=MONTHLY;BYMONTHDAY={}", day.day()),
        "yearly_nth" => format!(
            "FREQ=YEARLY;BYMONTH={};BYDAY={}{weekday}",
            day.month(),
            nth_of_month(day)
        ),
        _ => return None,
    };
    match ending {
        Ending::Never => {}
        Ending::Count(n) => rule.push_str(&format!(";COUNT={}", n.max(1))),
        Ending::Until(last, zone) => {
            // The end of that day where the series is, in UTC as RFC 5545 wants with a zoned start.
            let end = last.and_hms_opt(23, 59, 59).unwrap_or(start);
            let until = crate::model::resolve_local(zone, end);
            rule.push_str(&format!(";UNTIL={}", until.format("%Y%m%dT%H%M%SZ")));
        }
    }
    Some(rule)
}

/// "joka maanantai klo 9.00", "varje måndag kl. 9.00", "every Monday at 9.00": the rule in words,
/// with the time of `start` (local); the rule's text itself when it is beyond the common ones.
pub(crate) fn describe(lang: Lang, rule: &Recurrence, start: NaiveDateTime) -> String {
    let time = lang.t_args(
        "format-time",
        [
            ("hour", start.format("%-H").to_string()),
            ("hour2", start.format("%H").to_string()),
            ("minute", start.format("%M").to_string()),
        ],
    );
    let r = rule.rule();
    let day_name = |d: Weekday| lang.t(&format!("repeat-day-{}", weekday_key(d)));
    let nth = |n: i16| {
        lang.t(&format!(
            "repeat-nth-{}",
            if n < 0 {
                "last".to_string()
            } else {
                n.to_string()
            }
        ))
    };
    let days: Vec<&NWeekday> = r.get_by_weekday().iter().collect();
    let words = match (r.get_freq(), r.get_interval(), days.as_slice()) {
        (Frequency::Daily, 1, []) => {
            Some(lang.t_args("repeat-words-daily", [("time", time.clone())]))
        }
        (Frequency::Weekly, 1, list) if list.iter().all(|d| matches!(d, NWeekday::Every(_))) => {
            let names: Vec<String> = if list.is_empty() {
                vec![day_name(start.weekday())]
            } else {
                list.iter()
                    .filter_map(|d| match d {
                        NWeekday::Every(w) => Some(day_name(*w)),
                        NWeekday::Nth(..) => None,
                    })
                    .collect()
            };
            Some(lang.t_args(
                "repeat-words-weekly",
                [("days", join(lang, &names)), ("time", time.clone())],
            ))
        }
        (Frequency::Monthly, 1, [NWeekday::Nth(n, w)]) if r.get_by_month().is_empty() => {
            Some(lang.t_args(
                "repeat-words-monthly-nth",
                [
                    ("nth", nth(*n)),
                    ("day", day_name(*w)),
                    ("time", time.clone()),
                ],
            ))
        }
        (Frequency::Monthly, 1, []) if r.get_by_month_day().len() == 1 => Some(lang.t_args(
            "repeat-words-monthly-day",
            [
                ("date", r.get_by_month_day()[0].to_string()),
                ("time", time.clone()),
            ],
        )),
        (Frequency::Yearly, 1, [NWeekday::Nth(n, w)]) if r.get_by_month().len() == 1 => {
            Some(lang.t_args(
                "repeat-words-yearly-nth",
                [
                    ("nth", nth(*n)),
                    ("day", day_name(*w)),
                    (
                        "month",
                        lang.t(&format!("repeat-month-{}", r.get_by_month()[0])),
                    ),
                    ("time", time.clone()),
                ],
            ))
        }
        _ => None,
    };
    let mut words =
        words.unwrap_or_else(|| lang.t_with("repeat-words-other", "rule", &rule.text()));
    if let Some(count) = r.get_count() {
        words = lang.t_args(
            "repeat-words-count",
            [("rule", words), ("count", count.to_string())],
        );
    }
    words
}

/// "maanantai ja keskiviikko", "Monday and Wednesday".
fn join(lang: Lang, names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => lang.t_args(
            "repeat-and",
            [("first", rest.join(", ")), ("last", last.clone())],
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").expect("time")
    }

    #[test]
    fn the_form_choices_make_the_rules_calendars_know() {
        let cmad = at("2027-01-25T09:00");
        assert_eq!(
            rule_of_choice("yearly_nth", cmad, Ending::Never).as_deref(),
            Some("FREQ=YEARLY;BYMONTH=1;BYDAY=4MO")
        );
        assert_eq!(
            rule_of_choice("monthly_nth", at("2027-03-09T18:00"), Ending::Count(10)).as_deref(),
            Some("FREQ=MONTHLY;BYDAY=2TU;COUNT=10")
        );
        assert_eq!(
            rule_of_choice("monthly_nth", at("2027-03-30T18:00"), Ending::Never).as_deref(),
            Some("FREQ=MONTHLY;BYDAY=-1TU"),
            "a fifth Tuesday is the last one"
        );
        assert_eq!(
            rule_of_choice(
                "weekly",
                at("2027-03-15T09:00"),
                Ending::Until(
                    NaiveDate::from_ymd_opt(2027, 6, 7).expect("day"),
                    chrono_tz::Europe::Helsinki
                )
            )
            .as_deref(),
            Some("FREQ=WEEKLY;BYDAY=MO;UNTIL=20270607T205959Z")
        );
        assert_eq!(rule_of_choice("none", cmad, Ending::Never), None);
    }

    #[test]
    fn rules_are_said_in_three_languages() {
        let rule = |t: &str| Recurrence::parse(t).expect("rule");
        let nine = at("2027-01-25T09:00");
        assert_eq!(
            describe(Lang::Fi, &rule("FREQ=WEEKLY;BYDAY=MO"), nine),
            "joka maanantai klo 9.00"
        );
        assert_eq!(
            describe(Lang::Sv, &rule("FREQ=WEEKLY;BYDAY=MO"), nine),
            "varje måndag kl. 9.00"
        );
        assert_eq!(
            describe(Lang::En, &rule("FREQ=WEEKLY;BYDAY=MO"), nine),
            "every Monday at 09:00"
        );
        assert_eq!(
            describe(Lang::Fi, &rule("FREQ=YEARLY;BYMONTH=1;BYDAY=4MO"), nine),
            "joka vuosi tammikuun neljäs maanantai klo 9.00"
        );
        assert_eq!(
            describe(Lang::En, &rule("FREQ=YEARLY;BYMONTH=1;BYDAY=4MO"), nine),
            "every year on the fourth Monday of January at 09:00"
        );
        assert_eq!(
            describe(
                Lang::Sv,
                &rule("FREQ=MONTHLY;BYDAY=2TU;COUNT=10"),
                at("2027-03-09T18:00")
            ),
            "den andra tisdagen varje månad kl. 18.00, 10 gånger"
        );
        assert_eq!(
            describe(Lang::En, &rule("FREQ=WEEKLY;BYDAY=MO,WE"), nine),
            "every Monday and Wednesday at 09:00"
        );
    }
}
