# Verkosto web pages: English.

## Dates and numbers ($weekday: mon..sun; $monthname: m1..m12)
format-datetime = { $weekday ->
        [mon] Mon
        [tue] Tue
        [wed] Wed
        [thu] Thu
        [fri] Fri
        [sat] Sat
       *[sun] Sun
    } { $day } { $monthname ->
        [m1] Jan
        [m2] Feb
        [m3] Mar
        [m4] Apr
        [m5] May
        [m6] Jun
        [m7] Jul
        [m8] Aug
        [m9] Sep
        [m10] Oct
        [m11] Nov
       *[m12] Dec
    } { $year }, { $hour2 }:{ $minute }
format-date = { $weekday ->
        [mon] Mon
        [tue] Tue
        [wed] Wed
        [thu] Thu
        [fri] Fri
        [sat] Sat
       *[sun] Sun
    } { $day } { $monthname ->
        [m1] Jan
        [m2] Feb
        [m3] Mar
        [m4] Apr
        [m5] May
        [m6] Jun
        [m7] Jul
        [m8] Aug
        [m9] Sep
        [m10] Oct
        [m11] Nov
       *[m12] Dec
    } { $year }
format-time = { $hour2 }:{ $minute }
weekday-mon = Mon
weekday-tue = Tue
weekday-wed = Wed
weekday-thu = Thu
weekday-fri = Fri
weekday-sat = Sat
weekday-sun = Sun
month-1 = January
month-2 = February
month-3 = March
month-4 = April
month-5 = May
month-6 = June
month-7 = July
month-8 = August
month-9 = September
month-10 = October
month-11 = November
month-12 = December

## Every page
skip-to-content = Skip to content
nav-account = Account
nav-language = Language
nav-login = Log in
nav-logout = Log out
nav-workspace = My communities
footer-powered = A community space on the fediverse, run with Verkosto.

## Errors
error-not-found = Not found
error-forbidden = Not allowed
error-too-many = Too many attempts
error-internal = Something went wrong on our side
error-bad-request = That did not work
error-home = Back to the front page

## Home
home-title = Communities and their events
home-intro = Verkosto is where co-working spaces, associations and networks of community managers publish their events and news. Follow any community from Mastodon or another fediverse app, or add its calendar to yours.
home-first-run-title = Welcome to your new Verkosto
home-first-run-text = This server has no accounts yet. Create the first (administrator) account on the server's command line:
home-first-run-then = Then log in here and create your first community.
home-communities = Communities
home-no-communities = No communities yet.
home-upcoming = Upcoming events
events-none = No upcoming events.

## Community and network pages
community-about = About
community-location = Location
community-upcoming = Upcoming events
community-past = Past events
community-announcements = Announcements
community-networks = Networks
community-manage = Manage this community
announcements-none = No announcements yet.
announcement-untitled = Announcement
network-members = Member communities
network-no-members = No member communities yet.
network-geojson = Member map data (GeoJSON)
kind-coworking = Co-working space
kind-company_internal = Company community
kind-association = Association
kind-network = Network of communities

## Following
follow-title = Follow from the fediverse
follow-text = Follow { $name } from Mastodon or any fediverse app: search for this address in your app, or enter your own address below.
follow-person-text = Follow { $name } from Mastodon or any fediverse app: search for this address in your app, or enter your own address below.
follow-handle-label = Address to search for
follow-address-label = Your fediverse address
follow-address-placeholder = you@your.server
follow-go = Continue on my server
join-title = Join from the fediverse
join-text = Search for this address in your fediverse app to join { $name }, or enter your own address below.

## Calendars
calendar-month-view = Month view
calendar-list-view = List
calendar-download = Download the calendar (.ics)
calendar-download-event = Add to my calendar (.ics)
calendar-subscribe = Subscribe in a calendar app
calendar-months = Months
calendar-previous = Previous month
calendar-next = Next month
calendar-month = { $month }
instance-calendar-title = Events from other instances
instance-calendar-intro = Public events that relays and instances followed by this instance sent here.
instance-calendar-ics = Subscribe (iCalendar)
instance-calendar-empty = No events to come.
instance-calendar-by = by
instance-calendar-via = via

