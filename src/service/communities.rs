//! Communities: creating, changing, and who manages them.

use url::Url;

use super::{Verkosto, keys};
use crate::error::{Error, Refusal, Result};
use crate::model::{
    Account, Community, CommunityKind, CommunityUpdate, FollowPolicy, LocalName, Membership,
    MembershipState, NewCommunity, Role, Visibility,
};
use crate::store;

const MAX_DISPLAY_NAME: usize = 100;
const MAX_SUMMARY: usize = 10_000;
const MAX_LOCATION: usize = 200;
const MAX_TAGS: usize = 20;
const MAX_TAG: usize = 64;

fn check_coordinate(field: &'static str, value: Option<f64>, limit: f64) -> Result<Option<f64>> {
    match value {
        Some(v) if !(-limit..=limit).contains(&v) => Err(Error::invalid(
            field,
            Refusal::NotBetween {
                min: -(limit as i64),
                max: limit as i64,
            },
        )),
        other => Ok(other),
    }
}

pub(crate) fn bounded(field: &'static str, value: &str, max: usize) -> Result<()> {
    if value.chars().count() > max {
        return Err(Error::invalid(field, Refusal::TooLong { max }));
    }
    Ok(())
}

/// An optional http(s) URL; an empty string means "none".
pub(crate) fn optional_url(field: &'static str, raw: Option<&str>) -> Result<Option<Url>> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => {
            let url = Url::parse(s).map_err(|_| Error::invalid(field, Refusal::NotAUrl))?;
            if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
                return Err(Error::invalid(field, Refusal::NotAWebAddress));
            }
            bounded(field, s, 2000)?;
            Ok(Some(url))
        }
    }
}

pub(crate) fn tags(raw: Vec<String>) -> Result<Vec<String>> {
    if raw.len() > MAX_TAGS {
        return Err(Error::invalid(
            "tags",
            Refusal::TooManyTags { max: MAX_TAGS },
        ));
    }
    let mut out: Vec<String> = Vec::with_capacity(raw.len());
    for t in raw {
        let t = t.trim().trim_start_matches('#').to_string();
        if t.is_empty()
            || t.chars().count() > MAX_TAG
            || !t.chars().all(|c| c.is_alphanumeric() || c == '_')
        {
            return Err(Error::invalid(
                "tags",
                Refusal::NotAHashtag {
                    tag: t,
                    max: MAX_TAG,
                },
            ));
        }
        if !out.iter().any(|o| o.eq_ignore_ascii_case(&t)) {
            out.push(t);
        }
    }
    Ok(out)
}

impl Verkosto {
    /// Creates a community owned by `owner`.
    pub async fn create_community(&self, owner: &Account, new: NewCommunity) -> Result<Community> {
        let name = LocalName::parse("name", &new.name)?;
        let display_name = new.display_name.unwrap_or_default().trim().to_string();
        bounded("display_name", &display_name, MAX_DISPLAY_NAME)?;
        let summary = new.summary.unwrap_or_default();
        bounded("summary", &summary, MAX_SUMMARY)?;
        let location = new.location.filter(|l| !l.trim().is_empty());
        if let Some(l) = &location {
            bounded("location", l, MAX_LOCATION)?;
        }
        let now = store::now();
        let visibility = new.visibility.unwrap_or_default();
        let community = Community {
            id: 0,
            display_name: if display_name.is_empty() {
                name.to_string()
            } else {
                display_name
            },
            summary: crate::sanitize::html(&summary),
            kind: new.kind.unwrap_or(CommunityKind::Coworking),
            location,
            latitude: check_coordinate("latitude", new.latitude, 90.0)?,
            longitude: check_coordinate("longitude", new.longitude, 180.0)?,
            website: optional_url("website", new.website.as_deref())?,
            tags: tags(new.tags.unwrap_or_default())?,
            icon_url: optional_url("icon_url", new.icon_url.as_deref())?,
            banner_url: optional_url("banner_url", new.banner_url.as_deref())?,
            follow_policy: follow_policy_for(visibility, new.follow_policy, FollowPolicy::Open)?,
            visibility,
            name: name.to_string(),
            created_at: now,
            updated_at: now,
        };
        let keys = keys::generate_keypair().await?;
        let mut tx = self.db().begin().await?;
        store::accounts::claim_name(&mut tx.conn(), &community.name, "community").await?;
        let community = store::communities::insert(&mut tx.conn(), &community, &keys).await?;
        store::communities::upsert_membership(
            &mut tx.conn(),
            community.id,
            owner.id,
            Role::Owner,
            MembershipState::Active,
        )
        .await?;
        tx.commit().await?;
        tracing::info!(community = %community.name, owner = %owner.username, "community created");
        Ok(community)
    }

