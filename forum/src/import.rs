//! Moving in from an existing server's database (degenrocket-server, spasm-forum-server):
//! each row of its tables `app_configs`, `admin_events` and `spasm_events` is fed through
//! [`Forum::submit`] as [`Origin::Import`], the one ingest path, which verifies it again:
//! a forged row is refused like a forged submit, and counted by its reason.
//!
//! * Order: each table in `db_key` order; the three tables interleaved by the time the old
//!   server added their rows (`db_added_timestamp`), so that an app config (which may name
//!   moderators) comes in where it took effect there, and a moderator's delete after what it
//!   deleted. The old server hard-deleted a moderated row but kept the delete, which is
//!   imported as a ban of the ids it names: the deleted event is refused if it comes again.
//! * Resumable: where each table stands (its last imported `db_key`) is kept in the forum's
//!   own database ([`Store::save_import_progress`]) every batch and at the end. A run that
//!   stopped midway (a crash, Ctrl-C) is continued by the next; what it did after its last
//!   record is found already here.
//! * Idempotent: a run after a finished one reads everything again, and every row it
//!   imported before is already here.
//!
//! Reading the old database is the caller's ([`OldRows`]); the source is never written.

use std::collections::{BTreeMap, VecDeque};
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use async_trait::async_trait;

use crate::ingest::{Accepted, AcceptedKind, Origin, SubmitError};
use crate::service::{Forum, now_ms};
use crate::storage::{ImportProgress, StorageError};

/// How many refused rows of each reason the report names.
const EXAMPLES_PER_REASON: usize = 5;

/// How often a row the store was too busy for is tried again before the import stops.
const BUSY_RETRIES: u32 = 10;

/// A table of the old server's database that holds signed events in a `spasm_event` JSONB
/// column (`database.sql` of degenrocket-server and spasm-forum-server).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum OldTable {
    /// Admin-signed settings (`app-config*` actions).
    AppConfigs,
    /// Other admin-signed events (`admin*` actions).
    AdminEvents,
    /// Everything else: posts, replies, reactions, moderators' deletes, RSS items.
    SpasmEvents,
}

impl OldTable {
    /// Every table, in the order rows added at the same millisecond are imported.
    pub const ALL: [Self; 3] = [Self::AppConfigs, Self::AdminEvents, Self::SpasmEvents];

    /// The table's name in the old database.
    pub fn name(self) -> &'static str {
        match self {
            Self::AppConfigs => "app_configs",
            Self::AdminEvents => "admin_events",
            Self::SpasmEvents => "spasm_events",
        }
    }

    /// The table of a name.
    pub fn of_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|table| table.name() == name)
    }
}

impl fmt::Display for OldTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One row of an old table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OldRow {
    /// Its `db_key`.
    pub db_key: i64,
    /// Its `db_added_timestamp` (ms), when set.
    pub added_at_ms: Option<i64>,
    /// Its `spasm_event` as JSON text; `None` for SQL `NULL`.
    pub spasm_event: Option<String>,
}

/// The rows of the old database, read in `db_key` order. The import only reads.
#[async_trait]
pub trait OldRows: Send {
    /// Why a read failed.
    type Error: std::error::Error + Send + Sync + 'static;

    /// At most `limit` rows of `table` with a `db_key` above `after`, in `db_key` order.
    async fn rows_after(
        &mut self,
        table: OldTable,
        after: i64,
        limit: u32,
    ) -> Result<Vec<OldRow>, Self::Error>;

    /// How many rows of `table` have a `db_key` above `after`.
    async fn count_after(&mut self, table: OldTable, after: i64) -> Result<u64, Self::Error>;
}

/// What a run is told to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportOptions {
    /// The old database's name in the progress records (`user@host:port/database`, never a
    /// password): a run continues a stopped run of the same source.
    pub source: String,
    /// Rows read at once from each table, and rows between two progress records.
    pub batch_rows: u32,
}

/// Told how a run goes, to show its progress; every method does nothing by default.
pub trait ImportWatch: Sync {
    /// The rows this run is going to read (counted at its start).
    fn planned(&self, _rows: u64) {}

    /// One more row went through the ingest; `report` counts all so far.
    fn row_done(&self, _report: &ImportReport) {}
}

/// Watches nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct Unwatched;

impl ImportWatch for Unwatched {}

