//! The refusals that need neither a signature check nor an id, run on the input as it
//! arrived before either: whatever a stranger sends, refusing it costs a walk over its JSON.
//!
//! Three kinds: sizes of the tag lists (which bound the cost of the id's tag sort), Nostr
//! events of kinds the forum does not handle (named, instead of being misread as something
//! else), and unsigned input where unsigned events are not taken.

use serde_json::Value;
use spasm::identify::{has_signature, spasm_v2_type};

use crate::ingest::SubmitError;
use crate::nostr::kind::NostrKind;

/// Bounds on the tags of one event, wherever they are in it (a Nostr event's `tags`, a
/// Spasm body's `tags`, inside signed text). The tag sort of `spasmid01` and every read of
/// tags cost in proportion to them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TagLimits {
    /// The most tags in one list (strfry's default `maxNumTags` is 2,000).
    pub max_tags: usize,
    /// The most elements in one tag (a `tags_mapping` record has 16).
    pub max_tag_elements: usize,
    /// The longest element, in characters.
    pub max_tag_element_chars: usize,
}

impl Default for TagLimits {
    fn default() -> Self {
        Self {
            max_tags: 2_000,
            max_tag_elements: 100,
            max_tag_element_chars: 4_096,
        }
    }
}

/// What went over a [`TagLimits`] bound.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TagLimitExceeded {
    /// Too many tags: (how many, the limit).
    Tags(usize, usize),
    /// A tag with too many elements: (which tag, how many, the limit).
    Elements(usize, usize, usize),
    /// An element too long: (which tag, which element, the limit).
    ElementChars(usize, usize, usize),
}

impl std::fmt::Display for TagLimitExceeded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Tags(count, max) => {
                write!(f, "the event has {count} tags; at most {max} are accepted")
            }
            Self::Elements(tag, count, max) => write!(
                f,
                "tag {tag} has {count} elements; at most {max} are accepted"
            ),
            Self::ElementChars(tag, element, max) => write!(
                f,
                "element {element} of tag {tag} is longer than {max} characters"
            ),
        }
    }
}

/// Runs every check that needs no id, in the order of their cost.
///
/// # Errors
/// [`SubmitError::TagLimit`] (413), [`SubmitError::UnsupportedNostrKind`] and
/// [`SubmitError::EmptyNostrContent`] (422), [`SubmitError::UnsignedNotAllowed`] (403) when
/// `unsigned_allowed` is false and a Spasm or Nostr event does not even claim a signature.
pub fn screen(
    input: &Value,
    limits: &TagLimits,
    unsigned_allowed: bool,
) -> Result<(), SubmitError> {
    check_tag_limits(input, limits).map_err(SubmitError::TagLimit)?;
    let nostr_kind = nostr_shaped_kind(input);
    if let Some(kind) = nostr_kind {
        let kind = NostrKind::of(kind)?;
        let empty = kind.has_spasm_form()
            && input
                .get("content")
                .and_then(Value::as_str)
                .is_none_or(str::is_empty);
        // spasm.js takes a Nostr event only with content; without, it would be read as a
        // web page without a signature.
        if empty {
            return Err(SubmitError::EmptyNostrContent(kind));
        }
    }
    // Only what is recognisably an event: anything else is better told what it is not.
    let an_event = spasm_v2_type(input).is_some() || nostr_kind.is_some();
    if !unsigned_allowed && an_event && !claims_a_signature(input) {
        return Err(SubmitError::UnsignedNotAllowed);
    }
    Ok(())
}

/// The `kind` of an input shaped as a Nostr event (NIP-01: `kind`, `pubkey`, `created_at`,
/// `tags`), whatever its content, and not a Spasm object.
pub(crate) fn nostr_shaped_kind(input: &Value) -> Option<&Value> {
    if spasm_v2_type(input).is_some() {
        return None;
    }
    let object = input.as_object()?;
    let shaped = object.get("pubkey").is_some_and(Value::is_string)
        && object.get("created_at").is_some_and(Value::is_number)
        && object.contains_key("tags");
    object.get("kind").filter(|_| shaped)
}

/// Whether anything in the input is a signature to check: a `sig` or `signature` on the
/// input, a signed sibling, or a `signatures` list. What verification then finds is
/// another matter; this only spares the id of input that has nothing to verify.
fn claims_a_signature(input: &Value) -> bool {
    if has_signature(input) {
        return true;
    }
    let non_empty = |key: &str| {
        input
            .get(key)
            .and_then(Value::as_array)
            .is_some_and(|list| !list.is_empty())
    };
    if non_empty("signatures") {
        return true;
    }
    // Envelopes and database forms carry their signatures in siblings.
    input
        .get("siblings")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .any(|sibling| {
            has_signature(sibling)
                || sibling.get("originalObject").is_some_and(has_signature)
                || sibling
                    .get("signatures")
                    .and_then(Value::as_array)
                    .is_some_and(|list| !list.is_empty())
        })
}

