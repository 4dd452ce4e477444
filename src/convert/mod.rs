//! `convertToSpasm`: any supported input → a verified `SpasmEventV2` (SPEC.md §5).
//!
//! The shapes, key orders and ids follow spasm.js 2.0.0-beta.29 for honest events. Where
//! spasm.js is unsafe, this module is stricter (DECISIONS.md, Security): every signature
//! is checked here and `verified` comes only from those checks; a signed sibling must
//! recover to the signer it declares; a body must be signed by one of its authors;
//! siblings that describe different content are rejected instead of merged; signed text is
//! kept verbatim; control characters in content, title and tags are refused.

mod body;
mod dmp;
mod envelope;
mod forms;
mod json;
mod merge;
mod nostr;
mod to_nostr;
mod web2;

use serde_json::{Map, Value};

pub use forms::{DEFAULT_TREE_MAX_DEPTH, to_database, to_envelope, to_envelope_with_tree};
pub use merge::merge_events;
pub use nostr::decode_mapped_value;
pub use to_nostr::{convert_to_nostr, spasm_event_to_nostr};
pub use web2::link_object;

use crate::ethereum::{
    EthereumAddress, EthereumSignature, EthereumSignatureError, PersonalSignError,
    VerifiedEthereumSigner, recover_personal_sign_signer, verify_personal_sign,
};
use crate::formats::format_of_value;
use crate::identify::{EventType, IdentifyError, WebType, identify_post_or_event, spasm_v2_type};
use crate::js_value::{is_object_with_values, truthy};
use crate::json_text::{self, JsonTextError, UnpairedSurrogate};
use crate::nostr::{NostrEventError, VerifiedNostrSigner};
use crate::spasmid::{SpasmId01, spasmid01_of_object};

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

/// A `SpasmEventV2` whose every signature was checked by this crate, with its id.
///
/// Only conversion constructs it, so storage that takes a `VerifiedEvent` cannot take an
/// unchecked one. An event with no signers is an unsigned (web2) event.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedEvent {
    event: Value,
    id: SpasmId01,
    signers: Vec<VerifiedSigner>,
}

impl VerifiedEvent {
    /// The `spasmid01` of the event.
    pub fn id(&self) -> SpasmId01 {
        self.id
    }

    /// The event as spasm.js shapes it (`type: "SpasmEventV2"`).
    pub fn event(&self) -> &Value {
        &self.event
    }

    /// The keys whose signatures were verified.
    pub fn signers(&self) -> &[VerifiedSigner] {
        &self.signers
    }

    /// Whether at least one signature was verified.
    pub fn is_signed(&self) -> bool {
        !self.signers.is_empty()
    }

    /// The event as JSON.
    pub fn into_json(self) -> Value {
        self.event
    }

    /// The database form (`SpasmEventDatabaseV2`, SPEC.md §8.5): the expanded fields with
    /// ids, signatures and the original signed siblings, without tree, stats or db info.
    pub fn to_database(&self) -> Value {
        forms::database_form(&self.event)
    }

    /// The event as a typed model.
    pub fn model(&self) -> Result<crate::model::SpasmEventV2, serde_json::Error> {
        serde_json::from_value(self.event.clone())
    }
}

/// How deep in a tree of related events a conversion is.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Depth(u8);

impl Depth {
    pub(crate) fn deeper(self) -> Result<Self, ConvertError> {
        if self.0 >= MAX_TREE_DEPTH {
            Err(ConvertError::TooDeep)
        } else {
            Ok(Self(self.0 + 1))
        }
    }
}

/// The JSON inside a `signedString` or `signed_message`.
pub(crate) fn parse_signed_string(text: &str) -> Result<Value, ConvertError> {
    json_text::parse(text.as_bytes()).map_err(|error| match error {
        JsonTextError::UnpairedSurrogate(found) => ConvertError::UnpairedSurrogate(found),
        JsonTextError::Invalid(_) => ConvertError::SignedStringNotJson,
    })
}

/// JSON bytes (at most [`MAX_INPUT_BYTES`]) as a value.
pub(crate) fn parse_event_text(bytes: &[u8]) -> Result<Value, ConvertError> {
    if bytes.len() > MAX_INPUT_BYTES {
        return Err(ConvertError::TooLarge);
    }
    json_text::parse(bytes).map_err(|error| match error {
        JsonTextError::UnpairedSurrogate(found) => ConvertError::UnpairedSurrogate(found),
        JsonTextError::Invalid(message) => ConvertError::NotJson(message),
    })
}

/// Parses JSON bytes (at most [`MAX_INPUT_BYTES`]) and converts them. The event may also
/// be given as a JSON string holding its JSON, as rc.52's `convertToSpasmEventEnvelope`
/// accepts it (one level only).
pub fn parse_and_convert(bytes: &[u8]) -> Result<VerifiedEvent, ConvertError> {
    match parse_event_text(bytes)? {
        Value::String(text) => convert_to_spasm(&parse_event_text(text.as_bytes())?),
        value => convert_to_spasm(&value),
    }
}

