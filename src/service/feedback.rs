//! Feedback from members after an event (issue 16): a manager sends a short poll once the event is
//! over; each fediverse participant gets it as a `Question` of their own (Mastodon, Misskey and Akkoma
//! show it as a poll, a direct message), local participants answer on the event's page. One answer
//! per person; the results are counts and unsigned words.

use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use url::Url;

use super::Verkosto;
use super::publish::Audience;
use crate::apub::activities::create::Create;
use crate::apub::question::{self, Recipient, Reply};
use crate::error::{Error, Refusal, Result};
use crate::model::{Account, ParticipationState};
use crate::store::{
    self,
    polls::{Poll, PollKind},
};

/// The longest question (and open question), in characters.
pub const MAX_QUESTION: usize = 300;
/// The longest choice, in characters.
pub const MAX_CHOICE: usize = 50;
/// The most choices a poll offers (Mastodon shows four by default and accepts more from others).
pub const MAX_CHOICES: usize = 10;
/// The longest open answer kept, in characters.
pub const MAX_ANSWER: usize = 2000;
/// How long a poll may stay open.
pub const MAX_OPEN_DAYS: i64 = 90;

/// What a manager sends: everything optional (a 1-5 rating in the event's language, open a week).
#[derive(Debug, Default, Deserialize)]
pub struct NewFeedbackPoll {
    /// The question.
    pub question: Option<String>,
    /// The choices, in order (two to ten).
    pub options: Option<Vec<String>>,
    /// An open question answered in words.
    pub open_question: Option<String>,
    /// When answers stop being taken.
    pub closes_at: Option<DateTime<Utc>>,
}

/// One choice and how many chose it.
#[derive(Debug, Serialize)]
pub struct ChoiceCount {
    /// The choice.
    pub name: String,
    /// How many chose it.
    pub votes: i64,
}

/// A poll's results, for the event's managers: counts and words, never who.
#[derive(Debug, Serialize)]
pub struct FeedbackResults {
    /// The poll.
    #[serde(flatten)]
    pub poll: Poll,
    /// Fediverse participants sent a `Question`.
    pub invited: i64,
    /// People who chose.
    pub responses: i64,
    /// Each choice with its votes.
    pub choices: Vec<ChoiceCount>,
    /// The mean of the choices when they are all numbers (a rating).
    pub average: Option<f64>,
    /// The answers to the open question, oldest first, without names.
    pub answers: Vec<AnswerView>,
}

/// An answer to the open question, as its managers see it.
#[derive(Debug, Serialize)]
pub struct AnswerView {
    /// Its id (to pick it for the report).
    pub id: i64,
    /// The words.
    pub text: String,
    /// Whether it is quoted in the shared report.
    pub featured: bool,
}

/// Where one local person stands with an event's feedback poll.
#[derive(Debug)]
pub enum FeedbackForMe {
    /// Nothing to answer (no poll, no seat, or closed).
    Nothing,
    /// Open for their answer.
    Open(Poll),
    /// Answered.
    Answered,
}

/// A random public id for a poll or one of its `Question`s.
pub(super) fn random_id() -> String {
    let mut raw = [0u8; 16];
    rand::rng().fill_bytes(&mut raw);
    hex::encode(raw)
}

/// How many chose each of `poll`'s choices, in order.
pub(super) fn vote_counts(poll: &Poll, answers: &[store::polls::Answers]) -> Vec<i64> {
    poll.options
        .iter()
        .map(|o| {
            answers
                .iter()
                .filter(|a| a.choice.as_deref() == Some(o))
                .count() as i64
        })
        .collect()
}

/// The mean of `choices` when every one is a number.
pub(crate) fn average<'a>(choices: impl Iterator<Item = &'a str>) -> Option<f64> {
    let numbers: Option<Vec<f64>> = choices.map(|c| c.parse::<f64>().ok()).collect();
    numbers
        .filter(|n| !n.is_empty())
        .map(|n| n.iter().sum::<f64>() / n.len() as f64)
}

