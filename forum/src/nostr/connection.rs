//! One relay connection: connect (through the [`OutgoingClient`]'s address rules), publish
//! what the outbox holds for the relay and record each `OK`, subscribe to what concerns the
//! events held here, and hand what arrives to the one ingest path. Reconnects with backoff
//! until stopped.
//!
//! Bounds: one message at most [`NostrLimits::max_message_bytes`] (a larger one ends the
//! connection), events taken at most [`NostrLimits::events_per_second`] (the socket is read
//! no faster, so a flood waits in the relay's buffers, not in our memory), at most
//! [`NostrLimits::max_subscriptions`] subscriptions, and a subscription that sends more than
//! [`NostrLimits::max_stored_events`] stored events is closed.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use outgoing::{Addresses, OutgoingClient, RelaySocket, WebSocketMessage as Message};
use serde_json::Value;
use spasm::nostr::relay::{ClientMessage, Filter, RelayMessage};
use spasm::nostr::tag_values;
use tokio::sync::watch;
use tokio::time::Instant;

use super::deletion::DELETION_KIND;
use super::delivery::Attempt;
use super::manager::NostrLimits;
use super::relay_list::RELAY_LIST_KIND;
use super::relay_url::RelayUrl;
use crate::ingest::Origin;
use crate::jobs::backoff;
use crate::service::{Forum, now_ms};
use crate::storage::SubscriptionTargets;

/// Kinds asked for by the ids of the events held here: replies (NIP-10), deletions (NIP-09)
/// and reactions (NIP-25).
const KINDS_BY_EVENT: [u32; 3] = [1, DELETION_KIND as u32, 7];
/// Kinds asked for by the keys of the authors here: profiles and NIP-65 relay lists.
const KINDS_BY_AUTHOR: [u32; 2] = [0, RELAY_LIST_KIND as u32];

/// What a connection does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Publish and subscribe: one of the instance's relays.
    Instance,
    /// Publish only: an author's own relay (NIP-65) with events waiting for it.
    PublishOnly,
}

/// One relay's connection task.
#[derive(Debug)]
pub struct RelayConnection {
    pub(super) forum: Forum,
    pub(super) client: OutgoingClient,
    pub(super) relay: RelayUrl,
    pub(super) role: Role,
    pub(super) limits: NostrLimits,
}

/// Why a session ended.
#[derive(Debug)]
enum SessionEnd {
    Stopped,
    Failed(String),
}

/// A published event waiting for its `OK`.
#[derive(Debug)]
struct InFlight {
    attempts: i64,
    deadline: Instant,
}

impl RelayConnection {
    /// Connects, serves, and reconnects after failures (waiting longer after each) until
    /// `stop` turns true.
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        let mut failures: u32 = 0;
        loop {
            if *stop.borrow() {
                return;
            }
            let started = Instant::now();
            let end = self.session(&mut stop).await;
            let error = match end {
                SessionEnd::Stopped => return,
                SessionEnd::Failed(error) => error,
            };
            // A connection that served a while starts the backoff afresh.
            if started.elapsed() > self.limits.reconnect_longest {
                failures = 0;
            }
            failures = failures.saturating_add(1);
            let wait = backoff::exponential(
                self.limits.reconnect_first,
                self.limits.reconnect_longest,
                failures,
                backoff::jitter(),
            );
            tracing::info!(relay = %self.relay, %error, wait_ms = wait.as_millis() as u64, "relay connection ended; reconnecting later");
            if let Err(storage) = self
                .forum
                .store()
                .save_relay_error(self.relay.as_str(), Some(error), now_ms())
                .await
            {
                tracing::warn!(%storage, "cannot record a relay's error");
            }
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                _ = stop.changed() => return,
            }
        }
    }

    /// Which addresses the relay may have.
    fn addresses(&self) -> Addresses {
        if self.role == Role::PublishOnly && self.limits.author_relays_public_only {
            Addresses::PublicOnly
        } else {
            Addresses::AsPolicy
        }
    }

    /// One connection, from connect to close.
    async fn session(&self, stop: &mut watch::Receiver<bool>) -> SessionEnd {
        let socket = tokio::select! {
            socket = self.client.connect_websocket(self.relay.as_str(), self.limits.max_message_bytes, self.addresses()) => socket,
            _ = stop.changed() => return SessionEnd::Stopped,
        };
        let socket = match socket {
            Ok(socket) => socket,
            Err(error) => return SessionEnd::Failed(error.to_string()),
        };
        tracing::info!(relay = %self.relay, role = ?self.role, "connected to relay");
        let _ = self
            .forum
            .store()
            .save_relay_error(self.relay.as_str(), None, now_ms())
            .await;
        let mut session = Session {
            connection: self,
            socket,
            in_flight: HashMap::new(),
            subscribed: None,
            open: HashSet::new(),
            stored_events: HashMap::new(),
            newest_seen: None,
            next_event_at: Instant::now(),
        };
        let end = session.serve(stop).await;
        session
            .fail_in_flight("the connection ended before the relay answered")
            .await;
        if matches!(end, SessionEnd::Stopped) {
            let _ = tokio::time::timeout(self.limits.ok_timeout, session.socket.close(None)).await;
        }
        end
    }
}

