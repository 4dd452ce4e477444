//! `spasmid01`: the content identifier of a Spasm event (SPEC.md §6).
//!
//! `spasmid01 = "spasmid01" + hex(sha256(NFC(JSON.stringify(EventForSpasmid01))))`.
//! Everything here mirrors spasm.js 2.0.0-beta.29 byte for byte, including its
//! JavaScript truthiness and its quirks (arrays whose first element is falsy vanish from
//! sorted lists), because a different id for the same event would split a thread between
//! this server and other instances. The input is never modified.

use core::cmp::Ordering;
use core::fmt;
use core::str::FromStr;

use icu_normalizer::ComposingNormalizerBorrowed;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::collation::locale_compare;
use crate::js_json::stringify;
use crate::js_value::{
    is_object_with_values, is_truthy_string_or_number, js_string, keep_keys, keep_keys_in_array,
    property, truthy,
};

/// The prefix of every version-01 Spasm id.
pub const SPASMID01_PREFIX: &str = "spasmid01";

/// A version-01 Spasm id: `spasmid01` followed by 64 lower-case hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SpasmId01([u8; 32]);

/// Why a string is not a `spasmid01`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a spasmid01 is \"spasmid01\" followed by 64 lower-case hexadecimal digits")]
pub struct SpasmIdError;

impl SpasmId01 {
    /// The 32 bytes of the hash.
    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl FromStr for SpasmId01 {
    type Err = SpasmIdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let digits = s.strip_prefix(SPASMID01_PREFIX).ok_or(SpasmIdError)?;
        if digits.len() != 64 || digits.bytes().any(|byte| byte.is_ascii_uppercase()) {
            return Err(SpasmIdError);
        }
        let mut bytes = [0u8; 32];
        hex::decode_to_slice(digits, &mut bytes).map_err(|_| SpasmIdError)?;
        Ok(Self(bytes))
    }
}

impl fmt::Display for SpasmId01 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{SPASMID01_PREFIX}{}", hex::encode(self.0))
    }
}

impl fmt::Debug for SpasmId01 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SpasmId01({self})")
    }
}

/// The `spasmid01` of a `SpasmEventV2` given as JSON, or `None` when the value is not a
/// `SpasmEventV2` (spasm.js `getSpasmId` returns `null`).
pub fn spasmid01(event: &Value) -> Option<SpasmId01> {
    canonical_json(event).map(|json| hash_canonical_json(&json))
}

/// [`spasmid01`] of a `SpasmEventV2` object, without wrapping it in a [`Value`].
pub fn spasmid01_of_object(event: &Map<String, Value>) -> Option<SpasmId01> {
    reduce_object(event).map(|reduced| hash_canonical_json(&canonical_text(&reduced)))
}

/// The exact text that is hashed: `NFC(JSON.stringify(EventForSpasmid01))`.
pub fn canonical_json(event: &Value) -> Option<String> {
    event_for_spasmid01(event).map(|reduced| canonical_text(&reduced))
}

/// `NFC(JSON.stringify(reduced))`; NFC copies only when the text is not normalised already.
fn canonical_text(reduced: &Value) -> String {
    let json = stringify(reduced);
    match ComposingNormalizerBorrowed::new_nfc().normalize(&json) {
        std::borrow::Cow::Borrowed(_) => json,
        std::borrow::Cow::Owned(normalized) => normalized,
    }
}

/// SHA-256 of canonical JSON text, as a Spasm id.
pub fn hash_canonical_json(canonical_json: &str) -> SpasmId01 {
    SpasmId01(Sha256::digest(canonical_json.as_bytes()).into())
}

/// The reduced, sorted object whose JSON text is hashed (spasm.js
/// `convertSpasmEventV2ToEventForSpasmid01`). `None` when `event` is not a `SpasmEventV2`
/// or is shaped so that spasm.js throws (a tag that is `null`).
pub fn event_for_spasmid01(event: &Value) -> Option<Value> {
    if !is_object_with_values(event) {
        return None;
    }
    reduce_object(event.as_object()?)
}

