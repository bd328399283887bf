//! Fills a fresh database before the server starts, through the library: the same code paths as the
//! API where that is cheap (accounts, communities, single events, network membership), and batched store
//! writes where the API's per-IP limits would make setup dominate the run (10,000 network events,
//! thousands of followers). The server then starts on this database as on any other.

use chrono::{Duration as ChronoDuration, Utc};
use verkosto::model::{
    Community, CommunityKind, Event, EventCategory, EventStatus, FollowPolicy, FollowState,
    Follower, JoinMode, KeyPair, MembershipState, NewEvent, Role,
};
use verkosto::service::NewAccount;
use verkosto::{Settings, Verkosto, store};

/// The password of the benchmark's administrator.
const PASSWORD: &str = "benchmark password";

/// What the scenarios need to know about the seeded data.
pub struct Seeded {
    /// A bearer token of the administrator (manager of every community).
    pub token: String,
    /// The community read in the read path, and whose events take part in ingest.
    pub community: String,
    /// The event read in the read path.
    pub event_public_id: String,
    /// Events that remote actors join and reply to in the ingest run (ActivityPub ids).
    pub ingest_events: Vec<String>,
    /// The network of the calendar scenario.
    pub network: String,
    /// Fan-out communities: (name, followers, key id, public key PEM).
    pub fanout: Vec<FanoutCommunity>,
}

/// A community followed from many sink inboxes.
pub struct FanoutCommunity {
    /// Its local name.
    pub name: String,
    /// How many distinct inboxes follow it.
    pub followers: usize,
    /// Its key id, as deliveries are signed with it.
    pub key_id: String,
    /// Its public key, to check deliveries with.
    pub public_key_pem: String,
}

/// How much to seed.
pub struct SeedSizes {
    /// Events of the ingest community.
    pub ingest_events: usize,
    /// Member communities of the network.
    pub network_members: usize,
    /// Upcoming events spread over the members.
    pub network_events: usize,
    /// Follower counts of the fan-out communities (one community each).
    pub fanout: Vec<usize>,
}

fn new_event(name: &str, title: &str, days_ahead: i64) -> anyhow::Result<NewEvent> {
    let starts = Utc::now() + ChronoDuration::days(days_ahead);
    Ok(serde_json::from_value(serde_json::json!({
        "title": title,
        "description": "Aamukahvit ja **lyhyet esittäytymiset**. Tervetuloa! See <https://example.org/kahvila>.",
        "starts_at": starts.to_rfc3339(),
        "ends_at": (starts + ChronoDuration::hours(2)).to_rfc3339(),
        "timezone": "Europe/Helsinki",
        "location": { "name": name, "street": "Hämeenkatu 1", "postal_code": "33100", "locality": "Tampere",
                      "country": "FI", "latitude": 61.4978, "longitude": 23.7610 },
        "capacity": null,
        "tags": ["coworking", "tampere"],
        "category": "NETWORKING",
        "language": "fi",
    }))?)
}

/// Seeds `url` for a server that will serve `domain`; `fanout_inboxes(n)` gives (actor, inbox) pairs.
pub async fn seed(
    url: &str,
    domain: &str,
    sizes: &SeedSizes,
    shared_keys: &KeyPair,
    fanout_inboxes: impl Fn(usize) -> Vec<(String, String)>,
) -> anyhow::Result<Seeded> {
    // The same settings as the server's where they shape stored ids: dev federation means http:// ids.
    let mut settings = Settings::new(domain.to_string());
    settings.dev_federation = true;
    let v = Verkosto::open(url, settings).await?;
    let admin = v
        .create_account(NewAccount {
            username: "bench".into(),
            password: PASSWORD.into(),
            is_admin: true,
        })
        .await?;
    let token = v.login("bench", PASSWORD).await?.access_token;
    let community = "kahvila".to_string();
    v.create_community(
        &admin,
        serde_json::from_value(serde_json::json!({
            "name": community, "display_name": "Kahvila co-working",
            "summary": "A co-working space in Tampere: desks, meeting rooms and a good coffee machine.",
            "kind": "coworking", "location": "Tampere", "latitude": 61.4978, "longitude": 23.7610,
            "website": "https://example.org/kahvila", "tags": ["coworking", "tampere"],
        }))?,
    )
    .await?;
    let event = v
        .create_event(
            &admin,
            &community,
            new_event("Kahvila", "Aamiaistapaaminen", 7)?,
        )
        .await?;
    // Ingest events live in a community of their own, so they do not change what the read path reads.
    let ingest_community = v
        .create_community(
            &admin,
            serde_json::from_value(
                serde_json::json!({ "name": "tapahtumat", "kind": "coworking" }),
            )?,
        )
        .await?;
    let mut ingest_events = vec![];
    let mut tx = v.db().begin().await?;
    for i in 0..sizes.ingest_events {
        let event = batch_event(&v, &ingest_community, i, sizes.ingest_events);
        ingest_events.push(event.ap_id.to_string());
        store::events::upsert(&mut tx.conn(), &event).await?;
    }
    tx.commit().await?;

    let network = "verkosto".to_string();
    v.create_community(
        &admin,
        serde_json::from_value(serde_json::json!({
            "name": network, "display_name": "Community managers' network", "kind": "network",
            "follow_policy": "open",
        }))?,
    )
    .await?;
    seed_network(&v, &admin, &network, sizes, shared_keys).await?;

    let mut fanout = vec![];
    for &followers in &sizes.fanout {
        let name = format!("fanout{followers}");
        let c = v
            .create_community(
                &admin,
                serde_json::from_value(serde_json::json!({ "name": name, "kind": "coworking" }))?,
            )
            .await?;
        let target = v.state().url(&format!("/c/{name}"));
        let mut tx = v.db().begin().await?;
        for (actor, inbox) in fanout_inboxes(followers) {
            let actor = url::Url::parse(&actor)?;
            store::follows::upsert_follower(
                &mut tx.conn(),
                &Follower {
                    id: 0,
                    target_ap_id: target.clone(),
                    follow_activity_id: url::Url::parse(&format!("{actor}/follow"))?,
                    follower_ap_id: actor,
                    inbox: url::Url::parse(&inbox)?,
                    shared_inbox: None,
                    state: FollowState::Accepted,
                    created_at: store::now(),
                },
            )
            .await?;
        }
        let keys = store::communities::keys(&mut tx.conn(), c.id).await?;
        tx.commit().await?;
        fanout.push(FanoutCommunity {
            name,
            followers,
            key_id: format!("{target}#main-key"),
            public_key_pem: keys.public_key_pem,
        });
    }
    // PostgreSQL's autovacuum gathers the planner's statistics within a minute of a bulk load like
    // this one; without them it planned the network's page as a scan of every event (32 ms of SQL
    // against 7.5 ms). The scenarios measure the instance an hour later, not its first minute. (The
    // development machine's PostgreSQL runs with autovacuum off, so it would never have them. SQLite
    // gathers none unless asked, on the server as here: nothing to do.)
    if let store::Db::Postgres(pool) = v.db() {
        sqlx::query("ANALYZE").execute(pool).await?;
    }
    v.db().close().await;
    Ok(Seeded {
        token,
        community,
        event_public_id: event.public_id,
        ingest_events,
        network,
        fanout,
    })
}

