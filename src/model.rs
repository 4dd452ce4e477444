//! Typed models of `SpasmEventV2` and its sub-structures (SPEC.md §3), for reading a
//! converted event without poking at JSON.
//!
//! Conversion itself works on JSON with JavaScript semantics, because ids hash some parts
//! verbatim (usernames, tips, proofs, extra, tags) in their original key order; these stay
//! [`Value`]s here. Everything that code reasons about (ids, addresses, signatures, parent,
//! authors, counts) is typed.
//!
//! ```
//! # use serde_json::json;
//! let event: spasm::model::SpasmEventV2 = serde_json::from_value(json!({
//!     "type": "SpasmEventV2", "action": "post", "content": "hi",
//!     "authors": [{"addresses": [{"value": "0xabc", "format": {"name": "ethereum-pubkey"}, "verified": true}]}],
//! }))
//! .unwrap();
//! assert_eq!(event.action.as_deref(), Some("post"));
//! assert!(event.authors[0].addresses[0].verified);
//! ```

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// An id, address or signature value: spasm.js allows strings and numbers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ScalarValue {
    /// A string.
    Text(String),
    /// A number.
    Number(serde_json::Number),
}

impl ScalarValue {
    /// The value as text (numbers as JavaScript writes them).
    pub fn as_text(&self) -> String {
        match self {
            Self::Text(text) => text.clone(),
            Self::Number(number) => crate::js_value::number_string(number),
        }
    }
}

/// `{name, version?}` of an id, address or signature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Format {
    /// `spasmid`, `ethereum-sig`, `nostr-hex`, `url`, …
    pub name: String,
    /// `01` for spasmid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<Value>,
}

/// A link or host.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Link {
    /// The URL.
    pub value: String,
    /// Everything else (protocol, origin, host, pathname, search, marker, …).
    #[serde(flatten)]
    pub details: Map<String, Value>,
}

/// One id of an event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Id {
    /// The id.
    pub value: ScalarValue,
    /// Its format.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<Format>,
    /// The key of the referenced event's author, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pubkey: Option<ScalarValue>,
    /// A marker.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub marker: Option<Value>,
    /// Where the event may be found.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hosts: Vec<Link>,
}

/// One address of an author.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Address {
    /// The address.
    pub value: ScalarValue,
    /// Its format.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<Format>,
    /// Set by this crate when a signature by this address was verified, never from input.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub verified: bool,
    /// A marker.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub marker: Option<Value>,
    /// Hosts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hosts: Vec<Link>,
}

/// An author or a mentioned person.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Author {
    /// Their addresses (one person may hold several keys).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub addresses: Vec<Address>,
    /// Usernames, verbatim (they are hashed with every key).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub usernames: Vec<Value>,
    /// A marker.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub marker: Option<Value>,
}

/// A verified signature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Signature {
    /// The signature.
    pub value: ScalarValue,
    /// Who signed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pubkey: Option<ScalarValue>,
    /// `ethereum-sig` or `nostr-sig`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<Format>,
}

/// The parent, root, or a reference.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Reference {
    /// Ids of the referenced event.
    #[serde(default)]
    pub ids: Vec<Id>,
    /// A marker.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub marker: Option<Value>,
    /// The referenced event itself, when attached.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<Box<Value>>,
    /// Depth in a tree.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub depth: Option<Value>,
}

/// A category with optional sub-categories.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Category {
    /// Its name.
    pub name: Value,
    /// A sub-category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub: Option<Box<Category>>,
}

/// One reaction count.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatContent {
    /// The reaction name.
    pub value: Value,
    /// How many.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<Value>,
}

/// Counts of an action (reactions, replies).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Stat {
    /// `react`, `reply`, …
    pub action: Value,
    /// The total.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<Value>,
    /// Per reaction.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contents: Vec<StatContent>,
    /// The latest event's time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_timestamp: Option<Value>,
    /// The latest storage time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_db_timestamp: Option<Value>,
}

/// The unified, expanded Spasm event (SPEC.md §3.1).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SpasmEventV2 {
    /// `post`, `reply`, `react`, `moderate`, …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// The title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The content, as signed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// In the source's unit (Nostr: seconds; others: milliseconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<serde_json::Number>,
    /// The authors.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub authors: Vec<Author>,
    /// The event answered or reacted to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<Reference>,
    /// The thread's root (from Nostr `root` markers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root: Option<Reference>,
    /// Other referenced events.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<Reference>,
    /// Mentioned people.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mentions: Vec<Author>,
    /// Categories.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<Category>,
    /// Links.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Link>,
    /// Hosts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hosts: Vec<Link>,
    /// Keywords, verbatim (not always strings).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<Value>,
    /// The licence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license: Option<String>,
    /// The language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// Every id; the first is the `spasmid01`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ids: Vec<Id>,
    /// The verified signatures.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub signatures: Vec<Signature>,
    /// The original representations, verbatim: what travels and is re-verified.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub siblings: Vec<Value>,
    /// Counts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stats: Vec<Stat>,
    /// Everything else, verbatim: tips, tags, medias, proofs, extra, pows, db, source,
    /// sharedBy, children.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

impl SpasmEventV2 {
    /// The `spasmid01`, when the event has one.
    pub fn spasmid(&self) -> Option<String> {
        self.ids
            .iter()
            .find(|id| {
                id.format
                    .as_ref()
                    .is_some_and(|format| format.name == "spasmid")
            })
            .map(|id| id.value.as_text())
    }

    /// Every id value of the parent.
    pub fn parent_ids(&self) -> Vec<String> {
        self.parent
            .iter()
            .flat_map(|parent| parent.ids.iter())
            .map(|id| id.value.as_text())
            .collect()
    }

    /// The author addresses whose signatures were verified.
    pub fn verified_addresses(&self) -> Vec<String> {
        self.authors
            .iter()
            .flat_map(|author| author.addresses.iter())
            .filter(|address| address.verified)
            .map(|address| address.value.as_text())
            .collect()
    }
}
