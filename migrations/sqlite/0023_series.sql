-- Recurring events (issue 17). A series is a recurrence rule (RFC 5545 RRULE) in a time zone from a
-- first start; its occurrences are ordinary events that name it (`events.series_id`) and the start
-- the rule gave them (`recurrence_id`, iCalendar's RECURRENCE-ID), so that a moved occurrence is still
-- known as the one it replaces. Remote series (another Verkosto's, Gancio's) are rows too, without
-- a community or a template, so that received occurrences are grouped by them.
CREATE TABLE event_series (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    public_id TEXT NOT NULL UNIQUE,
    ap_id TEXT NOT NULL UNIQUE,
    organizer_ap_id TEXT NOT NULL,
    community_id BIGINT REFERENCES communities (id) ON DELETE CASCADE,
    recurrence TEXT NOT NULL,
    timezone TEXT NOT NULL,
    first_starts_at TEXT NOT NULL,
    duration_seconds BIGINT NOT NULL,
    -- The fields every new occurrence is made with (JSON), for local series.
    template TEXT,
    -- Starts of occurrences that were deleted (iCalendar EXDATE; cancelled ones are events still).
    exdates TEXT NOT NULL DEFAULT '[]',
    -- The last start made into an event: the rolling horizon continues after it.
    generated_until TEXT,
    ended_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX event_series_community ON event_series (community_id);

ALTER TABLE events ADD COLUMN series_id BIGINT REFERENCES event_series (id) ON DELETE SET NULL;
ALTER TABLE events ADD COLUMN recurrence_id TEXT;
-- Changed on its own ("this occurrence"): written as its own VEVENT with RECURRENCE-ID.
ALTER TABLE events ADD COLUMN overridden BOOLEAN NOT NULL DEFAULT FALSE;
-- One event per start of a series: the horizon job and a racing second process cannot publish twice.
CREATE UNIQUE INDEX events_series_occurrence ON events (series_id, recurrence_id);