/// Member communities (sharing one key pair: they never sign here, and generating a hundred keys would
/// dominate setup), admitted to the network through the library's own join, and their events.
async fn seed_network(
    v: &Verkosto,
    admin: &verkosto::model::Account,
    network: &str,
    sizes: &SeedSizes,
    shared_keys: &KeyPair,
) -> anyhow::Result<()> {
    let handle = format!("{network}@{}", v.settings().domain);
    let mut members = vec![];
    for m in 0..sizes.network_members {
        let name = format!("jasen{m}");
        let now = store::now();
        let community = Community {
            id: 0,
            name: name.clone(),
            display_name: format!("Jäsenyhteisö {m}"),
            summary: "<p>A member of the network.</p>".into(),
            kind: CommunityKind::Coworking,
            location: Some("Tampere".into()),
            latitude: Some(61.4978),
            longitude: Some(23.7610),
            website: None,
            tags: vec![],
            icon_url: None,
            banner_url: None,
            follow_policy: FollowPolicy::Open,
            visibility: verkosto::model::Visibility::Public,
            created_at: now,
            updated_at: now,
        };
        let mut tx = v.db().begin().await?;
        store::accounts::claim_name(&mut tx.conn(), &name, "community").await?;
        let community = store::communities::insert(&mut tx.conn(), &community, shared_keys).await?;
        store::communities::upsert_membership(
            &mut tx.conn(),
            community.id,
            admin.id,
            Role::Owner,
            MembershipState::Active,
        )
        .await?;
        tx.commit().await?;
        v.join_network(admin, &name, &handle).await?;
        members.push(community);
    }
    if members.is_empty() {
        return Ok(());
    }
    let mut tx = v.db().begin().await?;
    for i in 0..sizes.network_events {
        let event = batch_event(v, &members[i % members.len()], i, sizes.network_events);
        store::events::upsert(&mut tx.conn(), &event).await?;
        if i % 1_000 == 999 {
            tx.commit().await?;
            tx = v.db().begin().await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Event `i` of `count` of a community, starting within the next year; written straight to the store.
fn batch_event(v: &Verkosto, community: &Community, i: usize, count: usize) -> Event {
    let now = store::now();
    let starts = now + ChronoDuration::hours(1 + (i as i64 * 8_760 / count.max(1) as i64));
    let public_id = format!("{}{i:020}", &community.name[..3]);
    let ap_id = v.state().url(&format!("/e/{public_id}"));
    Event {
        id: 0,
        url: ap_id.clone(),
        ap_id,
        public_id,
        organizer_ap_id: v.state().url(&format!("/c/{}", community.name)),
        community_id: Some(community.id),
        cohosts: vec![],
        local: true,
        title: format!("Tapaaminen {i}"),
        description_source: Some("Kahvia ja keskustelua.".into()),
        description_html: "<p>Kahvia ja keskustelua.</p>".into(),
        starts_at: starts,
        ends_at: starts + ChronoDuration::hours(1 + (i as i64 % 3)),
        timezone: "Europe/Helsinki".into(),
        status: EventStatus::Confirmed,
        place: None,
        online_url: None,
        capacity: None,
        join_mode: JoinMode::Free,
        external_url: None,
        tags: vec!["verkosto".into()],
        category: EventCategory::Meeting,
        banner_url: None,
        language: Some("fi".into()),
        comments_enabled: true,
        guest_participation: false,
        visibility: verkosto::model::Visibility::Public,
        sequence: 0,
        participant_count: 0,
        published_at: now,
        updated_at: now,
        series: None,
    }
}
