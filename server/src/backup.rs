//! `spasm-forum backup FILE` and `spasm-forum restore FILE` for the SQLite database
//! (`forum::storage::backup_sqlite`, `restore_sqlite`); PostgreSQL hosts use `pg_dump` and
//! `pg_restore`, which this says.

use std::path::Path;

use crate::config::Config;

const POSTGRES_TOOLS: &str = "this forum uses PostgreSQL: back it up with \
     `pg_dump -Fc -f forum.dump \"$DATABASE_URL\"` while it serves, and restore with \
     `pg_restore --clean --if-exists -d \"$DATABASE_URL\" forum.dump` while it is stopped";

/// Copies the SQLite database to `file` while the forum may serve; prints what it wrote.
///
/// # Errors
/// On PostgreSQL (with the commands to use), or when the copy failed (nothing is left
/// under `file` then).
pub async fn backup(config: &Config, file: &Path) -> anyhow::Result<()> {
    if config.database_url.is_some() {
        anyhow::bail!(POSTGRES_TOOLS);
    }
    let (data_dir, file) = (config.data_dir.clone(), file.to_owned());
    let report =
        tokio::task::spawn_blocking(move || forum::storage::backup_sqlite(&data_dir, &file))
            .await??;
    println!(
        "backed up the forum database to {} ({} bytes); restore it with `spasm-forum restore {}`",
        report.path.display(),
        report.bytes,
        report.path.display()
    );
    Ok(())
}

/// Makes `file` the SQLite database of the data directory; prints where the replaced one
/// is kept.
///
/// # Errors
/// On PostgreSQL, while a forum process has the database open, or when `file` is not a
/// sound forum database (nothing changed then).
pub async fn restore(config: &Config, file: &Path) -> anyhow::Result<()> {
    if config.database_url.is_some() {
        anyhow::bail!(POSTGRES_TOOLS);
    }
    let (data_dir, file) = (config.data_dir.clone(), file.to_owned());
    let report =
        tokio::task::spawn_blocking(move || forum::storage::restore_sqlite(&data_dir, &file))
            .await??;
    match report.previous {
        Some(previous) => println!(
            "restored; the database it replaced is kept as {}",
            previous.display()
        ),
        None => println!("restored into an empty data directory"),
    }
    println!("start the forum as usual; `spasm-forum check --full` verifies every event");
    Ok(())
}
