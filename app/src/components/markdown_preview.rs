//! "Preview": what a composer's text will look like once published, before it is signed.

use leptos::prelude::*;

/// A "Preview" button for the text of the form it is in, with the place its answer goes:
/// made to work by the page's script ([`crate::browser::preview`], in the `<head>` of pages
/// that compose), for a new post (`is_post`) or a reply. Hidden without JavaScript, where
/// nothing can be signed either.
#[component]
pub fn MarkdownPreview(#[prop(optional)] is_post: bool) -> impl IntoView {
    view! {
        <button type="button" class="button preview-button" data-preview=if is_post { "post" } else { "reply" }>"Preview"</button>
        <section class="preview" aria-label="Preview" aria-live="polite" hidden></section>
    }
}
