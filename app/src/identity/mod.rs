//! How people are recognised on the page: the identicons ("blockies") and auto-generated
//! names the degenrocket web client shows, computed exactly as it computes them so that a
//! person looks the same on both forums.
//!
//! The seed is the address as shown in content: the lower-case `0x` address for Ethereum
//! (the old client seeded its navbar with the checksum form, giving one person two icons;
//! here every place uses the lower-case form) and the `npub` for Nostr.

mod blockies;

pub use blockies::Blockie;
pub use spasm::names::auto_generated_name;

/// The path of a seed's identicon, served as SVG by the forum server. Addresses and npubs
/// are alphanumeric; anything else an unverified event claims is percent-encoded.
pub fn identicon_path(seed: &str) -> String {
    let mut path = String::from("/identicons/");
    for byte in seed.bytes() {
        if byte.is_ascii_alphanumeric() {
            path.push(char::from(byte));
        } else {
            path.push_str(&format!("%{byte:02X}"));
        }
    }
    path.push_str(".svg");
    path
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identicon_paths_are_safe_for_any_seed() {
        assert_eq!(
            identicon_path("0xf8553015220a857eda377a1e903c9e5afb3ac2fa"),
            "/identicons/0xf8553015220a857eda377a1e903c9e5afb3ac2fa.svg"
        );
        assert_eq!(
            identicon_path("a\"b/../c"),
            "/identicons/a%22b%2F%2E%2E%2Fc.svg"
        );
    }
}
