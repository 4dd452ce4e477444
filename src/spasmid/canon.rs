//! A borrowed view of the reduced event that `spasmid01` hashes.
//!
//! Reducing an event keeps some keys of some objects and reorders some lists; every leaf is
//! a part of the input unchanged. So the reduced event is built from references into the
//! input, and only the objects and lists that reduction rebuilds are new: nothing is cloned.

use std::borrow::Cow;

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::{Map, Value};

use crate::js_value::{js_string, truthy};

/// `null`, for objects that spasm.js reduces to `null` (a kept key of a non-object).
pub(super) static NULL: Value = Value::Null;

/// A part of the reduced event: input as it is, or a list or an object rebuilt from parts.
#[derive(Debug, Clone)]
pub(super) enum Canon<'a> {
    /// A part of the input, unchanged.
    Json(&'a Value),
    /// A rebuilt list.
    Array(Vec<Canon<'a>>),
    /// A rebuilt object, its keys in order.
    Object(Vec<(&'a str, Canon<'a>)>),
    /// A finished part whose leaves were rewritten (rc.52's lower-cased tips). Nothing
    /// reads into it afterwards: it is only written out.
    Owned(Value),
}

/// A read-only position in a [`Canon`]: either inside the input or inside a rebuilt part.
#[derive(Debug, Clone, Copy)]
pub(super) enum Node<'c, 'a> {
    Json(&'a Value),
    Built(&'c Canon<'a>),
}

impl<'a> Canon<'a> {
    /// spasm.js `keepTheseKeysInObject`: those of `keys` that `value` has, in the order of
    /// `keys`; `null` when `value` is not a non-array object.
    pub(super) fn keep_keys(value: &'a Value, keys: &[&'a str]) -> Self {
        match value {
            Value::Object(map) => Canon::Object(
                keys.iter()
                    .filter_map(|key| map.get(*key).map(|field| (*key, Canon::Json(field))))
                    .collect(),
            ),
            _ => Canon::Json(&NULL),
        }
    }

    /// The elements of an input list, `None` when it is not a list.
    pub(super) fn items_of(value: &'a Value) -> Option<Vec<Self>> {
        value
            .as_array()
            .map(|items| items.iter().map(Canon::Json).collect())
    }

    /// A read-only view.
    pub(super) fn node(&self) -> Node<'_, 'a> {
        match self {
            Canon::Json(value) => Node::Json(value),
            built => Node::Built(built),
        }
    }

    /// Sets `self[key]` when `self` is an object (keeping the key's position), as JavaScript
    /// assignment does; anything else is left alone.
    pub(super) fn set(&mut self, key: &'a str, value: Canon<'a>) {
        if let Canon::Json(Value::Object(map)) = self {
            *self = Canon::Object(object_entries(map));
        }
        if let Canon::Object(entries) = self {
            match entries.iter_mut().find(|(existing, _)| *existing == key) {
                Some((_, slot)) => *slot = value,
                None => entries.push((key, value)),
            }
        }
    }

    /// The reduced part as an owned JSON value.
    pub(super) fn to_value(&self) -> Value {
        match self {
            Canon::Json(value) => (*value).clone(),
            Canon::Owned(value) => value.clone(),
            Canon::Array(items) => Value::Array(items.iter().map(Canon::to_value).collect()),
            Canon::Object(entries) => Value::Object(
                entries
                    .iter()
                    .map(|(key, value)| ((*key).to_string(), value.to_value()))
                    .collect(),
            ),
        }
    }
}

fn object_entries<'a>(map: &'a Map<String, Value>) -> Vec<(&'a str, Canon<'a>)> {
    map.iter()
        .map(|(key, value)| (key.as_str(), Canon::Json(value)))
        .collect()
}

impl<'c, 'a> Node<'c, 'a> {
    /// `x[key]` for a property name, `None` being `undefined`.
    pub(super) fn get(self, key: &str) -> Option<Self> {
        match self {
            Node::Json(value) => value.get(key).map(Node::Json),
            Node::Built(Canon::Object(entries)) => entries
                .iter()
                .find(|(existing, _)| *existing == key)
                .map(|(_, value)| value.node()),
            Node::Built(_) => None,
        }
    }

    /// `x[0]` of a list; `None` for anything else.
    pub(super) fn first(self) -> Option<Self> {
        match self {
            Node::Json(Value::Array(items)) => items.first().map(Node::Json),
            Node::Built(Canon::Array(items)) => items.first().map(Canon::node),
            _ => None,
        }
    }

    /// Whether this is a non-array object.
    pub(super) fn is_object(self) -> bool {
        matches!(
            self,
            Node::Json(Value::Object(_)) | Node::Built(Canon::Object(_))
        )
    }

    /// JavaScript truthiness (rebuilt lists and objects are always truthy).
    pub(super) fn truthy(self) -> bool {
        match self {
            Node::Json(value) => truthy(value),
            Node::Built(Canon::Owned(value)) => truthy(value),
            Node::Built(_) => true,
        }
    }

    /// A non-empty string or a non-zero number.
    pub(super) fn is_truthy_string_or_number(self) -> bool {
        matches!(self, Node::Json(value @ (Value::String(_) | Value::Number(_))) if truthy(value))
    }

    /// ECMAScript `String(x)`, borrowed when `x` is a string.
    pub(super) fn js_string(self) -> Cow<'a, str> {
        match self {
            Node::Json(Value::String(text)) => Cow::Borrowed(text),
            Node::Json(value) => Cow::Owned(js_string(Some(value))),
            Node::Built(Canon::Object(_)) => Cow::Borrowed("[object Object]"),
            Node::Built(Canon::Array(items)) => Cow::Owned(
                items
                    .iter()
                    .map(|item| match item.node() {
                        // Array.prototype.join writes null and undefined as empty strings.
                        Node::Json(Value::Null) => Cow::Borrowed(""),
                        other => other.js_string(),
                    })
                    .collect::<Vec<_>>()
                    .join(","),
            ),
            Node::Built(Canon::Json(value)) => Node::Json(value).js_string(),
            Node::Built(Canon::Owned(value)) => Cow::Owned(js_string(Some(value))),
        }
    }
}

/// ECMAScript `String(x)` of a property that may be `undefined`.
pub(super) fn js_string_of<'a>(node: Option<Node<'_, 'a>>) -> Cow<'a, str> {
    node.map_or(Cow::Borrowed("undefined"), Node::js_string)
}

impl Serialize for Canon<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Canon::Json(value) => value.serialize(serializer),
            Canon::Owned(value) => value.serialize(serializer),
            Canon::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Canon::Object(entries) => {
                let mut map = serializer.serialize_map(Some(entries.len()))?;
                for (key, value) in entries {
                    map.serialize_entry(key, value)?;
                }
                map.end()
            }
        }
    }
}
