//! SQL shared by both backends: the statements (with `$N` placeholders; SQLite reads them as
//! `?N`) and a builder for the queries whose shape depends on the request. What differs
//! between the two dialects lives in the migrations, in each backend's group statements
//! (`BEGIN IMMEDIATE` against an advisory lock) and in the full-text match of [`search`]
//! (FTS5 against `tsvector`), nowhere else.

use spasm::action::Action;

use super::executor::Param;
use super::{Backend, FormTable};
use crate::query::{FeedFilter, Page, WebType};
use crate::search::SearchQuery;

/// The columns every event read selects: key, added, updated, parent key, event JSON,
/// origin.
pub(super) const EVENT_COLUMNS: &str = "events.key, events.added_at_ms, events.updated_at_ms, \
     events.parent_key, events.event_json, events.origin";

/// Events that readers see: not hidden by a moderator.
const VISIBLE: &str = "events.hidden = 0";

pub(super) const BANNED: &str = "SELECT 1 FROM banned_ids JOIN moderations ON moderations.id = banned_ids.moderation_id \
     WHERE moderations.undone_at_ms IS NULL AND banned_ids.value IN ";

pub(super) const FIND_TARGET: &str = "SELECT events.key, events.hidden FROM event_ids JOIN events ON events.key = event_ids.event_key \
     WHERE event_ids.value IN ";

/// Stores an event unless one of its `ids` (bound from `$10`) is banned or its spasmid is
/// stored already (no row then); the `events_change` trigger of the migrations records its
/// change in the same statement.
pub(super) fn insert_event_unless_banned(ids: usize) -> String {
    format!(
        "INSERT INTO events (spasmid, action, is_signed, source_name, parent_key, signed_at_ms, \
             added_at_ms, updated_at_ms, origin, event_json) \
         SELECT $1, $2, $3, $4, $5, $6, $7, $7, $8, $9 WHERE NOT EXISTS ({BANNED}{}) \
         ON CONFLICT (spasmid) DO NOTHING RETURNING key",
        list(10, ids)
    )
}

/// A change, recorded unnumbered in its write's transaction (see `changes.rs`).
pub(super) const RECORD_CHANGE: &str =
    "INSERT INTO changes (kind, subject, at_ms) VALUES ($1, $2, $3)";

/// Numbers every committed change without a number after the newest number, in the order
/// they were recorded; run under the write lock.
pub(super) const NUMBER_CHANGES: &str = "UPDATE changes SET seq = numbered.seq \
     FROM (SELECT id, (SELECT COALESCE(MAX(seq), 0) FROM changes) + ROW_NUMBER() OVER (ORDER BY id) AS seq \
           FROM changes WHERE seq IS NULL) AS numbered \
     WHERE changes.id = numbered.id AND changes.seq IS NULL";

pub(super) const CHANGES_AFTER: &str =
    "SELECT seq, kind, subject, at_ms FROM changes WHERE seq > $1 ORDER BY seq LIMIT $2";

pub(super) const LAST_CHANGE: &str = "SELECT COALESCE(MAX(seq), 0) FROM changes";

/// An event's words for the search index ([`crate::search::indexed_words`]).
pub(super) const INDEX_WORDS: &str = "INSERT INTO event_texts (event_key, words) VALUES ($1, $2) \
     ON CONFLICT (event_key) DO NOTHING";

pub(super) const INSERT_SIGNER_ACTION: &str = "INSERT INTO signer_actions (target_key, signer, action, content_digest, event_key) \
     VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING";

pub(super) const COUNT_ON_TARGET: &str = "INSERT INTO reaction_counts (target_key, action, content, total, latest_ms) \
     VALUES ($1, $2, $3, 1, $4) \
     ON CONFLICT (target_key, action, content) DO UPDATE SET total = reaction_counts.total + 1, \
         latest_ms = CASE WHEN excluded.latest_ms > reaction_counts.latest_ms \
             THEN excluded.latest_ms ELSE reaction_counts.latest_ms END";

pub(super) const COUNT_REPLY: &str =
    "UPDATE events SET reply_count = reply_count + 1, updated_at_ms = $2 WHERE key = $1";
pub(super) const COUNT_REACTION: &str =
    "UPDATE events SET react_count = react_count + 1, updated_at_ms = $2 WHERE key = $1";

pub(super) const RECORD_MODERATION: &str = "INSERT INTO moderations (spasmid, action, moderator, target_ids, at_ms, event_json) \
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (spasmid) DO NOTHING RETURNING id";

