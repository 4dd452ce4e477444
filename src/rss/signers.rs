//! The verified signers of a converted event, as spasm.js `getVerifiedSigners` and its
//! per-format variants list them: author addresses in the authors' order whose `verified`
//! flag is set. Only this crate's conversion sets that flag, after checking a signature.

use serde_json::Value;

use crate::js_value::{js_string, truthy};
use crate::nostr::nip19::to_hex_lenient;

/// The verified addresses of one event, by format, lower-cased (Nostr keys as hex).
#[derive(Debug, Default)]
pub(super) struct VerifiedSigners {
    /// `spasmer` addresses.
    pub spasm: Vec<String>,
    /// `ethereum-pubkey` addresses.
    pub ethereum: Vec<String>,
    /// `nostr-hex` and `nostr-npub` addresses, as hex.
    pub nostr: Vec<String>,
    /// Every verified address (Nostr as hex).
    pub any: Vec<String>,
}

impl VerifiedSigners {
    pub(super) fn of(event: &Value) -> Self {
        let mut signers = Self::default();
        let addresses = event
            .get("authors")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|author| author.get("addresses").and_then(Value::as_array))
            .flatten();
        for address in addresses {
            let verified = address.get("verified").is_some_and(truthy);
            let value = address
                .get("value")
                .filter(|value| matches!(value, Value::String(_) | Value::Number(_)))
                .filter(|value| truthy(value));
            let (true, Some(value)) = (verified, value) else {
                continue;
            };
            let value = js_string(Some(value));
            let format = address
                .get("format")
                .and_then(|format| format.get("name"))
                .and_then(Value::as_str)
                .unwrap_or_default();
            let as_hex = if format == "nostr-npub" {
                to_hex_lenient(&value)
            } else {
                value.clone()
            };
            match format {
                "spasmer" => signers.spasm.push(value.to_lowercase()),
                "ethereum-pubkey" => signers.ethereum.push(value.to_lowercase()),
                "nostr-hex" | "nostr-npub" if !as_hex.is_empty() => {
                    signers.nostr.push(as_hex.to_lowercase());
                }
                _ => {}
            }
            if !as_hex.is_empty() {
                signers.any.push(as_hex.to_lowercase());
            }
        }
        signers
    }

    /// Whether any signature was verified (spasm.js `hasVerifiedSigner`).
    pub(super) fn is_empty(&self) -> bool {
        self.any.is_empty()
    }
}
