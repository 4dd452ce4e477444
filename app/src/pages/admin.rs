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

use super::moderations::ModerationLog;
use super::relays::NostrRelays;
use super::setting_words::{SETTING_GROUPS, words_of};
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
                "and applies them at once."
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
        <ModerationLog admins />
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
            fallback=move || view! {
                <p data-testid="admin-only">
                    {move || if signing.wallet.get().is_some() {
                        "The connected wallet is not one of this instance's admins: only they may change its settings."
                    } else {
                        "Only the instance's admins may change its settings: connect an admin's wallet (“Connect wallet” at the top of the page)."
                    }}
                </p>
            }>
            <SettingsForm initial=settings.get_value() />
        </Show>
    }
}

/// Every setting as a control (checkboxes, numbers, and lists of keys, one per line), in
/// groups, each with a sentence saying what it does ([`super::setting_words`]).
#[component]
fn SettingsForm(initial: Map<String, Value>) -> impl IntoView {
    let signing = use_signing();
    let values = RwSignal::new(initial.clone());
    let notice = RwSignal::new(Notice::Empty);
    let busy = RwSignal::new(false);
    let mut groups: Vec<(&'static str, Vec<AnyView>)> = SETTING_GROUPS
        .iter()
        .map(|group| {
            let controls = group
                .settings
                .iter()
                .filter_map(|words| {
                    let value = initial.get(words.key)?.clone();
                    Some(setting_control(
                        words.key,
                        value,
                        words.label.to_owned(),
                        Some(words.help),
                        values,
                    ))
                })
                .collect();
            (group.title, controls)
        })
        .collect();
    // A setting this page has no words for yet still shows, by its name.
    let others: Vec<AnyView> = initial
        .into_iter()
        .filter(|(key, _)| words_of(key).is_none())
        .map(|(key, value)| {
            let label = label_of(&key);
            setting_control(&key, value, label, None, values)
        })
        .collect();
    groups.push(("Other", others));
    let groups = groups
        .into_iter()
        .filter(|(_, controls)| !controls.is_empty())
        .map(|(title, controls)| {
            view! {
                <fieldset class="setting-group">
                    <legend>{title}</legend>
                    {controls}
                </fieldset>
            }
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
            {groups}
            <button type="submit" class="button primary" disabled=move || busy.get()>"Sign and save settings"</button>
            <LiveNotice notice />
        </form>
    }
}

/// The control of the setting `key` with its `label` and `help`, writing into `values`.
fn setting_control(
    key: &str,
    value: Value,
    label: String,
    help: Option<&'static str>,
    values: RwSignal<Map<String, Value>>,
) -> AnyView {
    let id = format!("setting-{key}");
    let help_id = format!("{id}-help");
    let described_by = help.map(|_| help_id.clone());
    let key = key.to_owned();
    let control = match value {
        Value::Bool(_) => {
            let checked_key = key.clone();
            view! {
                <input type="checkbox" id=id.clone() aria-describedby=described_by
                    prop:checked=move || values.with(|values| values.get(&checked_key) == Some(&Value::Bool(true)))
                    on:change=move |event| {
                        let checked = event_target_checked(&event);
                        values.update(|values| { values.insert(key.clone(), Value::Bool(checked)); });
                    } />
                <label for=id class="inline">{label}</label>
            }
            .into_any()
        }
        Value::Number(number) => view! {
            <label for=id.clone()>{label}</label>
            <input type="number" id=id min="0" value=number.to_string() aria-describedby=described_by
                on:input=move |event| {
                    if let Ok(number) = event_target_value(&event).parse::<i64>() {
                        values.update(|values| { values.insert(key.clone(), Value::from(number)); });
                    }
                } />
        }
        .into_any(),
        Value::Array(items) => {
            let text: Vec<String> = items.iter().filter_map(|item| item.as_str().map(str::to_owned)).collect();
            view! {
                <label for=id.clone()>{format!("{label} (one per line)")}</label>
                <textarea id=id rows="3" aria-describedby=described_by
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
        _ => return ().into_any(),
    };
    view! {
        <div class="setting">
            {control}
            {help.map(|help| view! { <p class="setting-help hint" id=help_id>{help}</p> })}
        </div>
    }
    .into_any()
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
