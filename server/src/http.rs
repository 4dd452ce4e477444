//! The HTTP surface: pages, server functions, static files and health.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use app::{App, shell};
use axum::Router;
use axum::body::Body;
use axum::extract::{FromRef, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use forum::Forum;
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::cors::{self, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::api::{self, ApiState};
use crate::client_ip::{self, TrustedProxies};
use crate::config::Limits;
use crate::feeds::FeedChannel;
use crate::page_cache::{self, PageCache};
use crate::security_headers::{self, CspNonce, SecurityHeaders};
use crate::site_assets;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// Leptos' rendering options (bundle names and paths).
    pub leptos_options: LeptosOptions,
    /// The forum service.
    pub forum: Forum,
    /// The HTTP layer's limits.
    pub limits: Limits,
    /// The channel of RSS answers.
    pub feed_channel: Arc<FeedChannel>,
    /// The instance's public address, for the pages' canonical and OpenGraph addresses.
    pub site_address: app::urls::SiteAddress,
    /// Whose forwarding headers are believed.
    pub proxies: TrustedProxies,
    /// HSTS on every response.
    pub https: bool,
    /// `/metrics` on this router.
    pub metrics_here: bool,
}

impl AppState {
    /// The state of a forum with these limits.
    pub fn new(forum: Forum, limits: Limits) -> Self {
        Self {
            leptos_options: leptos_options(),
            forum,
            limits,
            feed_channel: Arc::new(FeedChannel::default()),
            site_address: app::urls::SiteAddress::default(),
            proxies: TrustedProxies::default(),
            https: false,
            metrics_here: true,
        }
    }

    /// The same, believing forwarding headers from these proxies.
    #[must_use]
    pub fn with_trusted_proxies(mut self, proxies: TrustedProxies) -> Self {
        self.proxies = proxies;
        self
    }

    /// The same, sending HSTS (the site is served over https).
    #[must_use]
    pub fn with_https(mut self, https: bool) -> Self {
        self.https = https;
        self
    }

    /// The same, without `/metrics` (served on an address of its own).
    #[must_use]
    pub fn without_metrics(mut self) -> Self {
        self.metrics_here = false;
        self
    }

    /// The same, with the instance's public address.
    #[must_use]
    pub fn with_site_address(mut self, site_address: app::urls::SiteAddress) -> Self {
        self.site_address = site_address;
        self
    }

    /// The same, with the channel of the RSS answers.
    #[must_use]
    pub fn with_feed_channel(mut self, channel: FeedChannel) -> Self {
        self.feed_channel = Arc::new(channel);
        self
    }
}

impl FromRef<AppState> for ApiState {
    fn from_ref(state: &AppState) -> Self {
        Self {
            forum: state.forum.clone(),
            feed_channel: Arc::clone(&state.feed_channel),
        }
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// Leptos options for this forum: the bundles live under `/pkg` (each page names its own
/// family's bundle: see [`app::bundles`]).
pub fn leptos_options() -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("spasm_forum")
        .site_pkg_dir("pkg")
        .site_root("site")
        .build()
}

/// The pages' routes, generated once per process. Generating them renders the app with
/// resource loading suppressed process-wide (leptos_server's `SuppressResourceLoad`), and a
/// resource first polled meanwhile by another router's request never resolves: a page of a
/// server built while another serves would hang (leptos issue 4773).
fn page_routes() -> Vec<leptos_axum::AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> =
        std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// The whole application as an axum router.
pub fn router(state: AppState) -> Router {
    let routes = page_routes();
    // Other instances' web clients and federation peers call the API from anywhere; it
    // uses no cookies, and writes are signed.
    let cors = CorsLayer::new()
        .allow_origin(cors::Any)
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([header::CONTENT_TYPE]);
    let api = api::routes()
        .with_state(ApiState::from_ref(&state))
        .layer(cors);
    let site = Router::new()
        .route("/healthz", get(healthz))
        .route("/identicons/{file}", get(crate::identicons::identicon))
        // The mutes page's form; the page itself is one of the app's routes.
        .route("/mutes", post(crate::mutes::save))
        .leptos_routes_with_context(
            &state,
            routes,
            {
                let forum = state.forum.clone();
                let views = Arc::new(app::server_fns::EventViewCache::default());
                let site = state.site_address.clone();
                move || {
                    provide_context(forum.clone());
                    provide_context(views.clone());
                    provide_context(site.clone());
                    provide_context(site_assets::NAMES);
                    provide_response_nonce();
                }
            },
            shell,
        )
        .fallback(fallback)
        .layer(axum::middleware::from_fn_with_state(
            PageCache::new(state.forum.clone()),
            page_cache::serve,
        ))
        .with_state(state.clone())
        .merge(api);
    let site = if state.metrics_here {
        site.merge(metrics_routes(&state.forum))
    } else {
        site
    };
    with_layers(site, &state)
}

/// `/metrics`, `/healthz` and `/api/health` alone: what a jobs-only process and the
/// separate metrics address serve.
pub fn operations_router(state: AppState) -> Router {
    let health = Router::new()
        .route("/healthz", get(healthz))
        .with_state(state.clone())
        .merge(api::health_routes().with_state(ApiState::from_ref(&state)));
    with_layers(health.merge(metrics_routes(&state.forum)), &state)
}

fn metrics_routes(forum: &Forum) -> Router {
    // Installed before the first request, so that the first scrape sees every request.
    let _ = crate::metrics::handle();
    Router::new()
        .route("/metrics", get(crate::metrics::scrape))
        .with_state(forum.clone())
}

/// The layers every router has, innermost first.
fn with_layers(router: Router, state: &AppState) -> Router {
    let limits = &state.limits;
    router
        // The fastest level: dynamic pages and API answers are compressed per request, and
        // brotli at its default level costs more CPU than building the answer.
        .layer(CompressionLayer::new().quality(CompressionLevel::Fastest))
        .layer(RequestBodyLimitLayer::new(limits.max_request_bytes))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, limits.request_timeout()))
        .layer(axum::middleware::from_fn_with_state(
            SecurityHeaders {
                forum: state.forum.clone(),
                https: state.https,
            },
            security_headers::add,
        ))
        .layer(axum::middleware::from_fn(crate::metrics::track))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(TraceLayer::new_for_http().make_span_with(|request: &Request<Body>| {
            let request_id = request
                .headers()
                .get("x-request-id")
                .and_then(|value| value.to_str().ok())
                .unwrap_or("-");
            let client = request
                .extensions()
                .get::<forum::rate::ClientAddress>()
                .map(|address| address.0.to_string())
                .unwrap_or_default();
            tracing::info_span!("request", method = %request.method(), path = %request.uri().path(), client, request_id)
        }))
        .layer(axum::middleware::from_fn_with_state(
            state.proxies.clone(),
            client_ip::resolve,
        ))
        .layer(SetRequestIdLayer::x_request_id(SequentialRequestId::default()))
}

