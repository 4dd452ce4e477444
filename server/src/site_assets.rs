//! The site's static files (browser bundle, CSS, icons), embedded in the binary at build time
//! with the variants `cargo xtask build` precompressed (brotli 11, zstd 19, gzip 9).
//!
//! Files under `/pkg/` carry a content hash in their names (see `xtask/src/site.rs`), so they
//! are served as immutable for a year; a name from another build is simply not found. Other
//! files keep their names across versions and are revalidated by ETag.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;

/// One embedded file.
pub struct SiteFile {
    /// The path relative to the site root, with `/` separators.
    pub path: &'static str,
    /// The file's content.
    pub bytes: &'static [u8],
    /// A strong ETag of the content.
    pub etag: &'static str,
    /// Its precompressed forms, smallest expected first (brotli, zstd, gzip).
    pub variants: &'static [Variant],
}

/// A precompressed form of a [`SiteFile`].
pub struct Variant {
    /// The `Content-Encoding` token: `br`, `zstd` or `gzip`.
    pub encoding: &'static str,
    /// The compressed bytes.
    pub bytes: &'static [u8],
    /// A strong ETag of this variant (each representation has its own).
    pub etag: &'static str,
}

include!(concat!(env!("OUT_DIR"), "/site_files.rs"));

/// The hashed names of the stylesheet and the browser bundles, for the pages' shell.
pub const NAMES: app::SiteAssets = app::SiteAssets {
    stylesheet: STYLESHEET_HREF,
    bundles: BUNDLES,
};

/// Whether this binary carries the browser bundle (it does when built by `cargo xtask`).
pub fn has_browser_bundle() -> bool {
    SITE_FILES.iter().any(|file| file.path.ends_with(".wasm"))
}

/// A year: the longest cache life browsers honour, for names that change with the content.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// The embedded file at `path` (a URL path) in the smallest encoding the request accepts,
/// as a response honouring `If-None-Match`.
pub fn response_for(path: &str, request_headers: &HeaderMap) -> Option<Response> {
    let relative = path.strip_prefix('/')?;
    let file = SITE_FILES.iter().find(|file| file.path == relative)?;
    let accepted = accept_encoding(request_headers);
    let variant = file
        .variants
        .iter()
        .filter(|variant| accepts(&accepted, variant.encoding))
        .min_by_key(|variant| variant.bytes.len());
    let (bytes, etag) = variant.map_or((file.bytes, file.etag), |variant| {
        (variant.bytes, variant.etag)
    });
    let not_modified = request_headers
        .get(header::IF_NONE_MATCH)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|tags| tags.split(',').any(|tag| tag.trim() == etag));
    let cache_control = if relative.starts_with("pkg/") {
        IMMUTABLE
    } else {
        "no-cache"
    };
    let mut builder = Response::builder()
        .header(header::ETAG, HeaderValue::from_static(etag))
        .header(
            header::CONTENT_TYPE,
            HeaderValue::from_static(content_type(file.path)),
        )
        .header(
            header::CACHE_CONTROL,
            HeaderValue::from_static(cache_control),
        )
        .header(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
    if !file.variants.is_empty() {
        builder = builder.header(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    if let Some(variant) = variant {
        builder = builder.header(
            header::CONTENT_ENCODING,
            HeaderValue::from_static(variant.encoding),
        );
    }
    let response = if not_modified {
        builder.status(StatusCode::NOT_MODIFIED).body(Body::empty())
    } else {
        builder.body(Body::from(bytes))
    };
    response.ok()
}

/// Every `Accept-Encoding` header of a request, as one list.
pub(crate) fn accept_encoding(headers: &HeaderMap) -> String {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .collect::<Vec<_>>()
        .join(",")
}

/// Whether an `Accept-Encoding` value accepts `encoding` (RFC 9110 §12.5.3): listed by name
/// or by `*`, with a quality above zero.
pub(crate) fn accepts(accept_encoding: &str, encoding: &str) -> bool {
    let mut by_name = None;
    let mut by_wildcard = None;
    for item in accept_encoding.split(',') {
        let mut parts = item.split(';');
        let name = parts.next().unwrap_or_default().trim();
        let quality = parts
            .filter_map(|parameter| {
                let parameter = parameter.trim();
                let (name, value) = parameter.split_once('=')?;
                name.trim().eq_ignore_ascii_case("q").then_some(value)
            })
            .find_map(|value| value.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        if name.eq_ignore_ascii_case(encoding) {
            by_name = Some(quality);
        } else if name == "*" {
            by_wildcard = Some(quality);
        }
    }
    by_name.or(by_wildcard).is_some_and(|quality| quality > 0.0)
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit_once('.').map(|(_, extension)| extension) {
        Some("wasm") => "application/wasm",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("webmanifest" | "json") => "application/json",
        Some("txt") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types_follow_extensions() {
        assert_eq!(content_type("pkg/spasm_forum_bg.wasm"), "application/wasm");
        assert_eq!(
            content_type("pkg/spasm_forum.js"),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(content_type("robots.txt"), "text/plain; charset=utf-8");
        assert_eq!(content_type("LICENSE"), "application/octet-stream");
    }

    #[test]
    fn unknown_paths_are_not_served() {
        assert!(response_for("/no/such/file.js", &HeaderMap::new()).is_none());
        assert!(response_for("relative", &HeaderMap::new()).is_none());
        assert!(response_for("/pkg/spasm_forum-0000000000000000.js", &HeaderMap::new()).is_none());
    }

    #[test]
    fn accept_encoding_follows_names_wildcards_and_qualities() {
        assert!(accepts("br, gzip, zstd", "br"));
        assert!(accepts("gzip;q=0.5, BR", "br"));
        assert!(!accepts("gzip", "br"));
        assert!(!accepts("br;q=0, gzip", "br"));
        assert!(!accepts("br;Q=0", "br"));
        assert!(accepts("*", "zstd"));
        assert!(!accepts("*;q=0", "zstd"));
        assert!(!accepts("*, br;q=0", "br"));
        assert!(!accepts("", "gzip"));
    }
}