pub(super) const HIDE_MODERATED: &str = "UPDATE events SET hidden = hidden + 1, updated_at_ms = $2 \
     WHERE key IN (SELECT event_key FROM moderation_hidden_events WHERE moderation_id = $1)";
pub(super) const SHOW_MODERATED: &str = "UPDATE events SET hidden = hidden - 1, updated_at_ms = $2 \
     WHERE key IN (SELECT event_key FROM moderation_hidden_events WHERE moderation_id = $1)";
pub(super) const BAN_WRITTEN_ID: &str =
    "INSERT INTO banned_ids (value, moderation_id) VALUES ($1, $2) ON CONFLICT DO NOTHING";
/// The standing delete that banned an id, the oldest first.
pub(super) const DELETION_OF: &str = "SELECT moderations.action, moderations.at_ms FROM banned_ids \
     JOIN moderations ON moderations.id = banned_ids.moderation_id \
     WHERE banned_ids.value = $1 AND moderations.undone_at_ms IS NULL \
     ORDER BY moderations.at_ms LIMIT 1";
pub(super) const UNDO_MODERATION: &str =
    "UPDATE moderations SET undone_at_ms = $2, undone_by = $3 WHERE id = $1";
pub(super) const LIFT_BANS: &str = "DELETE FROM banned_ids WHERE moderation_id = $1";

pub(super) const INSERT_ADMIN_EVENT: &str = "INSERT INTO admin_events (spasmid, action, signer, content, added_at_ms, event_json) \
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (spasmid) DO NOTHING";

pub(super) const ADMIN_EVENTS: &str = "SELECT action, signer, content, added_at_ms FROM admin_events \
     WHERE action >= $1 AND action < $2 ORDER BY id DESC LIMIT $3";

/// Keeps a profile unless the stored one of its key is newer (NIP-01 replaceable events:
/// the later `created_at`, on a tie the lower id).
pub(super) const SAVE_PROFILE: &str = "INSERT INTO nostr_profiles (pubkey, created_at, event_id, added_at_ms, event_json) \
     VALUES ($1, $2, $3, $4, $5) \
     ON CONFLICT (pubkey) DO UPDATE SET created_at = excluded.created_at, event_id = excluded.event_id, \
         added_at_ms = excluded.added_at_ms, event_json = excluded.event_json \
     WHERE excluded.created_at > nostr_profiles.created_at \
         OR (excluded.created_at = nostr_profiles.created_at AND excluded.event_id < nostr_profiles.event_id)";

pub(super) const PROFILE: &str =
    "SELECT created_at, event_json FROM nostr_profiles WHERE pubkey = $1";

pub(super) const STATS_OF: &str = "SELECT target_key, action, content, total, latest_ms FROM reaction_counts \
     WHERE total > 0 AND target_key IN ";

/// The visible events of moderation `$1` that count on their parent: every reply, and
/// signed reactions with the reaction they counted (the once-per-signer record keeps it).
/// Read just before a delete hides them and just after a restore shows them again. `$2` is
/// the reply action's name, `$3` the reaction's.
pub(super) const COUNTED_IN_MODERATION: &str = "SELECT c.parent_key, c.action, \
         CASE WHEN c.action = $2 THEN '' ELSE (SELECT MIN(s.content_digest) FROM signer_actions s \
             WHERE s.event_key = c.key AND s.action = $3) END \
     FROM moderation_hidden_events m JOIN events c ON c.key = m.event_key \
     WHERE m.moderation_id = $1 AND c.hidden = 0 AND c.parent_key IS NOT NULL \
         AND (c.action = $2 OR (c.action = $3 AND c.is_signed = 1))";
pub(super) const RECOUNT_ON_TARGET: &str = "UPDATE reaction_counts SET total = total + $4 \
     WHERE target_key = $1 AND action = $2 AND content = $3";
pub(super) const RECOUNT_REPLIES: &str =
    "UPDATE events SET reply_count = reply_count + $2 WHERE key = $1";
pub(super) const RECOUNT_REACTIONS: &str =
    "UPDATE events SET react_count = react_count + $2 WHERE key = $1";

/// Keeps a reply or reaction waiting for its target (`waiting_targets`).
pub(super) const WAIT_FOR_TARGET: &str = "INSERT INTO waiting_targets (target_id, event_key, signer, \
         counter_action, counter_content, once_action, once_digest, expires_at_ms) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING";
pub(super) const WAITING_BY_SIGNER: &str =
    "SELECT COUNT(DISTINCT event_key) FROM waiting_targets WHERE signer = $1";
