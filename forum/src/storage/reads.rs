//! The store's reads and the mapping of rows to the forum's types, written once for both
//! databases against [`Executor`].

use std::collections::HashMap;

use spasm::action::Action;

use super::changes::{Change, ChangeKind};
use super::executor::{Executor, Row};
use super::statements::{self, Sql};
use super::{AdminEvent, Deletion, JobState, ModerationRecord, StorageError};
use crate::address::AuthorAddress;
use crate::envelope::{Counter, Stats, StoredEvent};
use crate::profile::StoredProfile;

/// A row of [`statements::EVENT_COLUMNS`].
fn event_from_row(mut row: Row) -> Result<StoredEvent, StorageError> {
    Ok(StoredEvent {
        key: row.int(0)?,
        added_at_ms: row.int(1)?,
        updated_at_ms: row.int(2)?,
        parent_key: row.opt_int(3)?,
        event_json: row.text(4)?,
        origin: row.text(5)?,
        stats: Stats::default(),
    })
}

/// Runs an event query and attaches each event's counters (one more query for all).
pub(super) async fn events(
    db: &mut dyn Executor,
    sql: &Sql,
    reverse: bool,
) -> Result<Vec<StoredEvent>, StorageError> {
    let mut events = db
        .fetch_all(&sql.text, &sql.params())
        .await?
        .into_iter()
        .map(event_from_row)
        .collect::<Result<Vec<_>, _>>()?;
    if reverse {
        events.reverse();
    }
    if events.is_empty() {
        return Ok(events);
    }
    let keys: Vec<i64> = events.iter().map(|event| event.key).collect();
    let stats_sql = statements::stats_of(&keys);
    let mut stats: HashMap<i64, Stats> = HashMap::new();
    for mut row in db.fetch_all(&stats_sql.text, &stats_sql.params()).await? {
        let action = Action::of(&row.text(1)?);
        let counter = Counter {
            content: row.text(2)?,
            total: row.int(3)?,
            latest_ms: row.int(4)?,
        };
        stats.entry(row.int(0)?).or_default().add(action, counter);
    }
    for event in &mut events {
        if let Some(stats) = stats.remove(&event.key) {
            event.stats = stats;
        }
    }
    Ok(events)
}

/// The first event of an event query.
pub(super) async fn first_event(
    db: &mut dyn Executor,
    sql: &Sql,
) -> Result<Option<StoredEvent>, StorageError> {
    Ok(events(db, sql, false).await?.into_iter().next())
}

/// A query of integers.
pub(super) async fn ints(db: &mut dyn Executor, sql: &Sql) -> Result<Vec<i64>, StorageError> {
    db.fetch_ints(&sql.text, &sql.params()).await
}

/// A query of two texts per row.
pub(super) async fn text_pairs(
    db: &mut dyn Executor,
    sql: &Sql,
) -> Result<Vec<(String, String)>, StorageError> {
    db.fetch_all(&sql.text, &sql.params())
        .await?
        .into_iter()
        .map(|mut row| Ok((row.text(0)?, row.text(1)?)))
        .collect()
}

/// A query of two integers per row.
pub(super) async fn int_pairs(
    db: &mut dyn Executor,
    sql: &Sql,
) -> Result<Vec<(i64, i64)>, StorageError> {
    db.fetch_all(&sql.text, &sql.params())
        .await?
        .into_iter()
        .map(|row| Ok((row.int(0)?, row.int(1)?)))
        .collect()
}

pub(super) async fn admin_events(
    db: &mut dyn Executor,
    prefix: &str,
    limit: u32,
) -> Result<Vec<AdminEvent>, StorageError> {
    let end = statements::prefix_end(prefix);
    db.fetch_all(
        statements::ADMIN_EVENTS,
        &[prefix.into(), end.as_str().into(), i64::from(limit).into()],
    )
    .await?
    .into_iter()
    .map(|mut row| {
        Ok(AdminEvent {
            action: row.text(0)?,
            signer: row.text(1)?,
            content: row.text(2)?,
            added_at_ms: row.int(3)?,
        })
    })
    .collect()
}

