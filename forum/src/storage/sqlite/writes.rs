//! The writes of the SQLite store, run by the writer thread inside a savepoint each.

use rusqlite::{Connection, OptionalExtension, params};

use super::{params as bound_params, sqlite_sql};
use crate::address::AuthorAddress;
use crate::profile::ProfileUpdate;
use crate::record::NewEvent;
use crate::storage::statements::{self, Bound};
use crate::storage::{
    DeleteOutcome, Insert, InsertOutcome, Moderation, RestoreOutcome, StorageError, TargetRule,
};

/// An [`Insert`] that can cross to the writer thread.
pub(super) struct OwnedInsert {
    event: NewEvent,
    origin: String,
    now_ms: i64,
    target: Option<TargetRule>,
}

impl From<&Insert<'_>> for OwnedInsert {
    fn from(insert: &Insert<'_>) -> Self {
        Self {
            event: insert.event.clone(),
            origin: insert.origin.to_owned(),
            now_ms: insert.now_ms,
            target: insert.target.clone(),
        }
    }
}

/// A [`Moderation`] that can cross to the writer thread.
pub(super) struct OwnedModeration {
    event: NewEvent,
    moderator: AuthorAddress,
    now_ms: i64,
}

impl From<&Moderation<'_>> for OwnedModeration {
    fn from(moderation: &Moderation<'_>) -> Self {
        Self {
            event: moderation.event.clone(),
            moderator: moderation.moderator.clone(),
            now_ms: moderation.now_ms,
        }
    }
}

fn execute(connection: &Connection, sql: &str, values: &[Bound]) -> Result<usize, StorageError> {
    Ok(connection
        .prepare_cached(&sqlite_sql(sql))?
        .execute(bound_params(values))?)
}

fn texts(values: &[String]) -> Vec<Bound> {
    values
        .iter()
        .map(|value| Bound::Text(value.clone()))
        .collect()
}

/// Stores an event; a refusal leaves nothing (the savepoint is rolled back).
pub(super) fn insert_event(
    connection: &Connection,
    insert: &OwnedInsert,
) -> Result<InsertOutcome, StorageError> {
    let event = &insert.event;
    let ids: Vec<Bound> = event
        .ids()
        .iter()
        .map(|id| Bound::Text(id.value.clone()))
        .collect();
    let banned = format!("{}{}", statements::BANNED, statements::list(1, ids.len()));
    if connection
        .prepare_cached(&sqlite_sql(&banned))?
        .exists(bound_params(&ids))?
    {
        return Ok(InsertOutcome::Banned);
    }
    let mut parent_key = None;
    if !event.parent_ids().is_empty() {
        let sql = format!(
            "{}{} ORDER BY events.hidden LIMIT 1",
            statements::FIND_TARGET,
            statements::list(1, event.parent_ids().len())
        );
        let target: Option<(i64, i64)> = connection
            .prepare_cached(&sqlite_sql(&sql))?
            .query_row(bound_params(&texts(event.parent_ids())), |row| {
                Ok((row.get(0)?, row.get(1)?))
            })
            .optional()?;
        match target {
            Some((key, 0)) => parent_key = Some(key),
            Some(_) if insert.target.is_some() => return Ok(InsertOutcome::TargetDeleted),
            None if insert.target.is_some() => return Ok(InsertOutcome::TargetNotFound),
            _ => {}
        }
    }
    let key: Option<i64> = connection
        .prepare_cached(&sqlite_sql(statements::INSERT_EVENT))?
        .query_row(
            params![
                event.spasmid(),
                event.action(),
                i64::from(event.is_signed()),
                event.source_name(),
                parent_key,
                event.signed_at_ms(),
                insert.now_ms,
                insert.origin,
                event.event_json(),
            ],
            |row| row.get(0),
        )
        .optional()?;
    let Some(key) = key else {
        return Ok(InsertOutcome::Duplicate);
    };
    for (index, (sql, values)) in statements::event_rows(event).iter().enumerate() {
        let mut all = vec![Bound::Int(key)];
        all.extend(values.iter().cloned());
        let inserted = execute(connection, sql, &all)?;
        // Every id is unique across events: sharing one (a URL, a signature) with a stored
        // event makes this a duplicate of it.
        if index == 0 && inserted != event.ids().len() {
            return Ok(InsertOutcome::Duplicate);
        }
    }
    if let (Some(rule), Some(target)) = (&insert.target, parent_key)
        && let Some(outcome) = apply_target_rule(connection, insert, rule, target, key)?
    {
        return Ok(outcome);
    }
    Ok(InsertOutcome::Stored { key })
}

fn apply_target_rule(
    connection: &Connection,
    insert: &OwnedInsert,
    rule: &TargetRule,
    target: i64,
    key: i64,
) -> Result<Option<InsertOutcome>, StorageError> {
    if let Some((action, digest)) = &rule.once_per_signer {
        for signer in insert.event.signers() {
            let inserted = connection
                .prepare_cached(&sqlite_sql(statements::INSERT_SIGNER_ACTION))?
                .execute(params![target, signer.as_str(), action, digest, key])?;
            if inserted == 0 {
                return Ok(Some(InsertOutcome::DuplicateAction));
            }
        }
    }
    if let Some((action, content)) = &rule.counter {
        connection
            .prepare_cached(&sqlite_sql(statements::COUNT_ON_TARGET))?
            .execute(params![target, action, content, insert.now_ms])?;
        let count = if action == "reply" {
            statements::COUNT_REPLY
        } else {
            statements::COUNT_REACTION
        };
        connection
            .prepare_cached(&sqlite_sql(count))?
            .execute(params![target, insert.now_ms])?;
    }
    Ok(None)
}

