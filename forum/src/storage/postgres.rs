//! PostgreSQL through sqlx: the [`Executor`] of a `PgConnection`, the pool and migrations,
//! the writers, the numbering of changes, and the listener that follows other processes.
//!
//! Each process runs [`WRITERS`] writers (`writer.rs`) in parallel, each on a connection of
//! its own while it writes, since every statement is a round trip. Once a group has
//! committed, a background task numbers its changes (`changes.rs`) in a short transaction
//! that holds a transaction-level advisory lock ([`WRITE_LOCK_ID`]): numbering takes turns
//! across every process sharing the database, while the writes run and commit in parallel,
//! and one run numbers whatever committed meanwhile. A numbering sends
//! `NOTIFY spasm_changes` with its commit; every process listens, and drops its cached
//! reads.

use std::str::FromStr;
use std::sync::{Arc, Weak};
use std::time::Duration;

use async_trait::async_trait;
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgArguments, PgConnectOptions, PgListener, PgPoolOptions, PgRow};
use sqlx::query::Query;
use sqlx::{Column, PgConnection, PgPool, Postgres, Row as _, TypeInfo};
use tokio::sync::Notify;

use super::database::{Database, ReadConnections};
use super::executor::{Cell, Executor, Param, Row, Script};
use super::job_lock::{HeldJobLock, JobGroup, JobLocks};
use super::read_cache::ReadCache;
use super::writer::{self, WriteConnection, WriteLimits};
use super::{Backend, PoolUse, StorageError, WRITE_LOCK_ID, statements};

static MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

/// Writers per process.
const WRITERS: usize = 12;

/// Pool size, shared by the writers (each holds a connection only while it writes), the
/// numbering and the readers.
const CONNECTIONS: u32 = 16;

/// The channel of the commits' notifications.
const CHANNEL: &str = "spasm_changes";

/// A numbering's first round trip (a simple query): a transaction that takes the advisory
/// lock, held until its commit, and numbers the committed changes.
static NUMBERING: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "BEGIN; SELECT pg_advisory_xact_lock({WRITE_LOCK_ID}); {}",
        statements::NUMBER_CHANGES
    )
});

impl From<sqlx::Error> for StorageError {
    /// Connection, I/O, pool and server-side resource errors (SQLSTATE classes 08
    /// connection, 53 insufficient resources such as a full disk, 57 operator intervention
    /// such as a shutdown, 58 system errors) are [`StorageError::Unavailable`]; anything
    /// else refused one statement.
    fn from(error: sqlx::Error) -> Self {
        let unavailable = match &error {
            sqlx::Error::Database(database) => database.code().is_some_and(|code| {
                ["08", "53", "57", "58"]
                    .iter()
                    .any(|class| code.starts_with(class))
            }),
            sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::Protocol(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed => true,
            _ => false,
        };
        if unavailable {
            Self::Unavailable(error.to_string())
        } else {
            Self::Database(error.to_string())
        }
    }
}

fn bind<'q>(
    mut query: Query<'q, Postgres, PgArguments>,
    params: &[Param<'q>],
) -> Query<'q, Postgres, PgArguments> {
    for param in params {
        query = match *param {
            Param::Int(value) => query.bind(value),
            Param::Text(value) => query.bind(value),
            Param::NullInt => query.bind(None::<i64>),
            Param::NullText => query.bind(None::<&str>),
        };
    }
    query
}

