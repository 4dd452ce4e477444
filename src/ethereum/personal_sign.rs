//! EIP-191 (`personal_sign`, version 0x45) recovery and verification.

use k256::ecdsa::VerifyingKey;
use sha3::{Digest, Keccak256};

use super::{EthereumAddress, EthereumSignature};

/// An Ethereum address that this crate has seen sign a message.
///
/// Only [`recover_personal_sign_signer`] and [`verify_personal_sign`] construct it, so a
/// value of this type is proof that a signature was checked here, never a flag read from
/// input (DECISIONS.md, Security 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct VerifiedEthereumSigner(EthereumAddress);

impl VerifiedEthereumSigner {
    /// The address that signed.
    pub const fn address(&self) -> EthereumAddress {
        self.0
    }
}

/// Why a signature does not prove what it was asked to prove.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PersonalSignError {
    /// No public key can be recovered from this signature and message.
    #[error("no public key can be recovered from this signature")]
    Unrecoverable,
    /// The signature recovers to another address than the expected signer.
    #[error("the message was signed by {recovered}, not by {expected}")]
    WrongSigner {
        /// The address the caller expected.
        expected: EthereumAddress,
        /// The address the signature recovers to.
        recovered: EthereumAddress,
    },
}

/// The EIP-191 digest that `personal_sign` signs:
/// `keccak256("\x19Ethereum Signed Message:\n" + decimal(len(message)) + message)`.
///
/// The message is always taken as the bytes given (spasm.js signs the UTF-8 text and never
/// hex-decodes it).
pub fn personal_sign_digest(message: &[u8]) -> [u8; 32] {
    let mut hasher = Keccak256::new();
    hasher.update(b"\x19Ethereum Signed Message:\n");
    hasher.update(message.len().to_string().as_bytes());
    hasher.update(message);
    hasher.finalize().into()
}

/// The address whose key made `signature` over `message` with `personal_sign`.
pub fn recover_personal_sign_signer(
    message: &[u8],
    signature: &EthereumSignature,
) -> Result<VerifiedEthereumSigner, PersonalSignError> {
    let digest = personal_sign_digest(message);
    let key =
        VerifyingKey::recover_from_prehash(&digest, signature.signature(), signature.recovery_id())
            .map_err(|_| PersonalSignError::Unrecoverable)?;
    Ok(VerifiedEthereumSigner(address_of(&key)))
}

/// Check that `expected` signed `message`, comparing addresses byte-wise.
pub fn verify_personal_sign(
    message: &[u8],
    signature: &EthereumSignature,
    expected: &EthereumAddress,
) -> Result<VerifiedEthereumSigner, PersonalSignError> {
    let signer = recover_personal_sign_signer(message, signature)?;
    if signer.address() == *expected {
        Ok(signer)
    } else {
        Err(PersonalSignError::WrongSigner {
            expected: *expected,
            recovered: signer.address(),
        })
    }
}

/// The Ethereum address of a public key: the last 20 bytes of keccak256 of its
/// uncompressed encoding without the leading 0x04.
fn address_of(key: &VerifyingKey) -> EthereumAddress {
    let point = key.to_sec1_point(false);
    let hash = Keccak256::digest(&point.as_bytes()[1..]);
    let mut bytes = [0u8; 20];
    bytes.copy_from_slice(&hash[12..]);
    EthereumAddress::from_bytes(bytes)
}

#[cfg(test)]
mod tests {
    use k256::ecdsa::SigningKey;

    use super::*;

    /// A test key from a fixed seed, and the address ethers derives for it.
    fn test_key() -> (SigningKey, EthereumAddress) {
        let key = SigningKey::from_slice(&[0x11; 32]).unwrap();
        (
            key,
            "0x19E7E376E7C213B7E7e7e46cc70A5dD086DAff2A"
                .parse()
                .unwrap(),
        )
    }

    fn sign(key: &SigningKey, message: &[u8]) -> [u8; 65] {
        let (signature, recovery_id) = key.sign_prehash_recoverable(&personal_sign_digest(message));
        let mut bytes = [0u8; 65];
        bytes[..64].copy_from_slice(&signature.to_bytes());
        bytes[64] = 27 + recovery_id.to_byte();
        bytes
    }

    #[test]
    fn digest_matches_eip191() {
        // keccak256("\x19Ethereum Signed Message:\n5hello"), as ethers.hashMessage("hello").
        assert_eq!(
            hex::encode(personal_sign_digest(b"hello")),
            "50b2c43fd39106bafbba0da34fc430e1f91e3c96ea2acee2bc34119f92b37750"
        );
    }