pub(super) const WAITING_TOTAL: &str = "SELECT COUNT(DISTINCT event_key) FROM waiting_targets";
/// The events waiting for one of the ids bound from `$1`, with their rules and whether a
/// moderator hid them meanwhile.
pub(super) const WAITING_FOR: &str = "SELECT w.event_key, w.counter_action, w.counter_content, \
         w.once_action, w.once_digest, e.hidden \
     FROM waiting_targets w JOIN events e ON e.key = w.event_key WHERE w.target_id IN ";
pub(super) const STOP_WAITING: &str = "DELETE FROM waiting_targets WHERE event_key = $1";
pub(super) const ATTACH_TO_TARGET: &str =
    "UPDATE events SET parent_key = $2, updated_at_ms = $3 WHERE key = $1 AND parent_key IS NULL";
pub(super) const VERIFIED_SIGNERS: &str =
    "SELECT address FROM event_authors WHERE event_key = $1 AND verified = 1 ORDER BY address";
/// Drops a waiting event for good: hidden by no moderation, so no restore shows it again.
pub(super) const DROP_WAITER: &str =
    "UPDATE events SET hidden = hidden + 1, updated_at_ms = $2 WHERE key = $1";
pub(super) const FORGET_SIGNER_ACTIONS: &str = "DELETE FROM signer_actions WHERE event_key = $1";
pub(super) const DROP_EXPIRED_WAITERS: &str = "UPDATE events SET hidden = hidden + 1, updated_at_ms = $1 \
     WHERE key IN (SELECT event_key FROM waiting_targets WHERE expires_at_ms <= $1)";
pub(super) const FORGET_EXPIRED_WAITERS: &str =
    "DELETE FROM waiting_targets WHERE expires_at_ms <= $1";

/// Background jobs' state (`job_states`).
pub(super) const JOB_STATES: &str = "SELECT name, cursor, mode, etag, last_modified, last_run_ms, \
         last_success_ms, last_error, last_error_ms, failures, next_attempt_ms, paused, taken, \
         refused, last_report, possibly_incomplete_ms, run_requested, source_url, lease_until_ms \
     FROM job_states";
pub(super) const CREATE_JOB: &str =
    "INSERT INTO job_states (name) VALUES ($1) ON CONFLICT (name) DO NOTHING";
/// Takes a job that is due (or asked for) unless a run's lease on it is still running
/// (`$3` is now).
pub(super) const CLAIM_JOB: &str = "UPDATE job_states SET lease_until_ms = $2, run_requested = 0 \
     WHERE name = $1 AND (lease_until_ms IS NULL OR lease_until_ms < $3) \
         AND (run_requested = 1 OR next_attempt_ms <= $3)";
/// A run's outcome; a pause or a "run now" the host asked for meanwhile stays.
pub(super) const FINISH_JOB: &str = "UPDATE job_states SET cursor = $2, mode = $3, etag = $4, \
         last_modified = $5, last_run_ms = $6, last_success_ms = $7, last_error = $8, \
         last_error_ms = $9, failures = $10, \
         next_attempt_ms = $11, \
         taken = $12, refused = $13, last_report = $14, possibly_incomplete_ms = $15, \
         source_url = $16, lease_until_ms = NULL \
     WHERE name = $1 AND lease_until_ms = $17";
pub(super) const SAVE_JOB_CURSOR: &str =
    "UPDATE job_states SET cursor = $2 WHERE name = $1 AND lease_until_ms = $3";
pub(super) const RELEASE_JOB: &str =
    "UPDATE job_states SET lease_until_ms = NULL WHERE name = $1 AND lease_until_ms = $2";
pub(super) const PAUSE_JOB: &str = "UPDATE job_states SET paused = $2 WHERE name = $1";
pub(super) const RUN_JOB_NOW: &str = "UPDATE job_states SET run_requested = 1 WHERE name = $1";

