//! Taking part without a fediverse account (issue 19): a visitor gives a name and an e-mail
//! address, a link by e-mail confirms it (on a page whose button does it: mail scanners open links),
//! and the same link cancels it. Confirmed, they are a participant like any other: the same seats,
//! waitlist and approval, under a local participant id nothing is delivered to.

use url::Url;

use super::Verkosto;
use super::notifications::{Notice, Recipient};
use crate::error::{Error, Refusal, Result};
use crate::mail::Kind;
use crate::mail::compose::{self, Letter};
use crate::model::{Event, EventStatus, JoinMode, Participation};
use crate::store;
use crate::web::i18n::Lang;

/// How often the confirmation of one request is sent again when asked again.
const RESEND_EVERY_SECS: i64 = 600;
/// The longest name a guest may give.
const MAX_NAME: usize = 100;

/// A visitor asks to take part (`POST /api/v1/events/{id}/guest-participations`).
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GuestRequest {
    /// The name the organisers see.
    pub name: String,
    /// Where the confirmation link goes.
    pub email: String,
    /// `fi`, `sv` or `en`: the language of their e-mail (the event's, else English, when absent).
    #[serde(default)]
    pub language: Option<String>,
}

/// A guest's participation as their personal page shows it.
#[derive(Debug, Clone)]
pub struct GuestView {
    /// The event.
    pub event: Event,
    /// The name they gave.
    pub name: String,
    /// The language they chose.
    pub language: String,
    /// Whether they confirmed (and did not cancel since).
    pub confirmed: bool,
    /// Whether they cancelled.
    pub cancelled: bool,
    /// Where they stand once confirmed.
    pub participation: Option<Participation>,
    /// Their address's secret, for its notice settings.
    pub mail_token: Option<String>,
}

impl Verkosto {
    /// Whether an event takes participants by e-mail now.
    pub fn takes_guests(&self, event: &Event) -> bool {
        self.state().mailer.is_some()
            && event.local
            && event.guest_participation
            && event.status != EventStatus::Cancelled
            && event.ends_at > store::now()
            && matches!(event.join_mode, JoinMode::Free | JoinMode::Approval)
    }

    /// Checks `guest_participation` on an event being written: it needs e-mail.
    pub(crate) fn check_guest_participation(&self, on: Option<bool>) -> Result<bool> {
        match on {
            Some(true) if self.state().mailer.is_none() => Err(Error::invalid(
                "guest_participation",
                Refusal::MailNotConfigured,
            )),
            other => Ok(other.unwrap_or(false)),
        }
    }

    /// A visitor asks to take part: the confirmation link goes to their address (again at most
    /// every ten minutes when they ask again). Answers the same whether or not the address asked
    /// before, so the answer tells nobody who takes part.
    pub async fn request_guest_participation(
        &self,
        public_id: &str,
        request: GuestRequest,
    ) -> Result<()> {
        if self.state().mailer.is_none() {
            return Err(Refusal::MailNotConfigured.into());
        }
        // A guest is nobody's member: a members-only event is not there for them.
        let event = self
            .event_for(public_id, &crate::service::Reader::Anonymous)
            .await?;
        if !self.takes_guests(&event) {
            return Err(Refusal::GuestsNotTaken.into());
        }
        let name = request.name.trim();
        if name.is_empty() {
            return Err(Error::invalid("name", Refusal::Required));
        }
        if name.chars().count() > MAX_NAME || name.chars().any(char::is_control) {
            return Err(Error::invalid("name", Refusal::TooLong { max: MAX_NAME }));
        }
        let email = crate::mail::normalize_address(&request.email)
            .ok_or_else(|| Error::invalid("email", Refusal::NotAnEmail))?;
        let lang = super::notifications::chosen_language(
            request.language.as_deref(),
            event
                .language
                .as_deref()
                .and_then(Lang::from_code)
                .unwrap_or(Lang::En),
        )?;
        let now = store::now();
        let mut tx = self.db().begin().await?;
        let guest = store::guests::request(
            &mut tx.conn(),
            &super::events::new_public_id(),
            event.id,
            name,
            &email,
            lang.code(),
            &crate::mail::new_secret(),
            now,
        )
        .await?;
        let lang = Lang::from_code(&guest.language).unwrap_or(lang);
        let link = self.state().urls().guest_link(&guest.token);
        let to = Recipient {
            address: guest.email.clone(),
            lang,
            name: Some(guest.name.clone()),
            link: link.clone(),
        };
        let letter = Letter {
            subject: lang.t_with("mail-guest-confirm-subject", "title", &event.title),
            name: Some(guest.name.clone()),
            paragraphs: vec![
                lang.t_args(
                    "mail-guest-confirm-body",
                    [
                        ("title", event.title.clone()),
                        ("when", compose::when_and_where(lang, &event)),
                    ],
                ),
                lang.t("mail-guest-confirm-ignore"),
            ],
            action: Some((lang.t("mail-guest-confirm-action"), link)),
        };
        let notice = Notice {
            kind: Kind::GuestConfirmation,
            key: format!(
                "guest_confirmation:{}:{}",
                guest.id,
                now.timestamp() / RESEND_EVERY_SECS
            ),
            event_id: Some(event.id),
            send_at: now,
            letter,
        };
        self.queue_notice(&mut tx, &to, notice).await?;
        self.commit(tx).await?;
        tracing::info!(event = %event.ap_id, "participation by e-mail requested");
        Ok(())
    }

