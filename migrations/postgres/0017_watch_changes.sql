-- Cached public documents (rendered actors, events, feeds) are dropped when what they show changes, in
-- every process that shares this database: a statement that changes a watched table notifies the channel
-- `verkosto_changes` with the table's schema (delivered when its transaction commits; several in one
-- transaction arrive as one), and each process listens (src/store/changes.rs).
CREATE FUNCTION verkosto_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('verkosto_changes', TG_TABLE_SCHEMA);
    RETURN NULL;
END
$$;

-- Watches the named tables of the current schema. A later migration that adds a table a document shows
-- calls it too (tests/document_cache.rs checks that every table is watched or listed as unwatched in
-- src/store/changes.rs).
CREATE FUNCTION verkosto_watch(VARIADIC tables TEXT[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    t TEXT;
BEGIN
    FOREACH t IN ARRAY tables LOOP
        EXECUTE format(
            'CREATE TRIGGER verkosto_changes AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %I '
            'FOR EACH STATEMENT EXECUTE FUNCTION verkosto_notify_change()', t);
    END LOOP;
END
$$;

SELECT verkosto_watch(
    'accounts', 'announcements', 'calendar_feeds', 'calendar_tokens', 'comments', 'communities',
    'domain_blocks', 'event_cohosts', 'event_tombstones', 'events', 'followers', 'following',
    'instance_keys', 'local_names', 'memberships', 'network_members', 'network_memberships',
    'object_authors', 'outbox_activities', 'participations', 'relay_subscriptions', 'relayed_objects',
    'remote_actors');
