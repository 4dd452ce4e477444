//! A Nostr relay on loopback for tests (NIP-01: `EVENT`, `REQ`, `CLOSE`; `OK`, `EOSE`), which
//! misbehaves on demand: refuses with a prefix, never answers, drops the connection in the
//! middle of a message, floods a subscription, or sends one huge message. It can be stopped
//! and started again on the same port with what it stored, and counts every `EVENT` it was
//! sent, so that tests can say "arrived once".
//!
//! [`publish`] and [`query`] are a minimal client for the same messages, for tests that
//! talk to any relay.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use spasm::nostr::tag_values;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::broadcast;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{WebSocketStream, accept_async};

/// How the relay answers.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Behaviour {
    /// Stores events, answers `OK true` (`duplicate:` for repeats), serves subscriptions.
    #[default]
    Honest,
    /// Answers the next `n` events `OK false "rate-limited: …"`, then behaves.
    RateLimited(u32),
    /// Answers every event `OK false "blocked: …"`.
    Blocked,
    /// Never answers an event.
    Silent,
    /// On an event, sends the start of a message and closes the connection.
    DropMidMessage,
    /// On a subscription, sends this many stored events (replies to its first `#e` id, or
    /// notes) before `EOSE`.
    Flood(u32),
    /// On a subscription, sends one message of this many bytes.
    Huge(usize),
}

#[derive(Debug, Default)]
struct Shared {
    behaviour: Behaviour,
    events: Vec<Value>,
    received: HashMap<String, u32>,
    subscriptions: u32,
}

/// A running test relay.
#[derive(Debug)]
pub struct TestRelay {
    address: SocketAddr,
    shared: Arc<Mutex<Shared>>,
    live: broadcast::Sender<Value>,
    task: Option<JoinHandle<()>>,
}

fn lock(shared: &Mutex<Shared>) -> MutexGuard<'_, Shared> {
    shared
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl TestRelay {
    /// Starts an honest relay on a free loopback port.
    pub async fn start() -> std::io::Result<Self> {
        Self::start_on("127.0.0.1:0".parse().map_err(std::io::Error::other)?).await
    }

    /// Starts a relay on `address`.
    pub async fn start_on(address: SocketAddr) -> std::io::Result<Self> {
        let mut relay = Self {
            address,
            shared: Arc::new(Mutex::new(Shared::default())),
            live: broadcast::channel(1024).0,
            task: None,
        };
        relay.listen().await?;
        Ok(relay)
    }

    async fn listen(&mut self) -> std::io::Result<()> {
        let listener = TcpListener::bind(self.address).await?;
        self.address = listener.local_addr()?;
        let shared = Arc::clone(&self.shared);
        let live = self.live.clone();
        self.task = Some(tokio::spawn(async move {
            let mut connections = tokio::task::JoinSet::new();
            while let Ok((stream, _)) = listener.accept().await {
                connections.spawn(serve(stream, Arc::clone(&shared), live.clone()));
            }
        }));
        Ok(())
    }

    /// Its `ws://` URL.
    pub fn url(&self) -> String {
        format!("ws://{}", self.address)
    }

    /// Stops listening and drops every connection; what it stored is kept.
    pub fn stop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }

    /// Starts again on the same port.
    pub async fn restart(&mut self) -> std::io::Result<()> {
        self.stop();
        // The aborted task releases the port once it is dropped.
        for _ in 0..50 {
            match self.listen().await {
                Ok(()) => return Ok(()),
                Err(error) if error.kind() == std::io::ErrorKind::AddrInUse => {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(error) => return Err(error),
            }
        }
        self.listen().await
    }

    /// Changes how it answers.
    pub fn behave(&self, behaviour: Behaviour) {
        lock(&self.shared).behaviour = behaviour;
    }

    /// How many times an `EVENT` with this id was sent to it.
    pub fn received(&self, id: &str) -> u32 {
        lock(&self.shared).received.get(id).copied().unwrap_or(0)
    }

    /// The events it stored.
    pub fn events(&self) -> Vec<Value> {
        lock(&self.shared).events.clone()
    }

    /// How many `REQ`s it was sent.
    pub fn subscriptions(&self) -> u32 {
        lock(&self.shared).subscriptions
    }

    /// Stores `event` as if another client published it, and sends it to matching live
    /// subscriptions.
    pub fn inject(&self, event: Value) {
        lock(&self.shared).events.push(event.clone());
        let _ = self.live.send(event);
    }
}

