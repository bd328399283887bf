//! RFC 9421 HTTP Message Signatures with RFC 9530 `Content-Digest`: checking them on our inbox and
//! making them for deliveries, as Mastodon 4.5 and Fedify speak them.
//!
//! A short parser on `sfv` instead of a general crate (see `crates.md`, item 16): the signature base is
//! built line by line from the covered components, then `"@signature-params": ` and the received inner
//! list as sfv re-serialises it, which keeps the sender's parameter order (rebuilding it in our own order,
//! as `httpsig` does, fails on Fedify's `alg;keyid;created`). `@target-uri` and `@authority` come from our
//! own absolute URL (our scheme and the `Host`, which must be ours): on the server side the request line
//! holds only the path. `created` is required and held to the same [`SignatureAge`] as draft-cavage's
//! `Date`, and the covered components must bind the method, the target (path and host) and the body
//! digest, as the draft-cavage path requires `(request-target)`, `host`, `date` and `digest`.

use std::time::{Duration, SystemTime};

use base64::{Engine, engine::general_purpose::STANDARD as BASE64};
use http::{HeaderMap, HeaderValue};
use sfv::{
    BareItem, DictSerializer, Dictionary, InnerList, Item, KeyRef, ListEntry, ListSerializer,
    Parameters, Parser, StringRef,
};
use sha2::{Digest, Sha256, Sha512};
use url::Url;

use super::signatures::{SignatureAge, SignsRequests};
use crate::error::{Error, Result};

/// The label of the signatures we make.
const LABEL: &str = "sig1";

/// The algorithm names of RFC 9421's registry that we verify.
pub const ALG_RSA: &str = "rsa-v1_5-sha256";
/// Ed25519 (keys published as Multikey in `assertionMethod`).
pub const ALG_ED25519: &str = "ed25519";

/// Which specification a request was signed by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureStyle {
    /// draft-cavage-http-signatures-12, as Mastodon before 4.5 speaks it (`Signature`, `Digest`).
    Cavage,
    /// RFC 9421 HTTP Message Signatures (`Signature-Input`, `Signature`, `Content-Digest`).
    Rfc9421,
}

impl SignatureStyle {
    /// The name stored and shown for it (`cavage`, `rfc9421`).
    pub fn as_str(self) -> &'static str {
        match self {
            SignatureStyle::Cavage => "cavage",
            SignatureStyle::Rfc9421 => "rfc9421",
        }
    }

    /// Reads a stored name; anything unknown is draft-cavage, which everyone verifies.
    pub fn parse(s: &str) -> SignatureStyle {
        match s {
            "rfc9421" => SignatureStyle::Rfc9421,
            _ => SignatureStyle::Cavage,
        }
    }
}

/// An RFC 9421 signature that parsed and passed every check that needs no key.
pub(crate) struct Pending {
    pub(crate) key_id: String,
    /// The `alg` parameter, when the sender named one.
    pub(crate) alg: Option<String>,
    /// The signature base the signature must be over.
    pub(crate) base: String,
    pub(crate) signature: Vec<u8>,
}

fn refuse(why: impl Into<String>) -> Error {
    Error::Unauthorized(format!("invalid RFC 9421 signature: {}", why.into()))
}

/// All lines of a header, joined as RFC 9110 combines them.
fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    let values: Vec<&str> = headers
        .get_all(name)
        .iter()
        .map(|v| v.to_str().map(str::trim))
        .collect::<std::result::Result<_, _>>()
        .ok()?;
    (!values.is_empty()).then(|| values.join(", "))
}

fn dictionary(headers: &HeaderMap, name: &str) -> Result<Dictionary> {
    let raw = header(headers, name).ok_or_else(|| refuse(format!("no {name} header")))?;
    Parser::new(&raw)
        .parse::<Dictionary>()
        .map_err(|e| refuse(format!("{name} is not a structured field dictionary: {e}")))
}

