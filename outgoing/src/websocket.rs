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

/// The transport under a relay connection: TCP, or TLS over TCP for `wss:`.
pub trait RelayTransport: AsyncRead + AsyncWrite + Unpin + Send + Sync {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + Sync> RelayTransport for T {}

/// An open WebSocket to a relay (tungstenite's stream over [`RelayTransport`]).
pub type RelaySocket = WebSocketStream<Box<dyn RelayTransport>>;

impl OutgoingClient {
    /// Opens a WebSocket to `url` (`ws:` or `wss:`), refusing messages and frames larger
    /// than `max_message_bytes`.
    ///
    /// # Errors
    /// [`OutgoingError`] in words: a refused scheme or address, a name that does not resolve,
    /// no connection within the connect timeout, a failed TLS or WebSocket handshake.
    pub async fn connect_websocket(
        &self,
        url: &str,
        max_message_bytes: usize,
    ) -> Result<RelaySocket, OutgoingError> {
        let parsed = Url::parse(url).map_err(|_| OutgoingError::InvalidUrl {
            url: url.to_owned(),
        })?;
        check_url(&parsed, self.policy(), RELAYS)?;
        let host = parsed.host_str().unwrap_or_default().to_owned();
        let port = parsed.port_or_known_default().unwrap_or(443);
        let addresses = self.checked_addresses(&parsed, &host).await?;
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
            Box::new(tls(&host, tcp, limit).await?)
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

    /// The addresses of the URL's host that the policy allows.
    async fn checked_addresses(
        &self,
        url: &Url,
        host: &str,
    ) -> Result<Vec<std::net::IpAddr>, OutgoingError> {
        match url.host() {
            Some(Host::Ipv4(ip)) => return Ok(vec![ip.into()]),
            Some(Host::Ipv6(ip)) => return Ok(vec![ip.into()]),
            _ => {}
        }
        let found = self
            .names()
            .lookup(host)
            .await
            .map_err(|error| OutgoingError::Resolve {
                host: host.to_owned(),
                reason: error.to_string(),
            })?;
        let mut refused = None;
        let allowed: Vec<_> = found
            .into_iter()
            .filter(|ip| match self.policy().check(host, *ip) {
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
}

/// TLS over `tcp` for `host`, checked against the Mozilla roots (webpki-roots), as reqwest
/// does for HTTPS.
async fn tls(
    host: &str,
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
    let name = rustls::pki_types::ServerName::try_from(host.to_owned()).map_err(|_| {
        OutgoingError::NoHost {
            url: host.to_owned(),
        }
    })?;
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    tokio::time::timeout(limit, connector.connect(name, tcp))
        .await
        .map_err(|_| OutgoingError::Timeout { limit })?
        .map_err(|error| OutgoingError::Connect {
            host: host.to_owned(),
            reason: format!("TLS failed: {error}"),
        })
}
