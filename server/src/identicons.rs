//! `GET /identicons/{seed}.svg`: the identicon of an address, as the old client draws it.

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

/// Seeds are addresses and npubs, or what an unverified event claims as one; nothing
/// longer is drawn.
const MAX_SEED_LENGTH: usize = 100;

/// The SVG of one seed; the same seed always gives the same picture, so it is cached for
/// a year.
pub async fn identicon(Path(file): Path<String>) -> Response {
    let Some(seed) = file.strip_suffix(".svg").filter(|seed| is_seed(seed)) else {
        return (StatusCode::NOT_FOUND, "no such identicon\n").into_response();
    };
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        app::identity::Blockie::new(seed).to_svg(),
    )
        .into_response()
}

fn is_seed(seed: &str) -> bool {
    !seed.is_empty() && seed.len() <= MAX_SEED_LENGTH && !seed.chars().any(char::is_control)
}
