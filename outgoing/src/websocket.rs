//! WebSocket connections to Nostr relays (`ws:` and `wss:`), under the same rules as every
//! fetch: the name resolved here, every address checked, a connect timeout, no proxy, and
//! a cap on the size of one message.

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::handshake::client::Request;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use url::{Host, Url};

use crate::client::{OutgoingClient, RELAYS, check_url};
use crate::error::OutgoingError;
use crate::policy::OutgoingPolicy;
use crate::resolve::allowed_addresses;

/// The transport under a relay connection: TCP, or TLS over TCP for `wss:`.
pub trait RelayTransport: AsyncRead + AsyncWrite + Unpin + Send + Sync {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + Sync> RelayTransport for T {}

/// An open WebSocket to a relay (tungstenite's stream over [`RelayTransport`]).
pub type RelaySocket = WebSocketStream<Box<dyn RelayTransport>>;

/// Which addresses a relay may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Addresses {
    /// Those the client's policy allows (the host's own relays).
    AsPolicy,
    /// Public addresses only, whatever the policy allows: a relay that anyone can name
    /// (an author's NIP-65 list).
    PublicOnly,
}

impl OutgoingClient {
    /// Opens a WebSocket to `url` (`ws:` or `wss:`) at one of the `addresses` allowed,
    /// refusing messages and frames larger than `max_message_bytes`.
    ///
    /// # Errors
    /// [`OutgoingError`] in words: a refused scheme or address, a name that does not resolve,
    /// no connection within the connect timeout, a failed TLS or WebSocket handshake.
    pub async fn connect_websocket(
        &self,
        url: &str,
        max_message_bytes: usize,
        addresses: Addresses,
    ) -> Result<RelaySocket, OutgoingError> {
        let parsed = Url::parse(url).map_err(|_| OutgoingError::InvalidUrl {
            url: url.to_owned(),
        })?;
        let policy = self.policy_for(addresses);
        check_url(&parsed, &policy, RELAYS)?;
        let host = parsed.host_str().unwrap_or_default().to_owned();
        let port = parsed.port_or_known_default().unwrap_or(443);
        let addresses = match parsed.host() {
            Some(Host::Ipv4(ip)) => vec![ip.into()],
            Some(Host::Ipv6(ip)) => vec![ip.into()],
            _ => allowed_addresses(self.names(), &policy, &host).await?,
        };
        let limit = self.policy().connect_timeout;
        let connect = async {
            let mut last = None;
            for ip in addresses {
                match TcpStream::connect(SocketAddr::new(ip, port)).await {
                    Ok(stream) => return Ok(stream),
                    Err(error) => last = Some(error),
                }
            }
            Err(last.map_or_else(|| "no addresses".to_owned(), |error| error.to_string()))
        };
        let tcp = tokio::time::timeout(limit, connect)
            .await
            .map_err(|_| OutgoingError::Timeout { limit })?
            .map_err(|reason| OutgoingError::Connect {
                host: host.clone(),
                reason,
            })?;
        let _ = tcp.set_nodelay(true);
        let transport: Box<dyn RelayTransport> = if parsed.scheme() == "wss" {
            Box::new(tls(&parsed, tcp, limit).await?)
        } else {
            Box::new(tcp)
        };
        let mut request: Request =
            url.into_client_request()
                .map_err(|error| OutgoingError::Http {
                    reason: error.to_string(),
                })?;
        if let Ok(agent) = HeaderValue::from_str(&self.policy().user_agent) {
            request.headers_mut().insert("User-Agent", agent);
        }
        let config = WebSocketConfig::default()
            .max_message_size(Some(max_message_bytes))
            .max_frame_size(Some(max_message_bytes));
        let handshake =
            tokio_tungstenite::client_async_with_config(request, transport, Some(config));
        let (socket, _) = tokio::time::timeout(limit, handshake)
            .await
            .map_err(|_| OutgoingError::Timeout { limit })?
            .map_err(|error| OutgoingError::Connect {
                host: host.clone(),
                reason: format!("WebSocket handshake failed: {error}"),
            })?;
        Ok(socket)
    }

    /// The policy for one connection: the client's, or public addresses only.
    fn policy_for(&self, addresses: Addresses) -> std::borrow::Cow<'_, OutgoingPolicy> {
        match addresses {
            Addresses::AsPolicy => std::borrow::Cow::Borrowed(self.policy()),
            Addresses::PublicOnly => std::borrow::Cow::Owned(OutgoingPolicy {
                allow_private_network: false,
                allowed_hosts: Vec::new(),
                ..self.policy().clone()
            }),
        }
    }
}

/// TLS over `tcp` for `host`, checked against the Mozilla roots (webpki-roots), as reqwest
/// does for HTTPS.
async fn tls(
    url: &Url,
    tcp: TcpStream,
    limit: std::time::Duration,
) -> Result<tokio_rustls::client::TlsStream<TcpStream>, OutgoingError> {
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|error| OutgoingError::Http {
        reason: error.to_string(),
    })?
    .with_root_certificates(roots)
    .with_no_client_auth();
    let host = url.host_str().unwrap_or_default().to_owned();
    let name = match url.host() {
        Some(Host::Ipv4(ip)) => {
            rustls::pki_types::ServerName::IpAddress(std::net::IpAddr::from(ip).into())
        }
        Some(Host::Ipv6(ip)) => {
            rustls::pki_types::ServerName::IpAddress(std::net::IpAddr::from(ip).into())
        }
        _ => rustls::pki_types::ServerName::try_from(host.clone()).map_err(|_| {
            OutgoingError::NoHost {
                url: url.to_string(),
            }
        })?,
    };
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    tokio::time::timeout(limit, connector.connect(name, tcp))
        .await
        .map_err(|_| OutgoingError::Timeout { limit })?
        .map_err(|error| OutgoingError::Connect {
            host,
            reason: format!("TLS failed: {error}"),
        })
}
