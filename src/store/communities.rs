//! Communities and their memberships.

use chrono::{DateTime, Utc};

use super::{Conn, on_conn, parse_column, parse_url_opt};
use crate::error::{Error, Result};
use crate::model::{Community, FollowPolicy, KeyPair, Membership, MembershipState, Role};

const COLUMNS: &str = "id, name, display_name, summary, kind, location, latitude, longitude, website, tags, \
                       icon_url, banner_url, follow_policy, visibility, created_at, updated_at";

#[derive(sqlx::FromRow)]
struct CommunityRow {
    id: i64,
    name: String,
    display_name: String,
    summary: String,
    kind: String,
    location: Option<String>,
    latitude: Option<f64>,
    longitude: Option<f64>,
    website: Option<String>,
    tags: String,
    icon_url: Option<String>,
    banner_url: Option<String>,
    follow_policy: String,
    visibility: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl TryFrom<CommunityRow> for Community {
    type Error = Error;
    fn try_from(r: CommunityRow) -> Result<Self> {
        Ok(Community {
            id: r.id,
            kind: parse_column("kind", &r.kind)?,
            website: parse_url_opt("website", r.website)?,
            tags: serde_json::from_str(&r.tags)
                .map_err(|e| Error::Internal(format!("stored tags are invalid: {e}")))?,
            icon_url: parse_url_opt("icon_url", r.icon_url)?,
            banner_url: parse_url_opt("banner_url", r.banner_url)?,
            follow_policy: parse_column::<FollowPolicy>("follow_policy", &r.follow_policy)?,
            visibility: parse_column("visibility", &r.visibility)?,
            name: r.name,
            display_name: r.display_name,
            summary: r.summary,
            location: r.location,
            latitude: r.latitude,
            longitude: r.longitude,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

fn tags_json(tags: &[String]) -> String {
    serde_json::Value::from(tags.to_vec()).to_string()
}

/// Inserts a community whose name was claimed in the same transaction.
pub async fn insert(c: &mut Conn<'_>, community: &Community, keys: &KeyPair) -> Result<Community> {
    let sql = format!(
        "INSERT INTO communities (name, display_name, summary, kind, location, website, tags, icon_url, \
         banner_url, follow_policy, public_key_pem, private_key_pem, created_at, updated_at, latitude, longitude, visibility) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING {COLUMNS}"
    );
    let row: CommunityRow = on_conn!(c, c => sqlx::query_as(&sql)
        .bind(&community.name)
        .bind(&community.display_name)
        .bind(&community.summary)
        .bind(community.kind.as_str())
        .bind(&community.location)
        .bind(community.website.as_ref().map(|u| u.as_str()))
        .bind(tags_json(&community.tags))
        .bind(community.icon_url.as_ref().map(|u| u.as_str()))
        .bind(community.banner_url.as_ref().map(|u| u.as_str()))
        .bind(community.follow_policy.as_str())
        .bind(&keys.public_key_pem)
        .bind(&keys.private_key_pem)
        .bind(community.created_at)
        .bind(community.updated_at)
        .bind(community.latitude)
        .bind(community.longitude)
        .bind(community.visibility.as_str())
        .fetch_one(&mut **c)
        .await)?;
    row.try_into()
}

/// Writes every changeable field of `community` back.
pub async fn update(c: &mut Conn<'_>, community: &Community) -> Result<()> {
    on_conn!(c, c => sqlx::query(
        "UPDATE communities SET display_name = $2, summary = $3, kind = $4, location = $5, website = $6, \
         tags = $7, icon_url = $8, banner_url = $9, follow_policy = $10, updated_at = $11, latitude = $12, \
         longitude = $13, visibility = $14 WHERE id = $1")
        .bind(community.id)
        .bind(&community.display_name)
        .bind(&community.summary)
        .bind(community.kind.as_str())
        .bind(&community.location)
        .bind(community.website.as_ref().map(|u| u.as_str()))
        .bind(tags_json(&community.tags))
        .bind(community.icon_url.as_ref().map(|u| u.as_str()))
        .bind(community.banner_url.as_ref().map(|u| u.as_str()))
        .bind(community.follow_policy.as_str())
        .bind(community.updated_at)
        .bind(community.latitude)
        .bind(community.longitude)
        .bind(community.visibility.as_str())
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// The community named `name`, if any.
pub async fn find_by_name(c: &mut Conn<'_>, name: &str) -> Result<Option<Community>> {
    let sql = format!("SELECT {COLUMNS} FROM communities WHERE name = $1");
    let row: Option<CommunityRow> =
        on_conn!(c, c => sqlx::query_as(&sql).bind(name).fetch_optional(&mut **c).await)?;
    row.map(TryInto::try_into).transpose()
}

/// The community with database id `id`, if any.
pub async fn find_by_id(c: &mut Conn<'_>, id: i64) -> Result<Option<Community>> {
    let sql = format!("SELECT {COLUMNS} FROM communities WHERE id = $1");
    let row: Option<CommunityRow> =
        on_conn!(c, c => sqlx::query_as(&sql).bind(id).fetch_optional(&mut **c).await)?;
    row.map(TryInto::try_into).transpose()
}

/// Public communities ordered by name, a page at a time.
pub async fn list_public(c: &mut Conn<'_>, limit: i64, offset: i64) -> Result<Vec<Community>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM communities WHERE visibility = 'public' ORDER BY name LIMIT $1 OFFSET $2"
    );
    let rows: Vec<CommunityRow> =
        on_conn!(c, c => sqlx::query_as(&sql).bind(limit).bind(offset).fetch_all(&mut **c).await)?;
    rows.into_iter().map(TryInto::try_into).collect()
}

/// The communities an account owns or manages, by name.
pub async fn managed_by(c: &mut Conn<'_>, account_id: i64) -> Result<Vec<Community>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM communities WHERE id IN (SELECT m.community_id FROM memberships m \
         WHERE m.account_id = $1 AND m.state = 'active' AND m.role IN ('owner', 'manager')) ORDER BY name"
    );
    let rows: Vec<CommunityRow> =
        on_conn!(c, c => sqlx::query_as(&sql).bind(account_id).fetch_all(&mut **c).await)?;
    rows.into_iter().map(TryInto::try_into).collect()
}

/// The communities an account is an active plain member of (not managing), by name.
pub async fn member_of(c: &mut Conn<'_>, account_id: i64) -> Result<Vec<Community>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM communities WHERE id IN (SELECT m.community_id FROM memberships m \
         WHERE m.account_id = $1 AND m.state = 'active' AND m.role = 'member') ORDER BY name"
    );
    let rows: Vec<CommunityRow> =
        on_conn!(c, c => sqlx::query_as(&sql).bind(account_id).fetch_all(&mut **c).await)?;
    rows.into_iter().map(TryInto::try_into).collect()
}

/// How many public communities exist (members-only ones are counted nowhere public).
pub async fn count_public(c: &mut Conn<'_>) -> Result<i64> {
    let n: i64 = on_conn!(c, c => sqlx::query_scalar("SELECT COUNT(*) FROM communities WHERE visibility = 'public'")
        .fetch_one(&mut **c)
        .await)?;
    Ok(n)
}

/// The community's key pair.
pub async fn keys(c: &mut Conn<'_>, id: i64) -> Result<KeyPair> {
    let (public_key_pem, private_key_pem): (String, String) = on_conn!(c, c => sqlx::query_as(
        "SELECT public_key_pem, private_key_pem FROM communities WHERE id = $1")
        .bind(id)
        .fetch_one(&mut **c)
        .await)?;
    Ok(KeyPair {
        public_key_pem,
        private_key_pem,
    })
}

#[derive(sqlx::FromRow)]
struct MembershipRow {
    community_id: i64,
    account_id: i64,
    username: String,
    role: String,
    state: String,
    created_at: DateTime<Utc>,
}

impl TryFrom<MembershipRow> for Membership {
    type Error = Error;
    fn try_from(r: MembershipRow) -> Result<Self> {
        Ok(Membership {
            community_id: r.community_id,
            account_id: r.account_id,
            username: r.username,
            role: parse_column::<Role>("role", &r.role)?,
            state: parse_column::<MembershipState>("state", &r.state)?,
            created_at: r.created_at,
        })
    }
}

const MEMBERSHIP_SELECT: &str = "SELECT m.community_id, m.account_id, a.username, m.role, m.state, m.created_at \
                                 FROM memberships m JOIN accounts a ON a.id = m.account_id";

/// Sets an account's role and state in a community, creating the membership if needed.
pub async fn upsert_membership(
    c: &mut Conn<'_>,
    community_id: i64,
    account_id: i64,
    role: Role,
    state: MembershipState,
) -> Result<()> {
    on_conn!(c, c => sqlx::query(
        "INSERT INTO memberships (community_id, account_id, role, state, created_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (community_id, account_id) DO UPDATE SET role = excluded.role, state = excluded.state")
        .bind(community_id)
        .bind(account_id)
        .bind(role.as_str())
        .bind(state.as_str())
        .bind(super::now())
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Makes an account an active member of a community unless it is one already (a role it has stays;
/// a pending request becomes a membership): whether it was not before.
pub async fn ensure_member(c: &mut Conn<'_>, community_id: i64, account_id: i64) -> Result<bool> {
    let n = on_conn!(c, c => sqlx::query(
        "INSERT INTO memberships (community_id, account_id, role, state, created_at) VALUES ($1, $2, 'member', 'active', $3) \
         ON CONFLICT (community_id, account_id) DO UPDATE SET state = 'active' WHERE memberships.state <> 'active'")
        .bind(community_id)
        .bind(account_id)
        .bind(super::now())
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// An account's membership in a community, if any.
pub async fn membership(
    c: &mut Conn<'_>,
    community_id: i64,
    account_id: i64,
) -> Result<Option<Membership>> {
    let sql = format!("{MEMBERSHIP_SELECT} WHERE m.community_id = $1 AND m.account_id = $2");
    let row: Option<MembershipRow> = on_conn!(c, c => sqlx::query_as(&sql)
        .bind(community_id)
        .bind(account_id)
        .fetch_optional(&mut **c)
        .await)?;
    row.map(TryInto::try_into).transpose()
}

/// The active owners and managers of a community, by username.
pub async fn managers(c: &mut Conn<'_>, community_id: i64) -> Result<Vec<Membership>> {
    let sql = format!(
        "{MEMBERSHIP_SELECT} WHERE m.community_id = $1 AND m.state = 'active' AND m.role IN ('owner', 'manager') \
         ORDER BY a.username"
    );
    let rows: Vec<MembershipRow> =
        on_conn!(c, c => sqlx::query_as(&sql).bind(community_id).fetch_all(&mut **c).await)?;
    rows.into_iter().map(TryInto::try_into).collect()
}

/// Removes a membership; returns whether there was one.
pub async fn delete_membership(
    c: &mut Conn<'_>,
    community_id: i64,
    account_id: i64,
) -> Result<bool> {
    let n = on_conn!(c, c => sqlx::query("DELETE FROM memberships WHERE community_id = $1 AND account_id = $2")
        .bind(community_id)
        .bind(account_id)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n > 0)
}
