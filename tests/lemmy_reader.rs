//! What a community publishes, read as Lemmy reads it (FEP-1b12), and a Lemmy user's comment coming
//! back. The reader below applies the rules of Lemmy's receive path (LemmyNet/lemmy at 439734dd6):
//! - `crates/apub/activities/src/community/announce.rs`: an `Announce` must wrap an activity (an
//!   announced bare `Page` is refused), its actor must be the activity's community, and it must be
//!   public;
//! - `crates/apub/activities/src/protocol/create_or_update/page.rs` and
//!   `crates/apub/activities/src/create_or_update/post.rs`: `Create`/`Update` by a `Person` with a
//!   required `to` and `cc`, on the actor's host, the actor being the post's creator;
//! - `crates/apub/objects/src/protocol/page.rs`: the post's types and fields (`attributedTo` a person,
//!   or a list of typed person and group; no `inReplyTo`; attachments of three shapes), the community
//!   found in `attributedTo`'s group or else the first group among `to`/`cc`, matching `audience`;
//! - `crates/apub/objects/src/protocol/person.rs`: the author as Lemmy parses a person.
//!
//! The types are written out here with the same serde rules, so a field Lemmy would not parse fails
//! here too. Mastodon's shapes (the community's own `Create` and its `Announce` of the object) are
//! checked alongside, so that neither reader is traded for the other.

use serde::Deserialize;
use serde_json::{Value, json};
use url::Url;

use crate::common::sink::{Sink, follow_from_sink};
use crate::common::{RemoteSigner, TestDb, TestServer, eventually};

const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

/// Lemmy's `deserialize_one_or_many`.
fn one_or_many<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<Url>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(Url),
        Many(Vec<Url>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(u) => vec![u],
        OneOrMany::Many(v) => v,
    })
}

fn not_present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let value: Option<String> = Deserialize::deserialize(d)?;
    match value {
        None => Ok(None),
        Some(_) => Err(serde::de::Error::custom(
            "Post must not have inReplyTo property",
        )),
    }
}

#[derive(Debug, Deserialize, PartialEq)]
enum PageType {
    Page,
    Article,
    Note,
    Video,
    Event,
}

#[derive(Debug, Deserialize, PartialEq)]
enum PersonOrGroupType {
    Person,
    Group,
}

