//! `spasm-forum import OLD_DATABASE_URL`: moving in from an existing degenrocket-server or
//! spasm-forum-server. Its PostgreSQL database is read in a read-only session, in batches by
//! `db_key` (no index of the old tables is needed), and every row goes through the forum's
//! ingest (`forum::import`). A progress bar shows on stderr when it is a terminal; the
//! summary is printed on stdout at the end.

use std::io::IsTerminal as _;
use std::str::FromStr as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use forum::Forum;
use forum::import::{
    ImportOptions, ImportReport, ImportWatch, OldRow, OldRows, OldTable, Unwatched, import,
};
use forum::storage::StorageError;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::{ConnectOptions as _, Row as _};

use crate::config::{Config, ImportArgs, redact_url};

/// How long connecting to the old database may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// The old server's V1 tables, which its own `npm run migrate` turns into V2 tables.
const V1_TABLES: [&str; 2] = ["posts", "actions"];

/// Why an import could not start or went wrong; each is a sentence for the host.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The source is not a PostgreSQL URL.
    #[error(
        "{url} is not a PostgreSQL URL: give the old server's database as \
         postgres://user:password@host:port/database"
    )]
    NotPostgresUrl {
        /// The URL, password redacted.
        url: String,
    },
    /// The URL could not be read.
    #[error("cannot read the old database's URL {url}: {reason}")]
    BadUrl {
        /// The URL, password redacted.
        url: String,
        /// The driver's words.
        reason: String,
    },
    /// Connecting failed.
    #[error("cannot connect to the old database {url}: {reason}")]
    Unreachable {
        /// The URL, password redacted.
        url: String,
        /// The driver's words.
        reason: String,
    },
    /// Connecting took too long.
    #[error("the old database {url} did not answer within {seconds} seconds")]
    TimedOut {
        /// The URL, password redacted.
        url: String,
        /// The time waited.
        seconds: u64,
    },
    /// The database has no `spasm_events` table.
    #[error(
        "the old database {url} has no table spasm_events, so it is not the database of a \
         degenrocket-server or spasm-forum-server{hint}"
    )]
    NotAnOldServer {
        /// The URL, password redacted.
        url: String,
        /// What to do about it, when something is known.
        hint: String,
    },
    /// A table lacks a column the import reads.
    #[error(
        "the old table {table} cannot be read as the old server writes it (columns db_key, \
         db_added_timestamp, spasm_event): {reason}"
    )]
    TableShape {
        /// The table.
        table: &'static str,
        /// The database's words.
        reason: String,
    },
    /// The forum's own database could not be opened.
    #[error("cannot open the forum's database: {0}")]
    Store(#[from] StorageError),
    /// The import stopped.
    #[error("the import stopped: {0}; what was imported stays, and the same command continues")]
    Import(#[from] forum::import::ImportError<OldReadError>),
}

/// A read of the old database that failed midway.
#[derive(Debug, thiserror::Error)]
#[error("reading {table}: {source}")]
pub struct OldReadError {
    /// The table.
    pub table: &'static str,
    /// The driver's error.
    #[source]
    pub source: sqlx::Error,
}

/// The old server's database, in a read-only session.
#[derive(Debug)]
pub struct OldDatabase {
    connection: PgConnection,
    /// `user@host:port/database`: what the progress records are kept under.
    source: String,
    /// The tables it has of [`OldTable::ALL`].
    present: Vec<OldTable>,
}

impl OldDatabase {
    /// Connects to `url` (read-only) and checks that it holds an old server's tables.
    ///
    /// # Errors
    /// [`ImportError`] when the URL is not PostgreSQL's, the database cannot be reached, or
    /// it has no `spasm_events` table of the old server's shape.
    pub async fn connect(url: &str) -> Result<Self, ImportError> {
        let shown = redact_url(url);
        if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            return Err(ImportError::NotPostgresUrl { url: shown });
        }
        let options = PgConnectOptions::from_str(url)
            .map_err(|error| ImportError::BadUrl {
                url: shown.clone(),
                reason: error.to_string(),
            })?
            // The source is only read: the session refuses any write.
            .options([("default_transaction_read_only", "on")])
            .application_name("spasm-forum import")
            .disable_statement_logging();
        let source = format!(
            "{}@{}:{}/{}",
            options.get_username(),
            options.get_host(),
            options.get_port(),
            options.get_database().unwrap_or(options.get_username())
        );
        let connection = tokio::time::timeout(CONNECT_TIMEOUT, options.connect())
            .await
            .map_err(|_| ImportError::TimedOut {
                url: shown.clone(),
                seconds: CONNECT_TIMEOUT.as_secs(),
            })?
            .map_err(|error| ImportError::Unreachable {
                url: shown.clone(),
                reason: error.to_string(),
            })?;
        let mut old = Self {
            connection,
            source,
            present: Vec::new(),
        };
        for table in OldTable::ALL {
            if old.has_table(table.name(), &shown).await? {
                old.present.push(table);
            }
        }
        if !old.present.contains(&OldTable::SpasmEvents) {
            let mut v1 = Vec::new();
            for table in V1_TABLES {
                if old.has_table(table, &shown).await? {
                    v1.push(table);
                }
            }
            let hint = if v1.is_empty() {
                String::new()
            } else {
                format!(
                    "; it has the old server's first tables ({}): run the old server's \
                     `npm run migrate` to move them to its V2 tables first",
                    v1.join(", ")
                )
            };
            return Err(ImportError::NotAnOldServer { url: shown, hint });
        }
        for table in old.present.clone() {
            let probe = format!(
                "SELECT db_key::bigint, db_added_timestamp::bigint, spasm_event::text FROM {} LIMIT 0",
                table.name()
            );
            sqlx::query(&probe)
                .fetch_all(&mut old.connection)
                .await
                .map_err(|error| ImportError::TableShape {
                    table: table.name(),
                    reason: database_words(&error),
                })?;
        }
        Ok(old)
    }

    /// The old database's name for the progress records (`user@host:port/database`).
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The old tables it has (`spasm_events` always).
    pub fn tables(&self) -> &[OldTable] {
        &self.present
    }

    async fn has_table(&mut self, name: &str, shown: &str) -> Result<bool, ImportError> {
        sqlx::query("SELECT to_regclass($1) IS NOT NULL")
            .bind(name)
            .fetch_one(&mut self.connection)
            .await
            .and_then(|row| row.try_get::<bool, _>(0))
            .map_err(|error| ImportError::Unreachable {
                url: shown.to_owned(),
                reason: database_words(&error),
            })
    }
}

