//! HTTP Signatures (draft-cavage, as Mastodon speaks them) for our deliveries, and their verification on
//! our inbox.
//!
//! We sign `(request-target) content-type date digest host` without `(created)`/`(expires)`: Mastodon
//! requires `host` and `date`, and relays refuse signatures over `(created)`. The inbox requires
//! `(request-target)`, `host`, `date` and `digest` to be signed, and the `Digest` to match the body: the
//! federation crate's own axum inbox does neither of the last two checks for us.
//!
//! The RSA work is done by aws-lc-rs (already in the tree through rustls): it signs about 5x and
//! verifies about 10x faster than the pure-Rust `rsa` crate, and fan-out is bound by signing and the
//! inbox by verifying (see BENCHMARKS.md). Keys stay PEM in the database; [`SigningKey`] and
//! [`VerifyingKey`] are their parsed forms, meant to be parsed once and cached.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use aws_lc_rs::signature::{
    ParsedPublicKey, RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY, RSA_PKCS1_2048_8192_SHA256,
    RSA_PKCS1_SHA256, RsaKeyPair,
};
use base64::{Engine, engine::general_purpose::STANDARD as BASE64};
use http::{HeaderMap, HeaderValue};
use http_signature_normalization::Config;
use rsa::pkcs8::{Document, SecretDocument};
use sha2::{Digest, Sha256};
use url::Url;

pub use super::multikey::{decode_ed25519, encode_ed25519};
pub use super::rfc9421::{SignatureStyle, content_digest, sign_post as sign_post_rfc9421};
use crate::error::{Error, Result};

/// Something that makes RSASSA-PKCS1-v1_5 SHA-256 signatures: our parsed [`SigningKey`], or an
/// `rsa::RsaPrivateKey` a caller already holds (or, for RFC 9421, any signer naming its `alg`).
pub trait SignsRequests {
    /// Signs `message` (hashing it with SHA-256; an Ed25519 signer signs it as Ed25519 does).
    fn sign_sha256(&self, message: &[u8]) -> Result<Vec<u8>>;

    /// The RFC 9421 `alg` of these signatures.
    fn rfc9421_alg(&self) -> &'static str {
        super::rfc9421::ALG_RSA
    }
}

/// A parsed RSA private key, ready to sign deliveries.
pub struct SigningKey(RsaKeyPair);

impl SigningKey {
    /// Parses a PKCS#8 PEM private key (`-----BEGIN PRIVATE KEY-----`), as we store them.
    pub fn from_pkcs8_pem(pem: &str) -> Result<SigningKey> {
        let (_, der) = SecretDocument::from_pem(pem)
            .map_err(|e| Error::Internal(format!("private key PEM: {e}")))?;
        RsaKeyPair::from_pkcs8(der.as_bytes())
            .map(SigningKey)
            .map_err(|e| Error::Internal(format!("private key: {e}")))
    }
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningKey(..)")
    }
}

impl SignsRequests for SigningKey {
    fn sign_sha256(&self, message: &[u8]) -> Result<Vec<u8>> {
        let mut signature = vec![0; self.0.public_modulus_len()];
        // aws-lc-rs ignores the random source for PKCS#1 v1.5 (it is deterministic) but asks for one.
        let rng = aws_lc_rs::rand::SystemRandom::new();
        self.0
            .sign(&RSA_PKCS1_SHA256, &rng, message, &mut signature)
            .map_err(|_| Error::Internal("RSA signing failed".into()))?;
        Ok(signature)
    }
}

impl SignsRequests for rsa::RsaPrivateKey {
    fn sign_sha256(&self, message: &[u8]) -> Result<Vec<u8>> {
        self.sign(rsa::Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(message))
            .map_err(|e| Error::Internal(format!("RSA signing failed: {e}")))
    }
}

/// A parsed public key, ready to check signatures: an actor's RSA `publicKey`, or an Ed25519 key it
/// publishes as a Multikey in `assertionMethod` (RFC 9421 `ed25519`).
pub enum VerifyingKey {
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    Rsa(ParsedPublicKey),
    /// Ed25519 (the 32 raw public key bytes).
    Ed25519(Vec<u8>),
}