fn reduce_object(event: &Map<String, Value>) -> Option<Value> {
    if event.get("type").and_then(Value::as_str) != Some("SpasmEventV2") {
        return None;
    }
    let field = |key: &str| event.get(key).filter(|value| truthy(value));
    let mut out = Map::new();

    if let Some(parent) = field("parent") {
        out.insert(
            "parent".into(),
            sort_parent(keep_keys(parent, &["ids", "marker"])),
        );
    }
    for key in ["action", "title", "content", "timestamp"] {
        if let Some(value) = field(key) {
            out.insert(key.into(), value.clone());
        }
    }
    if let Some(authors) = field("authors") {
        let cleaned = keep_keys_in_array(authors, &["addresses", "usernames", "marker"]);
        out.insert("authors".into(), Value::Array(sort_authors(cleaned)));
    }
    if let Some(tips) = field("tips") {
        out.insert(
            "tips".into(),
            Value::Array(sort_objects(as_array(tips), &["address"])),
        );
    }
    for key in ["hosts", "links"] {
        if let Some(value) = field(key) {
            out.insert(
                key.into(),
                sort_links(keep_keys_in_array(value, &["value", "marker"])),
            );
        }
    }
    if let Some(keywords) = field("keywords") {
        out.insert(
            "keywords".into(),
            Value::Array(sort_strings_and_numbers(as_array(keywords))),
        );
    }
    if let Some(tags) = field("tags") {
        out.insert("tags".into(), Value::Array(sort_tags(tags)?));
    }
    if let Some(medias) = field("medias") {
        out.insert("medias".into(), Value::Array(sort_medias(medias)));
    }
    if let Some(references) = field("references") {
        let cleaned = keep_keys_in_array(references, &["ids", "marker"]);
        out.insert("references".into(), Value::Array(sort_references(cleaned)));
    }
    if let Some(mentions) = field("mentions") {
        let cleaned = keep_keys_in_array(mentions, &["addresses", "usernames", "marker"]);
        out.insert("mentions".into(), Value::Array(sort_authors(cleaned)));
    }
    if let Some(proofs) = field("proofs") {
        out.insert("proofs".into(), Value::Array(sort_proofs(proofs)));
    }
    for key in ["license", "language", "extra"] {
        if let Some(value) = field(key) {
            out.insert(key.into(), value.clone());
        }
    }
    if let Some(pow) = spasmid_pow(event.get("pows")) {
        out.insert("pows".into(), Value::Array(vec![pow]));
    }
    Some(Value::Object(out))
}

fn as_array(value: &Value) -> Option<&[Value]> {
    value.as_array().map(Vec::as_slice)
}

/// `Array.isArray(x) && x[0]` (truthy first element).
fn first_is_truthy(items: &[Value]) -> bool {
    items.first().is_some_and(truthy)
}

/// spasm.js `sortArrayOfStringsAndNumbers`: strings and numbers in collation order of
/// `String(x)`, then everything else in its original order; `[]` when the first element
/// is falsy.
pub fn sort_strings_and_numbers(items: Option<&[Value]>) -> Vec<Value> {
    let Some(items) = items.filter(|items| first_is_truthy(items)) else {
        return Vec::new();
    };
    let (mut valid, invalid): (Vec<&Value>, Vec<&Value>) = items
        .iter()
        .partition(|item| matches!(item, Value::String(_) | Value::Number(_)));
    valid.sort_by(|a, b| locale_compare(&js_string(Some(a)), &js_string(Some(b))));
    valid.into_iter().chain(invalid).cloned().collect()
}

/// spasm.js `sortArrayOfObjects(objects, keys)`: objects with a truthy string or number
/// under one of `keys` sorted by `String(object[key])` key after key; the rest through
/// [`sort_strings_and_numbers`]. `[]` when the first element is falsy.
pub fn sort_objects(items: Option<&[Value]>, keys: &[&str]) -> Vec<Value> {
    let Some(items) = items.filter(|items| first_is_truthy(items)) else {
        return Vec::new();
    };
    let (mut valid, invalid): (Vec<&Value>, Vec<&Value>) = items.iter().partition(|item| {
        item.is_object()
            && keys
                .iter()
                .any(|key| item.get(*key).is_some_and(is_truthy_string_or_number))
    });
    valid.sort_by(|a, b| {
        keys.iter()
            .map(|key| locale_compare(&js_string(a.get(*key)), &js_string(b.get(*key))))
            .find(|ordering| ordering.is_ne())
            .unwrap_or(Ordering::Equal)
    });
    let invalid: Vec<Value> = invalid.into_iter().cloned().collect();
    let rest = sort_strings_and_numbers(Some(&invalid));
    valid.into_iter().cloned().chain(rest).collect()
}

