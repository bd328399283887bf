//! Boosts and likes of our events and announcements from other servers, kept so that a community's
//! insights can count them (issue 16); an `Undo` takes them back.

use url::Url;

use super::Verkosto;
use crate::error::Result;
use crate::store::{self, insights::ReactionKind};
use crate::urls::LocalObject;

impl Verkosto {
    /// Whether `object` is one of our events or announcements (what reactions are kept for).
    fn is_reactable(&self, object: &Url) -> bool {
        matches!(
            self.state().urls().parse(object),
            Some(LocalObject::Event(_) | LocalObject::Announcement(_))
        )
    }

    /// `actor` boosted or liked `object` with the activity `activity`; anything but our events and
    /// announcements is acknowledged and forgotten.
    pub(crate) async fn receive_reaction(
        &self,
        actor: &Url,
        object: &Url,
        kind: ReactionKind,
        activity: &Url,
    ) -> Result<()> {
        if !self.is_reactable(object) {
            tracing::debug!(%object, ?kind, "reaction to something not ours; ignored");
            return Ok(());
        }
        let mut c = self.db().acquire().await?;
        store::insights::record_reaction(
            &mut c.conn(),
            object.as_str(),
            actor.as_str(),
            kind,
            activity.as_str(),
            store::now(),
        )
        .await?;
        Ok(())
    }

    /// `actor` took back its reaction of `kind` to `object` (an `Undo` embedding it).
    pub(crate) async fn receive_unreaction(
        &self,
        actor: &Url,
        object: &Url,
        kind: ReactionKind,
    ) -> Result<()> {
        let mut c = self.db().acquire().await?;
        store::insights::remove_reaction(&mut c.conn(), object.as_str(), actor.as_str(), kind)
            .await?;
        Ok(())
    }

    /// An `Undo` naming only an activity id: whether it was one of `actor`'s reactions (now removed).
    pub(crate) async fn undo_reaction_by_id(&self, actor: &Url, activity: &Url) -> Result<bool> {
        let mut c = self.db().acquire().await?;
        store::insights::remove_reaction_by_activity(
            &mut c.conn(),
            actor.as_str(),
            activity.as_str(),
        )
        .await
    }
}
