//! The network side of networks: admitting and deciding on member communities, removing them,
//! relaying what members publish, and the network's calendar and directory.

use url::Url;

use super::Verkosto;
use crate::DomainEvent;
use crate::apub::activities::join_answer::{JoinAnswer, JoinAnswerKind};
use crate::apub::activities::remove::Remove;
use crate::apub::{actor, new_activity_id};
use crate::error::{Error, Refusal, Result};
use crate::model::{Account, Community, Event, NetworkMember, NetworkMemberState, Visibility};
use crate::service::publish::Audience;
use crate::store::{self, Tx};

impl Verkosto {
    /// Records a member request of a local network; open networks admit at once.
    pub(super) async fn admit(
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
            // Its events already planned enter the network calendar too.
            self.spawn_backfill(who.ap_id.clone(), None);
            self.emit(DomainEvent::NetworkMemberJoined {
                network: network_id.clone(),
                member: who.ap_id,
            });
        }
        Ok(())
    }

    pub(super) async fn local_network(&self, id: &Url) -> Result<Community> {
        let name = self.local_actor_name(id);
        let network = self.community(&name).await?;
        self.require_network(&network)?;
        Ok(network)
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
        if accept && !self.is_local_url(&m.member_ap_id) {
            self.spawn_backfill(m.member_ap_id.clone(), None);
        }
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

    /// Announces `object` (published by `author`) from every local network `author` is a member of;
    /// a network relays nothing members-only (issue 18).
    pub(crate) async fn relay_through_local_networks(
        &self,
        tx: &mut Tx,
        author: &Url,
        (object, visibility): (&Url, Visibility),
    ) -> Result<()> {
        if visibility.is_members() {
            return Ok(());
        }
        let networks = store::networks::networks_of_member(&mut tx.conn(), author.as_str()).await?;
        for network_id in networks {
            let network = self.community_by_db_id(tx, network_id).await?;
            let network_ap_id = actor::community_id(self.state(), &network.name);
            self.announce_object(tx, &network_ap_id, object, Visibility::Public)
                .await?;
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
    /// of them from `start`.
    pub(crate) async fn network_events(
        &self,
        network: &Community,
        range: (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>),
        start: store::events::ListStart,
        limit: i64,
    ) -> Result<Vec<Event>> {
        let network_ap_id = actor::community_id(self.state(), &network.name);
        let mut c = self.db().acquire().await?;
        store::events::by_organizers(
            &mut c.conn(),
            network.id,
            network_ap_id.as_str(),
            range,
            start,
            limit,
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
