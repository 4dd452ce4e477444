-- One row the health check rewrites to learn whether the database takes writes
-- (Store::probe_write): reads keep working on a full disk, writes do not. The padding is as
-- large as an event may be, so that a disk with room for a few bytes only does not pass.
CREATE TABLE write_probe (
    id INTEGER PRIMARY KEY,
    written_at_ms BIGINT NOT NULL,
    padding TEXT NOT NULL
);
