//! A server killed with SIGKILL in the middle of a stream of submits loses none of the
//! submits it answered with success: the real binary, a real database, a real kill.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

#[path = "../../forum/tests/support/mod.rs"]
mod support;

use forum::storage;
use testkit::TestKey;
use tokio::sync::Mutex;

/// One submit; the status, or `None` when the connection broke (the server was killed).
async fn submit(address: &str, body: &str) -> Option<u16> {
    testkit::process::submit(address, body)
        .await
        .map(|answer| answer.status)
}

async fn kill_during_submits(data_dir: &Path, database_url: Option<&str>) {
    let events: Vec<(String, String)> = (0..3_000u64)
        .map(|index| {
            TestKey::from_seed(index % 50).signed_post(
                "Durable",
                &format!("submit {index}"),
                1_730_000_000_000 + index,
            )
        })
        .collect();
    let env: Vec<(&str, &str)> = database_url
        .map(|url| vec![("DATABASE_URL", url)])
        .unwrap_or_default();
    let testkit::process::ServerProcess { mut child, address } =
        testkit::process::start(env!("CARGO_BIN_EXE_spasm-forum"), data_dir, &env).await;
    let acknowledged = Arc::new(Mutex::new(Vec::new()));
    let events = Arc::new(events);
    // Four clients submit in parallel while the server is killed.
    let clients: Vec<_> = (0..4)
        .map(|client| {
            let events = Arc::clone(&events);
            let acknowledged = Arc::clone(&acknowledged);
            let address = address.clone();
            tokio::spawn(async move {
                for (id, body) in events.iter().skip(client).step_by(4) {
                    match submit(&address, body).await {
                        Some(201) => acknowledged.lock().await.push(id.clone()),
                        Some(status) => panic!("unexpected status {status}"),
                        None => return,
                    }
                }
            })
        })
        .collect();
    // Kill once a good number of submits were answered.
    tokio::time::timeout(Duration::from_secs(60), async {
        while acknowledged.lock().await.len() < 300 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await
    .expect("submits were answered");
    child.start_kill().unwrap(); // SIGKILL
    child.wait().await.unwrap();
    for client in clients {
        client.await.unwrap();
    }
    let acknowledged = acknowledged.lock().await.clone();
    assert!(
        acknowledged.len() < events.len(),
        "the kill came during the stream"
    );

    let store = storage::open(database_url, data_dir).await.unwrap();
    for id in &acknowledged {
        assert!(
            store.event_by_id(id).await.unwrap().is_some(),
            "acknowledged {id} was lost"
        );
    }
    eprintln!(
        "{} acknowledged submits survived SIGKILL",
        acknowledged.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_keeps_every_acknowledged_submit_across_sigkill() {
    let data_dir = tempfile::tempdir().unwrap();
    kill_during_submits(data_dir.path(), None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_keeps_every_acknowledged_submit_across_sigkill() {
    let Some((url, cleanup)) = support::fresh_postgres_database("spasm_crash").await else {
        return;
    };
    let data_dir = tempfile::tempdir().unwrap();
    kill_during_submits(data_dir.path(), Some(&url)).await;
    support::drop_database(Some(cleanup)).await;
}
