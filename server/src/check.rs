//! `spasm-forum check [--full]`: the database file and the stored events' signatures
//! (`forum::check`), printed on stdout.

use crate::config::Config;
use crate::open_store;

/// Checks the configured store and prints the report; whether the check passed.
///
/// # Errors
/// When the store cannot be opened or read.
pub async fn run(config: Config, scope: forum::check::CheckScope) -> anyhow::Result<bool> {
    let store = open_store(&config).await?;
    let report = forum::check::check_store(store.as_ref(), scope).await?;
    print!("{report}");
    Ok(report.passed())
}
