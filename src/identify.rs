//! Identification of any JSON input (SPEC.md §4): which wire format it is.
//!
//! The rules are spasm.js's `identifyEvent` and `identifyPostOrEvent`, predicate for
//! predicate, because other Spasm software routes events by them.

use serde_json::{Map, Value};

use crate::js_value::{is_object_with_values, truthy};
use crate::json_text::{self, JsonTextError, UnpairedSurrogate};

/// The `type` names of the native Spasm V2 formats, which are routed before identification.
pub const SPASM_V2_TYPES: [&str; 6] = [
    "SpasmEventV2",
    "SpasmEventBodyV2",
    "SpasmEventBodySignedClosedV2",
    "SpasmEventEnvelopeV2",
    "SpasmEventEnvelopeWithTreeV2",
    "SpasmEventDatabaseV2",
];

const SPASM_TAG_NAMES: [&str; 4] = [
    "spasm_version",
    "spasm_target",
    "spasm_action",
    "spasm_title",
];

/// Why identification failed where spasm.js throws (and so returns `null`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentifyError {
    /// `signed_message` or `signedString` is not valid JSON.
    #[error("the signed message is not valid JSON")]
    SignedStringNotJson,
    /// The signed message holds half of a UTF-16 surrogate pair.
    #[error("{0}")]
    UnpairedSurrogate(UnpairedSurrogate),
    /// A DMP `version` is neither a string nor null.
    #[error("the DMP version is not a string")]
    VersionNotString,
}

/// The wire format of a web3 event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    /// An unsigned DMP object.
    DmpEvent,
    /// `{signer, signature, signedString}` of a DMP event.
    DmpEventSignedClosed,
    /// A signed DMP event with its parsed `signedObject`.
    DmpEventSignedOpened,
    /// A Nostr event without signature.
    NostrEvent,
    /// A signed Nostr event.
    NostrEventSignedOpened,
    /// A Nostr event with Spasm tags, without signature.
    NostrSpasmEvent,
    /// A signed Nostr event with Spasm tags.
    NostrSpasmEventSignedOpened,
    /// None of the above.
    Unknown,
}

impl EventType {
    /// The name spasm.js gives the type.
    pub fn name(self) -> &'static str {
        match self {
            Self::DmpEvent => "DmpEvent",
            Self::DmpEventSignedClosed => "DmpEventSignedClosed",
            Self::DmpEventSignedOpened => "DmpEventSignedOpened",
            Self::NostrEvent => "NostrEvent",
            Self::NostrEventSignedOpened => "NostrEventSignedOpened",
            Self::NostrSpasmEvent => "NostrSpasmEvent",
            Self::NostrSpasmEventSignedOpened => "NostrSpasmEventSignedOpened",
            Self::Unknown => "unknown",
        }
    }
}

/// The protocol an event is built on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BaseProtocol {
    /// Degen Messaging Protocol (Ethereum-signed).
    Dmp,
    /// Nostr.
    Nostr,
}

/// The kind of key that made a signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrivateKeyType {
    /// An Ethereum key.
    Ethereum,
    /// A Nostr key.
    Nostr,
}

/// What `identifyEvent` says of an object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventInfo {
    /// The format.
    pub event_type: EventType,
    /// Whether it carries a signature.
    pub has_signature: bool,
    /// The base protocol, for known formats.
    pub base_protocol: Option<BaseProtocol>,
    /// The key type of the signature, when it can be told.
    pub private_key_type: Option<PrivateKeyType>,
    /// Whether Spasm can convert it.
    pub is_spasm_compatible: bool,
    /// Whether it carries Spasm tags.
    pub has_extra_spasm_fields: bool,
    /// Its licence, when it states one.
    pub license: Option<String>,
}

/// Whether an object is a web3 event or a web2 post.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebType {
    /// An RSS item or any other unsigned object.
    Web2,
    /// A signed or signable event.
    Web3,
}

/// What `identifyPostOrEvent` (`identifyObject`) says of an object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostOrEventInfo {
    /// web2 or web3; `None` for values that are not objects with values.
    pub web_type: Option<WebType>,
    /// Whether the event is sealed inside a V0 post's `signed_message`.
    pub sealed: bool,
    /// The event, for web3.
    pub event_info: Option<EventInfo>,
}

