//! Ingest throughput without HTTP: `cargo run --release -p forum --example ingest_rate`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Instant;

use forum::{Forum, ForumLimits, Origin, Settings};
use spasm::body::post;
use testkit::TestKey;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let count = 5_000;
    let keys: Vec<TestKey> = (0..100).map(TestKey::from_seed).collect();
    let events: Vec<Vec<u8>> = (0..count)
        .map(|index| {
            let key = &keys[index % keys.len()];
            let body = post(
                &format!("Post {index}"),
                "text",
                Some("defi"),
                1_730_000_000_000 + index as u64,
                &[key.ethereum_author()],
            );
            key.sign_ethereum(&body).to_string().into_bytes()
        })
        .collect();
    let started = Instant::now();
    for event in &events {
        spasm::convert::parse_and_convert(event).unwrap();
    }
    let verify = started.elapsed();
    println!(
        "verify only: {:.1} µs/event",
        verify.as_secs_f64() * 1e6 / count as f64
    );

    let dir = tempfile::tempdir().unwrap();
    let url = std::env::var("DATABASE_URL").ok();
    let store = forum::storage::open(url.as_deref(), dir.path())
        .await
        .unwrap();
    let limits = ForumLimits {
        submits_per_minute_per_key: 0,
        ..ForumLimits::default()
    };
    let forum = Forum::new(store, Settings::default(), limits)
        .await
        .unwrap();
    let started = Instant::now();
    for event in &events[..count / 2] {
        forum.submit(event, Origin::Submit).await.unwrap();
    }
    let sequential = started.elapsed();
    println!(
        "sequential submit: {:.1} µs/event",
        sequential.as_secs_f64() * 1e6 / (count / 2) as f64
    );
    let started = Instant::now();
    let events = Arc::new(events);
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(count / 2));
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let forum = forum.clone();
            let events = Arc::clone(&events);
            let next = Arc::clone(&next);
            tokio::spawn(async move {
                loop {
                    let index = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(event) = events.get(index) else {
                        return;
                    };
                    forum.submit(event, Origin::Submit).await.unwrap();
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let concurrent = started.elapsed();
    println!(
        "concurrent submit (16 tasks): {:.0} events/s",
        (count / 2) as f64 / concurrent.as_secs_f64()
    );
}
