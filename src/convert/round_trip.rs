//! Whether a body and its Nostr form describe the same event, checked without collation data.
//!
//! A multi-signed event carries the body signed by an Ethereum key and its Nostr form signed
//! by a Nostr key. Both siblings must give one `spasmid01`: spasm.js (rc.52) silently keeps
//! only the Nostr signature when they do not (a number in a tip, a tag other than
//! `spasm_custom_schema`, tip keys out of order), and this crate refuses such an envelope.
//! So a client checks before it asks the second signer.

use serde_json::{Map, Value};

use super::{ConvertError, assign_formats, body, nostr};
use crate::identify::has_extra_spasm_fields;
use crate::js_value::{keep_keys, truthy};

/// Why a body's Nostr form does not give the body back.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RoundTripError {
    /// The body cannot be converted at all.
    #[error(transparent)]
    Convert(#[from] ConvertError),
    /// The Nostr form reads back with other values in a field the id hashes.
    #[error("its Nostr form would not keep the {field} field as written")]
    Differs {
        /// The first field that differs (`tips`, `tags`, `authors`, …).
        field: &'static str,
    },
}

/// The fields `spasmid01` hashes, in its order (SPEC.md §6).
const HASHED_FIELDS: [&str; 19] = [
    "parent",
    "action",
    "title",
    "content",
    "timestamp",
    "authors",
    "tips",
    "hosts",
    "links",
    "keywords",
    "tags",
    "medias",
    "references",
    "mentions",
    "proofs",
    "license",
    "language",
    "extra",
    "pows",
];

/// Checks that `nostr_form` (the body's unsigned or signed Nostr form, as
/// [`super::body_to_nostr`] builds it) converts back to the fields of `body` that
/// `spasmid01` hashes.
///
/// The comparison is of each field's JSON text after the reductions the id makes (parent
/// and reference ids to `value`, addresses to `value` and `format`, …), with the lists the
/// id sorts put in byte order instead of collation order (which needs collation data). It
/// is as strict as the id, except that text the id would make equal by NFC counts as
/// different. Errors: [`RoundTripError::Differs`] names the first field that differs.
pub fn check_nostr_round_trip(body: &Value, nostr_form: &Value) -> Result<(), RoundTripError> {
    let mut from_body = body::convert_body(body)?;
    assign_formats(&mut from_body);
    let mut from_nostr = nostr::convert_unsigned(nostr_form)?;
    if has_extra_spasm_fields(nostr_form) {
        nostr::apply_spasm_tags(nostr_form, &mut from_nostr)?;
    }
    assign_formats(&mut from_nostr);
    for field in HASHED_FIELDS {
        if hashed_text(&from_body, field) != hashed_text(&from_nostr, field) {
            return Err(RoundTripError::Differs { field });
        }
    }
    Ok(())
}

/// The JSON text of one hashed field after the id's reductions (`None` when it is falsy
/// and so not hashed). Lists the id sorts are written in byte order of their items' text:
/// equal lists in any order give equal ids, whatever the collation.
fn hashed_text(event: &Map<String, Value>, field: &str) -> Option<String> {
    let value = event.get(field).filter(|value| truthy(value))?;
    let items = |list: &Value| -> Vec<Value> { list.as_array().cloned().unwrap_or_default() };
    let reduce_ids = |item: &Value| -> Value {
        let mut kept = keep_keys(item, &["ids", "marker"]);
        if let Some(ids) = kept.get_mut("ids") {
            *ids = sorted(items(ids).iter().map(|id| keep_keys(id, &["value"])));
        }
        kept
    };
    let reduce_person = |person: &Value| -> Value {
        let mut kept = keep_keys(person, &["addresses", "usernames", "marker"]);
        if let Some(addresses) = kept.get_mut("addresses") {
            *addresses = sorted(
                items(addresses)
                    .iter()
                    .map(|address| keep_keys(address, &["value", "format"])),
            );
        }
        if let Some(usernames) = kept.get_mut("usernames") {
            *usernames = sorted(items(usernames));
        }
        kept
    };
    let reduced = match field {
        "parent" => reduce_ids(value),
        "references" => sorted(items(value).iter().map(reduce_ids)),
        "authors" | "mentions" => sorted(items(value).iter().map(reduce_person)),
        "hosts" | "links" => sorted(
            items(value)
                .iter()
                .map(|link| keep_keys(link, &["value", "marker"])),
        ),
        "tips" | "keywords" | "tags" | "medias" | "proofs" => sorted(items(value)),
        _ => value.clone(),
    };
    Some(reduced.to_string())
}

