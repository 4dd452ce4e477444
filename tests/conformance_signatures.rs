//! Signatures against the spasm.js vectors: EIP-191 recovery of the DMP events and NIP-01
//! ids and BIP-340 signatures of the Nostr events, including those sealed in V0 posts.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod vectors;

use serde_json::Value;
use spasm::ethereum::{
    EthereumAddress, EthereumSignature, personal_sign_digest, verify_personal_sign,
};
use spasm::nostr::{nip01_event_id, nip01_serialization, verify_nostr_event};

#[test]
fn dmp_signatures_recover_their_signers() {
    let file = vectors::load("dmp-events.json");
    let mut checked = 0;
    for case in file["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let Some(details) = case.get("ethereumSignature") else {
            continue;
        };
        let message = details["message"].as_str().unwrap();
        assert_eq!(
            message.len() as u64,
            details["messageUtf8ByteLength"].as_u64().unwrap(),
            "{name}"
        );
        assert_eq!(
            format!(
                "0x{}",
                hex::encode(personal_sign_digest(message.as_bytes()))
            ),
            details["eip191DigestKeccak256"].as_str().unwrap(),
            "{name}"
        );
        let signature: EthereumSignature = details["signature"].as_str().unwrap().parse().unwrap();
        let claimed: EthereumAddress = details["claimedSigner"].as_str().unwrap().parse().unwrap();
        let signer = verify_personal_sign(message.as_bytes(), &signature, &claimed).unwrap();
        assert_eq!(
            signer.address().to_checksum(),
            details["recoveredAddressChecksummed"].as_str().unwrap(),
            "{name}"
        );
        assert_eq!(
            signer.address().to_lowercase_hex(),
            details["recoveredAddressLowercase"].as_str().unwrap()
        );
        checked += 1;
    }
    vectors::report("dmp-events.json (EIP-191)", checked);
    assert!(checked >= 4);
}

/// The Nostr event of a case: the input itself, or the one sealed in a V0 post.
fn nostr_event(input: &Value) -> Value {
    match input.get("signed_message").and_then(Value::as_str) {
        Some(sealed) => serde_json::from_str(sealed).unwrap(),
        None => input.clone(),
    }
}

#[test]
fn nostr_ids_and_signatures_match_nostr_tools() {
    let mut checked = 0;
    for file_name in ["nostr-events.json", "nostr-spasm-events.json"] {
        let file = vectors::load(file_name);
        let mut in_file = 0;
        for case in file["cases"].as_array().unwrap() {
            let name = case["name"].as_str().unwrap();
            let nip01 = &case["nip01"];
            let event = nostr_event(&case["input"]);
            let serialized = nip01_serialization(
                event["pubkey"].as_str().unwrap(),
                &event["created_at"],
                &event["kind"],
                &event["tags"],
                event["content"].as_str().unwrap(),
            );
            assert_eq!(
                serialized,
                nip01["serializedForId"].as_str().unwrap(),
                "{name}"
            );
            assert_eq!(
                nip01_event_id(&event).unwrap().to_string(),
                nip01["sha256OfSerializedUtf8"].as_str().unwrap()
            );
            match nip01["verifyEvent"].as_bool() {
                Some(true) => {
                    let signer = verify_nostr_event(&event).unwrap();
                    assert_eq!(
                        signer.pubkey().to_string(),
                        event["pubkey"].as_str().unwrap(),
                        "{name}"
                    );
                }
                Some(false) => assert!(verify_nostr_event(&event).is_err(), "{name}"),
                None => {} // unsigned
            }
            in_file += 1;
        }
        vectors::report(file_name, in_file);
        checked += in_file;
    }
    assert!(checked >= 9);
}

#[test]
fn tampered_nostr_events_are_rejected() {
    let file = vectors::load("nostr-events.json");
    let signed = file["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|case| case["name"] == "validNostrEventSignedOpened")
        .map(|case| case["input"].clone())
        .unwrap();
    verify_nostr_event(&signed).unwrap();
    let mutations: Vec<(&str, Value)> = vec![
        ("content", Value::from("Walled gardens became prisons.")),
        ("created_at", Value::from(1673347338)),
        ("kind", Value::from(7)),
        ("tags", serde_json::json!([])),
        (
            "id",
            Value::from(signed["id"].as_str().unwrap().to_uppercase()),
        ),
        (
            "sig",
            Value::from(format!("{}00", &signed["sig"].as_str().unwrap()[..126])),
        ),
        (
            "pubkey",
            Value::from("bf2376e17ba4ec269d10fcc996a4746b451152be9031fa48e74553dde5526bce"),
        ),
    ];
    for (field, value) in mutations {
        let mut tampered = signed.clone();
        tampered[field] = value;
        assert!(
            verify_nostr_event(&tampered).is_err(),
            "tampered {field} was accepted"
        );
    }
    let mut null_in_tag = signed.clone();
    null_in_tag["tags"] = serde_json::json!([["e", null]]);
    assert!(nip01_event_id(&null_in_tag).is_err());
}
