//! The browser's signing module, loaded by a page when its visitor first signs (see the
//! `app` crate's `browser::signer`): [`prepare`] and [`finish`] of the `spasm` crate's
//! [`signing`](spasm::signing), with JSON text and JavaScript values at the edges. Keeping
//! them apart spares every page's own bundle the body builders, the Nostr conversion and
//! the JavaScript-exact JSON writer (65–80 KB of brotli) until someone signs.
//!
//! Errors are thrown as strings in words for the visitor.

use spasm::signing::{self, SigningRequest};

/// `prepare(request)`: `request` is a [`SigningRequest`] as JSON; the result is
/// `{signedString, nostrForm}` (the text for `personal_sign`, and the unsigned event for
/// NIP-07 `signEvent` or `null`).
pub fn prepare_json(request: &str) -> Result<String, String> {
    let request = read_request(request)?;
    let prepared = signing::prepare(&request).map_err(|error| error.to_string())?;
    serde_json::to_string(&prepared).map_err(|error| error.to_string())
}

/// `finish(request, ethereumSignature, nostrEvent)`: the submission for `/api/submit/` as
/// JSON text, from the [`SigningRequest`] given to [`prepare_json`] and the signers' answers
/// (the `personal_sign` signature; the signed Nostr event as JSON text).
pub fn finish_json(
    request: &str,
    ethereum_signature: Option<&str>,
    nostr_event: Option<&str>,
) -> Result<String, String> {
    let request = read_request(request)?;
    let nostr_event = nostr_event
        .map(serde_json::from_str)
        .transpose()
        .map_err(|_| "Your Nostr extension returned something that is not a signed event.")?;
    let submission = signing::finish(&request, ethereum_signature, nostr_event)
        .map_err(|error| error.to_string())?;
    Ok(submission.to_string())
}

fn read_request(request: &str) -> Result<SigningRequest, String> {
    serde_json::from_str(request)
        .map_err(|error| format!("This page asked to sign something it cannot describe: {error}."))
}

#[cfg(target_arch = "wasm32")]
mod exports {
    use js_sys::JSON;
    use wasm_bindgen::prelude::*;

    /// See [`super::prepare_json`]; the result as a JavaScript object.
    #[wasm_bindgen]
    pub fn prepare(request: &str) -> Result<JsValue, JsValue> {
        let prepared = super::prepare_json(request).map_err(|error| JsValue::from_str(&error))?;
        JSON::parse(&prepared)
    }

    /// See [`super::finish_json`]; `nostr_event` is the extension's answer as it gave it.
    #[wasm_bindgen]
    pub fn finish(
        request: &str,
        ethereum_signature: Option<String>,
        nostr_event: JsValue,
    ) -> Result<String, JsValue> {
        let nostr_event = if nostr_event.is_undefined() || nostr_event.is_null() {
            None
        } else {
            JSON::stringify(&nostr_event)?.as_string()
        };
        super::finish_json(
            request,
            ethereum_signature.as_deref(),
            nostr_event.as_deref(),
        )
        .map_err(|error| JsValue::from_str(&error))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_the_page_cannot_describe_is_refused_in_words() {
        let error = prepare_json("{}").unwrap_err();
        assert!(
            error.starts_with("This page asked to sign something it cannot describe"),
            "{error}"
        );
    }

    #[test]
    fn a_post_is_prepared_for_the_wallet() {
        let request = r#"{"unsigned":{"action":"post","title":"Hi","content":"Text","category":null},
            "timestampMs":1730000000000,"ethereum":"0x19e7e376e7c213b7e7e7e46cc70a5dd086daff2a","nostr":null}"#;
        let prepared: serde_json::Value =
            serde_json::from_str(&prepare_json(request).unwrap()).unwrap();
        assert!(
            prepared["signedString"]
                .as_str()
                .unwrap()
                .starts_with(r#"{"type":"SpasmEventBodyV2","action":"post""#)
        );
        assert!(prepared["nostrForm"].is_null());
        let error = finish_json(request, None, None).unwrap_err();
        assert_eq!(
            error,
            "The wallet did not return a signature. Nothing was sent."
        );
    }
}