impl VerifyingKey {
    /// Parses a PEM public key, SPKI (`PUBLIC KEY`) or PKCS#1 (`RSA PUBLIC KEY`). Keys under 2048 bits
    /// are still accepted, as before: some older servers have them.
    pub fn from_pem(pem: &str) -> Option<VerifyingKey> {
        let (_, der) = Document::from_pem(pem.trim()).ok()?;
        ParsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, der.as_bytes())
            .or_else(|_| {
                ParsedPublicKey::new(
                    &RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY,
                    der.as_bytes(),
                )
            })
            .ok()
            .map(VerifyingKey::Rsa)
    }

    /// Parses a Multikey `publicKeyMultibase` holding an Ed25519 key (`z` + base58btc of `0xed01` and
    /// the 32 key bytes).
    pub fn from_multikey(multibase: &str) -> Option<VerifyingKey> {
        let bytes = super::multikey::decode_ed25519(multibase)?;
        Some(VerifyingKey::Ed25519(bytes.to_vec()))
    }

    /// Whether `signature` is this key's signature of `message` (RSASSA-PKCS1-v1_5 SHA-256, or
    /// Ed25519).
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        match self {
            VerifyingKey::Rsa(key) => key.verify_sig(message, signature).is_ok(),
            VerifyingKey::Ed25519(raw) => {
                aws_lc_rs::signature::UnparsedPublicKey::new(&aws_lc_rs::signature::ED25519, raw)
                    .verify(message, signature)
                    .is_ok()
            }
        }
    }

    /// The RFC 9421 algorithm name of signatures by this key.
    pub fn rfc9421_alg(&self) -> &'static str {
        match self {
            VerifyingKey::Rsa(_) => super::rfc9421::ALG_RSA,
            VerifyingKey::Ed25519(_) => super::rfc9421::ALG_ED25519,
        }
    }
}

impl std::fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("VerifyingKey(..)")
    }
}

/// The `Digest` header value of a body.
pub fn digest_header(body: &[u8]) -> String {
    format!("SHA-256={}", BASE64.encode(Sha256::digest(body)))
}

/// The headers of a signed POST of `body` to `inbox`, by the key `key_id`.
pub fn sign_post(
    inbox: &Url,
    body: &[u8],
    key_id: &str,
    key: &impl SignsRequests,
) -> Result<HeaderMap> {
    sign_post_at(inbox, body, key_id, key, SystemTime::now())
}

/// Like [`sign_post`], with the `Date` given (tests of signature age sign in the past or future).
pub fn sign_post_at(
    inbox: &Url,
    body: &[u8],
    key_id: &str,
    key: &impl SignsRequests,
    date: SystemTime,
) -> Result<HeaderMap> {
    let mut headers = BTreeMap::new();
    headers.insert("date".to_string(), httpdate::fmt_http_date(date));
    headers.insert("digest".to_string(), digest_header(body));
    headers.insert(
        "content-type".to_string(),
        crate::apub::activities::CONTENT_TYPE.to_string(),
    );
    sign_cavage("POST", inbox, headers, key_id, key)
}

/// Signs `headers` and `host` (draft-cavage, with `(request-target)`): every header given is signed.
fn sign_cavage(
    method: &str,
    url: &Url,
    mut headers: BTreeMap<String, String>,
    key_id: &str,
    key: &impl SignsRequests,
) -> Result<HeaderMap> {
    let host = crate::apub::actor::normalized_host(url)
        .ok_or_else(|| Error::Internal(format!("{url} has no host")))?;
    headers.insert("host".to_string(), host);
    let path = match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_string(),
    };
    let unsigned = Config::new()
        .mastodon_compat()
        .begin_sign(method, &path, headers.clone())
        .map_err(|e| Error::Internal(format!("signing: {e}")))?;
    let signed = unsigned.sign(key_id.to_string(), |signing_string| {
        key.sign_sha256(signing_string.as_bytes())
            .map(|sig| BASE64.encode(sig))
    })?;
    let mut out = HeaderMap::new();
    for (name, value) in headers
        .into_iter()
        .chain([("signature".to_string(), signed.signature_header())])
    {
        let name = http::HeaderName::from_bytes(name.as_bytes())
            .map_err(|e| Error::Internal(format!("header name: {e}")))?;
        let value = HeaderValue::from_str(&value)
            .map_err(|e| Error::Internal(format!("header value: {e}")))?;
        out.insert(name, value);
    }
    Ok(out)
}

/// A signature that parsed and whose signed headers are acceptable, not yet checked against a key.
pub struct PendingSignature {
    key_id: String,
    kind: Pending,
}

