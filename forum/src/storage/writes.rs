//! The store's write transactions, written once for both databases against [`Executor`].
//!
//! Each runs inside a savepoint of its group's transaction (`writer.rs`): an outcome other
//! than a success is returned instead of kept, and the writer rolls its savepoint back, so a
//! refused write leaves nothing behind. Every kept write records its change in the change
//! log (`changes.rs`) in the same transaction: a stored event through the migrations'
//! `events_change` trigger, in the statement that stores it; the others here.

use super::changes::ChangeKind;
use super::executor::{Executor, Param};
use super::statements;
use super::{
    AuthorDeletion, DeleteOutcome, Insert, InsertOutcome, JobState, Moderation, RestoreOutcome,
    StorageError, TargetCounter, TargetRule, WaitingRule,
};
use crate::address::AuthorAddress;
use crate::profile::ProfileUpdate;
use crate::record::NewEvent;
use spasm::action::Action;

/// Records a change of `kind` to `subject`, to be numbered (`changes.rs`).
async fn record_change(
    db: &mut dyn Executor,
    kind: ChangeKind,
    subject: &str,
    at_ms: i64,
) -> Result<(), StorageError> {
    db.execute(
        statements::RECORD_CHANGE,
        &[kind.name().into(), subject.into(), at_ms.into()],
    )
    .await
    .map(drop)
}

fn texts(values: &[String]) -> Vec<Param<'_>> {
    values.iter().map(Param::from).collect()
}

/// Stores an event with its ids, authors, categories and keywords; for replies and
/// reactions checks the target and the signer's earlier actions and counts on the target.
pub(super) async fn insert_event(
    db: &mut dyn Executor,
    insert: &Insert,
) -> Result<InsertOutcome, StorageError> {
    let event = &insert.event;
    let ids: Vec<Param<'_>> = event
        .ids()
        .iter()
        .map(|id| Param::from(&id.value))
        .collect();
    let mut parent_key = None;
    let mut waits = None;
    if !event.parent_ids().is_empty() {
        let sql = format!(
            "{}{} ORDER BY events.hidden LIMIT 1",
            statements::FIND_TARGET,
            statements::list(1, event.parent_ids().len())
        );
        let target = db.fetch_optional(&sql, &texts(event.parent_ids())).await?;
        match target {
            Some(row) if row.int(1)? == 0 => parent_key = Some(row.int(0)?),
            _ if insert.target.is_some() && is_banned(db, &ids).await? => {
                return Ok(InsertOutcome::Banned);
            }
            Some(_) if insert.target.is_some() => return Ok(InsertOutcome::TargetDeleted),
            None if insert.target.is_some() => {
                let (Some(rule), Some(signer)) = (insert.wait_for_target, event.signers().first())
                else {
                    return Ok(InsertOutcome::TargetNotFound);
                };
                if waiting_is_full(db, &rule, signer.as_str()).await? {
                    return Ok(InsertOutcome::WaitingFull);
                }
                waits = Some((rule, signer.as_str()));
            }
            _ => {}
        }
    }
    let mut params: Vec<Param<'_>> = vec![
        event.spasmid().into(),
        event.action().into(),
        i64::from(event.is_signed()).into(),
        event.source_name().into(),
        parent_key.into(),
        event.signed_at_ms().into(),
        insert.now_ms.into(),
        insert.origin.as_str().into(),
        event.event_json().into(),
    ];
    params.extend(ids.iter().copied());
    let stored = db
        .fetch_optional(&statements::insert_event_unless_banned(ids.len()), &params)
        .await?;
    let Some(row) = stored else {
        return Ok(if is_banned(db, &ids).await? {
            InsertOutcome::Banned
        } else {
            InsertOutcome::Duplicate
        });
    };
    let key = row.int(0)?;
    // Every id is unique across events: sharing one (a URL, a signature) with a stored
    // event makes this a duplicate of it.
    if insert_rows(db, key, event).await? != event.ids().len() as u64 {
        return Ok(InsertOutcome::Duplicate);
    }
    let signers: Vec<&str> = event.signers().iter().map(AuthorAddress::as_str).collect();
    if let (Some(rule), Some(target)) = (&insert.target, parent_key)
        && let Some(outcome) =
            apply_target_rule(db, &signers, rule, target, key, insert.now_ms).await?
    {
        return Ok(outcome);
    }
    attach_waiting(db, key, &ids, insert.now_ms).await?;
    if let (Some((rule, signer)), Some(target)) = (waits, &insert.target) {
        let (counter_action, counter_content) = match target.counter.map(counter_parts) {
            Some((action, content)) => (Some(action.name()), Some(content)),
            None => (None, None),
        };
        let (once_action, once_digest) = match &target.once_per_signer {
            Some((action, digest)) => (Some(action.name()), Some(digest.as_str())),
            None => (None, None),
        };
        for target_id in event.parent_ids() {
            db.execute(
                statements::WAIT_FOR_TARGET,
                &[
                    target_id.into(),
                    key.into(),
                    signer.into(),
                    counter_action.into(),
                    counter_content.into(),
                    once_action.into(),
                    once_digest.into(),
                    rule.expires_at_ms.into(),
                ],
            )
            .await?;
        }
        return Ok(InsertOutcome::Waiting { key });
    }
    Ok(InsertOutcome::Stored { key })
}

