-- Events, every id of an event, authors, categories and keywords, reaction counts,
-- moderation with its audit trail and bans, and admin events.

-- One row per stored event. `key` is the insertion order: feeds are sorted by it and cursors
-- point at it. AUTOINCREMENT keeps keys from ever being reused.
CREATE TABLE events (
    key INTEGER PRIMARY KEY AUTOINCREMENT,
    spasmid TEXT NOT NULL UNIQUE,
    action TEXT NOT NULL,
    is_signed INTEGER NOT NULL,
    source_name TEXT,
    parent_key INTEGER REFERENCES events (key),
    signed_at_ms INTEGER,
    added_at_ms INTEGER NOT NULL,
    updated_at_ms INTEGER NOT NULL,
    -- How many active moderation deletes hide this event (0 = visible).
    hidden INTEGER NOT NULL DEFAULT 0,
    react_count INTEGER NOT NULL DEFAULT 0,
    reply_count INTEGER NOT NULL DEFAULT 0,
    -- Where the event came from: `submit`, `federation:<source>` or `rss:<source>`.
    origin TEXT NOT NULL,
    -- The database form (SpasmEventDatabaseV2) with the original signed siblings, verbatim.
    event_json TEXT NOT NULL
);
CREATE INDEX events_visible_by_action ON events (action, key) WHERE hidden = 0;
CREATE INDEX events_visible_by_signed ON events (is_signed, action, key) WHERE hidden = 0;
CREATE INDEX events_visible_by_source ON events (source_name, key) WHERE hidden = 0 AND source_name IS NOT NULL;
CREATE INDEX events_visible_by_reactions ON events (react_count, key) WHERE hidden = 0;
CREATE INDEX events_by_parent ON events (parent_key, key) WHERE parent_key IS NOT NULL;

-- Every id of every event (spasmid, Ethereum signature, Nostr id and signature, URL, guid).
CREATE TABLE event_ids (
    value TEXT PRIMARY KEY,
    event_key INTEGER NOT NULL REFERENCES events (key),
    format TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX event_ids_by_event ON event_ids (event_key);

-- Author addresses, normalised (Ethereum lower case, Nostr hex). `verified` only when a
-- signature checked by this server belongs to the address.
CREATE TABLE event_authors (
    address TEXT NOT NULL,
    event_key INTEGER NOT NULL REFERENCES events (key),
    verified INTEGER NOT NULL,
    PRIMARY KEY (address, event_key)
) WITHOUT ROWID;
CREATE INDEX event_authors_verified ON event_authors (address, event_key) WHERE verified = 1;

CREATE TABLE event_categories (
    name TEXT NOT NULL,
    event_key INTEGER NOT NULL REFERENCES events (key),
    PRIMARY KEY (name, event_key)
) WITHOUT ROWID;

-- Keywords in lower case (the API matches any case).
CREATE TABLE event_keywords (
    keyword TEXT NOT NULL,
    event_key INTEGER NOT NULL REFERENCES events (key),
    PRIMARY KEY (keyword, event_key)
) WITHOUT ROWID;

-- Counters per target: reactions per name, and replies (`action = 'reply'`, `content = ''`).
CREATE TABLE reaction_counts (
    target_key INTEGER NOT NULL REFERENCES events (key),
    action TEXT NOT NULL,
    content TEXT NOT NULL,
    total INTEGER NOT NULL,
    latest_ms INTEGER NOT NULL,
    PRIMARY KEY (target_key, action, content)
) WITHOUT ROWID;

-- One row per (verified signer, target, action, content): the same signer cannot react the
-- same way twice, nor post the same reply twice, to one target.
CREATE TABLE signer_actions (
    target_key INTEGER NOT NULL REFERENCES events (key),
    signer TEXT NOT NULL,
    action TEXT NOT NULL,
    content_digest TEXT NOT NULL,
    event_key INTEGER NOT NULL REFERENCES events (key),
    PRIMARY KEY (target_key, signer, action, content_digest)
) WITHOUT ROWID;

-- The audit trail of moderation: who did what to which ids, and when; `undone_*` when an
-- admin restored it.
CREATE TABLE moderations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    spasmid TEXT NOT NULL UNIQUE,
    action TEXT NOT NULL,
    moderator TEXT NOT NULL,
    target_ids TEXT NOT NULL,
    at_ms INTEGER NOT NULL,
    undone_at_ms INTEGER,
    undone_by TEXT,
    event_json TEXT NOT NULL
);

-- The events each moderation hid (so that undoing it shows exactly those again).
CREATE TABLE moderation_hidden_events (
    moderation_id INTEGER NOT NULL REFERENCES moderations (id),
    event_key INTEGER NOT NULL REFERENCES events (key),
    PRIMARY KEY (moderation_id, event_key)
) WITHOUT ROWID;

-- Ids that may not be stored again (also through federation) while their moderation stands.
CREATE TABLE banned_ids (
    value TEXT NOT NULL,
    moderation_id INTEGER NOT NULL REFERENCES moderations (id),
    PRIMARY KEY (value, moderation_id)
) WITHOUT ROWID;

-- Admin-signed instance settings (`app-config*`) and other admin events (`admin*`).
CREATE TABLE admin_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    spasmid TEXT NOT NULL UNIQUE,
    action TEXT NOT NULL,
    signer TEXT NOT NULL,
    content TEXT NOT NULL,
    added_at_ms INTEGER NOT NULL,
    event_json TEXT NOT NULL
);
CREATE INDEX admin_events_by_action ON admin_events (action, id);
