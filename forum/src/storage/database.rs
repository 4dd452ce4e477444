//! [`Database`]: the [`Store`], written once over a backend's reader connections and its
//! write queue.

use std::sync::Arc;

use async_trait::async_trait;
use tokio::sync::oneshot;

use super::changes::Change;
use super::executor::{BoxFuture, Executor, Script, script};
use super::job_lock::{HeldJobLock, JobGroup, JobLocks};
use super::read_cache::{CachedRead, ReadCache};
use super::writer::WriteQueue;
use super::{
    AdminEvent, AuthorDeletion, Backend, DeleteOutcome, Deletion, Delivery, FormTable,
    ImportProgress, Insert, InsertOutcome, JobState, Moderation, ModerationRecord, OutboxAnswer,
    OutboxItem, Publication, RelayListUpdate, RelayReadState, RestoreOutcome, StorageError, Store,
    StoredForm, SubscriptionTargets, nostr, reads, statements, writes,
};
use crate::address::AuthorAddress;
use crate::envelope::StoredEvent;
use crate::profile::{ProfileUpdate, StoredProfile};
use crate::query::{FeedFilter, Page};
use crate::record::{EventId, NewEvent};
use crate::search::SearchQuery;

/// The size of the health check's probe write: the default largest event.
const PROBE_BYTES: usize = 256 * 1024;

/// `bytes` random bytes as hex.
fn random_hex(bytes: usize) -> String {
    use rand::RngCore as _;
    let mut random = vec![0_u8; bytes];
    rand::rng().fill_bytes(&mut random);
    hex::encode(random)
}

/// How a backend runs reads: on one of its reader connections.
#[async_trait]
pub(super) trait ReadConnections: Send + Sync + std::fmt::Debug {
    /// Runs `script` on a reader connection.
    async fn read(&self, script: Script<()>) -> Result<(), StorageError>;

    /// How many connections are open and idle.
    fn pool_use(&self) -> super::PoolUse;
}

/// The store: a backend's readers, its write queue and the cache of frequent reads.
#[derive(Debug)]
pub(super) struct Database {
    backend: Backend,
    readers: Box<dyn ReadConnections>,
    writes: WriteQueue,
    cache: Arc<ReadCache>,
    job_locks: Box<dyn JobLocks>,
}

impl Database {
    pub(super) fn new(
        backend: Backend,
        readers: Box<dyn ReadConnections>,
        writes: WriteQueue,
        cache: Arc<ReadCache>,
        job_locks: Box<dyn JobLocks>,
    ) -> Self {
        Self {
            backend,
            readers,
            writes,
            cache,
            job_locks,
        }
    }

    /// Runs a read script on a reader connection.
    async fn read<T: Send + 'static>(
        &self,
        work: impl for<'c> FnOnce(&'c mut dyn Executor) -> BoxFuture<'c, Result<T, StorageError>>
        + Send
        + 'static,
    ) -> Result<T, StorageError> {
        let (answer, answered) = oneshot::channel();
        self.readers
            .read(script(move |db| {
                Box::pin(async move {
                    let _ = answer.send(work(db).await?);
                    Ok(())
                })
            }))
            .await?;
        answered
            .await
            .map_err(|_| StorageError::Worker("a read gave no answer".into()))
    }

    /// An event query, through the cache when `cached` names it.
    async fn events(
        &self,
        cached: Option<CachedRead>,
        sql: statements::Sql,
        reverse: bool,
    ) -> Result<Vec<StoredEvent>, StorageError> {
        let version = self.cache.version();
        if let Some(answer) = cached.as_ref().and_then(|read| self.cache.get(read)) {
            return Ok(answer);
        }
        let events = self
            .read(move |db| Box::pin(async move { reads::events(db, &sql, reverse).await }))
            .await?;
        if let Some(read) = cached {
            self.cache.put(read, version, &events);
        }
        Ok(events)
    }
}

#[async_trait]
impl Store for Database {
    fn backend(&self) -> Backend {
        self.backend
    }

    async fn ping(&self) -> Result<(), StorageError> {
        self.read(|db| Box::pin(async move { db.fetch_all("SELECT 1", &[]).await.map(drop) }))
            .await
    }

    async fn try_job_lock(
        &self,
        group: JobGroup,
    ) -> Result<Option<Box<dyn HeldJobLock>>, StorageError> {
        self.job_locks.try_lock(group).await
    }

    async fn changed(&self) {
        self.cache.changed().await;
    }