impl EventInfo {
    fn unknown() -> Self {
        Self {
            event_type: EventType::Unknown,
            has_signature: false,
            base_protocol: None,
            private_key_type: None,
            is_spasm_compatible: false,
            has_extra_spasm_fields: false,
            license: None,
        }
    }

    /// The spasm.js object, for comparison with its output.
    pub fn to_json(&self) -> Value {
        let mut out = Map::new();
        out.insert("type".into(), Value::from(self.event_type.name()));
        out.insert("hasSignature".into(), Value::Bool(self.has_signature));
        out.insert(
            "baseProtocol".into(),
            match self.base_protocol {
                Some(BaseProtocol::Dmp) => Value::from("dmp"),
                Some(BaseProtocol::Nostr) => Value::from("nostr"),
                None => Value::Bool(false),
            },
        );
        out.insert(
            "privateKeyType".into(),
            match self.private_key_type {
                Some(PrivateKeyType::Ethereum) => Value::from("ethereum"),
                Some(PrivateKeyType::Nostr) => Value::from("nostr"),
                None => Value::Bool(false),
            },
        );
        out.insert(
            "isSpasmCompatible".into(),
            Value::Bool(self.is_spasm_compatible),
        );
        out.insert(
            "hasExtraSpasmFields".into(),
            Value::Bool(self.has_extra_spasm_fields),
        );
        out.insert(
            "license".into(),
            self.license.clone().map_or(Value::Bool(false), Value::from),
        );
        Value::Object(out)
    }
}

impl PostOrEventInfo {
    /// The spasm.js object, for comparison with its output.
    pub fn to_json(&self) -> Value {
        let mut out = Map::new();
        out.insert(
            "webType".into(),
            match self.web_type {
                Some(WebType::Web2) => Value::from("web2"),
                Some(WebType::Web3) => Value::from("web3"),
                None => Value::Bool(false),
            },
        );
        out.insert("eventIsSealed".into(), Value::Bool(self.sealed));
        out.insert(
            "eventIsSealedUnderKeyName".into(),
            if self.sealed {
                Value::from("signed_message")
            } else {
                Value::Bool(false)
            },
        );
        let event_info = match (&self.event_info, self.web_type) {
            (Some(info), _) => info.to_json(),
            // Not an object at all: spasm.js reports an all-false info with type false.
            (None, None) => {
                let mut info = EventInfo::unknown().to_json();
                info["type"] = Value::Bool(false);
                info
            }
            (None, Some(_)) => Value::Bool(false),
        };
        out.insert("eventInfo".into(), event_info);
        Value::Object(out)
    }
}

fn has_key(value: &Value, key: &str) -> bool {
    value.as_object().is_some_and(|map| map.contains_key(key))
}

fn parse_json(text: &str) -> Result<Value, IdentifyError> {
    json_text::parse(text.as_bytes()).map_err(|error| match error {
        JsonTextError::UnpairedSurrogate(found) => IdentifyError::UnpairedSurrogate(found),
        JsonTextError::Invalid(_) => IdentifyError::SignedStringNotJson,
    })
}

/// spasm.js `hasSignature(x)`: `signature` or `sig` is a non-empty string.
pub fn has_signature(value: &Value) -> bool {
    is_object_with_values(value)
        && ["signature", "sig"].iter().any(|key| {
            value
                .get(*key)
                .and_then(Value::as_str)
                .is_some_and(|text| !text.is_empty())
        })
}

fn has_signature_key(value: &Value, key: &str) -> bool {
    is_object_with_values(value)
        && value
            .get(key)
            .and_then(Value::as_str)
            .is_some_and(|text| !text.is_empty())
}

/// spasm.js `hasExtraSpasmFields`: a tag named `spasm_version`, `spasm_target`,
/// `spasm_action` or `spasm_title`.
pub fn has_extra_spasm_fields(value: &Value) -> bool {
    value
        .get("tags")
        .and_then(Value::as_array)
        .is_some_and(|tags| {
            tags.iter().any(|tag| {
                tag.as_array()
                    .and_then(|tag| tag.first())
                    .and_then(Value::as_str)
                    .is_some_and(|name| SPASM_TAG_NAMES.contains(&name))
            })
        })
}

