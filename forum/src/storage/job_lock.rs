//! Which process runs a group of background jobs: with several processes on one database,
//! each group runs in exactly one of them at a time. On PostgreSQL a session-level advisory
//! lock (`pg_try_advisory_lock`) held on a connection of its own: when the owner dies, its
//! connection closes and the lock is free for another process at once. On SQLite an OS
//! file lock beside the database file (`<group>.lock`), released by the kernel when the
//! owner exits.

use std::path::PathBuf;

use async_trait::async_trait;

use super::StorageError;

/// A group of background jobs that one process at a time runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JobGroup {
    /// The scheduled jobs: federation and feed pulls, the expiry of waiting events.
    Scheduled,
    /// The Nostr relay connections: publishing the outbox, reading subscriptions.
    NostrRelays,
}

impl JobGroup {
    /// Every group.
    pub const ALL: [Self; 2] = [Self::Scheduled, Self::NostrRelays];

    /// A short name, for logs, metrics and the SQLite lock file.
    pub fn name(self) -> &'static str {
        match self {
            Self::Scheduled => "scheduled-jobs",
            Self::NostrRelays => "nostr-relays",
        }
    }

    /// The PostgreSQL advisory lock key: "SPASMJ" and the group's number, apart from
    /// [`super::WRITE_LOCK_ID`].
    pub(super) fn advisory_key(self) -> i64 {
        let group = match self {
            Self::Scheduled => 1,
            Self::NostrRelays => 2,
        };
        0x5350_4153_4d4a_0000 + group
    }
}

/// A held job lock; dropping it releases the lock.
#[async_trait]
pub trait HeldJobLock: Send + std::fmt::Debug {
    /// Whether the lock is still this process's: `false` once its connection is lost (on
    /// PostgreSQL the lock went with it, and another process may hold it now).
    async fn still_held(&mut self) -> bool;

    /// Whether the lock can be lost while its owner lives (a connection to a database
    /// server); then a new owner waits before it starts, for the old one to notice.
    fn can_be_lost_alive(&self) -> bool {
        true
    }
}

/// How a backend takes job locks.
#[async_trait]
pub(super) trait JobLocks: Send + Sync + std::fmt::Debug {
    /// The lock of `group`, or `None` while another process (or another store in this
    /// process) holds it.
    async fn try_lock(&self, group: JobGroup)
    -> Result<Option<Box<dyn HeldJobLock>>, StorageError>;
}

/// SQLite's job locks: files beside the database, locked with `flock`.
#[derive(Debug)]
pub(super) struct FileJobLocks {
    pub(super) dir: PathBuf,
    /// The store's shared lock on the database's in-use file (`backup.rs`), released with
    /// the store.
    pub(super) _in_use: Option<std::fs::File>,
}

#[derive(Debug)]
struct HeldFile {
    /// The locked file: closing it releases the lock.
    _file: std::fs::File,
}

#[async_trait]
impl HeldJobLock for HeldFile {
    async fn still_held(&mut self) -> bool {
        true
    }

    /// A file lock lasts as long as its process.
    fn can_be_lost_alive(&self) -> bool {
        false
    }
}

#[async_trait]
impl JobLocks for FileJobLocks {
    async fn try_lock(
        &self,
        group: JobGroup,
    ) -> Result<Option<Box<dyn HeldJobLock>>, StorageError> {
        let path = self.dir.join(format!("{}.lock", group.name()));
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|error| {
                StorageError::Database(format!("cannot open {}: {error}", path.display()))
            })?;
        match file.try_lock() {
            Ok(()) => Ok(Some(Box::new(HeldFile { _file: file }))),
            Err(std::fs::TryLockError::WouldBlock) => Ok(None),
            Err(std::fs::TryLockError::Error(error)) => Err(StorageError::Database(format!(
                "cannot lock {}: {error}",
                path.display()
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_file_lock_is_held_once_until_dropped() -> Result<(), StorageError> {
        let dir = tempfile::tempdir().map_err(|error| StorageError::Worker(error.to_string()))?;
        let locks = FileJobLocks {
            dir: dir.path().to_owned(),
            _in_use: None,
        };
        let mut held = locks.try_lock(JobGroup::Scheduled).await?;
        assert!(held.is_some());
        assert!(locks.try_lock(JobGroup::Scheduled).await?.is_none());
        assert!(locks.try_lock(JobGroup::NostrRelays).await?.is_some());
        if let Some(held) = held.as_mut() {
            assert!(held.still_held().await);
        }
        drop(held);
        assert!(locks.try_lock(JobGroup::Scheduled).await?.is_some());
        Ok(())
    }

    #[test]
    fn advisory_keys_differ() {
        assert_ne!(
            JobGroup::Scheduled.advisory_key(),
            JobGroup::NostrRelays.advisory_key()
        );
        assert!(
            JobGroup::ALL
                .iter()
                .all(|group| group.advisory_key() != super::super::WRITE_LOCK_ID)
        );
    }
}
