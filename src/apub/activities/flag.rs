//! `Flag` as received: a report of our content or people by someone on another server (Mastodon sends
//! it from its instance actor, the comment in `content` and `object` the reported account and posts;
//! Lemmy from the reporting person, the reason in `summary`, one object). Lands in the report queue
//! of the community it concerns (issue 19). [`Flag`] is the one we send: a report forwarded to the
//! server of what it is about, from our instance actor (so the reporter stays anonymous), in
//! Mastodon's shape.

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

/// `Flag` as we send it: a report forwarded to the reported content's own server.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Flag {
    /// Always `Flag`.
    #[serde(rename = "type")]
    pub kind: activitypub_federation::kinds::activity::FlagType,
    /// The activity id.
    pub id: Url,
    /// Our instance actor: the reporter is not named.
    pub actor: Url,
    /// The reported account first, then its reported posts (as Mastodon reads it).
    pub object: Vec<Url>,
    /// The reason.
    pub content: String,
    /// The receiving server's account, as Mastodon addresses it.
    pub to: Vec<Url>,
}

impl Flag {
    /// A report of `account`'s `posts`, sent by `instance_actor`.
    pub fn forward(
        id: Url,
        instance_actor: Url,
        account: Url,
        posts: Vec<Url>,
        reason: &str,
    ) -> Self {
        let mut object = vec![account.clone()];
        object.extend(posts.into_iter().filter(|p| p != &account));
        Flag {
            kind: Default::default(),
            id,
            actor: instance_actor,
            object,
            content: reason.to_string(),
            to: vec![account],
        }
    }
}

impl super::Outgoing for Flag {
    fn id(&self) -> &Url {
        &self.id
    }
}
