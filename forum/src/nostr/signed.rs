//! [`SignedNostrEvent`]: a Nostr event whose id and signature this server checked (NIP-01).

use serde_json::Value;
use spasm::convert::{VerifiedEvent, VerifiedSigner};
use spasm::nostr::{NostrEventError, verify_nostr_event};

use crate::address::AuthorAddress;

/// A Nostr event whose NIP-01 id and BIP-340 signature were checked here, kept verbatim.
/// Only [`SignedNostrEvent::of_verified`] and [`SignedNostrEvent::verify`] make one.
#[derive(Debug, Clone, PartialEq)]
pub struct SignedNostrEvent {
    pubkey: AuthorAddress,
    id: String,
    kind: u64,
    created_at: i64,
    event: Value,
}

impl SignedNostrEvent {
    /// The Nostr event inside a verified Spasm event (its sibling's `originalObject` whose
    /// id the checked signature covers); `None` when no Nostr signature was checked.
    pub fn of_verified(event: &VerifiedEvent) -> Option<Self> {
        let siblings = event.event().get("siblings")?.as_array()?;
        event.signers().iter().find_map(|signer| {
            let VerifiedSigner::Nostr(nostr) = signer else {
                return None;
            };
            let signed_id = nostr.event_id().to_string();
            // Only the very object whose id the signature covers counts.
            let original = siblings
                .iter()
                .filter_map(|sibling| sibling.get("originalObject"))
                .find(|original| original.get("id").and_then(Value::as_str) == Some(&signed_id))?;
            Some(Self {
                pubkey: AuthorAddress::of_signer(signer),
                id: signed_id,
                kind: original.get("kind").and_then(Value::as_u64)?,
                created_at: original.get("created_at").and_then(Value::as_i64)?,
                event: original.clone(),
            })
        })
    }

    /// Checks a Nostr event as a relay sends it (NIP-01, `verify_nostr_event`).
    ///
    /// # Errors
    /// [`NostrEventError`] when its shape, id or signature is wrong.
    pub fn verify(event: &Value) -> Result<Self, NostrEventError> {
        let signer = verify_nostr_event(event)?;
        Ok(Self {
            pubkey: AuthorAddress::from_claimed(&signer.pubkey().to_string()),
            id: signer.event_id().to_string(),
            kind: event
                .get("kind")
                .and_then(Value::as_u64)
                .ok_or(NostrEventError::Malformed("kind"))?,
            created_at: event
                .get("created_at")
                .and_then(Value::as_i64)
                .ok_or(NostrEventError::Malformed("created_at"))?,
            event: event.clone(),
        })
    }

    /// The key that signed it (lower-case hex).
    pub fn pubkey(&self) -> &AuthorAddress {
        &self.pubkey
    }

    /// Its NIP-01 id (lower-case hex).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Its kind.
    pub fn kind(&self) -> u64 {
        self.kind
    }

    /// Its signed `created_at` (seconds; the author's claim).
    pub fn created_at(&self) -> i64 {
        self.created_at
    }

    /// The event as signed.
    pub fn event(&self) -> &Value {
        &self.event
    }

    /// The values of its tags named `name` (their second element).
    pub fn tag_values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        spasm::nostr::tag_values(&self.event, name)
    }

    /// Its tags, as arrays.
    pub fn tags(&self) -> impl Iterator<Item = &Vec<Value>> {
        self.event
            .get("tags")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_array)
    }
}
