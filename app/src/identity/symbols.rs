//! Each identicon drawn once per page: the first time an author appears, their identicon's
//! drawing is written as an SVG `<symbol>`; every appearance, that one included, shows it
//! with `<use>`. In a thread where fifteen people write fifty comments, that is fifteen
//! drawings instead of fifty-one, and the browser parses and lays out that much less.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The identicons already drawn on the page being rendered, each with its symbol's number
/// (the page's ids `i-1`, `i-2`…). One per rendering, given by [`crate::App`] as context.
#[derive(Debug, Clone, Default)]
pub struct IdenticonSymbols {
    drawn: Arc<Mutex<HashMap<String, usize>>>,
}

impl IdenticonSymbols {
    /// The inside of an identicon's `<svg viewBox="0 0 8 8">` for the drawing `paths`
    /// ([`super::Blockie::svg_paths`]): `<use href="#i-N"/>`, preceded by the `<symbol>` the
    /// first time the drawing appears on the page.
    pub fn svg_inner(&self, paths: &str) -> String {
        // A poisoned lock only means another part of this page panicked; the map is whole.
        let mut drawn = self
            .drawn
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let next = drawn.len() + 1;
        let (number, first) = match drawn.get(paths) {
            Some(number) => (*number, false),
            None => {
                drawn.insert(paths.to_owned(), next);
                (next, true)
            }
        };
        let shown = format!("<use href=\"#i-{number}\"/>");
        if first {
            format!("<symbol id=\"i-{number}\" viewBox=\"0 0 8 8\">{paths}</symbol>{shown}")
        } else {
            shown
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_drawing_is_written_once_and_shown_everywhere() {
        let symbols = IdenticonSymbols::default();
        let alice = "<path d=\"M0 0h8v8H0z\"/>";
        let bob = "<path d=\"M1 0h3v1h-3z\"/>";
        assert_eq!(
            symbols.svg_inner(alice),
            format!("<symbol id=\"i-1\" viewBox=\"0 0 8 8\">{alice}</symbol><use href=\"#i-1\"/>")
        );
        assert_eq!(
            symbols.svg_inner(bob),
            format!("<symbol id=\"i-2\" viewBox=\"0 0 8 8\">{bob}</symbol><use href=\"#i-2\"/>")
        );
        assert_eq!(symbols.svg_inner(alice), "<use href=\"#i-1\"/>");
        assert_eq!(symbols.svg_inner(bob), "<use href=\"#i-2\"/>");
    }
}
