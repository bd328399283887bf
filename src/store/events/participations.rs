//! Who takes part in an event: participations, their states, and the seats they hold.

use chrono::{DateTime, Utc};

use crate::error::{Error, Result};
use crate::model::{Participation, ParticipationState};
use crate::store::{Conn, on_conn, parse_column};

const PARTICIPATION_COLUMNS: &str = "id, event_id, participant_ap_id, handle, inbox, join_activity_id, state, message, created_at, \
     attended_at";

#[derive(sqlx::FromRow)]
struct ParticipationRow {
    id: i64,
    event_id: i64,
    participant_ap_id: String,
    handle: String,
    inbox: String,
    join_activity_id: String,
    state: String,
    message: Option<String>,
    created_at: DateTime<Utc>,
    attended_at: Option<DateTime<Utc>>,
}

impl TryFrom<ParticipationRow> for Participation {
    type Error = Error;
    fn try_from(r: ParticipationRow) -> Result<Self> {
        Ok(Participation {
            id: r.id,
            event_id: r.event_id,
            instance: r
                .handle
                .rsplit_once('@')
                .map(|(_, h)| h.to_string())
                .unwrap_or_default(),
            participant_ap_id: parse_column("participant_ap_id", &r.participant_ap_id)?,
            handle: r.handle,
            inbox: parse_column("inbox", &r.inbox)?,
            join_activity_id: parse_column("join_activity_id", &r.join_activity_id)?,
            state: parse_column("state", &r.state)?,
            message: r.message,
            created_at: r.created_at,
            attended_at: r.attended_at,
        })
    }
}

/// Records a participation (or replaces the state and `Join` of an existing one).
pub async fn upsert_participation(c: &mut Conn<'_>, p: &Participation) -> Result<Participation> {
    let sql = format!(
        "INSERT INTO participations (event_id, participant_ap_id, handle, inbox, join_activity_id, state, message, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (event_id, participant_ap_id) DO UPDATE SET \
         handle = excluded.handle, inbox = excluded.inbox, join_activity_id = excluded.join_activity_id, \
         state = excluded.state, message = excluded.message RETURNING {PARTICIPATION_COLUMNS}"
    );
    let row: ParticipationRow = on_conn!(c, c => sqlx::query_as(&sql)
        .bind(p.event_id)
        .bind(p.participant_ap_id.as_str())
        .bind(&p.handle)
        .bind(p.inbox.as_str())
        .bind(p.join_activity_id.as_str())
        .bind(p.state.as_str())
        .bind(&p.message)
        .bind(p.created_at)
        .fetch_one(&mut **c)
        .await)?;
    row.try_into()
}

/// One participation of an event, by participant.
pub async fn participation_of(
    c: &mut Conn<'_>,
    event_id: i64,
    participant_ap_id: &str,
) -> Result<Option<Participation>> {
    let sql = format!(
        "SELECT {PARTICIPATION_COLUMNS} FROM participations WHERE event_id = $1 AND participant_ap_id = $2"
    );
    let row: Option<ParticipationRow> = on_conn!(c, c => sqlx::query_as(&sql)
        .bind(event_id)
        .bind(participant_ap_id)
        .fetch_optional(&mut **c)
        .await)?;
    row.map(TryInto::try_into).transpose()
}

/// One participation, by database id, limited to an event.
pub async fn participation(
    c: &mut Conn<'_>,
    event_id: i64,
    id: i64,
) -> Result<Option<Participation>> {
    let sql = format!(
        "SELECT {PARTICIPATION_COLUMNS} FROM participations WHERE event_id = $1 AND id = $2"
    );
    let row: Option<ParticipationRow> = on_conn!(c, c => sqlx::query_as(&sql).bind(event_id).bind(id).fetch_optional(&mut **c).await)?;
    row.map(TryInto::try_into).transpose()
}

/// The participation created by a `Join` with this id.
pub async fn participation_by_join(
    c: &mut Conn<'_>,
    join_activity_id: &str,
) -> Result<Option<Participation>> {
    let sql =
        format!("SELECT {PARTICIPATION_COLUMNS} FROM participations WHERE join_activity_id = $1");
    let row: Option<ParticipationRow> = on_conn!(c, c => sqlx::query_as(&sql).bind(join_activity_id).fetch_optional(&mut **c).await)?;
    row.map(TryInto::try_into).transpose()
}

/// Every participation of an event, oldest first.
pub async fn participations(c: &mut Conn<'_>, event_id: i64) -> Result<Vec<Participation>> {
    let sql = format!(
        "SELECT {PARTICIPATION_COLUMNS} FROM participations WHERE event_id = $1 ORDER BY id"
    );
    let rows: Vec<ParticipationRow> =
        on_conn!(c, c => sqlx::query_as(&sql).bind(event_id).fetch_all(&mut **c).await)?;
    rows.into_iter().map(TryInto::try_into).collect()
}

/// Sets a participation's state.
pub async fn set_participation_state(
    c: &mut Conn<'_>,
    id: i64,
    state: ParticipationState,
) -> Result<()> {
    on_conn!(c, c => sqlx::query("UPDATE participations SET state = $2 WHERE id = $1")
        .bind(id)
        .bind(state.as_str())
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Removes a participation.
pub async fn delete_participation(c: &mut Conn<'_>, id: i64) -> Result<()> {
    on_conn!(c, c => sqlx::query("DELETE FROM participations WHERE id = $1")
        .bind(id)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Counts an event's accepted participants, holding its seats for the rest of the transaction.
pub async fn lock_and_count_accepted(c: &mut Conn<'_>, event_id: i64) -> Result<i64> {
    // Every seat decision counts first, so the count is where concurrent decisions are put in line:
    // PostgreSQL locks the event's row until the transaction ends (under READ COMMITTED two joins
    // would otherwise both count the same free seat); SQLite transactions begin IMMEDIATE, which
    // already serialises writers.
    if let Conn::Postgres(c) = c {
        sqlx::query("SELECT id FROM events WHERE id = $1 FOR UPDATE")
            .bind(event_id)
            .execute(&mut **c)
            .await?;
    }
    let n: i64 = on_conn!(c, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM participations WHERE event_id = $1 AND state = 'accepted'")
        .bind(event_id)
        .fetch_one(&mut **c)
        .await)?;
    Ok(n)
}

/// The longest-waiting waitlisted participant, if any.
pub async fn first_waitlisted(c: &mut Conn<'_>, event_id: i64) -> Result<Option<Participation>> {
    let sql = format!(
        "SELECT {PARTICIPATION_COLUMNS} FROM participations WHERE event_id = $1 AND state = 'waitlisted' ORDER BY id LIMIT 1"
    );
    let row: Option<ParticipationRow> =
        on_conn!(c, c => sqlx::query_as(&sql).bind(event_id).fetch_optional(&mut **c).await)?;
    row.map(TryInto::try_into).transpose()
}