/// What a page rendered outside the routes (the 404 page) needs.
fn provide_page_context() {
    provide_context(site_assets::NAMES);
    provide_response_nonce();
}

/// Gives the page being rendered the nonce its response's Content-Security-Policy names
/// (`security_headers.rs` put it in the request).
fn provide_response_nonce() {
    let nonce = use_context::<axum::http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<CspNonce>().cloned());
    if let Some(CspNonce(nonce)) = nonce {
        provide_context(leptos::nonce::Nonce::from_value(nonce));
    }
}

/// `GET /healthz`: 200 `ok (backend)` when the database answers and takes writes, 503 with
/// what is wrong otherwise (see [`forum::health`]).
async fn healthz(State(state): State<AppState>) -> Response {
    let health = state.forum.health().await;
    match health.problem() {
        None => (StatusCode::OK, format!("ok ({})\n", health.backend.name())).into_response(),
        Some(problem) => (StatusCode::SERVICE_UNAVAILABLE, format!("{problem}\n")).into_response(),
    }
}

/// Embedded static files; anything else renders the app, whose router answers 404.
async fn fallback(request: Request<Body>) -> Response {
    if let Some(response) = site_assets::response_for(request.uri().path(), request.headers()) {
        return response;
    }
    let render = leptos_axum::render_app_async_with_context(provide_page_context, shell);
    render(request).await.into_response()
}

/// Request ids that are unique within one process: `<process start>-<counter>`.
#[derive(Clone, Default)]
struct SequentialRequestId {
    next: Arc<AtomicU64>,
}

impl MakeRequestId for SequentialRequestId {
    fn make_request_id<B>(&mut self, _request: &axum::http::Request<B>) -> Option<RequestId> {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        HeaderValue::from_str(&format!("{:x}-{id}", process_start()))
            .ok()
            .map(RequestId::new)
    }
}

fn process_start() -> u64 {
    static START: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *START.get_or_init(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|elapsed| elapsed.as_secs())
            .unwrap_or_default()
    })
}
