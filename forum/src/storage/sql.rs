//! [`SqlStore`]: the [`Store`] of both backends, its connections and migrations.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::ConnectOptions;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions, install_default_drivers};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{AnyPool, Executor};

use super::{
    AdminEvent, Backend, DeleteOutcome, Insert, InsertOutcome, Moderation, ModerationRecord,
    RestoreOutcome, SQLITE_FILE_NAME, StorageError, Store,
};
use crate::address::AuthorAddress;
use crate::envelope::StoredEvent;
use crate::query::{FeedFilter, Page};
use crate::record::NewEvent;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

/// How many connections read SQLite at once (WAL lets readers run beside the writer).
const SQLITE_READERS: u32 = 4;
/// PostgreSQL pool size.
const POSTGRES_CONNECTIONS: u32 = 16;

/// The store on SQLite or PostgreSQL.
#[derive(Debug, Clone)]
pub struct SqlStore {
    backend: Backend,
    /// Connections for transactions that write. SQLite: exactly one, so writers queue in
    /// the pool instead of failing with "database is locked".
    pub(super) writer: AnyPool,
    /// Connections for reads.
    pub(super) reader: AnyPool,
}

impl SqlStore {
    /// Opens (and creates) the SQLite database in `data_dir`, and migrates it.
    pub async fn open_sqlite(data_dir: &Path) -> Result<Self, StorageError> {
        std::fs::create_dir_all(data_dir).map_err(|source| StorageError::DataDir {
            path: data_dir.display().to_string(),
            source,
        })?;
        install_default_drivers();
        let url = SqliteConnectOptions::new()
            .filename(data_dir.join(SQLITE_FILE_NAME))
            .create_if_missing(true)
            .to_url_lossy();
        let options = AnyConnectOptions::from_url(&url)?;
        let pool = |connections: u32| {
            AnyPoolOptions::new()
                .max_connections(connections)
                .acquire_timeout(Duration::from_secs(30))
                .after_connect(|connection, _| {
                    Box::pin(async move {
                        // WAL: readers never wait for the writer. NORMAL: every committed
                        // transaction survives a crash of the process (not of the machine).
                        connection
                            .execute(
                                "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                                 PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON;",
                            )
                            .await
                            .map(drop)
                    })
                })
                .connect_with(options.clone())
        };
        let writer = pool(1).await?;
        SQLITE_MIGRATIONS.run(&writer).await?;
        let reader = pool(SQLITE_READERS).await?;
        Ok(Self {
            backend: Backend::Sqlite,
            writer,
            reader,
        })
    }

    /// Connects to PostgreSQL at `url`, and migrates it.
    pub async fn open_postgres(url: &str) -> Result<Self, StorageError> {
        install_default_drivers();
        // Parsed first so that a malformed URL is reported as such.
        sqlx::postgres::PgConnectOptions::from_str(url)?;
        let pool = AnyPoolOptions::new()
            .max_connections(POSTGRES_CONNECTIONS)
            // Fail fast with a clear error when the server is unreachable.
            .acquire_timeout(Duration::from_secs(5))
            .connect(url)
            .await?;
        POSTGRES_MIGRATIONS.run(&pool).await?;
        Ok(Self {
            backend: Backend::Postgres,
            writer: pool.clone(),
            reader: pool,
        })
    }

    /// The database named by `database_url`, or SQLite in `data_dir` when there is none.
    pub async fn open(database_url: Option<&str>, data_dir: &Path) -> Result<Self, StorageError> {
        match database_url {
            Some(url) => Self::open_postgres(url).await,
            None => Self::open_sqlite(data_dir).await,
        }
    }
}

#[async_trait]
impl Store for SqlStore {
    fn backend(&self) -> Backend {
        self.backend
    }

    async fn ping(&self) -> Result<(), StorageError> {
        sqlx::query("SELECT 1").execute(&self.reader).await?;
        Ok(())
    }

    async fn insert_event(&self, insert: Insert<'_>) -> Result<InsertOutcome, StorageError> {
        self.insert_event_in_transaction(insert).await
    }

    async fn delete_by_moderator(
        &self,
        moderation: Moderation<'_>,
    ) -> Result<DeleteOutcome, StorageError> {
        self.delete_in_transaction(moderation).await
    }

    async fn restore_by_admin(
        &self,
        moderation: Moderation<'_>,
    ) -> Result<RestoreOutcome, StorageError> {
        self.restore_in_transaction(moderation).await
    }

    async fn insert_admin_event(
        &self,
        event: &NewEvent,
        signer: &AuthorAddress,
        now_ms: i64,
    ) -> Result<bool, StorageError> {
        self.insert_admin(event, signer, now_ms).await
    }

    async fn latest_admin_events(
        &self,
        action_prefix: &str,
        limit: u32,
    ) -> Result<Vec<AdminEvent>, StorageError> {
        self.read_admin_events(action_prefix, limit).await
    }

    async fn feed(
        &self,
        filter: &FeedFilter,
        min_reactions: Option<i64>,
        page: Page,
    ) -> Result<Vec<StoredEvent>, StorageError> {
        self.read_feed(filter, min_reactions, page).await
    }

    async fn event_by_id(&self, id: &str) -> Result<Option<StoredEvent>, StorageError> {
        self.read_event_by_id(id).await
    }

    async fn event_by_id_prefix(&self, prefix: &str) -> Result<Option<StoredEvent>, StorageError> {
        self.read_event_by_id_prefix(prefix).await
    }

    async fn keys_of_ids(&self, ids: &[&str]) -> Result<Vec<i64>, StorageError> {
        self.read_keys_of_ids(ids).await
    }

    async fn children(
        &self,
        parents: &[i64],
        actions: Option<&[String]>,
        page: Page,
    ) -> Result<Vec<StoredEvent>, StorageError> {
        self.read_children(parents, actions, page).await
    }

    async fn replies(&self, parents: &[i64], limit: u32) -> Result<Vec<StoredEvent>, StorageError> {
        self.read_replies(parents, limit).await
    }

    async fn by_author(
        &self,
        author: &AuthorAddress,
        page: Page,
    ) -> Result<Vec<StoredEvent>, StorageError> {
        self.read_by_author(author, page).await
    }

    async fn moderations(&self, page: Page) -> Result<Vec<ModerationRecord>, StorageError> {
        self.read_moderations(page).await
    }
}

/// `$start, $start+1, …` for `count` bound values.
pub(super) fn placeholders(start: usize, count: usize) -> String {
    (start..start + count)
        .map(|index| format!("${index}"))
        .collect::<Vec<_>>()
        .join(", ")
}
