//! The store's conformance suite: every scenario runs on SQLite and on PostgreSQL through
//! the forum service, with events really signed by keys of our own.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use forum::envelope::{StoredEvent, envelopes_json};
use forum::ingest::AcceptedKind;
use forum::query::{Activity, FeedFilter, FeedRequest, Page, WebType};
use forum::settings::AddressList;
use forum::{Origin, Settings, SubmitError};
use serde_json::{Value, json};
use spasm::body::{Reaction, app_config, moderate_delete, moderate_restore, post, react, reply};
use spasm::convert::convert_to_spasm;
use support::{Db, TestForum, bytes, moderated_by, parent, signed_closed, submit};
use testkit::TestKey;

const T0: u64 = 1_730_000_000_000;

fn alice() -> TestKey {
    TestKey::from_seed(1)
}

fn bob() -> TestKey {
    TestKey::from_seed(2)
}

fn moderator() -> TestKey {
    TestKey::from_seed(3)
}

fn admin() -> TestKey {
    TestKey::from_seed(4)
}

fn moderated() -> Settings {
    moderated_by(&moderator(), &admin())
}

async fn post_by(
    test: &TestForum,
    key: &TestKey,
    title: &str,
    category: Option<&str>,
    at: u64,
) -> String {
    let body = post(
        title,
        &format!("{title} text"),
        category,
        at,
        &[key.ethereum_author()],
    );
    submit(test, &key.sign_ethereum(&body))
        .await
        .unwrap()
        .spasmid
}

async fn feed(test: &TestForum, filter: FeedFilter, page: Page) -> Vec<StoredEvent> {
    test.forum
        .feed(&FeedRequest {
            filter,
            page: Some(page),
        })
        .await
        .unwrap()
}

fn titles(events: &[StoredEvent]) -> Vec<String> {
    events
        .iter()
        .map(|event| {
            let json: Value = serde_json::from_str(&event.event_json).unwrap();
            json["title"].as_str().unwrap_or_default().to_owned()
        })
        .collect()
}

on_both_databases!(
    a_signed_post_is_stored_found_by_every_id_and_served_verifiable,
    Settings::default()
);
async fn a_signed_post_is_stored_found_by_every_id_and_served_verifiable(test: &TestForum) {
    let key = alice();
    let body = post(
        "Hello",
        "First post",
        Some("defi"),
        T0,
        &[key.ethereum_author()],
    );
    let signed = key.sign_ethereum(&body);
    let accepted = submit(test, &signed).await.unwrap();
    assert_eq!(accepted.kind, AcceptedKind::Saved);
    assert_eq!(
        accepted.message(),
        "Success. The event was saved into database"
    );
    let spasmid = accepted.spasmid.clone();
    let signature = signed["signature"].as_str().unwrap();

    // A Spasm-signed body's only id is its spasmid (its sibling has no ids, as in spasm.js).
    assert!(test.forum.event(signature).await.unwrap().is_none());
    for id in [spasmid.as_str(), &spasmid[..30]] {
        let found = test
            .forum
            .event(id)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("{id} not found"));
        assert_eq!(Some(found.key), accepted.key);
    }
    assert!(
        test.forum.event(&spasmid[..29]).await.unwrap().is_none(),
        "only the configured short length"
    );

    // The envelope carries the original signed material: anyone can verify it again.
    let stored = test.forum.event(&spasmid).await.unwrap().unwrap();
    let envelope: Value = serde_json::from_str(&stored.envelope_json()).unwrap();
    assert_eq!(envelope["type"], "SpasmEventEnvelopeV2");
    assert_eq!(envelope["db"]["key"], accepted.key.unwrap());
    let again = convert_to_spasm(&envelope).unwrap();
    assert_eq!(again.id().to_string(), spasmid);
    assert_eq!(again.signers().len(), 1);

    // Authors: by any spelling of the address.
    let checksum = key.ethereum_address().to_string();
    for spelling in [
        checksum.clone(),
        checksum.to_lowercase(),
        checksum.to_uppercase().replace("0X", "0x"),
    ] {
        let events = test
            .forum
            .author_events(&spelling, Page::first(10))
            .await
            .unwrap();
        assert_eq!(events.len(), 1, "{spelling}");
    }
}

