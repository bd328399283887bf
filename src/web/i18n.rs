//! Languages of the web pages: Finnish, Swedish and English, every text from the Fluent files in
//! `locales/`, and dates, times and numbers written the way each language writes them.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::LazyLock;

use chrono::{DateTime, Datelike, Timelike, Utc, Weekday};
use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader};

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en",
        // Unicode isolation marks around every placeable would end up inside attribute values and
        // copied handles; our arguments are names, numbers and dates, never bidirectional text.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// A language the pages are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// Suomi.
    Fi,
    /// Svenska.
    Sv,
    /// English.
    En,
}

static IDS: LazyLock<[LanguageIdentifier; 3]> = LazyLock::new(|| {
    [Lang::Fi, Lang::Sv, Lang::En].map(|l| {
        l.code()
            .parse()
            .unwrap_or_else(|_| LanguageIdentifier::default())
    })
});

impl Lang {
    /// Every language, in the order the switcher shows them.
    pub const ALL: [Lang; 3] = [Lang::Fi, Lang::Sv, Lang::En];

    /// The BCP 47 code (`fi`, `sv`, `en`).
    pub fn code(self) -> &'static str {
        match self {
            Lang::Fi => "fi",
            Lang::Sv => "sv",
            Lang::En => "en",
        }
    }

    /// The language's name in itself, for the switcher.
    pub fn endonym(self) -> &'static str {
        match self {
            Lang::Fi => "Suomi",
            Lang::Sv => "Svenska",
            Lang::En => "English",
        }
    }

    /// The language with this code, if we have it.
    pub fn from_code(code: &str) -> Option<Lang> {
        Lang::ALL
            .into_iter()
            .find(|l| l.code().eq_ignore_ascii_case(code.trim()))
    }

    /// The best of our languages for an `Accept-Language` header (English when none matches).
    pub fn negotiate(accept_language: &str) -> Lang {
        let requested = fluent_langneg::accepted_languages::parse(accept_language);
        let available: &[LanguageIdentifier] = &IDS[..];
        let default = &IDS[2];
        fluent_langneg::negotiate_languages(
            &requested,
            available,
            Some(default),
            fluent_langneg::NegotiationStrategy::Lookup,
        )
        .first()
        .and_then(|id| Lang::from_code(id.language.as_str()))
        .unwrap_or(Lang::En)
    }

    fn id(self) -> &'static LanguageIdentifier {
        match self {
            Lang::Fi => &IDS[0],
            Lang::Sv => &IDS[1],
            Lang::En => &IDS[2],
        }
    }

    /// The text with this Fluent id.
    pub fn t(&self, key: &str) -> String {
        LOCALES.lookup(self.id(), key)
    }

    /// The text with this Fluent id and one string argument.
    pub fn t_with(&self, key: &str, name: &'static str, value: &str) -> String {
        self.lookup(key, [(name, FluentValue::from(value.to_string()))])
    }

    /// The text with this Fluent id and string arguments.
    pub fn t_args<const N: usize>(&self, key: &str, args: [(&'static str, String); N]) -> String {
        self.lookup(key, args.map(|(k, v)| (k, FluentValue::from(v))))
    }

    /// The text with this Fluent id and a `count` argument (for plurals), the number written
    /// the language's way.
    pub fn count(&self, key: &str, count: impl std::borrow::Borrow<i64>) -> String {
        let count = *count.borrow();
        self.lookup(
            key,
            [
                ("count", FluentValue::from(count)),
                ("shown", FluentValue::from(self.number(count))),
            ],
        )
    }

    /// A refusal in this language: the Fluent message `refusal-<code>` with the refusal's
    /// parameters as arguments.
    pub fn refusal(&self, refusal: &crate::error::Refusal) -> String {
        let args: HashMap<Cow<'static, str>, FluentValue> = refusal
            .params()
            .into_iter()
            .map(|(name, value)| {
                let value = match value {
                    crate::error::Param::Text(t) => FluentValue::from(t),
                    crate::error::Param::Number(n) => FluentValue::from(n),
                };
                (Cow::Borrowed(name), value)
            })
            .collect();
        LOCALES.lookup_with_args(self.id(), &format!("refusal-{}", refusal.code()), &args)
    }

    /// An error as a person reads it: a refusal in this language, anything else as it is.
    pub fn describe(&self, error: &crate::error::Error) -> String {
        match error {
            crate::error::Error::Refused(r)
            | crate::error::Error::InvalidField { reason: r, .. } => self.refusal(r),
            other => other.to_string(),
        }
    }

    fn lookup<const N: usize>(&self, key: &str, args: [(&'static str, FluentValue); N]) -> String {
        let args: HashMap<Cow<'static, str>, FluentValue> = args
            .into_iter()
            .map(|(k, v)| (Cow::Borrowed(k), v))
            .collect();
        LOCALES.lookup_with_args(self.id(), key, &args)
    }

    /// An integer with the language's digit grouping: `12 345` in Finnish and Swedish (no-break
    /// space), `12,345` in English.
    pub fn number(&self, n: impl std::borrow::Borrow<i64>) -> String {
        let n = *n.borrow();
        let separator = match self {
            Lang::Fi | Lang::Sv => '\u{a0}',
            Lang::En => ',',
        };
        let digits = n.unsigned_abs().to_string();
        let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
        if n < 0 {
            out.push('-');
        }
        for (i, d) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                out.push(separator);
            }
            out.push(d);
        }
        out
    }

    /// A share as a whole percentage: `67 %` in Finnish and Swedish (no-break space), `67%` in
    /// English.
    pub fn percent(&self, share: f64) -> String {
        let n = (share * 100.0).round() as i64;
        match self {
            Lang::Fi | Lang::Sv => format!("{}\u{a0}%", self.number(n)),
            Lang::En => format!("{}%", self.number(n)),
        }
    }

    /// A number with one decimal: `4,5` in Finnish and Swedish, `4.5` in English.
    pub fn decimal(&self, x: f64) -> String {
        let text = format!("{x:.1}");
        match self {
            Lang::Fi | Lang::Sv => text.replace('.', ","),
            Lang::En => text,
        }
    }

    /// A day of the month, short, for chart axes: `24.1.` in Finnish, `24/1` in Swedish, `24 Jan`
    /// in English.
    pub fn short_day(&self, day: chrono::NaiveDate) -> String {
        match self {
            Lang::Fi => format!("{}.{}.", day.day(), day.month()),
            Lang::Sv => format!("{}/{}", day.day(), day.month()),
            Lang::En => format!("{} {}", day.day(), day.format("%b")),
        }
    }

    fn date_args(
        &self,
        at: DateTime<Utc>,
        tz: &str,
    ) -> (
        chrono::NaiveDateTime,
        [(&'static str, FluentValue<'static>); 8],
    ) {
        let local = crate::model::zone_of(tz).naive_local(&at);
        let weekday = weekday_key(local.weekday());
        let s = |v: String| FluentValue::from(v);
        (
            local,
            [
                ("weekday", s(weekday.into())),
                ("day", s(local.day().to_string())),
                ("month", s(local.month().to_string())),
                ("monthname", s(format!("m{}", local.month()))),
                ("year", s(local.year().to_string())),
                ("hour", s(local.hour().to_string())),
                ("minute", s(format!("{:02}", local.minute()))),
                ("hour2", s(format!("{:02}", local.hour()))),
            ],
        )
    }

    /// A moment as this language writes it, in the given zone (an IANA name or a fixed offset, as
    /// `crate::model::EventZone` reads it): `ma 27.1.2027 klo 9.00`,
    /// `mån 27 jan. 2027 kl. 09.00`, `Mon 27 Jan 2027, 09:00`.
    pub fn datetime(&self, at: &DateTime<Utc>, tz: &str) -> String {
        let (_, args) = self.date_args(*at, tz);
        self.lookup("format-datetime", args)
    }

    /// A day as this language writes it: `ma 27.1.2027`.
    pub fn date(&self, at: &DateTime<Utc>, tz: &str) -> String {
        let (_, args) = self.date_args(*at, tz);
        self.lookup("format-date", args)
    }

    /// A time of day: `9.00` in Finnish and Swedish, `09:00` in English.
    pub fn time(&self, at: &DateTime<Utc>, tz: &str) -> String {
        let (_, args) = self.date_args(*at, tz);
        self.lookup("format-time", args)
    }

    /// When an event happens: one day with the end time only, or two full moments.
    pub fn span(&self, start: &DateTime<Utc>, end: &DateTime<Utc>, tz: &str) -> String {
        let (s, _) = self.date_args(*start, tz);
        let (e, _) = self.date_args(*end, tz);
        if s.date() == e.date() {
            format!("{}–{}", self.datetime(start, tz), self.time(end, tz))
        } else {
            format!("{} – {}", self.datetime(start, tz), self.datetime(end, tz))
        }
    }
}

/// A weekday as the Fluent messages name it (`mon` .. `sun`).
pub(crate) fn weekday_key(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "mon",
        Weekday::Tue => "tue",
        Weekday::Wed => "wed",
        Weekday::Thu => "thu",
        Weekday::Fri => "fri",
        Weekday::Sat => "sat",
        Weekday::Sun => "sun",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_written_the_way_each_language_writes_them() {
        let at: DateTime<Utc> = "2027-01-27T07:00:00Z".parse().expect("time");
        assert_eq!(
            Lang::Fi.datetime(&at, "Europe/Helsinki"),
            "ke 27.1.2027 klo 9.00"
        );
        assert_eq!(
            Lang::Sv.datetime(&at, "Europe/Helsinki"),
            "ons 27 jan. 2027 kl. 9.00"
        );
        assert_eq!(
            Lang::En.datetime(&at, "Europe/Helsinki"),
            "Wed 27 Jan 2027, 09:00"
        );
        let end: DateTime<Utc> = "2027-01-27T09:30:00Z".parse().expect("time");
        assert_eq!(
            Lang::Fi.span(&at, &end, "Europe/Helsinki"),
            "ke 27.1.2027 klo 9.00–11.30"
        );
    }

    #[test]
    fn numbers_and_plurals_follow_the_language() {
        assert_eq!(Lang::Fi.number(12345), "12\u{a0}345");
        assert_eq!(Lang::En.number(1234567), "1,234,567");
        assert_eq!(Lang::En.number(-999), "-999");
        assert_eq!(Lang::En.count("seats-left", 1), "1 seat left");
        assert_eq!(Lang::Fi.count("seats-left", 3), "3 paikkaa jäljellä");
    }

    #[test]
    fn accept_language_picks_the_best_available_language() {
        assert_eq!(Lang::negotiate("sv-FI,sv;q=0.9,en;q=0.5"), Lang::Sv);
        assert_eq!(Lang::negotiate("de-DE,fi;q=0.8,en;q=0.7"), Lang::Fi);
        assert_eq!(Lang::negotiate("de-DE"), Lang::En);
        assert_eq!(Lang::negotiate(""), Lang::En);
    }

    /// A refusal is written in each language with its parameters.
    #[test]
    fn refusals_are_translated_with_their_parameters() {
        use crate::error::Refusal;
        let taken = Refusal::NameTaken {
            name: "kahvila".into(),
        };
        assert_eq!(
            Lang::Fi.refusal(&taken),
            "Nimi ”kahvila” on jo käytössä tällä palvelimella."
        );
        assert_eq!(
            Lang::Sv.refusal(&taken),
            "Namnet ”kahvila” är redan upptaget på den här servern."
        );
        assert_eq!(
            Lang::Fi.refusal(&Refusal::TooLong { max: 200 }),
            "Enintään 200 merkkiä."
        );
        assert_eq!(
            Lang::En.describe(&crate::Error::invalid("title", Refusal::Required)),
            "This is required."
        );
    }

    /// Every message exists in every language: a missing translation would show its id on a page.
    #[test]
    fn every_language_has_every_message() {
        let ids = |code: &str| -> std::collections::BTreeSet<String> {
            let path = format!("{}/locales/{code}/main.ftl", env!("CARGO_MANIFEST_DIR"));
            std::fs::read_to_string(&path)
                .expect("locale file")
                .lines()
                .filter_map(|l| {
                    let (id, _) = l.split_once('=')?;
                    let id = id.trim_end();
                    (!l.starts_with([' ', '#', '.', '*', '[', '}'])
                        && !id.is_empty()
                        && id
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'))
                    .then(|| id.to_string())
                })
                .collect()
        };
        let en = ids("en");
        assert!(en.len() > 50, "the English file has {} messages", en.len());
        for code in ["fi", "sv"] {
            let other = ids(code);
            let missing: Vec<_> = en.difference(&other).collect();
            let extra: Vec<_> = other.difference(&en).collect();
            assert!(
                missing.is_empty() && extra.is_empty(),
                "{code}: missing {missing:?}, unknown {extra:?}"
            );
        }
    }
}
