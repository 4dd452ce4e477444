//! Keys of our own, made from fixed seeds, that sign Spasm bodies for real: an Ethereum key
//! (EIP-191 `personal_sign`, low-s) and a Nostr key (NIP-01 id, BIP-340 signature). Tests
//! and the load script use them; nothing here mocks the cryptography. [`relay`] is a Nostr
//! relay on loopback that misbehaves on demand.

#![allow(clippy::expect_used)]

pub mod process;
pub mod relay;

use k256::ecdsa::SigningKey;
use serde_json::Value;
use sha2::{Digest, Sha256};
use spasm::EthereumAddress;
use spasm::body::{AuthorKey, SpasmBody};
use spasm::convert::body_to_nostr;
use spasm::ethereum::personal_sign_digest;
use spasm::nostr::{NostrPublicKey, nip01_event_id};
use spasm::signed::{EthereumSignedBody, NostrSignedEvent, SignedBody};

/// An Ethereum key and a Nostr key derived from one seed.
#[derive(Clone)]
pub struct TestKey {
    ethereum: SigningKey,
    nostr: k256::schnorr::SigningKey,
}

impl std::fmt::Debug for TestKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "TestKey({}, {})",
            self.ethereum_address(),
            self.nostr_pubkey()
        )
    }
}

impl TestKey {
    /// The keys of `seed`: SHA-256 of the seed (and of the seed with a Nostr tag) as
    /// secret keys. Seeds 0x11…11 and 0x22…22 of the browser tests are
    /// [`TestKey::browser_wallet`].
    pub fn from_seed(seed: u64) -> Self {
        let secret = |tag: &[u8]| {
            let mut hasher = Sha256::new();
            hasher.update(tag);
            hasher.update(seed.to_be_bytes());
            hasher.finalize()
        };
        Self {
            ethereum: SigningKey::from_slice(&secret(b"ethereum"))
                .expect("a SHA-256 output is a valid secret key"),
            nostr: k256::schnorr::SigningKey::from_slice(&secret(b"nostr"))
                .expect("a SHA-256 output is a valid secret key"),
        }
    }

    /// The keys of the injected browser providers: Ethereum 0x11…11, Nostr 0x22…22.
    pub fn browser_wallet() -> Self {
        Self {
            ethereum: SigningKey::from_slice(&[0x11; 32]).expect("valid secret key"),
            nostr: k256::schnorr::SigningKey::from_slice(&[0x22; 32]).expect("valid secret key"),
        }
    }

    /// The Ethereum address.
    pub fn ethereum_address(&self) -> EthereumAddress {
        let point = self.ethereum.verifying_key().to_sec1_point(false);
        let hash = sha3_keccak(&point.as_bytes()[1..]);
        let mut address = [0u8; 20];
        address.copy_from_slice(&hash[12..]);
        EthereumAddress::from_bytes(address)
    }

    /// The Nostr public key.
    pub fn nostr_pubkey(&self) -> NostrPublicKey {
        let bytes: [u8; 32] = self.nostr.verifying_key().to_bytes().into();
        NostrPublicKey::from_bytes(bytes)
    }

    /// The Ethereum address as a body author.
    pub fn ethereum_author(&self) -> AuthorKey {
        AuthorKey::Ethereum(self.ethereum_address())
    }

    /// The Nostr key as a body author.
    pub fn nostr_author(&self) -> AuthorKey {
        AuthorKey::Nostr(self.nostr_pubkey())
    }

    /// Both keys as authors (for multi-signed bodies).
    pub fn both_authors(&self) -> [AuthorKey; 2] {
        [self.ethereum_author(), self.nostr_author()]
    }

    /// `personal_sign` of `text`: `0x` + r + s + v (27/28), low-s.
    pub fn personal_sign(&self, text: &str) -> String {
        let (signature, recovery) = self
            .ethereum
            .sign_prehash_recoverable(&personal_sign_digest(text.as_bytes()));
        format!(
            "0x{}{:02x}",
            hex::encode(signature.to_bytes()),
            27 + recovery.to_byte()
        )
    }

    /// The body signed with the Ethereum key, as the web client submits it
    /// (`SpasmEventBodySignedClosedV2`).
    pub fn sign_ethereum(&self, body: &SpasmBody) -> Value {
        self.ethereum_signed(body).signed_closed()
    }

    /// A post signed with the Ethereum key: its spasmid and its JSON text, ready to submit.
    pub fn signed_post(&self, title: &str, content: &str, timestamp_ms: u64) -> (String, String) {
        let body = spasm::body::post(
            title,
            content,
            None,
            timestamp_ms,
            &[self.ethereum_author()],
        );
        let signed = self.sign_ethereum(&body);
        let id = spasm::convert::convert_to_spasm(&signed)
            .expect("a signed post converts")
            .id()
            .to_string();
        (id, signed.to_string())
    }

    fn ethereum_signed(&self, body: &SpasmBody) -> EthereumSignedBody {
        let signature = self.personal_sign(&body.signed_string());
        EthereumSignedBody::new(body, &signature, self.ethereum_address())
            .expect("a low-s personal_sign signature is well formed")
    }

    /// The body's Nostr form (spasm.js `convertToNostr`) signed with the Nostr key.
    pub fn sign_nostr(&self, body: &SpasmBody) -> Value {
        let event = body_to_nostr(body.as_json()).expect("a body converts to Nostr");
        self.sign_nostr_event(event)
    }

    /// Signs any Nostr event: sets `pubkey`, `id` and `sig`.
    pub fn sign_nostr_event(&self, mut event: Value) -> Value {
        event["pubkey"] = Value::from(self.nostr_pubkey().to_string());
        let id = nip01_event_id(&event).expect("a complete Nostr event has an id");
        let signature = self
            .nostr
            .sign_raw(id.as_bytes(), &[7; 32])
            .expect("BIP-340 signing succeeds");
        event["id"] = Value::from(id.to_string());
        event["sig"] = Value::from(hex::encode(signature.to_bytes()));
        event
    }

    /// One body signed by both keys, as one envelope with two signed siblings (multi-signing).
    pub fn sign_both(&self, body: &SpasmBody) -> Value {
        let nostr = NostrSignedEvent::new(self.sign_nostr(body), self.nostr_pubkey())
            .expect("the Nostr key signed its own event");
        SignedBody::Both {
            nostr,
            ethereum: self.ethereum_signed(body),
        }
        .to_submission()
    }
}

fn sha3_keccak(bytes: &[u8]) -> [u8; 32] {
    use sha3::Digest as _;
    sha3::Keccak256::digest(bytes).into()
}
