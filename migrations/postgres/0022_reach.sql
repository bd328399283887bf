-- Reach of a community (issue 16): how many inboxes, on which instances, its deliveries reached, by
-- day. Counted from the delivery queue's finished batches (one statement a batch), so a fan-out to
-- thousands of inboxes writes a few rows, not one per inbox.
CREATE TABLE reach (
    actor_ap_id TEXT NOT NULL,
    day TEXT NOT NULL,
    host TEXT NOT NULL,
    inboxes BIGINT NOT NULL,
    PRIMARY KEY (actor_ap_id, day, host)
);
