//! Events in the workspace: the form creating and editing one (times typed in the event's own time
//! zone, a preview of the description) and cancelling one.

use askama::Template;
use axum::{
    Form,
    extract::{Path, State},
    response::{IntoResponse, Redirect, Response},
};
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use serde::Deserialize;

use super::{CsrfOnly, FieldErrors, check_url, managed_event, non_empty, render_form};
use crate::model::{Community, Event, EventPlace, EventUpdate, JoinMode, NewEvent};
use crate::service::Verkosto;
use crate::web::{PageError, Visitor};

/// The event form's fields, as typed.
#[derive(Deserialize, Default)]
pub(super) struct EventForm {
    #[serde(default)]
    csrf: String,
    /// Title.
    #[serde(default)]
    pub title: String,
    /// Markdown description.
    #[serde(default)]
    pub description: String,
    /// Start, `YYYY-MM-DDTHH:MM` in `timezone`.
    #[serde(default)]
    pub starts_at: String,
    /// End, likewise.
    #[serde(default)]
    pub ends_at: String,
    /// IANA time zone.
    #[serde(default)]
    pub timezone: String,
    /// Name of the place.
    #[serde(default)]
    pub place_name: String,
    /// Street address.
    #[serde(default)]
    pub street: String,
    /// Postal code.
    #[serde(default)]
    pub postal_code: String,
    /// Town.
    #[serde(default)]
    pub locality: String,
    /// Country.
    #[serde(default)]
    pub country: String,
    /// Stream or meeting link.
    #[serde(default)]
    pub online_url: String,
    /// Seats, empty for unlimited.
    #[serde(default)]
    pub capacity: String,
    /// `free`, `approval`, `invite`, `external`, `none`.
    #[serde(default)]
    pub join_mode: String,
    /// Registration elsewhere, with `external`.
    #[serde(default)]
    pub external_url: String,
    /// How the event repeats: one of [`crate::web::recurrence::CHOICES`] (issue 17).
    #[serde(default)]
    pub repeat: String,
    /// `never`, `count` or `until`.
    #[serde(default)]
    pub repeat_end: String,
    /// How many times, with `count`.
    #[serde(default)]
    pub repeat_count: String,
    /// The last day, `YYYY-MM-DD`, with `until`.
    #[serde(default)]
    pub repeat_until: String,
    /// For an occurrence: `this`, `following` or `all`.
    #[serde(default)]
    pub scope: String,
    /// `on` when visitors may take part by e-mail (issue 19).
    #[serde(default)]
    pub guest_participation: String,
    /// `on` for a members-only event of a public community (issue 18; new events only: who sees
    /// an event is fixed when it is published).
    #[serde(default)]
    pub members_only: String,
    /// `preview` renders the description instead of saving.
    #[serde(default)]
    action: String,
}

const EVENT_FIELDS: &[(&str, &str)] = &[
    ("title", "title"),
    ("description", "description"),
    ("starts_at", "starts_at"),
    ("ends_at", "ends_at"),
    ("timezone", "timezone"),
    ("location", "place_name"),
    ("online_url", "online_url"),
    ("capacity", "capacity"),
    ("join_mode", "join_mode"),
    ("external_url", "external_url"),
    ("recurrence", "repeat"),
    ("scope", "scope"),
];

/// Time zones offered first; any IANA zone typed in is accepted.
const TIMEZONES: &[&str] = &[
    "Europe/Helsinki",
    "Europe/Mariehamn",
    "Europe/Stockholm",
    "Europe/Tallinn",
    "Europe/Oslo",
    "Europe/Copenhagen",
    "Europe/Berlin",
    "Europe/London",
    "UTC",
];

