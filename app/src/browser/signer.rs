//! The signing module (the `signer` crate), loaded the first time the visitor signs: it
//! builds what the wallet and the extension sign and the submission of their answers, so
//! that no page's own bundle carries the body builders, the Nostr conversion and the
//! JavaScript-exact JSON writer (see the `signer` crate).
//!
//! The page defines `window.spasmSigner()` (see [`loader_script`]), which imports the
//! module once, by its content-hashed name, and answers its exports.

/// The script that defines `window.spasmSigner()` for the module published as
/// `/pkg/<stem>.js` and `/pkg/<stem>_bg.wasm`: a promise of the initialised module, made
/// once per page; after a failed load the next call asks the browser again.
pub fn loader_script(stem: &str) -> String {
    format!(
        "window.spasmSigner=function(){{return window.spasmSignerModule||(window.spasmSignerModule=\
         import('/pkg/{stem}.js').then(function(m){{return m.default({{module_or_path:'/pkg/{stem}_bg.wasm'}}).then(function(){{return m}})}})\
         .catch(function(e){{window.spasmSignerModule=null;throw e}}))}}"
    )
}

/// Why the signing module could not be used, in words for the visitor.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignerError {
    /// The module did not load (offline, or a page older than the server's files).
    #[error(
        "The signing code could not be loaded. Check your connection, reload the page and try again."
    )]
    Unavailable,
    /// The module refused the request; its words.
    #[error("{0}")]
    Refused(String),
    /// The module failed without words (a fault in it, not in what was asked).
    #[error("The signing code failed and nothing was sent. Reload the page and try again.")]
    Failed,
}

#[cfg(feature = "hydrate")]
pub use imp::{finish, prepare};

#[cfg(feature = "hydrate")]
mod imp {
    use js_sys::{Function, Promise, Reflect};
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;

    use super::SignerError;

    /// The initialised module.
    async fn module() -> Result<JsValue, SignerError> {
        let window = web_sys::window().ok_or(SignerError::Unavailable)?;
        let load: Function = Reflect::get(&window, &"spasmSigner".into())
            .ok()
            .and_then(|load| load.dyn_into().ok())
            .ok_or(SignerError::Unavailable)?;
        let promise: Promise = load
            .call0(&window)
            .ok()
            .and_then(|promise| promise.dyn_into().ok())
            .ok_or(SignerError::Unavailable)?;
        JsFuture::from(promise)
            .await
            .map_err(|_| SignerError::Unavailable)
    }

    async fn call(name: &str, arguments: &[JsValue]) -> Result<JsValue, SignerError> {
        let module = module().await?;
        let function: Function = Reflect::get(&module, &name.into())
            .ok()
            .and_then(|function| function.dyn_into().ok())
            .ok_or(SignerError::Unavailable)?;
        let arguments: js_sys::Array = arguments.iter().collect();
        function.apply(&JsValue::NULL, &arguments).map_err(|error| {
            error
                .as_string()
                .map_or(SignerError::Failed, SignerError::Refused)
        })
    }

    /// What the signers sign for `request` (a `spasm::signing::SigningRequest` as JSON): the
    /// text for `personal_sign`, and the unsigned Nostr event (a JavaScript object, for
    /// NIP-07 `signEvent`) or `null`.
    pub async fn prepare(request: &str) -> Result<(String, JsValue), SignerError> {
        let prepared = call("prepare", &[request.into()]).await?;
        let signed_string = Reflect::get(&prepared, &"signedString".into())
            .ok()
            .and_then(|text| text.as_string())
            .ok_or(SignerError::Unavailable)?;
        let nostr_form = Reflect::get(&prepared, &"nostrForm".into()).unwrap_or(JsValue::NULL);
        Ok((signed_string, nostr_form))
    }

    /// The submission (JSON text) of `request` with the signers' answers.
    pub async fn finish(
        request: &str,
        ethereum_signature: Option<String>,
        nostr_event: JsValue,
    ) -> Result<String, SignerError> {
        let signature = ethereum_signature.map_or(JsValue::UNDEFINED, JsValue::from);
        call("finish", &[request.into(), signature, nostr_event])
            .await?
            .as_string()
            .ok_or(SignerError::Unavailable)
    }
}
