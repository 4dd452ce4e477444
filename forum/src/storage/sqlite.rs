//! SQLite through rusqlite: the [`Executor`] of a rusqlite connection, the file's settings
//! and migrations, reader connections, and the writer thread.
//!
//! SQLite has one writer at a time, so the store has exactly one writing connection, on a
//! thread of its own that runs the shared write queue (`writer.rs`): `BEGIN IMMEDIATE` takes
//! the file's write lock for each group. Reads run on a few reader connections beside it
//! (WAL lets them), each on a blocking thread. Every statement is a direct call: the
//! executor's futures are ready when first polled.

use std::future::Future;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use async_trait::async_trait;
use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, OpenFlags, ToSql};
use tokio::sync::Semaphore;

use super::backup::{IN_USE_FILE_NAME, open_in_use};
use super::database::{Database, ReadConnections};
use super::executor::{Cell, Executor, Param, Row, Script};
use super::job_lock::FileJobLocks;
use super::read_cache::ReadCache;
use super::writer::{self, WriteConnection, WriteLimits};
use super::{Backend, PoolUse, SQLITE_FILE_NAME, StorageError};

/// The schema, in order; `PRAGMA user_version` records how many were applied.
const MIGRATIONS: [&str; 10] = [
    include_str!("../../migrations/sqlite/0001_events.sql"),
    include_str!("../../migrations/sqlite/0002_nostr_profiles.sql"),
    include_str!("../../migrations/sqlite/0003_change_log.sql"),
    include_str!("../../migrations/sqlite/0004_change_log_by_rowid.sql"),
    include_str!("../../migrations/sqlite/0005_upgrades.sql"),
    include_str!("../../migrations/sqlite/0006_network.sql"),
    include_str!("../../migrations/sqlite/0007_nostr.sql"),
    include_str!("../../migrations/sqlite/0008_import_progress.sql"),
    include_str!("../../migrations/sqlite/0009_write_probe.sql"),
    include_str!("../../migrations/sqlite/0010_search.sql"),
];

/// Reader connections.
const READERS: usize = 4;

impl From<rusqlite::Error> for StorageError {
    /// A full disk, an I/O error, a file that cannot be opened or locked is
    /// [`StorageError::Unavailable`]; anything else refused one statement.
    fn from(error: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode;
        let unavailable = matches!(
            error.sqlite_error_code(),
            Some(
                ErrorCode::DiskFull
                    | ErrorCode::SystemIoFailure
                    | ErrorCode::CannotOpen
                    | ErrorCode::DatabaseBusy
                    | ErrorCode::DatabaseLocked
                    | ErrorCode::ReadOnly
                    | ErrorCode::OutOfMemory
                    | ErrorCode::FileLockingProtocolFailed
            )
        );
        if unavailable {
            Self::Unavailable(error.to_string())
        } else {
            Self::Database(error.to_string())
        }
    }
}

impl ToSql for Param<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match self {
            Self::Int(value) => ValueRef::Integer(*value),
            Self::Text(value) => ValueRef::Text(value.as_bytes()),
            Self::NullInt | Self::NullText => ValueRef::Null,
        }))
    }
}

/// The shared `$N` SQL as SQLite's `?N`.
fn sqlite_sql(sql: &str) -> String {
    sql.replace('$', "?")
}

fn row_of(row: &rusqlite::Row<'_>, columns: usize) -> rusqlite::Result<Row> {
    (0..columns)
        .map(|index| {
            Ok(match row.get_ref(index)? {
                ValueRef::Null => Cell::Null,
                ValueRef::Integer(value) => Cell::Int(value),
                ValueRef::Text(text) => Cell::Text(String::from_utf8_lossy(text).into_owned()),
                ValueRef::Real(value) => Cell::Text(value.to_string()),
                ValueRef::Blob(bytes) => Cell::Text(String::from_utf8_lossy(bytes).into_owned()),
            })
        })
        .collect::<rusqlite::Result<Vec<_>>>()
        .map(Row)
}

