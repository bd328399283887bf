//! Networks of communities: the members of local networks, and the networks local communities joined.

use chrono::{DateTime, Utc};

use super::{Conn, on_conn, parse_column};
use crate::error::{Error, Result};
use crate::model::{NetworkMember, NetworkMemberState, NetworkMembership};

#[derive(sqlx::FromRow)]
struct MemberRow {
    id: i64,
    member_ap_id: String,
    member_inbox: String,
    join_activity_id: String,
    state: String,
    created_at: DateTime<Utc>,
}

impl TryFrom<MemberRow> for NetworkMember {
    type Error = Error;
    fn try_from(r: MemberRow) -> Result<Self> {
        Ok(NetworkMember {
            id: r.id,
            member_ap_id: parse_column("member_ap_id", &r.member_ap_id)?,
            member_inbox: parse_column("member_inbox", &r.member_inbox)?,
            join_activity_id: parse_column("join_activity_id", &r.join_activity_id)?,
            state: parse_column("state", &r.state)?,
            created_at: r.created_at,
        })
    }
}

const MEMBER_COLUMNS: &str = "id, member_ap_id, member_inbox, join_activity_id, state, created_at";

/// Records a membership request or membership of a local network.
pub async fn upsert_member(
    c: &mut Conn<'_>,
    network_id: i64,
    m: &NetworkMember,
) -> Result<NetworkMember> {
    let sql = format!(
        "INSERT INTO network_members (network_id, member_ap_id, member_inbox, join_activity_id, state, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (network_id, member_ap_id) DO UPDATE SET \
         member_inbox = excluded.member_inbox, join_activity_id = excluded.join_activity_id, \
         state = CASE WHEN network_members.state = 'active' THEN network_members.state ELSE excluded.state END \
         RETURNING {MEMBER_COLUMNS}"
    );
    let row: MemberRow = on_conn!(c, c => sqlx::query_as(&sql)
        .bind(network_id)
        .bind(m.member_ap_id.as_str())
        .bind(m.member_inbox.as_str())
        .bind(m.join_activity_id.as_str())
        .bind(m.state.as_str())
        .bind(m.created_at)
        .fetch_one(&mut **c)
        .await)?;
    row.try_into()
}

/// Members of a local network in one state, oldest first.
pub async fn members(
    c: &mut Conn<'_>,
    network_id: i64,
    state: NetworkMemberState,
) -> Result<Vec<NetworkMember>> {
    let sql = format!(
        "SELECT {MEMBER_COLUMNS} FROM network_members WHERE network_id = $1 AND state = $2 ORDER BY id"
    );
    let rows: Vec<MemberRow> = on_conn!(c, c => sqlx::query_as(&sql)
        .bind(network_id)
        .bind(state.as_str())
        .fetch_all(&mut **c)
        .await)?;
    rows.into_iter().map(TryInto::try_into).collect()
}

/// One member row of a local network.
pub async fn member(c: &mut Conn<'_>, network_id: i64, id: i64) -> Result<Option<NetworkMember>> {
    let sql =
        format!("SELECT {MEMBER_COLUMNS} FROM network_members WHERE network_id = $1 AND id = $2");
    let row: Option<MemberRow> = on_conn!(c, c => sqlx::query_as(&sql).bind(network_id).bind(id).fetch_optional(&mut **c).await)?;
    row.map(TryInto::try_into).transpose()
}

/// A member row by the member's actor id.
pub async fn member_by_actor(
    c: &mut Conn<'_>,
    network_id: i64,
    member_ap_id: &str,
) -> Result<Option<NetworkMember>> {
    let sql = format!(
        "SELECT {MEMBER_COLUMNS} FROM network_members WHERE network_id = $1 AND member_ap_id = $2"
    );
    let row: Option<MemberRow> = on_conn!(c, c => sqlx::query_as(&sql).bind(network_id).bind(member_ap_id).fetch_optional(&mut **c).await)?;
    row.map(TryInto::try_into).transpose()
}

/// A member row of any local network by its `Join` id, with the network's database id.
pub async fn member_by_join(
    c: &mut Conn<'_>,
    join_activity_id: &str,
) -> Result<Option<(i64, NetworkMember)>> {
    let found: Option<(i64, i64)> = on_conn!(c, c => sqlx::query_as(
        "SELECT network_id, id FROM network_members WHERE join_activity_id = $1 ORDER BY id LIMIT 1")
        .bind(join_activity_id)
        .fetch_optional(&mut **c)
        .await)?;
    let Some((network_id, id)) = found else {
        return Ok(None);
    };
    Ok(member(c, network_id, id).await?.map(|m| (network_id, m)))
}

