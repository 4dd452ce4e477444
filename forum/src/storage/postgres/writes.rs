//! The transactions of the PostgreSQL store.

use sqlx::{Postgres, Row, Transaction};

use super::{PostgresStore, bind_all};
use crate::address::AuthorAddress;
use crate::profile::ProfileUpdate;
use crate::record::NewEvent;
use crate::storage::statements::{self, Bound};
use crate::storage::{
    DeleteOutcome, Insert, InsertOutcome, Moderation, RestoreOutcome, StorageError, TargetRule,
};

type Tx = Transaction<'static, Postgres>;

impl PostgresStore {
    pub(super) async fn insert_event_in_transaction(
        &self,
        insert: Insert<'_>,
    ) -> Result<InsertOutcome, StorageError> {
        let mut tx = self.pool.begin().await?;
        let outcome = insert_event(&mut tx, &insert).await?;
        finish(tx, matches!(outcome, InsertOutcome::Stored { .. })).await?;
        Ok(outcome)
    }

    pub(super) async fn delete_in_transaction(
        &self,
        moderation: Moderation<'_>,
    ) -> Result<DeleteOutcome, StorageError> {
        let mut tx = self.pool.begin().await?;
        let Some(moderation_id) = record_moderation(&mut tx, &moderation, "delete").await? else {
            finish(tx, false).await?;
            return Ok(DeleteOutcome::Duplicate);
        };
        let targets = keys_of_ids(&mut tx, moderation.event.parent_ids()).await?;
        if !targets.is_empty() {
            let keys: Vec<Bound> = targets.iter().map(|key| Bound::Int(*key)).collect();
            let sql = statements::hide_subtree(targets.len());
            bind_all(sqlx::query(&sql).bind(moderation_id), &keys)
                .execute(&mut *tx)
                .await?;
            let sql = statements::ban_ids_of(targets.len());
            bind_all(sqlx::query(&sql).bind(moderation_id), &keys)
                .execute(&mut *tx)
                .await?;
        }
        let hidden = sqlx::query(statements::HIDE_MODERATED)
            .bind(moderation_id)
            .bind(moderation.now_ms)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        for id in moderation.event.parent_ids() {
            sqlx::query(statements::BAN_WRITTEN_ID)
                .bind(id.as_str())
                .bind(moderation_id)
                .execute(&mut *tx)
                .await?;
        }
        finish(tx, true).await?;
        Ok(DeleteOutcome::Deleted { hidden })
    }

    pub(super) async fn restore_in_transaction(
        &self,
        moderation: Moderation<'_>,
    ) -> Result<RestoreOutcome, StorageError> {
        let ids = moderation.event.parent_ids();
        if ids.is_empty() {
            return Ok(RestoreOutcome::NothingToRestore);
        }
        let mut tx = self.pool.begin().await?;
        let sql = statements::standing_deletes(ids.len());
        let mut query = sqlx::query_scalar(&sql);
        for id in ids {
            query = query.bind(id.as_str());
        }
        let undone: Vec<i64> = query.fetch_all(&mut *tx).await?;
        if undone.is_empty() {
            finish(tx, false).await?;
            return Ok(RestoreOutcome::NothingToRestore);
        }
        if record_moderation(&mut tx, &moderation, "restore")
            .await?
            .is_none()
        {
            finish(tx, false).await?;
            return Ok(RestoreOutcome::Duplicate);
        }
        for moderation_id in &undone {
            sqlx::query(statements::UNDO_MODERATION)
                .bind(*moderation_id)
                .bind(moderation.now_ms)
                .bind(moderation.moderator.as_str())
                .execute(&mut *tx)
                .await?;
            sqlx::query(statements::SHOW_MODERATED)
                .bind(*moderation_id)
                .bind(moderation.now_ms)
                .execute(&mut *tx)
                .await?;
            sqlx::query(statements::LIFT_BANS)
                .bind(*moderation_id)
                .execute(&mut *tx)
                .await?;
        }
        finish(tx, true).await?;
        Ok(RestoreOutcome::Restored {
            undone: undone.len() as u64,
        })
    }

    pub(super) async fn insert_admin(
        &self,
        event: &NewEvent,
        signer: &AuthorAddress,
        now_ms: i64,
    ) -> Result<bool, StorageError> {
        let inserted = sqlx::query(statements::INSERT_ADMIN_EVENT)
            .bind(event.spasmid())
            .bind(event.action())
            .bind(signer.as_str())
            .bind(event.content())
            .bind(now_ms)
            .bind(event.event_json())
            .execute(&self.pool)
            .await?
            .rows_affected();
        Ok(inserted == 1)
    }

    pub(super) async fn save_profile(
        &self,
        update: &ProfileUpdate,
        now_ms: i64,
    ) -> Result<bool, StorageError> {
        let saved = sqlx::query(statements::SAVE_PROFILE)
            .bind(update.pubkey.as_str())
            .bind(update.created_at)
            .bind(&update.event_id)
            .bind(now_ms)
            .bind(&update.event_json)
            .execute(&self.pool)
            .await?
            .rows_affected();
        Ok(saved == 1)
    }
}

async fn finish(tx: Tx, commit: bool) -> Result<(), StorageError> {
    if commit {
        tx.commit().await?;
    } else {
        tx.rollback().await?;
    }
    Ok(())
}