enum Pending {
    Cavage(http_signature_normalization::verify::Unverified),
    Rfc9421(super::rfc9421::Pending),
}

impl PendingSignature {
    /// The `keyId` the signature names.
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// Which specification it follows.
    pub fn style(&self) -> SignatureStyle {
        match self.kind {
            Pending::Cavage(_) => SignatureStyle::Cavage,
            Pending::Rfc9421(_) => SignatureStyle::Rfc9421,
        }
    }

    /// The URL of the key's owner as the `keyId` suggests it (the `keyId` without its fragment).
    pub fn key_owner_guess(&self) -> Result<Url> {
        let mut url = Url::parse(&self.key_id).map_err(|_| {
            Error::Unauthorized(format!("signature keyId {:?} is not a URL", self.key_id))
        })?;
        url.set_fragment(None);
        Ok(url)
    }

    /// Checks the signature with a PEM public key (SPKI or PKCS#1). Parses the key each time: where
    /// the same keys come back, parse once and use [`PendingSignature::verify_with`].
    pub fn verify(&self, public_key_pem: &str) -> bool {
        VerifyingKey::from_pem(public_key_pem).is_some_and(|key| self.verify_with(&key))
    }

    /// Checks the signature with a parsed public key. An RFC 9421 `alg` must be the key's.
    pub fn verify_with(&self, key: &VerifyingKey) -> bool {
        match &self.kind {
            Pending::Cavage(unverified) => {
                let Ok(signature) = BASE64.decode(unverified.signature()) else {
                    return false;
                };
                key.verify(unverified.signing_string().as_bytes(), &signature)
            }
            Pending::Rfc9421(p) => {
                p.alg.as_deref().is_none_or(|alg| alg == key.rfc9421_alg())
                    && key.verify(p.base.as_bytes(), &p.signature)
            }
        }
    }
}

/// How long a signature stays valid, as Mastodon reads draft-cavage: it expires `lifetime` (5 minutes)
/// after its `(created)` or `Date`, unless it signs an `(expires)` of its own, which is honoured up to
/// `max_lifetime` (12 hours) after creation; clocks may differ by `clock_skew` (1 hour) either way.
/// A short life is what stops a captured request being replayed hours later under a new activity id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignatureAge {
    /// Validity after `(created)`/`Date` when no `(expires)` is signed.
    pub lifetime: Duration,
    /// The clock difference tolerated both ways.
    pub clock_skew: Duration,
    /// The longest validity a signed `(expires)` may claim, counted from creation.
    pub max_lifetime: Duration,
}

impl Default for SignatureAge {
    fn default() -> Self {
        SignatureAge {
            lifetime: Duration::from_secs(5 * 60),
            clock_skew: Duration::from_secs(3600),
            max_lifetime: Duration::from_secs(12 * 3600),
        }
    }
}

impl SignatureAge {
    /// The longest a signature can be accepted after it was made: ids of activities older than this
    /// can be forgotten, since their replays are refused by their age.
    pub fn longest_accepted(&self) -> Duration {
        self.max_lifetime.max(self.lifetime) + self.clock_skew
    }

    /// Checks `created` (the signed `(created)`, else the `Date`) and an optional signed `expires`
    /// against `now`.
    pub fn check(
        &self,
        created: SystemTime,
        expires: Option<SystemTime>,
        now: SystemTime,
    ) -> Result<()> {
        if created > now + self.clock_skew {
            return Err(Error::Unauthorized(format!(
                "the signature is dated {}s in the future; at most {}s of clock skew is allowed",
                created.duration_since(now).unwrap_or_default().as_secs(),
                self.clock_skew.as_secs()
            )));
        }
        let cap = created + self.max_lifetime;
        let expires = expires.map_or(created + self.lifetime, |e| e.min(cap));
        if now > expires + self.clock_skew {
            return Err(Error::Unauthorized(format!(
                "the signature has expired: it was made {}s ago, and is valid for {}s after its Date \
                 (or a signed (expires), at most {}s) plus {}s of clock skew",
                now.duration_since(created).unwrap_or_default().as_secs(),
                self.lifetime.as_secs(),
                self.max_lifetime.as_secs(),
                self.clock_skew.as_secs()
            )));
        }
        Ok(())
    }
}

