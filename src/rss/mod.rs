//! RSS both ways, as spasm.js 2.0.0-rc.52 does it: Spasm events → an RSS 2.0 feed
//! ([`generate_rss_feed`], [`convert_to_rss`]), and RSS 2.0 or Atom feeds → verified Spasm
//! events ([`convert_rss_feed_to_spasm`]).
//!
//! Every item of a generated feed carries its event as a `spasmEnvelope` (JSON in CDATA),
//! so another Spasm instance re-verifies the signatures instead of trusting the feed; items
//! without one are read as unsigned web2 posts, whose ids are computed as spasm.js computes
//! them (so that instances agree on the ids of a feed's posts).
//!
//! # Deliberate differences from spasm.js
//!
//! 1. **The envelope is never rewritten.** spasm.js runs DOMPurify over every string of an
//!    item, the `spasmEnvelope` JSON included, which turns `<`, `>` and NBSP inside signed
//!    Nostr content into entities and so breaks the signature (vectors `rssout-05`,
//!    `rssin-10`). Here the envelope is the event's envelope exactly, and the description is
//!    made safe by construction instead: rendered Markdown shows raw HTML as text and keeps
//!    only http, https and mailto links, and a description that is not rendered is
//!    HTML-escaped (see [`RssItem::description`]).
//! 2. **Every `]]>` of a CDATA section is split.** spasm.js replaces only the first, so a
//!    second one ends the section early, the XML is not well-formed, and its own reader then
//!    returns nothing for the whole feed (`rssout-05`, `rssin-09`).
//! 3. **An envelope counts only if every signature in it verifies** (that is what
//!    [`crate::convert::convert_to_spasm`] does), and a bad item is reported, not fatal:
//!    spasm.js returns `[]` for the whole feed when one envelope is not JSON.
//! 4. **`pubDate` of a timestamp in seconds** (Nostr's `created_at`) is read as seconds:
//!    spasm.js passes it to `new Date()` as milliseconds and dates the item in January 1970.
//! 5. **Bad input is a typed error, never a panic**, and input is bounded
//!    ([`MAX_FEED_BYTES`], [`MAX_FEED_ITEMS`], [`MAX_XML_DEPTH`], [`MAX_HTML_DEPTH`]).
//!
//! # Reproduced on purpose
//!
//! Reading a feed without envelopes, ids depend on every detail of how spasm.js reads an
//! item, so these are kept although they look odd: every field (guid and link included)
//! goes through the HTML → Markdown conversion, which escapes Markdown characters (`_`
//! becomes `\_`); a guid that reads as a number (`<guid>1234</guid>`) is dropped; Atom's
//! `<link href>` and `<content>` are not read. See [`convert_rss_feed_to_spasm`].
//!
//! Byte-identical output is not a goal: `marked` and `turndown` (JavaScript) are replaced by
//! `pulldown-cmark` and `htmd`, configured as close to them as they go, and the XML is
//! written by `quick-xml`.

mod config;
mod dates;
mod feed;
mod from_rss;
mod markdown;
mod media;
mod read;
mod signers;
mod to_rss;

pub use config::{
    DEFAULT_CHANNEL_IMAGE_URL, ExtraContent, ExtraEventInfo, ForActions, RssChannelConfig,
    RssFeedConfig, RssItemConfig,
};
pub use dates::{short_date, utc_string};
pub use feed::{generate_rss_feed, generate_rss_feed_from_verified};
pub use from_rss::{RejectedItem, RssImport, RssSource, convert_rss_feed_to_spasm};
pub use markdown::html_to_markdown;
pub use media::{first_audio_or_video_url, mime_type};
pub use to_rss::{RssItem, convert_to_rss, rss_item};

use crate::convert::ConvertError;

/// The largest feed [`convert_rss_feed_to_spasm`] reads: 10 MiB of XML text.
pub const MAX_FEED_BYTES: usize = 10 * 1024 * 1024;
/// The most items (`<item>` or `<entry>`) a feed may have.
pub const MAX_FEED_ITEMS: usize = 1000;
/// How deep XML elements may nest in a feed.
pub const MAX_XML_DEPTH: usize = 256;
/// How deep the HTML of one field of an item may nest (the HTML → Markdown converter
/// recurses once per level).
pub const MAX_HTML_DEPTH: usize = 128;

/// Why a feed could not be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RssError {
    /// The feed is larger than [`MAX_FEED_BYTES`].
    #[error("the feed is {bytes} bytes long; at most {MAX_FEED_BYTES} are read")]
    TooLarge {
        /// Its length in bytes.
        bytes: usize,
    },
    /// The feed is not well-formed XML (as far as the reader checks: tags must nest and
    /// close, names and attributes must be well formed).
    #[error("the feed is not well-formed XML at byte {position}: {message}")]
    Xml {
        /// The byte offset where reading failed.
        position: u64,
        /// The reader's message.
        message: String,
    },
    /// The document element is neither `<rss>` (RSS 2.0) nor `<feed>` (Atom).
    #[error("the document is neither an RSS 2.0 feed (<rss>) nor an Atom feed (<feed>)")]
    NotAFeed,
    /// The feed has more than [`MAX_FEED_ITEMS`] items.
    #[error("the feed has more than {MAX_FEED_ITEMS} items")]
    TooManyItems,
    /// Elements nest deeper than [`MAX_XML_DEPTH`].
    #[error("the feed's elements nest deeper than {MAX_XML_DEPTH} levels")]
    TooDeep,
}

/// Why one item of a feed gave no event (the other items are still read).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RssItemError {
    /// The item's `spasmEnvelope` is not JSON, not an event, or a signature in it does not
    /// verify. The item's other fields are then not used: an item that claims to carry a
    /// signed event is that event or nothing.
    #[error("the item's spasmEnvelope is not an acceptable event: {0}")]
    Envelope(ConvertError),
    /// The item's fields (an unsigned web2 post) do not make an acceptable event.
    #[error("the item is not an acceptable event: {0}")]
    Item(ConvertError),
    /// HTML in one of the item's fields nests deeper than [`MAX_HTML_DEPTH`].
    #[error("the item's {field} has HTML nested deeper than {MAX_HTML_DEPTH} levels")]
    HtmlTooDeep {
        /// The element the HTML came from (`description`, `title`, …).
        field: String,
    },
}
