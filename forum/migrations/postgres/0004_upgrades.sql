-- Data upgrades that run once over stored events (forum/src/upgrade.rs), by name, with when
-- they finished: e.g. `rc52-ids`, the spasm.js rc.52 ids added to events stored under
-- beta.29 ids.
CREATE TABLE upgrades (
    name TEXT PRIMARY KEY,
    done_at_ms BIGINT NOT NULL
);
