//! The transactions that change the store.

use sqlx::{Any, Row, Transaction};

use super::sql::{SqlStore, placeholders};
use super::{
    DeleteOutcome, Insert, InsertOutcome, Moderation, RestoreOutcome, StorageError, TargetRule,
};
use crate::address::AuthorAddress;
use crate::record::NewEvent;

type Tx = Transaction<'static, Any>;

impl SqlStore {
    pub(super) async fn insert_event_in_transaction(
        &self,
        insert: Insert<'_>,
    ) -> Result<InsertOutcome, StorageError> {
        let mut tx = self.writer.begin().await?;
        let outcome = insert_event(&mut tx, &insert).await?;
        if matches!(outcome, InsertOutcome::Stored { .. }) {
            tx.commit().await?;
        } else {
            tx.rollback().await?;
        }
        Ok(outcome)
    }

    pub(super) async fn delete_in_transaction(
        &self,
        moderation: Moderation<'_>,
    ) -> Result<DeleteOutcome, StorageError> {
        let mut tx = self.writer.begin().await?;
        let Some(moderation_id) = record_moderation(&mut tx, &moderation, "delete").await? else {
            tx.rollback().await?;
            return Ok(DeleteOutcome::Duplicate);
        };
        let targets = keys_of_ids(&mut tx, moderation.event.parent_ids()).await?;
        if !targets.is_empty() {
            // The targets and every reply or reaction below them.
            let sql = format!(
                "INSERT INTO moderation_hidden_events (moderation_id, event_key) \
                 WITH RECURSIVE subtree (key) AS ( \
                     SELECT key FROM events WHERE key IN ({}) \
                     UNION SELECT events.key FROM events JOIN subtree ON events.parent_key = subtree.key \
                 ) SELECT $1, key FROM subtree",
                placeholders(2, targets.len())
            );
            let mut query = sqlx::query(&sql).bind(moderation_id);
            for key in &targets {
                query = query.bind(*key);
            }
            query.execute(&mut *tx).await?;
        }
        let hidden = sqlx::query(
            "UPDATE events SET hidden = hidden + 1, updated_at_ms = $2 \
             WHERE key IN (SELECT event_key FROM moderation_hidden_events WHERE moderation_id = $1)",
        )
        .bind(moderation_id)
        .bind(moderation.now_ms)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        // Every id of the targets, and the ids as the moderator wrote them (the target may
        // arrive later through federation).
        if !targets.is_empty() {
            let sql = format!(
                "INSERT INTO banned_ids (value, moderation_id) \
                 SELECT value, $1 FROM event_ids WHERE event_key IN ({}) ON CONFLICT DO NOTHING",
                placeholders(2, targets.len())
            );
            let mut query = sqlx::query(&sql).bind(moderation_id);
            for key in &targets {
                query = query.bind(*key);
            }
            query.execute(&mut *tx).await?;
        }
        for id in moderation.event.parent_ids() {
            sqlx::query(
                "INSERT INTO banned_ids (value, moderation_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            )
            .bind(id.as_str())
            .bind(moderation_id)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(DeleteOutcome::Deleted { hidden })
    }

    pub(super) async fn restore_in_transaction(
        &self,
        moderation: Moderation<'_>,
    ) -> Result<RestoreOutcome, StorageError> {
        let mut tx = self.writer.begin().await?;
        let ids = moderation.event.parent_ids();
        if ids.is_empty() {
            tx.rollback().await?;
            return Ok(RestoreOutcome::NothingToRestore);
        }
        // Standing deletes named by their own spasmid, or by an id they banned.
        let sql = format!(
            "SELECT id FROM moderations WHERE action = 'delete' AND undone_at_ms IS NULL AND ( \
                 spasmid IN ({list}) \
                 OR id IN (SELECT moderation_id FROM banned_ids WHERE value IN ({list})))",
            list = placeholders(1, ids.len())
        );
        let mut query = sqlx::query(&sql);
        for id in ids {
            query = query.bind(id.as_str());
        }
        let undone: Vec<i64> = query
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|row| row.try_get::<i64, _>(0))
            .collect::<Result<_, _>>()?;
        if undone.is_empty() {
            tx.rollback().await?;
            return Ok(RestoreOutcome::NothingToRestore);
        }
        if record_moderation(&mut tx, &moderation, "restore")
            .await?
            .is_none()
        {
            tx.rollback().await?;
            return Ok(RestoreOutcome::Duplicate);
        }
        for moderation_id in &undone {
            sqlx::query("UPDATE moderations SET undone_at_ms = $2, undone_by = $3 WHERE id = $1")
                .bind(*moderation_id)
                .bind(moderation.now_ms)
                .bind(moderation.moderator.as_str())
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "UPDATE events SET hidden = hidden - 1, updated_at_ms = $2 \
                 WHERE key IN (SELECT event_key FROM moderation_hidden_events WHERE moderation_id = $1)",
            )
            .bind(*moderation_id)
            .bind(moderation.now_ms)
            .execute(&mut *tx)
            .await?;
            sqlx::query("DELETE FROM banned_ids WHERE moderation_id = $1")
                .bind(*moderation_id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
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
        let inserted = sqlx::query(
            "INSERT INTO admin_events (spasmid, action, signer, content, added_at_ms, event_json) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (spasmid) DO NOTHING",
        )
        .bind(event.spasmid())
        .bind(event.action())
        .bind(signer.as_str())
        .bind(event.content())
        .bind(now_ms)
        .bind(event.event_json())
        .execute(&self.writer)
        .await?
        .rows_affected();
        Ok(inserted == 1)
    }
}

/// The body of [`SqlStore::insert_event_in_transaction`]: any refusal is returned before or
/// instead of a commit.
async fn insert_event(tx: &mut Tx, insert: &Insert<'_>) -> Result<InsertOutcome, StorageError> {
    let event = insert.event;
    let ids: Vec<&str> = event.ids().iter().map(|id| id.value.as_str()).collect();
    if is_banned(tx, &ids).await? {
        return Ok(InsertOutcome::Banned);
    }
    let mut parent_key = None;
    if !event.parent_ids().is_empty() {
        match find_target(tx, event.parent_ids()).await? {
            Some((key, 0)) => parent_key = Some(key),
            Some(_) if insert.target.is_some() => return Ok(InsertOutcome::TargetDeleted),
            None if insert.target.is_some() => return Ok(InsertOutcome::TargetNotFound),
            _ => {}
        }
    }
    let key: Option<i64> = sqlx::query_scalar(
        "INSERT INTO events (spasmid, action, is_signed, source_name, parent_key, signed_at_ms, \
             added_at_ms, updated_at_ms, origin, event_json) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8, $9) \
         ON CONFLICT (spasmid) DO NOTHING RETURNING key",
    )
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
    // Every id is unique across events: an event that shares one (a URL, a signature) with
    // a stored event is a duplicate of it.
    let sql = format!(
        "INSERT INTO event_ids (event_key, value, format) VALUES {} ON CONFLICT (value) DO NOTHING",
        rows(3, event.ids().len())
    );
    let mut query = sqlx::query(&sql).bind(key);
    for id in event.ids() {
        query = query.bind(id.value.as_str()).bind(id.format.as_str());
    }
    if query.execute(&mut **tx).await?.rows_affected() != event.ids().len() as u64 {
        return Ok(InsertOutcome::Duplicate);
    }
    if !event.authors().is_empty() {
        let sql = format!(
            "INSERT INTO event_authors (event_key, address, verified) VALUES {} ON CONFLICT DO NOTHING",
            rows(3, event.authors().len())
        );
        let mut query = sqlx::query(&sql).bind(key);
        for author in event.authors() {
            query = query
                .bind(author.address.as_str())
                .bind(i64::from(author.verified));
        }
        query.execute(&mut **tx).await?;
    }
    for (table, column, values) in [
        ("event_categories", "name", event.categories()),
        ("event_keywords", "keyword", event.keywords()),
    ] {
        if values.is_empty() {
            continue;
        }
        let sql = format!(
            "INSERT INTO {table} (event_key, {column}) VALUES {} ON CONFLICT DO NOTHING",
            rows(2, values.len())
        );
        let mut query = sqlx::query(&sql).bind(key);
        for value in values {
            query = query.bind(value.as_str());
        }
        query.execute(&mut **tx).await?;
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
            let inserted = sqlx::query(
                "INSERT INTO signer_actions (target_key, signer, action, content_digest, event_key) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            )
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
        sqlx::query(
            "INSERT INTO reaction_counts (target_key, action, content, total, latest_ms) \
             VALUES ($1, $2, $3, 1, $4) \
             ON CONFLICT (target_key, action, content) DO UPDATE SET total = reaction_counts.total + 1, \
                 latest_ms = CASE WHEN excluded.latest_ms > reaction_counts.latest_ms \
                     THEN excluded.latest_ms ELSE reaction_counts.latest_ms END",
        )
        .bind(target)
        .bind(action.as_str())
        .bind(content.as_str())
        .bind(insert.now_ms)
        .execute(&mut **tx)
        .await?;
        let column = if action == "reply" {
            "reply_count"
        } else {
            "react_count"
        };
        sqlx::query(&format!(
            "UPDATE events SET {column} = {column} + 1, updated_at_ms = $2 WHERE key = $1"
        ))
        .bind(target)
        .bind(insert.now_ms)
        .execute(&mut **tx)
        .await?;
    }
    Ok(None)
}

async fn is_banned(tx: &mut Tx, ids: &[&str]) -> Result<bool, StorageError> {
    let sql = format!(
        "SELECT 1 FROM banned_ids JOIN moderations ON moderations.id = banned_ids.moderation_id \
         WHERE moderations.undone_at_ms IS NULL AND banned_ids.value IN ({}) LIMIT 1",
        placeholders(1, ids.len())
    );
    let mut query = sqlx::query(&sql);
    for id in ids {
        query = query.bind(*id);
    }
    Ok(query.fetch_optional(&mut **tx).await?.is_some())
}

/// The stored event with one of these ids, and how many deletes hide it.
async fn find_target(tx: &mut Tx, ids: &[String]) -> Result<Option<(i64, i64)>, StorageError> {
    let sql = format!(
        "SELECT events.key, events.hidden FROM event_ids JOIN events ON events.key = event_ids.event_key \
         WHERE event_ids.value IN ({}) ORDER BY events.hidden LIMIT 1",
        placeholders(1, ids.len())
    );
    let mut query = sqlx::query(&sql);
    for id in ids {
        query = query.bind(id.as_str());
    }
    let Some(row) = query.fetch_optional(&mut **tx).await? else {
        return Ok(None);
    };
    Ok(Some((row.try_get(0)?, row.try_get(1)?)))
}

async fn keys_of_ids(tx: &mut Tx, ids: &[String]) -> Result<Vec<i64>, StorageError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT DISTINCT event_key FROM event_ids WHERE value IN ({})",
        placeholders(1, ids.len())
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
    Ok(sqlx::query_scalar(
        "INSERT INTO moderations (spasmid, action, moderator, target_ids, at_ms, event_json) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (spasmid) DO NOTHING RETURNING id",
    )
    .bind(moderation.event.spasmid())
    .bind(action)
    .bind(moderation.moderator.as_str())
    .bind(target_ids)
    .bind(moderation.now_ms)
    .bind(moderation.event.event_json())
    .fetch_optional(&mut **tx)
    .await?)
}

/// `($1, $2, $3), ($1, $4, $5), …`: `count` rows of `width` values, each starting with the
/// shared `$1` (the event's key).
fn rows(width: usize, count: usize) -> String {
    let per_row = width - 1;
    (0..count)
        .map(|row| format!("($1, {})", placeholders(2 + row * per_row, per_row)))
        .collect::<Vec<_>>()
        .join(", ")
}