/// Why a run stopped before its end. Refused rows do not stop it; they are counted.
#[derive(Debug, thiserror::Error)]
pub enum ImportError<E: std::error::Error + 'static> {
    /// Reading the old database failed.
    #[error("reading the old database failed: {0}")]
    Source(#[source] E),
    /// The forum's database failed; what was imported before stays, and the next run
    /// continues from the last progress record.
    #[error("the forum's database failed: {0}")]
    Store(#[from] StorageError),
}

/// A refused row, for the host to look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefusedRow {
    /// Its table.
    pub table: OldTable,
    /// Its `db_key`.
    pub db_key: i64,
    /// The refusal as the ingest words it.
    pub message: String,
}

/// What a run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// The old database's name.
    pub source: String,
    /// The tables this run continued after a stopped run, with the `db_key` it continued
    /// after.
    pub continued_after: Vec<(OldTable, i64)>,
    /// Rows read, by table.
    pub read: BTreeMap<OldTable, u64>,
    /// Rows stored here now (events, moderations, app configs, admin events, profiles).
    pub imported: u64,
    /// Of `imported`, replies and reactions whose target is not here (a moderator deleted
    /// it on the old server, or it never arrived there): kept, and shown once it comes.
    pub waiting_for_target: u64,
    /// Rows that were here already (an earlier run, a copy in another row, federation).
    pub already_here: u64,
    /// Refused rows by reason ([`SubmitError::reason`]).
    pub refused: BTreeMap<&'static str, u64>,
    /// The first few refused rows of each reason.
    pub refused_examples: BTreeMap<&'static str, Vec<RefusedRow>>,
    /// Whether the run was asked to stop before its end (it continues at the next run).
    pub interrupted: bool,
}

impl ImportReport {
    /// Rows read from every table.
    pub fn rows_read(&self) -> u64 {
        self.read.values().sum()
    }

    /// Rows refused for any reason.
    pub fn refused_total(&self) -> u64 {
        self.refused.values().sum()
    }

    fn count(&mut self, table: OldTable, db_key: i64, outcome: &Result<Accepted, SubmitError>) {
        *self.read.entry(table).or_default() += 1;
        match outcome {
            Ok(accepted) => {
                self.imported += 1;
                if accepted.kind == AcceptedKind::Waiting {
                    self.waiting_for_target += 1;
                }
            }
            Err(error) if error.reason() == SubmitError::Duplicate.reason() => {
                self.already_here += 1;
            }
            Err(error) => {
                let reason = error.reason();
                *self.refused.entry(reason).or_default() += 1;
                let examples = self.refused_examples.entry(reason).or_default();
                if examples.len() < EXAMPLES_PER_REASON {
                    examples.push(RefusedRow {
                        table,
                        db_key,
                        message: error.to_string(),
                    });
                }
            }
        }
    }
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "import from {}", self.source)?;
        for (table, after) in &self.continued_after {
            writeln!(
                f,
                "  {table}: continued after db_key {after}, where a stopped run left off"
            )?;
        }
        let read: Vec<String> = OldTable::ALL
            .iter()
            .map(|table| {
                format!(
                    "{} {table}",
                    self.read.get(table).copied().unwrap_or_default()
                )
            })
            .collect();
        writeln!(f, "  rows read: {} ({})", self.rows_read(), read.join(", "))?;
        write!(f, "  imported: {}", self.imported)?;
        if self.waiting_for_target > 0 {
            write!(
                f,
                " ({} of them replies or reactions waiting for their target)",
                self.waiting_for_target
            )?;
        }
        writeln!(f)?;
        writeln!(f, "  already here: {}", self.already_here)?;
        writeln!(f, "  refused: {}", self.refused_total())?;
        for (reason, count) in &self.refused {
            writeln!(f, "    {reason}: {count}")?;
            for example in self.refused_examples.get(reason).into_iter().flatten() {
                writeln!(
                    f,
                    "      {} db_key {}: {}",
                    example.table, example.db_key, example.message
                )?;
            }
        }
        if self.interrupted {
            writeln!(
                f,
                "  stopped before the end: run the same command again to continue"
            )?;
        }
        Ok(())
    }
}

/// One table's rows as the run reads them.
struct TableStream {
    table: OldTable,
    /// The last `db_key` fed through the ingest.
    cursor: i64,
    buffer: VecDeque<OldRow>,
    exhausted: bool,
}

impl TableStream {
    /// The order key of its next row: when the old server added it, then the table.
    fn next_at(&self) -> Option<(i64, OldTable, i64)> {
        self.buffer
            .front()
            .map(|row| (row.added_at_ms.unwrap_or(i64::MIN), self.table, row.db_key))
    }
}

