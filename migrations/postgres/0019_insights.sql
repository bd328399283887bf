-- What a community gave over a period (issue 16): attendance marked at the door, boosts and likes of our
-- objects, and the history of followers and of cancelled participations, which their own tables forget
-- (a lost follower or a cancelled participation is a deleted row).

-- When a manager checked the participant in at the door (NULL: not marked).
ALTER TABLE participations ADD COLUMN attended_at TIMESTAMPTZ;

-- Boosts (`Announce`) and likes (`Like`) of our events and announcements, once per actor and kind; an
-- `Undo` removes them.
CREATE TABLE reactions (
    id BIGSERIAL PRIMARY KEY,
    object_ap_id TEXT NOT NULL,
    actor_ap_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    activity_ap_id TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT reactions_once UNIQUE (object_ap_id, actor_ap_id, kind)
);
CREATE INDEX reactions_activity ON reactions (activity_ap_id);

-- Followers gained and lost. Written by triggers: a follower comes and goes along several paths (an
-- accepted or approved Follow, an Undo, a deleted actor, a manager removing them), and every one of them
-- is counted without each having to remember to.
CREATE TABLE follower_changes (
    id BIGSERIAL PRIMARY KEY,
    target_ap_id TEXT NOT NULL,
    follower_ap_id TEXT NOT NULL,
    change TEXT NOT NULL,
    at TIMESTAMPTZ NOT NULL
);
CREATE INDEX follower_changes_target ON follower_changes (target_ap_id, at);

CREATE FUNCTION verkosto_follower_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.state = 'accepted' THEN
            INSERT INTO follower_changes (target_ap_id, follower_ap_id, change, at)
            VALUES (OLD.target_ap_id, OLD.follower_ap_id, 'lost', clock_timestamp());
        END IF;
    ELSIF NEW.state = 'accepted' AND (TG_OP = 'INSERT' OR OLD.state <> 'accepted') THEN
        INSERT INTO follower_changes (target_ap_id, follower_ap_id, change, at)
        VALUES (NEW.target_ap_id, NEW.follower_ap_id, 'gained', clock_timestamp());
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER follower_changed AFTER INSERT OR UPDATE OF state OR DELETE ON followers
    FOR EACH ROW EXECUTE FUNCTION verkosto_follower_changed();

-- Participations withdrawn (a Leave, an Undo of the Join, a local cancellation), with when they had been
-- asked for: a refused one is not a cancellation.
CREATE TABLE participation_cancellations (
    id BIGSERIAL PRIMARY KEY,
    event_id BIGINT NOT NULL,
    participant_ap_id TEXT NOT NULL,
    requested_at TIMESTAMPTZ NOT NULL,
    at TIMESTAMPTZ NOT NULL
);
CREATE INDEX participation_cancellations_event ON participation_cancellations (event_id);

CREATE FUNCTION verkosto_participation_cancelled() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.state <> 'rejected' THEN
        INSERT INTO participation_cancellations (event_id, participant_ap_id, requested_at, at)
        VALUES (OLD.event_id, OLD.participant_ap_id, OLD.created_at, clock_timestamp());
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER participation_cancelled AFTER DELETE ON participations
    FOR EACH ROW EXECUTE FUNCTION verkosto_participation_cancelled();
