//! Nostr events, with or without Spasm tags → `SpasmEventV2` (SPEC.md §5.5–5.6, §8.2).

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::json::{format_named, object, value_with_format};
use super::{ConvertError, Signers};
use crate::formats::format_of_value;
use crate::identify::has_extra_spasm_fields;
use crate::js_value::{has_value, js_array_index, js_number, number_value, truthy};
use crate::nostr::nip19::to_hex_lenient;
use crate::nostr::verify_nostr_event;

/// spasm.js `getOriginalFromValueAndMethod`: restores a value from a `tags_mapping` record.
pub fn decode_mapped_value(value: &str, method: &str, original: &str) -> Option<String> {
    if value.is_empty() || method.is_empty() {
        return None;
    }
    // `text[from..to]` counted in characters, without copying the text.
    fn slice(text: &str, from: usize, to: usize) -> Option<&str> {
        let start = text.char_indices().nth(from).map(|(index, _)| index)?;
        let end = text
            .char_indices()
            .nth(to)
            .map_or(text.len(), |(index, _)| index);
        (text.chars().count() >= to).then(|| &text[start..end])
    }
    let skip = |count: usize| {
        value
            .char_indices()
            .nth(count)
            .map_or("", |(index, _)| &value[index..])
    };
    match method {
        "full" => Some(value.to_string()),
        "hex_to_spasmid01_1" => Some(format!("spasmid01{value}")),
        "slice064" => (slice(original, 0, 64)? == value).then(|| original.to_string()),
        "slice266" => (slice(original, 2, 66)? == value).then(|| original.to_string()),
        "hex_to_eth_pub_1" => Some(format!("0x{}", value.chars().take(40).collect::<String>())),
        "slice.13" => Some(skip(13).to_string()),
        "slice.19" => Some(skip(19).to_string()),
        "sha256" => (hex::encode(Sha256::digest(original.as_bytes())) == value)
            .then(|| original.to_string()),
        _ => None,
    }
}

/// The strings of a tag, when every element is a string.
fn string_tag(tag: &Value) -> Option<Vec<&str>> {
    tag.as_array()?.iter().map(Value::as_str).collect()
}

/// Every `tags_mapping` record for a tag (`M[2] == T[0]`, `M[3] == T[1]`), in order; `None`
/// when there is none. rc.52 applies each one (spasm.js `getTagMappedDetails`): duplicate
/// parent ids and addresses shared by two people have a record each.
fn mappings_for<'a>(tags: &'a [Value], tag: &[&str]) -> Option<Vec<&'a Vec<Value>>> {
    let (name, value) = (tag.first()?, tag.get(1)?);
    if name.is_empty() || value.is_empty() {
        return None;
    }
    let records: Vec<&Vec<Value>> = tags
        .iter()
        .filter_map(Value::as_array)
        .filter(|record| {
            record.first().and_then(Value::as_str) == Some("tags_mapping")
                && record.get(2).and_then(Value::as_str) == Some(name)
                && record.get(3).and_then(Value::as_str) == Some(value)
        })
        .collect();
    (!records.is_empty()).then_some(records)
}

/// A mapping record's fields as strings (all must be strings).
fn record_strings(record: &[Value]) -> Option<Vec<&str>> {
    record.iter().map(Value::as_str).collect()
}

/// The largest index a `tags_mapping` record may place a value at. spasm.js has none; a
/// bound keeps a hostile record from allocating much.
const MAX_MAPPED_INDEX: usize = 1_000;

/// How many values `tags_mapping` records may restore in one event, and how many hosts
/// they may list in all. rc.52 applies every record that matches a tag, so a thousand tags
/// sharing a thousand records would make a million values; an honest event restores one
/// per mapped tag.
const MAX_MAPPED_VALUES: usize = 5_000;
const MAX_MAPPED_HOSTS: usize = 20_000;

/// What the mapping records of one event have restored so far, against the bounds.
#[derive(Default)]
struct MappingBudget {
    values: usize,
    hosts: usize,
}

impl MappingBudget {
    /// Counts one restored value; refuses the event past the bounds.
    fn spend(&mut self, record: &[&str]) -> Result<(), ConvertError> {
        self.values += 1;
        self.hosts += record
            .get(13)
            .filter(|hosts| !hosts.is_empty())
            .map_or(0, |hosts| hosts.split(',').count());
        if self.values > MAX_MAPPED_VALUES || self.hosts > MAX_MAPPED_HOSTS {
            return Err(ConvertError::Malformed(
                "tags_mapping (more records than any event needs)",
            ));
        }
        Ok(())
    }
}