on_both_databases!(
    nostr_and_multi_signed_events_are_found_by_their_nostr_ids,
    Settings::default()
);
async fn nostr_and_multi_signed_events_are_found_by_their_nostr_ids(test: &TestForum) {
    let key = alice();
    let nostr_body = post(
        "Nostr",
        "Signed with Nostr",
        None,
        T0,
        &[key.nostr_author()],
    );
    let nostr_event = key.sign_nostr(&nostr_body);
    let accepted = submit(test, &nostr_event).await.unwrap();
    let nostr_id = nostr_event["id"].as_str().unwrap();
    let note = spasm::nostr::nip19::encode_note(&nostr_id.parse().unwrap());
    for id in [nostr_id, note.as_str(), accepted.spasmid.as_str()] {
        assert!(test.forum.event(id).await.unwrap().is_some(), "{id}");
    }
    let npub = spasm::nostr::nip19::encode_npub(&key.nostr_pubkey());
    assert_eq!(
        test.forum
            .author_events(&npub, Page::first(10))
            .await
            .unwrap()
            .len(),
        1
    );

    let both = post(
        "Both",
        "Signed by two keys",
        None,
        T0 + 1,
        &key.both_authors(),
    );
    let accepted = submit(test, &key.sign_both(&both)).await.unwrap();
    let stored = test.forum.event(&accepted.spasmid).await.unwrap().unwrap();
    let event: Value = serde_json::from_str(&stored.event_json).unwrap();
    assert_eq!(event["signatures"].as_array().unwrap().len(), 2);
    assert_eq!(
        test.forum
            .author_events(&npub, Page::first(10))
            .await
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        test.forum
            .author_events(&key.ethereum_address().to_string(), Page::first(10))
            .await
            .unwrap()
            .len(),
        1
    );
}

on_both_databases!(an_event_is_stored_once, Settings::default());
async fn an_event_is_stored_once(test: &TestForum) {
    let key = alice();
    let body = post("Once", "Only once", None, T0, &[key.ethereum_author()]);
    let signed = key.sign_ethereum(&body);
    submit(test, &signed).await.unwrap();
    let error = submit(test, &signed).await.unwrap_err();
    assert!(matches!(error, SubmitError::Duplicate), "{error}");
    assert_eq!(error.status(), 409);
    // The same body signed through Nostr has the same spasmid: the same event.
    let nostr = post("Once", "Only once", None, T0, &[key.ethereum_author()]);
    assert_eq!(nostr.signed_string(), body.signed_string());
    let feed = feed(test, FeedFilter::default(), Page::first(10)).await;
    assert_eq!(feed.len(), 1);
}

/// A kind-0 event (a Nostr profile) by `key`, signed at `created_at` (seconds).
fn profile_event(key: &TestKey, created_at: u64, content: &Value) -> Value {
    key.sign_nostr_event(json!({
        "kind": 0,
        "created_at": created_at,
        "tags": [],
        "content": content.to_string(),
    }))
}

on_both_databases!(
    the_newest_nostr_profile_of_a_key_is_kept_beside_the_events,
    Settings::default()
);
async fn the_newest_nostr_profile_of_a_key_is_kept_beside_the_events(test: &TestForum) {
    let key = alice();
    let npub = spasm::nostr::nip19::to_npub_lenient(&key.nostr_pubkey().to_string());
    assert_eq!(test.forum.nostr_profile(&npub).await.unwrap(), None);

    let first = profile_event(
        &key,
        1_700_000_100,
        &json!({"name": "Alice", "about": "First"}),
    );
    let accepted = submit(test, &first).await.unwrap();
    assert_eq!(accepted.kind, AcceptedKind::ProfileSaved);
    let shown = test.forum.nostr_profile(&npub).await.unwrap().unwrap();
    assert_eq!(shown.name.as_deref(), Some("Alice"));
    assert_eq!(shown.about.as_deref(), Some("First"));

    // An older profile arriving later does not replace a newer one (the old client kept
    // whichever arrived first); a newer one does, found by hex key too.
    let older = profile_event(&key, 1_700_000_000, &json!({"name": "Old Alice"}));
    let error = submit(test, &older).await.unwrap_err();
    assert!(matches!(error, SubmitError::StaleProfile), "{error}");
    assert_eq!(error.status(), 409);
    let newer = profile_event(&key, 1_700_000_200, &json!({"display_name": "Alice B."}));
    submit(test, &newer).await.unwrap();
    let hex = key.nostr_pubkey().to_string();
    let shown = test.forum.nostr_profile(&hex).await.unwrap().unwrap();
    assert_eq!(shown.name.as_deref(), Some("Alice B."));
    assert_eq!(shown.about, None);

    // A tampered profile is refused; profiles are neither in feeds nor on author pages.
    let mut tampered = profile_event(&key, 1_700_000_300, &json!({"name": "Mallory"}));
    tampered["content"] = Value::from(json!({"name": "Alice"}).to_string());
    assert!(matches!(
        submit(test, &tampered).await.unwrap_err(),
        SubmitError::NotConvertible(_)
    ));
    assert!(
        feed(test, FeedFilter::default(), Page::first(10))
            .await
            .is_empty()
    );
    let listed = test
        .forum
        .author_events(&hex, Page::first(10))
        .await
        .unwrap();
    assert!(listed.is_empty());
    // Another key's profile is its own; Ethereum addresses have none.
    assert_eq!(
        test.forum
            .nostr_profile(&bob().nostr_pubkey().to_string())
            .await
            .unwrap(),
        None
    );
    let address = key.ethereum_address().to_lowercase_hex();
    assert_eq!(test.forum.nostr_profile(&address).await.unwrap(), None);
}