/// Whether `signer`, or everyone, has as many events waiting as the rule allows.
async fn waiting_is_full(
    db: &mut dyn Executor,
    rule: &WaitingRule,
    signer: &str,
) -> Result<bool, StorageError> {
    let by_signer = db
        .fetch_ints(statements::WAITING_BY_SIGNER, &[signer.into()])
        .await?;
    if by_signer.first().copied().unwrap_or_default() >= i64::from(rule.max_per_signer) {
        return Ok(true);
    }
    let total = db.fetch_ints(statements::WAITING_TOTAL, &[]).await?;
    Ok(total.first().copied().unwrap_or_default() >= i64::from(rule.max_total))
}

/// Attaches the replies and reactions that waited for the event just stored under `key`
/// (with `ids`), and applies their rules as if they had arrived after it: each signer does
/// the same only once (a repeat is dropped, hidden), and what counts is counted while
/// visible.
async fn attach_waiting(
    db: &mut dyn Executor,
    key: i64,
    ids: &[Param<'_>],
    now_ms: i64,
) -> Result<(), StorageError> {
    let sql = format!(
        "{}{}",
        statements::WAITING_FOR,
        statements::list(1, ids.len())
    );
    let mut waiters: Vec<i64> = Vec::new();
    let mut rules = Vec::new();
    for mut row in db.fetch_all(&sql, ids).await? {
        let waiter = row.int(0)?;
        if waiters.contains(&waiter) {
            continue;
        }
        waiters.push(waiter);
        let counter = match (row.opt_text(1)?, row.opt_text(2)?) {
            (Some(action), content) => Some((Action::of(&action), content.unwrap_or_default())),
            _ => None,
        };
        let once = match (row.opt_text(3)?, row.opt_text(4)?) {
            (Some(action), Some(digest)) => Some((Action::of(&action), digest)),
            _ => None,
        };
        rules.push((waiter, row.int(5)? == 0, counter, once));
    }
    for (waiter, visible, counter, once) in rules {
        db.execute(statements::STOP_WAITING, &[waiter.into()])
            .await?;
        db.execute(
            statements::ATTACH_TO_TARGET,
            &[waiter.into(), key.into(), now_ms.into()],
        )
        .await?;
        let signers = db
            .fetch_all(statements::VERIFIED_SIGNERS, &[waiter.into()])
            .await?
            .into_iter()
            .map(|mut row| row.text(0))
            .collect::<Result<Vec<_>, _>>()?;
        let signers: Vec<&str> = signers.iter().map(String::as_str).collect();
        if let Some((action, digest)) = &once
            && !record_signer_actions(db, &signers, *action, digest, key, waiter).await?
        {
            // As if it had arrived after its target: refused, and none of its signers'
            // records kept.
            db.execute(statements::DROP_WAITER, &[waiter.into(), now_ms.into()])
                .await?;
            db.execute(statements::FORGET_SIGNER_ACTIONS, &[waiter.into()])
                .await?;
            continue;
        }
        if let Some((action, content)) = &counter
            && visible
        {
            count_on_target(db, *action, content, key, now_ms).await?;
        }
    }
    Ok(())
}

/// Drops (hides) the events whose target has not arrived by `now_ms`.
pub(super) async fn expire_waiting(
    db: &mut dyn Executor,
    now_ms: i64,
) -> Result<u64, StorageError> {
    let dropped = db
        .execute(statements::DROP_EXPIRED_WAITERS, &[now_ms.into()])
        .await?;
    db.execute(statements::FORGET_EXPIRED_WAITERS, &[now_ms.into()])
        .await?;
    Ok(dropped)
}

/// Whether a moderator banned one of `ids`.
async fn is_banned(db: &mut dyn Executor, ids: &[Param<'_>]) -> Result<bool, StorageError> {
    let sql = format!("{}{}", statements::BANNED, statements::list(1, ids.len()));
    Ok(db.fetch_optional(&sql, ids).await?.is_some())
}

/// The event's ids, authors, categories and keywords; how many ids were new.
async fn insert_rows(
    db: &mut dyn Executor,
    key: i64,
    event: &NewEvent,
) -> Result<u64, StorageError> {
    let mut params: Vec<Param<'_>> = vec![key.into()];
    for id in event.ids() {
        params.push((&id.value).into());
        params.push((&id.format).into());
    }
    let sql = format!(
        "INSERT INTO event_ids (event_key, value, format) VALUES {} ON CONFLICT (value) DO NOTHING",
        statements::rows(3, event.ids().len())
    );
    let new_ids = db.execute(&sql, &params).await?;
    if !event.authors().is_empty() {
        let mut params: Vec<Param<'_>> = vec![key.into()];
        for author in event.authors() {
            params.push(author.address.as_str().into());
            params.push(i64::from(author.verified).into());
        }
        let sql = format!(
            "INSERT INTO event_authors (event_key, address, verified) VALUES {} ON CONFLICT DO NOTHING",
            statements::rows(3, event.authors().len())
        );
        db.execute(&sql, &params).await?;
    }
    // What people write is searched; reactions and other actions carry no words of theirs.
    if matches!(Action::of(event.action()), Action::Post | Action::Reply) {
        let words = crate::search::indexed_words(event.title(), event.content());
        db.execute(
            statements::INDEX_WORDS,
            &[key.into(), words.as_str().into()],
        )
        .await?;
    }
    for (table, column, values) in [
        ("event_categories", "name", event.categories()),
        ("event_keywords", "keyword", event.keywords()),
    ] {
        if values.is_empty() {
            continue;
        }
        let mut params: Vec<Param<'_>> = vec![key.into()];
        params.extend(texts(values));
        let sql = format!(
            "INSERT INTO {table} (event_key, {column}) VALUES {} ON CONFLICT DO NOTHING",
            statements::rows(2, values.len())
        );
        db.execute(&sql, &params).await?;
    }
    Ok(new_ids)
}

/// The action and content a counter counts under (`reaction_counts` and the event's column).
fn counter_parts(counter: TargetCounter) -> (Action, &'static str) {
    match counter {
        TargetCounter::Reply => (Action::Reply, ""),
        TargetCounter::Reaction(reaction) => (Action::React, reaction.name()),
    }
}

async fn apply_target_rule(
    db: &mut dyn Executor,
    signers: &[&str],
    rule: &TargetRule,
    target: i64,
    key: i64,
    now_ms: i64,
) -> Result<Option<InsertOutcome>, StorageError> {
    if let Some((action, digest)) = &rule.once_per_signer
        && !record_signer_actions(db, signers, *action, digest, target, key).await?
    {
        return Ok(Some(InsertOutcome::DuplicateAction));
    }
    if let Some(counter) = rule.counter {
        let (action, content) = counter_parts(counter);
        count_on_target(db, action, content, target, now_ms).await?;
    }
    Ok(None)
}

/// Records that each signer did `action` with `digest` to `target`; `false` when one of
/// them did before.
async fn record_signer_actions(
    db: &mut dyn Executor,
    signers: &[&str],
    action: Action,
    digest: &str,
    target: i64,
    key: i64,
) -> Result<bool, StorageError> {
    for signer in signers {
        let inserted = db
            .execute(
                statements::INSERT_SIGNER_ACTION,
                &[
                    target.into(),
                    (*signer).into(),
                    action.name().into(),
                    digest.into(),
                    key.into(),
                ],
            )
            .await?;
        if inserted == 0 {
            return Ok(false);
        }
    }
    Ok(true)
}

/// One more reply, or one more of a reaction, on `target`.
async fn count_on_target(
    db: &mut dyn Executor,
    action: Action,
    content: &str,
    target: i64,
    now_ms: i64,
) -> Result<(), StorageError> {
    db.execute(
        statements::COUNT_ON_TARGET,
        &[
            target.into(),
            action.name().into(),
            content.into(),
            now_ms.into(),
        ],
    )
    .await?;
    let count = if action == Action::Reply {
        statements::COUNT_REPLY
    } else {
        statements::COUNT_REACTION
    };
    db.execute(count, &[target.into(), now_ms.into()]).await?;
    Ok(())
}

async fn keys_of_ids(db: &mut dyn Executor, ids: &[String]) -> Result<Vec<i64>, StorageError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT DISTINCT event_key FROM event_ids WHERE value IN {}",
        statements::list(1, ids.len())
    );
    db.fetch_ints(&sql, &texts(ids)).await
}