impl Drop for TestRelay {
    fn drop(&mut self) {
        self.stop();
    }
}

type Socket = WebSocketStream<TcpStream>;

async fn serve(stream: TcpStream, shared: Arc<Mutex<Shared>>, live: broadcast::Sender<Value>) {
    let Ok(mut socket) = accept_async(stream).await else {
        return;
    };
    let mut updates = live.subscribe();
    let mut subscriptions: HashMap<String, Vec<Value>> = HashMap::new();
    loop {
        tokio::select! {
            message = socket.next() => {
                let Some(Ok(Message::Text(text))) = message else {
                    if matches!(message, Some(Ok(_))) { continue; }
                    return;
                };
                let Ok(Value::Array(parts)) = serde_json::from_str::<Value>(text.as_str()) else { continue };
                match parts.first().and_then(Value::as_str) {
                    Some("EVENT") => {
                        let Some(event) = parts.get(1).cloned() else { continue };
                        if !take_event(&mut socket, &shared, &live, event).await { return; }
                    }
                    Some("REQ") => {
                        let Some(name) = parts.get(1).and_then(Value::as_str).map(str::to_owned) else { continue };
                        let filters: Vec<Value> = parts[2..].to_vec();
                        if !answer_req(&mut socket, &shared, &name, &filters).await { return; }
                        subscriptions.insert(name, filters);
                    }
                    Some("CLOSE") => {
                        if let Some(name) = parts.get(1).and_then(Value::as_str) {
                            subscriptions.remove(name);
                        }
                    }
                    _ => {}
                }
            }
            update = updates.recv() => {
                let Ok(event) = update else { continue };
                for (name, filters) in &subscriptions {
                    if filters.iter().any(|filter| matches(filter, &event))
                        && socket.send(Message::text(json!(["EVENT", name, event]).to_string())).await.is_err() {
                        return;
                    }
                }
            }
        }
    }
}

