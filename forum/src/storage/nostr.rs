//! The store's Nostr tables, written once for both databases: the outbox of events
//! published to relays (one row per event and relay), NIP-65 relay lists, each relay's
//! reading position, and what the relay connections subscribe to.

use super::executor::{Executor, Param, Row};
use super::{
    Delivery, DeliveryState, OutboxAnswer, OutboxItem, Publication, RelayListUpdate,
    RelayReadState, StorageError, SubscriptionTargets,
};

const QUEUE: &str = "INSERT INTO nostr_outbox (nostr_id, relay, event_key, nostr_event, next_attempt_ms, queued_at_ms) \
     VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (nostr_id, relay) DO NOTHING";

/// Takes the due rows of one relay by moving their next attempt past the run's lease, so
/// that no other run (in this process or another) sends them meanwhile.
const CLAIM: &str = "UPDATE nostr_outbox SET next_attempt_ms = $3, attempts = attempts + 1, last_attempt_ms = $2 \
     WHERE relay = $1 AND nostr_id IN ( \
         SELECT nostr_id FROM nostr_outbox WHERE relay = $1 AND state = 'pending' AND next_attempt_ms <= $2 \
         ORDER BY next_attempt_ms, queued_at_ms LIMIT $4) \
     AND state = 'pending' AND next_attempt_ms <= $2 \
     RETURNING nostr_id, nostr_event, attempts";

const ANSWER: &str = "UPDATE nostr_outbox SET state = $3, reason = $4, next_attempt_ms = $5 \
     WHERE nostr_id = $1 AND relay = $2 AND state = 'pending'";

const DELIVERIES: &str = "SELECT relay, state, reason, attempts, last_attempt_ms, next_attempt_ms FROM nostr_outbox \
     WHERE nostr_id = $1 ORDER BY relay";

const BACKLOG: &str = "SELECT relay, COUNT(*) FROM nostr_outbox WHERE state = 'pending' AND next_attempt_ms < $1 \
     GROUP BY relay ORDER BY relay";

const SAVE_RELAY_LIST: &str = "INSERT INTO nostr_relay_lists (pubkey, created_at, event_id, write_relays, saved_at_ms, event_json) \
     VALUES ($1, $2, $3, $4, $5, $6) \
     ON CONFLICT (pubkey) DO UPDATE SET created_at = excluded.created_at, event_id = excluded.event_id, \
         write_relays = excluded.write_relays, saved_at_ms = excluded.saved_at_ms, event_json = excluded.event_json \
     WHERE excluded.created_at > nostr_relay_lists.created_at \
         OR (excluded.created_at = nostr_relay_lists.created_at AND excluded.event_id < nostr_relay_lists.event_id)";

const WRITE_RELAYS: &str = "SELECT write_relays FROM nostr_relay_lists WHERE pubkey = $1";

/// The Nostr ids of the newest visible events: replies, reactions and deletions of them
/// are what the relays are asked for.
const HELD_NOSTR_IDS: &str = "SELECT event_ids.value FROM event_ids JOIN events ON events.key = event_ids.event_key \
     WHERE event_ids.format = 'nostr-hex' AND events.hidden = 0 \
     ORDER BY events.key DESC LIMIT $1";

/// The Nostr keys that signed the newest events (64 hex characters; Ethereum addresses
/// start with `0x`).
const NOSTR_AUTHORS: &str = "SELECT address FROM event_authors \
     WHERE verified = 1 AND LENGTH(address) = 64 \
     GROUP BY address ORDER BY MAX(event_key) DESC LIMIT $1";

const READ_STATE: &str = "SELECT since_s, last_error FROM nostr_relay_states WHERE relay = $1";

const SAVE_SINCE: &str = "INSERT INTO nostr_relay_states (relay, since_s, updated_at_ms) VALUES ($1, $2, $3) \
     ON CONFLICT (relay) DO UPDATE SET since_s = excluded.since_s, updated_at_ms = excluded.updated_at_ms \
     WHERE nostr_relay_states.since_s IS NULL OR excluded.since_s > nostr_relay_states.since_s";

const SAVE_ERROR: &str = "INSERT INTO nostr_relay_states (relay, last_error, updated_at_ms) VALUES ($1, $2, $3) \
     ON CONFLICT (relay) DO UPDATE SET last_error = excluded.last_error, updated_at_ms = excluded.updated_at_ms";

/// Queues `publication` for each of its relays (a relay that has it queued already keeps
/// its row); how many rows were added.
pub(super) async fn queue(
    db: &mut dyn Executor,
    publication: &Publication,
    event_key: Option<i64>,
    now_ms: i64,
) -> Result<u64, StorageError> {
    let mut added = 0;
    for relay in &publication.relays {
        added += db
            .execute(
                QUEUE,
                &[
                    publication.nostr_id.as_str().into(),
                    relay.as_str().into(),
                    event_key.into(),
                    publication.nostr_event.as_str().into(),
                    now_ms.into(),
                ],
            )
            .await?;
    }
    Ok(added)
}

