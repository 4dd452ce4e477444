//! spasm.js 2.0.0-rc.52 against every event case of `../shared/spasm/vectors-rc52/`
//! (`identify.json`, `nostr-tags.json`, `tips.json`, `verification.json`; the RSS files have
//! their own test).
//!
//! For each case every output the vectors record is checked: the converted event (compared
//! as jest's `toEqual` does, object key order aside), its `spasmid01` and canonical JSON, the
//! verified signers, the envelope, and for bodies the Nostr form (exactly, tag order
//! included), the Nostr round trip and the id of the unsigned body. Where DECISIONS.md
//! overrides rc.52 (forged or unproven input it accepts), the test asserts the decision and
//! names the case in [`OVERRIDDEN`].

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod vectors;

use serde_json::Value;
use spasm::body::SpasmBody;
use spasm::convert::{
    ConvertError, body_to_nostr, check_nostr_round_trip, convert_to_nostr, convert_to_spasm,
    to_envelope,
};
use spasm::signed::{EthereumSignedBody, NostrSignedEvent, SignedBody};
use spasm::spasmid::canonical_json;
use vectors::first_difference;

/// Cases rc.52 accepts and this project refuses, with the rule that decides.
const OVERRIDDEN: [(&str, &str); 3] = [
    (
        "tips-14-forged-envelope-tip-redirected",
        "DECISIONS.md Security 2: the envelope's content must come from its signed sibling",
    ),
    (
        "tips-17-forged-multisig-nostr-sibling-tips",
        "DECISIONS.md Security 2: a forged sibling makes the envelope invalid, not dropped",
    ),
    (
        "verify-08-signer-not-an-author",
        "DECISIONS.md Security 3: a body must be signed by one of its authors",
    ),
];

const EVENT_FILES: [&str; 4] = [
    "identify.json",
    "nostr-tags.json",
    "tips.json",
    "verification.json",
];

/// spasm.js `getVerifiedSigners`: the verified author addresses, lower-cased, in order.
fn verified_signers(event: &Value) -> Vec<Value> {
    event["authors"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|author| author["addresses"].as_array().into_iter().flatten())
        .filter(|address| address["verified"] == Value::Bool(true))
        .filter_map(|address| address["value"].as_str())
        .map(|value| Value::from(value.to_lowercase()))
        .collect()
}

/// The body a case signs: `construction.body`, or the input of a pure round-trip case.
fn body_of(case: &Value) -> Option<&Value> {
    let body = &case["construction"]["body"];
    if body.is_object() {
        return Some(body);
    }
    let input = &case["input"];
    (input["type"] == "SpasmEventBodyV2").then_some(input)
}

/// Checks one accepted conversion against the library's fields.
fn check_event(id: &str, input: &Value, rc52: &Value, failures: &mut Vec<String>) {
    let event = match convert_to_spasm(input) {
        Ok(event) => event,
        Err(error) => {
            failures.push(format!("{id}: rejected: {error}"));
            return;
        }
    };
    if let Some(difference) = first_difference("", event.event(), &rc52["convertToSpasm"]) {
        failures.push(format!("{id}: convertToSpasm{difference}"));
    }
    if event.id().to_string() != rc52["spasmid01"] {
        failures.push(format!(
            "{id}: spasmid01 {}, expected {}",
            event.id(),
            rc52["spasmid01"]
        ));
    }
    let canonical = canonical_json(event.event());
    if canonical.as_deref() != rc52["canonicalJsonForSpasmid01"].as_str() {
        failures.push(format!(
            "{id}: canonical JSON {canonical:?}, expected {}",
            rc52["canonicalJsonForSpasmid01"]
        ));
    }
    let signers = verified_signers(event.event());
    if Value::Array(signers.clone()) != rc52["verifiedSigners"] {
        failures.push(format!(
            "{id}: verified signers {signers:?}, expected {}",
            rc52["verifiedSigners"]
        ));
    }
    match to_envelope(input) {
        Ok(envelope) => {
            if let Some(difference) =
                first_difference("", &envelope, &rc52["convertToSpasmEventEnvelope"])
            {
                failures.push(format!("{id}: envelope{difference}"));
            }
        }
        Err(error) => failures.push(format!("{id}: envelope refused: {error}")),
    }
}

