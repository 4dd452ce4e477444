//! `convertToNostr` (SPEC.md §8.1): the unsigned Nostr form of an event, with the Spasm tags
//! and `tags_mapping` records that let any Spasm instance restore the original values.
//!
//! A body signed through this form verifies in spasm.js and the reverse, so the tag order
//! and every string must be exactly those of spasm.js.

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::ConvertError;
use super::json::author_addresses;
use crate::js_value::{is_object_with_values, js_string, truthy};
use crate::nostr::nip19::to_hex_lenient;
use crate::timestamps::{to_long_timestamp, to_short_timestamp};

/// `(newValue, method, original)` of spasm.js `convertValueToNostrTagsMapping`.
fn encode(value: &str, author_algorithm: bool) -> (String, String, String) {
    let is_hex = |text: &str| !text.is_empty() && text.bytes().all(|byte| byte.is_ascii_hexdigit());
    let length = value.chars().count();
    let encoded =
        |new: String, method: &str, original: &str| (new, method.to_string(), original.to_string());
    if value.is_empty() {
        return encoded(String::new(), "", "");
    }
    if author_algorithm {
        return encoded(format!("spasm_author:{value}"), "slice.13", "");
    }
    if length == 64 && is_hex(value) {
        return encoded(value.to_string(), "full", "");
    }
    if length == 42 && value.starts_with("0x") && is_hex(&value[2..]) {
        return encoded(
            format!("{}657468657265756d2d707562", &value[2..]),
            "hex_to_eth_pub_1",
            "",
        );
    }
    if length == 73 && value.starts_with("spasmid01") && is_hex(&value[9..]) {
        return encoded(value[9..].to_string(), "hex_to_spasmid01_1", "");
    }
    if length == 128 && is_hex(value) {
        return encoded(value[..64].to_string(), "slice064", value);
    }
    if length == 132 && value.starts_with("0x") && is_hex(&value[2..]) {
        return encoded(value[2..66].to_string(), "slice266", value);
    }
    encoded(
        hex::encode(Sha256::digest(value.as_bytes())),
        "sha256",
        value,
    )
}

fn string_of(value: Option<&Value>) -> String {
    match value {
        Some(value) if truthy(value) => js_string(Some(value)),
        _ => String::new(),
    }
}

fn format_field(item: &Value, field: &str) -> String {
    string_of(item.get("format").and_then(|format| format.get(field)))
}

/// `(relay, hosts)`: the first host and all hosts, trimmed and joined with commas.
fn hosts_of(item: &Value) -> (String, String) {
    let hosts: Vec<String> = item
        .get("hosts")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|host| host.get("value").and_then(Value::as_str))
        .map(|host| host.trim().to_string())
        .collect();
    (hosts.first().cloned().unwrap_or_default(), hosts.join(","))
}

fn strings(values: Vec<String>) -> Value {
    Value::Array(values.into_iter().map(Value::from).collect())
}

