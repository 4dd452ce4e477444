//! Building the `SpasmEventBodyV2` that a wallet or extension signs, exactly as the
//! degenrocket web client builds it (its §2.4), so that both clients produce the same
//! signed text and ids for the same action.
//!
//! Key order: `type, action, content, title, parent, categories, mentions, timestamp,
//! license, protocol, authors`. Signed text is never rewritten: unlike the old client,
//! content is not HTML-sanitised before signing (DECISIONS.md, Security 5).
//!
//! ```
//! use spasm::body::{AuthorKey, post};
//!
//! let author = AuthorKey::Ethereum("0x19E7E376E7C213B7E7e7e46cc70A5dD086DAff2A".parse().unwrap());
//! let body = post("Hello", "First post", Some("defi"), 1_730_000_000_000, &[author]);
//! assert!(body.signed_string().starts_with(r#"{"type":"SpasmEventBodyV2","action":"post","content":"First post","title":"Hello""#));
//! ```

use serde_json::{Map, Value};

use crate::action::Action;
use crate::ethereum::EthereumAddress;
use crate::js_json::stringify;
use crate::nostr::NostrPublicKey;

/// The licence the web client puts on everything it signs.
pub const DEFAULT_LICENSE: &str = "SPDX-License-Identifier: CC0-1.0";

/// A key that signs a body, as it appears in `authors`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthorKey {
    /// An Ethereum address, written in lower case.
    Ethereum(EthereumAddress),
    /// A Nostr key, written as hex (not npub).
    Nostr(NostrPublicKey),
}

impl AuthorKey {
    /// `{"value": …, "format": {"name": …}}`.
    pub fn to_json(&self) -> Value {
        let (value, format) = match self {
            Self::Ethereum(address) => (address.to_lowercase_hex(), "ethereum-pubkey"),
            Self::Nostr(key) => (key.to_string(), "nostr-hex"),
        };
        let mut address = Map::new();
        address.insert("value".into(), Value::from(value));
        let mut format_object = Map::new();
        format_object.insert("name".into(), Value::from(format));
        address.insert("format".into(), Value::Object(format_object));
        Value::Object(address)
    }
}

pub use crate::action::Reaction;

/// A body ready to be signed.
#[derive(Debug, Clone, PartialEq)]
pub struct SpasmBody(Value);

/// A value that is not a `SpasmEventBodyV2` object.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("this is not a SpasmEventBodyV2")]
pub struct NotABody;

impl TryFrom<Value> for SpasmBody {
    type Error = NotABody;

    /// A body written by another client, kept as it is (its key order is its signed text).
    fn try_from(value: Value) -> Result<Self, NotABody> {
        if value.get("type").and_then(Value::as_str) == Some("SpasmEventBodyV2") {
            Ok(Self(value))
        } else {
            Err(NotABody)
        }
    }
}

impl SpasmBody {
    /// The exact text to sign (`JSON.stringify(body)`).
    pub fn signed_string(&self) -> String {
        stringify(&self.0)
    }

    /// The body as JSON.
    pub fn as_json(&self) -> &Value {
        &self.0
    }
}

/// What the event being answered provides: its ids, categories, authors and mentions. JSON
/// in camelCase (a page's [`crate::signing::SigningRequest`]).
///
/// `J` holds each JSON value: parsed ([`Value`], the default) where bodies are built, or the
/// text the server wrote ([`RawJson`]) in a page that only passes it on to be signed.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ParentInfo<J = Value> {
    /// Every id of the parent (spasmid first), as strings.
    pub ids: Vec<String>,
    /// The parent's `categories`, copied into replies.
    pub categories: Vec<J>,
    /// Who to mention: the parent's authors (and, for replies, its mentions), deduplicated
    /// and sorted as `sortAuthorsForSpasmEventV2` does; see [`crate::convert`]'s server-side
    /// helper `mentions_for`.
    pub mentions_for_reply: Vec<J>,
    /// The parent's authors only, deduplicated and sorted (for reactions and moderation).
    pub mentions_for_reaction: Vec<J>,
}

/// A JSON value kept as the text it was read from (serde_json's [`RawValue`]): written out
/// again unchanged, without the parser, map and number code a [`Value`] needs.
///
/// [`RawValue`]: serde_json::value::RawValue
pub type RawJson = Box<serde_json::value::RawValue>;

fn parent_ids(ids: &[String]) -> Value {
    let ids = ids
        .iter()
        .map(|id| {
            let mut entry = Map::new();
            entry.insert("value".into(), Value::from(id.as_str()));
            Value::Object(entry)
        })
        .collect();
    let mut parent = Map::new();
    parent.insert("ids".into(), Value::Array(ids));
    Value::Object(parent)
}