/// The audit record of a delete or restore, as [`record_moderation`] keeps it.
struct AuditRecord<'a> {
    spasmid: &'a str,
    action: &'a str,
    by: &'a str,
    target_ids: &'a [String],
    at_ms: i64,
    event_json: &'a str,
}

impl<'a> AuditRecord<'a> {
    fn of(moderation: &'a Moderation, action: &'a str) -> Self {
        Self {
            spasmid: moderation.event.spasmid(),
            action,
            by: moderation.moderator.as_str(),
            target_ids: moderation.event.parent_ids(),
            at_ms: moderation.now_ms,
            event_json: moderation.event.event_json(),
        }
    }
}

/// Keeps the audit record of a moderation; `None` when it was recorded before.
async fn record_moderation(
    db: &mut dyn Executor,
    record: &AuditRecord<'_>,
) -> Result<Option<i64>, StorageError> {
    let target_ids = serde_json::to_string(record.target_ids)
        .map_err(|error| StorageError::Decode(error.to_string()))?;
    let row = db
        .fetch_optional(
            statements::RECORD_MODERATION,
            &[
                record.spasmid.into(),
                record.action.into(),
                record.by.into(),
                target_ids.as_str().into(),
                record.at_ms.into(),
                record.event_json.into(),
            ],
        )
        .await?;
    row.map(|row| row.int(0)).transpose()
}