/// The Nostr form of a body (exact, tag order included), its round trip and the body's id.
fn check_body(id: &str, body: &Value, rc52: &Value, failures: &mut Vec<String>) {
    if let Some(expected) = rc52["spasmid01OfUnsignedBody"].as_str() {
        match convert_to_spasm(body) {
            Ok(event) if event.id().to_string() == expected => {}
            Ok(event) => failures.push(format!(
                "{id}: unsigned body id {}, expected {expected}",
                event.id()
            )),
            Err(error) => failures.push(format!("{id}: unsigned body refused: {error}")),
        }
    }
    if let Some(expected) = rc52["canonicalJsonForSpasmid01OfBody"].as_str() {
        let canonical = convert_to_spasm(body)
            .ok()
            .and_then(|event| canonical_json(event.event()));
        if canonical.as_deref() != Some(expected) {
            failures.push(format!("{id}: body canonical JSON {canonical:?}"));
        }
    }
    let expected_nostr = &rc52["convertToNostr"];
    if expected_nostr.is_null() {
        return;
    }
    let nostr = match convert_to_nostr(body) {
        Ok(nostr) => nostr,
        Err(error) => {
            failures.push(format!("{id}: convertToNostr refused: {error}"));
            return;
        }
    };
    if nostr["tags"] != expected_nostr["tags"] {
        failures.push(format!(
            "{id}: convertToNostr tags\n  ours     {}\n  expected {}",
            nostr["tags"], expected_nostr["tags"]
        ));
    } else if let Some(difference) = first_difference("", &nostr, expected_nostr) {
        failures.push(format!("{id}: convertToNostr{difference}"));
    }
    // The browser's builder (no collation data) gives the same form.
    if body_to_nostr(body).ok().as_ref() != Some(&nostr) {
        failures.push(format!("{id}: body_to_nostr differs from convertToNostr"));
    }
    let round_trip = &rc52["nostrRoundTrip"];
    if round_trip.is_object() {
        // The composer's check must see what rc.52's merge sees (tips-08, tips-12, ntags-18).
        let ours = check_nostr_round_trip(body, &nostr);
        if Value::Bool(ours.is_ok()) != round_trip["sameSpasmidAsBody"] {
            failures.push(format!("{id}: round-trip check says {ours:?}"));
        }
        match convert_to_spasm(&nostr) {
            Ok(back) => {
                if let Some(difference) =
                    first_difference("", back.event(), &round_trip["convertToSpasm"])
                {
                    failures.push(format!("{id}: round trip{difference}"));
                }
                if back.id().to_string() != round_trip["spasmid01"] {
                    failures.push(format!("{id}: round-trip id {}", back.id()));
                }
                let same = convert_to_spasm(body).is_ok_and(|body| body.id() == back.id());
                if Value::Bool(same) != round_trip["sameSpasmidAsBody"] {
                    failures.push(format!("{id}: round trip keeps the id: {same}"));
                }
            }
            Err(error) => failures.push(format!("{id}: round trip refused: {error}")),
        }
    }
}

