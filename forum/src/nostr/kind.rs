//! The Nostr kinds the forum takes, and what a NIP-25 reaction becomes here.
//!
//! A forum shows posts and replies and counts reactions, and takes authors' deletions
//! (NIP-09) and relay lists (NIP-65); any other Nostr kind (a direct message, a repost, a
//! long-form article, a follow list) would be shown as what it is not, so it is refused by
//! name at every door (submit, federation, relays): they all go through
//! [`crate::service::Forum::ingest`].

use serde_json::Value;
use spasm::action::Reaction;
use spasm::nostr::nip19::to_hex_lenient;
use spasm::nostr::tag_values;

use crate::ingest::SubmitError;

/// A Nostr kind the forum handles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NostrKind {
    /// Kind 0 (NIP-01): the key's profile.
    Profile,
    /// Kind 1 (NIP-01): a text note, a post or a reply (NIP-10).
    TextNote,
    /// Kind 5 (NIP-09): the author's request to delete its events.
    Deletion,
    /// Kind 7 (NIP-25): a reaction, counted as an upvote or a downvote.
    Reaction,
    /// Kind 10002 (NIP-65): the relays a key reads from and writes to.
    RelayList,
}

impl NostrKind {
    /// The kinds taken, for messages.
    pub const TAKEN: &'static str =
        "0 (profile), 1 (text note), 5 (deletion), 7 (reaction) and 10002 (relay list)";

    /// The kind of a Nostr event's `kind` field.
    ///
    /// # Errors
    /// [`SubmitError::UnsupportedNostrKind`] naming any other kind.
    pub fn of(kind: &Value) -> Result<Self, SubmitError> {
        match kind.as_u64() {
            Some(0) => Ok(Self::Profile),
            Some(1) => Ok(Self::TextNote),
            Some(5) => Ok(Self::Deletion),
            Some(7) => Ok(Self::Reaction),
            Some(10002) => Ok(Self::RelayList),
            _ => Err(SubmitError::UnsupportedNostrKind(kind.to_string())),
        }
    }

    /// The number, for messages.
    pub fn number(self) -> u16 {
        match self {
            Self::Profile => 0,
            Self::TextNote => 1,
            Self::Deletion => 5,
            Self::Reaction => 7,
            Self::RelayList => 10002,
        }
    }

    /// Whether events of this kind have a Spasm form (and so need content, as spasm.js
    /// converts only Nostr events with content).
    pub fn has_spasm_form(self) -> bool {
        matches!(self, Self::Profile | Self::TextNote | Self::Reaction)
    }

    /// The kind of a raw Nostr event that has no Spasm form (a deletion, a relay list).
    pub fn of_nostr_only(input: &Value) -> Option<Self> {
        crate::screen::nostr_shaped_kind(input)
            .and_then(|kind| Self::of(kind).ok())
            .filter(|kind| !kind.has_spasm_form())
    }

    /// Checks the kind of every Nostr event a converted event carries (its siblings'
    /// original objects), and returns the kind when there is one.
    ///
    /// # Errors
    /// [`SubmitError::UnsupportedNostrKind`] for any kind not taken.
    pub fn of_converted(event: &Value) -> Result<Option<Self>, SubmitError> {
        let mut found = None;
        for original in nostr_originals(event) {
            let kind = Self::of(original.get("kind").unwrap_or(&Value::Null))?;
            found.get_or_insert(kind);
        }
        Ok(found)
    }
}

/// The Nostr events inside a converted event: its siblings' `originalObject`s.
pub(crate) fn nostr_originals(event: &Value) -> impl Iterator<Item = &Value> {
    event
        .get("siblings")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|sibling| {
            sibling
                .get("type")
                .and_then(Value::as_str)
                .is_some_and(|kind| kind.starts_with("SiblingNostr"))
        })
        .filter_map(|sibling| sibling.get("originalObject"))
}