/// The insert transaction's body: a refusal is returned instead of a commit.
async fn insert_event(tx: &mut Tx, insert: &Insert<'_>) -> Result<InsertOutcome, StorageError> {
    let event = insert.event;
    let ids: Vec<Bound> = event
        .ids()
        .iter()
        .map(|id| Bound::Text(id.value.clone()))
        .collect();
    let banned = format!("{}{}", statements::BANNED, statements::list(1, ids.len()));
    if bind_all(sqlx::query(&banned), &ids)
        .fetch_optional(&mut **tx)
        .await?
        .is_some()
    {
        return Ok(InsertOutcome::Banned);
    }
    let mut parent_key = None;
    if !event.parent_ids().is_empty() {
        let parents: Vec<Bound> = event
            .parent_ids()
            .iter()
            .map(|id| Bound::Text(id.clone()))
            .collect();
        let sql = format!(
            "{}{} ORDER BY events.hidden LIMIT 1",
            statements::FIND_TARGET,
            statements::list(1, parents.len())
        );
        let target = bind_all(sqlx::query(&sql), &parents)
            .fetch_optional(&mut **tx)
            .await?;
        match target {
            Some(row) if row.try_get::<i64, _>(1)? == 0 => {
                parent_key = Some(row.try_get::<i64, _>(0)?)
            }
            Some(_) if insert.target.is_some() => return Ok(InsertOutcome::TargetDeleted),
            None if insert.target.is_some() => return Ok(InsertOutcome::TargetNotFound),
            _ => {}
        }
    }
    let key: Option<i64> = sqlx::query_scalar(statements::INSERT_EVENT)
        .bind(event.spasmid())
        .bind(event.action())
        .bind(i64::from(event.is_signed()))
        .bind(event.source_name())
        .bind(parent_key)
        .bind(event.signed_at_ms())
        .bind(insert.now_ms)
        .bind(insert.origin)
        .bind(event.event_json())
        .fetch_optional(&mut **tx)
        .await?;
    let Some(key) = key else {
        return Ok(InsertOutcome::Duplicate);
    };
    for (index, (sql, values)) in statements::event_rows(event).iter().enumerate() {
        let inserted = bind_all(sqlx::query(sql).bind(key), values)
            .execute(&mut **tx)
            .await?
            .rows_affected();
        // Every id is unique across events: sharing one (a URL, a signature) with a stored
        // event makes this a duplicate of it.
        if index == 0 && inserted != event.ids().len() as u64 {
            return Ok(InsertOutcome::Duplicate);
        }
    }
    if let (Some(rule), Some(target)) = (&insert.target, parent_key)
        && let Some(outcome) = apply_target_rule(tx, insert, rule, target, key).await?
    {
        return Ok(outcome);
    }
    Ok(InsertOutcome::Stored { key })
}

/// Records what the signers did to the target and counts it; a refusal when a signer did
/// the same before.
async fn apply_target_rule(
    tx: &mut Tx,
    insert: &Insert<'_>,
    rule: &TargetRule,
    target: i64,
    key: i64,
) -> Result<Option<InsertOutcome>, StorageError> {
    if let Some((action, digest)) = &rule.once_per_signer {
        for signer in insert.event.signers() {
            let inserted = sqlx::query(statements::INSERT_SIGNER_ACTION)
                .bind(target)
                .bind(signer.as_str())
                .bind(action.as_str())
                .bind(digest.as_str())
                .bind(key)
                .execute(&mut **tx)
                .await?
                .rows_affected();
            if inserted == 0 {
                return Ok(Some(InsertOutcome::DuplicateAction));
            }
        }
    }
    if let Some((action, content)) = &rule.counter {
        sqlx::query(statements::COUNT_ON_TARGET)
            .bind(target)
            .bind(action.as_str())
            .bind(content.as_str())
            .bind(insert.now_ms)
            .execute(&mut **tx)
            .await?;
        let count = if action == "reply" {
            statements::COUNT_REPLY
        } else {
            statements::COUNT_REACTION
        };
        sqlx::query(count)
            .bind(target)
            .bind(insert.now_ms)
            .execute(&mut **tx)
            .await?;
    }
    Ok(None)
}

async fn keys_of_ids(tx: &mut Tx, ids: &[String]) -> Result<Vec<i64>, StorageError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT DISTINCT event_key FROM event_ids WHERE value IN {}",
        statements::list(1, ids.len())
    );
    let mut query = sqlx::query_scalar(&sql);
    for id in ids {
        query = query.bind(id.as_str());
    }
    Ok(query.fetch_all(&mut **tx).await?)
}

/// Adds the audit record; `None` when this moderation event was recorded before.
async fn record_moderation(
    tx: &mut Tx,
    moderation: &Moderation<'_>,
    action: &str,
) -> Result<Option<i64>, StorageError> {
    let target_ids = serde_json::to_string(moderation.event.parent_ids()).unwrap_or_default();
    Ok(sqlx::query_scalar(statements::RECORD_MODERATION)
        .bind(moderation.event.spasmid())
        .bind(action)
        .bind(moderation.moderator.as_str())
        .bind(target_ids)
        .bind(moderation.now_ms)
        .bind(moderation.event.event_json())
        .fetch_optional(&mut **tx)
        .await?)
}
