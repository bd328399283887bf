//! The one HTTP client every outgoing request goes through: federation fetches (the federation
//! crate's client), deliveries, WebFinger lookups, the remote-follow form.
//!
//! Three checks, so that no path can reach an address off the public internet:
//! - before a request is sent ([`Guard`]): the scheme (https only, unless dev federation), a host that
//!   is an IP literal (`127.0.0.1`, `[::ffff:127.0.0.1]`, decimal `2130706433`: `url` normalises them
//!   all to addresses), and domain blocks. The DNS resolver never sees IP literals, so this is the
//!   only place they are caught;
//! - on every redirect hop (the redirect policy): the same checks, and at most [`MAX_REDIRECTS`] hops;
//! - on connecting to a name ([`super::safety::PublicOnlyResolver`]): only public addresses, checked on
//!   the addresses actually used, so DNS rebinding cannot get around it.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use reqwest_middleware::{ClientBuilder, ClientWithMiddleware, Next};
use url::{Host, Url};

use super::safety::{DomainBlocks, PublicOnlyResolver, is_public};

/// Redirects followed for one request, at most (as Mastodon).
pub const MAX_REDIRECTS: usize = 3;

/// How every [`Refused`] reads, so it is recognised behind type-erasing wrappers.
const REFUSAL_PREFIX: &str = "refusing to contact ";

/// Why an outgoing request was not made.
#[derive(Debug, Clone, thiserror::Error)]
#[error("refusing to contact {url}: {why}")] // starts with REFUSAL_PREFIX
pub struct Refused {
    /// The destination refused (without its query, which may carry a handle).
    pub url: String,
    /// What is wrong with it.
    pub why: &'static str,
}

/// The rules every destination of an outgoing request must follow.
#[derive(Clone, Default)]
pub struct Destinations {
    /// Dev federation: `http://` and non-public addresses are allowed.
    allow_private: bool,
    blocks: DomainBlocks,
}

impl Destinations {
    /// The rules of an instance: `allow_private` only with dev federation.
    pub fn new(allow_private: bool, blocks: DomainBlocks) -> Self {
        Destinations {
            allow_private,
            blocks,
        }
    }

    /// Whether a request may go to `url`. Names are checked again when connecting (the resolver);
    /// IP literals only here.
    pub fn check(&self, url: &Url) -> Result<(), Refused> {
        let refuse = |why| {
            let mut shown = url.clone();
            shown.set_query(None);
            Err(Refused {
                url: shown.to_string(),
                why,
            })
        };
        match url.scheme() {
            "https" => {}
            "http" if self.allow_private => {}
            "http" => return refuse("only https is used outside dev federation"),
            _ => return refuse("only http(s) URLs are fetched"),
        }
        let ip = match url.host() {
            None => return refuse("the URL has no host"),
            Some(Host::Ipv4(v4)) => Some(IpAddr::V4(v4)),
            Some(Host::Ipv6(v6)) => Some(IpAddr::V6(v6)),
            Some(Host::Domain(_)) => None,
        };
        if let Some(ip) = ip
            && !self.allow_private
            && !is_public(ip)
        {
            return refuse("it is not a public internet address");
        }
        if self.blocks.is_blocked(url) {
            return refuse("the domain is blocked");
        }
        Ok(())
    }

    /// Whether a redirect to `url` may be followed, `previous` being the URLs requested so far in
    /// this chain (the first request included).
    pub fn check_redirect(&self, url: &Url, previous: usize) -> Result<(), Refused> {
        if previous > MAX_REDIRECTS {
            return Err(Refused {
                url: url.to_string(),
                why: "too many redirects (at most 3 are followed)",
            });
        }
        self.check(url)
    }

    /// The redirect policy of the client: every hop is checked as the first request was.
    pub fn redirect_policy(&self) -> reqwest::redirect::Policy {
        let rules = self.clone();
        reqwest::redirect::Policy::custom(move |attempt| {
            match rules.check_redirect(attempt.url(), attempt.previous().len()) {
                Ok(()) => attempt.follow(),
                Err(refused) => attempt.error(refused),
            }
        })
    }
}

/// Checks each request before it is sent (the first hop; the redirect policy checks the others).
struct Guard(Destinations);

