//! Security headers on every response: a Content-Security-Policy with a fresh nonce per
//! rendering (the pages' scripts carry it: Leptos' hydration scripts through
//! `leptos::nonce`, the theme script through `use_nonce`; a page kept by `page_cache.rs` is
//! served with the nonce of its rendering), `frame-ancestors 'none'` (a page
//! that asks for wallet signatures must never be framed), `X-Content-Type-Options`,
//! `Referrer-Policy`, and HSTS when the host serves https.
//!
//! Scripts, wasm, stylesheets and raster images are never documents: the document that
//! loads them decides their policy, so they carry only `nosniff` (and HSTS), which keeps a
//! first visit's twenty requests about half a kilobyte lighter each. An SVG can be opened as
//! a document, so identicons get a policy that allows nothing but their own styles.
//!
//! Images and media come from the site itself (identicons, `data:` favicons), and from any
//! https address only where the instance embeds them (media links in posts or comments,
//! Nostr profile pictures).

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use forum::{Forum, Settings};
use rand::RngCore as _;

/// The nonce of one response, in the request's extensions for the page renderer.
#[derive(Debug, Clone)]
pub struct CspNonce(pub String);

/// What the middleware needs.
#[derive(Clone)]
pub struct SecurityHeaders {
    /// The settings decide which images and media may load.
    pub forum: Forum,
    /// Send `Strict-Transport-Security`.
    pub https: bool,
}

/// A nonce: 16 random bytes, base64url without padding (22 characters).
fn new_nonce() -> String {
    use base64::Engine as _;
    let mut bytes = [0_u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The policy for one response.
pub fn content_security_policy(nonce: &str, settings: &Settings) -> String {
    let any_images = settings.enable_embed_image_tags_in_posts
        || settings.enable_embed_image_tags_in_comments
        || settings.enable_nostr_display_profiles_pictures;
    let any_media = settings.enable_embed_video_tags_in_posts
        || settings.enable_embed_video_tags_in_comments
        || settings.enable_embed_audio_tags_in_posts
        || settings.enable_embed_audio_tags_in_comments;
    let images = if any_images {
        "'self' data: https:"
    } else {
        "'self' data:"
    };
    let media = if any_media { "https:" } else { "'none'" };
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src {images}; media-src {media}; connect-src 'self'; \
         font-src 'self'; object-src 'none'; frame-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    )
}

/// The policy of an SVG opened on its own: no scripts, no loads, its inline styles only.
const SVG_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; sandbox";

/// What a response is, by its `Content-Type`, for the headers it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ResponseKind {
    /// Pages, API answers, errors: anything a browser may show as a document.
    Document,
    /// `image/svg+xml`: an image, but a document when opened on its own.
    SvgImage,
    /// Scripts, wasm, stylesheets, fonts, raster images: only ever loaded by a document.
    Subresource,
}

impl ResponseKind {
    fn of(headers: &axum::http::HeaderMap) -> Self {
        let content_type = headers
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .unwrap_or("");
        let media_type = content_type
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        match media_type.as_str() {
            "image/svg+xml" => Self::SvgImage,
            "text/javascript" | "application/javascript" | "application/wasm" | "text/css" => {
                Self::Subresource
            }
            other if other.starts_with("image/") || other.starts_with("font/") => Self::Subresource,
            _ => Self::Document,
        }
    }
}

/// Middleware: a nonce into the request, the headers onto the response.
pub async fn add(
    State(config): State<SecurityHeaders>,
    mut request: Request<Body>,
    next: Next,
) -> Response {
    let nonce = new_nonce();
    request.extensions_mut().insert(CspNonce(nonce.clone()));
    let mut response = next.run(request).await;
    // A kept page carries the nonce it was rendered with (see `page_cache.rs`).
    let nonce = response
        .extensions()
        .get::<CspNonce>()
        .map_or(nonce, |kept| kept.0.clone());
    let kind = ResponseKind::of(response.headers());
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    match kind {
        ResponseKind::Document => {
            let policy = content_security_policy(&nonce, &config.forum.settings());
            if let Ok(value) = HeaderValue::from_str(&policy) {
                headers.insert(header::CONTENT_SECURITY_POLICY, value);
            }
            headers.insert(
                header::REFERRER_POLICY,
                HeaderValue::from_static("strict-origin-when-cross-origin"),
            );
            headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
            headers.insert(
                HeaderName::from_static("cross-origin-opener-policy"),
                HeaderValue::from_static("same-origin"),
            );
        }
        ResponseKind::SvgImage => {
            headers.insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(SVG_POLICY),
            );
        }
        ResponseKind::Subresource => {}
    }
    if config.https {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonces_are_fresh_and_header_safe() {
        let (one, two) = (new_nonce(), new_nonce());
        assert_ne!(one, two);
        assert_eq!(one.len(), 22);
        assert!(
            one.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
    }

    #[test]
    fn only_what_can_be_a_document_gets_the_page_policy() {
        let kind = |content_type: &str| {
            let mut headers = axum::http::HeaderMap::new();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_str(content_type).unwrap_or(HeaderValue::from_static("")),
            );
            ResponseKind::of(&headers)
        };
        assert_eq!(kind("text/html; charset=utf-8"), ResponseKind::Document);
        assert_eq!(kind("application/json"), ResponseKind::Document);
        assert_eq!(kind("text/plain"), ResponseKind::Document);
        assert_eq!(kind(""), ResponseKind::Document);
        assert_eq!(kind("image/svg+xml"), ResponseKind::SvgImage);
        assert_eq!(kind("Image/SVG+XML; charset=utf-8"), ResponseKind::SvgImage);
        assert_eq!(kind("application/wasm"), ResponseKind::Subresource);
        assert_eq!(
            kind("text/javascript; charset=utf-8"),
            ResponseKind::Subresource
        );
        assert_eq!(kind("text/css"), ResponseKind::Subresource);
        assert_eq!(kind("image/png"), ResponseKind::Subresource);
    }

    #[test]
    fn https_images_only_where_embeds_are_on() {
        let mut settings = Settings {
            enable_embed_image_tags_in_posts: false,
            enable_embed_image_tags_in_comments: false,
            enable_nostr_display_profiles_pictures: false,
            ..Settings::default()
        };
        let strict = content_security_policy("n", &settings);
        assert!(strict.contains("img-src 'self' data:;"), "{strict}");
        assert!(strict.contains("script-src 'self' 'nonce-n' 'wasm-unsafe-eval'"));
        assert!(strict.contains("frame-ancestors 'none'"));
        settings.enable_embed_image_tags_in_posts = true;
        assert!(content_security_policy("n", &settings).contains("img-src 'self' data: https:;"));
    }
}
