//! Real documents other servers wrote (Mastodon, Lemmy, Friendica, Akkoma's Pleroma lineage, Misskey,
//! Mobilizon, Gancio, GoToSocial; sources in `tests/fixtures/SOURCES.md`) posted to a running server's
//! inboxes, each accepted with its effect counted in the store, or refused for a stated reason.
//!
//! What is rewritten, and nothing else: the documents name their own hosts, so every id of the sending
//! actor becomes a sink actor (`http://SINK/actor/N`, the only actors whose keys the test holds), the
//! rest of the sender's host moves under the sink (`https://mastodon.madrid/x` becomes
//! `http://SINK/mastodon.madrid/x`), and the few ids that named something on the receiving server
//! (the followed actor, the post replied to or joined) name our community or our event. A string is
//! rewritten only when it is the named id or starts with it followed by `/`, `#` or `?`; content,
//! contexts and every other field stay as the platform wrote them.

use crate::common::sink::Sink;
use crate::common::{RemoteSigner, TestDb, TestServer};
use serde_json::{Value, json};
use verkosto::model::{FollowState, Following};
use verkosto::store::{self, Db};

/// Rows the inbox can add or remove, counted in the store.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Effect {
    followers: i64,
    events: i64,
    comments: i64,
    participations: i64,
    announcements: i64,
    reactions: i64,
}

const NOTHING: Effect = Effect {
    followers: 0,
    events: 0,
    comments: 0,
    participations: 0,
    announcements: 0,
    reactions: 0,
};

impl Effect {
    const fn followers(n: i64) -> Effect {
        Effect {
            followers: n,
            ..NOTHING
        }
    }
    const fn events(n: i64) -> Effect {
        Effect {
            events: n,
            ..NOTHING
        }
    }
    const fn comments(n: i64) -> Effect {
        Effect {
            comments: n,
            ..NOTHING
        }
    }
    const fn announcements(n: i64) -> Effect {
        Effect {
            announcements: n,
            ..NOTHING
        }
    }
    const fn reactions(n: i64) -> Effect {
        Effect {
            reactions: n,
            ..NOTHING
        }
    }
    const fn participations(n: i64) -> Effect {
        Effect {
            participations: n,
            ..NOTHING
        }
    }
}

async fn count(db: &Db, table: &str) -> i64 {
    let sql = format!("SELECT COUNT(*) FROM {table}");
    match db {
        Db::Sqlite(p) => sqlx::query_scalar(&sql).fetch_one(p).await,
        Db::Postgres(p) => sqlx::query_scalar(&sql).fetch_one(p).await,
    }
    .expect("count")
}

async fn snapshot(db: &Db) -> Effect {
    Effect {
        followers: count(db, "followers").await,
        events: count(db, "events").await,
        comments: count(db, "comments").await,
        participations: count(db, "participations").await,
        announcements: count(db, "announcements").await,
        reactions: count(db, "reactions").await,
    }
}

fn diff(after: Effect, before: Effect) -> Effect {
    Effect {
        followers: after.followers - before.followers,
        events: after.events - before.events,
        comments: after.comments - before.comments,
        participations: after.participations - before.participations,
        announcements: after.announcements - before.announcements,
        reactions: after.reactions - before.reactions,
    }
}

