//! Where events are kept: an SQLite file in the data directory by default, or PostgreSQL.
//!
//! [`Store`] is the one interface the service uses. Its one implementation
//! ([`database::Database`]) is written once for both databases: the transaction scripts
//! (`writes.rs`), the reads and row mapping (`reads.rs`), the write queue with its group
//! commits (`writer.rs`), the change log (`changes.rs`) and the cache of frequent reads
//! (`read_cache.rs`) all run on the [`executor::Executor`] seam, which each backend
//! implements for its connection (`sqlite.rs`: rusqlite, `postgres.rs`: sqlx). SQL is
//! shared ([`statements`]); what differs between the dialects is in the migrations
//! (`forum/migrations/{sqlite,postgres}`, run at start) and in how each backend begins a
//! group of writes. [`open`] chooses the backend.

mod backup;
mod changes;
mod database;
mod executor;
mod health;
mod job_lock;
mod nostr;
mod open;
mod postgres;
mod read_cache;
mod reads;
mod sqlite;
mod statements;
mod writer;
mod writes;

use async_trait::async_trait;
use spasm::action::{Action, Reaction};

pub use backup::{
    BackupError, BackupReport, RestoreReport, backup_sqlite, restore_sqlite, sqlite_in_use,
};
pub use changes::{Change, ChangeKind};
pub use health::{STORAGE_RETRY_AFTER_SECS, WriteFault};
pub use job_lock::{HeldJobLock, JobGroup};
pub use open::{open, open_with_limits};
pub use writer::WriteLimits;

use crate::address::AuthorAddress;
use crate::envelope::StoredEvent;
use crate::profile::{ProfileUpdate, StoredProfile};
use crate::query::{FeedFilter, Page};
use crate::record::{EventId, NewEvent};
use crate::search::SearchQuery;

/// The file name of the SQLite database inside the data directory.
pub const SQLITE_FILE_NAME: &str = "forum.sqlite3";

/// The PostgreSQL advisory lock that numbering the change log holds until its commit, in
/// every process sharing the database (`pg_advisory_xact_lock`); see [`changes`].
pub const WRITE_LOCK_ID: i64 = 0x5350_4153_4d57;

/// Why the database failed. Details are for logs; users see a generic message, except for
/// [`StorageError::Busy`], which tells them to try again.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The data directory could not be created.
    #[error("cannot create the data directory {path}: {source}")]
    DataDir {
        /// The directory.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The database refused a statement (the driver's message): a fault of this write or
    /// read, not of the database.
    #[error("database error: {0}")]
    Database(String),
    /// The database cannot be reached or cannot write: a lost connection, a server
    /// restarting or out of resources, a full disk, a file it cannot open or lock.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// A row did not have the shape the store expects.
    #[error("unexpected database row: {0}")]
    Decode(String),
    /// A group of writes could not be committed; nothing of it was kept.
    #[error("database commit failed: {0}")]
    Commit(String),
    /// Too many writes are waiting, or this one waited too long: it was not stored.
    #[error("the database is busy; nothing was stored")]
    Busy {
        /// When to try again, in seconds.
        retry_after_secs: u64,
    },
    /// A thread or task of the store stopped.
    #[error("database worker failed: {0}")]
    Worker(String),
    /// A migration failed.
    #[error("database migration failed: {0}")]
    Migrate(String),
}

/// The use of a store's connection pool, for metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolUse {
    /// Connections open now.
    pub open: usize,
    /// Of those, connections not in use.
    pub idle: usize,
    /// The most connections the pool opens.
    pub max: usize,
}

impl StorageError {
    /// Whether this is a fault of the database itself (it cannot be reached, cannot write,
    /// or a group of writes could not be committed), which health checks report and
    /// callers are told to retry, rather than a refusal of one statement.
    pub fn is_fault(&self) -> bool {
        matches!(
            self,
            Self::Unavailable(_) | Self::Commit(_) | Self::Worker(_) | Self::DataDir { .. }
        )
    }
}

/// Which database a store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// SQLite, the default: one file, no set-up.
    Sqlite,
    /// PostgreSQL, for large instances.
    Postgres,
}

