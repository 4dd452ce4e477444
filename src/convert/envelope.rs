//! Envelopes, envelopes with trees, database objects and `SpasmEventV2` inputs (SPEC.md
//! §5.8, §9): everything is rebuilt from the siblings, each of which is verified on its own.

use serde_json::{Map, Value};

use super::json::truthy_field;
use super::{
    CheckedEthereumSignature, ConvertError, Depth, Signers, Standardized, assign_formats, body,
    convert_value, dmp, merge, standardize,
};
use crate::js_value::is_object_with_values;
use crate::spasmid::{SpasmId01, spasmid01_of_object};

/// One sibling → its own event; `Ok(None)` for sibling types that are ignored.
fn convert_sibling(
    sibling: &Value,
    depth: Depth,
    signers: &mut Signers,
) -> Result<Option<Map<String, Value>>, ConvertError> {
    let kind = sibling
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let original = sibling
        .get("originalObject")
        .filter(|object| is_object_with_values(object));
    let signed_string = sibling.get("signedString").and_then(Value::as_str);
    let converted = match kind {
        "SiblingWeb2V2"
        | "SiblingNostrV2"
        | "SiblingNostrSpasmV2"
        | "SiblingNostrSignedV2"
        | "SiblingNostrSpasmSignedV2" => {
            let Some(original) = original else {
                return Ok(None);
            };
            // Re-identified from the object itself: the declared type is not trusted.
            standardize(original, depth, signers)?.event
        }
        "SiblingSpasmV2" | "SiblingDmpV2" => {
            let Some(text) = signed_string else {
                return Ok(None);
            };
            let parsed = super::parse_signed_string(text)?;
            if kind == "SiblingSpasmV2"
                && parsed.get("type").and_then(Value::as_str) != Some("SpasmEventBodyV2")
            {
                return Err(ConvertError::Malformed(
                    "signedString (not a SpasmEventBodyV2)",
                ));
            }
            standardize(&parsed, depth, signers)?.event
        }
        "SiblingSpasmSignedV2" => {
            body::convert_signed(CheckedEthereumSignature::from_sibling(sibling)?, signers)?
        }
        "SiblingDmpSignedV2" => {
            dmp::convert_signed(CheckedEthereumSignature::from_sibling(sibling)?, signers)?
        }
        _ => return Ok(None),
    };
    Ok(Some(converted))
}

/// The id a sibling's event will get, to compare siblings before merging them. Formats
/// are assigned now rather than later (assigning them again changes nothing).
fn sibling_id(event: &mut Map<String, Value>) -> Option<SpasmId01> {
    assign_formats(event);
    spasmid01_of_object(event)
}

/// An envelope: each sibling verified and converted on its own, then merged.
pub(super) fn convert_envelope(
    envelope: &Value,
    depth: Depth,
    signers: &mut Signers,
) -> Result<Standardized, ConvertError> {
    let siblings = envelope
        .get("siblings")
        .and_then(Value::as_array)
        .ok_or(ConvertError::NoSiblings)?;
    let mut converted: Vec<(Map<String, Value>, Signers)> = Vec::new();
    for (index, sibling) in siblings.iter().enumerate() {
        let mut sibling_signers = Signers::default();
        let result = convert_sibling(sibling, depth, &mut sibling_signers).map_err(|reason| {
            ConvertError::InvalidSibling {
                index,
                reason: Box::new(reason),
            }
        })?;
        if let Some(event) = result {
            converted.push((event, sibling_signers));
        }
    }
    // Content comes only from signed material when there is any (DECISIONS.md, Security 2).
    if converted.iter().any(|(_, signers)| !signers.is_empty()) {
        converted.retain(|(_, signers)| !signers.is_empty());
    }
    let mut converted = converted.into_iter();
    let (mut main, main_signers) = converted.next().ok_or(ConvertError::NoSiblings)?;
    signers.extend(main_signers);
    // Siblings are compared by id; a lone sibling needs no comparison, and its id is
    // computed once, later.
    let mut main_id = None;
    for (mut other, other_signers) in converted {
        let expected = *main_id.get_or_insert_with(|| sibling_id(&mut main));
        if sibling_id(&mut other) != expected {
            return Err(ConvertError::SiblingsDisagree);
        }
        signers.extend(other_signers);
        merge::merge_into(&mut main, other);
    }
    merge::clean(&mut main);
    for key in ["db", "stats", "source", "sharedBy"] {
        if let Some(value) = truthy_field(envelope, key) {
            main.insert(key.into(), value.clone());
        }
    }
    // Merging adds siblings, ids and signatures, none of which is hashed: the id stands.
    Ok(Standardized {
        event: main,
        id: main_id.flatten(),
    })
}

/// An envelope with its tree (also `SpasmEventV2` and database objects, which are read as
/// one): the event from its siblings, related events converted on their own.
pub(super) fn convert_envelope_with_tree(
    envelope: &Value,
    depth: Depth,
    signers: &mut Signers,
) -> Result<Standardized, ConvertError> {
    let Standardized { mut event, id } = convert_envelope(envelope, depth, signers)?;
    if let Some(children) = envelope.get("children").and_then(Value::as_array) {
        let mut converted_children = Vec::new();
        for child in children.iter().filter(|child| is_object_with_values(child)) {
            let Some(child_event) = child
                .get("event")
                .filter(|event| is_object_with_values(event))
            else {
                // spasm.js drops children without events when it builds the tree.
                continue;
            };
            let mut child = child.as_object().cloned().unwrap_or_default();
            match convert_value(child_event, depth.deeper()?) {
                Ok(converted) => {
                    child.insert("event".into(), Value::Object(converted));
                }
                Err(ConvertError::TooDeep) => return Err(ConvertError::TooDeep),
                Err(_) => {
                    child.remove("event");
                }
            }
            converted_children.push(Value::Object(child));
        }
        if !converted_children.is_empty() {
            event.insert("children".into(), Value::Array(converted_children));
        }
    }
    for key in ["parent", "root"] {
        let Some(related) = envelope
            .get(key)
            .and_then(|reference| reference.get("event"))
        else {
            continue;
        };
        if !is_object_with_values(related) {
            continue;
        }
        let converted = match convert_value(related, depth.deeper()?) {
            Ok(converted) => Value::Object(converted),
            Err(ConvertError::TooDeep) => return Err(ConvertError::TooDeep),
            Err(_) => continue,
        };
        match event.get_mut(key) {
            Some(Value::Object(reference)) => {
                reference.insert("event".into(), converted);
            }
            _ => {
                let mut reference = envelope
                    .get(key)
                    .and_then(Value::as_object)
                    .cloned()
                    .unwrap_or_default();
                reference.insert("event".into(), converted);
                event.insert(key.into(), Value::Object(reference));
            }
        }
    }
    Ok(Standardized { event, id })
}
