//! Spasm V2 bodies, unsigned and Ethereum-signed → `SpasmEventV2` (SPEC.md §5.7).

use serde_json::{Map, Value};

use super::json::{author_addresses, format_named, object};
use super::{CheckedEthereumSignature, ConvertError, Signers};
use crate::ethereum::EthereumAddress;
use crate::js_json::stringify;
use crate::js_value::{is_array_with_values, is_object_with_values, truthy};

// `pows`, `protocol`, `sequence`, `previousEvent` and `root` are not carried over.
const COPIED_ARRAYS: [&str; 11] = [
    "authors",
    "categories",
    "tips",
    "hosts",
    "links",
    "keywords",
    "tags",
    "medias",
    "references",
    "mentions",
    "proofs",
];

/// An unsigned body, taken apart; `signed_string` is the text kept in the sibling.
pub(super) fn convert_unsigned(
    body: Value,
    signed_string: String,
) -> Result<Map<String, Value>, ConvertError> {
    let Value::Object(mut body) = body else {
        return Err(not_a_body());
    };
    if body.get("type").and_then(Value::as_str) != Some("SpasmEventBodyV2") {
        return Err(not_a_body());
    }
    // Fields are moved out of the body, which is dropped afterwards.
    let mut take = |key: &str, wanted: fn(&Value) -> bool| {
        body.get_mut(key)
            .filter(|value| wanted(value))
            .map(Value::take)
    };
    let version = take("protocol", |_| true)
        .and_then(|mut protocol| protocol.get_mut("version").map(Value::take))
        .filter(truthy)
        .unwrap_or_else(|| Value::from("2.0.0"));
    let mut out = Map::new();
    out.insert("type".into(), Value::from("SpasmEventV2"));
    let sibling = object([
        ("type", Value::from("SiblingSpasmV2")),
        (
            "protocol",
            object([("name", Value::from("spasm")), ("version", version)]),
        ),
        ("signedString", Value::from(signed_string)),
    ]);
    out.insert("siblings".into(), Value::Array(vec![sibling]));
    // spasm.js places a parent with ids here, and any other parent after the lists.
    let mut parent = take("parent", is_object_with_values);
    if let Some(early) =
        parent.take_if(|parent| parent.get("ids").is_some_and(is_array_with_values))
    {
        out.insert("parent".into(), early);
    }
    for key in ["action", "title", "content"] {
        if let Some(text) = take(key, is_truthy_string) {
            out.insert(key.into(), text);
        }
    }
    if let Some(timestamp) = take("timestamp", |t| t.is_number() && truthy(t)) {
        out.insert("timestamp".into(), timestamp);
    }
    for key in ["license", "language"] {
        if let Some(text) = take(key, is_truthy_string) {
            out.insert(key.into(), text);
        }
    }
    for key in COPIED_ARRAYS {
        if let Some(list) = take(key, is_array_with_values) {
            out.insert(key.into(), list);
        }
    }
    if let Some(parent) = parent {
        out.insert("parent".into(), parent);
    }
    if let Some(extra) = take("extra", is_object_with_values) {
        out.insert("extra".into(), extra);
    }
    Ok(out)
}

fn not_a_body() -> ConvertError {
    ConvertError::Malformed("signedString (not a SpasmEventBodyV2)")
}

fn is_truthy_string(value: &Value) -> bool {
    value.as_str().is_some_and(|text| !text.is_empty())
}

/// An unsigned body as received.
pub(super) fn convert_body(body: &Value) -> Result<Map<String, Value>, ConvertError> {
    convert_unsigned(body.clone(), stringify(body))
}

/// `{signedString, signature, signer}` of a body: the signature must recover to `signer`,
/// and `signer` must be one of the body's authors (DECISIONS.md, Security 3).
pub(super) fn convert_signed(
    checked: CheckedEthereumSignature<'_>,
    signers: &mut Signers,
) -> Result<Map<String, Value>, ConvertError> {
    let CheckedEthereumSignature {
        signed_string,
        signature: signature_text,
        signer: signer_text,
        verified,
    } = checked;
    let signer = verified.address();
    let body = super::parse_signed_string(signed_string)?;
    if body.get("type").and_then(Value::as_str) != Some("SpasmEventBodyV2") {
        return Err(not_a_body());
    }
    let is_author = author_addresses(&body)
        .filter_map(|address| address.get("value").and_then(Value::as_str))
        .any(|value| {
            value
                .parse::<EthereumAddress>()
                .is_ok_and(|address| address == signer)
        });
    if !is_author {
        return Err(ConvertError::SignerNotAuthor(signer.to_checksum()));
    }
    let mut out = convert_unsigned(body, signed_string.to_string())?;
    let signature_record = object([
        ("value", Value::from(signature_text)),
        ("pubkey", Value::from(signer_text.as_str())),
        ("format", format_named("ethereum-sig")),
    ]);
    out.insert(
        "signatures".into(),
        Value::Array(vec![signature_record.clone()]),
    );
    if let Some(Value::Object(sibling)) = out
        .get_mut("siblings")
        .and_then(|siblings| siblings.get_mut(0))
    {
        sibling.insert("type".into(), Value::from("SiblingSpasmSignedV2"));
        sibling.insert("signatures".into(), Value::Array(vec![signature_record]));
    }
    signers.add_ethereum(verified);
    Ok(out)
}
