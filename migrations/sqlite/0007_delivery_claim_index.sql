-- Claiming due deliveries reads only these columns. Covered by one index, the claim never reads the
-- table's rows, whose large bodies come before the scheduling columns (SQLite then walks each body's
-- overflow pages to reach them): a large fan-out's claims stayed in the index instead of the whole table.
CREATE INDEX deliveries_claim ON deliveries (host, id, next_attempt_at, locked_until, inbox);
