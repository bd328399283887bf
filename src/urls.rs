//! Every local URL, built and parsed in one place (as GoToSocial's `internal/uris`): the ids of our
//! actors, objects and activities, their collections and feeds. Router path patterns stay where the
//! routes are; everything that makes or reads an address goes through [`LocalUrls`].

use url::Url;

/// A part of a local actor or object, addressed under its id (`{id}/followers`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The actor's own inbox.
    Inbox,
    /// The actor's outbox.
    Outbox,
    /// The actor's followers collection.
    Followers,
    /// A network's members collection.
    Members,
    /// A community's moderators (its managers).
    Moderators,
    /// A community's upcoming events collection.
    Upcoming,
    /// An event's replies (its comments).
    Replies,
}

impl Part {
    fn segment(self) -> &'static str {
        match self {
            Part::Inbox => "inbox",
            Part::Outbox => "outbox",
            Part::Followers => "followers",
            Part::Members => "members",
            Part::Moderators => "moderators",
            Part::Upcoming => "upcoming",
            Part::Replies => "replies",
        }
    }
}

/// What a local URL names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LocalObject {
    /// The instance actor (`/actor`).
    InstanceActor,
    /// The shared inbox (`/inbox`).
    SharedInbox,
    /// A community (`/c/{name}`).
    Community(String),
    /// A local account (`/u/{name}`).
    Account(String),
    /// An event (`/e/{public_id}`).
    Event(String),
    /// An announcement (`/a/{public_id}`).
    Announcement(String),
    /// An activity we published (`/activities/{id}`).
    Activity(String),
    /// A feedback poll as one participant was sent it (`/q/{id}`).
    Question(String),
    /// A series of recurring events (`/s/{public_id}`).
    Series(String),
    /// A visitor taking part by e-mail, as a participant (`/guests/{public_id}`; nothing is
    /// served or delivered there).
    Guest(String),
}

/// Builds and parses the URLs of one instance, from its root URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalUrls {
    base: Url,
}

impl LocalUrls {
    /// The URLs under `base`, the instance's root (`https://verkosto.example/`).
    pub fn new(base: Url) -> Self {
        LocalUrls { base }
    }

    /// The instance's root URL.
    pub fn base(&self) -> &Url {
        &self.base
    }

    /// The absolute URL of `path` on this instance. Paths are ours, but may carry ids taken from
    /// requests: anything that does not join cleanly yields the root rather than a panic.
    pub fn path(&self, path: &str) -> Url {
        self.base.join(path).unwrap_or_else(|_| self.base.clone())
    }

    /// `part` of the local actor or object `id` (`{id}/followers`, `{id}/replies`, ...).
    pub fn part(id: &Url, part: Part) -> Url {
        let mut url = id.clone();
        if let Ok(mut segments) = url.path_segments_mut() {
            segments.push(part.segment());
        }
        url
    }

    /// A community's id (`/c/{name}`).
    pub fn community(&self, name: &str) -> Url {
        self.path(&format!("/c/{name}"))
    }

    /// `part` of a community (`/c/{name}/inbox`, `/followers`, `/members`, ...).
    pub fn community_part(&self, name: &str, part: Part) -> Url {
        Self::part(&self.community(name), part)
    }

    /// A community's Atom feed of announcements.
    pub fn community_atom(&self, name: &str) -> Url {
        self.path(&format!("/c/{name}/feed.atom"))
    }

    /// A community's iCalendar feed of events.
    pub fn community_ics(&self, name: &str) -> Url {
        self.path(&format!("/c/{name}/events.ics"))
    }

    /// A community's embeddable widget.
    pub fn community_embed(&self, name: &str) -> Url {
        self.path(&format!("/c/{name}/embed"))
    }

    /// A hashtag's page (`/tags/{tag}`).
    pub fn tag(&self, tag: &str) -> Url {
        self.path(&format!("/tags/{tag}"))
    }

    /// A local account's id (`/u/{name}`).
    pub fn account(&self, name: &str) -> Url {
        self.path(&format!("/u/{name}"))
    }

    /// `part` of a local account (`/u/{name}/inbox`, ...).
    pub fn account_part(&self, name: &str, part: Part) -> Url {
        Self::part(&self.account(name), part)
    }

    /// An event's id (`/e/{public_id}`).
    pub fn event(&self, public_id: &str) -> Url {
        self.path(&format!("/e/{public_id}"))
    }

    /// An event's iCalendar file.
    pub fn event_ics(&self, public_id: &str) -> Url {
        self.path(&format!("/e/{public_id}.ics"))
    }

    /// A series' id (`/s/{public_id}`): the collection of its occurrences (issue 17).
    pub fn series(&self, public_id: &str) -> Url {
        self.path(&format!("/s/{public_id}"))
    }

    /// A series' iCalendar file: one VEVENT with its RRULE, and one per changed occurrence.
    pub fn series_ics(&self, public_id: &str) -> Url {
        self.path(&format!("/s/{public_id}.ics"))
    }

    /// An announcement's id (`/a/{public_id}`).
    pub fn announcement(&self, public_id: &str) -> Url {
        self.path(&format!("/a/{public_id}"))
    }

    /// The id of an activity we published (`/activities/{id}`).
    pub fn activity(&self, id: &str) -> Url {
        self.path(&format!("/activities/{id}"))
    }

    /// A personal calendar feed, by its secret token.
    pub fn calendar_feed(&self, token: &str) -> Url {
        self.path(&format!("/calendar/{token}.ics"))
    }

