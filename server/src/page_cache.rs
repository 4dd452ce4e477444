//! Rendered pages kept until what they show may have changed: the feed's first pages, the
//! threads and the author pages most visitors and crawlers open are rendered once, not once
//! per visitor, and compressed once per encoding at a level no per-request compressor affords.
//!
//! A kept page is served only while the store's content version
//! ([`forum::storage::Store::content_version`]) and the settings in force are those it was
//! rendered with, so a write is on every page requested after its author is answered (and,
//! with several processes on PostgreSQL, within moments of the notification).
//!
//! Nonces: a kept page is served with the Content-Security-Policy nonce it was rendered
//! with. That nonce is fresh at every rendering, and a page is rendered anew whenever
//! anything it shows changes (content, settings or address), so nothing shown on a page can
//! have been written knowing its nonce, which is the guarantee a nonce gives.
//!
//! A page depends on nothing in the request but its address (host, path and query): no
//! cookie or header changes what the server renders. A page that starts to depend on one
//! must add it to [`address_of`].

use std::collections::HashMap;
use std::io::Write as _;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse as _, Response};
use forum::{Forum, Settings};

use crate::security_headers::CspNonce;
use crate::site_assets::accepts;

/// The most bytes of pages kept; when full, the cache starts over.
const MAX_BYTES: usize = 64 * 1024 * 1024;

/// Pages larger than this are served but not kept.
const MAX_PAGE_BYTES: usize = 4 * 1024 * 1024;

/// The pages worth keeping: what most visitors open. Others (the admin page, forms) are
/// cheap or show state outside the change log, such as the jobs' schedule.
fn is_kept_path(path: &str) -> bool {
    path == "/" || path.starts_with("/news/") || path.starts_with("/authors/")
}

/// Compresses a page.
type Encoder = fn(&[u8]) -> std::io::Result<Vec<u8>>;

/// The encodings a kept page is offered in, best first, with how to make each.
const ENCODINGS: [(&str, Encoder); 3] = [("br", brotli), ("zstd", zstd), ("gzip", gzip)];

/// The kept pages of one forum, shared by every request.
#[derive(Clone)]
pub struct PageCache {
    forum: Forum,
    pages: Arc<Mutex<Pages>>,
}

#[derive(Default)]
struct Pages {
    bytes: usize,
    by_address: HashMap<String, Arc<KeptPage>>,
    /// The renderings under way, by address: a page many visitors ask for right after a
    /// write is rendered once while the others wait for it, not once per visitor.
    rendering: HashMap<String, Arc<tokio::sync::Mutex<()>>>,
}

/// One rendered page.
struct KeptPage {
    /// The store's content version before it was rendered.
    content_version: u64,
    /// The settings it was rendered with.
    settings: Arc<Settings>,
    /// The nonce it was rendered with.
    nonce: String,
    content_type: HeaderValue,
    html: Bytes,
    /// The page in each of [`ENCODINGS`], made when first asked for (`None`: not smaller).
    encoded: [OnceLock<Option<Bytes>>; 3],
}

impl KeptPage {
    fn is_current(&self, content_version: u64, settings: &Arc<Settings>) -> bool {
        self.content_version == content_version && Arc::ptr_eq(&self.settings, settings)
    }

    /// The page in the best encoding `accept_encoding` accepts, with its name.
    fn body_for(&self, accept_encoding: &str) -> (Option<&'static str>, Bytes) {
        for (index, (name, encode)) in ENCODINGS.iter().enumerate() {
            if !accepts(accept_encoding, name) {
                continue;
            }
            let encoded = self.encoded[index].get_or_init(|| {
                encode(&self.html)
                    .ok()
                    .filter(|encoded| encoded.len() < self.html.len())
                    .map(Bytes::from)
            });
            if let Some(encoded) = encoded {
                return (Some(name), encoded.clone());
            }
        }
        (None, self.html.clone())
    }
}

impl PageCache {
    /// An empty cache for the pages of `forum`.
    pub fn new(forum: Forum) -> Self {
        Self {
            forum,
            pages: Arc::default(),
        }
    }

