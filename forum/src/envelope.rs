//! Stored events as the Spasm API serves them: `SpasmEventEnvelopeV2` (and the tree form)
//! built from the stored database form, the row's db info and its counters, in spasm.js's
//! key order (SPEC.md §8.3), without parsing the stored event into a tree of values.

use std::fmt::Write as _;

use serde::Deserialize;
use serde_json::value::RawValue;
use spasm::action::Action;

/// An event as read from the store.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEvent {
    /// The row key: insertion order, and the cursor of every list.
    pub key: i64,
    /// When this server stored it (ms).
    pub added_at_ms: i64,
    /// When its row last changed (ms).
    pub updated_at_ms: i64,
    /// The key of the event it replies or reacts to, when known.
    pub parent_key: Option<i64>,
    /// Where it came from: `submit`, `federation:<source>`, `rss:<feed>`, `nostr:<relay>`,
    /// `import:<old table>`.
    pub origin: String,
    /// The database form (`SpasmEventDatabaseV2`) as stored.
    pub event_json: String,
    /// Its reaction and reply counters.
    pub stats: Stats,
}

/// Counters of one event.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    /// Reactions by name: (name, total, latest time in ms).
    pub reactions: Vec<Counter>,
    /// Replies, when there are any.
    pub replies: Option<Counter>,
}

/// One counter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counter {
    /// The reaction's name (empty for replies).
    pub content: String,
    /// How many.
    pub total: i64,
    /// The newest one's time (ms).
    pub latest_ms: i64,
}

impl Stats {
    /// Whether there is nothing to count.
    pub fn is_empty(&self) -> bool {
        self.reactions.is_empty() && self.replies.is_none()
    }

    /// Adds a stored counter: of replies, or of a reaction.
    pub fn add(&mut self, action: Action, counter: Counter) {
        if action == Action::Reply {
            self.replies = Some(counter);
        } else {
            self.reactions.push(counter);
        }
    }

    /// The total of `reaction`.
    pub fn reaction(&self, reaction: &str) -> i64 {
        self.reactions
            .iter()
            .find(|counter| counter.content == reaction)
            .map_or(0, |counter| counter.total)
    }

    /// The number of replies.
    pub fn reply_total(&self) -> i64 {
        self.replies.as_ref().map_or(0, |counter| counter.total)
    }

    /// spasm.js `stats`: `[{action:"react", total, latestTimestamp, contents:[{value, total,
    /// latestTimestamp}]}, {action:"reply", total, latestTimestamp}]`. Every time is in
    /// milliseconds (the existing server mixes seconds in).
    fn write_json(&self, out: &mut String) {
        out.push('[');
        if !self.reactions.is_empty() {
            let total: i64 = self.reactions.iter().map(|counter| counter.total).sum();
            let latest = self
                .reactions
                .iter()
                .map(|counter| counter.latest_ms)
                .max()
                .unwrap_or(0);
            let _ = write!(
                out,
                r#"{{"action":"react","total":{total},"latestTimestamp":{latest},"contents":["#
            );
            for (index, counter) in self.reactions.iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                out.push_str(r#"{"value":"#);
                push_json_string(out, &counter.content);
                let _ = write!(
                    out,
                    r#","total":{},"latestTimestamp":{}}}"#,
                    counter.total, counter.latest_ms
                );
            }
            out.push_str("]}");
        }
        if let Some(replies) = &self.replies {
            if !self.reactions.is_empty() {
                out.push(',');
            }
            let _ = write!(
                out,
                r#"{{"action":"reply","total":{},"latestTimestamp":{}}}"#,
                replies.total, replies.latest_ms
            );
        }
        out.push(']');
    }
}

/// The parts of a stored database form an envelope carries, borrowed without copying.
#[derive(Deserialize)]
struct EnvelopeParts<'a> {
    #[serde(borrow)]
    ids: Option<&'a RawValue>,
    #[serde(borrow)]
    siblings: Option<&'a RawValue>,
    #[serde(borrow)]
    source: Option<&'a RawValue>,
    #[serde(borrow, rename = "sharedBy")]
    shared_by: Option<&'a RawValue>,
}

/// The table name the existing server writes in `db.table`.
const TABLE_NAME: &str = "spasm_events";

impl StoredEvent {
    /// The name of the federation source or feed it was pulled from (`None` when it was
    /// submitted here).
    pub fn pulled_from(&self) -> Option<&str> {
        self.origin
            .strip_prefix("federation:")
            .or_else(|| self.origin.strip_prefix("rss:"))
    }

    /// The `SpasmEventEnvelopeV2` as JSON text.
    pub fn envelope_json(&self) -> String {
        let mut out = String::with_capacity(self.event_json.len() + 256);
        self.write_envelope(&mut out, "SpasmEventEnvelopeV2", None);
        out
    }

