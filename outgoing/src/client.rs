//! [`OutgoingClient`]: GET within the policy's bounds.

use std::net::IpAddr;
use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use reqwest::header::{self, HeaderMap, HeaderValue};
use reqwest::redirect;
use url::{Host, Url};

use crate::error::OutgoingError;
use crate::policy::OutgoingPolicy;
use crate::resolve::{CheckedResolver, NameResolver, SystemResolver};

/// One GET: the URL, what to accept, and the validators of the last answer for a
/// conditional request (RFC 9110 §13).
#[derive(Debug, Clone, Default)]
pub struct GetRequest<'a> {
    /// The URL (`http` or `https`).
    pub url: &'a str,
    /// The `Accept` header.
    pub accept: Option<&'a str>,
    /// The last answer's `ETag`, sent as `If-None-Match`.
    pub etag: Option<&'a str>,
    /// The last answer's `Last-Modified`, sent as `If-Modified-Since`.
    pub last_modified: Option<&'a str>,
}

/// A successful answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetched {
    /// `304 Not Modified`: nothing new since the validators.
    NotModified,
    /// A `2xx` answer with its body.
    Body {
        /// The URL answered, after redirects.
        url: String,
        /// Its `Content-Type`, when given.
        content_type: Option<String>,
        /// Its `ETag`, for the next conditional request.
        etag: Option<String>,
        /// Its `Last-Modified`, for the next conditional request.
        last_modified: Option<String>,
        /// The body, at most the policy's cap.
        body: Bytes,
    },
}

/// The server's HTTP client: cheap to clone, one connection pool.
#[derive(Debug, Clone)]
pub struct OutgoingClient {
    http: reqwest::Client,
    policy: Arc<OutgoingPolicy>,
    names: Arc<dyn NameResolver>,
}

impl OutgoingClient {
    /// A client resolving names with the operating system's resolver.
    pub fn new(policy: OutgoingPolicy) -> Result<Self, OutgoingError> {
        Self::with_resolver(policy, Arc::new(SystemResolver))
    }

    /// A client resolving names with `names` (tests give fixed answers).
    pub fn with_resolver(
        policy: OutgoingPolicy,
        names: Arc<dyn NameResolver>,
    ) -> Result<Self, OutgoingError> {
        let policy = Arc::new(policy);
        let redirects = Arc::clone(&policy);
        let http = reqwest::Client::builder()
            .no_proxy()
            .user_agent(policy.user_agent.clone())
            .connect_timeout(policy.connect_timeout)
            .timeout(policy.total_timeout)
            .dns_resolver(Arc::new(CheckedResolver {
                names: Arc::clone(&names),
                policy: Arc::clone(&policy),
            }))
            .redirect(redirect::Policy::custom(move |attempt| {
                if attempt.previous().len() > redirects.max_redirects {
                    return attempt.error(OutgoingError::TooManyRedirects {
                        max: redirects.max_redirects,
                    });
                }
                match check_url(attempt.url(), &redirects, WEB) {
                    Ok(()) => attempt.follow(),
                    Err(error) => attempt.error(error),
                }
            }))
            .build()
            .map_err(|error| OutgoingError::Http {
                reason: error.to_string(),
            })?;
        Ok(Self {
            http,
            policy,
            names,
        })
    }

    /// The policy in force.
    pub fn policy(&self) -> &OutgoingPolicy {
        &self.policy
    }

    /// The resolver that names are looked up with.
    pub(crate) fn names(&self) -> &dyn NameResolver {
        self.names.as_ref()
    }

    /// Checks that `url` may be fetched (scheme, IP literal) without fetching it.
    pub fn check(&self, url: &str) -> Result<Url, OutgoingError> {
        let parsed = Url::parse(url).map_err(|_| OutgoingError::InvalidUrl {
            url: url.to_owned(),
        })?;
        check_url(&parsed, &self.policy, WEB)?;
        Ok(parsed)
    }

