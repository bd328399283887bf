//! `Flag` as received: a report of our content or people by someone on another server (Mastodon sends
//! it from its instance actor, the comment in `content` and `object` the reported account and posts;
//! Lemmy from the reporting person, the reason in `summary`, one object). Lands in the report queue
//! of the community it concerns (issue 19); we send none yet.

use activitypub_federation::config::Data;
use serde::Deserialize;
use serde_json::Value;
use url::Url;

use super::object_id;
use crate::context::AppState;
use crate::error::{Error, Result};

/// The longest reason kept.
const MAX_REASON: usize = 5_000;

/// `Flag` as received.
#[derive(Debug, Clone, Deserialize)]
pub struct IncomingFlag {
    /// The activity id.
    pub id: Url,
    /// Who reports (a person, or their instance).
    pub actor: Url,
    /// What is reported: one id or object, or a list of them.
    pub object: Value,
    /// The reason (Mastodon).
    #[serde(default)]
    pub content: Option<Value>,
    /// The reason (Lemmy).
    #[serde(default)]
    pub summary: Option<Value>,
}

impl IncomingFlag {
    /// What can be checked on the document itself, before anything acts on it: it names something.
    pub(crate) async fn verify(&self, _data: &Data<AppState>) -> Result<()> {
        if self.reported().is_empty() {
            return Err(Error::BadRequest(
                "the Flag names nothing it reports".into(),
            ));
        }
        Ok(())
    }

    /// The ids of what is reported (at most 50).
    pub fn reported(&self) -> Vec<Url> {
        match &self.object {
            Value::Array(items) => items
                .iter()
                .take(50)
                .filter_map(|o| object_id(o).ok())
                .collect(),
            one => object_id(one).ok().into_iter().collect(),
        }
    }

    /// The reason given, as plain text.
    pub fn reason(&self) -> String {
        let text = [&self.content, &self.summary]
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .find(|t| !t.trim().is_empty())
            .unwrap_or("");
        crate::sanitize::plain_text(text)
            .chars()
            .take(MAX_REASON)
            .collect()
    }
}
