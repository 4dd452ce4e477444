//! [`NostrRelays`]: one connection per relay, kept open while the relay is wanted: the
//! instance's relays always (publish and subscribe), an author's own relays (NIP-65) while
//! events wait for them (publish only).

use std::collections::HashMap;
use std::time::Duration;

use outgoing::OutgoingClient;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::connection::{RelayConnection, Role};
use super::delivery::RetryPolicy;
use super::relay_url::RelayUrl;
use crate::service::{Forum, now_ms};

/// Bounds and timings of the relay connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NostrLimits {
    /// The largest message taken from a relay, in bytes; a larger one ends the connection.
    pub max_message_bytes: usize,
    /// The most events taken from one relay per second.
    pub events_per_second: u32,
    /// The most stored events one subscription may send before its `EOSE`.
    pub max_stored_events: u32,
    /// The most subscriptions open on one relay.
    pub max_subscriptions: usize,
    /// The most filters in one subscription.
    pub filters_per_subscription: usize,
    /// The most ids or keys in one filter.
    pub values_per_filter: usize,
    /// The most event ids subscribed to (the newest events' ids).
    pub max_ids: u32,
    /// The most author keys subscribed to (the most recently active).
    pub max_authors: u32,
    /// How long an `OK` is waited for.
    pub ok_timeout: Duration,
    /// How often the outbox is looked at (what is queued wakes it at once).
    pub outbox_poll: Duration,
    /// How often the subscriptions are checked against what is held here.
    pub resubscribe_every: Duration,
    /// How far before the newest event taken a new subscription starts (`created_at` is
    /// the author's claim, and relays receive events late).
    pub since_overlap: Duration,
    /// The first wait before reconnecting; it doubles after each failure.
    pub reconnect_first: Duration,
    /// The longest wait before reconnecting.
    pub reconnect_longest: Duration,
    /// When failed publications are tried again.
    pub retry: RetryPolicy,
    /// The most events sent to one relay at once.
    pub publish_batch: u32,
    /// How often the manager looks for relays with waiting events.
    pub tick: Duration,
    /// Authors' own relays (NIP-65), which anyone can name, are reached at public addresses
    /// only, whatever the host allows for its own relays (tests turn this off to reach
    /// loopback).
    pub author_relays_public_only: bool,
}

impl Default for NostrLimits {
    fn default() -> Self {
        Self {
            max_message_bytes: 512 * 1024,
            events_per_second: 50,
            max_stored_events: 5_000,
            max_subscriptions: 4,
            filters_per_subscription: 8,
            values_per_filter: 250,
            max_ids: 2_000,
            max_authors: 1_000,
            ok_timeout: Duration::from_secs(10),
            outbox_poll: Duration::from_secs(5),
            resubscribe_every: Duration::from_secs(30),
            since_overlap: Duration::from_secs(15 * 60),
            reconnect_first: Duration::from_secs(2),
            reconnect_longest: Duration::from_secs(10 * 60),
            retry: RetryPolicy::default(),
            publish_batch: 50,
            tick: Duration::from_secs(10),
            author_relays_public_only: true,
        }
    }
}

/// The relay connections of one process.
#[derive(Debug)]
pub struct NostrRelays {
    forum: Forum,
    client: OutgoingClient,
    limits: NostrLimits,
}

/// Stops the connections started by [`NostrRelays::start`].
#[derive(Debug)]
pub struct NostrRelaysHandle {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl NostrRelaysHandle {
    /// Closes every connection (events waiting for an `OK` are sent again later; relays
    /// answer `duplicate:` for those they had) and returns.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        if let Err(error) = self.task.await {
            tracing::error!(%error, "the relay manager ended badly");
        }
    }
}

struct Running {
    role: Role,
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl NostrRelays {
    /// The connections of `forum`, made with `client`.
    pub fn new(forum: Forum, client: OutgoingClient, limits: NostrLimits) -> Self {
        Self {
            forum,
            client,
            limits,
        }
    }

    /// Starts the manager on the current runtime.
    pub fn start(self) -> NostrRelaysHandle {
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(self.manage(stopped));
        NostrRelaysHandle { stop, task }
    }

    /// The relays wanted now, with what each connection does.
    async fn wanted(&self) -> HashMap<RelayUrl, Role> {
        let mut wanted: HashMap<RelayUrl, Role> = self
            .forum
            .instance_relays()
            .await
            .into_iter()
            .map(|relay| (relay, Role::Instance))
            .collect();
        // An author's relay is connected to only while something for it is due soon.
        let soon = now_ms().saturating_add(duration_ms(self.limits.tick.saturating_mul(6)));
        match self.forum.store().outbox_backlog(soon).await {
            Ok(backlog) => {
                for (relay, _) in backlog {
                    if let Ok(relay) = RelayUrl::parse(&relay) {
                        wanted.entry(relay).or_insert(Role::PublishOnly);
                    }
                }
            }
            Err(error) => tracing::warn!(%error, "cannot read the Nostr outbox"),
        }
        wanted
    }

    async fn manage(self, mut stop: watch::Receiver<bool>) {
        let mut running: HashMap<RelayUrl, Running> = HashMap::new();
        loop {
            let wanted = self.wanted().await;
            let gone: Vec<RelayUrl> = running
                .iter()
                .filter(|(relay, current)| wanted.get(*relay) != Some(&current.role))
                .map(|(relay, _)| relay.clone())
                .collect();
            for relay in gone {
                if let Some(current) = running.remove(&relay) {
                    current.stop(self.limits.ok_timeout).await;
                }
            }
            for (relay, role) in wanted {
                if running.contains_key(&relay) {
                    continue;
                }
                let (stop_one, stopped) = watch::channel(false);
                let connection = RelayConnection {
                    forum: self.forum.clone(),
                    client: self.client.clone(),
                    relay: relay.clone(),
                    role,
                    limits: self.limits,
                };
                let task = tokio::spawn(connection.run(stopped));
                running.insert(
                    relay,
                    Running {
                        role,
                        stop: stop_one,
                        task,
                    },
                );
            }
            tokio::select! {
                _ = stop.changed() => break,
                () = self.forum.nostr().relays_changed.notified() => {}
                () = tokio::time::sleep(self.limits.tick) => {}
            }
        }
        for current in running.values() {
            let _ = current.stop.send(true);
        }
        for (_, current) in running {
            current.stop(self.limits.ok_timeout).await;
        }
    }
}

impl Running {
    /// Asks the connection to end, waits at most `grace`, then cuts it off.
    async fn stop(self, grace: Duration) {
        let _ = self.stop.send(true);
        let mut task = self.task;
        if tokio::time::timeout(grace, &mut task).await.is_err() {
            task.abort();
        }
    }
}

fn duration_ms(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}
