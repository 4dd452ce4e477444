//! The Nostr network through the real relay connections: publishing from the outbox to a
//! loopback relay that misbehaves on demand (`testkit::relay`), and taking replies,
//! profiles, deletions and reactions from it, on both databases.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../forum/tests/support/mod.rs"]
mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::Request;
use forum::ingest::Publish;
use forum::nostr::{NostrLimits, NostrRelays, NostrRelaysHandle, RelayUrl, RetryPolicy};
use forum::storage::{Delivery, DeliveryState};
use forum::{Forum, Origin, Settings};
use http_body_util::BodyExt;
use outgoing::{OutgoingClient, OutgoingPolicy, StaticResolver};
use serde_json::{Value, json};
use server::config::Limits;
use server::http::{AppState, router};
use spasm::action::Reaction;
use spasm::body::{ParentInfo, post, react};
use support::{Db, TestForum, bytes, eventually};
use testkit::TestKey;
use testkit::relay::{Behaviour, TestRelay};
use tower::ServiceExt;

/// Now, as signed `timestamp`s: a request to publish is honoured for fresh events only.
fn t0() -> u64 {
    forum::service::now_ms() as u64
}

fn alice() -> TestKey {
    TestKey::from_seed(201)
}
fn bob() -> TestKey {
    TestKey::from_seed(202)
}

/// Limits with short waits, so that retries and reconnections happen within a test.
fn fast() -> NostrLimits {
    NostrLimits {
        ok_timeout: Duration::from_millis(800),
        outbox_poll: Duration::from_millis(200),
        resubscribe_every: Duration::from_millis(300),
        reconnect_first: Duration::from_millis(200),
        reconnect_longest: Duration::from_secs(1),
        retry: RetryPolicy {
            first: Duration::from_millis(300),
            longest: Duration::from_secs(1),
            max_attempts: 100,
        },
        events_per_second: 5_000,
        tick: Duration::from_millis(200),
        author_relays_public_only: false,
        ..NostrLimits::default()
    }
}

fn client() -> OutgoingClient {
    OutgoingClient::with_resolver(
        OutgoingPolicy {
            allow_private_network: true,
            connect_timeout: Duration::from_secs(1),
            ..OutgoingPolicy::default()
        },
        Arc::new(StaticResolver::default()),
    )
    .unwrap()
}

fn connect(forum: &Forum, relay: &TestRelay, limits: NostrLimits) -> NostrRelaysHandle {
    forum.set_host_relays(vec![RelayUrl::parse(&relay.url()).unwrap()]);
    NostrRelays::new(forum.clone(), client(), limits).start()
}

/// A post signed with Nostr, its Nostr event, and its spasmid once submitted with
/// `publish`.
async fn nostr_post(
    forum: &Forum,
    key: &TestKey,
    title: &str,
    at: u64,
    publish: Publish,
) -> (Value, String) {
    let body = post(title, "text", None, at, &[key.nostr_author()]);
    let signed = key.sign_nostr(&body);
    let accepted = forum
        .submit_with(&bytes(&signed), Origin::Submit, publish)
        .await
        .unwrap();
    (signed, accepted.spasmid)
}

fn nostr_id(event: &Value) -> String {
    event["id"].as_str().unwrap().to_owned()
}

async fn deliveries(forum: &Forum, id: &str) -> Vec<Delivery> {
    forum.store().deliveries(id).await.unwrap()
}

async fn state_is(forum: &Forum, id: &str, state: DeliveryState) -> bool {
    deliveries(forum, id)
        .await
        .first()
        .is_some_and(|delivery| delivery.state == state)
}

