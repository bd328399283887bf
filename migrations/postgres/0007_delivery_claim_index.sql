-- Claiming due deliveries reads only these columns; one covering index keeps the claim off the table's
-- rows and their large bodies (see the SQLite migration of the same name).
CREATE INDEX deliveries_claim ON deliveries (host, id, next_attempt_at, locked_until, inbox);
