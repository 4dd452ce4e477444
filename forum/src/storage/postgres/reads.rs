//! The reads of the PostgreSQL store.

use std::collections::HashMap;

use sqlx::Row;
use sqlx::postgres::PgRow;

use super::{PostgresStore, query};
use crate::address::AuthorAddress;
use crate::envelope::{Counter, Stats, StoredEvent};
use crate::profile::StoredProfile;
use crate::query::Page;
use crate::storage::statements::{self, Sql};
use crate::storage::{AdminEvent, ModerationRecord, StorageError};

impl PostgresStore {
    pub(super) async fn read_admin_events(
        &self,
        action_prefix: &str,
        limit: u32,
    ) -> Result<Vec<AdminEvent>, StorageError> {
        let rows = sqlx::query(statements::ADMIN_EVENTS)
            .bind(action_prefix)
            .bind(statements::prefix_end(action_prefix))
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| {
                Ok(AdminEvent {
                    action: row.try_get(0)?,
                    signer: row.try_get(1)?,
                    content: row.try_get(2)?,
                    added_at_ms: row.try_get(3)?,
                })
            })
            .collect()
    }

    pub(super) async fn read_profile(
        &self,
        pubkey: &AuthorAddress,
    ) -> Result<Option<StoredProfile>, StorageError> {
        let row = sqlx::query(statements::PROFILE)
            .bind(pubkey.as_str())
            .fetch_optional(&self.pool)
            .await?;
        row.map(|row| {
            Ok(StoredProfile {
                created_at: row.try_get(0)?,
                event_json: row.try_get(1)?,
            })
        })
        .transpose()
    }

    pub(super) async fn read_moderations(
        &self,
        page: Page,
    ) -> Result<Vec<ModerationRecord>, StorageError> {
        let (sql, ascending) = statements::moderations(page);
        let mut records = query(&sql)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|row| {
                Ok(ModerationRecord {
                    id: row.try_get(0)?,
                    spasmid: row.try_get(1)?,
                    action: row.try_get(2)?,
                    moderator: row.try_get(3)?,
                    target_ids: row.try_get(4)?,
                    at_ms: row.try_get(5)?,
                    undone_at_ms: row.try_get(6)?,
                    undone_by: row.try_get(7)?,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
        if ascending {
            records.reverse();
        }
        Ok(records)
    }

    /// Runs an event query and attaches each event's counters (one more query for all).
    pub(super) async fn events(
        &self,
        sql: &Sql,
        reverse: bool,
    ) -> Result<Vec<StoredEvent>, StorageError> {
        let rows = query(sql).fetch_all(&self.pool).await?;
        let mut events = rows
            .iter()
            .map(event_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        if reverse {
            events.reverse();
        }
        if events.is_empty() {
            return Ok(events);
        }
        let keys: Vec<i64> = events.iter().map(|event| event.key).collect();
        let mut stats: HashMap<i64, Stats> = HashMap::new();
        for row in query(&statements::stats_of(&keys))
            .fetch_all(&self.pool)
            .await?
        {
            let action: String = row.try_get(1)?;
            let counter = Counter {
                content: row.try_get(2)?,
                total: row.try_get(3)?,
                latest_ms: row.try_get(4)?,
            };
            stats
                .entry(row.try_get(0)?)
                .or_default()
                .add(&action, counter);
        }
        for event in &mut events {
            if let Some(stats) = stats.remove(&event.key) {
                event.stats = stats;
            }
        }
        Ok(events)
    }
}

fn event_from_row(row: &PgRow) -> Result<StoredEvent, sqlx::Error> {
    Ok(StoredEvent {
        key: row.try_get(0)?,
        added_at_ms: row.try_get(1)?,
        updated_at_ms: row.try_get(2)?,
        parent_key: row.try_get(3)?,
        event_json: row.try_get(4)?,
        stats: Stats::default(),
    })
}
