//! One run of a source: fetch what it has that we do not, and ingest it.
//!
//! * A Spasm instance that pages by `since=` (ours: `db.key` cursors) is read completely:
//!   page after page from the stored cursor, which advances only after its page is stored.
//! * One that ignores `since` (the existing and the current upstream server) is polled for its
//!   newest window; every id deduplicates, and a window holding nothing seen before is
//!   recorded as "possibly incomplete".
//! * A feed (RSS or Atom, by `Content-Type`) gives web2 posts, or the signed events its
//!   `<spasmEnvelope>` items carry.
//!
//! What a source sends about its events (`stats`, `db`, `source`) is not trusted: counts are
//! ours, from the reactions we hold.

use std::collections::BTreeMap;

use outgoing::{Fetched, GetRequest, OutgoingClient, OutgoingError};
use serde_json::Value;
use serde_json::value::RawValue;
use spasm::rss::{RssError, RssSource, convert_rss_feed_to_spasm};

use super::feed_items::{FeedError, feed_posts};
use super::filter::LocalFilter;
use super::sources::Source;
use crate::ingest::{Origin, SubmitError};
use crate::service::Forum;
use crate::storage::{JobState, StorageError};

/// Events asked for in one page.
pub const PAGE_LIMIT: u32 = 100;

/// The most items one run reads; the rest waits for the next run, which comes soon.
pub const MAX_ITEMS_PER_RUN: usize = 2_000;

/// The most items read from one answer (the existing server's largest `limit`); a source
/// that sends more is cut there.
pub const MAX_ITEMS_PER_ANSWER: usize = 300;

/// A `since` no instance has reached: an instance that pages by `since` answers it with
/// nothing, one that ignores it with its newest events (JavaScript's largest safe integer,
/// so that a Node peer reads it exactly).
const PROBE_SINCE: &str = "9007199254740991";

/// How a source is read, once found out (stored as the job's `mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// A Spasm instance paging by `since=` (`db.key` cursors).
    Since,
    /// A Spasm instance answering its newest events only.
    Window,
    /// An RSS or Atom feed.
    Feed,
}

impl Mode {
    /// Its stored name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Since => "since",
            Self::Window => "window",
            Self::Feed => "feed",
        }
    }

    /// The mode of a stored name.
    pub fn of(name: &str) -> Option<Self> {
        match name {
            "since" => Some(Self::Since),
            "window" => Some(Self::Window),
            "feed" => Some(Self::Feed),
            _ => None,
        }
    }

    /// What it means, for the admin page.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Since => "a Spasm instance read completely, page by page",
            Self::Window => "a Spasm instance that gives its newest events only",
            Self::Feed => "an RSS or Atom feed",
        }
    }
}

