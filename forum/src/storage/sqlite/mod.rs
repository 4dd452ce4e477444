//! [`SqliteStore`]: the [`Store`] on an SQLite file (WAL) through rusqlite.
//!
//! SQLite has one writer at a time, so this store has exactly one writing connection, on a
//! thread of its own. Writes queue for it and are committed in groups: the thread takes
//! every write waiting, runs each in a savepoint of one transaction (a refused write rolls
//! back only its own savepoint), commits once, and only then answers each caller, so an
//! answered write is committed. Reads run on a few reader connections beside it (WAL lets
//! them), each call on a blocking thread. Every statement is a direct call, without a
//! thread hop per statement.

mod reads;
mod writes;

use std::path::Path;
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use async_trait::async_trait;
use rusqlite::{Connection, OpenFlags};
use tokio::sync::{Semaphore, oneshot};

use super::statements::Bound;
use super::{
    AdminEvent, Backend, DeleteOutcome, Insert, InsertOutcome, Moderation, ModerationRecord,
    RestoreOutcome, SQLITE_FILE_NAME, StorageError, Store,
};
use crate::address::AuthorAddress;
use crate::envelope::StoredEvent;
use crate::profile::{ProfileUpdate, StoredProfile};
use crate::query::{FeedFilter, Page};
use crate::record::NewEvent;

/// The schema, in order; `PRAGMA user_version` records how many were applied.
const MIGRATIONS: [&str; 2] = [
    include_str!("../../../migrations/sqlite/0001_events.sql"),
    include_str!("../../../migrations/sqlite/0002_nostr_profiles.sql"),
];

/// Reader connections.
const READERS: usize = 4;
/// The most writes committed together.
const MAX_GROUP: usize = 256;

/// What the writer thread runs: a write's work, which returns whether to keep it and how to
/// answer once the group's commit is known.
type Job = Box<dyn FnOnce(&Connection) -> (bool, Reply) + Send>;
type Reply = Box<dyn FnOnce(Result<(), String>) + Send>;

/// The store on SQLite.
#[derive(Clone)]
pub struct SqliteStore {
    writer: mpsc::Sender<Job>,
    readers: Arc<Mutex<Vec<Connection>>>,
    read_permits: Arc<Semaphore>,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore").finish_non_exhaustive()
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

impl SqliteStore {
    /// Opens (and creates) the database file in `data_dir`, and migrates it.
    pub async fn open(data_dir: &Path) -> Result<Self, StorageError> {
        std::fs::create_dir_all(data_dir).map_err(|source| StorageError::DataDir {
            path: data_dir.display().to_string(),
            source,
        })?;
        let path = data_dir.join(SQLITE_FILE_NAME);
        let (writer, readers) = tokio::task::spawn_blocking(move || {
            let mut writer = connect(&path, OpenFlags::default())?;
            migrate(&mut writer)?;
            let readers = (0..READERS)
                .map(|_| {
                    connect(
                        &path,
                        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                    )
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok::<_, rusqlite::Error>((writer, readers))
        })
        .await
        .map_err(|error| StorageError::Worker(error.to_string()))??;
        let (sender, receiver) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || write_loop(&writer, &receiver))
            .map_err(|error| StorageError::Worker(error.to_string()))?;
        Ok(Self {
            writer: sender,
            readers: Arc::new(Mutex::new(readers)),
            read_permits: Arc::new(Semaphore::new(READERS)),
        })
    }

    /// Runs `work` in the writer's next group; `work` returns its result and whether to keep
    /// its changes.
    async fn write<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Connection) -> Result<(T, bool), StorageError> + Send + 'static,
    ) -> Result<T, StorageError> {
        let (answer, answered) = oneshot::channel();
        let job: Job = Box::new(move |connection| {
            let result = work(connection);
            let keep = matches!(result, Ok((_, true)));
            let reply: Reply = Box::new(move |committed| {
                let outcome = match (result, committed) {
                    (Ok((value, true)), Err(error)) => {
                        drop(value);
                        Err(StorageError::Commit(error))
                    }
                    (Ok((value, _)), _) => Ok(value),
                    (Err(error), _) => Err(error),
                };
                let _ = answer.send(outcome);
            });
            (keep, reply)
        });
        self.writer
            .send(job)
            .map_err(|_| StorageError::Worker("the SQLite writer stopped".into()))?;
        answered
            .await
            .map_err(|_| StorageError::Worker("the SQLite writer dropped a write".into()))?
    }

