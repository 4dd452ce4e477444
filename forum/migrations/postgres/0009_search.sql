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

-- The keys of up to `most` events below `below` whose words match, in no order, read from
-- the GIN index alone: the planner settings keep it from walking the primary key or the
-- table, which it would for a word it wrongly guesses common (any prefix query). Asked by
-- searches whose words the newest events do not answer (storage/database.rs, `search`).
CREATE FUNCTION search_matches(query TSQUERY, below BIGINT, most BIGINT) RETURNS SETOF BIGINT
LANGUAGE sql STABLE PARALLEL SAFE
SET enable_seqscan = off SET enable_indexscan = off
AS $$
    SELECT event_key FROM event_texts WHERE document @@ query AND event_key + 0 < below LIMIT most
$$;