/// Serialises one inner list (with its parameters) as it appears in `Signature-Input`.
fn serialize_inner_list(list: &InnerList) -> Result<String> {
    let mut ser = ListSerializer::new();
    ser.members(std::iter::once(&ListEntry::InnerList(list.clone())));
    ser.finish()
        .ok_or_else(|| Error::Internal("empty signature parameters".into()))
}

/// Where the request was sent, as we received it: our scheme and host, and the request line's path.
pub(crate) struct Target<'a> {
    pub(crate) method: &'a str,
    /// `https` (or `http` with dev federation).
    pub(crate) scheme: &'a str,
    /// Our host (`host[:port]`), which the `Host` header was checked to be.
    pub(crate) authority: &'a str,
    /// The path and query of the request line.
    pub(crate) path_and_query: &'a str,
}

impl Target<'_> {
    /// The value of a derived component (`@method`, `@target-uri`, ...).
    fn derived(&self, name: &str) -> Result<String> {
        let (path, query) = match self.path_and_query.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (self.path_and_query, None),
        };
        Ok(match name {
            "@method" => self.method.to_string(),
            "@target-uri" => format!(
                "{}://{}{}",
                self.scheme, self.authority, self.path_and_query
            ),
            "@authority" => self.authority.to_string(),
            "@scheme" => self.scheme.to_string(),
            "@request-target" => self.path_and_query.to_string(),
            "@path" => path.to_string(),
            "@query" => format!("?{}", query.unwrap_or("")),
            other => return Err(refuse(format!("the component {other} is not supported"))),
        })
    }
}

/// Checks an incoming RFC 9421-signed request: structure, covered components, age, `Content-Digest`.
/// No key yet: see [`Pending`].
pub(crate) fn check(
    target: &Target<'_>,
    headers: &HeaderMap,
    body: &[u8],
    age: SignatureAge,
    now: SystemTime,
) -> Result<Pending> {
    let inputs = dictionary(headers, "signature-input")?;
    let signatures = dictionary(headers, "signature")?;
    // The first signature with both halves is the one checked (senders make one).
    let (label, list, signature) = inputs
        .iter()
        .find_map(|(label, entry)| {
            let ListEntry::InnerList(list) = entry else {
                return None;
            };
            match signatures.get(label) {
                Some(ListEntry::Item(Item { bare_item, .. })) => bare_item
                    .as_byte_sequence()
                    .map(|sig| (label.as_str().to_string(), list, sig.to_vec())),
                _ => None,
            }
        })
        .ok_or_else(|| refuse("no signature in Signature matches one in Signature-Input"))?;

    let mut base = String::new();
    let mut covered: Vec<String> = Vec::new();
    for item in &list.items {
        let name = match &item.bare_item {
            BareItem::String(s) => s.as_str().to_string(),
            _ => return Err(refuse(format!("{label}: a component is not a string"))),
        };
        if !item.params.is_empty() {
            return Err(refuse(format!(
                "{label}: component parameters ({name}) are not supported"
            )));
        }
        if covered.contains(&name) {
            return Err(refuse(format!("{label}: {name} is covered twice")));
        }
        let value = if name.starts_with('@') {
            target.derived(&name)?
        } else {
            if name.chars().any(|c| c.is_ascii_uppercase()) {
                return Err(refuse(format!("{label}: field names must be lowercase")));
            }
            header(headers, &name)
                .ok_or_else(|| refuse(format!("{label}: covers {name}, which is not sent")))?
        };
        base.push_str(&format!("\"{name}\": {value}\n"));
        covered.push(name);
    }
    let covers = |n: &str| covered.iter().any(|c| c == n);
    let binds_target = covers("@target-uri")
        || (covers("@authority") && (covers("@path") || covers("@request-target")));
    for (ok, what) in [
        (covers("@method"), "@method"),
        (binds_target, "@target-uri (or @authority and @path)"),
        (covers("content-digest"), "content-digest"),
    ] {
        if !ok {
            return Err(refuse(format!("{label}: {what} must be covered")));
        }
    }

    let params = &list.params;
    let string = |k: &str| -> Option<String> {
        params
            .get(k)
            .and_then(BareItem::as_string)
            .map(|s| s.as_str().to_string())
    };
    let time = |k: &str| -> Result<Option<SystemTime>> {
        let Some(v) = params.get(k) else {
            return Ok(None);
        };
        let secs = v
            .as_integer()
            .and_then(|i| u64::try_from(i64::from(i)).ok())
            .filter(|s| *s <= super::signatures::LATEST_UNIX_SECOND)
            .ok_or_else(|| refuse(format!("{label}: {k} is not a Unix time")))?;
        Ok(Some(SystemTime::UNIX_EPOCH + Duration::from_secs(secs)))
    };
    let key_id = string("keyid").ok_or_else(|| refuse(format!("{label}: no keyid")))?;
    let created = time("created")?.ok_or_else(|| refuse(format!("{label}: no created")))?;
    age.check(created, time("expires")?, now)?;
    check_content_digest(header(headers, "content-digest").as_deref(), body)?;

    base.push_str("\"@signature-params\": ");
    base.push_str(&serialize_inner_list(list)?);
    Ok(Pending {
        key_id,
        alg: string("alg"),
        base,
        signature,
    })
}