/// An index-addressed, possibly sparse list.
#[derive(Default)]
struct Sparse(Vec<Option<Value>>);

impl Sparse {
    /// `list[outer][key][inner] = value`, creating entries as needed. An index that is no
    /// array index (`1.5`) names a plain property in JavaScript, which no list shows: at
    /// `outer` nothing happens, at `inner` the entry is still created.
    fn place(&mut self, outer: Option<usize>, key: &str, inner: Option<usize>, value: Value) {
        let Some(outer) = outer else { return };
        // Indices come from the event; bound them so a hostile tag cannot allocate much.
        if outer > MAX_MAPPED_INDEX || inner.is_some_and(|inner| inner > MAX_MAPPED_INDEX) {
            return;
        }
        if self.0.len() <= outer {
            self.0.resize(outer + 1, None);
        }
        let entry = self.0[outer].get_or_insert_with(|| object([(key, Value::Array(Vec::new()))]));
        if let (Some(Value::Array(list)), Some(inner)) = (entry.get_mut(key), inner) {
            if list.len() <= inner {
                list.resize(inner + 1, Value::Null);
            }
            list[inner] = value;
        }
    }

    fn into_values(self) -> impl Iterator<Item = Value> {
        self.0.into_iter().flatten()
    }
}

/// An id or address restored from a mapping record `m` (already checked to be strings).
fn restored_value(m: &[&str], original: String, tag: &[&str], with_pubkey: bool) -> Value {
    let mut out = Map::new();
    let value = Value::from(original);
    let mut format = format_of_value(&value).map(|format| format.to_json());
    out.insert("value".into(), value);
    if let Some(name) = m.get(10).filter(|name| !name.is_empty()) {
        let format = format.get_or_insert_with(|| Value::Object(Map::new()));
        format["name"] = Value::from(*name);
    }
    if let (Some(version), Some(format)) = (
        m.get(11).filter(|version| !version.is_empty()),
        format.as_mut(),
    ) {
        format["version"] = Value::from(*version);
    }
    if let Some(format) = format {
        out.insert("format".into(), format);
    }
    if let Some(marker) = m.get(12).filter(|marker| !marker.is_empty()) {
        out.insert("marker".into(), Value::from(*marker));
    }
    if with_pubkey {
        let pubkey = match (
            tag.get(4).filter(|p| !p.is_empty()),
            m.get(14).filter(|method| !method.is_empty()),
        ) {
            (Some(pubkey), Some(method)) => {
                decode_mapped_value(pubkey, method, m.get(15).copied().unwrap_or_default())
            }
            _ => None,
        };
        if let Some(pubkey) = pubkey {
            out.insert("pubkey".into(), Value::from(pubkey));
        }
    }
    if let Some(hosts) = m.get(13).filter(|hosts| !hosts.is_empty()) {
        let hosts = hosts
            .split(',')
            .map(|host| object([("value", Value::from(host))]))
            .collect();
        out.insert("hosts".into(), Value::Array(hosts));
    }
    Value::Object(out)
}

/// A mapping record that passes the structural checks for `algorithm`.
fn valid_record<'a>(record: &'a [Value], algorithm: &str) -> Option<Vec<&'a str>> {
    let m = record_strings(record)?;
    (m.get(1) == Some(&algorithm) && m.get(4) == Some(&"se2")).then_some(m)
}

/// A `tags_mapping` record of `algorithm`, decoded: its fields, the restored value, and the
/// two indices it places the value at. `None` when the record is not valid (spasm.js then
/// ignores the tag entirely).
struct MappedRecord<'a> {
    fields: Vec<&'a str>,
    original: String,
    /// `None`: a number that is no array index.
    outer: Option<usize>,
    inner: Option<usize>,
}

