//! Running a group of background jobs in one process at a time ([`JobGroup`]): a process
//! that wants to run them waits for the group's lock, runs them while it holds it, and stops
//! them at once (no grace) the moment it may have lost it. When the owner dies, another
//! process takes the lock within [`TRY_EVERY`] (plus the time the database takes to notice
//! the closed connection: immediate when the process exits, seconds when its machine
//! vanished), then waits [`HANDOVER`] before it starts: an owner that lost only its lock's
//! connection notices within [`CHECK_EVERY`] and its check's timeout, and has stopped by
//! then.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use crate::storage::{JobGroup, Store};

/// How often a process without the lock tries to take it.
pub const TRY_EVERY: Duration = Duration::from_secs(1);

/// How often the owner checks that it still holds the lock (each check may take up to
/// the store's lock check timeout, 2 s on PostgreSQL).
pub const CHECK_EVERY: Duration = Duration::from_secs(1);

/// How long a new owner waits before it starts the jobs: longer than a previous owner
/// takes to notice that it lost the lock and stop.
pub const HANDOVER: Duration = Duration::from_secs(4);

/// How a running group is stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopHow {
    /// The process stops: running jobs may finish within their grace period.
    Graceful,
    /// The lock may be another process's now: running jobs are cut off.
    AtOnce,
}

/// What stops a running group: its handle's `stop` or `abort`, boxed.
pub type StopJobs = Box<dyn FnOnce(StopHow) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send>;

/// Stops the runner started by [`run_exclusively`] (and the jobs, if it holds the lock).
#[derive(Debug)]
pub struct ExclusiveHandle {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
    owner: watch::Receiver<bool>,
}

impl ExclusiveHandle {
    /// Whether this process runs the group now.
    pub fn is_owner(&self) -> bool {
        *self.owner.borrow()
    }

    /// Stops the jobs (if running) and releases the lock.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        if let Err(error) = self.task.await {
            tracing::error!(%error, "a job runner ended badly");
        }
    }
}

/// Runs `start`'s jobs whenever this process holds `group`'s lock, until stopped.
/// `start` is called again each time the lock is taken anew.
pub fn run_exclusively(
    store: Arc<dyn Store>,
    group: JobGroup,
    start: impl Fn() -> StopJobs + Send + 'static,
) -> ExclusiveHandle {
    let (stop, mut stopped) = watch::channel(false);
    let (owner_tx, owner) = watch::channel(false);
    let task = tokio::spawn(async move {
        let mut first = true;
        loop {
            if !first {
                tokio::select! {
                    _ = stopped.changed() => return,
                    () = tokio::time::sleep(TRY_EVERY) => {}
                }
            }
            first = false;
            let mut held = match store.try_job_lock(group).await {
                Ok(Some(held)) => held,
                Ok(None) => continue,
                Err(error) => {
                    tracing::warn!(%error, group = group.name(), "cannot take the job lock; retrying");
                    continue;
                }
            };
            // The previous owner may have lost only its connection: give it time to notice.
            let mut lost = false;
            let handover = if held.can_be_lost_alive() {
                HANDOVER
            } else {
                Duration::ZERO
            };
            let handover_ends = tokio::time::Instant::now() + handover;
            while tokio::time::Instant::now() < handover_ends {
                tokio::select! {
                    _ = stopped.changed() => return,
                    () = tokio::time::sleep(CHECK_EVERY) => {}
                }
                if !held.still_held().await {
                    lost = true;
                    break;
                }
            }
            if lost {
                continue;
            }
            tracing::info!(group = group.name(), "this process runs these jobs now");
            metrics::gauge!("spasm_job_lock_held", "group" => group.name()).set(1.0);
            let _ = owner_tx.send(true);
            let stop_jobs = start();
            let how = loop {
                tokio::select! {
                    _ = stopped.changed() => break StopHow::Graceful,
                    () = tokio::time::sleep(CHECK_EVERY) => {
                        if !held.still_held().await {
                            tracing::warn!(group = group.name(), "lost the job lock (the database connection failed); stopping these jobs at once");
                            break StopHow::AtOnce;
                        }
                    }
                }
            };
            stop_jobs(how).await;
            drop(held);
            metrics::gauge!("spasm_job_lock_held", "group" => group.name()).set(0.0);
            let _ = owner_tx.send(false);
            if how == StopHow::Graceful {
                return;
            }
        }
    });
    ExclusiveHandle { stop, task, owner }
}
