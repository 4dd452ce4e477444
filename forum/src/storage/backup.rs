//! Backups of the SQLite database while the forum serves, and their restore.
//!
//! A backup is `VACUUM INTO` a temporary file beside the destination, on a connection of its
//! own: SQLite copies one read snapshot, so the copy holds every transaction committed
//! before it began (every submit acknowledged by then) and none half. The file is synced,
//! then renamed into place, so a crash never leaves a half-written backup under its name.
//!
//! A restore refuses while any process has the database open: every store takes a shared
//! lock on `forum.sqlite3.in-use` for as long as it is open (`sqlite.rs`), and the restore
//! takes it exclusively. The database it replaces is kept beside it, never deleted.
//! PostgreSQL has its own tools (`pg_dump`, `pg_restore`; see the README).

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};

use super::SQLITE_FILE_NAME;

/// The file every open store holds a shared lock on, beside the database.
pub(super) const IN_USE_FILE_NAME: &str = "forum.sqlite3.in-use";

/// Why a backup or restore did not happen; nothing was changed then.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// There is no forum database where one was expected.
    #[error("there is no forum database at {0}")]
    NoDatabase(String),
    /// A forum process has the database open.
    #[error(
        "a forum process has the database in {0} open: stop every `spasm-forum` using this data directory, then restore"
    )]
    InUse(String),
    /// The file to restore is not a forum database, or a damaged one.
    #[error("{path} is not a sound forum database: {reason}")]
    NotAForumDatabase {
        /// The file.
        path: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The destination exists already.
    #[error("{0} exists already; choose a new name (a backup never overwrites a file)")]
    Exists(String),
    /// A file could not be read, written or renamed.
    #[error("{action} {path}: {source}")]
    File {
        /// What was being done.
        action: &'static str,
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// SQLite refused (the driver's message).
    #[error("the database refused: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

/// What a backup wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupReport {
    /// The backup file.
    pub path: PathBuf,
    /// Its size, in bytes.
    pub bytes: u64,
}

/// What a restore did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestoreReport {
    /// Where the database that was replaced is kept; `None` when there was none.
    pub previous: Option<PathBuf>,
}

fn file_error(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> BackupError {
    let path = path.display().to_string();
    move |source| BackupError::File {
        action,
        path,
        source,
    }
}

/// A temporary name beside `path`.
fn temporary_beside(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".partial-{}", std::process::id()));
    path.with_file_name(name)
}

/// Copies the database in `data_dir` to `destination` while the forum may serve (SQLite's
/// `VACUUM INTO`, a consistent snapshot), under a temporary name, synced, then renamed.
///
/// # Errors
/// [`BackupError::NoDatabase`], [`BackupError::Exists`] when `destination` exists, or the
/// file system's or SQLite's refusal; the temporary file is removed then.
pub fn backup_sqlite(data_dir: &Path, destination: &Path) -> Result<BackupReport, BackupError> {
    let database = data_dir.join(SQLITE_FILE_NAME);
    if !database.exists() {
        return Err(BackupError::NoDatabase(database.display().to_string()));
    }
    if destination.exists() {
        return Err(BackupError::Exists(destination.display().to_string()));
    }
    let partial = temporary_beside(destination);
    let _ = std::fs::remove_file(&partial);
    let copied = (|| {
        let connection = Connection::open_with_flags(&database, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        connection.busy_timeout(std::time::Duration::from_secs(10))?;
        let target = partial.to_string_lossy().into_owned();
        connection.execute("VACUUM INTO ?1", [target])?;
        File::open(&partial)
            .and_then(|file| file.sync_all())
            .map_err(file_error("cannot sync", &partial))?;
        std::fs::rename(&partial, destination).map_err(file_error("cannot rename", &partial))
    })();
    if let Err(error) = copied {
        let _ = std::fs::remove_file(&partial);
        return Err(error);
    }
    let bytes = std::fs::metadata(destination)
        .map_err(file_error("cannot read", destination))?
        .len();
    Ok(BackupReport {
        path: destination.to_owned(),
        bytes,
    })
}

/// Checks that `path` is a sound forum database: SQLite's integrity check passes and the
/// forum's schema is there.
fn check_forum_database(path: &Path) -> Result<(), BackupError> {
    let not_forum = |reason: String| BackupError::NotAForumDatabase {
        path: path.display().to_string(),
        reason,
    };
    if !path.is_file() {
        return Err(not_forum("no such file".into()));
    }
    let connection = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|error| not_forum(error.to_string()))?;
    let integrity: String = connection
        .query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .map_err(|error| not_forum(error.to_string()))?;
    if integrity != "ok" {
        return Err(not_forum(format!("integrity check: {integrity}")));
    }
    let version: i64 = connection
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .map_err(|error| not_forum(error.to_string()))?;
    let has_events: bool = connection
        .query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'events')",
            [],
            |row| row.get(0),
        )
        .map_err(|error| not_forum(error.to_string()))?;
    if version < 1 || !has_events {
        return Err(not_forum("it has no forum tables".into()));
    }
    Ok(())
}

