//! # Verkosto
//!
//! Communities, their managers and their events on the fediverse. A community (a co-working space, a
//! company's internal community, an association, a network of communities) is an ActivityPub `Group`
//! that anyone on Mastodon, Mobilizon, Lemmy or another Verkosto can follow.
//!
//! The crate is laid out by responsibility:
//!
//! - [`model`]: domain types (communities, accounts, follows), independent of storage and wire format;
//! - [`store`]: storage through sqlx on SQLite and PostgreSQL, one module per aggregate;
//! - [`apub`]: ActivityPub objects and activities (one file per type), signatures, the inbox pipeline;
//! - [`deliver`]: the durable outgoing queue and its workers;
//! - [`service`]: the operations embedders call ([`Verkosto`]);
//! - [`http`]: an axum [`Router`](axum::Router) exposing federation endpoints and the client API.
//!
//! A request flows one way: HTTP handler -> service -> store and outbox.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> verkosto::Result<()> {
//! use verkosto::{Settings, Verkosto, service::NewAccount, model::NewCommunity};
//!
//! let dir = std::env::temp_dir().join(format!("verkosto-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir).ok();
//! let url = format!("sqlite://{}", dir.join("doc.db").display());
//! let verkosto = Verkosto::open(&url, Settings::new("spaces.example")).await?;
//!
//! let manager = verkosto
//!     .create_account(NewAccount { username: "aino".into(), password: "correct horse".into(), is_admin: false })
//!     .await?;
//! let space = verkosto
//!     .create_community(&manager, NewCommunity {
//!         name: "kahvila".into(),
//!         display_name: Some("Kahvila co-working".into()),
//!         summary: Some("A <b>co-working</b> space in Tampere".into()),
//!         kind: None, location: None, latitude: None, longitude: None, website: None, tags: None,
//!         icon_url: None, banner_url: None, follow_policy: None,
//!     })
//!     .await?;
//! assert_eq!(space.display_name, "Kahvila co-working");
//! // Mount it in an axum app: axum::serve(listener, verkosto::http::router(verkosto.clone())).
//! let _app = verkosto::http::router(verkosto.clone());
//! # verkosto.db().close().await;
//! # std::fs::remove_dir_all(&dir).ok();
//! # Ok(()) }
//! ```

#![warn(missing_docs)]

pub mod apub;
pub mod deliver;
mod error;
pub mod hooks;
pub mod http;
pub mod ical;
pub mod model;
pub mod service;
pub mod store;
pub mod web;

pub use error::{Error, Result};
pub use hooks::DomainEvent;
pub use service::{AppState, Settings, Verkosto};
