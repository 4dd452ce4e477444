//! "Preview" beside a composer: its text as the forum will show it, before it is signed.
//!
//! A few lines of plain JavaScript in the `<head>` of the pages that compose
//! ([`crate::bundles::Bundle::composes`]) handle every `button[data-preview]` (the reply
//! forms the thread's island adds later too): they send the form's text to the server
//! function [`crate::server_fns::render_preview`], which renders it exactly as the event's
//! page will (the same Markdown rendering and media settings), and show the answer in the
//! element after the button, or why there is none, in words. No wasm: the composers'
//! bundles stay as small as they were, and the preview works while they load.

/// The script for a page with composers, for an inline `<script>` in its `<head>`.
pub fn preview_script() -> String {
    format!("{}(document)", include_str!("preview.js").trim_end())
}