/// A live connection.
struct Session<'a> {
    connection: &'a RelayConnection,
    socket: RelaySocket,
    in_flight: HashMap<String, InFlight>,
    /// What the subscriptions ask for, to resubscribe only when it changed.
    subscribed: Option<SubscriptionTargets>,
    /// The subscriptions open on this connection: events for any other are dropped.
    open: HashSet<String>,
    /// Stored events received per subscription before its `EOSE`.
    stored_events: HashMap<String, u32>,
    /// The newest `created_at` taken since the position was last saved.
    newest_seen: Option<i64>,
    /// When the next event may be taken (the events-per-second bound).
    next_event_at: Instant,
}

impl Session<'_> {
    async fn serve(&mut self, stop: &mut watch::Receiver<bool>) -> SessionEnd {
        let limits = &self.connection.limits;
        let forum = &self.connection.forum;
        let mut outbox_poll = tokio::time::interval(limits.outbox_poll);
        let mut resubscribe = tokio::time::interval(limits.resubscribe_every);
        let mut deadlines = tokio::time::interval(Duration::from_millis(500));
        loop {
            let outbox_changed = forum.nostr().outbox_changed.notified();
            tokio::select! {
                _ = stop.changed() => return SessionEnd::Stopped,
                message = self.socket.next() => {
                    let text = match message {
                        None => return SessionEnd::Failed("the relay closed the connection".into()),
                        Some(Err(error)) => return SessionEnd::Failed(format!("the connection failed: {error}")),
                        Some(Ok(Message::Text(text))) => text,
                        Some(Ok(Message::Close(frame))) => {
                            let reason = frame.map(|frame| frame.reason.to_string()).unwrap_or_default();
                            return SessionEnd::Failed(format!("the relay closed the connection {reason}").trim_end().to_owned());
                        }
                        // Pings are answered by tungstenite; binary frames mean nothing in NIP-01.
                        Some(Ok(_)) => continue,
                    };
                    if let Err(error) = self.take(text.as_str()).await {
                        return SessionEnd::Failed(error);
                    }
                }
                () = outbox_changed => {
                    if let Err(error) = self.publish_due().await { return SessionEnd::Failed(error); }
                }
                _ = outbox_poll.tick() => {
                    if let Err(error) = self.publish_due().await { return SessionEnd::Failed(error); }
                }
                _ = resubscribe.tick(), if self.connection.role == Role::Instance => {
                    if let Err(error) = self.subscribe().await { return SessionEnd::Failed(error); }
                }
                _ = deadlines.tick() => self.expire_in_flight().await,
            }
        }
    }

    /// Sends one message; a relay that does not take it within the `OK` timeout (it stopped
    /// reading) ends the connection.
    async fn send(&mut self, message: &ClientMessage<'_>) -> Result<(), String> {
        let limit = self.connection.limits.ok_timeout;
        tokio::time::timeout(limit, self.socket.send(Message::text(message.to_json())))
            .await
            .map_err(|_| format!("the relay took nothing for {} s", limit.as_secs()))?
            .map_err(|error| format!("sending to the relay failed: {error}"))
    }

    /// Sends what is due for this relay, at most a batch at a time.
    async fn publish_due(&mut self) -> Result<(), String> {
        let limits = self.connection.limits;
        let now = now_ms();
        let lease = now.saturating_add(duration_ms(limits.ok_timeout.saturating_mul(3)));
        let items = match self
            .connection
            .forum
            .store()
            .claim_outbox(
                self.connection.relay.as_str(),
                now,
                lease,
                limits.publish_batch,
            )
            .await
        {
            Ok(items) => items,
            Err(error) => {
                tracing::warn!(%error, "cannot read the Nostr outbox");
                return Ok(());
            }
        };
        for item in items {
            let Ok(event) = serde_json::from_str::<Value>(&item.nostr_event) else {
                self.record(
                    &item.nostr_id,
                    item.attempts,
                    Attempt::Answered {
                        accepted: false,
                        message: "invalid: the stored event is not JSON".into(),
                    },
                )
                .await;
                continue;
            };
            self.send(&ClientMessage::Event(&event)).await?;
            self.in_flight.insert(
                item.nostr_id,
                InFlight {
                    attempts: item.attempts,
                    deadline: Instant::now() + limits.ok_timeout,
                },
            );
        }
        Ok(())
    }

    async fn record(&self, nostr_id: &str, attempts: i64, attempt: Attempt) {
        let answer =
            self.connection
                .limits
                .retry
                .answer(attempt, attempts, now_ms(), backoff::jitter());
        tracing::debug!(relay = %self.connection.relay, nostr_id, state = answer.state.name(), reason = ?answer.reason, "relay answered");
        if let Err(error) = self
            .connection
            .forum
            .store()
            .answer_outbox(self.connection.relay.as_str(), nostr_id, answer)
            .await
        {
            tracing::warn!(%error, "cannot record a relay's answer");
        }
    }

    /// Publications without an `OK` in time are tried again later.
    async fn expire_in_flight(&mut self) {
        let now = Instant::now();
        let expired: Vec<(String, i64)> = self
            .in_flight
            .iter()
            .filter(|(_, flight)| flight.deadline <= now)
            .map(|(id, flight)| (id.clone(), flight.attempts))
            .collect();
        let waited = self.connection.limits.ok_timeout.as_secs();
        for (id, attempts) in expired {
            self.in_flight.remove(&id);
            self.record(
                &id,
                attempts,
                Attempt::Failed(format!("no answer from the relay within {waited} s")),
            )
            .await;
        }
    }

    async fn fail_in_flight(&mut self, reason: &str) {
        for (id, flight) in std::mem::take(&mut self.in_flight) {
            self.record(&id, flight.attempts, Attempt::Failed(reason.to_owned()))
                .await;
        }
    }

    /// (Re)subscribes when what concerns the forum changed.
    async fn subscribe(&mut self) -> Result<(), String> {
        let limits = self.connection.limits;
        let store = self.connection.forum.store();
        let targets = match store
            .subscription_targets(limits.max_ids, limits.max_authors)
            .await
        {
            Ok(targets) => targets,
            Err(error) => {
                tracing::warn!(%error, "cannot read what to subscribe to");
                return Ok(());
            }
        };
        if self.subscribed.as_ref() == Some(&targets) {
            return Ok(());
        }
        self.save_position().await;
        let since = match store.relay_read_state(self.connection.relay.as_str()).await {
            Ok(state) => state
                .since_s
                .map(|since| since.saturating_sub(limits.since_overlap.as_secs() as i64)),
            Err(_) => None,
        };
        let subscriptions = subscriptions(&targets, since, &limits);
        for (index, filters) in subscriptions.iter().enumerate() {
            let name = format!("forum-{index}");
            self.stored_events.insert(name.clone(), 0);
            self.open.insert(name.clone());
            self.send(&ClientMessage::Req {
                subscription: &name,
                filters,
            })
            .await?;
        }
        // Subscriptions left over from a longer list end.
        if let Some(previous) = &self.subscribed {
            let before = subscriptions_needed(previous, &limits);
            for index in subscriptions.len()..before {
                let name = format!("forum-{index}");
                self.open.remove(&name);
                self.stored_events.remove(&name);
                self.send(&ClientMessage::Close(&name)).await?;
            }
        }
        self.subscribed = Some(targets);
        Ok(())
    }

    /// Handles one message from the relay.
    async fn take(&mut self, text: &str) -> Result<(), String> {
        let message = match RelayMessage::parse(text) {
            Ok(message) => message,
            Err(error) => {
                tracing::debug!(relay = %self.connection.relay, %error, "ignoring a relay message");
                return Ok(());
            }
        };
        match message {
            RelayMessage::Ok {
                event_id,
                accepted,
                message,
            } => {
                if let Some(flight) = self.in_flight.remove(&event_id) {
                    self.record(
                        &event_id,
                        flight.attempts,
                        Attempt::Answered { accepted, message },
                    )
                    .await;
                }
            }
            RelayMessage::Event {
                subscription,
                event,
            } => {
                // Only what was asked for: a relay may not push events of its choosing
                // (an author's own relay is never subscribed to).
                if !self.open.contains(&subscription) || !self.asked_for(&event) {
                    tracing::debug!(relay = %self.connection.relay, subscription, "ignoring an event that was not asked for");
                    return Ok(());
                }
                if let Some(count) = self.stored_events.get_mut(&subscription) {
                    *count += 1;
                    if *count > self.connection.limits.max_stored_events {
                        tracing::warn!(relay = %self.connection.relay, subscription, "a subscription sent too many stored events; closing it");
                        self.stored_events.remove(&subscription);
                        self.open.remove(&subscription);
                        self.send(&ClientMessage::Close(&subscription)).await?;
                        return Ok(());
                    }
                }
                self.ingest(event).await;
            }
            RelayMessage::EndOfStoredEvents(subscription) => {
                self.stored_events.remove(&subscription);
                self.save_position().await;
            }
            RelayMessage::Closed {
                subscription,
                message,
            } => {
                tracing::info!(relay = %self.connection.relay, subscription, message, "the relay closed a subscription");
                // Asked again at the next check.
                self.open.remove(&subscription);
                self.stored_events.remove(&subscription);
                self.subscribed = None;
            }
            RelayMessage::Notice(notice) => {
                tracing::info!(relay = %self.connection.relay, notice, "relay notice");
            }
            RelayMessage::Auth(_) => {
                tracing::debug!(relay = %self.connection.relay, "the relay asks for NIP-42 authentication, which this server does not do");
            }
        }
        Ok(())
    }

    /// Takes one event through the one ingest path, no faster than the bound allows.
    async fn ingest(&mut self, event: Value) {
        let interval = Duration::from_secs(1) / self.connection.limits.events_per_second.max(1);
        tokio::time::sleep_until(self.next_event_at).await;
        self.next_event_at = Instant::now().max(self.next_event_at) + interval;
        let created_at = event.get("created_at").and_then(Value::as_i64);
        let origin = Origin::Nostr {
            relay: self.connection.relay.to_string(),
        };
        match self.connection.forum.ingest(event, origin).await {
            Ok(accepted) => {
                tracing::debug!(relay = %self.connection.relay, spasmid = accepted.spasmid, "took an event from a relay");
            }
            Err(error) => {
                tracing::debug!(relay = %self.connection.relay, reason = error.reason(), "refused an event from a relay");
            }
        }
        // A claimed time far in the future would move the position past what is real.
        let latest_believable = now_ms() / 1000 + 600;
        if let Some(created_at) = created_at.filter(|at| *at <= latest_believable) {
            self.newest_seen = Some(
                self.newest_seen
                    .map_or(created_at, |seen| seen.max(created_at)),
            );
        }
    }

    /// Whether `event` is one of those the subscriptions ask for: a reply, reaction or
    /// deletion naming an event held here, or a profile or relay list of an author here.
    fn asked_for(&self, event: &Value) -> bool {
        let Some(targets) = &self.subscribed else {
            return false;
        };
        let kind = event
            .get("kind")
            .and_then(Value::as_u64)
            .unwrap_or(u64::MAX);
        if KINDS_BY_AUTHOR
            .iter()
            .any(|known| u64::from(*known) == kind)
        {
            let author = event
                .get("pubkey")
                .and_then(Value::as_str)
                .unwrap_or_default();
            return targets.authors.iter().any(|known| known == author);
        }
        if !KINDS_BY_EVENT.iter().any(|known| u64::from(*known) == kind) {
            return false;
        }
        tag_values(event, "e").any(|id| targets.event_ids.iter().any(|known| known == id))
    }

    /// Saves the newest `created_at` taken, once every subscription has sent its stored
    /// events (they come newest first: saving earlier could skip older ones).
    async fn save_position(&mut self) {
        if !self.stored_events.is_empty() {
            return;
        }
        let Some(since) = self.newest_seen.take() else {
            return;
        };
        if let Err(error) = self
            .connection
            .forum
            .store()
            .save_relay_since(self.connection.relay.as_str(), since, now_ms())
            .await
        {
            tracing::warn!(%error, "cannot save a relay's reading position");
        }
    }
}

