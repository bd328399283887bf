-- An event's `Update` for participant-count changes, coalesced: the first change in a window records when
-- the `Update` is due, later ones find it recorded, and the delivery workers send one `Update` (of the event
-- as it then is) when it falls due. Kept in the database so that a restart does not lose it.
CREATE TABLE event_updates_due (
    event_id BIGINT PRIMARY KEY REFERENCES events (id) ON DELETE CASCADE,
    due_at TIMESTAMPTZ NOT NULL
);
