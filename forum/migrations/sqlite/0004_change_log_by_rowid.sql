-- On SQLite one writer holds the file's lock from a group's start to its commit, so the
-- order in which rows are inserted is the commit order: a change's rowid is its number.
-- `seq` becomes the rowid, numbered as the change is recorded, which spares every stored
-- event two index entries (the unique `seq` and the unnumbered index) and a MAX() lookup.
CREATE TABLE changes_by_rowid (
    seq INTEGER PRIMARY KEY,
    -- event, delete, restore, profile, admin-event
    kind TEXT NOT NULL,
    -- What changed: a spasmid, or a Nostr key for profiles.
    subject TEXT,
    -- The stored event, for `event` changes.
    event_key INTEGER REFERENCES events (key),
    at_ms INTEGER NOT NULL
);
INSERT INTO changes_by_rowid (seq, kind, subject, event_key, at_ms)
    SELECT seq, kind, subject, event_key, at_ms FROM changes WHERE seq IS NOT NULL ORDER BY seq;
-- None are left unnumbered after a commit; if any were, they follow in the order recorded.
INSERT INTO changes_by_rowid (kind, subject, event_key, at_ms)
    SELECT kind, subject, event_key, at_ms FROM changes WHERE seq IS NULL ORDER BY id;
DROP TRIGGER events_change;
DROP TABLE changes;
ALTER TABLE changes_by_rowid RENAME TO changes;
CREATE UNIQUE INDEX changes_by_event ON changes (event_key) WHERE event_key IS NOT NULL;

-- Storing an event records its change in the same statement.
CREATE TRIGGER events_change AFTER INSERT ON events BEGIN
    INSERT INTO changes (kind, subject, event_key, at_ms)
        VALUES ('event', NEW.spasmid, NEW.key, NEW.added_at_ms);
END;
