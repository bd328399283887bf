//! A community's rules, shown on its page, and the replies of first-time commenters held for its
//! managers when the community asks for that (issue 19).

use super::Verkosto;
use crate::error::{Error, Refusal, Result};
use crate::model::Account;
use crate::store::{
    self,
    community_rules::{CommunityRules, HeldComment},
};

/// The longest rules text.
const MAX_RULES: usize = 10_000;

/// A change of a community's moderation settings; absent fields stay.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RulesUpdate {
    /// The rules (Markdown); empty removes them.
    #[serde(default)]
    pub rules: Option<String>,
    /// Hold the replies of first-time commenters for a manager.
    #[serde(default)]
    pub hold_first_comments: Option<bool>,
}

impl Verkosto {
    /// A community's rules and settings (public: the page shows the rules).
    pub async fn community_rules(&self, community_id: i64) -> Result<CommunityRules> {
        let mut c = self.db().acquire().await?;
        store::community_rules::get(&mut c.conn(), community_id).await
    }

    /// Changes a community's rules or its holding of first replies (its managers only).
    pub async fn set_community_rules(
        &self,
        by: &Account,
        name: &str,
        update: RulesUpdate,
    ) -> Result<CommunityRules> {
        let community = self.community(name).await?;
        self.require_manager(by, &community).await?;
        let mut rules = self.community_rules(community.id).await?;
        if let Some(text) = update.rules {
            if text.chars().count() > MAX_RULES {
                return Err(Error::invalid("rules", Refusal::TooLong { max: MAX_RULES }));
            }
            rules.rules_html = crate::sanitize::markdown(text.trim());
            rules.rules = text.trim().to_string();
        }
        if let Some(hold) = update.hold_first_comments {
            rules.hold_first_comments = hold;
        }
        let mut c = self.db().acquire().await?;
        store::community_rules::set(&mut c.conn(), community.id, &rules, store::now()).await?;
        Ok(rules)
    }

    /// The replies held for the managers of a community.
    pub async fn held_comments(&self, by: &Account, name: &str) -> Result<Vec<HeldComment>> {
        let community = self.community(name).await?;
        self.require_manager(by, &community).await?;
        let mut c = self.db().acquire().await?;
        store::community_rules::held(&mut c.conn(), community.id).await
    }

    /// A manager lets a held reply be shown (`approve`) or drops it; either is logged.
    pub async fn decide_held_comment(
        &self,
        by: &Account,
        name: &str,
        id: i64,
        approve: bool,
    ) -> Result<()> {
        let community = self.community(name).await?;
        self.require_manager(by, &community).await?;
        let mut tx = self.db().begin().await?;
        let target = store::community_rules::held(&mut tx.conn(), community.id)
            .await?
            .into_iter()
            .find(|h| h.id == id)
            .ok_or_else(|| Error::from(Refusal::NoSuchHeldComment))?;
        let done = if approve {
            store::community_rules::approve(&mut tx.conn(), community.id, id).await?
        } else {
            store::community_rules::reject(&mut tx.conn(), community.id, id).await?
        };
        if !done {
            return Err(Refusal::NoSuchHeldComment.into());
        }
        let action = if approve {
            "approve_comment"
        } else {
            "reject_comment"
        };
        store::bans::log(
            &mut tx.conn(),
            community.id,
            by.id,
            action,
            &target.ap_id,
            None,
            store::now(),
        )
        .await?;
        self.commit(tx).await
    }
}
