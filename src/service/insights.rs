//! A community's impact over a period (issue 16): followers gained and lost, events held and who came,
//! what its publications brought back; each figure beside the previous period of the same length.
//! Only the community's managers see them. Names never appear: every figure is a count.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;

use super::Verkosto;
use crate::error::{Error, Refusal, Result};
use crate::model::{Account, EventStatus, ParticipationState};
use crate::store::{self, insights as rows};

/// The longest period one request may ask for (its per-day series has a row per day).
pub const MAX_PERIOD_DAYS: i64 = 3 * 366;

/// The period shown when none is asked for: the last 30 days.
pub const DEFAULT_PERIOD_DAYS: i64 = 30;

/// A community's figures for `[from, to)`, the previous period's, and the series behind them.
#[derive(Debug, Serialize)]
pub struct Insights {
    /// The community's name.
    pub community: String,
    /// Start of the period (included).
    pub from: DateTime<Utc>,
    /// End of the period (excluded).
    pub to: DateTime<Utc>,
    /// This period's figures.
    #[serde(flatten)]
    pub figures: Figures,
    /// The same figures for the period of the same length just before.
    pub previous: Figures,
    /// A network's member communities side by side: what each shows the network (its events and
    /// their participant counts), never its people. Absent for a community that is no network.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub members: Option<Vec<MemberFigures>>,
    /// Per day and per event.
    pub series: Series,
}

/// The figures of one period.
#[derive(Debug, Default, Serialize, PartialEq)]
pub struct Figures {
    /// Followers.
    pub followers: FollowerFigures,
    /// Events and who took part.
    pub events: EventFigures,
    /// What the community published and what came back.
    pub reach: Reach,
    /// What members answered to the feedback polls of the period's events.
    pub feedback: FeedbackFigures,
}

/// Answers to the feedback polls of a period's events.
#[derive(Debug, Default, Serialize, PartialEq)]
pub struct FeedbackFigures {
    /// Polls sent.
    pub polls: i64,
    /// People who chose an answer.
    pub responses: i64,
    /// The mean of the numeric answers (the 1-5 ratings), if any.
    pub average_rating: Option<f64>,
    /// Answers in words the managers picked to quote (no names).
    pub quotes: Vec<String>,
}

/// Followers at the end of a period and their movement within it.
#[derive(Debug, Default, Serialize, PartialEq)]
pub struct FollowerFigures {
    /// Followers at the end of the period.
    pub total: i64,
    /// Gained within it.
    pub new: i64,
    /// Lost within it.
    pub lost: i64,
    /// Of `total`, people with an account on this instance.
    pub local: i64,
    /// Of `total`, people elsewhere in the fediverse.
    pub remote: i64,
    /// `total` by the followers' instance.
    pub by_instance: BTreeMap<String, i64>,
}

/// Events that took place within a period, and their participants.
#[derive(Debug, Default, Serialize, PartialEq)]
pub struct EventFigures {
    /// Events that started within the period (and before now), not cancelled.
    pub held: i64,
    /// Events of the period that were cancelled.
    pub cancelled: i64,
    /// Participations of the events held.
    pub participations: ParticipationFigures,
    /// Participants checked in at the door.
    pub attended: i64,
    /// Accepted participants not checked in, at the events where attendance was taken.
    pub no_shows: i64,
    /// `attended / (attended + no_shows)`, when attendance was taken at all.
    pub attendance_rate: Option<f64>,
    /// Accepted participants whose first event of this community this was.
    pub first_time: i64,
    /// Accepted participants who had come to an earlier event.
    pub returning: i64,
}

/// Participations by where they stand, and their movement within a period.
#[derive(Debug, Default, Serialize, PartialEq)]
pub struct ParticipationFigures {
    /// Asked for within the period (including those since withdrawn).
    pub requested: i64,
    /// Holding a seat at an event held.
    pub accepted: i64,
    /// Waiting for a seat at an event held.
    pub waitlisted: i64,
    /// Waiting for a manager's approval.
    pub pending: i64,
    /// Withdrawn within the period.
    pub cancelled: i64,
}

