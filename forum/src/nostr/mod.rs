//! The Nostr network: the server publishes its authors' Nostr-signed events to relays and
//! takes what Nostr users answer there. The browser never talks to a relay.
//!
//! * Relays: the host's (`NOSTR_DEFAULT_RELAYS`, TOML) and the admin's
//!   ([`spasm::body::NOSTR_RELAYS_ACTION`]); an author's events also go to the write relays
//!   of the author's newest NIP-65 list ([`relay_list`]).
//! * Publishing: an event whose author asked for it is queued in the transaction that stores
//!   it (the outbox, `storage::nostr`), then sent by the relay connections
//!   ([`connection`]), with every relay's answer recorded ([`delivery`]).
//! * Reading: the connections subscribe to replies, reactions and deletions of the events
//!   held here and to the profiles and relay lists of their authors, and hand everything
//!   to [`Forum::ingest`] with [`crate::Origin::Nostr`].

pub mod connection;
pub mod deletion;
pub mod delivery;
pub mod kind;
pub mod manager;
pub mod publish_later;
pub mod relay_list;
pub mod relay_url;
pub mod signed;

use std::sync::{Arc, RwLock};

use spasm::body::NOSTR_RELAYS_ACTION;

pub use delivery::RetryPolicy;
pub use manager::{NostrLimits, NostrRelays, NostrRelaysHandle};
pub use publish_later::{CHALLENGE_KIND, PublishLaterError};
pub use relay_url::{RelayUrl, RelayUrlError};
pub use signed::SignedNostrEvent;

use crate::address::AuthorAddress;
use crate::service::{Forum, ReadError};
use crate::storage::Publication;

/// What the service keeps about relays: the host's list and the wake-ups of the
/// connections.
#[derive(Debug, Default)]
pub struct NostrState {
    host_relays: RwLock<Arc<Vec<RelayUrl>>>,
    /// Wakes the connections when something is queued for publishing.
    outbox_changed: tokio::sync::Notify,
    /// Wakes the manager when the relays change.
    relays_changed: tokio::sync::Notify,
    /// Challenges for publishing an event later (its signer's proof).
    challenges: publish_later::Challenges,
}

impl Forum {
    /// Sets the relays the host configured (`NOSTR_DEFAULT_RELAYS`, TOML).
    pub fn set_host_relays(&self, relays: Vec<RelayUrl>) {
        let relays = Arc::new(relays);
        match self.nostr().host_relays.write() {
            Ok(mut current) => *current = relays,
            Err(poisoned) => *poisoned.into_inner() = relays,
        }
        self.nostr().relays_changed.notify_one();
    }

    /// The host's relays.
    pub fn host_relays(&self) -> Vec<RelayUrl> {
        match self.nostr().host_relays.read() {
            Ok(current) => current.as_ref().clone(),
            Err(poisoned) => poisoned.into_inner().as_ref().clone(),
        }
    }

    /// The newest relay list signed by a current admin ([`NOSTR_RELAYS_ACTION`]).
    pub async fn admin_relays(&self) -> Result<Vec<RelayUrl>, ReadError> {
        let base = self.shared_settings().base().clone();
        for stored in self
            .store()
            .latest_admin_events(NOSTR_RELAYS_ACTION, 10)
            .await?
        {
            let is_admin =
                AuthorAddress::parse(&stored.signer).is_ok_and(|signer| base.is_admin(&signer));
            if stored.action != NOSTR_RELAYS_ACTION || !is_admin {
                continue;
            }
            if let Ok(relays) = parse_relay_array(&stored.content) {
                return Ok(relays);
            }
        }
        Ok(Vec::new())
    }

    /// The instance's relays: the host's, then the admin's. The admin's are left out, with
    /// a log line, when the store cannot say.
    pub async fn instance_relays(&self) -> Vec<RelayUrl> {
        let mut relays = self.host_relays();
        match self.admin_relays().await {
            Ok(admin) => {
                for relay in admin {
                    if !relays.contains(&relay) {
                        relays.push(relay);
                    }
                }
            }
            Err(error) => tracing::warn!(%error, "cannot read the admin's Nostr relays"),
        }
        relays
    }

    /// The relays an event signed by `pubkey` is published to: the instance's, then the
    /// write relays of the key's newest NIP-65 list.
    pub async fn publication_relays(&self, pubkey: &AuthorAddress) -> Vec<RelayUrl> {
        let mut relays = self.instance_relays().await;
        match self.store().write_relays(pubkey).await {
            Ok(own) => {
                for relay in own.iter().filter_map(|url| RelayUrl::parse(url).ok()) {
                    if !relays.contains(&relay) {
                        relays.push(relay);
                    }
                }
            }
            Err(error) => tracing::warn!(%error, "cannot read an author's NIP-65 relays"),
        }
        relays
    }

    /// The publication of `event` to its author's relays; `None` when there are none.
    pub(crate) async fn publication_of(&self, event: &SignedNostrEvent) -> Option<Publication> {
        let relays = self.publication_relays(event.pubkey()).await;
        (!relays.is_empty()).then(|| Publication {
            nostr_id: event.id().to_owned(),
            nostr_event: event.event().to_string(),
            relays: relays.iter().map(ToString::to_string).collect(),
        })
    }

    /// Wakes the relay connections: something was queued for publishing.
    pub(crate) fn outbox_changed(&self) {
        self.nostr().outbox_changed.notify_waiters();
        self.nostr().relays_changed.notify_one();
    }
}

/// Reads an admin's relay list: a JSON array of relay URLs.
///
/// # Errors
/// In words: not an array of strings, or an entry that is not a relay URL.
pub fn parse_relay_array(content: &str) -> Result<Vec<RelayUrl>, String> {
    let entries: Vec<String> = serde_json::from_str(content)
        .map_err(|_| "the relay list must be a JSON array of wss:// URLs".to_owned())?;
    let mut relays: Vec<RelayUrl> = Vec::new();
    for entry in &entries {
        let relay = RelayUrl::parse(entry).map_err(|error| error.to_string())?;
        if !relays.contains(&relay) {
            relays.push(relay);
        }
    }
    Ok(relays)
}
