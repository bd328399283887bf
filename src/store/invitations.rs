//! Invitations into a community (issue 18): by handle (a remote person, whose follow is then accepted
//! without a manager) or by e-mail (a link whose secret the account that opens it takes).

use chrono::{DateTime, Utc};

use super::{Conn, on_conn};
use crate::error::Result;

/// An invitation as managers see it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
pub struct Invitation {
    /// Its id (to take it back).
    pub id: i64,
    /// The invited remote person, by actor id.
    pub actor_ap_id: Option<String>,
    /// The invited address.
    pub email: Option<String>,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When it was taken up (a follow accepted, a link opened).
    pub accepted_at: Option<DateTime<Utc>>,
}

const COLUMNS: &str = "id, actor_ap_id, email, created_at, accepted_at";

/// Records an invitation of a remote actor; inviting the same actor again keeps the first.
pub async fn invite_actor(
    c: &mut Conn<'_>,
    community_id: i64,
    actor_ap_id: &str,
    by: i64,
    at: DateTime<Utc>,
) -> Result<Invitation> {
    let sql = format!(
        "INSERT INTO community_invitations (community_id, actor_ap_id, invited_by, created_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (community_id, actor_ap_id) \
         DO UPDATE SET created_at = community_invitations.created_at RETURNING {COLUMNS}"
    );
    let row: Invitation = on_conn!(c, c => sqlx::query_as(&sql)
        .bind(community_id)
        .bind(actor_ap_id)
        .bind(by)
        .bind(at)
        .fetch_one(&mut **c)
        .await)?;
    Ok(row)
}

/// Records an invitation by e-mail under the secret of its link.
pub async fn invite_email(
    c: &mut Conn<'_>,
    community_id: i64,
    (email, token): (&str, &str),
    by: i64,
    at: DateTime<Utc>,
) -> Result<Invitation> {
    let sql = format!(
        "INSERT INTO community_invitations (community_id, email, token, invited_by, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING {COLUMNS}"
    );
    let row: Invitation = on_conn!(c, c => sqlx::query_as(&sql)
        .bind(community_id)
        .bind(email)
        .bind(token)
        .bind(by)
        .bind(at)
        .fetch_one(&mut **c)
        .await)?;
    Ok(row)
}

/// Marks the invitation of `actor_ap_id` into the community taken, if there is one not taken yet.
pub async fn take_actor(
    c: &mut Conn<'_>,
    community_id: i64,
    actor_ap_id: &str,
    at: DateTime<Utc>,
) -> Result<bool> {
    let n = on_conn!(c, c => sqlx::query(
        "UPDATE community_invitations SET accepted_at = $3 \
         WHERE community_id = $1 AND actor_ap_id = $2 AND accepted_at IS NULL")
        .bind(community_id)
        .bind(actor_ap_id)
        .bind(at)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// The community of an e-mail invitation's secret, if it is not taken yet, marking it taken.
pub async fn take_token(c: &mut Conn<'_>, token: &str, at: DateTime<Utc>) -> Result<Option<i64>> {
    let community: Option<i64> = on_conn!(c, c => sqlx::query_scalar(
        "UPDATE community_invitations SET accepted_at = $2 WHERE token = $1 AND accepted_at IS NULL \
         RETURNING community_id")
        .bind(token)
        .bind(at)
        .fetch_optional(&mut **c)
        .await)?;
    Ok(community)
}

/// The community an e-mail invitation's secret names, taken or not.
pub async fn community_of_token(c: &mut Conn<'_>, token: &str) -> Result<Option<i64>> {
    let community: Option<i64> = on_conn!(c, c => sqlx::query_scalar(
        "SELECT community_id FROM community_invitations WHERE token = $1")
        .bind(token)
        .fetch_optional(&mut **c)
        .await)?;
    Ok(community)
}

/// A community's invitations, newest first.
pub async fn of_community(c: &mut Conn<'_>, community_id: i64) -> Result<Vec<Invitation>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM community_invitations WHERE community_id = $1 ORDER BY id DESC"
    );
    let rows: Vec<Invitation> =
        on_conn!(c, c => sqlx::query_as(&sql).bind(community_id).fetch_all(&mut **c).await)?;
    Ok(rows)
}

/// Takes an invitation back; whether there was one.
pub async fn delete(c: &mut Conn<'_>, community_id: i64, id: i64) -> Result<bool> {
    let n = on_conn!(c, c => sqlx::query(
        "DELETE FROM community_invitations WHERE community_id = $1 AND id = $2")
        .bind(community_id)
        .bind(id)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n > 0)
}