    fn pages(&self) -> MutexGuard<'_, Pages> {
        match self.pages.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// The kept page at `address`, while it is current.
    fn current(&self, address: &str) -> Option<Arc<KeptPage>> {
        let content_version = self.forum.store().content_version();
        let settings = self.forum.settings();
        self.pages()
            .by_address
            .get(address)
            .filter(|page| page.is_current(content_version, &settings))
            .cloned()
    }

    /// The turn to render `address`: one rendering at a time per address.
    fn render_turn(&self, address: &str) -> Arc<tokio::sync::Mutex<()>> {
        Arc::clone(
            self.pages()
                .rendering
                .entry(address.to_owned())
                .or_default(),
        )
    }

    /// The rendering of `address` ended (those still waiting hold their turn).
    fn end_turn(&self, address: &str, turn: &Arc<tokio::sync::Mutex<()>>) {
        let mut pages = self.pages();
        if pages
            .rendering
            .get(address)
            .is_some_and(|current| Arc::ptr_eq(current, turn))
        {
            pages.rendering.remove(address);
        }
    }

    fn keep(&self, address: String, page: Arc<KeptPage>) {
        // The compressed forms come later; a page keeps at most about twice its size.
        let size = page.html.len() * 2;
        if size > MAX_PAGE_BYTES {
            return;
        }
        let mut pages = self.pages();
        if pages.bytes + size > MAX_BYTES {
            pages.by_address.clear();
            pages.bytes = 0;
        }
        pages.bytes += size;
        if let Some(replaced) = pages.by_address.insert(address, page) {
            pages.bytes = pages.bytes.saturating_sub(replaced.html.len() * 2);
        }
    }
}

/// The key of a page: the host it was asked of, its path and query.
fn address_of(request: &Request) -> String {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|host| host.to_str().ok())
        .unwrap_or_default();
    let path = request
        .uri()
        .path_and_query()
        .map_or("/", |path| path.as_str());
    format!("{host}{path}")
}

/// Middleware over the pages: serves a kept page while it is current, keeps what the
/// renderer answers otherwise (successful HTML only).
pub async fn serve(State(cache): State<PageCache>, request: Request, next: Next) -> Response {
    let nonce = request.extensions().get::<CspNonce>().cloned();
    let (&Method::GET, Some(CspNonce(nonce)), true) =
        (request.method(), nonce, is_kept_path(request.uri().path()))
    else {
        return next.run(request).await;
    };
    let address = address_of(&request);
    let accept_encoding = request
        .headers()
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .collect::<Vec<_>>()
        .join(",");
    if let Some(page) = cache.current(&address) {
        metrics::counter!("spasm_page_cache_total", "outcome" => "hit").increment(1);
        return kept_response(&page, &accept_encoding);
    }
    let turn = cache.render_turn(&address);
    let rendered = render(
        &cache,
        &address,
        nonce,
        &accept_encoding,
        request,
        next,
        &turn,
    )
    .await;
    cache.end_turn(&address, &turn);
    rendered
}

