//! The admin page's Nostr relays: the host's and the admin's, each with its connection's
//! last error and its publishing backlog (for anyone, without JavaScript too), and, for a
//! connected admin, add and remove, each an admin-signed `app-config-nostr-relays`.

use leptos::prelude::*;
use spasm::body::nostr_relays;

use super::sources::sign_admin;
use crate::components::{LiveNotice, Notice, use_signing};
use crate::model::RelaysView;
use crate::server_fns::load_relays;

/// The relays section. `is_admin` tells whether the connected keys are an admin's.
#[component]
pub fn NostrRelays(is_admin: Signal<bool>) -> impl IntoView {
    let relays = Resource::new(|| (), |()| load_relays());
    let notice = RwSignal::new(Notice::Empty);
    view! {
        <section class="card" aria-labelledby="relays-heading" data-testid="relays">
            <h2 id="relays-heading">"Nostr relays"</h2>
            <p class="hint">
                "The forum's server publishes the posts and replies whose authors ask for it to "
                "these relays (and to each author's own NIP-65 write relays), and takes replies, "
                "reactions, deletions and profiles from them. Browsers never talk to relays."
            </p>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match relays.await {
                        Ok(view) => view! { <RelayList view is_admin notice refetch=Callback::new(move |()| relays.refetch()) /> }.into_any(),
                        Err(error) => view! { <p class="notice notice-error" role="alert">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
            <LiveNotice notice />
        </section>
    }
}

#[component]
fn RelayList(
    view: RelaysView,
    is_admin: Signal<bool>,
    notice: RwSignal<Notice>,
    refetch: Callback<()>,
) -> impl IntoView {
    let signing = use_signing();
    let list = StoredValue::new(view.admin_list.clone());
    let busy = RwSignal::new(false);
    let sign = move |relays: Vec<String>| {
        busy.set(true);
        sign_admin(
            signing,
            notice,
            "You are about to sign a new list of Nostr relays for this instance.".to_owned(),
            move |authors| nostr_relays(&relays, crate::browser::now_ms(), authors),
            busy,
            refetch,
        );
    };
    let empty = view
        .relays
        .is_empty()
        .then(|| view! { <p data-testid="no-relays">"No relays: nothing is published to Nostr, and nothing is read from it."</p> });
    let items = view
        .relays
        .into_iter()
        .map(|relay| {
            let url = relay.url.clone();
            let remove = move |_| {
                let url = url.clone();
                let mut relays = list.get_value();
                relays.retain(|known| *known != url);
                sign(relays);
            };
            view! {
                <li class="relay" data-testid="relay" data-url=relay.url.clone()>
                    <code>{relay.url.clone()}</code>
                    <span class="hint">{format!(" · {} · {}", relay.configured_by, relay.state)}</span>
                    {(relay.by_admin).then(|| view! {
                        <Show when=move || is_admin.get()>
                            " " <button type="button" class="button danger" disabled=move || busy.get() on:click=remove.clone()>"Remove"</button>
                        </Show>
                    })}
                </li>
            }
        })
        .collect_view();
    let url = RwSignal::new(String::new());
    let add = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let address = url.get_untracked().trim().to_owned();
        if !(address.starts_with("wss://") || address.starts_with("ws://")) {
            notice.set(Notice::Error(
                "Give the relay's address, starting with wss:// (for example wss://relay.example.com)."
                    .into(),
            ));
            return;
        }
        let mut relays = list.get_value();
        if !relays.contains(&address) {
            relays.push(address);
        }
        sign(relays);
    };
    view! {
        {empty}
        <ul class="relays">{items}</ul>
        <Show when=move || is_admin.get()>
            <form class="add-relay" on:submit=add data-testid="add-relay">
                <label for="relay-url">"Add a relay"</label>
                <input id="relay-url" type="text" required placeholder="wss://relay.example.com"
                    on:input=move |event| url.set(event_target_value(&event)) />
                <button type="submit" class="button primary" disabled=move || busy.get()>"Sign and add relay"</button>
            </form>
        </Show>
    }
}
