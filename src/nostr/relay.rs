//! NIP-01 messages between a client and a relay, as JSON arrays: what the forum's server
//! sends (`EVENT`, `REQ`, `CLOSE`) and what a relay answers (`EVENT`, `OK`, `EOSE`,
//! `CLOSED`, `NOTICE`, NIP-42 `AUTH`), with the machine-readable prefixes of `OK` and
//! `CLOSED` messages (NIP-01 "standardized machine-readable prefixes").

use serde::Serialize;
use serde_json::{Value, json};

/// The kind of a client's authentication event (NIP-42): tags `relay` and `challenge`.
pub const AUTH_KIND: u64 = 22242;

/// A client's authentication event before signing (NIP-42, kind [`AUTH_KIND`]): the
/// `relay` it is for and the `challenge` it answers, made at `created_at` (seconds since the
/// epoch). Serialises as the unsigned event NIP-07 `signEvent` takes:
/// `{"kind":22242,"created_at":…,"tags":[["relay",…],["challenge",…]],"content":""}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnsignedAuth<'a> {
    kind: u64,
    created_at: u64,
    tags: [[&'a str; 2]; 2],
    content: &'static str,
}

impl<'a> UnsignedAuth<'a> {
    /// The authentication to `relay` (its address) answering `challenge`.
    pub fn new(relay: &'a str, challenge: &'a str, created_at: u64) -> Self {
        Self {
            kind: AUTH_KIND,
            created_at,
            tags: [["relay", relay], ["challenge", challenge]],
            content: "",
        }
    }
}

/// A message a client sends to a relay (NIP-01).
#[derive(Debug, Clone, PartialEq)]
pub enum ClientMessage<'a> {
    /// `["EVENT", <event>]`: publish a signed event.
    Event(&'a Value),
    /// `["REQ", <subscription id>, <filter>...]`: ask for stored and new events.
    Req {
        /// The subscription id (at most 64 characters, NIP-01).
        subscription: &'a str,
        /// The filters; an event matching any of them is sent.
        filters: &'a [Filter],
    },
    /// `["CLOSE", <subscription id>]`: end a subscription.
    Close(&'a str),
}

impl ClientMessage<'_> {
    /// The message as JSON text.
    pub fn to_json(&self) -> String {
        let value = match self {
            Self::Event(event) => json!(["EVENT", event]),
            Self::Req {
                subscription,
                filters,
            } => {
                let mut parts = vec![json!("REQ"), json!(subscription)];
                parts.extend(filters.iter().map(|filter| json!(filter)));
                Value::Array(parts)
            }
            Self::Close(subscription) => json!(["CLOSE", subscription]),
        };
        value.to_string()
    }
}

/// A NIP-01 filter. Empty lists are left out (an empty list would match nothing).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Filter {
    /// Event ids (lower-case hex).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ids: Vec<String>,
    /// Authors' public keys (lower-case hex).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub authors: Vec<String>,
    /// Kinds.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub kinds: Vec<u32>,
    /// Events whose `e` tags name one of these ids.
    #[serde(rename = "#e", skip_serializing_if = "Vec::is_empty")]
    pub e_tags: Vec<String>,
    /// Events with `created_at` at or after this (seconds).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<i64>,
    /// At most this many stored events.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

/// A message a relay sends (NIP-01, NIP-42).
#[derive(Debug, Clone, PartialEq)]
pub enum RelayMessage {
    /// `["EVENT", <subscription id>, <event>]`.
    Event {
        /// The subscription it answers.
        subscription: String,
        /// The event, unchecked: whoever takes it verifies it.
        event: Value,
    },
    /// `["OK", <event id>, <true|false>, <message>]`: the answer to a published event.
    Ok {
        /// The event's id.
        event_id: String,
        /// Whether the relay accepted it.
        accepted: bool,
        /// The relay's message (may start with a [`OkPrefix`]).
        message: String,
    },
    /// `["EOSE", <subscription id>]`: the stored events have all been sent.
    EndOfStoredEvents(String),
    /// `["CLOSED", <subscription id>, <message>]`: the relay ended a subscription.
    Closed {
        /// The subscription.
        subscription: String,
        /// Why.
        message: String,
    },
    /// `["NOTICE", <message>]`: words for humans.
    Notice(String),
    /// `["AUTH", <challenge>]` (NIP-42).
    Auth(String),
}

/// Why a relay message could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RelayMessageError {
    /// Not JSON, or not an array starting with a string.
    #[error("the relay sent something that is not a NIP-01 message")]
    NotAMessage,
    /// A message type this client does not know.
    #[error("the relay sent an unknown message type {0:?}")]
    UnknownType(String),
    /// A known type with missing or mistyped parts.
    #[error("the relay sent a malformed {0} message")]
    Malformed(&'static str),
}

impl RelayMessage {
    /// Reads one message.
    ///
    /// # Errors
    /// [`RelayMessageError`] when `text` is not a NIP-01 relay message.
    pub fn parse(text: &str) -> Result<Self, RelayMessageError> {
        let value: Value =
            serde_json::from_str(text).map_err(|_| RelayMessageError::NotAMessage)?;
        let Value::Array(mut parts) = value else {
            return Err(RelayMessageError::NotAMessage);
        };
        let kind = match parts.first() {
            Some(Value::String(kind)) => kind.clone(),
            _ => return Err(RelayMessageError::NotAMessage),
        };
        let text_at = |parts: &[Value], index: usize, name: &'static str| {
            parts
                .get(index)
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or(RelayMessageError::Malformed(name))
        };
        match kind.as_str() {
            "EVENT" => {
                let subscription = text_at(&parts, 1, "EVENT")?;
                if parts.len() != 3 || !parts[2].is_object() {
                    return Err(RelayMessageError::Malformed("EVENT"));
                }
                Ok(Self::Event {
                    subscription,
                    event: parts.swap_remove(2),
                })
            }
            "OK" => Ok(Self::Ok {
                event_id: text_at(&parts, 1, "OK")?,
                accepted: parts
                    .get(2)
                    .and_then(Value::as_bool)
                    .ok_or(RelayMessageError::Malformed("OK"))?,
                // Some relays leave the message out; NIP-01 asks for one, empty allowed.
                message: parts
                    .get(3)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
            }),
            "EOSE" => Ok(Self::EndOfStoredEvents(text_at(&parts, 1, "EOSE")?)),
            "CLOSED" => Ok(Self::Closed {
                subscription: text_at(&parts, 1, "CLOSED")?,
                message: parts
                    .get(2)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
            }),
            "NOTICE" => Ok(Self::Notice(text_at(&parts, 1, "NOTICE")?)),
            "AUTH" => Ok(Self::Auth(text_at(&parts, 1, "AUTH")?)),
            _ => Err(RelayMessageError::UnknownType(kind)),
        }
    }
}

