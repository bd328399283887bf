//! Notices by e-mail (issue 19): who gets which, in which language, and when. Each is queued in the
//! transaction of the change that causes it (see [`crate::mail`]) under a key that makes it once
//! only, and each but the confirmation request can be turned off by its recipient.

use chrono::{DateTime, Utc};
use url::Url;

use super::Verkosto;
use crate::error::Result;
use crate::mail::Kind;
use crate::mail::compose::{self, Letter};
use crate::model::{Event, EventStatus, ParticipationState};
use crate::store::{self, Tx};
use crate::urls::LocalObject;
use crate::web::i18n::Lang;

/// How long before an event its reminder goes out.
const REMINDER_LEAD: chrono::Duration = chrono::Duration::hours(24);

/// Someone we can write to about an event.
#[derive(Debug, Clone)]
pub(crate) struct Recipient {
    /// Their address, lowercased.
    pub address: String,
    /// The language to write in.
    pub lang: Lang,
    /// The name to greet.
    pub name: Option<String>,
    /// Their page for the event: a guest's personal link, or the event's page.
    pub link: Url,
}

/// The language a visitor asked for by its code (`fi`, `sv`, `en`), or `default`; an unknown code is
/// refused naming the field `language`.
pub(crate) fn chosen_language(code: Option<&str>, default: Lang) -> Result<Lang> {
    match code {
        Some(code) => Lang::from_code(code).ok_or_else(|| {
            crate::Error::invalid(
                "language",
                crate::Refusal::NoSuchLanguage {
                    code: code.chars().take(20).collect(),
                },
            )
        }),
        None => Ok(default),
    }
}

/// A notice before it is queued.
pub(crate) struct Notice {
    pub kind: Kind,
    /// What makes it once only.
    pub key: String,
    /// The event it goes with (dropped with it).
    pub event_id: Option<i64>,
    /// When it may go (now, or a reminder's time).
    pub send_at: DateTime<Utc>,
    pub letter: Letter,
}

impl Verkosto {
    /// Sets the address the local account `username` gets notices at; `None` removes it. The caller
    /// vouches that the address is the person's (the company sign-in sets the one its provider
    /// verified).
    pub async fn set_account_email(&self, username: &str, email: Option<&str>) -> Result<()> {
        let email = email
            .map(|e| {
                crate::mail::normalize_address(e)
                    .ok_or_else(|| crate::Error::invalid("email", crate::Refusal::NotAnEmail))
            })
            .transpose()?;
        let mut c = self.db().acquire().await?;
        let account = store::accounts::find_by_username(&mut c.conn(), username)
            .await?
            .ok_or_else(|| crate::Refusal::NoSuchAccount {
                name: username.to_string(),
            })?;
        store::accounts::set_email(&mut c.conn(), account.id, email.as_deref()).await
    }

    /// Queues `notice` to `to` in `tx`, unless the instance sends no mail or the recipient turned
    /// its kind off; whether it was queued now (not before).
    pub(crate) async fn queue_notice(
        &self,
        tx: &mut Tx,
        to: &Recipient,
        notice: Notice,
    ) -> Result<bool> {
        if self.state().mailer.is_none() {
            return Ok(false);
        }
        let kind = notice.kind;
        if kind.optional()
            && store::mail::opted_out(&mut tx.conn(), &to.address)
                .await?
                .iter()
                .any(|k| k == kind.code())
        {
            return Ok(false);
        }
        let token = store::mail::recipient_token(
            &mut tx.conn(),
            &to.address,
            to.lang.code(),
            &crate::mail::new_secret(),
            store::now(),
        )
        .await?;
        let unsubscribe = kind
            .optional()
            .then(|| self.state().urls().unsubscribe(&token, kind.code()));
        let (text, html) = compose::write(
            to.lang,
            &notice.letter,
            &self.settings().domain,
            unsubscribe.as_ref(),
        );
        let queued = store::mail::enqueue(
            &mut tx.conn(),
            &store::mail::NewMail {
                dedupe_key: notice.key,
                recipient: &to.address,
                kind: kind.code(),
                event_id: notice.event_id,
                subject: notice.letter.subject,
                text_body: text,
                html_body: html,
                language: to.lang.code(),
                unsubscribe_url: unsubscribe.map(|u| u.to_string()),
                send_at: notice.send_at,
            },
            store::now(),
        )
        .await?;
        Ok(queued)
    }