/// `$start, $start+1, …` for `count` bound values.
pub(super) fn placeholders(start: usize, count: usize) -> String {
    (start..start + count)
        .map(|index| format!("${index}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `($1, $2, $3), ($1, $4, $5), …`: `count` rows of `width` values, each starting with the
/// shared `$1` (the event's key).
pub(super) fn rows(width: usize, count: usize) -> String {
    let per_row = width - 1;
    (0..count)
        .map(|row| format!("($1, {})", placeholders(2 + row * per_row, per_row)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `(…)` with `count` placeholders from `$start`.
pub(super) fn list(start: usize, count: usize) -> String {
    format!("({})", placeholders(start, count))
}

/// The moderation's subtree: the targets and every reply or reaction below them.
pub(super) fn hide_subtree(targets: usize) -> String {
    format!(
        "INSERT INTO moderation_hidden_events (moderation_id, event_key) \
         WITH RECURSIVE subtree (key) AS ( \
             SELECT key FROM events WHERE key IN {} \
             UNION SELECT events.key FROM events JOIN subtree ON events.parent_key = subtree.key \
         ) SELECT $1, key FROM subtree",
        list(2, targets)
    )
}

/// Records the target events alone (`$2…`) as hidden by moderation `$1`.
pub(super) fn hide_events(targets: usize) -> String {
    format!(
        "INSERT INTO moderation_hidden_events (moderation_id, event_key) \
         SELECT $1, key FROM events WHERE key IN {}",
        list(2, targets)
    )
}

/// The keys of the events with any of the ids (`$2…`) that `$1` verifiably signed.
pub(super) fn authored_keys(ids: usize) -> String {
    format!(
        "SELECT DISTINCT event_ids.event_key FROM event_ids \
         JOIN event_authors ON event_authors.event_key = event_ids.event_key \
             AND event_authors.address = $1 AND event_authors.verified = 1 \
         WHERE event_ids.value IN {}",
        list(2, ids)
    )
}

/// Bans every id of the target events.
pub(super) fn ban_ids_of(targets: usize) -> String {
    format!(
        "INSERT INTO banned_ids (value, moderation_id) \
         SELECT value, $1 FROM event_ids WHERE event_key IN {} ON CONFLICT DO NOTHING",
        list(2, targets)
    )
}

/// Standing deletes named by their spasmid or by an id they banned.
pub(super) fn standing_deletes(ids: usize) -> String {
    let ids = list(1, ids);
    format!(
        "SELECT id FROM moderations WHERE action = 'delete' AND undone_at_ms IS NULL AND ( \
             spasmid IN {ids} OR id IN (SELECT moderation_id FROM banned_ids WHERE value IN {ids}))"
    )
}

/// A value bound to a built query, owned so that the query can move to the connection.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Bound {
    Int(i64),
    Text(String),
}

impl Bound {
    fn param(&self) -> Param<'_> {
        match self {
            Self::Int(value) => Param::Int(*value),
            Self::Text(value) => Param::Text(value),
        }
    }
}

/// A query under construction: SQL text and its bound values, numbered as they are added.
#[derive(Debug, Default)]
pub(super) struct Sql {
    pub(super) text: String,
    pub(super) values: Vec<Bound>,
}

impl Sql {
    /// The bound values, as the executor takes them.
    pub(super) fn params(&self) -> Vec<Param<'_>> {
        self.values.iter().map(Bound::param).collect()
    }

    pub(super) fn new(text: &str) -> Self {
        Self {
            text: text.to_owned(),
            values: Vec::new(),
        }
    }

    pub(super) fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Appends a placeholder for `value`.
    pub(super) fn bind(&mut self, value: Bound) -> &mut Self {
        self.values.push(value);
        let placeholder = format!("${}", self.values.len());
        self.text.push_str(&placeholder);
        self
    }

    pub(super) fn bind_int(&mut self, value: i64) -> &mut Self {
        self.bind(Bound::Int(value))
    }

    pub(super) fn bind_text(&mut self, value: &str) -> &mut Self {
        self.bind(Bound::Text(value.to_owned()))
    }

    pub(super) fn bind_list<T>(&mut self, items: &[T], bound: impl Fn(&T) -> Bound) -> &mut Self {
        self.push("(");
        for (index, item) in items.iter().enumerate() {
            if index > 0 {
                self.push(", ");
            }
            self.bind(bound(item));
        }
        self.push(")")
    }

    /// `AND key < before AND key > since ORDER BY key DESC|ASC LIMIT n`; with only `since`
    /// the page is read oldest first (to read forward without gaps); `true` then, and the
    /// caller reverses the rows.
    pub(super) fn page(&mut self, column: &str, page: Page) -> bool {
        if let Some(before) = page.before {
            self.push(&format!(" AND {column} < ")).bind_int(before);
        }
        if let Some(since) = page.since {
            self.push(&format!(" AND {column} > ")).bind_int(since);
        }
        let ascending = page.since.is_some() && page.before.is_none();
        let order = if ascending { "ASC" } else { "DESC" };
        self.push(&format!(" ORDER BY {column} {order} LIMIT "))
            .bind_int(i64::from(page.limit));
        ascending
    }
}

/// The feed query.
///
/// A page read forward (`since` without `before`) follows the change log: the events whose
/// changes were numbered after the change that stored the event `since` (or the newest
/// event below that key, when it names none), in commit order, so that paging by the last
/// event's key never skips or repeats one, whatever the concurrency of the writers.
pub(super) fn feed(filter: &FeedFilter, min_reactions: Option<i64>, page: Page) -> (Sql, bool) {
    let forward = page.since.filter(|_| page.before.is_none());
    let mut sql = Sql::new(&format!("SELECT {EVENT_COLUMNS} FROM events"));
    if forward.is_some() {
        sql.push(" JOIN changes ON changes.event_key = events.key");
    }
    sql.push(" WHERE ").push(VISIBLE);
    push_filters(&mut sql, filter, min_reactions);
    if let Some(since) = forward {
        sql.push(" AND changes.seq > COALESCE((SELECT seq FROM changes WHERE event_key <= ")
            .bind_int(since)
            .push(" AND seq IS NOT NULL ORDER BY event_key DESC LIMIT 1), 0)")
            .push(" ORDER BY changes.seq ASC LIMIT ")
            .bind_int(i64::from(page.limit));
        return (sql, true);
    }
    let ascending = sql.page("events.key", page);
    (sql, ascending)
}

/// The feed's filters, as `AND …` conditions on `events`.
fn push_filters(sql: &mut Sql, filter: &FeedFilter, min_reactions: Option<i64>) {
    if !filter.categories.is_empty() {
        sql.push(" AND EXISTS (SELECT 1 FROM event_categories WHERE event_categories.event_key = events.key AND event_categories.name IN ")
            .bind_list(&filter.categories, |name| Bound::Text(name.clone()))
            .push(")");
    }
    if !filter.keywords.is_empty() {
        sql.push(" AND EXISTS (SELECT 1 FROM event_keywords WHERE event_keywords.event_key = events.key AND event_keywords.keyword IN ")
            .bind_list(&filter.keywords, |keyword| Bound::Text(keyword.clone()))
            .push(")");
    }
    if !filter.signers.is_empty() {
        sql.push(" AND EXISTS (SELECT 1 FROM event_authors WHERE event_authors.event_key = events.key AND event_authors.verified = 1 AND event_authors.address IN ")
            .bind_list(&filter.signers, |signer| Bound::Text(signer.clone()))
            .push(")");
    }
    if !filter.parent_ids.is_empty() {
        sql.push(" AND events.parent_key IN (SELECT event_key FROM event_ids WHERE value IN ")
            .bind_list(&filter.parent_ids, |id| Bound::Text(id.clone()))
            .push(")");
    }
    if let Some(web_type) = filter.web_type {
        sql.push(" AND events.is_signed = ")
            .bind_int(i64::from(web_type == WebType::Web3));
    }
    if !filter.actions.is_empty() {
        sql.push(" AND events.action IN ")
            .bind_list(&filter.actions, |action| Bound::Text(action.clone()));
    }
    if let Some(source) = &filter.source {
        sql.push(" AND events.source_name = ").bind_text(source);
    }
    if let Some(min_reactions) = min_reactions {
        sql.push(" AND events.react_count >= ")
            .bind_int(min_reactions);
    }
}

/// A search ([`crate::search`]): visible events whose indexed words match `query` and
/// `filter`, newest first, paged by key (`before`; a search is not read forward). The
/// index drives the query from the newest match down, so that a common word stops after a
/// page instead of reading every match.
pub(super) fn search(
    backend: Backend,
    query: &SearchQuery,
    filter: &FeedFilter,
    min_reactions: Option<i64>,
    page: Page,
) -> Sql {
    let (from, key) = match backend {
        Backend::Sqlite => (
            "event_search JOIN events ON events.key = event_search.rowid",
            "event_search.rowid",
        ),
        Backend::Postgres => (
            "event_texts JOIN events ON events.key = event_texts.event_key",
            "event_texts.event_key",
        ),
    };
    let mut sql = Sql::new(&format!("SELECT {EVENT_COLUMNS} FROM {from} WHERE "));
    match backend {
        Backend::Sqlite => sql
            .push("event_search MATCH ")
            .bind_text(&query.fts5_match()),
        Backend::Postgres => sql
            .push("event_texts.document @@ to_tsquery('simple', ")
            .bind_text(&query.tsquery())
            .push(")"),
    };
    sql.push(" AND ").push(VISIBLE);
    push_filters(&mut sql, filter, min_reactions);
    sql.page(
        key,
        Page {
            since: None,
            ..page
        },
    );
    sql
}

/// PostgreSQL: how many of the newest indexed events a first, bounded walk reads.
pub(super) const SEARCH_WINDOW: i64 = 20_000;

/// PostgreSQL: how many matches [`search_matches`] reads before it calls the words common.
pub(super) const SEARCH_PROBE_LIMIT: usize = 5_000;

/// PostgreSQL: [`search`] over only the [`SEARCH_WINDOW`] newest indexed events (below
/// `before`): a page there costs a bounded walk whatever the words.
pub(super) fn search_recent(
    query: &SearchQuery,
    filter: &FeedFilter,
    min_reactions: Option<i64>,
    page: Page,
) -> Sql {
    let mut sql = Sql::new(&format!(
        "SELECT {EVENT_COLUMNS} FROM event_texts JOIN events ON events.key = event_texts.event_key \
         WHERE event_texts.document @@ to_tsquery('simple', "
    ));
    sql.bind_text(&query.tsquery()).push(") AND ").push(VISIBLE);
    match page.before {
        Some(before) => sql
            .push(" AND event_texts.event_key > ")
            .bind_int(before.saturating_sub(SEARCH_WINDOW)),
        None => sql
            .push(" AND event_texts.event_key > (SELECT MAX(event_key) FROM event_texts) - ")
            .bind_int(SEARCH_WINDOW),
    };
    push_filters(&mut sql, filter, min_reactions);
    sql.page(
        "event_texts.event_key",
        Page {
            since: None,
            ..page
        },
    );
    sql
}

/// PostgreSQL: the keys of up to [`SEARCH_PROBE_LIMIT`] + 1 events whose words match
/// `query` (below `before`), in no order, read from the GIN index only (the migration's
/// `search_matches` function), in a time bounded by how many match.
pub(super) fn search_matches(query: &SearchQuery, before: Option<i64>) -> Sql {
    let mut sql = Sql::new("SELECT search_matches(to_tsquery('simple', ");
    sql.bind_text(&query.tsquery())
        .push("), ")
        .bind_int(before.unwrap_or(i64::MAX))
        .push(", ")
        .bind_int(SEARCH_PROBE_LIMIT as i64 + 1)
        .push(")");
    sql
}

/// The visible events among `keys` that match `filter`, newest first, a page of them.
pub(super) fn events_among(
    keys: &[i64],
    filter: &FeedFilter,
    min_reactions: Option<i64>,
    page: Page,
) -> Sql {
    let mut sql = Sql::new(&format!(
        "SELECT {EVENT_COLUMNS} FROM events WHERE {VISIBLE} AND events.key IN "
    ));
    sql.bind_list(keys, |key| Bound::Int(*key));
    push_filters(&mut sql, filter, min_reactions);
    sql.page(
        "events.key",
        Page {
            since: None,
            ..page
        },
    );
    sql
}

/// The visible event with this id.
pub(super) fn event_by_id(id: &str) -> Sql {
    let mut sql = Sql::new(&format!(
        "SELECT {EVENT_COLUMNS} FROM event_ids JOIN events ON events.key = event_ids.event_key \
         WHERE {VISIBLE} AND event_ids.value = "
    ));
    sql.bind_text(id);
    sql
}

/// The visible event with an id starting with `prefix`: a range on the primary key (byte
/// order on both backends) instead of LIKE, which SQLite cannot serve from an index.
pub(super) fn event_by_id_prefix(prefix: &str) -> Sql {
    let mut sql = Sql::new(&format!(
        "SELECT {EVENT_COLUMNS} FROM event_ids JOIN events ON events.key = event_ids.event_key \
         WHERE {VISIBLE} AND event_ids.value >= "
    ));
    sql.bind_text(prefix)
        .push(" AND event_ids.value < ")
        .bind_text(&prefix_end(prefix))
        .push(" ORDER BY event_ids.value LIMIT 1");
    sql
}

/// The smallest text after every text that starts with `prefix`.
pub(super) fn prefix_end(prefix: &str) -> String {
    let mut end = prefix.to_owned();
    end.push(char::MAX);
    end
}

/// The keys of the events with any of these ids.
pub(super) fn keys_of_ids(ids: &[&str]) -> Sql {
    let mut sql = Sql::new("SELECT DISTINCT event_key FROM event_ids WHERE value IN ");
    sql.bind_list(ids, |id| Bound::Text((*id).to_owned()));
    sql
}

/// `(id, reaction name)` of each reaction `signers` gave to the events with one of `ids`
/// (`signer_actions` keeps a reaction's name as its content digest).
pub(super) fn reactions_by(signers: &[&str], ids: &[&str]) -> Sql {
    let mut sql = Sql::new(
        "SELECT event_ids.value, signer_actions.content_digest FROM signer_actions \
         JOIN event_ids ON event_ids.event_key = signer_actions.target_key \
         WHERE signer_actions.action = ",
    );
    sql.bind_text(Action::React.name())
        .push(" AND signer_actions.signer IN ")
        .bind_list(signers, |signer| Bound::Text((*signer).to_owned()))
        .push(" AND event_ids.value IN ")
        .bind_list(ids, |id| Bound::Text((*id).to_owned()));
    sql
}

/// Visible children of `parents`.
pub(super) fn children(parents: &[i64], actions: Option<&[String]>, page: Page) -> (Sql, bool) {
    let mut sql = Sql::new(&format!(
        "SELECT {EVENT_COLUMNS} FROM events WHERE {VISIBLE} AND events.parent_key IN "
    ));
    sql.bind_list(parents, |key| Bound::Int(*key));
    if let Some(actions) = actions {
        sql.push(" AND events.action IN ")
            .bind_list(actions, |action| Bound::Text(action.clone()));
    }
    let ascending = sql.page("events.key", page);
    (sql, ascending)
}

/// Visible replies of `parents`, oldest first.
pub(super) fn replies(parents: &[i64], limit: u32) -> Sql {
    let mut sql = Sql::new(&format!(
        "SELECT {EVENT_COLUMNS} FROM events WHERE {VISIBLE} AND events.action = "
    ));
    sql.bind_text(Action::Reply.name())
        .push(" AND events.parent_key IN ")
        .bind_list(parents, |key| Bound::Int(*key))
        .push(" ORDER BY events.key ASC LIMIT ")
        .bind_int(i64::from(limit));
    sql
}

/// `(root, total)`: how many visible replies are below each of `roots` at any depth, for the
/// roots that have any. Walks the `events_by_parent` index down from the roots; `UNION`
/// (not `UNION ALL`) ends the walk even on a loop of parents, which honest ids cannot make.
pub(super) fn thread_reply_totals(roots: &[i64]) -> Sql {
    let mut sql = Sql::new(&format!(
        "WITH RECURSIVE thread (root, key) AS ( \
             SELECT events.parent_key, events.key FROM events WHERE {VISIBLE} AND events.action = "
    ));
    sql.bind_text(Action::Reply.name())
        .push(" AND events.parent_key IN ")
        .bind_list(roots, |key| Bound::Int(*key))
        .push(&format!(
            " UNION SELECT thread.root, events.key FROM events JOIN thread ON events.parent_key = thread.key \
              WHERE {VISIBLE} AND events.action = "
        ));
    sql.bind_text(Action::Reply.name())
        .push(") SELECT root, COUNT(*) FROM thread GROUP BY root");
    sql
}

/// The visible events above `key` (its parent, the parent's parent, …), at most `limit`,
/// the farthest (the thread's post) first. The depth bound ends the walk even on a loop of
/// parents, which honest ids cannot make.
pub(super) fn ancestors(key: i64, limit: u32) -> Sql {
    let mut sql = Sql::new(
        "WITH RECURSIVE above (key, depth) AS ( \
             SELECT events.parent_key, 1 FROM events WHERE events.parent_key IS NOT NULL AND events.key = ",
    );
    sql.bind_int(key).push(
        " UNION SELECT events.parent_key, above.depth + 1 FROM events JOIN above ON events.key = above.key \
          WHERE events.parent_key IS NOT NULL AND above.depth < ",
    );
    sql.bind_int(i64::from(limit)).push(&format!(
        ") SELECT {EVENT_COLUMNS} FROM above JOIN events ON events.key = above.key \
         WHERE {VISIBLE} ORDER BY above.depth DESC"
    ));
    sql
}

/// Visible events `author` verifiably signed.
pub(super) fn by_author(author: &str, page: Page) -> (Sql, bool) {
    let mut sql = Sql::new(&format!(
        "SELECT {EVENT_COLUMNS} FROM event_authors JOIN events ON events.key = event_authors.event_key \
         WHERE event_authors.verified = 1 AND {VISIBLE} AND event_authors.address = "
    ));
    sql.bind_text(author);
    let ascending = sql.page("event_authors.event_key", page);
    (sql, ascending)
}

/// The moderation audit trail.
pub(super) fn moderations(page: Page) -> (Sql, bool) {
    let mut sql = Sql::new(
        "SELECT id, spasmid, action, moderator, target_ids, at_ms, undone_at_ms, undone_by \
         FROM moderations WHERE 1 = 1",
    );
    let ascending = sql.page("id", page);
    (sql, ascending)
}

/// Counters of these events.
pub(super) fn stats_of(keys: &[i64]) -> Sql {
    let mut sql = Sql::new(STATS_OF);
    sql.bind_list(keys, |key| Bound::Int(*key))
        .push(" ORDER BY target_key, total DESC, content");
    sql
}

/// Every stored row of `table` after a key (hidden events too), in key order: `$1` key,
/// `$2` limit.
pub(super) fn stored_forms(table: FormTable) -> &'static str {
    match table {
        FormTable::Events => {
            "SELECT key, spasmid, event_json FROM events WHERE key > $1 ORDER BY key LIMIT $2"
        }
        FormTable::Moderations => {
            "SELECT id, spasmid, event_json FROM moderations WHERE id > $1 ORDER BY id LIMIT $2"
        }
        FormTable::AdminEvents => {
            "SELECT id, spasmid, event_json FROM admin_events WHERE id > $1 ORDER BY id LIMIT $2"
        }
    }
}

/// Up to `$1` rows of a table at random, in key order (keys are read first: only the
/// chosen rows' events are read).
pub(super) fn sample_forms(table: FormTable) -> &'static str {
    match table {
        FormTable::Events => {
            "SELECT key, spasmid, event_json FROM events WHERE key IN \
             (SELECT key FROM events ORDER BY RANDOM() LIMIT $1) ORDER BY key"
        }
        FormTable::Moderations => {
            "SELECT id, spasmid, event_json FROM moderations WHERE id IN \
             (SELECT id FROM moderations ORDER BY RANDOM() LIMIT $1) ORDER BY id"
        }
        FormTable::AdminEvents => {
            "SELECT id, spasmid, event_json FROM admin_events WHERE id IN \
             (SELECT id FROM admin_events ORDER BY RANDOM() LIMIT $1) ORDER BY id"
        }
    }
}

/// How many rows a table holds.
pub(super) fn form_count(table: FormTable) -> &'static str {
    match table {
        FormTable::Events => "SELECT COUNT(*) FROM events",
        FormTable::Moderations => "SELECT COUNT(*) FROM moderations",
        FormTable::AdminEvents => "SELECT COUNT(*) FROM admin_events",
    }
}

