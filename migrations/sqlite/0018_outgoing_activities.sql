-- An activity going to many inboxes is stored once, and each delivery refers to it: a fan-out to 10,000
-- inboxes kept 10,000 copies of the same body (and of its ids), written in the publishing transaction.
CREATE TABLE outgoing_activities (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    activity_ap_id TEXT NOT NULL,
    actor_ap_id TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
);
-- Deliveries queued before this migration keep their bodies: one activity row each.
INSERT INTO outgoing_activities (id, activity_ap_id, actor_ap_id, body, created_at)
    SELECT id, activity_ap_id, actor_ap_id, body, created_at FROM deliveries;
ALTER TABLE deliveries ADD COLUMN outgoing_id INTEGER REFERENCES outgoing_activities (id);
UPDATE deliveries SET outgoing_id = id;
ALTER TABLE deliveries DROP COLUMN body;
ALTER TABLE deliveries DROP COLUMN activity_ap_id;
ALTER TABLE deliveries DROP COLUMN actor_ap_id;
-- Finished activities are pruned when no delivery refers to them any more.
CREATE INDEX deliveries_outgoing ON deliveries (outgoing_id);

-- A claim walks the due deliveries oldest first and stops when it has enough: it no longer ranks the
-- whole queue by host (see store::deliveries::claim_due). Covering, so the walk stays in the index.
DROP INDEX deliveries_due;
DROP INDEX deliveries_claim;
CREATE INDEX deliveries_claim ON deliveries (next_attempt_at, id, locked_until, host, inbox);
-- The deliveries in flight (a few dozen at most), counted per host before each claim.
CREATE INDEX deliveries_leased ON deliveries (locked_until, host) WHERE locked_until IS NOT NULL;
