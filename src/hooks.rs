//! What happened, told to the host application: a typed stream of domain events.
//!
//! Every event is sent after the transaction that made it true has committed, so a subscriber never
//! hears of something that was rolled back. The stream is a [`tokio::sync::broadcast`] channel: each
//! subscriber gets every event sent after it subscribed; one that falls more than
//! [`HOOK_BUFFER`] events behind misses the oldest and is told so (`RecvError::Lagged`) — the
//! database, not the stream, is the record.
//!
//! ```no_run
//! # async fn run(verkosto: verkosto::Verkosto) {
//! use verkosto::DomainEvent;
//!
//! let mut events = verkosto.subscribe();
//! tokio::spawn(async move {
//!     while let Ok(event) = events.recv().await {
//!         if let DomainEvent::FollowRequested { community, follower } = &event {
//!             println!("{follower} asks to follow {community}");
//!         }
//!     }
//! });
//! # }
//! ```

use tokio::sync::broadcast;
use url::Url;

/// How many events a slow subscriber may fall behind before it misses some.
pub const HOOK_BUFFER: usize = 1024;

/// Something that happened in a community, an event or a network. `#[non_exhaustive]`: new kinds
/// are added without a breaking release, so match with a `_` arm.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DomainEvent {
    /// Someone asked to follow a community that approves its followers.
    FollowRequested {
        /// The community's name (`kahvila`).
        community: String,
        /// The follower's actor id.
        follower: Url,
    },
    /// A follow of a local community or person took effect (at once, or approved by a manager).
    FollowAccepted {
        /// The followed actor's id.
        target: Url,
        /// The follower's actor id.
        follower: Url,
    },
    /// Someone asked to take part in an event that approves its participants.
    ParticipationRequested {
        /// The event's id.
        event: Url,
        /// The participant's actor id.
        participant: Url,
    },
    /// Someone takes part in an event (accepted at once or by a manager).
    ParticipationAccepted {
        /// The event's id.
        event: Url,
        /// The participant's actor id.
        participant: Url,
    },
    /// Someone is on an event's waiting list because it is full.
    ParticipationWaitlisted {
        /// The event's id.
        event: Url,
        /// The participant's actor id.
        participant: Url,
    },
    /// Someone left an event, or their request was withdrawn or rejected.
    ParticipationCancelled {
        /// The event's id.
        event: Url,
        /// The participant's actor id.
        participant: Url,
    },
    /// A seat freed up and the first person waiting got it.
    PromotedFromWaitlist {
        /// The event's id.
        event: Url,
        /// The participant's actor id.
        participant: Url,
    },
    /// A reply to one of our events arrived from the fediverse.
    CommentReceived {
        /// The event replied to.
        event: Url,
        /// The reply's id.
        comment: Url,
        /// Its author's actor id.
        author: Url,
    },
    /// An event published elsewhere was stored here for the first time.
    RemoteEventStored {
        /// The event's id on its own server.
        event: Url,
    },
    /// An event published elsewhere changed.
    RemoteEventUpdated {
        /// The event's id on its own server.
        event: Url,
    },
    /// An event published elsewhere was cancelled or deleted.
    RemoteEventCancelled {
        /// The event's id on its own server.
        event: Url,
    },
    /// A community joined a network, or its membership was accepted.
    NetworkMemberJoined {
        /// The network's actor id.
        network: Url,
        /// The member community's actor id.
        member: Url,
    },
    /// A community left a network or was removed from it.
    NetworkMemberLeft {
        /// The network's actor id.
        network: Url,
        /// The member community's actor id.
        member: Url,
    },
}

/// The sending side, held in the shared state.
#[derive(Debug, Clone)]
pub(crate) struct Hooks {
    sender: broadcast::Sender<DomainEvent>,
}

impl Default for Hooks {
    fn default() -> Self {
        Hooks {
            sender: broadcast::channel(HOOK_BUFFER).0,
        }
    }
}

impl Hooks {
    /// Tells every subscriber; nobody listening is fine.
    pub(crate) fn emit(&self, event: DomainEvent) {
        tracing::debug!(?event, "domain event");
        let _ = self.sender.send(event);
    }

    pub(crate) fn subscribe(&self) -> broadcast::Receiver<DomainEvent> {
        self.sender.subscribe()
    }
}
