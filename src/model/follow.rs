use chrono::{DateTime, Utc};
use url::Url;

use super::text_enum;

/// Where a follow request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FollowState {
    /// Sent or received, not yet answered.
    Pending,
    /// Accepted: the follower receives what the followed actor publishes.
    Accepted,
    /// Refused by the followed side.
    Rejected,
}
text_enum!(FollowState, "follow state" {
    Pending => "pending",
    Accepted => "accepted",
    Rejected => "rejected",
});

/// Someone (remote or local) following a local actor.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Follower {
    /// Database id; used to accept or reject a pending request.
    pub id: i64,
    /// The local actor being followed.
    pub target_ap_id: Url,
    /// The follower's actor id.
    pub follower_ap_id: Url,
    /// The follower's personal inbox.
    pub inbox: Url,
    /// The follower's instance-wide inbox, preferred for delivery when present.
    pub shared_inbox: Option<Url>,
    /// The id of the `Follow` activity, which `Accept`/`Reject` refer to.
    pub follow_activity_id: Url,
    /// Pending or accepted.
    pub state: FollowState,
    /// When the request came in.
    pub created_at: DateTime<Utc>,
}

impl Follower {
    /// The inbox deliveries to this follower go to.
    pub fn delivery_inbox(&self) -> &Url {
        self.shared_inbox.as_ref().unwrap_or(&self.inbox)
    }
}

/// A local account following another actor (usually a community on another instance).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Following {
    /// Database id.
    pub id: i64,
    /// The local account.
    pub account_id: i64,
    /// The followed actor.
    pub target_ap_id: Url,
    /// The `Follow` we sent.
    pub follow_activity_id: Url,
    /// Where it stands.
    pub state: FollowState,
    /// When it was sent.
    pub created_at: DateTime<Utc>,
}
