-- Full-text search over the titles and contents of posts and replies. `words` is what
-- `forum::search::indexed_words` made of them (lower case, single spaces), so that SQLite
-- and PostgreSQL find the same events; events stored before this migration are indexed by
-- the `search-words` upgrade at the next start.
CREATE TABLE event_texts (
    event_key BIGINT PRIMARY KEY REFERENCES events (key),
    words TEXT NOT NULL,
    -- `simple`: no stemming and no stop words, as SQLite's side does.
    document TSVECTOR GENERATED ALWAYS AS (to_tsvector('simple', words)) STORED
);
CREATE INDEX event_texts_search ON event_texts USING GIN (document);
