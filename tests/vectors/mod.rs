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
