-- Members-only communities and items (issue 18).

-- `public` (anyone, federated to the world) or `members` (the community's members only: local accounts
-- with an active membership and remote actors whose follow it accepted).
ALTER TABLE communities ADD COLUMN visibility TEXT NOT NULL DEFAULT 'public';

-- An event's or announcement's own visibility, fixed when it is published (the community's, unless
-- the manager chose members-only for one item of a public community): making a community members-only
-- later does not take back what was already public.
ALTER TABLE events ADD COLUMN visibility TEXT NOT NULL DEFAULT 'public';
ALTER TABLE announcements ADD COLUMN visibility TEXT NOT NULL DEFAULT 'public';

-- Invitations into a community (issue 18): a remote person by handle (their follow is then accepted
-- without a manager), or anyone by e-mail (the link's secret, taken by the account that opens it).
CREATE TABLE community_invitations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    community_id BIGINT NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    actor_ap_id TEXT,
    email TEXT,
    token TEXT UNIQUE,
    invited_by BIGINT REFERENCES accounts (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    accepted_at TEXT
);
CREATE UNIQUE INDEX community_invitations_actor ON community_invitations (community_id, actor_ap_id);
