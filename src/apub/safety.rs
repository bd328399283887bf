//! What we refuse to talk to: non-public addresses (checked when connecting, so DNS rebinding cannot
//! get around it, and after redirects too) and blocked domains (checked on every IRI of incoming
//! activities, every fetch and every delivery).

use std::collections::HashSet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, RwLock};

use activitypub_federation::config::UrlVerifier;
use async_trait::async_trait;
use url::Url;

/// Whether an address is on the public internet. Everything private, loopback, link-local, shared
/// (CGNAT), documentation, benchmarking, multicast or reserved is not; neither are the IPv6 ranges
/// that embed or tunnel to IPv4 (IPv4-mapped and -compatible, NAT64, 6to4, Teredo).
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let o = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_documentation()
        || ip.is_multicast()
        || o[0] == 0
        || (o[0] == 100 && (o[1] & 0xc0) == 64) // 100.64.0.0/10 shared address space
        || (o[0] == 192 && o[1] == 0 && o[2] == 0) // 192.0.0.0/24 protocol assignments
        || (o[0] == 198 && (o[1] & 0xfe) == 18) // 198.18.0.0/15 benchmarking
        || o[0] >= 240) // reserved
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    let s = ip.segments();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || (s[0] & 0xfe00) == 0xfc00 // unique local
        || (s[0] & 0xffc0) == 0xfe80 // link local
        || (s[0] == 0 && s[1] == 0 && s[2] == 0 && s[3] == 0 && s[4] == 0 && s[5] == 0) // IPv4-compatible
        || (s[0] == 0x64 && s[1] == 0xff9b) // NAT64
        || s[0] == 0x2002 // 6to4
        || (s[0] == 0x2001 && s[1] == 0) // Teredo
        || (s[0] == 0x2001 && s[1] == 0xdb8) // documentation
        || (s[0] == 0x100 && s[1] == 0 && s[2] == 0 && s[3] == 0)) // discard
}

/// A DNS resolver for our HTTP clients that drops non-public addresses, so the check happens on the
/// addresses actually connected to.
#[derive(Clone)]
pub struct PublicOnlyResolver;

