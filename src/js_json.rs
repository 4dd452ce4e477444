//! JSON text exactly as ECMAScript's `JSON.stringify` writes it.
//!
//! Spasm hashes and signs JSON text produced by JavaScript, so the bytes matter: no
//! whitespace, keys in insertion order (`serde_json`'s `preserve_order`), strings escaped as
//! ECMAScript does (which `serde_json` already matches), and numbers written by ECMAScript's
//! Number-to-String algorithm (`1e+21`, `100` rather than `100.0`), which this module adds.

use std::io;

use serde::Serialize;
use serde_json::ser::Formatter;

/// `JSON.stringify(value)` of any serialisable value.
pub fn stringify<T: Serialize + ?Sized>(value: &T) -> String {
    let mut out = Vec::with_capacity(128);
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, EcmaScriptFormatter);
    // Serialising into memory cannot fail for JSON values; a custom `Serialize` that fails
    // yields what was written so far, which no caller in this crate produces.
    let _ = value.serialize(&mut serializer);
    // The serializer writes only valid UTF-8.
    String::from_utf8(out).unwrap_or_default()
}

/// ECMAScript `Number::toString(x)` for a finite `x`; `NaN` and infinities give `"null"`,
/// as `JSON.stringify` writes them.
pub fn number_to_string(x: f64) -> String {
    if !x.is_finite() {
        return "null".to_string();
    }
    if x == 0.0 {
        return "0".to_string(); // also -0
    }
    let sign = if x < 0.0 { "-" } else { "" };
    // Rust's `{:e}` gives the shortest round-tripping digits, like ECMAScript requires.
    let scientific = format!("{:e}", x.abs());
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let k = digits.len() as i32;
    let n = exponent + 1; // position of the decimal point relative to the digits
    let body = if k <= n && n <= 21 {
        format!("{digits}{}", "0".repeat((n - k) as usize))
    } else if 0 < n && n <= 21 {
        let (int, frac) = digits.split_at(n as usize);
        format!("{int}.{frac}")
    } else if -6 < n && n <= 0 {
        format!("0.{}{digits}", "0".repeat((-n) as usize))
    } else {
        let e = n - 1;
        let e_sign = if e < 0 { '-' } else { '+' };
        let (first, rest) = digits.split_at(1);
        if rest.is_empty() {
            format!("{first}e{e_sign}{}", e.abs())
        } else {
            format!("{first}.{rest}e{e_sign}{}", e.abs())
        }
    };
    format!("{sign}{body}")
}

/// Integers beyond 2^53 are not exact in JavaScript: write what JavaScript would.
fn integer_to_string(value: i128) -> String {
    const MAX_SAFE: i128 = (1 << 53) - 1;
    if (-MAX_SAFE..=MAX_SAFE).contains(&value) {
        value.to_string()
    } else {
        number_to_string(value as f64)
    }
}

/// A `serde_json` formatter that writes numbers as ECMAScript does.
#[derive(Debug, Clone, Copy, Default)]
pub struct EcmaScriptFormatter;

impl Formatter for EcmaScriptFormatter {
    fn write_i64<W: ?Sized + io::Write>(&mut self, writer: &mut W, value: i64) -> io::Result<()> {
        writer.write_all(integer_to_string(i128::from(value)).as_bytes())
    }

    fn write_u64<W: ?Sized + io::Write>(&mut self, writer: &mut W, value: u64) -> io::Result<()> {
        writer.write_all(integer_to_string(i128::from(value)).as_bytes())
    }

    fn write_f64<W: ?Sized + io::Write>(&mut self, writer: &mut W, value: f64) -> io::Result<()> {
        writer.write_all(number_to_string(value).as_bytes())
    }

    fn write_f32<W: ?Sized + io::Write>(&mut self, writer: &mut W, value: f32) -> io::Result<()> {
        writer.write_all(number_to_string(f64::from(value)).as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn numbers_follow_ecmascript() {
        let cases: &[(f64, &str)] = &[
            (0.0, "0"),
            (-0.0, "0"),
            (1.0, "1"),
            (100.0, "100"),
            (1.5, "1.5"),
            (-1.5, "-1.5"),
            (0.1, "0.1"),
            (1e21, "1e+21"),
            (1e20, "100000000000000000000"),
            (123456789012345680000.0, "123456789012345680000"),
            (1.2345e21, "1.2345e+21"),
            (1e-6, "0.000001"),
            (1e-7, "1e-7"),
            (1.5e-7, "1.5e-7"),
            (1641074686178.0, "1641074686178"),
            (0.000123, "0.000123"),
            (5e-324, "5e-324"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (f64::NAN, "null"),
        ];
        for (value, expected) in cases {
            assert_eq!(number_to_string(*value), *expected, "{value:e}");
        }
    }

    #[test]
    fn unsafe_integers_are_written_as_javascript_rounds_them() {
        assert_eq!(integer_to_string(9007199254740991), "9007199254740991");
        assert_eq!(
            integer_to_string(18446744073709551615),
            "18446744073709552000"
        );
    }

    #[test]
    fn stringify_keeps_key_order_and_escapes_like_javascript() {
        let value: serde_json::Value = serde_json::from_str(
            r#"{"z":1,"a":[1.0,2.50,"x\u0001\"\\/\u2028é"],"m":{"b":null,"a":true}}"#,
        )
        .unwrap();
        assert_eq!(
            stringify(&value),
            "{\"z\":1,\"a\":[1,2.5,\"x\\u0001\\\"\\\\/\u{2028}é\"],\"m\":{\"b\":null,\"a\":true}}"
        );
        assert_eq!(
            stringify(&json!("\u{8}\u{c}\n\r\t\u{1f}\u{7f}")),
            "\"\\b\\f\\n\\r\\t\\u001f\u{7f}\""
        );
    }
}