impl<'a> MappedRecord<'a> {
    fn decode(record: &'a [Value], algorithm: &str) -> Option<Self> {
        let fields = valid_record(record, algorithm)?;
        let field = |n: usize| fields.get(n).copied().unwrap_or_default();
        let original = decode_mapped_value(field(3), field(8), field(9))?;
        // `Number(record[n]) >= 0`: a missing field is `undefined` (NaN), an empty one 0.
        let index = |n: usize| {
            let field = fields.get(n).map(|text| Value::from(*text));
            (js_number(field.as_ref()) >= 0.0).then(|| js_array_index(field.as_ref()))
        };
        let outer = index(6)?;
        let inner = index(7)?;
        Some(Self {
            fields,
            original,
            outer,
            inner,
        })
    }

    fn path(&self) -> &str {
        self.fields.get(5).copied().unwrap_or_default()
    }
}

#[derive(Default)]
struct TagScan {
    roots_mapped: Sparse,
    parents_mapped: Sparse,
    references_mapped: Sparse,
    mentions_mapped: Sparse,
    roots: Vec<Value>,
    parents: Vec<Value>,
    references: Vec<Value>,
    mentions: Vec<Value>,
    keywords: Vec<Value>,
    /// Authors restored from `O` tags: (author index, address index, address); the address
    /// index is `None` when it is a number but no array index (the author is still made).
    authors: Vec<(usize, Option<usize>, Value)>,
    /// `spasm_custom_schema` tags, whole and in order (rc.52 copies them into `tags`).
    custom_schemas: Vec<Value>,
    reply: bool,
}

/// `tag[index]` when it is a non-empty string: the guard spasm.js puts on every tag element
/// it reads (`tag[i] && typeof(tag[i]) === "string"`).
fn text_at(tag: &[Value], index: usize) -> Option<&str> {
    tag.get(index)
        .and_then(Value::as_str)
        .filter(|text| !text.is_empty())
}

/// spasm.js `standardizeNostrEventV2`'s tag scan. Each tag it maps (`e`, `p`, `O`, `t`,
/// `r`) is read only when its value `tag[1]` is a non-empty string, and each optional
/// element (relay, marker, pubkey) only when it is one too; a tag is looked up in the
/// `tags_mapping` records only when all its elements are strings (`getTagMappedDetails`).
fn scan_tags(tags: &[Value]) -> Result<TagScan, ConvertError> {
    let mut scan = TagScan::default();
    let mut budget = MappingBudget::default();
    for tag_value in tags {
        let Some(tag) = tag_value.as_array() else {
            continue;
        };
        let name = tag.first().and_then(Value::as_str).unwrap_or_default();
        if name == "spasm_custom_schema" {
            scan.custom_schemas.push(tag_value.clone());
            continue;
        }
        if !matches!(name, "e" | "p" | "O" | "t" | "r") {
            continue;
        }
        let Some(value) = text_at(tag, 1) else {
            continue;
        };
        let strings = string_tag(tag_value);
        let mapping = strings
            .as_deref()
            .and_then(|strings| Some((strings, mappings_for(tags, strings)?)));
        match (name, mapping) {
            ("e", Some((strings, records))) => {
                for record in records {
                    let Some(mapped) = MappedRecord::decode(record, "spasm_id_1") else {
                        continue;
                    };
                    budget.spend(&mapped.fields)?;
                    let (outer, inner) = (mapped.outer, mapped.inner);
                    let path = mapped.path().to_string();
                    let id = restored_value(&mapped.fields, mapped.original, strings, true);
                    let list = match path.as_str() {
                        "parent.ids" => &mut scan.parents_mapped,
                        "root.ids" => &mut scan.roots_mapped,
                        "references.ids" => &mut scan.references_mapped,
                        _ => continue,
                    };
                    list.place(outer, "ids", inner, id);
                }
            }
            ("e", None) => {
                let mut id = Map::new();
                id.insert("value".into(), Value::from(to_hex_lenient(value)));
                if let Some(format) = format_of_value(&Value::from(value)) {
                    id.insert("format".into(), format.to_json());
                }
                if let Some(pubkey) = text_at(tag, 4) {
                    id.insert("pubkey".into(), Value::from(pubkey));
                }
                if let Some(relay) = text_at(tag, 2) {
                    id.insert(
                        "hosts".into(),
                        Value::Array(vec![object([("value", Value::from(relay))])]),
                    );
                }
                let reference = object([("ids", Value::Array(vec![Value::Object(id)]))]);
                match text_at(tag, 3) {
                    Some("root") => {
                        scan.reply = true;
                        scan.roots.push(reference);
                    }
                    Some("reply") => {
                        scan.reply = true;
                        scan.parents.push(reference);
                    }
                    Some("mention") | None => scan.references.push(reference),
                    // Another marker: spasm.js drops the reference.
                    Some(_) => {}
                }
            }
            ("p", Some((strings, records))) => {
                for record in records {
                    let Some(mapped) = MappedRecord::decode(record, "spasm_add_1") else {
                        continue;
                    };
                    budget.spend(&mapped.fields)?;
                    if mapped.path() == "mentions.addresses" {
                        let (outer, inner) = (mapped.outer, mapped.inner);
                        let address =
                            restored_value(&mapped.fields, mapped.original, strings, false);
                        scan.mentions_mapped
                            .place(outer, "addresses", inner, address);
                    }
                }
            }
            ("p", None) => {
                let mut address = Map::new();
                address.insert("value".into(), Value::from(to_hex_lenient(value)));
                if let Some(format) = format_of_value(&Value::from(value)) {
                    address.insert("format".into(), format.to_json());
                }
                if let Some(relay) = text_at(tag, 2) {
                    address.insert(
                        "hosts".into(),
                        Value::Array(vec![object([("value", Value::from(relay))])]),
                    );
                }
                let mut author = Map::new();
                author.insert(
                    "addresses".into(),
                    Value::Array(vec![Value::Object(address)]),
                );
                if let Some(marker) = text_at(tag, 3) {
                    author.insert("marker".into(), Value::from(marker));
                }
                scan.mentions.push(Value::Object(author));
            }
            ("O", Some((strings, records))) => {
                for record in records {
                    let Some(mapped) = MappedRecord::decode(record, "spasm_aadd_1") else {
                        continue;
                    };
                    budget.spend(&mapped.fields)?;
                    let (Some(outer), inner) = (mapped.outer, mapped.inner) else {
                        continue;
                    };
                    let bounded = outer <= MAX_MAPPED_INDEX
                        && inner.is_none_or(|inner| inner <= MAX_MAPPED_INDEX);
                    if mapped.path() == "authors.addresses" && bounded {
                        let address =
                            restored_value(&mapped.fields, mapped.original, strings, false);
                        scan.authors.push((outer, inner, address));
                    }
                }
            }
            // Keywords are read whether or not the tag is mapped.
            ("t", _) => scan.keywords.push(Value::from(value)),
            ("r", None) => scan.references.push(object([(
                "ids",
                Value::Array(vec![value_with_format(Value::from(value))]),
            )])),
            _ => {}
        }
    }
    Ok(scan)
}