/// Checks an RFC 9530 `Content-Digest`: every `sha-256`/`sha-512` value must match the body, and there
/// must be one.
pub(crate) fn check_content_digest(header: Option<&str>, body: &[u8]) -> Result<()> {
    let header = header.ok_or_else(|| refuse("the Content-Digest header is missing"))?;
    let digests = Parser::new(header)
        .parse::<Dictionary>()
        .map_err(|e| refuse(format!("Content-Digest is not a dictionary: {e}")))?;
    let mut checked = false;
    for (alg, entry) in &digests {
        let expected: Vec<u8> = match alg.as_str() {
            "sha-256" => Sha256::digest(body).to_vec(),
            "sha-512" => Sha512::digest(body).to_vec(),
            _ => continue,
        };
        let ListEntry::Item(Item { bare_item, .. }) = entry else {
            return Err(refuse("a Content-Digest value is not a byte sequence"));
        };
        if bare_item.as_byte_sequence() != Some(expected.as_slice()) {
            return Err(refuse("the Content-Digest does not match the body"));
        }
        checked = true;
    }
    if !checked {
        return Err(refuse("the Content-Digest has no sha-256 or sha-512 value"));
    }
    Ok(())
}

/// The `Content-Digest` header value of a body.
pub fn content_digest(body: &[u8]) -> String {
    format!("sha-256=:{}:", BASE64.encode(Sha256::digest(body)))
}

fn key(name: &str) -> Result<&KeyRef> {
    KeyRef::from_str(name).map_err(|e| Error::Internal(format!("sfv key {name}: {e}")))
}