pub(super) const IMPORT_PROGRESS: &str = "SELECT source, table_name, last_db_key, finished, \
     updated_at_ms FROM import_progress WHERE source = $1 ORDER BY table_name";
pub(super) const SAVE_IMPORT_PROGRESS: &str = "INSERT INTO import_progress \
     (source, table_name, last_db_key, finished, updated_at_ms) VALUES ($1, $2, $3, $4, $5) \
     ON CONFLICT (source, table_name) DO UPDATE SET last_db_key = excluded.last_db_key, \
         finished = excluded.finished, updated_at_ms = excluded.updated_at_ms";

/// A moderation's or admin event's id, unless another row has it: `$1` row, `$2` spasmid.
pub(super) fn replace_spasmid(table: FormTable) -> Option<&'static str> {
    match table {
        FormTable::Events => None,
        FormTable::Moderations => Some(
            "UPDATE moderations SET spasmid = $2 WHERE id = $1 \
             AND NOT EXISTS (SELECT 1 FROM moderations WHERE spasmid = $2)",
        ),
        FormTable::AdminEvents => Some(
            "UPDATE admin_events SET spasmid = $2 WHERE id = $1 \
             AND NOT EXISTS (SELECT 1 FROM admin_events WHERE spasmid = $2)",
        ),
    }
}

