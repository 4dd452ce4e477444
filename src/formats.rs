//! The format of an id, address or signature value, detected as spasm.js
//! `getFormatFromValue` detects it (SPEC.md §11.1).

use serde_json::{Map, Value};

/// What a value looks like.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValueFormat {
    /// `spasmid` + two version characters + 64 characters.
    SpasmId {
        /// The two characters after `spasmid`, e.g. `01`.
        version: String,
    },
    /// `0x` + 130 hex digits.
    EthereumSignature,
    /// 128 hex digits.
    NostrSignature,
    /// `note1…`, 63 characters.
    NostrNote,
    /// `nevent1…`, 68 characters.
    NostrNevent,
    /// `0x` + 40 characters.
    EthereumPubkey,
    /// `npub1…`, 63 characters.
    NostrNpub,
    /// Anything the WHATWG URL parser accepts.
    Url,
    /// 64 characters (not checked to be hex, as in spasm.js).
    NostrHex,
    /// Any other string.
    String,
    /// A number.
    Number,
}

impl ValueFormat {
    /// The format's `name` in Spasm events.
    pub fn name(&self) -> &'static str {
        match self {
            Self::SpasmId { .. } => "spasmid",
            Self::EthereumSignature => "ethereum-sig",
            Self::NostrSignature => "nostr-sig",
            Self::NostrNote => "nostr-note",
            Self::NostrNevent => "nostr-nevent",
            Self::EthereumPubkey => "ethereum-pubkey",
            Self::NostrNpub => "nostr-npub",
            Self::Url => "url",
            Self::NostrHex => "nostr-hex",
            Self::String => "string",
            Self::Number => "number",
        }
    }

    /// Whether `value` is this format's object exactly as [`Self::to_json`] writes it (key
    /// order included, which ids depend on).
    pub fn is(&self, value: &Value) -> bool {
        let Value::Object(object) = value else {
            return false;
        };
        let mut entries = object.iter();
        let name_matches = entries
            .next()
            .is_some_and(|(key, name)| key == "name" && name.as_str() == Some(self.name()));
        let rest_matches = match self {
            Self::SpasmId { version } => entries.next().is_some_and(|(key, value)| {
                key == "version" && value.as_str() == Some(version.as_str())
            }),
            _ => true,
        };
        name_matches && rest_matches && entries.next().is_none()
    }

    /// The format object of Spasm events: `{"name": …}` plus `"version"` for Spasm ids.
    pub fn to_json(&self) -> Value {
        let mut format = Map::new();
        format.insert("name".into(), Value::from(self.name()));
        if let Self::SpasmId { version } = self {
            format.insert("version".into(), Value::from(version.as_str()));
        }
        Value::Object(format)
    }
}

fn is_hex(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|byte| byte.is_ascii_hexdigit())
}

/// spasm.js `isHex`: a non-empty string of hexadecimal digits (either case).
pub fn is_hex_value(value: &Value) -> bool {
    value.as_str().is_some_and(is_hex)
}

/// spasm.js `isNostrHex`: [`is_hex_value`] and 64 characters long.
pub fn is_nostr_hex_value(value: &Value) -> bool {
    value
        .as_str()
        .is_some_and(|text| text.len() == 64 && is_hex(text))
}

/// Whether the WHATWG URL parser accepts `text` (`new URL(text)` succeeds).
pub fn is_valid_url(text: &str) -> bool {
    // Every absolute URL starts with a scheme (a letter, then letters, digits, `+`, `-`,
    // `.`) and a colon; checking that first spares the parser most non-URLs. Like the
    // parser, skip surrounding spaces and controls, and tabs and newlines anywhere.
    let mut chars = text
        .trim_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'));
    if !chars
        .next()
        .is_some_and(|first| first.is_ascii_alphabetic())
    {
        return false;
    }
    let has_scheme = chars
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
        .is_some_and(|c| c == ':');
    has_scheme && crate::whatwg_url::parse(text).is_some()
}

/// The format of a JSON value, or `None` for falsy values and values that are neither
/// strings nor numbers.
pub fn format_of_value(value: &Value) -> Option<ValueFormat> {
    match value {
        Value::Number(_) if crate::js_value::truthy(value) => Some(ValueFormat::Number),
        Value::String(text) if !text.is_empty() => Some(format_of_str(text)),
        _ => None,
    }
}

