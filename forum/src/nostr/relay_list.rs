//! NIP-65 relay lists (kind 10002): the relays a key writes to, where its posts are also
//! published.

use super::relay_url::RelayUrl;
use super::signed::SignedNostrEvent;
use crate::storage::RelayListUpdate;

/// The kind of a NIP-65 relay list.
pub const RELAY_LIST_KIND: u64 = 10002;

/// The most write relays kept per key (NIP-65 suggests lists of 2 to 6).
pub const MAX_WRITE_RELAYS: usize = 6;

/// The write relays of a verified kind-10002 event: its `r` tags without a marker or
/// marked `write`, normalised, at most [`MAX_WRITE_RELAYS`]; entries that are not relay
/// URLs are skipped. `None` for another kind.
pub fn relay_list_update(event: &SignedNostrEvent) -> Option<RelayListUpdate> {
    if event.kind() != RELAY_LIST_KIND {
        return None;
    }
    let mut write_relays: Vec<String> = Vec::new();
    for tag in event.tags() {
        if tag.first().and_then(|name| name.as_str()) != Some("r") {
            continue;
        }
        let marker = tag.get(2).and_then(|marker| marker.as_str());
        if !matches!(marker, None | Some("write")) {
            continue;
        }
        let Some(relay) = tag
            .get(1)
            .and_then(|url| url.as_str())
            .and_then(|url| RelayUrl::parse(url).ok())
        else {
            continue;
        };
        if !write_relays.iter().any(|known| known == relay.as_str()) {
            write_relays.push(relay.to_string());
        }
        if write_relays.len() == MAX_WRITE_RELAYS {
            break;
        }
    }
    Some(RelayListUpdate {
        pubkey: event.pubkey().clone(),
        created_at: event.created_at(),
        event_id: event.id().to_owned(),
        write_relays,
        event_json: event.event().to_string(),
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use testkit::TestKey;

    use super::*;

    #[test]
    fn write_relays_are_unmarked_or_marked_write() {
        let key = TestKey::from_seed(3);
        let signed = key.sign_nostr_event(json!({
            "kind": 10002, "created_at": 1_700_000_000, "content": "",
            "tags": [
                ["r", "wss://both.example/"], ["r", "wss://read.example", "read"],
                ["r", "wss://write.example", "write"], ["r", "not a url"], ["r", "wss://BOTH.example"],
                ["p", "wss://other.example"]
            ]
        }));
        let event = SignedNostrEvent::verify(&signed).unwrap();
        let update = relay_list_update(&event).unwrap();
        assert_eq!(
            update.write_relays,
            ["wss://both.example", "wss://write.example"]
        );
        assert_eq!(update.created_at, 1_700_000_000);
    }
}
