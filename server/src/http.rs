//! The HTTP surface: pages, server functions, static files and health.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use app::{App, shell};
use axum::Router;
use axum::body::Body;
use axum::extract::{FromRef, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use forum::Forum;
use forum::rate::RateLimiter;
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
use crate::config::Limits;
use crate::feeds::FeedChannel;
use crate::site_assets;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// Leptos' rendering options (bundle names and paths).
    pub leptos_options: LeptosOptions,
    /// The forum service.
    pub forum: Forum,
    /// Submits per client IP address.
    pub ip_limiter: Arc<RateLimiter>,
    /// The HTTP layer's limits.
    pub limits: Limits,
    /// The channel of RSS answers.
    pub feed_channel: Arc<FeedChannel>,
}

impl AppState {
    /// The state of a forum with these limits.
    pub fn new(forum: Forum, limits: Limits) -> Self {
        Self {
            leptos_options: leptos_options(),
            forum,
            ip_limiter: Arc::new(RateLimiter::new(
                limits.submits_per_minute_per_ip,
                limits.submit_burst_per_ip,
            )),
            limits,
            feed_channel: Arc::new(FeedChannel::default()),
        }
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
            ip_limiter: Arc::clone(&state.ip_limiter),
            feed_channel: Arc::clone(&state.feed_channel),
        }
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// Leptos options for this forum: the bundle lives under `/pkg` as `spasm_forum.*`.
pub fn leptos_options() -> LeptosOptions {
    LeptosOptions::builder()
        .output_name(app::OUTPUT_NAME)
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
    let options = state.leptos_options.clone();
    let limits = state.limits.clone();
    // Other instances' web clients and federation peers call the API from anywhere; it
    // uses no cookies, and writes are signed.
    let cors = CorsLayer::new()
        .allow_origin(cors::Any)
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([header::CONTENT_TYPE]);
    let api = api::routes()
        .with_state(ApiState::from_ref(&state))
        .layer(cors);
    Router::new()
        .route("/healthz", get(healthz))
        .route("/identicons/{file}", get(crate::identicons::identicon))
        .leptos_routes_with_context(
            &state,
            routes,
            {
                let forum = state.forum.clone();
                let views = Arc::new(app::server_fns::EventViewCache::default());
                move || {
                    provide_context(forum.clone());
                    provide_context(views.clone());
                }
            },
            move || shell(options.clone()),
        )
        .fallback(fallback)
        .with_state(state)
        .merge(api)
        // The fastest level: dynamic pages and API answers are compressed per request, and
        // brotli at its default level costs more CPU than building the answer.
        .layer(CompressionLayer::new().quality(CompressionLevel::Fastest))
        .layer(RequestBodyLimitLayer::new(limits.max_request_bytes))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, limits.request_timeout()))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(TraceLayer::new_for_http().make_span_with(|request: &Request<Body>| {
            let request_id = request
                .headers()
                .get("x-request-id")
                .and_then(|value| value.to_str().ok())
                .unwrap_or("-");
            tracing::info_span!("request", method = %request.method(), path = %request.uri().path(), request_id)
        }))
        .layer(SetRequestIdLayer::x_request_id(SequentialRequestId::default()))
}

/// `GET /healthz`: 200 when the database answers, 503 otherwise.
async fn healthz(State(state): State<AppState>) -> Response {
    match state.forum.store().ping().await {
        Ok(()) => (
            StatusCode::OK,
            format!("ok ({})\n", state.forum.store().backend().name()),
        )
            .into_response(),
        Err(error) => {
            tracing::error!(%error, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n").into_response()
        }
    }
}

/// Embedded static files; anything else renders the app, whose router answers 404.
async fn fallback(State(state): State<AppState>, request: Request<Body>) -> Response {
    if let Some(response) = site_assets::response_for(request.uri().path(), request.headers()) {
        return response;
    }
    let options = state.leptos_options.clone();
    let render = leptos_axum::render_app_async(move || shell(options.clone()));
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
