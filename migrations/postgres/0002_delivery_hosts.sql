-- Hosts whose deliveries fail. A host failing for longer than the configured window is "unavailable":
-- its deliveries are only probed now and then, until it answers or sends us anything.
CREATE TABLE failing_hosts (
    host TEXT PRIMARY KEY,
    failing_since TIMESTAMPTZ NOT NULL,
    last_attempt_at TIMESTAMPTZ NOT NULL
);

-- Claiming looks up the oldest pending delivery of each inbox.
CREATE INDEX deliveries_inbox ON deliveries (inbox, id);
