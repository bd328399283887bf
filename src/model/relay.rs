use chrono::{DateTime, Utc};
use url::Url;

use super::{FollowState, text_enum};

/// What the instance actor does with a `Follow` of itself (an instance or relay subscribing to
/// everything this instance's public communities publish).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InstanceFollowPolicy {
    /// Every `Follow` is accepted at once.
    Open,
    /// An administrator accepts or rejects each request (the default).
    Approval,
    /// Every `Follow` is refused with a `Reject`.
    Closed,
}
text_enum!(InstanceFollowPolicy, "instance follow policy" {
    Open => "open",
    Approval => "approval",
    Closed => "closed",
});

/// A relay or another instance's actor that this instance follows, so that the public events
/// they send are stored here and shown on the instance calendar.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RelaySubscription {
    /// Database id.
    pub id: i64,
    /// What the administrator gave: a relay's inbox (Mastodon-style) or an actor (LitePub relay,
    /// a Gancio or Mobilizon instance actor).
    pub url: Url,
    /// Where the `Follow` went.
    pub inbox: Url,
    /// The actor that answers and sends: known at once for actors, and for Mastodon-style relays
    /// once their `Accept` arrives.
    pub actor_ap_id: Option<Url>,
    /// Whether the `Follow`'s object is the Public collection (Mastodon-style relay) rather than
    /// the actor itself.
    pub follows_public: bool,
    /// The id of the `Follow` we sent.
    pub follow_activity_id: Url,
    /// Pending until answered; accepted or rejected after.
    pub state: FollowState,
    /// When it was added.
    pub created_at: DateTime<Utc>,
}
