//! JavaScript semantics over JSON values.
//!
//! spasm.js decides most things by JavaScript truthiness and `String(x)`; byte-compatible
//! identifiers need the same decisions, so they are spelled out here once.

use serde_json::{Map, Value};

use crate::js_json::number_to_string;

/// JavaScript truthiness: `null`, `false`, `0`, `""` are falsy; everything else (including
/// `[]` and `{}`) is truthy.
pub fn truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(flag) => *flag,
        Value::Number(number) => number.as_f64().is_some_and(|x| x != 0.0),
        Value::String(text) => !text.is_empty(),
        Value::Array(_) | Value::Object(_) => true,
    }
}

/// spasm.js `isObjectWithValues`: a non-array object with at least one key.
pub fn is_object_with_values(value: &Value) -> bool {
    matches!(value, Value::Object(map) if !map.is_empty())
}

/// spasm.js `hasValue`: falsy values, `{}`, `[]` and arrays none of whose elements
/// (recursively) have a value are `false`.
pub fn has_value(value: &Value) -> bool {
    match value {
        Value::Object(map) => !map.is_empty(),
        Value::Array(items) => items.iter().any(has_value),
        other => truthy(other),
    }
}

/// spasm.js `isArrayWithValues`.
pub fn is_array_with_values(value: &Value) -> bool {
    matches!(value, Value::Array(_)) && has_value(value)
}

/// A non-empty string or a number other than zero: the `typeof` string/number checks
/// spasm.js combines with truthiness.
pub fn is_truthy_string_or_number(value: &Value) -> bool {
    matches!(value, Value::String(_) | Value::Number(_)) && truthy(value)
}

/// ECMAScript `String(x)` of a JSON value (`undefined` is `None`).
pub fn js_string(value: Option<&Value>) -> String {
    match value {
        None => "undefined".to_string(),
        Some(Value::Null) => "null".to_string(),
        Some(Value::Bool(flag)) => flag.to_string(),
        Some(Value::Number(number)) => number_string(number),
        Some(Value::String(text)) => text.clone(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| match item {
                // Array.prototype.join writes null and undefined as empty strings.
                Value::Null => String::new(),
                other => js_string(Some(other)),
            })
            .collect::<Vec<_>>()
            .join(","),
        Some(Value::Object(_)) => "[object Object]".to_string(),
    }
}

/// ECMAScript `String(n)` of a JSON number.
pub fn number_string(number: &serde_json::Number) -> String {
    match number.as_i64() {
        Some(integer) if integer.unsigned_abs() < (1 << 53) => integer.to_string(),
        _ => number_to_string(number.as_f64().unwrap_or(f64::NAN)),
    }
}

/// spasm.js `keepTheseKeysInObject`: a new object with those of `keys` that `value` has,
/// in the order of `keys`; `null` when `value` is not a non-array object.
pub fn keep_keys(value: &Value, keys: &[&str]) -> Value {
    match value {
        Value::Object(map) => {
            let mut kept = Map::new();
            for key in keys {
                if let Some(field) = map.get(*key) {
                    kept.insert((*key).to_string(), field.clone());
                }
            }
            Value::Object(kept)
        }
        _ => Value::Null,
    }
}

/// spasm.js `keepTheseKeysInObjectsInArray`: [`keep_keys`] for each element; `None` when
/// `value` is not an array (spasm.js returns `null`).
pub fn keep_keys_in_array(value: &Value, keys: &[&str]) -> Option<Vec<Value>> {
    match value {
        Value::Array(items) => Some(items.iter().map(|item| keep_keys(item, keys)).collect()),
        _ => None,
    }
}

/// `x[key]` of JavaScript for a JSON value and a property name, `None` being `undefined`.
pub fn property<'a>(value: &'a Value, key: &str) -> Option<&'a Value> {
    match value {
        Value::Object(map) => map.get(key),
        Value::Array(items) => key.parse::<usize>().ok().and_then(|index| items.get(index)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn truthiness_matches_javascript() {
        for falsy in [json!(null), json!(false), json!(0), json!(0.0), json!("")] {
            assert!(!truthy(&falsy), "{falsy}");
        }
        for truthy_value in [json!(true), json!(1), json!("0"), json!([]), json!({})] {
            assert!(truthy(&truthy_value), "{truthy_value}");
        }
    }

    #[test]
    fn has_value_matches_spasm_js() {
        assert!(!has_value(&json!([])));
        assert!(!has_value(&json!({})));
        assert!(!has_value(&json!([0])));
        assert!(!has_value(&json!([null])));
        assert!(!has_value(&json!([[null], [0], [null, 0], ""])));
        assert!(has_value(&json!([[null], 0, [true]])));
        assert!(has_value(&json!({"a": null})));
    }

    #[test]
    fn string_conversion_matches_javascript() {
        assert_eq!(js_string(None), "undefined");
        assert_eq!(js_string(Some(&json!(null))), "null");
        assert_eq!(js_string(Some(&json!(1.50))), "1.5");
        assert_eq!(js_string(Some(&json!([1, null, "a", [2, 3]]))), "1,,a,2,3");
        assert_eq!(js_string(Some(&json!({"a": 1}))), "[object Object]");
    }

    #[test]
    fn keep_keys_keeps_the_given_order() {
        let value = json!({"marker": "m", "x": 1, "ids": []});
        assert_eq!(
            keep_keys(&value, &["ids", "marker"]).to_string(),
            r#"{"ids":[],"marker":"m"}"#
        );
        assert_eq!(keep_keys(&json!("text"), &["ids"]), Value::Null);
        assert_eq!(keep_keys_in_array(&json!({}), &["ids"]), None);
    }
}