    /// Runs `work` on a reader connection, on a blocking thread.
    async fn read<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Connection) -> Result<T, StorageError> + Send + 'static,
    ) -> Result<T, StorageError> {
        let _permit = self
            .read_permits
            .acquire()
            .await
            .map_err(|error| StorageError::Worker(error.to_string()))?;
        let readers = Arc::clone(&self.readers);
        tokio::task::spawn_blocking(move || {
            let connection = lock(&readers)
                .pop()
                .ok_or_else(|| StorageError::Worker("no reader connection".into()))?;
            let result = work(&connection);
            lock(&readers).push(connection);
            result
        })
        .await
        .map_err(|error| StorageError::Worker(error.to_string()))?
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    match mutex.lock() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    }
}

/// The writer thread: groups of writes, one transaction per group, a savepoint per write.
fn write_loop(connection: &Connection, jobs: &mpsc::Receiver<Job>) {
    while let Ok(first) = jobs.recv() {
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match jobs.try_recv() {
                Ok(job) => group.push(job),
                Err(_) => break,
            }
        }
        let mut replies = Vec::with_capacity(group.len());
        let began = connection.execute_batch("BEGIN IMMEDIATE");
        for job in group {
            if let Err(error) = &began {
                let error = error.to_string();
                let (_, reply) = job(connection);
                replies.push((false, reply, Some(error)));
                continue;
            }
            let savepoint = connection.execute_batch("SAVEPOINT write");
            let (keep, reply) = job(connection);
            let closed = if keep && savepoint.is_ok() {
                connection.execute_batch("RELEASE write")
            } else {
                connection.execute_batch("ROLLBACK TO write; RELEASE write")
            };
            let failure = savepoint
                .err()
                .or(closed.err())
                .map(|error| error.to_string());
            replies.push((keep, reply, failure));
        }
        let committed = if began.is_ok() {
            connection.execute_batch("COMMIT").map_err(|error| {
                let _ = connection.execute_batch("ROLLBACK");
                error.to_string()
            })
        } else {
            Err("cannot begin a transaction".to_owned())
        };
        if let Err(error) = &committed {
            tracing::error!(%error, "an SQLite write group failed");
        }
        for (_, reply, failure) in replies {
            reply(match (failure, &committed) {
                (Some(error), _) => Err(error),
                (None, Err(error)) => Err(error.clone()),
                (None, Ok(())) => Ok(()),
            });
        }
    }
}

/// rusqlite parameters of bound values.
fn params(values: &[Bound]) -> impl rusqlite::Params + '_ {
    rusqlite::params_from_iter(values.iter().map(|value| match value {
        Bound::Int(value) => rusqlite::types::Value::Integer(*value),
        Bound::Text(value) => rusqlite::types::Value::Text(value.clone()),
    }))
}

/// The shared `$N` SQL as SQLite's `?N`.
fn sqlite_sql(sql: &str) -> String {
    sql.replace('$', "?")
}