    /// A feedback poll as one participant was sent it (issue 16).
    pub fn question(&self, public_id: &str) -> Url {
        self.path(&format!("/q/{public_id}"))
    }

    /// A shared insights report, by its secret token (issue 16).
    pub fn report(&self, token: &str) -> Url {
        self.path(&format!("/r/{token}"))
    }

    /// A visitor taking part by e-mail, as the participant id of their participation (issue 19).
    pub fn guest(&self, public_id: &str) -> Url {
        self.path(&format!("/guests/{public_id}"))
    }

    /// A guest's personal page for their participation, by its secret (sent by e-mail).
    pub fn guest_link(&self, token: &str) -> Url {
        self.path(&format!("/guest-link/{token}"))
    }

    /// The page of an invitation into a community sent by e-mail, by its secret.
    pub fn invitation(&self, token: &str) -> Url {
        self.path(&format!("/invitation/{token}"))
    }

    /// Turns off one kind of notice for an address, by the address's secret (RFC 8058 one-click).
    pub fn unsubscribe(&self, token: &str, kind: &str) -> Url {
        let mut url = self.path(&format!("/unsubscribe/{token}"));
        url.query_pairs_mut().append_pair("kind", kind);
        url
    }

    /// The instance actor (`/actor`).
    pub fn instance_actor(&self) -> Url {
        self.path("/actor")
    }

    /// The shared inbox (`/inbox`).
    pub fn shared_inbox(&self) -> Url {
        self.path("/inbox")
    }

    /// Whether `url` is on this instance (same host and port).
    pub fn is_local(&self, url: &Url) -> bool {
        normalized_host(url).is_some() && normalized_host(url) == normalized_host(&self.base)
    }

    /// What a URL of this instance names; `None` for a foreign URL or one that names none of our
    /// objects (collections, feeds, pages).
    pub fn parse(&self, url: &Url) -> Option<LocalObject> {
        if !self.is_local(url) {
            return None;
        }
        let segments: Vec<&str> = url.path_segments()?.collect();
        let own = |s: &str| (!s.is_empty()).then(|| s.to_string());
        match segments.as_slice() {
            ["actor"] => Some(LocalObject::InstanceActor),
            ["inbox"] => Some(LocalObject::SharedInbox),
            ["c", name] => own(name).map(LocalObject::Community),
            ["u", name] => own(name).map(LocalObject::Account),
            ["e", id] => own(id).map(LocalObject::Event),
            ["a", id] => own(id).map(LocalObject::Announcement),
            ["activities", id] => own(id).map(LocalObject::Activity),
            ["q", id] => own(id).map(LocalObject::Question),
            ["s", id] => own(id).map(LocalObject::Series),
            ["guests", id] => own(id).map(LocalObject::Guest),
            _ => None,
        }
    }

    /// The name of the local community or account `url` names, if it names one.
    pub fn actor_name(&self, url: &Url) -> Option<String> {
        match self.parse(url)? {
            LocalObject::Community(name) | LocalObject::Account(name) => Some(name),
            _ => None,
        }
    }
}

/// The host (and port, when not the default) of a URL, lowercased and without a trailing dot: the
/// form every origin comparison uses.
pub fn normalized_host(url: &Url) -> Option<String> {
    let host = url.host_str()?.trim_end_matches('.').to_ascii_lowercase();
    Some(match url.port() {
        Some(p) => format!("{host}:{p}"),
        None => host,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn urls() -> LocalUrls {
        LocalUrls::new(Url::parse("https://here.example/").expect("url"))
    }

    #[test]
    fn built_urls_parse_back() {
        let u = urls();
        assert_eq!(
            u.community("kahvila").as_str(),
            "https://here.example/c/kahvila"
        );
        assert_eq!(
            u.community_part("kahvila", Part::Followers).as_str(),
            "https://here.example/c/kahvila/followers"
        );
        assert_eq!(
            u.account_part("aino", Part::Inbox).as_str(),
            "https://here.example/u/aino/inbox"
        );
        assert_eq!(
            LocalUrls::part(&u.event("x1"), Part::Replies).as_str(),
            "https://here.example/e/x1/replies"
        );
        assert_eq!(
            u.calendar_feed("t").as_str(),
            "https://here.example/calendar/t.ics"
        );
        let cases = [
            (
                u.community("kahvila"),
                LocalObject::Community("kahvila".into()),
            ),
            (u.account("aino"), LocalObject::Account("aino".into())),
            (u.event("x1"), LocalObject::Event("x1".into())),
            (u.announcement("a1"), LocalObject::Announcement("a1".into())),
            (u.activity("ff"), LocalObject::Activity("ff".into())),
            (u.instance_actor(), LocalObject::InstanceActor),
            (u.shared_inbox(), LocalObject::SharedInbox),
        ];
        for (url, object) in cases {
            assert_eq!(u.parse(&url), Some(object), "{url}");
        }
    }

    #[test]
    fn foreign_and_unknown_urls_are_none() {
        let u = urls();
        for raw in [
            "https://elsewhere.example/c/kahvila",
            "https://here.example:8443/c/kahvila",
            "https://here.example/c/kahvila/followers",
            "https://here.example/c/",
            "https://here.example/x/kahvila",
            "https://here.example/",
        ] {
            let url = Url::parse(raw).expect("url");
            assert_eq!(u.parse(&url), None, "{raw}");
        }
        let upper = Url::parse("https://HERE.example./u/aino").expect("url");
        assert_eq!(u.actor_name(&upper).as_deref(), Some("aino"));
    }
}