on_both_databases!(
    reactions_are_counted_once_per_signer_and_kind,
    Settings::default()
);
async fn reactions_are_counted_once_per_signer_and_kind(test: &TestForum) {
    let target = post_by(test, &alice(), "Target", None, T0).await;
    let upvote = react(
        &parent(&target),
        Reaction::Upvote,
        T0 + 1,
        &[bob().ethereum_author()],
    );
    let accepted = submit(test, &bob().sign_ethereum(&upvote)).await.unwrap();
    assert_eq!(
        accepted.message(),
        "Success. Action has been saved and incremented"
    );
    // The same upvote again, at another time (another event): refused.
    let again = react(
        &parent(&target),
        Reaction::Upvote,
        T0 + 2,
        &[bob().ethereum_author()],
    );
    let error = submit(test, &bob().sign_ethereum(&again))
        .await
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "Sorry, but you've already submitted the same action"
    );
    // Another kind by the same signer, and the same kind by another signer: counted.
    let bullish = react(
        &parent(&target),
        Reaction::Bullish,
        T0 + 3,
        &[bob().ethereum_author()],
    );
    submit(test, &bob().sign_ethereum(&bullish)).await.unwrap();
    let by_alice = react(
        &parent(&target),
        Reaction::Upvote,
        T0 + 4,
        &[alice().nostr_author()],
    );
    submit(test, &alice().sign_nostr(&by_alice)).await.unwrap();

    let stored = test.forum.event(&target).await.unwrap().unwrap();
    assert_eq!(stored.stats.reaction("upvote"), 2);
    assert_eq!(stored.stats.reaction("bullish"), 1);
    let envelope: Value = serde_json::from_str(&stored.envelope_json()).unwrap();
    assert_eq!(envelope["stats"][0]["action"], "react");
    assert_eq!(envelope["stats"][0]["total"], 3);

    // What each key already did, for the page to mark: by any form of the key and any id.
    let mut by_bob = test
        .forum
        .reactions_by(
            &[bob()
                .ethereum_address()
                .to_string()
                .to_uppercase()
                .replace("0X", "0x")],
            &[target.clone(), "spasmid01unknown".to_owned()],
        )
        .await
        .unwrap();
    by_bob.sort();
    assert_eq!(
        by_bob,
        [
            (target.clone(), "bullish".to_owned()),
            (target.clone(), "upvote".to_owned())
        ]
    );
    let by_alice = test
        .forum
        .reactions_by(
            &[alice().nostr_pubkey().to_string()],
            std::slice::from_ref(&target),
        )
        .await
        .unwrap();
    assert_eq!(by_alice, [(target.clone(), "upvote".to_owned())]);
    assert!(
        test.forum
            .reactions_by(
                &[alice().ethereum_address().to_string()],
                std::slice::from_ref(&target)
            )
            .await
            .unwrap()
            .is_empty(),
        "alice reacted with her Nostr key only"
    );
    assert!(matches!(
        test.forum
            .reactions_by(&["nobody".to_owned()], std::slice::from_ref(&target))
            .await,
        Err(forum::ReadError::BadRequest(_))
    ));

    // Unknown reactions and unknown targets are refused, not counted.
    let mut odd = react(
        &parent(&target),
        Reaction::Upvote,
        T0 + 5,
        &[bob().ethereum_author()],
    )
    .as_json()
    .clone();
    odd["content"] = json!("foobar-not-a-reaction");
    let odd_text = spasm::js_json::stringify(&odd);
    let odd_signed = signed_closed(&bob(), &odd_text);
    assert!(matches!(
        submit(test, &odd_signed).await.unwrap_err(),
        SubmitError::UnknownReaction(_)
    ));
    let missing = react(
        &parent("spasmid01nowhere"),
        Reaction::Upvote,
        T0,
        &[bob().ethereum_author()],
    );
    // Its target may arrive later (DECISIONS.md): kept, counted on nothing yet.
    let waiting = submit(test, &bob().sign_ethereum(&missing)).await.unwrap();
    assert_eq!(waiting.kind, forum::ingest::AcceptedKind::Waiting);
    assert_eq!(
        test.forum
            .event(&target)
            .await
            .unwrap()
            .unwrap()
            .stats
            .reaction("upvote"),
        2
    );
}

