-- The change log (forum/src/storage/changes.rs): every committed change, numbered in commit
-- order. A change is recorded in its write's transaction without a number and numbered
-- under the write lock; a stored event carries its change's number as `seq`, the number
-- readers see as `db.key` and page by. The events stored before this migration become the
-- log's first entries, numbered by their keys.
CREATE TABLE changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    seq INTEGER UNIQUE,
    -- event, delete, restore, profile, admin-event
    kind TEXT NOT NULL,
    -- What changed: a spasmid, or a Nostr key for profiles.
    subject TEXT,
    event_key INTEGER REFERENCES events (key),
    at_ms INTEGER NOT NULL
);
CREATE INDEX changes_unnumbered ON changes (id) WHERE seq IS NULL;
INSERT INTO changes (seq, kind, subject, event_key, at_ms)
    SELECT key, 'event', spasmid, key, added_at_ms FROM events ORDER BY key;

ALTER TABLE events ADD COLUMN seq INTEGER;
UPDATE events SET seq = key;
CREATE UNIQUE INDEX events_by_seq ON events (seq);
DROP INDEX events_visible_by_action;
DROP INDEX events_visible_by_signed;
DROP INDEX events_visible_by_source;
DROP INDEX events_visible_by_reactions;
DROP INDEX events_by_parent;
CREATE INDEX events_visible_by_action ON events (action, seq) WHERE hidden = 0;
CREATE INDEX events_visible_by_signed ON events (is_signed, action, seq) WHERE hidden = 0;
CREATE INDEX events_visible_by_source ON events (source_name, seq) WHERE hidden = 0 AND source_name IS NOT NULL;
CREATE INDEX events_visible_by_reactions ON events (react_count, seq) WHERE hidden = 0;
CREATE INDEX events_by_parent ON events (parent_key, seq) WHERE parent_key IS NOT NULL;
