//! The Spasm protocol (Signer and Protocol Agnostic Social Media).
//!
//! This crate reads, checks, identifies and produces Spasm events. It does no I/O and
//! has no async code, so the server and the browser (wasm32) share it.
//!
//! Verification results are types that only this crate can construct: a
//! [`ethereum::VerifiedEthereumSigner`] exists only if a signature was checked here.
//!
//! The `spasmid` feature (on by default) adds [`spasmid`], which needs ICU collation data;
//! the browser bundle leaves it out because it never computes an id itself.

pub mod action;
pub mod bidi;
pub mod body;
#[cfg(feature = "spasmid")]
pub mod collation;
pub mod convert;
pub mod ethereum;
pub mod formats;
pub mod identify;
pub mod js_json;
pub mod js_value;
pub mod json_text;
pub mod names;
pub mod nostr;
#[cfg(feature = "rss")]
pub mod rss;
pub mod signed;
pub mod signing;
#[cfg(feature = "spasmid")]
pub mod spasmid;
pub mod timestamps;
pub mod whatwg_url;

pub use ethereum::{EthereumAddress, EthereumSignature, EthereumSignatureError};
