//! The Spasm forum's user interface.
//!
//! One codebase for both sides: with the `ssr` feature it renders every page on the
//! server and runs the server functions; with `hydrate` it is compiled to wasm and makes
//! the interactive parts of the server-rendered pages live, including signing with the
//! visitor's wallet. Those parts are Leptos islands (`#[island]`): only they are compiled
//! into the browser's wasm, and everything else (pages, lists, cards, the router) is
//! rendered on the server only; following a link loads a new page.

pub mod browser;
pub mod bundles;
pub mod components;
pub mod errors;
pub mod identity;
pub mod model;
pub mod pages;
pub mod server_fns;
pub mod urls;

use leptos::prelude::*;
use leptos_meta::{Link, MetaTags, Title, provide_meta_context};
use leptos_router::components::{A, Route, Router, Routes};
use leptos_router::{SsrMode, path};

pub use bundles::SiteAssets;

/// The HTML document around every page, rendered on the server. It links the stylesheet and
/// the browser bundle of the page's family (see [`bundles`]), by the names the server gives
/// in [`SiteAssets`].
pub fn shell() -> impl IntoView {
    let assets = use_context::<SiteAssets>().unwrap_or_default();
    let stylesheet = assets.stylesheet;
    let bundle = page_bundle();
    let stem = assets.bundle_stem(bundle);
    // Pages that sign say where the signing module is; it loads when someone signs.
    let signer = assets
        .signer_stem()
        .filter(|_| bundle.signs())
        .map(|stem| view! { <script nonce=leptos::nonce::use_nonce()>{browser::signer::loader_script(stem)}</script> });
    let preview = bundle
        .composes()
        .then(|| view! { <script nonce=leptos::nonce::use_nonce()>{browser::preview::preview_script()}</script> });
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light dark" />
                // The visitor's theme, before the first paint (the toggle stores it).
                <script nonce=leptos::nonce::use_nonce()>
                    "try{var t=localStorage.getItem('spasm-forum.theme');if(t==='light'||t==='dark')document.documentElement.dataset.theme=t}catch(e){}"
                </script>
                // Scripts before the stylesheet, which would hold them (and the parser) back.
                <browser::islands::IslandScripts stem />
                {signer}
                {preview}
                <link rel="stylesheet" href=stylesheet />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The favicon (`public/favicon.svg`) as a `data:` address, which spares every first visit
/// a request; the file stays at `/favicon.svg` for whoever asks for it. Made once, not per
/// page.
static FAVICON_HREF: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
    /// What a `data:` URL's text may not carry as it is.
    const RESERVED: &AsciiSet = &CONTROLS.add(b'#').add(b'%').add(b'"').add(b'<').add(b'>');
    // Single quotes are as good in XML and need no escape in the page's double-quoted attribute.
    let svg = include_str!("../../public/favicon.svg")
        .trim()
        .replace('"', "'");
    format!("data:image/svg+xml,{}", utf8_percent_encode(&svg, RESERVED))
});

/// The bundle of the page being rendered, from the request's path.
fn page_bundle() -> bundles::Bundle {
    #[cfg(feature = "ssr")]
    if let Some(parts) = use_context::<http::request::Parts>() {
        return bundles::Bundle::for_path(parts.uri.path());
    }
    bundles::Bundle::Base
}

/// The forum: layout and routes.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    components::provide_signing();
    // The instance's admins see a link to the admin page once connected (the header's
    // island reads them from the page).
    #[cfg(feature = "ssr")]
    let admins: Vec<String> = use_context::<forum::Forum>()
        .map(|forum| {
            forum
                .settings()
                .admins
                .iter()
                .map(ToString::to_string)
                .collect()
        })
        .unwrap_or_default();
    #[cfg(not(feature = "ssr"))]
    let admins: Vec<String> = Vec::new();

    view! {
        <Link rel="icon" href=FAVICON_HREF.as_str() type_="image/svg+xml" />
        <Title formatter=|title: String| {
            let title = if title.is_empty() { "Spasm forum".to_string() } else { format!("{title} · Spasm forum") };
            components::title_text(title)
        } />
        <Router>
            <a class="skip-link" href="#main">"Skip to content"</a>
            <header class="site-header" data-admins=admins.join(" ")>
                <A href="/" attr:class="brand">"Spasm forum"</A>
                <nav aria-label="Main">
                    <ul>
                        <li><A href="/">"Feed"</A></li>
                        <li><A href="/newpost">"New post"</A></li>
                        <li><A href="/about">"About"</A></li>
                    </ul>
                </nav>
                <form class="site-search" action="/search" method="get" role="search" aria-label="Search this forum">
                    <label class="visually-hidden" for="site-search-words">"Search posts and comments"</label>
                    <input id="site-search-words" type="search" name="q" placeholder="Search" maxlength="200" required />
                    <button class="button" type="submit">"Search"</button>
                </form>
                <components::ThemeToggle />
                <components::ConnectButton />
            </header>
            // Focusable by the skip link only (not in the tab order): following it moves the
            // keyboard there, so the next Tab is the page's first control, not the header's.
            <main id="main" class="site-main" tabindex="-1">
                <Routes fallback=pages::NotFoundPage>
                    <Route path=path!("/") view=pages::HomePage ssr=SsrMode::Async />
                    <Route path=path!("/news/:id") view=pages::NewsPage ssr=SsrMode::Async />
                    <Route path=path!("/authors/:id") view=pages::AuthorPage ssr=SsrMode::Async />
                    <Route path=path!("/newpost") view=pages::NewPostPage />
                    <Route path=path!("/about") view=pages::AboutPage />
                    <Route path=path!("/search") view=pages::SearchPage ssr=SsrMode::Async />
                    <Route path=path!("/mutes") view=pages::MutesPage ssr=SsrMode::Async />
                    <Route path=path!("/admin") view=pages::AdminPage ssr=SsrMode::Async />
                </Routes>
            </main>
            <footer class="site-footer">
                <p>"Posts are signed by their authors and verified by this server."</p>
                <p><a href="/mutes">"Your mutes"</a></p>
            </footer>
        </Router>
    }
}

/// The browser entry point: makes the islands of the server-rendered page live.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
    // The islands script (`browser::islands`) hydrates each island right after this
    // returns, in the same task; a timeout runs after them, once every island is live, and
    // starts what may change the islands' state.
    set_timeout(
        || {
            components::start_page_signing();
            // In the next task, after the changes just made are on screen.
            set_timeout(mark_document_hydrated, std::time::Duration::ZERO);
        },
        std::time::Duration::ZERO,
    );
}

/// Sets `data-hydrated="true"` on `<html>` once the islands are live, so people (and
/// browser tests) can tell the interactive parts work.
#[cfg(feature = "hydrate")]
fn mark_document_hydrated() {
    if let Some(root) = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| document.document_element())
    {
        // Failing to set a marker attribute changes nothing a person sees.
        let _ = root.set_attribute("data-hydrated", "true");
    }
}