fn checked_text(field: &'static str, raw: Option<String>, max: usize) -> Result<Option<String>> {
    match raw.map(|s| s.trim().to_string()) {
        None => Ok(None),
        Some(s) if s.is_empty() => Err(Error::invalid(field, Refusal::Required)),
        Some(s) if s.chars().count() > max => Err(Error::invalid(field, Refusal::TooLong { max })),
        Some(s) => Ok(Some(s)),
    }
}

impl Verkosto {
    /// Sends the feedback poll of event `public_id` (its managers, once the event is over): a
    /// `Question` to each fediverse participant with a seat; local ones answer on the event's page.
    pub async fn send_feedback_poll(
        &self,
        by: &Account,
        public_id: &str,
        new: NewFeedbackPoll,
    ) -> Result<FeedbackResults> {
        let (event, community) = self.managed_local_event(by, public_id).await?;
        let now = store::now();
        if event.ends_at > now {
            return Err(Refusal::EventNotOver.into());
        }
        let (default_question, default_options) =
            question::default_feedback(event.language.as_deref());
        let question = checked_text("question", new.question, MAX_QUESTION)?
            .unwrap_or_else(|| default_question.to_string());
        let open_question = checked_text("open_question", new.open_question, MAX_QUESTION)?;
        let options = match new.options {
            None => default_options,
            Some(options) => {
                let options: Vec<String> = options.iter().map(|o| o.trim().to_string()).collect();
                if !(2..=MAX_CHOICES).contains(&options.len()) {
                    return Err(Error::invalid(
                        "options",
                        Refusal::NotBetween {
                            min: 2,
                            max: MAX_CHOICES as i64,
                        },
                    ));
                }
                for (i, o) in options.iter().enumerate() {
                    let field = "options";
                    if o.is_empty() {
                        return Err(Error::invalid(field, Refusal::Required));
                    }
                    if o.chars().count() > MAX_CHOICE {
                        return Err(Error::invalid(field, Refusal::TooLong { max: MAX_CHOICE }));
                    }
                    if options[..i].contains(o) {
                        return Err(Error::invalid(
                            field,
                            Refusal::ChoiceTwice { choice: o.clone() },
                        ));
                    }
                }
                options
            }
        };
        let closes_at = new
            .closes_at
            .unwrap_or_else(|| question::default_closing(now));
        if closes_at <= now || closes_at > now + Duration::days(MAX_OPEN_DAYS) {
            return Err(Error::invalid(
                "closes_at",
                Refusal::NotBetween {
                    min: 0,
                    max: MAX_OPEN_DAYS,
                },
            ));
        }
        let mut tx = self.db().begin().await?;
        let poll = store::polls::insert(
            &mut tx.conn(),
            &Poll {
                id: 0,
                kind: PollKind::Feedback,
                event_id: event.id,
                public_id: random_id(),
                question,
                options,
                open_question,
                closes_at,
                created_at: now,
            },
        )
        .await?
        .ok_or_else(|| Error::from(Refusal::FeedbackAlreadySent))?;
        let community_ap_id = self.state().urls().community(&community.name);
        let participants = store::events::participations(&mut tx.conn(), event.id).await?;
        let zero = vec![0; poll.options.len()];
        for p in participants.iter().filter(|p| {
            p.state == ParticipationState::Accepted && !self.is_local_url(&p.participant_ap_id)
        }) {
            let invitation = random_id();
            store::polls::invite(
                &mut tx.conn(),
                poll.id,
                p.participant_ap_id.as_str(),
                &invitation,
                now,
            )
            .await?;
            let id = self.state().urls().question(&invitation);
            let object = question::question_object(
                &id,
                &community_ap_id,
                &poll,
                Some(&Recipient {
                    ap_id: &p.participant_ap_id,
                    handle: &p.handle,
                }),
                (&event.title, &event.ap_id),
                event.language.as_deref(),
                &zero,
            );
            let create = Create::question(
                crate::apub::new_activity_id(self.state()),
                community_ap_id.clone(),
                object,
                &p.participant_ap_id,
            );
            self.send(
                &mut tx,
                &community_ap_id,
                &create,
                Audience::Only(std::slice::from_ref(&p.inbox)),
            )
            .await?;
        }
        self.commit(tx).await?;
        tracing::info!(event = %event.public_id, by = %by.username, "feedback poll sent");
        self.feedback_results(by, public_id).await
    }

