//! Embedding Verkosto in your own axum app: your own `/` and a federated community beside it.
//!
//! Run with `cargo run --example embed`, then open http://localhost:3000/ (yours),
//! http://localhost:3000/c/kahvila (Verkosto's community page) and
//! `curl -H 'Accept: application/activity+json' localhost:3000/c/kahvila` (the same community as an
//! ActivityPub `Group`, which anyone on Mastodon can follow as `@kahvila@localhost:3000`).
//!
//! `PORT` and `DATABASE_URL` choose the port (3000) and the database (`sqlite://embed-example.db`).

use axum::{Router, routing::get};
use verkosto::http::Mount;
use verkosto::model::NewCommunity;
use verkosto::service::NewAccount;
use verkosto::{Error, Settings, Verkosto};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let port: u16 = std::env::var("PORT").map_or(Ok(3000), |p| p.parse())?;
    let database =
        std::env::var("DATABASE_URL").unwrap_or_else(|_| "sqlite://embed-example.db".into());
    let mut settings = Settings::new(format!("localhost:{port}"));
    // A local trial: http:// ids and loopback peers. Leave this off on a public host.
    settings.dev_federation = true;
    let verkosto = Verkosto::open(&database, settings).await?;
    // Deliveries go out in the background until the process ends.
    let _workers = verkosto.spawn_delivery_workers(std::future::pending());
    first_run(&verkosto).await?;

    let app = Router::new()
        .route(
            "/",
            get(|| async { "Our space's own web site, with a fediverse community inside" }),
        )
        // Everything of Verkosto's except its home page: `/` stays ours.
        .merge(
            Mount::new(verkosto.clone())
                .federation()
                .client_api("/api/v1")
                .pages()
                .operations()
                .into_router(),
        );
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!("listening on http://localhost:{port}");
    axum::serve(
        listener,
        // The per-address limits need the peer's address.
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .await?;
    Ok(())
}

/// A manager account and the space's community, made once.
async fn first_run(verkosto: &Verkosto) -> Result<(), Error> {
    let manager = match verkosto
        .create_account(NewAccount {
            username: "aino".into(),
            password: "a long example password".into(),
            is_admin: true,
        })
        .await
    {
        Ok(account) => account,
        Err(Error::Conflict(_)) => return Ok(()),
        Err(e) => return Err(e),
    };
    verkosto
        .create_community(
            &manager,
            NewCommunity {
                name: "kahvila".into(),
                display_name: Some("Kahvila co-working".into()),
                summary: Some("A co-working space in Tampere".into()),
                ..NewCommunity::default()
            },
        )
        .await?;
    Ok(())
}
