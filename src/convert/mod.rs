//! `convertToSpasm`: any supported input → a verified `SpasmEventV2` (SPEC.md §5).
//!
//! The shapes, key orders and ids follow spasm.js 2.0.0-rc.52 for honest events. Where
//! spasm.js is unsafe, this module is stricter (DECISIONS.md, Security): every signature
//! is checked here and `verified` comes only from those checks; a signed sibling must
//! recover to the signer it declares; a body must be signed by one of its authors;
//! siblings that describe different content are rejected instead of merged; signed text is
//! kept verbatim; control characters in content, title and tags are refused.

// Without collation data (the browser bundle) only the body's Nostr form and its round-trip
// check are built; the verifying converters they share code with stay unused there.
#![cfg_attr(not(feature = "spasmid"), allow(dead_code))]

mod body;
#[cfg(feature = "spasmid")]
mod dmp;
#[cfg(feature = "spasmid")]
mod envelope;
#[cfg(feature = "spasmid")]
mod forms;
pub(crate) mod json;
#[cfg(feature = "spasmid")]
mod merge;
mod nostr;
mod round_trip;
mod to_nostr;
#[cfg(feature = "spasmid")]
mod verified;
#[cfg(feature = "spasmid")]
mod web2;

use serde_json::{Map, Value};

#[cfg(feature = "spasmid")]
pub use forms::{DEFAULT_TREE_MAX_DEPTH, to_database, to_envelope, to_envelope_with_tree};
#[cfg(feature = "spasmid")]
pub use merge::merge_events;
pub use nostr::decode_mapped_value;
pub use round_trip::{RoundTripError, check_nostr_round_trip};
#[cfg(feature = "spasmid")]
pub use to_nostr::convert_to_nostr;
pub use to_nostr::{body_to_nostr, spasm_event_to_nostr};
#[cfg(feature = "spasmid")]
pub(crate) use verified::{Depth, Standardized, convert_value, parse_event_text, standardize};
#[cfg(feature = "spasmid")]
pub use verified::{VerifiedEvent, convert_to_spasm, parse_and_convert};
#[cfg(feature = "spasmid")]
pub use web2::link_object;

use crate::ethereum::{
    EthereumAddress, EthereumSignature, EthereumSignatureError, PersonalSignError,
    VerifiedEthereumSigner, recover_personal_sign_signer, verify_personal_sign,
};
use crate::formats::format_of_value;
use crate::identify::IdentifyError;
use crate::js_value::{is_object_with_values, truthy};
use crate::json_text::{self, JsonTextError, UnpairedSurrogate};
use crate::nostr::{NostrEventError, VerifiedNostrSigner};

/// The largest JSON input [`parse_and_convert`] reads.
pub const MAX_INPUT_BYTES: usize = 1024 * 1024;
/// How deep trees of parents and children are followed.
pub const MAX_TREE_DEPTH: u8 = 50;

