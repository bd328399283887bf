//! A feedback poll on the wire (issue 16): the `Question` one fediverse participant is sent, in the
//! shape Mastodon, Misskey and Akkoma show as a poll (`oneOf` choices as `Note`s with a `name`, an
//! `endTime`, a `Mention` of its one recipient so that it arrives as a direct message), and what a
//! vote looks like when it comes back (`Note` with `name` and `inReplyTo`).

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use url::Url;

use crate::model::Visibility;
use crate::sanitize::escape_text as escape;
use crate::store::polls::Poll;

/// The default question and choices in the event's language (Finnish, Swedish, English otherwise).
pub fn default_feedback(language: Option<&str>) -> (&'static str, Vec<String>) {
    let question = match language.unwrap_or("en") {
        l if l.starts_with("fi") => "Miten tapahtuma onnistui? (1 = heikosti, 5 = erinomaisesti)",
        l if l.starts_with("sv") => "Hur lyckades evenemanget? (1 = dåligt, 5 = utmärkt)",
        _ => "How was the event? (1 = poor, 5 = excellent)",
    };
    (question, (1..=5).map(|n| n.to_string()).collect())
}

/// The choices of an RSVP poll in the event's language: going, maybe, can't go (in that order).
pub fn rsvp_choices(language: Option<&str>) -> Vec<String> {
    let choices: [&str; 3] = match language.unwrap_or("en") {
        l if l.starts_with("fi") => ["Osallistun", "Ehkä", "En pääse"],
        l if l.starts_with("sv") => ["Jag kommer", "Kanske", "Jag kan inte"],
        _ => ["Going", "Maybe", "Can't go"],
    };
    choices.map(str::to_string).to_vec()
}

/// What to reply to answer the open question, in the event's language.
fn reply_hint(language: Option<&str>) -> &'static str {
    match language.unwrap_or("en") {
        l if l.starts_with("fi") => "Vastaa tähän viestiin:",
        l if l.starts_with("sv") => "Svara på det här meddelandet:",
        _ => "Reply to this message:",
    }
}

/// Who a `Question` is for.
pub struct Recipient<'a> {
    /// Their actor id.
    pub ap_id: &'a Url,
    /// `name@host`.
    pub handle: &'a str,
}

/// The `Question` `id` of `poll`, by `community`, for one `recipient` (a direct message mentioning
/// them) or, without one, public and to the community's followers, about the event at `event_url`
/// (in `language`); `counts` are the choices' votes so far, in order.
pub fn question_object(
    id: &Url,
    community: &Url,
    poll: &Poll,
    recipient: Option<&Recipient<'_>>,
    (event_title, event_url): (&str, &Url),
    language: Option<&str>,
    counts: &[i64],
) -> Value {
    // A direct poll mentions its one recipient, as Mastodon's direct messages do.
    let mention = recipient
        .map(|r| {
            let user = r.handle.split('@').next().unwrap_or(r.handle);
            format!(
                "<span class=\"h-card\"><a href=\"{}\" class=\"u-url mention\">@<span>{}</span></a></span> ",
                escape(r.ap_id.as_str()),
                escape(user)
            )
        })
        .unwrap_or_default();
    let mut content = format!(
        "<p>{mention}{question}</p><p><a href=\"{event_url}\">{title}</a></p>",
        question = escape(&poll.question),
        event_url = escape(event_url.as_str()),
        title = escape(event_title),
    );
    if let Some(open) = &poll.open_question {
        content.push_str(&format!(
            "<p>{} {}</p>",
            escape(open),
            escape(reply_hint(language))
        ));
    }
    let choices: Vec<Value> = poll
        .options
        .iter()
        .enumerate()
        .map(|(i, name)| {
            json!({
                "type": "Note",
                "name": name,
                "replies": { "type": "Collection", "totalItems": counts.get(i).copied().unwrap_or(0) },
            })
        })
        .collect();
    let closed = poll.closes_at <= Utc::now();
    let mut object = json!({
        "id": id,
        "type": "Question",
        "attributedTo": community,
        "content": content,
        "published": poll.created_at,
        "url": event_url,
        "endTime": poll.closes_at,
        "oneOf": choices,
        "votersCount": counts.iter().sum::<i64>(),
        "sensitive": false,
    });
    match recipient {
        Some(r) => {
            object["to"] = json!([r.ap_id]);
            object["cc"] = json!([]);
            object["tag"] =
                json!([{ "type": "Mention", "href": r.ap_id, "name": format!("@{}", r.handle) }]);
        }
        None => {
            crate::apub::activities::address(&mut object, Visibility::Public, community);
        }
    }
    if let Some(language) = language {
        object["contentMap"] = json!({ language: object["content"].clone() });
    }
    if closed {
        object["closed"] = json!(poll.closes_at);
    }
    object
}

/// A vote or an answer that came back: the `Note` replying to one of our `Question`s.
#[derive(Debug, PartialEq)]
pub enum Reply {
    /// A choice (`name`, no content), as Mastodon sends a vote.
    Choice(String),
    /// Words, answering the open question.
    Words(String),
}

/// Reads a reply to a `Question`: a `name` without content is a vote, content is an answer (as
/// plain text, at most `max` characters).
pub fn read_reply(note: &Value, max: usize) -> Option<Reply> {
    let content = note.get("content").and_then(Value::as_str).unwrap_or("");
    match note.get("name").and_then(Value::as_str) {
        Some(name) if content.trim().is_empty() => Some(Reply::Choice(name.trim().to_string())),
        _ => {
            let text = crate::sanitize::plain_text(content);
            // A reply starts by mentioning whom it answers (`@kahvila ...`): not part of the answer.
            let text = text
                .trim_start()
                .split(' ')
                .skip_while(|w| w.starts_with('@'))
                .collect::<Vec<_>>()
                .join(" ");
            let text = text.trim();
            (!text.is_empty()).then(|| Reply::Words(text.chars().take(max).collect()))
        }
    }
}

/// When a poll sent now closes: a week from now unless asked otherwise.
pub fn default_closing(now: DateTime<Utc>) -> DateTime<Utc> {
    now + chrono::Duration::days(7)
}
