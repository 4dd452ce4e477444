//! The admin page's Nostr relays: the host's and the admin's, each with its connection's
//! last error and its publishing backlog (for anyone, without JavaScript too), and, for a
//! connected admin, add and remove, each an admin-signed `app-config-nostr-relays`. The list
//! is rendered on the server; the controls are islands.

use leptos::prelude::*;
use spasm::signing::Unsigned;

use super::sources::sign_admin;
use crate::components::{LiveNotice, Notice, use_signing};
use crate::model::RelaysView;
use crate::server_fns::load_relays;

/// The relays section; `admins` may change them.
#[component]
pub fn NostrRelays(admins: Resource<Vec<String>>) -> impl IntoView {
    let relays = Resource::new(|| (), |()| load_relays());
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
                    let admins = admins.await;
                    match relays.await {
                        Ok(view) => view! { <RelayList view admins /> }.into_any(),
                        Err(error) => view! { <p class="notice notice-error" role="alert">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn RelayList(view: RelaysView, admins: Vec<String>) -> impl IntoView {
    let list = view.admin_list;
    let empty = view
        .relays
        .is_empty()
        .then(|| view! { <p data-testid="no-relays">"No relays: nothing is published to Nostr, and nothing is read from it."</p> });
    let items = view
        .relays
        .into_iter()
        .map(|relay| {
            let remove = relay.by_admin.then(|| {
                view! { <RemoveRelay url=relay.url.clone() list=list.clone() admins=admins.clone() /> }
            });
            view! {
                <li class="relay" data-testid="relay" data-url=relay.url.clone()>
                    <code>{relay.url.clone()}</code>
                    <span class="hint">{format!(" · {} · {}", relay.configured_by, relay.state)}</span>
                    {remove}
                </li>
            }
        })
        .collect_view();
    view! {
        {empty}
        <ul class="relays">{items}</ul>
        <AddRelay list admins />
    }
}

/// For a connected admin (one of `admins`): removes `url` from the admins' `list`.
#[cfg_attr(any(feature = "ssr", feature = "admin-islands"), island)]
#[cfg_attr(not(any(feature = "ssr", feature = "admin-islands")), component)]
fn RemoveRelay(url: String, list: Vec<String>, admins: Vec<String>) -> impl IntoView {
    let signing = use_signing();
    let notice = RwSignal::new(Notice::Empty);
    let busy = RwSignal::new(false);
    let relays = StoredValue::new(
        list.into_iter()
            .filter(|known| *known != url)
            .collect::<Vec<_>>(),
    );
    let remove = move |_| {
        busy.set(true);
        sign_relays(notice, relays.get_value(), busy);
    };
    view! {
        <Show when=move || signing.is_one_of(&admins)>
            " " <button type="button" class="button danger" disabled=move || busy.get() on:click=remove>"Remove"</button>
        </Show>
        <LiveNotice notice />
    }
}

/// For a connected admin (one of `admins`): adds a relay to the admins' `list`.
#[cfg_attr(any(feature = "ssr", feature = "admin-islands"), island)]
#[cfg_attr(not(any(feature = "ssr", feature = "admin-islands")), component)]
fn AddRelay(list: Vec<String>, admins: Vec<String>) -> impl IntoView {
    let signing = use_signing();
    let notice = RwSignal::new(Notice::Empty);
    let busy = RwSignal::new(false);
    let url = RwSignal::new(String::new());
    let list = StoredValue::new(list);
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
        busy.set(true);
        sign_relays(notice, relays, busy);
    };
    view! {
        <Show when=move || signing.is_one_of(&admins)>
            <form class="add-relay" on:submit=add data-testid="add-relay">
                <label for="relay-url">"Add a relay"</label>
                <input id="relay-url" type="text" required placeholder="wss://relay.example.com"
                    on:input=move |event| url.set(event_target_value(&event)) />
                <button type="submit" class="button primary" disabled=move || busy.get()>"Sign and add relay"</button>
            </form>
        </Show>
        <LiveNotice notice />
    }
}

/// Signs and submits the admins' new list of relays; the page is then loaded again and
/// shows it.
fn sign_relays(notice: RwSignal<Notice>, relays: Vec<String>, busy: RwSignal<bool>) {
    sign_admin(
        use_signing(),
        notice,
        "You are about to sign a new list of Nostr relays for this instance.".to_owned(),
        Unsigned::NostrRelays { relays },
        busy,
        crate::browser::reload_page,
    );
}
