//! How people are recognised on the page: the identicons ("blockies") and auto-generated
//! names the degenrocket web client shows, computed exactly as it computes them so that a
//! person looks the same on both forums.
//!
//! The seed is the address as shown in content: the lower-case `0x` address for Ethereum
//! (the old client seeded its navbar with the checksum form, giving one person two icons;
//! here every place uses the lower-case form) and the `npub` for Nostr.

mod blockies;
mod names;

pub use blockies::Blockie;
pub use names::auto_generated_name;

/// The path of a seed's identicon, served as SVG by the forum server.
pub fn identicon_path(seed: &str) -> String {
    format!("/identicons/{seed}.svg")
}
