-- Moderation (issue 19): a community's managers ban an actor or a whole instance (it can no longer
-- follow, take part or comment; what it had is removed), and every action is kept in a log the
-- managers read (who, when, what, why).
CREATE TABLE community_bans (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    community_id BIGINT NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    -- 'actor' (target: its id) or 'domain' (target: a host, its subdomains too).
    kind TEXT NOT NULL,
    target TEXT NOT NULL,
    note TEXT,
    created_by BIGINT REFERENCES accounts (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    CONSTRAINT community_bans_target UNIQUE (community_id, kind, target)
);

CREATE TABLE moderation_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    community_id BIGINT REFERENCES communities (id) ON DELETE CASCADE,
    account_id BIGINT REFERENCES accounts (id) ON DELETE SET NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    note TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX moderation_log_community ON moderation_log (community_id, id);
