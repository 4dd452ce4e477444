//! `spasmid01`: the content identifier of a Spasm event (SPEC.md §6).
//!
//! `spasmid01 = "spasmid01" + hex(sha256(NFC(JSON.stringify(EventForSpasmid01))))`.
//! Everything here mirrors spasm.js 2.0.0-rc.52 byte for byte, including its
//! JavaScript truthiness and its quirks (arrays whose first element is falsy vanish from
//! sorted lists), because a different id for the same event would split a thread between
//! this server and other instances. The input is never modified.

use core::cmp::Ordering;
use core::fmt;
use core::str::FromStr;

use icu_normalizer::ComposingNormalizerBorrowed;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

mod canon;

use canon::{Canon, NULL, Node, js_string_of};

use crate::collation::locale_compare;
use crate::js_json::stringify;
use crate::js_value::{is_object_with_values, js_string, truthy};

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
    if !is_object_with_values(event) {
        return None;
    }
    reduce_object(event.as_object()?).map(|reduced| canonical_text(&reduced))
}

/// `NFC(JSON.stringify(reduced))`; NFC copies only when the text is not normalised already.
fn canonical_text(reduced: &Canon<'_>) -> String {
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
    reduce_object(event.as_object()?).map(|reduced| reduced.to_value())
}

fn reduce_object(event: &Map<String, Value>) -> Option<Canon<'_>> {
    if event.get("type").and_then(Value::as_str) != Some("SpasmEventV2") {
        return None;
    }
    let field = |key: &str| event.get(key).filter(|value| truthy(value));
    let mut out: Vec<(&str, Canon<'_>)> = Vec::with_capacity(16);

    if let Some(parent) = field("parent") {
        out.push((
            "parent",
            sort_parent(Canon::keep_keys(parent, &["ids", "marker"])),
        ));
    }
    for key in ["action", "title", "content", "timestamp"] {
        if let Some(value) = field(key) {
            out.push((key, Canon::Json(value)));
        }
    }
    if let Some(authors) = field("authors") {
        let cleaned = keep_keys_in_array(authors, &["addresses", "usernames", "marker"]);
        out.push(("authors", Canon::Array(sort_authors(cleaned))));
    }
    if let Some(tips) = field("tips") {
        // rc.52: sorted by the addresses as written, then every string value lower-cased.
        let sorted = Canon::Array(sort_objects_of(Canon::items_of(tips), &["address"]));
        let mut lowered = sorted.to_value();
        lower_case_nested_strings(&mut lowered);
        out.push(("tips", Canon::Owned(lowered)));
    }
    for key in ["hosts", "links"] {
        if let Some(value) = field(key) {
            out.push((
                key,
                sort_links(keep_keys_in_array(value, &["value", "marker"])),
            ));
        }
    }
    if let Some(keywords) = field("keywords") {
        out.push((
            "keywords",
            Canon::Array(sort_strings_and_numbers_of(Canon::items_of(keywords))),
        ));
    }
    if let Some(tags) = field("tags") {
        out.push(("tags", Canon::Array(sort_tags(tags)?)));
    }
    if let Some(medias) = field("medias") {
        out.push(("medias", Canon::Array(sort_medias(medias))));
    }
    if let Some(references) = field("references") {
        let cleaned = keep_keys_in_array(references, &["ids", "marker"]);
        out.push(("references", Canon::Array(sort_references(cleaned))));
    }
    if let Some(mentions) = field("mentions") {
        let cleaned = keep_keys_in_array(mentions, &["addresses", "usernames", "marker"]);
        out.push(("mentions", Canon::Array(sort_authors(cleaned))));
    }
    if let Some(proofs) = field("proofs") {
        out.push(("proofs", Canon::Array(sort_proofs(proofs))));
    }
    for key in ["license", "language", "extra"] {
        if let Some(value) = field(key) {
            out.push((key, Canon::Json(value)));
        }
    }
    if let Some(pow) = spasmid_pow(event.get("pows")) {
        out.push(("pows", Canon::Array(vec![pow])));
    }
    Some(Canon::Object(out))
}

/// How deep spasm.js's `executeFunctionForAllNestedValuesOfType` goes below the value it is
/// given before it throws (`SanitizationConfig`'s `maxDepth`, which the call keeps).
const MAX_LOWER_CASE_DEPTH: usize = 100;