    /// Who `participant` of `event` is to write to: a guest (confirmed, not cancelled) or a local
    /// account with an address; nobody for remote actors.
    pub(crate) async fn recipient_of(
        &self,
        tx: &mut Tx,
        event: &Event,
        participant: &Url,
    ) -> Result<Option<Recipient>> {
        if self.state().mailer.is_none() {
            return Ok(None);
        }
        let urls = self.state().urls();
        match urls.parse(participant) {
            Some(LocalObject::Guest(public_id)) => {
                let guest = store::guests::by_public_id(&mut tx.conn(), &public_id).await?;
                Ok(guest
                    .filter(|g| g.cancelled_at.is_none())
                    .map(|g| Recipient {
                        lang: Lang::from_code(&g.language).unwrap_or(Lang::En),
                        link: urls.guest_link(&g.token),
                        name: Some(g.name),
                        address: g.email,
                    }))
            }
            Some(LocalObject::Account(username)) => {
                let email = store::accounts::email_of(&mut tx.conn(), &username).await?;
                Ok(email.map(|address| Recipient {
                    address,
                    lang: event_lang(event),
                    name: None,
                    link: event.url.clone(),
                }))
            }
            _ => Ok(None),
        }
    }

    /// Tells a participant where they now stand: in, waiting for a seat, or waiting for the
    /// organisers; a seat also queues the reminder.
    pub(crate) async fn notify_participation(
        &self,
        tx: &mut Tx,
        event: &Event,
        participant: &Url,
        participation_id: i64,
        state: ParticipationState,
        promoted: bool,
    ) -> Result<()> {
        let Some(to) = self.recipient_of(tx, event, participant).await? else {
            return Ok(());
        };
        let l = to.lang;
        let title = event.title.clone();
        let when = compose::when_and_where(l, event);
        let (kind, subject, body) = match state {
            ParticipationState::Accepted if promoted => (
                Kind::WaitlistPromoted,
                "mail-promoted-subject",
                "mail-promoted-body",
            ),
            ParticipationState::Accepted => (
                Kind::ParticipationConfirmed,
                "mail-confirmed-subject",
                "mail-confirmed-body",
            ),
            ParticipationState::Waitlisted => (
                Kind::ParticipationConfirmed,
                "mail-waitlisted-subject",
                "mail-waitlisted-body",
            ),
            ParticipationState::Pending => (
                Kind::ParticipationConfirmed,
                "mail-pending-subject",
                "mail-pending-body",
            ),
            ParticipationState::Rejected => (
                Kind::ParticipationConfirmed,
                "mail-rejected-subject",
                "mail-rejected-body",
            ),
        };
        let letter = Letter {
            subject: l.t_with(subject, "title", &title),
            name: to.name.clone(),
            paragraphs: vec![
                l.t_args(body, [("title", title.clone()), ("when", when)]),
                l.t(if to.name.is_some() {
                    "mail-guest-manage"
                } else {
                    "mail-account-manage"
                }),
            ],
            action: Some((l.t("mail-open-participation"), to.link.clone())),
        };
        let notice = Notice {
            kind,
            key: format!("{}:{participation_id}:{state}", kind.code()),
            event_id: Some(event.id),
            send_at: store::now(),
            letter,
        };
        self.queue_notice(tx, &to, notice).await?;
        if state == ParticipationState::Accepted {
            self.queue_reminder(tx, event, &to).await?;
        }
        Ok(())
    }

    /// The reminder the day before, queued for its time (not when the event is less than a day
    /// away: the participant just heard of it).
    async fn queue_reminder(&self, tx: &mut Tx, event: &Event, to: &Recipient) -> Result<()> {
        let send_at = event.starts_at - REMINDER_LEAD;
        if send_at < store::now() || event.status == EventStatus::Cancelled {
            return Ok(());
        }
        let l = to.lang;
        let letter = Letter {
            subject: l.t_with("mail-reminder-subject", "title", &event.title),
            name: to.name.clone(),
            paragraphs: vec![l.t_args(
                "mail-reminder-body",
                [
                    ("title", event.title.clone()),
                    ("when", compose::when_and_where(l, event)),
                ],
            )],
            action: Some((l.t("mail-open-participation"), to.link.clone())),
        };
        let notice = Notice {
            kind: Kind::Reminder,
            key: format!(
                "reminder:{}:{}:{}",
                event.id,
                event.starts_at.timestamp(),
                to.address
            ),
            event_id: Some(event.id),
            send_at,
            letter,
        };
        self.queue_notice(tx, to, notice).await?;
        Ok(())
    }

    /// A participant left: their reminder is not sent.
    pub(crate) async fn forget_reminder(
        &self,
        tx: &mut Tx,
        event: &Event,
        participant: &Url,
    ) -> Result<()> {
        if let Some(to) = self.recipient_of(tx, event, participant).await? {
            store::mail::drop_unsent(
                &mut tx.conn(),
                event.id,
                Kind::Reminder.code(),
                Some(&to.address),
            )
            .await?;
        }
        Ok(())
    }

