//! `Leave` as we send it: a local account stops taking part in an event, or a local community leaves a
//! network. Received ones are [`super::join::IncomingLeave`].

use activitypub_federation::kinds::activity::LeaveType;
use serde::Serialize;
use url::Url;

/// The `Leave` activity.
#[derive(Debug, Clone, Serialize)]
pub struct Leave {
    /// Always `Leave`.
    #[serde(rename = "type")]
    pub kind: LeaveType,
    /// The activity id.
    pub id: Url,
    /// Who leaves.
    pub actor: Url,
    /// The event or network.
    pub object: Url,
    /// The organizer or network.
    pub to: Vec<Url>,
}

impl Leave {
    /// `Leave` of `object` (an event or a network) by `actor`, sent to `to` (its organizer, or the
    /// network itself).
    pub fn new(id: Url, actor: Url, object: Url, to: Url) -> Self {
        Leave {
            kind: LeaveType::Leave,
            id,
            actor,
            object,
            to: vec![to],
        }
    }
}

impl super::Outgoing for Leave {
    fn id(&self) -> &Url {
        &self.id
    }
}