    fn content_version(&self) -> u64 {
        self.cache.version()
    }

    fn pool_use(&self) -> super::PoolUse {
        self.readers.pool_use()
    }

    fn write_fault(&self) -> Option<super::WriteFault> {
        self.writes.health().fault()
    }

    async fn probe_write(&self, now_ms: i64) -> Result<(), StorageError> {
        self.writes
            .write(move |db| {
                Box::pin(async move {
                    // As large as an event may be, random (PostgreSQL compresses a
                    // repetitive value to a few bytes) and different each time.
                    let padding = random_hex(PROBE_BYTES / 2);
                    db.execute(
                        statements::PROBE_WRITE,
                        &[now_ms.into(), padding.as_str().into()],
                    )
                    .await?;
                    Ok(((), true))
                })
            })
            .await
    }

    async fn insert_event(&self, insert: Insert) -> Result<InsertOutcome, StorageError> {
        self.writes
            .write(move |db| {
                Box::pin(async move {
                    let outcome = writes::insert_event(db, &insert).await?;
                    let stored = match outcome {
                        InsertOutcome::Stored { key } | InsertOutcome::Waiting { key } => Some(key),
                        _ => None,
                    };
                    if let (Some(key), Some(publication)) = (stored, &insert.publish) {
                        nostr::queue(db, publication, Some(key), insert.now_ms).await?;
                    }
                    Ok((outcome, stored.is_some()))
                })
            })
            .await
    }

    async fn delete_by_moderator(
        &self,
        moderation: Moderation,
    ) -> Result<DeleteOutcome, StorageError> {
        self.writes
            .write(move |db| {
                Box::pin(async move {
                    let outcome = writes::delete(db, &moderation).await?;
                    Ok((outcome, matches!(outcome, DeleteOutcome::Deleted { .. })))
                })
            })
            .await
    }

    async fn delete_by_author(
        &self,
        deletion: AuthorDeletion,
    ) -> Result<DeleteOutcome, StorageError> {
        self.writes
            .write(move |db| {
                Box::pin(async move {
                    let outcome = writes::delete_by_author(db, &deletion).await?;
                    Ok((outcome, matches!(outcome, DeleteOutcome::Deleted { .. })))
                })
            })
            .await
    }

    async fn deletion_of(&self, id: &str) -> Result<Option<Deletion>, StorageError> {
        let id = id.to_owned();
        self.read(move |db| Box::pin(async move { reads::deletion_of(db, &id).await }))
            .await
    }

    async fn restore_by_admin(
        &self,
        moderation: Moderation,
    ) -> Result<RestoreOutcome, StorageError> {
        self.writes
            .write(move |db| {
                Box::pin(async move {
                    let outcome = writes::restore(db, &moderation).await?;
                    Ok((outcome, matches!(outcome, RestoreOutcome::Restored { .. })))
                })
            })
            .await
    }

    async fn insert_admin_event(
        &self,
        event: NewEvent,
        signer: AuthorAddress,
        now_ms: i64,
    ) -> Result<bool, StorageError> {
        self.writes
            .write(move |db| {
                Box::pin(async move {
                    let inserted = writes::insert_admin_event(db, &event, &signer, now_ms).await?;
                    Ok((inserted, inserted))
                })
            })
            .await
    }

    async fn latest_admin_events(
        &self,
        action_prefix: &str,
        limit: u32,
    ) -> Result<Vec<AdminEvent>, StorageError> {
        let prefix = action_prefix.to_owned();
        self.read(move |db| Box::pin(async move { reads::admin_events(db, &prefix, limit).await }))
            .await
    }

    async fn save_nostr_profile(
        &self,
        update: ProfileUpdate,
        now_ms: i64,
        publish: Option<Publication>,
    ) -> Result<bool, StorageError> {
        self.writes
            .write(move |db| {
                Box::pin(async move {
                    let saved = writes::save_profile(db, &update, now_ms).await?;
                    if let (true, Some(publication)) = (saved, &publish) {
                        nostr::queue(db, publication, None, now_ms).await?;
                    }
                    Ok((saved, saved))
                })
            })
            .await
    }

    async fn save_relay_list(
        &self,
        update: RelayListUpdate,
        now_ms: i64,
    ) -> Result<bool, StorageError> {
        self.writes
            .write(move |db| {
                Box::pin(async move {
                    let saved = nostr::save_relay_list(db, &update, now_ms).await?;
                    Ok((saved, saved))
                })
            })
            .await
    }