/// The headers of an RFC 9421-signed POST of `body` to `inbox` (rsa-v1_5-sha256, or the signer's
/// `alg`), made at `now`.
/// Covers what Fedify covers: `@method`, `@target-uri`, `@authority`, `content-type`, `date`,
/// `content-digest`; the parameters are `created`, `keyid` and `alg`.
pub fn sign_post(
    inbox: &Url,
    body: &[u8],
    key_id: &str,
    signer: &impl SignsRequests,
    now: SystemTime,
) -> Result<HeaderMap> {
    let authority = crate::urls::normalized_host(inbox)
        .ok_or_else(|| Error::Internal(format!("inbox {inbox} has no host")))?;
    let date = httpdate::fmt_http_date(now);
    let digest = content_digest(body);
    let content_type = super::activities::CONTENT_TYPE;
    let created = now
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_err(|_| Error::Internal("the clock is before 1970".into()))?
        .as_secs();
    let components: [(&str, &str); 6] = [
        ("@method", "POST"),
        ("@target-uri", inbox.as_str()),
        ("@authority", &authority),
        ("content-type", content_type),
        ("date", &date),
        ("content-digest", &digest),
    ];
    let string = |s: &str| -> Result<BareItem> {
        StringRef::from_str(s)
            .map(|s| BareItem::String(s.to_owned()))
            .map_err(|e| Error::Internal(format!("sfv string: {e}")))
    };
    let mut params = Parameters::new();
    params.insert(
        key("created")?.to_owned(),
        BareItem::Integer(
            sfv::Integer::try_from(created as i64)
                .map_err(|e| Error::Internal(format!("created: {e}")))?,
        ),
    );
    params.insert(key("keyid")?.to_owned(), string(key_id)?);
    params.insert(key("alg")?.to_owned(), string(signer.rfc9421_alg())?);
    let items = components
        .iter()
        .map(|(name, _)| string(name).map(Item::new))
        .collect::<Result<Vec<_>>>()?;
    let list = InnerList::with_params(items, params);

    let mut base = String::new();
    for (name, value) in components {
        base.push_str(&format!("\"{name}\": {value}\n"));
    }
    base.push_str("\"@signature-params\": ");
    base.push_str(&serialize_inner_list(&list)?);
    let signature = signer.sign_sha256(base.as_bytes())?;

    let mut input = DictSerializer::new();
    {
        let mut inner = input.inner_list(key(LABEL)?);
        inner.items(&list.items);
        inner.finish().parameters(&list.params);
    }
    let mut sig = DictSerializer::new();
    sig.bare_item(key(LABEL)?, signature.as_slice());
    let input = input
        .finish()
        .ok_or_else(|| Error::Internal("empty Signature-Input".into()))?;
    let sig = sig
        .finish()
        .ok_or_else(|| Error::Internal("empty Signature".into()))?;

    let mut out = HeaderMap::new();
    for (name, value) in [
        ("host", authority.as_str()),
        ("date", date.as_str()),
        ("content-type", content_type),
        ("content-digest", digest.as_str()),
        ("signature-input", input.as_str()),
        ("signature", sig.as_str()),
    ] {
        let value = HeaderValue::from_str(value)
            .map_err(|e| Error::Internal(format!("header {name}: {e}")))?;
        out.insert(name, value);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn age() -> SignatureAge {
        SignatureAge::default()
    }

    /// A request as Fedify 2.3.6 signed it (parameters in its order), re-signed here with a test key.
    fn fedify_shaped(
        key: &crate::apub::signatures::SigningKey,
        body: &[u8],
        created: u64,
    ) -> HeaderMap {
        let digest = content_digest(body);
        let params = format!(
            "(\"@method\" \"@target-uri\" \"@authority\" \"host\" \"date\" \"content-digest\");alg=\"rsa-v1_5-sha256\";keyid=\"https://peer.example/actor#main-key\";created={created}"
        );
        let base = format!(
            "\"@method\": POST\n\"@target-uri\": https://here.example/inbox\n\"@authority\": here.example\n\"host\": here.example\n\"date\": Tue, 01 Dec 2026 05:19:41 GMT\n\"content-digest\": {digest}\n\"@signature-params\": {params}"
        );
        let sig = BASE64.encode(key.sign_sha256(base.as_bytes()).expect("sign"));
        let mut h = HeaderMap::new();
        h.insert("host", "here.example".parse().expect("h"));
        h.insert("date", "Tue, 01 Dec 2026 05:19:41 GMT".parse().expect("h"));
        h.insert("content-digest", digest.parse().expect("h"));
        h.insert(
            "signature-input",
            format!("sig1={params}").parse().expect("h"),
        );
        h.insert("signature", format!("sig1=:{sig}:").parse().expect("h"));
        h
    }

    fn target() -> Target<'static> {
        Target {
            method: "POST",
            scheme: "https",
            authority: "here.example",
            path_and_query: "/inbox",
        }
    }

    fn keys() -> (
        crate::apub::signatures::SigningKey,
        crate::apub::signatures::VerifyingKey,
    ) {
        let pair = activitypub_federation::http_signatures::generate_actor_keypair().expect("keys");
        (
            crate::apub::signatures::SigningKey::from_pkcs8_pem(&pair.private_key).expect("key"),
            crate::apub::signatures::VerifyingKey::from_pem(&pair.public_key).expect("key"),
        )
    }

    fn now_secs() -> u64 {
        SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .expect("clock")
            .as_secs()
    }

    #[test]
    fn the_received_parameter_order_is_kept_in_the_base() {
        let (signing, verifying) = keys();
        let body = br#"{"type":"Follow"}"#;
        let h = fedify_shaped(&signing, body, now_secs());
        let pending = check(&target(), &h, body, age(), SystemTime::now()).expect("checks");
        assert_eq!(pending.key_id, "https://peer.example/actor#main-key");
        assert!(pending.base.ends_with(&format!(
            "\"content-digest\");alg=\"rsa-v1_5-sha256\";keyid=\"https://peer.example/actor#main-key\";created={}",
            now_secs()
        )) || pending.base.contains("\"content-digest\");alg=\"rsa-v1_5-sha256\";keyid="));
        assert!(verifying.verify(pending.base.as_bytes(), &pending.signature));
    }

    #[test]
    fn tampering_is_refused_before_any_key_is_fetched() {
        let (signing, _) = keys();
        let body = br#"{"type":"Follow"}"#;
        let h = fedify_shaped(&signing, body, now_secs());
        // Another body under the same Content-Digest.
        assert!(
            check(
                &target(),
                &h,
                br#"{"type":"Undo"}"#,
                age(),
                SystemTime::now()
            )
            .is_err()
        );
        // A stale created.
        let old = fedify_shaped(&signing, body, now_secs() - 2 * 3600);
        assert!(check(&target(), &old, body, age(), SystemTime::now()).is_err());
        // Digest not covered.
        let mut h2 = h.clone();
        let input = h2["signature-input"]
            .to_str()
            .expect("s")
            .replace(" \"content-digest\"", "");
        h2.insert("signature-input", input.parse().expect("h"));
        assert!(check(&target(), &h2, body, age(), SystemTime::now()).is_err());
    }

    #[test]
    fn our_signatures_check_and_verify() {
        let (signing, verifying) = keys();
        let inbox = Url::parse("https://here.example/c/kahvila/inbox").expect("url");
        let body = br#"{"type":"Accept"}"#;
        let h = sign_post(
            &inbox,
            body,
            "https://me.example/actor#main-key",
            &signing,
            SystemTime::now(),
        )
        .expect("sign");
        let t = Target {
            path_and_query: "/c/kahvila/inbox",
            ..target()
        };
        let pending = check(&t, &h, body, age(), SystemTime::now()).expect("checks");
        assert_eq!(pending.alg.as_deref(), Some(ALG_RSA));
        assert!(verifying.verify(pending.base.as_bytes(), &pending.signature));
        let other = Target {
            path_and_query: "/inbox",
            ..target()
        };
        let moved = check(&other, &h, body, age(), SystemTime::now()).expect("checks");
        assert!(!verifying.verify(moved.base.as_bytes(), &moved.signature));
    }

    #[test]
    fn content_digests() {
        assert!(check_content_digest(Some(&content_digest(b"abc")), b"abc").is_ok());
        assert!(check_content_digest(Some(&content_digest(b"abc")), b"abd").is_err());
        assert!(check_content_digest(Some("md5=:AAAA:"), b"abc").is_err());
        assert!(check_content_digest(Some("sha-256=abc"), b"abc").is_err());
        assert!(check_content_digest(None, b"abc").is_err());
    }
}
