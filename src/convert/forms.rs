//! The transport and storage forms of an event (SPEC.md §8.3–8.5): envelope, envelope with
//! tree, database object. Other instances re-verify everything from `siblings`, so these
//! carry the original signed material untouched.

use serde_json::{Map, Value};

use super::{ConvertError, convert_to_spasm};
use crate::js_value::{is_object_with_values, keep_keys, truthy};

/// The default depth limit of envelopes with trees, as in spasm.js.
pub const DEFAULT_TREE_MAX_DEPTH: u32 = 50;

const ENVELOPE_FIELDS: [&str; 6] = ["ids", "siblings", "db", "source", "stats", "sharedBy"];
const DATABASE_FIELDS: [&str; 26] = [
    "parent",
    "action",
    "title",
    "content",
    "timestamp",
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
    "license",
    "language",
    "extra",
    "pows",
    "ids",
    "signatures",
    "siblings",
    "source",
    "sharedBy",
    "type",
];

/// A verified `SpasmEventV2` of any input (a `SpasmEventV2` is re-verified from its siblings).
fn spasm_event(input: &Value) -> Result<Value, ConvertError> {
    convert_to_spasm(input).map(|event| event.into_json())
}

fn with_type(kind: &str) -> Map<String, Value> {
    let mut out = Map::new();
    out.insert("type".into(), Value::from(kind));
    out
}

/// The envelope fields of a `SpasmEventV2`, each when truthy.
fn envelope_fields(event: &Value, out: &mut Map<String, Value>) {
    for key in ENVELOPE_FIELDS {
        if let Some(value) = event.get(key).filter(|value| truthy(value)) {
            out.insert(key.into(), value.clone());
        }
    }
}

/// spasm.js `convertToSpasmEventEnvelope`: ids, siblings, db, source, stats, sharedBy.
///
/// As in rc.52, `input` may also be the event as a JSON string; text that is not JSON is
/// [`ConvertError::NotJson`] (spasm.js throws its `SyntaxError`).
pub fn to_envelope(input: &Value) -> Result<Value, ConvertError> {
    if let Value::String(text) = input {
        // Read once, as spasm.js does: text that holds a string is no event.
        return match super::parse_event_text(text.as_bytes())? {
            Value::String(_) => Err(ConvertError::NotAnEvent),
            parsed => to_envelope(&parsed),
        };
    }
    if input.get("type").and_then(Value::as_str) == Some("SpasmEventEnvelopeV2") {
        return Ok(input.clone());
    }
    let event = spasm_event(input)?;
    let mut out = with_type("SpasmEventEnvelopeV2");
    envelope_fields(&event, &mut out);
    Ok(Value::Object(out))
}

/// spasm.js `convertToSpasmEventEnvelopeWithTree`: the envelope with its parent, root and
/// children as envelopes with trees, down to `max_depth`.
pub fn to_envelope_with_tree(input: &Value, max_depth: u32) -> Result<Value, ConvertError> {
    tree(input, 0, max_depth).ok_or(ConvertError::TooDeep)
}

fn tree(input: &Value, depth: u32, max_depth: u32) -> Option<Value> {
    if depth > max_depth {
        return None;
    }
    if input.get("type").and_then(Value::as_str) == Some("SpasmEventEnvelopeWithTreeV2") {
        return Some(input.clone());
    }
    let event = spasm_event(input).ok()?;
    let mut out = with_type("SpasmEventEnvelopeWithTreeV2");
    envelope_fields(&event, &mut out);
    for key in ["parent", "root"] {
        let Some(reference) = event.get(key) else {
            continue;
        };
        let Some(related) = reference
            .get("event")
            .filter(|related| is_object_with_values(related))
        else {
            continue;
        };
        if let Some(related) = tree(related, depth + 1, max_depth) {
            let mut reference = reference.as_object().cloned().unwrap_or_default();
            reference.insert("event".into(), related);
            out.insert(key.into(), Value::Object(reference));
        }
    }
    let children: Vec<Value> = event
        .get("children")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|child| {
            let related = child
                .get("event")
                .filter(|related| is_object_with_values(related))?;
            let related = tree(related, depth + 1, max_depth)?;
            let mut child = child.as_object().cloned().unwrap_or_default();
            child.insert("event".into(), related);
            Some(Value::Object(child))
        })
        .collect();
    if !children.is_empty() {
        out.insert("children".into(), Value::Array(children));
    }
    Some(Value::Object(out))
}

/// spasm.js `convertToSpasmEventDatabase`: the expanded fields with ids, signatures and
/// siblings; no tree, stats or db info.
pub fn to_database(input: &Value) -> Result<Value, ConvertError> {
    if input.get("type").and_then(Value::as_str) == Some("SpasmEventDatabaseV2") {
        return Ok(input.clone());
    }
    Ok(database_form(&spasm_event(input)?))
}

/// The database form of a converted `SpasmEventV2` (spasm.js `convertToSpasmEventDatabase`
/// without the conversion).
pub(crate) fn database_form(event: &Value) -> Value {
    let mut out = with_type("SpasmEventDatabaseV2");
    for key in DATABASE_FIELDS.iter().filter(|key| **key != "type") {
        let Some(value) = event.get(*key).filter(|value| truthy(value)) else {
            continue;
        };
        let value = match *key {
            "parent" => keep_keys(value, &["ids", "marker"]),
            "references" => Value::Array(
                value
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|reference| keep_keys(reference, &["ids", "marker"]))
                    .collect(),
            ),
            _ => value.clone(),
        };
        out.insert((*key).into(), value);
    }
    Value::Object(out)
}
