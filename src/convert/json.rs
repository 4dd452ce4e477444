//! Small helpers to build and read spasm.js-shaped JSON.

use serde_json::{Map, Value};

use crate::formats::format_of_value;
use crate::js_value::truthy;

/// An object from key-value pairs, in that order.
pub(crate) fn object<const N: usize>(pairs: [(&str, Value); N]) -> Value {
    Value::Object(
        pairs
            .into_iter()
            .map(|(key, value)| (key.to_string(), value))
            .collect(),
    )
}

/// `{"name": name}`.
pub(crate) fn format_named(name: &str) -> Value {
    object([("name", Value::from(name))])
}

/// `{value, format}` with the detected format, the key left out when there is none.
pub(crate) fn value_with_format(value: Value) -> Value {
    let format = format_of_value(&value).map(|format| format.to_json());
    let mut out = Map::new();
    out.insert("value".into(), value);
    if let Some(format) = format {
        out.insert("format".into(), format);
    }
    Value::Object(out)
}

/// A truthy string field.
pub(crate) fn truthy_str<'a>(value: &'a Value, key: &str) -> Option<&'a str> {
    value
        .get(key)
        .and_then(Value::as_str)
        .filter(|text| !text.is_empty())
}

/// A truthy field of any type.
pub(crate) fn truthy_field<'a>(value: &'a Value, key: &str) -> Option<&'a Value> {
    value.get(key).filter(|field| truthy(field))
}

/// Every address of every author of an event.
pub(crate) fn author_addresses(event: &Value) -> impl Iterator<Item = &Value> {
    event
        .get("authors")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|author| author.get("addresses").and_then(Value::as_array))
        .flatten()
}
