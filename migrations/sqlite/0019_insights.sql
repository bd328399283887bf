-- What a community gave over a period (issue 16): attendance marked at the door, boosts and likes of our
-- objects, and the history of followers and of cancelled participations, which their own tables forget
-- (a lost follower or a cancelled participation is a deleted row).

-- When a manager checked the participant in at the door (NULL: not marked).
ALTER TABLE participations ADD COLUMN attended_at TEXT;

-- Boosts (`Announce`) and likes (`Like`) of our events and announcements, once per actor and kind; an
-- `Undo` removes them.
CREATE TABLE reactions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    object_ap_id TEXT NOT NULL,
    actor_ap_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    activity_ap_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    CONSTRAINT reactions_once UNIQUE (object_ap_id, actor_ap_id, kind)
);
CREATE INDEX reactions_activity ON reactions (activity_ap_id);

-- Followers gained and lost. Written by triggers: a follower comes and goes along several paths (an
-- accepted or approved Follow, an Undo, a deleted actor, a manager removing them), and every one of them
-- is counted without each having to remember to. Times in the format sqlx writes (RFC 3339, +00:00).
CREATE TABLE follower_changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    target_ap_id TEXT NOT NULL,
    follower_ap_id TEXT NOT NULL,
    change TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX follower_changes_target ON follower_changes (target_ap_id, at);

CREATE TRIGGER follower_gained_on_insert AFTER INSERT ON followers WHEN NEW.state = 'accepted'
BEGIN
    INSERT INTO follower_changes (target_ap_id, follower_ap_id, change, at)
    VALUES (NEW.target_ap_id, NEW.follower_ap_id, 'gained', strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now'));
END;

CREATE TRIGGER follower_gained_on_accept AFTER UPDATE OF state ON followers
WHEN NEW.state = 'accepted' AND OLD.state <> 'accepted'
BEGIN
    INSERT INTO follower_changes (target_ap_id, follower_ap_id, change, at)
    VALUES (NEW.target_ap_id, NEW.follower_ap_id, 'gained', strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now'));
END;

CREATE TRIGGER follower_lost AFTER DELETE ON followers WHEN OLD.state = 'accepted'
BEGIN
    INSERT INTO follower_changes (target_ap_id, follower_ap_id, change, at)
    VALUES (OLD.target_ap_id, OLD.follower_ap_id, 'lost', strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now'));
END;

-- Participations withdrawn (a Leave, an Undo of the Join, a local cancellation), with when they had been
-- asked for: a refused one is not a cancellation.
CREATE TABLE participation_cancellations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id BIGINT NOT NULL,
    participant_ap_id TEXT NOT NULL,
    requested_at TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX participation_cancellations_event ON participation_cancellations (event_id);

CREATE TRIGGER participation_cancelled AFTER DELETE ON participations WHEN OLD.state <> 'rejected'
BEGIN
    INSERT INTO participation_cancellations (event_id, participant_ap_id, requested_at, at)
    VALUES (OLD.event_id, OLD.participant_ap_id, OLD.created_at, strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now'));
END;