/// spasm.js `isDmpEvent`.
pub fn is_dmp_event(value: &Value) -> Result<bool, IdentifyError> {
    if !is_object_with_values(value)
        || !has_key(value, "version")
        || !has_key(value, "action")
        || !has_key(value, "license")
        || has_key(value, "spasm_version")
    {
        return Ok(false);
    }
    match value.get("version") {
        Some(Value::String(version)) => Ok(version.starts_with("dmp")),
        Some(Value::Null) | None => Ok(false),
        Some(_) => Err(IdentifyError::VersionNotString),
    }
}

/// spasm.js `isDmpEventSignedClosed`.
pub fn is_dmp_event_signed_closed(value: &Value) -> Result<bool, IdentifyError> {
    if !is_object_with_values(value)
        || !has_key(value, "signedString")
        || !has_key(value, "signature")
    {
        return Ok(false);
    }
    match value.get("signedString") {
        Some(Value::String(text)) => is_dmp_event(&parse_json(text)?),
        _ => Ok(false),
    }
}

/// spasm.js `isDmpEventSignedOpened`.
pub fn is_dmp_event_signed_opened(value: &Value) -> Result<bool, IdentifyError> {
    if !is_object_with_values(value) {
        return Ok(false);
    }
    match value.get("signedObject") {
        Some(object) => is_dmp_event(object),
        None => Ok(false),
    }
}

/// spasm.js `isNostrEvent`.
pub fn is_nostr_event(value: &Value) -> bool {
    if value
        .get("type")
        .and_then(Value::as_str)
        .is_some_and(|kind| SPASM_V2_TYPES.contains(&kind))
    {
        return false;
    }
    is_object_with_values(value)
        && value
            .get("content")
            .and_then(Value::as_str)
            .is_some_and(|content| !content.is_empty())
        && value.get("created_at").is_some_and(Value::is_number)
        && value.get("kind").is_some_and(Value::is_number)
        // rc.52: a draft without a key is a Nostr event too; only a truthy non-string
        // `pubkey` disqualifies it.
        && value
            .get("pubkey")
            .is_none_or(|pubkey| !truthy(pubkey) || pubkey.is_string())
        && has_key(value, "tags")
}

/// spasm.js `isNostrEventSignedOpened`.
pub fn is_nostr_event_signed_opened(value: &Value) -> bool {
    is_nostr_event(value) && has_key(value, "id") && has_signature_key(value, "sig")
}

/// spasm.js `isNostrSpasmEvent`.
pub fn is_nostr_spasm_event(value: &Value) -> bool {
    is_nostr_event(value) && has_extra_spasm_fields(value)
}

/// spasm.js `isNostrSpasmEventSignedOpened`.
pub fn is_nostr_spasm_event_signed_opened(value: &Value) -> bool {
    is_nostr_spasm_event(value) && is_nostr_event_signed_opened(value)
}

fn license_of(value: &Value) -> Option<String> {
    if let Some(license) = value
        .get("license")
        .and_then(Value::as_str)
        .filter(|license| !license.is_empty())
    {
        return Some(license.to_string());
    }
    value
        .get("tags")
        .and_then(Value::as_array)
        .and_then(|tags| {
            tags.iter()
                .rev()
                .find_map(|tag| match tag.as_array().map(Vec::as_slice) {
                    Some([name, Value::String(license), ..]) if name == "license" => {
                        Some(license.clone())
                    }
                    _ => None,
                })
        })
}

/// spasm.js `identifyLicense`.
pub fn identify_license(value: &Value) -> Result<Option<String>, IdentifyError> {
    if let Some(license) = license_of(value) {
        return Ok(Some(license));
    }
    let sealed = value
        .get("signed_message")
        .and_then(Value::as_str)
        .or_else(|| value.get("signedString").and_then(Value::as_str));
    match sealed {
        Some(text) => Ok(license_of(&parse_json(text)?)),
        None => Ok(None),
    }
}

fn long_string(value: &Value, key: &str) -> bool {
    value
        .get(key)
        .and_then(Value::as_str)
        .is_some_and(|text| text.chars().count() > 40)
}