/// Why an input is not an acceptable Spasm event.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConvertError {
    /// The input is larger than [`MAX_INPUT_BYTES`].
    #[error("the event is larger than {MAX_INPUT_BYTES} bytes")]
    TooLarge,
    /// The input is not JSON (or nests deeper than the parser allows).
    #[error("the event is not valid JSON: {0}")]
    NotJson(String),
    /// The input is not an object with values, or of no known format.
    #[error("this is not a Spasm, DMP, Nostr or RSS event")]
    NotAnEvent,
    /// A Spasm V2 object of a version other than 2.0.0.
    #[error("unsupported Spasm version")]
    UnsupportedVersion,
    /// Identification failed (unparseable signed text).
    #[error(transparent)]
    Identify(#[from] IdentifyError),
    /// A required field is missing or malformed.
    #[error("the event's {0} is missing or malformed")]
    Malformed(&'static str),
    /// A signed string is not JSON.
    #[error("the signed text is not valid JSON")]
    SignedStringNotJson,
    /// A signed string holds half of a UTF-16 surrogate pair (DECISIONS.md, Security 6).
    #[error("{0}")]
    UnpairedSurrogate(UnpairedSurrogate),
    /// An Ethereum signature is malformed or malleated.
    #[error("the Ethereum signature is invalid: {0}")]
    EthereumSignature(EthereumSignatureError),
    /// An Ethereum signature does not prove the declared signer.
    #[error("the Ethereum signature is invalid: {0}")]
    PersonalSign(PersonalSignError),
    /// A Nostr id or signature is invalid.
    #[error(transparent)]
    Nostr(NostrEventError),
    /// A signed sibling recovers to another key than the one it declares.
    #[error("a signature was made by {recovered}, not by the declared signer {declared}")]
    SignerMismatch {
        /// The signer the sibling declares.
        declared: String,
        /// The signer the signature recovers to.
        recovered: String,
    },
    /// The signer is not among the body's authors.
    #[error("the event is signed by {0}, who is not one of its authors")]
    SignerNotAuthor(String),
    /// An envelope without usable siblings.
    #[error("the envelope has no valid sibling")]
    NoSiblings,
    /// Siblings of one envelope describe different content.
    #[error("the envelope's siblings describe different events")]
    SiblingsDisagree,
    /// A sibling of an envelope failed.
    #[error("sibling {index} is invalid: {reason}")]
    InvalidSibling {
        /// Its position.
        index: usize,
        /// Why.
        reason: Box<ConvertError>,
    },
    /// Content, title or a tag holds a control character other than tab, line feed and
    /// carriage return.
    #[error(
        "the {field} contains the control character U+{:04X} at character {position}; only tab, \
         line feed and carriage return may be used",
        u32::from(*character)
    )]
    ControlCharacter {
        /// The character.
        character: char,
        /// `content`, `title` or `tag 2, element 1` (counted from 0).
        field: String,
        /// How many characters of the field come before it (counted from 0).
        position: usize,
    },
    /// Without collation data, a body with two or more `tags` has no Nostr form: spasm.js
    /// writes them in the order it sorts them in for the id.
    #[error("a body with several tags needs collation data for its Nostr form")]
    TagsNeedCollation,
    /// Parents and children nest deeper than [`MAX_TREE_DEPTH`].
    #[error("the event tree is deeper than {MAX_TREE_DEPTH} levels")]
    TooDeep,
}

/// A key whose signature this crate checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VerifiedSigner {
    /// An Ethereum address (EIP-191 `personal_sign`).
    Ethereum(VerifiedEthereumSigner),
    /// A Nostr key (NIP-01 + BIP-340).
    Nostr(VerifiedNostrSigner),
}

impl VerifiedSigner {
    /// Whether an author address value names this signer, in any letter case (spasm.js
    /// rc.52 `markSpasmEventAddressAsVerified` falls back to a case-insensitive match): an
    /// Ethereum address byte-wise, a Nostr key as hex.
    pub fn matches_address(&self, value: &str) -> bool {
        match self {
            Self::Ethereum(signer) => value
                .parse::<EthereumAddress>()
                .is_ok_and(|address| address == signer.address()),
            Self::Nostr(signer) => value
                .to_ascii_lowercase()
                .parse::<crate::nostr::NostrPublicKey>()
                .is_ok_and(|key| key == signer.pubkey()),
        }
    }
}

/// The signers proven while converting one event.
#[derive(Debug, Clone, Default)]
pub(crate) struct Signers(Vec<VerifiedSigner>);

impl Signers {
    fn add(&mut self, signer: VerifiedSigner) {
        if !self.0.contains(&signer) {
            self.0.push(signer);
        }
    }

    pub(crate) fn add_ethereum(&mut self, signer: VerifiedEthereumSigner) {
        self.add(VerifiedSigner::Ethereum(signer));
    }

    pub(crate) fn add_nostr(&mut self, signer: VerifiedNostrSigner) {
        self.add(VerifiedSigner::Nostr(signer));
    }

