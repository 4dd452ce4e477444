//! What the browser side talks to: wallets and extensions. Compiled only with `hydrate`;
//! the plain-data types are shared with the server so components compile on both sides.

pub mod ethereum;
pub mod nostr;

/// Milliseconds since the epoch by the browser's clock, for the `timestamp` of what the
/// visitor signs; 0 on the server, where nothing is signed.
pub fn now_ms() -> u64 {
    #[cfg(feature = "hydrate")]
    {
        // The browser's clock is a float of whole milliseconds.
        js_sys::Date::now() as u64
    }
    #[cfg(not(feature = "hydrate"))]
    {
        0
    }
}