/// spasm.js `identifyPrivateKey`.
pub fn identify_private_key(value: &Value) -> Result<Option<PrivateKeyType>, IdentifyError> {
    if long_string(value, "sig") {
        return Ok(Some(PrivateKeyType::Nostr));
    }
    if !long_string(value, "signature") {
        return Ok(None);
    }
    if let Some(sealed) = value.get("signed_message").and_then(Value::as_str) {
        let parsed = parse_json(sealed)?;
        // spasm.js checks `sig` on the post rather than on the parsed event (SPEC.md §14.12).
        return Ok(is_object_with_values(&parsed).then_some(PrivateKeyType::Ethereum));
    }
    if let Some(signed) = value.get("signedString").and_then(Value::as_str) {
        return Ok(is_dmp_event(&parse_json(signed)?)?.then_some(PrivateKeyType::Ethereum));
    }
    Ok(None)
}

/// spasm.js `identifyEvent`.
pub fn identify_event(value: &Value) -> Result<EventInfo, IdentifyError> {
    let mut info = EventInfo::unknown();
    if !is_object_with_values(value) {
        return Ok(info);
    }
    info.license = identify_license(value)?;
    info.has_signature = has_signature(value);
    if info.has_signature {
        info.private_key_type = identify_private_key(value)?;
    }
    info.has_extra_spasm_fields = has_extra_spasm_fields(value);
    let signed = info.has_signature;
    let extra = info.has_extra_spasm_fields;

    let dmp_type = if !signed && !extra && is_dmp_event(value)? {
        Some(EventType::DmpEvent)
    } else if signed && !extra && is_dmp_event_signed_opened(value)? {
        Some(EventType::DmpEventSignedOpened)
    } else if signed && !extra && is_dmp_event_signed_closed(value)? {
        Some(EventType::DmpEventSignedClosed)
    } else {
        None
    };
    if let Some(event_type) = dmp_type {
        info.event_type = event_type;
        info.base_protocol = Some(BaseProtocol::Dmp);
        info.is_spasm_compatible = true;
        return Ok(info);
    }

    let nostr_type = match (signed, extra) {
        (true, true) => is_nostr_spasm_event_signed_opened(value)
            .then_some((EventType::NostrSpasmEventSignedOpened, true)),
        (true, false) => is_nostr_event_signed_opened(value)
            .then_some((EventType::NostrEventSignedOpened, false)),
        (false, true) => is_nostr_spasm_event(value).then_some((EventType::NostrSpasmEvent, true)),
        (false, false) => is_nostr_event(value).then_some((EventType::NostrEvent, false)),
    };
    if let Some((event_type, compatible)) = nostr_type {
        info.event_type = event_type;
        info.base_protocol = Some(BaseProtocol::Nostr);
        info.is_spasm_compatible = compatible;
    }
    Ok(info)
}

/// spasm.js `identifyPostOrEvent` (exported as `identifyObject`).
pub fn identify_post_or_event(value: &Value) -> Result<PostOrEventInfo, IdentifyError> {
    if !is_object_with_values(value) {
        return Ok(PostOrEventInfo {
            web_type: None,
            sealed: false,
            event_info: None,
        });
    }
    let (sealed, candidate) = match value.get("signed_message").and_then(Value::as_str) {
        Some(sealed_text) => {
            let parsed = parse_json(sealed_text)?;
            let signer = value.get("signer").and_then(Value::as_str);
            let signature = value.get("signature").and_then(Value::as_str);
            let candidate = match (is_dmp_event(&parsed)?, signer, signature) {
                (true, Some(signer), Some(signature)) => {
                    let mut closed = Map::new();
                    closed.insert("signer".into(), Value::from(signer));
                    closed.insert("signedString".into(), Value::from(sealed_text));
                    closed.insert("signature".into(), Value::from(signature));
                    Value::Object(closed)
                }
                _ => parsed,
            };
            (true, std::borrow::Cow::Owned(candidate))
        }
        None => (false, std::borrow::Cow::Borrowed(value)),
    };
    let info = identify_event(&candidate)?;
    if info.event_type == EventType::Unknown {
        Ok(PostOrEventInfo {
            web_type: Some(WebType::Web2),
            sealed,
            event_info: None,
        })
    } else {
        Ok(PostOrEventInfo {
            web_type: Some(WebType::Web3),
            sealed,
            event_info: Some(info),
        })
    }
}

/// The Spasm V2 `type` of a value, if it has one of the six.
pub fn spasm_v2_type(value: &Value) -> Option<&str> {
    value
        .get("type")
        .and_then(Value::as_str)
        .filter(|kind| SPASM_V2_TYPES.contains(kind))
}
