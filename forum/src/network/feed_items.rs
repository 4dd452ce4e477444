//! RSS and Atom in, for feeds that are not Spasm instances: each item becomes an unsigned
//! web2 post as the existing server makes it (degenrocket-server.md §4.2): a V0 post
//! `{guid, source, category, tickers, title, url, pubdate, description}`, converted by
//! `spasm::convert` (ids: the spasmid, the URL, the guid; a stored URL or guid makes the
//! item a duplicate). Read with `feed-rs` (RSS 0.9x/1.0/2.0, Atom, JSON Feed; the XML
//! declaration's encoding; relative links against the feed's address). HTML becomes
//! Markdown text: it is never shown raw.

use feed_rs::model::{Entry, Link, Text};
use serde_json::{Map, Value};

/// The most items read from one feed.
pub const MAX_ITEMS: usize = 1_000;

/// The longest description kept, in characters (as the current upstream server).
pub const MAX_DESCRIPTION_CHARS: usize = 20_480;

/// The longest title kept, in characters.
pub const MAX_TITLE_CHARS: usize = 500;

/// Why a feed could not be read.
#[derive(Debug, thiserror::Error)]
#[error("the feed is not RSS or Atom that can be read: {0}")]
pub struct FeedError(String);

/// The items of a feed as V0 posts, and how many were left out (no link and no guid, or
/// beyond [`MAX_ITEMS`]).
#[derive(Debug, Default)]
pub struct FeedPosts {
    /// One V0 post per usable item, oldest first (so that they are stored in their order).
    pub posts: Vec<Value>,
    /// Items without a link or a guid: nothing identifies them, so they are not taken.
    pub without_id: usize,
    /// Items beyond [`MAX_ITEMS`].
    pub beyond_limit: usize,
}

/// Reads `body` (the bytes as fetched: feed-rs applies the declared encoding) from `url`.
pub fn feed_posts(
    body: &[u8],
    url: &str,
    source_name: &str,
    category: Option<&str>,
    first_seen_ms: i64,
) -> Result<FeedPosts, FeedError> {
    let parser = feed_rs::parser::Builder::new()
        .base_uri(Some(url))
        // Without a guid, feed-rs makes one up from the content; an empty one tells us.
        .id_generator(|_, _, _| String::new())
        .build();
    let feed = parser
        .parse(body)
        .map_err(|error| FeedError(error.to_string()))?;
    let converter = htmd::HtmlToMarkdown::builder()
        .skip_tags(vec!["script", "style", "iframe", "object", "embed"])
        .build();
    let mut out = FeedPosts::default();
    let count = feed.entries.len();
    out.beyond_limit = count.saturating_sub(MAX_ITEMS);
    for entry in feed.entries.into_iter().take(MAX_ITEMS) {
        match post_of(&entry, source_name, category, first_seen_ms, &converter) {
            Some(post) => out.posts.push(post),
            None => out.without_id += 1,
        }
    }
    // Feeds list the newest first.
    out.posts.reverse();
    Ok(out)
}

