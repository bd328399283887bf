-- A network's calendar lists the events of every member community overlapping a window, by start:
-- SQLite walks each member's `(organizer_ap_id, starts_at)` range and reads each event's row only
-- to check its end and visibility (10,000 row reads for a page of 1,000: 19-20 ms of the page's
-- 25-29 ms in the `sqlite3` shell). With those two columns in the index the walk stays in the
-- index (6-7 ms); a community's own lists take the same index. It replaces the narrower one.
CREATE INDEX events_organizer_listing ON events (organizer_ap_id, starts_at, ends_at, visibility);
DROP INDEX events_organizer_start;
