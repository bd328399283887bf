//! Networks of communities: a community of kind `network` whose members are communities on any
//! instance. Members join with `Join{Group}`; the network relays what they publish with `Announce`.
//!
//! This file is the member side (a local community joining, leaving, being answered or removed);
//! `hosting.rs` is the network side (admitting, deciding, removing, relaying, the directory).

use url::Url;

use super::Verkosto;
use super::publish::Audience;
use crate::DomainEvent;
use crate::apub::activities::join::Join;
use crate::apub::activities::leave::Leave;
use crate::apub::{actor, new_activity_id};
use crate::error::{Error, Refusal, Result};
use crate::model::{
    Account, Community, CommunityKind, FollowState, Follower, NetworkMemberState, NetworkMembership,
};
use crate::store::{self, Tx};
use crate::urls::Part;

mod hosting;

pub use hosting::DirectoryEntry;

impl Verkosto {
    fn require_network(&self, c: &Community) -> Result<()> {
        if c.kind != CommunityKind::Network {
            return Err(Error::invalid(
                "handle",
                Refusal::NotANetwork {
                    name: c.name.clone(),
                },
            ));
        }
        Ok(())
    }

    /// A local community asks to join a network (`network@host`, here or elsewhere).
    pub async fn join_network(
        &self,
        by: &Account,
        community_name: &str,
        handle: &str,
    ) -> Result<NetworkMembership> {
        let community = self.community(community_name).await?;
        self.require_manager(by, &community).await?;
        if community.visibility.is_members() {
            // A network follows its members and shows what they publish to its own followers.
            return Err(Refusal::MembersOnlyInNetwork.into());
        }
        let me = actor::community_id(self.state(), &community.name);
        let handle = handle.trim().trim_start_matches('@');
        let (name, host) = handle
            .split_once('@')
            .ok_or_else(|| Error::invalid("handle", Refusal::NotAHandle))?;
        let join_id = new_activity_id(self.state());
        if host.eq_ignore_ascii_case(&self.settings().domain) {
            let network = self.community(name).await?;
            self.require_network(&network)?;
            if network.id == community.id {
                return Err(Error::invalid("handle", Refusal::NetworkJoinsItself));
            }
            let network_id = actor::community_id(self.state(), &network.name);
            let mut tx = self.db().begin().await?;
            let membership = self
                .record_membership(&mut tx, &community, &network_id, &join_id)
                .await?;
            let inbox = self
                .state()
                .urls()
                .community_part(&community.name, Part::Inbox);
            let member = self.admit(&mut tx, &network, &me, &inbox, &join_id).await?;
            if member.state == NetworkMemberState::Active {
                store::networks::set_membership_state(
                    &mut tx.conn(),
                    membership.id,
                    NetworkMemberState::Active,
                )
                .await?;
            }
            self.commit(tx).await?;
            if member.state == NetworkMemberState::Active {
                self.emit(DomainEvent::NetworkMemberJoined {
                    network: network_id.clone(),
                    member: me,
                });
            }
            return self.membership(&community, &network_id).await;
        }
        let network = self.lookup(handle).await?;
        if network.kind != crate::model::ActorKind::Group {
            return Err(Error::invalid(
                "handle",
                Refusal::NotACommunity {
                    handle: handle.to_string(),
                },
            ));
        }
        let mut tx = self.db().begin().await?;
        let membership = self
            .record_membership(&mut tx, &community, &network.ap_id, &join_id)
            .await?;
        let join = Join::network(join_id, me.clone(), network.ap_id.clone());
        let to = std::slice::from_ref(&network.inbox);
        self.send(&mut tx, &me, &join, Audience::Only(to)).await?;
        self.commit(tx).await?;
        Ok(membership)
    }

    async fn record_membership(
        &self,
        tx: &mut Tx,
        community: &Community,
        network: &Url,
        join_id: &Url,
    ) -> Result<NetworkMembership> {
        if let Some(m) =
            store::networks::membership_in(&mut tx.conn(), community.id, network.as_str()).await?
            && m.state != NetworkMemberState::Rejected
        {
            return Err(Refusal::AlreadyMember {
                network: network.to_string(),
                state: m.state.to_string(),
            }
            .into());
        }
        store::networks::upsert_membership(
            &mut tx.conn(),
            &NetworkMembership {
                id: 0,
                community_id: community.id,
                network_ap_id: network.clone(),
                join_activity_id: join_id.clone(),
                state: NetworkMemberState::Pending,
                created_at: store::now(),
            },
        )
        .await
    }

    async fn membership(&self, community: &Community, network: &Url) -> Result<NetworkMembership> {
        let mut c = self.db().acquire().await?;
        store::networks::membership_in(&mut c.conn(), community.id, network.as_str())
            .await?
            .ok_or_else(|| Error::Internal("membership vanished".into()))
    }

    /// The networks a community belongs to or asked to join.
    pub async fn community_networks(&self, community_name: &str) -> Result<Vec<NetworkMembership>> {
        let community = self.community(community_name).await?;
        let mut c = self.db().acquire().await?;
        store::networks::memberships(&mut c.conn(), community.id).await
    }

