//! A forum over a fresh database of each backend: SQLite in a temporary directory, and
//! PostgreSQL in a database of its own (created and dropped per test) when
//! `SPASM_TEST_POSTGRES_URL` names a server.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::future::Future;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use forum::settings::AddressList;
use forum::{Accepted, Forum, ForumLimits, Origin, Settings, SubmitError};
use serde_json::Value;
use spasm::body::{ParentInfo, SpasmBody};
use sqlx::Connection;
use testkit::TestKey;

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    Postgres,
}

/// A forum and what keeps its database alive.
pub struct TestForum {
    pub forum: Forum,
    pub db: Db,
    _sqlite_dir: Option<tempfile::TempDir>,
    postgres: Option<(String, String)>,
    pub database_url: Option<String>,
    pub data_dir: std::path::PathBuf,
}

static NEXT_DATABASE: AtomicU32 = AtomicU32::new(0);

/// Limits without the per-key and per-address rate limits (tests submit many events from
/// one key and one address).
pub fn test_limits() -> ForumLimits {
    ForumLimits {
        submits_per_minute_per_key: 0,
        submits_per_minute_per_address: 0,
        ..ForumLimits::default()
    }
}

impl TestForum {
    /// A forum on `db` with `settings`; `None` when PostgreSQL is asked for but not configured.
    pub async fn open(db: Db, settings: Settings) -> Option<Self> {
        match db {
            Db::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let store = forum::storage::open(None, dir.path()).await.unwrap();
                let forum = Forum::new(store, settings, test_limits()).await.unwrap();
                Some(Self {
                    forum,
                    db,
                    data_dir: dir.path().to_owned(),
                    _sqlite_dir: Some(dir),
                    postgres: None,
                    database_url: None,
                })
            }
            Db::Postgres => {
                let (url, cleanup) = fresh_postgres_database("spasm_test").await?;
                let store = forum::storage::open(Some(&url), std::path::Path::new("unused"))
                    .await
                    .unwrap();
                let forum = Forum::new(store, settings, test_limits()).await.unwrap();
                Some(Self {
                    forum,
                    db,
                    _sqlite_dir: None,
                    postgres: Some(cleanup),
                    database_url: Some(url),
                    data_dir: std::path::PathBuf::from("unused"),
                })
            }
        }
    }

    /// A second forum on the same database, as after a restart.
    pub async fn reopen(&self, settings: Settings) -> Forum {
        let store = forum::storage::open(self.database_url.as_deref(), &self.data_dir)
            .await
            .unwrap();
        Forum::new(store, settings, test_limits()).await.unwrap()
    }

    /// What [`drop_database`] needs once the test is over, whatever its outcome.
    pub fn cleanup(&self) -> Option<(String, String)> {
        self.postgres.clone()
    }
}

/// A fresh, empty PostgreSQL database named `prefix_<process>_<n>`: its URL, and what
/// [`drop_database`] needs once the test is over; `None` when `SPASM_TEST_POSTGRES_URL` is
/// not set.
pub async fn fresh_postgres_database(prefix: &str) -> Option<(String, (String, String))> {
    let Ok(admin_url) = std::env::var("SPASM_TEST_POSTGRES_URL") else {
        eprintln!("SPASM_TEST_POSTGRES_URL is not set: PostgreSQL variant skipped");
        return None;
    };
    let name = format!(
        "{prefix}_{}_{}",
        std::process::id(),
        NEXT_DATABASE.fetch_add(1, Ordering::Relaxed)
    );
    let mut admin = sqlx::PgConnection::connect(&admin_url).await.unwrap();
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut admin)
        .await
        .unwrap();
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .unwrap();
    Some((database_url_with_name(&admin_url, &name), (admin_url, name)))
}

/// Drops a test's PostgreSQL database.
pub async fn drop_database(cleanup: Option<(String, String)>) {
    if let Some((admin_url, name)) = cleanup
        && let Ok(mut admin) = sqlx::PgConnection::connect(&admin_url).await
    {
        let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut admin)
            .await;
    }
}

fn database_url_with_name(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(base, query)| (base, Some(query)));
    let base = match base.rfind('/') {
        Some(slash) if slash > base.find("://").map_or(0, |scheme| scheme + 2) => &base[..slash],
        _ => base,
    };
    match query {
        Some(query) => format!("{base}/{name}?{query}"),
        None => format!("{base}/{name}"),
    }
}

/// Runs the scenario `async fn name(test: &TestForum)` on SQLite and on PostgreSQL, as the
/// tests `name_::sqlite` and `name_::postgres`.
#[macro_export]
macro_rules! on_both_databases {
    ($name:ident, $settings:expr) => {
        #[allow(non_snake_case)]
        mod $name {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let test = TestForum::open(Db::Sqlite, $settings).await.unwrap();
                super::$name(&test).await;
            }

            /// The database is dropped even when the scenario fails.
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(test) = TestForum::open(Db::Postgres, $settings).await else {
                    return;
                };
                let cleanup = test.cleanup();
                let outcome = tokio::spawn(async move { super::$name(&test).await }).await;
                $crate::support::drop_database(cleanup).await;
                if let Err(failure) = outcome {
                    std::panic::resume_unwind(failure.into_panic());
                }
            }
        }
    };
}

/// Settings whose moderator and admin are these keys (their Ethereum addresses).
pub fn moderated_by(moderator: &TestKey, admin: &TestKey) -> Settings {
    let list = |key: &TestKey| {
        AddressList::parse([key.ethereum_address().to_lowercase_hex().as_str()]).unwrap()
    };
    Settings {
        moderators: list(moderator),
        admins: list(admin),
        ..Settings::default()
    }
}

/// Submits an input as a client does.
pub async fn submit(test: &TestForum, input: &Value) -> Result<Accepted, SubmitError> {
    test.forum.submit(&bytes(input), Origin::Submit).await
}

/// `text` signed by `key`, as a `SpasmEventBodySignedClosedV2`.
pub fn signed_closed(key: &TestKey, text: &str) -> Value {
    spasm::signed::EthereumSignedBody::from_signed_string(
        text.to_owned(),
        &key.personal_sign(text),
        key.ethereum_address(),
    )
    .unwrap()
    .signed_closed()
}

/// The JSON bytes of an input.
pub fn bytes(value: &Value) -> Vec<u8> {
    value.to_string().into_bytes()
}

/// The parent info of a stored event for a reply or reaction, as the client gets it.
pub fn parent(spasmid: &str) -> ParentInfo {
    ParentInfo {
        ids: vec![spasmid.to_owned()],
        ..ParentInfo::default()
    }
}

/// A body's signed text, for identification in assertions.
pub fn text(body: &SpasmBody) -> String {
    body.signed_string()
}

/// Waits until `check` holds, at most `limit`; panics with `what` otherwise.
pub async fn eventually<F, Fut>(limit: Duration, what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let started = Instant::now();
    while !check().await {
        assert!(started.elapsed() < limit, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