/// A list in byte order of its items' JSON text.
fn sorted(list: impl IntoIterator<Item = Value>) -> Value {
    let mut texts: Vec<(String, Value)> = list
        .into_iter()
        .map(|item| (item.to_string(), item))
        .collect();
    texts.sort_by(|a, b| a.0.cmp(&b.0));
    Value::Array(texts.into_iter().map(|(_, item)| item).collect())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::body::{
        AuthorKey, ParentInfo, Reaction, app_config, moderate_delete, moderate_restore, post,
        react, reply,
    };
    use crate::convert::body_to_nostr;

    fn authors() -> [AuthorKey; 2] {
        [
            AuthorKey::Ethereum(
                "0x19e7e376e7c213b7e7e7e46cc70a5dd086daff2a"
                    .parse()
                    .unwrap(),
            ),
            AuthorKey::Nostr(
                "4376a5f6c98a7c752c0669c7e25d975e48dbf2107066281f2923cd9ffdbe5be5"
                    .parse()
                    .unwrap(),
            ),
        ]
    }

    #[test]
    fn every_body_the_composer_builds_round_trips() {
        let parent = ParentInfo {
            // A parent that came from Nostr too: its Nostr form lists the Nostr id first.
            ids: vec![
                "spasmid01192d1f9994bf436f50841459d0a43c0de13ef4aaa5233827bdfe2ea2bc030d6f".into(),
                "4c71d666253621495d8da40713b33442c2a80edfb0fe8ec8e219103299529c84".into(),
            ],
            categories: vec![json!({"name": "tech"})],
            mentions_for_reply: vec![
                json!({"addresses": [
                    {"value": "0xf8553015220a857eda377a1e903c9e5afb3ac2fa", "format": {"name": "ethereum-pubkey"}},
                    {"value": "9eb5d854601e1edd4ee0b6b547c32f0d36d68cedea66152dfde6cc60252b76d2", "format": {"name": "nostr-hex"}}
                ]}),
                json!({"addresses": [
                    {"value": "0xf8553015220a857eda377a1e903c9e5afb3ac2fa", "format": {"name": "ethereum-pubkey"}}
                ]}),
            ],
            mentions_for_reaction: vec![json!({"addresses": [
                {"value": "0xf8553015220a857eda377a1e903c9e5afb3ac2fa", "format": {"name": "ethereum-pubkey"}}
            ]})],
        };
        let bodies = [
            post(
                "Title",
                "Text with a [link](https://example.org)",
                Some("tech"),
                1_788_000_000_123,
                &authors(),
            ),
            reply(&parent, "A reply", 1_788_000_000_456, &authors()),
            react(&parent, Reaction::Upvote, 1_788_000_000_789, &authors()),
            moderate_delete(&parent, 1_788_000_000_999, &authors()),
            moderate_restore(&parent, 1_788_000_000_999, &authors()),
            app_config(
                &json!({"feed": {"title": "Ünïcode"}}),
                1_788_000_001_000,
                &authors(),
            ),
        ];
        for body in bodies {
            let form = body_to_nostr(body.as_json()).unwrap();
            assert_eq!(
                check_nostr_round_trip(body.as_json(), &form),
                Ok(()),
                "{body:?}"
            );
        }
    }

    /// The fields checked are the fields the id hashes, in its order: the spasm.js case that
    /// exercises every hashed field names them all (its canonical JSON's keys).
    #[test]
    fn checks_every_field_the_id_hashes() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/spasm/vectors/spasmid-cases.json"
        );
        let file: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let case = file["cases"]
            .as_array()
            .unwrap()
            .iter()
            .find(|case| {
                case["label"]
                    .as_str()
                    .is_some_and(|label| label.starts_with("SpasmEventV2ToTestSpasmid01 ("))
            })
            .unwrap();
        let canonical: Value =
            serde_json::from_str(case["result"]["canonicalJson"].as_str().unwrap()).unwrap();
        let hashed: Vec<&str> = canonical
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(hashed, HASHED_FIELDS);
    }

    #[test]
    fn a_number_in_a_tip_does_not_round_trip() {
        let mut body = post("Tips", "Text", None, 1_788_000_000_000, &authors())
            .as_json()
            .clone();
        body["tips"] = json!([{"address": "0xabc", "network": {"id": 8453}}]);
        let form = body_to_nostr(&body).unwrap();
        assert_eq!(
            check_nostr_round_trip(&body, &form),
            Err(RoundTripError::Differs { field: "tips" })
        );
    }
}
