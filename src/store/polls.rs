//! Feedback polls of events (issue 16): the poll, one invitation (`Question`) per fediverse
//! participant, and one row of answers per person.

use chrono::{DateTime, Utc};

use super::{Conn, on_conn};
use crate::error::{Error, Result};

/// What a poll is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PollKind {
    /// Feedback after the event, sent to each participant.
    Feedback,
    /// Going / Maybe / Can't go, public with the event: votes are participations.
    Rsvp,
}

impl PollKind {
    fn as_str(self) -> &'static str {
        match self {
            PollKind::Feedback => "feedback",
            PollKind::Rsvp => "rsvp",
        }
    }
}

/// A poll of an event.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Poll {
    /// Database id.
    #[serde(skip)]
    pub id: i64,
    /// What it is for.
    pub kind: PollKind,
    /// The event's database id.
    #[serde(skip)]
    pub event_id: i64,
    /// Public id.
    pub public_id: String,
    /// The question.
    pub question: String,
    /// The choices, in order.
    pub options: Vec<String>,
    /// An open question answered in words, if any.
    pub open_question: Option<String>,
    /// When answers stop being taken.
    pub closes_at: DateTime<Utc>,
    /// When it was sent.
    pub created_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct PollRow {
    id: i64,
    kind: String,
    event_id: i64,
    public_id: String,
    question: String,
    options: String,
    open_question: Option<String>,
    closes_at: DateTime<Utc>,
    created_at: DateTime<Utc>,
}

impl TryFrom<PollRow> for Poll {
    type Error = Error;
    fn try_from(r: PollRow) -> Result<Poll> {
        Ok(Poll {
            options: serde_json::from_str(&r.options)
                .map_err(|e| Error::Internal(format!("poll {} options: {e}", r.id)))?,
            kind: if r.kind == "rsvp" {
                PollKind::Rsvp
            } else {
                PollKind::Feedback
            },
            id: r.id,
            event_id: r.event_id,
            public_id: r.public_id,
            question: r.question,
            open_question: r.open_question,
            closes_at: r.closes_at,
            created_at: r.created_at,
        })
    }
}

const POLL_COLUMNS: &str =
    "id, kind, event_id, public_id, question, options, open_question, closes_at, created_at";

/// Stores a new poll; `None` when the event has one already.
pub async fn insert(c: &mut Conn<'_>, poll: &Poll) -> Result<Option<Poll>> {
    let options = serde_json::to_string(&poll.options)
        .map_err(|e| Error::Internal(format!("poll options: {e}")))?;
    let sql = format!(
        "INSERT INTO polls (event_id, public_id, question, options, open_question, closes_at, created_at, kind) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (event_id, kind) DO NOTHING RETURNING {POLL_COLUMNS}"
    );
    let row: Option<PollRow> = on_conn!(c, c => sqlx::query_as(&sql)
        .bind(poll.event_id)
        .bind(&poll.public_id)
        .bind(&poll.question)
        .bind(&options)
        .bind(&poll.open_question)
        .bind(poll.closes_at)
        .bind(poll.created_at)
        .bind(poll.kind.as_str())
        .fetch_optional(&mut **c)
        .await)?;
    row.map(TryInto::try_into).transpose()
}

/// The poll of an event of one kind.
pub async fn of_event(c: &mut Conn<'_>, event_id: i64, kind: PollKind) -> Result<Option<Poll>> {
    let sql = format!("SELECT {POLL_COLUMNS} FROM polls WHERE event_id = $1 AND kind = $2");
    let row: Option<PollRow> = on_conn!(c, c => sqlx::query_as(&sql)
        .bind(event_id)
        .bind(kind.as_str())
        .fetch_optional(&mut **c)
        .await)?;
    row.map(TryInto::try_into).transpose()
}