/// Sets a member's state.
pub async fn set_member_state(c: &mut Conn<'_>, id: i64, state: NetworkMemberState) -> Result<()> {
    on_conn!(c, c => sqlx::query("UPDATE network_members SET state = $2 WHERE id = $1")
        .bind(id).bind(state.as_str()).execute(&mut **c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Removes a member.
pub async fn delete_member(c: &mut Conn<'_>, id: i64) -> Result<()> {
    on_conn!(c, c => sqlx::query("DELETE FROM network_members WHERE id = $1")
        .bind(id).execute(&mut **c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The local networks (database ids) `member_ap_id` is an active member of.
pub async fn networks_of_member(c: &mut Conn<'_>, member_ap_id: &str) -> Result<Vec<i64>> {
    let ids: Vec<i64> = on_conn!(c, c => sqlx::query_scalar(
        "SELECT network_id FROM network_members WHERE member_ap_id = $1 AND state = 'active'")
        .bind(member_ap_id)
        .fetch_all(&mut **c)
        .await)?;
    Ok(ids)
}

#[derive(sqlx::FromRow)]
struct MembershipRow {
    id: i64,
    community_id: i64,
    network_ap_id: String,
    join_activity_id: String,
    state: String,
    created_at: DateTime<Utc>,
}

impl TryFrom<MembershipRow> for NetworkMembership {
    type Error = Error;
    fn try_from(r: MembershipRow) -> Result<Self> {
        Ok(NetworkMembership {
            id: r.id,
            community_id: r.community_id,
            network_ap_id: parse_column("network_ap_id", &r.network_ap_id)?,
            join_activity_id: parse_column("join_activity_id", &r.join_activity_id)?,
            state: parse_column("state", &r.state)?,
            created_at: r.created_at,
        })
    }
}

const MEMBERSHIP_COLUMNS: &str =
    "id, community_id, network_ap_id, join_activity_id, state, created_at";

/// Records that a local community asked to join (or joined) a network.
pub async fn upsert_membership(
    c: &mut Conn<'_>,
    m: &NetworkMembership,
) -> Result<NetworkMembership> {
    let sql = format!(
        "INSERT INTO network_memberships (community_id, network_ap_id, join_activity_id, state, created_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (community_id, network_ap_id) DO UPDATE SET \
         join_activity_id = excluded.join_activity_id, state = excluded.state RETURNING {MEMBERSHIP_COLUMNS}"
    );
    let row: MembershipRow = on_conn!(c, c => sqlx::query_as(&sql)
        .bind(m.community_id)
        .bind(m.network_ap_id.as_str())
        .bind(m.join_activity_id.as_str())
        .bind(m.state.as_str())
        .bind(m.created_at)
        .fetch_one(&mut **c)
        .await)?;
    row.try_into()
}

/// The networks a local community belongs to or asked to join.
pub async fn memberships(c: &mut Conn<'_>, community_id: i64) -> Result<Vec<NetworkMembership>> {
    let sql = format!(
        "SELECT {MEMBERSHIP_COLUMNS} FROM network_memberships WHERE community_id = $1 ORDER BY id"
    );
    let rows: Vec<MembershipRow> =
        on_conn!(c, c => sqlx::query_as(&sql).bind(community_id).fetch_all(&mut **c).await)?;
    rows.into_iter().map(TryInto::try_into).collect()
}

/// A membership by its `Join` id.
pub async fn membership_by_join(
    c: &mut Conn<'_>,
    join_activity_id: &str,
) -> Result<Option<NetworkMembership>> {
    let sql =
        format!("SELECT {MEMBERSHIP_COLUMNS} FROM network_memberships WHERE join_activity_id = $1");
    let row: Option<MembershipRow> = on_conn!(c, c => sqlx::query_as(&sql).bind(join_activity_id).fetch_optional(&mut **c).await)?;
    row.map(TryInto::try_into).transpose()
}

/// A local community's membership in one network.
pub async fn membership_in(
    c: &mut Conn<'_>,
    community_id: i64,
    network_ap_id: &str,
) -> Result<Option<NetworkMembership>> {
    let sql = format!(
        "SELECT {MEMBERSHIP_COLUMNS} FROM network_memberships WHERE community_id = $1 AND network_ap_id = $2"
    );
    let row: Option<MembershipRow> = on_conn!(c, c => sqlx::query_as(&sql)
        .bind(community_id)
        .bind(network_ap_id)
        .fetch_optional(&mut **c)
        .await)?;
    row.map(TryInto::try_into).transpose()
}

/// Sets a membership's state.
pub async fn set_membership_state(
    c: &mut Conn<'_>,
    id: i64,
    state: NetworkMemberState,
) -> Result<()> {
    on_conn!(c, c => sqlx::query("UPDATE network_memberships SET state = $2 WHERE id = $1")
        .bind(id).bind(state.as_str()).execute(&mut **c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Removes a membership.
pub async fn delete_membership(c: &mut Conn<'_>, id: i64) -> Result<()> {
    on_conn!(c, c => sqlx::query("DELETE FROM network_memberships WHERE id = $1")
        .bind(id).execute(&mut **c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Notes that the network `via_ap_id` relayed `object_ap_id`.
pub async fn record_relay(c: &mut Conn<'_>, object_ap_id: &str, via_ap_id: &str) -> Result<()> {
    on_conn!(c, c => sqlx::query(
        "INSERT INTO relayed_objects (object_ap_id, via_ap_id) VALUES ($1, $2) ON CONFLICT (object_ap_id, via_ap_id) DO NOTHING")
        .bind(object_ap_id)
        .bind(via_ap_id)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}
