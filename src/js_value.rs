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

/// ECMAScript `Number(x)` of a JSON value (`undefined` is `None`, giving `NaN`): `null` is 0,
/// booleans 0 and 1, strings through `StringToNumber`, arrays through their `String()`
/// (`[5]` is 5, `[]` is 0), objects `NaN`.
pub fn js_number(value: Option<&Value>) -> f64 {
    match value {
        None => f64::NAN,
        Some(Value::Null) => 0.0,
        Some(Value::Bool(flag)) => f64::from(u8::from(*flag)),
        Some(Value::Number(number)) => number.as_f64().unwrap_or(f64::NAN),
        Some(Value::String(text)) => js_string_to_number(text),
        Some(array @ Value::Array(_)) => js_string_to_number(&js_string(Some(array))),
        Some(Value::Object(_)) => f64::NAN,
    }
}

/// ECMAScript `StringToNumber`: surrounding white space is ignored, `""` is 0, `0x`/`0o`/`0b`
/// integers, `Infinity` with an optional sign, and decimal literals; anything else is `NaN`
/// (unlike Rust's `parse`, which also takes `inf`, `nan` and rejects `.5`'s cousin `5.`).
pub fn js_string_to_number(text: &str) -> f64 {
    // ECMAScript white space and line terminators: Unicode `Zs`, tab, vertical tab, form
    // feed, BOM, LF, CR, LS, PS.
    let text = text.trim_matches(|c: char| {
        matches!(
            c,
            '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | ' ' | '\u{a0}' | '\u{1680}' | '\u{2000}'
                ..='\u{200a}'
                    | '\u{2028}'
                    | '\u{2029}'
                    | '\u{202f}'
                    | '\u{205f}'
                    | '\u{3000}'
                    | '\u{feff}'
        )
    });
    if text.is_empty() {
        return 0.0;
    }
    for (prefix, radix) in [
        ("0x", 16),
        ("0X", 16),
        ("0o", 8),
        ("0O", 8),
        ("0b", 2),
        ("0B", 2),
    ] {
        if let Some(digits) = text.strip_prefix(prefix) {
            if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
                return f64::NAN;
            }
            return digits.chars().fold(0.0, |number, digit| {
                number * f64::from(radix) + f64::from(digit.to_digit(radix).unwrap_or(0))
            });
        }
    }
    let unsigned = text.strip_prefix(['+', '-']).unwrap_or(text);
    if unsigned == "Infinity" {
        return if text.starts_with('-') {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        };
    }
    if !is_decimal_literal(unsigned) {
        return f64::NAN;
    }
    text.parse().unwrap_or(f64::NAN)
}

/// `StrUnsignedDecimalLiteral`: digits with an optional fraction (either side of the point
/// may be empty, not both) and an optional exponent.
fn is_decimal_literal(text: &str) -> bool {
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(at) => (&text[..at], Some(&text[at + 1..])),
        None => (text, None),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |part: &str| part.bytes().all(|byte| byte.is_ascii_digit());
    let mantissa_ok =
        digits(whole) && digits(fraction) && !(whole.is_empty() && fraction.is_empty());
    let exponent_ok = exponent.is_none_or(|exponent| {
        let exponent = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
        !exponent.is_empty() && digits(exponent)
    });
    mantissa_ok && exponent_ok
}

/// A JavaScript number as the JSON value `JSON.stringify` writes for it: integers as
/// integers, other finite numbers as floats, `NaN` and the infinities as `null`.
pub fn number_value(number: f64) -> Value {
    if number.fract() == 0.0 && number.abs() < 9.0e15 {
        // Exact: the magnitude is below 2^53.
        Value::from(number as i64)
    } else {
        serde_json::Number::from_f64(number).map_or(Value::Null, Value::Number)
    }
}

/// An array index as JavaScript's `list[Number(text)]` uses one: a non-negative integer
/// (`-0` is 0); `None` when the number is `NaN`, negative, fractional or not below
/// 2³² − 1, which JavaScript would store as a plain property that no list operation sees.
pub fn js_array_index(value: Option<&Value>) -> Option<usize> {
    let number = js_number(value);
    (number >= 0.0 && number.fract() == 0.0 && number < 4_294_967_295.0).then_some(number as usize)
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
    fn number_conversion_matches_javascript() {
        let number = |value: Value| js_number(Some(&value));
        for (value, expected) in [
            (json!(""), 0.0),
            (json!("  12 \n"), 12.0),
            (json!("1e3"), 1000.0),
            (json!(".5"), 0.5),
            (json!("5."), 5.0),
            (json!("0x10"), 16.0),
            (json!("0b11"), 3.0),
            (json!("-0"), 0.0),
            (json!("+7"), 7.0),
            (json!("-Infinity"), f64::NEG_INFINITY),
            (json!(null), 0.0),
            (json!(true), 1.0),
            (json!([5]), 5.0),
            (json!([]), 0.0),
            (json!(2.5), 2.5),
        ] {
            assert_eq!(number(value.clone()), expected, "{value}");
        }
        for value in [
            json!("inf"),
            json!("NaN"),
            json!("1_000"),
            json!("-0x10"),
            json!("0x"),
            json!("."),
            json!("1e"),
            json!("abc"),
            json!([1, 2]),
            json!({}),
        ] {
            assert!(number(value.clone()).is_nan(), "{value}");
        }
        assert!(js_number(None).is_nan());
    }

    #[test]
    fn array_indices_are_whole_non_negative_numbers() {
        let index = |value: Value| js_array_index(Some(&value));
        assert_eq!(index(json!("")), Some(0));
        assert_eq!(index(json!(" 2 ")), Some(2));
        assert_eq!(index(json!("-0")), Some(0));
        assert_eq!(index(json!("0x1")), Some(1));
        assert_eq!(index(json!("1.5")), None);
        assert_eq!(index(json!("-1")), None);
        assert_eq!(index(json!("abc")), None);
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
