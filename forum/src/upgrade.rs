//! Data upgrades: work over stored events that a new version of the protocol asks for, run
//! once per database (recorded in the `upgrades` table) and by `spasm-forum migrate`.
//!
//! The one so far, [`RC52_IDS`]: spasm.js rc.52 computes other `spasmid01`s than beta.29
//! for events with tips (lower-cased before hashing), Nostr events with `spasm_tips` or
//! `spasm_custom_schema` tags, Nostr events whose `tags_mapping` records repeat an id or an
//! address, and author addresses whose format spasm.js can no longer tell. An event stored
//! under its beta.29 id gets its rc.52 id too, so both resolve and a peer's copy (which has
//! the rc.52 id) is recognised as the same event.

use serde_json::Value;

use crate::record::EventId;
use crate::storage::{StorageError, Store};

/// The name of the rc.52 id upgrade in the `upgrades` table.
pub const RC52_IDS: &str = "rc52-ids";

/// How many stored events one read fetches.
const BATCH: u32 = 500;

/// What [`add_current_ids`] found and did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IdUpgrade {
    /// Events read.
    pub scanned: u64,
    /// Events whose id under the current rules differs from the one they were stored under.
    pub changed: u64,
    /// Of those, the ids added.
    pub added: u64,
    /// Of those, ids that another stored event has already (the same event stored twice,
    /// once under each id): left as they are.
    pub taken: u64,
    /// Events that no longer convert (logged, left as they are).
    pub unreadable: u64,
}

/// Reads every stored event, recomputes its `spasmid01` under the current rules from its
/// signed siblings, and adds the id to the event's ids where it differs.
pub async fn add_current_ids(store: &dyn Store) -> Result<IdUpgrade, StorageError> {
    let mut report = IdUpgrade::default();
    let mut after = 0;
    loop {
        let forms = store.stored_forms(after, BATCH).await?;
        let Some(last) = forms.last() else {
            return Ok(report);
        };
        after = last.key;
        for form in forms {
            report.scanned += 1;
            let current = serde_json::from_str::<Value>(&form.event_json)
                .ok()
                .and_then(|json| spasm::convert::convert_to_spasm(&json).ok())
                .map(|event| event.id().to_string());
            let Some(current) = current else {
                tracing::warn!(key = form.key, spasmid = %form.spasmid, "a stored event no longer converts");
                report.unreadable += 1;
                continue;
            };
            if current == form.spasmid {
                continue;
            }
            report.changed += 1;
            let id = EventId {
                value: current,
                format: "spasmid".into(),
            };
            if store.add_event_id(form.key, id).await? {
                report.added += 1;
            } else {
                report.taken += 1;
            }
        }
    }
}

/// Runs the upgrades this database has not finished, and records them; `None` when there
/// was nothing to do.
pub async fn run_pending(
    store: &dyn Store,
    now_ms: i64,
) -> Result<Option<IdUpgrade>, StorageError> {
    if store.upgrade_done(RC52_IDS).await? {
        return Ok(None);
    }
    let report = add_current_ids(store).await?;
    store.mark_upgrade_done(RC52_IDS, now_ms).await?;
    Ok(Some(report))
}
