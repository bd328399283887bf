//! # Verkosto
//!
//! Communities, their managers and their events on the fediverse. A community (a co-working space, a
//! company's internal community, an association, a network of communities) is an ActivityPub `Group`
//! that anyone on Mastodon, Mobilizon, Lemmy or another Verkosto can follow; its events are
//! ActivityPub `Event`s (FEP-8a8e, as Mobilizon writes them) that people join from their own server.
//!
//! This crate is the library; the reference server (`verkosto-server`, binary `verkosto`) is one
//! program built on it. The chapters below are a guide; their code is compiled as doctests.
//!
//! ## 1. Embedding Verkosto in your axum app
//!
//! Open Verkosto on a database, choose which of its route groups to mount with [`http::Mount`], and
//! keep your own routes, `/` included:
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> verkosto::Result<()> {
//! use axum::{Router, routing::get};
//! use verkosto::{Settings, Verkosto, http::Mount};
//!
//! # let dir = std::env::temp_dir().join(format!("verkosto-doc-embed-{}", std::process::id()));
//! # std::fs::create_dir_all(&dir).ok();
//! # let database_url = format!("sqlite://{}", dir.join("doc.db").display());
//! // Migrations run here, with their own history table (`verkosto_migrations`): your own sqlx
//! // migrations keep `_sqlx_migrations` to themselves.
//! let verkosto = Verkosto::open(&database_url, Settings::new("spaces.example")).await?;
//! // The durable delivery queue's workers, until the future given completes.
//! let _workers = verkosto.spawn_delivery_workers(std::future::pending());
//!
//! let app: Router = Router::new()
//!     .route("/", get(|| async { "our own home page" }))
//!     .merge(
//!         Mount::new(verkosto.clone())
//!             .federation()            // actors, inboxes, WebFinger, NodeInfo, feeds
//!             .client_api("/api/v1")   // the JSON client API, under a prefix of your choice
//!             .pages()                 // community and event pages, the managers' workspace
//!             .operations()            // /healthz and /metrics
//!             .into_router(),
//!     );
//! // axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>())
//! # drop(app); verkosto.db().close().await; std::fs::remove_dir_all(&dir).ok();
//! # Ok(()) }
//! ```
//!
//! Already have a pool? Pass it: `Verkosto::with_db(Db::Postgres(pool), settings)` after
//! [`store::Db::migrate`]. Both examples in `examples/` run in the test suite: `embed` (your `/`
//! beside Verkosto's pages) and `host_users` (your own users; Verkosto only federates).
//!
//! ## 2. Hearing what happens: hooks
//!
//! [`Verkosto::subscribe`] gives a stream of [`DomainEvent`]s, each sent after the transaction that
//! made it true committed: follows requested and accepted, participations, waitlist promotions,
//! comments, remote events stored, updated or cancelled, network memberships. See [`hooks`].
//!
//! ## 3. The model
//!
//! Everything is done through [`Verkosto`]'s methods, which check who may do what, then change the
//! store and queue the activities they cause in one transaction:
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> verkosto::Result<()> {
//! use verkosto::{Settings, Verkosto, service::NewAccount, model::{NewCommunity, NewEvent}};
//!
//! # let dir = std::env::temp_dir().join(format!("verkosto-doc-{}", std::process::id()));
//! # std::fs::create_dir_all(&dir).ok();
//! # let url = format!("sqlite://{}", dir.join("doc.db").display());
//! let verkosto = Verkosto::open(&url, Settings::new("spaces.example")).await?;
//! let manager = verkosto
//!     .create_account(NewAccount { username: "aino".into(), password: "correct horse".into(), is_admin: false })
//!     .await?;
//! let space = verkosto
//!     .create_community(&manager, NewCommunity {
//!         name: "kahvila".into(),
//!         display_name: Some("Kahvila co-working".into()),
//!         summary: Some("A <b>co-working</b> space in Tampere".into()),
//!         ..NewCommunity::default()
//!     })
//!     .await?;
//! assert_eq!(space.display_name, "Kahvila co-working");
//! let breakfast = verkosto
//!     .create_event(&manager, "kahvila", NewEvent {
//!         title: "Community Manager Appreciation Day breakfast".into(),
//!         starts_at: "2031-01-27T08:00:00+02:00".into(),
//!         ends_at: "2031-01-27T10:00:00+02:00".into(),
//!         ..NewEvent::default()
//!     })
//!     .await?;
//! assert_eq!(breakfast.ap_id.host_str(), Some("spaces.example"));
//! # verkosto.db().close().await;
//! # std::fs::remove_dir_all(&dir).ok();
//! # Ok(()) }
//! ```
//!
//! Communities ([`model::Community`], also networks of communities), people ([`model::Account`]
//! locally, [`model::RemoteActor`] elsewhere), events with participations, waitlists and comments
//! ([`model::Event`]), announcements ([`model::Announcement`], sent as `Note` or `Article`).
//!
//! ## 4. What we send and accept
//!
//! A community is a `Group` with `inbox`, `outbox`, `followers`, `members` and a `publicKey`; an
//! event is an `Event` with `startTime`, `endTime`, `location` (a `Place` with an address and
//! coordinates), `joinMode`, `maximumAttendeeCapacity` and `participantCount` as Mobilizon reads
//! them. We send `Create`, `Update`, `Delete`, `Announce`, `Follow`, `Accept`, `Reject`, `Undo`,
//! `Join`, `Leave` and `Remove` (one typed constructor each in `apub/activities/`), and accept
//! the same. Real documents of Mastodon, Lemmy, Friendica, Pleroma/Akkoma, Misskey, Mobilizon, Gancio
//! and GoToSocial are run through the inbox in the test suite (`tests/fixtures/SOURCES.md`).
//!
//! ## 5. Delivery
//!
//! Every activity is written to the delivery queue in the transaction that caused it, then sent by
//! the workers, signed (HTTP Signatures, `rsa-sha256`), with retries growing from
//! [`Settings::retry_base`] for [`Settings::retry_window`], a per-host concurrency bound shared by
//! every process on the same database, and hosts that fail for long only probed now and then.
//!
//! ## 6. Security
//!
//! Incoming posts are checked for content type, size, digest, signature age and origin before
//! anything is stored; every outgoing request goes through one client that refuses private
//! addresses (also through redirects and IP literals) and blocked domains; per-host and per-address
//! limits answer 429. README's "Safety" section lists each protection and its test.

#![deny(missing_docs)]

// The embedding surface: `Verkosto` and its settings, the route groups (`http::Mount`), the hooks, the
// domain model, the local URLs and the errors. Everything else is the crate's inside.
pub(crate) mod apub;
pub(crate) mod context;
pub(crate) mod deliver;
mod error;
pub mod hooks;
pub mod http;
pub(crate) mod ical;
pub(crate) mod ical_import;
pub(crate) mod mail;
pub mod model;
pub(crate) mod sanitize;
pub mod service;
// Public for the reference server's operator commands and for the test suite (see the module's docs).
#[doc(hidden)]
pub mod store;
pub mod urls;
pub(crate) mod web;

/// Signing and checking HTTP signatures as we do: for tools and tests that talk to an instance as a
/// remote server would (the benchmarks sign inbox posts with it).
pub use apub::signatures;

pub use context::{AppState, Settings};
pub use error::{Error, Refusal, Result};
pub use hooks::DomainEvent;
pub use service::Verkosto;
