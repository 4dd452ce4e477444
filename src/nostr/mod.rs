//! Nostr: NIP-01 events (id and BIP-340 signature) and relay messages, and NIP-19 bech32
//! identifiers.

mod event;
mod keys;
pub mod nip19;
pub mod profile;
pub mod relay;
mod tags;

pub use event::{
    NostrEventError, VerifiedNostrSigner, nip01_event_id, nip01_serialization, verify_nostr_event,
};
pub use keys::{NostrEventId, NostrHexError, NostrPublicKey, NostrSignature};
pub use profile::{METADATA_KIND, NostrProfile, NostrProfileError};
pub use tags::tag_values;
