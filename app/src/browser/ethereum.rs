//! Ethereum wallets in the browser: EIP-6963 discovery, EIP-1193 requests, `personal_sign`.

use serde::{Deserialize, Serialize};

/// A wallet the browser offers, as announced through EIP-6963 (or `window.ethereum`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WalletInfo {
    /// The announcement's `uuid`, or `"window.ethereum"` for the legacy fallback.
    pub id: String,
    /// The wallet's name, as it calls itself.
    pub name: String,
}

/// Why a wallet request failed, in words for the visitor.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WalletError {
    /// No wallet is installed or enabled in this browser.
    #[error(
        "No Ethereum wallet was found in this browser. Install or enable MetaMask, Rabby or another wallet extension, then reload the page."
    )]
    NoWallet,
    /// The wallet chosen earlier is no longer there.
    #[error("The wallet you chose is no longer available. Reload the page and connect again.")]
    WalletGone,
    /// The visitor said no in the wallet (EIP-1193 error 4001).
    #[error("You rejected the request in your wallet.")]
    Rejected,
    /// The wallet has not authorised this site (EIP-1193 error 4100).
    #[error("Your wallet has not authorised this site. Connect again.")]
    Unauthorized,
    /// A request is already open in the wallet (JSON-RPC -32002).
    #[error("Your wallet already has a request open. Open the wallet to answer it.")]
    AlreadyPending,
    /// The wallet has no account to offer.
    #[error("Your wallet did not share any account. Unlock it and try again.")]
    NoAccount,
    /// Anything else the wallet reported.
    #[error("Your wallet reported an error: {0}")]
    Other(String),
}

impl WalletError {
    /// Maps an EIP-1193 / JSON-RPC error code and message to an error.
    pub fn from_code(code: Option<i64>, message: String) -> Self {
        match code {
            Some(4001) => Self::Rejected,
            Some(4100) => Self::Unauthorized,
            Some(-32002) => Self::AlreadyPending,
            _ if message.is_empty() => Self::Other("no details given".to_string()),
            _ => Self::Other(message),
        }
    }
}

/// The hex encoding (`0x…`) of the UTF-8 bytes of `message`, which is how ethers and
/// MetaMask pass text to `personal_sign` so that the wallet shows it unchanged.
pub fn message_to_hex(message: &str) -> String {
    let mut out = String::with_capacity(2 + message.len() * 2);
    out.push_str("0x");
    for byte in message.as_bytes() {
        out.push_str(&format!("{byte:02x}"));
    }
    out
}

#[cfg(feature = "hydrate")]
pub use imp::{discover_wallets, existing_account, request_accounts, sign_message, watch_accounts};

#[cfg(feature = "hydrate")]
mod imp {
    use std::cell::RefCell;
    use std::rc::Rc;

    use js_sys::{Array, Function, Object, Promise, Reflect};
    use wasm_bindgen::JsCast;
    use wasm_bindgen::prelude::*;
    use wasm_bindgen_futures::JsFuture;

    use super::{WalletError, WalletInfo, message_to_hex};

    const LEGACY_ID: &str = "window.ethereum";

    /// A discovered wallet with its provider object.
    struct Provider {
        info: WalletInfo,
        provider: JsValue,
    }

    fn get(target: &JsValue, key: &str) -> Option<JsValue> {
        Reflect::get(target, &JsValue::from_str(key))
            .ok()
            .filter(|value| !value.is_undefined() && !value.is_null())
    }

    /// Every wallet that answers an EIP-6963 request now, or `window.ethereum` when none does.
    fn providers() -> Vec<Provider> {
        let Some(window) = web_sys::window() else {
            return Vec::new();
        };
        let found: Rc<RefCell<Vec<Provider>>> = Rc::default();
        let sink = Rc::clone(&found);
        let listener =
            Closure::<dyn FnMut(web_sys::CustomEvent)>::new(move |event: web_sys::CustomEvent| {
                let detail = event.detail();
                let (Some(info), Some(provider)) = (get(&detail, "info"), get(&detail, "provider"))
                else {
                    return;
                };
                let id = get(&info, "uuid")
                    .and_then(|v| v.as_string())
                    .unwrap_or_default();
                let name = get(&info, "name")
                    .and_then(|v| v.as_string())
                    .unwrap_or_else(|| "Unnamed wallet".to_string());
                let mut list = sink.borrow_mut();
                if !id.is_empty() && !list.iter().any(|known| known.info.id == id) {
                    list.push(Provider {
                        info: WalletInfo { id, name },
                        provider,
                    });
                }
            });
        let callback: &Function = listener.as_ref().unchecked_ref();
        // Wallets answer the request synchronously from inside dispatchEvent.
        let _ = window.add_event_listener_with_callback("eip6963:announceProvider", callback);
        if let Ok(request) = web_sys::Event::new("eip6963:requestProvider") {
            let _ = window.dispatch_event(&request);
        }
        let _ = window.remove_event_listener_with_callback("eip6963:announceProvider", callback);
        drop(listener);
        let mut list = found.take();
        if list.is_empty()
            && let Some(provider) = get(&window, "ethereum")
        {
            let name = if get(&provider, "isRabby").and_then(|v| v.as_bool()) == Some(true) {
                "Rabby"
            } else if get(&provider, "isMetaMask").and_then(|v| v.as_bool()) == Some(true) {
                "MetaMask"
            } else {
                "Browser wallet"
            };
            list.push(Provider {
                info: WalletInfo {
                    id: LEGACY_ID.to_string(),
                    name: name.to_string(),
                },
                provider,
            });
        }
        list
    }