/// A plain Nostr event (signed or not) → `SpasmEventV2`, without verification. Errors:
/// `tags_mapping` records beyond what any event needs.
pub(super) fn convert_unsigned(event: &Value) -> Result<Map<String, Value>, ConvertError> {
    let mut out = Map::new();
    out.insert("type".into(), Value::from("SpasmEventV2"));
    out.insert(
        "content".into(),
        event.get("content").cloned().unwrap_or(Value::Null),
    );
    out.insert(
        "timestamp".into(),
        event.get("created_at").cloned().unwrap_or(Value::Null),
    );
    let pubkey = event
        .get("pubkey")
        .and_then(Value::as_str)
        .map(to_hex_lenient)
        .unwrap_or_default();
    let address = object([
        ("value", Value::from(pubkey)),
        ("format", format_named("nostr-hex")),
    ]);
    out.insert(
        "authors".into(),
        Value::Array(vec![object([("addresses", Value::Array(vec![address]))])]),
    );
    let mut sibling = Map::new();
    sibling.insert("type".into(), Value::from("SiblingNostrV2"));
    sibling.insert("originalObject".into(), event.clone());
    sibling.insert("protocol".into(), object([("name", Value::from("nostr"))]));
    if let Some(id) = event
        .get("id")
        .and_then(Value::as_str)
        .filter(|id| !id.is_empty())
    {
        let ids = Value::Array(vec![object([
            ("value", Value::from(to_hex_lenient(id))),
            ("format", format_named("nostr-hex")),
        ])]);
        out.insert("ids".into(), ids.clone());
        sibling.insert("ids".into(), ids);
    }
    out.insert(
        "siblings".into(),
        Value::Array(vec![Value::Object(sibling)]),
    );

    let tags = event
        .get("tags")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let scan = scan_tags(tags)?;
    if scan.reply {
        out.insert("action".into(), Value::from("reply"));
    }
    for (author_index, address_index, address) in scan.authors {
        let authors = out
            .entry("authors")
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(authors) = authors {
            if authors.len() <= author_index {
                authors.resize(author_index + 1, Value::Null);
            }
            if !authors[author_index].is_object() {
                authors[author_index] = object([("addresses", Value::Array(Vec::new()))]);
            }
            if let (Some(Value::Array(addresses)), Some(address_index)) =
                (authors[author_index].get_mut("addresses"), address_index)
            {
                if addresses.len() <= address_index {
                    addresses.resize(address_index + 1, Value::Null);
                }
                addresses[address_index] = address;
            }
        }
    }
    let compact = |mapped: Sparse, unmapped: Vec<Value>| -> Vec<Value> {
        mapped
            .into_values()
            .chain(unmapped)
            .filter(truthy)
            .collect()
    };
    let roots = compact(scan.roots_mapped, scan.roots);
    let parents = compact(scan.parents_mapped, scan.parents);
    let mut references = compact(scan.references_mapped, scan.references);
    let mentions = compact(scan.mentions_mapped, scan.mentions);
    // rc.52 adds `tags` while it reads them, before `keywords`.
    if !scan.custom_schemas.is_empty() {
        out.insert("tags".into(), Value::Array(scan.custom_schemas));
    }
    if !scan.keywords.is_empty() {
        out.insert("keywords".into(), Value::Array(scan.keywords));
    }
    if !mentions.is_empty() {
        out.insert("mentions".into(), Value::Array(mentions));
    }
    let mut parents = parents.into_iter();
    let mut roots = roots.into_iter();
    if let Some(parent) = parents.next() {
        out.insert("parent".into(), parent);
        references.extend(parents);
        if let Some(root) = roots.next() {
            out.insert("root".into(), root);
            references.extend(roots);
        }
    } else if let Some(root) = roots.next() {
        out.insert("parent".into(), root);
        references.extend(roots);
    } else if !references.is_empty() {
        out.insert("parent".into(), references.remove(0));
    }
    if !references.is_empty() {
        out.insert("references".into(), Value::Array(references));
    }
    if !out.contains_key("action") && event.get("kind").and_then(Value::as_f64) == Some(1.0) {
        let tags_truthy = event.get("tags").is_some_and(truthy);
        let has_parent = out.get("parent").is_some_and(has_value);
        let action = if !tags_truthy || !has_parent {
            "post"
        } else {
            "reply"
        };
        out.insert("action".into(), Value::from(action));
    }
    Ok(out)
}

