//! Inputs from the outside world (`outside-inputs/`, copied from `shared/cases/`: real
//! signatures by test keys) and each fault's whole kind, through the one ingest path, on
//! SQLite and PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use forum::envelope::StoredEvent;
use forum::query::{FeedFilter, FeedRequest, Page};
use forum::{Origin, Settings, SubmitError};
use serde_json::{Value, json};
use spasm::body::{Reaction, moderate_delete, post, react, reply};
use support::{Db, TestForum, moderated_by, parent, signed_closed, submit};
use testkit::TestKey;

const T0: u64 = 1_730_000_000_000;

fn case(name: &str) -> Value {
    let path = format!("{}/tests/outside-inputs/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn alice() -> TestKey {
    TestKey::from_seed(11)
}

fn bob() -> TestKey {
    TestKey::from_seed(12)
}

fn moderator() -> TestKey {
    TestKey::from_seed(13)
}

fn admin() -> TestKey {
    TestKey::from_seed(14)
}

fn moderated() -> Settings {
    moderated_by(&moderator(), &admin())
}

async fn feed(test: &TestForum) -> Vec<StoredEvent> {
    test.forum
        .feed(&FeedRequest {
            filter: FeedFilter::default(),
            page: Some(Page::first(50)),
        })
        .await
        .unwrap()
}

fn field(event: &StoredEvent, key: &str) -> Value {
    let json: Value = serde_json::from_str(&event.event_json).unwrap();
    json[key].clone()
}

/// A kind-1 Nostr note by `key`.
fn note(key: &TestKey, content: &str, tags: Value, created_at: u64) -> Value {
    key.sign_nostr_event(json!({
        "kind": 1, "created_at": created_at, "tags": tags, "content": content,
    }))
}

/// A NIP-25 reaction by `key` to the Nostr event `target` (hex id).
fn nostr_reaction(key: &TestKey, content: &str, target: &str, created_at: u64) -> Value {
    key.sign_nostr_event(json!({
        "kind": 7, "created_at": created_at, "content": content,
        "tags": [["e", target], ["p", "00".repeat(32)]],
    }))
}

// 1. spasm.js reads a tag only when its value is a non-empty string.
on_both_databases!(
    empty_tag_values_are_skipped_as_spasm_js_skips_them,
    Settings::default()
);
async fn empty_tag_values_are_skipped_as_spasm_js_skips_them(test: &TestForum) {
    for (file, id) in [
        (
            "c03b-t_empty_first.json",
            "spasmid0139e164d087e64ba672cff743c932a05d6ae1a56cdcdff8cd0d651d5a5ce3ebc8",
        ),
        (
            "c03b-p_empty.json",
            "spasmid01b7f8a2dbfa44c9e09c7a6ed0f79bfacf8b128352bd198c3d1b09c3ab7f8b5245",
        ),
        (
            "c03b-e_empty.json",
            "spasmid01e670fd4a32c8d0078ed34a8b20d2a35ef3ac151006428f139f70c32fd5a66cb8",
        ),
    ] {
        let accepted = submit(test, &case(file)).await.unwrap();
        assert_eq!(accepted.spasmid, id, "{file}");
        let stored = test.forum.event(id).await.unwrap().unwrap();
        assert_eq!(field(&stored, "action"), "post", "{file}");
        assert!(stored.parent_key.is_none(), "{file}");
    }
    let keywords = field(
        &test
            .forum
            .event("spasmid0139e164d087e64ba672cff743c932a05d6ae1a56cdcdff8cd0d651d5a5ce3ebc8")
            .await
            .unwrap()
            .unwrap(),
        "keywords",
    );
    assert_eq!(keywords, json!(["nostr"]));
    // Beyond the files: other tags and other places of the empty value (non-string values
    // are in `tests/conformance_tag_guards.rs`: NIP-01 signs only string tags).
    let key = bob();
    for (index, tags) in [
        json!([["r", ""]]),
        json!([["e", "", "wss://relay.example", "reply"]]),
        json!([["t", ""], ["p", ""], ["e", ""]]),
        json!([["r", ""], ["t", ""]]),
    ]
    .into_iter()
    .enumerate()
    {
        let event = note(
            &key,
            &format!("probe {index}"),
            tags.clone(),
            1_796_000_000 + index as u64,
        );
        let accepted = submit(test, &event).await.unwrap();
        let stored = test.forum.event(&accepted.spasmid).await.unwrap().unwrap();
        assert_eq!(field(&stored, "action"), "post", "{tags}");
        assert!(field(&stored, "keywords").is_null(), "{tags}");
    }
}

// 2. Only U+0000–U+001F (less tab, LF, CR) are refused, each refusal naming the character,
// the field and the position; a lone surrogate is explained.
on_both_databases!(
    characters_are_refused_only_for_their_reason,
    Settings::default()
);
async fn characters_are_refused_only_for_their_reason(test: &TestForum) {
    submit(test, &case("c01-c1_mojibake_0x9d.json"))
        .await
        .unwrap();
    let error = submit(test, &case("c20-lone_high_surrogate.json"))
        .await
        .unwrap_err();
    assert_eq!(error.status(), 400);
    assert_eq!(
        error.to_string(),
        "ERROR: an unpaired surrogate \\ud83c at character 23 of the content: the client cut a \
         character in half"
    );
    // The same in a Nostr event's own JSON, in its tags.
    let text = r#"{"kind":1,"created_at":1,"tags":[["t","ok"],["t","x\udc00"]],"content":"c","pubkey":"ab"}"#;
    let error = test
        .forum
        .submit(text.as_bytes(), Origin::Submit)
        .await
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "ERROR: an unpaired surrogate \\udc00 at character 1 of the tags[1][1]: the client cut \
         a character in half"
    );
    // C1 controls and DEL in a title are text; a C0 control is named with its place.
    let key = alice();
    let title = post(
        "Caf\u{e9} \u{80}\u{9d}\u{7f}",
        "fine",
        None,
        T0,
        &[key.ethereum_author()],
    );
    submit(test, &key.sign_ethereum(&title)).await.unwrap();
    let bell = post("Title", "ding\u{7}", None, T0 + 1, &[key.ethereum_author()]);
    let error = submit(test, &key.sign_ethereum(&bell)).await.unwrap_err();
    assert_eq!(error.status(), 400);
    let message = error.to_string();
    assert!(
        message.contains("the content contains the control character U+0007 at character 4"),
        "{message}"
    );
    let escape = note(&key, "text", json!([["t", "a\u{1b}b"]]), 1_796_000_100);
    let message = submit(test, &escape).await.unwrap_err().to_string();
    assert!(
        message.contains("U+001B") && message.contains("tag 0, element 1"),
        "{message}"
    );
}

