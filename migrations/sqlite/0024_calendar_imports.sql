-- Calendars coming in (issue 17): a community subscribes to an external calendar by URL (synced on a
-- schedule with ETag / If-Modified-Since) or uploads a file once; each VEVENT maps by its UID (and,
-- for a changed date of a series, its RECURRENCE-ID) to the event or series it became, so a sync
-- publishes what is new, updates what changed, cancels what went, and nothing twice.
CREATE TABLE calendar_subscriptions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    public_id TEXT NOT NULL UNIQUE,
    community_id BIGINT NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    -- The manager who added it: imported events are published as theirs.
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- NULL for a file uploaded once.
    url TEXT,
    etag TEXT,
    last_modified TEXT,
    last_synced_at TEXT,
    -- What the last sync did (JSON: added, changed, cancelled, unchanged, errors).
    last_result TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX calendar_subscriptions_community ON calendar_subscriptions (community_id);

CREATE TABLE imported_events (
    subscription_id BIGINT NOT NULL REFERENCES calendar_subscriptions (id) ON DELETE CASCADE,
    uid TEXT NOT NULL,
    -- '' for an event or a series; the RECURRENCE-ID (UTC, RFC 3339) for a changed date of a series.
    recurrence_key TEXT NOT NULL,
    event_public_id TEXT,
    series_public_id TEXT,
    fingerprint TEXT NOT NULL,
    cancelled BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (subscription_id, uid, recurrence_key)
);
