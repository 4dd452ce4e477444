//! The write queue, written once for both databases: each writer (one on SQLite, several on
//! PostgreSQL) takes the writes waiting, runs each in a savepoint of one transaction (a
//! refused write rolls back only its own savepoint), commits once, has the group's changes
//! numbered in the change log, and only then answers each caller, so an answered write is
//! committed and visible, and a committed write is answered as stored.
//!
//! The queue is bounded: a write that finds it full is answered at once with
//! [`StorageError::Busy`] (HTTP 503 with `Retry-After`) instead of growing memory. A write
//! that has waited longer than its deadline, or whose caller has gone (a closed
//! connection), is withdrawn before it starts and never runs; one that has started is
//! always waited for, so its caller learns what was committed.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use tokio::sync::{mpsc, oneshot};

use super::StorageError;
use super::executor::{BoxFuture, Executor};
use super::health::WriteHealth;

/// The most writes committed together.
const MAX_GROUP: usize = 256;

/// How long a caller is told to wait after a refusal for load.
const RETRY_AFTER_SECS: u64 = 1;

/// How the write queue is bounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriteLimits {
    /// Writes that may wait for the writer; one more is refused with 503.
    pub queue: usize,
    /// How long a write may wait for the writer to start it; then it is withdrawn and
    /// refused with 503. Keep it well under the request timeout: a started write is always
    /// finished and answered.
    pub wait: Duration,
}

impl Default for WriteLimits {
    fn default() -> Self {
        Self {
            queue: 1024,
            wait: Duration::from_secs(10),
        }
    }
}

/// A connection a writer runs its groups on, and how its backend numbers changes.
#[async_trait]
pub(super) trait WriteConnection: Send {
    /// Begins a group's transaction.
    async fn begin(&mut self) -> Result<&mut dyn Executor, StorageError>;

    /// After a group: `failed` when the connection may be unusable (it is then replaced).
    fn end_group(&mut self, failed: bool);

    /// What numbers the group's changes at its end, before its commit; `None` where a change
    /// is numbered as it is recorded (SQLite: `seq` is the rowid, and the group holds the
    /// file's write lock) or after the commit ([`WriteConnection::after_commit`], PostgreSQL).
    fn numbering(&self) -> Option<&'static str>;

    /// After a commit that kept changes, where groups do not number them: has them numbered
    /// (`changes.rs`), at once or in the background.
    async fn after_commit(&mut self) -> Result<(), StorageError> {
        Ok(())
    }
}

/// The receiving end of the queue, shared by the writers.
pub(super) type Jobs = Arc<tokio::sync::Mutex<mpsc::Receiver<Job>>>;

/// The script of one write: runs on the group's connection and says whether to keep its
/// changes; the answer is sent once the group's commit is known.
type WriteWork =
    Box<dyn for<'c> FnOnce(&'c mut dyn Executor) -> BoxFuture<'c, (bool, Answer)> + Send + 'static>;
type Answer = Box<dyn FnOnce(Result<(), StorageError>) + Send>;

const PENDING: u8 = 0;
const STARTED: u8 = 1;
const WITHDRAWN: u8 = 2;

/// A write waiting for the writer.
pub(super) struct Job {
    state: Arc<AtomicU8>,
    work: WriteWork,
}

/// A closure as [`WriteWork`] (fixes its signature for every connection lifetime).
fn write_work<F>(work: F) -> WriteWork
where
    F: for<'c> FnOnce(&'c mut dyn Executor) -> BoxFuture<'c, (bool, Answer)> + Send + 'static,
{
    Box::new(work)
}

