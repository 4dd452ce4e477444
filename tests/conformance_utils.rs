//! Helper semantics against `utils-cases.json`: value formats and NIP-19 conversions.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod vectors;

use serde_json::{Value, json};
use spasm::formats::{format_of_value, is_valid_url};
use spasm::nostr::nip19::{to_hex_lenient, to_note_lenient, to_npub_lenient};

#[test]
fn formats_match_spasm_js() {
    let file = vectors::load("utils-cases.json");
    let cases = file["formats"].as_array().unwrap();
    for case in cases {
        let detected = format_of_value(&case["input"])
            .map(|format| format.to_json())
            .unwrap_or(Value::Null);
        assert_eq!(
            detected, case["libraryOutput"],
            "{}({})",
            case["function"], case["input"]
        );
    }
    vectors::report("utils-cases.json formats", cases.len());
}

#[test]
fn url_validity_matches_spasm_js() {
    let file = vectors::load("utils-cases.json");
    let cases = file["isValidUrl"].as_array().unwrap();
    for case in cases {
        let valid = case["input"].as_str().is_some_and(is_valid_url);
        assert_eq!(
            Value::Bool(valid),
            case["libraryOutput"],
            "isValidUrl({})",
            case["input"]
        );
    }
    vectors::report("utils-cases.json isValidUrl", cases.len());
}

#[test]
fn bech32_conversions_match_spasm_js() {
    let file = vectors::load("utils-cases.json");
    let cases = file["bech32"].as_array().unwrap();
    let mut checked = 0;
    for case in cases {
        let function = case["function"].as_str().unwrap();
        let convert: fn(&str) -> String = match function {
            "toBeHex" => to_hex_lenient,
            "toBeNpub" => to_npub_lenient,
            "toBeNote" => to_note_lenient,
            "toBeHexes" | "toBeNpubs" | "toBeNotes" => {
                let single: fn(&str) -> String = match function {
                    "toBeHexes" => to_hex_lenient,
                    "toBeNpubs" => to_npub_lenient,
                    _ => to_note_lenient,
                };
                let converted: Vec<Value> = case["input"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|item| single(item.as_str().unwrap_or_default()))
                    .filter(|text| !text.is_empty())
                    .map(Value::from)
                    .collect();
                assert_eq!(Value::Array(converted), case["libraryOutput"], "{function}");
                checked += 1;
                continue;
            }
            other => panic!("unknown bech32 function {other}"),
        };
        let output = convert(case["input"].as_str().unwrap_or_default());
        assert_eq!(
            Value::from(output),
            case["libraryOutput"],
            "{function}({})",
            case["input"]
        );
        checked += 1;
    }
    assert_eq!(checked, cases.len());
    vectors::report("utils-cases.json bech32", checked);
}

