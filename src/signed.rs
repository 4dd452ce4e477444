//! The signed shapes a client submits, built here and nowhere else: the Ethereum-signed
//! closed form, the signed Nostr event, and the envelope of a body signed by both
//! (spasm.js web client: `SpasmEventBodySignedClosedV2`, NIP-07 `signEvent`'s result, and
//! `convertToSpasmEventEnvelope(mergeSpasmEventsV2([nostrEvent, ethereumEvent]))`).
//!
//! Nothing here needs collation data, so the browser builds them: the envelope carries the
//! Nostr id but no `spasmid01`, which every receiver computes itself.
//!
//! ```
//! use spasm::body::{AuthorKey, post};
//! use spasm::signed::{EthereumSignedBody, SignedBody};
//!
//! let signer = "0x19e7e376e7c213b7e7e7e46cc70a5dd086daff2a".parse().unwrap();
//! let body = post("Hello", "First post", None, 1_730_000_000_000, &[AuthorKey::Ethereum(signer)]);
//! let signature = format!("0x{}1b", "11".repeat(64));
//! let signed = EthereumSignedBody::new(&body, &signature, signer).unwrap();
//! let submission = SignedBody::Ethereum(signed).to_submission();
//! assert_eq!(submission["type"], "SpasmEventBodySignedClosedV2");
//! ```

use serde_json::{Map, Value};

use crate::body::SpasmBody;
use crate::convert::json::object;
use crate::ethereum::{EthereumAddress, EthereumSignature, EthereumSignatureError};
use crate::identify::has_extra_spasm_fields;
use crate::nostr::{NostrEventId, NostrHexError, NostrPublicKey, NostrSignature};

/// Why a wallet's or an extension's answer is not a signature this forum can submit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignedShapeError {
    /// The wallet returned something that is not an Ethereum signature.
    #[error("the wallet's signature is not valid: {0}")]
    EthereumSignature(#[from] EthereumSignatureError),
    /// The extension returned an event without one of `id`, `pubkey` and `sig`.
    #[error("the Nostr extension returned an event without its `{0}`")]
    MissingNostrField(&'static str),
    /// The extension returned an `id`, `pubkey` or `sig` that is not exact lower-case hex.
    #[error("the Nostr extension returned an invalid `{field}`: {source}")]
    NostrField {
        /// The field.
        field: &'static str,
        /// What is wrong with it.
        source: NostrHexError,
    },
    /// The extension signed with another key than the one it shared.
    #[error("the Nostr extension signed with the key {signed}, not with {expected}")]
    OtherNostrKey {
        /// The key it shared (the body's author).
        expected: String,
        /// The key in the signed event.
        signed: String,
    },
}

/// A body signed with EIP-191 `personal_sign`, as the wallet answered.
#[derive(Debug, Clone, PartialEq)]
pub struct EthereumSignedBody {
    signed_string: String,
    /// As the wallet wrote it (65 bytes or EIP-2098's 64), checked to be well formed.
    signature: String,
    signer: EthereumAddress,
}

impl EthereumSignedBody {
    /// `signature` is the wallet's answer to `personal_sign(body.signed_string())` by
    /// `signer`. Only its shape is checked here (length, `v`, low `s`); the server recovers
    /// the signer. Errors: [`SignedShapeError::EthereumSignature`].
    pub fn new(
        body: &SpasmBody,
        signature: &str,
        signer: EthereumAddress,
    ) -> Result<Self, SignedShapeError> {
        Self::from_signed_string(body.signed_string(), signature, signer)
    }

    /// [`EthereumSignedBody::new`] for text signed elsewhere, kept byte for byte.
    pub fn from_signed_string(
        signed_string: String,
        signature: &str,
        signer: EthereumAddress,
    ) -> Result<Self, SignedShapeError> {
        signature.parse::<EthereumSignature>()?;
        Ok(Self {
            signed_string,
            signature: signature.to_string(),
            signer,
        })
    }

    /// `SpasmEventBodySignedClosedV2`: `{type, signedString, signature, signer}`, the signer
    /// in lower case as the web client writes it.
    pub fn signed_closed(&self) -> Value {
        object([
            ("type", Value::from("SpasmEventBodySignedClosedV2")),
            ("signedString", Value::from(self.signed_string.as_str())),
            ("signature", Value::from(self.signature.as_str())),
            ("signer", Value::from(self.signer.to_lowercase_hex())),
        ])
    }

    /// `SiblingSpasmSignedV2`, the Ethereum half of a multi-signed envelope.
    fn sibling(&self) -> Value {
        object([
            ("type", Value::from("SiblingSpasmSignedV2")),
            (
                "protocol",
                object([
                    ("name", Value::from("spasm")),
                    ("version", Value::from("2.0.0")),
                ]),
            ),
            ("signedString", Value::from(self.signed_string.as_str())),
            (
                "signatures",
                Value::Array(vec![object([
                    ("value", Value::from(self.signature.as_str())),
                    ("pubkey", Value::from(self.signer.to_lowercase_hex())),
                    ("format", object([("name", Value::from("ethereum-sig"))])),
                ])]),
            ),
        ])
    }
}

/// A Nostr event as a NIP-07 extension signed it: `id`, `pubkey` and `sig` present and
/// well formed (the server checks the signature).
#[derive(Debug, Clone, PartialEq)]
pub struct NostrSignedEvent {
    event: Value,
    id: NostrEventId,
    pubkey: NostrPublicKey,
    sig: NostrSignature,
}

impl NostrSignedEvent {
    /// The extension's answer for a body authored by `expected`. Errors: a missing or
    /// malformed `id`, `pubkey` or `sig`, or a signature by another key.
    pub fn new(event: Value, expected: NostrPublicKey) -> Result<Self, SignedShapeError> {
        let field = |name: &'static str| -> Result<&str, SignedShapeError> {
            event
                .get(name)
                .and_then(Value::as_str)
                .ok_or(SignedShapeError::MissingNostrField(name))
        };
        let invalid = |field: &'static str| {
            move |source: NostrHexError| SignedShapeError::NostrField { field, source }
        };
        let id = field("id")?.parse().map_err(invalid("id"))?;
        let pubkey: NostrPublicKey = field("pubkey")?.parse().map_err(invalid("pubkey"))?;
        let sig = field("sig")?.parse().map_err(invalid("sig"))?;
        if pubkey != expected {
            return Err(SignedShapeError::OtherNostrKey {
                expected: expected.to_string(),
                signed: pubkey.to_string(),
            });
        }
        Ok(Self {
            event,
            id,
            pubkey,
            sig,
        })
    }

    /// The signed event as JSON.
    pub fn as_json(&self) -> &Value {
        &self.event
    }

    /// `SiblingNostrSpasmSignedV2` (or `SiblingNostrSignedV2` for a plain note), the Nostr
    /// half of a multi-signed envelope.
    fn sibling(&self) -> Value {
        let spasm = has_extra_spasm_fields(&self.event);
        let mut protocol = Map::new();
        protocol.insert("name".into(), Value::from("nostr"));
        if spasm {
            protocol.insert("hasExtraSpasmFields".into(), Value::Bool(true));
            if let Some(version) = spasm_version(&self.event) {
                protocol.insert("extraSpasmFieldsVersion".into(), version);
            }
        }
        let kind = if spasm {
            "SiblingNostrSpasmSignedV2"
        } else {
            "SiblingNostrSignedV2"
        };
        object([
            ("type", Value::from(kind)),
            ("originalObject", self.event.clone()),
            ("protocol", Value::Object(protocol)),
            ("ids", Value::Array(vec![self.id_record()])),
            (
                "signatures",
                Value::Array(vec![object([
                    ("value", Value::from(self.sig.to_string())),
                    ("pubkey", Value::from(self.pubkey.to_string())),
                    ("format", object([("name", Value::from("nostr-sig"))])),
                ])]),
            ),
        ])
    }

    fn id_record(&self) -> Value {
        object([
            ("value", Value::from(self.id.to_string())),
            ("format", object([("name", Value::from("nostr-hex"))])),
        ])
    }
}

