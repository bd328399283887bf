//! Baselines measured in the same run: a bare axum server returning fixed JSON, and the raw rates of
//! the RSA-2048 operations the server does, with the very functions the server calls.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::{Router, extract::Path, http::header, response::IntoResponse, routing::get};
use verkosto::model::KeyPair;
use verkosto::signatures::{self, SigningKey, VerifyingKey};

/// A JSON document of exactly `size` bytes (at least 16).
pub fn fixed_json(size: usize) -> String {
    let overhead = r#"{"padding":""}"#.len();
    format!(
        r#"{{"padding":"{}"}}"#,
        "x".repeat(size.saturating_sub(overhead))
    )
}

/// Serves `/fixed/{i}` (a fixed JSON body of `sizes[i]` bytes) and `/healthz` on `port` until killed:
/// what axum alone does, to compare the server's read path with.
pub async fn serve(port: u16, sizes: Vec<usize>) -> anyhow::Result<()> {
    let bodies: Arc<Vec<bytes::Bytes>> = Arc::new(
        sizes
            .iter()
            .map(|&s| bytes::Bytes::from(fixed_json(s)))
            .collect(),
    );
    let app = Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route(
            "/fixed/{i}",
            get(move |Path(i): Path<usize>| {
                let bodies = bodies.clone();
                async move {
                    match bodies.get(i) {
                        Some(body) => ([(header::CONTENT_TYPE, "application/json")], body.clone())
                            .into_response(),
                        None => http::StatusCode::NOT_FOUND.into_response(),
                    }
                }
            }),
        );
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    axum::serve(listener, app).await?;
    Ok(())
}

fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// RSA-2048 signature verifications per second on every core, with a parsed key (what the inbox does
/// per activity once the sender's key is cached).
pub fn verify_rate(keys: &KeyPair, duration: Duration) -> f64 {
    let signer = SigningKey::from_pkcs8_pem(&keys.private_key_pem).expect("benchmark key parses");
    let message = b"(request-target): post /inbox\nhost: localhost\ndate: now\ndigest: SHA-256=x";
    let signature =
        signatures::SignsRequests::sign_sha256(&signer, message).expect("benchmark key signs");
    let key = Arc::new(VerifyingKey::from_pem(&keys.public_key_pem).expect("benchmark key parses"));
    let signature = Arc::new(signature);
    let start = Instant::now();
    let counts: Vec<u64> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads())
            .map(|_| {
                let key = key.clone();
                let signature = signature.clone();
                scope.spawn(move || {
                    let mut n = 0u64;
                    while start.elapsed() < duration {
                        assert!(
                            key.verify(message, &signature),
                            "a valid signature verifies"
                        );
                        n += 1;
                    }
                    n
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("verify thread"))
            .collect()
    });
    counts.iter().sum::<u64>() as f64 / start.elapsed().as_secs_f64()
}

/// The time to sign `count` deliveries of `body` (headers, digest and RSA signature, by
/// [`signatures::sign_post`], as the delivery workers do) on every core: the floor of a fan-out.
pub fn signing_floor(keys: &KeyPair, count: usize, body: &[u8]) -> Duration {
    let signer =
        Arc::new(SigningKey::from_pkcs8_pem(&keys.private_key_pem).expect("benchmark key parses"));
    let inbox = url::Url::parse("http://localhost:9/inbox/1").expect("a valid URL");
    let threads = threads();
    let start = Instant::now();
    std::thread::scope(|scope| {
        for t in 0..threads {
            let share = count / threads + usize::from(t < count % threads);
            let signer = signer.clone();
            let inbox = &inbox;
            scope.spawn(move || {
                for _ in 0..share {
                    signatures::sign_post(inbox, body, "http://localhost:9/c/x#main-key", &*signer)
                        .expect("signing works");
                }
            });
        }
    });
    start.elapsed()
}
