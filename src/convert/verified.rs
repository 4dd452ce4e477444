//! Conversions that end in a [`VerifiedEvent`]: every input routed to its converter, checked,
//! given its formats and its `spasmid01` (which needs collation data, so this part exists
//! only with the `spasmid` feature).

use serde_json::{Map, Value};

use super::json;
use super::{
    CheckedEthereumSignature, ConvertError, MAX_INPUT_BYTES, MAX_TREE_DEPTH, Signers,
    VerifiedSigner, assign_formats, body, check_control_characters, dmp, envelope, mark_verified,
    nostr, parse_signed_string, web2,
};
use crate::identify::{EventType, WebType, identify_post_or_event, spasm_v2_type};
use crate::js_value::is_object_with_values;
use crate::json_text::{self, JsonTextError};
use crate::spasmid::{SpasmId01, spasmid01_of_object};

/// A `SpasmEventV2` whose every signature was checked by this crate, with its id.
///
/// Only conversion constructs it, so storage that takes a `VerifiedEvent` cannot take an
/// unchecked one. An event with no signers is an unsigned (web2) event.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedEvent {
    pub(super) event: Value,
    pub(super) id: SpasmId01,
    pub(super) signers: Vec<VerifiedSigner>,
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
        super::forms::database_form(&self.event)
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
pub(super) fn sort_tags_in_place(event: &mut Map<String, Value>) {
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
    pub(super) event: Map<String, Value>,
    pub(super) id: Option<SpasmId01>,
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
pub(crate) fn standardize(
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
