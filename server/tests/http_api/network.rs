//! The federation side of the Spasm API: health, the admin's federation list, the upstream
//! aliases and filters, and replies that arrive before their target.

use axum::http::StatusCode;
use forum::Settings;
use forum::settings::AddressList;
use serde_json::{Value, json};
use spasm::body::{ParentInfo, federation_list, post, pull_now, reply};
use testkit::TestKey;

use crate::{TestApp, unlimited};

const T0: u64 = 1_731_000_000_000;

fn parent(id: &str) -> ParentInfo {
    ParentInfo {
        ids: vec![id.to_owned()],
        ..ParentInfo::default()
    }
}

fn spasmid_of(input: &Value) -> String {
    spasm::convert::convert_to_spasm(input)
        .unwrap()
        .id()
        .to_string()
}

fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .map_or_else(Vec::new, |items| items.iter().map(spasmid_of).collect())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_answers_like_the_current_upstream_server() {
    let app = TestApp::spawn().await;
    let (status, health) = app.get_json("/api/health").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(health["ok"], true);
    assert_eq!(health["database"], true);
    assert!(
        health["timestamp"].as_str().unwrap().ends_with('Z'),
        "{health}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_federation_list_is_the_newest_admin_list() {
    let admin = TestKey::from_seed(61);
    let settings = Settings {
        admins: AddressList::parse([admin.ethereum_address().to_lowercase_hex().as_str()]).unwrap(),
        ..Settings::default()
    };
    let app = TestApp::with(settings, unlimited()).await;
    assert_eq!(app.get_json("/api/federation-list").await.1, json!([]));
    let sources = json!([
        {"network": "spasm", "name": "peer", "apiUrl": "https://peer.example/api/events", "query": "?webType=web3", "showSource": true},
        {"url": "https://site.example/feed.xml", "frequency": "high", "category": "news"}
    ]);
    let (status, message) = app
        .submit(&admin.sign_ethereum(&federation_list(&sources, T0, &[admin.ethereum_author()])))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{message}");
    assert_eq!(app.get_json("/api/federation-list").await.1, sources);
    // A list that is not one is refused in words, and the list in force stays.
    let (status, message) = app
        .submit(&admin.sign_ethereum(&federation_list(
            &json!([{"url": "ftp://nope.example"}]),
            T0 + 1,
            &[admin.ethereum_author()],
        )))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(message.contains("not an http or https URL"), "{message}");
    let stranger = TestKey::from_seed(62);
    let (status, _) = app
        .submit(&stranger.sign_ethereum(&federation_list(
            &json!([]),
            T0 + 2,
            &[stranger.ethereum_author()],
        )))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(app.get_json("/api/federation-list").await.1, sources);
    let (status, message) = app
        .submit(&admin.sign_ethereum(&pull_now("peer", T0 + 3, &[admin.ethereum_author()])))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{message}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aliases_and_repeated_filters_answer_like_upstream() {
    let app = TestApp::spawn().await;
    let (alice, bob) = (TestKey::from_seed(63), TestKey::from_seed(64));
    let mut posts = Vec::new();
    for (key, title, category) in [
        (&alice, "One", "a"),
        (&bob, "Two", "b"),
        (&alice, "Three", "c"),
    ] {
        let signed = key.sign_ethereum(&post(
            title,
            title,
            Some(category),
            T0,
            &[key.ethereum_author()],
        ));
        assert_eq!(app.submit(&signed).await.0, StatusCode::CREATED);
        posts.push(spasmid_of(&signed));
    }
    let answer = bob.sign_ethereum(&reply(
        &parent(&posts[0]),
        "Yes",
        T0 + 1,
        &[bob.ethereum_author()],
    ));
    assert_eq!(app.submit(&answer).await.0, StatusCode::CREATED);
    let answer_id = spasmid_of(&answer);

    let (_, both) = app
        .get_json("/api/events?category=a&category=b&action=post")
        .await;
    assert_eq!(ids(&both), [posts[1].clone(), posts[0].clone()]);
    let (_, by_alice) = app
        .get_json(&format!(
            "/api/events?signer={}&action=post",
            alice.ethereum_address().to_lowercase_hex()
        ))
        .await;
    assert_eq!(ids(&by_alice), [posts[2].clone(), posts[0].clone()]);
    let (_, two_actions) = app.get_json("/api/events?action=post&action=reply").await;
    assert_eq!(ids(&two_actions).len(), 4);
    let (_, replies) = app
        .get_json(&format!("/api/events?parentId={}", posts[0]))
        .await;
    assert_eq!(ids(&replies), [answer_id]);
    let (status, error) = app.get_json("/api/events?signer=someone").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        error["error"].as_str().unwrap().contains("signer"),
        "{error}"
    );

    let (status, all) = app.get_json("/api/spasm/all").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ids(&all).len(), 3, "posts only");
    let (status, hot) = app.get("/api/spasm/hot").await;
    assert_eq!((status, hot.as_str()), (StatusCode::OK, "null"));
    let (status, rss) = app.get("/api/rss/rising").await;
    assert_eq!(status, StatusCode::OK);
    assert!(rss.starts_with("<?xml") && !rss.contains("<item>"), "{rss}");
    let (status, _) = app.get("/api/rss/cold").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_before_its_target_is_kept_and_said_so() {
    let app = TestApp::spawn().await;
    let bob = TestKey::from_seed(65);
    let (status, message) = app
        .submit(&bob.sign_ethereum(&reply(
            &parent("spasmid01later"),
            "Early",
            T0,
            &[bob.ethereum_author()],
        )))
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert!(message.contains("once that arrives here"), "{message}");
}