#[async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> Backend {
        Backend::Sqlite
    }

    async fn ping(&self) -> Result<(), StorageError> {
        self.read(|connection| Ok(connection.query_row("SELECT 1", [], |_| Ok(()))?))
            .await
    }

    async fn insert_event(&self, insert: Insert<'_>) -> Result<InsertOutcome, StorageError> {
        let owned = writes::OwnedInsert::from(&insert);
        self.write(move |connection| {
            let outcome = writes::insert_event(connection, &owned)?;
            Ok((outcome, matches!(outcome, InsertOutcome::Stored { .. })))
        })
        .await
    }

    async fn delete_by_moderator(
        &self,
        moderation: Moderation<'_>,
    ) -> Result<DeleteOutcome, StorageError> {
        let owned = writes::OwnedModeration::from(&moderation);
        self.write(move |connection| {
            let outcome = writes::delete(connection, &owned)?;
            Ok((outcome, matches!(outcome, DeleteOutcome::Deleted { .. })))
        })
        .await
    }

    async fn restore_by_admin(
        &self,
        moderation: Moderation<'_>,
    ) -> Result<RestoreOutcome, StorageError> {
        let owned = writes::OwnedModeration::from(&moderation);
        self.write(move |connection| {
            let outcome = writes::restore(connection, &owned)?;
            Ok((outcome, matches!(outcome, RestoreOutcome::Restored { .. })))
        })
        .await
    }

    async fn insert_admin_event(
        &self,
        event: &NewEvent,
        signer: &AuthorAddress,
        now_ms: i64,
    ) -> Result<bool, StorageError> {
        let event = event.clone();
        let signer = signer.clone();
        self.write(move |connection| {
            let inserted = writes::insert_admin(connection, &event, &signer, now_ms)?;
            Ok((inserted, inserted))
        })
        .await
    }

    async fn latest_admin_events(
        &self,
        action_prefix: &str,
        limit: u32,
    ) -> Result<Vec<AdminEvent>, StorageError> {
        let prefix = action_prefix.to_owned();
        self.read(move |connection| reads::admin_events(connection, &prefix, limit))
            .await
    }

    async fn save_nostr_profile(
        &self,
        update: &ProfileUpdate,
        now_ms: i64,
    ) -> Result<bool, StorageError> {
        let update = update.clone();
        self.write(move |connection| {
            let saved = writes::save_profile(connection, &update, now_ms)?;
            Ok((saved, saved))
        })
        .await
    }

    async fn nostr_profile(
        &self,
        pubkey: &AuthorAddress,
    ) -> Result<Option<StoredProfile>, StorageError> {
        let pubkey = pubkey.clone();
        self.read(move |connection| reads::profile(connection, &pubkey))
            .await
    }

    async fn feed(
        &self,
        filter: &FeedFilter,
        min_reactions: Option<i64>,
        page: Page,
    ) -> Result<Vec<StoredEvent>, StorageError> {
        let (sql, ascending) = super::statements::feed(filter, min_reactions, page);
        self.read(move |connection| reads::events(connection, &sql, ascending))
            .await
    }

    async fn event_by_id(&self, id: &str) -> Result<Option<StoredEvent>, StorageError> {
        let sql = super::statements::event_by_id(id);
        let events = self
            .read(move |connection| reads::events(connection, &sql, false))
            .await?;
        Ok(events.into_iter().next())
    }

    async fn event_by_id_prefix(&self, prefix: &str) -> Result<Option<StoredEvent>, StorageError> {
        let sql = super::statements::event_by_id_prefix(prefix);
        let events = self
            .read(move |connection| reads::events(connection, &sql, false))
            .await?;
        Ok(events.into_iter().next())
    }

    async fn keys_of_ids(&self, ids: &[&str]) -> Result<Vec<i64>, StorageError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = super::statements::keys_of_ids(ids);
        self.read(move |connection| reads::keys(connection, &sql))
            .await
    }

    async fn children(
        &self,
        parents: &[i64],
        actions: Option<&[String]>,
        page: Page,
    ) -> Result<Vec<StoredEvent>, StorageError> {
        if parents.is_empty() || actions.is_some_and(<[String]>::is_empty) {
            return Ok(Vec::new());
        }
        let (sql, ascending) = super::statements::children(parents, actions, page);
        self.read(move |connection| reads::events(connection, &sql, ascending))
            .await
    }

    async fn replies(&self, parents: &[i64], limit: u32) -> Result<Vec<StoredEvent>, StorageError> {
        if parents.is_empty() {
            return Ok(Vec::new());
        }
        let sql = super::statements::replies(parents, limit);
        self.read(move |connection| reads::events(connection, &sql, false))
            .await
    }

    async fn by_author(
        &self,
        author: &AuthorAddress,
        page: Page,
    ) -> Result<Vec<StoredEvent>, StorageError> {
        let (sql, ascending) = super::statements::by_author(author.as_str(), page);
        self.read(move |connection| reads::events(connection, &sql, ascending))
            .await
    }

    async fn moderations(&self, page: Page) -> Result<Vec<ModerationRecord>, StorageError> {
        let (sql, ascending) = super::statements::moderations(page);
        self.read(move |connection| reads::moderations(connection, &sql, ascending))
            .await
    }
}