on_both_databases!(replies_are_counted_and_form_a_tree, Settings::default());
async fn replies_are_counted_and_form_a_tree(test: &TestForum) {
    let root = post_by(test, &alice(), "Root", None, T0).await;
    let first = reply(
        &parent(&root),
        "First reply",
        T0 + 1,
        &[bob().ethereum_author()],
    );
    let first = submit(test, &bob().sign_ethereum(&first))
        .await
        .unwrap()
        .spasmid;
    let nested = reply(
        &parent(&first),
        "Nested reply",
        T0 + 2,
        &[alice().nostr_author()],
    );
    submit(test, &alice().sign_nostr(&nested)).await.unwrap();
    let second = reply(
        &parent(&root),
        "Second reply",
        T0 + 3,
        &[alice().ethereum_author()],
    );
    submit(test, &alice().sign_ethereum(&second)).await.unwrap();
    // The same text again by the same signer to the same target: refused.
    let repeated = reply(
        &parent(&root),
        "Second reply",
        T0 + 4,
        &[alice().ethereum_author()],
    );
    assert!(matches!(
        submit(test, &alice().sign_ethereum(&repeated))
            .await
            .unwrap_err(),
        SubmitError::DuplicateAction
    ));

    let stored = test.forum.event(&root).await.unwrap().unwrap();
    assert_eq!(stored.stats.reply_total(), 2);
    // The whole discussion below each event, for the pages' counts; a reaction is no reply.
    let first_key = test.forum.event(&first).await.unwrap().unwrap().key;
    let upvote = react(
        &parent(&first),
        Reaction::Upvote,
        T0 + 5,
        &[bob().ethereum_author()],
    );
    submit(test, &bob().sign_ethereum(&upvote)).await.unwrap();
    let mut totals = test
        .forum
        .store()
        .thread_reply_totals(&[stored.key, first_key, i64::MAX])
        .await
        .unwrap();
    totals.sort_unstable();
    assert_eq!(totals, [(stored.key, 3), (first_key, 1)]);
    let tree: Value =
        serde_json::from_str(&test.forum.event_with_tree(&stored, 10).await.unwrap()).unwrap();
    assert_eq!(tree["type"], "SpasmEventEnvelopeWithTreeV2");
    let children = tree["children"].as_array().unwrap();
    assert_eq!(children.len(), 2);
    assert_eq!(
        children[0]["event"]["children"].as_array().unwrap().len(),
        1
    );
    assert!(children[1]["event"].get("children").is_none());
    // Depth 1 keeps one level.
    let shallow: Value =
        serde_json::from_str(&test.forum.event_with_tree(&stored, 1).await.unwrap()).unwrap();
    assert!(shallow["children"][0]["event"].get("children").is_none());

    let children = test
        .forum
        .children(&[&root], &["reply"], Page::first(10))
        .await
        .unwrap();
    assert_eq!(children.len(), 2);
    assert!(
        test.forum
            .children(&[&root], &["react"], Page::first(10))
            .await
            .unwrap()
            .is_empty()
    );
    // Both replies to the root, the nested reply and the upvote of the first reply.
    assert_eq!(
        test.forum
            .children(&[&root, &first], &["any"], Page::first(10))
            .await
            .unwrap()
            .len(),
        4
    );
}

on_both_databases!(feed_filters_and_keyset_pages, Settings::default());
async fn feed_filters_and_keyset_pages(test: &TestForum) {
    for index in 0..7u64 {
        let category = if index % 2 == 0 {
            Some("defi")
        } else {
            Some("nft")
        };
        post_by(
            test,
            &alice(),
            &format!("Post {index}"),
            category,
            T0 + index,
        )
        .await;
    }
    let all = feed(test, FeedFilter::default(), Page::first(100)).await;
    assert_eq!(
        titles(&all),
        [
            "Post 6", "Post 5", "Post 4", "Post 3", "Post 2", "Post 1", "Post 0"
        ]
    );

    let defi = FeedFilter {
        categories: vec!["defi".into()],
        ..FeedFilter::default()
    };
    assert_eq!(
        titles(&feed(test, defi.clone(), Page::first(100)).await),
        ["Post 6", "Post 4", "Post 2", "Post 0"]
    );

    // Pages: newest first, then before the last key seen, without gaps or repeats.
    let first = feed(test, FeedFilter::default(), Page::first(3)).await;
    let second = feed(
        test,
        FeedFilter::default(),
        Page {
            limit: 3,
            before: Some(first[2].key),
            since: None,
        },
    )
    .await;
    let third = feed(
        test,
        FeedFilter::default(),
        Page {
            limit: 3,
            before: Some(second[2].key),
            since: None,
        },
    )
    .await;
    assert_eq!(titles(&first), ["Post 6", "Post 5", "Post 4"]);
    assert_eq!(titles(&second), ["Post 3", "Post 2", "Post 1"]);
    assert_eq!(titles(&third), ["Post 0"]);
    // Reading forward from a cursor: the events right after it, newest first.
    let forward = feed(
        test,
        FeedFilter::default(),
        Page {
            limit: 2,
            before: None,
            since: Some(all[6].key),
        },
    )
    .await;
    assert_eq!(titles(&forward), ["Post 2", "Post 1"]);

    // Hot: reactions at or above the threshold.
    let hot_target = all[3].event_json.clone();
    let hot_id = serde_json::from_str::<Value>(&hot_target).unwrap()["ids"][0]["value"]
        .as_str()
        .unwrap()
        .to_owned();
    for seed in 100..105 {
        let key = TestKey::from_seed(seed);
        let upvote = react(
            &parent(&hot_id),
            Reaction::Upvote,
            T0,
            &[key.ethereum_author()],
        );
        submit(test, &key.sign_ethereum(&upvote)).await.unwrap();
    }
    let hot = FeedFilter {
        actions: vec!["post".into()],
        activity: Some(Activity::Hot),
        ..FeedFilter::default()
    };
    assert_eq!(titles(&feed(test, hot, Page::first(10)).await), ["Post 3"]);
    let posts = FeedFilter {
        actions: vec!["post".into()],
        web_type: Some(WebType::Web3),
        ..FeedFilter::default()
    };
    assert_eq!(feed(test, posts, Page::first(100)).await.len(), 7);
    let reactions = FeedFilter {
        actions: vec!["react".into()],
        ..FeedFilter::default()
    };
    assert_eq!(feed(test, reactions, Page::first(100)).await.len(), 5);
    let web2 = FeedFilter {
        web_type: Some(WebType::Web2),
        ..FeedFilter::default()
    };
    assert!(feed(test, web2, Page::first(100)).await.is_empty());
}

