//! A 20-byte Ethereum account address.

use core::fmt;
use core::str::FromStr;

use sha3::{Digest, Keccak256};

/// A 20-byte Ethereum account address.
///
/// Parsing accepts `0x` followed by 40 hexadecimal digits in any case; the checksum
/// case of EIP-55 is not required (many wallets and spasm.js lower-case addresses),
/// and comparison is always byte-wise. [`Display`](fmt::Display) writes the EIP-55
/// checksummed form; [`EthereumAddress::to_lowercase_hex`] writes the lower-case form.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EthereumAddress([u8; 20]);

/// Why a string is not an Ethereum address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EthereumAddressError {
    /// The string does not start with `0x`.
    #[error("an Ethereum address starts with 0x")]
    MissingPrefix,
    /// The string has the wrong number of hexadecimal digits.
    #[error("an Ethereum address has 40 hexadecimal digits after 0x, this one has {0}")]
    WrongLength(usize),
    /// The string holds a character that is not a hexadecimal digit.
    #[error("an Ethereum address holds only hexadecimal digits")]
    NotHex,
}

impl EthereumAddress {
    /// The address made of these 20 bytes.
    pub const fn from_bytes(bytes: [u8; 20]) -> Self {
        Self(bytes)
    }

    /// The 20 bytes of the address.
    pub const fn as_bytes(&self) -> &[u8; 20] {
        &self.0
    }

    /// `0x` followed by 40 lower-case hexadecimal digits.
    pub fn to_lowercase_hex(&self) -> String {
        format!("0x{}", hex::encode(self.0))
    }

    /// The EIP-55 mixed-case checksum form, as wallets display it.
    pub fn to_checksum(&self) -> String {
        let lower = hex::encode(self.0);
        let hash = Keccak256::digest(lower.as_bytes());
        let mut out = String::with_capacity(42);
        out.push_str("0x");
        for (i, c) in lower.chars().enumerate() {
            let nibble = (hash[i / 2] >> (if i % 2 == 0 { 4 } else { 0 })) & 0x0f;
            if c.is_ascii_alphabetic() && nibble >= 8 {
                out.push(c.to_ascii_uppercase());
            } else {
                out.push(c);
            }
        }
        out
    }
}

impl FromStr for EthereumAddress {
    type Err = EthereumAddressError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let digits = s
            .strip_prefix("0x")
            .or_else(|| s.strip_prefix("0X"))
            .ok_or(EthereumAddressError::MissingPrefix)?;
        if digits.len() != 40 {
            return Err(EthereumAddressError::WrongLength(digits.len()));
        }
        let mut bytes = [0u8; 20];
        hex::decode_to_slice(digits, &mut bytes).map_err(|_| EthereumAddressError::NotHex)?;
        Ok(Self(bytes))
    }
}

impl fmt::Display for EthereumAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_checksum())
    }
}

impl fmt::Debug for EthereumAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EthereumAddress({})", self.to_checksum())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksum_matches_eip55_examples() {
        // The examples of EIP-55 itself.
        for example in [
            "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
            "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
            "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
            "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
        ] {
            let address: EthereumAddress = example.parse().unwrap();
            assert_eq!(address.to_checksum(), example);
            assert_eq!(address.to_lowercase_hex(), example.to_lowercase());
        }
    }

    #[test]
    fn parsing_ignores_case_and_rejects_malformed_input() {
        let lower: EthereumAddress = "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"
            .parse()
            .unwrap();
        let upper: EthereumAddress = "0x5AAEB6053F3E94C9B9A09F33669435E7EF1BEAED"
            .parse()
            .unwrap();
        assert_eq!(lower, upper);
        assert_eq!(
            "5aaeb6053f3e94c9b9a09f33669435e7ef1beaed".parse::<EthereumAddress>(),
            Err(EthereumAddressError::MissingPrefix)
        );
        assert_eq!(
            "0x1234".parse::<EthereumAddress>(),
            Err(EthereumAddressError::WrongLength(4))
        );
        assert_eq!(
            "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaeg".parse::<EthereumAddress>(),
            Err(EthereumAddressError::NotHex)
        );
        assert!(
            "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaédd"
                .parse::<EthereumAddress>()
                .is_err()
        );
    }
}
