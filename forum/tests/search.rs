//! Full-text search on both databases: what is found and what never is, the feed's filters
//! with it, paging, and the index of events stored before search existed.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use forum::query::{FeedRequest, Page};
use forum::search::SearchQuery;
use spasm::action::Reaction;
use support::{Db, TestForum, moderated_by, parent, submit};
use testkit::TestKey;

/// The titles (or contents, for replies) found for `words` with the feed parameters `query`.
async fn found(test: &TestForum, words: &str, query: &[(&str, &str)]) -> Vec<String> {
    let pairs: Vec<(String, String)> = query
        .iter()
        .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
        .collect();
    let request = FeedRequest::parse(&pairs).unwrap();
    let events = test
        .forum
        .search(&SearchQuery::parse(words).unwrap(), &request)
        .await
        .unwrap();
    events
        .iter()
        .map(|event| {
            let json: serde_json::Value = serde_json::from_str(&event.event_json).unwrap();
            let title = json["title"].as_str().unwrap_or_default();
            if title.is_empty() {
                json["content"].as_str().unwrap_or_default().to_owned()
            } else {
                title.to_owned()
            }
        })
        .collect()
}

async fn search_finds_words_in_posts_and_replies_never_deleted_ones(test: &TestForum) {
    let author = TestKey::from_seed(1);
    let moderator = TestKey::from_seed(2);
    let post = |title: &str, content: &str, category: &str, at: u64| {
        author.sign_ethereum(&spasm::body::post(
            title,
            content,
            Some(category),
            at,
            &[author.ethereum_author()],
        ))
    };
    let rust = submit(
        test,
        &post(
            "Rust on the server",
            "Signed events, verified in Rust.",
            "dev",
            1_790_000_000_000,
        ),
    )
    .await
    .unwrap();
    submit(
        test,
        &post(
            "Gardening",
            "Tomatoes and signatures do not mix.",
            "life",
            1_790_000_000_001,
        ),
    )
    .await
    .unwrap();
    let spam = submit(
        test,
        &post("Cheap rust remover", "Buy now!", "life", 1_790_000_000_002),
    )
    .await
    .unwrap();
    let reply = spasm::body::reply(
        &parent(&rust.spasmid),
        "Rustaceans agree: ÜBER fast.",
        1_790_000_000_003,
        &[author.ethereum_author()],
    );
    submit(test, &author.sign_ethereum(&reply)).await.unwrap();
    // A reaction's content is a reaction's name, not words of its author.
    let react = spasm::body::react(
        &parent(&rust.spasmid),
        Reaction::Upvote,
        1_790_000_000_004,
        &[author.ethereum_author()],
    );
    submit(test, &author.sign_ethereum(&react)).await.unwrap();
    assert_eq!(found(test, "upvote", &[]).await, Vec::<String>::new());

    // Newest first, in titles and contents, any case, words of three letters or more
    // finding longer words that start with them.
    assert_eq!(
        found(test, "RUST", &[]).await,
        [
            "Rustaceans agree: ÜBER fast.",
            "Cheap rust remover",
            "Rust on the server"
        ]
    );
    assert_eq!(
        found(test, "über", &[]).await,
        ["Rustaceans agree: ÜBER fast."]
    );
    assert_eq!(
        found(test, "sign", &[]).await,
        ["Gardening", "Rust on the server"]
    );
    // Every word must be there.
    assert_eq!(
        found(test, "rust signed", &[]).await,
        ["Rust on the server"]
    );
    // Two-letter words find only themselves.
    assert_eq!(found(test, "ru", &[]).await, Vec::<String>::new());
    // The feed's filters combine with it.
    assert_eq!(
        found(test, "rust", &[("category", "life")]).await,
        ["Cheap rust remover"]
    );
    assert_eq!(
        found(test, "rust", &[("action", "post")]).await,
        ["Cheap rust remover", "Rust on the server"]
    );
    // Paged by key, newest first.
    let first = test
        .forum
        .search(
            &SearchQuery::parse("rust").unwrap(),
            &FeedRequest {
                filter: Default::default(),
                page: Some(Page::first(2)),
            },
        )
        .await
        .unwrap();
    assert_eq!(first.len(), 2);
    let rest = test
        .forum
        .search(
            &SearchQuery::parse("rust").unwrap(),
            &FeedRequest {
                filter: Default::default(),
                page: Some(Page {
                    limit: 2,
                    before: Some(first[1].key),
                    since: None,
                }),
            },
        )
        .await
        .unwrap();
    assert_eq!(rest.len(), 1);
    assert!(rest[0].key < first[1].key);

    // A deleted event is never found; restored, it is again.
    let delete = spasm::body::moderate_delete(
        &parent(&spam.spasmid),
        1_790_000_000_005,
        &[moderator.ethereum_author()],
    );
    submit(test, &moderator.sign_ethereum(&delete))
        .await
        .unwrap();
    assert_eq!(
        found(test, "rust", &[]).await,
        ["Rustaceans agree: ÜBER fast.", "Rust on the server"]
    );

    // Everything stored is indexed as it is stored: the upgrade finds nothing to add, and
    // runs once.
    assert_eq!(
        forum::upgrade::index_stored_for_search(test.forum.store())
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        forum::upgrade::index_pending_for_search(test.forum.store(), 1_790_000_001_000)
            .await
            .unwrap(),
        Some(0)
    );
    assert_eq!(
        forum::upgrade::index_pending_for_search(test.forum.store(), 1_790_000_001_001)
            .await
            .unwrap(),
        None
    );
}

on_both_databases!(
    search_finds_words_in_posts_and_replies_never_deleted_ones,
    moderated_by(&TestKey::from_seed(2), &TestKey::from_seed(3))
);