#[async_trait]
impl Executor for Connection {
    async fn execute(&mut self, sql: &str, params: &[Param<'_>]) -> Result<u64, StorageError> {
        let mut statement = self.prepare_cached(&sqlite_sql(sql))?;
        let changed = statement.execute(rusqlite::params_from_iter(params))?;
        Ok(changed as u64)
    }

    async fn fetch_all(
        &mut self,
        sql: &str,
        params: &[Param<'_>],
    ) -> Result<Vec<Row>, StorageError> {
        let mut statement = self.prepare_cached(&sqlite_sql(sql))?;
        let columns = statement.column_count();
        let rows = statement
            .query_map(rusqlite::params_from_iter(params), |row| {
                row_of(row, columns)
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }
}

/// Runs a script to its end on this thread: the SQLite executor never waits.
fn run_here<T>(script: impl Future<Output = Result<T, StorageError>>) -> Result<T, StorageError> {
    let mut script = std::pin::pin!(script);
    match script
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(result) => result,
        Poll::Pending => Err(StorageError::Worker(
            "an SQLite script waited for something other than SQLite".into(),
        )),
    }
}

/// Opens a connection with the forum's settings.
fn connect(path: &Path, flags: OpenFlags) -> Result<Connection, rusqlite::Error> {
    let connection = Connection::open_with_flags(path, flags)?;
    // WAL: readers never wait for the writer. NORMAL: every committed transaction survives
    // a crash of the process (not of the machine).
    connection.pragma_update(None, "journal_mode", "WAL")?;
    connection.pragma_update(None, "synchronous", "NORMAL")?;
    connection.pragma_update(None, "foreign_keys", "ON")?;
    connection.busy_timeout(Duration::from_secs(10))?;
    connection.set_prepared_statement_cache_capacity(128);
    Ok(connection)
}

fn migrate(connection: &mut Connection) -> Result<(), rusqlite::Error> {
    let applied: i64 = connection.pragma_query_value(None, "user_version", |row| row.get(0))?;
    for (index, migration) in MIGRATIONS.iter().enumerate() {
        let version = i64::try_from(index + 1).unwrap_or(i64::MAX);
        if version <= applied {
            continue;
        }
        let transaction = connection.transaction()?;
        transaction.execute_batch(migration)?;
        transaction.pragma_update(None, "user_version", version)?;
        transaction.commit()?;
    }
    Ok(())
}

/// Opens (and creates) the database file in `data_dir`, migrates it, and starts its writer.
pub(super) async fn open(data_dir: &Path, limits: WriteLimits) -> Result<Database, StorageError> {
    std::fs::create_dir_all(data_dir).map_err(|source| StorageError::DataDir {
        path: data_dir.display().to_string(),
        source,
    })?;
    // Held shared while the store is open, so that a restore never replaces the file under
    // a running forum (`backup.rs`).
    let in_use_path = data_dir.join(IN_USE_FILE_NAME);
    let in_use =
        open_in_use(&in_use_path).map_err(|error| StorageError::Database(error.to_string()))?;
    match in_use.try_lock_shared() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            return Err(StorageError::Database(format!(
                "a restore is replacing the database in {}; start again when it is done",
                data_dir.display()
            )));
        }
        Err(std::fs::TryLockError::Error(error)) => {
            return Err(StorageError::Database(format!(
                "cannot lock {}: {error}",
                in_use_path.display()
            )));
        }
    }
    let path = data_dir.join(SQLITE_FILE_NAME);
    let (writer, checkpointer, readers) = tokio::task::spawn_blocking(move || {
        let mut writer = connect(&path, OpenFlags::default())?;
        migrate(&mut writer)?;
        // Checkpoints run beside the writer (`checkpoint_in_background`), not in its commits.
        writer.pragma_update(None, "wal_autocheckpoint", 0)?;
        let checkpointer = connect(&path, OpenFlags::default())?;
        let readers = (0..READERS)
            .map(|_| {
                connect(
                    &path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok::<_, rusqlite::Error>((writer, checkpointer, readers))
    })
    .await
    .map_err(|error| StorageError::Worker(error.to_string()))??;
    let cache = Arc::new(ReadCache::default());
    let (queue, jobs) = writer::queue(limits);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .map_err(|error| StorageError::Worker(error.to_string()))?;
    let committed = Arc::clone(&cache);
    // The writer holds the checkpointer's line: when the writer ends, so does it.
    let (writing, written) = std::sync::mpsc::channel::<()>();
    std::thread::Builder::new()
        .name("sqlite-checkpoint".into())
        .spawn(move || checkpoint_in_background(&checkpointer, &written))
        .map_err(|error| StorageError::Worker(error.to_string()))?;
    std::thread::Builder::new()
        .name("sqlite-writer".into())
        .spawn(move || {
            let _writing = writing;
            runtime.block_on(writer::run(SqliteWriter(writer), jobs, move || {
                committed.moved();
            }));
        })
        .map_err(|error| StorageError::Worker(error.to_string()))?;
    let readers = SqliteReaders {
        connections: Mutex::new(readers),
        permits: Semaphore::new(READERS),
    };
    Ok(Database::new(
        Backend::Sqlite,
        Box::new(readers),
        queue,
        cache,
        Box::new(FileJobLocks {
            dir: data_dir.to_owned(),
            _in_use: Some(in_use),
        }),
    ))
}

/// How often the WAL is copied back into the database file.
const CHECKPOINT_INTERVAL: Duration = Duration::from_millis(250);

/// Copies committed pages from the WAL into the database file every
/// [`CHECKPOINT_INTERVAL`], until the writer ends. SQLite's automatic checkpoint runs inside
/// the commit that crosses its threshold, on the writer's thread, which is every write's one
/// lane; here it runs on a thread of its own (PASSIVE: it never waits for readers or the
/// writer, and does what it can). Measured with `cargo xtask load` and perf: the writer
/// spent most of its time in the kernel, much of it on checkpoints.
fn checkpoint_in_background(connection: &Connection, writer: &std::sync::mpsc::Receiver<()>) {
    loop {
        let ended = matches!(
            writer.recv_timeout(CHECKPOINT_INTERVAL),
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected)
        );
        if let Err(error) = connection.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
            tracing::warn!(%error, "the WAL checkpoint failed; it is tried again");
        }
        if ended {
            return;
        }
    }
}

/// The writing connection.
struct SqliteWriter(Connection);

#[async_trait]
impl WriteConnection for SqliteWriter {
    async fn begin(&mut self) -> Result<&mut dyn Executor, StorageError> {
        // IMMEDIATE takes the write lock now, not at the first write.
        self.0.execute_batch("BEGIN IMMEDIATE")?;
        Ok(&mut self.0)
    }

    fn end_group(&mut self, _failed: bool) {}

    fn numbering(&self) -> Option<&'static str> {
        // A change's number is its rowid, given as it is recorded: the group has held the
        // file's write lock since `BEGIN IMMEDIATE`, so rows are inserted in commit order.
        None
    }
}

/// The reader connections and the permits that share them.
#[derive(Debug)]
struct SqliteReaders {
    connections: Mutex<Vec<Connection>>,
    permits: Semaphore,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    match mutex.lock() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    }
}