    async fn write_relays(&self, pubkey: &AuthorAddress) -> Result<Vec<String>, StorageError> {
        let pubkey = pubkey.clone();
        self.read(move |db| Box::pin(async move { nostr::write_relays(db, pubkey.as_str()).await }))
            .await
    }

    async fn queue_publication(
        &self,
        publication: Publication,
        event_key: Option<i64>,
        now_ms: i64,
    ) -> Result<u64, StorageError> {
        self.writes
            .write(move |db| {
                Box::pin(async move {
                    let added = nostr::queue(db, &publication, event_key, now_ms).await?;
                    Ok((added, true))
                })
            })
            .await
    }

    async fn claim_outbox(
        &self,
        relay: &str,
        now_ms: i64,
        lease_until_ms: i64,
        limit: u32,
    ) -> Result<Vec<OutboxItem>, StorageError> {
        let relay = relay.to_owned();
        self.writes
            .write(move |db| {
                Box::pin(async move {
                    let items = nostr::claim(db, &relay, now_ms, lease_until_ms, limit).await?;
                    // An empty claim changed nothing: committing it would move the content
                    // version (and drop every kept page) at each relay's poll.
                    let claimed = !items.is_empty();
                    Ok((items, claimed))
                })
            })
            .await
    }

    async fn answer_outbox(
        &self,
        relay: &str,
        nostr_id: &str,
        answer: OutboxAnswer,
    ) -> Result<(), StorageError> {
        let (relay, nostr_id) = (relay.to_owned(), nostr_id.to_owned());
        self.writes
            .write(move |db| {
                Box::pin(async move {
                    nostr::answer(db, &relay, &nostr_id, &answer).await?;
                    Ok(((), true))
                })
            })
            .await
    }

    async fn deliveries(&self, nostr_id: &str) -> Result<Vec<Delivery>, StorageError> {
        let nostr_id = nostr_id.to_owned();
        self.read(move |db| Box::pin(async move { nostr::deliveries(db, &nostr_id).await }))
            .await
    }

    async fn outbox_backlog(&self, due_before_ms: i64) -> Result<Vec<(String, i64)>, StorageError> {
        self.read(move |db| Box::pin(async move { nostr::backlog(db, due_before_ms).await }))
            .await
    }

    async fn subscription_targets(
        &self,
        max_ids: u32,
        max_authors: u32,
    ) -> Result<SubscriptionTargets, StorageError> {
        self.read(move |db| {
            Box::pin(async move { nostr::subscription_targets(db, max_ids, max_authors).await })
        })
        .await
    }

    async fn relay_read_state(&self, relay: &str) -> Result<RelayReadState, StorageError> {
        let relay = relay.to_owned();
        self.read(move |db| Box::pin(async move { nostr::read_state(db, &relay).await }))
            .await
    }

    async fn save_relay_since(
        &self,
        relay: &str,
        since_s: i64,
        now_ms: i64,
    ) -> Result<(), StorageError> {
        let relay = relay.to_owned();
        self.writes
            .write(move |db| {
                Box::pin(async move {
                    nostr::save_since(db, &relay, since_s, now_ms).await?;
                    Ok(((), true))
                })
            })
            .await
    }

    async fn save_relay_error(
        &self,
        relay: &str,
        error: Option<String>,
        now_ms: i64,
    ) -> Result<(), StorageError> {
        let relay = relay.to_owned();
        self.writes
            .write(move |db| {
                Box::pin(async move {
                    nostr::save_error(db, &relay, error.as_deref(), now_ms).await?;
                    Ok(((), true))
                })
            })
            .await
    }

    async fn nostr_profile(
        &self,
        pubkey: &AuthorAddress,
    ) -> Result<Option<StoredProfile>, StorageError> {
        let pubkey = pubkey.clone();
        self.read(move |db| Box::pin(async move { reads::profile(db, &pubkey).await }))
            .await
    }

    async fn feed(
        &self,
        filter: &FeedFilter,
        min_reactions: Option<i64>,
        page: Page,
    ) -> Result<Vec<StoredEvent>, StorageError> {
        let (sql, ascending) = statements::feed(filter, min_reactions, page);
        self.events(
            CachedRead::feed(filter, min_reactions, page),
            sql,
            ascending,
        )
        .await
    }

