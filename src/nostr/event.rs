//! NIP-01 event ids and BIP-340 signatures, checked the way nostr-tools `verifyEvent` does,
//! with the stricter shapes of DECISIONS.md (Security 4).

use k256::schnorr::{Signature, VerifyingKey};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::{NostrEventId, NostrHexError, NostrPublicKey, NostrSignature};
use crate::js_json::stringify;

/// A Nostr public key that this crate has seen sign an event.
///
/// Only [`verify_nostr_event`] constructs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct VerifiedNostrSigner {
    pubkey: NostrPublicKey,
    id: NostrEventId,
}

impl VerifiedNostrSigner {
    /// The key that signed.
    pub const fn pubkey(&self) -> NostrPublicKey {
        self.pubkey
    }

    /// The id of the event it signed.
    pub const fn event_id(&self) -> NostrEventId {
        self.id
    }
}

/// Why a Nostr event is not validly signed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NostrEventError {
    /// A required field is missing or of the wrong type.
    #[error("the Nostr event's `{0}` is missing or malformed")]
    Malformed(&'static str),
    /// The `pubkey`, `id` or `sig` is not exact lower-case hex.
    #[error("the Nostr event's `{field}` is invalid: {source}")]
    BadHex {
        /// The field.
        field: &'static str,
        /// What is wrong with it.
        source: NostrHexError,
    },
    /// The `id` is not the hash of the event's content.
    #[error("the Nostr event's id does not match its content")]
    IdMismatch,
    /// The signature does not verify for the `pubkey` and `id`.
    #[error("the Nostr event's signature is not valid for its public key")]
    BadSignature,
}

/// The NIP-01 serialisation `[0,pubkey,created_at,kind,tags,content]`, exactly as
/// `JSON.stringify` writes it.
pub fn nip01_serialization(
    pubkey: &str,
    created_at: &Value,
    kind: &Value,
    tags: &Value,
    content: &str,
) -> String {
    // A tuple serialises as a JSON array, without copying the tags.
    stringify(&(0, pubkey, created_at, kind, tags, content))
}

/// The NIP-01 id of an event given as JSON; checks the field types nostr-tools checks.
pub fn nip01_event_id(event: &Value) -> Result<NostrEventId, NostrEventError> {
    let content = event
        .get("content")
        .and_then(Value::as_str)
        .ok_or(NostrEventError::Malformed("content"))?;
    let created_at = event
        .get("created_at")
        .filter(|v| v.is_number())
        .ok_or(NostrEventError::Malformed("created_at"))?;
    let kind = event
        .get("kind")
        .filter(|v| v.is_number())
        .ok_or(NostrEventError::Malformed("kind"))?;
    let pubkey = event
        .get("pubkey")
        .and_then(Value::as_str)
        .ok_or(NostrEventError::Malformed("pubkey"))?;
    pubkey
        .parse::<NostrPublicKey>()
        .map_err(|source| NostrEventError::BadHex {
            field: "pubkey",
            source,
        })?;
    let tags = event
        .get("tags")
        .ok_or(NostrEventError::Malformed("tags"))?;
    let well_formed_tags = tags.as_array().is_some_and(|tags| {
        tags.iter().all(|tag| {
            // nostr-tools rejects elements of type object, which includes null.
            tag.as_array().is_some_and(|tag| {
                tag.iter().all(|element| {
                    !matches!(element, Value::Object(_) | Value::Array(_) | Value::Null)
                })
            })
        })
    });
    if !well_formed_tags {
        return Err(NostrEventError::Malformed("tags"));
    }
    let serialized = nip01_serialization(pubkey, created_at, kind, tags, content);
    Ok(NostrEventId::from_bytes(
        Sha256::digest(serialized.as_bytes()).into(),
    ))
}

/// Checks a signed Nostr event: its `id` is the NIP-01 hash of its content and its `sig`
/// is a BIP-340 signature of that id by its `pubkey`.
pub fn verify_nostr_event(event: &Value) -> Result<VerifiedNostrSigner, NostrEventError> {
    let computed = nip01_event_id(event)?;
    let id: NostrEventId =
        field(event, "id")?
            .parse()
            .map_err(|source| NostrEventError::BadHex {
                field: "id",
                source,
            })?;
    if id != computed {
        return Err(NostrEventError::IdMismatch);
    }
    let pubkey: NostrPublicKey =
        field(event, "pubkey")?
            .parse()
            .map_err(|source| NostrEventError::BadHex {
                field: "pubkey",
                source,
            })?;
    let signature: NostrSignature =
        field(event, "sig")?
            .parse()
            .map_err(|source| NostrEventError::BadHex {
                field: "sig",
                source,
            })?;
    let key =
        VerifyingKey::from_slice(pubkey.as_bytes()).map_err(|_| NostrEventError::BadSignature)?;
    let signature = Signature::try_from(signature.as_bytes().as_slice())
        .map_err(|_| NostrEventError::BadSignature)?;
    // BIP-340 over the 32-byte id itself: `verify_raw`, not `verify`, which would hash again.
    key.verify_raw(id.as_bytes(), &signature)
        .map_err(|_| NostrEventError::BadSignature)?;
    Ok(VerifiedNostrSigner { pubkey, id })
}

fn field<'a>(event: &'a Value, name: &'static str) -> Result<&'a str, NostrEventError> {
    event
        .get(name)
        .and_then(Value::as_str)
        .ok_or(NostrEventError::Malformed(name))
}
