//! `/metrics` in the Prometheus text format (the `metrics` facade with
//! `metrics-exporter-prometheus`'s recorder). The names are listed in the README:
//!
//! * `spasm_http_requests_total{route, method, status}` and
//!   `spasm_http_request_duration_seconds{route, method}` (histogram), from [`track`];
//! * `spasm_submits_total{source, outcome}`, `spasm_verify_seconds` (forum's ingest);
//! * `spasm_write_queue_depth`, `spasm_write_group_size` (the store's write queue);
//! * `spasm_job_runs_total{job, outcome}`, `spasm_job_run_seconds{job}`,
//!   `spasm_job_lock_held{group}` (background jobs);
//! * `spasm_nostr_outbox_backlog{relay}`, `spasm_db_connections{state}`,
//!   `spasm_db_connections_max`, `spasm_up` (read at each scrape).

use std::sync::OnceLock;
use std::time::Instant;

use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use forum::Forum;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

/// Latency buckets, in seconds: from a cached read to a slow page.
const LATENCY_BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

/// Write group sizes: one write to the queue's largest group.
const GROUP_BUCKETS: [f64; 9] = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0];

/// The process's recorder, installed on first use. `None` when another recorder was
/// installed first (then `/metrics` says so).
pub fn handle() -> Option<&'static PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new()
                .set_buckets_for_metric(
                    Matcher::Suffix("_seconds".into()),
                    &LATENCY_BUCKETS,
                )
                .and_then(|builder| {
                    builder.set_buckets_for_metric(
                        Matcher::Full("spasm_write_group_size".into()),
                        &GROUP_BUCKETS,
                    )
                });
            match builder.and_then(|builder| builder.install_recorder()) {
                Ok(handle) => Some(handle),
                Err(error) => {
                    tracing::error!(%error, "cannot install the metrics recorder; /metrics is empty");
                    None
                }
            }
        })
        .as_ref()
}

/// Middleware: counts every request by its route (the router's pattern, never the raw
/// path: ids would make a series per event) and times it.
pub async fn track(request: Request<Body>, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |path| path.as_str().to_owned());
    let method = request.method().as_str().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::histogram!(
        "spasm_http_request_duration_seconds",
        "route" => route.clone(),
        "method" => method.clone()
    )
    .record(started.elapsed().as_secs_f64());
    metrics::counter!(
        "spasm_http_requests_total",
        "route" => route,
        "method" => method,
        "status" => status
    )
    .increment(1);
    response
}

/// `GET /metrics`: every metric in the Prometheus text format (version 0.0.4).
pub async fn scrape(State(forum): State<Forum>) -> Response {
    let Some(handle) = handle() else {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "metrics are not recorded in this process\n",
        )
            .into_response();
    };
    refresh(&forum).await;
    let mut response = handle.render().into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    response
}

/// The figures read at each scrape rather than counted as they happen.
async fn refresh(forum: &Forum) {
    let store = forum.store();
    let pool = store.pool_use();
    metrics::gauge!("spasm_db_connections", "state" => "idle").set(pool.idle as f64);
    metrics::gauge!("spasm_db_connections", "state" => "used")
        .set(pool.open.saturating_sub(pool.idle) as f64);
    metrics::gauge!("spasm_db_connections_max").set(pool.max as f64);
    let health = forum.health().await;
    metrics::gauge!("spasm_up").set(if health.is_healthy() { 1.0 } else { 0.0 });
    match store.outbox_backlog(i64::MAX).await {
        Ok(backlog) => {
            // A relay that caught up is absent from the backlog: its gauge goes to 0.
            static SEEN: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
            let mut seen = SEEN
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            for relay in seen.iter() {
                if !backlog.iter().any(|(waiting, _)| waiting == relay) {
                    metrics::gauge!("spasm_nostr_outbox_backlog", "relay" => relay.clone())
                        .set(0.0);
                }
            }
            for (relay, waiting) in backlog {
                metrics::gauge!("spasm_nostr_outbox_backlog", "relay" => relay.clone())
                    .set(waiting as f64);
                if !seen.contains(&relay) {
                    seen.push(relay);
                }
            }
        }
        Err(error) => tracing::warn!(%error, "cannot read the Nostr outbox for metrics"),
    }
}