/// The format of a non-empty string. Lengths count UTF-16 code units, as JavaScript does.
pub fn format_of_str(text: &str) -> ValueFormat {
    let length = utf16_length(text);
    if length == 73 && text.starts_with("spasmid") {
        let version: String = text
            .encode_utf16()
            .skip(7)
            .take(2)
            .map(|unit| char::from_u32(u32::from(unit)).unwrap_or('\u{fffd}'))
            .collect();
        return ValueFormat::SpasmId { version };
    }
    if length == 132 && text.starts_with("0x") && is_hex(&text[2..]) {
        return ValueFormat::EthereumSignature;
    }
    if length == 128 && is_hex(text) {
        return ValueFormat::NostrSignature;
    }
    if length == 63 && text.starts_with("note") {
        return ValueFormat::NostrNote;
    }
    if length == 68 && text.starts_with("nevent") {
        return ValueFormat::NostrNevent;
    }
    if length == 42 && text.starts_with("0x") {
        return ValueFormat::EthereumPubkey;
    }
    if length == 63 && text.starts_with("npub") {
        return ValueFormat::NostrNpub;
    }
    if is_valid_url(text) {
        return ValueFormat::Url;
    }
    if length == 64 {
        // The note/nevent/npub exclusions of spasm.js cannot match at this length.
        return ValueFormat::NostrHex;
    }
    ValueFormat::String
}

/// The distinct URLs among `values` (truthy values as `String(x)`), in order.
fn distinct_urls(values: &[Value]) -> Vec<String> {
    let mut urls: Vec<String> = Vec::new();
    for value in values.iter().filter(|value| crate::js_value::truthy(value)) {
        let text = crate::js_value::js_string(Some(value));
        if is_valid_url(&text) && !urls.contains(&text) {
            urls.push(text);
        }
    }
    urls
}

fn utf16_length(text: &str) -> usize {
    // Ids, keys and signatures are ASCII, where a byte is a code unit.
    if text.is_ascii() {
        text.len()
    } else {
        text.encode_utf16().count()
    }
}

/// spasm.js `findMostLikelyUrl`: of several URLs of one item, the longest (the last of
/// equally long ones).
pub fn find_most_likely_url(values: &[Value]) -> Option<String> {
    distinct_urls(values).into_iter().reduce(|a, b| {
        if utf16_length(&a) > utf16_length(&b) {
            a
        } else {
            b
        }
    })
}

/// spasm.js `findMostLikelyGuid`: of several URLs of one item, the shortest (the last of
/// equally short ones).
pub fn find_most_likely_guid(values: &[Value]) -> Option<String> {
    distinct_urls(values).into_iter().reduce(|a, b| {
        if utf16_length(&a) < utf16_length(&b) {
            a
        } else {
            b
        }
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_format_object_is_recognised_only_as_written() {
        let id = format_of_str(
            "spasmid01192d1f9994bf436f50841459d0a43c0de13ef4aaa5233827bdfe2ea2bc030d6f",
        );
        assert!(id.is(&id.to_json()));
        assert!(id.is(&json!({"name": "spasmid", "version": "01"})));
        assert!(!id.is(&json!({"version": "01", "name": "spasmid"})));
        assert!(!id.is(&json!({"name": "spasmid"})));
        let address = ValueFormat::EthereumPubkey;
        assert!(address.is(&json!({"name": "ethereum-pubkey"})));
        assert!(!address.is(&json!({"name": "ethereum-pubkey", "extra": 1})));
        assert!(!address.is(&json!({"name": "nostr-hex"})));
        assert!(!address.is(&json!("ethereum-pubkey")));
    }

    #[test]
    fn detects_formats_in_spasm_js_order() {
        let cases = [
            (
                json!("spasmid01192d1f9994bf436f50841459d0a43c0de13ef4aaa5233827bdfe2ea2bc030d6f"),
                Some("spasmid"),
            ),
            (
                json!(format!("0x{}", "ab".repeat(65))),
                Some("ethereum-sig"),
            ),
            (json!("ab".repeat(64)), Some("nostr-sig")),
            (
                json!("0xf8553015220a857eda377a1e903c9e5afb3ac2fa"),
                Some("ethereum-pubkey"),
            ),
            (json!("https://degenrocket.space"), Some("url")),
            (json!("mailto:monero.observer"), Some("url")),
            (json!("degenrocket.space"), Some("string")),
            (json!("x".repeat(64)), Some("nostr-hex")),
            (json!(123), Some("number")),
            (json!(0), None),
            (json!(""), None),
            (json!(null), None),
            (json!([1]), None),
        ];
        for (value, expected) in cases {
            assert_eq!(
                format_of_value(&value).map(|format| format.name()),
                expected,
                "{value}"
            );
        }
        assert_eq!(
            format_of_str(
                "spasmid01192d1f9994bf436f50841459d0a43c0de13ef4aaa5233827bdfe2ea2bc030d6f"
            )
            .to_json(),
            json!({"name": "spasmid", "version": "01"})
        );
    }
}
