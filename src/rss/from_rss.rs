//! An RSS 2.0 or Atom feed → verified Spasm events (spasm.js `convertRssFeedToSpasm`).

use serde_json::{Map, Value};

use super::markdown::{HtmlError, HtmlToMarkdownConverter};
use super::read::{RawItem, read_items};
use super::{MAX_FEED_BYTES, RssError, RssItemError};
#[cfg(test)]
use crate::convert::ConvertError;
use crate::convert::{VerifiedEvent, convert_to_spasm, parse_and_convert};

/// Where a feed comes from (spasm.js `SpasmEventSource`). Only the category is used: it
/// becomes the category of every post read without an envelope.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RssSource {
    /// The category given to the feed's web2 posts (spasm.js takes a string or a number
    /// and writes it as a string). `None` or `""`: no category.
    pub category: Option<String>,
}

/// One item that gave no event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedItem {
    /// Its position among the feed's items, from 0.
    pub index: usize,
    /// Why.
    pub error: RssItemError,
}

/// What a feed gave: its events in feed order, and the items that gave none.
#[derive(Debug, Clone, Default)]
pub struct RssImport {
    /// One verified event per accepted item. An event read from a `spasmEnvelope` has the
    /// signers proven here; a web2 post has none.
    pub events: Vec<VerifiedEvent>,
    /// The items left out, with the reason.
    pub rejected: Vec<RejectedItem>,
}

/// spasm.js `convertRssFeedToSpasm`: the events of an RSS 2.0 (`<rss><channel><item>`) or
/// Atom (`<feed><entry>`) document, given as text (the caller decodes the bytes it fetched).
///
/// An item with a `<spasmEnvelope>` is the event in it, converted and verified by
/// [`crate::convert::convert_to_spasm`]: it is accepted only if every signature in it
/// verifies, and its other fields are ignored. Any other item is read as an unsigned web2
/// post, field by field as spasm.js reads it (see [`crate::rss`]'s notes and the rules of
/// the reader): `guid` (else Atom `id`), `title`, `link` (text only: Atom's
/// `<link href>` is not read), `pubDate` (else `published`, else `updated`), and the
/// longest of `description`, `summary`, `contentSnippet`, `content:encodedSnippet` and
/// `content:encoded` (Atom's `<content>` is not read). Each of these is converted from HTML
/// to Markdown as spasm.js does with turndown (so Markdown characters in a guid or link,
/// such as `_`, are escaped there too: the ids spasm.js computes depend on it). The
/// source's category is added.
///
/// # Errors
///
/// A whole-feed [`RssError`] when the text is over [`MAX_FEED_BYTES`], not well-formed,
/// not RSS or Atom, has more than [`super::MAX_FEED_ITEMS`] items or nests deeper than
/// [`super::MAX_XML_DEPTH`]. An item that gives no event is listed in
/// [`RssImport::rejected`] and the others are still read (spasm.js drops the whole feed
/// when one envelope is not JSON).
pub fn convert_rss_feed_to_spasm(xml: &str, source: &RssSource) -> Result<RssImport, RssError> {
    if xml.len() > MAX_FEED_BYTES {
        return Err(RssError::TooLarge { bytes: xml.len() });
    }
    let items = read_items(xml)?;
    let converter = HtmlToMarkdownConverter::new();
    let mut import = RssImport::default();
    for (index, item) in items.iter().enumerate() {
        match convert_item(item, source, &converter) {
            Ok(event) => import.events.push(event),
            Err(error) => import.rejected.push(RejectedItem { index, error }),
        }
    }
    Ok(import)
}

