//! What the store keeps of a verified event: its searchable parts (ids, authors, parent,
//! categories, keywords) beside the database form with the original signed material.

use serde_json::Value;
use spasm::action::Action;
use spasm::convert::VerifiedEvent;
use spasm::js_value::js_string;
use spasm::timestamps::to_long_timestamp;

use crate::address::AuthorAddress;
use crate::nostr::kind::NostrReaction;

/// A verified event, ready to be stored. Only [`NewEvent::from_verified`] makes one, so the
/// store can only receive events whose signatures were checked.
#[derive(Debug, Clone)]
pub struct NewEvent {
    spasmid: String,
    action: String,
    content: String,
    title: String,
    signers: Vec<AuthorAddress>,
    ids: Vec<EventId>,
    authors: Vec<StoredAuthor>,
    categories: Vec<String>,
    keywords: Vec<String>,
    parent_ids: Vec<String>,
    source_name: Option<String>,
    signed_at_ms: Option<i64>,
    event_json: String,
}

/// One id of an event with the name of its format (`spasmid`, `ethereum-sig`, `nostr-hex`,
/// `nostr-sig`, `url`, `guid`, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventId {
    /// The id as written.
    pub value: String,
    /// Its format's name.
    pub format: String,
}

/// An author address of an event, and whether a signature checked here proves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAuthor {
    /// The normalised address.
    pub address: AuthorAddress,
    /// Whether the event was signed by this address.
    pub verified: bool,
}

impl NewEvent {
    /// The parts of `event` the store indexes, and its database form.
    pub fn from_verified(event: &VerifiedEvent) -> Self {
        let json = event.event();
        let text = |key: &str| json.get(key).and_then(scalar).unwrap_or_default();
        let signers: Vec<AuthorAddress> = event
            .signers()
            .iter()
            .map(AuthorAddress::of_signer)
            .collect();
        let spasmid = event.id().to_string();
        let mut ids = vec![EventId {
            value: spasmid.clone(),
            format: "spasmid".into(),
        }];
        for id in array(json, "ids") {
            let Some(value) = id.get("value").and_then(scalar) else {
                continue;
            };
            if value.is_empty() || ids.iter().any(|known| known.value == value) {
                continue;
            }
            let format = id
                .get("format")
                .and_then(|format| format.get("name"))
                .and_then(scalar)
                .unwrap_or_else(|| "string".into());
            ids.push(EventId { value, format });
        }
        let mut authors: Vec<StoredAuthor> = Vec::new();
        for author in array(json, "authors") {
            for address in author
                .get("addresses")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let Some(value) = address.get("value").and_then(scalar) else {
                    continue;
                };
                let address = AuthorAddress::from_claimed(&value);
                // `verified` is recomputed from the signers, never read from the event.
                let verified = signers.contains(&address);
                match authors.iter_mut().find(|known| known.address == address) {
                    Some(known) => known.verified |= verified,
                    None => authors.push(StoredAuthor { address, verified }),
                }
            }
        }
        let categories = unique_non_empty(
            array(json, "categories").filter_map(|category| category.get("name").and_then(scalar)),
        );
        let keywords = unique_non_empty(
            array(json, "keywords")
                .filter_map(scalar)
                .map(|keyword| keyword.to_lowercase()),
        );
        let parent_ids = unique_non_empty(
            json.get("parent")
                .map_or(&[][..], |parent| array_slice(parent, "ids"))
                .iter()
                .filter_map(|id| id.get("value").and_then(scalar)),
        );
        let source_name = json
            .get("source")
            .and_then(|source| source.get("name"))
            .and_then(scalar)
            .filter(|name| !name.is_empty());
        let signed_at_ms = json.get("timestamp").and_then(to_long_timestamp);
        Self {
            spasmid,
            action: text("action"),
            content: text("content"),
            title: text("title"),
            signers,
            ids,
            authors,
            categories,
            keywords,
            parent_ids,
            source_name,
            signed_at_ms,
            event_json: event.to_database().to_string(),
        }
    }

    /// A NIP-25 reaction (kind 7) as the forum counts it: a `react` of `reaction` on
    /// `target`, whatever spasm.js made of its tags. The stored event stays as it was signed.
    pub fn into_nostr_reaction(mut self, reaction: &NostrReaction) -> Self {
        self.action = Action::React.name().to_owned();
        self.content = reaction.reaction.name().to_owned();
        self.title = String::new();
        self.parent_ids = vec![reaction.target.clone()];
        self
    }

    /// The `spasmid01…` id.
    pub fn spasmid(&self) -> &str {
        &self.spasmid
    }

    /// The action (`post`, `reply`, `react`, ...), empty when the event has none.
    pub fn action(&self) -> &str {
        &self.action
    }

    /// The content (the reaction's name for reactions).
    pub fn content(&self) -> &str {
        &self.content
    }

    /// The title.
    pub fn title(&self) -> &str {
        &self.title
    }

    /// The keys whose signatures were verified.
    pub fn signers(&self) -> &[AuthorAddress] {
        &self.signers
    }

    /// Whether any signature was verified.
    pub fn is_signed(&self) -> bool {
        !self.signers.is_empty()
    }

    /// Every id of the event, the spasmid first.
    pub fn ids(&self) -> &[EventId] {
        &self.ids
    }

    /// The author addresses, each with its verified flag.
    pub fn authors(&self) -> &[StoredAuthor] {
        &self.authors
    }

    /// Category names.
    pub fn categories(&self) -> &[String] {
        &self.categories
    }

    /// Keywords in lower case.
    pub fn keywords(&self) -> &[String] {
        &self.keywords
    }

    /// The ids the event gives for its parent, as written.
    pub fn parent_ids(&self) -> &[String] {
        &self.parent_ids
    }

    /// The name of the source the event came from (RSS, federation), if it names one.
    pub fn source_name(&self) -> Option<&str> {
        self.source_name.as_deref()
    }

    /// When it was signed or published, in milliseconds (Nostr seconds converted).
    pub fn signed_at_ms(&self) -> Option<i64> {
        self.signed_at_ms
    }

    /// The database form as JSON text.
    pub fn event_json(&self) -> &str {
        &self.event_json
    }
}

/// A string or number as JavaScript writes it; nothing for other kinds.
fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(_) | Value::Number(_) => Some(js_string(Some(value))),
        _ => None,
    }
}

/// The non-empty values, each once, in their first order.
fn unique_non_empty(values: impl Iterator<Item = String>) -> Vec<String> {
    let mut unique: Vec<String> = Vec::new();
    for value in values {
        if !value.is_empty() && !unique.contains(&value) {
            unique.push(value);
        }
    }
    unique
}

fn array_slice<'a>(json: &'a Value, key: &str) -> &'a [Value] {
    json.get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn array<'a>(json: &'a Value, key: &str) -> impl Iterator<Item = &'a Value> {
    json.get(key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}