#[async_trait::async_trait]
impl reqwest_middleware::Middleware for Guard {
    async fn handle(
        &self,
        req: reqwest::Request,
        extensions: &mut http::Extensions,
        next: Next<'_>,
    ) -> reqwest_middleware::Result<reqwest::Response> {
        self.0
            .check(req.url())
            .map_err(reqwest_middleware::Error::middleware)?;
        next.run(req, extensions).await
    }
}

/// Signs every GET with the instance actor's key (draft-cavage `(request-target) host date`, as
/// Mastodon's authorized fetch requires), by aws-lc-rs: the federation crate would sign them with the
/// `rsa` crate (RUSTSEC-2023-0071, timing leaks of the key), so it is given no signing actor and the
/// requests it sends through this client are signed here. Requests already signed (deliveries) are left
/// as they are. Runs after [`Guard`], so nothing is signed for a destination we refuse.
pub struct FetchSigner {
    /// The instance actor's key id (`https://host/actor#main-key`).
    pub key_id: String,
    /// The instance's keys (read, or made, on the first signed fetch).
    pub keys: crate::context::InstanceKeys,
}

#[async_trait::async_trait]
impl reqwest_middleware::Middleware for FetchSigner {
    async fn handle(
        &self,
        mut req: reqwest::Request,
        extensions: &mut http::Extensions,
        next: Next<'_>,
    ) -> reqwest_middleware::Result<reqwest::Response> {
        if req.method() == reqwest::Method::GET && !req.headers().contains_key("signature") {
            let failed = |e: crate::error::Error| {
                reqwest_middleware::Error::middleware(SigningFailed(e.to_string()))
            };
            let keys = self.keys.get().await.map_err(failed)?;
            let headers =
                super::signatures::sign_get(req.url(), &self.key_id, keys.signing.as_ref())
                    .map_err(failed)?;
            req.headers_mut().extend(headers);
        }
        next.run(req, extensions).await
    }
}

/// Why a fetch could not be signed.
#[derive(Debug, thiserror::Error)]
#[error("cannot sign the fetch: {0}")]
struct SigningFailed(String);

/// Builds the instance's outgoing client (once, at start-up; it is cheap to clone), signing GETs with
/// `fetch_signer` when given.
pub fn client(
    timeout: Duration,
    destinations: Destinations,
    fetch_signer: Option<FetchSigner>,
) -> reqwest::Result<ClientWithMiddleware> {
    let mut builder = reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(5)))
        .user_agent(concat!(
            "Verkosto/",
            env!("CARGO_PKG_VERSION"),
            " (+https://codeberg.org/verkosto/verkosto)"
        ))
        .redirect(destinations.redirect_policy());
    if !destinations.allow_private {
        builder = builder.dns_resolver(Arc::new(PublicOnlyResolver));
    }
    let mut client = ClientBuilder::new(builder.build()?).with(Guard(destinations));
    if let Some(signer) = fetch_signer {
        client = client.with(signer);
    }
    Ok(client.build())
}

