//! Where events are kept: an SQLite file in the data directory by default, or PostgreSQL.

use std::path::Path;
use std::str::FromStr;

use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

/// The file name of the SQLite database inside the data directory.
pub const SQLITE_FILE_NAME: &str = "forum.sqlite3";

/// Why the database could not be opened or reached.
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
    /// The database driver failed.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

/// An open connection pool to the instance's database.
#[derive(Debug, Clone)]
pub enum Database {
    /// SQLite, the default: one file, no set-up.
    Sqlite(SqlitePool),
    /// PostgreSQL, for large instances.
    Postgres(PgPool),
}

impl Database {
    /// Opens the SQLite database in `data_dir`, creating the directory and file if needed.
    pub async fn open_sqlite(data_dir: &Path) -> Result<Self, StorageError> {
        std::fs::create_dir_all(data_dir).map_err(|source| StorageError::DataDir {
            path: data_dir.display().to_string(),
            source,
        })?;
        let options = SqliteConnectOptions::new()
            .filename(data_dir.join(SQLITE_FILE_NAME))
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // With WAL, NORMAL keeps every committed transaction across a process crash.
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(std::time::Duration::from_secs(5))
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await?;
        Ok(Self::Sqlite(pool))
    }

    /// Connects to PostgreSQL at `url`.
    pub async fn open_postgres(url: &str) -> Result<Self, StorageError> {
        let options = sqlx::postgres::PgConnectOptions::from_str(url)?;
        let pool = PgPoolOptions::new()
            .max_connections(16)
            // Fail fast with a clear error when the server is unreachable, instead of
            // retrying for sqlx's default 30 s.
            .acquire_timeout(std::time::Duration::from_secs(5))
            .connect_with(options)
            .await?;
        Ok(Self::Postgres(pool))
    }

    /// The database named by `database_url`, or SQLite in `data_dir` when there is none.
    pub async fn open(database_url: Option<&str>, data_dir: &Path) -> Result<Self, StorageError> {
        match database_url {
            Some(url) => Self::open_postgres(url).await,
            None => Self::open_sqlite(data_dir).await,
        }
    }

    /// A short name of the backend, for logs and health checks.
    pub fn backend(&self) -> &'static str {
        match self {
            Self::Sqlite(_) => "sqlite",
            Self::Postgres(_) => "postgres",
        }
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> Result<(), StorageError> {
        match self {
            Self::Sqlite(pool) => sqlx::query("SELECT 1").execute(pool).await.map(drop)?,
            Self::Postgres(pool) => sqlx::query("SELECT 1").execute(pool).await.map(drop)?,
        }
        Ok(())
    }
}
