//! The change log under concurrency, and the bounded write queue, on SQLite and PostgreSQL.
//!
//! Writers of two stores on one database (as two server processes would be) submit really
//! signed posts through `POST /api/submit` while one reader pages through the change log
//! and another through `GET /api/events?since=`: every acknowledged event is read exactly
//! once, in order, by both.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../forum/tests/support/mod.rs"]
mod support;

use std::collections::HashSet;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use forum::storage::{ChangeKind, Store, WriteLimits};
use forum::{Forum, Origin, Settings, SubmitError};
use http_body_util::BodyExt;
use serde_json::Value;
use server::config::Limits;
use server::http::{AppState, router};
use spasm::body::post;
use spasm::convert::convert_to_spasm;
use support::{Db, TestForum, bytes, test_limits};
use testkit::TestKey;
use tower::ServiceExt;

const WRITERS: u64 = 8;

/// Runs `scenario(db: Db)` on SQLite and on PostgreSQL, as the tests `scenario::sqlite`
/// and `scenario::postgres`.
macro_rules! on_sqlite_and_postgres {
    ($scenario:ident) => {
        mod $scenario {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$scenario(super::Db::Sqlite).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$scenario(super::Db::Postgres).await;
            }
        }
    };
}
const POSTS_PER_WRITER: u64 = 12;
const REPETITIONS: u64 = 10;

fn limits() -> Limits {
    Limits {
        submits_per_minute_per_ip: 0,
        submits_per_minute_per_key: 0,
        ..Limits::default()
    }
}

/// Runs `scenario`, then drops the test's PostgreSQL database whatever its outcome.
async fn dropping_database_after(
    cleanup: Option<(String, String)>,
    scenario: impl Future<Output = ()> + Send + 'static,
) {
    let outcome = tokio::spawn(scenario).await;
    support::drop_database(cleanup).await;
    if let Err(failure) = outcome {
        std::panic::resume_unwind(failure.into_panic());
    }
}

async fn send(router: &Router, mut request: Request<Body>) -> (StatusCode, Vec<u8>) {
    request
        .extensions_mut()
        .insert(ConnectInfo(SocketAddr::from(([192, 0, 2, 7], 40_000))));
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, body.to_vec())
}

/// A signed post and its spasmid.
fn signed_post(writer: u64, repetition: u64, index: u64) -> (Vec<u8>, String) {
    let key = TestKey::from_seed(500 + writer);
    let title = format!("writer {writer} round {repetition} post {index}");
    let body = post(
        &title,
        "text",
        None,
        1_730_000_000_000 + index,
        &[key.ethereum_author()],
    );
    let input = key.sign_ethereum(&body);
    let spasmid = convert_to_spasm(&input).unwrap().id().to_string();
    (bytes(&input), spasmid)
}

/// When a reader may stop: the writers are done (`acknowledged` is how many events they
/// stored) and the reader has read them all, or has paged 5 s without finding more (a change
/// is numbered within moments of its commit).
#[derive(Default)]
struct Stopping {
    idle_since: Option<Instant>,
}

impl Stopping {
    /// After a page that `found` something or nothing, with `seen` events read so far.
    fn after_page(&mut self, found: bool, acknowledged: Option<usize>, seen: usize) -> bool {
        if found {
            self.idle_since = None;
            return false;
        }
        let Some(acknowledged) = acknowledged else {
            return false;
        };
        let idle = self.idle_since.get_or_insert_with(Instant::now);
        seen >= acknowledged || idle.elapsed() > Duration::from_secs(5)
    }
}

