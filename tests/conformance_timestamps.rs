//! Timestamps against `probes.generated.json` and `utils-cases.json`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod vectors;

use serde_json::Value;
use spasm::timestamps::{to_long_timestamp, to_short_timestamp, to_timestamp};

/// The vectors write JavaScript's `undefined` as this string.
fn expected(value: &Value) -> Option<i64> {
    match value {
        Value::Number(number) => number.as_i64(),
        _ => None,
    }
}

#[test]
fn timestamp_probes_match_spasm_js() {
    let file = vectors::load("probes.generated.json");
    let cases = file["timestamps"]["cases"].as_array().unwrap();
    for case in cases {
        let input = &case["input"];
        assert_eq!(
            to_timestamp(input),
            expected(&case["toBeTimestamp"]),
            "toBeTimestamp({input})"
        );
        assert_eq!(
            to_short_timestamp(input),
            expected(&case["toBeShortTimestamp"]),
            "toBeShortTimestamp({input})"
        );
        assert_eq!(
            to_long_timestamp(input),
            expected(&case["toBeLongTimestamp"]),
            "toBeLongTimestamp({input})"
        );
    }
    vectors::report("probes.generated.json timestamps", cases.len());

    let file = vectors::load("utils-cases.json");
    let cases = file["timestamps"].as_array().unwrap();
    for case in cases {
        let input = &case["input"];
        let output = match case["function"].as_str().unwrap() {
            "toBeTimestamp" => to_timestamp(input),
            "toBeShortTimestamp" | "toBeNostrTimestamp" => to_short_timestamp(input),
            "toBeLongTimestamp" => to_long_timestamp(input),
            other => panic!("unknown function {other}"),
        };
        assert_eq!(
            output,
            expected(&case["libraryOutput"]),
            "{}({input})",
            case["function"]
        );
    }
    vectors::report("utils-cases.json timestamps", cases.len());
}