/// The vectors write JavaScript's `undefined` as "<undefined>"; for the sorts it behaves as
/// another non-string, like `null`.
fn undefined_as_null(value: &Value) -> Value {
    match value {
        Value::String(text) if text == "<undefined>" => Value::Null,
        Value::Array(items) => Value::Array(items.iter().map(undefined_as_null).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), undefined_as_null(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

#[test]
fn sorts_match_spasm_js() {
    use spasm::spasmid::{
        sort_authors_for_spasmid01, sort_medias_for_spasmid01, sort_objects,
        sort_parent_for_spasmid01, sort_references_for_spasmid01, sort_strings_and_numbers,
        sort_tags_for_spasmid01,
    };
    let file = vectors::load("utils-cases.json");
    let cases = file["sorting"].as_array().unwrap();
    for case in cases {
        let input = undefined_as_null(&case["input"]);
        let expected = undefined_as_null(&case["libraryOutput"]);
        let function = case["function"].as_str().unwrap();
        let output = match function {
            "sortArrayOfStringsAndNumbers" => Value::Array(sort_strings_and_numbers(
                input.as_array().map(Vec::as_slice),
            )),
            "sortArrayOfObjects" => {
                let keys: Vec<&str> = case["extraArgument"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|k| k.as_str().unwrap())
                    .collect();
                Value::Array(sort_objects(input.as_array().map(Vec::as_slice), &keys))
            }
            "sortAuthorsForSpasmEventV2" => Value::Array(sort_authors_for_spasmid01(&input)),
            "sortMediasForSpasmid01" => Value::Array(sort_medias_for_spasmid01(&input)),
            "sortParentForSpasmid01" => sort_parent_for_spasmid01(&input),
            "sortReferencesForSpasmid01" => Value::Array(sort_references_for_spasmid01(&input)),
            "sortTagsForSpasmid01" => Value::Array(sort_tags_for_spasmid01(&input).unwrap()),
            other => panic!("unknown sort {other}"),
        };
        assert_eq!(output, expected, "{function}");
        assert_eq!(
            spasm::js_json::stringify(&output),
            spasm::js_json::stringify(&expected),
            "{function} order"
        );
    }
    // The invalid inputs of utils.test.ts.
    for input in [
        json!(null),
        json!(0),
        json!(123),
        json!(false),
        json!(true),
        json!("123"),
        json!({"a": 1}),
    ] {
        assert!(sort_strings_and_numbers(input.as_array().map(Vec::as_slice)).is_empty());
        assert!(sort_objects(input.as_array().map(Vec::as_slice), &["id"]).is_empty());
        assert!(sort_authors_for_spasmid01(&input).is_empty());
        assert!(sort_medias_for_spasmid01(&input).is_empty());
        assert!(sort_references_for_spasmid01(&input).is_empty());
        assert_eq!(sort_tags_for_spasmid01(&input), Some(vec![json!([])]));
        assert_eq!(sort_parent_for_spasmid01(&input), input);
    }
    vectors::report("utils-cases.json sorting", cases.len() + 1);
}

#[test]
fn hashes_and_hex_checks_match_spasm_js() {
    let file = vectors::load("utils-cases.json");
    let mut checked = 0;
    for case in file["getHashOfString"].as_array().unwrap() {
        let Some(input) = case["input"].as_str() else {
            continue;
        };
        let hash = spasm::spasmid::hash_canonical_json(input);
        assert_eq!(
            Value::from(hex::encode(hash.as_bytes())),
            case["libraryOutput"]
        );
        checked += 1;
    }
    for case in file["isHex"].as_array().unwrap() {
        assert_eq!(
            Value::Bool(spasm::formats::is_hex_value(&case["input"])),
            case["libraryOutput"],
            "isHex({})",
            case["input"]
        );
        checked += 1;
    }
    for case in file["isNostrHex"].as_array().unwrap() {
        assert_eq!(
            Value::Bool(spasm::formats::is_nostr_hex_value(&case["input"])),
            case["libraryOutput"]
        );
        checked += 1;
    }
    vectors::report("utils-cases.json hashes and hex", checked);
}

#[test]
fn collation_probes_match_localecompare() {
    let file = vectors::load("probes.generated.json");
    let collation = &file["collation"];
    let sorted =
        spasm::spasmid::sort_strings_and_numbers(collation["input"].as_array().map(Vec::as_slice));
    assert_eq!(Value::Array(sorted), collation["sorted"]);
    let pairs = collation["pairwiseLocaleCompare"].as_array().unwrap();
    for pair in pairs {
        let (a, b) = (pair[0].as_str().unwrap(), pair[1].as_str().unwrap());
        let expected = pair[2].as_i64().unwrap();
        let actual = match spasm::collation::locale_compare(a, b) {
            std::cmp::Ordering::Less => -1,
            std::cmp::Ordering::Equal => 0,
            std::cmp::Ordering::Greater => 1,
        };
        assert_eq!(actual, expected.signum(), "{a:?}.localeCompare({b:?})");
    }
    vectors::report("probes.generated.json collation pairs", pairs.len());
}

#[test]
fn format_probes_match_spasm_js() {
    let file = vectors::load("probes.generated.json");
    let cases = file["formats"].as_array().unwrap();
    for case in cases {
        let input = undefined_as_null(&case["input"]);
        let format = format_of_value(&input)
            .map(|format| format.to_json())
            .unwrap_or(Value::Null);
        let expected = if case["getFormatFromValue"] == "<undefined>" {
            Value::Null
        } else {
            case["getFormatFromValue"].clone()
        };
        assert_eq!(format, expected, "getFormatFromValue({})", case["input"]);
    }
    vectors::report("probes.generated.json formats", cases.len());
}

#[test]
fn html_in_signed_text_is_kept_not_judged() {
    // DECISIONS.md, Security 5 overrides the XSS probes: no string is rejected or rewritten
    // for its HTML; the forum escapes it when it renders.
    let file = vectors::load("probes.generated.json");
    let cases = file["xss"].as_array().unwrap();
    for case in cases {
        let text = case["string"].as_str().unwrap();
        let item =
            json!({"title": "probe", "description": text, "url": "https://example.com/probe"});
        match spasm::convert::convert_to_spasm(&item) {
            Ok(event) => assert_eq!(event.event()["content"].as_str(), Some(text)),
            // Control characters are refused for another reason (Security 6).
            Err(spasm::convert::ConvertError::ControlCharacter { .. }) => {}
            Err(error) => panic!("{text:?}: {error}"),
        }
    }
    vectors::report(
        "probes.generated.json xss (kept verbatim, DECISIONS.md Security 5)",
        cases.len(),
    );
}

#[test]
fn most_likely_url_and_guid_match_spasm_js() {
    let file = vectors::load("utils-cases.json");
    let case = &file["findMostLikely"];
    let input = case["input"].as_array().unwrap();
    assert_eq!(
        spasm::formats::find_most_likely_url(input)
            .map(Value::from)
            .unwrap_or(Value::Null),
        case["findMostLikelyUrl"]
    );
    assert_eq!(
        spasm::formats::find_most_likely_guid(input)
            .map(Value::from)
            .unwrap_or(Value::Null),
        case["findMostLikelyGuid"]
    );
    vectors::report("utils-cases.json findMostLikely", 2);
}