on_both_databases!(
    rss_items_are_unsigned_web2_events_with_source_keywords_and_url_ids,
    Settings::default()
);
async fn rss_items_are_unsigned_web2_events_with_source_keywords_and_url_ids(test: &TestForum) {
    let item = json!({
        "guid": "https://news.example/1",
        "source": "Example News",
        "category": "defi",
        "tickers": ["BTC", "eth"],
        "title": "Markets today",
        "url": "https://news.example/1",
        "description": "A summary",
        "pubdate": "2024-10-27T03:33:20Z"
    });
    let origin = Origin::Rss {
        source: "Example News".into(),
    };
    let accepted = test
        .forum
        .submit(&bytes(&item), origin.clone())
        .await
        .unwrap();
    // The public submit refuses unsigned events (DECISIONS.md, Security 7).
    let mut other = item.clone();
    other["url"] = json!("https://news.example/2");
    other["guid"] = json!("https://news.example/2");
    assert!(matches!(
        submit(test, &other).await.unwrap_err(),
        SubmitError::UnsignedNotAllowed
    ));
    // A second copy with the same URL (say, a changed pubdate) is a duplicate.
    let mut jittered = item.clone();
    jittered["pubdate"] = json!("2024-10-27T03:33:21Z");
    let error = test
        .forum
        .submit(&bytes(&jittered), origin)
        .await
        .unwrap_err();
    assert!(matches!(error, SubmitError::Duplicate), "{error}");

    assert!(
        test.forum
            .event("https://news.example/1")
            .await
            .unwrap()
            .is_some()
    );
    let filter = |filter| async move { feed(test, filter, Page::first(10)).await.len() };
    assert_eq!(
        filter(FeedFilter {
            web_type: Some(WebType::Web2),
            ..FeedFilter::default()
        })
        .await,
        1
    );
    assert_eq!(
        filter(FeedFilter {
            source: Some("Example News".into()),
            ..FeedFilter::default()
        })
        .await,
        1
    );
    assert_eq!(
        filter(FeedFilter {
            keywords: vec!["btc".into()],
            ..FeedFilter::default()
        })
        .await,
        1
    );
    assert_eq!(
        filter(FeedFilter {
            keywords: vec!["eth".into()],
            ..FeedFilter::default()
        })
        .await,
        1
    );
    assert_eq!(
        filter(FeedFilter {
            keywords: vec!["sol".into()],
            ..FeedFilter::default()
        })
        .await,
        0
    );
    assert!(accepted.key.is_some());
}