/// What the community published within a period and what came back.
#[derive(Debug, Default, Serialize, PartialEq)]
pub struct Reach {
    /// Announcements published.
    pub announcements_published: i64,
    /// Replies received on its events.
    pub replies: i64,
    /// Boosts of its events and announcements (`Announce` from other servers).
    pub boosts: i64,
    /// Likes of them.
    pub likes: i64,
    /// Inboxes the community's deliveries reached (its publications to followers, its answers).
    pub inboxes: i64,
    /// Instances they were on.
    pub instances: i64,
}

/// One member community of a network over the period.
#[derive(Debug, Serialize)]
pub struct MemberFigures {
    /// The member's actor id.
    pub ap_id: url::Url,
    /// `name@host`.
    pub handle: String,
    /// Its events that started within the period, not cancelled.
    pub events: i64,
    /// Their participants.
    pub participants: i64,
    /// The same two for the previous period.
    pub previous_events: i64,
    /// See `previous_events`.
    pub previous_participants: i64,
}

/// The series behind the figures.
#[derive(Debug, Serialize)]
pub struct Series {
    /// One row per day of the period (UTC).
    pub per_day: Vec<Day>,
    /// One row per event of the period.
    pub per_event: Vec<EventRow>,
}

/// One day's movement.
#[derive(Debug, Serialize)]
pub struct Day {
    /// The day.
    pub date: NaiveDate,
    /// Followers gained.
    pub followers_gained: i64,
    /// Followers lost.
    pub followers_lost: i64,
    /// Participations asked for.
    pub participations: i64,
}

/// One event of the period.
#[derive(Debug, Clone, Serialize)]
pub struct EventRow {
    /// The event's id (as in `/api/v1/events/{id}`).
    pub id: String,
    /// Its title.
    pub title: String,
    /// When it starts.
    pub starts_at: DateTime<Utc>,
    /// Whether it was cancelled.
    pub cancelled: bool,
    /// Participants with a seat.
    pub accepted: i64,
    /// Waiting for a seat.
    pub waitlisted: i64,
    /// Checked in at the door.
    pub attended: i64,
    /// Accepted and not checked in, when attendance was taken.
    pub no_shows: i64,
    /// Attended of those accepted, when attendance was taken.
    pub attendance_rate: Option<f64>,
}

/// `[from, to)` from what was asked: the last 30 days by default, refused when reversed or longer
/// than [`MAX_PERIOD_DAYS`].
pub(crate) fn period(
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
) -> Result<(DateTime<Utc>, DateTime<Utc>)> {
    let to = to.unwrap_or_else(store::now);
    let from = from.unwrap_or(to - Duration::days(DEFAULT_PERIOD_DAYS));
    if to <= from {
        return Err(Error::invalid("to", Refusal::RangeReversed));
    }
    if to - from > Duration::days(MAX_PERIOD_DAYS) {
        return Err(Error::invalid(
            "to",
            Refusal::PeriodTooLong {
                max_days: MAX_PERIOD_DAYS,
            },
        ));
    }
    Ok((from, to))
}