fn keys_of_ids(connection: &Connection, ids: &[String]) -> Result<Vec<i64>, StorageError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT DISTINCT event_key FROM event_ids WHERE value IN {}",
        statements::list(1, ids.len())
    );
    let mut statement = connection.prepare_cached(&sqlite_sql(&sql))?;
    let keys = statement
        .query_map(bound_params(&texts(ids)), |row| row.get(0))?
        .collect::<Result<Vec<i64>, _>>()?;
    Ok(keys)
}

fn record_moderation(
    connection: &Connection,
    moderation: &OwnedModeration,
    action: &str,
) -> Result<Option<i64>, StorageError> {
    let target_ids = serde_json::to_string(moderation.event.parent_ids()).unwrap_or_default();
    Ok(connection
        .prepare_cached(&sqlite_sql(statements::RECORD_MODERATION))?
        .query_row(
            params![
                moderation.event.spasmid(),
                action,
                moderation.moderator.as_str(),
                target_ids,
                moderation.now_ms,
                moderation.event.event_json(),
            ],
            |row| row.get(0),
        )
        .optional()?)
}

/// A moderator's delete: hide the targets' subtrees, ban their ids, keep the audit record.
pub(super) fn delete(
    connection: &Connection,
    moderation: &OwnedModeration,
) -> Result<DeleteOutcome, StorageError> {
    let Some(moderation_id) = record_moderation(connection, moderation, "delete")? else {
        return Ok(DeleteOutcome::Duplicate);
    };
    let targets = keys_of_ids(connection, moderation.event.parent_ids())?;
    if !targets.is_empty() {
        let mut values = vec![Bound::Int(moderation_id)];
        values.extend(targets.iter().map(|key| Bound::Int(*key)));
        execute(
            connection,
            &statements::hide_subtree(targets.len()),
            &values,
        )?;
        execute(connection, &statements::ban_ids_of(targets.len()), &values)?;
    }
    let hidden = connection
        .prepare_cached(&sqlite_sql(statements::HIDE_MODERATED))?
        .execute(params![moderation_id, moderation.now_ms])?;
    for id in moderation.event.parent_ids() {
        connection
            .prepare_cached(&sqlite_sql(statements::BAN_WRITTEN_ID))?
            .execute(params![id, moderation_id])?;
    }
    Ok(DeleteOutcome::Deleted {
        hidden: hidden as u64,
    })
}

/// An admin's undo of the standing deletes the event names.
pub(super) fn restore(
    connection: &Connection,
    moderation: &OwnedModeration,
) -> Result<RestoreOutcome, StorageError> {
    let ids = moderation.event.parent_ids();
    if ids.is_empty() {
        return Ok(RestoreOutcome::NothingToRestore);
    }
    let sql = statements::standing_deletes(ids.len());
    let undone = connection
        .prepare_cached(&sqlite_sql(&sql))?
        .query_map(bound_params(&texts(ids)), |row| row.get(0))?
        .collect::<Result<Vec<i64>, _>>()?;
    if undone.is_empty() {
        return Ok(RestoreOutcome::NothingToRestore);
    }
    if record_moderation(connection, moderation, "restore")?.is_none() {
        return Ok(RestoreOutcome::Duplicate);
    }
    for moderation_id in &undone {
        connection
            .prepare_cached(&sqlite_sql(statements::UNDO_MODERATION))?
            .execute(params![
                moderation_id,
                moderation.now_ms,
                moderation.moderator.as_str()
            ])?;
        connection
            .prepare_cached(&sqlite_sql(statements::SHOW_MODERATED))?
            .execute(params![moderation_id, moderation.now_ms])?;
        connection
            .prepare_cached(&sqlite_sql(statements::LIFT_BANS))?
            .execute(params![moderation_id])?;
    }
    Ok(RestoreOutcome::Restored {
        undone: undone.len() as u64,
    })
}

/// An admin-signed event; `false` when stored before.
pub(super) fn insert_admin(
    connection: &Connection,
    event: &NewEvent,
    signer: &AuthorAddress,
    now_ms: i64,
) -> Result<bool, StorageError> {
    let inserted = connection
        .prepare_cached(&sqlite_sql(statements::INSERT_ADMIN_EVENT))?
        .execute(params![
            event.spasmid(),
            event.action(),
            signer.as_str(),
            event.content(),
            now_ms,
            event.event_json()
        ])?;
    Ok(inserted == 1)
}

/// A Nostr profile, unless a newer one of its key is stored; `false` then.
pub(super) fn save_profile(
    connection: &Connection,
    update: &ProfileUpdate,
    now_ms: i64,
) -> Result<bool, StorageError> {
    let saved = connection
        .prepare_cached(&sqlite_sql(statements::SAVE_PROFILE))?
        .execute(params![
            update.pubkey.as_str(),
            update.created_at,
            update.event_id,
            now_ms,
            update.event_json
        ])?;
    Ok(saved == 1)
}
