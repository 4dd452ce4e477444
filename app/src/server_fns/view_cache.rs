//! Views of stored events, kept between requests: a stored event never changes (moderation
//! hides it, it is not rewritten), so its parsed fields, rendered markdown, identicons and
//! names are computed once; only its counts are read anew each time. A long thread's page
//! otherwise spends a quarter of its time rebuilding what it built for the last reader.

use std::collections::HashMap;
use std::sync::Mutex;

use forum::envelope::StoredEvent;

use super::view_model::{Display, content_view, set_counts};
use crate::model::EventView;

/// How many views are kept (a few KB each); when full, the cache starts over.
const CAPACITY: usize = 5_000;

/// The views of stored events by row key, for one database and one set of display settings.
#[derive(Debug, Default)]
pub struct EventViewCache {
    state: Mutex<CacheState>,
}

#[derive(Debug, Default)]
struct CacheState {
    /// The display settings the views were made with; other settings start over.
    display: Display,
    views: HashMap<i64, EventView>,
}

impl EventViewCache {
    /// The view of `stored` with its current counts.
    pub fn view(&self, stored: &StoredEvent, display: &Display) -> EventView {
        let cached = self.state.lock().ok().and_then(|state| {
            (state.display == *display)
                .then(|| state.views.get(&stored.key).cloned())
                .flatten()
        });
        let mut view = match cached {
            Some(view) => view,
            None => {
                let view = content_view(stored, display);
                if let Ok(mut state) = self.state.lock() {
                    if state.display != *display || state.views.len() >= CAPACITY {
                        state.views.clear();
                        state.display = *display;
                    }
                    state.views.insert(stored.key, view.clone());
                }
                view
            }
        };
        set_counts(&mut view, stored);
        view
    }
}

#[cfg(test)]
mod tests {
    use forum::envelope::{Counter, Stats, StoredEvent};

    use super::*;

    fn stored(content: &str, upvotes: i64) -> StoredEvent {
        let event = serde_json::json!({
            "type": "SpasmEventV2",
            "action": "reply",
            "content": content,
            "ids": [{"value": "spasmid01aa", "format": {"name": "spasmid", "version": "01"}}],
            "authors": [{"addresses": [{"value": "0xf8553015220a857eda377a1e903c9e5afb3ac2fa", "verified": true}]}],
        });
        StoredEvent {
            key: 7,
            added_at_ms: 1,
            updated_at_ms: 1,
            parent_key: None,
            origin: "submit".into(),
            event_json: event.to_string(),
            stats: Stats {
                reactions: vec![Counter {
                    content: "upvote".into(),
                    total: upvotes,
                    latest_ms: 1,
                }],
                replies: None,
            },
        }
    }

    #[test]
    fn counts_are_always_fresh_and_other_display_settings_start_over() {
        let cache = EventViewCache::default();
        let display = Display::default();
        let first = cache.view(&stored("**first**", 1), &display);
        assert_eq!(first.reaction("upvote"), 1);
        assert!(first.body_html.contains("<strong>first</strong>"));
        assert_eq!(first.authors[0].name, None);

        // The same row later: new counts, the content made once.
        let later = cache.view(&stored("**first**", 5), &display);
        assert_eq!(later.reaction("upvote"), 5);
        assert_eq!(later.body_html, first.body_html);

        // The host's defaults show generated names.
        let named = Display::of(&forum::Settings::default());
        let renamed = cache.view(&stored("**first**", 5), &named);
        assert_eq!(renamed.authors[0].name.as_deref(), Some("BlackSpaceDev"));
    }
}