impl Backend {
    /// A short name, for logs and health checks.
    pub fn name(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        }
    }
}

/// What a reply or reaction counts on its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetCounter {
    /// One more reply.
    Reply,
    /// One more of this reaction.
    Reaction(Reaction),
}

/// How a reply or reaction relates to its target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetRule {
    /// The counter to increment on the target, if any.
    pub counter: Option<TargetCounter>,
    /// When set, each verified signer may do this `(action, content digest)` only once to
    /// one target.
    pub once_per_signer: Option<(Action, String)>,
}

/// One event to insert.
#[derive(Debug, Clone)]
pub struct Insert {
    /// The event.
    pub event: NewEvent,
    /// Where it came from (`submit`, `federation:<name>`, `rss:<name>`), kept and shown.
    pub origin: String,
    /// The time of storing (ms).
    pub now_ms: i64,
    /// For replies and reactions: the target must be stored and visible.
    pub target: Option<TargetRule>,
    /// For signed replies and reactions: keep the event when its target is not stored yet,
    /// and attach it when the target arrives; `None` refuses it ([`InsertOutcome::TargetNotFound`]).
    pub wait_for_target: Option<WaitingRule>,
    /// The event's signed Nostr form, to be published to relays once stored (queued in the
    /// same transaction).
    pub publish: Option<Publication>,
}

/// A signed Nostr event to publish to relays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Publication {
    /// Its NIP-01 id (hex).
    pub nostr_id: String,
    /// The signed event, verbatim (JSON text).
    pub nostr_event: String,
    /// The relays (`ws:` or `wss:` URLs, normalised).
    pub relays: Vec<String>,
}

/// A queued event taken for sending to one relay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxItem {
    /// Its NIP-01 id (hex).
    pub nostr_id: String,
    /// The signed event (JSON text).
    pub nostr_event: String,
    /// Attempts so far, this one included.
    pub attempts: i64,
}

/// Where an event stands with one relay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryState {
    /// Not sent yet, or to be sent again.
    Pending,
    /// The relay has it (`OK true`, or `duplicate:`).
    Delivered,
    /// The relay refused it for good (`invalid:`, `blocked:`, `restricted:`, `pow:`).
    Refused,
}

impl DeliveryState {
    /// The name kept in the database.
    pub fn name(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Delivered => "delivered",
            Self::Refused => "refused",
        }
    }

    /// The state of a stored name.
    pub fn of(name: &str) -> Option<Self> {
        [Self::Pending, Self::Delivered, Self::Refused]
            .into_iter()
            .find(|state| state.name() == name)
    }
}

/// What came of one attempt to publish to one relay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxAnswer {
    /// The new state.
    pub state: DeliveryState,
    /// The relay's message, or why the attempt failed.
    pub reason: Option<String>,
    /// When to try again (ms), for [`DeliveryState::Pending`].
    pub next_attempt_ms: i64,
}

/// An event's state with one relay, for the post page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// The relay.
    pub relay: String,
    /// Where it stands.
    pub state: DeliveryState,
    /// The relay's last message, or why the last attempt failed.
    pub reason: Option<String>,
    /// Attempts so far.
    pub attempts: i64,
    /// When it was last sent (ms).
    pub last_attempt_ms: Option<i64>,
    /// When it is sent next, while pending (ms).
    pub next_attempt_ms: i64,
}

/// A verified NIP-65 relay list (kind 10002).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelayListUpdate {
    /// The key it belongs to (hex).
    pub pubkey: AuthorAddress,
    /// Its signed `created_at` (seconds).
    pub created_at: i64,
    /// Its NIP-01 id (hex).
    pub event_id: String,
    /// The relays the key writes to, normalised.
    pub write_relays: Vec<String>,
    /// The signed event, verbatim.
    pub event_json: String,
}

/// What relay connections subscribe to: the Nostr ids of events held here (for replies,
/// reactions and deletions) and the keys of Nostr authors (for profiles and relay lists).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SubscriptionTargets {
    /// Nostr event ids (hex), newest events first.
    pub event_ids: Vec<String>,
    /// Nostr public keys (hex), most recently active first.
    pub authors: Vec<String>,
}