/// The version of a NostrSpasm event: the last `nostr_spasm_version` or `spasm_version` tag.
fn nostr_spasm_version(event: &Value) -> Option<Value> {
    let tags = event.get("tags")?.as_array()?;
    let mut version = None;
    for tag in tags.iter().filter_map(Value::as_array) {
        if matches!(
            tag.first().and_then(Value::as_str),
            Some("nostr_spasm_version" | "spasm_version")
        ) {
            version = Some(tag.get(1).cloned().unwrap_or(Value::Null));
        }
    }
    version
}

/// A tip from `["spasm_tips", address, text, expiration, currency name, currency ticker,
/// network name, network id]` (spasm.js rc.52 `standardizeNostrSpasmEventV2`); `None`
/// without a non-empty string address. Empty fields give no key; `expiration` is
/// `Number(field)` (`NaN`, written `null`, when it is no number); currency and network fields
/// are copied whatever their type, as spasm.js does.
fn tip_of_tag(tag: &[Value]) -> Option<Value> {
    let address = text_at(tag, 1)?;
    let mut tip = Map::new();
    tip.insert("address".into(), Value::from(address));
    if let Some(text) = text_at(tag, 2) {
        tip.insert("text".into(), Value::from(text));
    }
    if let Some(expiration) = text_at(tag, 3) {
        let timestamp = number_value(js_number(Some(&Value::from(expiration))));
        tip.insert("expiration".into(), object([("timestamp", timestamp)]));
    }
    let mut group = |key: &str, fields: [(&str, usize); 2]| {
        let mut inner = Map::new();
        for (name, index) in fields {
            if let Some(field) = tag.get(index).filter(|field| truthy(field)) {
                inner.insert(name.into(), field.clone());
            }
        }
        if !inner.is_empty() {
            tip.insert(key.into(), Value::Object(inner));
        }
    };
    group("currency", [("name", 4), ("ticker", 5)]);
    group("network", [("name", 6), ("id", 7)]);
    Some(Value::Object(tip))
}

