//! Verkosto's integration suite, one test binary: real servers on loopback ports, each with its own
//! database (SQLite, and PostgreSQL too when `DATABASE_URL` is set), talking signed HTTP. One module
//! per concern; helpers live once in `common`.

mod common;

mod api;
mod authorization;
mod bans;
mod browser;
mod browser_insights;
mod browser_series;
mod calendar_import;
mod company_sign_in;
mod delivery;
mod delivery_retries;
mod document_cache;
mod event_updates;
mod events;
mod examples;
mod federation;
mod feedback;
mod foreign_fixtures;
mod hardening;
mod hooks;
mod inbox_effects;
mod inbox_safety;
mod incoming_shapes;
mod insights;
mod interop;
mod lemmy_reader;
mod load;
mod mail;
mod members_only;
mod members_only_delivery;
mod members_only_invitations;
mod migrations;
mod networks;
mod query_params;
mod relays;
mod reporting;
mod rfc9421;
mod series;
mod signature_age;
mod store;
mod trust;
mod web;
mod web_safety;
