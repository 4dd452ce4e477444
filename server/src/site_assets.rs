//! The site's static files (browser bundle, CSS, icons), embedded in the binary at build time.

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
}

include!(concat!(env!("OUT_DIR"), "/site_files.rs"));

/// Whether this binary carries the browser bundle (it does when built by `cargo xtask`).
pub fn has_browser_bundle() -> bool {
    SITE_FILES.iter().any(|file| file.path.ends_with(".wasm"))
}

/// The embedded file at `path` (a URL path), as a response honouring `If-None-Match`.
pub fn response_for(path: &str, request_headers: &HeaderMap) -> Option<Response> {
    let relative = path.strip_prefix('/')?;
    let file = SITE_FILES.iter().find(|file| file.path == relative)?;
    let not_modified = request_headers
        .get(header::IF_NONE_MATCH)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|tags| tags.split(',').any(|tag| tag.trim() == file.etag));
    let builder = Response::builder()
        .header(header::ETAG, HeaderValue::from_static(file.etag))
        .header(
            header::CONTENT_TYPE,
            HeaderValue::from_static(content_type(file.path)),
        )
        // The bundle keeps its name across versions, so browsers must revalidate it.
        .header(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"))
        .header(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
    let response = if not_modified {
        builder.status(StatusCode::NOT_MODIFIED).body(Body::empty())
    } else {
        builder.body(Body::from(file.bytes))
    };
    response.ok()
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
    }
}
