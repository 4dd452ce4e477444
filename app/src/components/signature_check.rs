//! "Check your wallet": sign a message in the browser, verify it on the server.

use leptos::prelude::*;

use super::signing::{Signing, connect_wallet_in_background, use_signing};
use super::{LiveNotice, Notice};
use crate::server_fns::VerifiedTestPost;

const DEFAULT_MESSAGE: &str = "I am checking that my wallet works with this Spasm forum.";

/// The state of one signature check, shared by its event handlers.
#[derive(Clone, Copy)]
struct CheckState {
    /// The page's wallet connection, shared with the header.
    signing: Signing,
    message: RwSignal<String>,
    verified: RwSignal<Option<VerifiedTestPost>>,
    notice: RwSignal<Notice>,
    busy: RwSignal<bool>,
}

/// Connect an Ethereum wallet, sign a short message and let the server verify it.
#[cfg_attr(any(feature = "ssr", feature = "about-islands"), island)]
#[cfg_attr(not(any(feature = "ssr", feature = "about-islands")), component)]
pub fn SignatureCheck(
    /// Server-rendered words above the controls ([`super::NeedsJavaScript`]).
    children: Children,
) -> impl IntoView {
    let state = CheckState {
        signing: use_signing(),
        message: RwSignal::new(DEFAULT_MESSAGE.to_string()),
        verified: RwSignal::new(None),
        notice: RwSignal::new(Notice::Empty),
        busy: RwSignal::new(false),
    };
    // False on the server and until hydration: the buttons only work with the wasm loaded.
    let interactive = RwSignal::new(false);
    Effect::new(move |_| interactive.set(true));
    let disabled = move || !interactive.get() || state.busy.get();

    view! {
        <section class="card" aria-labelledby="signature-check-title">
            <h2 id="signature-check-title">"Check your wallet"</h2>
            <p>
                "Sign a short test post with your Ethereum wallet. This server verifies the "
                "signature and shows the address that signed it. Signing is free and sends "
                "nothing to any blockchain."
            </p>
            {children()}
            <Show when=move || state.signing.wallet.with(Option::is_none)>
                <button type="button" class="button primary" disabled=disabled on:click=move |_| connect_wallet_in_background(state.signing, None, state.notice)>
                    "Connect Ethereum wallet"
                </button>
            </Show>
            {move || state.signing.wallet.get().map(|(wallet, account)| view! {
                <p class="connected">
                    "Connected with " {wallet.name} ": " <code class="address" data-testid="connected-account">{account}</code>
                </p>
                <label for="message-to-sign">"Text of the test post"</label>
                <textarea
                    id="message-to-sign"
                    rows="3"
                    maxlength=crate::server_fns::MAX_MESSAGE_BYTES
                    prop:value=move || state.message.get()
                    on:input=move |event| state.message.set(event_target_value(&event))
                ></textarea>
                <p class="hint">"Your wallet will ask you to sign a test post with exactly this text. It is checked, never published."</p>
                <button type="button" class="button primary" disabled=disabled on:click=move |_| sign_and_verify(state)>
                    "Sign and verify"
                </button>
            })}
            <LiveNotice notice=state.notice />
            {move || state.verified.get().map(|verified| view! {
                <p class="verified">
                    "Verified signer: " <output class="address" data-testid="verified-signer">{verified.signer}</output>
                </p>
                <p class="hint">
                    "Its id on every Spasm instance: " <output class="address" data-testid="verified-id">{verified.spasmid}</output>
                </p>
            })}
        </section>
    }
    .into_any()
}

/// Builds a test post with the message as content, asks the wallet to sign it, then the
/// server to verify it.
fn sign_and_verify(state: CheckState) {
    #[cfg(feature = "hydrate")]
    leptos::task::spawn_local(async move {
        use spasm::body::{AuthorKey, post};

        /// The title of the test post, which is signed but never published.
        const TEST_POST_TITLE: &str = "Wallet check (not published)";

        use crate::browser::ethereum::sign_message;
        use crate::server_fns::verify_test_post;

        let Some((wallet, account)) = state.signing.wallet.get_untracked() else {
            return;
        };
        let Ok(address) = account.parse() else {
            state.notice.set(Notice::Error(format!(
                "Your wallet gave an address this forum cannot read: {account}."
            )));
            return;
        };
        let message = state.message.get_untracked();
        let now = crate::browser::now_ms();
        let body = post(
            TEST_POST_TITLE,
            &message,
            None,
            now,
            &[AuthorKey::Ethereum(address)],
        );
        let signed_string = body.signed_string();
        state.busy.set(true);
        state.verified.set(None);
        state.notice.set(Notice::Progress(format!(
            "{} is asking you to sign the test post…",
            wallet.name
        )));
        match sign_message(&wallet.id, &account, &signed_string).await {
            Ok(signature) => {
                state.notice.set(Notice::Progress(
                    "Checking the signature on the server…".to_string(),
                ));
                match verify_test_post(signed_string, signature, account).await {
                    Ok(verified) => {
                        state.notice.set(Notice::Success(
                            "The server verified your signature.".to_string(),
                        ));
                        state.verified.set(Some(verified));
                    }
                    Err(error) => state.notice.set(Notice::Error(error.to_string())),
                }
            }
            Err(error) => state.notice.set(Notice::Error(error.to_string())),
        }
        state.busy.set(false);
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = state; // Event handlers only run in the browser.
}