fn local_input(at: &DateTime<Utc>, tz: &str) -> String {
    crate::model::zone_of(tz)
        .naive_local(at)
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

impl EventForm {
    fn of(e: &Event) -> Self {
        let place = e.place.clone().unwrap_or_default();
        EventForm {
            csrf: String::new(),
            title: e.title.clone(),
            description: e.description_source.clone().unwrap_or_default(),
            starts_at: local_input(&e.starts_at, &e.timezone),
            ends_at: local_input(&e.ends_at, &e.timezone),
            timezone: e.timezone.clone(),
            place_name: place.name.unwrap_or_default(),
            street: place.street.unwrap_or_default(),
            postal_code: place.postal_code.unwrap_or_default(),
            locality: place.locality.unwrap_or_default(),
            country: place.country.unwrap_or_default(),
            online_url: e
                .online_url
                .as_ref()
                .map(|u| u.to_string())
                .unwrap_or_default(),
            capacity: e.capacity.map(|c| c.to_string()).unwrap_or_default(),
            join_mode: e.join_mode.wire().into(),
            external_url: e
                .external_url
                .as_ref()
                .map(|u| u.to_string())
                .unwrap_or_default(),
            guest_participation: if e.guest_participation { "on" } else { "" }.into(),
            action: String::new(),
            ..Default::default()
        }
    }

    /// The RRULE the repeat fields make for a series starting at `starts_at` (RFC 3339), or the
    /// reason they make none.
    fn recurrence(&self, starts_at: &str, p: &Visitor, errors: &mut FieldErrors) -> Option<String> {
        use crate::web::recurrence::{Ending, rule_of_choice};
        let choice = self.repeat.trim();
        if choice.is_empty() || choice == "none" {
            return None;
        }
        let zone: chrono_tz::Tz = self.timezone.trim().parse().ok()?;
        let start = DateTime::parse_from_rfc3339(starts_at).ok()?;
        let local = start.with_timezone(&zone).naive_local();
        let ending = match self.repeat_end.as_str() {
            "count" => match self.repeat_count.trim().parse::<u32>() {
                Ok(n) if (1..=500).contains(&n) => Ending::Count(n),
                _ => {
                    errors.add("repeat_count", p.t("repeat-count-bad"));
                    return None;
                }
            },
            "until" => {
                match chrono::NaiveDate::parse_from_str(self.repeat_until.trim(), "%Y-%m-%d") {
                    Ok(day) => Ending::Until(day, zone),
                    Err(_) => {
                        errors.add("repeat_until", p.t("repeat-until-bad"));
                        return None;
                    }
                }
            }
            _ => Ending::Never,
        };
        rule_of_choice(choice, local, ending)
    }

    /// The typed local time as RFC 3339, or the reason it is not one.
    fn moment(&self, raw: &str, field: &str, p: &Visitor, errors: &mut FieldErrors) -> String {
        let zone: Result<chrono_tz::Tz, _> = self.timezone.trim().parse();
        let Ok(zone) = zone else {
            errors.add("timezone", p.t("form-bad-timezone"));
            return String::new();
        };
        let parsed = NaiveDateTime::parse_from_str(raw.trim(), "%Y-%m-%dT%H:%M")
            .or_else(|_| NaiveDateTime::parse_from_str(raw.trim(), "%Y-%m-%dT%H:%M:%S"));
        match parsed
            .ok()
            .and_then(|t| zone.from_local_datetime(&t).earliest())
        {
            Some(t) => t.to_rfc3339(),
            None => {
                errors.add(
                    field,
                    if raw.trim().is_empty() {
                        p.t("form-required")
                    } else {
                        p.t("form-bad-time")
                    },
                );
                String::new()
            }
        }
    }

    fn place(&self) -> Option<EventPlace> {
        let place = EventPlace {
            name: non_empty(&self.place_name),
            street: non_empty(&self.street),
            postal_code: non_empty(&self.postal_code),
            locality: non_empty(&self.locality),
            region: None,
            country: non_empty(&self.country),
            latitude: None,
            longitude: None,
        };
        (place != EventPlace::default()).then_some(place)
    }

    /// The checks people trip over most, in their language; the service checks everything again.
    fn check(&self, starts_at: &str, ends_at: &str, p: &Visitor, errors: &mut FieldErrors) {
        if self.title.trim().is_empty() {
            errors.add("title", p.t("form-required"));
        }
        if let (Ok(start), Ok(end)) = (
            DateTime::parse_from_rfc3339(starts_at),
            DateTime::parse_from_rfc3339(ends_at),
        ) && end <= start
        {
            errors.add("ends_at", p.t("form-end-before-start"));
        }
        check_url(&self.online_url, "online_url", p, errors);
        check_url(&self.external_url, "external_url", p, errors);
    }

    fn capacity(&self, p: &Visitor, errors: &mut FieldErrors) -> Option<i64> {
        let raw = self.capacity.trim();
        if raw.is_empty() {
            return None;
        }
        match raw.parse::<i64>() {
            Ok(n) if n >= 1 => Some(n),
            Ok(_) => {
                errors.add("capacity", p.t("form-capacity-min"));
                None
            }
            Err(_) => {
                errors.add("capacity", p.t("form-not-a-number"));
                None
            }
        }
    }
}

#[derive(Template)]
#[template(path = "event_form.html")]
struct EventFormPage {
    p: Visitor,
    c: Community,
    /// The event being edited; `None` when creating.
    editing: Option<Event>,
    form: EventForm,
    errors: FieldErrors,
    preview: Option<String>,
    timezones: Vec<&'static str>,
}

impl EventFormPage {
    fn action(&self) -> String {
        match &self.editing {
            Some(e) => format!("/manage/events/{}/edit", e.public_id),
            None => format!("/manage/c/{}/events/new", self.c.name),
        }
    }
    fn custom_timezone(&self) -> bool {
        !TIMEZONES.contains(&self.form.timezone.as_str())
    }
    fn repeat_choices(&self) -> &'static [&'static str] {
        crate::web::recurrence::CHOICES
    }
    /// Whether the event being edited is an occurrence of a series (the form asks what to change).
    fn in_series(&self) -> bool {
        self.editing.as_ref().is_some_and(|e| e.series.is_some())
    }
}