/// spasm.js `sortArrayOfObjectsByKeyValue`: by `String(object[key][0].value)` when that is
/// a truthy string or number, else `""`.
fn sort_by_first_value(items: &mut [Value], key: &str) {
    let first_value = |item: &Value| {
        item.get(key)
            .and_then(|list| list.get(0))
            .and_then(|first| first.get("value"))
            .filter(|value| is_truthy_string_or_number(value))
            .map(|value| js_string(Some(value)))
            .unwrap_or_default()
    };
    items.sort_by(|a, b| locale_compare(&first_value(a), &first_value(b)));
}

/// Whether `item[key][0].value` is a truthy string or number.
fn has_first_value(item: &Value, key: &str) -> bool {
    item.get(key)
        .and_then(|list| list.as_array())
        .and_then(|list| list.first())
        .filter(|first| truthy(first))
        .and_then(|first| first.get("value"))
        .is_some_and(is_truthy_string_or_number)
}

/// Reduces each element of `item[key]` to `keys` and sorts it by value, when `item[key]` is
/// an array with a truthy first element (spasm.js does this in place).
fn clean_list(item: &mut Value, key: &str, keys: &[&str]) {
    let Some(list) = item
        .get(key)
        .and_then(Value::as_array)
        .filter(|list| first_is_truthy(list))
    else {
        return;
    };
    let cleaned: Vec<Value> = list.iter().map(|entry| keep_keys(entry, keys)).collect();
    let sorted = sort_objects(Some(&cleaned), &["value"]);
    if let Some(map) = item.as_object_mut() {
        map.insert(key.to_string(), Value::Array(sorted));
    }
}

fn sort_parent(mut parent: Value) -> Value {
    clean_list(&mut parent, "ids", &["value"]);
    parent
}

/// spasm.js `sortHostsForSpasmid01` on already reduced hosts or links: returned unchanged
/// (also `null`) unless it is an array with a truthy first element.
fn sort_links(cleaned: Option<Vec<Value>>) -> Value {
    match cleaned {
        Some(list) if first_is_truthy(&list) => Value::Array(sort_objects(Some(&list), &["value"])),
        Some(list) => Value::Array(list),
        None => Value::Null,
    }
}

/// spasm.js `sortAuthorsForSpasmEventV2` (`sortAuthorsForSpasmid01`): each author's
/// addresses reduced to `{value, format}` and sorted, usernames sorted, then authors with an
/// address, with a username, and the rest.
pub fn sort_authors_for_spasmid01(authors: &Value) -> Vec<Value> {
    sort_authors(authors.as_array().cloned())
}

/// spasm.js `sortMediasForSpasmid01`.
pub fn sort_medias_for_spasmid01(medias: &Value) -> Vec<Value> {
    sort_medias(medias)
}

/// spasm.js `sortReferencesForSpasmid01` (references as given, not reduced).
pub fn sort_references_for_spasmid01(references: &Value) -> Vec<Value> {
    sort_references(references.as_array().cloned())
}

/// spasm.js `sortParentForSpasmid01`: the parent's ids reduced to `{value}` and sorted.
pub fn sort_parent_for_spasmid01(parent: &Value) -> Value {
    sort_parent(parent.clone())
}

/// spasm.js `sortTagsForSpasmid01`; `None` where spasm.js throws (a `null` tag).
pub fn sort_tags_for_spasmid01(tags: &Value) -> Option<Vec<Value>> {
    sort_tags(tags)
}

