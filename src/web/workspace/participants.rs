//! An event's participants: the list with the requests still to decide, the decisions, and the
//! list as CSV for a spreadsheet.

use askama::Template;
use axum::{
    Form,
    extract::{Path, State},
    response::{IntoResponse, Redirect, Response},
};

use super::{DecisionForm, managed_event};
use crate::error::Error;
use crate::model::{Community, Event, Participation};
use crate::service::Verkosto;
use crate::web::{PageError, Visitor, render, spreadsheet_text};

/// A participant row.
struct ParticipantRow {
    /// The participation.
    pub x: Participation,
    /// When they asked, in the manager's language.
    pub when: String,
}

impl ParticipantRow {
    /// Whether they hold a seat, so can be checked in at the door.
    pub fn seated(&self) -> bool {
        self.x.state == crate::model::ParticipationState::Accepted
    }

    /// Whether a manager can still decide on it.
    pub fn undecided(&self) -> bool {
        matches!(
            self.x.state,
            crate::model::ParticipationState::Pending
                | crate::model::ParticipationState::Waitlisted
        )
    }
}

#[derive(Template)]
#[template(path = "participants.html")]
struct ParticipantsPage {
    p: Visitor,
    e: Event,
    c: Community,
    rows: Vec<ParticipantRow>,
    /// The feedback poll's results, once sent (issue 16).
    feedback: Option<FeedbackView>,
    /// Whether a feedback poll can be sent now (the event is over and none was sent).
    can_ask: bool,
}

/// A feedback poll's results as the participant page shows them.
struct FeedbackView {
    question: String,
    choices: Vec<(String, String)>,
    responses: String,
    average: Option<String>,
    answers: Vec<crate::service::AnswerView>,
}

pub(super) async fn participants(
    State(v): State<Verkosto>,
    Path(id): Path<String>,
    p: Visitor,
) -> Result<Response, PageError> {
    let (event, c) = managed_event(&v, &p, &id).await?;
    let account = p.require_account()?;
    let rows = v
        .participants(account, &id)
        .await
        .map_err(|e| p.error(e))?
        .into_iter()
        .map(|x| ParticipantRow {
            when: p.lang.datetime(&x.created_at, &event.timezone),
            x,
        })
        .collect();
    let feedback = match v.feedback_results(account, &id).await {
        Ok(r) => Some(FeedbackView {
            question: r.poll.question,
            choices: r
                .choices
                .into_iter()
                .map(|c| (c.name, p.lang.number(c.votes)))
                .collect(),
            responses: p.lang.number(r.responses),
            average: r.average.map(|a| p.lang.decimal(a)),
            answers: r.answers,
        }),
        Err(Error::Refused(crate::error::Refusal::NoFeedbackPoll)) => None,
        Err(e) => return Err(p.error(e)),
    };
    let page = ParticipantsPage {
        can_ask: feedback.is_none() && event.ends_at <= chrono::Utc::now(),
        feedback,
        p,
        e: event,
        c,
        rows,
    };
    Ok(render(&page, &page.p))
}

/// The participant list as CSV (handle, instance, state, since, message) for a spreadsheet.
pub(super) async fn participants_csv(
    State(v): State<Verkosto>,
    Path(id): Path<String>,
    p: Visitor,
) -> Result<Response, PageError> {
    let (event, _) = managed_event(&v, &p, &id).await?;
    let account = p.require_account()?;
    let list = v.participants(account, &id).await.map_err(|e| p.error(e))?;
    let filename = format!("participants-{}.csv", event.public_id);
    super::csv_response(&p, filename, |out| {
        out.write_record(["handle", "instance", "state", "since", "message"])?;
        for x in &list {
            // Handles, instances and messages come from other servers: every cell is written
            // as text a spreadsheet will not run.
            out.write_record(
                [
                    x.handle.as_str(),
                    x.instance.as_str(),
                    x.state.as_str(),
                    &x.created_at.to_rfc3339(),
                    x.message.as_deref().unwrap_or(""),
                ]
                .map(spreadsheet_text),
            )?;
        }
        Ok(())
    })
}

pub(super) async fn decide_participation(
    State(v): State<Verkosto>,
    Path((id, pid)): Path<(String, i64)>,
    p: Visitor,
    Form(form): Form<DecisionForm>,
) -> Result<Response, PageError> {
    p.check_csrf(&form.csrf)?;
    let account = p.require_account()?;
    v.decide_participation(account, &id, pid, form.accept(&p)?)
        .await
        .map_err(|e| p.error(e))?;
    Ok(Redirect::to(&format!("/manage/events/{id}/participants")).into_response())
}

/// The form sending the feedback poll: the default rating, and an open question if typed.
#[derive(serde::Deserialize)]
pub(super) struct AskFeedbackForm {
    csrf: String,
    #[serde(default)]
    open_question: String,
}

pub(super) async fn ask_feedback(
    State(v): State<Verkosto>,
    Path(id): Path<String>,
    p: Visitor,
    Form(form): Form<AskFeedbackForm>,
) -> Result<Response, PageError> {
    p.check_csrf(&form.csrf)?;
    let account = p.require_account()?;
    let open_question = Some(form.open_question.trim().to_string()).filter(|q| !q.is_empty());
    v.send_feedback_poll(
        account,
        &id,
        crate::service::NewFeedbackPoll {
            open_question,
            ..Default::default()
        },
    )
    .await
    .map_err(|e| p.error(e))?;
    Ok(Redirect::to(&format!("/manage/events/{id}/participants#feedback")).into_response())
}

/// Picking an answer to quote in the shared report, or taking it back.
#[derive(serde::Deserialize)]
pub(super) struct FeatureForm {
    csrf: String,
    /// `yes` or `no`.
    featured: String,
}

pub(super) async fn feature_answer(
    State(v): State<Verkosto>,
    Path((id, answer)): Path<(String, i64)>,
    p: Visitor,
    Form(form): Form<FeatureForm>,
) -> Result<Response, PageError> {
    p.check_csrf(&form.csrf)?;
    let account = p.require_account()?;
    v.feature_answer(account, &id, answer, form.featured == "yes")
        .await
        .map_err(|e| p.error(e))?;
    Ok(Redirect::to(&format!("/manage/events/{id}/participants#feedback")).into_response())
}