    /// The wallets this browser offers, in the order they announced themselves.
    pub fn discover_wallets() -> Vec<WalletInfo> {
        providers()
            .into_iter()
            .map(|provider| provider.info)
            .collect()
    }

    fn provider(wallet_id: &str) -> Result<JsValue, WalletError> {
        providers()
            .into_iter()
            .find(|provider| provider.info.id == wallet_id)
            .map(|provider| provider.provider)
            .ok_or(WalletError::WalletGone)
    }

    fn error_from_js(error: JsValue) -> WalletError {
        let code = get(&error, "code")
            .and_then(|v| v.as_f64())
            .map(|code| code as i64);
        let message = get(&error, "message")
            .and_then(|v| v.as_string())
            .or_else(|| error.as_string())
            .unwrap_or_default();
        WalletError::from_code(code, message)
    }

    /// Sends one EIP-1193 request and waits for its answer.
    async fn request(
        provider: &JsValue,
        method: &str,
        params: Array,
    ) -> Result<JsValue, WalletError> {
        let arguments = Object::new();
        let _ = Reflect::set(&arguments, &"method".into(), &method.into());
        let _ = Reflect::set(&arguments, &"params".into(), &params);
        let request: Function = get(provider, "request")
            .and_then(|value| value.dyn_into().ok())
            .ok_or_else(|| {
                WalletError::Other("the wallet does not support EIP-1193 requests".to_string())
            })?;
        let promise: Promise = request
            .call1(provider, &arguments)
            .map_err(error_from_js)?
            .dyn_into()
            .map_err(|_| WalletError::Other("the wallet answered without a promise".to_string()))?;
        JsFuture::from(promise).await.map_err(error_from_js)
    }

    /// Asks the wallet for its accounts (opening it if needed) and returns the first.
    pub async fn request_accounts(wallet_id: &str) -> Result<String, WalletError> {
        let provider = provider(wallet_id)?;
        let accounts = request(&provider, "eth_requestAccounts", Array::new()).await?;
        Array::from(&accounts)
            .get(0)
            .as_string()
            .ok_or(WalletError::NoAccount)
    }

    /// The account the wallet already shares with this site, without opening it
    /// (`eth_accounts`): how a connection survives a reload.
    pub async fn existing_account(wallet_id: &str) -> Option<String> {
        let provider = provider(wallet_id).ok()?;
        let accounts = request(&provider, "eth_accounts", Array::new())
            .await
            .ok()?;
        Array::from(&accounts).get(0).as_string()
    }

    thread_local! {
        /// The wallets whose account changes are followed already (once per page each).
        static WATCHED: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
    }

    /// Calls `on_change` with the account the wallet shares with this site whenever the
    /// person changes it in the wallet (EIP-1193 `accountsChanged`: its first account, or
    /// `None` once the site is disconnected; the `disconnect` event is about the wallet's
    /// chains, not this site). Once per wallet and page; the listener lives as long as the
    /// page.
    pub fn watch_accounts(wallet_id: &str, on_change: impl Fn(Option<String>) + 'static) {
        if WATCHED.with_borrow(|watched| watched.iter().any(|id| id == wallet_id)) {
            return;
        }
        let Some((provider, on)) = provider(wallet_id).ok().and_then(|provider| {
            let on = get(&provider, "on")?.dyn_into::<Function>().ok()?;
            Some((provider, on))
        }) else {
            return;
        };
        let accounts_changed = Closure::<dyn Fn(JsValue)>::new(move |accounts: JsValue| {
            on_change(Array::from(&accounts).get(0).as_string());
        });
        if on
            .call2(
                &provider,
                &"accountsChanged".into(),
                accounts_changed.as_ref(),
            )
            .is_ok()
        {
            WATCHED.with_borrow_mut(|watched| watched.push(wallet_id.to_owned()));
            // Kept for the page's life: the wallet calls it until the page goes.
            accounts_changed.forget();
        }
    }

    /// Asks the wallet to `personal_sign` `message` with `account`; returns the signature.
    pub async fn sign_message(
        wallet_id: &str,
        account: &str,
        message: &str,
    ) -> Result<String, WalletError> {
        let provider = provider(wallet_id)?;
        let params = Array::of2(
            &message_to_hex(message).into(),
            &account.to_ascii_lowercase().into(),
        );
        let signature = request(&provider, "personal_sign", params).await?;
        signature
            .as_string()
            .ok_or_else(|| WalletError::Other("the wallet returned no signature".to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_hex_is_the_utf8_bytes() {
        assert_eq!(message_to_hex("hé"), "0x68c3a9");
        assert_eq!(message_to_hex(""), "0x");
    }

    #[test]
    fn eip1193_codes_map_to_visitor_errors() {
        assert_eq!(
            WalletError::from_code(Some(4001), "User rejected".into()),
            WalletError::Rejected
        );
        assert_eq!(
            WalletError::from_code(Some(4100), String::new()),
            WalletError::Unauthorized
        );
        assert_eq!(
            WalletError::from_code(Some(-32002), String::new()),
            WalletError::AlreadyPending
        );
        assert_eq!(
            WalletError::from_code(None, "boom".into()),
            WalletError::Other("boom".into())
        );
    }
}