/// Pages `GET /api/events?since=` from `since` until [`Stopping`], as a peer does; the
/// spasmids in the order read, and the cursor to go on from.
async fn page_the_api(
    router: Router,
    mut since: i64,
    done: impl Fn() -> Option<usize>,
) -> (Vec<String>, i64) {
    let mut seen = Vec::new();
    let mut stopping = Stopping::default();
    loop {
        let finished = done();
        let (status, body) = send(
            &router,
            Request::get(format!("/api/events?since={since}&limit=7"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let page: Value = serde_json::from_slice(&body).unwrap();
        let mut items: Vec<(i64, String)> = page
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .map(|item| {
                        (
                            item["db"]["key"].as_i64().unwrap(),
                            item["ids"][0]["value"].as_str().unwrap().to_owned(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        // A page is newest first; read it in commit order.
        items.reverse();
        if stopping.after_page(!items.is_empty(), finished, seen.len()) {
            return (seen, since);
        }
        // The next page starts after the last event read, as a peer pages.
        for (key, spasmid) in items {
            since = key;
            seen.push(spasmid);
        }
        tokio::task::yield_now().await;
    }
}

/// Pages the change log after `after` until [`Stopping`]; the spasmids of stored events in
/// the order read, and the number to go on from.
async fn page_the_log(
    store: &dyn Store,
    mut after: i64,
    done: impl Fn() -> Option<usize>,
) -> (Vec<String>, i64) {
    let mut seen = Vec::new();
    let mut stopping = Stopping::default();
    loop {
        let finished = done();
        let changes = store.changes(after, 5).await.unwrap();
        if stopping.after_page(!changes.is_empty(), finished, seen.len()) {
            return (seen, after);
        }
        for change in changes {
            assert!(change.seq > after, "change {} after {after}", change.seq);
            after = change.seq;
            if change.kind == ChangeKind::EventStored {
                seen.push(change.subject);
            }
        }
        tokio::task::yield_now().await;
    }
}

async fn every_acknowledged_event_is_read_exactly_once(db: Db) {
    let Some(test) = TestForum::open(db, Settings::default()).await else {
        return;
    };
    let cleanup = test.cleanup();
    dropping_database_after(cleanup, async move {
        // A second store on the same database: another server process.
        let other = test.reopen(Settings::default()).await;
        let routers = [
            router(AppState::new(test.forum.clone(), limits())),
            router(AppState::new(other, limits())),
        ];
        // Each reader goes on from where it stopped, as a peer pulling again would.
        let (mut api_cursor, mut log_cursor) = (0, 0);
        for repetition in 0..REPETITIONS {
            let writers: Vec<_> = (0..WRITERS)
                .map(|writer| {
                    let router = routers[(writer % 2) as usize].clone();
                    tokio::spawn(async move {
                        let mut acknowledged = Vec::new();
                        for index in 0..POSTS_PER_WRITER {
                            let (input, spasmid) = signed_post(writer, repetition, index);
                            let request = Request::post("/api/submit/")
                                .header(header::CONTENT_TYPE, "application/json")
                                .body(Body::from(input))
                                .unwrap();
                            let (status, body) = send(&router, request).await;
                            assert_eq!(
                                status,
                                StatusCode::CREATED,
                                "{}",
                                String::from_utf8_lossy(&body)
                            );
                            acknowledged.push(spasmid);
                        }
                        acknowledged
                    })
                })
                .collect();
            // How many events the writers stored, once they are done.
            let writers_done = std::sync::Arc::new(std::sync::OnceLock::new());
            let api_reader = {
                let router = routers[0].clone();
                let done = std::sync::Arc::clone(&writers_done);
                tokio::spawn(page_the_api(router, api_cursor, move || {
                    done.get().copied()
                }))
            };
            let log_reader = {
                let forum = test.forum.clone();
                let done = std::sync::Arc::clone(&writers_done);
                tokio::spawn(async move {
                    page_the_log(forum.store(), log_cursor, move || done.get().copied()).await
                })
            };
            let mut acknowledged = HashSet::new();
            for writer in writers {
                acknowledged.extend(writer.await.unwrap());
            }
            let _ = writers_done.set(acknowledged.len());
            assert_eq!(acknowledged.len() as u64, WRITERS * POSTS_PER_WRITER);
            let (api_seen, api_next) = api_reader.await.unwrap();
            let (log_seen, log_next) = log_reader.await.unwrap();
            (api_cursor, log_cursor) = (api_next, log_next);
            for (reader, seen) in [
                ("GET /api/events?since=", api_seen),
                ("the change log", log_seen),
            ] {
                let unique: HashSet<String> = seen.iter().cloned().collect();
                assert_eq!(unique.len(), seen.len(), "{reader} repeated an event");
                assert_eq!(
                    unique, acknowledged,
                    "{reader} did not read every acknowledged event in round {repetition}"
                );
            }
        }
    })
    .await;
}

on_sqlite_and_postgres!(every_acknowledged_event_is_read_exactly_once);

/// Blocks the store's writes from outside, as another process's long write would:
/// SQLite's file lock (its writer waits before starting a write), or a PostgreSQL lock on
/// the events table (each writer starts a write and waits at its insert).
enum WriteBlocker {
    Sqlite(rusqlite::Connection),
    Postgres(sqlx::PgConnection),
}

impl WriteBlocker {
    async fn take(test: &TestForum) -> Self {
        match &test.database_url {
            None => {
                let connection = rusqlite::Connection::open(
                    test.data_dir.join(forum::storage::SQLITE_FILE_NAME),
                )
                .unwrap();
                connection.execute_batch("BEGIN IMMEDIATE").unwrap();
                Self::Sqlite(connection)
            }
            Some(url) => {
                use sqlx::Connection;
                let mut connection = sqlx::PgConnection::connect(url).await.unwrap();
                for statement in ["BEGIN", "LOCK TABLE events IN EXCLUSIVE MODE"] {
                    sqlx::query(statement)
                        .execute(&mut connection)
                        .await
                        .unwrap();
                }
                Self::Postgres(connection)
            }
        }
    }

    async fn release(self) {
        match self {
            Self::Sqlite(connection) => connection.execute_batch("ROLLBACK").unwrap(),
            Self::Postgres(mut connection) => {
                sqlx::query("ROLLBACK")
                    .execute(&mut connection)
                    .await
                    .unwrap();
            }
        }
    }
}

/// A forum on `db` whose write queue holds `queue` writes and waits `wait` for them.
async fn forum_with_queue(db: Db, queue: usize, wait: Duration) -> Option<(TestForum, Forum)> {
    let test = TestForum::open(db, Settings::default()).await?;
    let store = forum::storage::open_with_limits(
        test.database_url.as_deref(),
        &test.data_dir,
        WriteLimits { queue, wait },
    )
    .await
    .unwrap();
    let forum = Forum::new(store, Settings::default(), test_limits())
        .await
        .unwrap();
    Some((test, forum))
}

/// Submits posts that cannot be written yet, one every 50 ms, until one is refused; the
/// refusal, and the submits still waiting.
async fn submit_until_refused(
    app: &Router,
) -> (
    axum::response::Response,
    Vec<tokio::task::JoinHandle<axum::response::Response>>,
) {
    let mut waiting = Vec::new();
    for index in 0..40 {
        let (input, _) = signed_post(2, 0, index);
        let mut request = Request::post("/api/submit/")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(input))
            .unwrap();
        request
            .extensions_mut()
            .insert(ConnectInfo(SocketAddr::from(([192, 0, 2, 7], 40_000))));
        let app = app.clone();
        waiting.push(tokio::spawn(
            async move { app.oneshot(request).await.unwrap() },
        ));
        tokio::time::sleep(Duration::from_millis(50)).await;
        if let Some(done) = waiting.iter().position(|submit| submit.is_finished()) {
            let refused = waiting.remove(done).await.unwrap();
            return (refused, waiting);
        }
    }
    panic!("40 waiting writes were all queued");
}

async fn a_full_queue_answers_503_with_retry_after(db: Db) {
    let Some((test, forum)) = forum_with_queue(db, 2, Duration::from_secs(20)).await else {
        return;
    };
    let cleanup = test.cleanup();
    dropping_database_after(cleanup, async move {
        let blocker = WriteBlocker::take(&test).await;
        let app = router(AppState::new(forum.clone(), limits()));
        // Every writer waits; two more writes fill the queue; the next is refused at once.
        let (refused, waiting) = submit_until_refused(&app).await;
        assert_eq!(refused.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(refused.headers()[header::RETRY_AFTER], "1");
        let body = refused.into_body().collect().await.unwrap().to_bytes();
        let message: String = serde_json::from_slice(&body).unwrap();
        assert!(message.contains("did not store"), "{message}");
        blocker.release().await;
        let mut stored = 0;
        for submit in waiting {
            let response = submit.await.unwrap();
            if response.status() == StatusCode::CREATED {
                stored += 1;
            }
        }
        // Only the writes that were let in are stored (the queue's two and the writers'
        // own), as the change log shows once it has numbered them.
        assert!(stored >= 3, "{stored}");
        let started = Instant::now();
        let mut logged = 0;
        while started.elapsed() < Duration::from_secs(5) {
            logged = forum.store().changes(0, 1000).await.unwrap().len();
            if logged >= stored {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert_eq!(logged, stored);
    })
    .await;
}

on_sqlite_and_postgres!(a_full_queue_answers_503_with_retry_after);

async fn a_write_whose_caller_gave_up_is_not_stored(db: Db) {
    let Some((test, forum)) = forum_with_queue(db, 64, Duration::from_millis(400)).await else {
        return;
    };
    let cleanup = test.cleanup();
    dropping_database_after(cleanup, async move {
        let blocker = WriteBlocker::take(&test).await;
        // Writes until one is answered: while the store is blocked nothing can be stored, so
        // that answer is a withdrawal, which happens only when every writer has started a
        // write (writers take several at once, so their number alone would not tell) and
        // waits. Until the blocker goes, they stay busy.
        let mut occupying = Vec::new();
        while !occupying.iter().any(tokio::task::JoinHandle::is_finished) {
            assert!(occupying.len() < 1_000, "no write was ever withdrawn");
            let forum = forum.clone();
            let (input, _) = signed_post(3, 0, occupying.len() as u64);
            occupying.push(tokio::spawn(async move {
                forum.submit(&input, Origin::Submit).await
            }));
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        // Waited past its deadline: withdrawn, answered 503, never stored.
        let (late, late_id) = signed_post(1, 0, 0);
        let started = Instant::now();
        let error = forum.submit(&late, Origin::Submit).await.unwrap_err();
        assert!(matches!(error, SubmitError::Busy { .. }), "{error}");
        assert_eq!(error.status(), 503);
        assert!(started.elapsed() < Duration::from_secs(5));
        // Its caller went away (a closed connection): withdrawn, never stored.
        let (gone, gone_id) = signed_post(1, 0, 1);
        let caller = {
            let forum = forum.clone();
            tokio::spawn(async move { forum.submit(&gone, Origin::Submit).await })
        };
        tokio::time::sleep(Duration::from_millis(100)).await;
        caller.abort();
        assert!(caller.await.unwrap_err().is_cancelled());
        blocker.release().await;
        // What each occupying write was answered is what the store holds.
        for (index, write) in occupying.into_iter().enumerate() {
            let (_, id) = signed_post(3, 0, index as u64);
            let answer = write.await.unwrap();
            let stored = forum.event(&id).await.unwrap().is_some();
            match answer {
                Ok(_) => assert!(stored, "answered stored, not stored"),
                Err(SubmitError::Busy { .. }) => assert!(!stored, "answered busy, stored"),
                Err(other) => panic!("{other}"),
            }
        }
        // A write after them is stored: the writers went past the withdrawn ones.
        let (next, next_id) = signed_post(1, 0, 2);
        forum.submit(&next, Origin::Submit).await.unwrap();
        assert!(forum.event(&next_id).await.unwrap().is_some());
        assert!(forum.event(&late_id).await.unwrap().is_none());
        assert!(forum.event(&gone_id).await.unwrap().is_none());
        // Sent again, the withdrawn ones are stored (no 409 for what was never kept).
        forum.submit(&late, Origin::Submit).await.unwrap();
        forum.submit(&gone_again(), Origin::Submit).await.unwrap();
    })
    .await;
}

fn gone_again() -> Vec<u8> {
    signed_post(1, 0, 1).0
}

on_sqlite_and_postgres!(a_write_whose_caller_gave_up_is_not_stored);