fn convert_item(
    item: &RawItem,
    source: &RssSource,
    converter: &HtmlToMarkdownConverter,
) -> Result<VerifiedEvent, RssItemError> {
    if let Some(envelope) = item.non_empty("spasmEnvelope") {
        return parse_and_convert(envelope.as_bytes()).map_err(RssItemError::Envelope);
    }
    let markdown = |field: &str, html: &str| -> Result<Value, RssItemError> {
        converter
            .convert(html)
            .map(Value::from)
            .map_err(|HtmlError::TooDeep| RssItemError::HtmlTooDeep {
                field: field.to_string(),
            })
    };
    // spasm.js builds a V0 post with these keys, in this order, and converts it.
    let mut post = Map::new();
    let guid = [
        ("guid", item.non_empty("guid")),
        ("id", item.non_empty("id")),
    ]
    .into_iter()
    .find_map(|(field, value)| value.map(|value| (field, value)));
    if let Some((field, guid)) = guid {
        post.insert("guid".into(), markdown(field, guid)?);
    }
    if let Some(title) = item.non_empty("title") {
        post.insert("title".into(), markdown("title", title)?);
    }
    if let Some(link) = item.non_empty("link") {
        post.insert("url".into(), markdown("link", link)?);
    }
    let date = ["pubDate", "published", "updated"]
        .into_iter()
        .find_map(|field| item.non_empty(field).map(|value| (field, value)));
    if let Some((field, date)) = date {
        post.insert("pubdate".into(), markdown(field, date)?);
    }
    // The longest text wins; a later one must be strictly longer (JavaScript lengths).
    let mut description: (&str, &str, usize) = ("description", "", 0);
    for field in [
        "description",
        "summary",
        "contentSnippet",
        "content:encodedSnippet",
        "content:encoded",
    ] {
        if let Some(text) = item.non_empty(field) {
            let length = text.encode_utf16().count();
            if length > description.2 {
                description = (field, text, length);
            }
        }
    }
    post.insert(
        "description".into(),
        markdown(description.0, description.1)?,
    );
    if let Some(category) = source
        .category
        .as_deref()
        .filter(|category| !category.is_empty())
    {
        post.insert("category".into(), Value::from(category));
    }
    convert_to_spasm(&Value::Object(post)).map_err(RssItemError::Item)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed(items: &str) -> String {
        format!(
            "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title>{items}</channel></rss>"
        )
    }

    #[test]
    fn bad_items_are_reported_and_the_others_kept() {
        let xml = feed(concat!(
            "<item><title>First</title><link>https://a.example/1</link>",
            "<pubDate>Tue, 25 Aug 2026 12:00:00 GMT</pubDate>",
            "<description>&lt;p&gt;Hello &lt;b&gt;world&lt;/b&gt;&lt;/p&gt;</description></item>",
            "<item><spasmEnvelope><![CDATA[{not json]]></spasmEnvelope><title>x</title></item>",
            "<item><spasmEnvelope><![CDATA[{\"type\":\"SpasmEventEnvelopeV2\",\"siblings\":[]}]]></spasmEnvelope></item>",
            "<item><description>bell \u{7}</description></item>",
        ));
        let source = RssSource {
            category: Some("tech".into()),
        };
        let import = convert_rss_feed_to_spasm(&xml, &source).unwrap_or_default();
        assert_eq!(import.events.len(), 1, "{:?}", import.rejected);
        let event = import.events[0].event();
        assert_eq!(event["title"], "First");
        assert_eq!(event["content"], "Hello **world**");
        assert_eq!(event["categories"][0]["name"], "tech");
        assert!(!import.events[0].is_signed());
        let rejected: Vec<usize> = import.rejected.iter().map(|item| item.index).collect();
        assert_eq!(rejected, [1, 2, 3]);
        assert!(matches!(
            import.rejected[0].error,
            RssItemError::Envelope(ConvertError::NotJson(_))
        ));
        assert!(matches!(
            import.rejected[1].error,
            RssItemError::Envelope(_)
        ));
        assert!(matches!(import.rejected[2].error, RssItemError::Item(_)));
    }

    #[test]
    fn limits_are_errors() {
        let large = " ".repeat(MAX_FEED_BYTES + 1);
        assert_eq!(
            convert_rss_feed_to_spasm(&large, &RssSource::default()).err(),
            Some(RssError::TooLarge {
                bytes: MAX_FEED_BYTES + 1
            })
        );
        assert_eq!(
            convert_rss_feed_to_spasm("not xml at all", &RssSource::default()).err(),
            Some(RssError::NotAFeed)
        );
        let deep_html = format!(
            "<item><title>t</title><description>{}</description></item>",
            "&lt;div&gt;".repeat(super::super::MAX_HTML_DEPTH + 10)
        );
        let import =
            convert_rss_feed_to_spasm(&feed(&deep_html), &RssSource::default()).unwrap_or_default();
        assert!(import.events.is_empty());
        assert_eq!(
            import.rejected.first().map(|item| &item.error),
            Some(&RssItemError::HtmlTooDeep {
                field: "description".into()
            })
        );
        // Just under the limit, nested block elements of every kind convert (the converter
        // recurses once per level; this runs on a test thread's small stack).
        let nested = "<blockquote><ul><li><div>".repeat((super::super::MAX_HTML_DEPTH - 4) / 4);
        let escaped = nested.replace('<', "&lt;").replace('>', "&gt;");
        let item = format!("<item><title>t</title><description>{escaped}deep</description></item>");
        let import =
            convert_rss_feed_to_spasm(&feed(&item), &RssSource::default()).unwrap_or_default();
        assert_eq!(import.events.len(), 1, "{:?}", import.rejected);
    }
}