/// Where reading one relay stands.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RelayReadState {
    /// The newest `created_at` taken from it (seconds).
    pub since_s: Option<i64>,
    /// Its connection's last error, in words.
    pub last_error: Option<String>,
}

/// How an event was deleted, for a reader who asks for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deletion {
    /// Deleted by its own signer (NIP-09), not by a moderator.
    pub by_author: bool,
    /// When (ms).
    pub at_ms: i64,
}

/// How long, and how many, replies and reactions may wait for their target
/// (DECISIONS.md "Arrival order does not matter").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WaitingRule {
    /// When the event is dropped if its target has not arrived (ms).
    pub expires_at_ms: i64,
    /// The most events one signing key may have waiting.
    pub max_per_signer: u32,
    /// The most events waiting in all.
    pub max_total: u32,
}

/// What happened to an insert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InsertOutcome {
    /// Stored under this key.
    Stored {
        /// The new row's key.
        key: i64,
    },
    /// An event with one of the same ids is stored already.
    Duplicate,
    /// This signer already did the same to the same target.
    DuplicateAction,
    /// One of the event's ids was banned by a moderator.
    Banned,
    /// Stored under this key; its target is not here yet, and it is attached (and counted)
    /// when the target arrives.
    Waiting {
        /// The new row's key.
        key: i64,
    },
    /// The target is not here and too many events are waiting already (for this signer or
    /// in all).
    WaitingFull,
    /// The target is not stored here.
    TargetNotFound,
    /// The target was deleted by a moderator.
    TargetDeleted,
}

/// A moderator's delete, or an admin's undo of one.
#[derive(Debug, Clone)]
pub struct Moderation {
    /// The moderation event.
    pub event: NewEvent,
    /// The verified moderator or admin who signed it.
    pub moderator: AuthorAddress,
    /// The time (ms).
    pub now_ms: i64,
}

/// What a delete did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeleteOutcome {
    /// Recorded; `hidden` events (targets and their replies) no longer show.
    Deleted {
        /// How many events it hid.
        hidden: u64,
    },
    /// This moderation event was recorded before.
    Duplicate,
    /// An author's delete names no event that the author signed: nothing changed.
    NotAuthor,
    /// An author's delete names no event stored here.
    NothingStored,
}

/// An author's own delete of events it signed (NIP-09 kind 5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorDeletion {
    /// The kind-5 event's NIP-01 id (hex), which it is recorded under.
    pub nostr_id: String,
    /// Its verified signer.
    pub author: AuthorAddress,
    /// The ids it names (its `e` tags, lower-case hex).
    pub target_ids: Vec<String>,
    /// The signed kind-5 event, verbatim.
    pub event_json: String,
    /// The time (ms).
    pub now_ms: i64,
}

/// What an undo did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RestoreOutcome {
    /// The moderations were undone and their events show again.
    Restored {
        /// How many moderations were undone.
        undone: u64,
    },
    /// No standing moderation matches the given ids.
    NothingToRestore,
    /// This restore event was recorded before.
    Duplicate,
}

/// One entry of the moderation audit trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModerationRecord {
    /// Its row id.
    pub id: i64,
    /// The moderation event's spasmid.
    pub spasmid: String,
    /// `delete` or `restore`.
    pub action: String,
    /// Who signed it.
    pub moderator: String,
    /// The ids it names (JSON array text).
    pub target_ids: String,
    /// When (ms).
    pub at_ms: i64,
    /// When an admin undid it.
    pub undone_at_ms: Option<i64>,
    /// Who undid it.
    pub undone_by: Option<String>,
}

/// An admin-signed event (`app-config*`, `admin*`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminEvent {
    /// The action.
    pub action: String,
    /// The verified admin.
    pub signer: String,
    /// Its content (the settings JSON for app-config).
    pub content: String,
    /// When it was stored (ms).
    pub added_at_ms: i64,
}

