//! `spasm-forum check [--full]`: the database file and the stored events' signatures
//! (`forum::check`), printed on stdout.

use crate::config::Config;
use crate::open_store;

/// Checks the configured store and prints the report; whether the check passed.
///
/// # Errors
/// When there is no store, or it cannot be opened or read.
pub async fn run(config: Config, scope: forum::check::CheckScope) -> anyhow::Result<bool> {
    // Opening creates a missing database: a check of the wrong directory would pass.
    let file = config.data_dir.join(forum::storage::SQLITE_FILE_NAME);
    if config.database_url.is_none() && !file.exists() {
        anyhow::bail!(
            "there is no forum database at {} (give the data directory with --data-dir, or \
             PostgreSQL with --database-url)",
            file.display()
        );
    }
    let store = open_store(&config).await?;
    let report = forum::check::check_store(store.as_ref(), scope).await?;
    print!("{report}");
    Ok(report.passed())
}