// A Nostr-signed post and a multi-signed post asked to be published reach the relay as
// signed, once each, and their deliveries say so; a post not asked for and a reaction are
// never sent.
on_both_databases!(
    published_events_reach_the_relay_as_signed,
    Settings::default()
);
async fn published_events_reach_the_relay_as_signed(test: &TestForum) {
    let relay = TestRelay::start().await.unwrap();
    let relays = connect(&test.forum, &relay, fast());
    let (signed, spasmid) = nostr_post(
        &test.forum,
        &alice(),
        "Hello Nostr",
        t0(),
        Publish::ToNostrRelays,
    )
    .await;
    let id = nostr_id(&signed);
    let both_body = post(
        "Two signatures",
        "text",
        None,
        t0() + 1,
        &alice().both_authors(),
    );
    test.forum
        .submit_with(
            &bytes(&alice().sign_both(&both_body)),
            Origin::Submit,
            Publish::ToNostrRelays,
        )
        .await
        .unwrap();
    let both_nostr = alice().sign_nostr(&both_body);
    let (quiet, _) = nostr_post(
        &test.forum,
        &alice(),
        "Here only",
        t0() + 2,
        Publish::HereOnly,
    )
    .await;
    let reaction = react(
        &ParentInfo {
            ids: vec![spasmid.clone()],
            ..ParentInfo::default()
        },
        Reaction::Upvote,
        t0() + 3,
        &[bob().nostr_author()],
    );
    let reaction = bob().sign_nostr(&reaction);
    test.forum
        .submit_with(&bytes(&reaction), Origin::Submit, Publish::ToNostrRelays)
        .await
        .unwrap();
    eventually(Duration::from_secs(10), "both posts delivered", || async {
        state_is(&test.forum, &id, DeliveryState::Delivered).await
            && state_is(
                &test.forum,
                &nostr_id(&both_nostr),
                DeliveryState::Delivered,
            )
            .await
    })
    .await;
    let stored = relay.events();
    for expected in [&signed, &both_nostr] {
        let found = stored
            .iter()
            .find(|event| event["id"] == expected["id"])
            .expect("the relay holds the event");
        assert_eq!(found, expected, "stored exactly as signed");
        assert_eq!(relay.received(&nostr_id(expected)), 1);
    }
    let delivery = &deliveries(&test.forum, &id).await[0];
    assert_eq!(delivery.relay, relay.url());
    assert_eq!(delivery.attempts, 1);
    assert_eq!(relay.received(&nostr_id(&quiet)), 0, "not asked for");
    assert_eq!(
        relay.received(&nostr_id(&reaction)),
        0,
        "reactions are never published"
    );
    assert!(
        deliveries(&test.forum, &nostr_id(&reaction))
            .await
            .is_empty()
    );
    relays.stop().await;
}

