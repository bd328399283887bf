//! Refusals a person can cause, each with a stable code and its parameters.
//!
//! The API answers a refusal's [`code`](Refusal::code), its [`params`](Refusal::params) and its
//! English text (the `Display` impl); the web pages translate the code through the Fluent message
//! `refusal-<code>` of the visitor's language, with the same parameters as Fluent arguments.

use std::fmt;

use axum::http::StatusCode;

/// What kind of refusal it is when it stands alone (not as the reason of an invalid field): the
/// HTTP status and the coarse `error` code the API has always answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// 400 `bad_request`.
    BadRequest,
    /// 422 `invalid_field`: what is wrong with one field.
    Invalid,
    /// 401 `unauthorized`.
    Unauthorized,
    /// 403 `forbidden`.
    Forbidden,
    /// 404 `not_found`.
    NotFound,
    /// 409 `conflict`.
    Conflict,
}

impl Kind {
    /// The HTTP status.
    pub fn status(self) -> StatusCode {
        match self {
            Kind::BadRequest => StatusCode::BAD_REQUEST,
            Kind::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
            Kind::Unauthorized => StatusCode::UNAUTHORIZED,
            Kind::Forbidden => StatusCode::FORBIDDEN,
            Kind::NotFound => StatusCode::NOT_FOUND,
            Kind::Conflict => StatusCode::CONFLICT,
        }
    }

    /// The coarse machine code (the API's `error` field).
    pub fn code(self) -> &'static str {
        match self {
            Kind::BadRequest => "bad_request",
            Kind::Invalid => "invalid_field",
            Kind::Unauthorized => "unauthorized",
            Kind::Forbidden => "forbidden",
            Kind::NotFound => "not_found",
            Kind::Conflict => "conflict",
        }
    }
}

/// One parameter of a refusal: text or a whole number.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(untagged)]
pub enum Param {
    /// A name, a handle, a value the person typed.
    Text(String),
    /// A limit or a count.
    Number(i64),
}

impl From<&String> for Param {
    fn from(v: &String) -> Self {
        Param::Text(v.clone())
    }
}

impl From<&&'static str> for Param {
    fn from(v: &&'static str) -> Self {
        Param::Text((*v).to_string())
    }
}

impl From<&i64> for Param {
    fn from(v: &i64) -> Self {
        Param::Number(*v)
    }
}

impl From<&usize> for Param {
    fn from(v: &usize) -> Self {
        Param::Number(i64::try_from(*v).unwrap_or(i64::MAX))
    }
}

macro_rules! refusals {
    ($(
        $(#[$doc:meta])*
        $variant:ident $({ $($field:ident : $ty:ty),* $(,)? })? = $code:literal, $kind:ident;
    )*) => {
        /// A refusal a person can cause, with its parameters.
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum Refusal {
            $(
                $(#[$doc])*
                $variant $({ $(
                    #[allow(missing_docs)]
                    $field: $ty
                ),* })?,
            )*
        }

        impl Refusal {
            /// Every refusal code, for checks that each has a translation.
            pub const CODES: &'static [&'static str] = &[$($code),*];

            /// The stable snake_case code (the API's `code` field; `refusal-<code>` in Fluent).
            pub fn code(&self) -> &'static str {
                match self {
                    $(Refusal::$variant { .. } => $code,)*
                }
            }

            /// Its status and coarse code when it stands alone.
            pub fn kind(&self) -> Kind {
                match self {
                    $(Refusal::$variant { .. } => Kind::$kind,)*
                }
            }

            /// Its parameters by name (the API's `params`, the Fluent arguments).
            #[allow(unused_variables)]
            pub fn params(&self) -> Vec<(&'static str, Param)> {
                match self {
                    $(Refusal::$variant $({ $($field),* })? => vec![$($((stringify!($field), Param::from($field))),*)?],)*
                }
            }
        }
    };
}

