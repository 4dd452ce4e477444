-- The Nostr network (forum/src/nostr): what the server publishes to relays, and the
-- NIP-65 relay lists of authors.

-- One row per (Nostr event, relay) the server publishes to: queued in the transaction that
-- stored the event, taken by a run with a lease (`next_attempt_ms` moved past the run), and
-- finished with the relay's answer. `state`: `pending`, `delivered` or `refused`.
CREATE TABLE nostr_outbox (
    nostr_id TEXT NOT NULL,
    relay TEXT NOT NULL,
    -- The stored event it belongs to (NULL for a kind-0 profile, kept apart from events).
    event_key INTEGER REFERENCES events (key),
    -- The signed Nostr event, verbatim: what is sent.
    nostr_event TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',
    -- The relay's last answer (an `OK` message), or why the last attempt failed.
    reason TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_ms INTEGER NOT NULL,
    last_attempt_ms INTEGER,
    queued_at_ms INTEGER NOT NULL,
    PRIMARY KEY (nostr_id, relay)
) WITHOUT ROWID;
CREATE INDEX nostr_outbox_due ON nostr_outbox (relay, next_attempt_ms) WHERE state = 'pending';
CREATE INDEX nostr_outbox_by_event ON nostr_outbox (event_key) WHERE event_key IS NOT NULL;

-- The newest NIP-65 relay list (kind 10002) of each key: the relays it writes to.
CREATE TABLE nostr_relay_lists (
    pubkey TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL,
    event_id TEXT NOT NULL,
    -- A JSON array of relay URLs (the `r` tags without a marker or marked `write`).
    write_relays TEXT NOT NULL,
    saved_at_ms INTEGER NOT NULL,
    event_json TEXT NOT NULL
) WITHOUT ROWID;

-- Where reading each relay continues: the newest `created_at` taken (seconds; the author's
-- claim, so reads start a little before it), and the connection's last error.
CREATE TABLE nostr_relay_states (
    relay TEXT PRIMARY KEY,
    since_s INTEGER,
    last_error TEXT,
    updated_at_ms INTEGER NOT NULL
) WITHOUT ROWID;