/// spasm.js `convertToSpasm`, verifying every signature: the event with its id and the
/// keys that signed it.
pub fn convert_to_spasm(input: &Value) -> Result<VerifiedEvent, ConvertError> {
    let mut signers = Signers::default();
    let event = convert_checked(input, Depth::default(), &mut signers)?;
    let id = event
        .get("ids")
        .and_then(|ids| ids.get(0))
        .and_then(|id| id.get("value"))
        .and_then(Value::as_str)
        .and_then(|id| id.parse().ok())
        .ok_or(ConvertError::NotAnEvent)?;
    Ok(VerifiedEvent {
        event: Value::Object(event),
        id,
        signers: signers.0,
    })
}

/// Converts, checks content rules, assigns formats and the Spasm id.
fn convert_checked(
    input: &Value,
    depth: Depth,
    signers: &mut Signers,
) -> Result<Map<String, Value>, ConvertError> {
    let Standardized { mut event, id } = standardize(input, depth, signers)?;
    mark_verified(&mut event, signers);
    check_control_characters(&event)?;
    assign_formats(&mut event);
    sort_tags_in_place(&mut event);
    assign_spasmid(&mut event, id);
    Ok(event)
}

/// spasm.js sorts an event's own `tags` in place while it computes the id
/// (`sortTagsForSpasmid01`), so the converted event, and the Nostr form made from it, carry
/// them in that order.
fn sort_tags_in_place(event: &mut Map<String, Value>) {
    let sorted = event
        .get("tags")
        .filter(|tags| tags.as_array().is_some_and(|tags| tags.len() > 1))
        .and_then(crate::spasmid::sort_tags_for_spasmid01);
    if let Some(sorted) = sorted {
        event.insert("tags".into(), Value::Array(sorted));
    }
}

/// A standardised event, with its id when it was already computed on the way.
pub(crate) struct Standardized {
    event: Map<String, Value>,
    id: Option<SpasmId01>,
}

impl From<Map<String, Value>> for Standardized {
    fn from(event: Map<String, Value>) -> Self {
        Self { event, id: None }
    }
}

/// [`convert_checked`] for related events (children, parents), whose signers are their own.
pub(crate) fn convert_value(
    input: &Value,
    depth: Depth,
) -> Result<Map<String, Value>, ConvertError> {
    convert_checked(input, depth, &mut Signers::default())
}

/// Routes an input to its converter (spasm.js `standardizeEventV2`).
fn standardize(
    input: &Value,
    depth: Depth,
    signers: &mut Signers,
) -> Result<Standardized, ConvertError> {
    if !is_object_with_values(input) {
        return Err(ConvertError::NotAnEvent);
    }
    match spasm_v2_type(input) {
        Some("SpasmEventBodyV2") => body::convert_body(input).map(Standardized::from),
        Some("SpasmEventBodySignedClosedV2") => {
            body::convert_signed(CheckedEthereumSignature::from_closed(input)?, signers)
                .map(Standardized::from)
        }
        Some("SpasmEventEnvelopeV2") => envelope::convert_envelope(input, depth, signers),
        Some("SpasmEventEnvelopeWithTreeV2" | "SpasmEventV2" | "SpasmEventDatabaseV2") => {
            envelope::convert_envelope_with_tree(input, depth, signers)
        }
        _ => standardize_non_spasm(input, depth, signers).map(Standardized::from),
    }
}

