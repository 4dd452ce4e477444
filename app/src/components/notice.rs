//! A live region that tells the visitor what is happening and what went wrong.

use leptos::prelude::*;

use crate::browser::ethereum::WalletInfo;

/// What the person is asked when several wallets could sign.
const CHOOSE_WALLET: &str = "Several wallets are installed: choose the one that signs.";

/// What a [`LiveNotice`] currently says.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Notice {
    /// Nothing to say.
    #[default]
    Empty,
    /// Progress: something is under way.
    Progress(String),
    /// A wallet or extension is asking the person to sign: what it is in words, and the
    /// exact text it signs (shown on request).
    Signing {
        /// The plain-words summary.
        words: String,
        /// The exact text signed: the message `personal_sign` signs, or the Nostr event.
        exact: String,
    },
    /// Several Ethereum wallets are installed and none is chosen: the person picks the one that
    /// signs, here, and what they were doing goes on ([`super::signing::choose_wallet`]).
    ChooseWallet(Vec<WalletInfo>),
    /// Something succeeded.
    Success(String),
    /// Something failed; the text says what and what to do.
    Error(String),
}

impl Notice {
    fn kind(&self) -> &'static str {
        match self {
            Notice::Empty => "empty",
            Notice::Progress(_) | Notice::Signing { .. } | Notice::ChooseWallet(_) => "progress",
            Notice::Success(_) => "success",
            Notice::Error(_) => "error",
        }
    }
}

/// A polite live region showing `notice`. Errors are inside an element with the `alert`
/// role, which is announced at once. The region itself never changes its role, so it is
/// in the page (and known to screen readers) before anything is said in it; and a long
/// thread, with a notice under each comment, stays cheap to render.
#[component]
pub fn LiveNotice(notice: RwSignal<Notice>) -> impl IntoView {
    view! {
        <p class="notice" role="status" aria-live="polite" data-notice=move || notice.with(Notice::kind)>
            {move || notice.with(|notice| match notice {
                Notice::Empty => None,
                Notice::Progress(text) => Some(view! { <span class="notice-progress">{text.clone()}</span> }.into_any()),
                Notice::Signing { words, exact } => Some(view! {
                    <span class="notice-progress">{words.clone()}</span>
                    <details class="signed-text">
                        <summary>"The exact text you are asked to sign"</summary>
                        <pre>{exact.clone()}</pre>
                    </details>
                }.into_any()),
                Notice::ChooseWallet(wallets) => Some(view! {
                    <span class="notice-progress">{CHOOSE_WALLET}</span>
                    <span class="wallet-choices" role="group" aria-label="Wallets">
                        {wallets.iter().map(|wallet| {
                            let chosen = wallet.clone();
                            view! {
                                <button type="button" class="button" on:click=move |_| super::signing::choose_wallet(chosen.clone())>
                                    {format!("Use {}", wallet.name)}
                                </button>
                            }
                        }).collect_view()}
                    </span>
                }.into_any()),
                Notice::Success(text) => Some(view! { <span class="notice-success">{text.clone()}</span> }.into_any()),
                Notice::Error(text) => Some(view! { <span class="notice-error" role="alert">{text.clone()}</span> }.into_any()),
            })}
        </p>
    }
}

/// Shows `notice` in `region`, a [`LiveNotice`]'s element rendered by the server, as
/// [`LiveNotice`] itself would: for actions handled without an island of their own (see
/// `pages::thread_actions`).
#[cfg(feature = "hydrate")]
pub fn show_notice(region: &web_sys::Element, notice: &Notice) {
    use wasm_bindgen::JsCast;

    let _ = region.set_attribute("data-notice", notice.kind());
    region.set_text_content(None);
    let (class, text) = match notice {
        Notice::Empty => return,
        Notice::Signing { words, exact } => {
            show_notice(region, &Notice::Progress(words.clone()));
            // <details><summary>…</summary><pre>exact</pre></details>, as LiveNotice shows it.
            if let (Some(details), Some(summary), Some(pre)) = (
                new_element(region, "details", None),
                new_element(
                    region,
                    "summary",
                    Some("The exact text you are asked to sign"),
                ),
                new_element(region, "pre", Some(exact)),
            ) {
                details.set_class_name("signed-text");
                let _ = details.append_child(&summary);
                let _ = details.append_child(&pre);
                let _ = region.append_child(&details);
            }
            return;
        }
        Notice::ChooseWallet(wallets) => {
            show_notice(region, &Notice::Progress(CHOOSE_WALLET.to_owned()));
            let Some(group) = new_element(region, "span", None) else {
                return;
            };
            group.set_class_name("wallet-choices");
            let _ = group.set_attribute("role", "group");
            let _ = group.set_attribute("aria-label", "Wallets");
            for wallet in wallets {
                let label = format!("Use {}", wallet.name);
                let Some(button) = new_element(region, "button", Some(&label)) else {
                    continue;
                };
                button.set_class_name("button");
                let _ = button.set_attribute("type", "button");
                let chosen = wallet.clone();
                // Freed once called; a choice is made once.
                let on_click = wasm_bindgen::closure::Closure::once_into_js(move || {
                    super::signing::choose_wallet(chosen)
                });
                let _ = button.add_event_listener_with_callback("click", on_click.unchecked_ref());
                let _ = group.append_child(&button);
            }
            let _ = region.append_child(&group);
            return;
        }
        Notice::Progress(text) => ("notice-progress", text),
        Notice::Success(text) => ("notice-success", text),
        Notice::Error(text) => ("notice-error", text),
    };
    let Some(span) = new_element(region, "span", Some(text)) else {
        return;
    };
    span.set_class_name(class);
    if matches!(notice, Notice::Error(_)) {
        let _ = span.set_attribute("role", "alert");
    }
    let _ = region.append_child(&span);
}

/// A new `tag` element in `region`'s document, holding `text`.
#[cfg(feature = "hydrate")]
fn new_element(
    region: &web_sys::Element,
    tag: &str,
    text: Option<&str>,
) -> Option<web_sys::Element> {
    let element = region.owner_document()?.create_element(tag).ok()?;
    element.set_text_content(text);
    Some(element)
}
