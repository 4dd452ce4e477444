//! `/mutes`: the words and keys a visitor does not want to see ([`forum::mutes`]), kept in
//! their browser as a cookie. A plain form posted to the server (`POST /mutes`), which sets
//! the cookie and comes back here: it works without JavaScript, and nothing muted is ever
//! rendered afterwards.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::components::PageMeta;
use crate::server_fns::load_mutes;

/// The mutes page. Query: `saved` after a save; `error` with the `words` and `keys` typed
/// when they were refused (so nothing typed is lost); `add_key` from an author's page.
#[component]
pub fn MutesPage() -> impl IntoView {
    let query = use_query_map();
    let param = move |name: &str| query.read().get(name);
    let mutes = Resource::new(|| (), |()| load_mutes());
    view! {
        <PageMeta title="Your mutes" description="Words and keys whose posts and comments this forum does not show you." />
        <h1>"Your mutes"</h1>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let (mut words, mut keys) = mutes.await.unwrap_or_default();
                let error = param("error");
                if error.is_some() {
                    words = param("words").unwrap_or_default();
                    keys = param("keys").unwrap_or_default();
                }
                if let Some(key) = param("add_key").filter(|key| !keys.lines().any(|line| line.trim() == key)) {
                    if !keys.is_empty() {
                        keys.push('\n');
                    }
                    keys.push_str(&key);
                }
                let saved = param("saved").is_some();
                view! {
                    <form class="card mutes-form" action="/mutes" method="post">
                        <p class="hint">
                            "Posts and comments with these words, or written by these keys, are left out of every page this browser opens here. "
                            "The list stays in this browser (a cookie), not on the server: there are no accounts."
                        </p>
                        <label for="mute-words">"Words"</label>
                        <textarea id="mute-words" name="words" rows="4" aria-describedby="mute-words-hint">{words}</textarea>
                        <p id="mute-words-hint" class="hint">"One word or phrase per line: whole words, any case."</p>
                        <label for="mute-keys">"Keys"</label>
                        <textarea id="mute-keys" name="keys" rows="3" aria-describedby="mute-keys-hint">{keys}</textarea>
                        <p id="mute-keys-hint" class="hint">"One per line: an Ethereum address (0x…) or a Nostr key (npub1… or hex)."</p>
                        <button class="button primary" type="submit">"Save mutes"</button>
                        {error.map(|error| view! { <p class="notice notice-error" role="alert">{error}</p> })}
                        {saved.then(|| view! { <p class="notice notice-success" role="status">"Saved: what you muted is no longer shown."</p> })}
                    </form>
                }
            })}
        </Suspense>
    }
}
