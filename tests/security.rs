//! Forgeries and tampering, with keys of our own (fixed seeds): every one is refused, and
//! multi-signed events verify each signature against its own signed material.
//! DECISIONS.md, Security 1–4, and SPEC.md §7.5.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use k256::ecdsa::SigningKey;
use serde_json::{Value, json};
use spasm::convert::{
    ConvertError, VerifiedSigner, convert_to_nostr, convert_to_spasm, merge_events,
};
use spasm::ethereum::personal_sign_digest;
use spasm::nostr::nip01_event_id;

/// The Ethereum test key 0x11…11 and its lower-case address.
fn ethereum_key() -> (SigningKey, String) {
    (
        SigningKey::from_slice(&[0x11; 32]).unwrap(),
        "0x19e7e376e7c213b7e7e7e46cc70a5dd086daff2a".to_string(),
    )
}

/// Another Ethereum key, 0x33…33.
fn other_ethereum_key() -> SigningKey {
    SigningKey::from_slice(&[0x33; 32]).unwrap()
}

/// The Nostr test key 0x22…22 and its x-only public key.
fn nostr_key() -> (k256::schnorr::SigningKey, String) {
    let key = k256::schnorr::SigningKey::from_slice(&[0x22; 32]).unwrap();
    let pubkey = hex::encode(key.verifying_key().to_bytes());
    (key, pubkey)
}

fn personal_sign(key: &SigningKey, text: &str) -> String {
    let (signature, recovery) =
        key.sign_prehash_recoverable(&personal_sign_digest(text.as_bytes()));
    format!(
        "0x{}{:02x}",
        hex::encode(signature.to_bytes()),
        27 + recovery.to_byte()
    )
}

fn nostr_sign(key: &k256::schnorr::SigningKey, mut event: Value) -> Value {
    event["pubkey"] = Value::from(hex::encode(key.verifying_key().to_bytes()));
    let id = nip01_event_id(&event).unwrap();
    let signature = key.sign_raw(id.as_bytes(), &[7; 32]).unwrap();
    event["id"] = Value::from(id.to_string());
    event["sig"] = Value::from(hex::encode(signature.to_bytes()));
    event
}

/// A body as the web client builds it, with the given authors' addresses.
fn body(content: &str, addresses: Value) -> String {
    json!({
        "type": "SpasmEventBodyV2",
        "action": "post",
        "content": content,
        "title": "Security test",
        "timestamp": 1_730_000_000_000_u64,
        "license": "SPDX-License-Identifier: CC0-1.0",
        "protocol": {"name": "spasm", "version": "2.0.0"},
        "authors": [{"addresses": addresses}],
    })
    .to_string()
}

fn eth_address(value: &str) -> Value {
    json!({"value": value, "format": {"name": "ethereum-pubkey"}})
}

fn nostr_address(value: &str) -> Value {
    json!({"value": value, "format": {"name": "nostr-hex"}})
}

fn signed_closed(signed_string: &str, signature: &str, signer: &str) -> Value {
    json!({"type": "SpasmEventBodySignedClosedV2", "signedString": signed_string, "signature": signature, "signer": signer})
}

fn spasm_signed_sibling(signed_string: &str, signature: &str, pubkey: &str) -> Value {
    json!({
        "type": "SiblingSpasmSignedV2",
        "protocol": {"name": "spasm", "version": "2.0.0"},
        "signedString": signed_string,
        "signatures": [{"value": signature, "pubkey": pubkey, "format": {"name": "ethereum-sig"}}],
    })
}

fn envelope(siblings: Vec<Value>) -> Value {
    json!({"type": "SpasmEventEnvelopeV2", "siblings": siblings})
}

