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
    /// Items whose HTML nests deeper than `spasm::rss::MAX_HTML_DEPTH`.
    pub too_deep: usize,
}

/// Why an item gave no post.
enum LeftOut {
    WithoutId,
    TooDeep,
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
    let mut out = FeedPosts::default();
    let count = feed.entries.len();
    out.beyond_limit = count.saturating_sub(MAX_ITEMS);
    for entry in feed.entries.into_iter().take(MAX_ITEMS) {
        match post_of(&entry, source_name, category, first_seen_ms) {
            Ok(post) => out.posts.push(post),
            Err(LeftOut::WithoutId) => out.without_id += 1,
            Err(LeftOut::TooDeep) => out.too_deep += 1,
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
) -> Result<Value, LeftOut> {
    let link = entry_link(&entry.links).map(|link| without_tracking(&link));
    let guid = Some(entry.id.trim())
        .filter(|id| !id.is_empty())
        .map(str::to_owned);
    if link.is_none() && guid.is_none() {
        return Err(LeftOut::WithoutId);
    }
    let title = entry
        .title
        .as_ref()
        .map(plain)
        .transpose()?
        .unwrap_or_default();
    let summary = entry.summary.as_ref().map(plain).transpose()?;
    let description = match summary.filter(|text| !text.is_empty()) {
        Some(summary) => summary,
        None => entry
            .content
            .as_ref()
            .and_then(|content| content.body.as_deref())
            .map(markdown)
            .transpose()?
            .unwrap_or_default(),
    };
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
    Ok(Value::Object(post))
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

/// A feed text as Markdown: HTML converted, plain text as it is.
fn plain(text: &Text) -> Result<String, LeftOut> {
    if text.content_type.to_string().contains("html") {
        markdown(&text.content)
    } else {
        Ok(text.content.trim().to_owned())
    }
}

/// HTML as Markdown text (never shown raw). The HTML is cut to a bound first, so that a
/// huge description costs no more than a long one.
fn markdown(html: &str) -> Result<String, LeftOut> {
    let html = match html.char_indices().nth(4 * MAX_DESCRIPTION_CHARS) {
        Some((end, _)) => &html[..end],
        None => html,
    };
    spasm::rss::html_to_markdown(&without_code(html))
        .map(|text| text.trim().to_owned())
        .ok_or(LeftOut::TooDeep)
}

/// The HTML without `<script>` and `<style>` elements, whose text is code, not prose (the
/// converter would keep it as text).
fn without_code(html: &str) -> String {
    let lower = html.to_ascii_lowercase();
    let mut out = String::with_capacity(html.len());
    let mut at = 0;
    while let Some(start) = ["<script", "<style"]
        .iter()
        .filter_map(|tag| lower[at..].find(tag).map(|found| (at + found, *tag)))
        .min_by_key(|(found, _)| *found)
    {
        let (start, tag) = start;
        out.push_str(&html[at..start]);
        let close = format!("</{}", &tag[1..]);
        at = match lower[start..].find(&close) {
            Some(end) => lower[start + end..]
                .find('>')
                .map_or(html.len(), |gt| start + end + gt + 1),
            None => html.len(),
        };
    }
    out.push_str(&html[at..]);
    out
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
        assert!(!post.to_string().contains("alert"), "{post}");
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
        assert_eq!(post["title"], "_Hi_");
        assert_eq!(post["description"], "Body");
        assert_eq!(post["pubdate"], "2023-11-14T22:13:20.000Z");
    }

    #[test]
    fn code_is_not_prose() {
        assert_eq!(
            without_code("a<SCRIPT type=x>alert(1)</script >b<style>p{}</style>c<script>open"),
            "abc"
        );
        assert_eq!(without_code("é<b>ü</b>"), "é<b>ü</b>");
    }

    #[test]
    fn deeply_nested_html_is_left_out_not_a_crash() {
        let nested = format!("{}x{}", "<div>".repeat(20_000), "</div>".repeat(20_000));
        let xml = format!(
            "<rss version=\"2.0\"><channel><title>T</title><item><title>Deep</title>\
             <link>https://news.example/deep</link><description><![CDATA[{nested}]]></description></item></channel></rss>"
        );
        let posts = read(&xml);
        assert_eq!((posts.posts.len(), posts.too_deep), (0, 1));
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