    fn extend(&mut self, other: Signers) {
        for signer in other.0 {
            self.add(signer);
        }
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Sets `verified: true` on every author address that a proven signer owns, and removes
/// any other `verified` flag: input flags are never trusted (DECISIONS.md, Security 1).
pub(crate) fn mark_verified(event: &mut Map<String, Value>, signers: &Signers) {
    for key in ["authors", "mentions"] {
        let Some(Value::Array(people)) = event.get_mut(key) else {
            continue;
        };
        for person in people {
            let Some(Value::Array(addresses)) = person.get_mut("addresses") else {
                continue;
            };
            for address in addresses {
                let Value::Object(address) = address else {
                    continue;
                };
                let owned = key == "authors"
                    && !signers.is_empty()
                    && address
                        .get("value")
                        .and_then(Value::as_str)
                        .is_some_and(|value| {
                            signers.0.iter().any(|signer| signer.matches_address(value))
                        });
                if owned {
                    address.insert("verified".into(), Value::Bool(true));
                } else {
                    address.remove("verified");
                }
            }
        }
    }
}

/// A signed string with its Ethereum signature, checked once: by the signer a closed form
/// declares, or, for an envelope sibling, by the signer it recovers to (which must equal
/// the declared `pubkey` when there is one, DECISIONS.md Security 2).
pub(crate) struct CheckedEthereumSignature<'a> {
    signed_string: &'a str,
    signature: &'a str,
    /// As spasm.js writes it: the declared signer, or the recovered one in lower case.
    signer: String,
    verified: VerifiedEthereumSigner,
}

impl<'a> CheckedEthereumSignature<'a> {
    /// `{signedString, signature, signer}`: the signature must recover to `signer`.
    pub(crate) fn from_closed(signed: &'a Value) -> Result<Self, ConvertError> {
        let signed_string = json::truthy_str(signed, "signedString")
            .ok_or(ConvertError::Malformed("signedString"))?;
        let signature =
            json::truthy_str(signed, "signature").ok_or(ConvertError::Malformed("signature"))?;
        let signer = json::truthy_str(signed, "signer").ok_or(ConvertError::Malformed("signer"))?;
        let parsed: EthereumSignature =
            signature.parse().map_err(ConvertError::EthereumSignature)?;
        let address: EthereumAddress = signer
            .parse()
            .map_err(|_| ConvertError::Malformed("signer"))?;
        let verified = verify_personal_sign(signed_string.as_bytes(), &parsed, &address)
            .map_err(ConvertError::PersonalSign)?;
        Ok(Self {
            signed_string,
            signature,
            signer: signer.to_string(),
            verified,
        })
    }

    /// A signed sibling: `signedString` and `signatures[0]`.
    pub(crate) fn from_sibling(sibling: &'a Value) -> Result<Self, ConvertError> {
        let signed_string = sibling
            .get("signedString")
            .and_then(Value::as_str)
            .ok_or(ConvertError::Malformed("signedString"))?;
        let first = sibling
            .get("signatures")
            .and_then(|signatures| signatures.get(0));
        let signature = first
            .and_then(|signature| signature.get("value"))
            .and_then(Value::as_str)
            .ok_or(ConvertError::Malformed("signature"))?;
        let parsed: EthereumSignature =
            signature.parse().map_err(ConvertError::EthereumSignature)?;
        let verified = recover_personal_sign_signer(signed_string.as_bytes(), &parsed)
            .map_err(ConvertError::PersonalSign)?;
        let recovered = verified.address();
        if let Some(declared) = first
            .and_then(|signature| signature.get("pubkey"))
            .and_then(Value::as_str)
            && declared.parse::<EthereumAddress>().ok() != Some(recovered)
        {
            return Err(ConvertError::SignerMismatch {
                declared: declared.to_string(),
                recovered: recovered.to_checksum(),
            });
        }
        Ok(Self {
            signed_string,
            signature,
            signer: recovered.to_lowercase_hex(),
            verified,
        })
    }
}

/// The JSON inside a `signedString` or `signed_message`.
pub(crate) fn parse_signed_string(text: &str) -> Result<Value, ConvertError> {
    json_text::parse(text.as_bytes()).map_err(|error| match error {
        JsonTextError::UnpairedSurrogate(found) => ConvertError::UnpairedSurrogate(found),
        JsonTextError::Invalid(_) => ConvertError::SignedStringNotJson,
    })
}

/// The first character that relays serialise differently, with its position in characters:
/// U+0000–U+001F other than tab, line feed and carriage return. (U+007F–U+009F are written
/// as they are by every serialiser, so they are accepted: text decoded with the wrong code
/// page is full of them.)
fn first_control_character(text: &str) -> Option<(char, usize)> {
    text.chars()
        .enumerate()
        .find(|(_, c)| *c < ' ' && !matches!(c, '\n' | '\r' | '\t'))
        .map(|(position, c)| (c, position))
}

/// DECISIONS.md, Security 6: some relays serialise control characters differently and then
/// reject valid events, so they are refused in content, title and tags, naming the
/// character, the field and the position.
fn check_control_characters(event: &Map<String, Value>) -> Result<(), ConvertError> {
    let refuse = |field: String, (character, position): (char, usize)| {
        Err(ConvertError::ControlCharacter {
            character,
            field,
            position,
        })
    };
    for key in ["content", "title"] {
        if let Some(found) = event
            .get(key)
            .and_then(Value::as_str)
            .and_then(first_control_character)
        {
            return refuse(key.to_string(), found);
        }
    }
    let check_tags = |tags: Option<&Value>| -> Result<(), ConvertError> {
        let tags = tags.and_then(Value::as_array).into_iter().flatten();
        for (tag_index, tag) in tags.enumerate() {
            let elements = tag.as_array().into_iter().flatten();
            for (element_index, element) in elements.enumerate() {
                if let Some(found) = element.as_str().and_then(first_control_character) {
                    return refuse(format!("tag {tag_index}, element {element_index}"), found);
                }
            }
        }
        Ok(())
    };
    check_tags(event.get("tags"))?;
    for sibling in event
        .get("siblings")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        check_tags(
            sibling
                .get("originalObject")
                .and_then(|object| object.get("tags")),
        )?;
    }
    Ok(())
}