/// Whether an error of the outgoing client is one of our own refusals (never worth retrying).
pub fn is_refusal(err: &reqwest_middleware::Error) -> bool {
    use std::error::Error as _;
    match err {
        reqwest_middleware::Error::Middleware(e) => e.downcast_ref::<Refused>().is_some(),
        reqwest_middleware::Error::Reqwest(e) => {
            // The redirect policy's and the resolver's refusals come back as causes of a reqwest
            // error, possibly behind a box that hides their type: their text says what they are.
            let mut source = e.source();
            while let Some(s) = source {
                if s.downcast_ref::<Refused>().is_some()
                    || s.to_string().starts_with(REFUSAL_PREFIX)
                {
                    return true;
                }
                source = s.source();
            }
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn url(s: &str) -> Url {
        Url::parse(s).expect(s)
    }

    #[test]
    fn ip_literals_of_every_spelling_are_refused_off_dev_federation() {
        let rules = Destinations::new(false, DomainBlocks::default());
        for bad in [
            "https://127.0.0.1/x",
            "https://127.0.0.1:8443/x",
            "https://[::ffff:127.0.0.1]/x",
            "https://[::1]/x",
            "https://2130706433/x",
            "https://0x7f.1/x",
            "https://0177.0.0.1/x",
            "https://169.254.169.254/latest",
            "https://10.0.0.1/",
            "http://example.com/",
            "ftp://example.com/",
        ] {
            assert!(rules.check(&url(bad)).is_err(), "{bad} must be refused");
        }
        for good in ["https://example.com/x", "https://93.184.216.34/"] {
            assert!(rules.check(&url(good)).is_ok(), "{good}");
        }
        let dev = Destinations::new(true, DomainBlocks::default());
        assert!(dev.check(&url("http://127.0.0.1:8080/")).is_ok());
    }

    #[test]
    fn redirect_hops_are_checked_and_counted() {
        let blocks = DomainBlocks::default();
        blocks.replace(["evil.example".to_string()]);
        let rules = Destinations::new(false, blocks);
        assert!(rules.check_redirect(&url("https://ok.example/"), 1).is_ok());
        assert!(rules.check_redirect(&url("https://ok.example/"), 3).is_ok());
        assert!(
            rules
                .check_redirect(&url("https://ok.example/"), 4)
                .is_err()
        );
        for bad in [
            "http://ok.example/",
            "https://127.0.0.1/",
            "https://[::ffff:7f00:1]/",
            "https://sub.evil.example/",
        ] {
            assert!(rules.check_redirect(&url(bad), 1).is_err(), "{bad}");
        }
    }

    /// A listener that counts the connections it accepts, and answers each with `answer`.
    async fn counting(answer: String) -> (u16, Arc<AtomicUsize>) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let count = Arc::new(AtomicUsize::new(0));
        let seen = count.clone();
        tokio::spawn(async move {
            while let Ok((mut conn, _)) = listener.accept().await {
                seen.fetch_add(1, Ordering::SeqCst);
                let answer = answer.clone();
                tokio::spawn(async move {
                    let mut buf = [0u8; 4096];
                    let _ = conn.read(&mut buf).await;
                    let _ = conn.write_all(answer.as_bytes()).await;
                });
            }
        });
        (port, count)
    }

    #[tokio::test]
    async fn the_client_never_connects_to_private_ip_literals() {
        let (port, count) = counting(String::new()).await;
        let client = client(
            Duration::from_secs(5),
            Destinations::new(false, DomainBlocks::default()),
            None,
        )
        .expect("client");
        for target in [
            format!("https://127.0.0.1:{port}/"),
            format!("https://[::ffff:127.0.0.1]:{port}/"),
            format!("https://2130706433:{port}/"),
            format!("https://localhost:{port}/"),
        ] {
            let err = client.get(&target).send().await.expect_err(&target);
            assert!(
                is_refusal(&err) || format!("{err:?}").contains("non-public"),
                "{target}: {err:?}"
            );
        }
        assert_eq!(count.load(Ordering::SeqCst), 0, "no connection was made");
    }

    #[tokio::test]
    async fn redirects_to_private_addresses_or_http_are_not_followed() {
        // The redirect policy alone (the first hop is to loopback, which only the guard and the
        // resolver would refuse): each hop a redirecting server names is checked.
        let (target_port, target_count) =
            counting("HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok".into())
                .await;
        let rules = Destinations::new(false, DomainBlocks::default());
        for location in [
            format!("http://127.0.0.1:{target_port}/"),
            format!("https://127.0.0.1:{target_port}/"),
            format!("https://[::ffff:127.0.0.1]:{target_port}/"),
            format!("https://2130706433:{target_port}/"),
            format!("http://example.com:{target_port}/"),
        ] {
            let (port, _) = counting(format!(
                "HTTP/1.1 302 Found\r\nlocation: {location}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
            ))
            .await;
            let raw = reqwest::Client::builder()
                .redirect(rules.redirect_policy())
                .build()
                .expect("client");
            let err = raw
                .get(format!("http://127.0.0.1:{port}/"))
                .send()
                .await
                .expect_err(&location);
            assert!(err.is_redirect(), "{location}: {err}");
        }
        assert_eq!(target_count.load(Ordering::SeqCst), 0);
    }
}
