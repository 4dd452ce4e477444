//! Publishing an event stored here to Nostr relays after the fact, at the request of its
//! own Nostr signer only: the request is proved by a NIP-07 signature of a short-lived
//! challenge, in the shape of a NIP-42 authentication event (kind 22242, tags `relay` and
//! `challenge`), so that nobody can publish someone else's post in their name.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use serde_json::Value;

use super::kind::nostr_originals;
use super::signed::SignedNostrEvent;
use crate::service::{Forum, now_ms};
use crate::storage::{Delivery, StorageError};

/// The kind of the signed challenge (NIP-42's client authentication).
pub const CHALLENGE_KIND: u64 = spasm::nostr::relay::AUTH_KIND;

/// How long a challenge may be answered.
pub const CHALLENGE_LIFETIME: Duration = Duration::from_secs(10 * 60);

/// The most challenges outstanding at once (older ones are forgotten first).
const MAX_CHALLENGES: usize = 10_000;

/// Challenges handed out and not answered yet: the event each is for, and its expiry (ms).
#[derive(Debug, Default)]
pub struct Challenges(Mutex<HashMap<String, (String, i64)>>);

impl Challenges {
    fn issue(&self, event_id: &str, now_ms: i64) -> String {
        let challenge = hex::encode(rand::random::<[u8; 16]>());
        let mut open = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        open.retain(|_, (_, expires)| *expires > now_ms);
        if open.len() >= MAX_CHALLENGES
            && let Some(oldest) = open
                .iter()
                .min_by_key(|(_, (_, expires))| *expires)
                .map(|(challenge, _)| challenge.clone())
        {
            open.remove(&oldest);
        }
        let lifetime = i64::try_from(CHALLENGE_LIFETIME.as_millis()).unwrap_or(i64::MAX);
        open.insert(
            challenge.clone(),
            (event_id.to_owned(), now_ms.saturating_add(lifetime)),
        );
        challenge
    }

    /// Takes `challenge` if it was handed out for `event_id` and has not expired: once only.
    fn redeem(&self, challenge: &str, event_id: &str, now_ms: i64) -> bool {
        let mut open = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        open.remove(challenge)
            .is_some_and(|(issued_for, expires)| issued_for == event_id && expires > now_ms)
    }
}

/// Why a later publication was refused. The display text is shown to the person asking.
#[derive(Debug, thiserror::Error)]
pub enum PublishLaterError {
    /// No event with the id is stored and visible here.
    #[error("No event with this id is stored here.")]
    NotFound,
    /// The event has no Nostr signature, or only a reaction's or moderation's.
    #[error(
        "This event was not signed with a Nostr key as a post or reply, so there is nothing to publish to Nostr relays."
    )]
    NotPublishable,
    /// The instance has no relays, and the author lists none.
    #[error(
        "This instance publishes to no Nostr relays, and your key lists no write relays (NIP-65)."
    )]
    NoRelays,
    /// The proof is not a signed kind-22242 event.
    #[error("The proof is not a valid signed Nostr event: {0}")]
    BadProof(String),
    /// The challenge is unknown, used, or older than its lifetime.
    #[error("The request expired or was already used. Ask again.")]
    ChallengeExpired,
    /// The proof was signed by another key than the event's.
    #[error(
        "Only the Nostr key that signed this event can publish it, and your extension signed with another key."
    )]
    WrongKey,
    /// The database failed; details are logged.
    #[error("The forum could not record the request. Try again later.")]
    Storage(#[from] StorageError),
}

impl Forum {
    /// A challenge for [`Forum::publish_later`] of the event `id`, valid for
    /// [`CHALLENGE_LIFETIME`].
    pub fn nostr_challenge(&self, id: &str) -> String {
        self.nostr().challenges.issue(id, now_ms())
    }