/// What the client builders give for a case's construction: the closed form, the signed
/// Nostr event, or the multi-signed envelope, as the case's input (whose `spasmid01` in
/// `ids` the builders leave to the receiver).
fn check_builders(id: &str, case: &Value, failures: &mut Vec<String>) -> bool {
    let construction = &case["construction"];
    let Ok(body) = SpasmBody::try_from(construction["body"].clone()) else {
        return false;
    };
    let closed = &construction["signedClosed"];
    // The web client writes the signer in lower case; some cases write it as another
    // client might (EIP-55), which the builders never do.
    if closed["signer"]
        .as_str()
        .is_some_and(|signer| signer != signer.to_lowercase())
    {
        return false;
    }
    let ethereum = closed["signature"].as_str().map(|signature| {
        let signer = closed["signer"].as_str().unwrap().parse().unwrap();
        EthereumSignedBody::new(&body, signature, signer).unwrap()
    });
    let nostr = construction["nostrSigned"].as_object().map(|event| {
        let pubkey = event["pubkey"].as_str().unwrap().parse().unwrap();
        NostrSignedEvent::new(Value::Object(event.clone()), pubkey).unwrap()
    });
    let (built, mut expected) = match (ethereum, nostr) {
        (Some(ethereum), None) => (
            SignedBody::Ethereum(ethereum).to_submission(),
            closed.clone(),
        ),
        (None, Some(nostr)) => (
            SignedBody::Nostr(nostr).to_submission(),
            construction["nostrSigned"].clone(),
        ),
        (Some(ethereum), Some(nostr)) => (
            SignedBody::Both { nostr, ethereum }.to_submission(),
            case["input"].clone(),
        ),
        (None, None) => return false,
    };
    if let Some(Value::Array(ids)) = expected.get_mut("ids") {
        ids.retain(|id| id["format"]["name"] != "spasmid");
    }
    // A client whose Nostr form did not hash like the body ends single-signed (rc.52 keeps
    // the Nostr half only); ours refuses before signing, so there is nothing to compare.
    if expected["type"] == "SpasmEventEnvelopeV2"
        && expected["siblings"]
            .as_array()
            .is_some_and(|s| s.len() != 2)
    {
        return false;
    }
    // As text: key order is part of what a client sends.
    let (built_text, expected_text) = (built.to_string(), expected.to_string());
    if built_text != expected_text {
        failures.push(format!(
            "{id}: builders\n  ours     {built}\n  expected {expected}"
        ));
    }
    true
}

/// `convertToSpasmEventEnvelope` given a JSON string (`envstr-*`).
fn check_envelope_string(id: &str, text: &str, rc52: &Value, failures: &mut Vec<String>) {
    let ours = to_envelope(&Value::from(text));
    match (&ours, rc52.get("convertToSpasmEventEnvelopeThrew")) {
        (Err(ConvertError::NotJson(_)), Some(_)) => {}
        (Ok(envelope), None) => {
            if let Some(difference) =
                first_difference("", envelope, &rc52["convertToSpasmEventEnvelope"])
            {
                failures.push(format!("{id}: envelope{difference}"));
            }
        }
        (Err(_), None) if rc52["convertToSpasmEventEnvelope"].is_null() => {}
        _ => failures.push(format!("{id}: {ours:?}, expected {rc52}")),
    }
}

#[test]
fn rc52_event_cases_match_spasm_js() {
    let mut failures = Vec::new();
    let mut overridden = Vec::new();
    let mut built = 0;
    for file_name in EVENT_FILES {
        let file = vectors::load_rc52(file_name);
        let cases = file["cases"].as_array().unwrap();
        for case in cases {
            let id = case["id"].as_str().unwrap();
            let rc52 = &case["library"]["rc52"];
            let input = &case["input"];
            if let Some(text) = input.as_str() {
                check_envelope_string(id, text, rc52, &mut failures);
                continue;
            }
            if let Some((_, rule)) = OVERRIDDEN.iter().find(|(name, _)| *name == id) {
                match convert_to_spasm(input) {
                    Ok(_) => failures.push(format!("{id}: accepted, but {rule}")),
                    Err(error) => overridden.push(format!("{id}: {error} ({rule})")),
                }
                continue;
            }
            match rc52["accepted"].as_bool() {
                Some(true) => check_event(id, input, rc52, &mut failures),
                Some(false) => {
                    if let Ok(event) = convert_to_spasm(input) {
                        failures.push(format!(
                            "{id}: accepted as {}, rc.52 refuses it",
                            event.id()
                        ));
                    }
                }
                None => {}
            }
            if let Some(body) = body_of(case) {
                check_body(id, body, rc52, &mut failures);
            }
            if case["validity"] == "valid" && check_builders(id, case, &mut failures) {
                built += 1;
            }
        }
        vectors::report(file_name, cases.len());
    }
    println!("{built} submissions built exactly as the case's client built them");
    assert!(built >= 20, "only {built} cases compared with the builders");
    for line in &overridden {
        println!("overridden: {line}");
    }
    assert_eq!(overridden.len(), OVERRIDDEN.len(), "{overridden:?}");
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
