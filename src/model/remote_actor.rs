use chrono::{DateTime, Utc};
use url::Url;

use super::text_enum;

/// The ActivityStreams actor type of a cached remote actor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActorKind {
    /// A person.
    Person,
    /// A group: a community, a Lemmy community, a Mobilizon group.
    Group,
    /// An instance actor.
    Application,
    /// A bot or relay.
    Service,
    /// An organization account.
    Organization,
}
text_enum!(ActorKind, "actor type" {
    Person => "Person",
    Group => "Group",
    Application => "Application",
    Service => "Service",
    Organization => "Organization",
});

/// A remote actor as last fetched from its origin.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RemoteActor {
    /// Database id.
    pub id: i64,
    /// The actor's id (its URL).
    pub ap_id: Url,
    /// Its ActivityStreams type.
    pub kind: ActorKind,
    /// `preferredUsername`.
    pub username: String,
    /// The host of `ap_id`, normalised.
    pub domain: String,
    /// `name`.
    pub display_name: Option<String>,
    /// `summary`, sanitized.
    pub summary: Option<String>,
    /// Its inbox.
    pub inbox: Url,
    /// Its instance-wide inbox.
    pub shared_inbox: Option<Url>,
    /// Its outbox.
    pub outbox: Option<Url>,
    /// Its followers collection.
    pub followers_url: Option<Url>,
    /// Its HTML profile.
    pub url: Option<Url>,
    /// Its avatar.
    pub icon_url: Option<Url>,
    /// Where it is (groups), as it says.
    pub location_name: Option<String>,
    /// Its latitude, if it gives one.
    pub latitude: Option<f64>,
    /// Its longitude, if it gives one.
    pub longitude: Option<f64>,
    /// The id of its signing key (`publicKey.id`), which signatures name as `keyId`.
    pub public_key_id: String,
    /// Its key for HTTP signatures.
    pub public_key_pem: String,
    /// `manuallyApprovesFollowers`.
    pub manually_approves_followers: bool,
    /// When it was last fetched from its origin.
    pub fetched_at: DateTime<Utc>,
}

impl RemoteActor {
    /// `name@domain`, the handle people type.
    pub fn handle(&self) -> String {
        format!("{}@{}", self.username, self.domain)
    }

    /// The inbox deliveries go to.
    pub fn delivery_inbox(&self) -> &Url {
        self.shared_inbox.as_ref().unwrap_or(&self.inbox)
    }
}