/// spasm.js `sortAuthorsForSpasmid01`, for authors and mentions.
fn sort_authors(cleaned: Option<Vec<Value>>) -> Vec<Value> {
    let Some(mut authors) = cleaned.filter(|authors| first_is_truthy(authors)) else {
        return Vec::new();
    };
    for author in &mut authors {
        clean_list(author, "addresses", &["value", "format"]);
        if let Some(usernames) = author
            .get("usernames")
            .and_then(Value::as_array)
            .filter(|list| first_is_truthy(list))
        {
            let sorted = sort_objects(Some(usernames), &["value"]);
            if let Some(map) = author.as_object_mut() {
                map.insert("usernames".into(), Value::Array(sorted));
            }
        }
    }
    let (mut with_address, rest): (Vec<Value>, Vec<Value>) = authors
        .into_iter()
        .partition(|author| has_first_value(author, "addresses"));
    let (mut with_username, others): (Vec<Value>, Vec<Value>) = rest
        .into_iter()
        .partition(|author| has_first_value(author, "usernames"));
    sort_by_first_value(&mut with_address, "addresses");
    sort_by_first_value(&mut with_username, "usernames");
    let others = sort_objects(Some(&others), &["id"]);
    with_address
        .into_iter()
        .chain(with_username)
        .chain(others)
        .collect()
}

/// spasm.js `sortMediasForSpasmid01`.
fn sort_medias(medias: &Value) -> Vec<Value> {
    let Some(medias) = medias.as_array() else {
        return Vec::new();
    };
    let mut medias = medias.clone();
    for media in &mut medias {
        for key in ["ids", "hashes", "links"] {
            clean_list(media, key, &["value"]);
        }
    }
    let (mut with_ids, rest): (Vec<Value>, Vec<Value>) = medias
        .into_iter()
        .partition(|media| has_first_value(media, "ids"));
    let (mut with_hashes, rest): (Vec<Value>, Vec<Value>) = rest
        .into_iter()
        .partition(|media| has_first_value(media, "hashes"));
    let (mut with_links, others): (Vec<Value>, Vec<Value>) = rest
        .into_iter()
        .partition(|media| has_first_value(media, "links"));
    sort_by_first_value(&mut with_ids, "ids");
    sort_by_first_value(&mut with_hashes, "hashes");
    sort_by_first_value(&mut with_links, "links");
    let others = sort_objects(Some(&others), &["id"]);
    with_ids
        .into_iter()
        .chain(with_hashes)
        .chain(with_links)
        .chain(others)
        .collect()
}

/// spasm.js `sortReferencesForSpasmid01` on references reduced to `{ids, marker}`.
fn sort_references(cleaned: Option<Vec<Value>>) -> Vec<Value> {
    let Some(mut references) = cleaned else {
        return Vec::new();
    };
    for reference in &mut references {
        clean_list(reference, "ids", &["value"]);
    }
    sort_by_first_value(&mut references, "ids");
    references
}

/// Proofs sorted by value, each proof's links reduced to `{value, marker}` and sorted.
fn sort_proofs(proofs: &Value) -> Vec<Value> {
    let mut sorted = sort_objects(as_array(proofs), &["value"]);
    for proof in &mut sorted {
        let Some(links) = proof
            .get("links")
            .and_then(Value::as_array)
            .filter(|list| first_is_truthy(list))
        else {
            continue;
        };
        let cleaned: Vec<Value> = links
            .iter()
            .map(|link| keep_keys(link, &["value", "marker"]))
            .collect();
        let links = sort_links(Some(cleaned));
        if let Some(map) = proof.as_object_mut() {
            map.insert("links".into(), links);
        }
    }
    sorted
}

/// spasm.js `sortTagsForSpasmid01`: stable sorts by element L, L-1, …, 0, which orders tags
/// lexicographically by their elements. `None` where spasm.js throws (a `null` tag).
fn sort_tags(tags: &Value) -> Option<Vec<Value>> {
    let Some(tags) = tags.as_array() else {
        return Some(vec![Value::Array(Vec::new())]);
    };
    if tags.iter().any(Value::is_null) {
        return None; // `null[key]` throws in JavaScript, so spasm.js rejects the event.
    }
    let longest = tags
        .iter()
        .filter_map(Value::as_array)
        .map(Vec::len)
        .fold(1, usize::max);
    let mut tags = tags.clone();
    for index in (0..=longest).rev() {
        tags.sort_by(|a, b| locale_compare(&tag_element(a, index), &tag_element(b, index)));
    }
    Some(tags)
}

