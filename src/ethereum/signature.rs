//! An Ethereum `personal_sign` signature: 65 bytes `r ‖ s ‖ v`, or the 64-byte compact form
//! of EIP-2098.

use core::fmt;
use core::str::FromStr;

use k256::ecdsa::{RecoveryId, Signature};

/// A recoverable secp256k1 signature as Ethereum wallets return it: `0x` + hex of
/// `r ‖ s ‖ v` (65 bytes), or of EIP-2098's compact `r ‖ yParityAndS` (64 bytes, the parity
/// in the top bit of `s`), which ethers' `verifyMessage`, and so spasm.js, accepts too.
///
/// Parsing enforces what spasm.js leaves open (DECISIONS.md, Security 4): `v` in
/// {27, 28, 0, 1}, and a low `s` (`s <= n/2`) in both forms, so the malleated twin of a
/// signature is not a second valid signature. Hex digits may be of either case.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct EthereumSignature {
    /// `r ‖ s ‖ v`, `v` as given (27 + parity for a compact signature).
    bytes: [u8; 65],
    /// Given in EIP-2098's 64-byte form (and so written back in it).
    compact: bool,
    signature: Signature,
    recovery_id: RecoveryId,
}

/// Why a string is not an acceptable Ethereum signature.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EthereumSignatureError {
    /// The string does not start with `0x`.
    #[error("an Ethereum signature starts with 0x")]
    MissingPrefix,
    /// The string has the wrong number of hexadecimal digits.
    #[error(
        "an Ethereum signature has 130 hexadecimal digits after 0x (128 in the compact form of \
         EIP-2098), this one has {0}"
    )]
    WrongLength(usize),
    /// The string holds a character that is not a hexadecimal digit.
    #[error("an Ethereum signature holds only hexadecimal digits")]
    NotHex,
    /// The recovery byte `v` is not 27, 28, 0 or 1.
    #[error("the recovery byte of an Ethereum signature is 27, 28, 0 or 1, not {0}")]
    InvalidRecoveryByte(u8),
    /// `r` or `s` is zero or not below the curve order.
    #[error("the signature is not a point on the secp256k1 curve")]
    InvalidScalars,
    /// `s` is in the upper half of the curve order: a malleated signature.
    #[error("the signature is malleated (its s value is not in the lower half)")]
    HighS,
}

impl EthereumSignature {
    /// Parse the 65 raw bytes `r ‖ s ‖ v`.
    pub fn from_bytes(bytes: [u8; 65]) -> Result<Self, EthereumSignatureError> {
        let v = bytes[64];
        let parity = match v {
            27 | 28 => v - 27,
            0 | 1 => v,
            other => return Err(EthereumSignatureError::InvalidRecoveryByte(other)),
        };
        let signature = Signature::from_slice(&bytes[..64])
            .map_err(|_| EthereumSignatureError::InvalidScalars)?;
        // k256 0.14 recovers high-s twins to the same key, so the check is ours.
        if signature.normalize_s() != signature {
            return Err(EthereumSignatureError::HighS);
        }
        let recovery_id = RecoveryId::new(parity == 1, false);
        Ok(Self {
            bytes,
            compact: false,
            signature,
            recovery_id,
        })
    }

    /// Parse EIP-2098's 64 bytes `r ‖ yParityAndS`: the top bit of byte 32 is the parity,
    /// the rest is `s`. A compact `s` is below 2^255, yet it must still be low.
    pub fn from_compact_bytes(compact: [u8; 64]) -> Result<Self, EthereumSignatureError> {
        let mut bytes = [0u8; 65];
        bytes[..64].copy_from_slice(&compact);
        let parity = bytes[32] >> 7;
        bytes[32] &= 0x7f;
        bytes[64] = 27 + parity;
        Self::from_bytes(bytes).map(|signature| Self {
            compact: true,
            ..signature
        })
    }

    /// The 65 raw bytes `r ‖ s ‖ v`, `v` as it was given (27 or 28 for a compact signature).
    pub const fn as_bytes(&self) -> &[u8; 65] {
        &self.bytes
    }

    /// Whether it was given in EIP-2098's 64-byte form.
    pub const fn is_compact(&self) -> bool {
        self.compact
    }

    pub(crate) const fn signature(&self) -> &Signature {
        &self.signature
    }

    pub(crate) const fn recovery_id(&self) -> RecoveryId {
        self.recovery_id
    }
}

impl FromStr for EthereumSignature {
    type Err = EthereumSignatureError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let digits = s
            .strip_prefix("0x")
            .ok_or(EthereumSignatureError::MissingPrefix)?;
        match digits.len() {
            130 => {
                let mut bytes = [0u8; 65];
                hex::decode_to_slice(digits, &mut bytes)
                    .map_err(|_| EthereumSignatureError::NotHex)?;
                Self::from_bytes(bytes)
            }
            128 => {
                let mut bytes = [0u8; 64];
                hex::decode_to_slice(digits, &mut bytes)
                    .map_err(|_| EthereumSignatureError::NotHex)?;
                Self::from_compact_bytes(bytes)
            }
            other => Err(EthereumSignatureError::WrongLength(other)),
        }
    }
}

impl fmt::Display for EthereumSignature {
    /// `0x` followed by the lower-case hex of the bytes, in the form it was given.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.compact {
            let mut compact = [0u8; 64];
            compact.copy_from_slice(&self.bytes[..64]);
            compact[32] |= (self.recovery_id.is_y_odd() as u8) << 7;
            write!(f, "0x{}", hex::encode(compact))
        } else {
            write!(f, "0x{}", hex::encode(self.bytes))
        }
    }
}

impl fmt::Debug for EthereumSignature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EthereumSignature({self})")
    }
}
