//! The HTTP surface, exercised through the real router with a real SQLite database:
//! pages and server functions (`pages`), and the Spasm API with every parameter, message
//! and policy gate (`spasm_api`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod network;
mod pages;
mod spasm_api;

use std::net::SocketAddr;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use forum::{Forum, Settings};
use http_body_util::BodyExt;
use serde_json::Value;
use server::config::Limits;
use server::http::{AppState, router};
use tower::ServiceExt;

/// A router over a fresh SQLite database in a temporary directory.
pub struct TestApp {
    pub router: Router,
    _data_dir: tempfile::TempDir,
}

/// Limits for tests: no rate limits unless a test sets them.
pub fn unlimited() -> Limits {
    Limits {
        submits_per_minute_per_ip: 0,
        submits_per_minute_per_key: 0,
        ..Limits::default()
    }
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::with(Settings::default(), unlimited()).await
    }

    pub async fn with(settings: Settings, limits: Limits) -> Self {
        let data_dir = tempfile::tempdir().unwrap();
        let store = forum::storage::open(None, data_dir.path()).await.unwrap();
        let forum = Forum::new(store, settings, limits.forum_limits())
            .await
            .unwrap();
        let router = router(AppState::new(forum, limits));
        Self {
            router,
            _data_dir: data_dir,
        }
    }

    pub async fn send(&self, mut request: Request<Body>) -> (StatusCode, String) {
        request
            .extensions_mut()
            .insert(ConnectInfo(SocketAddr::from(([192, 0, 2, 7], 40_000))));
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        (status, String::from_utf8(body.to_vec()).unwrap())
    }

    pub async fn get(&self, path: &str) -> (StatusCode, String) {
        self.send(Request::get(path).body(Body::empty()).unwrap())
            .await
    }

    /// `GET` a JSON answer.
    pub async fn get_json(&self, path: &str) -> (StatusCode, Value) {
        let (status, body) = self.get(path).await;
        let json =
            serde_json::from_str(&body).unwrap_or_else(|_| panic!("{path}: not JSON: {body}"));
        (status, json)
    }

    /// `POST /api/submit/` with a JSON body; the answer is a JSON string.
    pub async fn submit(&self, input: &Value) -> (StatusCode, String) {
        self.submit_bytes(input.to_string().into_bytes()).await
    }

    pub async fn submit_bytes(&self, body: Vec<u8>) -> (StatusCode, String) {
        let request = Request::post("/api/submit/")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body))
            .unwrap();
        let (status, body) = self.send(request).await;
        let message: Value =
            serde_json::from_str(&body).unwrap_or_else(|_| panic!("not JSON: {body}"));
        (
            status,
            message
                .as_str()
                .unwrap_or_else(|| panic!("not a string: {body}"))
                .to_owned(),
        )
    }

    /// Calls the `verify_test_post` server function.
    pub async fn verify(
        &self,
        signed_string: &str,
        signature: &str,
        signer: &str,
    ) -> (StatusCode, String) {
        let form = format!(
            "signed_string={}&signature={}&signer={}",
            url_encode(signed_string),
            url_encode(signature),
            url_encode(signer)
        );
        let request = Request::post("/_fn/verify_test_post")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "application/json")
            .body(Body::from(form))
            .unwrap();
        self.send(request).await
    }
}

pub fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (byte as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}
