//! Who the client is, for every per-address limit: the peer of the connection, or, when that peer is a
//! reverse proxy we were told to trust, the address the proxies recorded in `X-Forwarded-For` (or, when
//! that header is absent, `Forwarded`).
//!
//! The addresses are read from the right: each trusted proxy appends the address it was connected
//! from, so the right-most address that is not a trusted proxy is the first one no trusted party
//! vouches for. Anything further left was written by the client itself and can be anything.

use std::net::{IpAddr, SocketAddr};

use axum::extract::ConnectInfo;
use http::{Extensions, HeaderMap};
use ipnet::IpNet;

/// The client address of a request, `None` when the server was not given the peer address (serve
/// with `into_make_service_with_connect_info::<SocketAddr>()`).
pub(crate) fn of_request(
    extensions: &Extensions,
    headers: &HeaderMap,
    trusted_proxies: &[IpNet],
) -> Option<IpAddr> {
    let peer = extensions.get::<ConnectInfo<SocketAddr>>()?.0.ip();
    Some(client_ip(peer, headers, trusted_proxies))
}

/// The client address behind `peer`, given the proxies we trust.
pub fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted_proxies: &[IpNet]) -> IpAddr {
    let trusted = |ip: &IpAddr| {
        trusted_proxies
            .iter()
            .any(|net| net.contains(&canonical(*ip)))
    };
    if !trusted(&peer) {
        return peer;
    }
    let hops = forwarded_hops(headers);
    let mut client = peer;
    for hop in hops.iter().rev() {
        // A value a trusted proxy would never write: the proxy before it is as far as we can trust.
        let Some(ip) = hop else { return client };
        client = *ip;
        if !trusted(ip) {
            return client;
        }
    }
    client
}

/// IPv4-mapped IPv6 peers (a dual-stack listener) compare as the IPv4 addresses they are.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map(IpAddr::V4)
            .unwrap_or(IpAddr::V6(v6)),
        v4 => v4,
    }
}

/// The addresses of `X-Forwarded-For` (all its lines, in order), or else of `Forwarded`'s `for=`;
/// `None` for a value that is not an address (`unknown`, an obfuscated identifier, garbage).
fn forwarded_hops(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    let xff: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .map(|v| v.to_str().unwrap_or(""))
        .collect();
    if !xff.is_empty() {
        return xff
            .iter()
            .flat_map(|line| line.split(','))
            .map(parse_node)
            .collect();
    }
    headers
        .get_all(http::header::FORWARDED)
        .iter()
        .map(|v| v.to_str().unwrap_or(""))
        .flat_map(|line| line.split(','))
        .map(|element| {
            element
                .split(';')
                .filter_map(|pair| pair.split_once('='))
                .find(|(k, _)| k.trim().eq_ignore_ascii_case("for"))
                .and_then(|(_, v)| parse_node(v))
        })
        .collect()
}

/// `203.0.113.1`, `203.0.113.1:4711`, `2001:db8::1`, `[2001:db8::1]:4711`, quoted or not.
fn parse_node(raw: &str) -> Option<IpAddr> {
    let raw = raw.trim().trim_matches('"');
    raw.parse::<IpAddr>()
        .ok()
        .or_else(|| raw.parse::<SocketAddr>().ok().map(|s| s.ip()))
        .or_else(|| {
            raw.strip_prefix('[')
                .and_then(|r| r.strip_suffix(']'))
                .and_then(|r| r.parse().ok())
        })
        .map(canonical)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, v.parse().expect("value"));
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().expect(s)
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_claims() {
        let h = headers(&[("x-forwarded-for", "203.0.113.9")]);
        assert_eq!(client_ip(ip("198.51.100.7"), &h, &[]), ip("198.51.100.7"));
        let proxies = ["10.0.0.0/8".parse().expect("net")];
        assert_eq!(
            client_ip(ip("198.51.100.7"), &h, &proxies),
            ip("198.51.100.7")
        );
    }

    #[test]
    fn behind_trusted_proxies_the_rightmost_untrusted_address_is_the_client() {
        let proxies: Vec<IpNet> = vec![
            "127.0.0.1/32".parse().expect("net"),
            "10.0.0.0/8".parse().expect("net"),
        ];
        let peer = ip("127.0.0.1");
        // The client forged the left-most entry; the proxies appended the rest.
        let h = headers(&[("x-forwarded-for", "1.2.3.4, 203.0.113.9, 10.0.0.2")]);
        assert_eq!(client_ip(peer, &h, &proxies), ip("203.0.113.9"));
        let h = headers(&[
            ("x-forwarded-for", "1.2.3.4"),
            ("x-forwarded-for", "[2001:db8::1]:4711"),
        ]);
        assert_eq!(client_ip(peer, &h, &proxies), ip("2001:db8::1"));
        let h = headers(&[(
            "forwarded",
            "for=1.2.3.4;proto=https, for=\"[2001:db8::2]:80\";by=10.0.0.1",
        )]);
        assert_eq!(client_ip(peer, &h, &proxies), ip("2001:db8::2"));
        // No header: the proxy itself is the client (a health check, say).
        assert_eq!(client_ip(peer, &HeaderMap::new(), &proxies), peer);
        // Garbage after trusted hops: the last trusted hop is as far as we know.
        let h = headers(&[("x-forwarded-for", "garbage, 10.0.0.3")]);
        assert_eq!(client_ip(peer, &h, &proxies), ip("10.0.0.3"));
        // A mapped peer address counts as the IPv4 proxy it is.
        let h = headers(&[("x-forwarded-for", "203.0.113.5")]);
        assert_eq!(
            client_ip(ip("::ffff:127.0.0.1"), &h, &proxies),
            ip("203.0.113.5")
        );
    }
}
