//! Ethereum identities and EIP-191 `personal_sign` signatures.
//!
//! ```
//! use spasm::ethereum::{EthereumAddress, EthereumSignature, recover_personal_sign_signer};
//!
//! let address: EthereumAddress = "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed".parse().unwrap();
//! assert_eq!(address.to_string(), "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed");
//!
//! // A malformed signature is a typed error, never a panic.
//! assert!("0x1234".parse::<EthereumSignature>().is_err());
//! # let _ = recover_personal_sign_signer;
//! ```

mod address;
mod personal_sign;
mod signature;

pub use address::{EthereumAddress, EthereumAddressError};
pub use personal_sign::{
    PersonalSignError, VerifiedEthereumSigner, personal_sign_digest, recover_personal_sign_signer,
    verify_personal_sign,
};
pub use signature::{EthereumSignature, EthereumSignatureError};