fn verified_addresses(event: &Value) -> Vec<String> {
    event["authors"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|author| author["addresses"].as_array().cloned().unwrap_or_default())
        .filter(|address| address["verified"] == Value::Bool(true))
        .map(|address| address["value"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_body_signed_by_ethereum_and_nostr_carries_both_verified_signatures() {
    let (eth, eth_address_text) = ethereum_key();
    let (nostr, pubkey) = nostr_key();
    let text = body(
        "Signed twice",
        json!([eth_address(&eth_address_text), nostr_address(&pubkey)]),
    );
    let ethereum_signed = convert_to_spasm(&signed_closed(
        &text,
        &personal_sign(&eth, &text),
        &eth_address_text,
    ))
    .unwrap();
    let nostr_form = convert_to_nostr(&serde_json::from_str::<Value>(&text).unwrap()).unwrap();
    assert_eq!(nostr_form["pubkey"], Value::from(pubkey.as_str()));
    let nostr_signed = convert_to_spasm(&nostr_sign(&nostr, nostr_form)).unwrap();
    assert_eq!(ethereum_signed.id(), nostr_signed.id(), "one body, one id");

    // As the client submits it: one envelope with both signed siblings.
    let submitted = envelope(vec![
        ethereum_signed.event()["siblings"][0].clone(),
        nostr_signed.event()["siblings"][0].clone(),
    ]);
    let event = convert_to_spasm(&submitted).unwrap();
    assert_eq!(event.id(), ethereum_signed.id());
    assert_eq!(event.signers().len(), 2);
    assert!(
        event
            .signers()
            .iter()
            .any(|s| matches!(s, VerifiedSigner::Ethereum(_)))
    );
    assert!(
        event
            .signers()
            .iter()
            .any(|s| matches!(s, VerifiedSigner::Nostr(_)))
    );
    assert_eq!(event.event()["signatures"].as_array().unwrap().len(), 2);
    assert_eq!(event.event()["siblings"].as_array().unwrap().len(), 2);
    let mut verified = verified_addresses(event.event());
    verified.sort();
    let mut expected = vec![eth_address_text.clone(), pubkey.clone()];
    expected.sort();
    assert_eq!(verified, expected);

    // mergeSpasmEventsV2 of the two gives the same event.
    let merged = merge_events(&[
        ethereum_signed.event().clone(),
        nostr_signed.event().clone(),
    ])
    .unwrap();
    assert_eq!(merged.id(), event.id());
    assert_eq!(merged.signers().len(), 2);
}

#[test]
fn verified_flags_in_the_input_are_ignored() {
    let (_, address) = ethereum_key();
    let mut claimed = eth_address(&address);
    claimed["verified"] = Value::Bool(true);
    let unsigned: Value =
        serde_json::from_str(&body("I claim to be verified", json!([claimed]))).unwrap();
    let event = convert_to_spasm(&unsigned).unwrap();
    assert!(!event.is_signed());
    assert!(verified_addresses(event.event()).is_empty());
}

#[test]
fn a_tampered_signed_sibling_is_refused_not_attributed_to_someone_else() {
    let (eth, address) = ethereum_key();
    let genuine = body("genuine", json!([eth_address(&address)]));
    let signature = personal_sign(&eth, &genuine);
    let forged = genuine.replace("genuine", "forged!");
    let result = convert_to_spasm(&envelope(vec![spasm_signed_sibling(
        &forged, &signature, &address,
    )]));
    assert!(
        matches!(
            result,
            Err(ConvertError::InvalidSibling { ref reason, .. }) if matches!(**reason, ConvertError::SignerMismatch { .. })
        ),
        "{result:?}"
    );

    // The DMP sibling of SPEC.md §7.5: a tampered signed string must not become a post by a
    // random address.
    let dmp = r#"{"version":"dmp_v0.0.1","time":"2022-01-01T22:04:46.178Z","action":"post","target":"","title":"t","text":"genuine","license":"MIT"}"#;
    let dmp_signature = personal_sign(&eth, dmp);
    let tampered = json!({
        "type": "SiblingDmpSignedV2",
        "protocol": {"name": "dmp", "version": "0.0.1"},
        "signedString": dmp.replace("genuine", "forged!"),
        "signatures": [{"value": dmp_signature, "pubkey": address, "format": {"name": "ethereum-sig"}}],
    });
    assert!(convert_to_spasm(&envelope(vec![tampered])).is_err());
}

#[test]
fn a_forged_unsigned_sibling_cannot_borrow_a_genuine_signature() {
    let (eth, address) = ethereum_key();
    let genuine = body("genuine", json!([eth_address(&address)]));
    let signature = personal_sign(&eth, &genuine);
    let forged_body = body("forged content", json!([eth_address(&address)]));
    let forged_sibling = json!({"type": "SiblingSpasmV2", "protocol": {"name": "spasm", "version": "2.0.0"}, "signedString": forged_body});
    let event = convert_to_spasm(&envelope(vec![
        forged_sibling,
        spasm_signed_sibling(&genuine, &signature, &address),
    ]))
    .unwrap();
    assert_eq!(
        event.event()["content"],
        "genuine",
        "content comes only from signed material"
    );
    assert_eq!(
        event.event()["siblings"].as_array().unwrap().len(),
        1,
        "the unsigned sibling is dropped"
    );
}

#[test]
fn signed_siblings_of_different_content_are_refused() {
    let (eth, address) = ethereum_key();
    let first = body("first", json!([eth_address(&address)]));
    let second = body("second", json!([eth_address(&address)]));
    let result = convert_to_spasm(&envelope(vec![
        spasm_signed_sibling(&first, &personal_sign(&eth, &first), &address),
        spasm_signed_sibling(&second, &personal_sign(&eth, &second), &address),
    ]));
    assert_eq!(result, Err(ConvertError::SiblingsDisagree));
}

#[test]
fn a_body_signed_by_someone_who_is_not_an_author_is_refused() {
    let (_, author) = ethereum_key();
    let intruder = other_ethereum_key();
    let text = body("not mine", json!([eth_address(&author)]));
    let signature = personal_sign(&intruder, &text);
    let recovered =
        spasm::ethereum::recover_personal_sign_signer(text.as_bytes(), &signature.parse().unwrap())
            .unwrap()
            .address()
            .to_lowercase_hex();
    let result = convert_to_spasm(&signed_closed(&text, &signature, &recovered));
    assert!(
        matches!(result, Err(ConvertError::SignerNotAuthor(_))),
        "{result:?}"
    );
    // Through an envelope, without a declared signer, too.
    let sibling = json!({"type": "SiblingSpasmSignedV2", "signedString": text, "signatures": [{"value": signature}]});
    assert!(convert_to_spasm(&envelope(vec![sibling])).is_err());
}

#[test]
fn malleated_and_malformed_signatures_are_refused() {
    let (eth, address) = ethereum_key();
    let text = body("malleable?", json!([eth_address(&address)]));
    let signature = personal_sign(&eth, &text);
    assert!(convert_to_spasm(&signed_closed(&text, &signature, &address)).is_ok());

    let bytes = hex::decode(&signature[2..]).unwrap();
    let parsed = k256::ecdsa::Signature::from_slice(&bytes[..64]).unwrap();
    let (r, s) = parsed.split_scalars();
    let twin = k256::ecdsa::Signature::from_scalars(r.to_bytes(), (-*s).to_bytes()).unwrap();
    let flipped_v = if bytes[64] == 27 { 28 } else { 27 };
    let malleated = format!("0x{}{flipped_v:02x}", hex::encode(twin.to_bytes()));
    let result = convert_to_spasm(&signed_closed(&text, &malleated, &address));
    assert!(
        matches!(result, Err(ConvertError::EthereumSignature(_))),
        "{result:?}"
    );

    // EIP-2098: the same signature in 64 bytes verifies, and is kept as it was given.
    let mut compact = bytes[..64].to_vec();
    compact[32] |= (bytes[64] - 27) << 7;
    let compact = format!("0x{}", hex::encode(&compact));
    let event = convert_to_spasm(&signed_closed(&text, &compact, &address)).unwrap();
    assert_eq!(event.event()["signatures"][0]["value"], compact.as_str());
    assert_eq!(verified_addresses(event.event()), vec![address.clone()]);
    // Its malleated twin has no compact form (a high s fills the parity bit), so the
    // shortest way to forge one is a 64-byte signature with the flipped parity: refused.
    let mut flipped = hex::decode(&compact[2..]).unwrap();
    flipped[32] ^= 0x80;
    let flipped = format!("0x{}", hex::encode(&flipped));
    assert!(convert_to_spasm(&signed_closed(&text, &flipped, &address)).is_err());

    let bad_v = format!("{}1d", &signature[..130]);
    assert!(convert_to_spasm(&signed_closed(&text, &bad_v, &address)).is_err());
    assert!(
        convert_to_spasm(&signed_closed(
            &text,
            &signature.to_uppercase().replacen("0X", "0x", 1),
            &address
        ))
        .is_ok()
    );
    assert!(convert_to_spasm(&signed_closed(&text, &signature[2..], &address)).is_err());

    let (nostr, _) = nostr_key();
    let note = nostr_sign(
        &nostr,
        json!({"kind": 1, "created_at": 1_730_000_000, "tags": [], "content": "hello"}),
    );
    assert!(convert_to_spasm(&note).is_ok());
    for field in ["sig", "id", "pubkey"] {
        let mut upper = note.clone();
        upper[field] = Value::from(note[field].as_str().unwrap().to_uppercase());
        assert!(
            convert_to_spasm(&upper).is_err(),
            "upper-case {field} accepted"
        );
    }
}

#[test]
fn tampered_content_of_every_kind_is_refused() {
    let (eth, address) = ethereum_key();
    let text = body("original", json!([eth_address(&address)]));
    let signature = personal_sign(&eth, &text);
    for (from, to) in [
        ("original", "0riginal"),
        ("1730000000000", "1730000000001"),
        ("Security test", "Security test!"),
        ("\"post\"", "\"reply\""),
    ] {
        let tampered = text.replace(from, to);
        assert_ne!(tampered, text);
        assert!(
            convert_to_spasm(&signed_closed(&tampered, &signature, &address)).is_err(),
            "{from} → {to}"
        );
    }

    let dmp = r#"{"version":"dmp_v0.1.0","time":"2024-01-01T00:00:00.000Z","action":"post","target":"","title":"t","text":"original","license":"MIT"}"#;
    let dmp_signature = personal_sign(&eth, dmp);
    let closed =
        |text: &str| json!({"signer": address, "signature": dmp_signature, "signedString": text});
    assert!(convert_to_spasm(&closed(dmp)).is_ok());
    for (from, to) in [
        ("original", "tampered"),
        ("2024-01-01", "2024-01-02"),
        ("\"t\"", "\"T\""),
        ("MIT", "GPL"),
    ] {
        assert!(
            convert_to_spasm(&closed(&dmp.replace(from, to))).is_err(),
            "{from} → {to}"
        );
    }

    let (nostr, _) = nostr_key();
    let note = nostr_sign(
        &nostr,
        json!({"kind": 1, "created_at": 1_730_000_000, "tags": [["t", "spasm"]], "content": "original"}),
    );
    for (field, value) in [
        ("content", json!("tampered")),
        ("tags", json!([["t", "other"]])),
        ("created_at", json!(1_730_000_001)),
        ("kind", json!(7)),
    ] {
        let mut tampered = note.clone();
        tampered[field] = value;
        assert!(convert_to_spasm(&tampered).is_err(), "tampered {field}");
    }
}