/// A public poll (RSVP) by its public id.
pub async fn public_poll(c: &mut Conn<'_>, public_id: &str) -> Result<Option<Poll>> {
    let sql = format!("SELECT {POLL_COLUMNS} FROM polls WHERE public_id = $1 AND kind = 'rsvp'");
    let row: Option<PollRow> =
        on_conn!(c, c => sqlx::query_as(&sql).bind(public_id).fetch_optional(&mut **c).await)?;
    row.map(TryInto::try_into).transpose()
}

/// Records `voter`'s choice in a poll where a new vote replaces the last (RSVP).
pub async fn revote(
    c: &mut Conn<'_>,
    poll_id: i64,
    voter: &str,
    choice: &str,
    at: DateTime<Utc>,
) -> Result<()> {
    on_conn!(c, c => sqlx::query(
        "INSERT INTO poll_votes (poll_id, voter_ap_id, choice, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (poll_id, voter_ap_id) DO UPDATE SET choice = excluded.choice")
        .bind(poll_id)
        .bind(voter)
        .bind(choice)
        .bind(at)
        .execute(&mut **c)
        .await
        .map(|_| ()))?;
    Ok(())
}

/// Records that `recipient` was sent the poll as the `Question` `public_id`.
pub async fn invite(
    c: &mut Conn<'_>,
    poll_id: i64,
    recipient: &str,
    public_id: &str,
    at: DateTime<Utc>,
) -> Result<()> {
    on_conn!(c, c => sqlx::query(
        "INSERT INTO poll_invitations (poll_id, recipient_ap_id, public_id, created_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (poll_id, recipient_ap_id) DO NOTHING")
        .bind(poll_id)
        .bind(recipient)
        .bind(public_id)
        .bind(at)
        .execute(&mut **c)
        .await
        .map(|_| ()))?;
    Ok(())
}

