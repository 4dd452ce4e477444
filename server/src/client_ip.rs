//! The client's address behind reverse proxies: `X-Forwarded-For` is believed only from the
//! proxies the host trusts (`trusted_proxies`), and read from the right, past every trusted
//! hop, so a client cannot choose its address by sending the header itself (a proxy appends
//! the address it saw, or replaces the header). `Forwarded` (RFC 7239) is never read: nginx
//! and Caddy set `X-Forwarded-For` but pass a client's own `Forwarded` through untouched.
//! Rate limits and logs use the result ([`ClientAddress`]).

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;
use forum::rate::ClientAddress;
use ipnet::IpNet;

/// The proxies whose forwarding headers are believed.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Arc<Vec<IpNet>>);

impl TrustedProxies {
    /// Trusts these addresses and ranges.
    pub fn new(proxies: Vec<IpNet>) -> Self {
        Self(Arc::new(proxies))
    }

    fn trusts(&self, address: IpAddr) -> bool {
        let address = canonical(address);
        self.0.iter().any(|range| range.contains(&address))
    }

    /// The client of a connection from `peer` with these headers: the peer itself unless it
    /// is a trusted proxy; then the nearest `X-Forwarded-For` address that is not one, or
    /// the farthest when every hop is trusted.
    /// A malformed entry stops the walk at the last address known good.
    pub fn client_of(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let mut client = canonical(peer);
        if !self.trusts(client) {
            return client;
        }
        let hops = forwarded_hops(headers);
        for hop in hops.iter().rev() {
            let Some(address) = hop else {
                return client;
            };
            client = canonical(*address);
            if !self.trusts(client) {
                return client;
            }
        }
        client
    }
}

/// IPv4 addresses arriving mapped into IPv6 (`::ffff:a.b.c.d`) as plain IPv4.
fn canonical(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(address, IpAddr::V4),
        IpAddr::V4(_) => address,
    }
}

/// The `X-Forwarded-For` addresses, nearest last; `None` for an entry that is not an
/// address (`unknown`, garbage).
fn forwarded_hops(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(parse_node)
        .collect()
}

/// One entry: `1.2.3.4`, `[2001:db8::1]:4711`, `1.2.3.4:80`, `2001:db8::1`.
fn parse_node(text: &str) -> Option<IpAddr> {
    let text = text.trim().trim_matches('"');
    if let Ok(address) = text.parse::<IpAddr>() {
        return Some(address);
    }
    if let Ok(socket) = text.parse::<SocketAddr>() {
        return Some(socket.ip());
    }
    text.strip_prefix('[')
        .and_then(|rest| rest.split_once(']'))
        .and_then(|(inside, _)| inside.parse().ok())
}

/// Middleware: puts the request's [`ClientAddress`] in its extensions. Without connection
/// information (a router driven directly in tests) the address is unspecified.
pub async fn resolve(
    State(proxies): State<TrustedProxies>,
    mut request: Request<Body>,
    next: Next,
) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::from([0, 0, 0, 0]), |info| info.0.ip());
    let client = proxies.client_of(peer, request.headers());
    request.extensions_mut().insert(ClientAddress(client));
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn proxies(list: &[&str]) -> TrustedProxies {
        TrustedProxies::new(
            list.iter()
                .map(|text| {
                    text.parse::<IpNet>()
                        .unwrap_or_else(|_| IpNet::from(text.parse::<IpAddr>().unwrap()))
                })
                .collect(),
        )
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_says() {
        let trusted = proxies(&["10.0.0.0/8"]);
        let forged = headers(&[("x-forwarded-for", "1.1.1.1"), ("forwarded", "for=2.2.2.2")]);
        assert_eq!(
            trusted.client_of(ip("203.0.113.9"), &forged),
            ip("203.0.113.9")
        );
        assert_eq!(
            TrustedProxies::default().client_of(ip("127.0.0.1"), &forged),
            ip("127.0.0.1")
        );
    }

    #[test]
    fn the_nearest_untrusted_hop_is_the_client() {
        let trusted = proxies(&["10.0.0.0/8", "127.0.0.1/32"]);
        // The client forged the first entry; the proxy appended the address it saw.
        let chain = headers(&[("x-forwarded-for", "6.6.6.6, 198.51.100.7, 10.1.2.3")]);
        assert_eq!(
            trusted.client_of(ip("127.0.0.1"), &chain),
            ip("198.51.100.7")
        );
        let split = headers(&[
            ("x-forwarded-for", "6.6.6.6"),
            ("x-forwarded-for", "198.51.100.8"),
        ]);
        assert_eq!(
            trusted.client_of(ip("10.0.0.1"), &split),
            ip("198.51.100.8")
        );
    }

    #[test]
    fn forwarded_is_never_read_and_entries_take_their_forms() {
        let trusted = proxies(&["127.0.0.1"]);
        // A client's own `Forwarded` passes through nginx and Caddy untouched.
        let both = headers(&[
            ("x-forwarded-for", "9.9.9.9"),
            ("forwarded", "for=192.0.2.60;proto=http"),
        ]);
        assert_eq!(trusted.client_of(ip("127.0.0.1"), &both), ip("9.9.9.9"));
        let only_forwarded = headers(&[("forwarded", "for=192.0.2.60")]);
        assert_eq!(
            trusted.client_of(ip("127.0.0.1"), &only_forwarded),
            ip("127.0.0.1")
        );
        let ported = headers(&[("x-forwarded-for", "[2001:db8:cafe::17]:4711")]);
        assert_eq!(
            trusted.client_of(ip("127.0.0.1"), &ported),
            ip("2001:db8:cafe::17")
        );
    }

    #[test]
    fn garbage_stops_at_the_last_good_address() {
        let trusted = proxies(&["127.0.0.1"]);
        let garbage = headers(&[("x-forwarded-for", "1.2.3.4, not-an-address")]);
        assert_eq!(
            trusted.client_of(ip("127.0.0.1"), &garbage),
            ip("127.0.0.1")
        );
        let mapped = headers(&[("x-forwarded-for", "198.51.100.9")]);
        assert_eq!(
            trusted.client_of(ip("::ffff:127.0.0.1"), &mapped),
            ip("198.51.100.9")
        );
        assert_eq!(
            trusted.client_of(ip("127.0.0.1"), &HeaderMap::new()),
            ip("127.0.0.1")
        );
    }
}
