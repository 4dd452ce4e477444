-- The change log (forum/src/storage/changes.rs): every committed change, numbered in commit
-- order. A write records its change without a number in its own transaction; the change is
-- numbered under the write lock. The events stored before this migration become the log's
-- first entries, numbered by their keys.
CREATE TABLE changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
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

-- Storing an event records its change in the same statement.
CREATE TRIGGER events_change AFTER INSERT ON events BEGIN
    INSERT INTO changes (kind, subject, event_key, at_ms)
        VALUES ('event', NEW.spasmid, NEW.key, NEW.added_at_ms);
END;
