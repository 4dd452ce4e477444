//! [`OutgoingPolicy`]: what the host allows the server to fetch, and within which bounds.

use std::net::IpAddr;
use std::time::Duration;

use crate::address::AddressClass;
use crate::error::OutgoingError;

/// Bounds and address rules for every outgoing request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingPolicy {
    /// Fetch from loopback, private, link-local and other non-public addresses too.
    pub allow_private_network: bool,
    /// Hosts (names or IP literals, any case) that may be non-public addresses even when
    /// [`Self::allow_private_network`] is off: a peer on the host's own network.
    pub allowed_hosts: Vec<String>,
    /// The longest wait for a connection.
    pub connect_timeout: Duration,
    /// The longest a whole exchange (connect, headers, body) may take.
    pub total_timeout: Duration,
    /// The largest body read, in bytes.
    pub max_body_bytes: usize,
    /// The most redirects followed.
    pub max_redirects: usize,
    /// The `User-Agent`: the software, its version and the instance's address.
    pub user_agent: String,
}

impl Default for OutgoingPolicy {
    fn default() -> Self {
        Self {
            allow_private_network: false,
            allowed_hosts: Vec::new(),
            connect_timeout: Duration::from_secs(10),
            total_timeout: Duration::from_secs(30),
            max_body_bytes: 10 * 1024 * 1024,
            max_redirects: 5,
            user_agent: format!("spasm-forum/{}", env!("CARGO_PKG_VERSION")),
        }
    }
}

impl OutgoingPolicy {
    /// The `User-Agent` for an instance at `instance_url`: `spasm-forum/<version>
    /// (+<instance_url>)`.
    pub fn user_agent_for(instance_url: Option<&str>) -> String {
        match instance_url {
            Some(url) if !url.is_empty() => {
                format!("spasm-forum/{} (+{url})", env!("CARGO_PKG_VERSION"))
            }
            _ => format!("spasm-forum/{}", env!("CARGO_PKG_VERSION")),
        }
    }

    /// Whether `host` is one the host named.
    fn names(&self, host: &str) -> bool {
        let host = host.trim_start_matches('[').trim_end_matches(']');
        self.allowed_hosts.iter().any(|allowed| {
            allowed
                .trim_start_matches('[')
                .trim_end_matches(']')
                .eq_ignore_ascii_case(host)
        })
    }

    /// Checks one address that `host` resolved to (or is).
    pub fn check(&self, host: &str, ip: IpAddr) -> Result<(), OutgoingError> {
        let class = AddressClass::of(ip);
        if class.is_public() || self.allow_private_network || self.names(host) {
            return Ok(());
        }
        Err(OutgoingError::AddressRefused {
            host: host.to_owned(),
            ip,
            class,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_addresses_need_the_host_s_consent() {
        let loopback: IpAddr = [127, 0, 0, 1].into();
        let strict = OutgoingPolicy::default();
        assert!(matches!(
            strict.check("localhost", loopback),
            Err(OutgoingError::AddressRefused { .. })
        ));
        assert!(
            strict
                .check("example.com", [93, 184, 216, 34].into())
                .is_ok()
        );
        let named = OutgoingPolicy {
            allowed_hosts: vec!["LocalHost".into(), "[::1]".into()],
            ..OutgoingPolicy::default()
        };
        assert!(named.check("localhost", loopback).is_ok());
        assert!(
            named
                .check("::1", "::1".parse().unwrap_or(loopback))
                .is_ok()
        );
        assert!(named.check("127.0.0.1", loopback).is_err());
        let open = OutgoingPolicy {
            allow_private_network: true,
            ..OutgoingPolicy::default()
        };
        assert!(open.check("127.0.0.1", loopback).is_ok());
    }

    #[test]
    fn refusals_say_what_the_address_is() {
        let error = OutgoingPolicy::default()
            .check("metadata", [169, 254, 169, 254].into())
            .err()
            .map(|error| error.to_string())
            .unwrap_or_default();
        assert!(error.contains("link-local"), "{error}");
        assert!(error.contains("169.254.169.254"), "{error}");
    }
}
