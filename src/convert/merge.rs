//! `mergeSpasmEventsV2` (SPEC.md §9.2): several representations of one event become one
//! event with every sibling and signature, each of them verified.

use serde_json::{Map, Value};

use super::{
    ConvertError, Signers, VerifiedEvent, VerifiedSigner, convert_to_spasm, mark_verified,
};
use crate::js_value::is_object_with_values;

/// An item's `value`, lower-cased as spasm.js compares ids and signatures.
fn lowercase_value(item: &Value) -> Option<String> {
    let value = item.get("value")?;
    Some(
        value
            .as_str()
            .map_or_else(|| value.to_string(), str::to_lowercase),
    )
}

fn values_lowercase(list: Option<&Value>) -> Vec<String> {
    list.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(lowercase_value)
        .collect()
}

/// Appends to `main[key]` the items of `items` whose value is not `known` yet.
fn add_unknown(
    main: &mut Map<String, Value>,
    key: &str,
    items: Option<&Value>,
    known: &mut Vec<String>,
) {
    for item in items.and_then(Value::as_array).into_iter().flatten() {
        if let Some(value) = lowercase_value(item).filter(|value| !known.contains(value)) {
            known.push(value);
            push(main, key, item.clone());
        }
    }
}

fn push(map: &mut Map<String, Value>, key: &str, value: Value) {
    match map.get_mut(key) {
        Some(Value::Array(list)) => list.push(value),
        _ => {
            map.insert(key.into(), Value::Array(vec![value]));
        }
    }
}

fn number(value: Option<&Value>) -> Option<f64> {
    value.and_then(Value::as_f64)
}

/// spasm.js `mergeStatsV2`: unknown actions are added; a known action is replaced by a
/// newer one (by `latestTimestamp`, else `latestDbTimestamp`).
fn merge_stats(main: &mut Vec<Value>, other: &[Value]) {
    for stat in other {
        let action = stat.get("action");
        match main.iter_mut().find(|known| known.get("action") == action) {
            None => main.push(stat.clone()),
            Some(known) => {
                let newer = |key: &str| match (number(known.get(key)), number(stat.get(key))) {
                    (Some(old), Some(new)) => Some(new > old),
                    _ => None,
                };
                if newer("latestTimestamp").or_else(|| newer("latestDbTimestamp")) == Some(true) {
                    *known = stat.clone();
                }
            }
        }
    }
}

/// `db`: missing keys filled, timestamps the latest.
fn merge_db(main: &mut Map<String, Value>, other: &Map<String, Value>) {
    for key in ["key", "table"] {
        if !main.contains_key(key)
            && let Some(value) = other.get(key)
        {
            main.insert(key.into(), value.clone());
        }
    }
    for key in ["addedTimestamp", "updatedTimestamp"] {
        let latest = match (number(main.get(key)), number(other.get(key))) {
            (Some(a), Some(b)) if b > a => other.get(key),
            (None, Some(_)) => other.get(key),
            _ => None,
        };
        if let Some(latest) = latest.cloned() {
            main.insert(key.into(), latest);
        }
    }
}

/// spasm.js `mergeChildrenV2`: children matched by any common id value.
fn merge_children(main: &mut Vec<Value>, other: &[Value]) {
    for child in other {
        let ids = values_lowercase(child.get("ids"));
        let matching = main.iter_mut().find(|known| {
            values_lowercase(known.get("ids"))
                .iter()
                .any(|id| ids.contains(id))
        });
        match matching {
            None => main.push(child.clone()),
            Some(known) => {
                let Some(event) = child.get("event") else {
                    continue;
                };
                match known.get("event") {
                    None => {
                        if let Value::Object(known) = known {
                            known.insert("event".into(), event.clone());
                        }
                    }
                    Some(known_event) => {
                        if let Ok(merged) = merge_events(&[known_event.clone(), event.clone()]) {
                            known["event"] = merged.into_json();
                        }
                    }
                }
            }
        }
    }
}

/// `map[key]`, moved out (a merged event is taken apart).
fn take(map: &mut Map<String, Value>, key: &str) -> Option<Value> {
    map.get_mut(key).map(Value::take)
}

