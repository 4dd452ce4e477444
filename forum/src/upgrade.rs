//! Data upgrades: work over stored events that a new version of the protocol or of the forum
//! asks for, run once per database (recorded in the `upgrades` table) and by
//! `spasm-forum migrate`.
//!
//! [`SEARCH_WORDS`] indexes for search the posts and replies stored before search existed.
//!
//! [`RC52_IDS`]: spasm.js rc.52 computes other `spasmid01`s than beta.29
//! for events with tips (lower-cased before hashing), Nostr events with `spasm_tips` or
//! `spasm_custom_schema` tags, Nostr events whose `tags_mapping` records repeat an id or an
//! address, and author addresses whose format spasm.js can no longer tell.
//!
//! * An event stored under its beta.29 id gets its rc.52 id too, so both resolve and a
//!   peer's copy (which has the rc.52 id) is recognised as the same event.
//! * A moderation or admin event, which keeps one id by which a resubmission is recognised
//!   (a replayed delete or an old app-config), is given its rc.52 id: this server computes
//!   that id for any copy it receives.

use serde_json::Value;
use spasm::action::Action;

use crate::record::EventId;
use crate::storage::{FormTable, StorageError, Store, StoredForm};

/// The name of the search index upgrade in the `upgrades` table.
pub const SEARCH_WORDS: &str = "search-words";

/// The name of the rc.52 id upgrade in the `upgrades` table.
pub const RC52_IDS: &str = "rc52-ids";

/// How many stored events one read fetches (each up to the largest event accepted, so a
/// batch stays within tens of megabytes).
const BATCH: u32 = 100;

/// What [`add_current_ids`] found and did, over events, moderations and admin events.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IdUpgrade {
    /// Stored events read.
    pub scanned: u64,
    /// Events whose id under the current rules differs from the one they were stored under.
    pub changed: u64,
    /// Of those, the events found with the current id already (by an earlier run).
    pub recorded_before: u64,
    /// Of those, the events that got the current id.
    pub added: u64,
    /// Of those, ids that another stored row has already (the same event stored twice,
    /// once under each id): left as they are.
    pub taken: u64,
    /// Events that no longer convert (logged, left as they are).
    pub unreadable: u64,
}

/// Reads every stored event, recomputes its `spasmid01` under the current rules from its
/// signed siblings, and records it where it differs (see the module's description).
pub async fn add_current_ids(store: &dyn Store) -> Result<IdUpgrade, StorageError> {
    let mut report = IdUpgrade::default();
    for table in [
        FormTable::Events,
        FormTable::Moderations,
        FormTable::AdminEvents,
    ] {
        let mut after = 0;
        loop {
            let forms = store.stored_forms(table, after, BATCH).await?;
            let Some(last) = forms.last() else {
                break;
            };
            after = last.key;
            // Verifying signatures is CPU work: off the threads that serve requests.
            let recomputed = tokio::task::spawn_blocking(move || {
                forms
                    .into_iter()
                    .map(|form| {
                        let current = current_id(&form);
                        (form, current)
                    })
                    .collect::<Vec<_>>()
            })
            .await
            .map_err(|error| StorageError::Worker(format!("the id upgrade stopped: {error}")))?;
            for (form, current) in recomputed {
                report.scanned += 1;
                let Some(current) = current else {
                    tracing::warn!(?table, key = form.key, spasmid = %form.spasmid, "a stored event no longer converts");
                    report.unreadable += 1;
                    continue;
                };
                if current == form.spasmid {
                    continue;
                }
                report.changed += 1;
                let recorded = match table {
                    FormTable::Events
                        if store
                            .keys_of_ids(&[current.as_str()])
                            .await?
                            .contains(&form.key) =>
                    {
                        report.recorded_before += 1;
                        continue;
                    }
                    FormTable::Events => {
                        let id = EventId {
                            value: current,
                            format: "spasmid".into(),
                        };
                        store.add_event_id(form.key, id).await?
                    }
                    FormTable::Moderations | FormTable::AdminEvents => {
                        store.replace_spasmid(table, form.key, current).await?
                    }
                };
                if recorded {
                    report.added += 1;
                } else {
                    report.taken += 1;
                }
            }
        }
    }
    Ok(report)
}

/// The id a stored event has under the current rules, `None` when it no longer converts.
fn current_id(form: &StoredForm) -> Option<String> {
    let json = serde_json::from_str::<Value>(&form.event_json).ok()?;
    let event = spasm::convert::convert_to_spasm(&json).ok()?;
    Some(event.id().to_string())
}

/// Runs the upgrades this database has not finished, and records them; `None` when there
/// was nothing to do. An error leaves the upgrade to the next start, which reads again
/// from the beginning (what was recorded is found recorded).
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

/// Indexes for search every stored post and reply that is not indexed yet (those stored
/// before the search migration); how many it indexed. Hidden events are indexed too, so
/// that a restored one is found again.
pub async fn index_stored_for_search(store: &dyn Store) -> Result<u64, StorageError> {
    let mut indexed = 0;
    let mut after = 0;
    loop {
        let forms = store.stored_forms(FormTable::Events, after, BATCH).await?;
        let Some(last) = forms.last() else {
            break;
        };
        after = last.key;
        let entries = forms
            .iter()
            .filter_map(|form| {
                let json = serde_json::from_str::<Value>(&form.event_json).ok()?;
                let text =
                    |field: &str| json.get(field).and_then(Value::as_str).unwrap_or_default();
                matches!(Action::of(text("action")), Action::Post | Action::Reply).then(|| {
                    (
                        form.key,
                        crate::search::indexed_words(text("title"), text("content")),
                    )
                })
            })
            .collect();
        indexed += store.index_for_search(entries).await?;
    }
    Ok(indexed)
}

/// [`index_stored_for_search`] unless this database did it already, and records it; `None`
/// when there was nothing to do.
pub async fn index_pending_for_search(
    store: &dyn Store,
    now_ms: i64,
) -> Result<Option<u64>, StorageError> {
    if store.upgrade_done(SEARCH_WORDS).await? {
        return Ok(None);
    }
    let indexed = index_stored_for_search(store).await?;
    store.mark_upgrade_done(SEARCH_WORDS, now_ms).await?;
    Ok(Some(indexed))
}
