//! Light or dark: follows the system until the visitor chooses, then remembers the choice.

use leptos::prelude::*;

/// A button that switches between the light and the dark theme.
#[component]
pub fn ThemeToggle() -> impl IntoView {
    // `None` until hydration: the server cannot know the visitor's theme.
    let dark = RwSignal::new(None::<bool>);
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        {
            let chosen = root().and_then(|root| root.get_attribute("data-theme"));
            let system_dark = web_sys::window()
                .and_then(|window| {
                    window
                        .match_media("(prefers-color-scheme: dark)")
                        .ok()
                        .flatten()
                })
                .is_some_and(|query| query.matches());
            dark.set(Some(match chosen.as_deref() {
                Some("dark") => true,
                Some("light") => false,
                _ => system_dark,
            }));
        }
    });
    let toggle = move |_| {
        let next = !dark.get_untracked().unwrap_or(false);
        dark.set(Some(next));
        #[cfg(feature = "hydrate")]
        {
            let theme = if next { "dark" } else { "light" };
            if let Some(root) = root() {
                let _ = root.set_attribute("data-theme", theme);
            }
            if let Some(storage) =
                web_sys::window().and_then(|window| window.local_storage().ok().flatten())
            {
                let _ = storage.set_item("spasm-forum.theme", theme);
            }
        }
    };
    view! {
        <button type="button" class="button theme-toggle" disabled=move || dark.get().is_none()
            aria-pressed=move || if dark.get() == Some(true) { "true" } else { "false" }
            on:click=toggle>
            "Dark theme"
        </button>
    }
}

#[cfg(feature = "hydrate")]
fn root() -> Option<web_sys::Element> {
    web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| document.document_element())
}
