//! Posting an announcement from a community's workspace page, with a preview of the rendered text.

use axum::{
    Form,
    extract::{Path, State},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

use super::communities::{CommunityForm, workspace_with};
use super::{FieldErrors, non_empty};
use crate::model::NewAnnouncement;
use crate::service::Verkosto;
use crate::web::{PageError, Visitor};

/// The announcement form, as typed.
#[derive(Deserialize, Default)]
pub(super) struct AnnouncementForm {
    #[serde(default)]
    csrf: String,
    /// Optional title (makes it an `Article`).
    #[serde(default)]
    pub title: String,
    /// Markdown text.
    #[serde(default)]
    pub content: String,
    /// `preview` shows the rendered text instead of publishing.
    #[serde(default)]
    action: String,
}

pub(super) async fn post_announcement(
    State(v): State<Verkosto>,
    Path(name): Path<String>,
    p: Visitor,
    Form(form): Form<AnnouncementForm>,
) -> Result<Response, PageError> {
    p.check_csrf(&form.csrf)?;
    let account = p.require_account()?.clone();
    let c = v.community(&name).await.map_err(|e| p.error(e))?;
    let again = |p: Visitor, form: AnnouncementForm, errors: FieldErrors, preview| {
        let community_form = CommunityForm::of(&c);
        workspace_with(
            &v,
            p,
            c.clone(),
            community_form,
            FieldErrors::default(),
            form,
            errors,
            preview,
        )
    };
    if form.action == "preview" {
        let html = crate::sanitize::markdown(&form.content);
        return again(p, form, FieldErrors::default(), Some(html)).await;
    }
    let new = NewAnnouncement {
        content: form.content.clone(),
        title: non_empty(&form.title),
        image_url: None,
        tags: None,
        language: Some(p.lang.code().to_string()),
        pinned: None,
        visibility: None,
    };
    match v.create_announcement(&account, &name, new).await {
        Ok(a) => {
            Ok(Redirect::to(v.state().urls().announcement(&a.public_id).path()).into_response())
        }
        Err(e) => {
            let errors =
                FieldErrors::from_error(e, &[("content", "content"), ("title", "title")], &p)
                    .map_err(|e| p.error(e))?;
            again(p, form, errors, None).await
        }
    }
}