/// spasm.js rc.52 `toLowerCaseAllNestedStrings`: every string value (not key) inside `value`
/// lower-cased with JavaScript `toLowerCase` (Unicode default case mapping, which Rust's
/// [`str::to_lowercase`] implements, final sigma included). Past [`MAX_LOWER_CASE_DEPTH`]
/// spasm.js throws and catches, leaving the rest as it was; so does this.
pub fn lower_case_nested_strings(value: &mut Value) {
    /// `false` once the depth limit was passed: the walk stops everywhere.
    fn walk(value: &mut Value, depth: usize) -> bool {
        if depth > MAX_LOWER_CASE_DEPTH {
            return false;
        }
        let children: Box<dyn Iterator<Item = &mut Value>> = match value {
            Value::Array(items) => Box::new(items.iter_mut()),
            Value::Object(map) => Box::new(map.values_mut()),
            _ => return true,
        };
        for child in children {
            // An empty list is still entered (and counts against the depth), an empty
            // object is not (`isObjectWithValues`).
            let enter = match child {
                Value::String(text) => {
                    *text = text.to_lowercase();
                    false
                }
                Value::Array(_) => true,
                Value::Object(map) => !map.is_empty(),
                _ => false,
            };
            if enter && !walk(child, depth + 1) {
                return false;
            }
        }
        true
    }
    walk(value, 0);
}

/// spasm.js `keepTheseKeysInObjectsInArray`: [`Canon::keep_keys`] for each element; `None`
/// when `value` is not an array (spasm.js returns `null`).
fn keep_keys_in_array<'a>(value: &'a Value, keys: &[&'a str]) -> Option<Vec<Canon<'a>>> {
    value.as_array().map(|items| {
        items
            .iter()
            .map(|item| Canon::keep_keys(item, keys))
            .collect()
    })
}

/// `Array.isArray(x) && x[0]` (truthy first element).
fn first_is_truthy(items: &[Canon<'_>]) -> bool {
    items.first().is_some_and(|first| first.node().truthy())
}

fn owned(items: Vec<Canon<'_>>) -> Vec<Value> {
    items.iter().map(Canon::to_value).collect()
}

fn items_of_slice(items: Option<&[Value]>) -> Option<Vec<Canon<'_>>> {
    items.map(|items| items.iter().map(Canon::Json).collect())
}

/// spasm.js `sortArrayOfStringsAndNumbers`: strings and numbers in collation order of
/// `String(x)`, then everything else in its original order; `[]` when the first element
/// is falsy.
pub fn sort_strings_and_numbers(items: Option<&[Value]>) -> Vec<Value> {
    owned(sort_strings_and_numbers_of(items_of_slice(items)))
}

fn sort_strings_and_numbers_of(items: Option<Vec<Canon<'_>>>) -> Vec<Canon<'_>> {
    let Some(items) = items.filter(|items| first_is_truthy(items)) else {
        return Vec::new();
    };
    let (mut valid, invalid): (Vec<Canon<'_>>, Vec<Canon<'_>>) = items
        .into_iter()
        .partition(|item| matches!(item, Canon::Json(Value::String(_) | Value::Number(_))));
    valid.sort_by(|a, b| locale_compare(&a.node().js_string(), &b.node().js_string()));
    valid.extend(invalid);
    valid
}

/// spasm.js `sortArrayOfObjects(objects, keys)`: objects with a truthy string or number
/// under one of `keys` sorted by `String(object[key])` key after key; the rest through
/// [`sort_strings_and_numbers`]. `[]` when the first element is falsy.
pub fn sort_objects(items: Option<&[Value]>, keys: &[&str]) -> Vec<Value> {
    owned(sort_objects_of(items_of_slice(items), keys))
}

fn sort_objects_of<'a>(items: Option<Vec<Canon<'a>>>, keys: &[&str]) -> Vec<Canon<'a>> {
    let Some(items) = items.filter(|items| first_is_truthy(items)) else {
        return Vec::new();
    };
    let (mut valid, invalid): (Vec<Canon<'a>>, Vec<Canon<'a>>) =
        items.into_iter().partition(|item| {
            let item = item.node();
            item.is_object()
                && keys
                    .iter()
                    .any(|key| item.get(key).is_some_and(Node::is_truthy_string_or_number))
        });
    if valid.len() > 1 {
        valid.sort_by(|a, b| {
            keys.iter()
                .map(|key| {
                    locale_compare(
                        &js_string_of(a.node().get(key)),
                        &js_string_of(b.node().get(key)),
                    )
                })
                .find(|ordering| ordering.is_ne())
                .unwrap_or(Ordering::Equal)
        });
    }
    valid.extend(sort_strings_and_numbers_of(Some(invalid)));
    valid
}