impl Job {
    /// Claims the job for running; `false` when its caller withdrew it.
    fn start(&self) -> bool {
        self.state
            .compare_exchange(PENDING, STARTED, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
    }
}

/// Withdraws a write that has not started when its caller stops waiting.
struct WithdrawOnDrop(Arc<AtomicU8>);

impl WithdrawOnDrop {
    /// `true` when the write was withdrawn, `false` when it had started.
    fn withdraw(&self) -> bool {
        self.0
            .compare_exchange(PENDING, WITHDRAWN, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
            || self.0.load(Ordering::Acquire) == WITHDRAWN
    }
}

impl Drop for WithdrawOnDrop {
    fn drop(&mut self) {
        self.withdraw();
    }
}

/// The sending side of the write queue, shared by every caller.
#[derive(Debug, Clone)]
pub(super) struct WriteQueue {
    jobs: mpsc::Sender<Job>,
    wait: Duration,
    health: Arc<WriteHealth>,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Job").finish_non_exhaustive()
    }
}

impl WriteQueue {
    /// Runs `work` in the writer's next group and answers once its group is committed.
    /// `work` returns its result and whether to keep its changes. Every answer is recorded
    /// in the queue's [`WriteHealth`].
    pub(super) async fn write<T: Send + 'static>(
        &self,
        work: impl for<'c> FnOnce(
            &'c mut dyn Executor,
        ) -> BoxFuture<'c, Result<(T, bool), StorageError>>
        + Send
        + 'static,
    ) -> Result<T, StorageError> {
        let outcome = self.queue_and_wait(work).await;
        self.health.record(&outcome);
        outcome
    }

    /// Whether the last write failed, and since when.
    pub(super) fn health(&self) -> &WriteHealth {
        &self.health
    }

    async fn queue_and_wait<T: Send + 'static>(
        &self,
        work: impl for<'c> FnOnce(
            &'c mut dyn Executor,
        ) -> BoxFuture<'c, Result<(T, bool), StorageError>>
        + Send
        + 'static,
    ) -> Result<T, StorageError> {
        let (answer, mut answered) = oneshot::channel();
        let state = Arc::new(AtomicU8::new(PENDING));
        let job = Job {
            state: Arc::clone(&state),
            work: write_work(move |db| {
                Box::pin(async move {
                    let result = work(db).await;
                    let keep = matches!(result, Ok((_, true)));
                    let reply: Answer = Box::new(move |committed| {
                        let outcome = match (result, committed) {
                            (Ok((_, true)), Err(error)) => Err(error),
                            (Ok((value, _)), _) => Ok(value),
                            (Err(error), _) => Err(error),
                        };
                        let _ = answer.send(outcome);
                    });
                    (keep, reply)
                })
            }),
        };
        let guard = WithdrawOnDrop(state);
        let waiting = self.jobs.max_capacity() - self.jobs.capacity();
        metrics::gauge!("spasm_write_queue_depth").set(waiting as f64);
        self.jobs.try_send(job).map_err(|error| match error {
            mpsc::error::TrySendError::Full(_) => StorageError::Busy {
                retry_after_secs: RETRY_AFTER_SECS,
            },
            mpsc::error::TrySendError::Closed(_) => {
                StorageError::Worker("the writer stopped".into())
            }
        })?;
        let dropped = || StorageError::Worker("the writer dropped a write".into());
        match tokio::time::timeout(self.wait, &mut answered).await {
            Ok(answer) => answer.map_err(|_| dropped())?,
            Err(_) if guard.withdraw() => Err(StorageError::Busy {
                retry_after_secs: RETRY_AFTER_SECS,
            }),
            // Started before the deadline: its caller learns what was committed.
            Err(_) => answered.await.map_err(|_| dropped())?,
        }
    }
}

/// A queue and the receiving end its writers share.
pub(super) fn queue(limits: WriteLimits) -> (WriteQueue, Jobs) {
    let (jobs, receiver) = mpsc::channel(limits.queue.max(1));
    (
        WriteQueue {
            jobs,
            wait: limits.wait,
            health: Arc::default(),
        },
        Arc::new(tokio::sync::Mutex::new(receiver)),
    )
}

/// The next group: the writes waiting, at most [`MAX_GROUP`]; `None` once the queue is gone.
async fn next_group(jobs: &Jobs) -> Option<Vec<Job>> {
    let mut jobs = jobs.lock().await;
    let mut group = vec![jobs.recv().await?];
    while group.len() < MAX_GROUP {
        match jobs.try_recv() {
            Ok(job) => group.push(job),
            Err(_) => break,
        }
    }
    Some(group)
}

