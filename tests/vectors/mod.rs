//! Loading the spasm.js conformance vectors from `../shared/spasm/vectors/`.

#![allow(dead_code)] // Each test binary uses its own part of this module.

use std::path::PathBuf;

use serde_json::Value;

/// The vectors directory: `SPASM_VECTORS_DIR`, or `shared/spasm/vectors` beside the checkout.
pub fn vectors_dir() -> PathBuf {
    std::env::var_os("SPASM_VECTORS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/spasm/vectors")
        })
}

/// One vector file, parsed with its key order kept.
pub fn load(name: &str) -> Value {
    let path = vectors_dir().join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|error| {
        panic!(
            "cannot read the conformance vectors at {}: {error} (set SPASM_VECTORS_DIR)",
            path.display()
        )
    });
    serde_json::from_str(&text)
        .unwrap_or_else(|error| panic!("{} is not JSON: {error}", path.display()))
}

/// Prints how many cases of a file were checked, for the record.
pub fn report(file: &str, checked: usize) {
    println!("{file}: {checked} cases checked");
}

/// One file of `../shared/spasm/vectors-rc52/` (spasm.js 2.0.0-rc.52's outputs, with rc.7 =
/// beta.29 beside them), found beside [`vectors_dir`].
pub fn load_rc52(name: &str) -> Value {
    let path = vectors_dir().join("../vectors-rc52").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|error| {
        panic!(
            "cannot read the rc.52 vectors at {}: {error} (set SPASM_VECTORS_DIR)",
            path.display()
        )
    });
    serde_json::from_str(&text)
        .unwrap_or_else(|error| panic!("{} is not JSON: {error}", path.display()))
}

/// The first place where two JSON values differ, as a path, or `None` when equal.
pub fn first_difference(path: &str, actual: &Value, expected: &Value) -> Option<String> {
    match (actual, expected) {
        (Value::Object(a), Value::Object(e)) => {
            for key in e.keys().chain(a.keys()) {
                let (left, right) = (
                    a.get(key).unwrap_or(&Value::Null),
                    e.get(key).unwrap_or(&Value::Null),
                );
                if a.contains_key(key) != e.contains_key(key) {
                    return Some(format!("{path}.{key}: actual {left}, expected {right}"));
                }
                if let Some(difference) = first_difference(&format!("{path}.{key}"), left, right) {
                    return Some(difference);
                }
            }
            None
        }
        (Value::Array(a), Value::Array(e)) => {
            if a.len() != e.len() {
                return Some(format!("{path}: {} items, expected {}", a.len(), e.len()));
            }
            a.iter()
                .zip(e)
                .enumerate()
                .find_map(|(i, (a, e))| first_difference(&format!("{path}[{i}]"), a, e))
        }
        _ if actual == expected => None,
        _ => Some(format!("{path}: actual {actual}, expected {expected}")),
    }
}