/// spasm.js `sortArrayOfObjectsByKeyValue`: by `String(object[key][0].value)` when that is
/// a truthy string or number, else `""`.
fn sort_by_first_value(items: &mut [Canon<'_>], key: &str) {
    if items.len() < 2 {
        return;
    }
    let first_value = |item: &Canon<'_>| {
        item.node()
            .get(key)
            .and_then(|list| match list {
                // `list[0]`: an object has no property "0" here, a string's is its first unit.
                Node::Json(value) => value.get(0).map(Node::Json),
                built => built.first(),
            })
            .and_then(|first| first.get("value"))
            .filter(|value| value.is_truthy_string_or_number())
            .map(Node::js_string)
            .unwrap_or_default()
            .into_owned()
    };
    items.sort_by_cached_key(|item| CollationKey(first_value(item)));
}

/// A string ordered as `localeCompare` orders it, to sort by keys computed once.
#[derive(PartialEq, Eq)]
struct CollationKey(String);

impl PartialOrd for CollationKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for CollationKey {
    fn cmp(&self, other: &Self) -> Ordering {
        locale_compare(&self.0, &other.0)
    }
}

/// Whether `item[key][0].value` is a truthy string or number.
fn has_first_value(item: &Canon<'_>, key: &str) -> bool {
    item.node()
        .get(key)
        .and_then(Node::first)
        .filter(|first| first.truthy())
        .and_then(|first| first.get("value"))
        .is_some_and(Node::is_truthy_string_or_number)
}

/// Reduces each element of `item[key]` to `keys` and sorts it by value, when `item[key]` is
/// an array with a truthy first element (spasm.js does this in place).
fn clean_list<'a>(item: &mut Canon<'a>, key: &'a str, keys: &[&'a str]) {
    let Some(list) = input_list(item.node().get(key)) else {
        return;
    };
    let cleaned = list
        .iter()
        .map(|entry| Canon::keep_keys(entry, keys))
        .collect();
    item.set(
        key,
        Canon::Array(sort_objects_of(Some(cleaned), &["value"])),
    );
}

/// `x[key]` when it is a list of the input with a truthy first element: the lists that
/// spasm.js reduces and sorts are always still the input's own when it reaches them.
fn input_list<'a>(list: Option<Node<'_, 'a>>) -> Option<&'a [Value]> {
    match list? {
        Node::Json(Value::Array(items)) if items.first().is_some_and(truthy) => Some(items),
        _ => None,
    }
}

