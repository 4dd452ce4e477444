//! The storage backends, each against a real database: SQLite in a temporary directory
//! always, PostgreSQL when `SPASM_TEST_POSTGRES_URL` names a server.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use server::storage::{Database, SQLITE_FILE_NAME};

#[tokio::test]
async fn sqlite_creates_its_file_in_the_data_directory() {
    let parent = tempfile::tempdir().unwrap();
    let data_dir = parent.path().join("nested").join("data");
    let database = Database::open(None, &data_dir).await.unwrap();
    database.ping().await.unwrap();
    assert_eq!(database.backend(), "sqlite");
    assert!(data_dir.join(SQLITE_FILE_NAME).exists());
}

#[tokio::test]
async fn postgres_answers_when_configured() {
    let Ok(url) = std::env::var("SPASM_TEST_POSTGRES_URL") else {
        eprintln!("SPASM_TEST_POSTGRES_URL is not set: PostgreSQL variant skipped");
        return;
    };
    let database = Database::open(Some(&url), std::path::Path::new("unused"))
        .await
        .unwrap();
    database.ping().await.unwrap();
    assert_eq!(database.backend(), "postgres");
}

#[tokio::test]
async fn an_unreachable_postgres_is_a_clear_error() {
    let result = Database::open(
        Some("postgres://nobody@127.0.0.1:1/none"),
        std::path::Path::new("unused"),
    )
    .await;
    let error = result.expect_err("nothing listens on port 1");
    assert!(error.to_string().starts_with("database error"), "{error}");
}