// Posted while the relay is down: published once after it comes back.
on_both_databases!(
    a_relay_that_was_down_gets_its_backlog_once,
    Settings::default()
);
async fn a_relay_that_was_down_gets_its_backlog_once(test: &TestForum) {
    let mut relay = TestRelay::start().await.unwrap();
    relay.stop();
    let relays = connect(&test.forum, &relay, fast());
    let mut ids = Vec::new();
    for n in 0..3 {
        let (signed, _) = nostr_post(
            &test.forum,
            &alice(),
            &format!("While down {n}"),
            t0() + n,
            Publish::ToNostrRelays,
        )
        .await;
        ids.push(nostr_id(&signed));
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(state_is(&test.forum, &ids[0], DeliveryState::Pending).await);
    relay.restart().await.unwrap();
    eventually(Duration::from_secs(10), "the backlog delivered", || async {
        for id in &ids {
            if !state_is(&test.forum, id, DeliveryState::Delivered).await {
                return false;
            }
        }
        true
    })
    .await;
    // Another while: nothing is sent again.
    tokio::time::sleep(Duration::from_millis(800)).await;
    for id in &ids {
        assert_eq!(relay.received(id), 1, "sent once");
    }
    relays.stop().await;
}

// A restart of the server does not send again what was delivered.
on_both_databases!(nothing_is_sent_twice_after_a_restart, Settings::default());
async fn nothing_is_sent_twice_after_a_restart(test: &TestForum) {
    let relay = TestRelay::start().await.unwrap();
    let relays = connect(&test.forum, &relay, fast());
    let (signed, _) = nostr_post(&test.forum, &alice(), "Once", t0(), Publish::ToNostrRelays).await;
    let id = nostr_id(&signed);
    eventually(Duration::from_secs(10), "delivered", || async {
        state_is(&test.forum, &id, DeliveryState::Delivered).await
    })
    .await;
    relays.stop().await;
    let again = test.reopen(Settings::default()).await;
    let relays = connect(&again, &relay, fast());
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(relay.received(&id), 1);
    relays.stop().await;
}

// `rate-limited:` is tried again until accepted; `blocked:` is final; a relay that never
// answers leaves the event pending, with the reason, and tries again later.
on_both_databases!(relay_answers_decide_retries, Settings::default());
async fn relay_answers_decide_retries(test: &TestForum) {
    let relay = TestRelay::start().await.unwrap();
    relay.behave(Behaviour::RateLimited(1));
    let relays = connect(&test.forum, &relay, fast());
    let (limited, _) = nostr_post(
        &test.forum,
        &alice(),
        "Limited",
        t0(),
        Publish::ToNostrRelays,
    )
    .await;
    let limited = nostr_id(&limited);
    eventually(
        Duration::from_secs(10),
        "accepted after a retry",
        || async { state_is(&test.forum, &limited, DeliveryState::Delivered).await },
    )
    .await;
    assert_eq!(relay.received(&limited), 2);

    relay.behave(Behaviour::Blocked);
    let (blocked, _) = nostr_post(
        &test.forum,
        &alice(),
        "Blocked",
        t0() + 1,
        Publish::ToNostrRelays,
    )
    .await;
    let blocked = nostr_id(&blocked);
    eventually(Duration::from_secs(10), "refused", || async {
        state_is(&test.forum, &blocked, DeliveryState::Refused).await
    })
    .await;
    let refusal = &deliveries(&test.forum, &blocked).await[0];
    assert!(refusal.reason.as_deref().unwrap().starts_with("blocked:"));
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_eq!(relay.received(&blocked), 1, "a refusal is final");

    relay.behave(Behaviour::Silent);
    let (unanswered, _) = nostr_post(
        &test.forum,
        &alice(),
        "Silence",
        t0() + 2,
        Publish::ToNostrRelays,
    )
    .await;
    let unanswered = nostr_id(&unanswered);
    eventually(Duration::from_secs(10), "tried again", || async {
        relay.received(&unanswered) >= 2
    })
    .await;
    let pending = &deliveries(&test.forum, &unanswered).await[0];
    assert_eq!(pending.state, DeliveryState::Pending);
    assert!(
        pending.reason.as_deref().unwrap().contains("no answer"),
        "{pending:?}"
    );
    relay.behave(Behaviour::Honest);
    eventually(
        Duration::from_secs(10),
        "delivered once the relay answers",
        || async { state_is(&test.forum, &unanswered, DeliveryState::Delivered).await },
    )
    .await;
    relays.stop().await;
}

// A connection dropped in the middle of a message is made again, and the event delivered.
on_both_databases!(
    a_connection_dropped_mid_message_is_made_again,
    Settings::default()
);
async fn a_connection_dropped_mid_message_is_made_again(test: &TestForum) {
    let relay = TestRelay::start().await.unwrap();
    relay.behave(Behaviour::DropMidMessage);
    let relays = connect(&test.forum, &relay, fast());
    let (signed, _) = nostr_post(
        &test.forum,
        &alice(),
        "Dropped",
        t0(),
        Publish::ToNostrRelays,
    )
    .await;
    let id = nostr_id(&signed);
    eventually(Duration::from_secs(10), "sent into the drop", || async {
        relay.received(&id) >= 1
    })
    .await;
    relay.behave(Behaviour::Honest);
    eventually(
        Duration::from_secs(10),
        "delivered after reconnecting",
        || async { state_is(&test.forum, &id, DeliveryState::Delivered).await },
    )
    .await;
    let error = test
        .forum
        .store()
        .relay_read_state(&relay.url())
        .await
        .unwrap();
    // The drop was recorded, then cleared by the new connection.
    assert_eq!(error.last_error, None);
    relays.stop().await;
}

/// This process's resident memory, in KiB (Linux).
fn resident_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|line| line.starts_with("VmRSS:"))
                .and_then(|line| line.split_whitespace().nth(1))
                .and_then(|kib| kib.parse().ok())
        })
        .unwrap_or(0)
}

