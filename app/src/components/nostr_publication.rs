//! Publishing to Nostr relays, the author's choice: "Also publish to Nostr relays" in the
//! composer while a Nostr key signs, and on a post page each relay's answer, with a later
//! publication offered to the post's own Nostr signer only (a signed challenge, NIP-42
//! style). The server talks to the relays; the browser never does.
//!
//! The checkbox is part of the composers' islands; the relays' answers and the later
//! publication are rendered on the server, the latter made to work by the thread's island.

use leptos::prelude::*;

use super::{LiveNotice, Notice, use_signing};
use crate::model::NostrPublicationView;

/// The instance's Nostr relays, for the composers' choice ([`PublishToNostrChoice`]) to
/// name: server HTML on the pages that compose (`data-nostr-relays`, space-separated), read
/// from the page rather than asked of the server or passed as island props, either of which
/// would bring a JSON parser's work into the page's bundle.
#[component]
pub fn InstanceRelays(relays: Vec<String>) -> impl IntoView {
    view! { <span hidden data-nostr-relays=relays.join(" ")></span> }
}

/// The checkbox of the composer, shown while a Nostr key signs; it lists the relays.
#[component]
pub fn PublishToNostrChoice(#[prop(into)] id: String) -> impl IntoView {
    let signing = use_signing();
    let relays = crate::browser::page_list("data-nostr-relays");
    let relays = if relays.is_empty() {
        "to the write relays of your NIP-65 list, if you published one".to_owned()
    } else {
        format!("{} and your NIP-65 write relays", relays.join(", "))
    };
    view! {
        <Show when=move || signing.interactive.get() && signing.mode.get().uses_nostr()>
            <p class="choice publish-nostr">
                <input type="checkbox" id=id.clone() prop:checked=move || signing.publish_to_nostr.get()
                    on:change=move |event| signing.publish_to_nostr.set(event_target_checked(&event)) />
                <label for=id.clone() class="inline">"Also publish to Nostr relays"</label>
                <span class="hint">" (the forum's server sends it: " {relays.clone()} ")"</span>
            </p>
        </Show>
    }
    .into_any()
}

/// Where the event stands with each relay, and, for its own Nostr signer, "Publish to
/// Nostr relays" when it was not published: server HTML, hidden until the post's signer is
/// the connected Nostr key, made to work by the thread's island
/// (`pages::thread_actions::browser`), which calls [`publish_later`].
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
        {unpublished.then(|| view! {
            <div class="publish-later" hidden data-nostr-signer=publication.signer data-publish-id=id>
                <p>
                    <button type="button" class="button" data-publish-later="">"Publish to Nostr relays"</button>
                    <span class="hint">" You signed this with your Nostr key: the forum's server can publish it for you."</span>
                </p>
                <LiveNotice notice=RwSignal::new(Notice::Empty) />
            </div>
        })}
    }
    .into_any()
}

/// Gets a challenge, has the extension sign it (a NIP-42 authentication event), and asks the
/// server to publish the event `id`.
#[cfg(feature = "hydrate")]
pub async fn publish_later(id: String, notice: RwSignal<Notice>) -> Result<(), String> {
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