// 3 and 4. Refusals describe the input; only the Nostr kinds the forum handles are taken.
on_both_databases!(
    other_nostr_kinds_and_actions_are_refused_by_name,
    Settings::default()
);
async fn other_nostr_kinds_and_actions_are_refused_by_name(test: &TestForum) {
    for (file, kind) in [
        ("c19-kind6_repost_empty.json", 6),
        ("c19-kind4_encrypted_dm.json", 4),
    ] {
        let error = submit(test, &case(file)).await.unwrap_err();
        assert_eq!(error.status(), 422, "{file}");
        assert_eq!(
            error.to_string(),
            format!(
                "ERROR: Nostr events of kind {kind} are not accepted here; this forum takes \
                 kinds 0 (profile), 1 (text note), 5 (deletion), 7 (reaction) and 10002 \
                 (relay list)"
            )
        );
    }
    let key = bob();
    for kind in [30023, 3, 9735] {
        let event = key.sign_nostr_event(
            json!({"kind": kind, "created_at": 1_796_000_000, "tags": [], "content": "x"}),
        );
        let message = submit(test, &event).await.unwrap_err().to_string();
        assert!(message.contains(&format!("kind {kind} ")), "{message}");
    }
    // A note without content is described as such, not as unsigned.
    let empty = key.sign_nostr_event(
        json!({"kind": 1, "created_at": 1_796_000_000, "tags": [], "content": ""}),
    );
    let error = submit(test, &empty).await.unwrap_err();
    assert_eq!(error.status(), 422);
    assert_eq!(
        error.to_string(),
        "ERROR: this Nostr event (kind 1) has empty content; there is nothing to show"
    );
    // A Spasm action the forum has no rule for.
    let mut share = post("Shared", "text", None, T0, &[key.ethereum_author()])
        .as_json()
        .clone();
    share["action"] = json!("share");
    let signed = signed_closed(&key, &spasm::js_json::stringify(&share));
    let error = submit(test, &signed).await.unwrap_err();
    assert_eq!(error.status(), 422);
    assert!(error.to_string().contains("\"share\""), "{error}");
    assert!(feed(test).await.is_empty());
}