/// The audit action of an author's own delete (NIP-09); a moderator's is `delete`.
pub(super) const DELETE_BY_AUTHOR: &str = "delete-by-author";

/// A moderator's delete: hide the targets' subtrees, ban their ids and every id the
/// moderator named (so that they are not stored again), keep the audit record.
pub(super) async fn delete(
    db: &mut dyn Executor,
    moderation: &Moderation,
) -> Result<DeleteOutcome, StorageError> {
    let targets = keys_of_ids(db, moderation.event.parent_ids()).await?;
    hide(
        db,
        &AuditRecord::of(moderation, "delete"),
        Hidden::Subtrees(&targets),
        moderation.event.parent_ids(),
    )
    .await
}

/// An author's own delete (NIP-09 kind 5): hides, and bans the ids of, only the named
/// events that `deletion.author` verifiably signed; [`DeleteOutcome::NotAuthor`] when it
/// signed none of them.
pub(super) async fn delete_by_author(
    db: &mut dyn Executor,
    deletion: &AuthorDeletion,
) -> Result<DeleteOutcome, StorageError> {
    if keys_of_ids(db, &deletion.target_ids).await?.is_empty() {
        return Ok(DeleteOutcome::NothingStored);
    }
    let mut params: Vec<Param<'_>> = vec![deletion.author.as_str().into()];
    params.extend(texts(&deletion.target_ids));
    let targets = db
        .fetch_ints(
            &statements::authored_keys(deletion.target_ids.len()),
            &params,
        )
        .await?;
    if targets.is_empty() {
        return Ok(DeleteOutcome::NotAuthor);
    }
    let record = AuditRecord {
        spasmid: &deletion.nostr_id,
        action: DELETE_BY_AUTHOR,
        by: deletion.author.as_str(),
        target_ids: &deletion.target_ids,
        at_ms: deletion.now_ms,
        event_json: &deletion.event_json,
    };
    // Others' replies stay: an author withdraws its own words, not theirs.
    hide(db, &record, Hidden::Only(&targets), &[]).await
}