pub(super) async fn profile(
    db: &mut dyn Executor,
    pubkey: &AuthorAddress,
) -> Result<Option<StoredProfile>, StorageError> {
    db.fetch_optional(statements::PROFILE, &[pubkey.as_str().into()])
        .await?
        .map(|mut row| {
            Ok(StoredProfile {
                created_at: row.int(0)?,
                event_json: row.text(1)?,
            })
        })
        .transpose()
}

pub(super) async fn moderations(
    db: &mut dyn Executor,
    sql: &Sql,
    reverse: bool,
) -> Result<Vec<ModerationRecord>, StorageError> {
    let mut records = db
        .fetch_all(&sql.text, &sql.params())
        .await?
        .into_iter()
        .map(|mut row| {
            Ok(ModerationRecord {
                id: row.int(0)?,
                spasmid: row.text(1)?,
                action: row.text(2)?,
                moderator: row.text(3)?,
                target_ids: row.text(4)?,
                at_ms: row.int(5)?,
                undone_at_ms: row.opt_int(6)?,
                undone_by: row.opt_text(7)?,
            })
        })
        .collect::<Result<Vec<_>, StorageError>>()?;
    if reverse {
        records.reverse();
    }
    Ok(records)
}

/// The change log after `after`, oldest first.
pub(super) async fn changes(
    db: &mut dyn Executor,
    after: i64,
    limit: u32,
) -> Result<Vec<Change>, StorageError> {
    db.fetch_all(
        statements::CHANGES_AFTER,
        &[after.into(), i64::from(limit).into()],
    )
    .await?
    .into_iter()
    .map(|mut row| {
        let name = row.text(1)?;
        Ok(Change {
            seq: row.int(0)?,
            kind: ChangeKind::of(&name)
                .ok_or_else(|| StorageError::Decode(format!("unknown change kind {name:?}")))?,
            subject: row.opt_text(2)?.unwrap_or_default(),
            at_ms: row.int(3)?,
        })
    })
    .collect()
}

/// The newest change's number (0 before the first).
pub(super) async fn last_change(db: &mut dyn Executor) -> Result<i64, StorageError> {
    db.fetch_optional(statements::LAST_CHANGE, &[])
        .await?
        .map_or(Ok(0), |row| row.int(0))
}

/// A row of [`statements::JOB_STATES`].
pub(super) fn job_state_from_row(mut row: Row) -> Result<JobState, StorageError> {
    Ok(JobState {
        name: row.text(0)?,
        cursor: row.opt_text(1)?,
        mode: row.opt_text(2)?,
        etag: row.opt_text(3)?,
        last_modified: row.opt_text(4)?,
        last_run_ms: row.opt_int(5)?,
        last_success_ms: row.opt_int(6)?,
        last_error: row.opt_text(7)?,
        last_error_ms: row.opt_int(8)?,
        failures: row.int(9)?,
        next_attempt_ms: row.int(10)?,
        paused: row.int(11)? != 0,
        taken: row.int(12)?,
        refused: row.text(13)?,
        last_report: row.opt_text(14)?,
        possibly_incomplete_ms: row.opt_int(15)?,
        run_requested: row.int(16)? != 0,
        source_url: row.opt_text(17)?,
        lease_until_ms: row.opt_int(18)?,
    })
}

/// Every job's state, by name.
pub(super) async fn job_states(db: &mut dyn Executor) -> Result<Vec<JobState>, StorageError> {
    let sql = format!("{} ORDER BY name", statements::JOB_STATES);
    db.fetch_all(&sql, &[])
        .await?
        .into_iter()
        .map(job_state_from_row)
        .collect()
}

/// How the event with `id` was deleted: the oldest standing delete that banned the id.
pub(super) async fn deletion_of(
    db: &mut dyn Executor,
    id: &str,
) -> Result<Option<Deletion>, StorageError> {
    let row = db
        .fetch_optional(statements::DELETION_OF, &[id.into()])
        .await?;
    row.map(|mut row| {
        Ok(Deletion {
            by_author: row.text(0)? == super::writes::DELETE_BY_AUTHOR,
            at_ms: row.int(1)?,
        })
    })
    .transpose()
}