// 4. A NIP-25 reaction counts as an upvote or a downvote of its target, once per key.
on_both_databases!(nostr_reactions_count_on_their_target, Settings::default());
async fn nostr_reactions_count_on_their_target(test: &TestForum) {
    // The file's target is not here: kept until it arrives (DECISIONS.md), not as a post.
    let waiting = submit(test, &case("c19-kind7_plus_reaction.json"))
        .await
        .unwrap();
    assert_eq!(waiting.kind, forum::ingest::AcceptedKind::Waiting);
    let target = note(&alice(), "A note to like", json!([]), 1_796_000_000);
    let target_id = target["id"].as_str().unwrap().to_owned();
    let target_spasmid = submit(test, &target).await.unwrap().spasmid;

    let up = submit(
        test,
        &nostr_reaction(&bob(), "+", &target_id, 1_796_000_010),
    )
    .await;
    assert_eq!(
        up.unwrap().message(),
        "Success. Action has been saved and incremented"
    );
    let again = submit(
        test,
        &nostr_reaction(&bob(), "+", &target_id, 1_796_000_011),
    )
    .await;
    assert!(matches!(again.unwrap_err(), SubmitError::DuplicateAction));
    submit(
        test,
        &nostr_reaction(&moderator(), "+", &target_id, 1_796_000_012),
    )
    .await
    .unwrap();
    // NIP-25 reads empty content as "+", but spasm.js cannot read a Nostr event without
    // content, so it has no id of spasm.js's: refused with what to send instead.
    let empty = submit(
        test,
        &nostr_reaction(&admin(), "", &target_id, 1_796_000_015),
    )
    .await;
    assert_eq!(
        empty.unwrap_err().to_string(),
        "ERROR: this Nostr event (kind 7) has empty content; there is nothing to show (send a \
         like as \"+\")"
    );
    submit(
        test,
        &nostr_reaction(&bob(), "-", &target_id, 1_796_000_013),
    )
    .await
    .unwrap();
    let emoji = submit(
        test,
        &nostr_reaction(&bob(), "🔥", &target_id, 1_796_000_014),
    )
    .await;
    let error = emoji.unwrap_err();
    assert_eq!(error.status(), 422);
    assert!(error.to_string().contains("\"🔥\""), "{error}");
    let stored = test.forum.event(&target_spasmid).await.unwrap().unwrap();
    assert_eq!(stored.stats.reaction("upvote"), 2);
    assert_eq!(stored.stats.reaction("downvote"), 1);
    // Never a post: the posts are the note alone, the reactions are reactions of it.
    let posts = test
        .forum
        .feed(&FeedRequest {
            filter: FeedFilter {
                actions: vec!["post".into()],
                ..FeedFilter::default()
            },
            page: Some(Page::first(50)),
        })
        .await
        .unwrap();
    assert_eq!(posts.len(), 1);
    let reactions = test
        .forum
        .children(&[&target_spasmid], &["react"], Page::first(10))
        .await
        .unwrap();
    assert_eq!(reactions.len(), 3);
}

// 10. Cheap refusals first, and tag limits (413).
on_both_databases!(tag_limits_refuse_before_any_id, Settings::default());
async fn tag_limits_refuse_before_any_id(test: &TestForum) {
    // Unsigned where unsigned events are not taken: refused before its id is computed.
    let error = submit(test, &case("c23-tag-sort-5000x5000.json"))
        .await
        .unwrap_err();
    assert!(matches!(error, SubmitError::TagLimit(_)), "{error}");
    assert_eq!(error.status(), 413);
    assert_eq!(
        error.to_string(),
        "ERROR: the event has 5001 tags; at most 2000 are accepted"
    );
    let mut small = case("c23-tag-sort-5000x5000.json");
    small["unknownEvent"]["tags"]
        .as_array_mut()
        .unwrap()
        .truncate(10);
    let error = submit(test, &small).await.unwrap_err();
    assert!(matches!(error, SubmitError::TagLimit(_)), "{error}");
    assert!(
        error
            .to_string()
            .contains("tag 0 has 5000 elements; at most 100"),
        "{error}"
    );
    small["unknownEvent"]["tags"]
        .as_array_mut()
        .unwrap()
        .remove(0);
    let error = submit(test, &small).await.unwrap_err();
    assert!(matches!(error, SubmitError::UnsignedNotAllowed), "{error}");
    // A signed event over a limit is refused the same way.
    let key = alice();
    let long = note(
        &key,
        "long tag",
        json!([["t", "x".repeat(4_097)]]),
        1_796_000_000,
    );
    let error = submit(test, &long).await.unwrap_err();
    assert_eq!(error.status(), 413);
    assert!(feed(test).await.is_empty());
}

