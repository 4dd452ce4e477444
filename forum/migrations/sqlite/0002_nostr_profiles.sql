-- Nostr profiles (kind-0 metadata): one per key, the newest by its signed `created_at`
-- (on a tie, the lowest event id, as NIP-01 says for replaceable events).
CREATE TABLE nostr_profiles (
    pubkey TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL,
    event_id TEXT NOT NULL,
    added_at_ms INTEGER NOT NULL,
    event_json TEXT NOT NULL
) WITHOUT ROWID;
