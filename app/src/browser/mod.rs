//! What the browser side talks to: wallets and extensions. Compiled only with `hydrate`;
//! the plain-data types are shared with the server so components compile on both sides.

pub mod ethereum;
pub mod islands;
pub mod load_more;
pub mod nostr;
pub mod preview;
pub mod signer;

/// Milliseconds since the epoch by the browser's clock, for the `timestamp` of what the
/// visitor signs; 0 on the server, where nothing is signed.
pub fn now_ms() -> u64 {
    #[cfg(feature = "hydrate")]
    {
        // The browser's clock is a float of whole milliseconds.
        js_sys::Date::now() as u64
    }
    #[cfg(not(feature = "hydrate"))]
    {
        0
    }
}

/// The space-separated list the server wrote in the page's first element carrying the
/// attribute `attribute` (`data-admins` on the header, `data-nostr-relays`): read from the
/// page, not passed as an island's props, which would bring a JSON parser into the bundle.
/// Empty on the server, and when the page has no such element.
pub fn page_list(attribute: &str) -> Vec<String> {
    #[cfg(feature = "hydrate")]
    if let Some(list) = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| {
            document
                .query_selector(&format!("[{attribute}]"))
                .ok()
                .flatten()
        })
        .and_then(|element| element.get_attribute(attribute))
    {
        return list.split_whitespace().map(str::to_owned).collect();
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = attribute;
    Vec::new()
}

/// Loads the page again from the server, so that it shows what a change just made: pages
/// are rendered on the server, and only their islands run in the browser. Does nothing on
/// the server.
pub fn reload_page() {
    #[cfg(feature = "hydrate")]
    if let Some(window) = web_sys::window() {
        // A page that cannot reload keeps what it shows; the change itself was made.
        let _ = window.location().reload();
    }
}

/// [`reload_page`] scrolled to the element with the id `anchor` (the browser's `:target`),
/// so that what was just added is on screen, highlighted, and the keyboard goes on from
/// there. The address changes in place (no extra history entry) and the browser scrolls to
/// the anchor rather than back to where the visitor was. Does nothing on the server.
pub fn reload_page_at(anchor: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(window) = web_sys::window()
        && let Ok(history) = window.history()
    {
        // Without these the page still reloads, at the place it was.
        let _ = history.set_scroll_restoration(web_sys::ScrollRestoration::Manual);
        let _ = history.replace_state_with_url(
            &wasm_bindgen::JsValue::NULL,
            "",
            Some(&format!("#{anchor}")),
        );
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = anchor;
    reload_page();
}

/// Opens `path` as a new page load (the browser has no client-side router). Does nothing on
/// the server.
pub fn open_page(path: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(window) = web_sys::window() {
        // Failing to leave the page keeps the visitor where they are, with the notice.
        let _ = window.location().set_href(path);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = path;
}