/// The stored state of a background job (`forum::jobs`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JobState {
    /// The job's name (`pull:<source>`, `expire-waiting`).
    pub name: String,
    /// The address the state was learnt from (a source's URL).
    pub source_url: Option<String>,
    /// Until when the run that took the job holds it: its writes name this lease.
    pub lease_until_ms: Option<i64>,
    /// Where the next run continues (a peer's event key).
    pub cursor: Option<String>,
    /// What the source supports, once found out (`since` or `window`).
    pub mode: Option<String>,
    /// The last answer's `ETag`.
    pub etag: Option<String>,
    /// The last answer's `Last-Modified`.
    pub last_modified: Option<String>,
    /// When the last run ended (ms).
    pub last_run_ms: Option<i64>,
    /// When a run last succeeded (ms).
    pub last_success_ms: Option<i64>,
    /// The last failure, in words.
    pub last_error: Option<String>,
    /// When it failed (ms).
    pub last_error_ms: Option<i64>,
    /// Failed runs since the last success.
    pub failures: i64,
    /// When the job runs next (ms).
    pub next_attempt_ms: i64,
    /// Whether the host paused it.
    pub paused: bool,
    /// Whether the host asked for a run now.
    pub run_requested: bool,
    /// Items stored, over every run.
    pub taken: i64,
    /// Items refused over every run, by reason (a JSON object of counts).
    pub refused: String,
    /// The last run in words.
    pub last_report: Option<String>,
    /// When a newest-only window last held nothing seen before (ms).
    pub possibly_incomplete_ms: Option<i64>,
}

/// Where `spasm-forum import` stands with one table of an old server's database
/// (`forum::import`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportProgress {
    /// The old database, as [`crate::import::ImportOptions::source`] names it (no password).
    pub source: String,
    /// The old table (`spasm_events`, `admin_events`, `app_configs`).
    pub table: String,
    /// The last `db_key` of that table fed through the ingest (0 before the first).
    pub last_db_key: i64,
    /// Whether the table was read to its end by the run that wrote this.
    pub finished: bool,
    /// When this was written (ms).
    pub updated_at_ms: i64,
}

/// The storage interface of the forum: intention-revealing reads and writes, each write one
/// transaction.
#[async_trait]
pub trait Store: Send + Sync + std::fmt::Debug {
    /// Which database this is.
    fn backend(&self) -> Backend;

    /// Checks that the database answers.
    async fn ping(&self) -> Result<(), StorageError>;

    /// Takes the lock of a group of background jobs, so that one process at a time runs
    /// them; `None` while another holds it. The lock is released when the returned value is
    /// dropped, or when its owner dies.
    async fn try_job_lock(
        &self,
        group: JobGroup,
    ) -> Result<Option<Box<dyn HeldJobLock>>, StorageError>;

    /// Waits until the change log may have moved: a commit in this process, or on
    /// PostgreSQL a notification from any process (or a lost notification channel). A hint
    /// only: the change log ([`Store::changes`]) says what changed.
    async fn changed(&self);

    /// A number that moves whenever what is stored may have changed: every commit in this
    /// process before its caller is answered, and every notification from another process.
    /// Two equal readings mean nothing changed in between, so an answer made from the store
    /// may be kept while it holds (the store's own read cache and the server's page cache).
    fn content_version(&self) -> u64;

    /// The use of the database connections readers share (on PostgreSQL also the writers').
    fn pool_use(&self) -> PoolUse;

    /// The standing write fault: the last write this process tried failed, and none has
    /// succeeded since (a full disk, a database restarting). `None` while writes succeed.
    fn write_fault(&self) -> Option<WriteFault>;

    /// Checks that the database takes writes: one small write through the write queue (it
    /// clears [`Store::write_fault`] when it succeeds).
    async fn probe_write(&self, now_ms: i64) -> Result<(), StorageError>;

    /// Stores an event with its ids, authors, categories and keywords; for replies and
    /// reactions also checks the target and the signer's earlier actions and increments the
    /// target's counters, all in one transaction.
    async fn insert_event(&self, insert: Insert) -> Result<InsertOutcome, StorageError>;

    /// Records a moderator's delete: hides the targets and every reply below them, bans
    /// the targets' ids, and keeps the audit record.
    async fn delete_by_moderator(
        &self,
        moderation: Moderation,
    ) -> Result<DeleteOutcome, StorageError>;