/// The Spasm tags of a NostrSpasm event, applied after the plain conversion.
pub(super) fn apply_spasm_tags(
    event: &Value,
    out: &mut Map<String, Value>,
) -> Result<(), ConvertError> {
    let mut target = None;
    let mut action = None;
    let mut timestamp = None;
    let mut title = None;
    let mut license = None;
    let mut categories = Vec::new();
    let mut tips = Vec::new();
    for tag in event
        .get("tags")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_array)
    {
        let value = tag.get(1).cloned();
        match tag.first().and_then(Value::as_str) {
            Some("spasm_target") => target = value,
            Some("spasm_action") => action = value,
            Some("spasm_timestamp") => {
                // `if (Number(tag[1])) spasmTimestamp = Number(tag[1])`.
                let number = js_number(value.as_ref());
                if number != 0.0 && !number.is_nan() {
                    // spasm.js keeps `Infinity`, which no JSON can carry: its id hashes
                    // a value that its own JSON cannot give back. Refused here.
                    if !number.is_finite() {
                        return Err(ConvertError::Malformed("spasm_timestamp (not finite)"));
                    }
                    timestamp = Some(number_value(number));
                }
            }
            Some("spasm_title" | "title") => title = value,
            Some("license") => license = value,
            Some("spasm_tips") => tips.extend(tip_of_tag(tag)),
            Some("spasm_category") => {
                let names: Vec<&str> = tag
                    .iter()
                    .skip(1)
                    .map_while(|name| name.as_str().filter(|n| !n.is_empty()))
                    .take(4)
                    .collect();
                let category = names.iter().rev().fold(None, |sub: Option<Value>, name| {
                    let mut category = Map::new();
                    category.insert("name".into(), Value::from(*name));
                    if let Some(sub) = sub {
                        category.insert("sub".into(), sub);
                    }
                    Some(Value::Object(category))
                });
                if let Some(category) = category {
                    categories.push(category);
                }
            }
            _ => {}
        }
    }
    if !tips.is_empty() {
        out.insert("tips".into(), Value::Array(tips));
    }
    if !categories.is_empty() {
        out.insert("categories".into(), Value::Array(categories));
    }
    for (key, value) in [
        ("license", license),
        ("action", action.clone()),
        ("title", title.clone()),
    ] {
        if let Some(value) = value.filter(truthy) {
            out.insert(key.into(), value);
        }
    }
    if let Some(timestamp) = timestamp {
        out.insert("timestamp".into(), timestamp);
    }
    if let Some(target) = target
        .clone()
        .filter(|target| target.as_str().is_some_and(|text| !text.is_empty()))
    {
        let parent = out
            .entry("parent")
            .or_insert_with(|| object([("ids", Value::Array(Vec::new()))]));
        if let Some(Value::Array(ids)) = parent.get_mut("ids") {
            ids.push(value_with_format(target));
        }
    }
    let version = nostr_spasm_version(event);
    let flagged = [target, action, title, version.clone()]
        .iter()
        .any(|value| value.as_ref().is_some_and(truthy));
    if flagged
        && let Some(Value::Object(sibling)) = out
            .get_mut("siblings")
            .and_then(|siblings| siblings.get_mut(0))
    {
        sibling.insert("type".into(), Value::from("SiblingNostrSpasmV2"));
        if let Some(Value::Object(protocol)) = sibling.get_mut("protocol") {
            protocol.insert("hasExtraSpasmFields".into(), Value::Bool(true));
            if let Some(version) = version.filter(truthy) {
                protocol.insert("extraSpasmFieldsVersion".into(), version);
            }
        }
    }
    Ok(())
}