impl reqwest::dns::Resolve for PublicOnlyResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_string();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let public: Vec<SocketAddr> = addrs.into_iter().filter(|a| is_public(a.ip())).collect();
            if public.is_empty() {
                // A `Refused`, so callers can tell our refusal from a host that is down.
                return Err(Box::new(super::http_client::Refused {
                    url: host,
                    why: "it resolves only to non-public addresses",
                })
                    as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(public.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// Normalises a host for comparisons: lowercase, no trailing dot, IDN to punycode (as `url` does).
pub fn normalize_host(raw: &str) -> Option<String> {
    let raw = raw.trim().trim_end_matches('.');
    let url = Url::parse(&format!("http://{raw}/")).ok()?;
    url.host_str()
        .map(|h| h.trim_end_matches('.').to_ascii_lowercase())
}

/// The set of blocked domains, shared by every part of a process.
#[derive(Clone, Default)]
pub struct DomainBlocks(Arc<RwLock<HashSet<String>>>);

impl DomainBlocks {
    /// Replaces the set (after loading it from the database).
    pub fn replace(&self, hosts: impl IntoIterator<Item = String>) {
        if let Ok(mut set) = self.0.write() {
            *set = hosts.into_iter().collect();
        }
    }

    /// Whether `host` or one of its parent domains is blocked.
    pub fn is_blocked_host(&self, host: &str) -> bool {
        let Some(host) = normalize_host(host.split(':').next().unwrap_or(host)) else {
            return false;
        };
        let Ok(set) = self.0.read() else { return false };
        if set.is_empty() {
            return false;
        }
        let mut candidate = host.as_str();
        loop {
            if set.contains(candidate) {
                return true;
            }
            match candidate.split_once('.') {
                Some((_, parent)) => candidate = parent,
                None => return false,
            }
        }
    }

    /// Whether a URL's host is blocked.
    pub fn is_blocked(&self, url: &Url) -> bool {
        url.host_str().is_some_and(|h| self.is_blocked_host(h))
    }
}

/// Single accounts suspended from the whole instance (issue 19), by actor id: kept in memory, since
/// every inbox post is checked against it.
#[derive(Clone, Default, Debug)]
pub struct SuspendedActors(Arc<RwLock<HashSet<String>>>);

impl SuspendedActors {
    /// Replaces the set (after loading it from the database).
    pub fn replace(&self, actors: impl IntoIterator<Item = String>) {
        if let Ok(mut set) = self.0.write() {
            *set = actors.into_iter().collect();
        }
    }

    /// Whether `actor` is suspended.
    pub fn contains(&self, actor: &Url) -> bool {
        self.0
            .read()
            .is_ok_and(|set| !set.is_empty() && set.contains(actor.as_str()))
    }
}

/// Refuses fetches from blocked domains (the federation crate asks before every fetch).
#[derive(Clone)]
pub struct BlockingVerifier(pub DomainBlocks);

#[async_trait]
impl UrlVerifier for BlockingVerifier {
    async fn verify(&self, url: &Url) -> Result<(), activitypub_federation::error::Error> {
        if self.0.is_blocked(url) {
            return Err(activitypub_federation::error::Error::UrlVerificationError(
                "the domain is blocked",
            ));
        }
        Ok(())
    }
}

/// How deep the IRI walk goes: `Undo{Announce{Create{Note{inReplyTo}}}}` is 4 levels; real activities
/// stay well under this.
pub const MAX_IRI_DEPTH: u8 = 8;
/// How many values the IRI walk looks at in one activity: addressing lists of a few hundred actors
/// pass, and the walk stays cheap.
pub const MAX_IRI_NODES: usize = 2000;

/// An activity too deep or too wide for the block check to see all of it: refused rather than
/// half-checked, so a blocked IRI cannot hide beyond the walk's reach.
#[derive(Debug, Clone, thiserror::Error)]
pub enum TooComplex {
    /// Nested deeper than [`MAX_IRI_DEPTH`].
    #[error("the activity nests objects more than {MAX_IRI_DEPTH} levels deep")]
    TooDeep,
    /// More than [`MAX_IRI_NODES`] values to check.
    #[error("the activity names more than {MAX_IRI_NODES} objects and addresses")]
    TooWide,
}

/// Every IRI an activity names (actor, id, object and its ids, inReplyTo, audience and addressing),
/// for the block check; an error when the activity is beyond what the walk checks.
pub fn iris(activity: &serde_json::Value) -> Result<Vec<Url>, TooComplex> {
    fn collect(
        v: &serde_json::Value,
        depth: u8,
        budget: &mut usize,
        out: &mut Vec<Url>,
    ) -> Result<(), TooComplex> {
        *budget = budget.checked_sub(1).ok_or(TooComplex::TooWide)?;
        match v {
            serde_json::Value::String(s) => {
                if let Ok(u) = Url::parse(s)
                    && matches!(u.scheme(), "http" | "https")
                {
                    out.push(u);
                }
            }
            serde_json::Value::Array(a) => {
                for x in a {
                    collect(x, depth, budget, out)?;
                }
            }
            serde_json::Value::Object(o) => {
                for key in [
                    "id",
                    "actor",
                    "object",
                    "attributedTo",
                    "inReplyTo",
                    "to",
                    "cc",
                    "bto",
                    "bcc",
                    "audience",
                    "target",
                ] {
                    if let Some(x) = o.get(key) {
                        if depth >= MAX_IRI_DEPTH {
                            return Err(TooComplex::TooDeep);
                        }
                        collect(x, depth + 1, budget, out)?;
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }
    let mut out = vec![];
    let mut budget = MAX_IRI_NODES;
    collect(activity, 0, &mut budget, &mut out)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_public_addresses_are_recognised() {
        for bad in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "198.18.0.1",
            "240.0.0.1",
            "::",
            "::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "fc00::1",
            "fe80::1",
            "64:ff9b::7f00:1",
            "2002:7f00:1::",
            "2001:0:4136:e378::1",
            "::127.0.0.1",
        ] {
            assert!(!is_public(bad.parse().expect(bad)), "{bad} must be refused");
        }
        for good in [
            "93.184.216.34",
            "1.1.1.1",
            "2606:4700:4700::1111",
            "::ffff:93.184.216.34",
        ] {
            assert!(is_public(good.parse().expect(good)), "{good} is public");
        }
    }

    #[tokio::test]
    async fn the_resolver_refuses_names_of_private_addresses() {
        use reqwest::dns::Resolve;
        let name: reqwest::dns::Name = "localhost".parse().expect("name");
        let answer = PublicOnlyResolver.resolve(name).await;
        let err = answer.err().expect("localhost is refused");
        assert!(err.to_string().contains("non-public"), "{err}");
    }

    #[test]
    fn blocks_cover_subdomains_and_host_variants() {
        let blocks = DomainBlocks::default();
        blocks.replace([
            normalize_host("Evil.Example.").expect("host"),
            normalize_host("bücher.example").expect("idn"),
        ]);
        for blocked in [
            "evil.example",
            "EVIL.example.",
            "sub.evil.example",
            "evil.example:8443",
            "xn--bcher-kva.example",
            "bücher.example",
        ] {
            assert!(blocks.is_blocked_host(blocked), "{blocked}");
        }
        for fine in ["notevil.example", "example", "evil.example.org"] {
            assert!(!blocks.is_blocked_host(fine), "{fine}");
        }
    }

    #[test]
    fn iris_are_found_in_nested_objects_and_addressing() {
        let a = serde_json::json!({
            "id": "https://a.example/1", "actor": "https://a.example/u", "to": ["https://b.example/u"],
            "object": { "id": "https://c.example/n", "inReplyTo": "https://d.example/x", "cc": "https://e.example/f" }
        });
        let hosts: Vec<String> = iris(&a)
            .expect("checkable")
            .iter()
            .filter_map(|u| u.host_str().map(str::to_string))
            .collect();
        for h in [
            "a.example",
            "b.example",
            "c.example",
            "d.example",
            "e.example",
        ] {
            assert!(hosts.contains(&h.to_string()), "{h} in {hosts:?}");
        }
    }

    #[test]
    fn activities_beyond_the_walk_are_refused_not_half_checked() {
        let mut deep = serde_json::json!("https://evil.example/x");
        for _ in 0..MAX_IRI_DEPTH {
            deep = serde_json::json!({ "object": deep });
        }
        assert!(iris(&deep).is_ok(), "{MAX_IRI_DEPTH} levels are checked");
        let deeper = serde_json::json!({ "object": deep });
        assert!(matches!(iris(&deeper), Err(TooComplex::TooDeep)));
        let wide = serde_json::json!({ "to": vec!["https://a.example/u"; MAX_IRI_NODES] });
        assert!(matches!(iris(&wide), Err(TooComplex::TooWide)));
        let fine = serde_json::json!({ "to": vec!["https://a.example/u"; 500] });
        assert_eq!(iris(&fine).map(|v| v.len()).ok(), Some(500));
    }
}
