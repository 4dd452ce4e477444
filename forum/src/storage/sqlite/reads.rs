//! The reads of the SQLite store, on a reader connection.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, Row};

use super::{params, sqlite_sql};
use crate::address::AuthorAddress;
use crate::envelope::{Counter, Stats, StoredEvent};
use crate::profile::StoredProfile;
use crate::storage::statements::{self, Sql};
use crate::storage::{AdminEvent, ModerationRecord, StorageError};

fn event_from_row(row: &Row<'_>) -> Result<StoredEvent, rusqlite::Error> {
    Ok(StoredEvent {
        key: row.get(0)?,
        added_at_ms: row.get(1)?,
        updated_at_ms: row.get(2)?,
        parent_key: row.get(3)?,
        event_json: row.get(4)?,
        stats: Stats::default(),
    })
}

/// Runs an event query and attaches each event's counters (one more query for all).
pub(super) fn events(
    connection: &Connection,
    sql: &Sql,
    reverse: bool,
) -> Result<Vec<StoredEvent>, StorageError> {
    let mut events = connection
        .prepare_cached(&sqlite_sql(&sql.text))?
        .query_map(params(&sql.values), event_from_row)?
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
    let mut statement = connection.prepare_cached(&sqlite_sql(&stats_sql.text))?;
    let mut rows = statement.query(params(&stats_sql.values))?;
    while let Some(row) = rows.next()? {
        let action: String = row.get(1)?;
        let counter = Counter {
            content: row.get(2)?,
            total: row.get(3)?,
            latest_ms: row.get(4)?,
        };
        stats.entry(row.get(0)?).or_default().add(&action, counter);
    }
    for event in &mut events {
        if let Some(stats) = stats.remove(&event.key) {
            event.stats = stats;
        }
    }
    Ok(events)
}

pub(super) fn keys(connection: &Connection, sql: &Sql) -> Result<Vec<i64>, StorageError> {
    Ok(connection
        .prepare_cached(&sqlite_sql(&sql.text))?
        .query_map(params(&sql.values), |row| row.get(0))?
        .collect::<Result<Vec<i64>, _>>()?)
}

pub(super) fn admin_events(
    connection: &Connection,
    prefix: &str,
    limit: u32,
) -> Result<Vec<AdminEvent>, StorageError> {
    Ok(connection
        .prepare_cached(&sqlite_sql(statements::ADMIN_EVENTS))?
        .query_map(
            rusqlite::params![prefix, statements::prefix_end(prefix), i64::from(limit)],
            |row| {
                Ok(AdminEvent {
                    action: row.get(0)?,
                    signer: row.get(1)?,
                    content: row.get(2)?,
                    added_at_ms: row.get(3)?,
                })
            },
        )?
        .collect::<Result<Vec<_>, _>>()?)
}

pub(super) fn profile(
    connection: &Connection,
    pubkey: &AuthorAddress,
) -> Result<Option<StoredProfile>, StorageError> {
    Ok(connection
        .prepare_cached(&sqlite_sql(statements::PROFILE))?
        .query_row([pubkey.as_str()], |row| {
            Ok(StoredProfile {
                created_at: row.get(0)?,
                event_json: row.get(1)?,
            })
        })
        .optional()?)
}

pub(super) fn moderations(
    connection: &Connection,
    sql: &Sql,
    reverse: bool,
) -> Result<Vec<ModerationRecord>, StorageError> {
    let mut records = connection
        .prepare_cached(&sqlite_sql(&sql.text))?
        .query_map(params(&sql.values), |row| {
            Ok(ModerationRecord {
                id: row.get(0)?,
                spasmid: row.get(1)?,
                action: row.get(2)?,
                moderator: row.get(3)?,
                target_ids: row.get(4)?,
                at_ms: row.get(5)?,
                undone_at_ms: row.get(6)?,
                undone_by: row.get(7)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    if reverse {
        records.reverse();
    }
    Ok(records)
}