    async fn search(
        &self,
        query: &SearchQuery,
        filter: &FeedFilter,
        min_reactions: Option<i64>,
        page: Page,
    ) -> Result<Vec<StoredEvent>, StorageError> {
        // Not cached: searches are many and rarely repeated.
        let sql = statements::search(self.backend, query, filter, min_reactions, page);
        if self.backend == Backend::Sqlite {
            return self.events(None, sql, false).await;
        }
        // PostgreSQL plans `ORDER BY key DESC LIMIT n` over a `tsvector` match as a walk down
        // the keys when it guesses the words are common (and it guesses so for every prefix),
        // which reads every row when they are rare or absent: half a second at a million
        // events. So: a walk over the newest events only, which finds a page when the words
        // are common; otherwise the GIN index alone, which is quick when they are rare, and
        // the page cut from what it found; the whole walk only for words common long ago.
        let recent = statements::search_recent(query, filter, min_reactions, page);
        let probe = statements::search_matches(query, page.before);
        let filter = filter.clone();
        self.read(move |db| {
            Box::pin(async move {
                let found = reads::events(db, &recent, false).await?;
                if found.len() >= page.limit as usize {
                    return Ok(found);
                }
                let matches = reads::ints(db, &probe).await?;
                if matches.len() > statements::SEARCH_PROBE_LIMIT {
                    return reads::events(db, &sql, false).await;
                }
                if matches.is_empty() {
                    return Ok(Vec::new());
                }
                let among = statements::events_among(&matches, &filter, min_reactions, page);
                reads::events(db, &among, false).await
            })
        })
        .await
    }

    async fn index_for_search(&self, entries: Vec<(i64, String)>) -> Result<u64, StorageError> {
        self.writes
            .write(move |db| {
                Box::pin(async move {
                    let mut added = 0;
                    for (key, words) in &entries {
                        added += db
                            .execute(
                                statements::INDEX_WORDS,
                                &[(*key).into(), words.as_str().into()],
                            )
                            .await?;
                    }
                    Ok((added, false))
                })
            })
            .await
    }

    async fn event_by_id(&self, id: &str) -> Result<Option<StoredEvent>, StorageError> {
        let cached = CachedRead::Event(id.to_owned());
        let events = self
            .events(Some(cached), statements::event_by_id(id), false)
            .await?;
        Ok(events.into_iter().next())
    }

    async fn event_by_id_prefix(&self, prefix: &str) -> Result<Option<StoredEvent>, StorageError> {
        let sql = statements::event_by_id_prefix(prefix);
        self.read(move |db| Box::pin(async move { reads::first_event(db, &sql).await }))
            .await
    }