fn post_of(
    entry: &Entry,
    source_name: &str,
    category: Option<&str>,
    first_seen_ms: i64,
    converter: &htmd::HtmlToMarkdown,
) -> Option<Value> {
    let link = entry_link(&entry.links).map(|link| without_tracking(&link));
    let guid = Some(entry.id.trim())
        .filter(|id| !id.is_empty())
        .map(str::to_owned);
    if link.is_none() && guid.is_none() {
        return None;
    }
    let title = entry
        .title
        .as_ref()
        .map(|title| plain(title, converter))
        .unwrap_or_default();
    let description = entry
        .summary
        .as_ref()
        .map(|summary| plain(summary, converter))
        .filter(|text| !text.is_empty())
        .or_else(|| {
            entry
                .content
                .as_ref()
                .and_then(|content| content.body.as_deref())
                .map(|body| markdown(body, converter))
        })
        .unwrap_or_default();
    // A missing or unreadable date is the time the item was first seen: its URL and guid
    // keep it from being stored again with another date.
    let pubdate = entry
        .published
        .or(entry.updated)
        .map(|date| date.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        .or_else(|| {
            chrono::DateTime::from_timestamp_millis(first_seen_ms)
                .map(|date| date.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        });
    let mut post = Map::new();
    let mut put = |name: &str, value: Option<String>| {
        if let Some(value) = value.filter(|value| !value.is_empty()) {
            post.insert(name.into(), Value::from(value));
        }
    };
    put("guid", guid);
    put("source", Some(source_name.to_owned()));
    put("category", category.map(str::to_owned));
    put("title", Some(truncate(&title, MAX_TITLE_CHARS)));
    put("url", link);
    put("pubdate", pubdate);
    put(
        "description",
        Some(truncate(&description, MAX_DESCRIPTION_CHARS)),
    );
    Some(Value::Object(post))
}

/// The item's page: the `alternate` link, else the first that is not an enclosure.
fn entry_link(links: &[Link]) -> Option<String> {
    links
        .iter()
        .find(|link| link.rel.as_deref() == Some("alternate"))
        .or_else(|| {
            links
                .iter()
                .find(|link| !matches!(link.rel.as_deref(), Some("enclosure" | "self")))
        })
        .map(|link| link.href.trim().to_owned())
        .filter(|href| href.starts_with("http://") || href.starts_with("https://"))
}

/// The link without the tracking parameters the existing server removes (`source`,
/// `utm_*`).
fn without_tracking(link: &str) -> String {
    let Ok(mut url) = url::Url::parse(link) else {
        return link.to_owned();
    };
    if url.query().is_none() {
        return link.to_owned();
    }
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(name, _)| name != "source" && !name.starts_with("utm_"))
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect();
    if kept.is_empty() {
        url.set_query(None);
    } else {
        url.query_pairs_mut().clear().extend_pairs(kept);
    }
    url.to_string()
}

/// A feed text as plain Markdown: HTML converted, plain text as it is.
fn plain(text: &Text, converter: &htmd::HtmlToMarkdown) -> String {
    if text.content_type.to_string().contains("html") {
        markdown(&text.content, converter)
    } else {
        text.content.trim().to_owned()
    }
}

fn markdown(html: &str, converter: &htmd::HtmlToMarkdown) -> String {
    converter
        .convert(html)
        .map(|text| text.trim().to_owned())
        .unwrap_or_else(|_| html.trim().to_owned())
}

fn truncate(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(xml: &str) -> FeedPosts {
        feed_posts(
            xml.as_bytes(),
            "https://news.example/feed.xml",
            "News",
            Some("tech"),
            1_700_000_000_000,
        )
        .unwrap_or_default()
    }

    #[test]
    fn rss_items_become_v0_posts() {
        let posts = read(
            r#"<?xml version="1.0"?><rss version="2.0"><channel><title>N</title>
            <item><title>First &amp; best</title><link>https://news.example/a?utm_source=rss&amp;id=1</link>
              <guid>https://news.example/a</guid><pubDate>Tue, 10 Jun 2025 04:00:00 GMT</pubDate>
              <description><![CDATA[<p>Hello <b>world</b><script>alert(1)</script></p>]]></description></item>
            <item><title>No link</title><description>x</description></item>
            </channel></rss>"#,
        );
        assert_eq!(posts.without_id, 1);
        let post = &posts.posts[0];
        assert_eq!(post["title"], "First & best");
        assert_eq!(post["url"], "https://news.example/a?id=1");
        assert_eq!(post["guid"], "https://news.example/a");
        assert_eq!(post["source"], "News");
        assert_eq!(post["category"], "tech");
        assert_eq!(post["pubdate"], "2025-06-10T04:00:00.000Z");
        assert_eq!(post["description"], "Hello **world**");
    }

    #[test]
    fn atom_relative_links_resolve_and_missing_dates_are_first_seen() {
        let posts = read(
            r#"<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title><id>f</id>
            <entry><title type="html">&lt;i&gt;Hi&lt;/i&gt;</title><link href="/post/1"/><id>urn:x:1</id>
              <content type="html">&lt;p&gt;Body&lt;/p&gt;</content></entry></feed>"#,
        );
        let post = &posts.posts[0];
        assert_eq!(post["url"], "https://news.example/post/1");
        assert_eq!(post["title"], "*Hi*");
        assert_eq!(post["description"], "Body");
        assert_eq!(post["pubdate"], "2023-11-14T22:13:20.000Z");
    }

    #[test]
    fn what_is_not_a_feed_is_an_error() {
        assert!(feed_posts(b"{\"not\": \"xml\"}", "https://x.example/", "x", None, 0).is_err());
        assert!(
            feed_posts(
                b"<html><body>hi</body></html>",
                "https://x.example/",
                "x",
                None,
                0
            )
            .is_err()
        );
    }
}