    /// Records an author's own delete (NIP-09 kind 5, checked to be signed by the targets'
    /// signer): hides and bans like a moderator's delete, recorded as `delete-by-author`.
    async fn delete_by_author(
        &self,
        deletion: AuthorDeletion,
    ) -> Result<DeleteOutcome, StorageError>;

    /// How the event with this id was deleted, while the delete stands.
    async fn deletion_of(&self, id: &str) -> Result<Option<Deletion>, StorageError>;

    /// Undoes the standing deletes named by the event's parent ids (a moderation's spasmid
    /// or a deleted event's id): shows their events again and lifts their bans.
    async fn restore_by_admin(
        &self,
        moderation: Moderation,
    ) -> Result<RestoreOutcome, StorageError>;

    /// Stores an admin-signed event; `false` when it was stored before.
    async fn insert_admin_event(
        &self,
        event: NewEvent,
        signer: AuthorAddress,
        now_ms: i64,
    ) -> Result<bool, StorageError>;

    /// The newest admin events whose action starts with `action_prefix`, newest first.
    async fn latest_admin_events(
        &self,
        action_prefix: &str,
        limit: u32,
    ) -> Result<Vec<AdminEvent>, StorageError>;

    /// Keeps a Nostr profile unless a newer one of its key is stored; `false` when the
    /// stored one is newer (or the same).
    async fn save_nostr_profile(
        &self,
        update: ProfileUpdate,
        now_ms: i64,
        publish: Option<Publication>,
    ) -> Result<bool, StorageError>;

    /// Keeps a NIP-65 relay list unless a newer one of its key is stored; `false` then.
    async fn save_relay_list(
        &self,
        update: RelayListUpdate,
        now_ms: i64,
    ) -> Result<bool, StorageError>;

    /// The write relays of the key's stored NIP-65 list.
    async fn write_relays(&self, pubkey: &AuthorAddress) -> Result<Vec<String>, StorageError>;

    /// Queues an event stored here for publication (an author's later request); how many
    /// relays it was queued for anew.
    async fn queue_publication(
        &self,
        publication: Publication,
        event_key: Option<i64>,
        now_ms: i64,
    ) -> Result<u64, StorageError>;

    /// Takes at most `limit` events due for `relay` until `lease_until_ms`, counting the
    /// attempt.
    async fn claim_outbox(
        &self,
        relay: &str,
        now_ms: i64,
        lease_until_ms: i64,
        limit: u32,
    ) -> Result<Vec<OutboxItem>, StorageError>;

    /// Records what came of sending `nostr_id` to `relay`.
    async fn answer_outbox(
        &self,
        relay: &str,
        nostr_id: &str,
        answer: OutboxAnswer,
    ) -> Result<(), StorageError>;

    /// Where a Nostr event stands with each relay it was queued for.
    async fn deliveries(&self, nostr_id: &str) -> Result<Vec<Delivery>, StorageError>;

    /// How many events wait to be published and are due before `due_before_ms`, per relay.
    async fn outbox_backlog(&self, due_before_ms: i64) -> Result<Vec<(String, i64)>, StorageError>;

    /// What relay connections subscribe to: at most `max_ids` ids and `max_authors` keys.
    async fn subscription_targets(
        &self,
        max_ids: u32,
        max_authors: u32,
    ) -> Result<SubscriptionTargets, StorageError>;

    /// Where reading `relay` stands.
    async fn relay_read_state(&self, relay: &str) -> Result<RelayReadState, StorageError>;

    /// Moves the reading position of `relay` forward to `since_s` (never back).
    async fn save_relay_since(
        &self,
        relay: &str,
        since_s: i64,
        now_ms: i64,
    ) -> Result<(), StorageError>;

    /// Records the last error of the connection to `relay` (`None`: it works).
    async fn save_relay_error(
        &self,
        relay: &str,
        error: Option<String>,
        now_ms: i64,
    ) -> Result<(), StorageError>;

    /// The stored profile of a Nostr key.
    async fn nostr_profile(
        &self,
        pubkey: &AuthorAddress,
    ) -> Result<Option<StoredProfile>, StorageError>;

