//! Mutes: words and keys a visitor does not want to see. There are no accounts: the list is
//! kept in the visitor's browser as a cookie ([`COOKIE`]) and sent with every request, so the
//! server leaves muted events out of what it renders instead of hiding them afterwards.
//!
//! * A muted word (or several words, a phrase) hides a post or comment whose title or
//!   content has it as whole words, in any case (`bitcoin` hides "Bitcoin!" but not
//!   "bitcoiners"), cut into words as [`crate::search`] cuts them.
//! * A muted key (an Ethereum address, a Nostr key in hex or `npub`) hides what it signed or
//!   claims to have written.

use std::fmt;

use serde_json::Value;

use crate::address::AuthorAddress;
use crate::envelope::StoredEvent;
use crate::search::words_of;

/// The cookie's name.
pub const COOKIE: &str = "spasm_mutes";

/// The most words (or phrases) one visitor mutes.
pub const MAX_WORDS: usize = 50;

/// The most keys one visitor mutes.
pub const MAX_KEYS: usize = 50;

/// The longest muted word or phrase, in characters.
pub const MAX_WORD_CHARS: usize = 60;

/// The most bytes the cookie's value may have: browsers keep cookies of up to 4,096 bytes
/// with their name and attributes.
pub const MAX_COOKIE_BYTES: usize = 3_800;

/// Why a list of mutes was refused, in words for the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MuteError {
    /// An entry is not an address or key.
    #[error("“{0}” is not an Ethereum address or a Nostr key (0x…, npub1… or 64 hex characters).")]
    NotAKey(String),
    /// An entry has no letter or digit.
    #[error("“{0}” has no letter or digit to mute.")]
    NoWord(String),
    /// An entry is too long.
    #[error("“{0}…” is longer than {MAX_WORD_CHARS} characters.")]
    TooLong(String),
    /// Too many words.
    #[error("At most {MAX_WORDS} words can be muted.")]
    TooManyWords,
    /// Too many keys.
    #[error("At most {MAX_KEYS} keys can be muted.")]
    TooManyKeys,
    /// More than a browser keeps in a cookie.
    #[error("That is more than a browser keeps: remove a few words or keys.")]
    TooMuch,
}

/// A visitor's mutes: words (each its lower-case words, a phrase when several) and keys.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mutes {
    words: Vec<Vec<String>>,
    keys: Vec<AuthorAddress>,
}

impl Mutes {
    /// Parses what a visitor typed: words and keys one per line (or separated by commas).
    ///
    /// # Errors
    /// [`MuteError`] for the first entry that cannot be muted, or too many of them.
    pub fn parse(words: &str, keys: &str) -> Result<Self, MuteError> {
        let mut mutes = Self::default();
        for entry in entries(words) {
            if entry.chars().count() > MAX_WORD_CHARS {
                return Err(MuteError::TooLong(entry.chars().take(20).collect()));
            }
            let phrase: Vec<String> = words_of(entry).collect();
            if phrase.is_empty() {
                return Err(MuteError::NoWord(entry.to_owned()));
            }
            if !mutes.words.contains(&phrase) {
                mutes.words.push(phrase);
            }
        }
        for entry in entries(keys) {
            let key =
                AuthorAddress::parse(entry).map_err(|_| MuteError::NotAKey(entry.to_owned()))?;
            if !mutes.keys.contains(&key) {
                mutes.keys.push(key);
            }
        }
        if mutes.words.len() > MAX_WORDS {
            return Err(MuteError::TooManyWords);
        }
        if mutes.keys.len() > MAX_KEYS {
            return Err(MuteError::TooManyKeys);
        }
        if mutes.cookie_value().len() > MAX_COOKIE_BYTES {
            return Err(MuteError::TooMuch);
        }
        Ok(mutes)
    }

