//! The script that makes a page's islands live, in place of Leptos's `HydrationScripts`.
//!
//! Leptos's island script is a module script, so it runs only once the whole page is parsed,
//! and then waits for the browser to be idle before it imports the bundle and compiles the
//! wasm: on a long thread, with the CPU slowed 4×, the wasm started compiling about 300 ms
//! after the page was parsed. This script is a classic inline script at the top of `<head>`:
//! it has the browser fetch and compile the wasm (`WebAssembly.compileStreaming`, off the
//! main thread) while the page is still arriving and being parsed, and runs nothing of the
//! bundle before the page is parsed (`DOMContentLoaded`) and its content painted (the
//! `first-contentful-paint` entry of the Paint Timing API; a frame later where the browser
//! has no such entry, 2 s later in a tab that is not painted); then it imports the glue,
//! instantiates the compiled module and makes the islands live, with the same walk as
//! Leptos's script (`island_script.js` of leptos 0.8): each `<leptos-island>` calls the
//! bundle's export named by its `data-component`, after the `$$on_hydrate` of the
//! `<leptos-children>` it sits in. The glue is imported and initialised as the signing
//! module's loader does it ([`super::signer::loader_script`]), but from a module compiled
//! ahead rather than from its address.
//!
//! It also says on `<html>` where the page's code is, for the stylesheet to say why signing
//! waits ([`crate::components::NeedsJavaScript`]): `data-js="loading"` from the start,
//! `"ready"` once the islands are live, `"failed"` when the code could not be loaded or run
//! (or the browser has no WebAssembly); no `data-js` at all without JavaScript.

use leptos::prelude::*;

/// The loader of the bundle published as `/pkg/<stem>.js` and `/pkg/<stem>_bg.wasm`.
pub fn islands_script(stem: &str) -> String {
    format!(
        "{}('/pkg/{stem}.js','/pkg/{stem}_bg.wasm')",
        include_str!("islands.js").trim_end()
    )
}

/// The page's bundle: a hint that fetches the glue at once, and [`islands_script`].
/// Put it before the stylesheet, which would otherwise hold the script back until it loads.
#[component]
pub fn IslandScripts(
    /// The bundle's file stem (see [`crate::SiteAssets::bundle_stem`]).
    stem: &'static str,
) -> impl IntoView {
    // Outside islands the server renders no hydration markers (as `HydrationScripts` does).
    if let Some(context) = Owner::current_shared_context() {
        context.set_is_hydrating(false);
    }
    let nonce = leptos::nonce::use_nonce();
    view! {
        <link rel="modulepreload" href=format!("/pkg/{stem}.js") />
        <script nonce=nonce>{islands_script(stem)}</script>
    }
}