fn sort_parent(mut parent: Canon<'_>) -> Canon<'_> {
    clean_list(&mut parent, "ids", &["value"]);
    parent
}

/// spasm.js `sortHostsForSpasmid01` on already reduced hosts or links: returned unchanged
/// (also `null`) unless it is an array with a truthy first element.
fn sort_links(cleaned: Option<Vec<Canon<'_>>>) -> Canon<'_> {
    match cleaned {
        Some(list) if first_is_truthy(&list) => {
            Canon::Array(sort_objects_of(Some(list), &["value"]))
        }
        Some(list) => Canon::Array(list),
        None => Canon::Json(&NULL),
    }
}

/// spasm.js `sortAuthorsForSpasmEventV2` (`sortAuthorsForSpasmid01`): each author's
/// addresses reduced to `{value, format}` and sorted, usernames sorted, then authors with an
/// address, with a username, and the rest.
pub fn sort_authors_for_spasmid01(authors: &Value) -> Vec<Value> {
    owned(sort_authors(Canon::items_of(authors)))
}

/// spasm.js `sortMediasForSpasmid01`.
pub fn sort_medias_for_spasmid01(medias: &Value) -> Vec<Value> {
    owned(sort_medias(medias))
}

/// spasm.js `sortReferencesForSpasmid01` (references as given, not reduced).
pub fn sort_references_for_spasmid01(references: &Value) -> Vec<Value> {
    owned(sort_references(Canon::items_of(references)))
}

/// spasm.js `sortParentForSpasmid01`: the parent's ids reduced to `{value}` and sorted.
pub fn sort_parent_for_spasmid01(parent: &Value) -> Value {
    sort_parent(Canon::Json(parent)).to_value()
}

/// spasm.js `sortTagsForSpasmid01`; `None` where spasm.js throws (a `null` tag).
pub fn sort_tags_for_spasmid01(tags: &Value) -> Option<Vec<Value>> {
    sort_tags(tags).map(owned)
}

/// spasm.js `sortAuthorsForSpasmid01`, for authors and mentions.
fn sort_authors(cleaned: Option<Vec<Canon<'_>>>) -> Vec<Canon<'_>> {
    let Some(mut authors) = cleaned.filter(|authors| first_is_truthy(authors)) else {
        return Vec::new();
    };
    for author in &mut authors {
        clean_list(author, "addresses", &["value", "format"]);
        if let Some(usernames) = input_list(author.node().get("usernames")) {
            let usernames = usernames.iter().map(Canon::Json).collect();
            let sorted = sort_objects_of(Some(usernames), &["value"]);
            author.set("usernames", Canon::Array(sorted));
        }
    }
    let (mut with_address, rest): (Vec<Canon<'_>>, Vec<Canon<'_>>) = authors
        .into_iter()
        .partition(|author| has_first_value(author, "addresses"));
    let (mut with_username, others): (Vec<Canon<'_>>, Vec<Canon<'_>>) = rest
        .into_iter()
        .partition(|author| has_first_value(author, "usernames"));
    sort_by_first_value(&mut with_address, "addresses");
    sort_by_first_value(&mut with_username, "usernames");
    with_address.extend(with_username);
    with_address.extend(sort_objects_of(Some(others), &["id"]));
    with_address
}

/// spasm.js `sortMediasForSpasmid01`.
fn sort_medias(medias: &Value) -> Vec<Canon<'_>> {
    let Some(mut medias) = Canon::items_of(medias) else {
        return Vec::new();
    };
    for media in &mut medias {
        for key in ["ids", "hashes", "links"] {
            clean_list(media, key, &["value"]);
        }
    }
    let (mut with_ids, rest): (Vec<Canon<'_>>, Vec<Canon<'_>>) = medias
        .into_iter()
        .partition(|media| has_first_value(media, "ids"));
    let (mut with_hashes, rest): (Vec<Canon<'_>>, Vec<Canon<'_>>) = rest
        .into_iter()
        .partition(|media| has_first_value(media, "hashes"));
    let (mut with_links, others): (Vec<Canon<'_>>, Vec<Canon<'_>>) = rest
        .into_iter()
        .partition(|media| has_first_value(media, "links"));
    sort_by_first_value(&mut with_ids, "ids");
    sort_by_first_value(&mut with_hashes, "hashes");
    sort_by_first_value(&mut with_links, "links");
    with_ids.extend(with_hashes);
    with_ids.extend(with_links);
    with_ids.extend(sort_objects_of(Some(others), &["id"]));
    with_ids
}

/// spasm.js `sortReferencesForSpasmid01` on references reduced to `{ids, marker}`.
fn sort_references(cleaned: Option<Vec<Canon<'_>>>) -> Vec<Canon<'_>> {
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
fn sort_proofs(proofs: &Value) -> Vec<Canon<'_>> {
    let mut sorted = sort_objects_of(Canon::items_of(proofs), &["value"]);
    for proof in &mut sorted {
        if let Some(links) = input_list(proof.node().get("links")) {
            let cleaned = links
                .iter()
                .map(|link| Canon::keep_keys(link, &["value", "marker"]))
                .collect();
            proof.set("links", sort_links(Some(cleaned)));
        }
    }
    sorted
}

/// spasm.js `sortTagsForSpasmid01`: stable sorts by element L, L-1, …, 0, which orders tags
/// lexicographically by their elements. `None` where spasm.js throws (a `null` tag).
fn sort_tags(tags: &Value) -> Option<Vec<Canon<'_>>> {
    let Some(tags) = tags.as_array() else {
        return Some(vec![Canon::Array(Vec::new())]);
    };
    if tags.iter().any(Value::is_null) {
        return None; // `null[key]` throws in JavaScript, so spasm.js rejects the event.
    }
    let longest = tags
        .iter()
        .filter_map(Value::as_array)
        .map(Vec::len)
        .fold(1, usize::max);
    let mut order: Vec<usize> = (0..tags.len()).collect();
    if tags.len() > 1 {
        // spasm.js sorts the whole list once per position, from the last (`longest`) to the
        // first, each sort stable: that is one stable sort by the sequence of elements
        // compared position by position, which costs O(n log n) comparisons instead of
        // O(longest · n log n). Elements are ranked once in collation order, so a
        // comparison of two tags compares integers.
        let keys = TagKeys::of(tags, longest);
        order.sort_by(|a, b| keys.compare(*a, *b));
    }
    Some(
        order
            .into_iter()
            .map(|index| Canon::Json(&tags[index]))
            .collect(),
    )
}

/// Every tag's elements as collation ranks, sparse: `(position, rank)` for the positions
/// whose element does not collate equal to `""`, which is what every missing or non-string
/// element reads as.
struct TagKeys {
    tags: Vec<Vec<(usize, u32)>>,
}

impl TagKeys {
    fn of(tags: &[Value], longest: usize) -> Self {
        let elements: Vec<Vec<(usize, String)>> =
            tags.iter().map(|tag| tag_elements(tag, longest)).collect();
        let mut distinct: Vec<&str> = elements
            .iter()
            .flatten()
            .map(|(_, text)| text.as_str())
            .collect();
        distinct.push("");
        distinct.sort_unstable();
        distinct.dedup();
        distinct.sort_by(|a, b| locale_compare(a, b));
        // Equal under collation, equal rank.
        let mut ranks = std::collections::HashMap::with_capacity(distinct.len());
        let mut rank = 0u32;
        for (index, text) in distinct.iter().enumerate() {
            if index > 0 && locale_compare(distinct[index - 1], text) != Ordering::Equal {
                rank += 1;
            }
            ranks.insert(*text, rank);
        }
        let empty = ranks.get("").copied().unwrap_or_default();
        let tags = elements
            .iter()
            .map(|tag| {
                tag.iter()
                    .map(|(position, text)| {
                        (
                            *position,
                            ranks.get(text.as_str()).copied().unwrap_or(empty),
                        )
                    })
                    .filter(|(_, rank)| *rank != empty)
                    .collect()
            })
            .collect();
        Self { tags }
    }

    /// Tags compared position by position, a missing position reading as `""` (the lowest
    /// rank but for what collates equal to it, which was dropped).
    fn compare(&self, a: usize, b: usize) -> Ordering {
        let (mut a, mut b) = (
            self.tags[a].iter().peekable(),
            self.tags[b].iter().peekable(),
        );
        loop {
            return match (a.peek(), b.peek()) {
                (None, None) => Ordering::Equal,
                (Some(_), None) => Ordering::Greater,
                (None, Some(_)) => Ordering::Less,
                (Some((position_a, rank_a)), Some((position_b, rank_b))) => {
                    match position_a.cmp(position_b) {
                        // `a` has an element where `b` reads `""`.
                        Ordering::Less => Ordering::Greater,
                        Ordering::Greater => Ordering::Less,
                        Ordering::Equal => match rank_a.cmp(rank_b) {
                            Ordering::Equal => {
                                a.next();
                                b.next();
                                continue;
                            }
                            unequal => unequal,
                        },
                    }
                }
            };
        }
    }
}

/// The elements of a tag that the sort reads (positions `0..=longest`), as
/// [`tag_element`] reads each, leaving out those that read as `""`.
fn tag_elements(tag: &Value, longest: usize) -> Vec<(usize, String)> {
    let elements: Vec<(usize, String)> = match tag {
        Value::String(text) => text
            .encode_utf16()
            .take(longest + 1)
            .enumerate()
            .map(|(position, unit)| (position, String::from_utf16_lossy(&[unit])))
            .collect(),
        Value::Array(items) => items
            .iter()
            .take(longest + 1)
            .enumerate()
            .map(|(position, item)| (position, element_text(Some(item))))
            .collect(),
        Value::Object(map) => {
            let mut elements: Vec<(usize, String)> = map
                .iter()
                .filter_map(|(key, value)| {
                    // Only canonical array-index keys ("0", "12", not "012").
                    let position = key.parse::<usize>().ok()?;
                    (position.to_string() == *key && position <= longest)
                        .then(|| (position, element_text(Some(value))))
                })
                .collect();
            elements.sort_by_key(|(position, _)| *position);
            elements
        }
        _ => Vec::new(),
    };
    elements
        .into_iter()
        .filter(|(_, text)| !text.is_empty())
        .collect()
}

/// `tag[index]` as the tag sort reads it: a truthy string as is, a truthy number as
/// `String()`, anything else `""`.
#[cfg(test)]
fn tag_element(tag: &Value, index: usize) -> String {
    let element = match tag {
        // Indexing a string yields its UTF-16 code unit at that position.
        Value::String(text) => {
            let unit = text.encode_utf16().nth(index);
            return unit
                .map(|unit| String::from_utf16_lossy(&[unit]))
                .unwrap_or_default();
        }
        Value::Array(items) => items.get(index),
        Value::Object(map) => map.get(&index.to_string()),
        _ => None,
    };
    element_text(element)
}

/// A tag element as the sort reads it: a truthy string as is, a truthy number as
/// `String()`, anything else `""`.
fn element_text(element: Option<&Value>) -> String {
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
fn spasmid_pow(pows: Option<&Value>) -> Option<Canon<'_>> {
    let pows = pows
        .and_then(Value::as_array)
        .filter(|pows| pows.first().is_some_and(truthy))?;
    let mut chosen: Option<&Value> = None;
    for pow in pows {
        if !truthy(pow) || pow.get("marker").and_then(Value::as_str) != Some("spasmid01") {
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
    let chosen = chosen?;
    let mut pow = Canon::Json(chosen);
    if let Some(words) = chosen.get("words").and_then(Canon::items_of) {
        pow.set(
            "words",
            Canon::Array(sort_strings_and_numbers_of(Some(words))),
        );
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

    /// The algorithm spasm.js runs (and this crate ran before): a stable sort of the whole
    /// list per position, from the last to the first. Quadratic in the longest tag.
    fn sort_tags_one_position_at_a_time(tags: &[Value]) -> Vec<Value> {
        let longest = tags
            .iter()
            .filter_map(Value::as_array)
            .map(Vec::len)
            .fold(1, usize::max);
        let mut tags: Vec<&Value> = tags.iter().collect();
        if tags.len() > 1 {
            for index in (0..=longest).rev() {
                tags.sort_by_cached_key(|tag| CollationKey(tag_element(tag, index)));
            }
        }
        tags.into_iter().cloned().collect()
    }

    fn element() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        prop_oneof![
            6 => prop::sample::select(vec![
                "", "a", "A", "b", "B", "ä", "a b", "a-b", "ab", "10", "9", "_x", "e", "p",
                // Collates equal to "" (ignorable), and to "a" at primary strength only.
                "\u{200b}", "a\u{200b}", "á",
            ])
            .prop_map(Value::from),
            2 => prop::sample::select(vec![0.0, 1.0, 10.0, 2.5, -3.0]).prop_map(Value::from),
            1 => Just(Value::Bool(true)),
            1 => Just(Value::Null),
            1 => Just(json!([])),
        ]
    }

    fn tag() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        prop_oneof![
            8 => prop::collection::vec(element(), 0..7).prop_map(Value::Array),
            1 => prop::sample::select(vec!["ab", "e", "", "pé"]).prop_map(Value::from),
            1 => Just(json!({"0": "e", "1": "x", "01": "z"})),
            1 => Just(json!(7)),
        ]
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2_000))]

        /// One lexicographic sort gives exactly the order of spasm.js's sort per position.
        #[test]
        fn one_sort_orders_tags_as_spasm_js_does(
            tags in proptest::collection::vec(tag(), 0..14)
        ) {
            let expected = sort_tags_one_position_at_a_time(&tags);
            let sorted = sort_tags_for_spasmid01(&Value::Array(tags)).unwrap();
            proptest::prop_assert_eq!(sorted, expected);
        }
    }

    #[test]
    fn a_long_tag_sorts_after_its_prefixes() {
        // The shape of `c23-tag-sort-5000x5000.json` (its cost is in `benches/verify.rs`).
        let mut tags = vec![Value::Array(vec![Value::from("a"); 5_000])];
        tags.extend((0..5_000).map(|_| json!(["a"])));
        let sorted = sort_tags_for_spasmid01(&Value::Array(tags)).unwrap();
        assert_eq!(
            sorted.last().and_then(Value::as_array).map(Vec::len),
            Some(5_000)
        );
    }
}
