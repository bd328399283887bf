-- Feedback from members after an event (issue 16): a poll (a 1-5 rating by default, or the manager's own
-- choices, and an optional open question). Fediverse participants each get it as an ActivityPub
-- `Question` of their own (addressed to them alone, so no one learns who else took part), which Mastodon,
-- Misskey and Akkoma show as a poll; their votes come back as `Create{Note}` with `name` and `inReplyTo`.
-- Local participants answer on the event's page. Each person answers once. An event published with
-- `rsvp_poll` also has a public poll (kind `rsvp`: Going / Maybe / Can't go) whose votes are
-- participations, and whose voters may change their minds.
CREATE TABLE polls (
    id BIGSERIAL PRIMARY KEY,
    event_id BIGINT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    kind TEXT NOT NULL DEFAULT 'feedback',
    public_id TEXT NOT NULL UNIQUE,
    question TEXT NOT NULL,
    options TEXT NOT NULL,
    open_question TEXT,
    closes_at TIMESTAMPTZ NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT polls_one_per_event UNIQUE (event_id, kind)
);

-- One `Question` per fediverse participant; its id (`/q/{public_id}`) is what their vote replies to.
CREATE TABLE poll_invitations (
    id BIGSERIAL PRIMARY KEY,
    poll_id BIGINT NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
    recipient_ap_id TEXT NOT NULL,
    public_id TEXT NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT poll_invitations_once UNIQUE (poll_id, recipient_ap_id)
);

-- Answers: the choice (a vote) and the open answer (a reply with text) of one person, in one row; a
-- manager may pick open answers (`featured`) to quote in the shared report.
CREATE TABLE poll_votes (
    id BIGSERIAL PRIMARY KEY,
    poll_id BIGINT NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
    voter_ap_id TEXT NOT NULL,
    choice TEXT,
    answer TEXT,
    featured BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT poll_votes_once UNIQUE (poll_id, voter_ap_id)
);
