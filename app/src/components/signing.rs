//! Signing in the browser: the connected Ethereum wallet (shared by every form on the page),
//! building the `SpasmEventBodyV2` with the `spasm` crate, asking the wallet to sign it and
//! submitting it through the forum's one ingest path.

use leptos::prelude::*;
use spasm::body::{AuthorKey, SpasmBody};

use super::Notice;
use crate::browser::ethereum::WalletInfo;
use crate::server_fns::SubmitReply;

/// The page's signing state.
#[derive(Debug, Clone, Copy)]
pub struct Signing {
    /// The connected wallet and account.
    pub wallet: RwSignal<Option<(WalletInfo, String)>>,
    /// Whether the wasm is running (forms work only then).
    pub interactive: RwSignal<bool>,
}

/// Provides the signing state to the whole app.
pub fn provide_signing() {
    let signing = Signing {
        wallet: RwSignal::new(None),
        interactive: RwSignal::new(false),
    };
    Effect::new(move |_| {
        signing.interactive.set(true);
        // A wallet that already shares an account with this site stays connected across
        // reloads, without opening it.
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            use crate::browser::ethereum::{discover_wallets, existing_account};
            for wallet in discover_wallets() {
                if let Some(account) = existing_account(&wallet.id).await {
                    signing.wallet.set(Some((wallet, account)));
                    break;
                }
            }
        });
    });
    provide_context(signing);
}

/// The connected account in the header, or a button to connect one.
#[component]
pub fn ConnectButton() -> impl IntoView {
    let signing = use_signing();
    let notice = RwSignal::new(Notice::Empty);
    let connect = move |_| {
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            use crate::browser::ethereum::{WalletError, discover_wallets, request_accounts};
            let Some(wallet) = discover_wallets().into_iter().next() else {
                notice.set(Notice::Error(WalletError::NoWallet.to_string()));
                return;
            };
            match request_accounts(&wallet.id).await {
                Ok(account) => {
                    notice.set(Notice::Empty);
                    signing.wallet.set(Some((wallet, account)));
                }
                Err(error) => notice.set(Notice::Error(error.to_string())),
            }
        });
    };
    view! {
        <div class="connect">
            {move || match signing.wallet.get() {
                Some((wallet, account)) => view! {
                    <span class="connected-account" title=format!("Connected with {}", wallet.name)>
                        <span class="visually-hidden">"Connected account: "</span>
                        <code data-testid="header-account">{shorten(&account)}</code>
                    </span>
                }.into_any(),
                None => view! {
                    <button type="button" class="button" disabled=move || !signing.interactive.get() on:click=connect>"Connect wallet"</button>
                }.into_any(),
            }}
            <super::LiveNotice notice />
        </div>
    }
}

fn shorten(account: &str) -> String {
    if account.len() > 12 {
        format!("{}...{}", &account[..6], &account[account.len() - 4..])
    } else {
        account.to_owned()
    }
}

/// The signing state of the app.
pub fn use_signing() -> Signing {
    use_context::<Signing>().unwrap_or(Signing {
        wallet: RwSignal::new(None),
        interactive: RwSignal::new(false),
    })
}

/// A plain-words description of what the wallet will be asked to sign.
pub fn describe(action: &str, detail: &str) -> String {
    match action {
        "post" => format!("You are about to sign a new post titled “{detail}”."),
        "reply" => "You are about to sign a reply with the text you wrote.".to_owned(),
        "react" => format!("You are about to sign a “{detail}” reaction."),
        "moderate" => "You are about to sign a moderator's deletion of this event.".to_owned(),
        _ => format!("You are about to sign a {action} event."),
    }
}

/// Connects a wallet if needed, builds the body for the connected key, has the wallet sign
/// it, and submits it. `notice` tells the visitor each step and any failure, in words.
pub async fn sign_and_submit(
    signing: Signing,
    notice: RwSignal<Notice>,
    what: String,
    build: impl FnOnce(&[AuthorKey]) -> SpasmBody,
) -> Option<SubmitReply> {
    #[cfg(feature = "hydrate")]
    {
        use crate::browser::ethereum::{
            WalletError, discover_wallets, request_accounts, sign_message,
        };
        use crate::server_fns::submit_event;

        let (wallet, account) = match signing.wallet.get_untracked() {
            Some(connection) => connection,
            None => {
                let Some(wallet) = discover_wallets().into_iter().next() else {
                    notice.set(Notice::Error(WalletError::NoWallet.to_string()));
                    return None;
                };
                notice.set(Notice::Progress(format!(
                    "Waiting for {} to share your account…",
                    wallet.name
                )));
                match request_accounts(&wallet.id).await {
                    Ok(account) => {
                        signing.wallet.set(Some((wallet.clone(), account.clone())));
                        (wallet, account)
                    }
                    Err(error) => {
                        notice.set(Notice::Error(error.to_string()));
                        return None;
                    }
                }
            }
        };
        let Ok(address) = account.parse() else {
            notice.set(Notice::Error(format!(
                "Your wallet gave an address this forum cannot read: {account}."
            )));
            return None;
        };
        let body = build(&[AuthorKey::Ethereum(address)]);
        let signed_string = body.signed_string();
        notice.set(Notice::Progress(format!(
            "{what} {} is asking you to sign it…",
            wallet.name
        )));
        let signature = match sign_message(&wallet.id, &account, &signed_string).await {
            Ok(signature) => signature,
            Err(error) => {
                notice.set(Notice::Error(error.to_string()));
                return None;
            }
        };
        notice.set(Notice::Progress("Sending it to the forum…".to_owned()));
        let envelope = serde_json::json!({
            "type": "SpasmEventBodySignedClosedV2",
            "signedString": signed_string,
            "signature": signature,
            "signer": account.to_lowercase(),
        });
        match submit_event(envelope.to_string()).await {
            Ok(reply) => {
                notice.set(Notice::Success(reply.message.clone()));
                Some(reply)
            }
            Err(error) => {
                notice.set(Notice::Error(format!("The forum refused it: {error}")));
                None
            }
        }
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (signing, notice, what, build); // Signing happens in the browser only.
        None
    }
}

/// "Signing needs JavaScript" for pages read without it.
#[component]
pub fn NeedsJavaScript() -> impl IntoView {
    let signing = use_signing();
    view! {
        <p class="hint js-required" hidden=move || signing.interactive.get()>
            "Signing needs JavaScript and a wallet extension such as MetaMask or Rabby."
        </p>
    }
}
