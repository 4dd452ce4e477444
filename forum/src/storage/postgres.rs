//! PostgreSQL through sqlx: the [`Executor`] of a `PgConnection`, the pool and migrations,
//! the writer task, and the listener that follows other processes' commits.
//!
//! Each process has one writer (`writer.rs`) on one connection of the pool. Every group of
//! writes begins with a transaction-level advisory lock, so the writers of every process
//! sharing the database take turns: change numbers are drawn in commit order (see
//! `changes.rs`), and a group costs one lock and one commit however many writes it holds.
//! A group that kept changes sends `NOTIFY spasm_changes` with its commit; every process
//! listens, and drops its cached reads when another one committed.

use std::str::FromStr;
use std::sync::{Arc, Weak};
use std::time::Duration;

use async_trait::async_trait;
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgArguments, PgConnectOptions, PgListener, PgPoolOptions, PgRow};
use sqlx::query::Query;
use sqlx::{Column, PgConnection, PgPool, Postgres, Row as _, TypeInfo};

use super::database::{Database, ReadConnections};
use super::executor::{Cell, Executor, Param, Row, Script};
use super::read_cache::ReadCache;
use super::writer::{self, WriteConnection, WriteLimits};
use super::{Backend, StorageError, WRITE_LOCK_ID};

static MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

/// Pool size: the writer's connection, the listener's, and readers.
const CONNECTIONS: u32 = 16;

/// The channel of the commits' notifications, and the statement that sends one.
const CHANNEL: &str = "spasm_changes";
const NOTIFY: &str = "NOTIFY spasm_changes";

impl From<sqlx::Error> for StorageError {
    fn from(error: sqlx::Error) -> Self {
        Self::Database(error.to_string())
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
    async fn execute(&mut self, sql: &str, params: &[Param<'_>]) -> Result<u64, StorageError> {
        Ok(bind(sqlx::query(sql), params)
            .execute(&mut *self)
            .await?
            .rows_affected())
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
        .connect_with(options)
        .await?;
    MIGRATIONS
        .run(&pool)
        .await
        .map_err(|error| StorageError::Migrate(error.to_string()))?;
    let cache = Arc::new(ReadCache::default());
    let mut listener = PgListener::connect_with(&pool).await?;
    listener.listen(CHANNEL).await?;
    tokio::spawn(follow_other_processes(listener, Arc::downgrade(&cache)));
    let (queue, jobs) = writer::queue(limits);
    let committed = Arc::clone(&cache);
    tokio::spawn(writer::run(
        PgWriter {
            pool: pool.clone(),
            connection: None,
        },
        jobs,
        move || committed.moved(),
    ));
    Ok(Database::new(
        Backend::Postgres,
        Box::new(PgReaders { pool }),
        queue,
        cache,
    ))
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

/// The writer's connection, taken from the pool and kept while it works.
struct PgWriter {
    pool: PgPool,
    connection: Option<PoolConnection<Postgres>>,
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
        db.execute("SELECT pg_advisory_xact_lock($1)", &[WRITE_LOCK_ID.into()])
            .await?;
        Ok(db)
    }

    fn end_group(&mut self, failed: bool) {
        if failed {
            // The connection may be broken or mid-transaction: never hand it back.
            if let Some(connection) = self.connection.take() {
                drop(connection.detach());
            }
        }
    }

    fn before_commit(&self) -> &'static [&'static str] {
        &[NOTIFY]
    }
}

/// Readers share the pool.
#[derive(Debug)]
struct PgReaders {
    pool: PgPool,
}

#[async_trait]
impl ReadConnections for PgReaders {
    async fn read(&self, script: Script<()>) -> Result<(), StorageError> {
        let mut connection = self.pool.acquire().await?;
        script(&mut *connection).await
    }
}
