-- The network: background jobs (forum/src/jobs) with their state, replies and reactions
-- kept before their target arrived, and the origin of events shown to readers.

-- One row per background job (a federation source, a feed, housekeeping): where it continues,
-- what its runs did, and when it runs next. A run holds the job by its lease, so that one run
-- of a job happens at a time, across every process sharing the database.
CREATE TABLE job_states (
    name TEXT PRIMARY KEY,
    -- The address the state below was learnt from (a new address starts afresh).
    source_url TEXT,
    -- Where the next run continues (a peer's event key); NULL before the first run.
    cursor TEXT,
    -- What the source supports once found out (`since`: key cursors; `window`: newest only).
    mode TEXT,
    -- The last answer's validators, for a conditional GET.
    etag TEXT,
    last_modified TEXT,
    last_run_ms BIGINT,
    last_success_ms BIGINT,
    last_error TEXT,
    last_error_ms BIGINT,
    -- Failed runs since the last success (the backoff grows with it).
    failures BIGINT NOT NULL DEFAULT 0,
    next_attempt_ms BIGINT NOT NULL DEFAULT 0,
    paused BIGINT NOT NULL DEFAULT 0,
    -- The host asked for a run now ("pull now"); cleared when a run takes the job.
    run_requested BIGINT NOT NULL DEFAULT 0,
    -- Held by a run until then; the run's writes name it, so a run that lost its lease
    -- writes nothing.
    lease_until_ms BIGINT,
    -- Items stored, over every run.
    taken BIGINT NOT NULL DEFAULT 0,
    -- Items refused over every run, by reason: a JSON object of counts.
    refused TEXT NOT NULL DEFAULT '{}',
    -- The last run in words (what it read, took and refused).
    last_report TEXT,
    -- When a newest-only window last held nothing seen before: events may have been missed.
    possibly_incomplete_ms BIGINT
);

-- A reply or reaction kept before its target arrived (DECISIONS.md "Arrival order does not
-- matter"): attached, and counted by its rule, when an event with `target_id` is stored;
-- dropped (hidden) when `expires_at_ms` passes first.
CREATE TABLE waiting_targets (
    target_id TEXT NOT NULL,
    event_key BIGINT NOT NULL REFERENCES events (key),
    -- The first verified signer, for the bound per signing key.
    signer TEXT NOT NULL,
    -- What it counts on its target (as `reaction_counts`): `reply` and '', `react` and a
    -- reaction's name, or NULL.
    counter_action TEXT,
    counter_content TEXT,
    -- Its once-per-signer rule (action and content digest), when it has one.
    once_action TEXT,
    once_digest TEXT,
    expires_at_ms BIGINT NOT NULL,
    PRIMARY KEY (target_id, event_key)
);
CREATE INDEX waiting_targets_by_event ON waiting_targets (event_key);
CREATE INDEX waiting_targets_by_signer ON waiting_targets (signer);
CREATE INDEX waiting_targets_by_expiry ON waiting_targets (expires_at_ms);