/// The last `nostr_spasm_version` or `spasm_version` tag's value, as spasm.js reads it.
fn spasm_version(event: &Value) -> Option<Value> {
    event
        .get("tags")?
        .as_array()?
        .iter()
        .filter_map(Value::as_array)
        .filter(|tag| {
            matches!(
                tag.first().and_then(Value::as_str),
                Some("nostr_spasm_version" | "spasm_version")
            )
        })
        .filter_map(|tag| {
            tag.get(1)
                .filter(|version| crate::js_value::truthy(version))
        })
        .next_back()
        .cloned()
}

/// A body with the signatures it got: what a client submits to `/api/submit/`.
#[derive(Debug, Clone, PartialEq)]
pub enum SignedBody {
    /// Signed by an Ethereum wallet only.
    Ethereum(EthereumSignedBody),
    /// Signed by a Nostr extension only: its Nostr form.
    Nostr(NostrSignedEvent),
    /// Multi-signed: the body by the wallet and its Nostr form by the extension.
    Both {
        /// The extension's half.
        nostr: NostrSignedEvent,
        /// The wallet's half.
        ethereum: EthereumSignedBody,
    },
}

impl SignedBody {
    /// The JSON to submit: the closed form, the bare Nostr event, or an envelope whose
    /// siblings are the Nostr event and the Ethereum-signed body, in the order spasm.js's
    /// `mergeSpasmEventsV2([nostrEvent, ethereumEvent])` gives them.
    pub fn to_submission(&self) -> Value {
        match self {
            Self::Ethereum(ethereum) => ethereum.signed_closed(),
            Self::Nostr(nostr) => nostr.event.clone(),
            Self::Both { nostr, ethereum } => object([
                ("type", Value::from("SpasmEventEnvelopeV2")),
                ("ids", Value::Array(vec![nostr.id_record()])),
                (
                    "siblings",
                    Value::Array(vec![nostr.sibling(), ethereum.sibling()]),
                ),
            ]),
        }
    }
}