/// Every `tags` list in the input, and in signed text inside it, within `limits`.
fn check_tag_limits(input: &Value, limits: &TagLimits) -> Result<(), TagLimitExceeded> {
    match input {
        Value::Object(object) => {
            for (key, value) in object {
                match (key.as_str(), value) {
                    ("tags", Value::Array(tags)) => check_tags(tags, limits)?,
                    // Signed text is parsed later; a bad one is refused there.
                    ("signedString" | "signed_message", Value::String(text)) => {
                        if let Ok(inner) = serde_json::from_str::<Value>(text) {
                            check_tag_limits(&inner, limits)?;
                        }
                    }
                    _ => check_tag_limits(value, limits)?,
                }
            }
            Ok(())
        }
        Value::Array(items) => items
            .iter()
            .try_for_each(|item| check_tag_limits(item, limits)),
        _ => Ok(()),
    }
}

fn check_tags(tags: &[Value], limits: &TagLimits) -> Result<(), TagLimitExceeded> {
    if tags.len() > limits.max_tags {
        return Err(TagLimitExceeded::Tags(tags.len(), limits.max_tags));
    }
    for (index, tag) in tags.iter().enumerate() {
        let elements = match tag {
            Value::Array(elements) => elements.as_slice(),
            // A string "tag" is read element by element (character by character).
            Value::String(text) => {
                if text.chars().count() > limits.max_tag_element_chars {
                    return Err(TagLimitExceeded::ElementChars(
                        index,
                        0,
                        limits.max_tag_element_chars,
                    ));
                }
                continue;
            }
            _ => continue,
        };
        if elements.len() > limits.max_tag_elements {
            return Err(TagLimitExceeded::Elements(
                index,
                elements.len(),
                limits.max_tag_elements,
            ));
        }
        for (position, element) in elements.iter().enumerate() {
            let too_long = match element {
                Value::String(text) => text.chars().count() > limits.max_tag_element_chars,
                // Nested lists and objects are written out whole where tags are compared.
                Value::Array(_) | Value::Object(_) => {
                    element.to_string().chars().count() > limits.max_tag_element_chars
                }
                _ => false,
            };
            if too_long {
                return Err(TagLimitExceeded::ElementChars(
                    index,
                    position,
                    limits.max_tag_element_chars,
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn limits() -> TagLimits {
        TagLimits {
            max_tags: 3,
            max_tag_elements: 4,
            max_tag_element_chars: 5,
        }
    }

    #[test]
    fn tag_lists_are_bounded_wherever_they_are() {
        let ok = json!({"tags": [["t", "abcde"], ["e", "x", "y", "z"]]});
        assert_eq!(check_tag_limits(&ok, &limits()), Ok(()));
        assert_eq!(
            check_tag_limits(&json!({"tags": [[], [], [], []]}), &limits()),
            Err(TagLimitExceeded::Tags(4, 3))
        );
        assert_eq!(
            check_tag_limits(
                &json!({"tags": [["t"], ["a", "b", "c", "d", "e"]]}),
                &limits()
            ),
            Err(TagLimitExceeded::Elements(1, 5, 4))
        );
        assert_eq!(
            check_tag_limits(&json!({"tags": [["t", "abcdef"]]}), &limits()),
            Err(TagLimitExceeded::ElementChars(0, 1, 5))
        );
        // Inside an envelope's sibling, and inside signed text.
        let nested = json!({"siblings": [{"originalObject": {"tags": [[], [], [], []]}}]});
        assert!(check_tag_limits(&nested, &limits()).is_err());
        let signed = json!({"signedString": "{\"tags\":[[\"t\",\"abcdef\"]]}"});
        assert!(check_tag_limits(&signed, &limits()).is_err());
        let message = TagLimitExceeded::Elements(1, 5, 4).to_string();
        assert_eq!(message, "tag 1 has 5 elements; at most 4 are accepted");
    }

    #[test]
    fn only_nostr_shaped_input_has_a_kind() {
        let event = json!({"kind": 6, "pubkey": "ab", "created_at": 1, "tags": [], "content": ""});
        assert_eq!(nostr_shaped_kind(&event), Some(&json!(6)));
        assert_eq!(nostr_shaped_kind(&json!({"kind": 6})), None);
        let spasm = json!({"type": "SpasmEventBodyV2", "kind": 6, "pubkey": "ab",
            "created_at": 1, "tags": []});
        assert_eq!(nostr_shaped_kind(&spasm), None);
    }

    #[test]
    fn signatures_are_claimed_by_any_signed_part() {
        assert!(claims_a_signature(&json!({"sig": "ab"})));
        assert!(claims_a_signature(&json!({"signature": "0xab"})));
        assert!(claims_a_signature(
            &json!({"siblings": [{"signature": "0xab"}]})
        ));
        assert!(claims_a_signature(
            &json!({"siblings": [{"originalObject": {"sig": "ab"}}]})
        ));
        assert!(!claims_a_signature(
            &json!({"type": "SpasmEventBodyV2", "content": "x"})
        ));
        assert!(!claims_a_signature(&json!({"sig": ""})));
    }
}