refusals! {
    // Fields
    /// An empty required field.
    Required = "required", Invalid;
    /// Text over its limit.
    TooLong { max: usize } = "too_long", Invalid;
    /// Text under its minimum.
    TooShort { min: usize } = "too_short", Invalid;
    /// Text over its limit in bytes.
    TooManyBytes { max: usize } = "too_many_bytes", Invalid;
    /// A number under its minimum.
    TooSmall { min: i64 } = "too_small", Invalid;
    /// A number outside a range.
    NotBetween { min: i64, max: i64 } = "not_between", Invalid;
    /// Not a whole number within a range.
    NotAWholeNumberBetween { min: i64, max: i64 } = "not_a_whole_number_between", Invalid;
    /// A value outside what can be shown (a month far out).
    OutOfRange = "out_of_range", Invalid;
    /// Not an RFC 3339 time.
    NotAnRfc3339Time = "not_an_rfc3339_time", Invalid;
    /// Not a cursor this list gave out (in its `Link: rel="next"`).
    NotACursor = "not_a_cursor", Invalid;
    /// Not an IANA time zone.
    UnknownTimeZone { value: String } = "unknown_time_zone", Invalid;
    /// Not a language tag.
    NotALanguageTag = "not_a_language_tag", Invalid;
    /// Not a month such as 2027-01.
    NotAMonth = "not_a_month", Invalid;
    /// Not a day such as 2027-01-25.
    NotADate = "not_a_date", Invalid;
    /// An event that ends before it starts.
    EndsBeforeStart = "ends_before_start", Invalid;
    /// A range whose end is before its start (`from`/`to`).
    RangeReversed = "range_reversed", Invalid;
    /// The same choice twice in a poll.
    ChoiceTwice { choice: String } = "choice_twice", Invalid;
    /// A vote for something the poll does not offer.
    NotAChoice { choice: String } = "not_a_choice", Invalid;
    /// A period (`from`/`to`) longer than can be asked for at once.
    PeriodTooLong { max_days: i64 } = "period_too_long", Invalid;
    /// Join mode external without its address.
    ExternalUrlRequired = "external_url_required", Invalid;
    /// A new event created already cancelled.
    NewEventCancelled = "new_event_cancelled", Invalid;
    /// Not a recurrence rule an event can have.
    NotARecurrence { why: String } = "not_a_recurrence", Invalid;
    /// A rule that gives no occurrence from the start on.
    RecurrenceNeverStarts = "recurrence_never_starts", Invalid;
    /// A series' rule changed in place.
    RecurrenceChange = "recurrence_change", Invalid;
    /// A calendar file with a line that cannot be read.
    CalendarLine { line: i64, why: String } = "calendar_line", Invalid;
    /// A calendar that cannot be fetched or is no calendar.
    CalendarUnreadable { why: String } = "calendar_unreadable", Invalid;
    /// `scope` on an event that is no occurrence of a series.
    NotAnOccurrence = "not_an_occurrence", Invalid;
    /// Cancelling by editing the status instead of the cancel action.
    CancelWithItsAction = "cancel_with_its_action", Invalid;
    /// Not a URL at all.
    NotAUrl = "not_a_url", Invalid;
    /// A URL that is not http(s).
    NotAWebAddress = "not_a_web_address", Invalid;
    /// Neither a URL nor `acct:name@host`.
    NotAUrlOrHandle = "not_a_url_or_handle", Invalid;
    /// Too many tags.
    TooManyTags { max: usize } = "too_many_tags", Invalid;
    /// A tag that is not a hashtag.
    NotAHashtag { tag: String, max: usize } = "not_a_hashtag", Invalid;
    /// Too many co-hosts.
    TooManyCohosts { max: usize } = "too_many_cohosts", Invalid;
    /// A co-host named by a local name that is no community here.
    NoSuchLocalCommunity { name: String } = "no_such_local_community", Invalid;
    /// A local name of the wrong length.
    NameLength { min: usize, max: usize } = "name_length", Invalid;
    /// A local name with other characters than a-z, digits and _.
    NameCharacters = "name_characters", Invalid;
    /// A handle that is not `name@host`.
    NotAHandle = "not_a_handle", Invalid;
    /// A handle on this instance where a remote one is needed.
    HandleIsLocal { name: String } = "handle_is_local", Invalid;
    /// A host that is not a host name.
    NotAHostName = "not_a_host_name", Invalid;
    /// A host the server does not contact (private, loopback, blocked).
    HostRefused { host: String, why: String } = "host_refused", Invalid;
    /// A handle that could not be resolved.
    UnresolvableHandle { handle: String, why: String } = "unresolvable_handle", Invalid;
    /// An actor that is not a community (a group).
    NotACommunity { handle: String } = "not_a_community", Invalid;
    /// A community that is not a network.
    NotANetwork { name: String } = "not_a_network", Invalid;
    /// A network asked to join itself.
    NetworkJoinsItself = "network_joins_itself", Invalid;
    /// The instance asked to block its own domain.
    CannotBlockItself = "cannot_block_itself", Invalid;
    /// A decision other than accept or reject.
    NotAcceptOrReject { value: String } = "not_accept_or_reject", Invalid;
    /// A calendar link action other than new or off.
    NotNewOrOff = "not_new_or_off", Invalid;
    /// A remote-follow target that is not an object of this server.
    NotAnObjectHere = "not_an_object_here", Invalid;
    /// A remote-follow address that is not `name@server`.
    NotAnAddress = "not_an_address", Invalid;
    /// A remote-follow address on a server that cannot be reached.
    UnreachableAddress = "unreachable_address", Invalid;
    /// A request body of the wrong shape (a field of the wrong type, a missing field).
    Malformed { detail: String } = "malformed", Invalid;
    /// A document or activity from another server that we cannot use.
    InvalidDocument { why: String } = "invalid_document", Invalid;

    // Conflicts
    /// A local name that an account or a community has already.
    NameTaken { name: String } = "name_taken", Conflict;
    /// A follow that exists already.
    AlreadyFollowing { handle: String, state: String } = "already_following", Conflict;
    /// A network membership that exists already.
    AlreadyMember { network: String, state: String } = "already_member", Conflict;
    /// An event that takes no participants here.
    NotJoinableHere { join_mode: String } = "not_joinable_here", Conflict;

    // Not allowed
    /// The web form's token is missing or stale.
    FormExpired = "form_expired", Forbidden;
    /// Comments are closed.
    CommentsClosed = "comments_closed", Forbidden;
    /// Not a manager of the community.
    NotAManager { community: String } = "not_a_manager", Forbidden;
    /// The owner cannot be removed as a manager.
    OwnerStaysManager = "owner_stays_manager", Forbidden;
    /// Only administrators may do this.
    NotAnAdmin = "not_an_admin", Forbidden;
    /// Registration is closed.
    RegistrationClosed = "registration_closed", Forbidden;
    /// A remote event is changed only by its organizer's instance.
    RemoteEventReadOnly = "remote_event_read_only", Forbidden;
    /// A remote announcement is changed only by its author's instance.
    RemoteAnnouncementReadOnly = "remote_announcement_read_only", Forbidden;

    // Who are you
    /// Logging in is needed.
    LogInFirst = "log_in_first", Unauthorized;
    /// A wrong username or password.
    WrongCredentials = "wrong_credentials", Unauthorized;
    /// A bearer token that is unknown or revoked.
    InvalidToken = "invalid_token", Unauthorized;
    /// No bearer token.
    TokenRequired = "token_required", Unauthorized;
    /// An Authorization header that is not `Bearer <token>`.
    MalformedAuthorization = "malformed_authorization", Unauthorized;

    // Not there
    /// No such page.
    NoSuchPage = "no_such_page", NotFound;
        /// No remote actor with this handle.
    NoSuchActor { handle: String } = "no_such_actor", NotFound;
    /// No such event.
    NoSuchEvent { id: String } = "no_such_event", NotFound;
    /// No external calendar of the community with this id.
    NoSuchCalendarSubscription { id: String } = "no_such_calendar_subscription", NotFound;
    /// A company sign-in that did not go through.
    SignInFailed { why: String } = "sign_in_failed", Unauthorized;
    /// Company sign-in asked for on an instance without it.
    SignInNotConfigured = "sign_in_not_configured", NotFound;
    /// A password login where passwords are turned off.
    PasswordLoginOff = "password_login_off", Forbidden;
    /// A ban naming neither a handle nor a domain, or both.
    BanTarget = "ban_target", Invalid;
    /// A ban of this instance's own domain.
    BanOwnInstance = "ban_own_instance", Invalid;
    /// An unban of what is not banned.
    NoSuchBan = "no_such_ban", NotFound;
    /// A report of something that is not ours.
    NotReportable = "not_reportable", Invalid;
    /// No moderation report with this id (or not one the visitor may see).
    NoSuchModerationReport = "no_such_moderation_report", NotFound;
    /// Something a community's ban forbids.
    Banned = "banned", Forbidden;
    /// No series with this id.
    NoSuchSeries { id: String } = "no_such_series", NotFound;
    /// Something that needs e-mail on an instance that sends none.
    MailNotConfigured = "mail_not_configured", Conflict;
    /// Participation by e-mail on an event that does not take it (now).
    GuestsNotTaken = "guests_not_taken", Conflict;
    /// Not an e-mail address.
    NotAnEmail = "not_an_email", Invalid;
    /// A report that names nothing on another server.
    NothingToForward = "nothing_to_forward", Conflict;
    /// A suspended account.
    Suspended = "suspended", Forbidden;
    /// An account whose address is not confirmed yet.
    EmailUnconfirmed = "email_unconfirmed", Forbidden;
    /// An open follow policy on a members-only community.
    MembersNeedApproval = "members_need_approval", Invalid;
    /// An invitation naming neither a handle nor an address, or both.
    InvitationTarget = "invitation_target", Invalid;
    /// An invitation of something that is not a person (a group, a service).
    NotAPerson = "not_a_person", Invalid;
    /// No invitation with this id in the community.
    NoSuchInvitation = "no_such_invitation", NotFound;
    /// A members-only community in a network (joining one, or turning members-only in one).
    MembersOnlyInNetwork = "members_only_in_network", Conflict;
    /// Something only a community's members may do (reply, take part) by someone who is not one.
    MembersOnly = "members_only", Forbidden;
    /// No held reply with this id.
    NoSuchHeldComment = "no_such_held_comment", NotFound;
    /// A link sent by e-mail that names nothing (mistyped, or its event is gone).
    NoSuchMailLink = "no_such_mail_link", NotFound;
    /// A series that has already ended.
    SeriesEnded = "series_ended", Conflict;
    /// No such community.
    NoSuchCommunity { name: String } = "no_such_community", NotFound;
    /// No such announcement.
    NoSuchAnnouncement { id: String } = "no_such_announcement", NotFound;
    /// No such account.
    NoSuchAccount { name: String } = "no_such_account", NotFound;
    /// No such participation (or participant).
    NoSuchParticipation = "no_such_participation", NotFound;
    /// A check-in of someone without a seat (pending, waitlisted or refused).
    NotAnAcceptedParticipant = "not_an_accepted_participant", Conflict;
    /// Feedback asked for before the event has ended.
    EventNotOver = "event_not_over", Conflict;
    /// A second feedback poll for one event.
    FeedbackAlreadySent = "feedback_already_sent", Conflict;
    /// No feedback poll was sent for the event.
    NoFeedbackPoll = "no_feedback_poll", NotFound;
    /// Nothing to answer: no open poll, no seat, or answered already.
    NoFeedbackToGive = "no_feedback_to_give", Conflict;
    /// No such calendar.
    NoSuchCalendar = "no_such_calendar", NotFound;
    /// No such shared report (never made, or revoked).
    NoSuchReport = "no_such_report", NotFound;
    /// No such answer in words to a feedback poll.
    NoSuchAnswer = "no_such_answer", NotFound;
    /// No such language.
    NoSuchLanguage { code: String } = "no_such_language", NotFound;
    /// No such manager of a community.
    NoSuchManager { name: String, community: String } = "no_such_manager", NotFound;
    /// No such action in the address (accept or reject).
    NoSuchAction { action: String } = "no_such_action", NotFound;
    /// No such follow or follow request.
    NoSuchFollow { handle: String } = "no_such_follow", NotFound;
    /// No such network membership or member.
    NoSuchMembership { handle: String } = "no_such_membership", NotFound;
        /// No such member (or pending member request) of a network.
    NoSuchMember = "no_such_member", NotFound;
        /// No such pending follow request.
    NoSuchFollowRequest = "no_such_follow_request", NotFound;
    /// No such comment.
    NoSuchComment = "no_such_comment", NotFound;
    /// No such domain block.
    NoSuchBlock { host: String } = "no_such_block", NotFound;
    /// The instance does not follow this relay.
    NoSuchRelay { url: String } = "no_such_relay", NotFound;
    /// A relay is given by its inbox or actor URL.
    NotARelayUrl = "not_a_relay_url", Invalid;
}

