//! "Load more" that adds the next page's cards below the ones shown, rather than opening
//! the next page in their place.
//!
//! Without JavaScript the link opens the next page (`?before=<time>`), as it always did.
//! With it, a few lines of plain JavaScript beside the link (no wasm: a feed page's bundle
//! stays as small as it was, and the cards, rendered on the server, have nothing to hydrate)
//! fetch that same page, move its cards to the end of the list, point the link at the page
//! after it (or remove it at the end), say in a `role="status"` line how many were added or
//! why none could be, and move the keyboard's focus to the first new card. The address stays
//! the page the visitor opened.

/// The script for a page's one `a.load-more` link and its status line, for an inline
/// `<script>` after both.
pub fn load_more_script() -> String {
    format!(
        "{}(document.querySelector('a.load-more'),document.querySelector('.load-more-status'))",
        include_str!("load_more.js").trim_end()
    )
}