    /// The mutes of a request's `Cookie` header (RFC 6265 `name=value` pairs separated by
    /// `;`); none when it has no [`COOKIE`].
    pub fn from_cookie_header(header: &str) -> Self {
        header
            .split(';')
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == COOKIE)
            .map(|(_, value)| Self::from_cookie(value.trim_matches('"')))
            .unwrap_or_default()
    }

    /// The mutes a cookie's value carries (see [`Mutes::cookie_value`]); what no longer
    /// parses is left out, so an old or damaged cookie never stops a page.
    pub fn from_cookie(value: &str) -> Self {
        let mut words = String::new();
        let mut keys = String::new();
        for (name, list) in url::form_urlencoded::parse(value.as_bytes()) {
            match name.as_ref() {
                "w" => words = list.into_owned(),
                "k" => keys = list.into_owned(),
                _ => {}
            }
        }
        let mut mutes = Self::default();
        for entry in entries(&words).take(MAX_WORDS) {
            if let Ok(one) = Self::parse(entry, "")
                && let Some(phrase) = one.words.into_iter().next()
                && !mutes.words.contains(&phrase)
            {
                mutes.words.push(phrase);
            }
        }
        for entry in entries(&keys).take(MAX_KEYS) {
            if let Ok(key) = AuthorAddress::parse(entry)
                && !mutes.keys.contains(&key)
            {
                mutes.keys.push(key);
            }
        }
        mutes
    }

    /// The cookie's value: `w=<words>&k=<keys>`, form-encoded (no `;`, `,` or space, which
    /// a cookie value may not hold), each list one entry per line.
    pub fn cookie_value(&self) -> String {
        url::form_urlencoded::Serializer::new(String::new())
            .append_pair("w", &self.words_text())
            .append_pair("k", &self.keys_text())
            .finish()
    }

    /// Whether nothing is muted.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty() && self.keys.is_empty()
    }

    /// The muted words, one per line, for the form.
    pub fn words_text(&self) -> String {
        self.words
            .iter()
            .map(|phrase| phrase.join(" "))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The muted keys, one per line, for the form.
    pub fn keys_text(&self) -> String {
        self.keys
            .iter()
            .map(AuthorAddress::as_str)
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Whether `key` is muted.
    pub fn mutes_key(&self, key: &AuthorAddress) -> bool {
        self.keys.contains(key)
    }

    /// Why a stored event is muted, or `None` when it is not.
    pub fn hides(&self, event: &StoredEvent) -> Option<Muted> {
        if self.is_empty() {
            return None;
        }
        let json = serde_json::from_str::<Value>(&event.event_json).ok()?;
        let addresses = json
            .get("authors")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|author| author.get("addresses").and_then(Value::as_array))
            .flatten()
            .filter_map(|address| address.get("value").and_then(Value::as_str));
        for address in addresses {
            if self.keys.contains(&AuthorAddress::from_claimed(address)) {
                return Some(Muted::Key);
            }
        }
        if self.words.is_empty() {
            return None;
        }
        let text = |field: &str| json.get(field).and_then(Value::as_str).unwrap_or_default();
        let words: Vec<String> = words_of(text("title"))
            .chain(words_of(text("content")))
            .collect();
        self.words
            .iter()
            .any(|phrase| {
                words
                    .windows(phrase.len())
                    .any(|window| window == phrase.as_slice())
            })
            .then_some(Muted::Word)
    }
}

/// Why an event is left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Muted {
    /// It has a muted word.
    Word,
    /// A muted key wrote it.
    Key,
}

impl fmt::Display for Muted {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(match self {
            Self::Word => "it has a word you muted",
            Self::Key => "you muted its author",
        })
    }
}

