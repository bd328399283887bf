-- Relays and other instances' actors this instance follows (issue 20). Mastodon-style relays are
-- followed by sending `Follow{Public}` to their inbox: their actor is known only once they answer.
CREATE TABLE relay_subscriptions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    url TEXT NOT NULL UNIQUE,
    inbox TEXT NOT NULL,
    actor_ap_id TEXT,
    follows_public BOOLEAN NOT NULL,
    follow_activity_id TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX relay_subscriptions_actor ON relay_subscriptions (actor_ap_id);
CREATE INDEX relayed_objects_via ON relayed_objects (via_ap_id);
