//! Remote interaction: another server sends one of our people here (`/authorize_interaction`) to
//! follow an actor or take part in an event it showed them.

use askama::Template;
use axum::{
    Form,
    extract::{Query, State},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

use crate::error::{Error, Refusal};
use crate::service::Verkosto;
use crate::web::{PageError, Visitor, render, urlencode};

#[derive(Deserialize)]
pub(super) struct InteractionQuery {
    #[serde(default)]
    uri: String,
}

/// What the interaction page offers for an object.
enum Interaction {
    /// Follow this actor (`name@host`).
    Follow {
        /// The actor's handle.
        handle: String,
        /// Its shown name.
        name: String,
    },
    /// Take part in this event.
    Participate,
}

#[derive(Template)]
#[template(path = "interact.html")]
struct InteractionPage {
    p: Visitor,
    uri: String,
    offer: Interaction,
    done: Option<String>,
}

impl InteractionPage {
    fn follow_handle(&self) -> Option<(&str, &str)> {
        match &self.offer {
            Interaction::Follow { handle, name } => Some((handle, name)),
            Interaction::Participate => None,
        }
    }
}

/// What the object at `uri` (an `acct:` handle or an ActivityPub id) lets one do: an actor can be
/// followed; anything else is offered as an event to take part in.
async fn offer_for(v: &Verkosto, uri: &str) -> Result<Interaction, Error> {
    let uri = uri.trim();
    if let Some(handle) = uri.strip_prefix("acct:") {
        let actor = v.lookup(handle).await?;
        return Ok(Interaction::Follow {
            handle: format!("{}@{}", actor.username, actor.domain),
            name: actor.display_name.unwrap_or(actor.username),
        });
    }
    let url = url::Url::parse(uri).map_err(|_| Error::invalid("uri", Refusal::NotAUrlOrHandle))?;
    match crate::apub::actor::resolve_remote(&v.federation_data(), &url).await {
        Ok(actor) => Ok(Interaction::Follow {
            handle: format!("{}@{}", actor.username, actor.domain),
            name: actor.display_name.unwrap_or(actor.username),
        }),
        Err(_) => Ok(Interaction::Participate),
    }
}

pub(super) async fn interaction(
    State(v): State<Verkosto>,
    Query(q): Query<InteractionQuery>,
    p: Visitor,
) -> Result<Response, PageError> {
    if p.account.is_none() {
        let back = format!("/authorize_interaction?uri={}", urlencode(&q.uri));
        return Ok(Redirect::to(&format!("/login?next={}", urlencode(&back))).into_response());
    }
    let offer = offer_for(&v, &q.uri).await.map_err(|e| p.error(e))?;
    let page = InteractionPage {
        p,
        uri: q.uri,
        offer,
        done: None,
    };
    Ok(render(&page, &page.p))
}

#[derive(Deserialize)]
pub(super) struct InteractionForm {
    csrf: String,
    uri: String,
}

pub(super) async fn interact(
    State(v): State<Verkosto>,
    p: Visitor,
    Form(form): Form<InteractionForm>,
) -> Result<Response, PageError> {
    p.check_csrf(&form.csrf)?;
    let account = p.require_account()?.clone();
    let offer = offer_for(&v, &form.uri).await.map_err(|e| p.error(e))?;
    let done = match &offer {
        Interaction::Follow { handle, .. } => {
            v.follow(&account, handle).await.map_err(|e| p.error(e))?;
            p.t_with("interact-followed", "name", handle)
        }
        Interaction::Participate => {
            v.participate(&account, &form.uri)
                .await
                .map_err(|e| p.error(e))?;
            p.t("interact-joined")
        }
    };
    let page = InteractionPage {
        p,
        uri: form.uri,
        offer,
        done: Some(done),
    };
    Ok(render(&page, &page.p))
}