// 10,000 events flooding one subscription and a 10 MB message: reads stay fast, memory
// stays bounded, the forum keeps serving; the huge message ends the connection with the
// reason recorded.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn floods_and_huge_messages_are_bounded() {
    let test = TestForum::open(Db::Sqlite, Settings::default())
        .await
        .unwrap();
    let relay = TestRelay::start().await.unwrap();
    let (_, spasmid) = nostr_post(&test.forum, &alice(), "Target", t0(), Publish::HereOnly).await;
    relay.behave(Behaviour::Flood(10_000));
    let before = resident_kib();
    let relays = connect(
        &test.forum,
        &relay,
        NostrLimits {
            events_per_second: 500,
            ..fast()
        },
    );
    let app = router(AppState::new(test.forum.clone(), Limits::default()));
    let started = Instant::now();
    let mut slowest = Duration::ZERO;
    let mut peak = before;
    let mut pages = 0;
    while started.elapsed() < Duration::from_secs(6) {
        let read = Instant::now();
        let mut request = Request::get(format!("/news/{spasmid}"))
            .body(Body::empty())
            .unwrap();
        request
            .extensions_mut()
            .insert(ConnectInfo(std::net::SocketAddr::from((
                [192, 0, 2, 7],
                40_000,
            ))));
        let response = app.clone().oneshot(request).await.unwrap();
        assert_eq!(response.status(), 200);
        response.into_body().collect().await.unwrap();
        pages += 1;
        slowest = slowest.max(read.elapsed());
        peak = peak.max(resident_kib());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let event = test.forum.event(&spasmid).await.unwrap().unwrap();
    let taken = event.stats.reply_total();
    println!(
        "flood: {taken} replies taken in 6 s (bound 500/s); {pages} post pages rendered \
         meanwhile, the slowest in {} ms; resident memory {} -> {} KiB",
        slowest.as_millis(),
        before,
        peak
    );
    assert!(taken > 0 && taken <= 3_500, "{taken} taken");
    assert!(
        slowest < Duration::from_secs(3),
        "pages stayed fast (a debug build)"
    );
    assert!(peak < before + 200 * 1024, "memory stayed bounded");
    relays.stop().await;

    relay.behave(Behaviour::Huge(10 * 1024 * 1024));
    let relays = connect(&test.forum, &relay, fast());
    let url = relay.url();
    eventually(
        Duration::from_secs(10),
        "the huge message refused",
        || async {
            test.forum
                .store()
                .relay_read_state(&url)
                .await
                .unwrap()
                .last_error
                .is_some_and(|error| {
                    error.contains("too long")
                        || error.contains("too big")
                        || error.contains("Space limit")
                })
        },
    )
    .await;
    assert!(test.forum.event(&spasmid).await.unwrap().is_some());
    relays.stop().await;
}

/// A Nostr event by `key` answering `id` (NIP-10 marked `e` tag), as another client would
/// publish it.
fn nostr_reply(key: &TestKey, id: &str, text: &str, at: i64) -> Value {
    key.sign_nostr_event(json!({
        "kind": 1, "created_at": at, "content": text,
        "tags": [["e", id, "", "root"]],
    }))
}