    /// The results of event `public_id`'s feedback poll (its managers).
    pub async fn feedback_results(&self, by: &Account, public_id: &str) -> Result<FeedbackResults> {
        let (event, _) = self.managed_local_event(by, public_id).await?;
        let mut c = self.db().acquire().await?;
        let poll = store::polls::of_event(&mut c.conn(), event.id, PollKind::Feedback)
            .await?
            .ok_or_else(|| Error::from(Refusal::NoFeedbackPoll))?;
        let invited = store::polls::invited(&mut c.conn(), poll.id).await?;
        let answers = store::polls::answers(&mut c.conn(), poll.id).await?;
        let chosen: Vec<&str> = answers.iter().filter_map(|a| a.choice.as_deref()).collect();
        Ok(FeedbackResults {
            choices: poll
                .options
                .iter()
                .map(|o| ChoiceCount {
                    name: o.clone(),
                    votes: chosen.iter().filter(|c| **c == o).count() as i64,
                })
                .collect(),
            responses: chosen.len() as i64,
            average: average(chosen.iter().copied()),
            answers: answers
                .iter()
                .filter_map(|a| {
                    a.answer.clone().map(|text| AnswerView {
                        id: a.id,
                        text,
                        featured: a.featured,
                    })
                })
                .collect(),
            invited,
            poll,
        })
    }

    /// Picks answer `answer_id` of event `public_id`'s poll to quote in the shared report (or takes
    /// it back). Its managers only; only an answer in words can be quoted.
    pub async fn feature_answer(
        &self,
        by: &Account,
        public_id: &str,
        answer_id: i64,
        featured: bool,
    ) -> Result<()> {
        let (event, _) = self.managed_local_event(by, public_id).await?;
        let mut tx = self.db().begin().await?;
        let poll = store::polls::of_event(&mut tx.conn(), event.id, PollKind::Feedback)
            .await?
            .ok_or_else(|| Error::from(Refusal::NoFeedbackPoll))?;
        if !store::polls::set_featured(&mut tx.conn(), poll.id, answer_id, featured).await? {
            return Err(Refusal::NoSuchAnswer.into());
        }
        self.commit(tx).await
    }

    /// Where `account` stands with event `public_id`'s feedback poll: what the event page offers
    /// them.
    pub async fn feedback_for(&self, account: &Account, public_id: &str) -> Result<FeedbackForMe> {
        let event = self.event(public_id).await?;
        let me = crate::apub::actor::account_id(self.state(), &account.username);
        let mut c = self.db().acquire().await?;
        let Some(poll) =
            store::polls::of_event(&mut c.conn(), event.id, PollKind::Feedback).await?
        else {
            return Ok(FeedbackForMe::Nothing);
        };
        let seated = store::events::participation_of(&mut c.conn(), event.id, me.as_str())
            .await?
            .is_some_and(|p| p.state == ParticipationState::Accepted);
        Ok(if !seated {
            FeedbackForMe::Nothing
        } else if store::polls::has_voted(&mut c.conn(), poll.id, me.as_str()).await? {
            FeedbackForMe::Answered
        } else if poll.closes_at <= store::now() {
            FeedbackForMe::Nothing
        } else {
            FeedbackForMe::Open(poll)
        })
    }

    /// A local participant answers event `public_id`'s feedback poll: a choice, and words to the
    /// open question if they like.
    pub async fn answer_feedback(
        &self,
        account: &Account,
        public_id: &str,
        choice: &str,
        words: Option<&str>,
    ) -> Result<()> {
        let FeedbackForMe::Open(poll) = self.feedback_for(account, public_id).await? else {
            return Err(Refusal::NoFeedbackToGive.into());
        };
        let me = crate::apub::actor::account_id(self.state(), &account.username);
        self.record_answer(&poll, &me, Reply::Choice(choice.trim().to_string()))
            .await?;
        if let Some(words) = words.map(str::trim).filter(|w| !w.is_empty()) {
            let words: String = words.chars().take(MAX_ANSWER).collect();
            self.record_answer(&poll, &me, Reply::Words(words)).await?;
        }
        Ok(())
    }

