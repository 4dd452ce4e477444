//! Publishing to Nostr relays, the author's choice: "Also publish to Nostr relays" in the
//! composer while a Nostr key signs, and on a post page each relay's answer, with a later
//! publication offered to the post's own Nostr signer only (a signed challenge, NIP-42
//! style). The server talks to the relays; the browser never does.
//!
//! The checkbox is part of the composers' islands; the relays' answers are rendered on the
//! server, and only the later publication is an island of its own.

use leptos::prelude::*;

use super::{LiveNotice, Notice, use_signing};
use crate::model::NostrPublicationView;

/// The checkbox of the composer, shown while a Nostr key signs; it lists the relays.
#[component]
pub fn PublishToNostrChoice(#[prop(into)] id: String) -> impl IntoView {
    let signing = use_signing();
    // The instance's relays, asked for when a Nostr key is first chosen; the choice shows
    // once they are known, so that it names them.
    let asked = StoredValue::new(false);
    Effect::new(move |_| {
        if signing.mode.get().uses_nostr()
            && !asked.get_value()
            && signing.nostr_relays.with_untracked(Option::is_none)
        {
            asked.set_value(true);
            #[cfg(feature = "hydrate")]
            leptos::task::spawn_local(async move {
                // Without an answer the choice names the author's own relays only.
                let relays = crate::server_fns::load_policy()
                    .await
                    .map(|policy| policy.nostr_relays)
                    .unwrap_or_default();
                signing.nostr_relays.set(Some(relays));
            });
        }
    });
    let relays = move || {
        let relays = signing.nostr_relays.get().unwrap_or_default();
        if relays.is_empty() {
            "to the write relays of your NIP-65 list, if you published one".to_owned()
        } else {
            format!("{} and your NIP-65 write relays", relays.join(", "))
        }
    };
    view! {
        <Show when=move || {
            signing.interactive.get()
                && signing.mode.get().uses_nostr()
                && signing.nostr_relays.with(Option::is_some)
        }>
            <p class="choice publish-nostr">
                <input type="checkbox" id=id.clone() prop:checked=move || signing.publish_to_nostr.get()
                    on:change=move |event| signing.publish_to_nostr.set(event_target_checked(&event)) />
                <label for=id.clone() class="inline">"Also publish to Nostr relays"</label>
                <span class="hint">" (the forum's server sends it: " {relays} ")"</span>
            </p>
        </Show>
    }
    .into_any()
}

/// Where the event stands with each relay, and, for its own Nostr signer, "Publish to
/// Nostr relays" when it was not published.
#[component]
pub fn NostrRelayStatus(id: String, publication: NostrPublicationView) -> impl IntoView {
    let unpublished = publication.deliveries.is_empty();
    view! {
        {(!publication.deliveries.is_empty()).then(|| view! {
            <section class="nostr-relays" aria-labelledby="nostr-relays-title" data-testid="nostr-relays">
                <h2 id="nostr-relays-title">"On Nostr relays"</h2>
                <ul>
                    {publication.deliveries.iter().map(|delivery| view! {
                        <li data-relay=delivery.relay.clone() data-state=delivery.state.clone()>
                            <code>{delivery.relay.clone()}</code> ": " <span>{delivery.detail.clone()}</span>
                        </li>
                    }).collect_view()}
                </ul>
            </section>
        })}
        {unpublished.then(|| view! { <PublishLater id signer=publication.signer /> })}
    }
    .into_any()
}

/// "Publish to Nostr relays", shown to the post's own Nostr signer (`signer`, hex) only.
#[cfg_attr(any(feature = "ssr", feature = "thread-islands"), island)]
#[cfg_attr(not(any(feature = "ssr", feature = "thread-islands")), component)]
fn PublishLater(id: String, signer: String) -> impl IntoView {
    let signing = use_signing();
    let notice = RwSignal::new(Notice::Empty);
    let busy = RwSignal::new(false);
    let is_signer = move || {
        signing
            .nostr
            .get()
            .is_some_and(|key| key.eq_ignore_ascii_case(&signer))
    };
    let id = StoredValue::new(id);
    let publish = move |_| {
        busy.set(true);
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            match publish_later(id.get_value(), notice).await {
                // The page is loaded again: each relay's answer shows in place of the offer.
                Ok(()) => crate::browser::reload_page(),
                Err(message) => {
                    notice.set(Notice::Error(message));
                    busy.set(false);
                }
            }
        });
        #[cfg(not(feature = "hydrate"))]
        let _ = (id, notice);
    };
    view! {
        <Show when=is_signer>
            <p class="publish-later">
                <button type="button" class="button" disabled=move || busy.get() on:click=publish>
                    "Publish to Nostr relays"
                </button>
                <span class="hint">" You signed this with your Nostr key: the forum's server can publish it for you."</span>
            </p>
        </Show>
        <LiveNotice notice />
    }
}

/// Gets a challenge, has the extension sign it (a NIP-42 authentication event), and asks the
/// server to publish.
#[cfg(feature = "hydrate")]
async fn publish_later(id: String, notice: RwSignal<Notice>) -> Result<(), String> {
    use spasm::nostr::relay::UnsignedAuth;

    use crate::browser::nostr::sign_event_json;
    use crate::server_fns::{nostr_challenge, publish_to_nostr};

    notice.set(Notice::Progress(
        "Asking the forum for a request to sign…".to_owned(),
    ));
    let challenge = nostr_challenge(id.clone())
        .await
        .map_err(|error| format!("The forum did not answer: {error}"))?;
    let origin = web_sys::window()
        .and_then(|window| window.location().origin().ok())
        .unwrap_or_default();
    let request = UnsignedAuth::new(&origin, &challenge, crate::browser::now_ms() / 1000);
    let request = serde_json::to_string(&request).map_err(|error| error.to_string())?;
    notice.set(Notice::Progress(
        "Your Nostr extension is asking you to sign a request to publish this post…".to_owned(),
    ));
    let proof = sign_event_json(&request)
        .await
        .map_err(|error| error.to_string())?;
    publish_to_nostr(id, proof)
        .await
        .map_err(|error| format!("The forum refused: {error}"))?;
    Ok(())
}
