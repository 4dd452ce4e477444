//! Name resolution done by us, so that every address is checked before a connection.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use crate::error::OutgoingError;
use crate::policy::OutgoingPolicy;

/// The addresses a [`NameResolver`] found, when they are found.
pub type Lookup =
    std::pin::Pin<Box<dyn std::future::Future<Output = std::io::Result<Vec<IpAddr>>> + Send>>;

/// Turns a host name into addresses.
pub trait NameResolver: Send + Sync + std::fmt::Debug {
    /// The addresses of `host`.
    fn lookup(&self, host: &str) -> Lookup;
}

/// The operating system's resolver (`getaddrinfo`, through tokio).
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemResolver;

impl NameResolver for SystemResolver {
    fn lookup(&self, host: &str) -> Lookup {
        let host = host.to_owned();
        Box::pin(async move {
            Ok(tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .map(|address| address.ip())
                .collect())
        })
    }
}

/// Fixed answers, for tests (a name that resolves to a private address, say).
#[derive(Debug, Clone, Default)]
pub struct StaticResolver {
    answers: HashMap<String, Vec<IpAddr>>,
}

impl StaticResolver {
    /// Answers `host` with `addresses`.
    #[must_use]
    pub fn with(mut self, host: &str, addresses: &[IpAddr]) -> Self {
        self.answers
            .insert(host.to_ascii_lowercase(), addresses.to_vec());
        self
    }
}

impl NameResolver for StaticResolver {
    fn lookup(&self, host: &str) -> Lookup {
        let answer = self.answers.get(&host.to_ascii_lowercase()).cloned();
        Box::pin(async move {
            answer.ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "unknown name"))
        })
    }
}

/// reqwest's resolver: resolves with a [`NameResolver`] and keeps only the addresses the
/// policy allows; a name with none left fails with [`OutgoingError::AddressRefused`].
#[derive(Debug, Clone)]
pub(crate) struct CheckedResolver {
    pub(crate) names: Arc<dyn NameResolver>,
    pub(crate) policy: Arc<OutgoingPolicy>,
}

impl Resolve for CheckedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let names = Arc::clone(&self.names);
        let policy = Arc::clone(&self.policy);
        Box::pin(async move {
            let allowed = allowed_addresses(names.as_ref(), &policy, name.as_str())
                .await
                .map_err(|error| Box::new(error) as Box<dyn std::error::Error + Send + Sync>)?;
            Ok(Box::new(allowed.into_iter().map(|ip| SocketAddr::new(ip, 0))) as Addrs)
        })
    }
}

/// The addresses of `host` that `policy` allows; [`OutgoingError::AddressRefused`] when it
/// allows none of them.
pub(crate) async fn allowed_addresses(
    names: &dyn NameResolver,
    policy: &OutgoingPolicy,
    host: &str,
) -> Result<Vec<IpAddr>, OutgoingError> {
    let found = names
        .lookup(host)
        .await
        .map_err(|error| OutgoingError::Resolve {
            host: host.to_owned(),
            reason: error.to_string(),
        })?;
    let mut refused = None;
    let allowed: Vec<IpAddr> = found
        .into_iter()
        .filter(|ip| match policy.check(host, *ip) {
            Ok(()) => true,
            Err(error) => {
                refused.get_or_insert(error);
                false
            }
        })
        .collect();
    if allowed.is_empty() {
        return Err(refused.unwrap_or(OutgoingError::Resolve {
            host: host.to_owned(),
            reason: "no addresses".into(),
        }));
    }
    Ok(allowed)
}