/// What one posted document must do.
enum Outcome {
    /// Answered 202, with exactly this change in the store.
    Accepted(Effect),
    /// Answered with this status, the answer naming this reason, and nothing stored changed.
    Refused(u16, &'static str),
}

struct Case {
    /// Under `tests/fixtures/`.
    file: &'static str,
    /// The sink actor (`/actor/N`) that signs it.
    actor: u32,
    /// Ids rewritten, in order, first match wins. Targets: `{actor}`, `{sink}` (`http://SINK`),
    /// `{community}` (our community), `{event}` (our event).
    rewrite: &'static [(&'static str, &'static str)],
    /// Inbox path.
    inbox: &'static str,
    outcome: Outcome,
    /// Why, in words.
    why: &'static str,
}

const MASTO_FOLLOW: &[(&str, &str)] = &[
    ("https://masto.asonix.dog/users/asonix", "{actor}"),
    ("https://masto.asonix.dog", "{sink}/masto.asonix.dog"),
    ("https://ds9.lemmy.ml/c/testcom", "{community}"),
];
const MASTO_NOTE: &[(&str, &str)] = &[
    (
        "https://mamot.fr/users/retiolus/statuses/107224244380204526",
        "{event}",
    ),
    // The Delete fixture is of another status than the Create fixture: it is made to name the one
    // created, so that its effect can be counted.
    (
        "https://mastodon.madrid/users/felix/statuses/107773559874184870",
        "{actor}/statuses/107224289116410645",
    ),
    ("https://mastodon.madrid/users/felix", "{actor}"),
    ("https://mastodon.madrid", "{sink}/mastodon.madrid"),
];
const LEMMY: &[(&str, &str)] = &[
    ("http://ds9.lemmy.ml/u/lemmy_alpha", "{actor}"),
    ("http://ds9.lemmy.ml/post/1", "{event}"),
    ("http://ds9.lemmy.ml", "{sink}/ds9.lemmy.ml"),
    ("http://enterprise.lemmy.ml/c/main", "{community}"),
];
/// The Page is the post Lemmy's comment replies to: here it stays Lemmy's own.
const LEMMY_PAGE: &[(&str, &str)] = &[
    ("http://ds9.lemmy.ml/u/lemmy_alpha", "{actor}"),
    ("http://ds9.lemmy.ml", "{sink}/ds9.lemmy.ml"),
    ("http://enterprise.lemmy.ml/c/main", "{community}"),
];
/// Lemmy's community announcing a member's post: the community is the signing (followed) actor.
const LEMMY_ANNOUNCE: &[(&str, &str)] = &[
    ("http://enterprise.lemmy.ml/c/main", "{actor}"),
    ("http://enterprise.lemmy.ml", "{sink}/enterprise.lemmy.ml"),
];
/// Lemmy's `Update{Group}` is of a Lemmy community (by one of its moderators), not of ours: its host
/// moves under the sink like the sender's.
const LEMMY_UPDATE: &[(&str, &str)] = &[
    ("http://ds9.lemmy.ml/u/lemmy_alpha", "{actor}"),
    ("http://ds9.lemmy.ml", "{sink}/ds9.lemmy.ml"),
    ("http://enterprise.lemmy.ml", "{sink}/enterprise.lemmy.ml"),
    ("https://enterprise.lemmy.ml", "{sink}/enterprise.lemmy.ml"),
];
const FRIENDICA_NOTE: &[(&str, &str)] = &[
    ("https://lemmy.schuerz.at/post/25360", "{event}"),
    ("https://soc.schuerz.at/profile/jakob", "{actor}"),
    ("https://soc.schuerz.at", "{sink}/soc.schuerz.at"),
];
const FRIENDICA_PIRATICA: &[(&str, &str)] = &[
    ("https://pirati.ca/profile/heluecht", "{actor}"),
    ("https://pirati.ca", "{sink}/pirati.ca"),
];
const PLEROMA_FOLLOW: &[(&str, &str)] = &[
    ("https://mycrowd.ca/users/kinetix", "{actor}"),
    ("https://mycrowd.ca", "{sink}/mycrowd.ca"),
    ("https://lemmy.ca/u/kinetix", "{community}"),
];
const PLEROMA_NOTE: &[(&str, &str)] = &[
    ("https://enterprise.lemmy.ml/post/55143", "{event}"),
    ("https://greenish.red/users/nutomic", "{actor}"),
    ("https://greenish.red", "{sink}/greenish.red"),
];
const PLEROMA_DELETE: &[(&str, &str)] = &[
    ("https://greenish.red/users/vpzom", "{actor}"),
    ("https://greenish.red", "{sink}/greenish.red"),
];
const MISSKEY: &[(&str, &str)] = &[
    ("http://mastodon.example.org/users/admin", "{actor}"),
    ("https://misskey.xyz", "{sink}/misskey.xyz"),
];
const MOBILIZON_EVENT: &[(&str, &str)] = &[
    ("https://mobilizon.fr/@metacartes", "{actor}"),
    ("https://mobilizon.fr", "{sink}/mobilizon.fr"),
];
const MOBILIZON_JOIN: &[(&str, &str)] = &[
    ("http://mobilizon.test/events/some-uuid", "{event}"),
    ("http://mobilizon2.test/@admin", "{actor}"),
    ("http://mobilizon2.test", "{sink}/mobilizon2.test"),
];
const GANCIO: &[(&str, &str)] = &[
    ("https://demo.gancio.org/federation/u/gancio", "{actor}"),
    ("https://demo.gancio.org", "{sink}/demo.gancio.org"),
];
const MISSKEY_NOTE: &[(&str, &str)] = &[
    ("https://mk.absturztau.be/users/8ozbzjs3o8", "{actor}"),
    ("https://mk.absturztau.be", "{sink}/mk.absturztau.be"),
];
/// Mastodon's favourite of a Lemmy post; here of our event.
const MASTO_LIKE: &[(&str, &str)] = &[
    ("https://ds9.lemmy.ml/post/147", "{event}"),
    ("https://mastodon.madrid/users/felix", "{actor}"),
    ("https://mastodon.madrid", "{sink}/mastodon.madrid"),
];
/// Mastodon's boost names the status by its web address; here it names our event.
const MASTO_ANNOUNCE: &[(&str, &str)] = &[
    ("https://social.tcit.fr/@tcit/101188891162897047", "{event}"),
    ("https://social.tcit.fr/users/tcit", "{actor}"),
    ("https://social.tcit.fr", "{sink}/social.tcit.fr"),
];
const GTS_UPDATE: &[(&str, &str)] = &[
    ("http://localhost:8080/users/the_mighty_zork", "{actor}"),
    ("http://localhost:8080", "{sink}/gts"),
];
const GTS_REPLY: &[(&str, &str)] = &[
    (
        "http://localhost:8080/users/the_mighty_zork/statuses/01F8MHAMCHF6Y650WCRSCP4WMY",
        "{event}",
    ),
    ("http://fossbros-anonymous.io/users/foss_satan", "{actor}"),
    (
        "http://fossbros-anonymous.io",
        "{sink}/fossbros-anonymous.io",
    ),
];
const GTS_DELETE: &[(&str, &str)] = &[
    ("http://example.org/users/admin", "{actor}"),
    ("http://example.org", "{sink}/example.org"),
];

/// Actors the local account follows, so that their events are stored.
const FOLLOWED: [u32; 4] = [10, 12, 16, 18];

const CASES: &[Case] = &[
    // Mastodon.
    Case {
        file: "mastodon/follow.json",
        actor: 1,
        rewrite: MASTO_FOLLOW,
        inbox: "/c/kahvila/inbox",
        outcome: Outcome::Accepted(Effect::followers(1)),
        why: "Follow of our (open) community: a follower",
    },
    Case {
        file: "mastodon/undo_follow.json",
        actor: 1,
        rewrite: MASTO_FOLLOW,
        inbox: "/inbox",
        outcome: Outcome::Accepted(Effect::followers(-1)),
        why: "Undo of the Follow, embedded: the follower goes",
    },
    Case {
        file: "mastodon/create_note.json",
        actor: 2,
        rewrite: MASTO_NOTE,
        inbox: "/inbox",
        outcome: Outcome::Accepted(Effect::comments(1)),
        why: "Create{Note} replying to our event (followers-only audience): a comment",
    },
    Case {
        file: "mastodon/delete.json",
        actor: 2,
        rewrite: MASTO_NOTE,
        inbox: "/inbox",
        outcome: Outcome::Accepted(Effect::comments(-1)),
        why: "Delete{Tombstone} of that reply by its author: the comment goes",
    },
    Case {
        file: "mastodon/announce.json",
        actor: 17,
        rewrite: MASTO_ANNOUNCE,
        inbox: "/inbox",
        outcome: Outcome::Accepted(Effect::reactions(1)),
        why: "Announce (a boost) of our event: counted for its community's insights (our object \
              stays ours)",
    },
    Case {
        file: "mastodon/like_page.json",
        actor: 2,
        rewrite: MASTO_LIKE,
        inbox: "/inbox",
        outcome: Outcome::Accepted(Effect::reactions(1)),
        why: "Like (a favourite) of our event: counted for its community's insights",
    },
    Case {
        file: "mastodon/undo_like_page.json",
        actor: 2,
        rewrite: MASTO_LIKE,
        inbox: "/inbox",
        outcome: Outcome::Accepted(Effect::reactions(-1)),
        why: "Undo{Like} embedding a Like under another id than the one stored (as Mastodon \
              sends it): the like of that actor and object goes",
    },
    // Lemmy.
    Case {
        file: "lemmy/follow.json",
        actor: 3,
        rewrite: LEMMY,
        inbox: "/c/kahvila/inbox",
        outcome: Outcome::Accepted(Effect::followers(1)),
        why: "Follow of our community: a follower",
    },
    Case {
        file: "lemmy/undo_follow.json",
        actor: 3,
        rewrite: LEMMY,
        inbox: "/inbox",
        outcome: Outcome::Accepted(Effect::followers(-1)),
        why: "Undo of an embedded Follow (another Follow id than the one stored): the follower of \
              that target goes",
    },
    Case {
        file: "lemmy/follow.json",
        actor: 3,
        rewrite: LEMMY,
        inbox: "/c/kahvila/inbox",
        outcome: Outcome::Accepted(Effect::followers(1)),
        why: "the same Follow again after the Undo follows again",
    },
    Case {
        file: "lemmy/create_comment.json",
        actor: 3,
        rewrite: LEMMY,
        inbox: "/inbox",
        outcome: Outcome::Accepted(Effect::comments(1)),
        why: "Create{Note} whose inReplyTo is our event: a comment",
    },
    Case {
        file: "lemmy/create_page.json",
        actor: 3,
        rewrite: LEMMY_PAGE,
        inbox: "/inbox",
        outcome: Outcome::Accepted(NOTHING),
        why: "Create{Page} (a Lemmy post, not a reply) is not something we store: 202, nothing stored",
    },
    Case {
        file: "lemmy/announce_create_page.json",
        actor: 18,
        rewrite: LEMMY_ANNOUNCE,
        inbox: "/inbox",
        outcome: Outcome::Accepted(Effect::announcements(1)),
        why: "Announce{Create{Page}} from a community followed here (member, post and community on \
              one host): the post is the community's announcement",
    },
    Case {
        file: "lemmy/update_community.json",
        actor: 3,
        rewrite: LEMMY_UPDATE,
        inbox: "/inbox",
        outcome: Outcome::Refused(403, "only an actor itself can update its profile"),
        why: "a moderator's Update{Group} of a Lemmy community: we take actor updates only from the \
              actor itself (and refetch it)",
    },
    Case {
        file: "lemmy/delete_user.json",
        actor: 3,
        rewrite: LEMMY,
        inbox: "/inbox",
        outcome: Outcome::Accepted(Effect::followers(-1)),
        why: "Delete of the actor itself: it is forgotten with what it followed here",
    },
    // Friendica.
    Case {
        file: "friendica/create_note.json",
        actor: 4,
        rewrite: FRIENDICA_NOTE,
        inbox: "/inbox",
        outcome: Outcome::Accepted(Effect::comments(1)),
        why: "Create{Note} replying to our event: a comment",
    },
    Case {
        file: "friendica/update_note.json",
        actor: 5,
        rewrite: FRIENDICA_PIRATICA,
        inbox: "/inbox",
        outcome: Outcome::Accepted(NOTHING),
        why: "Update{Note} of a reply to someone else's post: nothing of it is stored here",
    },
    Case {
        file: "friendica/delete.json",
        actor: 5,
        rewrite: FRIENDICA_PIRATICA,
        inbox: "/inbox",
        outcome: Outcome::Accepted(NOTHING),
        why: "Delete{Tombstone} of an object we never stored: 202, nothing to delete",
    },
    // Akkoma (documents of Pleroma, which Akkoma forked and federates as).
    Case {
        file: "akkoma/pleroma_follow.json",
        actor: 6,
        rewrite: PLEROMA_FOLLOW,
        inbox: "/c/kahvila/inbox",
        outcome: Outcome::Accepted(Effect::followers(1)),
        why: "Follow of our community: a follower",
    },
    Case {
        file: "akkoma/pleroma_create_note.json",
        actor: 7,
        rewrite: PLEROMA_NOTE,
        inbox: "/inbox",
        outcome: Outcome::Accepted(Effect::comments(1)),
        why: "Create{Note} replying to our event: a comment",
    },
    Case {
        file: "akkoma/pleroma_delete.json",
        actor: 8,
        rewrite: PLEROMA_DELETE,
        inbox: "/inbox",
        outcome: Outcome::Accepted(NOTHING),
        why: "Delete of an object (by id) we never stored: 202, nothing to delete",
    },
    // Misskey.
    Case {
        file: "misskey/like.json",
        actor: 9,
        rewrite: MISSKEY,
        inbox: "/inbox",
        outcome: Outcome::Accepted(NOTHING),
        why: "Like (with _misskey_reaction): a type we do not act on, acknowledged",
    },
    Case {
        file: "misskey/create_note.json",
        actor: 16,
        rewrite: MISSKEY_NOTE,
        inbox: "/inbox",
        outcome: Outcome::Accepted(Effect::announcements(1)),
        why: "Create{Note} (public, `inReplyTo: null`, `_misskey_content`) from a user followed here: \
              an announcement",
    },
    // Mobilizon.
    Case {
        file: "mobilizon/create_event.json",
        actor: 10,
        rewrite: MOBILIZON_EVENT,
        inbox: "/inbox",
        outcome: Outcome::Accepted(Effect::events(1)),
        why: "Create{Event} from a group followed here: a remote event",
    },
    Case {
        file: "mobilizon/join.json",
        actor: 11,
        rewrite: MOBILIZON_JOIN,
        inbox: "/inbox",
        outcome: Outcome::Accepted(Effect::participations(1)),
        why: "Join of our (free) event: a participation",
    },
    Case {
        file: "mobilizon/leave.json",
        actor: 11,
        rewrite: MOBILIZON_JOIN,
        inbox: "/inbox",
        outcome: Outcome::Accepted(Effect::participations(-1)),
        why: "Leave of it (Mobilizon reuses the Join's id): the participation goes",
    },
    // Gancio.
    Case {
        file: "gancio/create_event.json",
        actor: 12,
        rewrite: GANCIO,
        inbox: "/inbox",
        outcome: Outcome::Accepted(Effect::events(1)),
        why: "Create{Event} (a bare `location.name`, relative hashtag hrefs) from an actor followed \
              here: a remote event",
    },
    // GoToSocial.
    Case {
        file: "gotosocial/update_person.json",
        actor: 13,
        rewrite: GTS_UPDATE,
        inbox: "/inbox",
        outcome: Outcome::Accepted(NOTHING),
        why: "Update{Person} by the person itself: the actor is refetched, nothing else stored",
    },
    Case {
        file: "gotosocial/create_note_reply.json",
        actor: 15,
        rewrite: GTS_REPLY,
        inbox: "/inbox",
        outcome: Outcome::Accepted(Effect::comments(1)),
        why: "Create{Note} replying to our event: a comment",
    },
    Case {
        file: "gotosocial/delete_docs.json",
        actor: 14,
        rewrite: GTS_DELETE,
        inbox: "/inbox",
        outcome: Outcome::Refused(400, "id must be a URL"),
        why: "the Delete of GoToSocial's federation docs has no `id` (GoToSocial adds it when it \
              sends): an activity without an id is refused",
    },
];

/// Rewrites every string of `doc` that is one of the `from` ids or starts with one followed by `/`,
/// `#` or `?`; object keys are left alone.
pub(crate) fn rewrite(doc: &mut Value, rules: &[(String, String)]) {
    match doc {
        Value::String(s) => {
            for (from, to) in rules {
                let rest = s.strip_prefix(from.as_str());
                if let Some(rest) = rest
                    && (rest.is_empty() || rest.starts_with(['/', '#', '?']))
                {
                    *s = format!("{to}{rest}");
                    break;
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| rewrite(v, rules)),
        Value::Object(map) => map.values_mut().for_each(|v| rewrite(v, rules)),
        _ => {}
    }
}

#[tokio::test]
async fn foreign_documents_are_accepted_with_their_effect_or_refused_for_a_reason() {
    for db in TestDb::all().await {
        eprintln!("-- backend: {}", db.backend);
        let local = TestServer::start(db).await;
        let manager = local.account("aino").await;
        local.community(&manager, "kahvila", "open").await;
        let (status, event) = local
            .post_json(
                "/api/v1/communities/kahvila/events",
                Some(&manager),
                json!({ "title": "Aamiainen", "description": "Tervetuloa",
                        "starts_at": "2030-06-12T09:00:00+03:00", "ends_at": "2030-06-12T11:00:00+03:00",
                        "join_mode": "free" }),
            )
            .await;
        assert_eq!(status, 201, "{event}");
        let event_ap_id = event["ap_id"].as_str().expect("ap_id").to_string();
        let (_sink, host, key) = Sink::serving_actors().await;
        let sink = format!("http://{host}");

        // The local account follows the groups whose events it should receive.
        let account = local.verkosto.account("aino").await.expect("account");
        for n in FOLLOWED {
            let mut c = local.verkosto.db().acquire().await.expect("acquire");
            store::follows::upsert_following(
                &mut c.conn(),
                &Following {
                    id: 0,
                    account_id: account.id,
                    target_ap_id: url::Url::parse(&format!("{sink}/actor/{n}")).expect("url"),
                    follow_activity_id: url::Url::parse(&format!("{sink}/follows/{n}"))
                        .expect("url"),
                    state: FollowState::Accepted,
                    created_at: store::now(),
                },
            )
            .await
            .expect("following");
        }

        for case in CASES {
            let actor = format!("{sink}/actor/{}", case.actor);
            let rules: Vec<(String, String)> = case
                .rewrite
                .iter()
                .map(|(from, to)| {
                    let to = to
                        .replace("{actor}", &actor)
                        .replace("{sink}", &sink)
                        .replace("{community}", &local.url("/c/kahvila"))
                        .replace("{event}", &event_ap_id);
                    (from.to_string(), to)
                })
                .collect();
            let path = format!(
                "{}/tests/fixtures/{}",
                env!("CARGO_MANIFEST_DIR"),
                case.file
            );
            let mut doc: Value =
                serde_json::from_str(&std::fs::read_to_string(&path).expect("fixture"))
                    .expect("fixture json");
            rewrite(&mut doc, &rules);
            assert_eq!(
                doc["actor"],
                json!(actor),
                "{}: the actor is rewritten",
                case.file
            );

            let signer = RemoteSigner::with_key(actor.clone(), &key.private_key_pem);
            let before = snapshot(local.verkosto.db()).await;
            let (status, answer) = signer.post(&local, case.inbox, &doc).await;
            let change = diff(snapshot(local.verkosto.db()).await, before);
            let what = format!("{} ({}): answered {status} {answer}", case.file, case.why);
            match case.outcome {
                Outcome::Accepted(effect) => {
                    assert_eq!(status, 202, "{what}");
                    assert_eq!(change, effect, "{what}");
                }
                Outcome::Refused(expected, reason) => {
                    assert_eq!(status, expected, "{what}");
                    assert!(answer.to_string().contains(reason), "{what}");
                    assert_eq!(change, NOTHING, "{what}: nothing stored changed");
                }
            }
        }
        local.stop().await;
    }
}