/// Why a run failed. The text is shown to the host on the admin page.
#[derive(Debug, thiserror::Error)]
pub enum PullError {
    /// The fetch failed.
    #[error("{0}")]
    Fetch(#[from] OutgoingError),
    /// The source answered with an error of its own.
    #[error("the source answered with an error: {0}")]
    SourceError(String),
    /// JSON that is not a list of events.
    #[error("the source answered JSON that is not a list of events ({0})")]
    NotEvents(String),
    /// Something that is not JSON although it says so.
    #[error("the source said it answered JSON, but the answer is not valid JSON ({0})")]
    InvalidJson(String),
    /// A source that answered one kind of document answers another.
    #[error(
        "the source now answers {0}, unlike before; if it really changed, remove it and add it again"
    )]
    ChangedKind(&'static str),
    /// A web page.
    #[error(
        "the source answered a web page (text/html), not Spasm JSON or a feed; check the URL \
         (a Spasm instance answers at /api/events)"
    )]
    WebPage,
    /// Another kind of answer.
    #[error("the source answered {0}, which is neither Spasm JSON nor an RSS or Atom feed")]
    UnknownType(String),
    /// A Spasm instance's feed that cannot be read.
    #[error("the feed cannot be read: {0}")]
    Feed(#[from] RssError),
    /// A site's feed that cannot be read.
    #[error("{0}")]
    WebFeed(#[from] FeedError),
    /// The store failed: the run stops where it is, to continue next time.
    #[error("the database failed; the run stopped and continues next time")]
    Storage(#[from] StorageError),
}

/// What a run did, for the job's state and the admin page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunReport {
    /// Items read.
    pub read: usize,
    /// Items stored.
    pub taken: usize,
    /// Items refused, by reason ([`SubmitError::reason`]).
    pub refused: BTreeMap<String, usize>,
    /// A newest-only window held nothing seen before: events may have been missed.
    pub possibly_incomplete: bool,
    /// The run stopped at [`MAX_ITEMS_PER_RUN`]: more is waiting.
    pub more: bool,
    /// What a run that reads no items did, in words (housekeeping jobs).
    pub summary: Option<String>,
}

impl RunReport {
    fn refuse(&mut self, reason: &str) {
        *self.refused.entry(reason.to_owned()).or_default() += 1;
    }

    /// The run in words.
    pub fn describe(&self) -> String {
        if let Some(summary) = &self.summary {
            return summary.clone();
        }
        let mut text = format!("read {}, took {}", self.read, self.taken);
        for (reason, count) in &self.refused {
            text.push_str(&format!(", {count} {reason}"));
        }
        if self.possibly_incomplete {
            text.push_str(
                "; the newest events held none seen before, so some may have been missed \
                 (pull more often)",
            );
        }
        if self.more {
            text.push_str("; more is waiting for the next run");
        }
        text
    }
}

/// A source's validators for a conditional GET (RFC 9110 §13).
#[derive(Debug, Clone, Default)]
struct Validators {
    etag: Option<String>,
    last_modified: Option<String>,
}

impl Validators {
    /// Keeps them for the next run (once what they validate is stored).
    fn keep(self, state: &mut JobState) {
        state.etag = self.etag;
        state.last_modified = self.last_modified;
    }
}

/// What an answer holds.
enum Answer {
    /// Nothing new since the last answer (`304`).
    NotModified,
    /// A list of Spasm events (envelopes), each as its JSON text, at most
    /// [`MAX_ITEMS_PER_ANSWER`], and how many more the answer held.
    Events(Vec<Box<RawValue>>, usize),
    /// A feed: its bytes as fetched, and the URL they came from (for relative links).
    Feed(Vec<u8>),
}

/// Reads one answer by its `Content-Type` (sniffing when there is none), as the upstream
/// server chooses between JSON and RSS.
fn read_answer(content_type: Option<&str>, body: &[u8]) -> Result<Answer, PullError> {
    let media = content_type
        .and_then(|value| value.split(';').next())
        .map(|value| value.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let is_json = media.ends_with("json");
    let is_feed = media.ends_with("xml") || media.contains("rss") || media.contains("atom");
    let head = body
        .iter()
        .skip_while(|byte| {
            byte.is_ascii_whitespace() || **byte == 0xEF || **byte == 0xBB || **byte == 0xBF
        })
        .copied()
        .next();
    if is_json
        || (media.is_empty() || media == "text/plain") && matches!(head, Some(b'[' | b'{' | b'n'))
    {
        return read_events(body);
    }
    if is_feed || (media.is_empty() || media == "text/plain") && head == Some(b'<') {
        return Ok(Answer::Feed(body.to_vec()));
    }
    if media == "text/html" {
        return Err(PullError::WebPage);
    }
    Err(PullError::UnknownType(if media.is_empty() {
        "no Content-Type".into()
    } else {
        media
    }))
}

fn read_events(body: &[u8]) -> Result<Answer, PullError> {
    // Each item stays text until it is ingested: a long list costs its bytes, not a tree
    // of values per item.
    let value: Box<RawValue> =
        serde_json::from_slice(body).map_err(|error| PullError::InvalidJson(error.to_string()))?;
    let text = value.get().trim_start();
    if text.starts_with('[') {
        let mut items: Vec<Box<RawValue>> = serde_json::from_str(value.get())
            .map_err(|error| PullError::InvalidJson(error.to_string()))?;
        let beyond = items.len().saturating_sub(MAX_ITEMS_PER_ANSWER);
        items.truncate(MAX_ITEMS_PER_ANSWER);
        return Ok(Answer::Events(items, beyond));
    }
    match serde_json::from_str::<Value>(value.get()) {
        // The existing server answers an empty list with `null`.
        Ok(Value::Null) => Ok(Answer::Events(Vec::new(), 0)),
        Ok(Value::Object(object)) => match object.get("error") {
            Some(error) => Err(PullError::SourceError(
                error
                    .as_str()
                    .map_or_else(|| error.to_string(), str::to_owned),
            )),
            None => Err(PullError::NotEvents("an object".into())),
        },
        Ok(other) => Err(PullError::NotEvents(format!("a {}", json_kind(&other)))),
        Err(error) => Err(PullError::InvalidJson(error.to_string())),
    }
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        _ => "value",
    }
}

/// A feed's bytes as text: UTF-8, or the encoding its XML declaration names
/// (`ISO-8859-1`, `windows-1252`, ...).
fn decode_xml(body: &[u8]) -> String {
    if let Ok(text) = std::str::from_utf8(body) {
        return text.trim_start_matches('\u{feff}').to_owned();
    }
    let head = String::from_utf8_lossy(&body[..body.len().min(256)]).into_owned();
    let label = head
        .split_once("encoding=")
        .and_then(|(_, rest)| {
            let quote = rest.chars().next()?;
            rest[quote.len_utf8()..]
                .split(quote)
                .next()
                .map(str::to_owned)
        })
        .unwrap_or_default();
    let encoding =
        encoding_rs::Encoding::for_label(label.as_bytes()).unwrap_or(encoding_rs::WINDOWS_1252);
    let (text, _, _) = encoding.decode(body);
    // The declaration now names an encoding the text no longer has.
    text.replacen(&format!("encoding=\"{label}\""), "encoding=\"UTF-8\"", 1)
        .replacen(&format!("encoding='{label}'"), "encoding='UTF-8'", 1)
}

/// `url` with `params` set (replacing what it had under those names).
fn with_params(url: &str, params: &[(&str, &str)]) -> String {
    let Ok(mut parsed) = url::Url::parse(url) else {
        return url.to_owned();
    };
    let kept: Vec<(String, String)> = parsed
        .query_pairs()
        .filter(|(name, _)| !params.iter().any(|(replaced, _)| name == replaced))
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect();
    {
        let mut query = parsed.query_pairs_mut();
        query.clear();
        for (name, value) in &kept {
            query.append_pair(name, value);
        }
        for (name, value) in params {
            query.append_pair(name, value);
        }
    }
    parsed.to_string()
}

/// A peer's `db.key` of an envelope (its cursor), when it sends one.
fn peer_key(item: &RawValue) -> Option<i64> {
    #[derive(serde::Deserialize)]
    struct Envelope {
        db: Option<Db>,
    }
    #[derive(serde::Deserialize)]
    struct Db {
        key: Option<i64>,
    }
    serde_json::from_str::<Envelope>(item.get()).ok()?.db?.key
}

/// Pulls from `source`, continuing from `state` (its cursor and mode are updated as the run
/// goes; the cursor is saved after each stored page).
pub async fn pull(
    forum: &Forum,
    client: &OutgoingClient,
    source: &Source,
    state: &mut JobState,
) -> Result<RunReport, PullError> {
    let mut run = Run {
        forum,
        client,
        source,
        filter: url::Url::parse(&source.url)
            .map(|url| LocalFilter::of_url(&url))
            .unwrap_or_default(),
        report: RunReport::default(),
    };
    if state.source_url.as_deref() != Some(source.url.as_str()) {
        // A new address is a new source: what was learnt about the old one does not hold.
        state.cursor = None;
        state.mode = None;
        state.etag = None;
        state.last_modified = None;
        state.possibly_incomplete_ms = None;
        state.source_url = Some(source.url.clone());
    }
    match state.mode.as_deref().and_then(Mode::of) {
        Some(Mode::Since) => run.since(state).await?,
        Some(Mode::Window) | Some(Mode::Feed) => run.newest(state).await?,
        None => run.first(state).await?,
    }
    Ok(run.report)
}

struct Run<'a> {
    forum: &'a Forum,
    client: &'a OutgoingClient,
    source: &'a Source,
    filter: LocalFilter,
    report: RunReport,
}