/// The `key="value"` parameters of a `Signature` header (split the way the verifying crate does).
fn signature_params(header: &str) -> BTreeMap<&str, &str> {
    header
        .trim()
        .trim_start_matches("Signature")
        .split(',')
        .filter_map(|part| {
            let (k, v) = part.split_once('=')?;
            Some((k.trim(), v.trim().trim_matches('"')))
        })
        .collect()
}

/// The last second of the year 9999: later `created`/`expires` values are refused, so no time
/// arithmetic on them (ours or the verifying crate's) can overflow.
pub(crate) const LATEST_UNIX_SECOND: u64 = 253_402_300_799;

/// When the signature says it was made and when it expires: `(created)` and `(expires)` count only
/// when they are among the signed headers (otherwise anyone could change them), else the `Date`.
/// Present parameters are checked either way, since the verifying crate reads them too.
fn signature_times(
    signature: &str,
    date: Option<&str>,
) -> Result<(SystemTime, Option<SystemTime>)> {
    let params = signature_params(signature);
    let signed: Vec<&str> = params
        .get("headers")
        .map(|h| h.split_whitespace().collect())
        .unwrap_or_default();
    let unix = |name: &str| -> Result<Option<SystemTime>> {
        let is_signed = signed.iter().any(|h| *h == format!("({name})"));
        let Some(raw) = params.get(name) else {
            return if is_signed {
                Err(Error::Unauthorized(format!(
                    "({name}) is signed but the {name} parameter is missing"
                )))
            } else {
                Ok(None)
            };
        };
        let secs = raw
            .parse::<u64>()
            .ok()
            .filter(|s| *s <= LATEST_UNIX_SECOND)
            .ok_or_else(|| {
                Error::Unauthorized(format!(
                    "the signature's {name} {raw:?} is not a Unix time before the year 10000"
                ))
            })?;
        Ok(is_signed.then(|| SystemTime::UNIX_EPOCH + Duration::from_secs(secs)))
    };
    let (created, expires) = (unix("created")?, unix("expires")?);
    let created = match created {
        Some(c) => c,
        None => date
            .and_then(|d| httpdate::parse_http_date(d).ok())
            .ok_or_else(|| {
                Error::Unauthorized("the Date header is missing or not an HTTP date".into())
            })?,
    };
    Ok((created, expires))
}

/// Parses and pre-checks the signature of an incoming POST: required signed headers (components), the
/// signature's age (see [`SignatureAge`]), the `Host` being ours (`our_host`, reached by `our_scheme`),
/// and the digest matching the body. A request with `Signature-Input` is read as RFC 9421, any other as
/// draft-cavage. No network, no key yet.
pub fn check_post(
    method: &str,
    path_and_query: &str,
    headers: &HeaderMap,
    body: &[u8],
    our_scheme: &str,
    our_host: &str,
    age: SignatureAge,
) -> Result<PendingSignature> {
    check_host(headers, our_host)?;
    if headers.contains_key("signature-input") {
        let target = super::rfc9421::Target {
            method,
            scheme: our_scheme,
            authority: our_host,
            path_and_query,
        };
        let pending = super::rfc9421::check(&target, headers, body, age, SystemTime::now())?;
        return Ok(PendingSignature {
            key_id: pending.key_id.clone(),
            kind: Pending::Rfc9421(pending),
        });
    }
    let (unverified, map) = check_cavage(method, path_and_query, headers, age, true)?;
    check_digest(map.get("digest").map(String::as_str), body)?;
    Ok(PendingSignature {
        key_id: unverified.key_id().to_string(),
        kind: Pending::Cavage(unverified),
    })
}

/// Parses and pre-checks the signature of an incoming GET (a signed fetch, as Mastodon's authorized
/// fetch makes them: draft-cavage over `(request-target) host date`), like [`check_post`] without a
/// body. `None` when the request is not signed at all.
pub fn check_get(
    path_and_query: &str,
    headers: &HeaderMap,
    our_host: &str,
    age: SignatureAge,
) -> Option<Result<PendingSignature>> {
    if !headers.contains_key("signature") {
        return None;
    }
    let checked = check_host(headers, our_host)
        .and_then(|()| check_cavage("GET", path_and_query, headers, age, false))
        .map(|(unverified, _)| PendingSignature {
            key_id: unverified.key_id().to_string(),
            kind: Pending::Cavage(unverified),
        });
    Some(checked)
}

