//! Author addresses as the forum compares them: Ethereum addresses in lower case, Nostr keys
//! as lower-case hex (an `npub` is decoded), so that any spelling of one key finds it.

use std::fmt;

use spasm::EthereumAddress;
use spasm::convert::VerifiedSigner;
use spasm::nostr::NostrPublicKey;
use spasm::nostr::nip19::{bare_identifier, decode_npub};

/// A key the forum knows how to name: an Ethereum address or a Nostr public key, normalised.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AuthorAddress(String);

/// Why a text is not an Ethereum address, a Nostr public key or an `npub`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{0:?} is not an Ethereum address (0x + 40 hex digits), a Nostr public key (64 hex digits) or an npub"
)]
pub struct AddressError(pub String);

impl AuthorAddress {
    /// Parses an Ethereum address in any case, a Nostr hex key in any case, or an `npub`.
    pub fn parse(text: &str) -> Result<Self, AddressError> {
        let bare = bare_identifier(text);
        Self::known_key(&bare).ok_or_else(|| AddressError(text.trim().to_owned()))
    }

    /// The address a stored author claims: normalised when it is a key, kept as written
    /// otherwise (usernames, URLs), so lookups by key still find every spelling.
    pub fn from_claimed(value: &str) -> Self {
        Self::known_key(value).unwrap_or_else(|| Self(value.to_owned()))
    }

    /// The address of a key whose signature was verified.
    pub fn of_signer(signer: &VerifiedSigner) -> Self {
        match signer {
            VerifiedSigner::Ethereum(signer) => Self(signer.address().to_lowercase_hex()),
            VerifiedSigner::Nostr(signer) => Self(signer.pubkey().to_string()),
        }
    }

    fn known_key(text: &str) -> Option<Self> {
        if text.starts_with("npub1") {
            return decode_npub(text).ok().map(|key| Self(key.to_string()));
        }
        let lower = text.to_ascii_lowercase();
        if lower.parse::<EthereumAddress>().is_ok() || lower.parse::<NostrPublicKey>().is_ok() {
            return Some(Self(lower));
        }
        None
    }

    /// The normalised text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AuthorAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_of_a_key_is_the_same_address() {
        let lower = "0x19e7e376e7c213b7e7e7e46cc70a5dd086daff2a";
        for spelling in [
            lower,
            "0x19E7E376E7C213B7E7e7e46cc70A5dD086DAff2A",
            " 0x19E7E376E7C213B7E7E7E46CC70A5DD086DAFF2A ",
        ] {
            assert_eq!(AuthorAddress::parse(spelling).unwrap().as_str(), lower);
        }
        let hex = "a6b65e9c34ae8bc8bb05fc2a3a8ab80fb4b1ccd3e3ac0adec5dd7c0a2a83f4b5";
        let npub = spasm::nostr::nip19::encode_npub(&hex.parse().unwrap());
        assert_eq!(AuthorAddress::parse(&npub).unwrap().as_str(), hex);
        // BIP-173 upper case (QR codes) and NIP-21 URIs.
        assert_eq!(
            AuthorAddress::parse(&npub.to_uppercase()).unwrap().as_str(),
            hex
        );
        assert_eq!(
            AuthorAddress::parse(&format!("nostr:{npub}"))
                .unwrap()
                .as_str(),
            hex
        );
        assert_eq!(
            AuthorAddress::parse(&hex.to_uppercase()).unwrap().as_str(),
            hex
        );
    }

    #[test]
    fn anything_else_is_refused_but_kept_when_merely_claimed() {
        assert!(AuthorAddress::parse("alice").is_err());
        assert!(AuthorAddress::parse("0x1234").is_err());
        assert!(AuthorAddress::parse("npub1invalid").is_err());
        assert_eq!(AuthorAddress::from_claimed("Alice").as_str(), "Alice");
    }
}