    async fn keys_of_ids(&self, ids: &[&str]) -> Result<Vec<i64>, StorageError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = statements::keys_of_ids(ids);
        self.read(move |db| Box::pin(async move { reads::ints(db, &sql).await }))
            .await
    }

    async fn reactions_by(
        &self,
        signers: &[&str],
        ids: &[&str],
    ) -> Result<Vec<(String, String)>, StorageError> {
        if signers.is_empty() || ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = statements::reactions_by(signers, ids);
        self.read(move |db| Box::pin(async move { reads::text_pairs(db, &sql).await }))
            .await
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
        let (sql, ascending) = statements::children(parents, actions, page);
        self.events(None, sql, ascending).await
    }

    async fn replies(&self, parents: &[i64], limit: u32) -> Result<Vec<StoredEvent>, StorageError> {
        if parents.is_empty() {
            return Ok(Vec::new());
        }
        let cached = CachedRead::Replies(parents.to_vec(), limit);
        self.events(Some(cached), statements::replies(parents, limit), false)
            .await
    }

    async fn thread_reply_totals(&self, roots: &[i64]) -> Result<Vec<(i64, i64)>, StorageError> {
        if roots.is_empty() {
            return Ok(Vec::new());
        }
        let sql = statements::thread_reply_totals(roots);
        self.read(move |db| Box::pin(async move { reads::int_pairs(db, &sql).await }))
            .await
    }

    async fn ancestors(&self, key: i64, limit: u32) -> Result<Vec<StoredEvent>, StorageError> {
        self.events(None, statements::ancestors(key, limit), false)
            .await
    }

    async fn by_author(
        &self,
        author: &AuthorAddress,
        page: Page,
    ) -> Result<Vec<StoredEvent>, StorageError> {
        let (sql, ascending) = statements::by_author(author.as_str(), page);
        self.events(None, sql, ascending).await
    }

    async fn moderations(&self, page: Page) -> Result<Vec<ModerationRecord>, StorageError> {
        let (sql, ascending) = statements::moderations(page);
        self.read(move |db| Box::pin(async move { reads::moderations(db, &sql, ascending).await }))
            .await
    }

    async fn changes(&self, after: i64, limit: u32) -> Result<Vec<Change>, StorageError> {
        self.read(move |db| Box::pin(async move { reads::changes(db, after, limit).await }))
            .await
    }

    async fn last_change(&self) -> Result<i64, StorageError> {
        self.read(|db| Box::pin(async move { reads::last_change(db).await }))
            .await
    }

    async fn stored_forms(
        &self,
        table: FormTable,
        after_key: i64,
        limit: u32,
    ) -> Result<Vec<StoredForm>, StorageError> {
        self.read(move |db| {
            Box::pin(async move {
                let params = [after_key.into(), i64::from(limit).into()];
                let rows = db
                    .fetch_all(statements::stored_forms(table), &params)
                    .await?;
                rows.into_iter().map(stored_form).collect()
            })
        })
        .await
    }

    async fn sample_forms(
        &self,
        table: FormTable,
        limit: u32,
    ) -> Result<Vec<StoredForm>, StorageError> {
        self.read(move |db| {
            Box::pin(async move {
                let params = [i64::from(limit).into()];
                let rows = db
                    .fetch_all(statements::sample_forms(table), &params)
                    .await?;
                rows.into_iter().map(stored_form).collect()
            })
        })
        .await
    }

    async fn form_count(&self, table: FormTable) -> Result<u64, StorageError> {
        self.read(move |db| {
            Box::pin(async move {
                let counts = db.fetch_ints(statements::form_count(table), &[]).await?;
                Ok(u64::try_from(counts.first().copied().unwrap_or_default()).unwrap_or_default())
            })
        })
        .await
    }

    async fn integrity_check(&self) -> Result<Option<Vec<String>>, StorageError> {
        if self.backend != Backend::Sqlite {
            return Ok(None);
        }
        self.read(|db| {
            Box::pin(async move {
                let rows = db.fetch_all("PRAGMA integrity_check", &[]).await?;
                let mut problems = Vec::new();
                for mut row in rows {
                    let line = row.text(0)?;
                    if line != "ok" {
                        problems.push(line);
                    }
                }
                Ok(Some(problems))
            })
        })
        .await
    }

    async fn import_progress(&self, source: &str) -> Result<Vec<ImportProgress>, StorageError> {
        let source = source.to_owned();
        self.read(move |db| {
            Box::pin(async move {
                let params = [source.as_str().into()];
                let rows = db.fetch_all(statements::IMPORT_PROGRESS, &params).await?;
                rows.into_iter()
                    .map(|mut row| {
                        Ok(ImportProgress {
                            source: row.text(0)?,
                            table: row.text(1)?,
                            last_db_key: row.int(2)?,
                            finished: row.int(3)? != 0,
                            updated_at_ms: row.int(4)?,
                        })
                    })
                    .collect()
            })
        })
        .await
    }

    async fn save_import_progress(
        &self,
        progress: Vec<ImportProgress>,
    ) -> Result<(), StorageError> {
        self.writes
            .write(move |db| {
                Box::pin(async move {
                    for entry in &progress {
                        let params = [
                            entry.source.as_str().into(),
                            entry.table.as_str().into(),
                            entry.last_db_key.into(),
                            i64::from(entry.finished).into(),
                            entry.updated_at_ms.into(),
                        ];
                        db.execute(statements::SAVE_IMPORT_PROGRESS, &params)
                            .await?;
                    }
                    Ok(((), true))
                })
            })
            .await
    }

    async fn add_event_id(&self, key: i64, id: EventId) -> Result<bool, StorageError> {
        self.writes
            .write(move |db| {
                Box::pin(async move {
                    let params = [
                        key.into(),
                        id.value.as_str().into(),
                        id.format.as_str().into(),
                    ];
                    let added = db.execute(statements::ADD_EVENT_ID, &params).await? > 0;
                    Ok((added, added))
                })
            })
            .await
    }

    async fn replace_spasmid(
        &self,
        table: FormTable,
        key: i64,
        spasmid: String,
    ) -> Result<bool, StorageError> {
        let Some(sql) = statements::replace_spasmid(table) else {
            return Ok(false);
        };
        self.writes
            .write(move |db| {
                Box::pin(async move {
                    let params = [key.into(), spasmid.as_str().into()];
                    let replaced = db.execute(sql, &params).await? > 0;
                    Ok((replaced, replaced))
                })
            })
            .await
    }

    async fn upgrade_done(&self, name: &str) -> Result<bool, StorageError> {
        let name = name.to_owned();
        self.read(move |db| {
            Box::pin(async move {
                let params = [name.as_str().into()];
                Ok(db
                    .fetch_optional(statements::UPGRADE_DONE, &params)
                    .await?
                    .is_some())
            })
        })
        .await
    }

    async fn mark_upgrade_done(&self, name: &str, now_ms: i64) -> Result<(), StorageError> {
        let name = name.to_owned();
        self.writes
            .write(move |db| {
                Box::pin(async move {
                    let params = [name.as_str().into(), now_ms.into()];
                    db.execute(statements::MARK_UPGRADE_DONE, &params).await?;
                    Ok(((), true))
                })
            })
            .await
    }

    async fn expire_waiting(&self, now_ms: i64) -> Result<u64, StorageError> {
        self.writes
            .write(move |db| {
                Box::pin(async move {
                    let dropped = writes::expire_waiting(db, now_ms).await?;
                    Ok((dropped, true))
                })
            })
            .await
    }

    async fn waiting_count(&self) -> Result<u64, StorageError> {
        self.read(|db| {
            Box::pin(async move {
                let total = db.fetch_ints(statements::WAITING_TOTAL, &[]).await?;
                Ok(u64::try_from(total.first().copied().unwrap_or_default()).unwrap_or_default())
            })
        })
        .await
    }

    async fn job_states(&self) -> Result<Vec<JobState>, StorageError> {
        self.read(|db| Box::pin(async move { reads::job_states(db).await }))
            .await
    }

    async fn claim_job(
        &self,
        name: &str,
        now_ms: i64,
        lease_until_ms: i64,
    ) -> Result<Option<JobState>, StorageError> {
        let name = name.to_owned();
        self.writes
            .write(move |db| {
                Box::pin(async move {
                    let state = writes::claim_job(db, &name, now_ms, lease_until_ms).await?;
                    Ok((state, true))
                })
            })
            .await
    }

    async fn save_job_cursor(
        &self,
        name: &str,
        cursor: &str,
        lease_until_ms: Option<i64>,
    ) -> Result<(), StorageError> {
        let (name, cursor) = (name.to_owned(), cursor.to_owned());
        self.writes
            .write(move |db| {
                Box::pin(async move {
                    let params = [
                        name.as_str().into(),
                        cursor.as_str().into(),
                        lease_until_ms.into(),
                    ];
                    db.execute(statements::SAVE_JOB_CURSOR, &params).await?;
                    Ok(((), true))
                })
            })
            .await
    }

    async fn release_all_jobs(&self) -> Result<u64, StorageError> {
        self.writes
            .write(move |db| {
                Box::pin(async move {
                    let released = db.execute(statements::RELEASE_ALL_JOBS, &[]).await?;
                    Ok((released, true))
                })
            })
            .await
    }

    async fn release_job(&self, name: &str, lease_until_ms: i64) -> Result<(), StorageError> {
        let name = name.to_owned();
        self.writes
            .write(move |db| {
                Box::pin(async move {
                    db.execute(
                        statements::RELEASE_JOB,
                        &[name.as_str().into(), lease_until_ms.into()],
                    )
                    .await?;
                    Ok(((), true))
                })
            })
            .await
    }

    async fn finish_job(&self, state: JobState) -> Result<bool, StorageError> {
        self.writes
            .write(move |db| {
                Box::pin(async move {
                    let finished = writes::finish_job(db, &state).await?;
                    Ok((finished, true))
                })
            })
            .await
    }

    async fn steer_job(
        &self,
        name: &str,
        paused: Option<bool>,
        run_now: bool,
    ) -> Result<(), StorageError> {
        let name = name.to_owned();
        self.writes
            .write(move |db| {
                Box::pin(async move {
                    writes::steer_job(db, &name, paused, run_now).await?;
                    Ok(((), true))
                })
            })
            .await
    }
}

/// A row of [`statements::stored_forms`] or [`statements::sample_forms`].
fn stored_form(mut row: super::executor::Row) -> Result<StoredForm, StorageError> {
    Ok(StoredForm {
        key: row.int(0)?,
        spasmid: row.text(1)?,
        event_json: row.text(2)?,
    })
}