/// Makes the backup `source` the database of `data_dir`: refuses while any process has that
/// database open, checks `source`, keeps the database it replaces as
/// `forum.sqlite3.before-restore-<ms>` (with its WAL), and moves a synced copy into place.
///
/// # Errors
/// [`BackupError::InUse`], [`BackupError::NotAForumDatabase`], or the file system's refusal;
/// the data directory is unchanged then.
pub fn restore_sqlite(data_dir: &Path, source: &Path) -> Result<RestoreReport, BackupError> {
    check_forum_database(source)?;
    std::fs::create_dir_all(data_dir).map_err(file_error("cannot create", data_dir))?;
    let in_use_path = data_dir.join(IN_USE_FILE_NAME);
    let in_use = open_in_use(&in_use_path)?;
    match in_use.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            return Err(BackupError::InUse(data_dir.display().to_string()));
        }
        Err(std::fs::TryLockError::Error(error)) => {
            return Err(file_error("cannot lock", &in_use_path)(error));
        }
    }
    let database = data_dir.join(SQLITE_FILE_NAME);
    let partial = temporary_beside(&database);
    std::fs::copy(source, &partial).map_err(file_error("cannot copy to", &partial))?;
    File::open(&partial)
        .and_then(|file| file.sync_all())
        .map_err(file_error("cannot sync", &partial))?;
    let mut previous = None;
    if database.exists() {
        let kept = data_dir.join(format!(
            "{SQLITE_FILE_NAME}.before-restore-{}",
            crate::service::now_ms()
        ));
        std::fs::rename(&database, &kept).map_err(file_error("cannot move aside", &database))?;
        // The old database's WAL belongs to it: left beside the new file, SQLite would
        // replay it into the restored database.
        for suffix in ["-wal", "-shm"] {
            let side = data_dir.join(format!("{SQLITE_FILE_NAME}{suffix}"));
            if side.exists() {
                let kept_side = PathBuf::from(format!("{}{suffix}", kept.display()));
                std::fs::rename(&side, &kept_side)
                    .map_err(file_error("cannot move aside", &side))?;
            }
        }
        previous = Some(kept);
    }
    std::fs::rename(&partial, &database).map_err(file_error("cannot rename", &partial))?;
    drop(in_use);
    Ok(RestoreReport { previous })
}

/// Whether a store has the SQLite database in `data_dir` open now (in this process or
/// another).
///
/// # Errors
/// When the lock file cannot be opened or locked.
pub fn sqlite_in_use(data_dir: &Path) -> Result<bool, BackupError> {
    let path = data_dir.join(IN_USE_FILE_NAME);
    if !path.exists() {
        return Ok(false);
    }
    let file = open_in_use(&path)?;
    match file.try_lock() {
        Ok(()) => Ok(false),
        Err(std::fs::TryLockError::WouldBlock) => Ok(true),
        Err(std::fs::TryLockError::Error(error)) => Err(file_error("cannot lock", &path)(error)),
    }
}

/// Opens (creating) the in-use lock file.
pub(super) fn open_in_use(path: &Path) -> Result<File, BackupError> {
    OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(file_error("cannot open", path))
}
