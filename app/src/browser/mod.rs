//! What the browser side talks to: wallets and extensions. Compiled only with `hydrate`;
//! the plain-data types are shared with the server so components compile on both sides.

pub mod ethereum;
pub mod nostr;
