-- Verkosto schema, SQLite flavour. Keep in step with ../postgres/0001_init.sql: same tables, same columns,
-- same constraint names, so that one SQL text in the store serves both. Times are RFC 3339 text in UTC
-- (sqlx writes them so), which sorts in time order.

-- Accounts and communities share one namespace: both become WebFinger handles on this domain.
CREATE TABLE local_names (
    name TEXT PRIMARY KEY,
    kind TEXT NOT NULL
);

CREATE TABLE instance_keys (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    public_key_pem TEXT NOT NULL,
    private_key_pem TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE accounts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL UNIQUE REFERENCES local_names (name),
    password_hash TEXT NOT NULL,
    display_name TEXT,
    summary TEXT,
    is_admin BOOLEAN NOT NULL DEFAULT 0,
    public_key_pem TEXT NOT NULL,
    private_key_pem TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);

CREATE TABLE communities (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE REFERENCES local_names (name),
    display_name TEXT NOT NULL,
    summary TEXT NOT NULL,
    kind TEXT NOT NULL,
    location TEXT,
    website TEXT,
    tags TEXT NOT NULL,
    icon_url TEXT,
    banner_url TEXT,
    follow_policy TEXT NOT NULL,
    public_key_pem TEXT NOT NULL,
    private_key_pem TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE memberships (
    community_id BIGINT NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    state TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (community_id, account_id)
);

CREATE TABLE remote_actors (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ap_id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    username TEXT NOT NULL,
    domain TEXT NOT NULL,
    display_name TEXT,
    summary TEXT,
    inbox TEXT NOT NULL,
    shared_inbox TEXT,
    outbox TEXT,
    followers_url TEXT,
    url TEXT,
    icon_url TEXT,
    public_key_id TEXT NOT NULL,
    public_key_pem TEXT NOT NULL,
    manually_approves_followers BOOLEAN NOT NULL,
    fetched_at TEXT NOT NULL
);
CREATE INDEX remote_actors_handle ON remote_actors (username, domain);

-- Actors (remote or local) following a local account or community.
CREATE TABLE followers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    target_ap_id TEXT NOT NULL,
    follower_ap_id TEXT NOT NULL,
    inbox TEXT NOT NULL,
    shared_inbox TEXT,
    follow_activity_id TEXT NOT NULL,
    state TEXT NOT NULL,
    created_at TEXT NOT NULL,
    CONSTRAINT followers_target_follower UNIQUE (target_ap_id, follower_ap_id)
);
CREATE INDEX followers_follow_activity ON followers (follow_activity_id);

-- Local accounts following another actor.
CREATE TABLE following (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    target_ap_id TEXT NOT NULL,
    follow_activity_id TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL,
    created_at TEXT NOT NULL,
    CONSTRAINT following_account_target UNIQUE (account_id, target_ap_id)
);

-- Ids of activities already received, so a redelivery has no second effect.
CREATE TABLE received_activities (
    ap_id TEXT PRIMARY KEY,
    received_at TEXT NOT NULL
);

-- Activities a local actor published, for its outbox collection.
CREATE TABLE outbox_activities (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ap_id TEXT NOT NULL UNIQUE,
    actor_ap_id TEXT NOT NULL,
    is_public BOOLEAN NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX outbox_activities_actor ON outbox_activities (actor_ap_id, id);

-- The durable delivery queue: one row per (activity, inbox), written in the transaction that caused it.
CREATE TABLE deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    activity_ap_id TEXT NOT NULL,
    actor_ap_id TEXT NOT NULL,
    inbox TEXT NOT NULL,
    host TEXT NOT NULL,
    body TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    locked_until TEXT,
    last_error TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at);
CREATE INDEX deliveries_host ON deliveries (host, id);
