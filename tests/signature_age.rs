//! A signature expires 5 minutes after its `Date` (or signed `(created)`), with one hour of clock skew
//! either way, as Mastodon reads them; a signed `(expires)` may stretch that to 12 hours. A captured
//! request can therefore not be replayed hours later under a new activity id.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::common::{RemoteSigner, TestDb, TestServer};
use serde_json::{Value, json};
use verkosto::model::FollowState;
use verkosto::store;

async fn followers(s: &TestServer) -> i64 {
    let mut c = s.verkosto.db().acquire().await.expect("acquire");
    store::follows::count_followers(&mut c.conn(), &s.url("/c/kahvila"), FollowState::Accepted)
        .await
        .expect("count")
}

fn follow(signer: &RemoteSigner, local: &TestServer, n: u32) -> Value {
    json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{}/follows/{n}", signer.actor), "type": "Follow",
        "actor": signer.actor, "object": local.url("/c/kahvila"),
    })
}

fn unfollow(signer: &RemoteSigner, n: u32) -> Value {
    json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{}/undo/{n}", signer.actor), "type": "Undo",
        "actor": signer.actor, "object": format!("{}/follows/{n}", signer.actor),
    })
}

fn unix(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).expect("after 1970").as_secs()
}

#[tokio::test]
async fn signatures_expire_five_minutes_after_their_date_with_an_hour_of_skew() {
    for db in TestDb::all().await {
        eprintln!("-- backend: {}", db.backend);
        let local = TestServer::start(db).await;
        let token = local.account("aino").await;
        local.community(&token, "kahvila", "open").await;
        let remote = TestServer::start(TestDb::sqlite().await).await;
        let signer = RemoteSigner::on(&remote, "mallory").await;
        let now = SystemTime::now();
        let hours = |h: u64| Duration::from_secs(h * 3600);

        // A correctly signed request whose Date is 2 hours old is refused, saying why.
        let (status, answer) = signer
            .post_dated(
                &local,
                "/c/kahvila/inbox",
                &follow(&signer, &local, 1),
                now - hours(2),
                None,
            )
            .await;
        assert_eq!(status, 401, "2 hours old: {answer}");
        let message = answer["message"].as_str().unwrap_or_default();
        assert!(
            message.contains("expired"),
            "the message says why: {answer}"
        );
        assert_eq!(followers(&local).await, 0);

        // Dated 2 hours ahead: beyond the hour of clock skew.
        let (status, answer) = signer
            .post_dated(
                &local,
                "/c/kahvila/inbox",
                &follow(&signer, &local, 2),
                now + hours(2),
                None,
            )
            .await;
        assert_eq!(status, 401, "2 hours ahead: {answer}");
        assert!(
            answer["message"]
                .as_str()
                .unwrap_or_default()
                .contains("future"),
            "{answer}"
        );
        assert_eq!(followers(&local).await, 0);

        // 30 minutes old: within 5 minutes plus an hour of skew.
        let (status, answer) = signer
            .post_dated(
                &local,
                "/c/kahvila/inbox",
                &follow(&signer, &local, 3),
                now - Duration::from_secs(30 * 60),
                None,
            )
            .await;
        assert_eq!(status, 202, "30 minutes old: {answer}");
        assert_eq!(followers(&local).await, 1);

        // A signed (expires) 10 hours after its (created) keeps a 2-hour-old request valid...
        let created = now - hours(2);
        let (status, answer) = signer
            .post_dated(
                &local,
                "/inbox",
                &unfollow(&signer, 3),
                created,
                Some((unix(created), unix(created + hours(10)))),
            )
            .await;
        assert_eq!(status, 202, "signed (expires) honoured: {answer}");
        assert_eq!(followers(&local).await, 0);

        // ...but never beyond 12 hours after its creation, whatever it claims.
        let created = now - hours(14);
        let (status, answer) = signer
            .post_dated(
                &local,
                "/c/kahvila/inbox",
                &follow(&signer, &local, 4),
                created,
                Some((unix(created), unix(created + hours(20)))),
            )
            .await;
        assert_eq!(status, 401, "(expires) is capped at 12 hours: {answer}");
        assert_eq!(followers(&local).await, 0);
        local.stop().await;
        remote.stop().await;
    }
}