/// Adds what `other` knows about the same event to `main`.
pub(super) fn merge_into(main: &mut Map<String, Value>, mut other: Map<String, Value>) {
    let mut known_ids = values_lowercase(main.get("ids"));
    let mut known_signatures = values_lowercase(main.get("signatures"));
    let mut known_types: Vec<Value> = main
        .get("siblings")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|s| s.get("type").cloned())
        .collect();
    if let Some(Value::Array(siblings)) = take(&mut other, "siblings") {
        for sibling in siblings {
            let kind = sibling.get("type").cloned().unwrap_or(Value::Null);
            let new_type = !known_types.contains(&kind);
            add_unknown(
                main,
                "signatures",
                sibling.get("signatures"),
                &mut known_signatures,
            );
            if new_type {
                add_unknown(main, "ids", sibling.get("ids"), &mut known_ids);
                known_types.push(kind);
                push(main, "siblings", sibling);
            }
        }
    }
    if !main.contains_key("source")
        && let Some(source) = take(&mut other, "source")
    {
        main.insert("source".into(), source);
    }
    if let Some(shared) = other
        .get("sharedBy")
        .and_then(|shared| shared.get("ids"))
        .and_then(Value::as_array)
    {
        let entry = main
            .entry("sharedBy")
            .or_insert_with(|| Value::Object(Map::new()));
        let known: Vec<Value> = entry
            .get("ids")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let mut ids = known.clone();
        for id in shared {
            if !known.iter().any(|k| k.get("value") == id.get("value")) {
                ids.push(id.clone());
            }
        }
        entry["ids"] = Value::Array(ids);
    }
    for key in ["parent", "root"] {
        let Some(other_event) = other
            .get_mut(key)
            .and_then(|reference| reference.get_mut("event"))
            .map(Value::take)
        else {
            continue;
        };
        let Some(Value::Object(reference)) = main.get_mut(key) else {
            continue;
        };
        let merged = match reference.get("event") {
            None => Some(other_event),
            Some(event) => merge_events(&[event.clone(), other_event])
                .ok()
                .map(VerifiedEvent::into_json),
        };
        if let Some(merged) = merged {
            reference.insert("event".into(), merged);
        }
    }
    if let Some(Value::Array(other_stats)) = take(&mut other, "stats") {
        match main.get_mut("stats") {
            Some(Value::Array(stats)) => merge_stats(stats, &other_stats),
            _ => {
                main.insert("stats".into(), Value::Array(other_stats));
            }
        }
    }
    if let Some(Value::Object(other_db)) = take(&mut other, "db") {
        match main.get_mut("db") {
            Some(Value::Object(db)) => merge_db(db, &other_db),
            _ => {
                main.insert("db".into(), Value::Object(other_db));
            }
        }
    }
    if let Some(Value::Array(other_children)) = take(&mut other, "children") {
        match main.get_mut("children") {
            Some(Value::Array(children)) => merge_children(children, &other_children),
            _ => {
                main.insert("children".into(), Value::Array(other_children));
            }
        }
    }
}

/// spasm.js `cleanSpasmEventV2`.
pub(super) fn clean(event: &mut Map<String, Value>) {
    let Some(Value::Array(siblings)) = event.get_mut("siblings") else {
        return;
    };
    let types: Vec<Value> = siblings
        .iter()
        .filter_map(|s| s.get("type").cloned())
        .collect();
    let pairs = [
        ("SiblingSpasmV2", "SiblingSpasmSignedV2"),
        ("SiblingDmpV2", "SiblingDmpSignedV2"),
        ("SiblingNostrV2", "SiblingNostrSignedV2"),
        ("SiblingNostrSpasmV2", "SiblingNostrSpasmSignedV2"),
    ];
    siblings.retain(|sibling| {
        !pairs.iter().any(|(unsigned, signed)| {
            sibling.get("type") == Some(&Value::from(*unsigned))
                && types.contains(&Value::from(*signed))
        })
    });
}

/// Merges representations of one event (the first decides which): each is converted and
/// verified on its own; those with another `spasmid01`, or that fail, are left out.
pub fn merge_events(events: &[Value]) -> Result<VerifiedEvent, ConvertError> {
    let first = events
        .first()
        .filter(|first| is_object_with_values(first))
        .ok_or(ConvertError::NotAnEvent)?;
    let main = convert_to_spasm(first)?;
    let id = main.id();
    let mut signers = Signers(main.signers().to_vec());
    let Value::Object(mut merged) = main.into_json() else {
        return Err(ConvertError::NotAnEvent);
    };
    for other in &events[1..] {
        let Ok(other) = convert_to_spasm(other) else {
            continue;
        };
        if other.id() != id {
            continue;
        }
        for signer in other.signers() {
            signers.add(*signer);
        }
        if let Value::Object(other) = other.into_json() {
            merge_into(&mut merged, other);
        }
    }
    clean(&mut merged);
    mark_verified(&mut merged, &signers);
    let signers: Vec<VerifiedSigner> = signers.0;
    Ok(VerifiedEvent {
        event: Value::Object(merged),
        id,
        signers,
    })
}
