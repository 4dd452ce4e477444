//! Any bytes fed to the JSON entry point give an event or a typed error: never a panic,
//! never unbounded time or memory. Whatever converts also survives the conversions out, and
//! any object survives the client-side builders (the body's Nostr form and its round-trip
//! check) and the envelope of a JSON string (spasm.js rc.52).

#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    if let Ok(event) = spasm::convert::parse_and_convert(data) {
        let json = event.event();
        let _ = spasm::spasmid::spasmid01(json);
        let _ = spasm::convert::to_envelope(json);
        let _ = spasm::convert::to_database(json);
        let _ = spasm::convert::spasm_event_to_nostr(json);
    }
    if let Ok(value) = serde_json::from_slice::<Value>(data) {
        let _ = spasm::identify::identify_post_or_event(&value);
        let _ = spasm::spasmid::spasmid01(&value);
        let _ = spasm::convert::merge_events(&[value.clone(), value.clone()]);
        if let Ok(form) = spasm::convert::body_to_nostr(&value) {
            let _ = spasm::convert::check_nostr_round_trip(&value, &form);
            let _ = spasm::convert::parse_and_convert(form.to_string().as_bytes());
        }
        if let Value::String(text) = &value {
            let _ = spasm::convert::to_envelope(&Value::from(text.as_str()));
        }
        let mut tips = value;
        spasm::spasmid::lower_case_nested_strings(&mut tips);
    }
});