    /// An event changed: when its time, place or status did, everyone taking part (or waiting) who
    /// has an address is told, and reminders are written again for it (or dropped, with a
    /// cancellation).
    pub(crate) async fn notify_event_change(
        &self,
        tx: &mut Tx,
        before: &Event,
        after: &Event,
    ) -> Result<()> {
        let moved = before.starts_at != after.starts_at || before.ends_at != after.ends_at;
        let relevant = moved
            || before.place != after.place
            || before.online_url != after.online_url
            || before.status != after.status;
        if !relevant || self.state().mailer.is_none() {
            return Ok(());
        }
        let cancelled = after.status == EventStatus::Cancelled;
        // Reminders are written when queued: they go again with what is true now (or not at all).
        store::mail::drop_unsent(&mut tx.conn(), after.id, Kind::Reminder.code(), None).await?;
        for p in store::events::participations(&mut tx.conn(), after.id).await? {
            if p.state == ParticipationState::Rejected {
                continue;
            }
            let Some(to) = self.recipient_of(tx, after, &p.participant_ap_id).await? else {
                continue;
            };
            let l = to.lang;
            let (subject, body) = if cancelled {
                ("mail-cancelled-subject", "mail-cancelled-body")
            } else {
                ("mail-changed-subject", "mail-changed-body")
            };
            let letter = Letter {
                subject: l.t_with(subject, "title", &after.title),
                name: to.name.clone(),
                paragraphs: vec![l.t_args(
                    body,
                    [
                        ("title", after.title.clone()),
                        ("when", compose::when_and_where(l, after)),
                        ("before", compose::when_and_where(l, before)),
                    ],
                )],
                action: Some((l.t("mail-open-participation"), to.link.clone())),
            };
            let notice = Notice {
                kind: Kind::EventChanged,
                key: format!(
                    "event_changed:{}:{}:{}",
                    after.id, after.sequence, to.address
                ),
                // Not tied to the event: a deleted event's notice still goes.
                event_id: None,
                send_at: store::now(),
                letter,
            };
            self.queue_notice(tx, &to, notice).await?;
            if !cancelled && p.state == ParticipationState::Accepted {
                self.queue_reminder(tx, after, &to).await?;
            }
        }
        Ok(())
    }

    /// A request waits for a community's managers: those with an address are told once.
    pub(crate) async fn notify_managers(
        &self,
        tx: &mut Tx,
        community_id: i64,
        key: String,
        request: ManagerRequest<'_>,
    ) -> Result<()> {
        if self.state().mailer.is_none() {
            return Ok(());
        }
        let Some(community) = store::communities::find_by_id(&mut tx.conn(), community_id).await?
        else {
            return Ok(());
        };
        for address in store::accounts::manager_emails(&mut tx.conn(), community_id).await? {
            // Managers read the workspace in the community's language when the event has one.
            let l = match &request {
                ManagerRequest::Participation { event, .. }
                | ManagerRequest::Comment { event, .. } => event_lang(event),
                ManagerRequest::Follow { .. } => Lang::En,
            };
            let (subject, body, link) = match &request {
                ManagerRequest::Participation { event, who } => (
                    l.t_with("mail-decide-participation-subject", "title", &event.title),
                    l.t_args(
                        "mail-decide-participation-body",
                        [("who", who.to_string()), ("title", event.title.clone())],
                    ),
                    self.state()
                        .url(&format!("/manage/events/{}/participants", event.public_id)),
                ),
                ManagerRequest::Comment { event, who } => (
                    l.t_with("mail-decide-comment-subject", "title", &event.title),
                    l.t_args(
                        "mail-decide-comment-body",
                        [("who", who.to_string()), ("title", event.title.clone())],
                    ),
                    self.state()
                        .url(&format!("/manage/c/{}/moderation", community.name)),
                ),
                ManagerRequest::Follow { who } => (
                    l.t_with(
                        "mail-decide-follow-subject",
                        "community",
                        &community.display_name,
                    ),
                    l.t_args(
                        "mail-decide-follow-body",
                        [
                            ("who", who.to_string()),
                            ("community", community.display_name.clone()),
                        ],
                    ),
                    self.state().url(&format!("/manage/c/{}", community.name)),
                ),
            };
            let to = Recipient {
                address,
                lang: l,
                name: None,
                link: link.clone(),
            };
            let letter = Letter {
                subject,
                name: None,
                paragraphs: vec![body],
                action: Some((l.t("mail-open-requests"), link)),
            };
            let notice = Notice {
                kind: Kind::DecisionNeeded,
                key: format!("{key}:{}", to.address),
                event_id: match &request {
                    ManagerRequest::Participation { event, .. }
                    | ManagerRequest::Comment { event, .. } => Some(event.id),
                    ManagerRequest::Follow { .. } => None,
                },
                send_at: store::now(),
                letter,
            };
            self.queue_notice(tx, &to, notice).await?;
        }
        Ok(())
    }
}

/// What waits for a manager's decision.
pub(crate) enum ManagerRequest<'a> {
    /// Someone asks to take part in an event that needs approval.
    Participation { event: &'a Event, who: &'a str },
    /// Someone asks to follow a community that approves its followers.
    Follow { who: &'a str },
    /// A first-time commenter's reply is held for approval.
    Comment { event: &'a Event, who: &'a str },
}

/// The language of an event's notices to accounts: the event's own, else English.
fn event_lang(event: &Event) -> Lang {
    event
        .language
        .as_deref()
        .and_then(Lang::from_code)
        .unwrap_or(Lang::En)
}