/// Imports every row of the old database `rows` into `forum` (see the module's
/// description); stops between two rows once `stop` is set.
///
/// # Errors
/// [`ImportError`] when the old database cannot be read or the forum's database fails;
/// everything imported before the last progress record stays recorded.
pub async fn import<R: OldRows>(
    forum: &Forum,
    rows: &mut R,
    options: &ImportOptions,
    watch: &dyn ImportWatch,
    stop: &AtomicBool,
) -> Result<ImportReport, ImportError<R::Error>> {
    let store = forum.store();
    let batch_rows = options.batch_rows.max(1);
    let recorded = store.import_progress(&options.source).await?;
    // A finished run (or none) means a new full run; otherwise the stopped one continues.
    let stopped_run = !recorded.is_empty() && recorded.iter().any(|entry| !entry.finished);
    let mut report = ImportReport {
        source: options.source.clone(),
        ..ImportReport::default()
    };
    let mut streams = Vec::new();
    for table in OldTable::ALL {
        let cursor = if stopped_run {
            recorded
                .iter()
                .find(|entry| entry.table == table.name())
                .map_or(0, |entry| entry.last_db_key)
        } else {
            0
        };
        if cursor > 0 {
            report.continued_after.push((table, cursor));
        }
        streams.push(TableStream {
            table,
            cursor,
            buffer: VecDeque::new(),
            exhausted: false,
        });
    }
    let mut planned = 0;
    for stream in &streams {
        planned += rows
            .count_after(stream.table, stream.cursor)
            .await
            .map_err(ImportError::Source)?;
    }
    watch.planned(planned);
    save_progress(forum, options, &streams, false).await?;
    let mut since_record = 0;
    loop {
        for stream in streams
            .iter_mut()
            .filter(|stream| stream.buffer.is_empty() && !stream.exhausted)
        {
            let batch = rows
                .rows_after(stream.table, stream.cursor, batch_rows)
                .await
                .map_err(ImportError::Source)?;
            stream.exhausted = batch.is_empty();
            stream.buffer.extend(batch);
        }
        if stop.load(Ordering::Relaxed) {
            report.interrupted = true;
            break;
        }
        let Some(stream) = streams
            .iter_mut()
            .filter(|stream| stream.next_at().is_some())
            .min_by_key(|stream| stream.next_at())
        else {
            break;
        };
        let Some(row) = stream.buffer.pop_front() else {
            break;
        };
        let outcome = import_row(forum, stream.table, &row).await;
        if let Err(SubmitError::Storage(error)) = outcome {
            save_progress(forum, options, &streams, false).await?;
            return Err(ImportError::Store(error));
        }
        report.count(stream.table, row.db_key, &outcome);
        stream.cursor = row.db_key;
        watch.row_done(&report);
        since_record += 1;
        if since_record >= batch_rows {
            save_progress(forum, options, &streams, false).await?;
            since_record = 0;
        }
    }
    save_progress(forum, options, &streams, !report.interrupted).await?;
    Ok(report)
}

/// One row through the ingest; a store too busy for it is waited for a few times.
async fn import_row(forum: &Forum, table: OldTable, row: &OldRow) -> Result<Accepted, SubmitError> {
    let body = row.spasm_event.as_deref().unwrap_or("null");
    let mut attempts = 0;
    loop {
        let origin = Origin::Import {
            table: table.name().to_owned(),
        };
        match forum.submit(body.as_bytes(), origin).await {
            Err(SubmitError::Busy { retry_after_secs }) if attempts < BUSY_RETRIES => {
                attempts += 1;
                tokio::time::sleep(Duration::from_secs(retry_after_secs.max(1))).await;
            }
            Err(SubmitError::Busy { .. }) => {
                return Err(SubmitError::Storage(StorageError::Database(
                    "the forum's database stayed too busy to store the import".into(),
                )));
            }
            outcome => return outcome,
        }
    }
}

async fn save_progress(
    forum: &Forum,
    options: &ImportOptions,
    streams: &[TableStream],
    finished: bool,
) -> Result<(), StorageError> {
    let now = now_ms();
    let progress = streams
        .iter()
        .map(|stream| ImportProgress {
            source: options.source.clone(),
            table: stream.table.name().to_owned(),
            last_db_key: stream.cursor,
            finished,
            updated_at_ms: now,
        })
        .collect();
    forum.store().save_import_progress(progress).await
}
