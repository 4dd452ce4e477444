-- Full-text search over the titles and contents of posts and replies. `words` is what
-- `forum::search::indexed_words` made of them (lower case, single spaces), so that SQLite
-- and PostgreSQL find the same events; events stored before this migration are indexed by
-- the `search-words` upgrade at the next start.
CREATE TABLE event_texts (
    event_key INTEGER PRIMARY KEY REFERENCES events (key),
    words TEXT NOT NULL
);

-- The index, reading its text from `event_texts` (external content: the words are stored
-- once). Searches walk it by rowid (the event key) from the newest down.
CREATE VIRTUAL TABLE event_search USING fts5 (
    words,
    content = 'event_texts',
    content_rowid = 'event_key',
    tokenize = 'unicode61 remove_diacritics 0'
);

CREATE TRIGGER event_texts_indexed AFTER INSERT ON event_texts BEGIN
    INSERT INTO event_search (rowid, words) VALUES (new.event_key, new.words);
END;
