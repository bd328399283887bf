use chrono::{DateTime, Utc};
use url::Url;

use super::text_enum;

/// A community's announcement: a short `Note`, or an `Article` when it has a title.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Announcement {
    /// Database id.
    #[serde(skip)]
    pub id: i64,
    /// The id used in API paths.
    #[serde(rename = "id")]
    pub public_id: String,
    /// The ActivityPub id.
    pub ap_id: Url,
    /// The publishing community's actor id.
    pub author_ap_id: Url,
    /// The local community's database id, for local announcements.
    #[serde(skip)]
    pub community_id: Option<i64>,
    /// Whether it is hosted here.
    pub local: bool,
    /// The title (an `Article`); none for a `Note`.
    pub title: Option<String>,
    /// Markdown as written (local ones).
    pub content_source: Option<String>,
    /// Sanitized HTML.
    pub content_html: String,
    /// An image to show with it.
    pub image_url: Option<Url>,
    /// Hashtags without `#`.
    pub tags: Vec<String>,
    /// Language, e.g. `fi`.
    pub language: Option<String>,
    /// Shown first on the community's page.
    pub pinned: bool,
    /// Who may see it: fixed when it is published (issue 18).
    pub visibility: crate::model::Visibility,
    /// When published.
    pub published_at: DateTime<Utc>,
    /// When last changed.
    pub updated_at: DateTime<Utc>,
}

/// What a manager sends to post an announcement.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewAnnouncement {
    /// Markdown, 1 to 50,000 characters.
    pub content: String,
    /// A title makes it an `Article`.
    #[serde(default)]
    pub title: Option<String>,
    /// Image URL.
    #[serde(default)]
    pub image_url: Option<String>,
    /// Hashtags.
    #[serde(default)]
    pub tags: Option<Vec<String>>,
    /// Language.
    #[serde(default)]
    pub language: Option<String>,
    /// Pin it.
    #[serde(default)]
    pub pinned: Option<bool>,
    /// `public` or `members`; defaults to the community's visibility.
    #[serde(default)]
    pub visibility: Option<crate::model::Visibility>,
}

/// A partial change of an announcement.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnnouncementUpdate {
    /// New Markdown content.
    pub content: Option<String>,
    /// New title; an empty string makes it a `Note` again.
    pub title: Option<String>,
    /// New image; an empty string clears it.
    pub image_url: Option<String>,
    /// New tags.
    pub tags: Option<Vec<String>>,
    /// New language.
    pub language: Option<String>,
    /// Pin or unpin.
    pub pinned: Option<bool>,
}

/// Where a community's membership in a network stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetworkMemberState {
    /// Asked, waiting for the network's managers.
    Pending,
    /// A member.
    Active,
    /// Refused (kept so the community sees the answer).
    Rejected,
}
text_enum!(NetworkMemberState, "membership state" {
    Pending => "pending",
    Active => "active",
    Rejected => "rejected",
});

/// A member community of a local network (the community may be on any instance).
#[derive(Debug, Clone, serde::Serialize)]
pub struct NetworkMember {
    /// Database id (used to accept or reject a request).
    pub id: i64,
    /// The member community's actor id.
    pub member_ap_id: Url,
    /// Where the network's answers go.
    #[serde(skip)]
    pub member_inbox: Url,
    /// The `Join` it sent.
    pub join_activity_id: Url,
    /// Where it stands.
    pub state: NetworkMemberState,
    /// Since when.
    pub created_at: DateTime<Utc>,
}

/// A local community's membership in a network (the network may be on any instance).
#[derive(Debug, Clone, serde::Serialize)]
pub struct NetworkMembership {
    /// Database id.
    pub id: i64,
    /// The local community's database id.
    #[serde(skip)]
    pub community_id: i64,
    /// The network's actor id.
    pub network_ap_id: Url,
    /// The `Join` the community sent.
    pub join_activity_id: Url,
    /// Where it stands.
    pub state: NetworkMemberState,
    /// Since when.
    pub created_at: DateTime<Utc>,
}