/// What the database said, without the driver's framing.
fn database_words(error: &sqlx::Error) -> String {
    match error {
        sqlx::Error::Database(error) => error.message().to_owned(),
        error => error.to_string(),
    }
}

#[async_trait]
impl OldRows for OldDatabase {
    type Error = OldReadError;

    async fn rows_after(
        &mut self,
        table: OldTable,
        after: i64,
        limit: u32,
    ) -> Result<Vec<OldRow>, OldReadError> {
        if !self.present.contains(&table) {
            return Ok(Vec::new());
        }
        // The table name is one of three constants.
        let sql = format!(
            "SELECT db_key::bigint, db_added_timestamp::bigint, spasm_event::text FROM {} \
             WHERE db_key > $1 ORDER BY db_key LIMIT $2",
            table.name()
        );
        let failed = |source| OldReadError {
            table: table.name(),
            source,
        };
        let rows = sqlx::query(&sql)
            .bind(after)
            .bind(i64::from(limit))
            .fetch_all(&mut self.connection)
            .await
            .map_err(failed)?;
        rows.iter()
            .map(|row| {
                Ok(OldRow {
                    db_key: row.try_get(0)?,
                    added_at_ms: row.try_get(1)?,
                    spasm_event: row.try_get(2)?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(failed)
    }

    async fn count_after(&mut self, table: OldTable, after: i64) -> Result<u64, OldReadError> {
        if !self.present.contains(&table) {
            return Ok(0);
        }
        let sql = format!("SELECT COUNT(*) FROM {} WHERE db_key > $1", table.name());
        let count: i64 = sqlx::query_scalar(&sql)
            .bind(after)
            .fetch_one(&mut self.connection)
            .await
            .map_err(|source| OldReadError {
                table: table.name(),
                source,
            })?;
        Ok(u64::try_from(count).unwrap_or_default())
    }
}

/// Imports the old database at `source_url` into `forum`, `batch_rows` rows at a time;
/// stops between two rows once `stop` is set.
///
/// # Errors
/// [`ImportError`] when the old database cannot be used or a database fails midway.
pub async fn import_into(
    forum: &Forum,
    source_url: &str,
    batch_rows: u32,
    watch: &dyn ImportWatch,
    stop: &AtomicBool,
) -> Result<ImportReport, ImportError> {
    let mut old = OldDatabase::connect(source_url).await?;
    for table in OldTable::ALL {
        if !old.tables().contains(&table) {
            tracing::warn!(%table, "the old database has no such table: nothing is read from it");
        }
    }
    let options = ImportOptions {
        source: old.source().to_owned(),
        batch_rows,
    };
    Ok(import(forum, &mut old, &options, watch, stop).await?)
}

/// A progress bar on stderr, drawn only when stderr is a terminal.
struct ProgressBarWatch {
    bar: ProgressBar,
}

impl ProgressBarWatch {
    fn new() -> Self {
        let target = if std::io::stderr().is_terminal() {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        let bar = ProgressBar::with_draw_target(None, target);
        if let Ok(style) = ProgressStyle::with_template(
            "{elapsed_precise} [{wide_bar}] {pos}/{len} rows, {per_sec}, {eta} left {msg}",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
        Self { bar }
    }
}

impl ImportWatch for ProgressBarWatch {
    fn planned(&self, rows: u64) {
        self.bar.set_length(rows);
    }

    fn row_done(&self, report: &ImportReport) {
        self.bar.inc(1);
        if report.rows_read() % 64 == 1 {
            self.bar.set_message(format!(
                "({} imported, {} already here, {} refused)",
                report.imported,
                report.already_here,
                report.refused_total()
            ));
        }
    }
}

/// `spasm-forum import`: opens the forum's database, imports, prints the summary.
///
/// # Errors
/// [`ImportError`] (see [`import_into`]), and an interrupted run (after its summary).
pub async fn run(config: Config, args: &ImportArgs) -> anyhow::Result<()> {
    // A forum serving this SQLite file would keep its cached reads: it learns of other
    // processes' commits on PostgreSQL only.
    if config.database_url.is_none() && forum::storage::sqlite_in_use(&config.data_dir)? {
        anyhow::bail!(
            "a forum process has the database in {} open: stop it, import, then start it again              (on PostgreSQL the forum may keep serving)",
            config.data_dir.display()
        );
    }
    let store = crate::open_store(&config).await?;
    let forum = Forum::new(store, config.settings.clone(), config.limits.forum_limits()).await?;
    let stop = Arc::new(AtomicBool::new(false));
    let asked = stop.clone();
    // The first Ctrl-C stops between two rows, with the progress recorded; a second one
    // stops at once (the next run continues from the last record all the same).
    tokio::spawn(async move {
        while tokio::signal::ctrl_c().await.is_ok() {
            if asked.swap(true, Ordering::Relaxed) {
                std::process::exit(130);
            }
        }
    });
    let watch = ProgressBarWatch::new();
    let outcome = import_into(&forum, &args.source, args.batch_rows, &watch, &stop).await;
    watch.bar.finish_and_clear();
    // The sentence names its causes already.
    let report = outcome.map_err(|error| anyhow::anyhow!("{error}"))?;
    print!("{report}");
    if report.interrupted {
        anyhow::bail!("the import was interrupted; run the same command again to continue");
    }
    Ok(())
}

/// An import without progress display, for scripts and tests.
///
/// # Errors
/// See [`import_into`].
pub async fn import_quietly(
    forum: &Forum,
    source_url: &str,
    batch_rows: u32,
) -> Result<ImportReport, ImportError> {
    import_into(
        forum,
        source_url,
        batch_rows,
        &Unwatched,
        &AtomicBool::new(false),
    )
    .await
}
