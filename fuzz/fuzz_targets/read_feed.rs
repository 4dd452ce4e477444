//! Any text read as an RSS or Atom feed gives events, rejected items or a typed error: never
//! a panic, never unbounded time or memory. Whatever it gives is written out again as a feed.

#![no_main]

use libfuzzer_sys::fuzz_target;
use spasm::rss::{RssFeedConfig, RssSource, convert_rss_feed_to_spasm, generate_rss_feed};

fuzz_target!(|data: &[u8]| {
    let Ok(xml) = std::str::from_utf8(data) else {
        return;
    };
    let source = RssSource {
        category: Some("fuzz".into()),
    };
    if let Ok(import) = convert_rss_feed_to_spasm(xml, &source) {
        let events: Vec<serde_json::Value> = import
            .events
            .iter()
            .map(|event| event.event().clone())
            .collect();
        let _ = generate_rss_feed(&events, &RssFeedConfig::default());
    }
});