on_both_databases!(
    moderators_delete_with_an_audit_record_and_admins_undo,
    moderated()
);
async fn moderators_delete_with_an_audit_record_and_admins_undo(test: &TestForum) {
    let target = post_by(test, &alice(), "Spam", None, T0).await;
    let answer = reply(
        &parent(&target),
        "A reply below",
        T0 + 1,
        &[bob().ethereum_author()],
    );
    let answer = submit(test, &bob().sign_ethereum(&answer))
        .await
        .unwrap()
        .spasmid;
    let keep = post_by(test, &alice(), "Keep", None, T0 + 2).await;

    // Not a moderator: refused, nothing changes.
    let by_bob = moderate_delete(&parent(&target), T0 + 3, &[bob().ethereum_author()]);
    let error = submit(test, &bob().sign_ethereum(&by_bob))
        .await
        .unwrap_err();
    assert_eq!(error.to_string(), "ERROR: you're not a moderator");
    assert!(test.forum.event(&target).await.unwrap().is_some());

    let delete = moderate_delete(&parent(&target), T0 + 4, &[moderator().ethereum_author()]);
    let accepted = submit(test, &moderator().sign_ethereum(&delete))
        .await
        .unwrap();
    assert_eq!(
        accepted.message(),
        "Success. Action saved and target deleted"
    );
    // The target and its subtree are gone from every read.
    assert!(test.forum.event(&target).await.unwrap().is_none());
    assert!(test.forum.event(&answer).await.unwrap().is_none());
    assert_eq!(
        titles(&feed(test, FeedFilter::default(), Page::first(10)).await),
        ["Keep"]
    );
    assert!(
        test.forum
            .author_events(&bob().ethereum_address().to_string(), Page::first(10))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(test.forum.event(&keep).await.unwrap().is_some());
    // It may not come back, and nobody can answer it.
    let again = post("Spam", "Spam text", None, T0, &[alice().ethereum_author()]);
    assert!(matches!(
        submit(test, &alice().sign_ethereum(&again))
            .await
            .unwrap_err(),
        SubmitError::Banned
    ));
    let late = reply(
        &parent(&target),
        "Late reply",
        T0 + 5,
        &[bob().ethereum_author()],
    );
    assert!(matches!(
        submit(test, &bob().sign_ethereum(&late)).await.unwrap_err(),
        SubmitError::TargetDeleted
    ));
    // The audit trail: who, when, which ids.
    let audit = test.forum.moderations(Page::first(10)).await.unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(
        audit[0].moderator,
        moderator().ethereum_address().to_lowercase_hex()
    );
    assert!(audit[0].target_ids.contains(&target));
    assert!(audit[0].undone_at_ms.is_none());

    // Only an admin undoes it.
    let restore = |key: &TestKey, at| {
        key.sign_ethereum(&moderate_restore(
            &parent(&target),
            at,
            &[key.ethereum_author()],
        ))
    };
    assert!(matches!(
        submit(test, &restore(&moderator(), T0 + 6))
            .await
            .unwrap_err(),
        SubmitError::NotAdmin
    ));
    let accepted = submit(test, &restore(&admin(), T0 + 7)).await.unwrap();
    assert_eq!(accepted.kind, AcceptedKind::Restored);
    assert!(test.forum.event(&target).await.unwrap().is_some());
    assert!(test.forum.event(&answer).await.unwrap().is_some());
    let audit = test.forum.moderations(Page::first(10)).await.unwrap();
    assert_eq!(audit.len(), 2);
    assert!(audit[1].undone_at_ms.is_some());
    assert_eq!(
        audit[1].undone_by.as_deref(),
        Some(admin().ethereum_address().to_lowercase_hex().as_str())
    );
    let late = reply(
        &parent(&target),
        "Late reply",
        T0 + 8,
        &[bob().ethereum_author()],
    );
    submit(test, &bob().sign_ethereum(&late)).await.unwrap();
}

on_both_databases!(
    admin_settings_apply_at_once_and_after_a_restart,
    moderated()
);
async fn admin_settings_apply_at_once_and_after_a_restart(test: &TestForum) {
    let config = json!({"enableNewWeb3ActionsPost": false, "telegramLink": "https://t.me/example"});
    let by_alice = app_config(&config, T0, &[alice().ethereum_author()]);
    let error = submit(test, &alice().sign_ethereum(&by_alice))
        .await
        .unwrap_err();
    assert_eq!(error.to_string(), "ERROR: you're not an admin");
    assert_eq!(*test.forum.app_config(), json!({}));

    let by_admin = app_config(&config, T0, &[admin().ethereum_author()]);
    let accepted = submit(test, &admin().sign_ethereum(&by_admin))
        .await
        .unwrap();
    assert_eq!(accepted.message(), "SUCCESS: App config updated");
    assert_eq!(
        test.forum.app_config()["telegramLink"],
        "https://t.me/example"
    );
    let clone = test.forum.clone();
    assert!(
        !clone.settings().enable_new_web3_actions_post,
        "every holder of the service sees it"
    );
    let body = post("Blocked", "text", None, T0, &[alice().ethereum_author()]);
    let error = submit(test, &alice().sign_ethereum(&body))
        .await
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "ERROR: submitting new posts is currently disabled"
    );

    let restarted = test.reopen(moderated()).await;
    assert!(!restarted.settings().enable_new_web3_actions_post);
    // Once the signer is no longer an admin, the stored config no longer applies.
    let without_admin = test
        .reopen(Settings {
            admins: AddressList::default(),
            ..moderated()
        })
        .await;
    assert!(without_admin.settings().enable_new_web3_actions_post);

    let invalid = app_config(
        &json!({"feedFiltersActivityHot": "very"}),
        T0 + 1,
        &[admin().ethereum_author()],
    );
    assert!(matches!(
        submit(test, &admin().sign_ethereum(&invalid))
            .await
            .unwrap_err(),
        SubmitError::InvalidAppConfig(_)
    ));
}

