//! What readers ask for most (a feed's first page, an event, a thread's replies), kept in
//! memory until the change log moves.
//!
//! Every commit of this process's writer moves the cache's version, and so does every
//! notification that another process committed (PostgreSQL `LISTEN`), or the loss of that
//! notification channel. An entry is served only while the version it was read at is
//! current, so a write is visible to every read that starts after its caller is answered.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::envelope::StoredEvent;
use crate::query::{FeedFilter, Page};

/// The most bytes of event JSON the cache holds; then it starts over.
const MAX_BYTES: usize = 32 * 1024 * 1024;

/// A read whose answer is kept.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) enum CachedRead {
    /// A feed page without cursors.
    FeedFirstPage(FeedFilter, Option<i64>, u32),
    /// An event by one of its ids.
    Event(String),
    /// One level of a thread's replies.
    Replies(Vec<i64>, u32),
}

impl CachedRead {
    /// The feed reads worth keeping: first pages.
    pub(super) fn feed(
        filter: &FeedFilter,
        min_reactions: Option<i64>,
        page: Page,
    ) -> Option<Self> {
        (page.before.is_none() && page.since.is_none())
            .then(|| Self::FeedFirstPage(filter.clone(), min_reactions, page.limit))
    }
}

#[derive(Debug, Default)]
struct Entries {
    version: u64,
    bytes: usize,
    answers: HashMap<CachedRead, Vec<StoredEvent>>,
}

/// The cache, shared by every reader of a store.
#[derive(Debug, Default)]
pub(super) struct ReadCache {
    version: AtomicU64,
    entries: Mutex<Entries>,
    /// Wakes those waiting for the change log to move ([`super::Store::changed`]).
    moved: tokio::sync::Notify,
}

impl ReadCache {
    /// The current version, to be taken before a read whose answer may be kept.
    pub(super) fn version(&self) -> u64 {
        self.version.load(Ordering::Acquire)
    }

    /// The change log moved: every kept answer is stale.
    pub(super) fn moved(&self) {
        self.version.fetch_add(1, Ordering::AcqRel);
        self.moved.notify_waiters();
    }

    /// Waits for the next [`ReadCache::moved`].
    pub(super) async fn changed(&self) {
        self.moved.notified().await;
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, Entries> {
        match self.entries.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// The kept answer of `read`, when it is current.
    pub(super) fn get(&self, read: &CachedRead) -> Option<Vec<StoredEvent>> {
        let version = self.version();
        let mut entries = self.entries();
        if entries.version != version {
            return None;
        }
        entries.answers.get_mut(read).map(|answer| answer.clone())
    }

    /// Keeps `answer`, read at `version`, unless the log has moved since.
    pub(super) fn put(&self, read: CachedRead, version: u64, answer: &[StoredEvent]) {
        let mut entries = self.entries();
        if self.version() != version {
            return;
        }
        let bytes: usize = answer.iter().map(|event| event.event_json.len()).sum();
        if entries.version != version || entries.bytes + bytes > MAX_BYTES {
            entries.answers.clear();
            entries.bytes = 0;
            entries.version = version;
        }
        if bytes <= MAX_BYTES {
            entries.bytes += bytes;
            entries.answers.insert(read, answer.to_vec());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::envelope::Stats;

    fn event(key: i64) -> StoredEvent {
        StoredEvent {
            key,
            added_at_ms: 0,
            updated_at_ms: 0,
            parent_key: None,
            origin: "submit".into(),
            event_json: "{}".into(),
            stats: Stats::default(),
        }
    }

    #[test]
    fn answers_are_served_until_the_log_moves() {
        let cache = ReadCache::default();
        let read = CachedRead::Event("a".into());
        let version = cache.version();
        cache.put(read.clone(), version, &[event(1)]);
        assert_eq!(cache.get(&read), Some(vec![event(1)]));
        cache.moved();
        assert_eq!(cache.get(&read), None);
    }

    #[test]
    fn an_answer_read_before_a_move_is_not_kept() {
        let cache = ReadCache::default();
        let read = CachedRead::Event("a".into());
        let version = cache.version();
        cache.moved();
        cache.put(read.clone(), version, &[event(1)]);
        assert_eq!(cache.get(&read), None);
    }

    #[test]
    fn only_first_feed_pages_are_kept() {
        let first = Page::first(20);
        let later = Page {
            before: Some(5),
            ..first
        };
        assert!(CachedRead::feed(&FeedFilter::default(), None, first).is_some());
        assert!(CachedRead::feed(&FeedFilter::default(), None, later).is_none());
    }
}
