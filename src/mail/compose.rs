//! Writing notices: subject, plain text and HTML in the recipient's language, from the Fluent
//! messages `mail-*` in `locales/`.

use askama::Template;
use url::Url;

use crate::model::Event;
use crate::web::i18n::Lang;

/// A notice before it is written out: who it greets, what it says, the one thing to do.
#[derive(Debug, Clone)]
pub(crate) struct Letter {
    /// The subject line.
    pub subject: String,
    /// The name it greets, if known.
    pub name: Option<String>,
    /// Its paragraphs.
    pub paragraphs: Vec<String>,
    /// A button: its label and address.
    pub action: Option<(String, Url)>,
}

#[derive(Template)]
#[template(path = "mail.html")]
struct Html<'a> {
    lang: &'static str,
    subject: &'a str,
    greeting: String,
    paragraphs: &'a [String],
    action: Option<(&'a str, &'a str)>,
    footer: String,
    unsubscribe: Option<&'a str>,
    unsubscribe_label: String,
}

/// The letter as (plain text, HTML). `unsubscribe` is the one-click address of its kind, for
/// notices that can be turned off.
pub(crate) fn write(
    lang: Lang,
    letter: &Letter,
    instance: &str,
    unsubscribe: Option<&Url>,
) -> (String, String) {
    let greeting = match &letter.name {
        Some(name) => lang.t_with("mail-greeting", "name", name),
        None => lang.t("mail-greeting-anonymous"),
    };
    let footer = lang.t_with("mail-footer", "instance", instance);
    let unsubscribe_label = lang.t("mail-unsubscribe");
    let mut text = format!("{greeting}\n\n");
    for p in &letter.paragraphs {
        text.push_str(p);
        text.push_str("\n\n");
    }
    if let Some((label, url)) = &letter.action {
        text.push_str(&format!("{label}:\n{url}\n\n"));
    }
    text.push_str(&format!("-- \n{footer}\n"));
    if let Some(u) = unsubscribe {
        text.push_str(&format!("{unsubscribe_label}: {u}\n"));
    }
    let html = Html {
        lang: lang.code(),
        subject: &letter.subject,
        greeting,
        paragraphs: &letter.paragraphs,
        action: letter
            .action
            .as_ref()
            .map(|(label, url)| (label.as_str(), url.as_str())),
        footer,
        unsubscribe: unsubscribe.map(Url::as_str),
        unsubscribe_label,
    }
    .render()
    // The template has no fallible parts; should that change, the plain text still goes out.
    .unwrap_or_default();
    (text, html)
}

/// When and where an event is, in one line: "ma 26.1.2027 klo 9.00–11.00, Kahvila Kulma".
pub(crate) fn when_and_where(lang: Lang, event: &Event) -> String {
    let mut out = lang.span(&event.starts_at, &event.ends_at, &event.timezone);
    if let Some(place) = &event.place {
        let parts = [&place.name, &place.street, &place.locality];
        for part in parts.into_iter().flatten().map(|p| p.trim()) {
            if !part.is_empty() {
                out.push_str(", ");
                out.push_str(part);
            }
        }
    }
    if let Some(online) = &event.online_url {
        out.push_str(", ");
        out.push_str(online.as_str());
    }
    out
}
