use chrono::{DateTime, Utc};

/// A person who logs in to this instance: a community manager or a member.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Account {
    /// Database id.
    pub id: i64,
    /// The local name, also the WebFinger handle.
    pub username: String,
    /// Shown name; falls back to the username.
    pub display_name: Option<String>,
    /// Sanitized HTML about the person.
    pub summary: Option<String>,
    /// Instance administrators may change any community and run moderation.
    pub is_admin: bool,
    /// When the account was made.
    pub created_at: DateTime<Utc>,
}