/// One more id of a stored event: `$1` key, `$2` value, `$3` format.
pub(super) const ADD_EVENT_ID: &str = "INSERT INTO event_ids (event_key, value, format) \
     VALUES ($1, $2, $3) ON CONFLICT (value) DO NOTHING";

/// Whether a data upgrade finished: `$1` name.
pub(super) const UPGRADE_DONE: &str = "SELECT done_at_ms FROM upgrades WHERE name = $1";

/// Records a finished data upgrade: `$1` name, `$2` time (ms).
pub(super) const MARK_UPGRADE_DONE: &str = "INSERT INTO upgrades (name, done_at_ms) \
     VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET done_at_ms = excluded.done_at_ms";

/// The health check's write (`Store::probe_write`): `$1` time (ms), `$2` padding as large as
/// an event. One row, rewritten.
pub(super) const PROBE_WRITE: &str = "INSERT INTO write_probe (id, written_at_ms, padding) \
     VALUES (1, $1, $2) ON CONFLICT (id) DO UPDATE SET written_at_ms = excluded.written_at_ms, \
     padding = excluded.padding";

/// Lets every job go: the scheduler that just took the job lock is the only one, so any
/// lease standing belongs to a run of a process that died.
pub(super) const RELEASE_ALL_JOBS: &str =
    "UPDATE job_states SET lease_until_ms = NULL WHERE lease_until_ms IS NOT NULL";
