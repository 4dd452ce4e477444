-- Where `spasm-forum import` stands with each table of an old server's database
-- (forum/src/import.rs): the last `db_key` it fed through the ingest, and whether the table
-- was read to its end. A run that stops midway continues after `last_db_key`.
CREATE TABLE import_progress (
    source TEXT NOT NULL,
    table_name TEXT NOT NULL,
    last_db_key INTEGER NOT NULL,
    finished INTEGER NOT NULL DEFAULT 0,
    updated_at_ms INTEGER NOT NULL,
    PRIMARY KEY (source, table_name)
);
