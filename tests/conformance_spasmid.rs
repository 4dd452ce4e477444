//! `spasmid01` against every case of `spasmid-cases.json` (spasm.js 2.0.0-beta.29).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod vectors;

use serde_json::Value;
use spasm::spasmid::{canonical_json, hash_canonical_json, spasmid01};

const BASE_LABEL: &str = "SpasmEventV2ToTestSpasmid01";

/// Cases whose answer spasm.js rc.52 changed: their tips hold upper-case letters ("Monero",
/// "XMR"), which rc.52 lower-cases before hashing (vectors-rc52/README.md, change 1). For
/// them the expected canonical JSON is beta.29's with the tip values lower-cased.
const CHANGED_BY_RC52: [&str; 2] = [
    "SpasmEventV2ToTestSpasmid01 (",
    "SpasmEventV2ToTestSpasmid01_ChangedNotImportantKeys",
];

/// beta.29's canonical JSON as rc.52 writes it: every string inside `tips` lower-cased.
fn with_tips_lower_cased(canonical: &str) -> String {
    let mut value: Value = serde_json::from_str(canonical).unwrap();
    if let Some(tips) = value.get_mut("tips") {
        spasm::spasmid::lower_case_nested_strings(tips);
    }
    serde_json::to_string(&value).unwrap()
}

#[test]
fn every_spasmid_case_matches_spasm_js() {
    let file = vectors::load("spasmid-cases.json");
    let cases = file["cases"].as_array().unwrap();
    let mut checked = 0;
    let base_id = cases
        .iter()
        .find(|case| {
            case["label"]
                .as_str()
                .is_some_and(|label| label.starts_with(BASE_LABEL))
                && case.get("input").is_some()
        })
        .map(|case| case["result"]["spasmid01"].as_str().unwrap().to_string())
        .unwrap();

    for case in cases {
        let label = case["label"].as_str().unwrap_or_default();
        if let (Some(input), Some(result)) = (case.get("input"), case.get("result")) {
            // A full case: the event, its canonical JSON and its id.
            let beta29 = result["canonicalJson"].as_str().unwrap();
            if CHANGED_BY_RC52.iter().any(|name| label.starts_with(name)) {
                let expected = with_tips_lower_cased(beta29);
                assert_ne!(expected, beta29, "{label}: rc.52 changes this case");
                assert_eq!(canonical_json(input), Some(expected.clone()), "{label}");
                assert_eq!(spasmid01(input), Some(hash_canonical_json(&expected)));
                println!("changed by rc.52 (tips lower-cased): {label}");
            } else {
                assert_eq!(canonical_json(input).as_deref(), Some(beta29), "{label}");
                assert_eq!(
                    spasmid01(input).map(|id| id.to_string()).as_deref(),
                    result["spasmid01"].as_str(),
                    "{label}"
                );
            }
            checked += 1;
        } else if let Some(mutation) = case.get("mutation") {
            // "Changing a hashed field changes the id": the library's canonical JSON after
            // the mutation hashes to the library's id, which differs from the unmutated one.
            let canonical = case["canonicalJson"].as_str().unwrap();
            let id = hash_canonical_json(canonical).to_string();
            assert_eq!(
                Some(id.as_str()),
                case["libraryResult"].as_str(),
                "{label} ({mutation})"
            );
            assert_ne!(id, base_id, "{label}");
            checked += 1;
        } else if let Some(inputs) = case.get("inputs") {
            for input in inputs.as_array().unwrap() {
                assert_eq!(spasmid01(input), None, "{label}: {input}");
            }
            checked += 1;
        } else if let Some(input) = case.get("input") {
            // Not a SpasmEventV2: no id.
            assert_eq!(case["expectedSpasmid01"], Value::Null, "{label}");
            assert_eq!(spasmid01(input), None, "{label}");
            checked += 1;
        } else if let Some(values) = case.get("values") {
            // Ids asserted indirectly; each is a well-formed spasmid01.
            for id in values.as_object().unwrap().values() {
                id.as_str()
                    .unwrap()
                    .parse::<spasm::spasmid::SpasmId01>()
                    .unwrap();
            }
            checked += 1;
        } else {
            panic!("unknown case shape: {label}");
        }
    }
    assert_eq!(checked, cases.len());
    vectors::report("spasmid-cases.json", checked);
}
