//! [`PostgresStore`]: the [`Store`] on PostgreSQL, through a sqlx pool. Concurrent writers
//! are kept correct by row locks and unique indexes (`ON CONFLICT`), not by a lock of ours.

mod reads;
mod writes;

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::PgPool;
use sqlx::postgres::{PgArguments, PgConnectOptions, PgPoolOptions};
use sqlx::query::Query;

use super::statements::{Bound, Sql};
use super::{
    AdminEvent, Backend, DeleteOutcome, Insert, InsertOutcome, Moderation, ModerationRecord,
    RestoreOutcome, StorageError, Store,
};
use crate::address::AuthorAddress;
use crate::envelope::StoredEvent;
use crate::profile::{ProfileUpdate, StoredProfile};
use crate::query::{FeedFilter, Page};
use crate::record::NewEvent;

static MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

/// Pool size.
const CONNECTIONS: u32 = 16;

/// The store on PostgreSQL.
#[derive(Debug, Clone)]
pub struct PostgresStore {
    pool: PgPool,
}

impl PostgresStore {
    /// Connects to PostgreSQL at `url`, and migrates it.
    pub async fn open(url: &str) -> Result<Self, StorageError> {
        let options = PgConnectOptions::from_str(url)?;
        let pool = PgPoolOptions::new()
            .max_connections(CONNECTIONS)
            // Fail fast with a clear error when the server is unreachable.
            .acquire_timeout(Duration::from_secs(5))
            .connect_with(options)
            .await?;
        MIGRATIONS.run(&pool).await?;
        Ok(Self { pool })
    }
}

/// A sqlx query of a built [`Sql`].
fn query(sql: &Sql) -> Query<'_, sqlx::Postgres, PgArguments> {
    bind_all(sqlx::query(&sql.text), &sql.values)
}

fn bind_all<'q>(
    mut query: Query<'q, sqlx::Postgres, PgArguments>,
    values: &'q [Bound],
) -> Query<'q, sqlx::Postgres, PgArguments> {
    for value in values {
        query = match value {
            Bound::Int(value) => query.bind(*value),
            Bound::Text(value) => query.bind(value.as_str()),
        };
    }
    query
}

#[async_trait]
impl Store for PostgresStore {
    fn backend(&self) -> Backend {
        Backend::Postgres
    }

    async fn ping(&self) -> Result<(), StorageError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn insert_event(&self, insert: Insert<'_>) -> Result<InsertOutcome, StorageError> {
        self.insert_event_in_transaction(insert).await
    }

    async fn delete_by_moderator(
        &self,
        moderation: Moderation<'_>,
    ) -> Result<DeleteOutcome, StorageError> {
        self.delete_in_transaction(moderation).await
    }

    async fn restore_by_admin(
        &self,
        moderation: Moderation<'_>,
    ) -> Result<RestoreOutcome, StorageError> {
        self.restore_in_transaction(moderation).await
    }

    async fn insert_admin_event(
        &self,
        event: &NewEvent,
        signer: &AuthorAddress,
        now_ms: i64,
    ) -> Result<bool, StorageError> {
        self.insert_admin(event, signer, now_ms).await
    }

    async fn latest_admin_events(
        &self,
        action_prefix: &str,
        limit: u32,
    ) -> Result<Vec<AdminEvent>, StorageError> {
        self.read_admin_events(action_prefix, limit).await
    }

    async fn save_nostr_profile(
        &self,
        update: &ProfileUpdate,
        now_ms: i64,
    ) -> Result<bool, StorageError> {
        self.save_profile(update, now_ms).await
    }

    async fn nostr_profile(
        &self,
        pubkey: &AuthorAddress,
    ) -> Result<Option<StoredProfile>, StorageError> {
        self.read_profile(pubkey).await
    }

    async fn feed(
        &self,
        filter: &FeedFilter,
        min_reactions: Option<i64>,
        page: Page,
    ) -> Result<Vec<StoredEvent>, StorageError> {
        let (sql, ascending) = super::statements::feed(filter, min_reactions, page);
        self.events(&sql, ascending).await
    }

    async fn event_by_id(&self, id: &str) -> Result<Option<StoredEvent>, StorageError> {
        Ok(self
            .events(&super::statements::event_by_id(id), false)
            .await?
            .into_iter()
            .next())
    }

    async fn event_by_id_prefix(&self, prefix: &str) -> Result<Option<StoredEvent>, StorageError> {
        let sql = super::statements::event_by_id_prefix(prefix);
        Ok(self.events(&sql, false).await?.into_iter().next())
    }

    async fn keys_of_ids(&self, ids: &[&str]) -> Result<Vec<i64>, StorageError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = super::statements::keys_of_ids(ids);
        Ok(query(&sql)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|row| sqlx::Row::try_get::<i64, _>(row, 0))
            .collect::<Result<_, _>>()?)
    }

    async fn children(
        &self,
        parents: &[i64],
        actions: Option<&[String]>,
        page: Page,
    ) -> Result<Vec<StoredEvent>, StorageError> {
        if parents.is_empty() || actions.is_some_and(<[String]>::is_empty) {
            return Ok(Vec::new());
        }
        let (sql, ascending) = super::statements::children(parents, actions, page);
        self.events(&sql, ascending).await
    }

    async fn replies(&self, parents: &[i64], limit: u32) -> Result<Vec<StoredEvent>, StorageError> {
        if parents.is_empty() {
            return Ok(Vec::new());
        }
        self.events(&super::statements::replies(parents, limit), false)
            .await
    }

    async fn by_author(
        &self,
        author: &AuthorAddress,
        page: Page,
    ) -> Result<Vec<StoredEvent>, StorageError> {
        let (sql, ascending) = super::statements::by_author(author.as_str(), page);
        self.events(&sql, ascending).await
    }

    async fn moderations(&self, page: Page) -> Result<Vec<ModerationRecord>, StorageError> {
        self.read_moderations(page).await
    }
}
