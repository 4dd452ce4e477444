//! The admin page: the instance settings as a form, saved as an admin-signed `app-config`
//! event. The form shows only once an admin's wallet is connected.
//!
//! The page and its lists are rendered on the server; the forms and buttons are islands,
//! told who the admins are, and a change to a list loads the page again to show it.

use leptos::prelude::*;
use serde_json::{Map, Value};
use spasm::action::Action;
use spasm::signing::Unsigned;

use crate::components::{
    LiveNotice, NeedsJavaScript, Notice, PageMeta, SignWith, describe, raw_json, sign_and_submit,
    use_signing,
};
use crate::server_fns::{load_policy, load_settings};

use super::relays::NostrRelays;
use super::sources::FederationSources;

/// `/admin`.
#[component]
pub fn AdminPage() -> impl IntoView {
    // Without the policy nobody is offered the admin forms; the page still shows.
    let admins = Resource::new(
        || (),
        |()| async {
            load_policy()
                .await
                .map(|policy| policy.admins)
                .unwrap_or_default()
        },
    );
    let settings = Resource::new(|| (), |()| load_settings());
    view! {
        <PageMeta title="Admin" description="This instance's settings, changed by an admin's signature." />
        <section class="card">
            <h1>"Instance settings"</h1>
            <p class="hint">
                "Saving signs the settings with an admin's Ethereum wallet; the server checks the signature "
                "and applies them at once. Connect an admin wallet to change them."
            </p>
            <NeedsJavaScript />
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let admins = admins.await;
                    match settings.await {
                        Ok(text) => {
                            let settings = match serde_json::from_str::<Value>(&text) {
                                Ok(Value::Object(map)) => map,
                                _ => Map::new(),
                            };
                            view! { <AdminSettings settings admins /> }.into_any()
                        }
                        Err(error) => view! { <p class="notice notice-error" role="alert">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
        <FederationSources admins />
        <NostrRelays admins />
    }
}

/// The settings form, shown once one of `admins` (lower-case addresses) is connected.
#[cfg_attr(any(feature = "ssr", feature = "admin-islands"), island)]
#[cfg_attr(not(any(feature = "ssr", feature = "admin-islands")), component)]
fn AdminSettings(settings: Map<String, Value>, admins: Vec<String>) -> impl IntoView {
    let signing = use_signing();
    let settings = StoredValue::new(settings);
    view! {
        <Show when=move || signing.connected_is_one_of(&admins)
            fallback=|| view! { <p data-testid="admin-only">"This page is for the instance's admins."</p> }>
            <SettingsForm initial=settings.get_value() />
        </Show>
    }
}

/// Every setting as a control: checkboxes, numbers, and lists of keys (one per line).
#[component]
fn SettingsForm(initial: Map<String, Value>) -> impl IntoView {
    let signing = use_signing();
    let values = RwSignal::new(initial.clone());
    let notice = RwSignal::new(Notice::Empty);
    let busy = RwSignal::new(false);
    let controls = initial
        .into_iter()
        .map(|(key, value)| {
            let id = format!("setting-{key}");
            let label = label_of(&key);
            let control = match value {
                Value::Bool(_) => {
                    let key = key.clone();
                    let checked_key = key.clone();
                    view! {
                        <input type="checkbox" id=id.clone()
                            prop:checked=move || values.with(|values| values.get(&checked_key) == Some(&Value::Bool(true)))
                            on:change=move |event| {
                                let checked = event_target_checked(&event);
                                values.update(|values| { values.insert(key.clone(), Value::Bool(checked)); });
                            } />
                        <label for=id class="inline">{label}</label>
                    }
                    .into_any()
                }
                Value::Number(number) => {
                    let key = key.clone();
                    view! {
                        <label for=id.clone()>{label}</label>
                        <input type="number" id=id min="0" value=number.to_string()
                            on:input=move |event| {
                                if let Ok(number) = event_target_value(&event).parse::<i64>() {
                                    values.update(|values| { values.insert(key.clone(), Value::from(number)); });
                                }
                            } />
                    }
                    .into_any()
                }
                Value::Array(items) => {
                    let key = key.clone();
                    let text: Vec<String> = items.iter().filter_map(|item| item.as_str().map(str::to_owned)).collect();
                    view! {
                        <label for=id.clone()>{format!("{label} (one key per line)")}</label>
                        <textarea id=id rows="3"
                            on:input=move |event| {
                                let entries: Vec<Value> = event_target_value(&event)
                                    .split(['\n', ','])
                                    .map(str::trim)
                                    .filter(|entry| !entry.is_empty())
                                    .map(Value::from)
                                    .collect();
                                values.update(|values| { values.insert(key.clone(), Value::Array(entries)); });
                            }>{text.join("\n")}</textarea>
                    }
                    .into_any()
                }
                _ => ().into_any(),
            };
            view! { <div class="setting">{control}</div> }
        })
        .collect_view();
    let save = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let config = Value::Object(values.get_untracked());
        busy.set(true);
        signing.mode.set(SignWith::Ethereum);
        leptos::task::spawn_local(async move {
            // The form keeps the saved values; the notice says whether the server took them.
            let _ = sign_and_submit(
                signing,
                notice,
                describe(Action::AppConfig, ""),
                Unsigned::AppConfig {
                    config: raw_json(&config),
                },
            )
            .await;
            busy.set(false);
        });
    };
    view! {
        <form class="settings-form" on:submit=save>
            {controls}
            <button type="submit" class="button primary" disabled=move || busy.get()>"Sign and save settings"</button>
            <LiveNotice notice />
        </form>
    }
}

/// `enableNewWeb3ActionsPost` → `Enable new web3 actions post`.
fn label_of(key: &str) -> String {
    let mut out = String::new();
    for (index, character) in key.chars().enumerate() {
        if character.is_ascii_uppercase() {
            out.push(' ');
            out.push(character.to_ascii_lowercase());
        } else if index == 0 {
            out.push(character.to_ascii_uppercase());
        } else {
            out.push(character);
        }
    }
    out
}