struct Fields<'a> {
    action: &'a str,
    content: String,
    title: Option<&'a str>,
    parent: Option<Value>,
    categories: Vec<Value>,
    mentions: Vec<Value>,
    timestamp_ms: u64,
    authors: &'a [AuthorKey],
}

fn build(fields: Fields<'_>) -> SpasmBody {
    let mut body = Map::new();
    body.insert("type".into(), Value::from("SpasmEventBodyV2"));
    body.insert("action".into(), Value::from(fields.action));
    body.insert("content".into(), Value::from(fields.content));
    if let Some(title) = fields.title {
        body.insert("title".into(), Value::from(title));
    }
    if let Some(parent) = fields.parent {
        body.insert("parent".into(), parent);
    }
    if !fields.categories.is_empty() {
        body.insert("categories".into(), Value::Array(fields.categories));
    }
    if !fields.mentions.is_empty() {
        body.insert("mentions".into(), Value::Array(fields.mentions));
    }
    body.insert("timestamp".into(), Value::from(fields.timestamp_ms));
    body.insert("license".into(), Value::from(DEFAULT_LICENSE));
    let mut protocol = Map::new();
    protocol.insert("name".into(), Value::from("spasm"));
    protocol.insert("version".into(), Value::from("2.0.0"));
    body.insert("protocol".into(), Value::Object(protocol));
    let mut author = Map::new();
    author.insert(
        "addresses".into(),
        Value::Array(fields.authors.iter().map(AuthorKey::to_json).collect()),
    );
    body.insert("authors".into(), Value::Array(vec![Value::Object(author)]));
    SpasmBody(Value::Object(body))
}

/// A new post. `category` is left out when it is empty, `any` or `none`.
pub fn post(
    title: &str,
    content: &str,
    category: Option<&str>,
    timestamp_ms: u64,
    authors: &[AuthorKey],
) -> SpasmBody {
    let categories = category
        .filter(|name| !name.is_empty() && *name != "any" && *name != "none")
        .map(|name| {
            let mut category = Map::new();
            category.insert("name".into(), Value::from(name));
            vec![Value::Object(category)]
        })
        .unwrap_or_default();
    build(Fields {
        action: Action::Post.name(),
        content: content.to_string(),
        title: Some(title),
        parent: None,
        categories,
        mentions: Vec::new(),
        timestamp_ms,
        authors,
    })
}

/// A reply: the parent's ids, its categories, and its authors and mentions as mentions.
pub fn reply(
    parent: &ParentInfo,
    content: &str,
    timestamp_ms: u64,
    authors: &[AuthorKey],
) -> SpasmBody {
    build(Fields {
        action: Action::Reply.name(),
        content: content.to_string(),
        title: None,
        parent: Some(parent_ids(&parent.ids)),
        categories: parent.categories.clone(),
        mentions: parent.mentions_for_reply.clone(),
        timestamp_ms,
        authors,
    })
}

/// A reaction: only the parent's first id, the reaction's name as content.
pub fn react(
    parent: &ParentInfo,
    reaction: Reaction,
    timestamp_ms: u64,
    authors: &[AuthorKey],
) -> SpasmBody {
    build(Fields {
        action: Action::React.name(),
        content: reaction.name().to_string(),
        title: None,
        parent: Some(parent_ids(&parent.ids[..parent.ids.len().min(1)])),
        categories: Vec::new(),
        mentions: parent.mentions_for_reaction.clone(),
        timestamp_ms,
        authors,
    })
}

/// A moderator's deletion of the parent.
pub fn moderate_delete(parent: &ParentInfo, timestamp_ms: u64, authors: &[AuthorKey]) -> SpasmBody {
    moderate(parent, "delete", timestamp_ms, authors)
}

/// An admin's restore of the parent, which a moderator deleted: this forum's own moderation
/// (degenrocket has no undo); the server undoes every standing deletion of the parent.
pub fn moderate_restore(
    parent: &ParentInfo,
    timestamp_ms: u64,
    authors: &[AuthorKey],
) -> SpasmBody {
    moderate(parent, "restore", timestamp_ms, authors)
}

/// A moderation event: `decision` (`delete` or `restore`) about the parent.
fn moderate(
    parent: &ParentInfo,
    decision: &str,
    timestamp_ms: u64,
    authors: &[AuthorKey],
) -> SpasmBody {
    build(Fields {
        action: Action::Moderate.name(),
        content: decision.to_owned(),
        title: None,
        parent: Some(parent_ids(&parent.ids)),
        categories: Vec::new(),
        mentions: parent.mentions_for_reaction.clone(),
        timestamp_ms,
        authors,
    })
}

