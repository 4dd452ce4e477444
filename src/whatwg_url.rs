//! The WHATWG URL parser that spasm.js relies on (`new URL(text)`), from one of two places:
//!
//! * the `url` crate (feature `url`, on by default): the parser itself, in Rust;
//! * the browser's own `URL` (feature `browser-url`, for the forum's wasm bundle): the very
//!   parser spasm.js runs on, and no IDNA and normalisation tables in the bundle (the `url`
//!   crate brings about 200 KB of them to a wasm module).
//!
//! With both features on, the `url` crate is used. The two agree on the URLs events carry
//! (http(s), nostr:, mailto:, with or without ports, queries and fragments); where they differ
//! the browser is the reference spasm.js follows: a `file:` URL's origin is `"file://"` in
//! Chromium and `"null"` in the `url` crate, and some IDNA edge cases of hostnames.

/// The components of a parsed URL, as `URL`'s properties name them (without their `:`, `?`
/// and `#` marks).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlParts {
    /// `protocol` without its `:`.
    pub scheme: String,
    /// `origin` (`"null"` for opaque origins).
    pub origin: String,
    /// `host`: host and port.
    pub host: String,
    /// `port`: `None` when it is the scheme's default.
    pub port: Option<String>,
    /// `pathname`.
    pub path: String,
    /// `search` without its `?`; `None` when there is none.
    pub query: Option<String>,
    /// `hash` without its `#`; `None` when there is none.
    pub fragment: Option<String>,
}

/// `text` parsed as an absolute URL (`new URL(text)`), or `None` where the parser throws.
#[cfg(feature = "url")]
pub fn parse(text: &str) -> Option<UrlParts> {
    let url = url::Url::parse(text).ok()?;
    Some(UrlParts {
        scheme: url.scheme().to_owned(),
        origin: url.origin().ascii_serialization(),
        host: url[url::Position::BeforeHost..url::Position::AfterPort].to_owned(),
        port: url.port().map(|port| port.to_string()),
        path: url.path().to_owned(),
        query: url.query().map(str::to_owned),
        fragment: url.fragment().map(str::to_owned),
    })
}

/// `text` parsed as an absolute URL (`new URL(text)`), or `None` where the parser throws.
#[cfg(all(feature = "browser-url", not(feature = "url")))]
pub fn parse(text: &str) -> Option<UrlParts> {
    let url = web_sys::Url::new(text).ok()?;
    let marked = |value: String, mark: char| value.strip_prefix(mark).map(str::to_owned);
    Some(UrlParts {
        scheme: url.protocol().trim_end_matches(':').to_owned(),
        origin: url.origin(),
        host: url.host(),
        port: Some(url.port()).filter(|port| !port.is_empty()),
        path: url.pathname(),
        query: marked(url.search(), '?'),
        fragment: marked(url.hash(), '#'),
    })
}

#[cfg(not(any(feature = "url", feature = "browser-url")))]
compile_error!("the spasm crate needs a URL parser: enable its `url` or `browser-url` feature");

#[cfg(all(test, feature = "url"))]
mod tests {
    use super::*;

    #[test]
    fn components_are_named_as_url_properties() {
        let parts = parse("https://Example.com:8443/a/b?x=1#top").unwrap_or_else(|| {
            unreachable!("a valid URL parses");
        });
        assert_eq!(parts.scheme, "https");
        assert_eq!(parts.origin, "https://example.com:8443");
        assert_eq!(parts.host, "example.com:8443");
        assert_eq!(parts.port.as_deref(), Some("8443"));
        assert_eq!(parts.path, "/a/b");
        assert_eq!(parts.query.as_deref(), Some("x=1"));
        assert_eq!(parts.fragment.as_deref(), Some("top"));
        assert!(parse("not a url").is_none());
    }
}
