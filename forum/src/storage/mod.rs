//! Where events are kept: an SQLite file in the data directory by default, or PostgreSQL.
//!
//! [`Store`] is the one interface the service uses, with two implementations chosen at run
//! time ([`open`]): [`SqliteStore`] (rusqlite, one writer thread committing writes in groups)
//! and [`PostgresStore`] (a sqlx pool). They share their SQL ([`statements`]) and each has
//! its own migrations in `forum/migrations/{sqlite,postgres}`, run at start.

mod postgres;
mod sqlite;
mod statements;

use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;

pub use postgres::PostgresStore;
pub use sqlite::SqliteStore;

use crate::address::AuthorAddress;
use crate::envelope::StoredEvent;
use crate::profile::{ProfileUpdate, StoredProfile};
use crate::query::{FeedFilter, Page};
use crate::record::NewEvent;

/// The file name of the SQLite database inside the data directory.
pub const SQLITE_FILE_NAME: &str = "forum.sqlite3";

/// Why the database failed. Details are for logs; users see a generic message.
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
    /// The PostgreSQL driver failed.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// SQLite failed.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A group of SQLite writes could not be committed.
    #[error("database commit failed: {0}")]
    Commit(String),
    /// A thread of the store stopped.
    #[error("database worker failed: {0}")]
    Worker(String),
    /// A migration failed.
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// Opens the database `database_url` names (PostgreSQL), or the SQLite file in `data_dir`
/// when there is none, and migrates it.
pub async fn open(
    database_url: Option<&str>,
    data_dir: &Path,
) -> Result<Arc<dyn Store>, StorageError> {
    Ok(match database_url {
        Some(url) => Arc::new(PostgresStore::open(url).await?),
        None => Arc::new(SqliteStore::open(data_dir).await?),
    })
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

/// How a reply or reaction relates to its target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetRule {
    /// The counter to increment on the target: `("react", name)` or `("reply", "")`.
    pub counter: Option<(String, String)>,
    /// When set, each verified signer may do this `(action, content digest)` only once to
    /// one target.
    pub once_per_signer: Option<(String, String)>,
}

/// One event to insert.
#[derive(Debug, Clone)]
pub struct Insert<'a> {
    /// The event.
    pub event: &'a NewEvent,
    /// Where it came from (`submit`, `federation:<name>`, `rss:<name>`).
    pub origin: &'a str,
    /// The time of storing (ms).
    pub now_ms: i64,
    /// For replies and reactions: the target must be stored and visible.
    pub target: Option<TargetRule>,
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
    /// The target is not stored here.
    TargetNotFound,
    /// The target was deleted by a moderator.
    TargetDeleted,
}

/// A moderator's delete, or an admin's undo of one.
#[derive(Debug, Clone)]
pub struct Moderation<'a> {
    /// The moderation event.
    pub event: &'a NewEvent,
    /// The verified moderator or admin who signed it.
    pub moderator: &'a AuthorAddress,
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

/// The storage interface of the forum: intention-revealing reads and writes, each write one
/// transaction.
#[async_trait]
pub trait Store: Send + Sync + std::fmt::Debug {
    /// Which database this is.
    fn backend(&self) -> Backend;

    /// Checks that the database answers.
    async fn ping(&self) -> Result<(), StorageError>;

    /// Stores an event with its ids, authors, categories and keywords; for replies and
    /// reactions also checks the target and the signer's earlier actions and increments the
    /// target's counters, all in one transaction.
    async fn insert_event(&self, insert: Insert<'_>) -> Result<InsertOutcome, StorageError>;

    /// Records a moderator's delete: hides the targets and every reply below them, bans
    /// the targets' ids, and keeps the audit record.
    async fn delete_by_moderator(
        &self,
        moderation: Moderation<'_>,
    ) -> Result<DeleteOutcome, StorageError>;

    /// Undoes the standing deletes named by the event's parent ids (a moderation's spasmid
    /// or a deleted event's id): shows their events again and lifts their bans.
    async fn restore_by_admin(
        &self,
        moderation: Moderation<'_>,
    ) -> Result<RestoreOutcome, StorageError>;

    /// Stores an admin-signed event; `false` when it was stored before.
    async fn insert_admin_event(
        &self,
        event: &NewEvent,
        signer: &AuthorAddress,
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
        update: &ProfileUpdate,
        now_ms: i64,
    ) -> Result<bool, StorageError>;

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

    /// The visible event with this id (any of its ids).
    async fn event_by_id(&self, id: &str) -> Result<Option<StoredEvent>, StorageError>;

    /// The visible event with an id that starts with `prefix` (short ids).
    async fn event_by_id_prefix(&self, prefix: &str) -> Result<Option<StoredEvent>, StorageError>;

    /// The keys of the stored events with any of these ids.
    async fn keys_of_ids(&self, ids: &[&str]) -> Result<Vec<i64>, StorageError>;

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

    /// Visible events that `author` verifiably signed, newest first.
    async fn by_author(
        &self,
        author: &AuthorAddress,
        page: Page,
    ) -> Result<Vec<StoredEvent>, StorageError>;

    /// The moderation audit trail, newest first.
    async fn moderations(&self, page: Page) -> Result<Vec<ModerationRecord>, StorageError>;
}
