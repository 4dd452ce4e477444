//! NIP-09 deletion requests (kind 5): an author hides its own events here.

use spasm::nostr::nip19::to_hex_lenient;

use super::signed::SignedNostrEvent;
use crate::storage::AuthorDeletion;

/// The kind of a NIP-09 deletion request.
pub const DELETION_KIND: u64 = 5;

/// The most events one deletion request may name.
pub const MAX_DELETED_IDS: usize = 100;

/// The delete a verified kind-5 event asks for: the ids of its `e` tags (lower-case hex),
/// at most [`MAX_DELETED_IDS`]. The store applies it only to events the same key signed.
/// `None` for another kind.
pub fn author_deletion(event: &SignedNostrEvent, now_ms: i64) -> Option<AuthorDeletion> {
    if event.kind() != DELETION_KIND {
        return None;
    }
    let mut target_ids: Vec<String> = Vec::new();
    for id in event.tag_values("e") {
        let id = to_hex_lenient(id).to_lowercase();
        if !id.is_empty() && !target_ids.contains(&id) {
            target_ids.push(id);
        }
        if target_ids.len() == MAX_DELETED_IDS {
            break;
        }
    }
    Some(AuthorDeletion {
        nostr_id: event.id().to_owned(),
        author: event.pubkey().clone(),
        target_ids,
        event_json: event.event().to_string(),
        now_ms,
    })
}