#[async_trait]
impl ReadConnections for SqliteReaders {
    fn pool_use(&self) -> PoolUse {
        PoolUse {
            open: READERS,
            idle: self.permits.available_permits(),
            max: READERS,
        }
    }

    async fn read(&self, script: Script<()>) -> Result<(), StorageError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|error| StorageError::Worker(error.to_string()))?;
        let mut connection = lock(&self.connections)
            .pop()
            .ok_or_else(|| StorageError::Worker("no reader connection".into()))?;
        let (result, connection) = tokio::task::spawn_blocking(move || {
            let result = run_here(script(&mut connection));
            (result, connection)
        })
        .await
        .map_err(|error| StorageError::Worker(error.to_string()))?;
        lock(&self.connections).push(connection);
        result
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    /// A database of the third schema, with its change log, keeps every number through the
    /// fourth (numbers by rowid), and numbering goes on after them.
    #[test]
    fn the_change_log_keeps_its_numbers_when_numbered_by_rowid() {
        let mut connection = Connection::open_in_memory().unwrap();
        for migration in &MIGRATIONS[..3] {
            connection.execute_batch(migration).unwrap();
        }
        connection
            .execute_batch(
                "INSERT INTO events (spasmid, action, is_signed, added_at_ms, updated_at_ms, \
                     origin, event_json) VALUES ('a', 'post', 1, 10, 10, 'submit', '{}'); \
                 INSERT INTO changes (kind, subject, at_ms) VALUES ('delete', 'd', 11); \
                 UPDATE changes SET seq = 2 WHERE seq IS NULL; \
                 INSERT INTO changes (kind, subject, at_ms) VALUES ('restore', 'r', 12);",
            )
            .unwrap();
        connection.pragma_update(None, "user_version", 3).unwrap();
        migrate(&mut connection).unwrap();
        connection
            .execute_batch(
                "INSERT INTO events (spasmid, action, is_signed, added_at_ms, updated_at_ms, \
                     origin, event_json) VALUES ('b', 'post', 1, 13, 13, 'submit', '{}')",
            )
            .unwrap();
        let log: Vec<(i64, String, String)> = connection
            .prepare("SELECT seq, kind, subject FROM changes ORDER BY seq")
            .unwrap()
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let expected = [
            (1, "event", "a"),
            (2, "delete", "d"),
            (3, "restore", "r"),
            (4, "event", "b"),
        ]
        .map(|(seq, kind, subject)| (seq, kind.to_owned(), subject.to_owned()));
        assert_eq!(log, expected);
    }
}