    /// The community named `name`.
    pub async fn community(&self, name: &str) -> Result<Community> {
        let mut c = self.db().acquire().await?;
        store::communities::find_by_name(&mut c.conn(), name)
            .await?
            .ok_or_else(|| {
                Refusal::NoSuchCommunity {
                    name: name.to_string(),
                }
                .into()
            })
    }

    /// The community with database id `id` (an event's or announcement's organiser), if it still exists.
    pub async fn community_by_id(&self, id: i64) -> Result<Option<Community>> {
        let mut c = self.db().acquire().await?;
        store::communities::find_by_id(&mut c.conn(), id).await
    }

    /// The communities `account` owns or manages, by name.
    pub async fn managed_communities(&self, account: &Account) -> Result<Vec<Community>> {
        let mut c = self.db().acquire().await?;
        store::communities::managed_by(&mut c.conn(), account.id).await
    }

    /// The communities `account` is a member of without managing them (issue 18: people who
    /// signed in land in their company's internal community).
    pub async fn member_communities(&self, account: &Account) -> Result<Vec<Community>> {
        let mut c = self.db().acquire().await?;
        store::communities::member_of(&mut c.conn(), account.id).await
    }

    /// Public communities by name, a page at a time (`limit` at most 100): members-only ones are
    /// listed nowhere (a member finds theirs in the workspace).
    pub async fn communities(&self, limit: i64, offset: i64) -> Result<Vec<Community>> {
        let mut c = self.db().acquire().await?;
        store::communities::list_public(&mut c.conn(), limit.clamp(1, 100), offset.max(0)).await
    }

    /// The active managers (and owner) of a community.
    pub async fn community_managers(&self, community: &Community) -> Result<Vec<Membership>> {
        let mut c = self.db().acquire().await?;
        store::communities::managers(&mut c.conn(), community.id).await
    }

    /// Refuses unless `account` may manage `community` (a manager, its owner, or an admin).
    pub async fn require_manager(&self, account: &Account, community: &Community) -> Result<()> {
        if account.is_admin {
            return Ok(());
        }
        let mut c = self.db().acquire().await?;
        match store::communities::membership(&mut c.conn(), community.id, account.id).await? {
            Some(m) if m.can_manage() => Ok(()),
            _ => Err(Refusal::NotAManager {
                community: community.name.clone(),
            }
            .into()),
        }
    }