/// Takes at most `limit` due rows of `relay` until `lease_until_ms`.
pub(super) async fn claim(
    db: &mut dyn Executor,
    relay: &str,
    now_ms: i64,
    lease_until_ms: i64,
    limit: u32,
) -> Result<Vec<OutboxItem>, StorageError> {
    db.fetch_all(
        CLAIM,
        &[
            relay.into(),
            now_ms.into(),
            lease_until_ms.into(),
            i64::from(limit).into(),
        ],
    )
    .await?
    .into_iter()
    .map(|mut row| {
        Ok(OutboxItem {
            nostr_id: row.text(0)?,
            nostr_event: row.text(1)?,
            attempts: row.int(2)?,
        })
    })
    .collect()
}

/// Records a relay's answer to one row.
pub(super) async fn answer(
    db: &mut dyn Executor,
    relay: &str,
    nostr_id: &str,
    answer: &OutboxAnswer,
) -> Result<(), StorageError> {
    db.execute(
        ANSWER,
        &[
            nostr_id.into(),
            relay.into(),
            answer.state.name().into(),
            answer.reason.as_deref().into(),
            answer.next_attempt_ms.into(),
        ],
    )
    .await
    .map(drop)
}

fn delivery_from_row(mut row: Row) -> Result<Delivery, StorageError> {
    let relay = row.text(0)?;
    let state = row.text(1)?;
    Ok(Delivery {
        relay,
        state: DeliveryState::of(&state)
            .ok_or_else(|| StorageError::Decode(format!("outbox state {state:?}")))?,
        reason: row.opt_text(2)?,
        attempts: row.int(3)?,
        last_attempt_ms: row.opt_int(4)?,
        next_attempt_ms: row.int(5)?,
    })
}

/// Every relay's state of one Nostr event.
pub(super) async fn deliveries(
    db: &mut dyn Executor,
    nostr_id: &str,
) -> Result<Vec<Delivery>, StorageError> {
    db.fetch_all(DELIVERIES, &[nostr_id.into()])
        .await?
        .into_iter()
        .map(delivery_from_row)
        .collect()
}

/// How many events wait to be published and are due before `due_before_ms`, per relay.
pub(super) async fn backlog(
    db: &mut dyn Executor,
    due_before_ms: i64,
) -> Result<Vec<(String, i64)>, StorageError> {
    db.fetch_all(BACKLOG, &[due_before_ms.into()])
        .await?
        .into_iter()
        .map(|mut row| Ok((row.text(0)?, row.int(1)?)))
        .collect()
}

/// Keeps a relay list unless a newer one of its key is stored; `false` then.
pub(super) async fn save_relay_list(
    db: &mut dyn Executor,
    update: &RelayListUpdate,
    now_ms: i64,
) -> Result<bool, StorageError> {
    let relays = serde_json::to_string(&update.write_relays)
        .map_err(|error| StorageError::Decode(error.to_string()))?;
    let saved = db
        .execute(
            SAVE_RELAY_LIST,
            &[
                update.pubkey.as_str().into(),
                update.created_at.into(),
                update.event_id.as_str().into(),
                relays.as_str().into(),
                now_ms.into(),
                update.event_json.as_str().into(),
            ],
        )
        .await?;
    Ok(saved == 1)
}

/// The write relays of `pubkey`'s stored NIP-65 list.
pub(super) async fn write_relays(
    db: &mut dyn Executor,
    pubkey: &str,
) -> Result<Vec<String>, StorageError> {
    let Some(mut row) = db.fetch_optional(WRITE_RELAYS, &[pubkey.into()]).await? else {
        return Ok(Vec::new());
    };
    serde_json::from_str(&row.text(0)?).map_err(|error| StorageError::Decode(error.to_string()))
}

/// What the relays are asked for.
pub(super) async fn subscription_targets(
    db: &mut dyn Executor,
    max_ids: u32,
    max_authors: u32,
) -> Result<SubscriptionTargets, StorageError> {
    let texts = |rows: Vec<Row>| {
        rows.into_iter()
            .map(|mut row| row.text(0))
            .collect::<Result<Vec<_>, _>>()
    };
    let event_ids = texts(
        db.fetch_all(HELD_NOSTR_IDS, &[i64::from(max_ids).into()])
            .await?,
    )?;
    let authors = texts(
        db.fetch_all(NOSTR_AUTHORS, &[i64::from(max_authors).into()])
            .await?,
    )?;
    Ok(SubscriptionTargets { event_ids, authors })
}

/// A relay's reading position and last error.
pub(super) async fn read_state(
    db: &mut dyn Executor,
    relay: &str,
) -> Result<RelayReadState, StorageError> {
    let Some(mut row) = db.fetch_optional(READ_STATE, &[relay.into()]).await? else {
        return Ok(RelayReadState::default());
    };
    Ok(RelayReadState {
        since_s: row.opt_int(0)?,
        last_error: row.opt_text(1)?,
    })
}

/// Moves a relay's reading position forward (never back).
pub(super) async fn save_since(
    db: &mut dyn Executor,
    relay: &str,
    since_s: i64,
    now_ms: i64,
) -> Result<(), StorageError> {
    db.execute(SAVE_SINCE, &[relay.into(), since_s.into(), now_ms.into()])
        .await
        .map(drop)
}

/// Records a relay connection's last error (`None` once it works again).
pub(super) async fn save_error(
    db: &mut dyn Executor,
    relay: &str,
    error: Option<&str>,
    now_ms: i64,
) -> Result<(), StorageError> {
    let params: [Param<'_>; 3] = [relay.into(), error.into(), now_ms.into()];
    db.execute(SAVE_ERROR, &params).await.map(drop)
}
