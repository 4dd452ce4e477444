//! The cost of checking an event: the raw signature checks, `spasmid01`, and the whole path
//! from envelope JSON bytes to a verified event with its id, side by side.
//!
//! `cargo bench -p spasm --bench verify`

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use criterion::{Criterion, criterion_group};
use k256::ecdsa::SigningKey;
use serde_json::{Value, json};
use spasm::convert::{convert_to_nostr, convert_to_spasm, parse_and_convert};
use spasm::ethereum::{EthereumSignature, personal_sign_digest, recover_personal_sign_signer};
use spasm::nostr::{nip01_event_id, verify_nostr_event};
use spasm::spasmid::{sort_tags_for_spasmid01, spasmid01};

struct Fixture {
    body: String,
    signature: String,
    nostr_event: Value,
    single: Vec<u8>,
    multi: Vec<u8>,
    converted: Value,
}

/// A reply as the web client builds it, signed by an Ethereum key and by a Nostr key.
fn fixture() -> Fixture {
    let eth = SigningKey::from_slice(&[0x11; 32]).unwrap();
    let eth_address = "0x19e7e376e7c213b7e7e7e46cc70a5dd086daff2a";
    let nostr = k256::schnorr::SigningKey::from_slice(&[0x22; 32]).unwrap();
    let pubkey = hex::encode(nostr.verifying_key().to_bytes());
    let body = json!({
        "type": "SpasmEventBodyV2",
        "action": "reply",
        "content": "A typical reply of a few sentences. It says something about the post it answers, with a link to https://example.com/article and a #hashtag.",
        "parent": {"ids": [{"value": "spasmid01192d1f9994bf436f50841459d0a43c0de13ef4aaa5233827bdfe2ea2bc030d6f"}]},
        "categories": [{"name": "defi"}],
        "mentions": [{"addresses": [{"value": "0xf8553015220a857eda377a1e903c9e5afb3ac2fa", "format": {"name": "ethereum-pubkey"}}]}],
        "timestamp": 1_730_000_000_000_u64,
        "license": "SPDX-License-Identifier: CC0-1.0",
        "protocol": {"name": "spasm", "version": "2.0.0"},
        "authors": [{"addresses": [
            {"value": eth_address, "format": {"name": "ethereum-pubkey"}},
            {"value": pubkey, "format": {"name": "nostr-hex"}}
        ]}]
    })
    .to_string();
    let (signature, recovery) =
        eth.sign_prehash_recoverable(&personal_sign_digest(body.as_bytes()));
    let signature = format!(
        "0x{}{:02x}",
        hex::encode(signature.to_bytes()),
        27 + recovery.to_byte()
    );
    let mut nostr_event = convert_to_nostr(&serde_json::from_str::<Value>(&body).unwrap()).unwrap();
    let id = nip01_event_id(&nostr_event).unwrap();
    nostr_event["id"] = Value::from(id.to_string());
    nostr_event["sig"] = Value::from(hex::encode(
        nostr.sign_raw(id.as_bytes(), &[7; 32]).unwrap().to_bytes(),
    ));

    let spasm_sibling = json!({
        "type": "SiblingSpasmSignedV2",
        "protocol": {"name": "spasm", "version": "2.0.0"},
        "signedString": body,
        "signatures": [{"value": signature, "pubkey": eth_address, "format": {"name": "ethereum-sig"}}]
    });
    let nostr_sibling = json!({
        "type": "SiblingNostrSpasmSignedV2",
        "originalObject": nostr_event,
        "protocol": {"name": "nostr", "hasExtraSpasmFields": true, "extraSpasmFieldsVersion": "2.0.0"}
    });
    let single = json!({"type": "SpasmEventEnvelopeV2", "siblings": [spasm_sibling]});
    let multi = json!({"type": "SpasmEventEnvelopeV2", "siblings": [spasm_sibling, nostr_sibling]});
    let converted = convert_to_spasm(&multi).unwrap();
    assert_eq!(converted.signers().len(), 2);
    Fixture {
        body,
        signature,
        nostr_event,
        single: single.to_string().into_bytes(),
        multi: multi.to_string().into_bytes(),
        converted: converted.into_json(),
    }
}

fn benches(c: &mut Criterion) {
    let fixture = fixture();
    let signature: EthereumSignature = fixture.signature.parse().unwrap();
    // Warm the collator once, as a running server has.
    let _ = spasmid01(&fixture.converted);

    c.bench_function("eip191_recover", |b| {
        b.iter(|| {
            recover_personal_sign_signer(std::hint::black_box(fixture.body.as_bytes()), &signature)
                .unwrap()
        })
    });
    c.bench_function("nostr_id_and_schnorr", |b| {
        b.iter(|| verify_nostr_event(std::hint::black_box(&fixture.nostr_event)).unwrap())
    });
    c.bench_function("spasmid01_typical_event", |b| {
        b.iter(|| spasmid01(std::hint::black_box(&fixture.converted)).unwrap())
    });
    c.bench_function("envelope_bytes_to_verified_single_signed", |b| {
        b.iter(|| parse_and_convert(std::hint::black_box(&fixture.single)).unwrap())
    });
    c.bench_function("envelope_bytes_to_verified_multi_signed", |b| {
        b.iter(|| parse_and_convert(std::hint::black_box(&fixture.multi)).unwrap())
    });
}

