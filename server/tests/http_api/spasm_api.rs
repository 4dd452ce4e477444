//! The Spasm API on the existing server's paths and messages, with truthful statuses.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use forum::Settings;
use forum::settings::AddressList;
use serde_json::{Value, json};
use server::config::Limits;
use spasm::body::{ParentInfo, Reaction, app_config, moderate_delete, post, react, reply};
use testkit::TestKey;

use crate::{TestApp, unlimited};

const T0: u64 = 1_730_000_000_000;

fn alice() -> TestKey {
    TestKey::from_seed(11)
}

fn bob() -> TestKey {
    TestKey::from_seed(12)
}

fn address(key: &TestKey) -> String {
    key.ethereum_address().to_lowercase_hex()
}

fn list(key: &TestKey) -> AddressList {
    AddressList::parse([address(key).as_str()]).unwrap()
}

fn parent(id: &str) -> ParentInfo {
    ParentInfo {
        ids: vec![id.to_owned()],
        ..ParentInfo::default()
    }
}

fn eth_post(key: &TestKey, title: &str, category: Option<&str>, at: u64) -> Value {
    key.sign_ethereum(&post(
        title,
        &format!("{title} text"),
        category,
        at,
        &[key.ethereum_author()],
    ))
}

fn spasmid_of(input: &Value) -> String {
    spasm::convert::convert_to_spasm(input)
        .unwrap()
        .id()
        .to_string()
}

/// Submits and expects success; returns the spasmid.
async fn stored(app: &TestApp, input: &Value) -> String {
    let (status, message) = app.submit(input).await;
    assert_eq!(status, StatusCode::CREATED, "{message}");
    spasmid_of(input)
}

fn keys_of(list: &Value) -> Vec<i64> {
    list.as_array().map_or_else(Vec::new, |items| {
        items
            .iter()
            .map(|item| item["db"]["key"].as_i64().unwrap())
            .collect()
    })
}

