//! `POST /mutes`: keeps a visitor's mutes ([`forum::mutes`]) in their browser as a cookie and
//! sends them back to `/mutes`; refused, back there with the reason in words and what they
//! typed, so that nothing is lost. A plain form post: it works without JavaScript.

use axum::Form;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use forum::mutes::{COOKIE, Mutes};
use serde::Deserialize;

/// How long a browser keeps the mutes: a year, in seconds.
const KEPT_FOR_SECS: u32 = 31_536_000;

/// The form of `/mutes`: words and keys, one per line.
#[derive(Debug, Deserialize)]
pub struct MuteForm {
    #[serde(default)]
    words: String,
    #[serde(default)]
    keys: String,
}

/// `POST /mutes` (form-encoded `words`, `keys`): 303 to `/mutes?saved=1` with the cookie
/// set (removed when nothing is muted), or to `/mutes?error=…&words=…&keys=…` when refused;
/// 403 for a post from another site (`Sec-Fetch-Site: cross-site`), which may not change a
/// visitor's mutes.
pub async fn save(headers: HeaderMap, Form(form): Form<MuteForm>) -> Response {
    if headers
        .get("sec-fetch-site")
        .is_some_and(|site| site == "cross-site")
    {
        return (
            StatusCode::FORBIDDEN,
            "Mutes are changed from this forum's own page (/mutes), not from another site.",
        )
            .into_response();
    }
    match Mutes::parse(&form.words, &form.keys) {
        Ok(mutes) => {
            let cookie = if mutes.is_empty() {
                format!("{COOKIE}=; Path=/; Max-Age=0; SameSite=Lax; HttpOnly")
            } else {
                format!(
                    "{COOKIE}={}; Path=/; Max-Age={KEPT_FOR_SECS}; SameSite=Lax; HttpOnly",
                    mutes.cookie_value()
                )
            };
            see_other("/mutes?saved=1", Some(cookie))
        }
        Err(error) => {
            let back = url::form_urlencoded::Serializer::new(String::new())
                .append_pair("error", &error.to_string())
                .append_pair("words", &form.words)
                .append_pair("keys", &form.keys)
                .finish();
            see_other(&format!("/mutes?{back}"), None)
        }
    }
}

fn see_other(location: &str, cookie: Option<String>) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(location) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    if let Some(cookie) = cookie.and_then(|cookie| HeaderValue::from_str(&cookie).ok()) {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    response
}