/// The whole path against the raw checks it contains, timed in alternation so that a machine
/// whose speed drifts (a shared virtual machine) slows both alike: the median of the
/// per-round ratios.
fn side_by_side() {
    const ROUNDS: usize = 41;
    const BATCH: u32 = 100;
    let fixture = fixture();
    let signature: EthereumSignature = fixture.signature.parse().unwrap();
    let time = |work: &dyn Fn()| {
        let started = std::time::Instant::now();
        for _ in 0..BATCH {
            work();
        }
        started.elapsed().as_secs_f64() / f64::from(BATCH)
    };
    let ethereum = || {
        std::hint::black_box(
            recover_personal_sign_signer(std::hint::black_box(fixture.body.as_bytes()), &signature)
                .unwrap(),
        );
    };
    let nostr = || {
        std::hint::black_box(
            verify_nostr_event(std::hint::black_box(&fixture.nostr_event)).unwrap(),
        );
    };
    let single = || {
        std::hint::black_box(parse_and_convert(std::hint::black_box(&fixture.single)).unwrap());
    };
    let multi = || {
        std::hint::black_box(parse_and_convert(std::hint::black_box(&fixture.multi)).unwrap());
    };
    // What the single-signed path cannot avoid besides the check, as long as the event it
    // returns is a `serde_json::Value`: making (here, copying) and dropping that value,
    // parsing the envelope's text, and the event's `spasmid01`.
    let single_output = parse_and_convert(&fixture.single).unwrap().into_json();
    let floor = || {
        std::hint::black_box(std::hint::black_box(&single_output).clone());
        std::hint::black_box(
            serde_json::from_slice::<Value>(std::hint::black_box(&fixture.single)).unwrap(),
        );
        std::hint::black_box(spasmid01(std::hint::black_box(&single_output)));
    };
    let median = |mut values: Vec<f64>| {
        values.sort_by(f64::total_cmp);
        values[values.len() / 2]
    };
    let (mut single_ratios, mut multi_ratios) = (Vec::new(), Vec::new());
    let (mut raw_single, mut raw_multi, mut path_single, mut path_multi) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut floor_ratios = Vec::new();
    for _ in 0..ROUNDS {
        let eth = time(&ethereum);
        let single_path = time(&single);
        let nostr_raw = time(&nostr);
        let eth_again = time(&ethereum);
        let multi_path = time(&multi);
        single_ratios.push(single_path / eth);
        multi_ratios.push(multi_path / (eth_again + nostr_raw));
        raw_single.push(eth);
        path_single.push(single_path);
        raw_multi.push(eth_again + nostr_raw);
        path_multi.push(multi_path);
        floor_ratios.push(time(&floor) / time(&ethereum));
    }
    println!("side by side, median of {ROUNDS} alternating rounds of {BATCH}:");
    println!(
        "  single-signed: raw EIP-191 recovery {:.1} µs, whole path {:.1} µs, ratio {:.3}",
        median(raw_single) * 1e6,
        median(path_single) * 1e6,
        median(single_ratios)
    );
    println!(
        "  multi-signed:  raw EIP-191 + Nostr {:.1} µs, whole path {:.1} µs, ratio {:.3}",
        median(raw_multi) * 1e6,
        median(path_multi) * 1e6,
        median(multi_ratios)
    );
    println!(
        "  single-signed floor: copying and dropping the returned event, parsing the envelope and its spasmid01 alone add {:.3} of the raw check",
        median(floor_ratios)
    );
}

/// `tag[index]` as spasm.js's tag sort reads it (the reference copy of the sort below).
fn tag_element(tag: &Value, index: usize) -> String {
    let element = match tag {
        Value::String(text) => {
            return text
                .encode_utf16()
                .nth(index)
                .map(|unit| String::from_utf16_lossy(&[unit]))
                .unwrap_or_default();
        }
        Value::Array(items) => items.get(index),
        Value::Object(map) => map.get(&index.to_string()),
        _ => None,
    };
    match element {
        Some(Value::String(text)) => text.clone(),
        Some(Value::Number(number)) if number.as_f64() != Some(0.0) => number.to_string(),
        _ => String::new(),
    }
}

/// The tag sort as spasm.js runs it, and as this crate did before: one stable sort per
/// position, from the longest tag's last position to the first.
fn sort_tags_per_position(tags: &[Value]) -> Vec<&Value> {
    let longest = tags
        .iter()
        .filter_map(Value::as_array)
        .map(Vec::len)
        .fold(1, usize::max);
    let mut tags: Vec<&Value> = tags.iter().collect();
    for index in (0..=longest).rev() {
        let mut keyed: Vec<(String, &Value)> = tags
            .iter()
            .map(|tag| (tag_element(tag, index), *tag))
            .collect();
        keyed.sort_by(|a, b| spasm::collation::locale_compare(&a.0, &b.0));
        tags = keyed.into_iter().map(|(_, tag)| tag).collect();
    }
    tags
}

/// The id's tag sort of `c23-tag-sort-5000x5000.json` (5,001 tags, one of 5,000 elements),
/// before (one sort per position) and now (one sort).
fn tag_sort(c: &mut Criterion) {
    let case: Value = serde_json::from_slice(
        &std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/forum/tests/outside-inputs/c23-tag-sort-5000x5000.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let tags = case["unknownEvent"]["tags"].clone();
    let mut group = c.benchmark_group("c23 tag sort");
    group.sample_size(10);
    group.bench_function("before: one sort per position", |b| {
        b.iter(|| sort_tags_per_position(std::hint::black_box(tags.as_array().unwrap())).len())
    });
    group.bench_function("now: one lexicographic sort", |b| {
        b.iter(|| {
            sort_tags_for_spasmid01(std::hint::black_box(&tags))
                .unwrap()
                .len()
        })
    });
    group.finish();
}

criterion_group!(verify, benches, tag_sort);

fn main() {
    verify();
    side_by_side();
    Criterion::default().configure_from_args().final_summary();
}