/// The database's visible content, to show that refused events changed nothing.
async fn snapshot(test: &TestForum) -> String {
    let events = feed(test, FeedFilter::default(), Page::first(300)).await;
    let audit = test.forum.moderations(Page::first(300)).await.unwrap();
    format!(
        "{}{audit:?}{}",
        envelopes_json(&events),
        test.forum.app_config()
    )
}

on_both_databases!(every_forgery_is_refused_and_changes_nothing, moderated());
async fn every_forgery_is_refused_and_changes_nothing(test: &TestForum) {
    let target = post_by(test, &alice(), "Target", None, T0).await;
    let before = snapshot(test).await;
    let moderator_address = moderator().ethereum_address().to_lowercase_hex();
    let forged_author = json!([{"addresses": [{"value": moderator_address, "format": {"name": "ethereum-pubkey"}, "verified": true}]}]);

    // Security 1: an unsigned body that claims a verified moderator.
    let forged_delete = json!({
        "type": "SpasmEventBodyV2", "action": "moderate", "content": "delete",
        "parent": {"ids": [{"value": target}]}, "timestamp": T0, "authors": forged_author,
    });
    assert!(submit(test, &forged_delete).await.is_err());
    let forged_config = json!({
        "type": "SpasmEventBodyV2", "action": "app-config-dr",
        "content": "{\"enableNewWeb3ActionsAll\":false}", "timestamp": T0, "authors": forged_author,
    });
    assert!(submit(test, &forged_config).await.is_err());
    // Security 1 and 3: signed by the attacker, listing the moderator as a second author.
    let mut body = moderate_delete(&parent(&target), T0, &[bob().ethereum_author()])
        .as_json()
        .clone();
    body["authors"]
        .as_array_mut()
        .unwrap()
        .push(forged_author[0].clone());
    let text = spasm::js_json::stringify(&body);
    let signed = signed_closed(&bob(), &text);
    assert_eq!(
        submit(test, &signed).await.unwrap_err().to_string(),
        "ERROR: you're not a moderator"
    );
    // Security 3: signed by a key that is not an author.
    let by_moderator_key = moderate_delete(&parent(&target), T0, &[moderator().ethereum_author()]);
    let text = by_moderator_key.signed_string();
    let not_author = signed_closed(&bob(), &text);
    let error = submit(test, &not_author).await.unwrap_err();
    assert_eq!(error.status(), 400, "{error}");
    // Security 2: a sibling whose signature recovers to someone else than its pubkey.
    let sibling = json!({"type": "SiblingSpasmSignedV2", "protocol": {"name": "spasm", "version": "2.0.0"},
        "signedString": text, "signatures": [{"value": bob().personal_sign(&text), "pubkey": moderator_address, "format": {"name": "ethereum-sig"}}]});
    assert!(
        submit(
            test,
            &json!({"type": "SpasmEventEnvelopeV2", "siblings": [sibling]})
        )
        .await
        .is_err()
    );
    // Security 2: siblings of different content.
    let one = moderator().sign_ethereum(&moderate_delete(
        &parent(&target),
        T0,
        &[moderator().ethereum_author()],
    ));
    let other = post("Other", "content", None, T0, &[moderator().nostr_author()]);
    let one = convert_to_spasm(&one).unwrap();
    let other = convert_to_spasm(&moderator().sign_nostr(&other)).unwrap();
    let mixed = json!({"type": "SpasmEventEnvelopeV2", "siblings": [one.event()["siblings"][0], other.event()["siblings"][0]]});
    assert!(submit(test, &mixed).await.is_err());
    // Security 4: the malleated twin of a genuine signature.
    let genuine = alice().sign_ethereum(&post(
        "Malleable",
        "text",
        None,
        T0,
        &[alice().ethereum_author()],
    ));
    let malleated = malleate(&genuine);
    assert!(matches!(
        submit(test, &malleated).await.unwrap_err(),
        SubmitError::NotConvertible(_)
    ));
    // Tampered content after signing, of each kind.
    for (field, value) in [
        ("content", json!("changed")),
        ("title", json!("changed")),
        ("timestamp", json!(T0 + 9)),
    ] {
        let mut body: Value =
            serde_json::from_str(genuine["signedString"].as_str().unwrap()).unwrap();
        body[field] = value;
        let mut tampered = genuine.clone();
        tampered["signedString"] = json!(spasm::js_json::stringify(&body));
        assert!(
            matches!(
                submit(test, &tampered).await.unwrap_err(),
                SubmitError::NotConvertible(_)
            ),
            "{field}"
        );
    }
    let mut nostr = alice().sign_nostr(&post("Nostr", "text", None, T0, &[alice().nostr_author()]));
    nostr["content"] = json!("tampered");
    assert!(matches!(
        submit(test, &nostr).await.unwrap_err(),
        SubmitError::NotConvertible(_)
    ));
    // Security 7: unsigned events from the public submit.
    let unsigned = json!({"type": "SpasmEventBodyV2", "action": "post", "title": "Anonymous", "content": "x", "timestamp": T0});
    assert!(matches!(
        submit(test, &unsigned).await.unwrap_err(),
        SubmitError::UnsignedNotAllowed
    ));

    assert_eq!(
        snapshot(test).await,
        before,
        "refused events left the database unchanged"
    );
    assert!(test.forum.event(&target).await.unwrap().is_some());
}