/// The poll and recipient behind the `Question` `public_id`.
pub async fn invitation(c: &mut Conn<'_>, public_id: &str) -> Result<Option<(Poll, String)>> {
    let sql = format!(
        "SELECT {}, i.recipient_ap_id FROM polls p JOIN poll_invitations i ON i.poll_id = p.id \
         WHERE i.public_id = $1",
        POLL_COLUMNS
            .split(", ")
            .map(|c| format!("p.{c}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        poll: PollRow,
        recipient_ap_id: String,
    }
    let row: Option<Row> =
        on_conn!(c, c => sqlx::query_as(&sql).bind(public_id).fetch_optional(&mut **c).await)?;
    row.map(|r| Ok((r.poll.try_into()?, r.recipient_ap_id)))
        .transpose()
}

/// How many were sent the poll as a `Question`.
pub async fn invited(c: &mut Conn<'_>, poll_id: i64) -> Result<i64> {
    Ok(on_conn!(c, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM poll_invitations WHERE poll_id = $1")
        .bind(poll_id)
        .fetch_one(&mut **c)
        .await)?)
}

/// Records `voter`'s choice; a person's first choice stands. Returns whether it was recorded.
pub async fn vote(
    c: &mut Conn<'_>,
    poll_id: i64,
    voter: &str,
    choice: &str,
    at: DateTime<Utc>,
) -> Result<bool> {
    let n = on_conn!(c, c => sqlx::query(
        "INSERT INTO poll_votes (poll_id, voter_ap_id, choice, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (poll_id, voter_ap_id) DO UPDATE SET choice = excluded.choice \
         WHERE poll_votes.choice IS NULL")
        .bind(poll_id)
        .bind(voter)
        .bind(choice)
        .bind(at)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// Records `voter`'s answer to the open question; the first stands. Returns whether it was recorded.
pub async fn answer(
    c: &mut Conn<'_>,
    poll_id: i64,
    voter: &str,
    answer: &str,
    at: DateTime<Utc>,
) -> Result<bool> {
    let n = on_conn!(c, c => sqlx::query(
        "INSERT INTO poll_votes (poll_id, voter_ap_id, answer, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (poll_id, voter_ap_id) DO UPDATE SET answer = excluded.answer \
         WHERE poll_votes.answer IS NULL")
        .bind(poll_id)
        .bind(voter)
        .bind(answer)
        .bind(at)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// One person's answers, without who they are.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Answers {
    /// Database id (to pick the open answer for the report).
    pub id: i64,
    /// Whether a manager picked the open answer for the report.
    pub featured: bool,
    /// The choice, if they voted.
    pub choice: Option<String>,
    /// The open answer, if they wrote one.
    pub answer: Option<String>,
}

/// Every person's answers to a poll, oldest first.
pub async fn answers(c: &mut Conn<'_>, poll_id: i64) -> Result<Vec<Answers>> {
    Ok(on_conn!(c, c => sqlx::query_as(
        "SELECT id, featured, choice, answer FROM poll_votes WHERE poll_id = $1 ORDER BY id")
        .bind(poll_id)
        .fetch_all(&mut **c)
        .await)?)
}

/// Whether `voter` has chosen already.
pub async fn has_voted(c: &mut Conn<'_>, poll_id: i64, voter: &str) -> Result<bool> {
    let n: i64 = on_conn!(c, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM poll_votes WHERE poll_id = $1 AND voter_ap_id = $2 AND choice IS NOT NULL")
        .bind(poll_id)
        .bind(voter)
        .fetch_one(&mut **c)
        .await)?;
    Ok(n > 0)
}

/// The choices made in the polls of the community's events starting within `[from, to)`.
pub async fn choices_of_community(
    c: &mut Conn<'_>,
    community_id: i64,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<(i64, String)>> {
    Ok(on_conn!(c, c => sqlx::query_as(
        "SELECT p.id, v.choice FROM poll_votes v JOIN polls p ON p.id = v.poll_id \
         JOIN events e ON e.id = p.event_id \
         WHERE e.community_id = $1 AND e.starts_at >= $2 AND e.starts_at < $3 AND v.choice IS NOT NULL \
           AND p.kind = 'feedback'")
        .bind(community_id)
        .bind(from)
        .bind(to)
        .fetch_all(&mut **c)
        .await)?)
}

/// How many polls the community's events starting within `[from, to)` had.
pub async fn polls_of_community(
    c: &mut Conn<'_>,
    community_id: i64,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<i64> {
    Ok(on_conn!(c, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM polls p JOIN events e ON e.id = p.event_id \
         WHERE e.community_id = $1 AND e.starts_at >= $2 AND e.starts_at < $3 AND p.kind = 'feedback'")
        .bind(community_id)
        .bind(from)
        .bind(to)
        .fetch_one(&mut **c)
        .await)?)
}

/// Picks (or unpicks) answer `id` of poll `poll_id` for the report; returns whether it has words.
pub async fn set_featured(c: &mut Conn<'_>, poll_id: i64, id: i64, featured: bool) -> Result<bool> {
    let n = on_conn!(c, c => sqlx::query(
        "UPDATE poll_votes SET featured = $3 WHERE poll_id = $1 AND id = $2 AND answer IS NOT NULL")
        .bind(poll_id)
        .bind(id)
        .bind(featured)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// The answers managers picked from the polls of the community's events starting within
/// `[from, to)`, oldest first.
pub async fn featured_of_community(
    c: &mut Conn<'_>,
    community_id: i64,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<String>> {
    Ok(on_conn!(c, c => sqlx::query_scalar(
        "SELECT v.answer FROM poll_votes v JOIN polls p ON p.id = v.poll_id \
         JOIN events e ON e.id = p.event_id \
         WHERE e.community_id = $1 AND e.starts_at >= $2 AND e.starts_at < $3 AND v.featured \
           AND v.answer IS NOT NULL ORDER BY v.id")
        .bind(community_id)
        .bind(from)
        .bind(to)
        .fetch_all(&mut **c)
        .await)?)
}