// 6. Counts follow what every read shows, through a moderator's delete and an admin's
// restore.
on_both_databases!(counts_follow_deletes_and_restores, moderated());
async fn counts_follow_deletes_and_restores(test: &TestForum) {
    let root_body = post("Root", "Root text", None, T0, &[alice().ethereum_author()]);
    let root = submit(test, &alice().sign_ethereum(&root_body))
        .await
        .unwrap()
        .spasmid;
    let reply_by = |key: &TestKey, to: &str, text: &str, at: u64| {
        key.sign_ethereum(&reply(&parent(to), text, at, &[key.ethereum_author()]))
    };
    let first = submit(test, &reply_by(&bob(), &root, "First", T0 + 1))
        .await
        .unwrap()
        .spasmid;
    submit(test, &reply_by(&alice(), &root, "Second", T0 + 2))
        .await
        .unwrap();
    submit(test, &reply_by(&alice(), &first, "Nested", T0 + 3))
        .await
        .unwrap();
    let upvote = |key: &TestKey, to: &str, at: u64| {
        key.sign_ethereum(&react(
            &parent(to),
            Reaction::Upvote,
            at,
            &[key.ethereum_author()],
        ))
    };
    let bobs_vote = submit(test, &upvote(&bob(), &root, T0 + 4))
        .await
        .unwrap()
        .spasmid;
    submit(test, &upvote(&alice(), &root, T0 + 5))
        .await
        .unwrap();

    let counts = |event: StoredEvent| (event.stats.reply_total(), event.stats.reaction("upvote"));
    let root_now = async || counts(test.forum.event(&root).await.unwrap().unwrap());
    let card = async || {
        let events = feed(test).await;
        let card = events
            .into_iter()
            .find(|event| field(event, "title") == "Root")
            .unwrap();
        counts(card)
    };
    assert_eq!(root_now().await, (2, 2));
    assert_eq!(card().await, (2, 2));

    let delete = |target: &str, at: u64| {
        moderator().sign_ethereum(&moderate_delete(
            &parent(target),
            at,
            &[moderator().ethereum_author()],
        ))
    };
    let restore = |target: &str, at: u64| {
        let mut body = moderate_delete(&parent(target), at, &[admin().ethereum_author()])
            .as_json()
            .clone();
        body["content"] = json!("restore");
        signed_closed(&admin(), &spasm::js_json::stringify(&body))
    };
    // A reply and its subtree go: the root counts one reply; a reaction goes: one upvote.
    submit(test, &delete(&first, T0 + 10)).await.unwrap();
    assert_eq!(root_now().await, (1, 2));
    submit(test, &delete(&bobs_vote, T0 + 11)).await.unwrap();
    assert_eq!(root_now().await, (1, 1));
    assert_eq!(card().await, (1, 1));
    // Restored, they count again.
    submit(test, &restore(&first, T0 + 12)).await.unwrap();
    assert_eq!(root_now().await, (2, 1));
    let first_now = test.forum.event(&first).await.unwrap().unwrap();
    assert_eq!(first_now.stats.reply_total(), 1);
    submit(test, &restore(&bobs_vote, T0 + 13)).await.unwrap();
    assert_eq!(root_now().await, (2, 2));
    assert_eq!(card().await, (2, 2));
}

// 9. Identifiers are normalised before look-up.
on_both_databases!(identifiers_resolve_in_every_spelling, Settings::default());
async fn identifiers_resolve_in_every_spelling(test: &TestForum) {
    let event = note(&alice(), "Findable", json!([]), 1_796_000_000);
    let hex = event["id"].as_str().unwrap().to_owned();
    let spasmid = submit(test, &event).await.unwrap().spasmid;
    let note_id = spasm::nostr::nip19::encode_note(&hex.parse().unwrap());
    for spelling in [
        note_id.clone(),
        note_id.to_uppercase(),
        format!("nostr:{note_id}"),
        format!("NOSTR:{}", note_id.to_uppercase()),
        hex.to_uppercase(),
        spasmid.to_uppercase().replace("SPASMID01", "spasmid01"),
        format!(" {spasmid} "),
    ] {
        let found = test.forum.event(&spelling).await.unwrap();
        assert!(found.is_some(), "{spelling}");
    }
    let npub = spasm::nostr::nip19::encode_npub(&alice().nostr_pubkey());
    for spelling in [npub.to_uppercase(), format!("nostr:{npub}")] {
        let events = test
            .forum
            .author_events(&spelling, Page::first(10))
            .await
            .unwrap();
        assert_eq!(events.len(), 1, "{spelling}");
    }
}
