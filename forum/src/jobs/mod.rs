//! Background jobs: the federation and feed pulls ([`crate::network`]), the expiry of replies
//! and reactions that waited too long for their target, and later the Nostr jobs.
//!
//! [`Jobs::start`] runs them until [`JobsHandle::stop`], in one process at a time
//! ([`exclusive`]): each job's state lives in the
//! database (cursor, last success, last error, failure count, next attempt; [`JobState`]),
//! so that schedules and backoff survive restarts; a run takes its job with a lease, so that
//! one run of a job happens at a time, even with several processes on one database. A
//! failing job waits longer after each failure ([`backoff`]) while the others keep their
//! schedule.

pub mod backoff;
pub mod exclusive;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use outgoing::OutgoingClient;
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::network::pull::{RunReport, pull};
use crate::network::sources::Source;
use crate::service::{Forum, now_ms};
use crate::storage::JobState;

/// The name of the job that drops replies and reactions whose target never came.
pub const EXPIRE_WAITING_JOB: &str = "expire-waiting";

/// The wait after a run that stopped at its cap with more to read.
const MORE_WAITING: Duration = Duration::from_secs(10);

/// How the jobs run.
#[derive(Debug, Clone)]
pub struct JobsConfig {
    /// How often the schedule is looked at (an admin's change wakes it at once).
    pub tick: Duration,
    /// The most runs at once.
    pub max_concurrent: usize,
    /// The longest one run may take; it is stopped then, and its job taken again later.
    pub max_run: Duration,
    /// How long a stop waits for running jobs before it cuts them off.
    pub stop_grace: Duration,
}

impl Default for JobsConfig {
    fn default() -> Self {
        Self {
            // An admin's change or "pull now" wakes the scheduler at once; the tick only
            // finds jobs that came due.
            tick: Duration::from_secs(5),
            max_concurrent: 4,
            max_run: Duration::from_secs(300),
            stop_grace: Duration::from_secs(10),
        }
    }
}

/// One job: what it does, how often, whether the host paused it.
#[derive(Debug, Clone)]
struct JobSpec {
    name: String,
    period: Duration,
    paused: bool,
    work: Work,
}

#[derive(Debug, Clone)]
enum Work {
    Pull(Box<Source>),
    ExpireWaiting,
}

/// The background jobs of one process.
#[derive(Debug)]
pub struct Jobs {
    forum: Forum,
    client: OutgoingClient,
    config: JobsConfig,
}

/// Stops the jobs started by [`Jobs::start`].
#[derive(Debug)]
pub struct JobsHandle {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl JobsHandle {
    /// Stops at once: running jobs are cut off where they stand (their cursors stand where
    /// their last stored page left them; a later scheduler releases their leases).
    pub fn abort(self) {
        let _ = self.stop.send(true);
        self.task.abort();
    }

    /// Stops launching runs, lets running ones finish within the grace period, cuts off the
    /// rest (their cursors stand where their last stored page left them) and returns.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        if let Err(error) = self.task.await {
            tracing::error!(%error, "the job scheduler ended badly");
        }
    }
}

impl Jobs {
    /// Jobs of `forum`, fetching with `client`.
    pub fn new(forum: Forum, client: OutgoingClient, config: JobsConfig) -> Self {
        Self {
            forum,
            client,
            config,
        }
    }

    /// Starts the scheduler on the current runtime.
    pub fn start(self) -> JobsHandle {
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(self.schedule(stopped));
        JobsHandle { stop, task }
    }

    /// Every job now: a pull per source ([`Forum::sources`]) while federation is on, and
    /// the expiry of waiting events always.
    async fn jobs(&self) -> Vec<JobSpec> {
        let sources = if self.forum.federation_enabled() {
            self.forum.sources().await
        } else {
            Vec::new()
        };
        let mut jobs: Vec<JobSpec> = sources
            .into_iter()
            .map(|source| JobSpec {
                name: source.job_name(),
                period: source.every,
                paused: source.paused,
                work: Work::Pull(Box::new(source)),
            })
            .collect();
        jobs.push(JobSpec {
            name: EXPIRE_WAITING_JOB.into(),
            period: Duration::from_secs(60 * 60),
            paused: false,
            work: Work::ExpireWaiting,
        });
        jobs
    }

    async fn schedule(self, mut stopped: watch::Receiver<bool>) {
        // One scheduler runs at a time (`exclusive.rs`): a lease still standing is the run
        // of a process that stopped without letting its job go.
        match self.forum.store().release_all_jobs().await {
            Ok(0) => {}
            Ok(released) => tracing::info!(released, "took over the jobs of a stopped process"),
            Err(error) => {
                tracing::warn!(%error, "cannot release the jobs of a stopped process; they wait for their leases")
            }
        }
        let this = Arc::new(self);
        let mut running: JoinSet<()> = JoinSet::new();
        let mut names: HashMap<tokio::task::Id, String> = HashMap::new();
        // The jobs running here, with the lease each run holds.
        let mut busy: HashMap<String, i64> = HashMap::new();
        loop {
            this.launch_due(&mut running, &mut names, &mut busy).await;
            tokio::select! {
                _ = stopped.changed() => break,
                () = this.forum.network_changed().notified() => {}
                () = tokio::time::sleep(this.config.tick) => {}
                Some(done) = running.join_next_with_id() => {
                    let id = match &done {
                        Ok((id, ())) => *id,
                        Err(error) => error.id(),
                    };
                    if let Some(name) = names.remove(&id) {
                        busy.remove(&name);
                    }
                    if let Err(error) = done {
                        tracing::error!(%error, "a job's run ended badly");
                    }
                }
            }
        }
        let grace = this.config.stop_grace;
        let finished = tokio::time::timeout(grace, async {
            while running.join_next().await.is_some() {}
        })
        .await;
        if finished.is_err() {
            running.abort_all();
            for (name, lease) in &busy {
                if let Err(error) = this.forum.store().release_job(name, *lease).await {
                    tracing::warn!(%error, job = %name, "could not release a job cut off at stop");
                }
            }
            tracing::info!(cut_off = busy.len(), "stopped the background jobs");
        } else {
            tracing::info!("stopped the background jobs");
        }
    }

