//! What a page asks to have signed, and the two steps around the signers: [`prepare`] builds
//! the body, its signed text and its Nostr form before any wallet or extension is asked;
//! [`finish`] checks what they answered and builds the submission (see [`crate::signed`]).
//!
//! The forum's browser pages keep this in a module of its own, loaded when a visitor first
//! signs: a page describes the action as a [`SigningRequest`] (JSON) and never links the
//! body builders, the Nostr conversion or the JSON writer themselves.
//!
//! ```
//! use spasm::signing::{SigningRequest, Unsigned, finish, prepare};
//!
//! let request = SigningRequest {
//!     unsigned: Unsigned::Post { title: "Hello".into(), content: "First post".into(), category: None },
//!     timestamp_ms: 1_730_000_000_000,
//!     ethereum: Some("0x19e7e376e7c213b7e7e7e46cc70a5dd086daff2a".into()),
//!     nostr: None,
//! };
//! let prepared = prepare(&request).unwrap();
//! assert!(prepared.nostr_form.is_none());
//! let signature = format!("0x{}1b", "11".repeat(64));
//! let submission = finish(&request, Some(&signature), None).unwrap();
//! assert_eq!(submission["signedString"], prepared.signed_string);
//! ```

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::action::{Action, Reaction};
use crate::body::{self, AuthorKey, ParentInfo, SpasmBody};
use crate::convert::{body_to_nostr, check_nostr_round_trip};
use crate::ethereum::EthereumAddress;
use crate::nostr::NostrPublicKey;
use crate::signed::{EthereumSignedBody, NostrSignedEvent, SignedBody};

/// The action a visitor is about to sign, with what it needs; the body builders of
/// [`crate::body`] give its `SpasmEventBodyV2`. JSON: `{"action": "post", …}` with the
/// fields in camelCase.
///
/// `J` holds the JSON values it carries (see [`ParentInfo`]): a page describes the action
/// with [`RawJson`](crate::body::RawJson) and the signing module reads it back with [`Value`].
/// Only the [`Value`] form can be read: serde buffers an internally tagged enum, and raw
/// JSON cannot be read from that buffer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(
    tag = "action",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Unsigned<J = Value> {
    /// A new post ([`body::post`]).
    Post {
        /// Its title.
        title: String,
        /// Its text (Markdown).
        content: String,
        /// Its category, if any.
        category: Option<String>,
    },
    /// A reply ([`body::reply`]).
    Reply {
        /// The event answered.
        parent: ParentInfo<J>,
        /// The reply's text.
        content: String,
    },
    /// A reaction ([`body::react`]).
    React {
        /// The event reacted to.
        parent: ParentInfo<J>,
        /// The reaction.
        reaction: Reaction,
    },
    /// A moderator's deletion ([`body::moderate_delete`]).
    ModerateDelete {
        /// The event deleted.
        parent: ParentInfo<J>,
    },
    /// An admin's restore of a deleted event ([`body::moderate_restore`]).
    ModerateRestore {
        /// The event restored.
        parent: ParentInfo<J>,
    },
    /// New instance settings ([`body::app_config`]).
    AppConfig {
        /// The settings.
        config: J,
    },
    /// A new list of federation sources ([`body::federation_list`]).
    FederationList {
        /// The sources.
        sources: J,
    },
    /// A new list of Nostr relays ([`body::nostr_relays`]).
    NostrRelays {
        /// The relays' `wss://` addresses.
        relays: Vec<String>,
    },
    /// A request to pull one federation source now ([`body::pull_now`]).
    PullNow {
        /// The source's name.
        name: String,
    },
}

impl<J> Unsigned<J> {
    /// The action, as the forum names it to the visitor.
    pub fn action(&self) -> Action {
        match self {
            Self::Post { .. } => Action::Post,
            Self::Reply { .. } => Action::Reply,
            Self::React { .. } => Action::React,
            Self::ModerateDelete { .. } | Self::ModerateRestore { .. } => Action::Moderate,
            Self::AppConfig { .. } => Action::AppConfig,
            Self::FederationList { .. } | Self::NostrRelays { .. } | Self::PullNow { .. } => {
                Action::Admin
            }
        }
    }
}