    pub(super) async fn record_answer(&self, poll: &Poll, voter: &Url, reply: Reply) -> Result<()> {
        let mut tx = self.db().begin().await?;
        match reply {
            Reply::Choice(choice) => {
                if !poll.options.contains(&choice) {
                    return Err(Error::invalid("choice", Refusal::NotAChoice { choice }));
                }
                store::polls::vote(
                    &mut tx.conn(),
                    poll.id,
                    voter.as_str(),
                    &choice,
                    store::now(),
                )
                .await?;
            }
            Reply::Words(words) if poll.open_question.is_some() => {
                store::polls::answer(
                    &mut tx.conn(),
                    poll.id,
                    voter.as_str(),
                    &words,
                    store::now(),
                )
                .await?;
            }
            Reply::Words(_) => {}
        }
        self.commit(tx).await
    }

    /// A reply from the fediverse to our `Question` `public_id`: a vote or words, from the one
    /// person it was sent to, while the poll is open.
    pub(crate) async fn receive_poll_reply(
        &self,
        actor: &Url,
        activity: &Url,
        public_id: &str,
        note: &serde_json::Value,
    ) -> Result<()> {
        let (invitation, public) = {
            let mut c = self.db().acquire().await?;
            (
                store::polls::invitation(&mut c.conn(), public_id).await?,
                store::polls::public_poll(&mut c.conn(), public_id).await?,
            )
        };
        if let Some(poll) = public {
            return self.receive_rsvp(actor, activity, &poll, note).await;
        }
        let Some((poll, recipient)) = invitation else {
            return Err(Error::NotFound(format!("no poll {public_id}")));
        };
        if recipient != actor.as_str() {
            return Err(Error::Forbidden(
                "only the person a poll was sent to can answer it".into(),
            ));
        }
        if poll.closes_at <= store::now() {
            tracing::debug!(%actor, poll = %poll.public_id, "answer after the poll closed; ignored");
            return Ok(());
        }
        match question::read_reply(note, MAX_ANSWER) {
            Some(Reply::Choice(choice)) if !poll.options.contains(&choice) => Err(
                Error::BadRequest(format!("{choice:?} is not one of the poll's choices")),
            ),
            Some(reply) => self.record_answer(&poll, actor, reply).await,
            None => Ok(()),
        }
    }

    /// The `Question` `public_id` as its recipient was sent it, with the votes so far.
    pub async fn question_document(
        &self,
        public_id: &str,
        reader: &super::Reader,
    ) -> Result<serde_json::Value> {
        let mut c = self.db().acquire().await?;
        if let Some(poll) = store::polls::public_poll(&mut c.conn(), public_id).await? {
            drop(c);
            return self.rsvp_document(&poll, reader).await;
        }
        let (poll, recipient) = store::polls::invitation(&mut c.conn(), public_id)
            .await?
            .ok_or_else(|| Error::NotFound(format!("no poll {public_id}")))?;
        let event = store::events::find_by_id(&mut c.conn(), poll.event_id)
            .await?
            .ok_or_else(|| Error::NotFound(format!("no poll {public_id}")))?;
        let recipient_url = Url::parse(&recipient)?;
        let handle = store::events::participation_of(&mut c.conn(), event.id, &recipient)
            .await?
            .map(|p| p.handle)
            .unwrap_or_else(|| recipient.clone());
        let answers = store::polls::answers(&mut c.conn(), poll.id).await?;
        let counts = vote_counts(&poll, &answers);
        Ok(question::question_object(
            &self.state().urls().question(public_id),
            &event.organizer_ap_id,
            &poll,
            Some(&Recipient {
                ap_id: &recipient_url,
                handle: &handle,
            }),
            (&event.title, &event.ap_id),
            event.language.as_deref(),
            &counts,
        ))
    }
}