    async fn launch_due(
        self: &Arc<Self>,
        running: &mut JoinSet<()>,
        names: &mut HashMap<tokio::task::Id, String>,
        busy: &mut HashMap<String, i64>,
    ) {
        let states: HashMap<String, JobState> = match self.forum.store().job_states().await {
            Ok(states) => states
                .into_iter()
                .map(|state| (state.name.clone(), state))
                .collect(),
            Err(error) => {
                tracing::warn!(%error, "cannot read the jobs' state");
                return;
            }
        };
        let now = now_ms();
        // The longest overdue first, so that no source starves the others.
        let mut jobs = self.jobs().await;
        jobs.sort_by_key(|job| {
            states
                .get(&job.name)
                .map_or(i64::MIN, |state| state.next_attempt_ms)
        });
        for job in jobs {
            if busy.len() >= self.config.max_concurrent {
                break;
            }
            if busy.contains_key(&job.name) {
                continue;
            }
            let state = states.get(&job.name);
            let requested = state.is_some_and(|state| state.run_requested);
            let paused = job.paused || state.is_some_and(|state| state.paused);
            let due = state.is_none_or(|state| state.next_attempt_ms <= now);
            if !(requested || (due && !paused)) {
                continue;
            }
            let lease = now.saturating_add(duration_ms(self.config.max_run) + 60_000);
            let state = match self.forum.store().claim_job(&job.name, now, lease).await {
                Ok(Some(state)) => state,
                Ok(None) => continue,
                Err(error) => {
                    tracing::warn!(%error, job = %job.name, "cannot take a job");
                    continue;
                }
            };
            let this = Arc::clone(self);
            let name = job.name.clone();
            let handle = running.spawn(async move { this.run(job, state).await });
            names.insert(handle.id(), name.clone());
            busy.insert(name, lease);
        }
    }

    /// Runs one job and stores its new state.
    async fn run(&self, job: JobSpec, mut state: JobState) {
        let started = now_ms();
        let outcome = match &job.work {
            Work::Pull(source) => {
                match tokio::time::timeout(
                    self.config.max_run,
                    pull(&self.forum, &self.client, source, &mut state),
                )
                .await
                {
                    Ok(Ok(report)) => Ok(report),
                    Ok(Err(error)) => Err(error.to_string()),
                    Err(_) => Err(format!(
                        "the run took longer than {} seconds and was stopped; it continues next time",
                        self.config.max_run.as_secs()
                    )),
                }
            }
            Work::ExpireWaiting => match self.forum.store().expire_waiting(started).await {
                Ok(dropped) => Ok(RunReport {
                    summary: Some(format!(
                        "dropped {dropped} replies and reactions whose target did not arrive in time"
                    )),
                    ..RunReport::default()
                }),
                Err(error) => Err(format!("the database failed: {error}")),
            },
        };
        let now = now_ms();
        state.last_run_ms = Some(now);
        let outcome_label = if outcome.is_ok() { "ok" } else { "error" };
        metrics::counter!("spasm_job_runs_total", "job" => job.name.clone(), "outcome" => outcome_label)
            .increment(1);
        metrics::histogram!("spasm_job_run_seconds", "job" => job.name.clone())
            .record(Duration::from_millis(u64::try_from(now - started).unwrap_or(0)).as_secs_f64());
        match outcome {
            Ok(report) => {
                state.last_success_ms = Some(now);
                state.failures = 0;
                state.taken += i64::try_from(report.taken).unwrap_or(i64::MAX);
                let mut refused: BTreeMap<String, i64> =
                    serde_json::from_str(&state.refused).unwrap_or_default();
                for (reason, count) in &report.refused {
                    *refused.entry(reason.clone()).or_default() +=
                        i64::try_from(*count).unwrap_or(i64::MAX);
                }
                state.refused = serde_json::to_string(&refused).unwrap_or_else(|_| "{}".into());
                if report.possibly_incomplete {
                    state.possibly_incomplete_ms = Some(now);
                }
                state.last_report = Some(report.describe());
                // A capped run continues soon, but not at once: a source that always has
                // more cannot keep the server busy.
                let wait = if report.more {
                    MORE_WAITING.min(job.period)
                } else {
                    backoff::after_success(job.period, backoff::jitter())
                };
                state.next_attempt_ms = now.saturating_add(duration_ms(wait));
                if report.taken > 0 || !report.refused.is_empty() {
                    tracing::info!(job = %job.name, report = %report.describe(), "job ran");
                }
            }
            Err(error) => {
                state.failures += 1;
                state.last_error = Some(error.clone());
                state.last_error_ms = Some(now);
                let failures = u32::try_from(state.failures).unwrap_or(u32::MAX);
                let wait = backoff::after_failures(failures, job.period, backoff::jitter());
                state.next_attempt_ms = now.saturating_add(duration_ms(wait));
                tracing::warn!(job = %job.name, failures, %error, retry_in_secs = wait.as_secs(), "job failed");
            }
        }
        match self.forum.store().finish_job(state).await {
            Ok(true) => {}
            Ok(false) => {
                tracing::warn!(job = %job.name, "a run outlived its lease; another run took the job, and this run's outcome was dropped")
            }
            Err(error) => tracing::error!(%error, job = %job.name, "cannot store a job's state"),
        }
    }
}

fn duration_ms(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}