impl Unsigned {
    /// The body to sign, made at `timestamp_ms` (milliseconds since the epoch) by `authors`.
    pub fn body(&self, timestamp_ms: u64, authors: &[AuthorKey]) -> SpasmBody {
        match self {
            Self::Post {
                title,
                content,
                category,
            } => body::post(title, content, category.as_deref(), timestamp_ms, authors),
            Self::Reply { parent, content } => body::reply(parent, content, timestamp_ms, authors),
            Self::React { parent, reaction } => {
                body::react(parent, *reaction, timestamp_ms, authors)
            }
            Self::ModerateDelete { parent } => body::moderate_delete(parent, timestamp_ms, authors),
            Self::ModerateRestore { parent } => {
                body::moderate_restore(parent, timestamp_ms, authors)
            }
            Self::AppConfig { config } => body::app_config(config, timestamp_ms, authors),
            Self::FederationList { sources } => {
                body::federation_list(sources, timestamp_ms, authors)
            }
            Self::NostrRelays { relays } => body::nostr_relays(relays, timestamp_ms, authors),
            Self::PullNow { name } => body::pull_now(name, timestamp_ms, authors),
        }
    }
}

/// An [`Unsigned`] action with its time and the keys that sign it, as the wallet and the
/// extension shared them: an Ethereum address (`0x…`, any case), a Nostr key (hex), or both
/// (multi-signing). JSON in camelCase; `J` as in [`Unsigned`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SigningRequest<J = Value> {
    /// What is signed.
    pub unsigned: Unsigned<J>,
    /// When, in milliseconds since the epoch by the signer's clock.
    pub timestamp_ms: u64,
    /// The wallet's account, when a wallet signs.
    pub ethereum: Option<String>,
    /// The extension's key, when a Nostr extension signs.
    pub nostr: Option<String>,
}

/// What the signers are asked to sign: the text for `personal_sign` and, when a Nostr key
/// signs, the unsigned Nostr event for NIP-07 `signEvent`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Prepared {
    /// The body's exact text (`JSON.stringify(body)`), for the wallet.
    pub signed_string: String,
    /// The body's Nostr form, for the extension.
    pub nostr_form: Option<Value>,
}

/// Why a request cannot be signed or its signatures submitted, in words for the visitor.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SigningError {
    /// Neither key was given.
    #[error("Choose a key to sign with.")]
    NoKey,
    /// The wallet's account is not an Ethereum address.
    #[error("Your wallet gave an address this forum cannot read: {0}.")]
    EthereumAddress(String),
    /// The extension's key is not a Nostr public key.
    #[error("Your Nostr extension gave a key this forum cannot read: {0}.")]
    NostrKey(String),
    /// The body has no Nostr form.
    #[error("This cannot be signed with your Nostr key: {0}.")]
    NoNostrForm(String),
    /// The body's two forms would not give one id, so two signatures would not sign one event.
    #[error(
        "This cannot be signed with both keys: {0}, so the two signatures would not sign the same post. Sign it with one key."
    )]
    FormsDiffer(String),
    /// A signer that was asked did not answer.
    #[error("The {0} did not return a signature. Nothing was sent.")]
    MissingSignature(&'static str),
    /// The extension's event is not the one it was asked to sign.
    #[error("Your Nostr extension changed the post while signing it: {0}. Nothing was sent.")]
    ExtensionChanged(String),
    /// A signature has the wrong shape.
    #[error("{0}.")]
    Shape(String),
}

impl SigningRequest {
    /// The signing keys in the order they appear in `authors` (Ethereum first).
    fn keys(&self) -> Result<SigningKeys, SigningError> {
        let ethereum = self
            .ethereum
            .as_deref()
            .map(|account| {
                account
                    .parse::<EthereumAddress>()
                    .map_err(|_| SigningError::EthereumAddress(account.to_owned()))
            })
            .transpose()?;
        let nostr = self
            .nostr
            .as_deref()
            .map(|key| {
                key.parse::<NostrPublicKey>()
                    .map_err(|_| SigningError::NostrKey(key.to_owned()))
            })
            .transpose()?;
        if ethereum.is_none() && nostr.is_none() {
            return Err(SigningError::NoKey);
        }
        Ok(SigningKeys { ethereum, nostr })
    }
}

