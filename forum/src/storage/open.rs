//! Choosing and opening a backend.

use std::path::Path;
use std::sync::Arc;

use super::{StorageError, Store, WriteLimits, postgres, sqlite};

/// Opens the database `database_url` names (PostgreSQL), or the SQLite file in `data_dir`
/// when there is none, migrates it, and starts its writer with the default [`WriteLimits`].
pub async fn open(
    database_url: Option<&str>,
    data_dir: &Path,
) -> Result<Arc<dyn Store>, StorageError> {
    open_with_limits(database_url, data_dir, WriteLimits::default()).await
}

/// [`open`] with the write queue bounded by `limits`.
pub async fn open_with_limits(
    database_url: Option<&str>,
    data_dir: &Path,
    limits: WriteLimits,
) -> Result<Arc<dyn Store>, StorageError> {
    Ok(Arc::new(match database_url {
        Some(url) => postgres::open(url, limits).await?,
        None => sqlite::open(data_dir, limits).await?,
    }))
}
