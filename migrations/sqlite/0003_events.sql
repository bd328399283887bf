-- Events (local ones organised by a community here, remote ones cached from followed communities),
-- their participants and the replies they receive.
CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    public_id TEXT NOT NULL UNIQUE,
    ap_id TEXT NOT NULL UNIQUE,
    url TEXT NOT NULL,
    organizer_ap_id TEXT NOT NULL,
    community_id BIGINT REFERENCES communities (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    description_source TEXT,
    description_html TEXT NOT NULL,
    starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    timezone TEXT NOT NULL,
    status TEXT NOT NULL,
    place TEXT,
    online_url TEXT,
    capacity BIGINT,
    join_mode TEXT NOT NULL,
    external_url TEXT,
    tags TEXT NOT NULL,
    category TEXT NOT NULL,
    banner_url TEXT,
    language TEXT,
    comments_enabled BOOLEAN NOT NULL,
    sequence BIGINT NOT NULL,
    remote_participant_count BIGINT NOT NULL DEFAULT 0,
    published_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX events_organizer_start ON events (organizer_ap_id, starts_at);
CREATE INDEX events_start ON events (starts_at);

-- Deleted events answer 410 Gone at their id.
CREATE TABLE event_tombstones (
    ap_id TEXT PRIMARY KEY,
    deleted_at TEXT NOT NULL
);

CREATE TABLE participations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id BIGINT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    participant_ap_id TEXT NOT NULL,
    handle TEXT NOT NULL,
    inbox TEXT NOT NULL,
    join_activity_id TEXT NOT NULL,
    state TEXT NOT NULL,
    message TEXT,
    created_at TEXT NOT NULL,
    CONSTRAINT participations_event_participant UNIQUE (event_id, participant_ap_id)
);
CREATE INDEX participations_join ON participations (join_activity_id);

CREATE TABLE comments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id BIGINT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    ap_id TEXT NOT NULL UNIQUE,
    author_ap_id TEXT NOT NULL,
    content_html TEXT NOT NULL,
    published_at TEXT NOT NULL
);
CREATE INDEX comments_event ON comments (event_id, published_at);

-- The secret of each account's personal calendar feed.
CREATE TABLE calendar_tokens (
    account_id BIGINT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    token TEXT NOT NULL UNIQUE
);
