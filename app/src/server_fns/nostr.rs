//! Nostr publication: a stored event's relays and their answers, and its later
//! publication at the request of its own Nostr signer (a signed challenge).

use leptos::prelude::*;

use crate::errors::UserFacingError;
use crate::model::DeliveryView;

#[cfg(feature = "ssr")]
use super::forum::{forum, set_status};

/// The deliveries of a stored event in words.
#[cfg(feature = "ssr")]
pub(crate) fn delivery_views(deliveries: &[forum::storage::Delivery]) -> Vec<DeliveryView> {
    use forum::storage::DeliveryState;

    deliveries
        .iter()
        .map(|delivery| {
            let reason = delivery.reason.clone().unwrap_or_default();
            let detail = match delivery.state {
                DeliveryState::Delivered => "delivered".to_owned(),
                DeliveryState::Refused if reason.is_empty() => "refused".to_owned(),
                DeliveryState::Refused => format!("refused: {reason}"),
                DeliveryState::Pending if delivery.attempts == 0 => "waiting to be sent".to_owned(),
                DeliveryState::Pending if reason.is_empty() => {
                    format!(
                        "sent, waiting for an answer (attempt {})",
                        delivery.attempts
                    )
                }
                DeliveryState::Pending => format!(
                    "not delivered yet (attempt {}: {reason}); it is tried again",
                    delivery.attempts
                ),
            };
            DeliveryView {
                relay: delivery.relay.clone(),
                state: delivery.state.name().to_owned(),
                detail,
            }
        })
        .collect()
}

/// The Nostr signer and deliveries of a stored event (`None` without a Nostr signature).
#[cfg(feature = "ssr")]
pub(crate) async fn publication_of(
    forum: &forum::Forum,
    event_json: &str,
) -> Result<Option<crate::model::NostrPublicationView>, UserFacingError> {
    let Some(signed) = forum::nostr::publish_later::nostr_original(event_json) else {
        return Ok(None);
    };
    let deliveries = forum.nostr_deliveries(event_json).await.map_err(|error| {
        tracing::error!(%error, "cannot read an event's deliveries");
        // A page that could not be read in full is an error page (never kept as the page).
        set_status(500);
        UserFacingError::Internal
    })?;
    Ok(Some(crate::model::NostrPublicationView {
        signer: signed.pubkey().to_string(),
        deliveries: delivery_views(&deliveries),
    }))
}

/// A challenge to sign with the Nostr extension (kind 22242) to publish the event `id`
/// later.
#[server(prefix = "/_fn", endpoint = "nostr_challenge")]
pub async fn nostr_challenge(id: String) -> Result<String, UserFacingError> {
    Ok(forum()?.nostr_challenge(&id))
}

/// Publishes the stored event `id` to Nostr relays, proved by `proof`: the challenge
/// signed by the event's own Nostr key. The event's deliveries.
#[server(prefix = "/_fn", endpoint = "publish_to_nostr")]
pub async fn publish_to_nostr(
    id: String,
    proof: String,
) -> Result<Vec<DeliveryView>, UserFacingError> {
    use forum::nostr::PublishLaterError;

    let proof: serde_json::Value = serde_json::from_str(&proof)
        .map_err(|_| UserFacingError::BadRequest("The proof is not JSON.".to_owned()))?;
    let forum = forum()?;
    super::forum::check_client_address(&forum)?;
    match forum.publish_later(&id, &proof).await {
        Ok(deliveries) => Ok(delivery_views(&deliveries)),
        Err(PublishLaterError::Storage(error)) if error.is_fault() => {
            tracing::error!(%error, "a later publication failed in the store");
            set_status(503);
            super::forum::set_retry_after(forum::storage::STORAGE_RETRY_AFTER_SECS);
            Err(UserFacingError::BadRequest(format!(
                "The forum cannot store anything right now; nothing was published. Try again in {} seconds.",
                forum::storage::STORAGE_RETRY_AFTER_SECS
            )))
        }
        Err(PublishLaterError::Storage(error)) => {
            tracing::error!(%error, "a later publication failed in the store");
            Err(UserFacingError::Internal)
        }
        Err(PublishLaterError::WrongKey) => {
            set_status(403);
            Err(UserFacingError::BadRequest(
                PublishLaterError::WrongKey.to_string(),
            ))
        }
        Err(error) => {
            set_status(400);
            Err(UserFacingError::BadRequest(error.to_string()))
        }
    }
}

/// The instance's relays, each with its state in words, and the admin's list.
#[server(prefix = "/_fn", endpoint = "relays")]
pub async fn load_relays() -> Result<crate::model::RelaysView, UserFacingError> {
    use crate::model::{RelayView, RelaysView};

    let forum = forum()?;
    let failed = |error: forum::storage::StorageError| {
        tracing::error!(%error, "cannot read the relays' state");
        UserFacingError::Internal
    };
    let host = forum.host_relays();
    let admin = forum.admin_relays().await.map_err(|error| {
        tracing::error!(%error, "cannot read the admin's relays");
        UserFacingError::Internal
    })?;
    let backlog = forum
        .store()
        .outbox_backlog(i64::MAX)
        .await
        .map_err(failed)?;
    let mut relays = Vec::new();
    for (url, by_admin) in host.iter().map(|relay| (relay, false)).chain(
        admin
            .iter()
            .filter(|relay| !host.contains(relay))
            .map(|relay| (relay, true)),
    ) {
        let url = url.to_string();
        let read = forum.store().relay_read_state(&url).await.map_err(failed)?;
        let waiting = backlog
            .iter()
            .find(|(relay, _)| *relay == url)
            .map_or(0, |(_, count)| *count);
        let connection = match read.last_error {
            Some(error) => format!("last error: {error}"),
            None => "no errors".to_owned(),
        };
        relays.push(RelayView {
            configured_by: if by_admin {
                "an admin".to_owned()
            } else {
                "the host (NOSTR_DEFAULT_RELAYS or the configuration file)".to_owned()
            },
            by_admin,
            state: format!("{connection}; {waiting} waiting to be published"),
            url,
        });
    }
    Ok(RelaysView {
        relays,
        admin_list: admin.iter().map(ToString::to_string).collect(),
    })
}