/// `e` tags and mapping records for the ids of one reference.
fn id_tags(tags: &mut Vec<Value>, reference: &Value, path: &str, event_index: usize, marker: &str) {
    let Some(ids) = reference.get("ids").and_then(Value::as_array) else {
        return;
    };
    let format_name = |id: &Value| {
        id.get("format")
            .and_then(|format| format.get("name"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    // Nostr ids first, the rest in their order (a stable partition).
    let (nostr, other): (Vec<&Value>, Vec<&Value>) =
        ids.iter().partition(|id| format_name(id) == "nostr-hex");
    for (id_index, id) in nostr.into_iter().chain(other).enumerate() {
        let Some(raw) = id
            .get("value")
            .and_then(Value::as_str)
            .filter(|raw| !raw.is_empty())
        else {
            continue;
        };
        let value = match format_name(id).as_str() {
            "nostr-hex" | "nostr-note" | "nostr-nevent" => to_hex_lenient(raw),
            _ => raw.to_string(),
        };
        let pubkey = match id.get("pubkey") {
            Some(pubkey) if truthy(pubkey) => {
                let pubkey = js_string(Some(pubkey));
                if pubkey.chars().count() == 63 && pubkey.starts_with("npub") {
                    to_hex_lenient(&pubkey)
                } else {
                    pubkey
                }
            }
            _ => String::new(),
        };
        let (new_value, method, original) = encode(&value, false);
        let (new_pubkey, pubkey_method, pubkey_original) = encode(&pubkey, false);
        let (relay, hosts) = hosts_of(id);
        tags.push(strings(vec![
            "e".into(),
            new_value.clone(),
            relay,
            marker.into(),
            new_pubkey,
        ]));
        tags.push(strings(vec![
            "tags_mapping".into(),
            "spasm_id_1".into(),
            "e".into(),
            new_value,
            "se2".into(),
            path.into(),
            event_index.to_string(),
            id_index.to_string(),
            method,
            original,
            format_field(id, "name"),
            format_field(id, "version"),
            string_of(id.get("marker")),
            hosts,
            pubkey_method,
            pubkey_original,
        ]));
    }
}

/// `p` (mentions) or `O` (authors) tags and mapping records for a list of authors.
fn address_tags(tags: &mut Vec<Value>, authors: Option<&Value>, path: &str, is_author: bool) {
    let (tag_name, algorithm) = if is_author {
        ("O", "spasm_aadd_1")
    } else {
        ("p", "spasm_add_1")
    };
    for (author_index, author) in authors
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let Some(addresses) = author.get("addresses").and_then(Value::as_array) else {
            continue;
        };
        for (address_index, address) in addresses.iter().enumerate() {
            let Some(raw) = address
                .get("value")
                .and_then(Value::as_str)
                .filter(|raw| !raw.is_empty())
            else {
                continue;
            };
            let value = match format_field(address, "name").as_str() {
                "nostr-hex" | "nostr-npub" => to_hex_lenient(raw),
                _ => raw.to_string(),
            };
            let (new_value, method, original) = encode(&value, is_author);
            let (relay, hosts) = hosts_of(address);
            let tag = if is_author {
                vec![tag_name.into(), new_value.clone(), algorithm.into()]
            } else {
                vec![tag_name.into(), new_value.clone(), relay]
            };
            tags.push(strings(tag));
            tags.push(strings(vec![
                "tags_mapping".into(),
                algorithm.into(),
                tag_name.into(),
                new_value,
                "se2".into(),
                path.into(),
                author_index.to_string(),
                address_index.to_string(),
                method,
                original,
                format_field(address, "name"),
                format_field(address, "version"),
                string_of(address.get("marker")),
                hosts,
            ]));
        }
    }
}

/// `["spasm_tips", address, text, expiration, currency name, currency ticker, network name,
/// network id]` for a tip with a non-empty string address (spasm.js rc.52 `convertToNostr`):
/// missing fields are `""`, numbers become strings where spasm.js converts them.
fn tip_tag(tip: &Value) -> Option<Value> {
    let address = tip
        .get("address")
        .and_then(Value::as_str)
        .filter(|address| !address.is_empty())?;
    let text = |value: Option<&Value>| {
        value
            .and_then(Value::as_str)
            .filter(|text| !text.is_empty())
            .unwrap_or_default()
            .to_string()
    };
    let text_or_number = |value: Option<&Value>| match value {
        Some(value @ Value::Number(_)) if truthy(value) => js_string(Some(value)),
        other => text(other),
    };
    let expiration = match tip
        .get("expiration")
        .filter(|expiration| is_object_with_values(expiration))
        .and_then(|expiration| expiration.get("timestamp"))
    {
        Some(timestamp @ Value::Number(_)) => js_string(Some(timestamp)),
        _ => String::new(),
    };
    let group = |key: &str| tip.get(key).filter(|group| is_object_with_values(group));
    let currency = group("currency");
    let network = group("network");
    Some(strings(vec![
        "spasm_tips".into(),
        address.into(),
        text(tip.get("text")),
        expiration,
        text(currency.and_then(|currency| currency.get("name"))),
        text(currency.and_then(|currency| currency.get("ticker"))),
        text_or_number(network.and_then(|network| network.get("name"))),
        text_or_number(network.and_then(|network| network.get("id"))),
    ]))
}

/// The first Nostr author key of an event, as 64 lower-case hex digits, or `""`.
fn first_nostr_pubkey(event: &Value) -> String {
    author_addresses(event)
        .find(|address| {
            matches!(
                format_field(address, "name").as_str(),
                "nostr-hex" | "nostr-npub"
            )
        })
        .and_then(|address| address.get("value").and_then(Value::as_str))
        .map(|value| to_hex_lenient(&value.to_lowercase()))
        .filter(|hex| hex.len() == 64 && hex.bytes().all(|byte| byte.is_ascii_hexdigit()))
        .unwrap_or_default()
}

/// The unsigned Nostr event of a `SpasmEventV2` given as JSON (spasm.js `convertToNostr`
/// after conversion): `id` is empty and there is no `sig`; the signer computes both.
pub fn spasm_event_to_nostr(event: &Value) -> Result<Value, ConvertError> {
    let timestamp = event
        .get("timestamp")
        .filter(|t| matches!(t, Value::String(_) | Value::Number(_)) && truthy(t));
    let created_at = timestamp
        .and_then(to_short_timestamp)
        .ok_or(ConvertError::Malformed("timestamp"))?;
    let mut tags = Vec::new();
    if let Some(action) = event
        .get("action")
        .filter(|a| matches!(a, Value::String(_) | Value::Number(_)) && truthy(a))
    {
        tags.push(strings(vec![
            "spasm_action".into(),
            js_string(Some(action)),
        ]));
    }
    if let Some(long) = timestamp.and_then(to_long_timestamp) {
        tags.push(strings(vec!["spasm_timestamp".into(), long.to_string()]));
    }
    if let Some(license) = event
        .get("license")
        .and_then(Value::as_str)
        .filter(|l| !l.is_empty())
    {
        tags.push(strings(vec!["license".into(), license.into()]));
    }
    tags.push(strings(vec!["spasm_version".into(), "2.0.0".into()]));
    tags.push(strings(vec!["nostr_spasm_version".into(), "2.0.0".into()]));
    for category in event
        .get("categories")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(name) = category.get("name").filter(|name| truthy(name)) else {
            continue;
        };
        let mut tag = vec!["spasm_category".to_string(), js_string(Some(name))];
        let mut sub = category.get("sub");
        while let (Some(level), true) = (
            sub.and_then(|sub| sub.get("name"))
                .filter(|name| truthy(name)),
            tag.len() < 4,
        ) {
            tag.push(js_string(Some(level)));
            sub = sub.and_then(|sub| sub.get("sub"));
        }
        tags.push(strings(tag));
    }
    if let Some(keywords) = event
        .get("keywords")
        .and_then(Value::as_array)
        .filter(|k| !k.is_empty() && k.iter().all(Value::is_string))
    {
        for keyword in keywords {
            tags.push(strings(vec![
                "t".into(),
                keyword.as_str().unwrap_or_default().into(),
            ]));
        }
    }
    if let Some(title) = event
        .get("title")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
    {
        tags.push(strings(vec!["title".into(), title.into()]));
    }
    if let Some(parent) = event.get("parent") {
        id_tags(&mut tags, parent, "parent.ids", 0, "reply");
    }
    for (index, reference) in event
        .get("references")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        id_tags(&mut tags, reference, "references.ids", index, "mention");
    }
    address_tags(
        &mut tags,
        event.get("mentions"),
        "mentions.addresses",
        false,
    );
    address_tags(&mut tags, event.get("authors"), "authors.addresses", true);
    // rc.52: the event's own tags (those made only of strings) and one tag per tip.
    for tag in event
        .get("tags")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if tag
            .as_array()
            .is_some_and(|tag| !tag.is_empty() && tag.iter().all(Value::is_string))
        {
            tags.push(tag.clone());
        }
    }
    for tip in event
        .get("tips")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(tag) = tip_tag(tip) {
            tags.push(tag);
        }
    }

    let content = event
        .get("content")
        .and_then(Value::as_str)
        .filter(|c| !c.is_empty())
        .unwrap_or_default();
    let mut out = Map::new();
    out.insert("content".into(), Value::from(content));
    out.insert("created_at".into(), Value::from(created_at));
    out.insert("kind".into(), Value::from(1));
    out.insert("id".into(), Value::from(""));
    out.insert("pubkey".into(), Value::from(first_nostr_pubkey(event)));
    out.insert("tags".into(), Value::Array(tags));
    Ok(Value::Object(out))
}

