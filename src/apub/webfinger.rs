//! WebFinger (RFC 7033): `acct:name@domain` to an actor, for communities and accounts alike.

use activitypub_federation::fetch::webfinger::{Webfinger, build_webfinger_response};

use crate::context::AppState;
use crate::error::{Error, Result};
use crate::store;

/// The WebFinger link relation of a remote-interaction page template (`{uri}` is the object).
pub const SUBSCRIBE_REL: &str = "http://ostatus.org/schema/1.0/subscribe";

/// The content type WebFinger answers carry.
pub const JRD_CONTENT_TYPE: &str = "application/jrd+json";

/// Answers a WebFinger query for `resource` (`acct:name@domain`, or the actor's URL).
pub async fn lookup(state: &AppState, resource: &str) -> Result<Webfinger> {
    let domain = &state.settings.domain;
    let name = if let Some(acct) = resource.strip_prefix("acct:") {
        let (name, host) = acct
            .rsplit_once('@')
            .ok_or_else(|| Error::BadRequest("resource must be acct:name@domain".into()))?;
        if !host.eq_ignore_ascii_case(domain) {
            return Err(Error::NotFound(format!("{acct} (not on this instance)")));
        }
        name.to_string()
    } else {
        let url = url::Url::parse(resource)
            .map_err(|_| Error::BadRequest("resource must be acct:name@domain or a URL".into()))?;
        state
            .urls()
            .actor_name(&url)
            .ok_or_else(|| Error::NotFound(resource.to_string()))?
    };
    let subject = format!("acct:{name}@{domain}");
    // A failed lookup counts as not found, as for any unknown name.
    let (community, account) = match state.db.acquire().await {
        Ok(mut c) => (
            store::communities::find_by_name(&mut c.conn(), &name)
                .await
                .ok()
                .flatten()
                .map(|c| c.visibility),
            store::accounts::find_by_username(&mut c.conn(), &name)
                .await
                .is_ok_and(|a| a.is_some()),
        ),
        Err(_) => (None, false),
    };
    let id = if let Some(visibility) = community {
        let id = super::actor::community_id(state, &name);
        if visibility.is_members() {
            // A members-only community (issue 18): WebFinger is asked without credentials, and a
            // member's server must find the actor to fetch it, signed. The answer says only where
            // the actor is (which answers 404 to anyone else): no profile page, no aliases.
            let mut answer = build_webfinger_response(subject, id);
            answer.links.retain(|l| l.rel.as_deref() == Some("self"));
            answer.aliases = vec![];
            return Ok(answer);
        }
        id
    } else if account {
        super::actor::account_id(state, &name)
    } else if name == *domain {
        super::actor::instance_id(state)
    } else {
        return Err(Error::NotFound(subject));
    };
    let mut answer = build_webfinger_response(subject, id.clone());
    answer.aliases = vec![id];
    // Where other servers send one of our people to follow or join something of theirs
    // (OStatus "remote follow", still how Mastodon, Mobilizon and others offer it).
    answer
        .links
        .push(activitypub_federation::fetch::webfinger::WebfingerLink {
            rel: Some(SUBSCRIBE_REL.into()),
            kind: None,
            href: None,
            template: Some(format!(
                "{}authorize_interaction?uri={{uri}}",
                state.url("/")
            )),
            properties: Default::default(),
        });
    Ok(answer)
}