fn duration_ms(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

/// The filters of each subscription: ids and authors in batches, at most
/// [`NostrLimits::max_subscriptions`] subscriptions of [`NostrLimits::filters_per_subscription`]
/// filters.
fn subscriptions(
    targets: &SubscriptionTargets,
    since: Option<i64>,
    limits: &NostrLimits,
) -> Vec<Vec<Filter>> {
    let batch = limits.values_per_filter.max(1);
    let mut filters: Vec<Filter> = targets
        .event_ids
        .chunks(batch)
        .map(|ids| Filter {
            kinds: KINDS_BY_EVENT.to_vec(),
            e_tags: ids.to_vec(),
            since,
            ..Filter::default()
        })
        .collect();
    // Profiles and relay lists are replaceable (NIP-01): a relay keeps the newest of each,
    // so they are asked for whatever their age (a new author's may be years old).
    filters.extend(targets.authors.chunks(batch).map(|authors| Filter {
        kinds: KINDS_BY_AUTHOR.to_vec(),
        authors: authors.to_vec(),
        ..Filter::default()
    }));
    filters
        .chunks(limits.filters_per_subscription.max(1))
        .take(limits.max_subscriptions)
        .map(<[Filter]>::to_vec)
        .collect()
}

fn subscriptions_needed(targets: &SubscriptionTargets, limits: &NostrLimits) -> usize {
    subscriptions(targets, None, limits).len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subscriptions_batch_ids_and_authors_within_bounds() {
        let limits = NostrLimits {
            values_per_filter: 2,
            filters_per_subscription: 2,
            max_subscriptions: 2,
            ..NostrLimits::default()
        };
        let targets = SubscriptionTargets {
            event_ids: (0..5).map(|n| format!("{n:064x}")).collect(),
            authors: vec!["a".repeat(64)],
        };
        let made = subscriptions(&targets, Some(100), &limits);
        // 3 id filters + 1 author filter = 4 filters = 2 subscriptions of 2.
        assert_eq!(made.len(), 2);
        assert_eq!(made[0][0].e_tags.len(), 2);
        assert_eq!(made[0][0].since, Some(100));
        assert_eq!(made[1][1].authors.len(), 1);
        assert_eq!(
            made[1][1].since, None,
            "replaceable events whatever their age"
        );
        assert_eq!(made[1][1].kinds, KINDS_BY_AUTHOR);
        let many = SubscriptionTargets {
            event_ids: (0..50).map(|n| format!("{n:064x}")).collect(),
            authors: Vec::new(),
        };
        assert_eq!(subscriptions(&many, None, &limits).len(), 2);
    }
}
