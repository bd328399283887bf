//! Networks of communities: a community of kind `network` whose members are communities on any
//! instance. Members join with `Join{Group}`; the network relays what they publish with `Announce`.

use url::Url;

use super::Verkosto;
use super::publish::Audience;
use crate::DomainEvent;
use crate::apub::activities::join::Join;
use crate::apub::activities::join_answer::{JoinAnswer, JoinAnswerKind};
use crate::apub::activities::leave::Leave;
use crate::apub::activities::remove::Remove;
use crate::apub::{actor, new_activity_id};
use crate::error::{Error, Refusal, Result};
use crate::model::{
    Account, Community, CommunityKind, Event, FollowState, Follower, NetworkMember,
    NetworkMemberState, NetworkMembership,
};
use crate::store::{self, Tx};
use crate::urls::Part;

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

    /// Records a member request of a local network; open networks admit at once.
    async fn admit(
        &self,
        tx: &mut Tx,
        network: &Community,
        member: &Url,
        inbox: &Url,
        join_id: &Url,
    ) -> Result<NetworkMember> {
        let open = network.follow_policy == crate::model::FollowPolicy::Open;
        let row = store::networks::upsert_member(
            &mut tx.conn(),
            network.id,
            &NetworkMember {
                id: 0,
                member_ap_id: member.clone(),
                member_inbox: inbox.clone(),
                join_activity_id: join_id.clone(),
                state: if open {
                    NetworkMemberState::Active
                } else {
                    NetworkMemberState::Pending
                },
                created_at: store::now(),
            },
        )
        .await?;
        if row.state == NetworkMemberState::Active {
            self.answer_member(tx, network, &row, JoinAnswerKind::Accept)
                .await?;
        }
        Ok(row)
    }

    async fn answer_member(
        &self,
        tx: &mut Tx,
        network: &Community,
        m: &NetworkMember,
        kind: JoinAnswerKind,
    ) -> Result<()> {
        if self.is_local_url(&m.member_ap_id) {
            return Ok(());
        }
        let network_id = actor::community_id(self.state(), &network.name);
        let answer = JoinAnswer::new(
            new_activity_id(self.state()),
            kind,
            network_id.clone(),
            m.join_activity_id.clone(),
            m.member_ap_id.clone(),
            network_id.clone(),
        );
        let to = std::slice::from_ref(&m.member_inbox);
        self.send(tx, &network_id, &answer, Audience::Only(to))
            .await
    }

    /// A remote community asks to join one of our networks.
    pub(crate) async fn receive_network_join(
        &self,
        member: &Url,
        network_id: &Url,
        join_id: &Url,
    ) -> Result<()> {
        let network = self.local_network(network_id).await?;
        let who = actor::resolve_remote(&self.federation_data(), member).await?;
        if who.kind != crate::model::ActorKind::Group {
            return Err(Error::invalid_document(
                "actor",
                "only communities (groups) join networks",
            ));
        }
        let mut tx = self.db().begin().await?;
        let row = self
            .admit(&mut tx, &network, &who.ap_id, &who.inbox, join_id)
            .await?;
        self.commit(tx).await?;
        if row.state == NetworkMemberState::Active {
            self.emit(DomainEvent::NetworkMemberJoined {
                network: network_id.clone(),
                member: who.ap_id,
            });
        }
        Ok(())
    }

    async fn local_network(&self, id: &Url) -> Result<Community> {
        let name = self.local_actor_name(id);
        let network = self.community(&name).await?;
        self.require_network(&network)?;
        Ok(network)
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

    /// A remote member left one of our networks.
    pub(crate) async fn receive_network_leave(&self, member: &Url, network_id: &Url) -> Result<()> {
        let network = self.local_network(network_id).await?;
        let mut tx = self.db().begin().await?;
        let row =
            store::networks::member_by_actor(&mut tx.conn(), network.id, member.as_str()).await?;
        if let Some(row) = &row {
            store::networks::delete_member(&mut tx.conn(), row.id).await?;
        }
        self.commit(tx).await?;
        if row.is_some() {
            self.emit(DomainEvent::NetworkMemberLeft {
                network: network_id.clone(),
                member: member.clone(),
            });
        }
        Ok(())
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

    /// Member requests of a local network (its managers only).
    pub async fn member_requests(
        &self,
        by: &Account,
        network_name: &str,
    ) -> Result<Vec<NetworkMember>> {
        let network = self.community(network_name).await?;
        self.require_manager(by, &network).await?;
        let mut c = self.db().acquire().await?;
        store::networks::members(&mut c.conn(), network.id, NetworkMemberState::Pending).await
    }

    /// A network's managers accept or reject a member request.
    pub async fn decide_member_request(
        &self,
        by: &Account,
        network_name: &str,
        id: i64,
        accept: bool,
    ) -> Result<NetworkMember> {
        let network = self.community(network_name).await?;
        self.require_manager(by, &network).await?;
        let mut tx = self.db().begin().await?;
        let mut m = store::networks::member(&mut tx.conn(), network.id, id)
            .await?
            .filter(|m| m.state == NetworkMemberState::Pending)
            .ok_or_else(|| Error::from(Refusal::NoSuchMember))?;
        m.state = if accept {
            NetworkMemberState::Active
        } else {
            NetworkMemberState::Rejected
        };
        if accept {
            store::networks::set_member_state(&mut tx.conn(), m.id, m.state).await?;
        } else {
            store::networks::delete_member(&mut tx.conn(), m.id).await?;
        }
        self.answer_member(
            &mut tx,
            &network,
            &m,
            if accept {
                JoinAnswerKind::Accept
            } else {
                JoinAnswerKind::Reject
            },
        )
        .await?;
        self.sync_local_membership(&mut tx, &network, &m).await?;
        self.commit(tx).await?;
        if accept {
            self.emit(DomainEvent::NetworkMemberJoined {
                network: actor::community_id(self.state(), &network.name),
                member: m.member_ap_id.clone(),
            });
        }
        Ok(m)
    }

    /// Mirrors a decision into the membership record of a local member community.
    async fn sync_local_membership(
        &self,
        tx: &mut Tx,
        network: &Community,
        m: &NetworkMember,
    ) -> Result<()> {
        if !self.is_local_url(&m.member_ap_id) {
            return Ok(());
        }
        let name = self.local_actor_name(&m.member_ap_id);
        let member = self.community(&name).await?;
        let network_id = actor::community_id(self.state(), &network.name);
        if let Some(ms) =
            store::networks::membership_in(&mut tx.conn(), member.id, network_id.as_str()).await?
        {
            store::networks::set_membership_state(&mut tx.conn(), ms.id, m.state).await?;
        }
        Ok(())
    }

    /// The active members of a network.
    pub async fn network_members(&self, network_name: &str) -> Result<Vec<NetworkMember>> {
        let network = self.community(network_name).await?;
        self.require_network(&network)?;
        let mut c = self.db().acquire().await?;
        store::networks::members(&mut c.conn(), network.id, NetworkMemberState::Active).await
    }

    /// A network's managers remove a member; it is told with a `Remove`.
    pub async fn remove_member(&self, by: &Account, network_name: &str, id: i64) -> Result<()> {
        let network = self.community(network_name).await?;
        self.require_manager(by, &network).await?;
        let network_id = actor::community_id(self.state(), &network.name);
        let mut tx = self.db().begin().await?;
        let m = store::networks::member(&mut tx.conn(), network.id, id)
            .await?
            .ok_or_else(|| Error::from(Refusal::NoSuchMember))?;
        store::networks::delete_member(&mut tx.conn(), m.id).await?;
        if self.is_local_url(&m.member_ap_id) {
            let name = self.local_actor_name(&m.member_ap_id);
            let member = self.community(&name).await?;
            if let Some(ms) =
                store::networks::membership_in(&mut tx.conn(), member.id, network_id.as_str())
                    .await?
            {
                store::networks::delete_membership(&mut tx.conn(), ms.id).await?;
            }
        } else {
            let remove = Remove::member(
                new_activity_id(self.state()),
                network_id.clone(),
                m.member_ap_id.clone(),
            );
            let audience = Audience::Only(std::slice::from_ref(&m.member_inbox));
            self.send(&mut tx, &network_id, &remove, audience).await?;
        }
        self.commit(tx).await?;
        self.emit(DomainEvent::NetworkMemberLeft {
            network: network_id,
            member: m.member_ap_id,
        });
        Ok(())
    }

    /// Announces `object` (published by `author`) from every local network `author` is a member of.
    pub(crate) async fn relay_through_local_networks(
        &self,
        tx: &mut Tx,
        author: &Url,
        object: &Url,
    ) -> Result<()> {
        let networks = store::networks::networks_of_member(&mut tx.conn(), author.as_str()).await?;
        for network_id in networks {
            let network = self.community_by_db_id(tx, network_id).await?;
            let network_ap_id = actor::community_id(self.state(), &network.name);
            self.announce_object(tx, &network_ap_id, object).await?;
            store::networks::record_relay(&mut tx.conn(), object.as_str(), network_ap_id.as_str())
                .await?;
        }
        Ok(())
    }

    /// Notes that a followed network relayed `object`.
    pub(crate) async fn record_relay(&self, object: &Url, via: &Url) -> Result<()> {
        let mut c = self.db().acquire().await?;
        store::networks::record_relay(&mut c.conn(), object.as_str(), via.as_str()).await
    }

    /// A network's calendar: its own and every member's events overlapping `from`..`to`, `limit`
    /// of them after `offset`.
    pub(crate) async fn network_events(
        &self,
        network: &Community,
        range: (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>),
        limit: i64,
        offset: i64,
    ) -> Result<Vec<Event>> {
        let network_ap_id = actor::community_id(self.state(), &network.name);
        let mut c = self.db().acquire().await?;
        store::events::by_organizers(
            &mut c.conn(),
            network.id,
            network_ap_id.as_str(),
            range,
            limit,
            offset,
        )
        .await
    }
}

/// One member community in a network's directory.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DirectoryEntry {
    /// The community's actor id.
    pub ap_id: Url,
    /// `name@host`.
    pub handle: String,
    /// Its shown name.
    pub name: String,
    /// Where it is, as it says.
    pub location: Option<String>,
    /// Latitude, when known.
    pub latitude: Option<f64>,
    /// Longitude, when known.
    pub longitude: Option<f64>,
}

