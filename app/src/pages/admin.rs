//! The admin page: the instance settings as a form, saved as an admin-signed `app-config`
//! event. The form shows only once an admin's key (Ethereum or Nostr) is connected.
//!
//! The page and its lists are rendered on the server; the forms and buttons are islands,
//! told who the admins are, and a change to a list loads the page again to show it.

use leptos::prelude::*;
use serde_json::{Map, Value};

use crate::components::{LiveNotice, NeedsJavaScript, Notice, PageMeta, use_signing};
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
                "Saving signs the settings with an admin's key (an Ethereum wallet or a Nostr extension); the server checks the signature "
                "and applies them at once."
            </p>
            <NeedsJavaScript />
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match settings.await {
                        Ok(text) => {
                            let settings = match serde_json::from_str::<Value>(&text) {
                                Ok(Value::Object(map)) => map,
                                _ => Map::new(),
                            };
                            view! { <AdminSettings><SettingsFields settings /></AdminSettings> }.into_any()
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

/// The settings form, shown once one of the instance's admins is connected (the header's
/// `data-admins`: no props, which would bring a JSON parser into the page's bundle). The
/// fields are `children`, rendered on the server ([`SettingsFields`]): the bundle carries
/// neither the settings' words nor their controls, only the reading of the fields when the
/// admin saves ([`browser::read_settings`]).
#[cfg_attr(any(feature = "ssr", feature = "admin-islands"), island)]
#[cfg_attr(not(any(feature = "ssr", feature = "admin-islands")), component)]
fn AdminSettings(children: Children) -> impl IntoView {
    let signing = use_signing();
    let admins = crate::components::page_admins();
    let is_admin = move || signing.is_one_of(&admins);
    let notice = RwSignal::new(Notice::Empty);
    let busy = RwSignal::new(false);
    let form = NodeRef::<leptos::html::Form>::new();
    let save = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        #[cfg(feature = "hydrate")]
        {
            let Some(form) = form.get() else {
                return;
            };
            let config = match browser::read_settings(&form) {
                Ok(config) => config,
                Err(message) => {
                    notice.set(Notice::Error(message));
                    return;
                }
            };
            busy.set(true);
            // The form keeps the saved values; the notice says whether the server took them.
            super::sources::sign_admin(
                signing,
                notice,
                crate::components::describe(spasm::action::Action::AppConfig, ""),
                spasm::signing::Unsigned::AppConfig { config },
                busy,
                || {},
            );
        }
    };
    view! {
        <p data-testid="admin-only" hidden=is_admin.clone()>
            {move || if signing.wallet.with(Option::is_some) || signing.nostr.with(Option::is_some) {
                "The connected keys are not among this instance's admins: only they may change its settings."
            } else {
                "Only the instance's admins may change its settings: connect an admin's wallet or Nostr key (“Connect wallet” or “Connect Nostr” at the top of the page)."
            }}
        </p>
        // Hidden rather than removed: the fields exist only as the server's HTML.
        <form class="settings-form" node_ref=form hidden=move || !is_admin() on:submit=save>
            {children()}
            <button type="submit" class="button primary" disabled=move || busy.get()>"Sign and save settings"</button>
            <LiveNotice notice />
        </form>
    }
}

/// Every setting as a control (checkboxes, numbers, and lists of keys, one per line), in
/// groups, each with a sentence saying what it does ([`super::setting_words`]). Each control
/// names its setting and kind (`data-setting`, `data-kind`) for [`browser::read_settings`].
#[component]
fn SettingsFields(settings: Map<String, Value>) -> impl IntoView {
    let mut groups: Vec<(&'static str, Vec<AnyView>)> = SETTING_GROUPS
        .iter()
        .map(|group| {
            let controls = group
                .settings
                .iter()
                .filter_map(|words| {
                    let value = settings.get(words.key)?;
                    Some(setting_control(
                        words.key,
                        value,
                        words.label.to_owned(),
                        Some(words.help),
                    ))
                })
                .collect();
            (group.title, controls)
        })
        .collect();
    // A setting this page has no words for yet still shows, by its name.
    let others: Vec<AnyView> = settings
        .iter()
        .filter(|(key, _)| words_of(key).is_none())
        .map(|(key, value)| setting_control(key, value, label_of(key), None))
        .collect();
    groups.push(("Other", others));
    groups
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
        .collect_view()
}

/// The control of the setting `key` (its current `value`) with its `label` and `help`.
/// Settings other than switches, numbers and lists are not offered.
fn setting_control(key: &str, value: &Value, label: String, help: Option<&'static str>) -> AnyView {
    let id = format!("setting-{key}");
    let help_id = format!("{id}-help");
    let described_by = help.map(|_| help_id.clone());
    let key = key.to_owned();
    let control = match value {
        Value::Bool(checked) => view! {
            <input type="checkbox" id=id.clone() data-setting=key data-kind="bool" checked=*checked aria-describedby=described_by />
            <label for=id class="inline">{label}</label>
        }
        .into_any(),
        Value::Number(number) => view! {
            <label for=id.clone()>{label}</label>
            <input type="number" id=id data-setting=key data-kind="number" min="0" step="1" value=number.to_string() aria-describedby=described_by />
        }
        .into_any(),
        Value::Array(items) => {
            let text: Vec<&str> = items.iter().filter_map(Value::as_str).collect();
            view! {
                <label for=id.clone()>{format!("{label} (one per line)")}</label>
                <textarea id=id data-setting=key data-kind="list" rows="3" aria-describedby=described_by>{text.join("\n")}</textarea>
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

#[cfg(feature = "hydrate")]
mod browser {
    use js_sys::{Array, JSON, Object, Reflect};
    use spasm::body::RawJson;
    use wasm_bindgen::{JsCast, JsValue};
    use web_sys::{Element, HtmlInputElement, HtmlTextAreaElement};

    /// The settings as the form holds them, as the JSON object of an `app-config` event:
    /// each `data-setting` control's value by its kind (`bool`: checked; `number`: a whole
    /// number of 0 or more; `list`: the non-empty lines, or entries separated by commas).
    /// An entry that is not a number is refused in words naming its label.
    pub fn read_settings(form: &web_sys::HtmlFormElement) -> Result<RawJson, String> {
        let unreadable = || "The form could not be read. Reload the page and try again.".to_owned();
        let config = Object::new();
        let controls = form
            .query_selector_all("[data-setting]")
            .map_err(|_| unreadable())?;
        for index in 0..controls.length() {
            let Some(control) = controls
                .item(index)
                .and_then(|node| node.dyn_into::<Element>().ok())
            else {
                continue;
            };
            let Some(key) = control.get_attribute("data-setting") else {
                continue;
            };
            let value: JsValue = match control.get_attribute("data-kind").as_deref() {
                Some("bool") => control
                    .dyn_ref::<HtmlInputElement>()
                    .is_some_and(HtmlInputElement::checked)
                    .into(),
                Some("number") => {
                    let text = control
                        .dyn_ref::<HtmlInputElement>()
                        .map(HtmlInputElement::value)
                        .unwrap_or_default();
                    match text.trim().parse::<u32>() {
                        Ok(number) => number.into(),
                        Err(_) => {
                            return Err(format!(
                                "“{}” needs a whole number of 0 or more.",
                                label_of(form, &control)
                            ));
                        }
                    }
                }
                Some("list") => {
                    let text = control
                        .dyn_ref::<HtmlTextAreaElement>()
                        .map(HtmlTextAreaElement::value)
                        .unwrap_or_default();
                    text.split(['\n', ','])
                        .map(str::trim)
                        .filter(|entry| !entry.is_empty())
                        .map(JsValue::from_str)
                        .collect::<Array>()
                        .into()
                }
                _ => continue,
            };
            Reflect::set(&config, &key.into(), &value).map_err(|_| unreadable())?;
        }
        let text = JSON::stringify(&config)
            .ok()
            .and_then(|text| text.as_string())
            .ok_or_else(unreadable)?;
        serde_json::value::RawValue::from_string(text).map_err(|_| unreadable())
    }

    /// The text of `control`'s label.
    fn label_of(form: &web_sys::HtmlFormElement, control: &Element) -> String {
        form.query_selector(&format!("label[for=\"{}\"]", control.id()))
            .ok()
            .flatten()
            .and_then(|label| label.text_content())
            .unwrap_or_else(|| control.id())
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