// Replies, reactions, profiles and deletions published on the relay by Nostr users reach
// the forum; nothing taken is published back.
on_both_databases!(
    what_nostr_users_answer_reaches_the_forum,
    Settings::default()
);
async fn what_nostr_users_answer_reaches_the_forum(test: &TestForum) {
    let relay = TestRelay::start().await.unwrap();
    let relays = connect(&test.forum, &relay, fast());
    let (signed, spasmid) = nostr_post(
        &test.forum,
        &alice(),
        "Answer me",
        t0(),
        Publish::ToNostrRelays,
    )
    .await;
    let id = nostr_id(&signed);
    let at = (t0() / 1000) as i64 + 1;

    // A reply by another key appears in the thread, taken from the relay, not sent back.
    let answer = nostr_reply(&bob(), &id, "An answer from Nostr", at);
    relay.inject(answer.clone());
    eventually(
        Duration::from_secs(10),
        "the reply in the thread",
        || async {
            test.forum
                .event(&nostr_id(&answer))
                .await
                .unwrap()
                .is_some()
        },
    )
    .await;
    let stored = test.forum.event(&nostr_id(&answer)).await.unwrap().unwrap();
    assert_eq!(stored.origin, format!("nostr:{}", relay.url()));
    let post = test.forum.event(&spasmid).await.unwrap().unwrap();
    assert_eq!(stored.parent_key, Some(post.key));
    assert_eq!(relay.received(&nostr_id(&answer)), 0, "not published back");

    // A `+` counts one upvote however often it is seen.
    let like = bob().sign_nostr_event(json!({
        "kind": 7, "created_at": at + 1, "content": "+", "tags": [["e", id], ["p", alice().nostr_pubkey().to_string()]],
    }));
    let like_again = bob().sign_nostr_event(json!({
        "kind": 7, "created_at": at + 2, "content": "+", "tags": [["e", id]],
    }));
    relay.inject(like.clone());
    relay.inject(like.clone());
    relay.inject(like_again);
    eventually(Duration::from_secs(10), "the upvote counted", || async {
        let post = test.forum.event(&spasmid).await.unwrap().unwrap();
        post.stats.reaction("upvote") == 1
    })
    .await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    let post = test.forum.event(&spasmid).await.unwrap().unwrap();
    assert_eq!(post.stats.reaction("upvote"), 1, "once per key");

    // A profile update shows on the author page.
    let profile = alice().sign_nostr_event(json!({
        "kind": 0, "created_at": at + 3, "tags": [],
        "content": "{\"name\":\"Alice of Nostr\"}",
    }));
    relay.inject(profile);
    let alice_hex = alice().nostr_pubkey().to_string();
    eventually(Duration::from_secs(10), "the profile", || async {
        test.forum
            .nostr_profile(&alice_hex)
            .await
            .unwrap()
            .is_some_and(|profile| profile.name.as_deref() == Some("Alice of Nostr"))
    })
    .await;

    // A deletion by another key changes nothing; the author's hides the post.
    let forged = bob().sign_nostr_event(json!({
        "kind": 5, "created_at": at + 4, "content": "", "tags": [["e", id]],
    }));
    relay.inject(forged);
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert!(
        test.forum.event(&spasmid).await.unwrap().is_some(),
        "not deleted by another key"
    );
    let deletion = alice().sign_nostr_event(json!({
        "kind": 5, "created_at": at + 5, "content": "posted by mistake", "tags": [["e", id]],
    }));
    relay.inject(deletion);
    eventually(Duration::from_secs(10), "deleted by its author", || async {
        test.forum.event(&spasmid).await.unwrap().is_none()
    })
    .await;
    let deleted = test
        .forum
        .store()
        .deletion_of(&spasmid)
        .await
        .unwrap()
        .unwrap();
    assert!(deleted.by_author);
    assert!(
        test.forum
            .event(&nostr_id(&answer))
            .await
            .unwrap()
            .is_some(),
        "others' replies stay"
    );
    relays.stop().await;
}