    /// Changes a community; only its managers (or an admin) may. Followers receive an `Update`.
    pub async fn update_community(
        &self,
        by: &Account,
        name: &str,
        change: CommunityUpdate,
    ) -> Result<Community> {
        let mut community = self.community(name).await?;
        self.require_manager(by, &community).await?;
        if let Some(d) = change.display_name {
            let d = d.trim().to_string();
            if d.is_empty() {
                return Err(Error::invalid("display_name", Refusal::Required));
            }
            bounded("display_name", &d, MAX_DISPLAY_NAME)?;
            community.display_name = d;
        }
        if let Some(s) = change.summary {
            bounded("summary", &s, MAX_SUMMARY)?;
            community.summary = crate::sanitize::html(&s);
        }
        if let Some(k) = change.kind {
            community.kind = k;
        }
        if let Some(l) = change.location {
            bounded("location", &l, MAX_LOCATION)?;
            community.location = Some(l).filter(|l| !l.trim().is_empty());
        }
        if change.latitude.is_some() {
            community.latitude = check_coordinate("latitude", change.latitude, 90.0)?;
        }
        if change.longitude.is_some() {
            community.longitude = check_coordinate("longitude", change.longitude, 180.0)?;
        }
        if let Some(w) = change.website {
            community.website = optional_url("website", Some(&w))?;
        }
        if let Some(t) = change.tags {
            community.tags = tags(t)?;
        }
        if let Some(i) = change.icon_url {
            community.icon_url = optional_url("icon_url", Some(&i))?;
        }
        if let Some(b) = change.banner_url {
            community.banner_url = optional_url("banner_url", Some(&b))?;
        }
        if let Some(v) = change.visibility {
            community.visibility = v;
        }
        community.follow_policy = follow_policy_for(
            community.visibility,
            change.follow_policy,
            community.follow_policy,
        )?;
        community.updated_at = store::now();
        let mut tx = self.db().begin().await?;
        if community.visibility.is_members()
            && !store::networks::memberships(&mut tx.conn(), community.id)
                .await?
                .is_empty()
        {
            // Its networks follow it: they would receive, and relay, what is for members.
            return Err(Refusal::MembersOnlyInNetwork.into());
        }
        store::communities::update(&mut tx.conn(), &community).await?;
        let keys = store::communities::keys(&mut tx.conn(), community.id).await?;
        let update = crate::apub::activities::update::group_update(
            self.state(),
            &community,
            &keys.public_key_pem,
        )?;
        self.send(
            &mut tx,
            &crate::apub::actor::community_id(self.state(), &community.name),
            &update,
            super::publish::Audience::FOLLOWERS,
        )
        .await?;
        self.commit(tx).await?;
        Ok(community)
    }

    /// Makes `username` a manager of the community.
    pub async fn add_manager(
        &self,
        by: &Account,
        name: &str,
        username: &str,
    ) -> Result<Membership> {
        let community = self.community(name).await?;
        self.require_manager(by, &community).await?;
        let account = self.account(username).await?;
        let mut tx = self.db().begin().await?;
        let role =
            match store::communities::membership(&mut tx.conn(), community.id, account.id).await? {
                Some(m) if m.role == Role::Owner => Role::Owner,
                _ => Role::Manager,
            };
        store::communities::upsert_membership(
            &mut tx.conn(),
            community.id,
            account.id,
            role,
            MembershipState::Active,
        )
        .await?;
        let m = store::communities::membership(&mut tx.conn(), community.id, account.id)
            .await?
            .ok_or_else(|| Error::Internal("membership vanished".into()))?;
        tx.commit().await?;
        Ok(m)
    }

    /// Ends `username`'s manager role (they stay a member). The owner cannot be removed this way.
    pub async fn remove_manager(&self, by: &Account, name: &str, username: &str) -> Result<()> {
        let community = self.community(name).await?;
        self.require_manager(by, &community).await?;
        let account = self.account(username).await?;
        let mut tx = self.db().begin().await?;
        match store::communities::membership(&mut tx.conn(), community.id, account.id).await? {
            Some(m) if m.role == Role::Owner => {
                return Err(Refusal::OwnerStaysManager.into());
            }
            Some(m) if m.role == Role::Manager => {
                store::communities::upsert_membership(
                    &mut tx.conn(),
                    community.id,
                    account.id,
                    Role::Member,
                    MembershipState::Active,
                )
                .await?;
            }
            _ => {
                return Err(Refusal::NoSuchManager {
                    name: username.to_string(),
                    community: name.to_string(),
                }
                .into());
            }
        }
        tx.commit().await?;
        Ok(())
    }
}

/// The follow policy of a community of `visibility` when `asked` for one (else it keeps `current`):
/// following a members-only community is becoming a member, which a manager approves (or an
/// invitation stands for), so it is always approval, and asking for open is refused.
fn follow_policy_for(
    visibility: Visibility,
    asked: Option<FollowPolicy>,
    current: FollowPolicy,
) -> Result<FollowPolicy> {
    match (visibility, asked) {
        (Visibility::Members, Some(FollowPolicy::Open)) => Err(Error::invalid(
            "follow_policy",
            Refusal::MembersNeedApproval,
        )),
        (Visibility::Members, _) => Ok(FollowPolicy::Approval),
        (Visibility::Public, asked) => Ok(asked.unwrap_or(current)),
    }
}