## Event page
event-cancelled = This event is cancelled.
event-cancelled-short = Cancelled
event-tentative = The time of this event is not yet confirmed.
event-organized-by = Organised by
event-where = Where
event-when = When
event-map = Map
event-online = Online
event-online-join = Join online
event-online-later = The link appears here at { $time }.
event-participants = Participants
event-full = Full
event-how-to-join = Taking part
event-register-elsewhere = Register
event-description = Description
event-add-to-calendar = Add to calendar
event-comments = Comments
event-no-comments = No comments yet.
event-comment-how = Reply to this event from your fediverse app to comment.
participant-count = { $count ->
        [one] { $shown } participant
       *[other] { $shown } participants
    }
seats-left = { $count ->
        [one] { $shown } seat left
       *[other] { $shown } seats left
    }
join-free = Anyone can join.
join-approval = The organisers approve each participant.
join-invite = By invitation only.
join-external = Registration is on another site.
join-none = No registration needed.

## Log in
login-title = Log in
login-username = Username
login-password = Password
login-company = Sign in with { $name }
login-submit = Log in
login-failed = The username or password is wrong.

## Workspace
manage-title = My communities
manage-member-of = Communities I am a member of
manage-my-communities = Communities I manage
manage-none-yet = You do not manage any community yet. Create one below.
manage-public-page = Public page
manage-create-community = Create a community
manage-create = Create
manage-new-event = New event
manage-follow-requests = Follow requests
manage-member-requests = Membership requests
manage-no-requests = No requests waiting.
manage-events = Events
manage-actions = Actions
manage-edit = Edit
manage-cancel-event = Cancel event
manage-post-announcement = Post an announcement
manage-settings = Community settings
manage-embed = Calendar for your own web site
manage-calendar = My calendar feed
manage-calendar-intro = A private address for your calendar app, with the events you take part in. Anyone who has the address can read the feed.
manage-calendar-on = On since { $since }.
manage-calendar-off = Off.
manage-calendar-new = Make a new address
manage-calendar-new-hint = The previous address stops working.
manage-calendar-revoke = Turn off
manage-calendar-created = Your new calendar address. It is shown only now: copy it into your calendar app.
community-name = Name in addresses
community-name-hint = Lower-case letters, digits and _; it cannot be changed later.
community-display-name = Name
community-summary = About
community-kind = Kind
community-latitude = Latitude
community-longitude = Longitude
community-website = Web site
community-follow-policy = Who can follow
community-visibility = Who can see it
visibility-public = Everyone (public, on the fediverse)
visibility-members = Members only
visibility-note = Members-only: its page, events, announcements and feeds show only to its members (people you accept or invite, and local accounts made members), and following it always needs approval. Making a public community members-only does not take back what it already published: that stays public here, and copies already on other servers stay there. It cannot belong to a network.
policy-open = Anyone, at once
policy-approval = Managers approve each follower
decision-accept = Accept
decision-reject = Reject
announcement-title = Title (optional)
announcement-content = Text
announcement-publish = Publish
event-form-new = New event
event-form-edit = Edit event
event-title = Title
event-starts = Starts
event-ends = Ends
event-timezone = Time zone
event-online-url = Online link (stream or meeting)
event-capacity = Seats
event-capacity-hint = Leave empty for no limit.
event-join-mode = How people join
event-external-url = Registration link (with registration on another site)
event-publish = Publish event
place-name = Place
place-street = Street address
place-postal-code = Postal code
place-locality = Town
place-country = Country
form-preview = Preview
form-save = Save
form-markdown-hint = Markdown: **bold**, *italic*, [link](https://example.org), lists with -.
form-required = Fill this in.
form-not-a-number = Write a number.
form-bad-time = Write a date and time such as 2027-01-27 09:00.
form-bad-name = Use only lower-case letters a-z, digits and _ (at most 64).
form-bad-url = Write a full web address starting with https://.
form-end-before-start = The end must be after the start.
form-capacity-min = Seats must be at least 1; leave empty for no limit.
form-bad-timezone = Choose a time zone from the list.
participants-title = Participants
participants-csv = Download as CSV
participants-none = Nobody has joined yet.
participants-handle = Who
participants-instance = Server
participants-state = Status
participants-since = Since
state-pending = Waiting for approval
state-accepted = Taking part
state-waitlisted = On the waiting list
state-rejected = Rejected

## Remote interaction
interact-title = Follow or take part from your account
interact-follow = Follow
interact-join = Take part in this event
interact-followed = You asked to follow { $name }. They will answer shortly.
interact-joined = You asked to take part. The organisers will answer shortly.

## Refusals: what a person asked for and why it was refused, one message per refusal code
## (src/error/refusal.rs), with the same parameters.
refusal-required = This is required.
refusal-too_long = At most { $max } characters.
refusal-too_short = At least { $min } characters.
refusal-too_many_bytes = At most { $max } bytes.
refusal-too_small = At least { $min }.
refusal-not_between = Give a number between { $min } and { $max }.
refusal-not_a_whole_number_between = Give a whole number from { $min } to { $max }.
refusal-out_of_range = This is out of range.
refusal-not_an_rfc3339_time = Give a date and time such as 2026-11-24T18:00:00+02:00.
refusal-not_a_cursor = That is not a position in this list: follow the address in the list's Link header.
refusal-unknown_time_zone = “{ $value }” is not a time zone such as Europe/Helsinki.
refusal-not_a_language_tag = Give a language code such as fi, sv or en.
refusal-not_a_month = Give a month such as 2027-01.
refusal-not_a_date = Give a day such as 2027-01-25.
refusal-ends_before_start = The end must be after the start.
refusal-range_reversed = The end of the range must be after its start.
refusal-period_too_long = Choose a period of at most { $max_days } days.
refusal-external_url_required = Give the address where people sign up.
refusal-new_event_cancelled = A new event cannot be cancelled.
refusal-calendar_line = Line { $line } of the calendar: { $why }. Nothing was imported.
refusal-calendar_unreadable = The calendar cannot be read: { $why }.
refusal-not_a_recurrence = Is not a repeat rule such as FREQ=WEEKLY;BYDAY=MO ({ $why }).
refusal-recurrence_never_starts = The repeat rule gives no date on or after the start.
refusal-recurrence_change = A series keeps its rule: end it and start a new series from the next date.
refusal-not_an_occurrence = This event is not part of a series.
refusal-cancel_with_its_action = Cancel the event with its Cancel button.
refusal-not_a_url = This is not a web address.
refusal-not_a_web_address = Give a web address starting with https:// or http://.
refusal-not_a_url_or_handle = Give a web address or an address such as name@server.
refusal-too_many_tags = At most { $max } tags.
refusal-not_a_hashtag = “{ $tag }” is not a hashtag: letters, digits and _ only, 1 to { $max } characters.
refusal-too_many_cohosts = At most { $max } co-hosts.
refusal-no_such_local_community = There is no community “{ $name }” here.
refusal-name_length = The name must be { $min } to { $max } characters.
refusal-name_characters = The name may contain only lowercase letters a–z, digits and _.
refusal-not_a_handle = Give an address such as name@server.
refusal-handle_is_local = { $name } is on this server: no need to look it up.
refusal-not_a_host_name = Give a server name such as spam.example.
refusal-host_refused = The server { $host } is not contacted from here ({ $why }).
refusal-unresolvable_handle = { $handle } could not be found ({ $why }).
refusal-not_a_community = { $handle } is not a community.
refusal-not_a_network = { $name } is not a network.
refusal-network_joins_itself = A network cannot join itself.
refusal-cannot_block_itself = This server cannot block itself.
refusal-not_accept_or_reject = Choose accept or reject.
refusal-not_new_or_off = Choose a new link or turn the link off.
refusal-not_an_object_here = This is not something on this server.
refusal-not_an_address = Write your address as name@server, for example maija@mastodon.social.
refusal-unreachable_address = This server cannot be reached from here: give an address on a public server.
refusal-malformed = The request was not understood: { $detail }
refusal-invalid_document = The other server sent something we cannot use: { $why }
refusal-name_taken = The name “{ $name }” is already taken on this server.
refusal-already_following = You already follow { $handle }.
refusal-already_member = Already a member of { $network }.
refusal-not_joinable_here = This event does not take sign-ups here.
refusal-form_expired = The form has expired. Reload the page and try again.
refusal-comments_closed = Comments are closed for this event.
refusal-not_a_manager = Only the managers of “{ $community }” may do this.
refusal-owner_stays_manager = The owner of a community cannot be removed as manager.
refusal-not_an_admin = Only the server's administrators may do this.
refusal-registration_closed = Registration is closed on this server.
refusal-remote_event_read_only = This event is from another server and can only be changed there.
refusal-remote_announcement_read_only = This announcement is from another server and can only be changed there.
refusal-log_in_first = Log in first.
refusal-wrong_credentials = Wrong username or password.
refusal-invalid_token = Your session has expired or was ended. Log in again.
refusal-token_required = Log in first.
refusal-malformed_authorization = Log in again.
refusal-no_such_page = There is no such page.
refusal-no_such_actor = { $handle } was not found.
refusal-no_such_event = There is no such event.
refusal-no_such_calendar_subscription = The community has no such calendar.
refusal-no_such_series = There is no such series.
refusal-ban_target = Give either an account (name@host) or a domain.
refusal-ban_own_instance = This instance's own domain cannot be banned.
refusal-no_such_ban = There is no such ban.
refusal-banned = The community has banned this account.
refusal-not_reportable = Is no event, announcement, comment or account of this instance.
refusal-no_such_moderation_report = There is no such report.
refusal-sign_in_failed = The sign-in did not go through: { $why }.
refusal-sign_in_not_configured = This instance has no company sign-in.
refusal-password_login_off = Passwords are turned off here: sign in with your company account.
refusal-series_ended = The series has already ended.
refusal-no_such_community = There is no community “{ $name }”.
refusal-no_such_announcement = There is no such announcement.
refusal-no_such_account = There is no account “{ $name }”.
refusal-no_such_participation = There is no such sign-up.
refusal-not_an_accepted_participant = Only a participant with a seat can be checked in: accept them first.
refusal-no_such_calendar = There is no such calendar.
refusal-no_such_report = There is no such report: the link may have been revoked.
refusal-no_such_language = There is no language “{ $code }”.
refusal-no_such_manager = { $name } is not a manager of “{ $community }”.
refusal-no_such_action = Choose accept or reject.
refusal-no_such_follow = You do not follow { $handle }.
refusal-no_such_membership = Not a member of { $handle }.
refusal-no_such_member = There is no such member.
refusal-no_such_follow_request = There is no such follow request.
refusal-no_such_comment = There is no such comment.
refusal-no_such_block = { $host } is not blocked.
refusal-no_such_relay = The instance does not follow { $url }.
refusal-not_a_relay_url = Give the http(s) address of a relay's inbox or of an actor (a relay or an instance).

# Insights (issue 16)
insights-title = Insights
insights-intro = What the community achieved in the period, compared with the period of the same length before it. The figures are counts: no names are shown.
insights-period = Period
insights-from = From
insights-to = To
insights-show = Show
insights-figure = Figure
insights-this-period = This period
insights-previous-period = Previous period
insights-followers-total = Followers at the end
insights-followers-new = New followers
insights-followers-lost = Followers lost
insights-events-held = Events held
insights-accepted = Participants
insights-attended = Attended
insights-no-shows = No-shows
insights-attendance-rate = Attendance rate
insights-first-time = First-timers
insights-returning = Returning
insights-replies = Replies
insights-boosts = Boosts
insights-likes = Likes
insights-announcements = Announcements published
insights-followers-chart = Followers per day
insights-events-chart = Participants per event
insights-day = Day
insights-gained = Gained
insights-lost = Lost
insights-event = Event
insights-by-instance = Followers by instance
insights-instance = Instance
insights-no-events = No events held in this period.
insights-no-followers = No followers.
insights-csv = Figures as CSV
insights-events-csv = Events as CSV
insights-table = The numbers as a table
insights-none = –
manage-insights = Insights
participants-attended = Attended
attended-mark = Check in
attended-unmark = Undo check-in
report-title = Impact report
report-share-title = Share a report
report-share-intro = A secret link shows this period's report to whoever you give it to (a funder, an employer, a municipality) without logging in. The link is shown only once; you can revoke it at any time.
report-share = Make a link to share
report-link-made = Link made. Copy it now: it will not be shown again.
report-made = Made
report-revoke = Revoke the link
report-footer = The figures are counts: the report names no one. Made with Verkosto.
refusal-event_not_over = Feedback can be asked for once the event has ended.
refusal-feedback_already_sent = The event's feedback poll was sent already.
refusal-no_feedback_poll = No feedback poll was sent for this event.
refusal-no_feedback_to_give = There is no open feedback poll for you here, or you answered it already.
refusal-choice_twice = The choice “{ $choice }” is there twice.
refusal-not_a_choice = “{ $choice }” is not one of the choices.
feedback-title = Feedback
feedback-send = Give feedback
feedback-open = Your answer (optional)
feedback-thanks = Thank you for your feedback!
insights-feedback = Average feedback
insights-responses = Feedback responses
feedback-choice = Choice
feedback-votes = Votes
feedback-ask-intro = Send the participants a short feedback poll (a 1–5 rating). Fediverse participants get it as a poll in their own app; others answer on the event page.
feedback-open-question = An open question (optional)
feedback-ask = Send the feedback poll
feedback-after = The feedback poll can be sent once the event has ended.
insights-members = Member communities side by side
insights-member = Community
insights-no-members = The network has no members yet.
refusal-no_such_answer = There is no such answer in words to this event's poll.
insights-quotes = In the participants' words
feedback-feature = Quote in the report
feedback-unfeature = Do not quote
feedback-featured = Quoted in the report
insights-inboxes = Inboxes reached
insights-instances = Instances reached

## Recurring events (issue 17)
repeat-label = Repeats
repeat-none = Does not repeat
repeat-daily = Every day
repeat-weekly = Every week on the same weekday
repeat-monthly_nth = Every month on the same weekday (e.g. the second Tuesday)
repeat-monthly_day = Every month on the same date
repeat-yearly_nth = Every year on the same weekday (e.g. the fourth Monday of January)
repeat-hint = The day and time come from the start. Each time is an event of its own, with its own participants.
repeat-ends = The repeat ends
repeat-end-never = Never
repeat-end-count = After a number of times
repeat-end-until = On a date
repeat-count = Times
repeat-until = Last day
repeat-count-bad = Write the number of times, 1–500.
repeat-until-bad = Write the day as 2027-06-07.
repeat-scope = The change applies to
scope-this = this time only
scope-following = this and the following times
scope-all = all times
series-repeats = Repeats { $rule }.
series-next = Next times
repeat-words-daily = every day at { $time }
repeat-words-weekly = every { $days } at { $time }
repeat-words-monthly-nth = the { $nth } { $day } of every month at { $time }
repeat-words-monthly-day = on day { $date } of every month at { $time }
repeat-words-yearly-nth = every year on the { $nth } { $day } of { $month } at { $time }
repeat-words-other = by the rule { $rule }
repeat-words-count = { $rule }, { $count } times
repeat-and = { $first } and { $last }
repeat-day-mon = Monday
repeat-day-tue = Tuesday
repeat-day-wed = Wednesday
repeat-day-thu = Thursday
repeat-day-fri = Friday
repeat-day-sat = Saturday
repeat-day-sun = Sunday
repeat-nth-1 = first
repeat-nth-2 = second
repeat-nth-3 = third
repeat-nth-4 = fourth
repeat-nth-last = last
repeat-month-1 = January
repeat-month-2 = February
repeat-month-3 = March
repeat-month-4 = April
repeat-month-5 = May
repeat-month-6 = June
repeat-month-7 = July
repeat-month-8 = August
repeat-month-9 = September
repeat-month-10 = October
repeat-month-11 = November
repeat-month-12 = December

## Imported calendars (issue 17)
manage-calendars = Calendars
calendars-title = Imported calendars
calendars-intro = Bring in the events of a calendar the community already keeps (Google, Outlook, Nextcloud): a subscription is fetched every hour, and new, changed and cancelled events are published once.
calendars-list = Calendars
calendars-none = The community imports no calendar yet.
calendars-uploads = Uploaded files
calendars-synced = Last fetched
calendars-sync = Fetch now
calendars-remove = Remove
calendars-done = What happened
calendars-added = New
calendars-changed = Changed
calendars-cancelled = Cancelled
calendars-unchanged = As they were
calendars-past = Over already (not published)
calendars-not-modified = The calendar had not changed.
calendars-errors = Problems:
calendars-subscribe = Subscribe to a calendar
calendars-url = The calendar's address (https:// or webcal://)
calendars-url-hint = In Google: Settings → the calendar's "Secret address in iCal format". In Outlook: Share → Publish calendar → ICS.
calendars-subscribe-button = Subscribe
calendars-upload = Import a file once
calendars-file = Calendar file (.ics)
calendars-upload-button = Import

## E-mail and participation by e-mail (issue 19)
refusal-mail_not_configured = This instance sends no e-mail (no SMTP server is set).
refusal-guests_not_taken = This event does not take participants by e-mail (now).
refusal-not_an_email = This is not an e-mail address.
refusal-no_such_mail_link = The link leads nowhere: it is mistyped, or its event was deleted.
mail-greeting = Hello { $name },
mail-greeting-anonymous = Hello,
mail-footer = Sent by { $instance }.
mail-unsubscribe = Stop messages like this
mail-open-participation = Open the event
mail-open-requests = Review the requests
mail-guest-confirm-subject = Confirm your participation: { $title }
mail-guest-confirm-body = You asked to take part in { $title } ({ $when }). Your participation counts once you open the link and confirm it on the page.
mail-guest-confirm-ignore = If you did not ask for this, ignore this message: without confirmation you are not taking part.
mail-guest-confirm-action = Confirm participation
mail-guest-manage = On the same page you can cancel your participation and add the event to your calendar.
mail-account-manage = The event's page has its details, and you can add it to your calendar there.
mail-confirmed-subject = You're in: { $title }
mail-confirmed-body = Your participation in { $title } ({ $when }) is confirmed.
mail-waitlisted-subject = You're on the waitlist: { $title }
mail-waitlisted-body = { $title } ({ $when }) is full. You are on the waitlist and will hear from us if a seat comes free.
mail-pending-subject = Your request is waiting: { $title }
mail-pending-body = The organisers approve the participants of { $title } ({ $when }). You will hear from us once your request is decided.
mail-rejected-subject = Not this time: { $title }
mail-rejected-body = The organisers could not take you into { $title } ({ $when }).
mail-promoted-subject = You got a seat: { $title }
mail-promoted-body = A seat came free: you are now taking part in { $title } ({ $when }).
mail-changed-subject = Changed: { $title }
mail-changed-body = The details of { $title } have changed. Now: { $when }. Before: { $before }.
mail-cancelled-subject = Cancelled: { $title }
mail-cancelled-body = { $title } ({ $before }) is cancelled.
mail-reminder-subject = Tomorrow: { $title }
mail-reminder-body = A reminder: { $title } is tomorrow, { $when }.
mail-decide-participation-subject = Participation request: { $title }
mail-decide-participation-body = { $who } asks to take part in { $title }. The request waits for your decision.
mail-decide-follow-subject = Follow request: { $community }
mail-decide-follow-body = { $who } asks to follow { $community }. The request waits for your decision.
mail-kind-participation_confirmed = Confirmations of my participation
mail-kind-waitlist_promoted = A seat from the waitlist
mail-kind-event_changed = Changes and cancellations of events
mail-kind-reminder = A reminder the day before
mail-kind-decision_needed = Requests waiting for a decision (for managers)
guest-title = Take part by e-mail
guest-intro = No fediverse account? Give your name and e-mail address, and you will get a link to confirm your participation.
guest-name = Name
guest-email = E-mail
guest-submit = Send the confirmation link
guest-sent-title = Check your e-mail
guest-sent = We sent a confirmation link to { $email }. Your participation counts once you confirm it.
guest-page-title = Your participation
guest-confirm-text = Confirm your participation in { $title }.
guest-confirm-button = Confirm participation
guest-state-accepted = You're in.
guest-state-waitlisted = The event is full: you are on the waitlist.
guest-state-pending = Your request waits for the organisers' approval.
guest-state-rejected = The organisers could not take you in.
guest-cancelled = You cancelled your participation.
guest-cancel-button = Cancel participation
guest-again-button = Take part again
guest-open-event = The event's page
mail-settings-title = E-mail notices
mail-settings-intro = Messages to { $email }:
mail-settings-save = Save
mail-settings-saved = Settings saved.
unsubscribe-title = Stop notices
unsubscribe-text = Stop sending “{ $kind }” to { $email }?
unsubscribe-button = Stop
unsubscribe-done = You will no longer get “{ $kind }”.
form-guest-participation = Also take participants by e-mail (no fediverse account needed)
form-members-only = Members only (only the community’s members see it and can take part)
refusal-nothing_to_forward = The report names nothing on another server.
refusal-suspended = The account is suspended on this instance.
refusal-no_such_held_comment = No reply with this id waits for a decision.
mail-decide-comment-subject = A reply waits: { $title }
mail-decide-comment-body = { $who } replied to { $title } for the first time. The reply shows once you approve it.
community-rules = Rules
manage-moderation = Moderation
moderation-title = Moderation
moderation-held = Replies waiting for approval
moderation-held-none = No replies are waiting.
moderation-approve = Approve
moderation-reject = Reject
moderation-reports = Open reports
moderation-reports-none = No open reports.
moderation-reported-by = Reported by
moderation-resolve = Mark resolved
moderation-forward = Forward to the content's server
moderation-forwarded = forwarded
moderation-bans = Bans
moderation-bans-none = No bans.
moderation-ban-target = An account (name@host) or a whole instance (host.example)
moderation-ban-note = A note for the managers
moderation-ban = Ban
moderation-unban = Lift the ban
moderation-rules = Rules and replies
moderation-rules-text = Rules shown on the community's page (Markdown)
moderation-hold = Replies of first-time commenters wait for approval
moderation-save = Save
moderation-log = Moderation log
moderation-log-none = Nothing in the log yet.
signup-title = Create an account
signup-link = No account? Create one
signup-password = Password (at least 8 characters)
signup-submit = Create the account
signup-sent = We sent a confirmation link to { $email }. You can log in once you have confirmed the address.
confirm-email-title = Confirm your e-mail address
confirm-email-text = Confirm the e-mail address of the account { $name }.
confirm-email-button = Confirm the address
confirm-email-done = The address is confirmed. You can log in now.
mail-account-confirm-subject = Confirm your e-mail address: { $instance }
mail-account-confirm-body = You created the account { $name } on { $instance }. Confirm your address by opening the link and pressing “Confirm the address”; then you can log in.
mail-account-confirm-action = Confirm the address
refusal-email_unconfirmed = Confirm your e-mail address first: the link is in your mail.
refusal-members_need_approval = A members-only community approves who follows it: its follow policy cannot be open.
refusal-members_only = Only the community's members may do this.
refusal-members_only_in_network = A members-only community cannot belong to a network (a network shows what its members publish to everyone): leave its networks first, or keep it public.
refusal-not_a_person = Only people can be invited.
refusal-invitation_target = Give either a handle or an e-mail address.
refusal-no_such_invitation = No such invitation.
flag-title = Report to the managers
flag-reason = What is wrong with the event?
flag-send = Send the report
flag-log-in = Log in to report (or report it from your own fediverse server)
flag-sent-title = Report sent
flag-sent = Thank you. The community's managers see your report.
reports-queue-title = Reports
reports-queue-back = Workspace

## Invitations into a community (issue 18)
invitation-title = An invitation
invitation-text = You are invited to join { $community }, a community for its members only.
invitation-join = Join the community
invitation-log-in-first = Log in first (or create an account), then open this link again.
mail-invitation-subject = An invitation to { $community }
mail-invitation-body = { $who } invites you to join { $community } on { $instance }, a community for its members only. Open the link and press “Join the community”; log in or create an account first if you have none there.
mail-invitation-ignore = If you did not expect this, you can ignore this message: nothing happens unless you press the button.
mail-invitation-action = See the invitation
invitations-title = Invitations
invitations-invite = Invite
invitations-hint = Invite a person here by their username, or anyone on the fediverse by their handle (name@server): their follow is then accepted without waiting for you. Someone invited by e-mail gets a link to join with their account here.
invitations-handle = Username or handle
invitations-email = E-mail address
invitations-send = Send the invitation
invitations-sent = Invited
invitations-none = Nobody invited yet.
invitations-accepted = joined
invitations-waiting = not yet joined
invitations-withdraw = Take back