impl Verkosto {
    /// The member directory of a network: each active member with its name and place.
    pub async fn network_directory(&self, network_name: &str) -> Result<Vec<DirectoryEntry>> {
        let members = self.network_members(network_name).await?;
        let mut out = Vec::with_capacity(members.len());
        for m in members {
            if self.is_local_url(&m.member_ap_id) {
                let name = self.local_actor_name(&m.member_ap_id);
                let c = self.community(&name).await?;
                out.push(DirectoryEntry {
                    handle: format!("{}@{}", c.name, self.settings().domain),
                    ap_id: m.member_ap_id,
                    name: c.display_name,
                    location: c.location,
                    latitude: c.latitude,
                    longitude: c.longitude,
                });
            } else {
                let mut conn = self.db().acquire().await?;
                let cached =
                    store::remote_actors::find_by_ap_id(&mut conn.conn(), m.member_ap_id.as_str())
                        .await?;
                out.push(match cached {
                    Some(a) => DirectoryEntry {
                        handle: a.handle(),
                        name: a.display_name.clone().unwrap_or_else(|| a.username.clone()),
                        location: a.location_name,
                        latitude: a.latitude,
                        longitude: a.longitude,
                        ap_id: m.member_ap_id,
                    },
                    None => DirectoryEntry {
                        handle: m.member_ap_id.to_string(),
                        name: m.member_ap_id.to_string(),
                        location: None,
                        latitude: None,
                        longitude: None,
                        ap_id: m.member_ap_id,
                    },
                });
            }
        }
        Ok(out)
    }
}
