//! DMP (Degen Messaging Protocol) events → `SpasmEventV2` (SPEC.md §5.4).

use serde_json::{Map, Value};

use super::json::{format_named, object, truthy_field, value_with_format};
use super::{CheckedEthereumSignature, ConvertError, Signers};
use crate::formats::format_of_value;
use crate::identify::is_dmp_event;
use crate::js_json::stringify;
use crate::timestamps::to_timestamp;

/// `dmp_vX` → `X`.
fn extract_version(version: Option<&Value>) -> String {
    version
        .and_then(Value::as_str)
        .and_then(|text| text.strip_prefix("dmp_v"))
        .unwrap_or_default()
        .to_string()
}

/// An unsigned DMP event; `signed_string` is the text to keep in the sibling.
pub(super) fn convert_unsigned(event: &Value, signed_string: String) -> Map<String, Value> {
    let mut out = Map::new();
    out.insert("type".into(), Value::from("SpasmEventV2"));
    let sibling = object([
        ("type", Value::from("SiblingDmpV2")),
        (
            "protocol",
            object([
                ("name", Value::from("dmp")),
                (
                    "version",
                    Value::from(extract_version(event.get("version"))),
                ),
            ]),
        ),
        ("signedString", Value::from(signed_string)),
    ]);
    out.insert("siblings".into(), Value::Array(vec![sibling]));
    for (from, to) in [
        ("action", "action"),
        ("title", "title"),
        ("text", "content"),
        ("license", "license"),
    ] {
        if let Some(value) = truthy_field(event, from) {
            out.insert(to.into(), value.clone());
        }
    }
    if let Some(timestamp) = truthy_field(event, "time").and_then(to_timestamp) {
        out.insert("timestamp".into(), Value::from(timestamp));
    }
    if let Some(target) = truthy_field(event, "target") {
        out.insert(
            "parent".into(),
            object([("ids", Value::Array(vec![value_with_format(target.clone())]))]),
        );
    }
    out
}

/// An unsigned DMP object as received.
pub(super) fn convert_dmp_event(event: &Value) -> Map<String, Value> {
    convert_unsigned(event, stringify(event))
}

/// A signed DMP event (`{signer, signature, signedString}`, closed or opened). The
/// signature must recover to `signer`.
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
    let signer_text = signer_text.as_str();
    let event = super::parse_signed_string(signed_string)?;
    if !is_dmp_event(&event)? {
        return Err(ConvertError::Malformed("signedString (not a DMP event)"));
    }
    // The sibling keeps the exact signed text, so it verifies again wherever it travels.
    let mut out = convert_unsigned(&event, signed_string.to_string());
    let signature_value = Value::from(signature_text);
    let address = object([
        ("value", Value::from(signer_text)),
        (
            "format",
            format_of_value(&Value::from(signer_text))
                .map_or(Value::Null, |format| format.to_json()),
        ),
    ]);
    out.insert(
        "authors".into(),
        Value::Array(vec![object([("addresses", Value::Array(vec![address]))])]),
    );
    let ids = Value::Array(vec![value_with_format(signature_value.clone())]);
    out.insert("ids".into(), ids.clone());
    let signatures = Value::Array(vec![object([
        ("value", signature_value),
        ("pubkey", Value::from(signer_text)),
        ("format", format_named("ethereum-sig")),
    ])]);
    out.insert("signatures".into(), signatures.clone());
    if let Some(Value::Object(sibling)) = out
        .get_mut("siblings")
        .and_then(|siblings| siblings.get_mut(0))
    {
        sibling.insert("type".into(), Value::from("SiblingDmpSignedV2"));
        sibling.insert("signatures".into(), signatures);
        sibling.insert("ids".into(), ids);
    }
    signers.add_ethereum(verified);
    Ok(out)
}