/// The entries of a list: lines or comma-separated, trimmed, without empty ones.
fn entries(list: &str) -> impl Iterator<Item = &str> {
    list.split(['\n', ','])
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALICE: &str = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266";
    const NOSTR: &str = "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798";

    fn event(title: &str, content: &str, address: &str) -> StoredEvent {
        StoredEvent {
            key: 1,
            added_at_ms: 0,
            updated_at_ms: 0,
            parent_key: None,
            origin: "submit".into(),
            event_json: serde_json::json!({
                "title": title,
                "content": content,
                "authors": [{"addresses": [{"value": address, "verified": true}]}],
            })
            .to_string(),
            stats: Default::default(),
        }
    }

    #[test]
    fn muted_words_hide_whole_words_and_phrases_in_any_case() {
        let mutes = Mutes::parse("Bitcoin\nbad  news, ", "").unwrap();
        assert_eq!(
            mutes.hides(&event("BITCOIN!", "", NOSTR)),
            Some(Muted::Word)
        );
        assert_eq!(
            mutes.hides(&event("", "Some bad news today", NOSTR)),
            Some(Muted::Word)
        );
        assert_eq!(
            mutes.hides(&event("Bitcoiners", "bad, news", NOSTR)),
            Some(Muted::Word)
        );
        assert_eq!(
            mutes.hides(&event("Bitcoiners", "news is bad", NOSTR)),
            None
        );
        assert_eq!(mutes.words_text(), "bitcoin\nbad news");
    }

    #[test]
    fn muted_keys_hide_what_they_wrote_in_any_spelling() {
        let npub = spasm::nostr::nip19::to_npub_lenient(NOSTR);
        let mutes = Mutes::parse(
            "",
            &format!("{}\n{npub}", ALICE.to_uppercase().replace("0X", "0x")),
        )
        .unwrap();
        assert_eq!(mutes.hides(&event("Hi", "", ALICE)), Some(Muted::Key));
        assert_eq!(mutes.hides(&event("Hi", "", NOSTR)), Some(Muted::Key));
        assert_eq!(
            mutes.hides(&event(
                "Hi",
                "",
                "0x0000000000000000000000000000000000000001"
            )),
            None
        );
        assert_eq!(mutes.keys_text(), format!("{ALICE}\n{NOSTR}"));
    }

    #[test]
    fn a_cookie_carries_the_mutes_and_a_damaged_one_stops_nothing() {
        let mutes = Mutes::parse("scam; spam\nbad news", ALICE).unwrap();
        let value = mutes.cookie_value();
        assert!(!value.contains([';', ',', ' ', '"']), "{value}");
        assert_eq!(Mutes::from_cookie(&value), mutes);
        let damaged = "w=%E2%80%A6%0Aok&k=nonsense%0A0x1&x=%ZZ";
        let read = Mutes::from_cookie(damaged);
        assert_eq!(read.words_text(), "ok");
        assert_eq!(read.keys_text(), "");
        assert!(Mutes::from_cookie("").is_empty());
        let header = format!("theme=dark; {COOKIE}={value}; other=1");
        assert_eq!(Mutes::from_cookie_header(&header), mutes);
        assert!(Mutes::from_cookie_header("theme=dark").is_empty());
    }

    #[test]
    fn what_cannot_be_muted_is_refused_in_words() {
        assert_eq!(
            Mutes::parse("", "alice"),
            Err(MuteError::NotAKey("alice".into()))
        );
        assert_eq!(Mutes::parse("?!", ""), Err(MuteError::NoWord("?!".into())));
        assert_eq!(
            Mutes::parse(&"x".repeat(MAX_WORD_CHARS + 1), ""),
            Err(MuteError::TooLong("x".repeat(20)))
        );
        let many = (0..=MAX_WORDS)
            .map(|index| format!("w{index}"))
            .collect::<Vec<_>>()
            .join("\n");
        assert_eq!(Mutes::parse(&many, ""), Err(MuteError::TooManyWords));
        let long = (0..40)
            .map(|index| format!("{index}{}", "ü".repeat(30)))
            .collect::<Vec<_>>()
            .join("\n");
        assert_eq!(Mutes::parse(&long, ""), Err(MuteError::TooMuch));
        assert_eq!(
            MuteError::NotAKey("alice".into()).to_string(),
            "“alice” is not an Ethereum address or a Nostr key (0x…, npub1… or 64 hex characters)."
        );
    }
}
