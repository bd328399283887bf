//! `Accept`, `TentativeAccept` or `Reject` of a `Join`, as we send them: the organizer of an event or
//! a network tells the joining actor where it stands. Received answers are in [`super::answer`].

use activitypub_federation::kinds::activity::JoinType;
use serde::Serialize;
use url::Url;

/// How a `Join` is answered (the activity's `type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum JoinAnswerKind {
    /// Taken in.
    Accept,
    /// Waitlisted.
    TentativeAccept,
    /// Refused.
    Reject,
}

/// The answered `Join`, embedded.
#[derive(Debug, Clone, Serialize)]
pub struct AnsweredJoin {
    /// Always `Join`.
    #[serde(rename = "type")]
    pub kind: JoinType,
    /// The `Join`'s id.
    pub id: Url,
    /// Who joined.
    pub actor: Url,
    /// What was joined (an event or a network).
    pub object: Url,
}

/// The answer to a `Join`.
#[derive(Debug, Clone, Serialize)]
pub struct JoinAnswer {
    /// `Accept`, `TentativeAccept` or `Reject`.
    #[serde(rename = "type")]
    pub kind: JoinAnswerKind,
    /// The activity id.
    pub id: Url,
    /// The organizer or network answering.
    pub actor: Url,
    /// The answered `Join`.
    pub object: AnsweredJoin,
    /// The joining actor.
    pub to: Vec<Url>,
}

impl JoinAnswer {
    /// `kind` of the `Join` `join_id` by `joiner` of `joined`, sent by `answerer`.
    pub fn new(
        id: Url,
        kind: JoinAnswerKind,
        answerer: Url,
        join_id: Url,
        joiner: Url,
        joined: Url,
    ) -> Self {
        JoinAnswer {
            kind,
            id,
            actor: answerer,
            object: AnsweredJoin {
                kind: JoinType::Join,
                id: join_id,
                actor: joiner.clone(),
                object: joined,
            },
            to: vec![joiner],
        }
    }
}

impl super::Outgoing for JoinAnswer {
    fn id(&self) -> &Url {
        &self.id
    }
}
