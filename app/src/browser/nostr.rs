//! Nostr extensions in the browser (NIP-07): `window.nostr.getPublicKey` and `signEvent`.

/// Why a Nostr extension request failed, in words for the visitor.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NostrError {
    /// No NIP-07 extension is installed or enabled.
    #[error(
        "No Nostr extension was found in this browser. Install or enable nos2x, Alby or another Nostr extension, then reload the page."
    )]
    NoExtension,
    /// The visitor declined, or the extension failed; its words.
    #[error("Your Nostr extension did not sign: {0}")]
    Refused(String),
    /// The extension answered something that is not a signed event.
    #[error("Your Nostr extension returned something that is not a signed event.")]
    Malformed,
}

#[cfg(feature = "hydrate")]
pub use imp::{get_public_key, has_extension, sign_event_js, sign_event_json};

#[cfg(feature = "hydrate")]
mod imp {
    use js_sys::{Function, JSON, Promise, Reflect};
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;

    use super::NostrError;

    fn extension() -> Result<JsValue, NostrError> {
        let window = web_sys::window().ok_or(NostrError::NoExtension)?;
        let nostr = Reflect::get(&window, &"nostr".into()).map_err(|_| NostrError::NoExtension)?;
        if nostr.is_undefined() || nostr.is_null() {
            return Err(NostrError::NoExtension);
        }
        Ok(nostr)
    }

    /// Whether a NIP-07 extension is in the page (`window.nostr`).
    pub fn has_extension() -> bool {
        extension().is_ok()
    }

    fn refused(error: JsValue) -> NostrError {
        let message = Reflect::get(&error, &"message".into())
            .ok()
            .and_then(|message| message.as_string())
            .or_else(|| error.as_string())
            .unwrap_or_else(|| "no reason given".to_owned());
        NostrError::Refused(message)
    }

    async fn call(method: &str, argument: Option<&JsValue>) -> Result<JsValue, NostrError> {
        let nostr = extension()?;
        let function: Function = Reflect::get(&nostr, &method.into())
            .ok()
            .and_then(|value| value.dyn_into().ok())
            .ok_or(NostrError::NoExtension)?;
        let result = match argument {
            Some(argument) => function.call1(&nostr, argument),
            None => function.call0(&nostr),
        }
        .map_err(refused)?;
        let promise: Promise = result.dyn_into().map_err(|_| NostrError::Malformed)?;
        JsFuture::from(promise).await.map_err(refused)
    }

    /// The extension's public key (hex).
    pub async fn get_public_key() -> Result<String, NostrError> {
        call("getPublicKey", None)
            .await?
            .as_string()
            .ok_or(NostrError::Malformed)
    }

    /// Asks the extension to sign `event` (an unsigned Nostr event as a JavaScript object);
    /// the signed event as the extension gave it.
    pub async fn sign_event_js(event: &JsValue) -> Result<JsValue, NostrError> {
        call("signEvent", Some(event)).await
    }

    /// [`sign_event_js`] for an unsigned event as JSON text; the signed event as JSON text
    /// (read by the server, which checks it).
    pub async fn sign_event_json(event: &str) -> Result<String, NostrError> {
        let argument = JSON::parse(event).map_err(|_| NostrError::Malformed)?;
        let signed = sign_event_js(&argument).await?;
        JSON::stringify(&signed)
            .ok()
            .and_then(|text| text.as_string())
            .ok_or(NostrError::Malformed)
    }
}
