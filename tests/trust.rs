//! Limits and checks a hostile peer or visitor could get around, against running servers: the inbox
//! limits charged to the right party, client addresses behind reverse proxies, blocked IRIs hidden
//! deep in an activity, and follows of known communities while their host is down.

mod common;

use common::{TestDb, TestServer};

/// The client API counts the client behind a trusted proxy, and only behind a trusted proxy.
#[tokio::test]
async fn client_addresses_come_from_forwarded_headers_only_behind_trusted_proxies() {
    let get = |s: &TestServer, forwarded_for: &'static str| {
        let req = s
            .http
            .get(s.url("/api/v1/communities"))
            .header("x-forwarded-for", forwarded_for);
        async move { req.send().await.expect("get").status().as_u16() }
    };

    let behind_proxy = TestServer::start_with(TestDb::sqlite().await, |st| {
        st.api_per_ip_per_minute = 3;
        st.trusted_proxies = vec!["127.0.0.1/32".parse().expect("net")];
    })
    .await;
    let mut first = vec![];
    for _ in 0..4 {
        first.push(get(&behind_proxy, "203.0.113.1").await);
    }
    assert_eq!(first, [200, 200, 200, 429], "one client's own bucket");
    assert_eq!(
        get(&behind_proxy, "203.0.113.2").await,
        200,
        "another client behind the same proxy has its own bucket"
    );
    // A client cannot escape its bucket by prepending addresses: the proxy appends the real one.
    assert_eq!(get(&behind_proxy, "198.51.100.9, 203.0.113.1").await, 429);
    behind_proxy.stop().await;

    let direct = TestServer::start_with(TestDb::sqlite().await, |st| {
        st.api_per_ip_per_minute = 3;
    })
    .await;
    let mut statuses = vec![];
    for spoofed in [
        "192.0.2.1",
        "192.0.2.2",
        "192.0.2.3",
        "192.0.2.4",
        "192.0.2.5",
    ] {
        statuses.push(get(&direct, spoofed).await);
    }
    assert_eq!(
        statuses,
        [200, 200, 200, 429, 429],
        "no proxy trusted: a spoofed X-Forwarded-For changes nothing"
    );
    direct.stop().await;
}