/// spasm.js `convertToNostr`: a Nostr event as it is, anything else converted (and
/// verified) first.
#[cfg(feature = "spasmid")]
pub fn convert_to_nostr(input: &Value) -> Result<Value, ConvertError> {
    if crate::identify::is_nostr_event(input) {
        return Ok(input.clone());
    }
    let event = super::convert_to_spasm(input)?;
    spasm_event_to_nostr(event.event())
}

/// The unsigned Nostr form of a `SpasmEventBodyV2` (spasm.js `convertToNostr(body)`), the
/// event a NIP-07 extension is asked to sign: `id` empty, no `sig`, `pubkey` the first Nostr
/// author. Built without collation data, so the browser builds it itself.
///
/// Errors: the body is not a `SpasmEventBodyV2`, has no usable timestamp, holds a control
/// character, or (without the `spasmid` feature) has two or more `tags`, whose order in the
/// Nostr form is the collation order spasm.js sorts them in
/// ([`ConvertError::TagsNeedCollation`]).
pub fn body_to_nostr(body: &Value) -> Result<Value, ConvertError> {
    let mut event = super::body::convert_body(body)?;
    super::check_control_characters(&event)?;
    super::assign_formats(&mut event);
    if event
        .get("tags")
        .and_then(Value::as_array)
        .is_some_and(|tags| tags.len() > 1)
    {
        #[cfg(feature = "spasmid")]
        super::verified::sort_tags_in_place(&mut event);
        #[cfg(not(feature = "spasmid"))]
        return Err(ConvertError::TagsNeedCollation);
    }
    spasm_event_to_nostr(&Value::Object(event))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_encoded_as_spasm_js_does() {
        assert_eq!(
            encode("", false),
            (String::new(), String::new(), String::new())
        );
        assert_eq!(encode("0xabc", true).1, "slice.13");
        let hex = "ab".repeat(32);
        assert_eq!(
            encode(&hex, false),
            (hex.clone(), "full".into(), String::new())
        );
        let address = format!("0x{}", "12".repeat(20));
        assert_eq!(
            encode(&address, false).0,
            format!("{}657468657265756d2d707562", "12".repeat(20))
        );
        let url = "https://example.com";
        let (value, method, original) = encode(url, false);
        assert_eq!((method.as_str(), original.as_str()), ("sha256", url));
        assert_eq!(value.len(), 64);
    }
}
