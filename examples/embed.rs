//! Embedding Verkosto in your own axum app: your routes and a federated community side by side.
//!
//! Run with `cargo run -p verkosto-server --example embed`, then open http://localhost:3000/ and
//! `curl -H 'Accept: application/activity+json' localhost:3000/actor`.

use axum::{Router, routing::get};
use verkosto::{Settings, Verkosto};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut settings = Settings::new("localhost:3000");
    // A local trial: http:// ids and loopback peers. Leave this off on a public host.
    settings.dev_federation = true;
    let verkosto = Verkosto::open("sqlite://embed-example.db", settings).await?;
    // Deliveries go out in the background until the process ends.
    let _workers = verkosto.spawn_delivery_workers(std::future::pending());

    let app = Router::new()
        .route(
            "/",
            get(|| async { "Our space's own web site, with a fediverse community inside" }),
        )
        .merge(verkosto::http::router(verkosto.clone()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
    println!("listening on http://localhost:3000");
    axum::serve(listener, app).await?;
    Ok(())
}
