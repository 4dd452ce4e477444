//! RSS out: feeds of the forum's events (all, by category, by author, a thread's replies),
//! written by `spasm::rss` (spasm.js `generateRssFeed`, without its faults): every item
//! carries its signed envelope byte for byte in `<spasmEnvelope>`, so that an instance
//! pulling the feed re-verifies the events instead of trusting it.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use forum::envelope::StoredEvent;
use serde_json::Value;
use spasm::rss::{RssChannelConfig, RssFeedConfig, RssItemConfig, generate_rss_feed, utc_string};

/// The channel of the instance's feeds: the existing server's `RSS_FEED_CHANNEL_*`
/// variables, and the instance's address for item links.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeedChannel {
    /// `RSS_FEED_CHANNEL_TITLE` (default "Spasm").
    pub title: Option<String>,
    /// `RSS_FEED_CHANNEL_DESCRIPTION`.
    pub description: Option<String>,
    /// `RSS_FEED_CHANNEL_IMAGE_LINK`.
    pub image_url: Option<String>,
    /// `RSS_FEED_CHANNEL_LINK`, else `SPASM_INSTANCE_URL`: the site's address. Without it,
    /// links are built from the request's `Host`.
    pub link: Option<String>,
}

impl FeedChannel {
    /// The channel from the environment (`lookup`).
    pub fn from_environment(lookup: &impl Fn(&str) -> Option<String>) -> Self {
        let text = |name: &str| {
            lookup(name)
                .map(|value| value.trim().to_owned())
                .filter(|value| !value.is_empty())
        };
        Self {
            title: text("RSS_FEED_CHANNEL_TITLE"),
            description: text("RSS_FEED_CHANNEL_DESCRIPTION"),
            image_url: text("RSS_FEED_CHANNEL_IMAGE_LINK"),
            link: text("RSS_FEED_CHANNEL_LINK")
                .or_else(|| text("SPASM_INSTANCE_URL"))
                .map(|link| link.trim_end_matches('/').to_owned()),
        }
    }

    /// The site's address: the configured one, or `http(s)://<Host>` of the request.
    fn site(&self, headers: &HeaderMap) -> Option<String> {
        if let Some(link) = &self.link {
            return Some(link.clone());
        }
        let host = headers.get(header::HOST)?.to_str().ok()?;
        if host.is_empty() || host.contains(['/', ' ', '"', '<', '>']) {
            return None;
        }
        let scheme = headers
            .get("x-forwarded-proto")
            .and_then(|value| value.to_str().ok())
            .filter(|proto| *proto == "https")
            .unwrap_or("http");
        Some(format!("{scheme}://{host}"))
    }
}

/// An RSS 2.0 answer of `events` (`application/rss+xml`), `path_and_query` being the
/// feed's own address, `signer` the author it is filtered by.
pub fn rss_answer(
    events: &[StoredEvent],
    channel: &FeedChannel,
    headers: &HeaderMap,
    path_and_query: &str,
    signer: Option<&str>,
) -> Response {
    let envelopes: Vec<Value> = events
        .iter()
        .filter_map(|event| serde_json::from_str(&event.envelope_json()).ok())
        .collect();
    let site = channel.site(headers);
    let defaults = RssChannelConfig::default();
    let config = RssFeedConfig {
        channel: RssChannelConfig {
            title: channel.title.clone().or(defaults.title.clone()),
            link: site.clone(),
            description: channel.description.clone().or(defaults.description.clone()),
            image_url: channel.image_url.clone().or(defaults.image_url.clone()),
            full_uri: site.as_ref().map(|site| format!("{site}{path_and_query}")),
            last_build_date: utc_string(forum::service::now_ms()),
            ..defaults
        },
        signer: signer.map(str::to_owned),
        item: RssItemConfig {
            custom_domain: site.map(|site| format!("{site}/news")),
            ..RssItemConfig::default()
        },
        ..RssFeedConfig::default()
    };
    let xml = generate_rss_feed(&envelopes, &config);
    (
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/rss+xml; charset=utf-8"),
        )],
        xml,
    )
        .into_response()
}