    /// Queues the event with id `id` for publication to its author's relays, when `proof`
    /// is a kind-22242 event signed by the event's own Nostr key within the last
    /// [`CHALLENGE_LIFETIME`], naming a challenge from [`Forum::nostr_challenge`] for this
    /// event and, as its `relay`, a web address (a NIP-42 answer to a relay names a
    /// `ws:`/`wss:` one, so a relay cannot replay one here). Returns the event's
    /// deliveries.
    ///
    /// # Errors
    /// [`PublishLaterError`] in words.
    pub async fn publish_later(
        &self,
        id: &str,
        proof: &Value,
    ) -> Result<Vec<Delivery>, PublishLaterError> {
        let proof = SignedNostrEvent::verify(proof)
            .map_err(|error| PublishLaterError::BadProof(error.to_string()))?;
        let now = now_ms();
        let lifetime = i64::try_from(CHALLENGE_LIFETIME.as_secs()).unwrap_or(i64::MAX);
        let fresh = proof.created_at().abs_diff(now / 1000) <= lifetime.unsigned_abs();
        if proof.kind() != CHALLENGE_KIND {
            return Err(PublishLaterError::BadProof(format!(
                "it is of kind {}, not {CHALLENGE_KIND}",
                proof.kind()
            )));
        }
        let for_the_web = proof
            .tag_values("relay")
            .next()
            .is_some_and(|relay| relay.starts_with("https://") || relay.starts_with("http://"));
        if !for_the_web {
            return Err(PublishLaterError::BadProof(
                "it does not name this forum's web address as its relay".into(),
            ));
        }
        let challenge = proof.tag_values("challenge").next().unwrap_or_default();
        if !fresh || !self.nostr().challenges.redeem(challenge, id, now) {
            return Err(PublishLaterError::ChallengeExpired);
        }
        let event = self
            .event(id)
            .await
            .map_err(|_| PublishLaterError::NotFound)?
            .ok_or(PublishLaterError::NotFound)?;
        let signed = nostr_original(&event.event_json).ok_or(PublishLaterError::NotPublishable)?;
        if signed.pubkey() != proof.pubkey() {
            return Err(PublishLaterError::WrongKey);
        }
        let action = serde_json::from_str::<Value>(&event.event_json)
            .ok()
            .and_then(|form| {
                form.get("action")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            })
            .unwrap_or_default();
        if !matches!(action.as_str(), "post" | "reply") {
            return Err(PublishLaterError::NotPublishable);
        }
        let publication = self
            .publication_of(&signed)
            .await
            .ok_or(PublishLaterError::NoRelays)?;
        let nostr_id = publication.nostr_id.clone();
        self.store()
            .queue_publication(publication, Some(event.key), now)
            .await?;
        self.outbox_changed();
        Ok(self.store().deliveries(&nostr_id).await?)
    }

    /// The relays' answers for a stored event that carries a Nostr signature.
    pub async fn nostr_deliveries(&self, event_json: &str) -> Result<Vec<Delivery>, StorageError> {
        match nostr_original(event_json) {
            Some(signed) => self.store().deliveries(signed.id()).await,
            None => Ok(Vec::new()),
        }
    }
}

/// The signed Nostr event kept in a stored event's database form, checked again.
pub fn nostr_original(event_json: &str) -> Option<SignedNostrEvent> {
    let form: Value = serde_json::from_str(event_json).ok()?;
    nostr_originals(&form).find_map(|original| SignedNostrEvent::verify(original).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_challenge_is_taken_once_and_expires() {
        let challenges = Challenges::default();
        let challenge = challenges.issue("post", 1_000);
        assert!(!challenges.redeem("something else", "post", 1_000));
        assert!(challenges.redeem(&challenge, "post", 2_000));
        assert!(!challenges.redeem(&challenge, "post", 2_000), "once only");
        let other = challenges.issue("post", 1_000);
        assert!(
            !challenges.redeem(&other, "another post", 1_000),
            "for its event only"
        );
        let late = challenges.issue("post", 0);
        assert!(!challenges.redeem(&late, "post", 11 * 60 * 1000));
    }
}