/// DMP, Nostr, V0 posts and RSS items (spasm.js `standardizeNonSpasmEventV2`).
fn standardize_non_spasm(
    input: &Value,
    depth: Depth,
    signers: &mut Signers,
) -> Result<Map<String, Value>, ConvertError> {
    let info = identify_post_or_event(input)?;
    let Some(web_type) = info.web_type else {
        return Err(ConvertError::NotAnEvent);
    };
    let event_type = info.event_info.as_ref().map(|info| info.event_type);
    match (event_type, info.sealed) {
        (Some(EventType::DmpEvent), false) => Ok(dmp::convert_dmp_event(input)),
        (Some(EventType::DmpEventSignedClosed | EventType::DmpEventSignedOpened), false) => {
            dmp::convert_signed(CheckedEthereumSignature::from_closed(input)?, signers)
        }
        (
            Some(
                EventType::NostrEvent
                | EventType::NostrSpasmEvent
                | EventType::NostrEventSignedOpened
                | EventType::NostrSpasmEventSignedOpened,
            ),
            false,
        ) => nostr::convert(input, signers),
        (Some(EventType::DmpEventSignedClosed), true) => {
            let closed = json::object([
                (
                    "signedString",
                    input.get("signed_message").cloned().unwrap_or(Value::Null),
                ),
                (
                    "signature",
                    input
                        .get("signature")
                        .cloned()
                        .unwrap_or_else(|| Value::from("")),
                ),
                (
                    "signer",
                    input
                        .get("signer")
                        .cloned()
                        .unwrap_or_else(|| Value::from("")),
                ),
            ]);
            let mut event =
                dmp::convert_signed(CheckedEthereumSignature::from_closed(&closed)?, signers)?;
            web2::add_v0_fields(input, &mut event, depth)?;
            Ok(event)
        }
        (
            Some(EventType::NostrEventSignedOpened | EventType::NostrSpasmEventSignedOpened),
            true,
        ) => {
            let sealed = input
                .get("signed_message")
                .and_then(Value::as_str)
                .ok_or(ConvertError::Malformed("signed_message"))?;
            let nostr_event = parse_signed_string(sealed)?;
            let mut event = nostr::convert(&nostr_event, signers)?;
            web2::add_v0_fields(input, &mut event, depth)?;
            Ok(event)
        }
        (None, false) if web_type == WebType::Web2 => {
            let mut event = web2::convert_rss_item(input);
            web2::add_v0_fields(input, &mut event, depth)?;
            Ok(event)
        }
        (event_type, _) => {
            // spasm.js yields a bare event for combinations it has no converter for, such
            // as a V0 post sealing an unsigned event (SPEC.md §5.3).
            let mut event = Map::new();
            event.insert("type".into(), Value::from("SpasmEventV2"));
            if event_type.is_some() {
                web2::add_v0_fields(input, &mut event, depth)?;
            }
            Ok(event)
        }
    }
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

/// spasm.js `assignSpasmId`: prepends the `spasmid01` unless it is already the first one.
/// `known` is the id when it was computed already (for an envelope's siblings).
fn assign_spasmid(event: &mut Map<String, Value>, known: Option<SpasmId01>) {
    let Some(id) = known.or_else(|| spasmid01_of_object(event)) else {
        return;
    };
    let id = id.to_string();
    let existing = event.get("ids").and_then(Value::as_array).and_then(|ids| {
        ids.iter().find(|candidate| {
            candidate
                .get("format")
                .and_then(|format| format.get("name"))
                .and_then(Value::as_str)
                == Some("spasmid")
                && candidate
                    .get("format")
                    .and_then(|format| format.get("version"))
                    .and_then(Value::as_str)
                    == Some("01")
        })
    });
    if existing
        .and_then(|existing| existing.get("value"))
        .and_then(Value::as_str)
        == Some(id.as_str())
    {
        return;
    }
    let record = json::object([
        ("value", Value::from(id)),
        (
            "format",
            json::object([
                ("name", Value::from("spasmid")),
                ("version", Value::from("01")),
            ]),
        ),
    ]);
    match event.get_mut("ids") {
        Some(Value::Array(ids)) => ids.insert(0, record),
        _ => {
            event.insert("ids".into(), Value::Array(vec![record]));
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn control_characters_are_refused() {
        let event = json!({"type": "SpasmEventBodyV2", "action": "post", "content": "bell\u{7}"});
        let error = convert_to_spasm(&event).unwrap_err();
        assert_eq!(
            error,
            ConvertError::ControlCharacter {
                character: '\u{7}',
                field: "content".into(),
                position: 4
            }
        );
        assert_eq!(
            error.to_string(),
            "the content contains the control character U+0007 at character 4; only tab, line \
             feed and carriage return may be used"
        );
        let event = json!({"type": "SpasmEventBodyV2", "action": "post", "title": "t",
            "content": "x", "tags": [["t", "ok"], ["t", "a\u{1b}[31m"]]});
        assert_eq!(
            convert_to_spasm(&event).unwrap_err().to_string(),
            "the tag 1, element 1 contains the control character U+001B at character 1; only \
             tab, line feed and carriage return may be used"
        );
        // Tab, line feed and carriage return, and the C1 range (mojibake) and DEL, are text.
        let event = json!({"type": "SpasmEventBodyV2", "action": "post",
            "content": "line\nbreak\ttab\r It\u{e2}\u{80}\u{99}s \u{9d}\u{7f}"});
        assert!(convert_to_spasm(&event).is_ok());
    }

    #[test]
    fn oversized_and_non_json_input_is_a_typed_error() {
        assert_eq!(
            parse_and_convert(&vec![b' '; MAX_INPUT_BYTES + 1]),
            Err(ConvertError::TooLarge)
        );
        assert!(matches!(
            parse_and_convert(b"{"),
            Err(ConvertError::NotJson(_))
        ));
        assert_eq!(parse_and_convert(b"[]"), Err(ConvertError::NotAnEvent));
        assert_eq!(parse_and_convert(b"{}"), Err(ConvertError::NotAnEvent));
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(matches!(
            parse_and_convert(deep.as_bytes()),
            Err(ConvertError::NotJson(_))
        ));
    }
}
