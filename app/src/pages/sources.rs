//! The admin page's federation sources and feeds: each with its state in words (for anyone,
//! without JavaScript too), and, for a connected admin, add, remove, pause and "pull now",
//! each an admin-signed event (`app-config-federation-list`, `admin-pull-now`). The list is
//! rendered on the server; the controls are islands.

use leptos::prelude::*;
use serde_json::{Map, Value};
use spasm::action::Action;
use spasm::signing::Unsigned;

use crate::components::{
    LiveNotice, Notice, Signing, describe, raw_json, sign_and_submit_as, use_signing,
};
use crate::model::{SourceView, SourcesView};
use crate::server_fns::load_sources;

/// The sources section; `admins` may change them.
#[component]
pub fn FederationSources(admins: Resource<Vec<String>>) -> impl IntoView {
    let sources = Resource::new(|| (), |()| load_sources());
    view! {
        <section class="card" aria-labelledby="sources-heading" data-testid="sources">
            <h2 id="sources-heading">"Federation sources and feeds"</h2>
            <p class="hint">
                "Other Spasm instances and RSS or Atom feeds this forum pulls events from. Every "
                "signed event is verified here; feeds' items become unsigned posts."
            </p>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let admins = admins.await;
                    match sources.await {
                        Ok(view) => view! { <SourceList view admins /> }.into_any(),
                        Err(error) => view! { <p class="notice notice-error" role="alert">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn SourceList(view: SourcesView, admins: Vec<String>) -> impl IntoView {
    let list = view.admin_list;
    let off = (!view.enabled).then(|| {
        view! {
            <p class="notice" data-testid="federation-off">
                "Federation is off on this instance (ENABLE_SPASM_MODULE=false): nothing is pulled."
            </p>
        }
    });
    let empty = view.sources.is_empty().then(|| {
        view! { <p data-testid="no-sources">"No sources yet."</p> }
    });
    let items = view
        .sources
        .into_iter()
        .map(|source| view! { <SourceItem source admins=admins.clone() list=list.clone() /> })
        .collect_view();
    view! {
        {off}
        {empty}
        <ul class="sources">{items}</ul>
        <AddSource list admins />
    }
}

#[component]
fn SourceItem(source: SourceView, admins: Vec<String>, list: String) -> impl IntoView {
    let refused = if source.refused.is_empty() {
        "none".to_owned()
    } else {
        source
            .refused
            .iter()
            .map(|(reason, count)| format!("{count} {reason}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let error = source.last_error.clone().map(|error| {
        let failures = if source.failures == 1 {
            "1 failure in a row".to_owned()
        } else {
            format!("{} failures in a row", source.failures)
        };
        view! {
            <dt>"Last error"</dt>
            <dd class="source-error" data-testid="source-error">
                {error}
                <span class="hint">{format!(" ({}; {failures})", source.last_error_at.clone().unwrap_or_default())}</span>
            </dd>
        }
    });
    let incomplete = source.possibly_incomplete_at.clone().map(|at| {
        view! {
            <dt>"Possibly incomplete"</dt>
            <dd>{format!("on {at} the newest events held none seen before; some may have been missed")}</dd>
        }
    });
    let paused = source.paused;
    view! {
        <li class="source" data-testid="source" data-name=source.name.clone()>
            <h3>
                <bdi>{source.name.clone()}</bdi>
                {paused.then(|| view! { " " <span class="badge">"paused"</span> })}
            </h3>
            <p class="source-url"><code>{source.url.clone()}</code></p>
            <dl class="source-state">
                <dt>"Configured by"</dt><dd>{source.configured_by.clone()}</dd>
                <dt>"Kind"</dt><dd>{source.kind.clone()}</dd>
                <dt>"Schedule"</dt><dd>{source.every.clone()}</dd>
                <dt>"Last success"</dt><dd data-testid="source-success">{source.last_success.clone().unwrap_or_else(|| "never".to_owned())}</dd>
                {error}
                <dt>"Items taken"</dt><dd data-testid="source-taken">{source.taken}</dd>
                <dt>"Items refused"</dt><dd>{refused}</dd>
                <dt>"Last pull"</dt><dd>{source.last_report.clone().unwrap_or_else(|| "none yet".to_owned())}</dd>
                {incomplete}
                <dt>"Next pull"</dt><dd>{source.next_run.clone()}</dd>
            </dl>
            <SourceActions name=source.name.clone() paused by_admin=source.by_admin list admins />
        </li>
    }
}

/// For a connected admin (one of `admins`): "Pull now" for the source `name`, and, when the
/// admins' `list` (JSON) holds it (`by_admin`), pause or resume and remove it.
#[cfg_attr(any(feature = "ssr", feature = "admin-islands"), island)]
#[cfg_attr(not(any(feature = "ssr", feature = "admin-islands")), component)]
fn SourceActions(
    name: String,
    paused: bool,
    by_admin: bool,
    list: String,
    admins: Vec<String>,
) -> impl IntoView {
    let signing = use_signing();
    let notice = RwSignal::new(Notice::Empty);
    let busy = RwSignal::new(false);
    let name = StoredValue::new(name);
    let list = StoredValue::new(list);
    // The pull runs in the background: the notice says it was asked for.
    let pull = move |_| {
        busy.set(true);
        let name = name.get_value();
        sign_admin(
            signing,
            notice,
            describe(Action::Admin, ""),
            Unsigned::PullNow { name },
            busy,
            || {},
        );
    };
    let toggle = move |_| {
        let name = name.get_value();
        let entries = changed_list(&list.get_value(), |entries| {
            for entry in entries.iter_mut() {
                if entry_name(entry) == name {
                    entry.insert("paused".into(), Value::Bool(!paused));
                }
            }
        });
        busy.set(true);
        sign_list(signing, notice, entries, busy);
    };
    let remove = move |_| {
        let name = name.get_value();
        let entries = changed_list(&list.get_value(), |entries| {
            entries.retain(|entry| entry_name(entry) != name);
        });
        busy.set(true);
        sign_list(signing, notice, entries, busy);
    };
    view! {
        <Show when=move || signing.is_one_of(&admins)>
            <div class="source-actions">
                <button type="button" class="button" disabled=move || busy.get() on:click=pull>"Pull now"</button>
                {by_admin.then(|| view! {
                    <button type="button" class="button" disabled=move || busy.get() on:click=toggle>
                        {if paused { "Resume" } else { "Pause" }}
                    </button>
                    <button type="button" class="button danger" disabled=move || busy.get() on:click=remove>"Remove"</button>
                })}
            </div>
        </Show>
        <LiveNotice notice />
    }
    .into_any()
}

/// The form that adds a source to the admins' `list` (JSON), for a connected admin (one of
/// `admins`).
#[cfg_attr(any(feature = "ssr", feature = "admin-islands"), island)]
#[cfg_attr(not(any(feature = "ssr", feature = "admin-islands")), component)]
fn AddSource(list: String, admins: Vec<String>) -> impl IntoView {
    let url = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let category = RwSignal::new(String::new());
    let frequency = RwSignal::new("medium".to_owned());
    let notice = RwSignal::new(Notice::Empty);
    let busy = RwSignal::new(false);
    let signing = use_signing();
    let list = StoredValue::new(list);
    let add = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let address = url.get_untracked().trim().to_owned();
        if !(address.starts_with("http://") || address.starts_with("https://")) {
            notice.set(Notice::Error(
                "Give the source's address, starting with https:// (a Spasm instance's /api/events, or a feed).".into(),
            ));
            return;
        }
        let mut entry = Map::new();
        entry.insert("url".into(), Value::from(address));
        for (key, value) in [
            ("name", name.get_untracked()),
            ("category", category.get_untracked()),
            ("frequency", frequency.get_untracked()),
        ] {
            let value = value.trim().to_owned();
            if !value.is_empty() {
                entry.insert(key.into(), Value::from(value));
            }
        }
        let entries = changed_list(&list.get_value(), |entries| entries.push(entry));
        busy.set(true);
        sign_list(signing, notice, entries, busy);
    };
    view! {
        <Show when=move || signing.is_one_of(&admins)>
            <form class="add-source" on:submit=add data-testid="add-source">
                <h3>"Add a source"</h3>
                <label for="source-url">"Address (a Spasm instance's /api/events, or an RSS or Atom feed)"</label>
                <input id="source-url" type="url" required placeholder="https://forum.example/api/events"
                    on:input=move |event| url.set(event_target_value(&event)) />
                <label for="source-name">"Name shown on what it brings (default: its host)"</label>
                <input id="source-name" type="text" on:input=move |event| name.set(event_target_value(&event)) />
                <label for="source-category">"Category of a feed's posts (optional)"</label>
                <input id="source-category" type="text" on:input=move |event| category.set(event_target_value(&event)) />
                <label for="source-frequency">"How often"</label>
                <select id="source-frequency" on:change=move |event| frequency.set(event_target_value(&event))>
                    <option value="high">"every 16 minutes"</option>
                    <option value="medium" selected>"every 59 minutes"</option>
                    <option value="low">"every 3 hours"</option>
                    <option value="1d">"every day"</option>
                </select>
                <button type="submit" class="button primary" disabled=move || busy.get()>"Sign and add source"</button>
            </form>
        </Show>
        <LiveNotice notice />
    }
    .into_any()
}

/// The name an entry of the admin's list goes by (the server fills it in).
fn entry_name(entry: &Map<String, Value>) -> &str {
    entry
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or_default()
}

/// The admin's list, changed by `change`.
fn changed_list(list: &str, change: impl FnOnce(&mut Vec<Map<String, Value>>)) -> Value {
    let mut entries: Vec<Map<String, Value>> = serde_json::from_str(list).unwrap_or_default();
    change(&mut entries);
    Value::Array(entries.into_iter().map(Value::Object).collect())
}

/// Signs and submits a new list of sources; the page is then loaded again and shows it.
fn sign_list(signing: Signing, notice: RwSignal<Notice>, entries: Value, busy: RwSignal<bool>) {
    sign_admin(
        signing,
        notice,
        "You are about to sign a new list of federation sources for this instance.".to_owned(),
        Unsigned::FederationList {
            sources: raw_json(&entries),
        },
        busy,
        crate::browser::reload_page,
    );
}

/// Signs an admin event with the connected admin's keys (the wallet's account, the Nostr
/// key, or both: [`Signing::mode_among`] the page's admins), submits it, and once the forum
/// has stored it calls `on_stored`.
pub(super) fn sign_admin(
    signing: Signing,
    notice: RwSignal<Notice>,
    what: String,
    unsigned: Unsigned<spasm::body::RawJson>,
    busy: RwSignal<bool>,
    on_stored: impl FnOnce() + 'static,
) {
    let mode = signing.mode_for(&crate::components::page_admins());
    leptos::task::spawn_local(async move {
        if sign_and_submit_as(signing, mode, notice, what, unsigned)
            .await
            .is_some()
        {
            on_stored();
        }
        busy.set(false);
    });
}
