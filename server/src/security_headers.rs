//! Security headers on every response: a Content-Security-Policy with a fresh nonce per
//! rendering (the pages' scripts carry it: Leptos' hydration scripts through
//! `leptos::nonce`, the theme script through `use_nonce`; a page kept by `page_cache.rs` is
//! served with the nonce of its rendering), `frame-ancestors 'none'` (a page
//! that asks for wallet signatures must never be framed), `X-Content-Type-Options`,
//! `Referrer-Policy`, and HSTS when the host serves https.
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
    let policy = content_security_policy(&nonce, &config.forum.settings());
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&policy) {
        headers.insert(header::CONTENT_SECURITY_POLICY, value);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    );
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
