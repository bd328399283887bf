-- Moderation, continued (issue 19).

-- A report passed on to the server of what it is about, as a `Flag` from the instance actor.
ALTER TABLE moderation_reports ADD COLUMN forwarded_at TIMESTAMPTZ;

-- A community's rules (Markdown as written, and sanitized HTML), shown on its page, and whether the
-- replies of someone with none accepted in the community before wait for a manager.
CREATE TABLE community_moderation (
    community_id BIGINT PRIMARY KEY REFERENCES communities (id) ON DELETE CASCADE,
    rules_source TEXT NOT NULL,
    rules_html TEXT NOT NULL,
    hold_first_comments BOOLEAN NOT NULL DEFAULT false,
    updated_at TIMESTAMPTZ NOT NULL
);

-- A reply waiting for a manager: shown nowhere until approved.
ALTER TABLE comments ADD COLUMN held BOOLEAN NOT NULL DEFAULT false;

-- Single accounts suspended from the whole instance by its administrators (remote ones: nothing of
-- theirs is accepted; local ones: they cannot sign in).
CREATE TABLE suspended_actors (
    actor_ap_id TEXT PRIMARY KEY,
    note TEXT,
    suspended_by BIGINT REFERENCES accounts (id) ON DELETE SET NULL,
    created_at TIMESTAMPTZ NOT NULL
);

-- Sign-up with e-mail confirmation (issue 19): on an instance that sends e-mail, an account made
-- through open registration waits here with the secret of its link, and cannot log in until the
-- address is confirmed (it then becomes the account's address for notices).
CREATE TABLE email_confirmations (
    account_id BIGINT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    language TEXT NOT NULL,
    token TEXT NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL
);