fn titles(list: &Value) -> Vec<String> {
    list.as_array().map_or_else(Vec::new, |items| {
        items
            .iter()
            .map(|item| {
                let event = spasm::convert::convert_to_spasm(item).unwrap().into_json();
                event["title"].as_str().unwrap_or_default().to_owned()
            })
            .collect()
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn submit_stores_signed_events_of_every_input_shape() {
    let app = TestApp::spawn().await;
    let key = alice();
    let (status, message) = app.submit(&eth_post(&key, "Closed form", None, T0)).await;
    assert_eq!(
        (status, message.as_str()),
        (
            StatusCode::CREATED,
            "Success. The event was saved into database"
        )
    );
    // Wrapped as the existing server's clients send it.
    let wrapped = json!({"unknownEvent": eth_post(&key, "Wrapped", None, T0)});
    assert_eq!(app.submit(&wrapped).await.0, StatusCode::CREATED);
    // A Nostr event, a multi-signed envelope, and the path without a trailing slash.
    let nostr = key.sign_nostr(&post("Nostr", "text", None, T0, &[key.nostr_author()]));
    assert_eq!(app.submit(&nostr).await.0, StatusCode::CREATED);
    let both = key.sign_both(&post("Both", "text", None, T0, &key.both_authors()));
    let request = Request::post("/api/submit")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(both.to_string()))
        .unwrap();
    assert_eq!(app.send(request).await.0, StatusCode::CREATED);
    // An envelope as served by another instance is accepted again elsewhere.
    let (_, feed) = app.get_json("/api/events?action=post&limit=10").await;
    let other = TestApp::spawn().await;
    for envelope in feed.as_array().unwrap() {
        assert_eq!(
            other.submit(envelope).await.0,
            StatusCode::CREATED,
            "{envelope}"
        );
    }
    assert_eq!(keys_of(&other.get_json("/api/events").await.1).len(), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn submit_refuses_bad_input_with_a_clear_message_and_status() {
    let app = TestApp::spawn().await;
    let (status, message) = app.submit_bytes(Vec::new()).await;
    assert_eq!(
        (status, message.as_str()),
        (StatusCode::BAD_REQUEST, "ERROR: Unknown event is empty")
    );
    assert_eq!(
        app.submit(&json!({"unknownEvent": null})).await.1,
        "ERROR: Unknown event is empty"
    );
    let (status, message) = app.submit_bytes(b"{not json".to_vec()).await;
    assert_eq!(
        (status, message.as_str()),
        (
            StatusCode::BAD_REQUEST,
            "ERROR: the request body is not valid JSON"
        )
    );
    let (status, message) = app.submit(&json!([1, 2])).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        message == "ERROR: this is not a Spasm, DMP, Nostr or RSS event",
        "{message}"
    );
    // A signature over other text.
    let mut tampered = eth_post(&alice(), "Tampered", None, T0);
    tampered["signedString"] = json!(
        tampered["signedString"]
            .as_str()
            .unwrap()
            .replace("Tampered text", "Other")
    );
    let (status, message) = app.submit(&tampered).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(message.contains("signature"), "{message}");
    // Duplicates.
    let input = eth_post(&alice(), "Twice", None, T0);
    stored(&app, &input).await;
    let (status, message) = app.submit(&input).await;
    assert_eq!(
        (status, message.as_str()),
        (
            StatusCode::CONFLICT,
            "An event with the same Spasm ID is already in database."
        )
    );
    // Sizes: a long title, a large event, a body over the HTTP limit.
    let long_title = alice().sign_ethereum(&post(
        &"t".repeat(1_001),
        "x",
        None,
        T0,
        &[alice().ethereum_author()],
    ));
    let (status, message) = app.submit(&long_title).await;
    assert_eq!(
        (status, message.as_str()),
        (
            StatusCode::PAYLOAD_TOO_LARGE,
            "ERROR: the title is longer than 1000 characters"
        )
    );
    let large = alice().sign_ethereum(&post(
        "Large",
        &"x".repeat(300_000),
        None,
        T0,
        &[alice().ethereum_author()],
    ));
    let (status, message) = app.submit(&large).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(message.contains("larger than"), "{message}");
    let request = Request::post("/api/submit/")
        .header(header::CONTENT_LENGTH, 2 * 1024 * 1024)
        .body(Body::from(vec![b' '; 2 * 1024 * 1024]))
        .unwrap();
    assert_eq!(app.send(request).await.0, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_policy_gate_refuses_with_the_existing_message() {
    let both_ok = |settings: Settings| settings;
    let cases: Vec<(Settings, Value, StatusCode, &str)> = vec![
        (
            Settings::default(),
            json!({"type": "SpasmEventBodyV2", "action": "post", "title": "Anonymous", "content": "x", "timestamp": T0}),
            StatusCode::FORBIDDEN,
            "ERROR: events without signatures are not allowed on this instance.",
        ),
        (
            Settings {
                enable_new_web3_actions_all: false,
                ..Settings::default()
            },
            eth_post(&alice(), "p", None, T0),
            StatusCode::FORBIDDEN,
            "ERROR: submitting all new web3 actions is currently disabled",
        ),
        (
            Settings {
                enable_new_nostr_actions_all: false,
                ..Settings::default()
            },
            alice().sign_nostr(&post("n", "x", None, T0, &[alice().nostr_author()])),
            StatusCode::FORBIDDEN,
            "ERROR: submitting all new Nostr actions is currently disabled",
        ),
        (
            Settings {
                enable_new_ethereum_actions_all: false,
                ..Settings::default()
            },
            eth_post(&alice(), "p", None, T0),
            StatusCode::FORBIDDEN,
            "ERROR: submitting all new Ethereum actions is currently disabled",
        ),
        (
            both_ok(Settings {
                enable_new_ethereum_actions_all: false,
                ..Settings::default()
            }),
            alice().sign_both(&post("b", "x", None, T0, &alice().both_authors())),
            StatusCode::CREATED,
            "Success. The event was saved into database",
        ),
        (
            Settings {
                enable_new_web3_actions_post: false,
                ..Settings::default()
            },
            eth_post(&alice(), "p", None, T0),
            StatusCode::FORBIDDEN,
            "ERROR: submitting new posts is currently disabled",
        ),
        (
            Settings {
                enable_whitelist_for_action_post: true,
                whitelisted_for_action_post: list(&bob()),
                ..Settings::default()
            },
            eth_post(&alice(), "p", None, T0),
            StatusCode::FORBIDDEN,
            "ERROR: this address is not whitelisted to submit new posts",
        ),
        (
            Settings {
                enable_whitelist_for_action_post: true,
                whitelisted_for_action_post: list(&alice()),
                ..Settings::default()
            },
            eth_post(&alice(), "p", None, T0),
            StatusCode::CREATED,
            "Success. The event was saved into database",
        ),
    ];
    for (settings, input, status, message) in cases {
        let app = TestApp::with(settings.clone(), unlimited()).await;
        assert_eq!(
            app.submit(&input).await,
            (status, message.to_owned()),
            "{settings:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reply_reaction_and_moderation_gates() {
    let moderator = TestKey::from_seed(13);
    let admin = TestKey::from_seed(14);
    let open = Settings {
        moderators: list(&moderator),
        admins: list(&admin),
        ..Settings::default()
    };
    let cases: Vec<(Settings, &str, StatusCode, &str)> = vec![
        (
            Settings {
                enable_new_web3_actions_reply: false,
                ..open.clone()
            },
            "reply",
            StatusCode::FORBIDDEN,
            "ERROR: submitting new replies is currently disabled",
        ),
        (
            Settings {
                enable_new_web3_actions_react: false,
                ..open.clone()
            },
            "react",
            StatusCode::FORBIDDEN,
            "ERROR: submitting new reactions is currently disabled",
        ),
        (
            Settings {
                enable_new_web3_actions_moderate: false,
                ..open.clone()
            },
            "moderate",
            StatusCode::FORBIDDEN,
            "ERROR: submitting new moderation actions is currently disabled",
        ),
        (
            Settings {
                enable_whitelist_for_action_reply: true,
                ..open.clone()
            },
            "reply",
            StatusCode::FORBIDDEN,
            "ERROR: this address is not whitelisted to submit new replies",
        ),
        (
            Settings {
                enable_whitelist_for_action_react: true,
                ..open.clone()
            },
            "react",
            StatusCode::FORBIDDEN,
            "ERROR: this address is not whitelisted to submit new reactions",
        ),
        (
            Settings {
                enable_whitelist_for_action_reply: true,
                whitelisted_for_action_reply: list(&bob()),
                ..open.clone()
            },
            "reply",
            StatusCode::CREATED,
            "Success. Action has been saved and incremented",
        ),
        (
            Settings {
                enable_whitelist_for_action_react: true,
                whitelisted_for_action_react: list(&bob()),
                ..open.clone()
            },
            "react",
            StatusCode::CREATED,
            "Success. Action has been saved and incremented",
        ),
        (
            Settings {
                enable_moderation: false,
                ..open.clone()
            },
            "moderate",
            StatusCode::FORBIDDEN,
            "ERROR: the moderation is disabled",
        ),
        (
            Settings {
                moderators: AddressList::default(),
                ..open.clone()
            },
            "moderate",
            StatusCode::FORBIDDEN,
            "ERROR: moderators are not set",
        ),
        (
            open.clone(),
            "moderate-by-bob",
            StatusCode::FORBIDDEN,
            "ERROR: you're not a moderator",
        ),
        (
            open.clone(),
            "moderate",
            StatusCode::CREATED,
            "Success. Action saved and target deleted",
        ),
        (
            Settings {
                enable_app_config_changes: false,
                ..open.clone()
            },
            "app-config",
            StatusCode::FORBIDDEN,
            "ERROR: app config changes are disabled",
        ),
        (
            Settings {
                admins: AddressList::default(),
                ..open.clone()
            },
            "app-config",
            StatusCode::FORBIDDEN,
            "ERROR: admins are not set",
        ),
        (
            open.clone(),
            "app-config-by-bob",
            StatusCode::FORBIDDEN,
            "ERROR: you're not an admin",
        ),
        (
            open.clone(),
            "app-config",
            StatusCode::CREATED,
            "SUCCESS: App config updated",
        ),
    ];
    for (settings, action, status, message) in cases {
        let app = TestApp::with(settings, unlimited()).await;
        let target = stored(&app, &eth_post(&alice(), "Target", None, T0)).await;
        let input = match action {
            "reply" => bob().sign_ethereum(&reply(
                &parent(&target),
                "Reply",
                T0,
                &[bob().ethereum_author()],
            )),
            "react" => bob().sign_ethereum(&react(
                &parent(&target),
                Reaction::Upvote,
                T0,
                &[bob().ethereum_author()],
            )),
            "moderate" => moderator.sign_ethereum(&moderate_delete(
                &parent(&target),
                T0,
                &[moderator.ethereum_author()],
            )),
            "moderate-by-bob" => bob().sign_ethereum(&moderate_delete(
                &parent(&target),
                T0,
                &[bob().ethereum_author()],
            )),
            "app-config" => admin.sign_ethereum(&app_config(
                &json!({"feedFiltersActivityHot": 2}),
                T0,
                &[admin.ethereum_author()],
            )),
            "app-config-by-bob" => bob().sign_ethereum(&app_config(
                &json!({"feedFiltersActivityHot": 2}),
                T0,
                &[bob().ethereum_author()],
            )),
            other => panic!("{other}"),
        };
        assert_eq!(
            app.submit(&input).await,
            (status, message.to_owned()),
            "{action}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reactions_duplicates_targets_and_bans() {
    let moderator = TestKey::from_seed(13);
    let app = TestApp::with(
        Settings {
            moderators: list(&moderator),
            ..Settings::default()
        },
        unlimited(),
    )
    .await;
    let target = stored(&app, &eth_post(&alice(), "Target", None, T0)).await;
    let upvote = |at| {
        bob().sign_ethereum(&react(
            &parent(&target),
            Reaction::Upvote,
            at,
            &[bob().ethereum_author()],
        ))
    };
    assert_eq!(
        app.submit(&upvote(T0)).await,
        (
            StatusCode::CREATED,
            "Success. Action has been saved and incremented".into()
        )
    );
    assert_eq!(
        app.submit(&upvote(T0 + 1)).await,
        (
            StatusCode::CONFLICT,
            "Sorry, but you've already submitted the same action".into()
        )
    );
    let nowhere = bob().sign_ethereum(&react(
        &parent("spasmid01missing"),
        Reaction::Upvote,
        T0,
        &[bob().ethereum_author()],
    ));
    // Its target may arrive later (DECISIONS.md "Arrival order does not matter").
    assert_eq!(app.submit(&nowhere).await.0, StatusCode::ACCEPTED);
    let delete = moderator.sign_ethereum(&moderate_delete(
        &parent(&target),
        T0,
        &[moderator.ethereum_author()],
    ));
    assert_eq!(app.submit(&delete).await.0, StatusCode::CREATED);
    assert_eq!(
        app.submit(&eth_post(&alice(), "Target", None, T0)).await,
        (
            StatusCode::FORBIDDEN,
            "ERROR: this event ID is banned".into()
        )
    );
    let late = bob().sign_ethereum(&reply(
        &parent(&target),
        "late",
        T0,
        &[bob().ethereum_author()],
    ));
    assert_eq!(app.submit(&late).await.0, StatusCode::GONE);
    let (status, audit) = app.get_json("/api/moderations").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(audit[0]["moderator"], address(&moderator));
    assert_eq!(audit[0]["targetIds"][0], target.as_str());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limits_per_ip_and_per_key() {
    let per_ip = Limits {
        submits_per_minute_per_ip: 60,
        submit_burst_per_ip: 2,
        ..unlimited()
    };
    let app = TestApp::with(Settings::default(), per_ip).await;
    for index in 0..2 {
        assert_eq!(
            app.submit(&eth_post(&alice(), &format!("p{index}"), None, T0))
                .await
                .0,
            StatusCode::CREATED
        );
    }
    let request = Request::post("/api/submit/")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(eth_post(&alice(), "p3", None, T0).to_string()))
        .unwrap();
    let mut request = request;
    request
        .extensions_mut()
        .insert(axum::extract::ConnectInfo(std::net::SocketAddr::from((
            [192, 0, 2, 7],
            1,
        ))));
    let response = tower::ServiceExt::oneshot(app.router.clone(), request)
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(response.headers().contains_key(header::RETRY_AFTER));

    let per_key = Limits {
        submits_per_minute_per_key: 60,
        submit_burst_per_key: 1,
        ..unlimited()
    };
    let app = TestApp::with(Settings::default(), per_key).await;
    assert_eq!(
        app.submit(&eth_post(&alice(), "a", None, T0)).await.0,
        StatusCode::CREATED
    );
    let (status, message) = app.submit(&eth_post(&alice(), "b", None, T0)).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        message.starts_with("ERROR: too many submits from this key"),
        "{message}"
    );
    assert_eq!(
        app.submit(&eth_post(&bob(), "c", None, T0)).await.0,
        StatusCode::CREATED
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn feed_parameters() {
    let app = TestApp::spawn().await;
    let (status, empty) = app.get_json("/api/events").await;
    assert_eq!((status, empty), (StatusCode::OK, Value::Null));
    for index in 0..30u64 {
        let category = if index % 3 == 0 { Some("defi") } else { None };
        stored(
            &app,
            &eth_post(&alice(), &format!("Post {index}"), category, T0 + index),
        )
        .await;
    }
    let hot = {
        let (_, list) = app
            .get_json("/api/events?action=post&category=defi&limit=1")
            .await;
        spasmid_of(&list[0])
    };
    for seed in 0..5 {
        let key = TestKey::from_seed(500 + seed);
        stored(
            &app,
            &key.sign_ethereum(&react(
                &parent(&hot),
                Reaction::Bullish,
                T0,
                &[key.ethereum_author()],
            )),
        )
        .await;
    }
    let count = |path: String| {
        let app = &app;
        async move {
            let (status, list) = app.get_json(&path).await;
            assert_eq!(status, StatusCode::OK, "{path}");
            keys_of(&list).len()
        }
    };
    assert_eq!(count("/api/events".into()).await, 25, "25 without a query");
    assert_eq!(
        count("/api/events?action=post".into()).await,
        20,
        "20 with one"
    );
    assert_eq!(count("/api/events?action=post&limit=1000".into()).await, 30);
    assert_eq!(count("/api/events?limit=-5".into()).await, 20);
    assert_eq!(app.get_json("/api/events?limit=0").await.1, Value::Null);
    assert_eq!(count("/api/events?action=react&limit=100".into()).await, 5);
    assert_eq!(
        count("/api/events?action=post&category=defi&limit=100".into()).await,
        10
    );
    assert_eq!(
        count("/api/events?category=any&action=post&limit=100".into()).await,
        30
    );
    assert_eq!(
        count("/api/events?webType=web3&action=post&limit=100".into()).await,
        30
    );
    assert_eq!(count("/api/events?webType=web2&limit=100".into()).await, 0);
    assert_eq!(
        count("/api/events?action=post&activity=hot&limit=100".into()).await,
        1
    );
    assert_eq!(
        count("/api/events?action=post&activity=rising&limit=100".into()).await,
        1
    );
    assert_eq!(
        count("/api/events?action=post&activity=all&keyword=false&source=false&limit=100".into())
            .await,
        30
    );
    assert_eq!(count("/api/events?keyword=BTC&limit=100".into()).await, 0);
    assert_eq!(
        count("/api/events?source=Example&limit=100".into()).await,
        0
    );
    // Keyset pages, newest first.
    let (_, first) = app.get_json("/api/events?action=post&limit=10").await;
    let last = keys_of(&first)[9];
    let (_, second) = app
        .get_json(&format!("/api/events?action=post&limit=10&before={last}"))
        .await;
    assert!(keys_of(&second).iter().all(|key| *key < last));
    assert_eq!(titles(&second)[0], "Post 19");
    let (_, forward) = app
        .get_json(&format!("/api/events?action=post&limit=3&since={last}"))
        .await;
    assert_eq!(
        titles(&forward),
        ["Post 23", "Post 22", "Post 21"],
        "the events right after the cursor"
    );
    let (status, error) = app.get_json("/api/events?before=yesterday").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(error["error"].as_str().unwrap().contains("before"));
    // Stats are served with the events.
    let (_, hot_list) = app.get_json("/api/events?action=post&activity=hot").await;
    assert_eq!(
        hot_list[0]["stats"][0]["contents"][0],
        json!({"value": "bullish", "total": 5, "latestTimestamp": hot_list[0]["stats"][0]["latestTimestamp"]})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_by_any_id_with_trees() {
    let app = TestApp::spawn().await;
    let key = alice();
    let nostr = key.sign_nostr(&post("Nostr root", "text", None, T0, &[key.nostr_author()]));
    let root = stored(&app, &nostr).await;
    let nostr_id = nostr["id"].as_str().unwrap();
    let note = spasm::nostr::nip19::encode_note(&nostr_id.parse().unwrap());
    let first = stored(
        &app,
        &bob().sign_ethereum(&reply(
            &parent(nostr_id),
            "First",
            T0 + 1,
            &[bob().ethereum_author()],
        )),
    )
    .await;
    stored(
        &app,
        &key.sign_ethereum(&reply(
            &parent(&first),
            "Nested",
            T0 + 2,
            &[key.ethereum_author()],
        )),
    )
    .await;
    stored(
        &app,
        &bob().sign_ethereum(&react(
            &parent(&root),
            Reaction::Upvote,
            T0,
            &[bob().ethereum_author()],
        )),
    )
    .await;

    for path in [
        format!("/api/events/{root}"),
        format!("/api/events/search?e={root}"),
        format!("/api/events/{nostr_id}"),
        format!("/api/events/{note}"),
        format!("/api/events/search?e={}", &root[..30]),
    ] {
        let (status, envelope) = app.get_json(&path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_eq!(spasmid_of(&envelope), root, "{path}");
        assert_eq!(envelope["type"], "SpasmEventEnvelopeV2");
    }
    let (_, envelope) = app.get_json(&format!("/api/events/{root}")).await;
    let stats = envelope["stats"].as_array().unwrap();
    assert_eq!(stats.len(), 2, "react and reply counters: {stats:?}");
    let (status, tree) = app
        .get_json(&format!("/api/events/search?e={root}&commentsDepth=10"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(tree["type"], "SpasmEventEnvelopeWithTreeV2");
    assert_eq!(
        tree["children"][0]["event"]["children"][0]["event"]["type"],
        "SpasmEventEnvelopeWithTreeV2"
    );
    let (_, shallow) = app
        .get_json(&format!("/api/events/search?e={root}&commentsDepth=1"))
        .await;
    assert!(shallow["children"][0]["event"].get("children").is_none());

    let (status, missing) = app.get_json("/api/events/spasmid01nothing").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(missing, json!({"error": "ERROR: event has not been found"}));
    assert_eq!(
        app.get_json("/api/events/search").await.0,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        app.get_json(&format!("/api/events/{root}?commentsDepth=deep"))
            .await
            .0,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn urls_are_ids_of_rss_items_through_the_e_parameter() {
    // RSS items enter through the instance's own ingestion; here through the service.
    let data_dir = tempfile::tempdir().unwrap();
    let store = forum::storage::open(None, data_dir.path()).await.unwrap();
    let forum = forum::Forum::new(store, Settings::default(), unlimited().forum_limits())
        .await
        .unwrap();
    let item = json!({"guid": "https://news.example/a?b=1", "source": "News", "title": "Item", "url": "https://news.example/a?b=1", "description": "d", "pubdate": "2024-10-27T03:33:20Z", "tickers": ["BTC"]});
    forum
        .submit(
            item.to_string().as_bytes(),
            forum::Origin::Rss {
                source: "News".into(),
            },
        )
        .await
        .unwrap();
    let app = server::http::router(server::http::AppState::new(forum, unlimited()));
    let get = |path: String| {
        let app = app.clone();
        async move {
            let response =
                tower::ServiceExt::oneshot(app, Request::get(path).body(Body::empty()).unwrap())
                    .await
                    .unwrap();
            let status = response.status();
            let body = http_body_util::BodyExt::collect(response.into_body())
                .await
                .unwrap()
                .to_bytes();
            (status, serde_json::from_slice::<Value>(&body).unwrap())
        }
    };
    let (status, envelope) = get(format!(
        "/api/events/search?e={}",
        crate::url_encode("https://news.example/a?b=1")
    ))
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(envelope["siblings"][0]["type"], "SiblingWeb2V2");
    assert_eq!(
        keys_of(&get("/api/events?webType=web2".into()).await.1).len(),
        1
    );
    assert_eq!(
        keys_of(&get("/api/events?source=News".into()).await.1).len(),
        1
    );
    assert_eq!(
        keys_of(&get("/api/events?keyword=btc".into()).await.1).len(),
        1
    );
    assert_eq!(
        keys_of(&get("/api/events?keyword=BTC".into()).await.1).len(),
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn children_of_one_or_more_ids() {
    let app = TestApp::spawn().await;
    let a = stored(&app, &eth_post(&alice(), "A", None, T0)).await;
    let b = stored(&app, &eth_post(&alice(), "B", None, T0 + 1)).await;
    stored(
        &app,
        &bob().sign_ethereum(&reply(&parent(&a), "to A", T0, &[bob().ethereum_author()])),
    )
    .await;
    stored(
        &app,
        &bob().sign_ethereum(&reply(&parent(&b), "to B", T0, &[bob().ethereum_author()])),
    )
    .await;
    stored(
        &app,
        &bob().sign_ethereum(&react(
            &parent(&a),
            Reaction::Upvote,
            T0,
            &[bob().ethereum_author()],
        )),
    )
    .await;
    let count = |path: String| {
        let app = &app;
        async move { keys_of(&app.get_json(&path).await.1).len() }
    };
    assert_eq!(
        count(format!("/api/events/children/{a}?action=reply")).await,
        1
    );
    assert_eq!(
        count(format!(
            "/api/events/children/search?id={a}&action=reply&action=react"
        ))
        .await,
        2
    );
    assert_eq!(
        count(format!(
            "/api/events/children/search?id={a}&id={b}&action=reply"
        ))
        .await,
        2
    );
    assert_eq!(
        count(format!(
            "/api/events/children/search?id={a}&id={b}&action=any"
        ))
        .await,
        3
    );
    assert_eq!(
        count(format!(
            "/api/events/children/search?id={a}&action=any&limit=1"
        ))
        .await,
        1
    );
    assert_eq!(
        app.get_json(&format!("/api/events/children/search?id={a}&action=post"))
            .await
            .1,
        Value::Null
    );
    let (status, error) = app
        .get_json("/api/events/children/search?action=reply")
        .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "no id: answered, not left hanging"
    );
    assert!(error["error"].as_str().unwrap().contains("id"));
    assert_eq!(
        app.get_json(&format!("/api/events/children/{a}")).await.0,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authors_by_any_spelling_only_with_verified_events() {
    let app = TestApp::spawn().await;
    let key = alice();
    stored(&app, &eth_post(&key, "Mine", None, T0)).await;
    stored(
        &app,
        &key.sign_nostr(&post("Mine on Nostr", "x", None, T0, &[key.nostr_author()])),
    )
    .await;
    // Signed by bob, claiming alice as a co-author: never on alice's page.
    let mut claimed = post("Claimed", "x", None, T0, &[bob().ethereum_author()])
        .as_json()
        .clone();
    claimed["authors"].as_array_mut().unwrap().push(json!({"addresses": [{"value": address(&key), "format": {"name": "ethereum-pubkey"}, "verified": true}]}));
    let text = spasm::js_json::stringify(&claimed);
    let signed = json!({"type": "SpasmEventBodySignedClosedV2", "signedString": text, "signature": bob().personal_sign(&text), "signer": address(&bob())});
    stored(&app, &signed).await;

    let checksum = key.ethereum_address().to_string();
    for spelling in [
        checksum.clone(),
        checksum.to_lowercase(),
        format!("0x{}", checksum[2..].to_uppercase()),
    ] {
        let (status, list) = app.get_json(&format!("/api/authors/{spelling}")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(titles(&list), ["Mine"], "{spelling}");
    }
    let npub = spasm::nostr::nip19::encode_npub(&key.nostr_pubkey());
    for id in [npub, key.nostr_pubkey().to_string()] {
        assert_eq!(
            titles(&app.get_json(&format!("/api/authors/{id}")).await.1),
            ["Mine on Nostr"]
        );
    }
    assert_eq!(
        titles(
            &app.get_json(&format!("/api/authors/{}", address(&bob())))
                .await
                .1
        ),
        ["Claimed"]
    );
    let (status, error) = app.get_json("/api/authors/alice").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        error["error"]
            .as_str()
            .unwrap()
            .contains("not an Ethereum address")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn app_config_is_the_newest_admin_config() {
    let admin = TestKey::from_seed(14);
    let app = TestApp::with(
        Settings {
            admins: list(&admin),
            ..Settings::default()
        },
        unlimited(),
    )
    .await;
    assert_eq!(
        app.get_json("/api/app-config").await,
        (StatusCode::OK, json!({}))
    );
    let config = json!({"enableNewWeb3ActionsReply": false, "telegramLink": "https://t.me/x"});
    stored(
        &app,
        &admin.sign_ethereum(&app_config(&config, T0, &[admin.ethereum_author()])),
    )
    .await;
    assert_eq!(app.get_json("/api/app-config").await.1, config);
    let target = stored(&app, &eth_post(&alice(), "Target", None, T0)).await;
    let answer = bob().sign_ethereum(&reply(
        &parent(&target),
        "no",
        T0,
        &[bob().ethereum_author()],
    ));
    assert_eq!(
        app.submit(&answer).await.1,
        "ERROR: submitting new replies is currently disabled"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_answers_other_origins() {
    let app = TestApp::spawn().await;
    let request = Request::get("/api/events")
        .header(header::ORIGIN, "https://other.example")
        .body(Body::empty())
        .unwrap();
    let response = tower::ServiceExt::oneshot(app.router.clone(), request)
        .await
        .unwrap();
    assert_eq!(response.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_answers_like_the_feed_and_refuses_in_words() {
    let app = TestApp::spawn().await;
    let rust = stored(&app, &eth_post(&alice(), "Rust forum", Some("tech"), T0)).await;
    stored(&app, &eth_post(&alice(), "Rustic bread", None, T0 + 1)).await;
    stored(&app, &eth_post(&alice(), "Gardening", None, T0 + 2)).await;
    let comment = alice().sign_ethereum(&reply(
        &parent(&rust),
        "A forum in <b>Rust</b>, signed.",
        T0 + 3,
        &[alice().ethereum_author()],
    ));
    stored(&app, &comment).await;

    let (status, list) = app.get_json("/api/search?q=rust").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(titles(&list), ["", "Rustic bread", "Rust forum"]);
    // Shaped as `GET /api/events` answers, so any Spasm client reads it.
    let (_, feed) = app.get_json("/api/events?limit=1").await;
    assert_eq!(list[0], feed[0]);
    // The feed's filters and paging apply.
    let (_, posts) = app
        .get_json("/api/search?q=rust&action=post&category=tech")
        .await;
    assert_eq!(titles(&posts), ["Rust forum"]);
    let keys = keys_of(&list);
    let (_, older) = app
        .get_json(&format!("/api/search?q=rust&limit=1&before={}", keys[0]))
        .await;
    assert_eq!(keys_of(&older), [keys[1]]);
    // And as RSS, to follow a search in a feed reader.
    let (status, rss) = app.get("/api/search?q=gardening&format=rss").await;
    assert_eq!(status, StatusCode::OK);
    assert!(rss.contains("<title>Gardening</title>"), "{rss}");

    for (query, reason) in [
        ("", "Type a word to search for."),
        ("q=%20%3F%21", "Type a word to search for."),
        ("q=a+b+c+d+e+f+g+h+i", "A search may have at most 8 words."),
    ] {
        let (status, answer) = app.get_json(&format!("/api/search?{query}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(
            answer["error"],
            format!("ERROR: invalid query parameter q: {reason}"),
            "{query}"
        );
    }
    let (status, _) = app.get_json("/api/search?q=rust&before=soon").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // The page: a form that works without JavaScript, results with the found words marked,
    // markup in contents shown as text.
    let (status, html) = app.get("/search?q=rust+signed").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains(
            r#"<form action="/search" method="get" role="search" aria-label="Search with filters""#
        ),
        "{html}"
    );
    assert!(html.contains("Comment on <bdi>Rust forum</bdi>"), "{html}");
    assert!(html.contains("<mark>Rust</mark>"), "{html}");
    assert!(html.contains("<mark>signed</mark>"), "{html}");
    assert!(!html.contains("<b>"), "{html}");
    let (status, html) = app.get("/search?q=%3F%3F").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("Type a word to search for."), "{html}");
    let (status, html) = app.get("/search?q=nothinglikethis").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Nothing found."), "{html}");
    // Every page has the search box.
    let (_, front) = app.get("/").await;
    assert!(
        front.contains(
            r#"action="/search" method="get" role="search" aria-label="Search this forum""#
        ),
        "{front}"
    );
}

/// `POST /mutes` with a form, as the mutes page sends it.
async fn post_mutes(app: &TestApp, form: &str, site: &str) -> axum::http::Response<Body> {
    use tower::ServiceExt;
    let mut request = Request::post("/mutes")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("sec-fetch-site", site)
        .body(Body::from(form.to_owned()))
        .unwrap();
    request
        .extensions_mut()
        .insert(axum::extract::ConnectInfo(std::net::SocketAddr::from((
            [192, 0, 2, 7],
            40_000,
        ))));
    app.router.clone().oneshot(request).await.unwrap()
}

/// A page as the browser holding `cookie` gets it.
async fn page_with_cookie(app: &TestApp, path: &str, cookie: &str) -> (StatusCode, String) {
    app.send(
        Request::get(path)
            .header(header::COOKIE, cookie)
            .body(Body::empty())
            .unwrap(),
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mutes_kept_in_a_cookie_leave_muted_events_unrendered() {
    let app = TestApp::spawn().await;
    let spammer = TestKey::from_seed(77);
    let root = stored(&app, &eth_post(&alice(), "A calm thread", None, T0)).await;
    stored(
        &app,
        &eth_post(&alice(), "Cheap airdrop today", None, T0 + 1),
    )
    .await;
    stored(&app, &eth_post(&spammer, "Buy my token", None, T0 + 2)).await;
    let rude = alice().sign_ethereum(&reply(
        &parent(&root),
        "An AIRDROP link, rudely.",
        T0 + 3,
        &[alice().ethereum_author()],
    ));
    let rude_id = stored(&app, &rude).await;
    let answer = spammer.sign_ethereum(&reply(
        &parent(&rude_id),
        "An answer below it.",
        T0 + 4,
        &[spammer.ethereum_author()],
    ));
    stored(&app, &answer).await;

    // Saved: a cookie the browser keeps, and back to the page.
    let spammer_address = address(&spammer);
    let response = post_mutes(
        &app,
        &format!("words=airdrop&keys={spammer_address}"),
        "same-origin",
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()[header::LOCATION], "/mutes?saved=1");
    let set_cookie = response.headers()[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(set_cookie.starts_with("spasm_mutes="), "{set_cookie}");
    assert!(
        set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax"),
        "{set_cookie}"
    );
    let cookie = set_cookie.split(';').next().unwrap().to_owned();

    // The feed without what was muted, and how many were left out.
    let (_, plain) = app.get("/").await;
    assert!(plain.contains("Cheap airdrop today") && plain.contains("Buy my token"));
    let (status, muted) = page_with_cookie(&app, "/", &cookie).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!muted.contains("Cheap airdrop today"), "a muted word");
    assert!(!muted.contains("Buy my token"), "a muted key");
    assert!(muted.contains("A calm thread"));
    assert!(muted.contains("2 hidden by your mutes."), "{muted}");
    // The kept front page is not served with another visitor's mutes, nor theirs to others.
    let (_, again) = app.get("/").await;
    assert!(again.contains("Cheap airdrop today"));
    // A thread: the muted comment's words and author are not in the page, its answer is...
    let (_, thread) = page_with_cookie(&app, &format!("/news/{root}"), &cookie).await;
    assert!(!thread.contains("rudely"), "{thread}");
    assert!(
        thread.contains("Hidden because it has a word you muted."),
        "{thread}"
    );
    // ...unless muted too.
    assert!(!thread.contains("An answer below it."));
    assert!(thread.contains("Hidden because you muted its author."));
    // Search leaves them out too.
    let (_, search) = page_with_cookie(&app, "/search?q=airdrop", &cookie).await;
    assert!(search.contains("2 hidden by your mutes."), "{search}");
    // The form shows the mutes back.
    let (_, page) = page_with_cookie(&app, "/mutes", &cookie).await;
    assert!(
        page.contains(&format!(">{spammer_address}</textarea>")),
        "{page}"
    );

    // Refused in words, with what was typed kept.
    let response = post_mutes(&app, "words=fine&keys=alice", "same-origin").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(response.headers().get(header::SET_COOKIE).is_none());
    let back = response.headers()[header::LOCATION]
        .to_str()
        .unwrap()
        .to_owned();
    let (_, page) = app.get(&back).await;
    assert!(
        page.contains("is not an Ethereum address or a Nostr key"),
        "{page}"
    );
    assert!(
        page.contains(">fine</textarea>") && page.contains(">alice</textarea>"),
        "{page}"
    );
    // Another site may not change them.
    let response = post_mutes(&app, "words=everything", "cross-site").await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    // Nothing muted: the cookie goes.
    let response = post_mutes(&app, "words=&keys=", "same-origin").await;
    assert!(
        response.headers()[header::SET_COOKIE]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
}
