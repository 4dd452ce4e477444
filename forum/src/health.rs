//! The forum's health, for `/api/health`, `/healthz` and monitoring: whether the database
//! answers reads and takes writes.

use crate::service::{Forum, now_ms};
use crate::storage::Backend;

/// How long after the latest failed write a health check probes whether the fault is over
/// (ms).
const PROBE_AFTER_MS: i64 = 2_000;

/// What a health check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Health {
    /// The database in use.
    pub backend: Backend,
    /// The database answers a read.
    pub reads: bool,
    /// The database takes writes: no write has failed since the last success, or a probe
    /// write just succeeded.
    pub writes: bool,
}

impl Health {
    /// Whether the forum can serve and store events.
    pub fn is_healthy(&self) -> bool {
        self.reads && self.writes
    }

    /// What is wrong, in words for the host; `None` when healthy. Details are in the log.
    pub fn problem(&self) -> Option<&'static str> {
        match (self.reads, self.writes) {
            (true, true) => None,
            (false, _) => Some("the database does not answer"),
            (true, false) => Some(
                "the database does not take writes (a full disk, or a database restarting); \
                 submits are refused until it does",
            ),
        }
    }
}

impl Forum {
    /// Checks the database: a read, and, while the last write failed (no failure in the last
    /// two seconds), a probe write as large as an event, so the forum notices by itself when a
    /// full disk has room again.
    pub async fn health(&self) -> Health {
        let store = self.store();
        let reads = match store.ping().await {
            Ok(()) => true,
            Err(error) => {
                tracing::warn!(%error, "health check: the database does not answer a read");
                false
            }
        };
        let writes = match store.write_fault() {
            None => true,
            // A fresh failure stands: probing at once would hammer a struggling database.
            Some(fault) if now_ms() - fault.last_ms < PROBE_AFTER_MS => false,
            Some(_) => match store.probe_write(now_ms()).await {
                Ok(()) => true,
                Err(error) => {
                    tracing::warn!(%error, "health check: the database refuses writes");
                    false
                }
            },
        };
        Health {
            backend: store.backend(),
            reads,
            writes,
        }
    }
}
