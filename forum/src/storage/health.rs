//! Whether the database takes writes: the write queue records the outcome of every write it
//! answers, so a fault that reads do not see (a full disk, a database that refuses writes
//! while it restarts) is known to health checks and answered as "try again later".

use std::sync::Mutex;

use super::StorageError;

/// How long a client is told to wait (`Retry-After`, in seconds) while the database fails.
pub const STORAGE_RETRY_AFTER_SECS: u64 = 5;

/// A standing write fault: the last write failed and none has succeeded since.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteFault {
    /// When the first failure of this run of failures happened (ms since the epoch).
    pub since_ms: i64,
    /// When the latest failure happened (ms since the epoch).
    pub last_ms: i64,
    /// The latest failure (the driver's words: for logs and operators, not for visitors).
    pub reason: String,
}

/// The outcome of the latest writes, shared by the queue's callers.
#[derive(Debug, Default)]
pub(super) struct WriteHealth {
    fault: Mutex<Option<WriteFault>>,
}

impl WriteHealth {
    /// Records what a write came to. Only faults of the database count
    /// ([`StorageError::is_fault`]): a refusal for load or of one statement (which one
    /// submitter could cause at will) says nothing about whether the database takes writes.
    pub(super) fn record<T>(&self, outcome: &Result<T, StorageError>) {
        let Ok(mut fault) = self.fault.lock() else {
            return;
        };
        match outcome {
            Ok(_) => {
                if fault.take().is_some() {
                    tracing::info!("the database takes writes again");
                }
            }
            Err(error) if !error.is_fault() => {}
            Err(error) => {
                let reason = error.to_string();
                let now = crate::service::now_ms();
                match fault.as_mut() {
                    Some(standing) => {
                        standing.reason = reason;
                        standing.last_ms = now;
                    }
                    None => {
                        tracing::error!(%error, "the database refuses writes");
                        *fault = Some(WriteFault {
                            since_ms: now,
                            last_ms: now,
                            reason,
                        });
                    }
                }
            }
        }
    }

    /// The standing fault, if the last write failed.
    pub(super) fn fault(&self) -> Option<WriteFault> {
        self.fault.lock().ok().and_then(|fault| fault.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_stands_until_a_write_succeeds() {
        let health = WriteHealth::default();
        assert_eq!(health.fault(), None);
        health.record::<()>(&Err(StorageError::Unavailable("disk full".into())));
        let first = health.fault().map(|fault| fault.since_ms);
        assert!(first.is_some());
        health.record::<()>(&Err(StorageError::Commit("still full".into())));
        let fault = health.fault();
        assert_eq!(fault.as_ref().map(|fault| fault.since_ms), first);
        assert_eq!(
            fault.map(|fault| fault.reason),
            Some("database commit failed: still full".to_owned())
        );
        health.record::<()>(&Err(StorageError::Busy {
            retry_after_secs: 1,
        }));
        assert!(health.fault().is_some());
        health.record(&Ok(()));
        assert_eq!(health.fault(), None);
    }

    #[test]
    fn load_and_statement_refusals_are_not_faults() {
        let health = WriteHealth::default();
        health.record::<()>(&Err(StorageError::Busy {
            retry_after_secs: 1,
        }));
        health.record::<()>(&Err(StorageError::Database("invalid byte sequence".into())));
        health.record::<()>(&Err(StorageError::Decode("unexpected row".into())));
        assert_eq!(health.fault(), None);
    }
}