// A NIP-65 relay list adds the author's write relays to where its posts go.
on_both_databases!(
    an_author_s_relay_list_adds_its_write_relays,
    Settings::default()
);
async fn an_author_s_relay_list_adds_its_write_relays(test: &TestForum) {
    let instance = TestRelay::start().await.unwrap();
    let own = TestRelay::start().await.unwrap();
    let list = alice().sign_nostr_event(json!({
        "kind": 10002, "created_at": 1_700_000_000, "content": "",
        "tags": [["r", own.url(), "write"], ["r", "wss://read-only.example", "read"]],
    }));
    test.forum
        .submit(&bytes(&list), Origin::Submit)
        .await
        .unwrap();
    let relays = connect(&test.forum, &instance, fast());
    let (signed, _) = nostr_post(
        &test.forum,
        &alice(),
        "Everywhere",
        t0(),
        Publish::ToNostrRelays,
    )
    .await;
    let id = nostr_id(&signed);
    eventually(Duration::from_secs(10), "both relays have it", || async {
        instance.received(&id) == 1 && own.received(&id) == 1
    })
    .await;
    let mut reached: Vec<String> = deliveries(&test.forum, &id)
        .await
        .into_iter()
        .map(|delivery| delivery.relay)
        .collect();
    reached.sort();
    let mut expected = vec![instance.url(), own.url()];
    expected.sort();
    assert_eq!(reached, expected);
    relays.stop().await;
}

fn now_s() -> i64 {
    (forum::service::now_ms() / 1000) as i64
}

/// A NIP-42-style proof: `challenge` signed by `key` (kind 22242).
fn proof(key: &TestKey, challenge: &str, created_at: i64) -> Value {
    key.sign_nostr_event(json!({
        "kind": 22242, "created_at": created_at, "content": "",
        "tags": [["relay", "http://forum.test"], ["challenge", challenge]],
    }))
}

// A later publication is for the event's own Nostr signer, with a fresh challenge used
// once; anyone else is refused in words.
on_both_databases!(
    later_publication_is_for_the_signer_only,
    Settings::default()
);
async fn later_publication_is_for_the_signer_only(test: &TestForum) {
    use forum::nostr::PublishLaterError;

    let relay = TestRelay::start().await.unwrap();
    let relays = connect(&test.forum, &relay, fast());
    let (signed, spasmid) =
        nostr_post(&test.forum, &alice(), "Later", t0(), Publish::HereOnly).await;
    let id = nostr_id(&signed);
    let forum = &test.forum;

    let challenge = forum.nostr_challenge(&spasmid);
    let refused = forum
        .publish_later(&spasmid, &proof(&bob(), &challenge, now_s()))
        .await
        .unwrap_err();
    assert!(matches!(refused, PublishLaterError::WrongKey), "{refused}");
    assert!(
        refused
            .to_string()
            .contains("Only the Nostr key that signed")
    );
    let made_up = forum
        .publish_later(&spasmid, &proof(&alice(), "made-up", now_s()))
        .await
        .unwrap_err();
    assert!(matches!(made_up, PublishLaterError::ChallengeExpired));
    let stale = forum
        .publish_later(
            &spasmid,
            &proof(&alice(), &forum.nostr_challenge(&spasmid), now_s() - 3600),
        )
        .await
        .unwrap_err();
    assert!(matches!(stale, PublishLaterError::ChallengeExpired));
    assert_eq!(relay.received(&id), 0);

    let challenge = forum.nostr_challenge(&spasmid);
    let answer = proof(&alice(), &challenge, now_s());
    let deliveries = forum.publish_later(&spasmid, &answer).await.unwrap();
    assert_eq!(deliveries.len(), 1);
    assert!(matches!(
        forum.publish_later(&spasmid, &answer).await,
        Err(PublishLaterError::ChallengeExpired)
    ));
    eventually(Duration::from_secs(10), "published later", || async {
        state_is(forum, &id, DeliveryState::Delivered).await
    })
    .await;
    assert_eq!(relay.received(&id), 1);
    relays.stop().await;
}