/// Any Nostr event → `SpasmEventV2`; a signed one (with `sig`) must verify.
pub(super) fn convert(
    event: &Value,
    signers: &mut Signers,
) -> Result<Map<String, Value>, ConvertError> {
    let signed = event
        .get("sig")
        .and_then(Value::as_str)
        .is_some_and(|sig| !sig.is_empty());
    // The signature first: a forged event costs one check, not a reading of its tags.
    let verified = if signed {
        Some(verify_nostr_event(event).map_err(ConvertError::Nostr)?)
    } else {
        None
    };
    let mut out = convert_unsigned(event)?;
    let spasm = has_extra_spasm_fields(event);
    if spasm {
        apply_spasm_tags(event, &mut out)?;
    }
    let Some(verified) = verified else {
        return Ok(out);
    };
    let sig = event.get("sig").cloned().unwrap_or(Value::Null);
    let signature = object([
        ("value", sig.clone()),
        ("pubkey", Value::from(verified.pubkey().to_string())),
        ("format", format_named("nostr-sig")),
    ]);
    out.insert("signatures".into(), Value::Array(vec![signature.clone()]));
    let version_one =
        spasm && nostr_spasm_version(event).as_ref().and_then(Value::as_str) == Some("1.0.0");
    let sig_id = object([("value", sig), ("format", format_named("nostr-sig"))]);
    if version_one && let Some(Value::Array(ids)) = out.get_mut("ids") {
        ids.push(sig_id.clone());
    }
    if let Some(Value::Object(sibling)) = out
        .get_mut("siblings")
        .and_then(|siblings| siblings.get_mut(0))
    {
        let signed_type = if sibling.get("type") == Some(&Value::from("SiblingNostrSpasmV2")) {
            "SiblingNostrSpasmSignedV2"
        } else {
            "SiblingNostrSignedV2"
        };
        sibling.insert("type".into(), Value::from(signed_type));
        sibling.insert("signatures".into(), Value::Array(vec![signature]));
        if version_one && let Some(Value::Array(ids)) = sibling.get_mut("ids") {
            ids.push(sig_id);
        }
    }
    signers.add_nostr(verified);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_mapping_records_are_bounded() {
        // A thousand `O` tags that all match a thousand records, each listing hosts: rc.52
        // would restore a million addresses. Refused with a reason instead.
        let mut tags: Vec<Value> = (0..1_000).map(|_| serde_json::json!(["O", "x"])).collect();
        let record = serde_json::json!([
            "tags_mapping",
            "spasm_aadd_1",
            "O",
            "x",
            "se2",
            "authors.addresses",
            "0",
            "0",
            "full",
            "",
            "",
            "",
            "",
            ",".repeat(100)
        ]);
        tags.extend(std::iter::repeat_n(record, 1_000));
        let event = serde_json::json!({"kind": 1, "created_at": 1, "content": "x", "tags": tags});
        assert!(matches!(
            convert_unsigned(&event),
            Err(ConvertError::Malformed(reason)) if reason.contains("tags_mapping")
        ));
        // One record per tag, as an honest event has, is fine.
        let honest = serde_json::json!({"kind": 1, "created_at": 1, "content": "x", "tags": [
            ["O", "x"],
            ["tags_mapping", "spasm_aadd_1", "O", "x", "se2", "authors.addresses", "0", "0", "full", ""]
        ]});
        assert!(convert_unsigned(&honest).is_ok());
    }

    #[test]
    fn mapping_methods_restore_values() {
        assert_eq!(decode_mapped_value("ab", "full", ""), Some("ab".into()));
        assert_eq!(
            decode_mapped_value("ab", "hex_to_spasmid01_1", ""),
            Some("spasmid01ab".into())
        );
        let sig = "ab".repeat(64);
        assert_eq!(
            decode_mapped_value(&sig[..64], "slice064", &sig),
            Some(sig.clone())
        );
        assert_eq!(decode_mapped_value("00", "slice064", &sig), None);
        assert_eq!(decode_mapped_value("x", "unknown", ""), None);
        assert_eq!(decode_mapped_value("", "full", ""), None);
        assert_eq!(
            decode_mapped_value(
                "f8553015220a857eda377a1e903c9e5afb3ac2fa657468657265756d2d707562",
                "hex_to_eth_pub_1",
                ""
            ),
            Some("0xf8553015220a857eda377a1e903c9e5afb3ac2fa".into())
        );
        assert_eq!(
            decode_mapped_value("spasm_author:0xabc", "slice.13", ""),
            Some("0xabc".into())
        );
    }
}
