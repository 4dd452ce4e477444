//! The reads of the store. Every list is an index range in insertion order (keyset pages),
//! so no read grows with the size of the table.

use std::collections::HashMap;

use sqlx::Row;
use sqlx::any::AnyRow;

use super::sql::SqlStore;
use super::{AdminEvent, ModerationRecord, StorageError};
use crate::address::AuthorAddress;
use crate::envelope::{Counter, Stats, StoredEvent};
use crate::query::{FeedFilter, Page, WebType};

/// The columns every event read selects, in [`event_from_row`]'s order.
const EVENT_COLUMNS: &str =
    "events.key, events.added_at_ms, events.updated_at_ms, events.parent_key, events.event_json";

/// A query under construction: SQL text and its bound values, numbered as they are added.
#[derive(Default)]
struct Sql {
    text: String,
    values: Vec<Bound>,
}

enum Bound {
    Int(i64),
    Text(String),
}

impl Sql {
    fn new(text: &str) -> Self {
        Self {
            text: text.to_owned(),
            values: Vec::new(),
        }
    }

    fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Appends a placeholder for `value`.
    fn bind(&mut self, value: Bound) -> &mut Self {
        self.values.push(value);
        let placeholder = format!("${}", self.values.len());
        self.text.push_str(&placeholder);
        self
    }

    fn bind_int(&mut self, value: i64) -> &mut Self {
        self.bind(Bound::Int(value))
    }

    fn bind_text(&mut self, value: &str) -> &mut Self {
        self.bind(Bound::Text(value.to_owned()))
    }

    fn bind_list<T>(&mut self, items: &[T], bound: impl Fn(&T) -> Bound) -> &mut Self {
        self.push("(");
        for (index, item) in items.iter().enumerate() {
            if index > 0 {
                self.push(", ");
            }
            self.bind(bound(item));
        }
        self.push(")")
    }

    /// `AND key < before AND key > since ORDER BY key DESC|ASC LIMIT n`; with only `since`
    /// the page is read oldest first (to read forward without gaps) and reversed after.
    fn page(&mut self, column: &str, page: Page) -> bool {
        if let Some(before) = page.before {
            self.push(&format!(" AND {column} < ")).bind_int(before);
        }
        if let Some(since) = page.since {
            self.push(&format!(" AND {column} > ")).bind_int(since);
        }
        let ascending = page.since.is_some() && page.before.is_none();
        let order = if ascending { "ASC" } else { "DESC" };
        self.push(&format!(" ORDER BY {column} {order} LIMIT "))
            .bind_int(i64::from(page.limit));
        ascending
    }

    fn query(&self) -> sqlx::query::Query<'_, sqlx::Any, sqlx::any::AnyArguments<'_>> {
        let mut query = sqlx::query(&self.text);
        for value in &self.values {
            query = match value {
                Bound::Int(value) => query.bind(*value),
                Bound::Text(value) => query.bind(value.as_str()),
            };
        }
        query
    }
}

impl SqlStore {
    pub(super) async fn read_feed(
        &self,
        filter: &FeedFilter,
        min_reactions: Option<i64>,
        page: Page,
    ) -> Result<Vec<StoredEvent>, StorageError> {
        let mut sql = Sql::new(&format!("SELECT {EVENT_COLUMNS} FROM events"));
        if let Some(category) = &filter.category {
            sql.push(" JOIN event_categories ON event_categories.event_key = events.key AND event_categories.name = ")
                .bind_text(category);
        }
        if let Some(keyword) = &filter.keyword {
            sql.push(" JOIN event_keywords ON event_keywords.event_key = events.key AND event_keywords.keyword = ")
                .bind_text(keyword);
        }
        sql.push(" WHERE events.hidden = 0");
        if let Some(web_type) = filter.web_type {
            sql.push(" AND events.is_signed = ")
                .bind_int(i64::from(web_type == WebType::Web3));
        }
        if let Some(action) = &filter.action {
            sql.push(" AND events.action = ").bind_text(action);
        }
        if let Some(source) = &filter.source {
            sql.push(" AND events.source_name = ").bind_text(source);
        }
        if let Some(min_reactions) = min_reactions {
            sql.push(" AND events.react_count >= ")
                .bind_int(min_reactions);
        }
        let ascending = sql.page("events.key", page);
        self.events(&sql, ascending).await
    }

    pub(super) async fn read_event_by_id(
        &self,
        id: &str,
    ) -> Result<Option<StoredEvent>, StorageError> {
        let mut sql = Sql::new(&format!(
            "SELECT {EVENT_COLUMNS} FROM event_ids JOIN events ON events.key = event_ids.event_key \
             WHERE events.hidden = 0 AND event_ids.value = "
        ));
        sql.bind_text(id);
        Ok(self.events(&sql, false).await?.into_iter().next())
    }

    pub(super) async fn read_event_by_id_prefix(
        &self,
        prefix: &str,
    ) -> Result<Option<StoredEvent>, StorageError> {
        // A range on the primary key (byte order on both backends) instead of LIKE, which
        // SQLite cannot serve from an index.
        let mut end = prefix.to_owned();
        end.push(char::MAX);
        let mut sql = Sql::new(&format!(
            "SELECT {EVENT_COLUMNS} FROM event_ids JOIN events ON events.key = event_ids.event_key \
             WHERE events.hidden = 0 AND event_ids.value >= "
        ));
        sql.bind_text(prefix)
            .push(" AND event_ids.value < ")
            .bind_text(&end)
            .push(" ORDER BY event_ids.value LIMIT 1");
        Ok(self.events(&sql, false).await?.into_iter().next())
    }

