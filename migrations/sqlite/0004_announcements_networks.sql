-- Announcements (short notes or titled articles) of local communities, and cached ones of followed
-- communities; networks of communities.
CREATE TABLE announcements (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    public_id TEXT NOT NULL UNIQUE,
    ap_id TEXT NOT NULL UNIQUE,
    author_ap_id TEXT NOT NULL,
    community_id BIGINT REFERENCES communities (id) ON DELETE CASCADE,
    title TEXT,
    content_source TEXT,
    content_html TEXT NOT NULL,
    image_url TEXT,
    tags TEXT NOT NULL,
    language TEXT,
    pinned BOOLEAN NOT NULL,
    published_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX announcements_author ON announcements (author_ap_id, published_at);

-- Member communities (on any instance) of a local network.
CREATE TABLE network_members (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    network_id BIGINT NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    member_ap_id TEXT NOT NULL,
    member_inbox TEXT NOT NULL,
    join_activity_id TEXT NOT NULL,
    state TEXT NOT NULL,
    created_at TEXT NOT NULL,
    CONSTRAINT network_members_network_member UNIQUE (network_id, member_ap_id)
);
CREATE INDEX network_members_member ON network_members (member_ap_id);

-- Networks (on any instance) a local community belongs to or asked to join.
CREATE TABLE network_memberships (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    community_id BIGINT NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    network_ap_id TEXT NOT NULL,
    join_activity_id TEXT NOT NULL,
    state TEXT NOT NULL,
    created_at TEXT NOT NULL,
    CONSTRAINT network_memberships_community_network UNIQUE (community_id, network_ap_id)
);

-- Objects a followed network relayed (Announced) from its members, so followers of the network see them.
CREATE TABLE relayed_objects (
    object_ap_id TEXT NOT NULL,
    via_ap_id TEXT NOT NULL,
    PRIMARY KEY (object_ap_id, via_ap_id)
);
