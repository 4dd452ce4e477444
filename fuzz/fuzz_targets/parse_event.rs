//! Any bytes fed to the JSON entry point give an event or a typed error: never a panic,
//! never unbounded time or memory. Whatever converts also survives the conversions out.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(event) = spasm::convert::parse_and_convert(data) {
        let json = event.event();
        let _ = spasm::spasmid::spasmid01(json);
        let _ = spasm::convert::to_envelope(json);
        let _ = spasm::convert::to_database(json);
        let _ = spasm::convert::spasm_event_to_nostr(json);
    }
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) {
        let _ = spasm::identify::identify_post_or_event(&value);
        let _ = spasm::spasmid::spasmid01(&value);
        let _ = spasm::convert::merge_events(&[value.clone(), value]);
    }
});
