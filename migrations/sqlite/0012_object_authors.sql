-- Which manager published each local event and announcement. Group-aware software (Lemmy, Mbin,
-- PieFed: FEP-1b12) wants a `Person` as the author of what a group shares, and the same person as the
-- actor of every later `Update` and `Delete` of it. A table of its own: it is a fact about publishing
-- here, not part of the event or announcement (remote ones have none).
CREATE TABLE object_authors (
    object_ap_id TEXT PRIMARY KEY,
    person_ap_id TEXT NOT NULL
);