struct SigningKeys {
    ethereum: Option<EthereumAddress>,
    nostr: Option<NostrPublicKey>,
}

impl SigningKeys {
    fn authors(&self) -> Vec<AuthorKey> {
        self.ethereum
            .map(AuthorKey::Ethereum)
            .into_iter()
            .chain(self.nostr.map(AuthorKey::Nostr))
            .collect()
    }
}

/// The body of `request` and what each signer is asked to sign. The Nostr form is built
/// before any signer is asked: a multi-signed event whose two forms would not give one id
/// is refused ([`SigningError::FormsDiffer`]) rather than sent with one signature.
pub fn prepare(request: &SigningRequest) -> Result<Prepared, SigningError> {
    let keys = request.keys()?;
    let body = request.unsigned.body(request.timestamp_ms, &keys.authors());
    let nostr_form = match keys.nostr {
        Some(_) => Some(nostr_form(&body, keys.ethereum.is_some())?),
        None => None,
    };
    Ok(Prepared {
        signed_string: body.signed_string(),
        nostr_form,
    })
}

fn nostr_form(body: &SpasmBody, multi_signed: bool) -> Result<Value, SigningError> {
    let form = body_to_nostr(body.as_json())
        .map_err(|error| SigningError::NoNostrForm(error.to_string()))?;
    if multi_signed {
        check_nostr_round_trip(body.as_json(), &form)
            .map_err(|error| SigningError::FormsDiffer(error.to_string()))?;
    }
    Ok(form)
}