    pub(super) async fn read_keys_of_ids(&self, ids: &[&str]) -> Result<Vec<i64>, StorageError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql = Sql::new("SELECT DISTINCT event_key FROM event_ids WHERE value IN ");
        sql.bind_list(ids, |id| Bound::Text((*id).to_owned()));
        let rows = sql.query().fetch_all(&self.reader).await?;
        Ok(rows
            .iter()
            .map(|row| row.try_get::<i64, _>(0))
            .collect::<Result<_, _>>()?)
    }

    pub(super) async fn read_children(
        &self,
        parents: &[i64],
        actions: Option<&[String]>,
        page: Page,
    ) -> Result<Vec<StoredEvent>, StorageError> {
        if parents.is_empty() || actions.is_some_and(<[String]>::is_empty) {
            return Ok(Vec::new());
        }
        let mut sql = Sql::new(&format!(
            "SELECT {EVENT_COLUMNS} FROM events WHERE events.hidden = 0 AND events.parent_key IN "
        ));
        sql.bind_list(parents, |key| Bound::Int(*key));
        if let Some(actions) = actions {
            sql.push(" AND events.action IN ")
                .bind_list(actions, |action| Bound::Text(action.clone()));
        }
        let ascending = sql.page("events.key", page);
        self.events(&sql, ascending).await
    }

    pub(super) async fn read_replies(
        &self,
        parents: &[i64],
        limit: u32,
    ) -> Result<Vec<StoredEvent>, StorageError> {
        if parents.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql = Sql::new(&format!(
            "SELECT {EVENT_COLUMNS} FROM events WHERE events.hidden = 0 AND events.action = 'reply' \
             AND events.parent_key IN "
        ));
        sql.bind_list(parents, |key| Bound::Int(*key))
            .push(" ORDER BY events.key ASC LIMIT ")
            .bind_int(i64::from(limit));
        self.events(&sql, false).await
    }

    pub(super) async fn read_by_author(
        &self,
        author: &AuthorAddress,
        page: Page,
    ) -> Result<Vec<StoredEvent>, StorageError> {
        let mut sql = Sql::new(&format!(
            "SELECT {EVENT_COLUMNS} FROM event_authors JOIN events ON events.key = event_authors.event_key \
             WHERE event_authors.verified = 1 AND events.hidden = 0 AND event_authors.address = "
        ));
        sql.bind_text(author.as_str());
        let ascending = sql.page("event_authors.event_key", page);
        self.events(&sql, ascending).await
    }

    pub(super) async fn read_admin_events(
        &self,
        action_prefix: &str,
        limit: u32,
    ) -> Result<Vec<AdminEvent>, StorageError> {
        let mut end = action_prefix.to_owned();
        end.push(char::MAX);
        let rows = sqlx::query(
            "SELECT action, signer, content, added_at_ms FROM admin_events \
             WHERE action >= $1 AND action < $2 ORDER BY id DESC LIMIT $3",
        )
        .bind(action_prefix)
        .bind(end)
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
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

    pub(super) async fn read_moderations(
        &self,
        page: Page,
    ) -> Result<Vec<ModerationRecord>, StorageError> {
        let mut sql = Sql::new(
            "SELECT id, spasmid, action, moderator, target_ids, at_ms, undone_at_ms, undone_by \
             FROM moderations WHERE 1 = 1",
        );
        let ascending = sql.page("id", page);
        let mut records = sql
            .query()
            .fetch_all(&self.reader)
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
    async fn events(&self, sql: &Sql, reverse: bool) -> Result<Vec<StoredEvent>, StorageError> {
        let rows = sql.query().fetch_all(&self.reader).await?;
        let mut events = rows
            .iter()
            .map(event_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        if reverse {
            events.reverse();
        }
        self.attach_stats(&mut events).await?;
        Ok(events)
    }

    async fn attach_stats(&self, events: &mut [StoredEvent]) -> Result<(), StorageError> {
        if events.is_empty() {
            return Ok(());
        }
        let keys: Vec<i64> = events.iter().map(|event| event.key).collect();
        let mut sql = Sql::new(
            "SELECT target_key, action, content, total, latest_ms FROM reaction_counts WHERE target_key IN ",
        );
        sql.bind_list(&keys, |key| Bound::Int(*key))
            .push(" ORDER BY target_key, total DESC, content");
        let mut stats: HashMap<i64, Stats> = HashMap::new();
        for row in sql.query().fetch_all(&self.reader).await? {
            let target: i64 = row.try_get(0)?;
            let action: String = row.try_get(1)?;
            let counter = Counter {
                content: row.try_get(2)?,
                total: row.try_get(3)?,
                latest_ms: row.try_get(4)?,
            };
            let entry = stats.entry(target).or_default();
            if action == "reply" {
                entry.replies = Some(counter);
            } else {
                entry.reactions.push(counter);
            }
        }
        for event in events {
            if let Some(stats) = stats.remove(&event.key) {
                event.stats = stats;
            }
        }
        Ok(())
    }
}

fn event_from_row(row: &AnyRow) -> Result<StoredEvent, sqlx::Error> {
    Ok(StoredEvent {
        key: row.try_get(0)?,
        added_at_ms: row.try_get(1)?,
        updated_at_ms: row.try_get(2)?,
        parent_key: row.try_get(3)?,
        event_json: row.try_get(4)?,
        stats: Stats::default(),
    })
}