fn row_of(row: &PgRow) -> Result<Row, StorageError> {
    row.columns()
        .iter()
        .map(|column| {
            let index = column.ordinal();
            Ok(match column.type_info().name() {
                "INT8" => row
                    .try_get::<Option<i64>, _>(index)?
                    .map_or(Cell::Null, Cell::Int),
                "INT4" => row
                    .try_get::<Option<i32>, _>(index)?
                    .map_or(Cell::Null, |value| Cell::Int(value.into())),
                "INT2" => row
                    .try_get::<Option<i16>, _>(index)?
                    .map_or(Cell::Null, |value| Cell::Int(value.into())),
                "BOOL" => row
                    .try_get::<Option<bool>, _>(index)?
                    .map_or(Cell::Null, |value| Cell::Int(value.into())),
                "VOID" => Cell::Null,
                _ => row
                    .try_get::<Option<String>, _>(index)?
                    .map_or(Cell::Null, Cell::Text),
            })
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Row)
}

#[async_trait]
impl Executor for PgConnection {
    /// Without parameters, the statement goes as a simple query (one round trip, several
    /// statements allowed); with them, as a prepared statement kept by the connection.
    async fn execute(&mut self, sql: &str, params: &[Param<'_>]) -> Result<u64, StorageError> {
        let done = if params.is_empty() {
            sqlx::Executor::execute(&mut *self, sql).await?
        } else {
            bind(sqlx::query(sql), params).execute(&mut *self).await?
        };
        Ok(done.rows_affected())
    }

    async fn fetch_all(
        &mut self,
        sql: &str,
        params: &[Param<'_>],
    ) -> Result<Vec<Row>, StorageError> {
        bind(sqlx::query(sql), params)
            .fetch_all(&mut *self)
            .await?
            .iter()
            .map(row_of)
            .collect()
    }
}

/// Connects to PostgreSQL at `url`, migrates it, and starts its writer and listener.
pub(super) async fn open(url: &str, limits: WriteLimits) -> Result<Database, StorageError> {
    let options = PgConnectOptions::from_str(url)?;
    let pool = PgPoolOptions::new()
        .max_connections(CONNECTIONS)
        // Fail fast with a clear error when the server is unreachable.
        .acquire_timeout(Duration::from_secs(5))
        .connect_with(options.clone())
        .await?;
    MIGRATIONS
        .run(&pool)
        .await
        .map_err(|error| StorageError::Migrate(error.to_string()))?;
    let cache = Arc::new(ReadCache::default());
    let mut listener = PgListener::connect_with(&pool).await?;
    listener.listen(CHANNEL).await?;
    tokio::spawn(follow_other_processes(listener, Arc::downgrade(&cache)));
    let wanted = Arc::new(Notify::new());
    let numbering = Arc::new(Numbering {
        pool: pool.clone(),
        wanted: Arc::clone(&wanted),
    });
    // What a process that stopped between a commit and its numbering left behind.
    numbering.run().await?;
    tokio::spawn(number_in_background(Arc::downgrade(&numbering), wanted));
    let (queue, jobs) = writer::queue(limits);
    for _ in 0..WRITERS {
        let committed = Arc::clone(&cache);
        tokio::spawn(writer::run(
            PgWriter {
                pool: pool.clone(),
                connection: None,
                numbering: Arc::clone(&numbering),
            },
            Arc::clone(&jobs),
            move || committed.moved(),
        ));
    }
    Ok(Database::new(
        Backend::Postgres,
        Box::new(PgReaders { pool }),
        queue,
        cache,
        Box::new(PgJobLocks { options }),
    ))
}

/// Job locks as session-level advisory locks, each on a connection of its own.
#[derive(Debug)]
struct PgJobLocks {
    options: PgConnectOptions,
}

/// How long a held lock's connection may take to answer before the lock counts as lost
/// (`jobs::exclusive::HANDOVER` is longer than a check period and this).
const LOCK_CHECK_TIMEOUT: Duration = Duration::from_secs(2);

#[async_trait]
impl JobLocks for PgJobLocks {
    async fn try_lock(
        &self,
        group: JobGroup,
    ) -> Result<Option<Box<dyn HeldJobLock>>, StorageError> {
        use sqlx::Connection as _;
        // The server must notice a lock owner whose machine vanished (no FIN, no RST): TCP
        // keepalives every second after 3 idle seconds, 3 unanswered probes, and at most 10
        // s of unacknowledged data, instead of the system's two hours.
        let options = self.options.clone().options([
            ("tcp_keepalives_idle", "3"),
            ("tcp_keepalives_interval", "1"),
            ("tcp_keepalives_count", "3"),
            ("tcp_user_timeout", "10000"),
        ]);
        let mut connection =
            tokio::time::timeout(LOCK_CHECK_TIMEOUT, PgConnection::connect_with(&options))
                .await
                .map_err(|_| {
                    StorageError::Unavailable("the job lock's connection timed out".into())
                })??;
        let taken: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
            .bind(group.advisory_key())
            .fetch_one(&mut connection)
            .await?;
        if taken {
            Ok(Some(Box::new(HeldAdvisoryLock { connection })))
        } else {
            let _ = connection.close().await;
            Ok(None)
        }
    }
}

/// A held advisory lock: the session that holds it. Dropping it closes the connection,
/// which releases the lock.
#[derive(Debug)]
struct HeldAdvisoryLock {
    connection: PgConnection,
}

#[async_trait]
impl HeldJobLock for HeldAdvisoryLock {
    async fn still_held(&mut self) -> bool {
        let answered = tokio::time::timeout(
            LOCK_CHECK_TIMEOUT,
            sqlx::query("SELECT 1").execute(&mut self.connection),
        )
        .await;
        matches!(answered, Ok(Ok(_)))
    }
}

/// Drops cached reads whenever any process commits (its own included), and whenever the
/// channel was lost (notifications may have been missed). Ends with the store.
async fn follow_other_processes(mut listener: PgListener, cache: Weak<ReadCache>) {
    loop {
        let received = listener.try_recv().await;
        let Some(cache) = cache.upgrade() else {
            return;
        };
        cache.moved();
        if let Err(error) = received {
            tracing::warn!(%error, "lost the PostgreSQL change notifications; retrying");
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }
}

/// How long a numbering run waits for more commits to number with the first.
const NUMBERING_DELAY: Duration = Duration::from_millis(20);

/// Numbers committed changes in the background: one run at a time in this process, each
/// numbering whatever committed before it began, under the advisory lock across processes.
#[derive(Debug)]
struct Numbering {
    pool: PgPool,
    /// Asks for a run: commits since the last one wait to be numbered.
    wanted: Arc<Notify>,
}

impl Numbering {
    /// One run: a transaction that takes the advisory lock, numbers the committed changes,
    /// tells every process, and commits (two round trips).
    async fn run(&self) -> Result<(), StorageError> {
        let mut connection = self.pool.acquire().await?;
        let db: &mut PgConnection = &mut connection;
        let numbered = match db.execute(&NUMBERING, &[]).await {
            Ok(_) => db.execute("NOTIFY spasm_changes; COMMIT", &[]).await,
            Err(error) => Err(error),
        };
        if numbered.is_err() {
            // The connection may be broken or mid-transaction: never hand it back.
            drop(connection.detach());
        }
        numbered.map(drop)
    }
}

impl Drop for Numbering {
    /// Ends the background task with the store.
    fn drop(&mut self) {
        self.wanted.notify_one();
    }
}

/// Runs the numbering whenever a commit asks for it, until the store is gone; a failed run
/// is tried again a second later.
async fn number_in_background(numbering: Weak<Numbering>, wanted: Arc<Notify>) {
    loop {
        wanted.notified().await;
        // The commits of the next moments are numbered by the same run: each run is a
        // transaction, a commit and a notification to every process, whatever it numbers.
        tokio::time::sleep(NUMBERING_DELAY).await;
        let Some(numbering) = numbering.upgrade() else {
            return;
        };
        if let Err(error) = numbering.run().await {
            tracing::error!(%error, "committed changes could not be numbered yet; retrying");
            tokio::time::sleep(Duration::from_secs(1)).await;
            wanted.notify_one();
        }
    }
}

/// A writer's connection, taken from the pool for each group.
struct PgWriter {
    pool: PgPool,
    connection: Option<PoolConnection<Postgres>>,
    numbering: Arc<Numbering>,
}

#[async_trait]
impl WriteConnection for PgWriter {
    async fn begin(&mut self) -> Result<&mut dyn Executor, StorageError> {
        if self.connection.is_none() {
            self.connection = Some(self.pool.acquire().await?);
        }
        let Some(connection) = self.connection.as_mut() else {
            return Err(StorageError::Worker("no writer connection".into()));
        };
        let db: &mut PgConnection = connection;
        db.execute("BEGIN", &[]).await?;
        Ok(db)
    }

    /// The connection goes back to the pool between groups, so that an idle writer holds
    /// none; one that failed may be broken or mid-transaction and is closed instead.
    fn end_group(&mut self, failed: bool) {
        if let Some(connection) = self.connection.take()
            && failed
        {
            drop(connection.detach());
        }
    }

    fn numbering(&self) -> Option<&'static str> {
        None
    }

    async fn after_commit(&mut self) -> Result<(), StorageError> {
        self.numbering.wanted.notify_one();
        Ok(())
    }
}

/// Readers share the pool.
#[derive(Debug)]
struct PgReaders {
    pool: PgPool,
}

#[async_trait]
impl ReadConnections for PgReaders {
    fn pool_use(&self) -> PoolUse {
        PoolUse {
            open: usize::try_from(self.pool.size()).unwrap_or(usize::MAX),
            idle: self.pool.num_idle(),
            max: CONNECTIONS as usize,
        }
    }

    async fn read(&self, script: Script<()>) -> Result<(), StorageError> {
        let mut connection = self.pool.acquire().await?;
        script(&mut *connection).await
    }
}
