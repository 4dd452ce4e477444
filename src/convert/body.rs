//! Spasm V2 bodies, unsigned and Ethereum-signed → `SpasmEventV2` (SPEC.md §5.7).

use serde_json::{Map, Value};

use super::json::{author_addresses, format_named, object, truthy_str};
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

/// An unsigned body; `signed_string` is the text kept in the sibling.
pub(super) fn convert_unsigned(
    body: &Value,
    signed_string: String,
) -> Result<Map<String, Value>, ConvertError> {
    if body.get("type").and_then(Value::as_str) != Some("SpasmEventBodyV2") {
        return Err(ConvertError::Malformed(
            "signedString (not a SpasmEventBodyV2)",
        ));
    }
    let version = body
        .get("protocol")
        .and_then(|protocol| protocol.get("version"))
        .filter(|version| truthy(version))
        .cloned()
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
    if let Some(parent) = body.get("parent")
        && parent.get("ids").is_some_and(is_array_with_values)
    {
        let mut early = Map::new();
        early.insert(
            "ids".into(),
            parent.get("ids").cloned().unwrap_or(Value::Null),
        );
        if let Some(marker) = parent.get("marker") {
            early.insert("marker".into(), marker.clone());
        }
        out.insert("parent".into(), Value::Object(early));
    }
    for key in ["action", "title", "content"] {
        if let Some(text) = truthy_str(body, key) {
            out.insert(key.into(), Value::from(text));
        }
    }
    if let Some(timestamp) = body.get("timestamp").filter(|t| t.is_number() && truthy(t)) {
        out.insert("timestamp".into(), timestamp.clone());
    }
    for key in ["license", "language"] {
        if let Some(text) = truthy_str(body, key) {
            out.insert(key.into(), Value::from(text));
        }
    }
    for key in COPIED_ARRAYS {
        if let Some(list) = body.get(key).filter(|list| is_array_with_values(list)) {
            out.insert(key.into(), list.clone());
        }
    }
    if let Some(parent) = body
        .get("parent")
        .filter(|parent| is_object_with_values(parent))
    {
        out.insert("parent".into(), parent.clone());
    }
    if let Some(extra) = body
        .get("extra")
        .filter(|extra| is_object_with_values(extra))
    {
        out.insert("extra".into(), extra.clone());
    }
    Ok(out)
}

/// An unsigned body as received.
pub(super) fn convert_body(body: &Value) -> Result<Map<String, Value>, ConvertError> {
    convert_unsigned(body, stringify(body))
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
    let body: Value =
        serde_json::from_str(signed_string).map_err(|_| ConvertError::SignedStringNotJson)?;
    let mut out = convert_unsigned(&body, signed_string.to_string())?;
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