/// Handles one `EVENT`; `false` when the connection is to end.
async fn take_event(
    socket: &mut Socket,
    shared: &Mutex<Shared>,
    live: &broadcast::Sender<Value>,
    event: Value,
) -> bool {
    let id = event
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let answer = {
        let mut shared = lock(shared);
        *shared.received.entry(id.clone()).or_default() += 1;
        match shared.behaviour.clone() {
            Behaviour::Silent => None,
            Behaviour::DropMidMessage => Some(Err(())),
            Behaviour::Blocked => {
                Some(Ok((false, "blocked: this relay does not take your events")))
            }
            Behaviour::RateLimited(left) if left > 0 => {
                shared.behaviour = Behaviour::RateLimited(left - 1);
                Some(Ok((false, "rate-limited: slow down")))
            }
            _ => {
                let known = shared
                    .events
                    .iter()
                    .any(|stored| stored.get("id") == event.get("id"));
                if known {
                    Some(Ok((false, "duplicate: already have it")))
                } else {
                    shared.events.push(event.clone());
                    let _ = live.send(event);
                    Some(Ok((true, "")))
                }
            }
        }
    };
    match answer {
        None => true,
        Some(Ok((accepted, message))) => socket
            .send(Message::text(
                json!(["OK", id, accepted, message]).to_string(),
            ))
            .await
            .is_ok(),
        Some(Err(())) => {
            // A text frame announcing 1,000 bytes, 10 of them sent, then the end.
            let stream = socket.get_mut();
            let mut partial = vec![0x81, 126, 0x03, 0xE8];
            partial.extend_from_slice(br#"["OK","abc"#);
            let _ = stream.write_all(&partial).await;
            let _ = stream.shutdown().await;
            false
        }
    }
}

/// Answers a `REQ` with the stored events that match and `EOSE`; `false` when the
/// connection is to end.
async fn answer_req(
    socket: &mut Socket,
    shared: &Mutex<Shared>,
    name: &str,
    filters: &[Value],
) -> bool {
    let (behaviour, stored) = {
        let mut shared = lock(shared);
        shared.subscriptions += 1;
        let stored: Vec<Value> = shared
            .events
            .iter()
            .filter(|event| filters.iter().any(|filter| matches(filter, event)))
            .cloned()
            .collect();
        (shared.behaviour.clone(), stored)
    };
    match behaviour {
        Behaviour::Flood(count) => {
            let target = filters
                .iter()
                .find_map(|filter| filter.get("#e")?.get(0)?.as_str().map(str::to_owned));
            let key = crate::TestKey::from_seed(0xF100D);
            for n in 0..count {
                let tags = target
                    .as_ref()
                    .map_or_else(Vec::new, |id| vec![json!(["e", id, "", "root"])]);
                let event = key.sign_nostr_event(json!({
                    "kind": 1, "created_at": 1_700_000_000 + i64::from(n),
                    "content": format!("flood {n}"), "tags": tags,
                }));
                if socket
                    .send(Message::text(json!(["EVENT", name, event]).to_string()))
                    .await
                    .is_err()
                {
                    return false;
                }
            }
        }
        Behaviour::Huge(bytes) => {
            let content = "x".repeat(bytes);
            let message = json!(["EVENT", name, {"content": content}]).to_string();
            return socket.send(Message::text(message)).await.is_ok();
        }
        _ => {
            for event in stored {
                if socket
                    .send(Message::text(json!(["EVENT", name, event]).to_string()))
                    .await
                    .is_err()
                {
                    return false;
                }
            }
        }
    }
    socket
        .send(Message::text(json!(["EOSE", name]).to_string()))
        .await
        .is_ok()
}

/// Whether `event` matches a NIP-01 filter (`ids`, `authors`, `kinds`, `#e`, `since`,
/// `until`).
pub fn matches(filter: &Value, event: &Value) -> bool {
    let listed =
        |name: &str, value: Option<&Value>| match filter.get(name).and_then(Value::as_array) {
            Some(allowed) => value.is_some_and(|value| allowed.contains(value)),
            None => true,
        };
    let e_matches = match filter.get("#e").and_then(Value::as_array) {
        Some(allowed) => {
            tag_values(event, "e").any(|id| allowed.iter().any(|known| known.as_str() == Some(id)))
        }
        None => true,
    };
    let created_at = event.get("created_at").and_then(Value::as_i64).unwrap_or(0);
    let since = filter.get("since").and_then(Value::as_i64);
    let until = filter.get("until").and_then(Value::as_i64);
    listed("ids", event.get("id"))
        && listed("authors", event.get("pubkey"))
        && listed("kinds", event.get("kind"))
        && e_matches
        && since.is_none_or(|since| created_at >= since)
        && until.is_none_or(|until| created_at <= until)
}

/// Publishes `event` to the relay at `url` and returns its `OK` (accepted, message), or
/// `None` without one within five seconds.
pub async fn publish(url: &str, event: &Value) -> Option<(bool, String)> {
    let (mut socket, _) = tokio_tungstenite::connect_async(url).await.ok()?;
    socket
        .send(Message::text(json!(["EVENT", event]).to_string()))
        .await
        .ok()?;
    let answer = tokio::time::timeout(Duration::from_secs(5), async {
        while let Some(Ok(message)) = socket.next().await {
            let Message::Text(text) = message else {
                continue;
            };
            let Ok(Value::Array(parts)) = serde_json::from_str::<Value>(text.as_str()) else {
                continue;
            };
            if parts.first().and_then(Value::as_str) == Some("OK") {
                return Some((
                    parts.get(2).and_then(Value::as_bool).unwrap_or(false),
                    parts
                        .get(3)
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned(),
                ));
            }
        }
        None
    })
    .await
    .ok()
    .flatten();
    let _ = socket.close(None).await;
    answer
}

/// The events the relay at `url` holds for `filter`, up to its `EOSE` (at most five
/// seconds).
pub async fn query(url: &str, filter: &Value) -> Vec<Value> {
    let Ok((mut socket, _)) = tokio_tungstenite::connect_async(url).await else {
        return Vec::new();
    };
    if socket
        .send(Message::text(json!(["REQ", "q", filter]).to_string()))
        .await
        .is_err()
    {
        return Vec::new();
    }
    let mut events = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), async {
        while let Some(Ok(message)) = socket.next().await {
            let Message::Text(text) = message else {
                continue;
            };
            let Ok(Value::Array(mut parts)) = serde_json::from_str::<Value>(text.as_str()) else {
                continue;
            };
            match parts.first().and_then(Value::as_str) {
                Some("EVENT") if parts.len() == 3 => events.push(parts.swap_remove(2)),
                Some("EOSE") => return,
                _ => {}
            }
        }
    })
    .await;
    let _ = socket.close(None).await;
    events
}
