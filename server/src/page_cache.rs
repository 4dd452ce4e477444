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
//! A page depends on nothing in the request but its path and the query parameters it reads
//! (`app::pages::FEED_QUERY`, `AUTHOR_QUERY`): no cookie or header changes what the server
//! renders, but a visitor's mutes (`forum::mutes::COOKIE`), whose pages are rendered for them
//! and not kept. A request with other parameters (`utm_source`, a random `x=`) is rendered and not
//! kept, so it can neither evict what visitors read nor pile up. A page that starts to depend on
//! a cookie or header must add it to [`address_of`].

use std::collections::HashMap;
use std::io::Write as _;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use tokio::sync::watch;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse as _, Response};
use forum::{Forum, Settings};

use crate::security_headers::CspNonce;
use crate::site_assets::{accept_encoding, accepts};

/// The most bytes of pages kept; when full, the cache starts over.
const MAX_BYTES: usize = 64 * 1024 * 1024;

/// Pages of more HTML than this are served but not kept (a kept page counts twice its HTML,
/// for its compressed forms).
const MAX_PAGE_HTML_BYTES: usize = 2 * 1024 * 1024;

/// The query parameters a page at `path` reads, for the pages worth keeping: what most
/// visitors open. Others (the admin page, forms) are cheap or show state outside the change
/// log, such as the jobs' schedule.
fn kept_query_of(path: &str) -> Option<&'static [&'static str]> {
    if path == "/" {
        Some(app::pages::FEED_QUERY)
    } else if path.starts_with("/news/") {
        Some(&[])
    } else if path.starts_with("/authors/") {
        Some(app::pages::AUTHOR_QUERY)
    } else {
        None
    }
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
    /// write is rendered once while the others wait for it, not once per visitor. The
    /// sender is dropped when the rendering ends (or is abandoned).
    rendering: HashMap<String, watch::Receiver<()>>,
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
    /// Whether [`KeptPage::body_for`] answers without compressing.
    fn has_body_for(&self, accept_encoding: &str) -> bool {
        ENCODINGS
            .iter()
            .zip(&self.encoded)
            .find(|((name, _), _)| accepts(accept_encoding, name))
            .is_none_or(|(_, encoded)| encoded.get().is_some())
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
        lock(&self.pages)
    }

    /// What stands now: the content version and the settings in force.
    fn now(&self) -> (u64, Arc<Settings>) {
        (self.forum.store().content_version(), self.forum.settings())
    }

    /// The kept page at `address` if it was rendered at or after `since` with `settings`: it
    /// shows every write answered before `since` was read.
    fn kept_since(
        &self,
        address: &str,
        since: u64,
        settings: &Arc<Settings>,
    ) -> Option<Arc<KeptPage>> {
        self.pages()
            .by_address
            .get(address)
            .filter(|page| page.content_version >= since && Arc::ptr_eq(&page.settings, settings))
            .cloned()
    }

    /// The rendering of `address` under way, to wait for; or, when there is none, this
    /// request's turn to render it.
    fn rendering(&self, address: &str) -> Rendering {
        let mut pages = self.pages();
        if let Some(under_way) = pages.rendering.get(address) {
            return Rendering::UnderWay(under_way.clone());
        }
        let (done, waiting) = watch::channel(());
        pages.rendering.insert(address.to_owned(), waiting.clone());
        Rendering::Yours(RenderTurn {
            pages: Arc::clone(&self.pages),
            address: address.to_owned(),
            waiting,
            _done: done,
        })
    }

    fn keep(&self, address: String, page: Arc<KeptPage>) {
        if page.html.len() > MAX_PAGE_HTML_BYTES {
            return;
        }
        // The compressed forms come later; a page keeps at most about twice its size.
        let size = page.html.len() * 2;
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

fn lock(pages: &Mutex<Pages>) -> MutexGuard<'_, Pages> {
    match pages.lock() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    }
}

/// Who renders an address.
enum Rendering {
    /// Another request; this one waits for it to end.
    UnderWay(watch::Receiver<()>),
    /// This request.
    Yours(RenderTurn),
}

/// One request's turn to render an address; the turn ends when it is dropped, also when the
/// request is abandoned halfway (a client gone, a timeout), and those waiting then look again.
struct RenderTurn {
    pages: Arc<Mutex<Pages>>,
    address: String,
    waiting: watch::Receiver<()>,
    _done: watch::Sender<()>,
}

impl Drop for RenderTurn {
    fn drop(&mut self) {
        let mut pages = lock(&self.pages);
        if pages
            .rendering
            .get(&self.address)
            .is_some_and(|under_way| under_way.same_channel(&self.waiting))
        {
            pages.rendering.remove(&self.address);
        }
    }
}

