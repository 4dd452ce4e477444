-- The change log (forum/src/storage/changes.rs): every committed change, numbered in commit
-- order. A stored event's key is the number of the change that stored it; the events
-- stored before this migration become its first entries, under their keys.
CREATE TABLE changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    -- event, delete, restore, profile, admin-event
    kind TEXT NOT NULL,
    -- What changed: a spasmid, or a Nostr key for profiles.
    subject TEXT,
    at_ms INTEGER NOT NULL
);
INSERT INTO changes (seq, kind, subject, at_ms)
    SELECT key, 'event', spasmid, added_at_ms FROM events ORDER BY key;