#[derive(Debug, Deserialize)]
struct TypedRef {
    #[serde(rename = "type")]
    kind: PersonOrGroupType,
    id: Url,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum AttributedTo {
    Lemmy(Url),
    Peertube(Vec<TypedRef>),
}

#[derive(Debug, Deserialize)]
enum MediaType {
    #[serde(rename = "text/html")]
    Html,
    #[serde(rename = "text/markdown")]
    Markdown,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
#[allow(dead_code)] // the shapes are the check
enum Attachment {
    Link { href: Url },
    Image { url: Url },
    Document { url: Url },
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct LanguageTag {
    identifier: String,
    name: String,
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct ImageObject {
    url: Url,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
struct Page {
    #[serde(rename = "type")]
    kind: PageType,
    id: Url,
    attributed_to: AttributedTo,
    #[serde(deserialize_with = "one_or_many", default)]
    to: Vec<Url>,
    #[serde(deserialize_with = "not_present", default)]
    in_reply_to: Option<String>,
    name: Option<String>,
    #[serde(deserialize_with = "one_or_many", default)]
    cc: Vec<Url>,
    content: Option<String>,
    media_type: Option<MediaType>,
    #[serde(default)]
    attachment: Vec<Attachment>,
    image: Option<ImageObject>,
    sensitive: Option<bool>,
    published: Option<chrono::DateTime<chrono::Utc>>,
    updated: Option<chrono::DateTime<chrono::Utc>>,
    language: Option<LanguageTag>,
    audience: Option<Url>,
}

#[derive(Debug, Deserialize)]
enum CreateOrUpdateType {
    Create,
    Update,
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct CreateOrUpdatePage {
    actor: Url,
    #[serde(deserialize_with = "one_or_many")]
    to: Vec<Url>,
    object: Page,
    #[serde(deserialize_with = "one_or_many")]
    cc: Vec<Url>,
    #[serde(rename = "type")]
    kind: CreateOrUpdateType,
    id: Url,
    audience: Option<Url>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum IdOrNested {
    Id(Url),
    Nested { id: Url },
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Delete {
    actor: Url,
    #[serde(deserialize_with = "one_or_many")]
    to: Vec<Url>,
    object: IdOrNested,
    #[serde(deserialize_with = "one_or_many", default)]
    cc: Vec<Url>,
    #[serde(rename = "type")]
    kind: String,
    id: Url,
    audience: Option<Url>,
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct PublicKey {
    id: String,
    owner: Url,
    #[serde(rename = "publicKeyPem")]
    public_key_pem: String,
}

#[derive(Debug, Deserialize)]
enum UserTypes {
    Person,
    Service,
    Organization,
    Application,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
struct Person {
    #[serde(rename = "type")]
    kind: UserTypes,
    id: Url,
    preferred_username: String,
    inbox: Url,
    outbox: Url,
    public_key: PublicKey,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Announced {
    Post(Box<CreateOrUpdatePage>),
    Delete(Box<Delete>),
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Announce {
    actor: Url,
    #[serde(deserialize_with = "one_or_many")]
    to: Vec<Url>,
    object: Value,
    #[serde(deserialize_with = "one_or_many")]
    cc: Vec<Url>,
    #[serde(rename = "type")]
    kind: String,
    id: Url,
}

/// What Lemmy stores from one `Announce`.
#[derive(Debug, PartialEq)]
enum Received {
    /// A post (created or updated): its id, title and creator.
    Post {
        update: bool,
        id: Url,
        name: Option<String>,
        creator: Url,
    },
    /// A deleted post.
    Deleted { id: Url, by: Url },
}

fn public(to: &[Url], cc: &[Url]) -> bool {
    to.iter().chain(cc).any(|u| u.as_str() == PUBLIC)
}

fn same_host(a: &Url, b: &Url) -> bool {
    a.host_str() == b.host_str() && a.port_or_known_default() == b.port_or_known_default()
}

async fn fetch(http: &reqwest::Client, url: &Url) -> Result<Value, String> {
    let response = http
        .get(url.clone())
        .header("accept", "application/activity+json")
        .send()
        .await
        .map_err(|e| format!("fetching {url}: {e}"))?;
    if !response.status().is_success() {
        return Err(format!("fetching {url}: {}", response.status()));
    }
    response.json().await.map_err(|e| format!("{url}: {e}"))
}

/// The community of a page, as `Page::community` finds it: the typed group of `attributedTo`, or
/// else the first of `to`/`cc` that dereferences to a group.
async fn community_of(http: &reqwest::Client, page: &Page) -> Result<Url, String> {
    let candidates: Vec<&Url> = match &page.attributed_to {
        AttributedTo::Peertube(refs) => refs
            .iter()
            .filter(|r| r.kind == PersonOrGroupType::Group)
            .map(|r| &r.id)
            .take(1)
            .collect(),
        AttributedTo::Lemmy(_) => page.to.iter().chain(&page.cc).collect(),
    };
    for candidate in candidates {
        if candidate.as_str() == PUBLIC {
            continue;
        }
        if let Ok(doc) = fetch(http, candidate).await
            && doc["type"] == "Group"
        {
            return Ok(candidate.clone());
        }
    }
    Err("no community found in attributedTo, to or cc".into())
}

fn creator(page: &Page) -> Result<Url, String> {
    match &page.attributed_to {
        AttributedTo::Lemmy(url) => Ok(url.clone()),
        AttributedTo::Peertube(refs) => refs
            .iter()
            .find(|r| r.kind == PersonOrGroupType::Person)
            .map(|r| r.id.clone())
            .ok_or_else(|| "page does not specify a creator".into()),
    }
}

/// Lemmy's receive path for an `Announce` from a community it follows.
async fn lemmy_receives(http: &reqwest::Client, announce: &Value) -> Result<Received, String> {
    let announce: Announce =
        serde_json::from_value(announce.clone()).map_err(|e| format!("Announce: {e}"))?;
    if !announce.object.is_object() || announce.object.get("actor").is_none() {
        return Err("an Announce must wrap an activity".into());
    }
    let inner: Announced = serde_json::from_value(announce.object.clone())
        .map_err(|e| format!("announced activity: {e}"))?;
    match inner {
        Announced::Post(activity) => {
            let page = &activity.object;
            let community = community_of(http, page).await?;
            if let Some(audience) = activity.audience.as_ref().or(page.audience.as_ref())
                && audience != &community
            {
                return Err("audience is not the community".into());
            }
            if community != announce.actor {
                return Err("the Announce's actor is not the post's community".into());
            }
            if !public(&announce.to, &announce.cc)
                || !public(&activity.to, &activity.cc)
                || !public(&page.to, &page.cc)
            {
                return Err("not public".into());
            }
            if !same_host(&activity.actor, &page.id) {
                return Err("the actor and the post are on different hosts".into());
            }
            let creator = creator(page)?;
            if creator != activity.actor {
                return Err("the actor is not the post's creator".into());
            }
            let person: Person = serde_json::from_value(fetch(http, &creator).await?)
                .map_err(|e| format!("the creator as a Person: {e}"))?;
            assert_eq!(person.public_key.owner, creator);
            Ok(Received::Post {
                update: matches!(activity.kind, CreateOrUpdateType::Update),
                id: page.id.clone(),
                name: page.name.clone(),
                creator,
            })
        }
        Announced::Delete(delete) => {
            let delete = *delete;
            if delete.kind != "Delete" {
                return Err(format!("unexpected {}", delete.kind));
            }
            let id = match delete.object {
                IdOrNested::Id(id) | IdOrNested::Nested { id } => id,
            };
            if !same_host(&delete.actor, &id) || delete.audience.as_ref() != Some(&announce.actor) {
                return Err("a Delete by another host or in another community".into());
            }
            Ok(Received::Deleted {
                id,
                by: delete.actor,
            })
        }
    }
}

#[tokio::test]
async fn lemmy_reads_our_events_and_announcements_as_posts_and_its_comments_come_back() {
    for db in TestDb::all().await {
        let s = TestServer::start(db).await;
        let manager = s.account("aino").await;
        s.community(&manager, "kahvila", "open").await;
        let (sink, host, key) = Sink::serving_actors().await;
        follow_from_sink(&s.verkosto, "kahvila", &sink, &host, [1]).await;

        let (status, event) = s
            .post_json(
                "/api/v1/communities/kahvila/events",
                Some(&manager),
                json!({
                    "title": "Aamiainen", "description": "Kahvia ja **verkostoitumista**.",
                    "starts_at": "2030-06-12T09:00:00+03:00", "ends_at": "2030-06-12T11:00:00+03:00",
                    "timezone": "Europe/Helsinki", "online_url": "https://meet.example/aamiainen",
                    "language": "fi", "tags": ["CMAD"],
                }),
            )
            .await;
        assert_eq!(status, 201, "{event}");
        let event_id = Url::parse(event["ap_id"].as_str().expect("ap_id")).expect("url");
        let (status, article) = s
            .post_json(
                "/api/v1/communities/kahvila/announcements",
                Some(&manager),
                json!({ "title": "Kevään ohjelma", "content": "Ohjelma on **valmis**." }),
            )
            .await;
        assert_eq!(status, 201, "{article}");
        let (status, note) = s
            .post_json(
                "/api/v1/communities/kahvila/announcements",
                Some(&manager),
                json!({ "content": "Kahvinkeitin on korjattu." }),
            )
            .await;
        assert_eq!(status, 201, "{note}");
        let response = s
            .http
            .patch(s.url(&format!(
                "/api/v1/events/{}",
                event["id"].as_str().expect("id")
            )))
            .bearer_auth(&manager)
            .json(&json!({ "title": "Aamiainen ja aamupäivä" }))
            .send()
            .await
            .expect("patch");
        assert_eq!(response.status(), 200);
        let response = s
            .http
            .delete(s.url(&format!(
                "/api/v1/announcements/{}",
                note["id"].as_str().expect("id")
            )))
            .bearer_auth(&manager)
            .send()
            .await
            .expect("delete");
        assert!(response.status().is_success(), "{}", response.status());

        // Create{Event}, Announce{Event}, Announce{Create{Event}}; three per announcement (its Create,
        // Announce of it, Announce{Create}); Update and Announce{Update} of the event; Delete and
        // Announce{Delete} of the note.
        let seen = eventually(30, "every activity delivered", || {
            let accepted = sink.accepted();
            async move { (accepted.len() >= 13).then_some(accepted) }
        })
        .await;
        assert_eq!(
            seen.len(),
            13,
            "{:?}",
            seen.iter().map(|s| &s.kind).collect::<Vec<_>>()
        );
        assert!(seen.iter().all(|s| s.signature_ok));

        let mut received = vec![];
        let mut refused = vec![];
        for s_ in seen.iter().filter(|s| s.kind == "Announce") {
            match lemmy_receives(&s.http, &s_.body).await {
                Ok(r) => received.push(r),
                Err(why) => refused.push((s_.body["object"].clone(), why)),
            }
        }
        let aino = s.url("/u/aino");
        let aino = Url::parse(&aino).expect("url");
        let article_id = Url::parse(article["ap_id"].as_str().expect("ap_id")).expect("url");
        let note_id = Url::parse(note["ap_id"].as_str().expect("ap_id")).expect("url");
        let post = |update: bool, id: &Url, name: Option<&str>| Received::Post {
            update,
            id: id.clone(),
            name: name.map(str::to_string),
            creator: aino.clone(),
        };
        for expected in [
            post(false, &event_id, Some("Aamiainen")),
            post(false, &article_id, Some("Kevään ohjelma")),
            post(false, &note_id, None),
            post(true, &event_id, Some("Aamiainen ja aamupäivä")),
            Received::Deleted {
                id: note_id.clone(),
                by: aino.clone(),
            },
        ] {
            let n = received.iter().filter(|r| **r == expected).count();
            assert_eq!(
                n, 1,
                "{expected:?} once in {received:#?}; refused: {refused:#?}"
            );
        }
        assert_eq!(received.len(), 5, "{received:#?}");
        // What Lemmy refuses is exactly what Mastodon reads: the community's Announce of an object.
        assert_eq!(refused.len(), 3, "{refused:#?}");
        assert!(
            refused.iter().all(|(object, _)| object.is_string()),
            "{refused:#?}"
        );
        let group = s.url("/c/kahvila");
        for id in [&event_id, &article_id, &note_id] {
            let creates = seen
                .iter()
                .filter(|x| x.kind == "Create" && x.body["actor"] == group.as_str())
                .filter(|x| x.body["object"]["id"] == id.as_str())
                .count();
            assert_eq!(
                creates, 1,
                "the community's own Create of {id}, for Mastodon and Mobilizon"
            );
        }
        // The event document at its id keeps the shape Mobilizon and Mastodon read.
        let served = fetch(&s.http, &event_id).await.expect("event");
        assert_eq!(served["attributedTo"], group.as_str());

        // A Lemmy user's comment on the post (Lemmy's own fixture, its hosts moved to the sink's actor
        // and its `inReplyTo` to the event) reaches the event's comments.
        let lemmy_user = format!("http://{host}/actor/7");
        let fixture = include_str!("fixtures/lemmy/create_comment.json")
            .replace("http://ds9.lemmy.ml/u/lemmy_alpha", &lemmy_user)
            .replace("http://ds9.lemmy.ml/post/1", event_id.as_str())
            .replace(
                "http://ds9.lemmy.ml/comment/1",
                &format!("{lemmy_user}/comment/1"),
            )
            .replace(
                "http://ds9.lemmy.ml/activities/create/",
                &format!("{lemmy_user}/activities/create/"),
            )
            .replace("http://enterprise.lemmy.ml/c/main", &group)
            .replace("https://enterprise.lemmy.ml/c/main", &group);
        let comment: Value = serde_json::from_str(&fixture).expect("fixture");
        let signer = RemoteSigner::with_key(lemmy_user.clone(), &key.private_key_pem);
        let (status, body) = signer.post(&s, "/c/kahvila/inbox", &comment).await;
        assert!((200..300).contains(&status), "{status} {body}");
        let (_, comments) = s
            .get_json(
                &format!(
                    "/api/v1/events/{}/comments",
                    event["id"].as_str().expect("id")
                ),
                None,
            )
            .await;
        let comments = comments.as_array().cloned().unwrap_or_default();
        assert_eq!(comments.len(), 1, "{comments:?}");
        assert!(comments[0].to_string().contains("hello"), "{comments:?}");
        s.stop().await;
    }
}