/// `tag[index]` as the tag sort reads it: a truthy string as is, a truthy number as
/// `String()`, anything else `""`.
fn tag_element(tag: &Value, index: usize) -> String {
    let element = match tag {
        // Indexing a string yields its UTF-16 code unit at that position.
        Value::String(text) => {
            let unit = text.encode_utf16().nth(index);
            return unit
                .map(|unit| String::from_utf16_lossy(&[unit]))
                .unwrap_or_default();
        }
        other => property(other, &index.to_string()),
    };
    match element {
        Some(value @ (Value::String(_) | Value::Number(_))) if truthy(value) => {
            js_string(Some(value))
        }
        _ => String::new(),
    }
}

/// The one proof of work that counts: the first with marker `spasmid01`, replaced by a
/// later one only when both have numeric difficulties and the later is strictly larger.
/// Its `words`, when an array, are sorted.
fn spasmid_pow(pows: Option<&Value>) -> Option<Value> {
    let pows = pows
        .and_then(Value::as_array)
        .filter(|pows| first_is_truthy(pows))?;
    let mut chosen: Option<&Value> = None;
    for pow in pows {
        if !truthy(pow) || pow.get("marker") != Some(&Value::from("spasmid01")) {
            continue;
        }
        chosen = match chosen {
            None => Some(pow),
            Some(current) => {
                let difficulty = |pow: &Value| {
                    pow.get("difficulty")
                        .filter(|d| d.is_number() && truthy(d))
                        .and_then(Value::as_f64)
                };
                match (difficulty(current), difficulty(pow)) {
                    (Some(old), Some(new)) if old < new => Some(pow),
                    _ => Some(current),
                }
            }
        };
    }
    let mut pow = chosen?.clone();
    if let Some(words) = pow.get("words").and_then(Value::as_array) {
        let sorted = sort_strings_and_numbers(Some(words));
        if let Some(map) = pow.as_object_mut() {
            map.insert("words".into(), Value::Array(sorted));
        }
    }
    Some(pow)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn parses_and_displays_ids() {
        let text = "spasmid01192d1f9994bf436f50841459d0a43c0de13ef4aaa5233827bdfe2ea2bc030d6f";
        let id: SpasmId01 = text.parse().unwrap();
        assert_eq!(id.to_string(), text);
        assert!(text.to_uppercase().parse::<SpasmId01>().is_err());
        assert!("spasmid0112".parse::<SpasmId01>().is_err());
        assert!(
            text.replace("spasmid01", "spasmid02")
                .parse::<SpasmId01>()
                .is_err()
        );
    }

    #[test]
    fn only_spasm_events_v2_have_an_id() {
        assert_eq!(spasmid01(&json!({})), None);
        assert_eq!(
            spasmid01(&json!({"type": "SpasmEventBodyV2", "action": "post"})),
            None
        );
        assert_eq!(spasmid01(&json!([1])), None);
    }

    #[test]
    fn degenerate_event_hashes_an_empty_object() {
        // SPEC.md §5.3: spasmid01 + sha256("{}").
        assert_eq!(
            spasmid01(&json!({"type": "SpasmEventV2"}))
                .unwrap()
                .to_string(),
            "spasmid0144136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
        );
    }

    #[test]
    fn falsy_first_elements_make_lists_vanish() {
        let event = json!({"type": "SpasmEventV2", "keywords": ["", "a"], "hosts": [{"value": "b"}, "x", {"value": "a", "marker": null}]});
        assert_eq!(
            canonical_json(&event).unwrap(),
            r#"{"hosts":[{"value":"a","marker":null},{"value":"b"}],"keywords":[]}"#
        );
    }

    #[test]
    fn nfc_makes_composed_and_decomposed_text_equal() {
        let composed = json!({"type": "SpasmEventV2", "content": "é"});
        let decomposed = json!({"type": "SpasmEventV2", "content": "e\u{301}"});
        assert_eq!(spasmid01(&composed), spasmid01(&decomposed));
    }
}