    #[test]
    fn recovers_the_signer_of_a_message() {
        let (key, address) = test_key();
        let signature = EthereumSignature::from_bytes(sign(&key, b"Spasm test")).unwrap();
        let signer = verify_personal_sign(b"Spasm test", &signature, &address).unwrap();
        assert_eq!(signer.address(), address);
    }

    #[test]
    fn accepts_recovery_byte_zero_or_one() {
        let (key, address) = test_key();
        let mut bytes = sign(&key, b"parity");
        bytes[64] -= 27;
        let signature = EthereumSignature::from_bytes(bytes).unwrap();
        assert_eq!(
            recover_personal_sign_signer(b"parity", &signature)
                .unwrap()
                .address(),
            address
        );
    }

    #[test]
    fn a_tampered_message_recovers_another_address() {
        let (key, address) = test_key();
        let signature = EthereumSignature::from_bytes(sign(&key, b"pay 1")).unwrap();
        let result = verify_personal_sign(b"pay 9", &signature, &address);
        assert!(matches!(result, Err(PersonalSignError::WrongSigner { .. })));
    }

    #[test]
    fn rejects_the_malleated_twin() {
        let (key, _) = test_key();
        let bytes = sign(&key, b"twin");
        let signature = k256::ecdsa::Signature::from_slice(&bytes[..64]).unwrap();
        let (r, s) = signature.split_scalars();
        let high = k256::ecdsa::Signature::from_scalars(r.to_bytes(), (-*s).to_bytes()).unwrap();
        let mut twin = [0u8; 65];
        twin[..64].copy_from_slice(&high.to_bytes());
        twin[64] = if bytes[64] == 27 { 28 } else { 27 };
        assert_eq!(
            EthereumSignature::from_bytes(twin),
            Err(super::super::EthereumSignatureError::HighS)
        );
    }

    #[test]
    fn rejects_invalid_recovery_bytes_and_scalars() {
        let (key, _) = test_key();
        let mut bytes = sign(&key, b"v");
        bytes[64] = 29;
        assert!(EthereumSignature::from_bytes(bytes).is_err());
        bytes[64] = 35;
        assert!(EthereumSignature::from_bytes(bytes).is_err());
        assert!(EthereumSignature::from_bytes([0u8; 65]).is_err());
        assert!(
            format!("0x{}", "ff".repeat(65))
                .parse::<EthereumSignature>()
                .is_err()
        );
        assert!("0x12".parse::<EthereumSignature>().is_err());
        assert!("ab".repeat(65).parse::<EthereumSignature>().is_err());
    }

    /// EIP-2098: `r ‖ s` with the parity in the top bit of `s`.
    fn compact(bytes: [u8; 65]) -> [u8; 64] {
        let mut compact = [0u8; 64];
        compact.copy_from_slice(&bytes[..64]);
        compact[32] |= (bytes[64] - 27) << 7;
        compact
    }

    #[test]
    fn accepts_eip2098_compact_signatures() {
        let (key, address) = test_key();
        // Both parities: sign until each has been seen.
        let mut seen = [false; 2];
        for round in 0..64u8 {
            let message = [b'c', round];
            let bytes = sign(&key, &message);
            let text = format!("0x{}", hex::encode(compact(bytes)));
            let signature: EthereumSignature = text.parse().unwrap();
            assert!(signature.is_compact());
            assert_eq!(signature.to_string(), text);
            assert_eq!(
                verify_personal_sign(&message, &signature, &address)
                    .unwrap()
                    .address(),
                address
            );
            seen[usize::from(bytes[64] - 27)] = true;
            if seen == [true, true] {
                return;
            }
        }
        panic!("64 signatures without both parities");
    }

    #[test]
    fn a_compact_signature_must_have_a_low_s() {
        let (key, _) = test_key();
        let mut bytes = compact(sign(&key, b"high"));
        // n/2 + 1: below 2^255, so the compact form can hold it, yet it is high.
        let half_plus_one =
            hex::decode("7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a1")
                .unwrap();
        bytes[32..].copy_from_slice(&half_plus_one);
        assert_eq!(
            EthereumSignature::from_compact_bytes(bytes),
            Err(super::super::EthereumSignatureError::HighS)
        );
    }

    #[test]
    fn display_round_trips() {
        let (key, _) = test_key();
        let signature = EthereumSignature::from_bytes(sign(&key, b"round")).unwrap();
        let text = signature.to_string();
        assert_eq!(text.parse::<EthereumSignature>().unwrap(), signature);
    }
}