/// The machine-readable prefix of an `OK` or `CLOSED` message (NIP-01), which says whether
/// trying again can help.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OkPrefix {
    /// `duplicate:` the relay has the event already.
    Duplicate,
    /// `pow:` not enough proof of work.
    Pow,
    /// `blocked:` the relay does not take events from this key or client.
    Blocked,
    /// `rate-limited:` too many events; later may work.
    RateLimited,
    /// `invalid:` the event is not valid for this relay.
    Invalid,
    /// `restricted:` the relay takes events only from some keys.
    Restricted,
    /// `auth-required:` NIP-42 authentication first.
    AuthRequired,
    /// `mute:` accepted but not kept or sent on.
    Mute,
    /// `error:` the relay failed.
    Error,
    /// No known prefix.
    Unknown,
}

impl OkPrefix {
    /// The prefix of `message`.
    pub fn of(message: &str) -> Self {
        let prefix = message.split_once(':').map_or("", |(prefix, _)| prefix);
        match prefix.trim() {
            "duplicate" => Self::Duplicate,
            "pow" => Self::Pow,
            "blocked" => Self::Blocked,
            "rate-limited" => Self::RateLimited,
            "invalid" => Self::Invalid,
            "restricted" => Self::Restricted,
            "auth-required" => Self::AuthRequired,
            "mute" => Self::Mute,
            "error" => Self::Error,
            _ => Self::Unknown,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unsigned_auth_is_the_nip42_event() {
        let auth = UnsignedAuth::new("https://forum.example", "c0ffee", 1_730_000_000);
        assert_eq!(
            serde_json::to_string(&auth).unwrap(),
            r#"{"kind":22242,"created_at":1730000000,"tags":[["relay","https://forum.example"],["challenge","c0ffee"]],"content":""}"#
        );
    }

    #[test]
    fn client_messages_are_nip01_arrays() {
        let event = json!({"id": "ab", "kind": 1});
        assert_eq!(
            ClientMessage::Event(&event).to_json(),
            r#"["EVENT",{"id":"ab","kind":1}]"#
        );
        let filters = [Filter {
            kinds: vec![1, 7],
            e_tags: vec!["ab".into()],
            since: Some(10),
            ..Filter::default()
        }];
        assert_eq!(
            ClientMessage::Req {
                subscription: "replies",
                filters: &filters
            }
            .to_json(),
            r##"["REQ","replies",{"kinds":[1,7],"#e":["ab"],"since":10}]"##
        );
        assert_eq!(ClientMessage::Close("x").to_json(), r#"["CLOSE","x"]"#);
    }

    #[test]
    fn relay_messages_are_read_and_checked() {
        assert_eq!(
            RelayMessage::parse(r#"["OK","ab",false,"blocked: no"]"#),
            Ok(RelayMessage::Ok {
                event_id: "ab".into(),
                accepted: false,
                message: "blocked: no".into()
            })
        );
        assert_eq!(
            RelayMessage::parse(r#"["EOSE","s"]"#),
            Ok(RelayMessage::EndOfStoredEvents("s".into()))
        );
        assert!(matches!(
            RelayMessage::parse(r#"["EVENT","s",{"id":"x"}]"#),
            Ok(RelayMessage::Event { .. })
        ));
        assert_eq!(
            RelayMessage::parse(r#"["EVENT","s","x"]"#),
            Err(RelayMessageError::Malformed("EVENT"))
        );
        assert_eq!(
            RelayMessage::parse(r#"{"a":1}"#),
            Err(RelayMessageError::NotAMessage)
        );
        assert_eq!(
            RelayMessage::parse(r#"["HELLO"]"#),
            Err(RelayMessageError::UnknownType("HELLO".into()))
        );
        assert_eq!(
            RelayMessage::parse(r#"["OK","ab","yes",""]"#),
            Err(RelayMessageError::Malformed("OK"))
        );
    }

    #[test]
    fn prefixes_say_whether_to_try_again() {
        assert_eq!(OkPrefix::of("duplicate: have it"), OkPrefix::Duplicate);
        assert_eq!(
            OkPrefix::of("rate-limited: slow down"),
            OkPrefix::RateLimited
        );
        assert_eq!(OkPrefix::of("blocked:"), OkPrefix::Blocked);
        assert_eq!(OkPrefix::of("no prefix here"), OkPrefix::Unknown);
        assert_eq!(OkPrefix::of(""), OkPrefix::Unknown);
    }
}
