//! The remote-follow form: a visitor gives their own fediverse address and is sent to their
//! server's page for following or joining one of ours.

use axum::{
    Form,
    extract::State,
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

use crate::error::{Error, Refusal};
use crate::service::Verkosto;
use crate::web::{PageError, Visitor, urlencode};

#[derive(Deserialize)]
pub(in crate::web) struct RemoteFollowForm {
    /// The visitor's own fediverse address, `name@server`.
    address: String,
    /// What to follow or join (an actor or event id of ours).
    target: String,
    csrf: String,
}

/// "Your fediverse address" -> that server's interaction page for our object, found through its
/// WebFinger subscribe template (Mastodon's `/authorize_interaction` when it has none).
pub(in crate::web) async fn remote_follow(
    State(v): State<Verkosto>,
    p: Visitor,
    Form(form): Form<RemoteFollowForm>,
) -> Result<Response, PageError> {
    p.check_csrf(&form.csrf)?;
    let target = url::Url::parse(&form.target)
        .ok()
        .filter(|t| t.host_str() == v.state().url("/").host_str())
        .ok_or_else(|| p.error(Error::invalid("target", Refusal::NotAnObjectHere)))?;
    let address = form.address.trim().trim_start_matches('@');
    let (user, host) = address
        .split_once('@')
        .filter(|(u, h)| {
            !u.is_empty()
                && !h.is_empty()
                && h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
        })
        .ok_or_else(|| p.error(Error::invalid("address", Refusal::NotAnAddress)))?;
    let scheme = v.settings().scheme();
    // An address on a loopback or private address (`x@127.0.0.1:8080`, `x@2130706433`, a name that
    // resolves there) or on a blocked domain is refused by the outgoing client: say so clearly.
    let template = subscribe_template(&v, scheme, user, host)
        .await
        .map_err(|_| p.error(Error::invalid("address", Refusal::UnreachableAddress)))?;
    let uri = urlencode(target.as_str());
    let destination = match template {
        Some(t) if t.contains("{uri}") => t.replace("{uri}", &uri),
        _ => format!("{scheme}://{host}/authorize_interaction?uri={uri}"),
    };
    Ok(Redirect::to(&destination).into_response())
}

/// The `http://ostatus.org/schema/1.0/subscribe` template of `user@host`, if its server says.
/// `Err` when the outgoing client refuses to contact that server at all.
async fn subscribe_template(
    v: &Verkosto,
    scheme: &str,
    user: &str,
    host: &str,
) -> Result<Option<String>, crate::apub::http_client::Refused> {
    // The instance's one outgoing client: its checks cover every hop, whatever the host says.
    let client = &v.state().http;
    let url = format!(
        "{scheme}://{host}/.well-known/webfinger?resource={}",
        urlencode(&format!("acct:{user}@{host}"))
    );
    let response = match client.get(&url).send().await {
        Ok(r) => r,
        Err(e) if crate::apub::http_client::is_refusal(&e) => {
            return Err(crate::apub::http_client::Refused {
                url: format!("{scheme}://{host}/"),
                why: "not a public server",
            });
        }
        // Unreachable or not speaking WebFinger: Mastodon's interaction page is tried instead.
        Err(_) => return Ok(None),
    };
    Ok(template_of(response.json().await.ok(), host))
}

/// The subscribe template of a WebFinger answer, if it points to `host` itself.
fn template_of(jrd: Option<serde_json::Value>, host: &str) -> Option<String> {
    let jrd = jrd?;
    let template = jrd["links"]
        .as_array()?
        .iter()
        .find(|l| l["rel"] == crate::apub::webfinger::SUBSCRIBE_REL)?["template"]
        .as_str()?
        .to_string();
    // Only a web address on the same server: the template must not send the visitor elsewhere.
    let parsed = url::Url::parse(&template.replace("{uri}", "x")).ok()?;
    (matches!(parsed.scheme(), "http" | "https")
        && parsed
            .host_str()
            .is_some_and(|h| host.split(':').next() == Some(h)))
    .then_some(template)
}