impl fmt::Display for Refusal {
    /// The English text, as the API answers it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use Refusal::*;
        match self {
            Required => write!(f, "must not be empty"),
            TooLong { max } => write!(f, "must be at most {max} characters"),
            TooShort { min } => write!(f, "must be at least {min} characters"),
            TooManyBytes { max } => write!(f, "must be at most {max} bytes"),
            TooSmall { min } => write!(f, "must be at least {min}"),
            NotBetween { min, max } => write!(f, "must be between {min} and {max}"),
            NotAWholeNumberBetween { min, max } => {
                write!(f, "must be a whole number from {min} to {max}")
            }
            OutOfRange => write!(f, "is out of range"),
            NotACursor => write!(
                f,
                "is not a cursor of this list: follow the address in its Link header"
            ),
            NotAnRfc3339Time => write!(
                f,
                "must be an RFC 3339 time such as 2026-11-24T18:00:00+02:00"
            ),
            UnknownTimeZone { value } => write!(
                f,
                "{value:?} is not an IANA time zone such as Europe/Helsinki"
            ),
            NotALanguageTag => write!(f, "must be a language tag such as fi, sv or en"),
            NotAMonth => write!(f, "must be a month such as 2027-01 (years 1 to 9999)"),
            NotADate => write!(f, "must be a day such as 2027-01-25"),
            EndsBeforeStart => write!(f, "must not be before starts_at"),
            RangeReversed => write!(f, "must not be before from"),
            ChoiceTwice { choice } => write!(f, "offers {choice:?} twice"),
            NotAChoice { choice } => write!(f, "{choice:?} is not one of the choices"),
            PeriodTooLong { max_days } => {
                write!(f, "must be at most {max_days} days after from")
            }
            ExternalUrlRequired => write!(f, "is required when join_mode is external"),
            NewEventCancelled => write!(f, "a new event cannot be cancelled"),
            NotARecurrence { why } => write!(
                f,
                "is not a recurrence rule such as FREQ=WEEKLY;BYDAY=MO ({why})"
            ),
            RecurrenceNeverStarts => write!(f, "gives no occurrence at or after starts_at"),
            CalendarLine { line, why } => {
                if *line > 0 {
                    write!(
                        f,
                        "line {line} of the calendar: {why}; nothing was imported"
                    )
                } else {
                    write!(f, "{why}; nothing was imported")
                }
            }
            CalendarUnreadable { why } => write!(f, "cannot be read as a calendar: {why}"),
            RecurrenceChange => write!(
                f,
                "a series keeps its rule: end it and start a new series from the next date"
            ),
            NotAnOccurrence => write!(
                f,
                "following and all apply to an occurrence of a series; this event is none"
            ),
            CancelWithItsAction => write!(f, "use POST /api/v1/events/{{id}}/cancel to cancel"),
            NotAUrl => write!(f, "is not a valid URL"),
            NotAWebAddress => write!(f, "must be an http or https URL"),
            NotAUrlOrHandle => write!(f, "must be a URL or acct:name@host"),
            TooManyTags { max } => write!(f, "at most {max} tags"),
            NotAHashtag { tag, max } => write!(
                f,
                "{tag:?} is not a hashtag: letters, digits and _ only, 1 to {max} characters"
            ),
            TooManyCohosts { max } => write!(f, "at most {max} co-hosts"),
            NoSuchLocalCommunity { name } => write!(f, "no community {name:?} here"),
            NameLength { min, max } => write!(f, "must be {min} to {max} characters"),
            NameCharacters => write!(f, "may contain only lowercase letters a-z, digits and _"),
            NotAHandle => write!(f, "must look like name@host"),
            HandleIsLocal { name } => {
                write!(f, "{name} is on this instance; no lookup is needed")
            }
            NotAHostName => write!(f, "must be a host name such as spam.example"),
            HostRefused { host, why } => write!(f, "{host} is not contacted: {why}"),
            UnresolvableHandle { handle, why } => {
                write!(f, "{handle} could not be resolved: {why}")
            }
            NotACommunity { handle } => write!(f, "{handle} is not a community"),
            NotANetwork { name } => write!(f, "{name} is not a network"),
            NetworkJoinsItself => write!(f, "a network cannot join itself"),
            CannotBlockItself => write!(f, "this instance cannot block itself"),
            NotAcceptOrReject { value } => write!(f, "must be accept or reject, not {value:?}"),
            NotNewOrOff => write!(f, "must be new or off"),
            NotAnObjectHere => write!(f, "is not an object of this server"),
            NotAnAddress => write!(
                f,
                "Write your address as name@server, for example maija@mastodon.social."
            ),
            UnreachableAddress => write!(
                f,
                "This server cannot be reached from here: give an address on a public server."
            ),
            Malformed { detail } => write!(f, "{detail}"),
            InvalidDocument { why } => write!(f, "{why}"),
            NameTaken { name } => write!(f, "the name {name:?} is already taken on this instance"),
            AlreadyFollowing { handle, state } => {
                write!(f, "you already follow {handle} (state: {state})")
            }
            AlreadyMember { network, state } => {
                write!(f, "already a member of {network} (state: {state})")
            }
            NotJoinableHere { join_mode } => write!(
                f,
                "this event does not take participants here (join mode {join_mode})"
            ),
            FormExpired => write!(f, "The form has expired. Reload the page and try again."),
            CommentsClosed => write!(f, "comments are closed for this event"),
            NotAManager { community } => write!(f, "only managers of {community:?} may do this"),
            OwnerStaysManager => write!(f, "the owner of a community cannot be removed as manager"),
            NotAnAdmin => write!(f, "only instance administrators may do this"),
            RegistrationClosed => write!(f, "registration is closed on this instance"),
            RemoteEventReadOnly => {
                write!(f, "only the organizer's instance can change a remote event")
            }
            RemoteAnnouncementReadOnly => write!(
                f,
                "only the author's instance can change a remote announcement"
            ),
            LogInFirst => write!(f, "log in first"),
            WrongCredentials => write!(f, "wrong username or password"),
            InvalidToken => write!(f, "the access token is invalid or revoked"),
            TokenRequired => write!(f, "an Authorization: Bearer token is required"),
            MalformedAuthorization => {
                write!(f, "the Authorization header must be 'Bearer <token>'")
            }
            NoSuchPage => write!(f, "page not found"),
            NoSuchActor { handle } => write!(f, "actor {handle} not found"),
            NoSuchEvent { id } => write!(f, "event {id:?} not found"),
            NoSuchSeries { id } => write!(f, "series {id:?} not found"),
            MailNotConfigured => write!(f, "this instance sends no e-mail (no SMTP server is set)"),
            GuestsNotTaken => write!(f, "this event does not take participants by e-mail (now)"),
            NotAnEmail => write!(f, "not an e-mail address"),
            NothingToForward => write!(f, "the report names nothing on another server"),
            Suspended => write!(f, "the account is suspended on this instance"),
            EmailUnconfirmed => write!(
                f,
                "confirm your e-mail address first: the link is in your mail"
            ),
            NoSuchHeldComment => write!(f, "no reply with this id waits for a decision"),
            MembersNeedApproval => write!(
                f,
                "a members-only community approves who follows it: its follow policy cannot be open"
            ),
            MembersOnly => write!(f, "only the community's members may do this"),
            NotAPerson => write!(f, "only people can be invited"),
            InvitationTarget => write!(f, "give either a handle or an e-mail address"),
            NoSuchInvitation => write!(f, "no such invitation"),
            MembersOnlyInNetwork => write!(
                f,
                "a members-only community cannot belong to a network (a network shows what its members publish to everyone): leave its networks first, or keep it public"
            ),
            NoSuchMailLink => write!(f, "the link names nothing: mistyped, or its event is gone"),
            BanTarget => write!(f, "give either a handle or a domain"),
            BanOwnInstance => write!(f, "this instance's own domain cannot be banned"),
            NoSuchBan => write!(f, "no such ban"),
            Banned => write!(f, "the community has banned this actor"),
            NotReportable => write!(
                f,
                "names no event, announcement, comment or account of this instance"
            ),
            NoSuchModerationReport => write!(f, "no such moderation report"),
            SignInFailed { why } => write!(f, "the sign-in did not go through: {why}"),
            SignInNotConfigured => write!(f, "this instance has no company sign-in"),
            PasswordLoginOff => write!(
                f,
                "passwords are turned off here: sign in with the company's account"
            ),
            NoSuchCalendarSubscription { id } => write!(f, "external calendar {id:?} not found"),
            SeriesEnded => write!(f, "the series has already ended"),
            NoSuchCommunity { name } => write!(f, "community {name:?} not found"),
            NoSuchAnnouncement { id } => write!(f, "announcement {id:?} not found"),
            NoSuchAccount { name } => write!(f, "account {name:?} not found"),
            NoSuchParticipation => write!(f, "participation not found"),
            EventNotOver => write!(f, "feedback can be asked for once the event has ended"),
            FeedbackAlreadySent => write!(f, "the event's feedback poll was sent already"),
            NoFeedbackPoll => write!(f, "no feedback poll was sent for this event"),
            NoFeedbackToGive => write!(
                f,
                "there is no open feedback poll for you here, or you answered it already"
            ),
            NotAnAcceptedParticipant => write!(
                f,
                "only an accepted participant can be checked in: accept them first"
            ),
            NoSuchCalendar => write!(f, "calendar not found"),
            NoSuchReport => write!(f, "report not found (the link may have been revoked)"),
            NoSuchAnswer => write!(f, "no such answer in words to this event's poll"),
            NoSuchLanguage { code } => write!(f, "language {code} not found"),
            NoSuchManager { name, community } => {
                write!(f, "manager {name:?} of {community:?} not found")
            }
            NoSuchAction { action } => {
                write!(f, "action {action:?} not found (use accept or reject)")
            }
            NoSuchFollow { handle } => write!(f, "follow of {handle} not found"),
            NoSuchMembership { handle } => write!(f, "membership in {handle} not found"),
            NoSuchMember => write!(f, "member not found"),
            NoSuchFollowRequest => write!(f, "pending follow request not found"),
            NoSuchComment => write!(f, "comment not found"),
            NoSuchBlock { host } => write!(f, "block of {host} not found"),
            NoSuchRelay { url } => write!(f, "the instance does not follow {url}"),
            NotARelayUrl => write!(
                f,
                "must be an http(s) URL of a relay's inbox or of an actor (a relay or an instance)"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Refusal;

    /// The message ids of one locale's Fluent file.
    fn message_ids(lang: &str) -> Vec<String> {
        let path = format!("{}/locales/{lang}/main.ftl", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        text.lines()
            .filter_map(|l| l.split_once(" ="))
            .map(|(id, _)| id.trim().to_string())
            .filter(|id| !id.starts_with('#') && !id.starts_with(' ') && !id.is_empty())
            .collect()
    }

    #[test]
    fn every_refusal_code_has_a_message_in_each_language() {
        for lang in ["fi", "sv", "en"] {
            let ids = message_ids(lang);
            let missing: Vec<&str> = Refusal::CODES
                .iter()
                .copied()
                .filter(|code| !ids.iter().any(|id| *id == format!("refusal-{code}")))
                .collect();
            assert!(
                missing.is_empty(),
                "{lang}: no refusal-<code> for {missing:?}"
            );
        }
    }

    #[test]
    fn codes_are_unique_snake_case() {
        let mut seen = std::collections::HashSet::new();
        for code in Refusal::CODES {
            assert!(seen.insert(code), "{code} twice");
            assert!(
                code.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
                "{code}"
            );
        }
    }
}
