//! Nostr public keys, event ids and signatures: exact-length lower-case hex.

use core::fmt;
use core::str::FromStr;

/// Why a string is not the lower-case hex a Nostr field requires.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NostrHexError {
    /// The string has the wrong number of characters.
    #[error("expected {expected} lower-case hexadecimal digits, found {found} characters")]
    WrongLength {
        /// Digits required.
        expected: usize,
        /// Characters found.
        found: usize,
    },
    /// The string holds something other than `0-9a-f`.
    #[error("only lower-case hexadecimal digits (0-9, a-f) are allowed")]
    NotLowercaseHex,
}

fn parse_lowercase_hex<const N: usize>(s: &str) -> Result<[u8; N], NostrHexError> {
    if s.len() != N * 2 {
        return Err(NostrHexError::WrongLength {
            expected: N * 2,
            found: s.chars().count(),
        });
    }
    if !s
        .bytes()
        .all(|byte| byte.is_ascii_digit() || (b'a'..=b'f').contains(&byte))
    {
        return Err(NostrHexError::NotLowercaseHex);
    }
    let mut bytes = [0u8; N];
    hex::decode_to_slice(s, &mut bytes).map_err(|_| NostrHexError::NotLowercaseHex)?;
    Ok(bytes)
}

macro_rules! hex_newtype {
    ($(#[$doc:meta])* $name:ident, $len:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name([u8; $len]);

        impl $name {
            /// The value made of these bytes.
            pub const fn from_bytes(bytes: [u8; $len]) -> Self {
                Self(bytes)
            }

            /// The raw bytes.
            pub const fn as_bytes(&self) -> &[u8; $len] {
                &self.0
            }
        }

        impl FromStr for $name {
            type Err = NostrHexError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                parse_lowercase_hex::<$len>(s).map(Self)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&hex::encode(self.0))
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "({})"), self)
            }
        }
    };
}

hex_newtype!(
    /// An x-only secp256k1 public key (NIP-01 `pubkey`): 64 lower-case hex digits.
    NostrPublicKey,
    32
);
hex_newtype!(
    /// A NIP-01 event id: the SHA-256 of the event's serialisation, 64 lower-case hex digits.
    NostrEventId,
    32
);
hex_newtype!(
    /// A BIP-340 Schnorr signature: 128 lower-case hex digits.
    NostrSignature,
    64
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_exact_lowercase_hex_parses() {
        let key = "6e468422dfb74a5738702a8823b9b28168abab8655faacb6853cd0ee15deee93";
        assert_eq!(key.parse::<NostrPublicKey>().unwrap().to_string(), key);
        assert_eq!(
            key.to_uppercase().parse::<NostrPublicKey>(),
            Err(NostrHexError::NotLowercaseHex)
        );
        assert!(matches!(
            key[..62].parse::<NostrPublicKey>(),
            Err(NostrHexError::WrongLength { .. })
        ));
        assert!("é".repeat(32).parse::<NostrPublicKey>().is_err());
        assert!(format!("{key}{key}").parse::<NostrSignature>().is_ok());
    }
}
