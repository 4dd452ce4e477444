//! [`OutgoingError`]: why a fetch failed, in words a host can act on.

use std::net::IpAddr;
use std::time::Duration;

use crate::address::AddressClass;

/// Why a fetch failed. The display text is shown to the instance's host (admin page, logs).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OutgoingError {
    /// The URL does not parse.
    #[error("{url:?} is not a valid URL")]
    InvalidUrl {
        /// The text given.
        url: String,
    },
    /// A scheme other than those allowed (`http`, `https`; `ws`, `wss` for relays).
    #[error("{url:?} uses {scheme}:, but only {allowed} may be fetched")]
    SchemeNotAllowed {
        /// The URL.
        url: String,
        /// Its scheme.
        scheme: String,
        /// What is allowed, in words.
        allowed: &'static str,
    },
    /// The URL has no host.
    #[error("{url:?} names no host")]
    NoHost {
        /// The URL.
        url: String,
    },
    /// The host is, or resolves only to, an address the policy refuses.
    #[error(
        "{host} is {} ({ip}); this instance does not fetch from such addresses (allow them \
         with allow_private_network or by naming the host)",
        class.describe()
    )]
    AddressRefused {
        /// The host as named.
        host: String,
        /// The refused address.
        ip: IpAddr,
        /// What kind of address it is.
        class: AddressClass,
    },
    /// The name does not resolve.
    #[error("the name {host} could not be resolved: {reason}")]
    Resolve {
        /// The host.
        host: String,
        /// The resolver's words.
        reason: String,
    },
    /// No connection could be made.
    #[error("could not connect to {host}: {reason}")]
    Connect {
        /// The host.
        host: String,
        /// The cause, in words.
        reason: String,
    },
    /// The whole exchange took longer than allowed.
    #[error("no complete answer within {} seconds", .limit.as_secs())]
    Timeout {
        /// The limit.
        limit: Duration,
    },
    /// The body is larger than allowed.
    #[error("the answer is larger than {} (the limit for one answer)", human_bytes(*max_bytes))]
    TooLarge {
        /// The cap, in bytes.
        max_bytes: usize,
    },
    /// More redirects than allowed.
    #[error("more than {max} redirects")]
    TooManyRedirects {
        /// The limit.
        max: usize,
    },
    /// An answer other than success.
    #[error("the answer was HTTP {status}{}", reason.map(|reason| format!(" ({reason})")).unwrap_or_default())]
    Status {
        /// The status code.
        status: u16,
        /// Its reason phrase.
        reason: Option<&'static str>,
    },
    /// Anything else the HTTP exchange reported (a TLS failure, a broken answer).
    #[error("the exchange failed: {reason}")]
    Http {
        /// The cause, in words.
        reason: String,
    },
}

impl OutgoingError {
    /// Whether trying again later may help (network trouble, not a wrong URL or a refusal).
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Self::Resolve { .. }
                | Self::Connect { .. }
                | Self::Timeout { .. }
                | Self::Http { .. }
                | Self::Status { .. }
        )
    }
}

fn human_bytes(bytes: usize) -> String {
    const MIB: usize = 1024 * 1024;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= 1024 && bytes.is_multiple_of(1024) {
        format!("{} KiB", bytes / 1024)
    } else {
        format!("{bytes} bytes")
    }
}
