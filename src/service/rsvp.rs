//! RSVP from any fediverse app (issue 16): an event published with `rsvp_poll` also goes out as a
//! public poll of its community, "Going / Maybe / Can't go" in the event's language, closing when the
//! event starts. A vote is a participation by the same rules as a `Join` (capacity, waitlist,
//! approval), answered as a `Join` would be; a new vote changes it (Maybe holds no seat). Mastodon users
//! otherwise cannot take part in federated events at all.

use url::Url;

use super::Verkosto;
use super::publish::Audience;
use crate::apub::activities::create::Create;
use crate::apub::question::{self, Reply};
use crate::error::{Error, Result};
use crate::model::Event;
use crate::store::{
    self, Tx,
    polls::{Poll, PollKind},
};

impl Verkosto {
    /// Publishes the RSVP poll of a new local `event` in `tx`, to its organizer's followers.
    pub(super) async fn publish_rsvp_poll(&self, tx: &mut Tx, event: &Event) -> Result<()> {
        let poll = store::polls::insert(
            &mut tx.conn(),
            &Poll {
                id: 0,
                kind: PollKind::Rsvp,
                event_id: event.id,
                public_id: super::feedback::random_id(),
                question: event.title.clone(),
                options: question::rsvp_choices(event.language.as_deref()),
                open_question: None,
                closes_at: event.starts_at,
                created_at: store::now(),
            },
        )
        .await?
        .ok_or_else(|| Error::Internal("the event has an RSVP poll already".into()))?;
        let object = self.rsvp_object(event, &poll, &[0, 0, 0]);
        let create = Create::public_question(
            crate::apub::new_activity_id(self.state()),
            event.organizer_ap_id.clone(),
            object,
            event.visibility,
        );
        self.send(tx, &event.organizer_ap_id, &create, Audience::FOLLOWERS)
            .await
    }

    fn rsvp_object(&self, event: &Event, poll: &Poll, counts: &[i64]) -> serde_json::Value {
        let mut object = question::question_object(
            &self.state().urls().question(&poll.public_id),
            &event.organizer_ap_id,
            poll,
            None,
            (&event.title, &event.ap_id),
            event.language.as_deref(),
            counts,
        );
        // The poll of a members-only event is for the members as the event is.
        crate::apub::activities::address(&mut object, event.visibility, &event.organizer_ap_id);
        object
    }

    /// The RSVP poll's document, with its votes so far.
    pub(super) async fn rsvp_document(
        &self,
        poll: &Poll,
        reader: &super::Reader,
    ) -> Result<serde_json::Value> {
        let mut c = self.db().acquire().await?;
        let event = store::events::find_by_id(&mut c.conn(), poll.event_id)
            .await?
            .ok_or_else(|| Error::NotFound(format!("no poll {}", poll.public_id)))?;
        drop(c);
        // The poll of a members-only event is as hidden as the event.
        if !self.may_see_event(&event, reader).await? {
            return Err(Error::NotFound(format!("no poll {}", poll.public_id)));
        }
        let mut c = self.db().acquire().await?;
        let answers = store::polls::answers(&mut c.conn(), poll.id).await?;
        let counts = super::feedback::vote_counts(poll, &answers);
        Ok(self.rsvp_object(&event, poll, &counts))
    }

    /// A vote on an RSVP poll (the `Note` replying to it, sent as `activity`): Going joins, Maybe and
    /// Can't go leave (if they had joined). Words are not a vote and change nothing.
    pub(super) async fn receive_rsvp(
        &self,
        actor: &Url,
        activity: &Url,
        poll: &Poll,
        note: &serde_json::Value,
    ) -> Result<()> {
        let Some(Reply::Choice(choice)) = question::read_reply(note, 0) else {
            return Ok(());
        };
        let Some(index) = poll.options.iter().position(|o| *o == choice) else {
            return Err(Error::BadRequest(format!(
                "{choice:?} is not one of the poll's choices"
            )));
        };
        if poll.closes_at <= store::now() {
            tracing::debug!(%actor, poll = %poll.public_id, "RSVP after the event started; ignored");
            return Ok(());
        }
        let event = {
            let mut tx = self.db().begin().await?;
            store::polls::revote(
                &mut tx.conn(),
                poll.id,
                actor.as_str(),
                &choice,
                store::now(),
            )
            .await?;
            let event = store::events::find_by_id(&mut tx.conn(), poll.event_id).await?;
            self.commit(tx).await?;
            event.ok_or_else(|| Error::NotFound("the poll's event".into()))?
        };
        if index == 0 {
            self.receive_join(actor, &event.ap_id, activity, None).await
        } else {
            self.receive_leave(actor, &event.ap_id).await
        }
    }
}