/// Renders the page at `address` in its turn, unless it was rendered while this request
/// waited; keeps what is worth keeping.
async fn render(
    cache: &PageCache,
    address: &str,
    nonce: String,
    accept_encoding: &str,
    request: Request,
    next: Next,
    turn: &tokio::sync::Mutex<()>,
) -> Response {
    let _turn = turn.lock().await;
    if let Some(page) = cache.current(address) {
        metrics::counter!("spasm_page_cache_total", "outcome" => "waited").increment(1);
        return kept_response(&page, accept_encoding);
    }
    metrics::counter!("spasm_page_cache_total", "outcome" => "miss").increment(1);
    // Taken before rendering: a write during the rendering makes the page stale at once.
    let content_version = cache.forum.store().content_version();
    let settings = cache.forum.settings();

    let response = next.run(request).await;
    let content_type = response.headers().get(header::CONTENT_TYPE).cloned();
    let keepable = response.status() == StatusCode::OK
        && !response.headers().contains_key(header::SET_COOKIE)
        && !response.headers().contains_key(header::CONTENT_ENCODING)
        && content_type
            .as_ref()
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| value.starts_with("text/html"));
    let (Some(content_type), true) = (content_type, keepable) else {
        return response;
    };
    let html = match axum::body::to_bytes(response.into_body(), usize::MAX).await {
        Ok(html) => html,
        Err(error) => {
            tracing::warn!(%error, "a page failed while it was rendered");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let page = Arc::new(KeptPage {
        content_version,
        settings,
        nonce,
        content_type,
        html,
        encoded: Default::default(),
    });
    cache.keep(address.to_owned(), Arc::clone(&page));
    kept_response(&page, accept_encoding)
}

/// A kept page as a response, with the nonce it was rendered with for the policy
/// (`security_headers::add` reads it from the response).
fn kept_response(page: &KeptPage, accept_encoding: &str) -> Response {
    let (encoding, body) = page.body_for(accept_encoding);
    let mut response = Response::new(Body::from(body));
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, page.content_type.clone());
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    if let Some(encoding) = encoding {
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
    }
    response
        .extensions_mut()
        .insert(CspNonce(page.nonce.clone()));
    response
}

/// Brotli at quality 6: about a tenth of quality 11's time for most of its gain on HTML.
fn brotli(html: &[u8]) -> std::io::Result<Vec<u8>> {
    let params = ::brotli::enc::BrotliEncoderParams {
        quality: 6,
        lgwin: 22,
        size_hint: html.len(),
        ..Default::default()
    };
    let mut output = Vec::new();
    ::brotli::BrotliCompress(&mut &html[..], &mut output, &params)?;
    Ok(output)
}

fn zstd(html: &[u8]) -> std::io::Result<Vec<u8>> {
    ::zstd::bulk::compress(html, 9)
}

fn gzip(html: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
    encoder.write_all(html)?;
    encoder.finish()
}

#[cfg(test)]
mod tests {
    use std::io::Read as _;

    use super::*;

    fn page(html: &'static str) -> KeptPage {
        KeptPage {
            content_version: 1,
            settings: Arc::new(Settings::default()),
            nonce: "N1".into(),
            content_type: HeaderValue::from_static("text/html"),
            html: Bytes::from_static(html.as_bytes()),
            encoded: Default::default(),
        }
    }

    #[test]
    fn a_kept_page_is_current_while_content_and_settings_are() {
        let kept = page("<p>x</p>");
        assert!(kept.is_current(1, &kept.settings.clone()));
        assert!(!kept.is_current(2, &kept.settings.clone()));
        assert!(!kept.is_current(1, &Arc::new(Settings::default())));
    }

    #[test]
    fn a_kept_page_is_served_in_the_best_accepted_encoding() -> std::io::Result<()> {
        let html = "<p>a forum page</p>".repeat(200);
        let kept = page(Box::leak(html.clone().into_boxed_str()));
        let (encoding, body) = kept.body_for("gzip, br");
        assert_eq!(encoding, Some("br"));
        let mut decoded = Vec::new();
        ::brotli::BrotliDecompress(&mut &body[..], &mut decoded)?;
        assert_eq!(decoded, html.as_bytes());

        let (encoding, body) = kept.body_for("gzip");
        assert_eq!(encoding, Some("gzip"));
        let mut decoded = Vec::new();
        flate2::read::GzDecoder::new(&body[..]).read_to_end(&mut decoded)?;
        assert_eq!(decoded, html.as_bytes());

        assert_eq!(kept.body_for("identity"), (None, kept.html.clone()));
        Ok(())
    }

    #[test]
    fn only_the_pages_most_visitors_open_are_kept() {
        assert!(is_kept_path("/"));
        assert!(is_kept_path("/news/spasmid01ab"));
        assert!(is_kept_path("/authors/0xab"));
        assert!(!is_kept_path("/admin"));
        assert!(!is_kept_path("/newpost"));
    }
}