/// The key of a page worth keeping: its path, and the query parameters it reads in name
/// order; `None` for other pages and for requests with any other or repeated parameter.
fn address_of(request: &Request) -> Option<String> {
    // A visitor's mutes (`forum::mutes`) change what is rendered for them alone.
    let muted = request
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .any(|cookie| {
            cookie
                .to_str()
                .is_ok_and(|cookie| cookie.contains(forum::mutes::COOKIE))
        });
    if muted {
        return None;
    }
    let path = request.uri().path();
    let reads = kept_query_of(path)?;
    let mut pairs: Vec<&str> = request
        .uri()
        .query()
        .unwrap_or_default()
        .split('&')
        .filter(|pair| !pair.is_empty())
        .collect();
    // In order, the pairs of one name stand together (they all begin with `name=`).
    pairs.sort_unstable();
    let names: Vec<&str> = pairs
        .iter()
        .map(|pair| pair.split_once('=').map_or(*pair, |(name, _)| name))
        .collect();
    let read_once = names.iter().all(|name| reads.contains(name))
        && names.windows(2).all(|two| two[0] != two[1]);
    if !read_once {
        return None;
    }
    Some(if pairs.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{}", pairs.join("&"))
    })
}

/// Middleware over the pages: serves a kept page while it is current, keeps what the
/// renderer answers otherwise (successful HTML only).
pub async fn serve(State(cache): State<PageCache>, request: Request, next: Next) -> Response {
    let nonce = request.extensions().get::<CspNonce>().cloned();
    let address = address_of(&request);
    let (&Method::GET, Some(CspNonce(nonce)), Some(address)) = (request.method(), nonce, address)
    else {
        return next.run(request).await;
    };
    let accept_encoding = accept_encoding(request.headers());
    let (arrived_at, settings) = cache.now();
    if let Some(page) = cache.kept_since(&address, arrived_at, &settings) {
        metrics::counter!("spasm_page_cache_total", "outcome" => "hit").increment(1);
        return kept_response(page, accept_encoding).await;
    }
    let turn = match cache.rendering(&address) {
        Rendering::UnderWay(mut under_way) => {
            // Another request is rendering it: its page shows every write answered before
            // this request arrived. If it could not be kept, render too, side by side.
            let _ = under_way.changed().await;
            if let Some(page) = cache.kept_since(&address, arrived_at, &settings) {
                metrics::counter!("spasm_page_cache_total", "outcome" => "waited").increment(1);
                return kept_response(page, accept_encoding).await;
            }
            None
        }
        Rendering::Yours(turn) => Some(turn),
    };
    metrics::counter!("spasm_page_cache_total", "outcome" => "miss").increment(1);
    // Taken before rendering: a write during the rendering makes the page stale at once.
    let (content_version, settings) = cache.now();
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
    cache.keep(address, Arc::clone(&page));
    drop(turn);
    kept_response(page, accept_encoding).await
}

/// A kept page as a response, with the nonce it was rendered with for the policy
/// (`security_headers::add` reads it from the response). Only its `Content-Type` is kept from
/// the rendering: no page sets another header. A compressed form not made yet is made on the
/// blocking pool (brotli 6 of a long thread takes milliseconds).
async fn kept_response(page: Arc<KeptPage>, accept_encoding: String) -> Response {
    let (encoding, body) = if page.has_body_for(&accept_encoding) {
        page.body_for(&accept_encoding)
    } else {
        let compressing = Arc::clone(&page);
        tokio::task::spawn_blocking(move || compressing.body_for(&accept_encoding))
            .await
            .unwrap_or_else(|_| (None, page.html.clone()))
    };
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

    fn address(uri: &str) -> Option<String> {
        address_of(
            &Request::builder()
                .uri(uri)
                .body(Body::empty())
                .unwrap_or_default(),
        )
    }

    #[test]
    fn pages_are_kept_by_path_and_the_parameters_they_read() {
        assert_eq!(address("/").as_deref(), Some("/"));
        assert_eq!(
            address("/?category=defi&activity=hot").as_deref(),
            Some("/?activity=hot&category=defi"),
            "in name order"
        );
        assert_eq!(
            address("/news/spasmid01ab").as_deref(),
            Some("/news/spasmid01ab")
        );
        assert_eq!(
            address("/authors/0xab?before=7").as_deref(),
            Some("/authors/0xab?before=7")
        );
        // Parameters no page reads, repeated ones, and other pages are not kept.
        assert_eq!(address("/?utm_source=x"), None);
        assert_eq!(address("/news/spasmid01ab?fresh=1"), None);
        assert_eq!(address("/?category=a&category=b"), None);
        assert_eq!(address("/?=x"), None);
        assert_eq!(address("/admin"), None);
        assert_eq!(address("/newpost"), None);
    }
}