fn event_form_page(
    p: Visitor,
    c: Community,
    editing: Option<Event>,
    form: EventForm,
    errors: FieldErrors,
    preview: Option<String>,
) -> Response {
    let failed = !errors.is_empty();
    let page = EventFormPage {
        p,
        c,
        editing,
        form,
        errors,
        preview,
        timezones: TIMEZONES.to_vec(),
    };
    render_form(&page, &page.p, failed)
}

pub(super) async fn new_event_page(
    State(v): State<Verkosto>,
    Path(name): Path<String>,
    p: Visitor,
) -> Result<Response, PageError> {
    let account = p.require_account()?;
    let c = v.community(&name).await.map_err(|e| p.error(e))?;
    v.require_manager(account, &c)
        .await
        .map_err(|e| p.error(e))?;
    let form = EventForm {
        timezone: crate::service::DEFAULT_TIMEZONE.into(),
        join_mode: "free".into(),
        ..Default::default()
    };
    Ok(event_form_page(
        p,
        c,
        None,
        form,
        FieldErrors::default(),
        None,
    ))
}

pub(super) async fn create_event(
    State(v): State<Verkosto>,
    Path(name): Path<String>,
    p: Visitor,
    Form(form): Form<EventForm>,
) -> Result<Response, PageError> {
    p.check_csrf(&form.csrf)?;
    let account = p.require_account()?.clone();
    let c = v.community(&name).await.map_err(|e| p.error(e))?;
    v.require_manager(&account, &c)
        .await
        .map_err(|e| p.error(e))?;
    if form.action == "preview" {
        let html = crate::sanitize::markdown(&form.description);
        return Ok(event_form_page(
            p,
            c,
            None,
            form,
            FieldErrors::default(),
            Some(html),
        ));
    }
    let mut errors = FieldErrors::default();
    let starts_at = form.moment(&form.starts_at, "starts_at", &p, &mut errors);
    let ends_at = form.moment(&form.ends_at, "ends_at", &p, &mut errors);
    let capacity = form.capacity(&p, &mut errors);
    form.check(&starts_at, &ends_at, &p, &mut errors);
    let recurrence = form.recurrence(&starts_at, &p, &mut errors);
    if !errors.is_empty() {
        return Ok(event_form_page(p, c, None, form, errors, None));
    }
    let new = NewEvent {
        title: form.title.trim().to_string(),
        description: non_empty(&form.description),
        starts_at,
        ends_at,
        timezone: non_empty(&form.timezone),
        location: form.place(),
        online_url: non_empty(&form.online_url),
        capacity,
        join_mode: Some(JoinMode::from_wire(&form.join_mode)),
        external_url: non_empty(&form.external_url),
        tags: None,
        category: None,
        banner_url: None,
        language: Some(p.lang.code().to_string()),
        comments_enabled: None,
        guest_participation: p.sends_mail.then_some(form.guest_participation == "on"),
        visibility: (form.members_only == "on").then_some(crate::model::Visibility::Members),
        cohosts: None,
        status: None,
        rsvp_poll: None,
        recurrence,
    };
    match v.create_event(&account, &name, new).await {
        Ok(e) => Ok(Redirect::to(v.state().urls().event(&e.public_id).path()).into_response()),
        Err(e) => {
            let errors = FieldErrors::from_error(e, EVENT_FIELDS, &p).map_err(|e| p.error(e))?;
            Ok(event_form_page(p, c, None, form, errors, None))
        }
    }
}