    /// GETs `request.url`: a `2xx` body up to the policy's cap, or [`Fetched::NotModified`].
    pub async fn get(&self, request: &GetRequest<'_>) -> Result<Fetched, OutgoingError> {
        let url = self.check(request.url)?;
        let host = url.host_str().unwrap_or_default().to_owned();
        let mut headers = HeaderMap::new();
        for (name, value) in [
            (header::ACCEPT, request.accept),
            (header::IF_NONE_MATCH, request.etag),
            (header::IF_MODIFIED_SINCE, request.last_modified),
        ] {
            if let Some(value) = value.and_then(|value| HeaderValue::from_str(value).ok()) {
                headers.insert(name, value);
            }
        }
        let mut response = self
            .http
            .get(url)
            .headers(headers)
            .send()
            .await
            .map_err(|error| self.explain(&host, &error))?;
        let status = response.status();
        if status == reqwest::StatusCode::NOT_MODIFIED {
            return Ok(Fetched::NotModified);
        }
        if !status.is_success() {
            return Err(OutgoingError::Status {
                status: status.as_u16(),
                reason: status.canonical_reason(),
            });
        }
        let max_bytes = self.policy.max_body_bytes;
        if response
            .content_length()
            .is_some_and(|length| length > max_bytes as u64)
        {
            return Err(OutgoingError::TooLarge { max_bytes });
        }
        let text = |name: header::HeaderName| {
            response
                .headers()
                .get(name)
                .and_then(|value| value.to_str().ok())
                .map(str::to_owned)
        };
        let content_type = text(header::CONTENT_TYPE);
        let etag = text(header::ETAG);
        let last_modified = text(header::LAST_MODIFIED);
        let final_url = response.url().to_string();
        let mut body = BytesMut::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|error| self.explain(&host, &error))?
        {
            if body.len() + chunk.len() > max_bytes {
                return Err(OutgoingError::TooLarge { max_bytes });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Fetched::Body {
            url: final_url,
            content_type,
            etag,
            last_modified,
            body: body.freeze(),
        })
    }

    /// An [`OutgoingError`] in words from reqwest's error and its causes.
    fn explain(&self, host: &str, error: &reqwest::Error) -> OutgoingError {
        let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error);
        while let Some(current) = cause {
            if let Some(ours) = current.downcast_ref::<OutgoingError>() {
                return ours.clone();
            }
            cause = current.source();
        }
        if error.is_timeout() {
            return OutgoingError::Timeout {
                limit: self.policy.total_timeout,
            };
        }
        let mut reason = String::new();
        let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error);
        while let Some(current) = cause {
            let text = current.to_string();
            if !reason.contains(&text) {
                if !reason.is_empty() {
                    reason.push_str(": ");
                }
                reason.push_str(&text);
            }
            cause = current.source();
        }
        if error.is_connect() {
            OutgoingError::Connect {
                host: host.to_owned(),
                reason,
            }
        } else {
            OutgoingError::Http { reason }
        }
    }
}

/// The schemes of web fetches.
const WEB: (&[&str], &str) = (&["http", "https"], "http and https URLs");

/// The schemes of relay connections (NIP-01).
pub(crate) const RELAYS: (&[&str], &str) = (&["ws", "wss"], "ws and wss URLs");

/// Checks a URL's scheme and, for an IP literal, its address.
pub(crate) fn check_url(
    url: &Url,
    policy: &OutgoingPolicy,
    (schemes, allowed): (&[&str], &'static str),
) -> Result<(), OutgoingError> {
    if !schemes.contains(&url.scheme()) {
        return Err(OutgoingError::SchemeNotAllowed {
            url: url.to_string(),
            scheme: url.scheme().to_owned(),
            allowed,
        });
    }
    let ip: IpAddr = match url.host() {
        None => {
            return Err(OutgoingError::NoHost {
                url: url.to_string(),
            });
        }
        Some(Host::Domain(_)) => return Ok(()),
        Some(Host::Ipv4(ip)) => ip.into(),
        Some(Host::Ipv6(ip)) => ip.into(),
    };
    policy.check(&ip.to_string(), ip)
}