    /// What a guest's personal link shows.
    pub async fn guest_view(&self, token: &str) -> Result<GuestView> {
        let mut c = self.db().acquire().await?;
        let guest = store::guests::by_token(&mut c.conn(), token)
            .await?
            .ok_or_else(|| Error::from(Refusal::NoSuchMailLink))?;
        let event = store::events::find_by_id(&mut c.conn(), guest.event_id)
            .await?
            .ok_or_else(|| Error::from(Refusal::NoSuchMailLink))?;
        let me = self.state().urls().guest(&guest.public_id);
        let participation =
            store::events::participation_of(&mut c.conn(), event.id, me.as_str()).await?;
        let mail_token = store::mail::recipient_token_of(&mut c.conn(), &guest.email).await?;
        Ok(GuestView {
            confirmed: guest.confirmed_at.is_some() && guest.cancelled_at.is_none(),
            cancelled: guest.cancelled_at.is_some(),
            name: guest.name,
            language: guest.language,
            participation,
            mail_token,
            event,
        })
    }

    /// The guest confirms through their link: they take part as the event's rules say (a seat, the
    /// waitlist, or the organisers' approval). Confirming again changes nothing.
    pub async fn confirm_guest(&self, token: &str) -> Result<Participation> {
        let (guest, event, me) = self.guest_of_link(token).await?;
        if guest.cancelled_at.is_none()
            && let Some(p) = self.participation_of_url(&event, &me).await?
        {
            return Ok(p);
        }
        if !self.takes_guests(&event) {
            return Err(Refusal::GuestsNotTaken.into());
        }
        {
            let mut tx = self.db().begin().await?;
            store::guests::set_confirmed(&mut tx.conn(), guest.id, store::now()).await?;
            tx.commit().await?;
        }
        let join_id = crate::apub::new_activity_id(self.state());
        self.join_local_event(&event, &me, guest.name.clone(), me.clone(), &join_id, None)
            .await
    }

    /// The guest cancels through their link; a waitlisted person may get the seat.
    pub async fn cancel_guest(&self, token: &str) -> Result<()> {
        let (guest, event, me) = self.guest_of_link(token).await?;
        if guest.cancelled_at.is_some() {
            return Ok(());
        }
        self.leave_local_event(&event, &me).await?;
        let mut tx = self.db().begin().await?;
        store::guests::set_cancelled(&mut tx.conn(), guest.id, store::now()).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn guest_of_link(&self, token: &str) -> Result<(store::guests::Guest, Event, Url)> {
        let mut c = self.db().acquire().await?;
        let guest = store::guests::by_token(&mut c.conn(), token)
            .await?
            .ok_or_else(|| Error::from(Refusal::NoSuchMailLink))?;
        let event = store::events::find_by_id(&mut c.conn(), guest.event_id)
            .await?
            .ok_or_else(|| Error::from(Refusal::NoSuchMailLink))?;
        let me = self.state().urls().guest(&guest.public_id);
        Ok((guest, event, me))
    }

    async fn participation_of_url(
        &self,
        event: &Event,
        who: &Url,
    ) -> Result<Option<Participation>> {
        let mut c = self.db().acquire().await?;
        Ok(
            store::events::participation_of(&mut c.conn(), event.id, who.as_str())
                .await?
                .filter(|p| p.state != crate::model::ParticipationState::Rejected),
        )
    }

    /// The notice kinds an address (by its secret) receives, and its address.
    pub async fn mail_settings(&self, token: &str) -> Result<(String, Vec<Kind>)> {
        let mut c = self.db().acquire().await?;
        let address = store::mail::address_of_token(&mut c.conn(), token)
            .await?
            .ok_or_else(|| Error::from(Refusal::NoSuchMailLink))?;
        let off = store::mail::opted_out(&mut c.conn(), &address).await?;
        let on = Kind::OPTIONAL
            .into_iter()
            .filter(|k| !off.iter().any(|o| o == k.code()))
            .collect();
        Ok((address, on))
    }

    /// Sets which notice kinds an address (by its secret) receives: `kind` alone off (one-click
    /// unsubscribe), or exactly `receive`.
    pub async fn set_mail_settings(&self, token: &str, receive: MailChoice<'_>) -> Result<()> {
        let mut tx = self.db().begin().await?;
        let address = store::mail::address_of_token(&mut tx.conn(), token)
            .await?
            .ok_or_else(|| Error::from(Refusal::NoSuchMailLink))?;
        let now = store::now();
        for kind in Kind::OPTIONAL {
            let off = match &receive {
                MailChoice::TurnOff(k) if *k == kind => true,
                MailChoice::TurnOff(_) => continue,
                MailChoice::Exactly(on) => !on.contains(&kind),
            };
            store::mail::set_opt_out(&mut tx.conn(), &address, kind.code(), off, now).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

/// A change of the notices an address receives.
#[derive(Debug, Clone)]
pub enum MailChoice<'a> {
    /// One kind off (one-click unsubscribe).
    TurnOff(Kind),
    /// These kinds on, the rest off.
    Exactly(&'a [Kind]),
}
