-- Instances an administrator blocked: nothing is accepted from, fetched from or delivered to them
-- (subdomains included).
CREATE TABLE domain_blocks (
    host TEXT PRIMARY KEY,
    reason TEXT,
    created_at TEXT NOT NULL
);
