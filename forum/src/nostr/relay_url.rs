//! [`RelayUrl`]: a relay's address, normalised so that one relay has one name.

use std::fmt;

use url::Url;

/// The longest relay URL taken.
const MAX_LENGTH: usize = 512;

/// A relay's `ws:` or `wss:` URL: lower-case scheme and host, no default port, no
/// credentials or fragment, and no lone trailing `/` (NIP-65 lists write relays both ways).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct RelayUrl(String);

/// Why a text is not a relay URL. The display text is for the host or the author.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RelayUrlError {
    /// Not a URL at all.
    #[error("{0:?} is not a relay URL (it should look like wss://relay.example.com)")]
    Invalid(String),
    /// Another scheme than `ws:` or `wss:`.
    #[error("{0:?} is not a relay URL: relays are reached with wss:// (or ws://)")]
    Scheme(String),
    /// Credentials in the URL.
    #[error("{0:?} holds a user name or password; relay URLs may not")]
    Credentials(String),
    /// Longer than [`MAX_LENGTH`].
    #[error("a relay URL may be at most {MAX_LENGTH} characters long")]
    TooLong,
}

impl RelayUrl {
    /// Reads and normalises a relay URL.
    ///
    /// # Errors
    /// [`RelayUrlError`] in words.
    pub fn parse(text: &str) -> Result<Self, RelayUrlError> {
        let text = text.trim();
        if text.len() > MAX_LENGTH {
            return Err(RelayUrlError::TooLong);
        }
        let mut url = Url::parse(text).map_err(|_| RelayUrlError::Invalid(text.to_owned()))?;
        if !matches!(url.scheme(), "ws" | "wss") {
            return Err(RelayUrlError::Scheme(text.to_owned()));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(RelayUrlError::Invalid(text.to_owned()));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(RelayUrlError::Credentials(text.to_owned()));
        }
        url.set_fragment(None);
        let mut normal = url.to_string();
        if url.path() == "/" && url.query().is_none() {
            normal.pop();
        }
        Ok(Self(normal))
    }

    /// The URL as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Reads a comma- or space-separated list (`NOSTR_DEFAULT_RELAYS`), without duplicates.
    ///
    /// # Errors
    /// The first entry that is not a relay URL.
    pub fn parse_list(text: &str) -> Result<Vec<Self>, RelayUrlError> {
        let mut relays: Vec<Self> = Vec::new();
        for entry in text
            .split([',', ' ', '\n'])
            .filter(|entry| !entry.trim().is_empty())
        {
            let relay = Self::parse(entry)?;
            if !relays.contains(&relay) {
                relays.push(relay);
            }
        }
        Ok(relays)
    }
}

impl fmt::Display for RelayUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_relay_has_one_name() {
        for text in [
            "wss://Relay.Example.com",
            "wss://relay.example.com/",
            " wss://relay.example.com:443/ ",
            "wss://relay.example.com/#x",
        ] {
            assert_eq!(
                RelayUrl::parse(text).map(|url| url.to_string()),
                Ok("wss://relay.example.com".to_owned()),
                "{text}"
            );
        }
        assert_eq!(
            RelayUrl::parse("ws://127.0.0.1:7447/nostr/").map(|url| url.to_string()),
            Ok("ws://127.0.0.1:7447/nostr/".to_owned())
        );
    }

    #[test]
    fn other_texts_are_refused_in_words() {
        assert!(matches!(
            RelayUrl::parse("https://relay.example.com"),
            Err(RelayUrlError::Scheme(_))
        ));
        assert!(matches!(
            RelayUrl::parse("relay.example.com"),
            Err(RelayUrlError::Invalid(_))
        ));
        assert!(matches!(
            RelayUrl::parse("wss://me:pw@relay.example.com"),
            Err(RelayUrlError::Credentials(_))
        ));
        let message = RelayUrl::parse("http://x").unwrap_err().to_string();
        assert!(message.contains("wss://"), "{message}");
    }

    #[test]
    fn lists_are_split_and_deduplicated() {
        let relays =
            RelayUrl::parse_list("wss://a.example, wss://b.example wss://A.example/").unwrap();
        assert_eq!(relays.len(), 2);
        assert!(RelayUrl::parse_list("wss://a.example, nope").is_err());
        assert!(RelayUrl::parse_list("").unwrap().is_empty());
    }
}