    /// Whether `id` is a `Join` one of our communities sent to a network.
    pub(crate) async fn is_our_network_join(&self, id: &Url) -> Result<bool> {
        let mut c = self.db().acquire().await?;
        Ok(
            store::networks::membership_by_join(&mut c.conn(), id.as_str())
                .await?
                .is_some(),
        )
    }

    /// A network answered one of our communities' `Join`. Once accepted, the network follows the community
    /// so that what it publishes reaches the network.
    pub(crate) async fn receive_network_answer(
        &self,
        network: &Url,
        join_id: &Url,
        accepted: bool,
    ) -> Result<()> {
        // Fetch first: on SQLite a write through another connection would wait for this transaction.
        let who = actor::resolve_remote(&self.federation_data(), network).await?;
        let mut tx = self.db().begin().await?;
        let m = store::networks::membership_by_join(&mut tx.conn(), join_id.as_str())
            .await?
            .ok_or_else(|| Error::NotFound(format!("join {join_id}")))?;
        if &m.network_ap_id != network {
            return Err(Error::Forbidden(
                "only the network can answer a join".into(),
            ));
        }
        let state = if accepted {
            NetworkMemberState::Active
        } else {
            NetworkMemberState::Rejected
        };
        store::networks::set_membership_state(&mut tx.conn(), m.id, state).await?;
        if accepted {
            let community = self.community_by_db_id(&mut tx, m.community_id).await?;
            store::follows::upsert_follower(
                &mut tx.conn(),
                &Follower {
                    id: 0,
                    target_ap_id: actor::community_id(self.state(), &community.name),
                    follower_ap_id: who.ap_id.clone(),
                    inbox: who.inbox.clone(),
                    shared_inbox: who.shared_inbox.clone(),
                    follow_activity_id: join_id.clone(),
                    state: FollowState::Accepted,
                    created_at: store::now(),
                },
            )
            .await?;
        }
        self.commit(tx).await
    }

    async fn community_by_db_id(&self, tx: &mut Tx, id: i64) -> Result<Community> {
        store::communities::find_by_id(&mut tx.conn(), id)
            .await?
            .ok_or_else(|| Error::NotFound(format!("community {id}")))
    }

    /// A local community leaves a network.
    pub async fn leave_network(
        &self,
        by: &Account,
        community_name: &str,
        handle: &str,
    ) -> Result<()> {
        let community = self.community(community_name).await?;
        self.require_manager(by, &community).await?;
        let me = actor::community_id(self.state(), &community.name);
        let memberships = self.community_networks(community_name).await?;
        let (name, host) = handle
            .trim()
            .trim_start_matches('@')
            .split_once('@')
            .ok_or_else(|| Error::invalid("handle", Refusal::NotAHandle))?;
        let m = memberships
            .into_iter()
            .find(|m| {
                m.network_ap_id.path_segments().and_then(|mut s| s.nth(1)) == Some(name)
                    && actor::normalized_host(&m.network_ap_id).as_deref()
                        == Some(&host.to_ascii_lowercase())
            })
            .ok_or_else(|| {
                Error::from(Refusal::NoSuchMembership {
                    handle: handle.to_string(),
                })
            })?;
        let remote_network = if self.is_local_url(&m.network_ap_id) {
            None
        } else {
            Some(actor::resolve_remote(&self.federation_data(), &m.network_ap_id).await?)
        };
        let mut tx = self.db().begin().await?;
        store::networks::delete_membership(&mut tx.conn(), m.id).await?;
        store::follows::delete_follower(&mut tx.conn(), me.as_str(), m.network_ap_id.as_str())
            .await?;
        if let Some(network) = remote_network {
            let leave = Leave::new(
                new_activity_id(self.state()),
                me.clone(),
                network.ap_id.clone(),
                network.ap_id.clone(),
            );
            let to = std::slice::from_ref(&network.inbox);
            self.send(&mut tx, &me, &leave, Audience::Only(to)).await?;
        } else {
            let network = self.local_network(&m.network_ap_id).await?;
            if let Some(row) =
                store::networks::member_by_actor(&mut tx.conn(), network.id, me.as_str()).await?
            {
                store::networks::delete_member(&mut tx.conn(), row.id).await?;
            }
        }
        self.commit(tx).await
    }
    /// A network removed one of our communities.
    pub(crate) async fn receive_network_remove(&self, network: &Url, member: &Url) -> Result<()> {
        let name = self.local_actor_name(member);
        let community = self.community(&name).await?;
        let mut tx = self.db().begin().await?;
        if let Some(m) =
            store::networks::membership_in(&mut tx.conn(), community.id, network.as_str()).await?
        {
            store::networks::delete_membership(&mut tx.conn(), m.id).await?;
            store::follows::delete_follower(&mut tx.conn(), member.as_str(), network.as_str())
                .await?;
        }
        self.commit(tx).await
    }
}
