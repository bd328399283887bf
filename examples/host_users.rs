//! A host app with its own users that uses Verkosto for communities, events and federation only:
//! no Verkosto pages, no Verkosto client API. The app publishes an event through the library, and
//! prints every domain event (a follow from Mastodon, a participation, a comment...) as it happens.
//!
//! Run with `cargo run --example host_users`, then follow `@coworkers@localhost:3001` from a
//! fediverse account that can reach this machine, and watch the terminal.
//!
//! `PORT` and `DATABASE_URL` choose the port (3001) and the database (`sqlite://host-users.db`).

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::{Router, extract::State, routing::get};
use verkosto::http::Mount;
use verkosto::model::{NewCommunity, NewEvent};
use verkosto::service::NewAccount;
use verkosto::{DomainEvent, Error, Settings, Verkosto};

/// The host's own people; Verkosto never sees them.
type Members = Arc<BTreeMap<&'static str, &'static str>>;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let port: u16 = std::env::var("PORT").map_or(Ok(3001), |p| p.parse())?;
    let database =
        std::env::var("DATABASE_URL").unwrap_or_else(|_| "sqlite://host-users.db".into());
    let mut settings = Settings::new(format!("localhost:{port}"));
    // A local trial: http:// ids and loopback peers. Leave this off on a public host.
    settings.dev_federation = true;
    let verkosto = Verkosto::open(&database, settings).await?;
    let _workers = verkosto.spawn_delivery_workers(std::future::pending());

    // Subscribe before anything can happen, then print what does.
    let mut events = verkosto.subscribe();
    tokio::spawn(async move {
        while let Ok(event) = events.recv().await {
            match event {
                DomainEvent::FollowAccepted { target, follower } => {
                    println!("hook: {follower} now follows {target}");
                }
                other => println!("hook: {other:?}"),
            }
        }
    });
    first_run(&verkosto).await?;

    let members: Members = Arc::new(BTreeMap::from([
        ("minna", "Minna, community manager"),
        ("olli", "Olli, member since 2024"),
    ]));
    let app = Router::new()
        .route("/", get(home))
        .with_state(members)
        // Verkosto only federates: actors, inboxes, WebFinger, NodeInfo, feeds.
        .merge(Mount::new(verkosto.clone()).federation().into_router());
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!("listening on http://localhost:{port}");
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .await?;
    Ok(())
}

async fn home(State(members): State<Members>) -> String {
    let mut page = String::from("Our members:\n");
    for (name, about) in members.iter() {
        page.push_str(&format!("- {name}: {about}\n"));
    }
    page.push_str("Follow @coworkers on the fediverse for our events.\n");
    page
}

/// The app's service account, its community and a first event, made once.
async fn first_run(verkosto: &Verkosto) -> Result<(), Error> {
    let app_account = match verkosto
        .create_account(NewAccount {
            username: "host_app".into(),
            password: "a long service password".into(),
            is_admin: false,
        })
        .await
    {
        Ok(account) => account,
        Err(Error::Conflict(_)) => return Ok(()),
        Err(e) => return Err(e),
    };
    verkosto
        .create_community(
            &app_account,
            NewCommunity {
                name: "coworkers".into(),
                display_name: Some("Our co-workers".into()),
                ..NewCommunity::default()
            },
        )
        .await?;
    let event = verkosto
        .create_event(
            &app_account,
            "coworkers",
            NewEvent {
                title: "Community Manager Appreciation Day breakfast".into(),
                starts_at: "2031-01-27T08:00:00+02:00".into(),
                ends_at: "2031-01-27T10:00:00+02:00".into(),
                timezone: Some("Europe/Helsinki".into()),
                ..NewEvent::default()
            },
        )
        .await?;
    println!("published {}", event.ap_id);
    Ok(())
}
