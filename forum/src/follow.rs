//! Following the change log, so that several processes on one database behave as one forum:
//! an admin's settings, federation sources or Nostr relays changed through any process are
//! in force in every process within moments.
//!
//! The change log ([`crate::storage::Store::changes`]) is the truth;
//! [`crate::storage::Store::changed`] (on PostgreSQL a
//! `LISTEN`/`NOTIFY` wake-up from any process) only says when to look, and a look every
//! [`FOLLOW_TICK`] covers a missed notification.

use std::time::Duration;

use tokio::sync::watch;

use crate::service::Forum;
use crate::storage::{Change, ChangeKind};

/// The longest a change waits to be seen when its notification was missed.
pub const FOLLOW_TICK: Duration = Duration::from_secs(1);

/// The most changes read at once.
const PAGE: u32 = 500;

/// Stops the follower started by [`Forum::follow_changes`].
#[derive(Debug)]
pub struct FollowHandle {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl FollowHandle {
    /// Stops following and waits for the follower to end.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

impl Forum {
    /// Starts following the change log from its current end (what came before is already
    /// in force: [`Forum::new`] read it).
    pub fn follow_changes(&self) -> FollowHandle {
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(self.clone().follow(stopped));
        FollowHandle { stop, task }
    }

    async fn follow(self, mut stopped: watch::Receiver<bool>) {
        let mut seen = loop {
            match self.store().last_change().await {
                Ok(seq) => {
                    // An admin change made between `Forum::new`'s reading of the settings
                    // and this point is before `seq`: read everything once more.
                    self.admin_changed_elsewhere().await;
                    break seq;
                }
                Err(error) => {
                    tracing::warn!(%error, "cannot read the change log yet; retrying");
                    tokio::select! {
                        _ = stopped.changed() => return,
                        () = tokio::time::sleep(FOLLOW_TICK) => {}
                    }
                }
            }
        };
        loop {
            tokio::select! {
                _ = stopped.changed() => return,
                () = self.store().changed() => {}
                () = tokio::time::sleep(FOLLOW_TICK) => {}
            }
            seen = self.catch_up(seen).await;
        }
    }

    /// Applies what changed after `seen`; the newest change applied.
    async fn catch_up(&self, mut seen: i64) -> i64 {
        loop {
            let changes = match self.store().changes(seen, PAGE).await {
                Ok(changes) => changes,
                Err(error) => {
                    tracing::warn!(%error, "cannot read the change log; retrying");
                    return seen;
                }
            };
            let Some(last) = changes.last().map(|change| change.seq) else {
                return seen;
            };
            if changes.iter().any(is_admin_change) {
                self.admin_changed_elsewhere().await;
            }
            seen = last;
            if changes.len() < PAGE as usize {
                return seen;
            }
        }
    }

    /// An admin-signed event was stored (here or by another process): settings, sources
    /// and relays are read again.
    async fn admin_changed_elsewhere(&self) {
        if let Err(error) = self.load_app_config().await {
            tracing::warn!(%error, "cannot read the newest app config; it is read at the next change");
        }
        self.network_changed().notify_one();
        self.outbox_changed();
    }
}

fn is_admin_change(change: &Change) -> bool {
    change.kind == ChangeKind::AdminEventStored
}
