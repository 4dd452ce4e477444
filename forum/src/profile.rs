//! Nostr profiles (kind-0 metadata events): kept per key, the newest by its signed
//! `created_at` winning (the old client kept whichever arrived first), and shown on author
//! pages. A profile is not an event of the forum: it never appears in feeds or author lists.

use serde_json::Value;
use spasm::convert::VerifiedEvent;
use spasm::nostr::{METADATA_KIND, NostrProfile};

use crate::address::AuthorAddress;
use crate::nostr::SignedNostrEvent;

/// A kind-0 event whose signature was checked, ready to be stored as its key's profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileUpdate {
    /// The key the profile describes (lower-case hex).
    pub pubkey: AuthorAddress,
    /// The signed `created_at` (seconds).
    pub created_at: i64,
    /// The event's NIP-01 id (hex).
    pub event_id: String,
    /// The original Nostr event, verbatim, so it can be re-verified and re-served.
    pub event_json: String,
}

impl ProfileUpdate {
    /// The profile a verified event publishes: a Nostr kind-0 event whose id and signature
    /// this server checked. `None` for every other event.
    pub fn of(event: &VerifiedEvent) -> Option<Self> {
        let signed = SignedNostrEvent::of_verified(event)?;
        (signed.kind() == METADATA_KIND).then(|| Self {
            pubkey: signed.pubkey().clone(),
            created_at: signed.created_at(),
            event_id: signed.id().to_owned(),
            event_json: signed.event().to_string(),
        })
    }
}

/// A stored profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredProfile {
    /// The signed `created_at` (seconds).
    pub created_at: i64,
    /// The original Nostr event.
    pub event_json: String,
}

impl StoredProfile {
    /// What the profile says, each field safe to show; `None` when its content is not a
    /// JSON object (it was accepted, but shows nothing).
    pub fn profile(&self) -> Option<NostrProfile> {
        let event: Value = serde_json::from_str(&self.event_json).ok()?;
        let content = event.get("content")?.as_str()?;
        NostrProfile::from_metadata_content(content).ok()
    }
}