impl Verkosto {
    /// The insights of community `name` for `[from, to)` (the last 30 days when not given), for its
    /// managers.
    pub async fn insights(
        &self,
        by: &Account,
        name: &str,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<Insights> {
        let community = self.community(name).await?;
        self.require_manager(by, &community).await?;
        let (from, to) = period(from, to)?;
        self.insights_of(community, from, to).await
    }

    /// The insights of `community` for `[from, to)`, for whoever was let see them.
    pub(crate) async fn insights_of(
        &self,
        community: crate::model::Community,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Insights> {
        let now = store::now();
        let name = community.name.as_str();
        let previous_from = from - (to - from);
        let target = self.state().urls().community(name);

        let mut c = self.db().acquire().await?;
        let conn = &mut c.conn();
        let followers = rows::followers_now(conn, target.as_str()).await?;
        let changes = rows::follower_changes(conn, target.as_str(), previous_from).await?;
        let events = rows::events_until(conn, community.id, to).await?;
        let participations = rows::participations_until(conn, community.id, to).await?;
        let mut figures = Vec::with_capacity(2);
        for (start, end) in [(from, to), (previous_from, from)] {
            let echo = rows::echo(conn, community.id, start, end).await?;
            // Reach is counted by whole days (UTC): the days the period touches.
            let first = start.date_naive().to_string();
            let last = (end - Duration::nanoseconds(1)).date_naive();
            let after = last.succ_opt().unwrap_or(last).to_string();
            let (inboxes, instances) =
                rows::reach_of(conn, target.as_str(), &first, &after).await?;
            let cancelled = rows::cancellations(conn, community.id, start, end).await?;
            let polls = store::polls::polls_of_community(conn, community.id, start, end).await?;
            let choices =
                store::polls::choices_of_community(conn, community.id, start, end).await?;
            let quotes =
                store::polls::featured_of_community(conn, community.id, start, end).await?;
            figures.push(Figures {
                followers: self.follower_figures(&followers, &changes, start, end),
                events: event_figures(&events, &participations, start, end, now, cancelled),
                reach: Reach {
                    announcements_published: echo.announcements,
                    replies: echo.replies,
                    boosts: echo.boosts,
                    likes: echo.likes,
                    inboxes,
                    instances,
                },
                feedback: FeedbackFigures {
                    polls,
                    responses: choices.len() as i64,
                    // Ratings only: a poll of the manager's own words (yes/no) has no mean.
                    average_rating: super::feedback::average(
                        choices
                            .iter()
                            .map(|(_, c)| c.as_str())
                            .filter(|c| c.parse::<f64>().is_ok()),
                    ),
                    quotes,
                },
            });
        }
        let previous = figures.pop().unwrap_or_default();
        let figures = figures.pop().unwrap_or_default();
        let members = if community.kind == crate::model::CommunityKind::Network {
            let mut members = Vec::new();
            let active = store::networks::members(
                conn,
                community.id,
                crate::model::NetworkMemberState::Active,
            )
            .await?;
            for m in active {
                let (events, participants) =
                    rows::organizer_echo(conn, m.member_ap_id.as_str(), from, to).await?;
                let (previous_events, previous_participants) =
                    rows::organizer_echo(conn, m.member_ap_id.as_str(), previous_from, from)
                        .await?;
                let name = m
                    .member_ap_id
                    .path_segments()
                    .and_then(|mut s| s.next_back().map(str::to_string))
                    .unwrap_or_default();
                let host = crate::apub::actor::normalized_host(&m.member_ap_id).unwrap_or_default();
                members.push(MemberFigures {
                    handle: format!("{name}@{host}"),
                    ap_id: m.member_ap_id,
                    events,
                    participants,
                    previous_events,
                    previous_participants,
                });
            }
            Some(members)
        } else {
            None
        };
        Ok(Insights {
            community: community.name,
            from,
            to,
            figures,
            previous,
            members,
            series: Series {
                per_day: per_day(&changes, &participations, from, to),
                per_event: per_event(&events, &participations, from, to, now),
            },
        })
    }

    /// Followers at `end` (the ones now, with the changes since undone), and their movement in
    /// `[start, end)`.
    fn follower_figures(
        &self,
        now: &[String],
        changes: &[rows::FollowerChange],
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> FollowerFigures {
        let mut at_end: HashSet<&str> = now.iter().map(String::as_str).collect();
        for change in changes.iter().rev().take_while(|c| c.at >= end) {
            if change.change == "gained" {
                at_end.remove(change.follower_ap_id.as_str());
            } else {
                at_end.insert(change.follower_ap_id.as_str());
            }
        }
        let within = changes.iter().filter(|c| c.at >= start && c.at < end);
        let (new, lost) = within.fold((0, 0), |(n, l), c| {
            if c.change == "gained" {
                (n + 1, l)
            } else {
                (n, l + 1)
            }
        });
        let mut by_instance = BTreeMap::new();
        for follower in &at_end {
            let host = url::Url::parse(follower)
                .ok()
                .and_then(|u| crate::apub::actor::normalized_host(&u))
                .unwrap_or_default();
            *by_instance.entry(host).or_insert(0) += 1;
        }
        let local = by_instance
            .get(&self.settings().domain)
            .copied()
            .unwrap_or(0);
        let total = at_end.len() as i64;
        FollowerFigures {
            total,
            new,
            lost,
            local,
            remote: total - local,
            by_instance,
        }
    }
}

fn within(t: DateTime<Utc>, start: DateTime<Utc>, end: DateTime<Utc>) -> bool {
    t >= start && t < end
}

/// Attended and no-shows among `accepted` participations of one event: no-shows count only where
/// someone was checked in (an event whose attendance nobody took has no no-shows).
fn attendance(accepted: &[&rows::ParticipationRow]) -> (i64, i64) {
    let attended = accepted.iter().filter(|p| p.attended_at.is_some()).count() as i64;
    let no_shows = if attended > 0 {
        accepted.len() as i64 - attended
    } else {
        0
    };
    (attended, no_shows)
}

fn rate(attended: i64, no_shows: i64) -> Option<f64> {
    (attended + no_shows > 0).then(|| attended as f64 / (attended + no_shows) as f64)
}

fn event_figures(
    events: &[rows::EventRow],
    participations: &[rows::ParticipationRow],
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    now: DateTime<Utc>,
    cancelled_participations: i64,
) -> EventFigures {
    let is_cancelled = |e: &rows::EventRow| e.status == EventStatus::Cancelled.as_str();
    let held: HashSet<i64> = events
        .iter()
        .filter(|e| within(e.starts_at, start, end) && e.starts_at <= now && !is_cancelled(e))
        .map(|e| e.id)
        .collect();
    let earlier: HashSet<i64> = events
        .iter()
        .filter(|e| e.starts_at < start && !is_cancelled(e))
        .map(|e| e.id)
        .collect();
    let accepted = ParticipationState::Accepted.as_str();
    let came_before: HashSet<&str> = participations
        .iter()
        .filter(|p| earlier.contains(&p.event_id) && p.state == accepted)
        .map(|p| p.participant_ap_id.as_str())
        .collect();
    let mut figures = EventFigures {
        held: held.len() as i64,
        cancelled: events
            .iter()
            .filter(|e| within(e.starts_at, start, end) && is_cancelled(e))
            .count() as i64,
        ..EventFigures::default()
    };
    figures.participations.cancelled = cancelled_participations;
    figures.participations.requested = cancelled_participations
        + participations
            .iter()
            .filter(|p| within(p.created_at, start, end))
            .count() as i64;
    let mut people: BTreeMap<&str, bool> = BTreeMap::new();
    for id in &held {
        let of_event: Vec<_> = participations
            .iter()
            .filter(|p| p.event_id == *id)
            .collect();
        let seated: Vec<_> = of_event
            .iter()
            .copied()
            .filter(|p| p.state == accepted)
            .collect();
        let (attended, no_shows) = attendance(&seated);
        figures.attended += attended;
        figures.no_shows += no_shows;
        figures.participations.accepted += seated.len() as i64;
        for p in &of_event {
            match p.state.as_str() {
                "waitlisted" => figures.participations.waitlisted += 1,
                "pending" => figures.participations.pending += 1,
                _ => {}
            }
        }
        for p in seated {
            let person = p.participant_ap_id.as_str();
            people.insert(person, came_before.contains(person));
        }
    }
    figures.returning = people.values().filter(|r| **r).count() as i64;
    figures.first_time = people.len() as i64 - figures.returning;
    figures.attendance_rate = rate(figures.attended, figures.no_shows);
    figures
}

fn per_day(
    changes: &[rows::FollowerChange],
    participations: &[rows::ParticipationRow],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Vec<Day> {
    let mut days: BTreeMap<NaiveDate, Day> = BTreeMap::new();
    let mut day = from.date_naive();
    while day <= (to - Duration::nanoseconds(1)).date_naive() {
        days.insert(
            day,
            Day {
                date: day,
                followers_gained: 0,
                followers_lost: 0,
                participations: 0,
            },
        );
        let Some(next) = day.succ_opt() else { break };
        day = next;
    }
    for c in changes.iter().filter(|c| within(c.at, from, to)) {
        if let Some(d) = days.get_mut(&c.at.date_naive()) {
            if c.change == "gained" {
                d.followers_gained += 1;
            } else {
                d.followers_lost += 1;
            }
        }
    }
    for p in participations
        .iter()
        .filter(|p| within(p.created_at, from, to))
    {
        if let Some(d) = days.get_mut(&p.created_at.date_naive()) {
            d.participations += 1;
        }
    }
    days.into_values().collect()
}

fn per_event(
    events: &[rows::EventRow],
    participations: &[rows::ParticipationRow],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Vec<EventRow> {
    events
        .iter()
        .filter(|e| within(e.starts_at, from, to) && e.starts_at <= now)
        .map(|e| {
            let of_event: Vec<_> = participations
                .iter()
                .filter(|p| p.event_id == e.id)
                .collect();
            let seated: Vec<_> = of_event
                .iter()
                .copied()
                .filter(|p| p.state == ParticipationState::Accepted.as_str())
                .collect();
            let (attended, no_shows) = attendance(&seated);
            EventRow {
                id: e.public_id.clone(),
                title: e.title.clone(),
                starts_at: e.starts_at,
                cancelled: e.status == EventStatus::Cancelled.as_str(),
                accepted: seated.len() as i64,
                waitlisted: of_event
                    .iter()
                    .filter(|p| p.state == ParticipationState::Waitlisted.as_str())
                    .count() as i64,
                attended,
                no_shows,
                attendance_rate: rate(attended, no_shows),
            }
        })
        .collect()
}

impl Verkosto {
    /// Pseudonymises the people in the impact figures' rows older than
    /// [`crate::Settings::personal_data_retention`] (run with the delivery queue's housekeeping);
    /// returns how many rows changed.
    pub async fn purge_personal_data(&self) -> Result<u64> {
        let retention =
            Duration::from_std(self.settings().personal_data_retention).unwrap_or(Duration::MAX);
        let before = store::now()
            .checked_sub_signed(retention)
            .unwrap_or(DateTime::<Utc>::MIN_UTC);
        let mut tx = self.db().begin().await?;
        let changed = rows::purge_personal(&mut tx.conn(), before).await?;
        self.commit(tx).await?;
        if changed > 0 {
            tracing::info!(changed, "personal data past its retention pseudonymised");
        }
        Ok(changed)
    }

    /// A manager marks participant `participation_id` of event `public_id` as come (`attended`
    /// true) or takes the mark back. Only accepted participants can be checked in.
    pub async fn mark_attended(
        &self,
        by: &Account,
        public_id: &str,
        participation_id: i64,
        attended: bool,
    ) -> Result<crate::model::Participation> {
        let (event, _) = self.managed_local_event(by, public_id).await?;
        let mut tx = self.db().begin().await?;
        let p = store::events::participation(&mut tx.conn(), event.id, participation_id)
            .await?
            .ok_or_else(|| Error::from(Refusal::NoSuchParticipation))?;
        if attended && p.state != ParticipationState::Accepted {
            return Err(Refusal::NotAnAcceptedParticipant.into());
        }
        // A second check-in keeps the first time.
        let at = match (attended, p.attended_at) {
            (true, Some(first)) => Some(first),
            (true, None) => Some(store::now()),
            (false, _) => None,
        };
        rows::set_attended(&mut tx.conn(), event.id, p.id, at).await?;
        self.commit(tx).await?;
        Ok(crate::model::Participation {
            attended_at: at,
            ..p
        })
    }
}