    /// Writes the envelope; `children` (already JSON) makes it a `SpasmEventEnvelopeWithTreeV2`.
    pub(crate) fn write_envelope(&self, out: &mut String, kind: &str, children: Option<&str>) {
        // The stored text was written by this server from a serde_json value, so it parses;
        // should it not, the envelope still carries its db info and counters.
        let parts =
            serde_json::from_str::<EnvelopeParts<'_>>(&self.event_json).unwrap_or(EnvelopeParts {
                ids: None,
                siblings: None,
                source: None,
                shared_by: None,
            });
        let _ = write!(out, r#"{{"type":"{kind}""#);
        if let Some(ids) = parts.ids {
            out.push_str(r#","ids":"#);
            out.push_str(ids.get());
        }
        if let Some(siblings) = parts.siblings {
            out.push_str(r#","siblings":"#);
            out.push_str(siblings.get());
        }
        let _ = write!(
            out,
            r#","db":{{"key":{},"addedTimestamp":{},"updatedTimestamp":{},"table":"{TABLE_NAME}"}}"#,
            self.key, self.added_at_ms, self.updated_at_ms
        );
        if let Some(source) = parts.source.filter(|source| is_truthy_json(source.get())) {
            out.push_str(r#","source":"#);
            out.push_str(source.get());
        }
        if !self.stats.is_empty() {
            out.push_str(r#","stats":"#);
            self.stats.write_json(out);
        }
        if let Some(shared_by) = parts
            .shared_by
            .filter(|shared| is_truthy_json(shared.get()))
        {
            out.push_str(r#","sharedBy":"#);
            out.push_str(shared_by.get());
        }
        if let Some(children) = children {
            out.push_str(r#","children":"#);
            out.push_str(children);
        }
        out.push('}');
    }
}

/// A list of envelopes as JSON: an array, or `null` when empty (as the existing server answers).
pub fn envelopes_json(events: &[StoredEvent]) -> String {
    if events.is_empty() {
        return "null".into();
    }
    let mut out = String::with_capacity(
        events
            .iter()
            .map(|event| event.event_json.len() + 256)
            .sum(),
    );
    out.push('[');
    for (index, event) in events.iter().enumerate() {
        if index > 0 {
            out.push(',');
        }
        event.write_envelope(&mut out, "SpasmEventEnvelopeV2", None);
    }
    out.push(']');
    out
}

fn is_truthy_json(text: &str) -> bool {
    !matches!(text, "null" | "false" | "0" | "\"\"")
}

fn push_json_string(out: &mut String, text: &str) {
    match serde_json::to_string(text) {
        Ok(quoted) => out.push_str(&quoted),
        Err(_) => out.push_str("\"\""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn event(stats: Stats) -> StoredEvent {
        StoredEvent {
            key: 7,
            added_at_ms: 1000,
            updated_at_ms: 2000,
            parent_key: None,
            origin: "submit".into(),
            event_json: json!({
                "type": "SpasmEventDatabaseV2",
                "action": "post",
                "ids": [{"value": "spasmid01ab", "format": {"name": "spasmid", "version": "01"}}],
                "siblings": [{"type": "SiblingSpasmSignedV2", "signedString": "{\"a\":1}"}],
                "source": {"name": "rss"}
            })
            .to_string(),
            stats,
        }
    }

    #[test]
    fn envelopes_keep_spasm_js_key_order() {
        let stats = Stats {
            reactions: vec![
                Counter {
                    content: "upvote".into(),
                    total: 2,
                    latest_ms: 5,
                },
                Counter {
                    content: "bullish".into(),
                    total: 1,
                    latest_ms: 9,
                },
            ],
            replies: Some(Counter {
                content: String::new(),
                total: 3,
                latest_ms: 4,
            }),
        };
        let envelope: Value = serde_json::from_str(&event(stats).envelope_json()).unwrap();
        let keys: Vec<&str> = envelope
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, ["type", "ids", "siblings", "db", "source", "stats"]);
        assert_eq!(
            envelope["stats"],
            json!([
                {"action": "react", "total": 3, "latestTimestamp": 9, "contents": [
                    {"value": "upvote", "total": 2, "latestTimestamp": 5},
                    {"value": "bullish", "total": 1, "latestTimestamp": 9}]},
                {"action": "reply", "total": 3, "latestTimestamp": 4}
            ])
        );
        assert_eq!(
            envelope["db"],
            json!({"key": 7, "addedTimestamp": 1000, "updatedTimestamp": 2000, "table": "spasm_events"})
        );
        assert_eq!(envelope["siblings"][0]["signedString"], "{\"a\":1}");
    }

    #[test]
    fn empty_lists_are_null_and_events_without_counters_have_no_stats() {
        assert_eq!(envelopes_json(&[]), "null");
        let list: Value =
            serde_json::from_str(&envelopes_json(&[event(Stats::default())])).unwrap();
        assert!(list[0].get("stats").is_none());
    }
}
