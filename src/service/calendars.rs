//! Personal calendar feeds: a secret URL per account that a calendar app subscribes to. Only the
//! secret's hash is stored, so the URL is shown once, when it is made; making a new one (rotating)
//! ends the old one, and the feed can be turned off.

use chrono::{DateTime, Utc};
use rand::RngCore;

use super::Verkosto;
use crate::apub::actor;
use crate::error::{Error, Refusal, Result};
use crate::model::{Account, Event};
use crate::store::{self, calendars};

impl Verkosto {
    /// Makes a new secret URL path for the account's personal feed (`/calendar/{secret}.ics`);
    /// the previous one, if any, stops working at once.
    pub async fn new_calendar_path(&self, account: &Account) -> Result<String> {
        let mut raw = [0u8; 24];
        rand::rng().fill_bytes(&mut raw);
        let token = hex::encode(raw);
        let mut tx = self.db().begin().await?;
        calendars::replace(
            &mut tx.conn(),
            account.id,
            &calendars::token_hash(&token),
            store::now(),
        )
        .await?;
        tx.commit().await?;
        tracing::info!(username = %account.username, "calendar feed URL made");
        Ok(self.state().urls().calendar_feed(&token).path().to_string())
    }

    /// When the account's current feed URL was made, or `None` when it has no feed.
    pub async fn calendar_since(&self, account: &Account) -> Result<Option<DateTime<Utc>>> {
        let mut c = self.db().acquire().await?;
        calendars::created_at(&mut c.conn(), account.id).await
    }

    /// Turns the account's personal feed off (its URL answers 404). Doing it twice is no error.
    pub async fn revoke_calendar(&self, account: &Account) -> Result<()> {
        let mut tx = self.db().begin().await?;
        let deleted = calendars::delete(&mut tx.conn(), account.id).await?;
        tx.commit().await?;
        if deleted {
            tracing::info!(username = %account.username, "calendar feed turned off");
        }
        Ok(())
    }

    /// The personal feed behind a calendar secret: the events the account takes part in, and those
    /// of its members-only communities (which have no public feed; issue 18) from 90 days back.
    pub async fn personal_calendar(&self, token: &str) -> Result<(Account, Vec<Event>)> {
        let mut c = self.db().acquire().await?;
        let account_id = calendars::account_of(&mut c.conn(), &calendars::token_hash(token))
            .await?
            .ok_or_else(|| Error::from(Refusal::NoSuchCalendar))?;
        let account = store::accounts::find_by_id(&mut c.conn(), account_id)
            .await?
            .ok_or_else(|| Error::from(Refusal::NoSuchCalendar))?;
        let me = actor::account_id(self.state(), &account.username);
        let mut events = store::events::participating(&mut c.conn(), me.as_str()).await?;
        let since = store::now() - chrono::Duration::days(90);
        for event in store::events::for_member(&mut c.conn(), account.id, since).await? {
            if !events.iter().any(|e| e.id == event.id) {
                events.push(event);
            }
        }
        events.sort_by_key(|e| (e.starts_at, e.id));
        Ok((account, events))
    }
}
