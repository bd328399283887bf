//! Announcements as `Note` (short) or `Article` (with a title), and their conversions from and to
//! [`crate::model::Announcement`].

use serde_json::{Value, json};
use url::Url;

use crate::context::AppState;
use crate::error::{Error, Result};
use crate::model::Announcement;

/// An announcement we host as embedded in an activity (without its own `@context`).
pub fn announcement_object(state: &AppState, a: &Announcement) -> Value {
    let mut object = announcement_to_ap(state, a);
    if let Some(o) = object.as_object_mut() {
        o.remove("@context");
    }
    object
}

/// The document of an announcement we host.
pub fn announcement_to_ap(state: &AppState, a: &Announcement) -> Value {
    let group = &a.author_ap_id;
    let tags: Vec<Value> = a
        .tags
        .iter()
        .map(|t| json!({ "type": "Hashtag", "name": format!("#{t}"), "href": state.url(&format!("/tags/{t}")) }))
        .collect();
    let mut doc = json!({
        "@context": super::context::context(),
        "type": if a.title.is_some() { "Article" } else { "Note" },
        "id": a.ap_id,
        "url": a.ap_id,
        "attributedTo": group,
        "audience": group,
        "content": a.content_html,
        "mediaType": "text/html",
        "to": super::activities::addressed(a.visibility, group).0,
        "cc": super::activities::addressed(a.visibility, group).1,
        "tag": tags,
        "published": a.published_at,
        "updated": a.updated_at,
        "sensitive": false,
    });
    if let Some(title) = &a.title {
        doc["name"] = json!(title);
    }
    if let Some(source) = &a.content_source {
        doc["source"] = json!({ "content": source, "mediaType": "text/markdown" });
    }
    if let Some(image) = &a.image_url {
        doc["attachment"] = json!([{ "type": "Image", "mediaType": "image/jpeg", "url": image }]);
    }
    if let Some(lang) = &a.language {
        doc["contentMap"] = json!({ lang.clone(): a.content_html });
    }
    doc
}

/// Reads a remote `Note` or `Article` (not a reply) as an announcement of `author`.
pub fn announcement_from_ap(doc: &Value, public_id: String, author: Url) -> Result<Announcement> {
    let kind = doc.get("type").and_then(Value::as_str).unwrap_or("");
    if !matches!(kind, "Note" | "Article" | "Page") {
        return Err(Error::BadRequest("not a Note or Article".into()));
    }
    let ap_id = super::activities::object_id(doc.get("id").unwrap_or(&Value::Null))?;
    let content: String = doc
        .get("content")
        .and_then(Value::as_str)
        .unwrap_or("")
        .chars()
        .take(50_000)
        .collect();
    let time = |k: &str| {
        doc.get(k)
            .and_then(Value::as_str)
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.with_timezone(&chrono::Utc))
    };
    let published_at = time("published").unwrap_or_else(crate::store::now);
    Ok(Announcement {
        id: 0,
        public_id,
        ap_id,
        author_ap_id: author,
        community_id: None,
        local: false,
        title: doc
            .get("name")
            .and_then(Value::as_str)
            .map(|t| t.chars().take(200).collect()),
        content_source: None,
        content_html: crate::sanitize::html(&content),
        image_url: doc
            .get("attachment")
            .and_then(Value::as_array)
            .and_then(|a| a.iter().find_map(|x| x.get("url").and_then(Value::as_str)))
            .and_then(|u| Url::parse(u).ok()),
        tags: doc
            .get("tag")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter(|t| t.get("type").and_then(Value::as_str) == Some("Hashtag"))
                    .filter_map(|t| t.get("name").and_then(Value::as_str))
                    .map(|n| n.trim_start_matches('#').to_string())
                    .take(20)
                    .collect()
            })
            .unwrap_or_default(),
        language: doc
            .get("contentMap")
            .and_then(Value::as_object)
            .and_then(|m| m.keys().next().cloned()),
        pinned: false,
        // Only public posts of other servers are stored (we show what we store to anyone).
        visibility: crate::model::Visibility::Public,
        published_at,
        updated_at: time("updated").unwrap_or(published_at),
    })
}
