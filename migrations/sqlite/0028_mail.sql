-- E-mail (issue 19): people without a fediverse account take part in events by e-mail, and anyone
-- with an address here gets notices (participation confirmed, promoted from the waitlist, event
-- changed or cancelled, a reminder the day before; managers: a request to decide).

-- Messages are queued in the transaction of the change that causes them, and sent by a worker.
-- `dedupe_key` makes each notice once only: a second queueing of the same key is dropped, so a
-- restart, a retry of the change or two processes never send it twice. Sent rows are kept a while
-- for that, then pruned. A reminder is queued for its time (`next_attempt_at`, the day before) and
-- dropped when its event moves, ends or loses the participant (`event_id`).
CREATE TABLE mail_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    dedupe_key TEXT NOT NULL UNIQUE,
    recipient TEXT NOT NULL,
    kind TEXT NOT NULL,
    event_id BIGINT REFERENCES events (id) ON DELETE CASCADE,
    subject TEXT NOT NULL,
    text_body TEXT NOT NULL,
    html_body TEXT NOT NULL,
    language TEXT NOT NULL,
    unsubscribe_url TEXT,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error TEXT,
    sent_at TEXT,
    given_up_at TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at) WHERE sent_at IS NULL AND given_up_at IS NULL;
CREATE INDEX mail_outbox_event ON mail_outbox (event_id, recipient);

-- Each address we write to has a secret for its unsubscribe links, and the kinds it turned off.
CREATE TABLE mail_recipients (
    address TEXT PRIMARY KEY,
    token TEXT NOT NULL UNIQUE,
    language TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE mail_opt_outs (
    address TEXT NOT NULL REFERENCES mail_recipients (address) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (address, kind)
);

-- A visitor taking part with a name and an address. Counted once confirmed, through a participation
-- whose participant is `/guests/{public_id}` (a local id nothing is delivered to). The secret of their
-- personal link is kept as it is: every later notice carries the link again.
CREATE TABLE guest_participations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    public_id TEXT NOT NULL UNIQUE,
    event_id BIGINT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    language TEXT NOT NULL,
    token TEXT NOT NULL UNIQUE,
    confirmed_at TEXT,
    cancelled_at TEXT,
    created_at TEXT NOT NULL,
    CONSTRAINT guest_participations_event_email UNIQUE (event_id, email)
);

-- Whether an event takes participants by e-mail (Mobilizon's `anonymousParticipationEnabled`).
ALTER TABLE events ADD COLUMN guest_participation BOOLEAN NOT NULL DEFAULT 0;
-- An account's address for notices (from the company sign-in, where the provider verified it).
ALTER TABLE accounts ADD COLUMN email TEXT;