/// What a delete hides.
enum Hidden<'a> {
    /// The events and every reply below them (a moderator's delete).
    Subtrees(&'a [i64]),
    /// The events alone (an author's delete).
    Only(&'a [i64]),
}

/// Hides `hidden`, bans the targets' ids and `also_banned`, keeps the record.
async fn hide(
    db: &mut dyn Executor,
    record: &AuditRecord<'_>,
    hidden: Hidden<'_>,
    also_banned: &[String],
) -> Result<DeleteOutcome, StorageError> {
    let Some(moderation_id) = record_moderation(db, record).await? else {
        return Ok(DeleteOutcome::Duplicate);
    };
    let (targets, hide) = match hidden {
        Hidden::Subtrees(targets) => (targets, statements::hide_subtree(targets.len())),
        Hidden::Only(targets) => (targets, statements::hide_events(targets.len())),
    };
    if !targets.is_empty() {
        let mut params: Vec<Param<'_>> = vec![moderation_id.into()];
        params.extend(targets.iter().map(|key| Param::Int(*key)));
        db.execute(&hide, &params).await?;
        db.execute(&statements::ban_ids_of(targets.len()), &params)
            .await?;
    }
    // Counts follow what reads show: what this delete hides stops counting on its parent.
    recount_moderated(db, moderation_id, -1).await?;
    let hidden = db
        .execute(
            statements::HIDE_MODERATED,
            &[moderation_id.into(), record.at_ms.into()],
        )
        .await?;
    for id in also_banned {
        db.execute(
            statements::BAN_WRITTEN_ID,
            &[id.into(), moderation_id.into()],
        )
        .await?;
    }
    record_change(db, ChangeKind::Deleted, record.spasmid, record.at_ms).await?;
    Ok(DeleteOutcome::Deleted { hidden })
}

/// Adds `delta` to the counts on their parents of the events of a moderation that are
/// visible now and count there (replies, signed reactions).
async fn recount_moderated(
    db: &mut dyn Executor,
    moderation_id: i64,
    delta: i64,
) -> Result<(), StorageError> {
    let mut groups: Vec<((i64, String, String), i64)> = Vec::new();
    for mut row in db
        .fetch_all(
            statements::COUNTED_IN_MODERATION,
            &[
                moderation_id.into(),
                Action::Reply.name().into(),
                Action::React.name().into(),
            ],
        )
        .await?
    {
        let key = (
            row.int(0)?,
            row.text(1)?,
            row.opt_text(2)?.unwrap_or_default(),
        );
        match groups.iter_mut().find(|(known, _)| *known == key) {
            Some((_, count)) => *count += 1,
            None => groups.push((key, 1)),
        }
    }
    for ((target, action, content), count) in &groups {
        let change = delta * count;
        db.execute(
            statements::RECOUNT_ON_TARGET,
            &[
                (*target).into(),
                action.as_str().into(),
                content.as_str().into(),
                change.into(),
            ],
        )
        .await?;
        let column = if Action::of(action) == Action::Reply {
            statements::RECOUNT_REPLIES
        } else {
            statements::RECOUNT_REACTIONS
        };
        db.execute(column, &[(*target).into(), change.into()])
            .await?;
    }
    Ok(())
}

/// An admin's undo of the standing deletes the event names.
pub(super) async fn restore(
    db: &mut dyn Executor,
    moderation: &Moderation,
) -> Result<RestoreOutcome, StorageError> {
    let ids = moderation.event.parent_ids();
    if ids.is_empty() {
        return Ok(RestoreOutcome::NothingToRestore);
    }
    let undone = db
        .fetch_ints(&statements::standing_deletes(ids.len()), &texts(ids))
        .await?;
    if undone.is_empty() {
        return Ok(RestoreOutcome::NothingToRestore);
    }
    if record_moderation(db, &AuditRecord::of(moderation, "restore"))
        .await?
        .is_none()
    {
        return Ok(RestoreOutcome::Duplicate);
    }
    for moderation_id in &undone {
        db.execute(
            statements::UNDO_MODERATION,
            &[
                (*moderation_id).into(),
                moderation.now_ms.into(),
                moderation.moderator.as_str().into(),
            ],
        )
        .await?;
        db.execute(
            statements::SHOW_MODERATED,
            &[(*moderation_id).into(), moderation.now_ms.into()],
        )
        .await?;
        // What is visible again counts again (an event another delete still hides does not).
        recount_moderated(db, *moderation_id, 1).await?;
        db.execute(statements::LIFT_BANS, &[(*moderation_id).into()])
            .await?;
    }
    record_change(
        db,
        ChangeKind::Restored,
        moderation.event.spasmid(),
        moderation.now_ms,
    )
    .await?;
    Ok(RestoreOutcome::Restored {
        undone: undone.len() as u64,
    })
}

/// An admin-signed event; `false` when stored before.
pub(super) async fn insert_admin_event(
    db: &mut dyn Executor,
    event: &NewEvent,
    signer: &AuthorAddress,
    now_ms: i64,
) -> Result<bool, StorageError> {
    let inserted = db
        .execute(
            statements::INSERT_ADMIN_EVENT,
            &[
                event.spasmid().into(),
                event.action().into(),
                signer.as_str().into(),
                event.content().into(),
                now_ms.into(),
                event.event_json().into(),
            ],
        )
        .await?;
    if inserted == 1 {
        record_change(db, ChangeKind::AdminEventStored, event.spasmid(), now_ms).await?;
    }
    Ok(inserted == 1)
}

/// A Nostr profile, unless a newer one of its key is stored; `false` then.
pub(super) async fn save_profile(
    db: &mut dyn Executor,
    update: &ProfileUpdate,
    now_ms: i64,
) -> Result<bool, StorageError> {
    let saved = db
        .execute(
            statements::SAVE_PROFILE,
            &[
                update.pubkey.as_str().into(),
                update.created_at.into(),
                update.event_id.as_str().into(),
                now_ms.into(),
                update.event_json.as_str().into(),
            ],
        )
        .await?;
    if saved == 1 {
        record_change(db, ChangeKind::ProfileSaved, update.pubkey.as_str(), now_ms).await?;
    }
    Ok(saved == 1)
}

/// Takes job `name` until `lease_until_ms` unless a run holds it; its state when taken.
pub(super) async fn claim_job(
    db: &mut dyn Executor,
    name: &str,
    now_ms: i64,
    lease_until_ms: i64,
) -> Result<Option<JobState>, StorageError> {
    db.execute(statements::CREATE_JOB, &[name.into()]).await?;
    let claimed = db
        .execute(
            statements::CLAIM_JOB,
            &[name.into(), lease_until_ms.into(), now_ms.into()],
        )
        .await?;
    if claimed == 0 {
        return Ok(None);
    }
    let sql = format!("{} WHERE name = $1", statements::JOB_STATES);
    match db.fetch_optional(&sql, &[name.into()]).await? {
        Some(row) => Ok(Some(super::reads::job_state_from_row(row)?)),
        None => Ok(None),
    }
}

/// Stores a job's state after a run and releases its lease; `false` when the run no longer
/// held it.
pub(super) async fn finish_job(
    db: &mut dyn Executor,
    state: &JobState,
) -> Result<bool, StorageError> {
    let finished = db
        .execute(
            statements::FINISH_JOB,
            &[
                state.name.as_str().into(),
                state.cursor.as_deref().into(),
                state.mode.as_deref().into(),
                state.etag.as_deref().into(),
                state.last_modified.as_deref().into(),
                state.last_run_ms.into(),
                state.last_success_ms.into(),
                state.last_error.as_deref().into(),
                state.last_error_ms.into(),
                state.failures.into(),
                state.next_attempt_ms.into(),
                state.taken.into(),
                state.refused.as_str().into(),
                state.last_report.as_deref().into(),
                state.possibly_incomplete_ms.into(),
                state.source_url.as_deref().into(),
                state.lease_until_ms.into(),
            ],
        )
        .await?;
    Ok(finished == 1)
}

/// Pauses or resumes a job, or schedules it at once.
pub(super) async fn steer_job(
    db: &mut dyn Executor,
    name: &str,
    paused: Option<bool>,
    run_now: bool,
) -> Result<(), StorageError> {
    db.execute(statements::CREATE_JOB, &[name.into()]).await?;
    if let Some(paused) = paused {
        db.execute(
            statements::PAUSE_JOB,
            &[name.into(), i64::from(paused).into()],
        )
        .await?;
    }
    if run_now {
        db.execute(statements::RUN_JOB_NOW, &[name.into()]).await?;
    }
    Ok(())
}