pub(super) async fn edit_event_page(
    State(v): State<Verkosto>,
    Path(id): Path<String>,
    p: Visitor,
) -> Result<Response, PageError> {
    let (event, c) = managed_event(&v, &p, &id).await?;
    let form = EventForm::of(&event);
    Ok(event_form_page(
        p,
        c,
        Some(event),
        form,
        FieldErrors::default(),
        None,
    ))
}

pub(super) async fn update_event(
    State(v): State<Verkosto>,
    Path(id): Path<String>,
    p: Visitor,
    Form(form): Form<EventForm>,
) -> Result<Response, PageError> {
    p.check_csrf(&form.csrf)?;
    let (event, c) = managed_event(&v, &p, &id).await?;
    let account = p.require_account()?.clone();
    if form.action == "preview" {
        let html = crate::sanitize::markdown(&form.description);
        return Ok(event_form_page(
            p,
            c,
            Some(event),
            form,
            FieldErrors::default(),
            Some(html),
        ));
    }
    let mut errors = FieldErrors::default();
    let starts_at = form.moment(&form.starts_at, "starts_at", &p, &mut errors);
    let ends_at = form.moment(&form.ends_at, "ends_at", &p, &mut errors);
    let capacity = form.capacity(&p, &mut errors);
    form.check(&starts_at, &ends_at, &p, &mut errors);
    if !errors.is_empty() {
        return Ok(event_form_page(p, c, Some(event), form, errors, None));
    }
    let update = EventUpdate {
        title: Some(form.title.trim().to_string()),
        description: Some(form.description.clone()),
        starts_at: Some(starts_at),
        ends_at: Some(ends_at),
        timezone: Some(form.timezone.trim().to_string()),
        location: form.place(),
        online_url: Some(form.online_url.trim().to_string()),
        capacity,
        join_mode: Some(JoinMode::from_wire(&form.join_mode)),
        external_url: non_empty(&form.external_url),
        guest_participation: p.sends_mail.then_some(form.guest_participation == "on"),
        scope: match form.scope.as_str() {
            "following" => Some(crate::model::EditScope::Following),
            "all" => Some(crate::model::EditScope::All),
            _ => None,
        },
        ..Default::default()
    };
    match v.update_event(&account, &id, update).await {
        Ok(e) => Ok(Redirect::to(v.state().urls().event(&e.public_id).path()).into_response()),
        Err(e) => {
            let errors = FieldErrors::from_error(e, EVENT_FIELDS, &p).map_err(|e| p.error(e))?;
            Ok(event_form_page(p, c, Some(event), form, errors, None))
        }
    }
}

pub(super) async fn cancel_event(
    State(v): State<Verkosto>,
    Path(id): Path<String>,
    p: Visitor,
    Form(form): Form<CsrfOnly>,
) -> Result<Response, PageError> {
    p.check_csrf(&form.csrf)?;
    let account = p.require_account()?;
    let event = v.cancel_event(account, &id).await.map_err(|e| p.error(e))?;
    Ok(Redirect::to(v.state().urls().event(&event.public_id).path()).into_response())
}
