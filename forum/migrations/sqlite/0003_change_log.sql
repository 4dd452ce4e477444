-- The change log (forum/src/storage/changes.rs): every committed change, numbered in commit
-- order. A write records its change without a number in its own transaction; the change is
-- numbered under the write lock. The events stored before this migration become the log's
-- first entries, numbered by their keys.
CREATE TABLE changes (
    -- Never deleted, so the rowid is never reused: no AUTOINCREMENT bookkeeping needed.
    id INTEGER PRIMARY KEY,
    seq INTEGER UNIQUE,
    -- event, delete, restore, profile, admin-event
    kind TEXT NOT NULL,
    -- What changed: a spasmid, or a Nostr key for profiles.
    subject TEXT,
    -- The stored event, for `event` changes.
    event_key INTEGER REFERENCES events (key),
    at_ms INTEGER NOT NULL
);
CREATE INDEX changes_unnumbered ON changes (id) WHERE seq IS NULL;
CREATE UNIQUE INDEX changes_by_event ON changes (event_key) WHERE event_key IS NOT NULL;
INSERT INTO changes (seq, kind, subject, event_key, at_ms)
    SELECT key, 'event', spasmid, key, added_at_ms FROM events ORDER BY key;

-- Storing an event records its change in the same statement, numbered at once: the writer
-- holds the file's write lock from its group's start to its commit, so a number drawn now
-- commits in order (other changes are numbered at the group's end).
CREATE TRIGGER events_change AFTER INSERT ON events BEGIN
    INSERT INTO changes (seq, kind, subject, event_key, at_ms)
        VALUES ((SELECT COALESCE(MAX(seq), 0) + 1 FROM changes), 'event', NEW.spasmid, NEW.key,
            NEW.added_at_ms);
END;