impl Run<'_> {
    /// GETs `url`, conditionally when `validators` are given; the answer and the new
    /// validators, which the caller keeps only once the answer is stored.
    async fn fetch(
        &self,
        url: &str,
        validators: Validators,
    ) -> Result<(Answer, Validators), PullError> {
        let fetched = self
            .client
            .get(&GetRequest {
                url,
                accept: Some(
                    "application/json, application/rss+xml;q=0.9, application/atom+xml;q=0.9, \
                     application/xml;q=0.8, text/xml;q=0.8",
                ),
                etag: validators.etag.as_deref(),
                last_modified: validators.last_modified.as_deref(),
            })
            .await?;
        match fetched {
            Fetched::NotModified => Ok((Answer::NotModified, validators)),
            Fetched::Body {
                content_type,
                etag,
                last_modified,
                body,
                ..
            } => Ok((
                read_answer(content_type.as_deref(), &body)?,
                Validators {
                    etag,
                    last_modified,
                },
            )),
        }
    }

    /// The first run: find out what the source is, and take what it gave.
    async fn first(&mut self, state: &mut JobState) -> Result<(), PullError> {
        // The address as given: a feed or a site may not take parameters it does not know.
        let (answer, validators) = self.fetch(&self.source.url, Validators::default()).await?;
        let (items, beyond) = match answer {
            Answer::Feed(body) => {
                state.mode = Some(Mode::Feed.name().into());
                self.feed(&body).await?;
                validators.keep(state);
                return Ok(());
            }
            Answer::NotModified => return Ok(()),
            Answer::Events(items, beyond) => (items, beyond),
        };
        if items.is_empty() {
            // Nothing to tell the modes apart by: ask again next time.
            return Ok(());
        }
        // A source that fails the probe is read by window, as one that ignores `since`.
        let probe = with_params(&self.source.url, &[("since", PROBE_SINCE), ("limit", "1")]);
        let pages_by_since = matches!(
            self.fetch(&probe, Validators::default()).await,
            Ok((Answer::Events(probe, _), _)) if probe.is_empty()
        ) && items.iter().all(|item| peer_key(item).is_some());
        if pages_by_since {
            state.mode = Some(Mode::Since.name().into());
            self.since(state).await
        } else {
            state.mode = Some(Mode::Window.name().into());
            self.window(state, items, beyond).await
        }
    }

    /// Page by `since=` from the stored cursor until caught up (or the run's cap). The
    /// cursor is the first (newest) item's key: a forward page of this server's API lists
    /// the events stored after the cursor's in commit order, newest first.
    async fn since(&mut self, state: &mut JobState) -> Result<(), PullError> {
        let mut cursor: i64 = state
            .cursor
            .as_deref()
            .and_then(|cursor| cursor.parse().ok())
            .unwrap_or(0);
        loop {
            let url = with_params(
                &self.source.url,
                &[
                    ("since", &cursor.to_string()),
                    ("limit", &PAGE_LIMIT.to_string()),
                ],
            );
            let items = match self.fetch(&url, Validators::default()).await?.0 {
                Answer::Events(items, beyond) => {
                    self.refuse_beyond(beyond);
                    items
                }
                Answer::NotModified => return Ok(()),
                Answer::Feed(_) => return Err(PullError::ChangedKind("a feed")),
            };
            let page_end = items.first().and_then(|item| peer_key(item));
            let full_page = items.len() >= PAGE_LIMIT as usize;
            self.take_events(items).await?;
            match page_end {
                Some(end) if end != cursor => {
                    cursor = end;
                    state.cursor = Some(cursor.to_string());
                    self.forum
                        .store()
                        .save_job_cursor(&state.name, &cursor.to_string(), state.lease_until_ms)
                        .await?;
                }
                // A page that does not move the cursor: nothing more this run.
                _ => return Ok(()),
            }
            if !full_page {
                return Ok(());
            }
            if self.report.read >= MAX_ITEMS_PER_RUN {
                self.report.more = true;
                return Ok(());
            }
        }
    }

    /// The newest window of a Spasm source, or a feed, with a conditional GET. A source
    /// keeps its kind: a Spasm instance that answers a feed (whose unsigned items would be
    /// taken as a feed's) is refused.
    async fn newest(&mut self, state: &mut JobState) -> Result<(), PullError> {
        let is_feed = state.mode.as_deref() == Some(Mode::Feed.name());
        let url = if is_feed {
            self.source.url.clone()
        } else {
            let url = url::Url::parse(&self.source.url).ok();
            let has_limit =
                url.is_some_and(|url| url.query_pairs().any(|(name, _)| name == "limit"));
            if has_limit {
                self.source.url.clone()
            } else {
                with_params(&self.source.url, &[("limit", &PAGE_LIMIT.to_string())])
            }
        };
        let validators = Validators {
            etag: state.etag.clone(),
            last_modified: state.last_modified.clone(),
        };
        let (answer, validators) = self.fetch(&url, validators).await?;
        match answer {
            Answer::NotModified => return Ok(()),
            Answer::Feed(body) if is_feed => self.feed(&body).await?,
            Answer::Feed(_) => return Err(PullError::ChangedKind("a feed")),
            Answer::Events(..) if is_feed => return Err(PullError::ChangedKind("Spasm JSON")),
            Answer::Events(items, beyond) => self.window(state, items, beyond).await?,
        }
        validators.keep(state);
        Ok(())
    }

    async fn window(
        &mut self,
        state: &mut JobState,
        items: Vec<Box<RawValue>>,
        beyond: usize,
    ) -> Result<(), PullError> {
        self.refuse_beyond(beyond);
        let before = self
            .report
            .refused
            .get("already here")
            .copied()
            .unwrap_or(0);
        let count = items.len();
        self.take_events(items).await?;
        let seen = self
            .report
            .refused
            .get("already here")
            .copied()
            .unwrap_or(0)
            - before;
        // A window of which nothing was seen may have more behind it than it shows.
        if state.last_success_ms.is_some() && count > 0 && seen == 0 {
            self.report.possibly_incomplete = true;
        }
        Ok(())
    }

    fn refuse_beyond(&mut self, beyond: usize) {
        for _ in 0..beyond {
            self.report.read += 1;
            self.report.refuse("beyond the answer's limit");
        }
    }

    fn federation_origin(&self) -> Origin {
        Origin::Federation {
            source: self.source.name.clone(),
            trusted_for_unsigned: self.source.trusted_for_unsigned,
            only: (!self.filter.is_empty()).then(|| self.filter.clone()),
        }
    }

    async fn take_events(&mut self, items: Vec<Box<RawValue>>) -> Result<(), PullError> {
        let origin = self.federation_origin();
        for item in items {
            self.report.read += 1;
            let outcome = match serde_json::from_str::<Value>(item.get()) {
                Ok(value) => self.forum.ingest(value, origin.clone()).await,
                Err(_) => Err(SubmitError::NotJson),
            };
            self.tally(outcome)?;
        }
        Ok(())
    }

    /// A feed: a Spasm instance's RSS (its items carry `<spasmEnvelope>`) gives the signed
    /// events it carries, verified here; any other feed gives web2 posts.
    async fn feed(&mut self, body: &[u8]) -> Result<(), PullError> {
        let text = decode_xml(body);
        if !text.contains("<spasmEnvelope") {
            return self.web_feed(body).await;
        }
        let import = convert_rss_feed_to_spasm(
            &text,
            &RssSource {
                category: self.source.category.clone(),
            },
        )?;
        for rejected in &import.rejected {
            tracing::debug!(source = %self.source.name, index = rejected.index, error = %rejected.error, "feed item left out");
            self.report.read += 1;
            self.report.refuse("invalid or unverifiable");
        }
        for event in import.events {
            self.report.read += 1;
            let origin = if event.is_signed() {
                self.federation_origin()
            } else {
                Origin::Rss {
                    source: self.source.name.clone(),
                }
            };
            let outcome = self.forum.ingest_verified(&event, origin).await;
            self.tally(outcome)?;
        }
        Ok(())
    }

    /// A feed of a site: its items as unsigned web2 posts.
    async fn web_feed(&mut self, body: &[u8]) -> Result<(), PullError> {
        let feed = feed_posts(
            body,
            &self.source.url,
            &self.source.name,
            self.source.category.as_deref(),
            crate::service::now_ms(),
        )?;
        for _ in 0..feed.without_id {
            self.report.read += 1;
            self.report.refuse("without link or guid");
        }
        for _ in 0..feed.beyond_limit {
            self.report.read += 1;
            self.report.refuse("beyond the item limit");
        }
        let origin = Origin::Rss {
            source: self.source.name.clone(),
        };
        for post in feed.posts {
            self.report.read += 1;
            let outcome = self.forum.ingest(post, origin.clone()).await;
            self.tally(outcome)?;
        }
        Ok(())
    }

    /// Counts one item's outcome; a failing store stops the run.
    fn tally(&mut self, outcome: Result<crate::Accepted, SubmitError>) -> Result<(), PullError> {
        match outcome {
            Ok(_) => self.report.taken += 1,
            Err(SubmitError::Storage(error)) => return Err(PullError::Storage(error)),
            Err(SubmitError::Busy { retry_after_secs }) => {
                return Err(PullError::Storage(StorageError::Busy { retry_after_secs }));
            }
            Err(error) => self.report.refuse(error.reason()),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_read_by_their_content_type() {
        assert!(matches!(
            read_answer(Some("application/json; charset=utf-8"), b"null"),
            Ok(Answer::Events(items, 0)) if items.is_empty()
        ));
        assert!(matches!(
            read_answer(Some("application/json"), br#"{"error":"nope"}"#),
            Err(PullError::SourceError(message)) if message == "nope"
        ));
        assert!(matches!(
            read_answer(Some("application/json"), b"{not json"),
            Err(PullError::InvalidJson(_))
        ));
        assert!(matches!(
            read_answer(Some("text/html"), b"<html></html>"),
            Err(PullError::WebPage)
        ));
        assert!(matches!(
            read_answer(Some("application/rss+xml"), b"<rss/>"),
            Ok(Answer::Feed(_))
        ));
        assert!(matches!(
            read_answer(None, b"  [1]"),
            Ok(Answer::Events(..))
        ));
        let long = format!("[{}]", vec!["{}"; 1000].join(","));
        assert!(matches!(
            read_answer(Some("application/json"), long.as_bytes()),
            Ok(Answer::Events(items, 700)) if items.len() == MAX_ITEMS_PER_ANSWER
        ));
        assert!(matches!(
            read_answer(Some("image/png"), b"\x89PNG"),
            Err(PullError::UnknownType(kind)) if kind == "image/png"
        ));
    }

    #[test]
    fn latin_1_feeds_are_decoded() {
        let text = decode_xml(b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss>caf\xe9</rss>");
        assert!(text.contains("caf\u{e9}"), "{text}");
        assert!(text.contains("encoding=\"UTF-8\""), "{text}");
    }

    #[test]
    fn parameters_are_replaced_not_repeated() {
        assert_eq!(
            with_params(
                "https://peer.example/api/events?webType=web3&limit=5",
                &[("since", "10"), ("limit", "100")]
            ),
            "https://peer.example/api/events?webType=web3&since=10&limit=100"
        );
    }
}
