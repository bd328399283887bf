//! An event's participants: the list with the requests still to decide, the decisions, and the
//! list as CSV for a spreadsheet.

use askama::Template;
use axum::{
    Form,
    extract::{Path, State},
    http::header,
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
    let page = ParticipantsPage {
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
    let mut out = csv::Writer::from_writer(Vec::new());
    let written: Result<(), csv::Error> = (|| {
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
    })();
    let body = written
        .map_err(|e| e.to_string())
        .and_then(|()| out.into_inner().map_err(|e| e.to_string()))
        .map_err(|e| p.error(Error::Internal(format!("CSV: {e}"))))?;
    let disposition = format!(
        "attachment; filename=\"participants-{}.csv\"",
        event.public_id
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response())
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