/// Refuses a request whose (signed) `Host` is not this instance.
fn check_host(headers: &HeaderMap, our_host: &str) -> Result<()> {
    let host = headers
        .get(http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(|h| h.trim_end_matches('.').to_ascii_lowercase());
    if host.as_deref() != Some(our_host) {
        return Err(Error::Unauthorized(format!(
            "the signed Host {:?} is not this instance ({our_host})",
            host.unwrap_or_default()
        )));
    }
    Ok(())
}

/// A draft-cavage signature's parameters, age and required headers checked (a digest too when
/// `with_digest`), and the request's headers by name.
fn check_cavage(
    method: &str,
    path_and_query: &str,
    headers: &HeaderMap,
    age: SignatureAge,
    with_digest: bool,
) -> Result<(
    http_signature_normalization::verify::Unverified,
    BTreeMap<String, String>,
)> {
    let mut map = BTreeMap::new();
    for (name, value) in headers {
        if let Ok(v) = value.to_str() {
            map.insert(name.as_str().to_string(), v.to_string());
        }
    }
    let Some(signature) = map.get("signature") else {
        return Err(Error::Unauthorized(
            "the request is not signed (no Signature header)".into(),
        ));
    };
    let (created, expires) = signature_times(signature, map.get("date").map(String::as_str))?;
    age.check(created, expires, SystemTime::now())?;
    // The crate's own expiry check is made looser than ours above, which decides.
    let mut config = Config::new()
        .set_expiration(age.longest_accepted())
        .require_header("(request-target)")
        .require_header("host")
        .require_header("date");
    if with_digest {
        config = config.require_digest();
    }
    let unverified = config
        .begin_verify(method, path_and_query, map.clone())
        .map_err(|e| Error::Unauthorized(format!("invalid signature: {e}")))?;
    Ok((unverified, map))
}

/// The headers of a signed GET of `url` (draft-cavage over `(request-target) host date`, as Mastodon's
/// authorized fetch requires), by the key `key_id`: our signed fetches, made by aws-lc-rs.
pub fn sign_get(url: &Url, key_id: &str, key: &impl SignsRequests) -> Result<HeaderMap> {
    let mut headers = BTreeMap::new();
    headers.insert(
        "date".to_string(),
        httpdate::fmt_http_date(SystemTime::now()),
    );
    sign_cavage("GET", url, headers, key_id, key)
}

/// Checks that a `Digest` header carries the SHA-256 of the body. Other algorithms alone are refused.
fn check_digest(header: Option<&str>, body: &[u8]) -> Result<()> {
    let header =
        header.ok_or_else(|| Error::Unauthorized("the Digest header is missing".into()))?;
    let expected = BASE64.encode(Sha256::digest(body));
    let mut saw_sha256 = false;
    for part in header.split(',') {
        let Some((alg, value)) = part.trim().split_once('=') else {
            continue;
        };
        if alg.eq_ignore_ascii_case("sha-256") {
            saw_sha256 = true;
            if value.trim() != expected {
                return Err(Error::Unauthorized(
                    "the Digest does not match the body".into(),
                ));
            }
        }
    }
    if !saw_sha256 {
        return Err(Error::Unauthorized(
            "the Digest header has no SHA-256 value".into(),
        ));
    }
    Ok(())
}

/// A new RSA-2048 key pair as PEM: PKCS#8 private key, SubjectPublicKeyInfo public key (the
/// `publicKeyPem` every fediverse server reads).
pub(crate) fn rsa_2048() -> crate::error::Result<crate::model::KeyPair> {
    use aws_lc_rs::encoding::{AsDer, Pkcs8V1Der, PublicKeyX509Der};
    use aws_lc_rs::signature::KeyPair as _;
    use rsa::pkcs8::der::pem::{LineEnding, encode_string};

    let failed =
        |what: &str| crate::error::Error::Internal(format!("key generation failed: {what}"));
    let pair = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048)
        .map_err(|_| failed("no key"))?;
    let private: Pkcs8V1Der = pair.as_der().map_err(|_| failed("private key encoding"))?;
    let public: PublicKeyX509Der = pair
        .public_key()
        .as_der()
        .map_err(|_| failed("public key encoding"))?;
    let pem = |label, der: &[u8]| {
        encode_string(label, LineEnding::LF, der).map_err(|e| failed(&e.to_string()))
    };
    Ok(crate::model::KeyPair {
        private_key_pem: pem("PRIVATE KEY", private.as_ref())?,
        public_key_pem: pem("PUBLIC KEY", public.as_ref())?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_expire_as_mastodon_reads_them() {
        let age = SignatureAge::default();
        let now = SystemTime::now();
        let ago = |secs: u64| now - Duration::from_secs(secs);
        // 5 minutes of life plus 1 hour of skew.
        assert!(age.check(ago(30 * 60), None, now).is_ok());
        assert!(age.check(ago(3600 + 4 * 60), None, now).is_ok());
        assert!(age.check(ago(2 * 3600), None, now).is_err());
        assert!(
            age.check(now + Duration::from_secs(3500), None, now)
                .is_ok()
        );
        assert!(
            age.check(now + Duration::from_secs(2 * 3600), None, now)
                .is_err()
        );
        // A signed (expires) is honoured, up to 12 hours after creation.
        let created = ago(2 * 3600);
        assert!(
            age.check(created, Some(created + Duration::from_secs(10 * 3600)), now)
                .is_ok()
        );
        let created = ago(14 * 3600);
        assert!(
            age.check(created, Some(created + Duration::from_secs(20 * 3600)), now)
                .is_err()
        );
    }

    #[test]
    fn created_and_expires_count_only_when_signed() {
        let date = httpdate::fmt_http_date(SystemTime::UNIX_EPOCH + Duration::from_secs(1000));
        let unsigned = r#"keyId="k",headers="(request-target) host date",created="5",expires="9",signature="x""#;
        let (created, expires) = signature_times(unsigned, Some(&date)).expect("times");
        assert_eq!(created, SystemTime::UNIX_EPOCH + Duration::from_secs(1000));
        assert_eq!(expires, None);
        let signed = r#"keyId="k",headers="(request-target) (created) (expires) host",created="5",expires="9",signature="x""#;
        let (created, expires) = signature_times(signed, None).expect("times");
        assert_eq!(created, SystemTime::UNIX_EPOCH + Duration::from_secs(5));
        assert_eq!(
            expires,
            Some(SystemTime::UNIX_EPOCH + Duration::from_secs(9))
        );
        assert!(signature_times(r#"headers="(created)",created="soon""#, None).is_err());
        assert!(signature_times(r#"headers="(created)""#, None).is_err());
        // Present but unsigned: still refused when it is no sane time (the crate would overflow).
        let huge = format!(r#"headers="date",created="{}""#, u64::MAX);
        assert!(signature_times(&huge, Some(&date)).is_err());
        assert!(signature_times(r#"headers="host""#, Some("yesterday")).is_err());
    }

    #[test]
    fn digest_mismatch_is_refused() {
        assert!(check_digest(Some(&digest_header(b"abc")), b"abc").is_ok());
        assert!(check_digest(Some(&digest_header(b"abc")), b"abd").is_err());
        assert!(check_digest(Some("SHA-512=xyz"), b"abc").is_err());
        assert!(check_digest(None, b"abc").is_err());
    }

    #[test]
    fn aws_lc_signatures_match_the_rsa_crate_and_verify() {
        use rsa::pkcs8::DecodePrivateKey;
        let pair = activitypub_federation::http_signatures::generate_actor_keypair().expect("keys");
        let ours = SigningKey::from_pkcs8_pem(&pair.private_key).expect("aws-lc key");
        let theirs = rsa::RsaPrivateKey::from_pkcs8_pem(&pair.private_key).expect("rsa key");
        let message = b"(request-target): post /inbox";
        let signature = ours.sign_sha256(message).expect("sign");
        assert_eq!(signature, theirs.sign_sha256(message).expect("sign"));
        let public = VerifyingKey::from_pem(&pair.public_key).expect("public key");
        assert!(public.verify(message, &signature));
        assert!(!public.verify(b"(request-target): post /other", &signature));
        // PKCS#1 PEM public keys are accepted too.
        let pkcs1 = rsa::pkcs1::EncodeRsaPublicKey::to_pkcs1_pem(
            &theirs.to_public_key(),
            rsa::pkcs8::LineEnding::LF,
        )
        .expect("pkcs1");
        assert!(
            VerifyingKey::from_pem(&pkcs1)
                .expect("pkcs1 key")
                .verify(message, &signature)
        );
    }
}
