-- One row the health check rewrites to learn whether the database takes writes
-- (Store::probe_write): reads keep working on a full disk, writes do not.
CREATE TABLE write_probe (
    id INTEGER PRIMARY KEY,
    written_at_ms BIGINT NOT NULL
);