/// A writer: groups of writes, one transaction per group, a savepoint per write.
/// `committed` runs after every commit that kept changes, once they are numbered, before
/// anyone is answered.
pub(super) async fn run<C: WriteConnection>(
    mut connection: C,
    jobs: Jobs,
    committed: impl Fn() + Send,
) {
    while let Some(group) = next_group(&jobs).await {
        metrics::histogram!("spasm_write_group_size").record(group.len() as f64);
        let (answers, outcome) = run_group(&mut connection, group).await;
        connection.end_group(outcome.is_err());
        match &outcome {
            Ok(true) => {
                // The writes are stored whatever happens here: a failure leaves them to the
                // next numbering, and is logged.
                if let Err(error) = connection.after_commit().await {
                    tracing::error!(%error, "committed changes could not be numbered yet");
                }
                committed();
            }
            Ok(false) => {}
            Err(error) => tracing::error!(%error, "a group of writes failed"),
        }
        for answer in answers {
            answer(match &outcome {
                Err(error) => Err(StorageError::Commit(error.to_string())),
                Ok(_) => Ok(()),
            });
        }
    }
}

/// Runs a group; each job's answer, and whether the commit kept anything (or why the
/// group failed and was rolled back).
async fn run_group<C: WriteConnection>(
    connection: &mut C,
    group: Vec<Job>,
) -> (Vec<Answer>, Result<bool, StorageError>) {
    let numbering = connection.numbering();
    let mut answers = Vec::with_capacity(group.len());
    let db = match connection.begin().await {
        Ok(db) => db,
        Err(error) => {
            for job in group.into_iter().filter(Job::start) {
                let (_, answer) = (job.work)(&mut NoConnection).await;
                answers.push(answer);
            }
            return (answers, Err(error));
        }
    };
    // A group of one needs no savepoint: its refusal rolls the whole transaction back.
    let savepoints = group.len() > 1;
    let mut kept = false;
    // A savepoint that could not be closed leaves the transaction in an unknown state: the
    // whole group is rolled back then, and every write in it answered as failed.
    let mut broken = None;
    // A write is claimed only once the group holds the write lock: until then its caller
    // may still withdraw it.
    for job in group.into_iter().filter(Job::start) {
        if broken.is_some() {
            let (_, answer) = (job.work)(&mut NoConnection).await;
            answers.push(answer);
            continue;
        }
        if savepoints && let Err(error) = db.execute("SAVEPOINT write", &[]).await {
            let (_, answer) = (job.work)(&mut NoConnection).await;
            answers.push(answer);
            broken = Some(error);
            continue;
        }
        let (keep, answer) = (job.work)(&mut *db).await;
        let closed = match (savepoints, keep) {
            (false, _) => Ok(0),
            (true, true) => db.execute("RELEASE write", &[]).await,
            (true, false) => match db.execute("ROLLBACK TO write", &[]).await {
                Ok(_) => db.execute("RELEASE write", &[]).await,
                Err(error) => Err(error),
            },
        };
        kept |= keep;
        answers.push(answer);
        if let Err(error) = closed {
            broken = Some(error);
        }
    }
    let mut outcome = broken.map_or(Ok(kept), Err);
    if kept
        && outcome.is_ok()
        && let Some(numbering) = numbering
        && let Err(error) = db.execute(numbering, &[]).await
    {
        outcome = Err(error);
    }
    let end = if outcome.is_ok() && kept {
        "COMMIT"
    } else {
        "ROLLBACK"
    };
    if let Err(error) = db.execute(end, &[]).await {
        let _ = db.execute("ROLLBACK", &[]).await;
        outcome = Err(error);
    }
    (answers, outcome)
}

/// Where a job runs when its group could not begin: every statement fails, so the job
/// answers with the failure and keeps nothing.
struct NoConnection;

#[async_trait]
impl Executor for NoConnection {
    async fn execute(
        &mut self,
        _sql: &str,
        _params: &[super::executor::Param<'_>],
    ) -> Result<u64, StorageError> {
        Err(StorageError::Worker("no database connection".into()))
    }

    async fn fetch_all(
        &mut self,
        _sql: &str,
        _params: &[super::executor::Param<'_>],
    ) -> Result<Vec<super::executor::Row>, StorageError> {
        Err(StorageError::Worker("no database connection".into()))
    }
}
