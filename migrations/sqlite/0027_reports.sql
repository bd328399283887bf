-- Reports (issue 19): a member, a visitor with an account or a remote server (`Flag`) reports an
-- event, announcement, comment or account; the community's managers (administrators: all) see them
-- and resolve them.
CREATE TABLE moderation_reports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    -- The community the reported content belongs to; NULL for an account (administrators see it).
    community_id BIGINT REFERENCES communities (id) ON DELETE CASCADE,
    reporter_ap_id TEXT NOT NULL,
    -- What is reported (JSON list of ids, ours first).
    objects TEXT NOT NULL,
    reason TEXT NOT NULL,
    -- The `Flag` it came as, once only.
    flag_id TEXT UNIQUE,
    state TEXT NOT NULL,
    resolved_by BIGINT REFERENCES accounts (id) ON DELETE SET NULL,
    resolved_at TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX moderation_reports_community ON moderation_reports (community_id, state);
