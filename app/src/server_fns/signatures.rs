//! Checking a signed test post: the whole chain from the wallet to the server's verifier,
//! without publishing anything.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::errors::UserFacingError;

/// The longest message the signature check accepts, in bytes.
pub const MAX_MESSAGE_BYTES: usize = 1_000;
/// The longest signed body the check accepts, in bytes.
pub const MAX_SIGNED_BYTES: usize = 4_000;

/// What the server proved about a signed test post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifiedTestPost {
    /// The signer's address in EIP-55 checksum form.
    pub signer: String,
    /// The post's `spasmid01`, as every Spasm instance would compute it.
    pub spasmid: String,
}

/// Verifies a `SpasmEventBodyV2` post signed with EIP-191 `personal_sign` by `signer`, who
/// must be its author. Nothing is stored.
#[server(prefix = "/_fn", endpoint = "verify_test_post")]
pub async fn verify_test_post(
    signed_string: String,
    signature: String,
    signer: String,
) -> Result<VerifiedTestPost, UserFacingError> {
    use spasm::convert::{VerifiedSigner, convert_to_spasm};
    use spasm::signed::EthereumSignedBody;

    let refuse = |reason: String| {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(http::StatusCode::BAD_REQUEST);
        }
        UserFacingError::BadRequest(reason)
    };
    if signed_string.len() > MAX_SIGNED_BYTES {
        return Err(refuse(format!(
            "The signed post is longer than {MAX_SIGNED_BYTES} bytes."
        )));
    }
    let signer = signer
        .parse()
        .map_err(|error| refuse(format!("The signer is not an Ethereum address: {error}.")))?;
    let closed = EthereumSignedBody::from_signed_string(signed_string, &signature, signer)
        .map_err(|error| refuse(format!("The signature was refused: {error}.")))?
        .signed_closed();
    let event = convert_to_spasm(&closed)
        .map_err(|error| refuse(format!("The signature was refused: {error}.")))?;
    let signer = event
        .signers()
        .iter()
        .find_map(|signer| match signer {
            VerifiedSigner::Ethereum(signer) => Some(signer.address().to_checksum()),
            VerifiedSigner::Nostr(_) => None,
        })
        .ok_or_else(|| refuse("The post is not signed with an Ethereum key.".to_string()))?;
    if event
        .event()
        .get("action")
        .and_then(|action| action.as_str())
        != Some("post")
    {
        return Err(refuse("Only a test post can be checked here.".to_string()));
    }
    Ok(VerifiedTestPost {
        signer,
        spasmid: event.id().to_string(),
    })
}