/// spasm.js `assignFormats` (SPEC.md §5.11), including its overwriting of address formats,
/// which changes ids and so must be reproduced.
fn assign_formats(event: &mut Map<String, Value>) {
    fn fill_missing(list: Option<&mut Value>) {
        let Some(Value::Array(items)) = list else {
            return;
        };
        for item in items {
            let Value::Object(item) = item else { continue };
            if item.get("format").is_some_and(is_object_with_values) {
                continue;
            }
            let format = item
                .get("value")
                .filter(|value| truthy(value))
                .and_then(format_of_value);
            if let Some(format) = format {
                item.insert("format".into(), format.to_json());
            }
        }
    }
    fn overwrite_addresses(authors: Option<&mut Value>) {
        let Some(Value::Array(authors)) = authors else {
            return;
        };
        for author in authors {
            let Some(Value::Array(addresses)) = author.get_mut("addresses") else {
                continue;
            };
            for address in addresses {
                let Value::Object(address) = address else {
                    continue;
                };
                let format = address.get("format");
                let overwrite =
                    format.is_none_or(|format| !truthy(format) || is_object_with_values(format));
                if !overwrite {
                    continue;
                }
                match address.get("value").and_then(format_of_value) {
                    // Most addresses carry the right format already: no new object then.
                    Some(format) if address.get("format").is_some_and(|old| format.is(old)) => {}
                    Some(format) => {
                        address.insert("format".into(), format.to_json());
                    }
                    // rc.52 keeps the given format when the value tells none (beta.29
                    // removed it, which changed ids).
                    None => {}
                }
            }
        }
    }
    fill_missing(event.get_mut("ids"));
    fill_missing(event.get_mut("signatures"));
    if let Some(Value::Array(siblings)) = event.get_mut("siblings") {
        for sibling in siblings {
            fill_missing(sibling.get_mut("ids"));
            fill_missing(sibling.get_mut("signatures"));
        }
    }
    for key in ["parent", "root"] {
        fill_missing(
            event
                .get_mut(key)
                .and_then(|reference| reference.get_mut("ids")),
        );
    }
    if let Some(Value::Array(references)) = event.get_mut("references") {
        for reference in references {
            fill_missing(reference.get_mut("ids"));
        }
    }
    overwrite_addresses(event.get_mut("authors"));
    overwrite_addresses(event.get_mut("mentions"));
}
