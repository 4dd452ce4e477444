//! An author's page: their identities and what they verifiably signed.

use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::components::EventList;
use crate::server_fns::load_author;

/// `/authors/:id`: an Ethereum address (any case), a Nostr hex key or an npub.
#[component]
pub fn AuthorPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let before = move || {
        query
            .read()
            .get("before")
            .and_then(|value| value.parse::<i64>().ok())
    };
    let resource = Resource::new(
        move || (id(), before()),
        |(id, before)| load_author(id, before),
    );
    view! {
        <Title text=move || format!("Author {}", id()) />
        <Meta name="description" content="What this author signed, verified by this server." />
        <section class="card author-card">
            <h1>"Author"</h1>
            <p><code class="address" data-testid="author-id">{id}</code></p>
            <p class="hint">"Only events this key verifiably signed are listed here."</p>
        </section>
        <section class="feed" aria-label="Events by this author">
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match resource.await {
                        Ok(page) if page.events.is_empty() => view! { <p class="empty">"Nothing signed by this key here yet."</p> }.into_any(),
                        Ok(page) => {
                            let more_href = page.next_before.map(|before| format!("?before={before}"));
                            view! { <EventList events=page.events more_href /> }.into_any()
                        }
                        Err(error) => view! { <p class="notice notice-error" role="alert">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