/// The submission for `/api/submit/` (see [`SignedBody::to_submission`]) of `request`, signed
/// with `ethereum_signature` (the wallet's `personal_sign` answer) and `nostr_event` (the
/// extension's `signEvent` answer), each given when its key signs. Only shapes are checked
/// here; the server verifies the signatures.
pub fn finish(
    request: &SigningRequest,
    ethereum_signature: Option<&str>,
    nostr_event: Option<Value>,
) -> Result<Value, SigningError> {
    let keys = request.keys()?;
    let body = request.unsigned.body(request.timestamp_ms, &keys.authors());
    let shape = |error: crate::signed::SignedShapeError| SigningError::Shape(error.to_string());
    let ethereum = match keys.ethereum {
        Some(address) => {
            let signature = ethereum_signature.ok_or(SigningError::MissingSignature("wallet"))?;
            Some(EthereumSignedBody::new(&body, signature, address).map_err(shape)?)
        }
        None => None,
    };
    let nostr = match keys.nostr {
        Some(key) => {
            let event = nostr_event.ok_or(SigningError::MissingSignature("Nostr extension"))?;
            if ethereum.is_some() {
                // An extension that changed the event while signing breaks the pair too.
                check_nostr_round_trip(body.as_json(), &event)
                    .map_err(|error| SigningError::ExtensionChanged(error.to_string()))?;
            }
            Some(NostrSignedEvent::new(event, key).map_err(shape)?)
        }
        None => None,
    };
    let signed = match (ethereum, nostr) {
        (Some(ethereum), None) => SignedBody::Ethereum(ethereum),
        (None, Some(nostr)) => SignedBody::Nostr(nostr),
        (Some(ethereum), Some(nostr)) => SignedBody::Both { nostr, ethereum },
        (None, None) => return Err(SigningError::NoKey),
    };
    Ok(signed.to_submission())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ADDRESS: &str = "0x19E7E376E7C213B7E7e7e46cc70A5dD086DAff2A";
    const NOSTR_KEY: &str = "2c7cc62a697ea3a7826521f3fd34f0cb273693cbe5e9310f35449f43622a5cdc";

    fn parent() -> ParentInfo {
        ParentInfo {
            ids: vec!["spasmid01abc".into()],
            categories: Vec::new(),
            mentions_for_reply: Vec::new(),
            mentions_for_reaction: Vec::new(),
        }
    }

    fn request(unsigned: Unsigned, ethereum: bool, nostr: bool) -> SigningRequest {
        SigningRequest {
            unsigned,
            timestamp_ms: 1_730_000_000_000,
            ethereum: ethereum.then(|| ADDRESS.to_owned()),
            nostr: nostr.then(|| NOSTR_KEY.to_owned()),
        }
    }

    #[test]
    fn the_request_s_json_names_the_action_and_reads_back() {
        let react = request(
            Unsigned::React {
                parent: parent(),
                reaction: Reaction::Upvote,
            },
            true,
            false,
        );
        let json = serde_json::to_value(&react).unwrap();
        assert_eq!(json["unsigned"]["action"], "react");
        assert_eq!(json["unsigned"]["reaction"], "upvote");
        assert_eq!(json["timestampMs"], 1_730_000_000_000_u64);
        assert_eq!(
            serde_json::from_value::<SigningRequest>(json).unwrap(),
            react
        );
    }

    #[test]
    fn a_page_s_raw_json_reads_back_as_the_parsed_request() {
        let raw = |json: &str| serde_json::value::RawValue::from_string(json.to_owned()).unwrap();
        let person = r#"{"addresses":[{"value":"0xabc","format":{"name":"ethereum-pubkey"}}]}"#;
        let page = SigningRequest {
            unsigned: Unsigned::Reply {
                parent: ParentInfo {
                    ids: vec!["spasmid01abc".into()],
                    categories: vec![raw(r#"{"name":"defi"}"#)],
                    mentions_for_reply: vec![raw(person)],
                    mentions_for_reaction: vec![raw(person)],
                },
                content: "Agreed".into(),
            },
            timestamp_ms: 5,
            ethereum: Some(ADDRESS.to_owned()),
            nostr: None,
        };
        let read: SigningRequest =
            serde_json::from_str(&serde_json::to_string(&page).unwrap()).unwrap();
        let person: Value = serde_json::from_str(person).unwrap();
        let expected = request(
            Unsigned::Reply {
                parent: ParentInfo {
                    categories: vec![serde_json::json!({"name": "defi"})],
                    mentions_for_reply: vec![person.clone()],
                    mentions_for_reaction: vec![person],
                    ..parent()
                },
                content: "Agreed".into(),
            },
            true,
            false,
        );
        assert_eq!(
            read,
            SigningRequest {
                timestamp_ms: 5,
                ..expected
            }
        );
    }

    #[test]
    fn the_body_is_the_builders_body() {
        let authors = [AuthorKey::Ethereum(ADDRESS.parse().unwrap())];
        let reply = Unsigned::Reply {
            parent: parent(),
            content: "Agreed".into(),
        };
        assert_eq!(
            reply.body(5, &authors),
            body::reply(&parent(), "Agreed", 5, &authors)
        );
        assert_eq!(reply.action(), Action::Reply);
    }

    #[test]
    fn a_request_without_keys_or_with_unreadable_ones_is_refused_in_words() {
        let post = Unsigned::Post {
            title: "t".into(),
            content: "c".into(),
            category: None,
        };
        assert_eq!(
            prepare(&request(post.clone(), false, false)),
            Err(SigningError::NoKey)
        );
        let mut bad = request(post, true, false);
        bad.ethereum = Some("0x12".into());
        assert_eq!(
            prepare(&bad).unwrap_err().to_string(),
            "Your wallet gave an address this forum cannot read: 0x12."
        );
    }

    #[test]
    fn a_nostr_key_gets_the_nostr_form_and_a_missing_answer_sends_nothing() {
        let both = request(
            Unsigned::Post {
                title: "Hello".into(),
                content: "First post".into(),
                category: Some("defi".into()),
            },
            true,
            true,
        );
        let prepared = prepare(&both).unwrap();
        let form = prepared.nostr_form.unwrap();
        assert_eq!(form["pubkey"], NOSTR_KEY);
        assert_eq!(
            finish(&both, None, Some(form)),
            Err(SigningError::MissingSignature("wallet"))
        );
    }
}