/// `(r, n − s, v ^ 1)`: the same signer, a different signature.
fn malleate(signed: &Value) -> Value {
    let signature = signed["signature"].as_str().unwrap();
    let bytes = hex::decode(&signature[2..]).unwrap();
    let order = k256_order();
    let s = &bytes[32..64];
    let mut negated = [0u8; 32];
    let mut borrow = 0i16;
    for index in (0..32).rev() {
        let mut digit = i16::from(order[index]) - i16::from(s[index]) - borrow;
        borrow = i16::from(digit < 0);
        if digit < 0 {
            digit += 256;
        }
        negated[index] = u8::try_from(digit).unwrap();
    }
    let v = if bytes[64] == 27 { 28 } else { 27 };
    let mut out = signed.clone();
    out["signature"] = json!(format!(
        "0x{}{}{v:02x}",
        hex::encode(&bytes[..32]),
        hex::encode(negated)
    ));
    out
}

fn k256_order() -> [u8; 32] {
    let hex = "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141";
    hex::decode(hex).unwrap().try_into().unwrap()
}

on_both_databases!(
    concurrent_reactions_are_counted_exactly,
    Settings::default()
);
async fn concurrent_reactions_are_counted_exactly(test: &TestForum) {
    let target = post_by(test, &alice(), "Popular", None, T0).await;
    // 200 distinct signers upvote at once.
    let inputs: Vec<Vec<u8>> = (0..200u64)
        .map(|seed| {
            let key = TestKey::from_seed(1_000 + seed);
            bytes(&key.sign_ethereum(&react(
                &parent(&target),
                Reaction::Upvote,
                T0,
                &[key.ethereum_author()],
            )))
        })
        .collect();
    let tasks: Vec<_> = inputs
        .into_iter()
        .map(|input| {
            let forum = test.forum.clone();
            tokio::spawn(async move { forum.submit(&input, Origin::Submit).await })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    assert_eq!(
        test.forum
            .event(&target)
            .await
            .unwrap()
            .unwrap()
            .stats
            .reaction("upvote"),
        200
    );

    // One signer upvotes 50 times at once (50 different events): one is stored.
    let key = bob();
    let tasks: Vec<_> = (0..50u64)
        .map(|index| {
            let input = bytes(&key.sign_ethereum(&react(
                &parent(&target),
                Reaction::Downvote,
                T0 + index,
                &[key.ethereum_author()],
            )));
            let forum = test.forum.clone();
            tokio::spawn(async move { forum.submit(&input, Origin::Submit).await })
        })
        .collect();
    let mut stored = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => stored += 1,
            Err(SubmitError::DuplicateAction) => {}
            Err(other) => panic!("{other}"),
        }
    }
    assert_eq!(stored, 1);
    assert_eq!(
        test.forum
            .event(&target)
            .await
            .unwrap()
            .unwrap()
            .stats
            .reaction("downvote"),
        1
    );

    // One event submitted 20 times at once: stored once.
    let input = bytes(&alice().sign_ethereum(&post(
        "Race",
        "same event",
        None,
        T0,
        &[alice().ethereum_author()],
    )));
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let forum = test.forum.clone();
            let input = input.clone();
            tokio::spawn(async move { forum.submit(&input, Origin::Submit).await })
        })
        .collect();
    let mut stored = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => stored += 1,
            Err(SubmitError::Duplicate) => {}
            Err(other) => panic!("{other}"),
        }
    }
    assert_eq!(stored, 1);
    let posts = FeedFilter {
        actions: vec!["post".into()],
        ..FeedFilter::default()
    };
    assert_eq!(feed(test, posts, Page::first(10)).await.len(), 2);
}

#[tokio::test]
async fn postgres_is_really_tested_in_ci() {
    if std::env::var("CI").is_ok() {
        assert!(
            std::env::var("SPASM_TEST_POSTGRES_URL").is_ok(),
            "CI must run the PostgreSQL variant (set SPASM_TEST_POSTGRES_URL)"
        );
    }
}