    /// The feed: visible events matching `filter`, newest first. `min_reactions` is the
    /// hot/rising threshold when the filter asks for one.
    async fn feed(
        &self,
        filter: &FeedFilter,
        min_reactions: Option<i64>,
        page: Page,
    ) -> Result<Vec<StoredEvent>, StorageError>;

    /// A full-text search ([`crate::search`]): visible posts and replies whose title and
    /// content have every word of `query`, matching `filter`, newest first (`page.since`
    /// is not used).
    async fn search(
        &self,
        query: &SearchQuery,
        filter: &FeedFilter,
        min_reactions: Option<i64>,
        page: Page,
    ) -> Result<Vec<StoredEvent>, StorageError>;

    /// Indexes stored events for search (`(key, words)`, the words from
    /// [`crate::search::indexed_words`]) that are not indexed yet; how many were added.
    /// New events are indexed as they are stored: this is for the ones stored before.
    async fn index_for_search(&self, entries: Vec<(i64, String)>) -> Result<u64, StorageError>;

    /// The visible event with this id (any of its ids).
    async fn event_by_id(&self, id: &str) -> Result<Option<StoredEvent>, StorageError>;

    /// The visible event with an id that starts with `prefix` (short ids).
    async fn event_by_id_prefix(&self, prefix: &str) -> Result<Option<StoredEvent>, StorageError>;

    /// The keys of the stored events with any of these ids.
    async fn keys_of_ids(&self, ids: &[&str]) -> Result<Vec<i64>, StorageError>;

    /// `(id, reaction name)` of each reaction that one of `signers` (normalised addresses)
    /// gave to an event with one of `ids`, visible or not.
    async fn reactions_by(
        &self,
        signers: &[&str],
        ids: &[&str],
    ) -> Result<Vec<(String, String)>, StorageError>;

    /// Visible events whose parent is one of `parents`, with one of `actions` (all when
    /// `None`), newest first.
    async fn children(
        &self,
        parents: &[i64],
        actions: Option<&[String]>,
        page: Page,
    ) -> Result<Vec<StoredEvent>, StorageError>;

    /// Visible replies of the `parents`, oldest first, at most `limit` (one tree level).
    async fn replies(&self, parents: &[i64], limit: u32) -> Result<Vec<StoredEvent>, StorageError>;

    /// `(root, total)`: the visible replies below each of `roots` at any depth (the whole
    /// discussion a post or comment started), for the roots that have any.
    async fn thread_reply_totals(&self, roots: &[i64]) -> Result<Vec<(i64, i64)>, StorageError>;

    /// The visible events above the event `key` (its parent, the parent's parent, …), at most
    /// `limit`, the farthest (the thread's post) first.
    async fn ancestors(&self, key: i64, limit: u32) -> Result<Vec<StoredEvent>, StorageError>;

    /// Visible events that `author` verifiably signed, newest first.
    async fn by_author(
        &self,
        author: &AuthorAddress,
        page: Page,
    ) -> Result<Vec<StoredEvent>, StorageError>;

    /// The moderation audit trail, newest first.
    async fn moderations(&self, page: Page) -> Result<Vec<ModerationRecord>, StorageError>;

    /// The change log after change `after`, oldest first, at most `limit` entries: every
    /// committed change exactly once, in commit order, whatever the concurrency.
    async fn changes(&self, after: i64, limit: u32) -> Result<Vec<Change>, StorageError>;

    /// The newest change's number (0 before the first).
    async fn last_change(&self) -> Result<i64, StorageError>;

    /// Every stored row of `table` after row `after_key` (hidden events too), in key order,
    /// at most `limit`: for upgrades that reread what is stored.
    async fn stored_forms(
        &self,
        table: FormTable,
        after_key: i64,
        limit: u32,
    ) -> Result<Vec<StoredForm>, StorageError>;

    /// Up to `limit` stored rows of `table` (hidden events too) chosen at random, in key
    /// order: for `spasm-forum check`.
    async fn sample_forms(
        &self,
        table: FormTable,
        limit: u32,
    ) -> Result<Vec<StoredForm>, StorageError>;

