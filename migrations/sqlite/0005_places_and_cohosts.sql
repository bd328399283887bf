-- Coordinates of communities (for network member maps), the places of cached remote groups, and the
-- co-hosting communities of events (FEP-8a8e organizers).
ALTER TABLE communities ADD COLUMN latitude REAL;
ALTER TABLE communities ADD COLUMN longitude REAL;
ALTER TABLE remote_actors ADD COLUMN location_name TEXT;
ALTER TABLE remote_actors ADD COLUMN latitude REAL;
ALTER TABLE remote_actors ADD COLUMN longitude REAL;
CREATE TABLE event_cohosts (
    event_id BIGINT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    cohost_ap_id TEXT NOT NULL,
    PRIMARY KEY (event_id, cohost_ap_id)
);
CREATE INDEX event_cohosts_cohost ON event_cohosts (cohost_ap_id);