/// A NIP-25 reaction as the forum counts it: its reaction and the id it reacts to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NostrReaction {
    /// `+` (or empty) is an upvote, `-` a downvote.
    pub reaction: Reaction,
    /// The id of the event reacted to: the last `e` tag's (NIP-25).
    pub target: String,
}

impl NostrReaction {
    /// Reads the reaction of a converted kind-7 event.
    ///
    /// # Errors
    /// [`SubmitError::UnsupportedNostrReaction`] for an emoji or other content,
    /// [`SubmitError::NoTarget`] without an `e` tag.
    pub fn of_converted(event: &Value) -> Result<Self, SubmitError> {
        let Some(original) = nostr_originals(event).next() else {
            return Err(SubmitError::NoTarget("reaction"));
        };
        let content = original
            .get("content")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let reaction = match content {
            "+" | "" => Reaction::Upvote,
            "-" => Reaction::Downvote,
            other => return Err(SubmitError::UnsupportedNostrReaction(other.to_owned())),
        };
        let target = tag_values(original, "e")
            // A hex id or a NIP-19 `note`/`nevent`, in lower-case hex as ids are stored.
            .map(|id| to_hex_lenient(id).to_lowercase())
            .filter(|id| !id.is_empty())
            .last()
            .ok_or(SubmitError::NoTarget("reaction"))?;
        Ok(Self { reaction, target })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn converted(original: Value) -> Value {
        json!({"siblings": [{"type": "SiblingNostrSignedV2", "originalObject": original}]})
    }

    #[test]
    fn only_profiles_notes_and_reactions_are_taken() {
        assert_eq!(NostrKind::of(&json!(1)).ok(), Some(NostrKind::TextNote));
        assert_eq!(NostrKind::of(&json!(0)).ok(), Some(NostrKind::Profile));
        assert_eq!(NostrKind::of(&json!(7)).ok(), Some(NostrKind::Reaction));
        assert_eq!(NostrKind::of(&json!(5)).ok(), Some(NostrKind::Deletion));
        assert_eq!(
            NostrKind::of(&json!(10002)).ok(),
            Some(NostrKind::RelayList)
        );
        for kind in [
            json!(4),
            json!(6),
            json!(30023),
            json!(1.5),
            json!("1"),
            json!(null),
        ] {
            assert!(
                matches!(
                    NostrKind::of(&kind),
                    Err(SubmitError::UnsupportedNostrKind(_))
                ),
                "{kind}"
            );
        }
        let message = NostrKind::of(&json!(4)).unwrap_err().to_string();
        assert!(message.contains("kind 4"), "{message}");
        assert!(NostrKind::of_converted(&converted(json!({"kind": 30023}))).is_err());
        assert_eq!(
            NostrKind::of_converted(&json!({"siblings": []})).ok(),
            Some(None)
        );
    }

    #[test]
    fn plus_and_minus_count_on_the_last_e_tag() {
        let reaction = |content: &str| {
            NostrReaction::of_converted(&converted(json!({"kind": 7, "content": content,
                "tags": [["e", "aa".repeat(32)], ["p", "cc"], ["e", "BB".repeat(32), "wss://relay"]]})))
        };
        assert_eq!(
            reaction("+").ok(),
            Some(NostrReaction {
                reaction: Reaction::Upvote,
                target: "bb".repeat(32)
            })
        );
        assert_eq!(
            reaction("").ok().map(|r| r.reaction),
            Some(Reaction::Upvote)
        );
        assert_eq!(
            reaction("-").ok().map(|r| r.reaction),
            Some(Reaction::Downvote)
        );
        assert!(matches!(
            reaction("🔥"),
            Err(SubmitError::UnsupportedNostrReaction(_))
        ));
        let untargeted = converted(json!({"kind": 7, "content": "+", "tags": [["p", "cc"]]}));
        assert!(matches!(
            NostrReaction::of_converted(&untargeted),
            Err(SubmitError::NoTarget("reaction"))
        ));
    }
}
