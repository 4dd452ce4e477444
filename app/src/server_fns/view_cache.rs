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