/// An admin's new instance settings (`app-config-dr`), the settings as JSON text.
pub fn app_config(config: &Value, timestamp_ms: u64, authors: &[AuthorKey]) -> SpasmBody {
    build(Fields {
        action: "app-config-dr",
        content: stringify(config),
        title: None,
        parent: None,
        categories: Vec::new(),
        mentions: Vec::new(),
        timestamp_ms,
        authors,
    })
}

/// The action of an admin's list of federation sources (the current upstream server's
/// `app-config-federation-list`): its content is the JSON array of sources.
pub const FEDERATION_LIST_ACTION: &str = "app-config-federation-list";

/// The action of an admin's request to pull one source now (content: the source's name).
pub const PULL_NOW_ACTION: &str = "admin-pull-now";

/// An admin's list of federation sources and feeds ([`FEDERATION_LIST_ACTION`]), the list as
/// JSON text: `[{"url", "name", "category", "frequency", "showSource", "paused", ...}]`.
pub fn federation_list(sources: &Value, timestamp_ms: u64, authors: &[AuthorKey]) -> SpasmBody {
    build(Fields {
        action: FEDERATION_LIST_ACTION,
        content: stringify(sources),
        title: None,
        parent: None,
        categories: Vec::new(),
        mentions: Vec::new(),
        timestamp_ms,
        authors,
    })
}

/// The action of an admin's list of Nostr relays the server publishes to and reads from
/// (beside the host's `NOSTR_DEFAULT_RELAYS`): its content is a JSON array of `wss://` URLs.
pub const NOSTR_RELAYS_ACTION: &str = "app-config-nostr-relays";

/// An admin's list of Nostr relays ([`NOSTR_RELAYS_ACTION`]).
pub fn nostr_relays(relays: &[String], timestamp_ms: u64, authors: &[AuthorKey]) -> SpasmBody {
    build(Fields {
        action: NOSTR_RELAYS_ACTION,
        content: stringify(&Value::from(relays.to_vec())),
        title: None,
        parent: None,
        categories: Vec::new(),
        mentions: Vec::new(),
        timestamp_ms,
        authors,
    })
}

/// An admin's request to pull the source named `name` now ([`PULL_NOW_ACTION`]).
pub fn pull_now(name: &str, timestamp_ms: u64, authors: &[AuthorKey]) -> SpasmBody {
    build(Fields {
        action: PULL_NOW_ACTION,
        content: name.to_string(),
        title: None,
        parent: None,
        categories: Vec::new(),
        mentions: Vec::new(),
        timestamp_ms,
        authors,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn author() -> AuthorKey {
        AuthorKey::Ethereum(
            "0x19E7E376E7C213B7E7e7e46cc70A5dD086DAff2A"
                .parse()
                .unwrap(),
        )
    }

    #[test]
    fn a_post_has_the_web_clients_key_order() {
        let body = post(
            "Title",
            "Body <b>kept</b> & \"quoted\"",
            Some("defi"),
            1_730_000_000_000,
            &[author()],
        );
        assert_eq!(
            body.signed_string(),
            r#"{"type":"SpasmEventBodyV2","action":"post","content":"Body <b>kept</b> & \"quoted\"","title":"Title","categories":[{"name":"defi"}],"timestamp":1730000000000,"license":"SPDX-License-Identifier: CC0-1.0","protocol":{"name":"spasm","version":"2.0.0"},"authors":[{"addresses":[{"value":"0x19e7e376e7c213b7e7e7e46cc70a5dd086daff2a","format":{"name":"ethereum-pubkey"}}]}]}"#
        );
        let any = post("T", "C", Some("any"), 1, &[author()]);
        assert!(!any.signed_string().contains("categories"));
    }

    #[test]
    fn reactions_use_only_the_first_parent_id() {
        let parent = ParentInfo {
            ids: vec!["spasmid01aa".into(), "0xbb".into()],
            ..ParentInfo::default()
        };
        let body = react(&parent, Reaction::Bullish, 5, &[author()]);
        assert!(body.signed_string().contains(
            r#""action":"react","content":"bullish","parent":{"ids":[{"value":"spasmid01aa"}]}"#
        ));
        let reply = reply(&parent, "yes", 5, &[author()]);
        assert!(
            reply
                .signed_string()
                .contains(r#""parent":{"ids":[{"value":"spasmid01aa"},{"value":"0xbb"}]}"#)
        );
        assert_eq!(Reaction::from_name("UPVOTE"), Some(Reaction::Upvote));
    }
}