    /// How many rows `table` holds (hidden events too).
    async fn form_count(&self, table: FormTable) -> Result<u64, StorageError>;

    /// SQLite's `PRAGMA integrity_check`: the problems it names, none when the file is
    /// sound; `None` on PostgreSQL, which has no such check.
    async fn integrity_check(&self) -> Result<Option<Vec<String>>, StorageError>;

    /// Where imports from the old database `source` stand, one entry per table.
    async fn import_progress(&self, source: &str) -> Result<Vec<ImportProgress>, StorageError>;

    /// Records where imports stand (each entry replaces the one of its source and table),
    /// all in one transaction.
    async fn save_import_progress(&self, progress: Vec<ImportProgress>)
    -> Result<(), StorageError>;

    /// Adds an id to a stored event's ids, so that it is found by that id too; `false`
    /// when another event (or this one) has it already.
    async fn add_event_id(&self, key: i64, id: EventId) -> Result<bool, StorageError>;

    /// Gives a stored moderation or admin event (one id each, by which resubmissions are
    /// recognised) another spasmid; `false` when another row of its table has it, and for
    /// [`FormTable::Events`], whose events keep every id ([`Store::add_event_id`]).
    async fn replace_spasmid(
        &self,
        table: FormTable,
        key: i64,
        spasmid: String,
    ) -> Result<bool, StorageError>;

    /// Whether the data upgrade `name` has finished on this database.
    async fn upgrade_done(&self, name: &str) -> Result<bool, StorageError>;

    /// Records that the data upgrade `name` finished.
    async fn mark_upgrade_done(&self, name: &str, now_ms: i64) -> Result<(), StorageError>;

    /// Drops (hides) the replies and reactions whose target has not arrived by `now_ms`;
    /// how many.
    async fn expire_waiting(&self, now_ms: i64) -> Result<u64, StorageError>;

    /// How many events wait for their target.
    async fn waiting_count(&self) -> Result<u64, StorageError>;

    /// Every job's stored state, by name.
    async fn job_states(&self) -> Result<Vec<JobState>, StorageError>;

    /// Takes job `name` (creating its state) until `lease_until_ms` when it is due (or an
    /// admin asked for a run) and no other run holds it; its state when taken.
    async fn claim_job(
        &self,
        name: &str,
        now_ms: i64,
        lease_until_ms: i64,
    ) -> Result<Option<JobState>, StorageError>;

    /// Saves where a running job continues (after the page it read is stored), while the
    /// run still holds `lease_until_ms`.
    async fn save_job_cursor(
        &self,
        name: &str,
        cursor: &str,
        lease_until_ms: Option<i64>,
    ) -> Result<(), StorageError>;

    /// Lets every job go, whoever's run held it: for the scheduler that just became the
    /// only one ([`JobGroup::Scheduled`]'s lock), so that a dead owner's runs do not hold
    /// their jobs until their leases end. How many were held.
    async fn release_all_jobs(&self) -> Result<u64, StorageError>;

    /// Lets a job go without a run's outcome (a run cut off at stop), if it still holds
    /// `lease_until_ms`.
    async fn release_job(&self, name: &str, lease_until_ms: i64) -> Result<(), StorageError>;

    /// Stores a job's state after a run and lets the job go, if the run still holds the
    /// lease it took (`state.lease_until_ms`); `false` when it did not.
    async fn finish_job(&self, state: JobState) -> Result<bool, StorageError>;

    /// Pauses or resumes job `name`, or (with `run_now`) schedules it at once.
    async fn steer_job(
        &self,
        name: &str,
        paused: Option<bool>,
        run_now: bool,
    ) -> Result<(), StorageError>;
}

/// The tables that keep signed events in their database form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormTable {
    /// Posts, replies and reactions (`events`).
    Events,
    /// Moderators' deletes and admins' restores (`moderations`).
    Moderations,
    /// Admin-signed settings and other admin events (`admin_events`).
    AdminEvents,
}

/// A stored event as [`Store::stored_forms`] gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredForm {
    /// Its row key.
    pub key: i64,
    /// The spasmid it was stored under.
    pub spasmid: String,
    /// The database form as stored.
    pub event_json: String,
}
