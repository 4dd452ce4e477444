//! The worst a single request within the default limits can cost: the largest unsigned and
//! signed events the limits let through, each through `Forum::submit` (screening, signature
//! checks, `spasmid01`, the store on SQLite), and `c23-tag-sort-5000x5000.json`.
//!
//! `cargo bench -p forum --bench worst_case`; a figure over 50 ms is a request that could
//! stall others.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::sync::atomic::{AtomicU64, Ordering};

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use forum::{Forum, ForumLimits, Origin, Settings};
use serde_json::{Value, json};
use spasm::body::post;
use testkit::TestKey;

static NEXT: AtomicU64 = AtomicU64::new(0);

fn next() -> u64 {
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// A Spasm body at the limits: 2,000 tags of 30 elements that share all but the last, so
/// every comparison of the id's tag sort walks the whole tag (about 250 KB).
fn tags_at_limits(seed: u64) -> Value {
    let tags: Vec<Value> = (0..2_000)
        .map(|index| {
            let mut tag = vec![Value::from("a"); 29];
            tag.push(Value::from(format!("{seed}-{}", 1_999 - index)));
            Value::Array(tag)
        })
        .collect();
    Value::Array(tags)
}

fn unsigned_at_limits() -> Vec<u8> {
    let n = next();
    json!({"unknownEvent": {"type": "SpasmEventBodyV2", "action": "post", "content": format!("unsigned {n}"),
        "timestamp": 1_796_000_000_000_u64 + n, "tags": tags_at_limits(n)}})
    .to_string()
    .into_bytes()
}

/// A Nostr reply at the limits: 100,000 characters of content and 2,000 tags (the thread's
/// root, references, mentions and keywords, which the store indexes), signed.
fn signed_nostr_at_limits(key: &TestKey, root: &str) -> Vec<u8> {
    let n = next();
    let mut tags = vec![json!(["e", root, "", "root"])];
    for index in 1..2_000_u64 {
        let hex = format!("{:064x}", index * 7_919 + n);
        tags.push(match index % 3 {
            0 => json!(["e", hex, "wss://relay.example", "mention"]),
            1 => json!(["p", hex]),
            _ => json!(["t", format!("keyword{index}")]),
        });
    }
    let content = format!("{n} {}", "A long note with words. ".repeat(5_000));
    key.sign_nostr_event(
        json!({"kind": 1, "created_at": 1_796_000_000 + n, "tags": tags,
        "content": &content[..100_000]}),
    )
    .to_string()
    .into_bytes()
}

/// A Spasm body at the limits, Ethereum-signed: a 1,000-character title, 100,000 characters
/// of content.
fn signed_spasm_at_limits(key: &TestKey) -> Vec<u8> {
    let n = next();
    let title = format!("{n} {}", "t".repeat(990));
    let content = "Words of a long post, ".repeat(5_000);
    let body = post(
        &title,
        &content[..100_000],
        Some("tech"),
        1_796_000_000_000 + n,
        &[key.ethereum_author()],
    );
    key.sign_ethereum(&body).to_string().into_bytes()
}

fn worst_case(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let limits = ForumLimits {
        submits_per_minute_per_key: 0,
        ..ForumLimits::default()
    };
    let open = |settings: Settings, name: &str| {
        let path = dir.path().join(name);
        runtime.block_on(async {
            let store = forum::storage::open(None, &path).await.unwrap();
            Forum::new(store, settings, limits).await.unwrap()
        })
    };
    let strict = open(Settings::default(), "strict");
    let open_to_unsigned = open(
        Settings {
            allow_new_events_without_signature: true,
            ..Settings::default()
        },
        "open",
    );
    let key = TestKey::from_seed(21);
    let root = key.sign_nostr_event(
        json!({"kind": 1, "created_at": 1_796_000_000, "tags": [], "content": "The thread"}),
    );
    runtime
        .block_on(strict.submit(root.to_string().as_bytes(), Origin::Submit))
        .unwrap();
    let root = root["id"].as_str().unwrap().to_owned();
    let case = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/outside-inputs/c23-tag-sort-5000x5000.json"
    ))
    .unwrap();

    let mut group = c.benchmark_group("worst case per request");
    group.sample_size(20);
    group.bench_function("c23-tag-sort-5000x5000.json (refused: tag limits)", |b| {
        b.iter(|| {
            runtime
                .block_on(strict.submit(&case, Origin::Submit))
                .unwrap_err()
        })
    });
    group.bench_function(
        "unsigned at the limits, refused (unsigned not taken)",
        |b| {
            b.iter_batched(
                unsigned_at_limits,
                |input| {
                    runtime
                        .block_on(strict.submit(&input, Origin::Submit))
                        .unwrap_err()
                },
                BatchSize::SmallInput,
            )
        },
    );
    group.bench_function("unsigned at the limits, stored (id computed)", |b| {
        b.iter_batched(
            unsigned_at_limits,
            |input| {
                runtime
                    .block_on(open_to_unsigned.submit(&input, Origin::Submit))
                    .unwrap()
            },
            BatchSize::SmallInput,
        )
    });
    group.bench_function("signed Nostr reply at the limits, stored", |b| {
        b.iter_batched(
            || signed_nostr_at_limits(&key, &root),
            |input| {
                runtime
                    .block_on(strict.submit(&input, Origin::Submit))
                    .unwrap()
            },
            BatchSize::SmallInput,
        )
    });
    group.bench_function("signed Spasm post at the limits, stored", |b| {
        b.iter_batched(
            || signed_spasm_at_limits(&key),
            |input| {
                runtime
                    .block_on(strict.submit(&input, Origin::Submit))
                    .unwrap()
            },
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

criterion_group!(benches, worst_case);
criterion_main!(benches);
