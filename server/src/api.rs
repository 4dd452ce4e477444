//! The Spasm HTTP API (`/api/…`) on the existing server's paths, parameters and JSON
//! shapes (degenrocket-server.md §1), with statuses that tell the truth and keyset pages.
//! Handlers only translate HTTP to the [`forum::Forum`] service and back.

use std::net::IpAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{FromRequestParts, Path, RawQuery, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use forum::envelope::{StoredEvent, envelopes_json};
use forum::ingest::Publish;
use forum::query::{FeedRequest, Page, param, params, parse_page};
use forum::rate::ClientAddress;
use forum::search::SearchQuery;
use forum::{Forum, Origin, ReadError, SubmitError};
use serde_json::json;

use crate::feeds::{FeedChannel, rss_answer};

/// The default length of the author and children lists (the existing server has none).
const DEFAULT_LIST_LIMIT: u32 = 100;

/// What the API handlers need.
#[derive(Clone)]
pub struct ApiState {
    /// The service.
    pub forum: Forum,
    /// The channel of RSS answers.
    pub feed_channel: Arc<FeedChannel>,
}

/// `GET /api/health` alone (also served by jobs-only processes).
pub fn health_routes() -> Router<ApiState> {
    Router::new().route("/api/health", get(health))
}

/// The `/api` routes.
pub fn routes() -> Router<ApiState> {
    health_routes()
        .route("/api/events", get(feed))
        .route("/api/events/", get(feed))
        .route("/api/search", get(search))
        .route("/api/rss", get(rss_alias))
        .route("/api/rss/", get(rss_alias))
        .route("/api/rss/{activity}", get(rss_alias))
        .route("/api/spasm", get(spasm_alias))
        .route("/api/spasm/", get(spasm_alias))
        .route("/api/spasm/{activity}", get(spasm_alias))
        .route("/api/federation-list", get(federation_list))
        .route("/api/events/children/{id}", get(children))
        .route("/api/events/{id}", get(event))
        .route("/api/authors/{id}", get(author))
        .route("/api/app-config", get(app_config))
        .route("/api/moderations", get(moderations))
        .route("/api/submit", post(submit))
        .route("/api/submit/", post(submit))
}

fn json_response(status: StatusCode, body: String) -> Response {
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response()
}

/// A read error as `{"error": "..."}` with its status; internals are logged only.
fn read_error(error: ReadError) -> Response {
    let status = match &error {
        ReadError::BadRequest(_) => StatusCode::BAD_REQUEST,
        ReadError::Storage(cause) => {
            tracing::error!(error = %cause, "read failed");
            if cause.is_fault() {
                StatusCode::SERVICE_UNAVAILABLE
            } else {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    };
    let mut response = json_response(status, json!({ "error": error.to_string() }).to_string());
    if status == StatusCode::SERVICE_UNAVAILABLE {
        set_retry_after(&mut response, forum::storage::STORAGE_RETRY_AFTER_SECS);
    }
    response
}

fn not_found() -> Response {
    json_response(
        StatusCode::NOT_FOUND,
        json!({ "error": "ERROR: event has not been found" }).to_string(),
    )
}

fn list(events: &[StoredEvent]) -> Response {
    json_response(StatusCode::OK, envelopes_json(events))
}

fn query_pairs(query: Option<&str>) -> Vec<(String, String)> {
    url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .into_owned()
        .collect()
}

fn page_of(pairs: &[(String, String)]) -> Result<Option<Page>, ReadError> {
    parse_page(
        param(pairs, "limit"),
        param(pairs, "before"),
        param(pairs, "since"),
        DEFAULT_LIST_LIMIT,
    )
    .map_err(|error| ReadError::BadRequest(error.to_string()))
}

/// `GET /api/events`: the feed, newest first; `format=rss` answers RSS 2.0.
async fn feed(
    State(state): State<ApiState>,
    headers: HeaderMap,
    uri: Uri,
    RawQuery(query): RawQuery,
) -> Response {
    let pairs = query_pairs(query.as_deref());
    let format = if param(&pairs, "format") == Some("rss") {
        Format::Rss
    } else {
        Format::Json
    };
    answer_feed(&state, &headers, &uri, pairs, format, None).await
}

/// What a feed is answered as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    Rss,
}

/// `/api/rss` and `/api/rss/{all,rising,hot}`: the feed as RSS (the current upstream
/// server's aliases).
async fn rss_alias(
    State(state): State<ApiState>,
    activity: Option<Path<String>>,
    headers: HeaderMap,
    uri: Uri,
    RawQuery(query): RawQuery,
) -> Response {
    let pairs = query_pairs(query.as_deref());
    let activity = activity.map(|Path(activity)| activity);
    answer_feed(
        &state,
        &headers,
        &uri,
        pairs,
        Format::Rss,
        activity.as_deref(),
    )
    .await
}

/// `/api/spasm` and `/api/spasm/{all,rising,hot}`: the feed as Spasm JSON (the current
/// upstream server's aliases).
async fn spasm_alias(
    State(state): State<ApiState>,
    activity: Option<Path<String>>,
    headers: HeaderMap,
    uri: Uri,
    RawQuery(query): RawQuery,
) -> Response {
    let pairs = query_pairs(query.as_deref());
    let activity = activity.map(|Path(activity)| activity);
    answer_feed(
        &state,
        &headers,
        &uri,
        pairs,
        Format::Json,
        activity.as_deref(),
    )
    .await
}

/// The feed in `format`. An alias's activity (`all`, `rising`, `hot`) replaces the query's
/// and makes `action=post` the default, as upstream.
async fn answer_feed(
    state: &ApiState,
    headers: &HeaderMap,
    uri: &Uri,
    mut pairs: Vec<(String, String)>,
    format: Format,
    activity: Option<&str>,
) -> Response {
    if let Some(activity) = activity {
        if !matches!(activity, "all" | "rising" | "hot") {
            return read_error(ReadError::BadRequest(format!(
                "ERROR: unknown feed {activity:?}; use all, rising or hot"
            )));
        }
        pairs.retain(|(name, _)| name != "activity");
        pairs.push(("activity".into(), activity.into()));
        if param(&pairs, "action").is_none() {
            pairs.push(("action".into(), "post".into()));
        }
    }
    // A feed reader wants posts, or a thread's replies: RSS without an `action` gives those.
    if format == Format::Rss && param(&pairs, "action").is_none() {
        let action = if param(&pairs, "parentId").is_some() {
            "reply"
        } else {
            "post"
        };
        pairs.push(("action".into(), action.into()));
    }
    let request = match FeedRequest::parse(&pairs) {
        Ok(request) => request,
        Err(error) => return read_error(ReadError::BadRequest(error.to_string())),
    };
    match state.forum.feed(&request).await {
        Ok(events) => match format {
            Format::Json => list(&events),
            Format::Rss => {
                let signer = request.filter.signers.first().map(String::as_str);
                rss_answer(
                    &events,
                    &state.feed_channel,
                    headers,
                    &path_and_query(uri),
                    signer,
                )
            }
        },
        Err(error) => read_error(error),
    }
}

/// The request's path and query, which an RSS answer names as its own address.
fn path_and_query(uri: &Uri) -> String {
    uri.path_and_query()
        .map_or_else(|| uri.path().to_owned(), |path| path.as_str().to_owned())
}

/// `GET /api/search?q=…`: visible posts and replies with every word of `q`
/// ([`forum::search`]), newest first, as `GET /api/events` answers them; the feed's filters
/// and `limit`/`before` apply (not `since`), `format=rss` answers RSS 2.0. 400 with the
/// reason in words when `q` has no word or is too long.
async fn search(
    State(state): State<ApiState>,
    headers: HeaderMap,
    uri: Uri,
    RawQuery(query): RawQuery,
) -> Response {
    let pairs = query_pairs(query.as_deref());
    let words = match SearchQuery::parse(param(&pairs, "q").unwrap_or_default()) {
        Ok(words) => words,
        Err(error) => {
            return read_error(ReadError::BadRequest(format!(
                "ERROR: invalid query parameter q: {error}"
            )));
        }
    };
    let request = match FeedRequest::parse(&pairs) {
        Ok(request) => request,
        Err(error) => return read_error(ReadError::BadRequest(error.to_string())),
    };
    match state.forum.search(&words, &request).await {
        Ok(events) if param(&pairs, "format") == Some("rss") => rss_answer(
            &events,
            &state.feed_channel,
            &headers,
            &path_and_query(&uri),
            None,
        ),
        Ok(events) => list(&events),
        Err(error) => read_error(error),
    }
}

/// `GET /api/health`: `{ok, database, writes, timestamp}` (ISO 8601), as upstream with
/// `writes` added; 503 with `problem` (words for the host) when the database does not answer
/// or does not take writes.
async fn health(State(state): State<ApiState>) -> Response {
    let health = state.forum.health().await;
    let status = if health.is_healthy() {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let timestamp = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let mut body = json!({
        "ok": health.is_healthy(),
        "database": health.reads,
        "writes": health.writes,
        "timestamp": timestamp,
    });
    if let Some(problem) = health.problem() {
        body["problem"] = problem.into();
    }
    let mut response = json_response(status, body.to_string());
    if !health.is_healthy() {
        set_retry_after(&mut response, forum::storage::STORAGE_RETRY_AFTER_SECS);
    }
    response
}

/// `GET /api/federation-list`: the sources of the newest admin-signed
/// `app-config-federation-list` (a JSON array; `[]` when there is none).
async fn federation_list(State(state): State<ApiState>) -> Response {
    match state.forum.federation_list().await {
        Ok(Some((content, _))) => json_response(StatusCode::OK, content.to_string()),
        Ok(None) => json_response(StatusCode::OK, "[]".into()),
        Err(error) => read_error(error),
    }
}

/// `GET /api/events/:id` and `/api/events/search?e=…`, with `commentsDepth` trees.
async fn event(
    State(state): State<ApiState>,
    Path(path_id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let pairs = query_pairs(query.as_deref());
    let id = param(&pairs, "e")
        .filter(|id| !id.is_empty())
        .map(str::to_owned)
        .or_else(|| (path_id != "search").then_some(path_id));
    let Some(id) = id else {
        return read_error(ReadError::BadRequest(
            "ERROR: no event id given (use /api/events/<id> or ?e=<id>)".into(),
        ));
    };
    let depth = match param(&pairs, "commentsDepth")
        .filter(|depth| !depth.is_empty() && *depth != "false")
    {
        Some(depth) => match depth.parse::<u32>() {
            Ok(depth) => depth,
            Err(_) => {
                return read_error(ReadError::BadRequest(format!(
                    "ERROR: invalid query parameter commentsDepth: {depth:?} is not a number"
                )));
            }
        },
        None => 0,
    };
    let event = match state.forum.event(&id).await {
        Ok(Some(event)) => event,
        Ok(None) => return not_found(),
        Err(error) => return read_error(error),
    };
    if depth == 0 {
        return json_response(StatusCode::OK, event.envelope_json());
    }
    match state.forum.event_with_tree(&event, depth).await {
        Ok(tree) => json_response(StatusCode::OK, tree),
        Err(error) => read_error(error),
    }
}

/// `GET /api/events/children/:id` and `/api/events/children/search?id=A&id=B&action=…`.
async fn children(
    State(state): State<ApiState>,
    Path(path_id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let pairs = query_pairs(query.as_deref());
    let mut ids = params(&pairs, "id");
    if path_id != "search" {
        ids.push(&path_id);
    }
    let actions = params(&pairs, "action");
    let page = match page_of(&pairs) {
        Ok(Some(page)) => page,
        Ok(None) => return list(&[]),
        Err(error) => return read_error(error),
    };
    match state.forum.children(&ids, &actions, page).await {
        Ok(events) => list(&events),
        Err(error) => read_error(error),
    }
}

/// `GET /api/authors/:id`: what the author verifiably signed, newest first.
async fn author(
    State(state): State<ApiState>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let pairs = query_pairs(query.as_deref());
    let page = match page_of(&pairs) {
        Ok(Some(page)) => page,
        Ok(None) => return list(&[]),
        Err(error) => return read_error(error),
    };
    match state.forum.author_events(&id, page).await {
        Ok(events) => list(&events),
        Err(error) => read_error(error),
    }
}

/// `GET /api/app-config`: the newest admin app-config, or `{}`.
async fn app_config(State(state): State<ApiState>) -> Response {
    json_response(StatusCode::OK, state.forum.app_config().to_string())
}

/// `GET /api/moderations`: the moderation audit trail, newest first.
async fn moderations(State(state): State<ApiState>, RawQuery(query): RawQuery) -> Response {
    let pairs = query_pairs(query.as_deref());
    let page = match page_of(&pairs) {
        Ok(Some(page)) => page,
        Ok(None) => return json_response(StatusCode::OK, "[]".into()),
        Err(error) => return read_error(error),
    };
    match state.forum.moderations(page).await {
        Ok(records) => {
            let records: Vec<_> = records
                .iter()
                .map(|record| {
                    json!({
                        "id": record.id,
                        "spasmid": record.spasmid,
                        "action": record.action,
                        "moderator": record.moderator,
                        "targetIds": serde_json::from_str::<serde_json::Value>(&record.target_ids).unwrap_or_default(),
                        "timestamp": record.at_ms,
                        "undoneTimestamp": record.undone_at_ms,
                        "undoneBy": record.undone_by,
                    })
                })
                .collect();
            json_response(StatusCode::OK, serde_json::Value::from(records).to_string())
        }
        Err(error) => read_error(error),
    }
}

/// The client's address, as the HTTP layer resolved it (`client_ip.rs`); unspecified when
/// the router runs without it.
struct ClientIp(IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let ip = parts
            .extensions
            .get::<ClientAddress>()
            .map_or(IpAddr::from([0, 0, 0, 0]), |address| address.0);
        Ok(Self(ip))
    }
}

/// `POST /api/submit/`: the one write endpoint; `?publish=nostr` asks the server to publish
/// the event's Nostr form to relays too (`forum::ingest::Publish`). The answer is a JSON string, as before.
async fn submit(
    State(state): State<ApiState>,
    ClientIp(ip): ClientIp,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    if let Err(error) = state.forum.check_client_address(ip) {
        return submit_error(&error);
    }
    let publish = if param(&query_pairs(query.as_deref()), "publish") == Some("nostr") {
        Publish::ToNostrRelays
    } else {
        Publish::HereOnly
    };
    match state
        .forum
        .submit_with(&body, Origin::Submit, publish)
        .await
    {
        Ok(accepted) => {
            let status = StatusCode::from_u16(accepted.status()).unwrap_or(StatusCode::CREATED);
            submit_answer(status, accepted.message())
        }
        Err(error) => submit_error(&error),
    }
}

fn submit_answer(status: StatusCode, message: &str) -> Response {
    json_response(status, serde_json::Value::from(message).to_string())
}

/// A refused submit: the message as a JSON string, with its status.
pub fn submit_error(error: &SubmitError) -> Response {
    if let SubmitError::Storage(cause) | SubmitError::NotStored(cause) = error {
        tracing::error!(error = %cause, "submit failed in the store");
    }
    let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = submit_answer(status, &error.to_string());
    if let Some(seconds) = error.retry_after_secs() {
        set_retry_after(&mut response, seconds);
    }
    response
}

fn set_retry_after(response: &mut Response, seconds: u64) {
    if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
}
