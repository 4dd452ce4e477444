//! Two instances of the server on loopback, each with its own database: B pulls from A (and
//! from peers that behave like the older servers, and from hostile ones) through the real
//! HTTP API, the background jobs and the outgoing client.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../forum/tests/support/mod.rs"]
mod support;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{RawQuery, State};
use axum::response::IntoResponse;
use axum::routing::get;
use forum::envelope::envelopes_json;
use forum::jobs::{Jobs, JobsConfig, JobsHandle};
use forum::network::sources::{ConfiguredBy, Source, SourceSpec, sources_from_specs};
use forum::query::{FeedFilter, FeedRequest, Page};
use forum::storage::JobState;
use forum::{Forum, Origin, Settings};
use outgoing::{OutgoingClient, OutgoingPolicy, StaticResolver};
use serde_json::Value;
use server::config::Limits;
use server::http::{AppState, router};
use spasm::action::Reaction;
use spasm::body::{moderate_delete, post, react, reply};
use spasm::convert::convert_to_spasm;
use support::{Db, TestForum, bytes, eventually, moderated_by, parent};
use testkit::TestKey;
use tokio::net::TcpListener;

/// Runs `scenario(db: Db)` with B on SQLite and on PostgreSQL (A is always SQLite).
macro_rules! with_b_on_both_databases {
    ($scenario:ident) => {
        mod $scenario {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$scenario(super::Db::Sqlite).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$scenario(super::Db::Postgres).await;
            }
        }
    };
}

const T0: u64 = 1_790_000_000_000;

fn alice() -> TestKey {
    TestKey::from_seed(101)
}
fn bob() -> TestKey {
    TestKey::from_seed(102)
}
fn carol() -> TestKey {
    TestKey::from_seed(103)
}

/// One instance: its service, and its HTTP server on a loopback port.
struct Instance {
    test: TestForum,
    address: SocketAddr,
}

impl Instance {
    async fn start(db: Db, settings: Settings) -> Option<Self> {
        let test = TestForum::open(db, settings).await?;
        let limits = Limits {
            submits_per_minute_per_ip: 0,
            submits_per_minute_per_key: 0,
            ..Limits::default()
        };
        let app = router(AppState::new(test.forum.clone(), limits));
        let address = serve(app).await;
        Some(Self { test, address })
    }

    fn forum(&self) -> &Forum {
        &self.test.forum
    }

    fn api(&self, host: &str) -> String {
        format!("http://{host}:{}/api/events", self.address.port())
    }

    async fn publish(&self, signed: &Value) -> String {
        self.forum()
            .submit(&bytes(signed), Origin::Submit)
            .await
            .unwrap_or_else(|error| panic!("A refused an event: {error}"))
            .spasmid
    }

    async fn visible(&self, spasmid: &str) -> Option<forum::envelope::StoredEvent> {
        self.forum().event(spasmid).await.unwrap()
    }

    async fn job(&self, name: &str) -> JobState {
        self.forum()
            .store()
            .job_states()
            .await
            .unwrap()
            .into_iter()
            .find(|state| state.name == name)
            .unwrap_or_default()
    }

    /// Every visible post, newest first.
    async fn posts(&self) -> Vec<forum::envelope::StoredEvent> {
        let mut all = Vec::new();
        let mut before = None;
        loop {
            let request = FeedRequest {
                filter: FeedFilter {
                    actions: vec!["post".into()],
                    ..FeedFilter::default()
                },
                page: Some(Page {
                    limit: 300,
                    before,
                    since: None,
                }),
            };
            let page = self.forum().feed(&request).await.unwrap();
            let Some(last) = page.last() else {
                return all;
            };
            before = Some(last.key);
            all.extend(page);
        }
    }
}

async fn serve(app: Router) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    });
    address
}

/// A client that reaches loopback by the name `localhost` and the literal `127.0.0.1`
/// (tests allow loopback; nothing else private), with short bounds.
fn client(allowed: &[&str]) -> OutgoingClient {
    let loopback: IpAddr = [127, 0, 0, 1].into();
    let names = StaticResolver::default()
        .with("localhost", &[loopback])
        .with("private.test", &[[10, 0, 0, 1].into()]);
    OutgoingClient::with_resolver(
        OutgoingPolicy {
            allowed_hosts: allowed.iter().map(|host| (*host).to_owned()).collect(),
            total_timeout: Duration::from_secs(2),
            connect_timeout: Duration::from_secs(1),
            max_body_bytes: 1024 * 1024,
            ..OutgoingPolicy::default()
        },
        Arc::new(names),
    )
    .unwrap()
}

fn source(name: &str, url: &str, frequency: &str) -> Source {
    sources_from_specs(
        vec![SourceSpec {
            url: url.into(),
            name: Some(name.into()),
            frequency: Some(frequency.into()),
            ..SourceSpec::default()
        }],
        ConfiguredBy::File,
    )
    .unwrap()
    .remove(0)
}

fn start_jobs(forum: &Forum, client: OutgoingClient, sources: Vec<Source>) -> JobsHandle {
    forum.set_host_sources(sources);
    Jobs::new(
        forum.clone(),
        client,
        JobsConfig {
            tick: Duration::from_millis(100),
            max_concurrent: 8,
            max_run: Duration::from_secs(60),
            stop_grace: Duration::from_secs(2),
        },
    )
    .start()
}

fn spasmid_of(signed: &Value) -> String {
    convert_to_spasm(signed).unwrap().id().to_string()
}

// Posts, replies, reactions and a multi-signed post made on A appear on B with the same
// spasmid01, verified, with equal counts, and B shows where they came from.
with_b_on_both_databases!(events_made_on_a_appear_on_b);
async fn events_made_on_a_appear_on_b(db: Db) {
    let Some(b) = Instance::start(db, Settings::default()).await else {
        return;
    };
    let a = Instance::start(Db::Sqlite, Settings::default())
        .await
        .unwrap();
    let (alice, bob, carol) = (alice(), bob(), carol());
    let first = a
        .publish(&alice.sign_ethereum(&post(
            "Hello",
            "From A",
            Some("tech"),
            T0,
            &[alice.ethereum_author()],
        )))
        .await;
    let nostr = a
        .publish(&bob.sign_nostr(&post(
            "Nostr",
            "Signed by a Nostr key",
            None,
            T0 + 1,
            &[bob.nostr_author()],
        )))
        .await;
    let both = a
        .publish(&carol.sign_both(&post(
            "Both",
            "Signed twice",
            None,
            T0 + 2,
            &carol.both_authors(),
        )))
        .await;
    let answer = a
        .publish(&bob.sign_ethereum(&reply(
            &parent(&first),
            "A reply",
            T0 + 3,
            &[bob.ethereum_author()],
        )))
        .await;
    let mut reactions = Vec::new();
    for (key, reaction) in [
        (&bob, Reaction::Upvote),
        (&carol, Reaction::Upvote),
        (&alice, Reaction::Downvote),
    ] {
        reactions.push(
            a.publish(&key.sign_ethereum(&react(
                &parent(&first),
                reaction,
                T0 + 4,
                &[key.ethereum_author()],
            )))
            .await,
        );
    }
    let _jobs = start_jobs(
        b.forum(),
        client(&["127.0.0.1"]),
        vec![source("peer-a", &a.api("127.0.0.1"), "1s")],
    );
    let everything: Vec<String> = [first.clone(), nostr, both, answer]
        .into_iter()
        .chain(reactions)
        .collect();
    eventually(Duration::from_secs(30), "every event of A on B", || async {
        for spasmid in &everything {
            if b.visible(spasmid).await.is_none() {
                return false;
            }
        }
        // The run that stored them has finished too.
        b.job("pull:peer-a").await.taken == 7
    })
    .await;
    for spasmid in &everything {
        let on_a = a.visible(spasmid).await.unwrap();
        let on_b = b.visible(spasmid).await.unwrap();
        // B re-verifies what it serves: the envelope converts to the same id.
        let envelope: Value = serde_json::from_str(&on_b.envelope_json()).unwrap();
        assert_eq!(&spasmid_of(&envelope), spasmid);
        assert_eq!(
            on_a.stats.reaction("upvote"),
            on_b.stats.reaction("upvote"),
            "{spasmid}"
        );
        assert_eq!(
            on_a.stats.reaction("downvote"),
            on_b.stats.reaction("downvote")
        );
        assert_eq!(on_a.stats.reply_total(), on_b.stats.reply_total());
        assert_eq!(on_b.pulled_from(), Some("peer-a"));
        assert_eq!(on_a.pulled_from(), None);
    }
    let counted = b.visible(&first).await.unwrap().stats;
    assert_eq!(
        (
            counted.reaction("upvote"),
            counted.reaction("downvote"),
            counted.reply_total()
        ),
        (2, 1, 1)
    );
    let job = b.job("pull:peer-a").await;
    assert_eq!(job.mode.as_deref(), Some("since"));
    assert_eq!(job.taken, 7);
    assert!(job.last_error.is_none(), "{:?}", job.last_error);
    support::drop_database(b.test.cleanup()).await;
}

// 500 posts published on A while B pulls every second all arrive, exactly once.
with_b_on_both_databases!(posts_published_while_b_pulls_all_arrive_once);
async fn posts_published_while_b_pulls_all_arrive_once(db: Db) {
    const POSTS: u64 = 500;
    let Some(b) = Instance::start(db, Settings::default()).await else {
        return;
    };
    let a = Arc::new(
        Instance::start(Db::Sqlite, Settings::default())
            .await
            .unwrap(),
    );
    let jobs = start_jobs(
        b.forum(),
        client(&["127.0.0.1"]),
        vec![source("peer-a", &a.api("127.0.0.1"), "1s")],
    );
    let publisher = {
        let a = Arc::clone(&a);
        tokio::spawn(async move {
            for index in 0..POSTS {
                let key = TestKey::from_seed(200 + index % 5);
                let body = post(
                    &format!("Post {index}"),
                    &format!("Number {index}"),
                    None,
                    T0 + index,
                    &[key.ethereum_author()],
                );
                a.publish(&key.sign_ethereum(&body)).await;
                if index % 50 == 0 {
                    tokio::time::sleep(Duration::from_millis(300)).await;
                }
            }
        })
    };
    publisher.await.unwrap();
    eventually(Duration::from_secs(120), "500 posts on B", || async {
        b.posts().await.len() as u64 >= POSTS
    })
    .await;
    // One more pull finds nothing new.
    let runs = b.job("pull:peer-a").await.last_run_ms;
    eventually(Duration::from_secs(10), "another pull", || async {
        b.job("pull:peer-a").await.last_run_ms > runs
    })
    .await;
    jobs.stop().await;
    let posts = b.posts().await;
    let mut ids: Vec<String> = posts.iter().map(|event| event.envelope_json()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(posts.len() as u64, POSTS);
    assert_eq!(ids.len() as u64, POSTS);
    let job = b.job("pull:peer-a").await;
    assert_eq!(job.taken as u64, POSTS, "{job:?}");
    assert_eq!(job.refused, "{}", "nothing was read twice");
    support::drop_database(b.test.cleanup()).await;
}

/// A peer that behaves like the older servers: `/api/events` answers A's newest `window`
/// events, whatever `since` and `limit` say.
async fn old_style_peer(a: &Forum, window: u32) -> SocketAddr {
    async fn newest(
        State((forum, window)): State<(Forum, u32)>,
        RawQuery(_): RawQuery,
    ) -> impl IntoResponse {
        let request = FeedRequest {
            filter: FeedFilter::default(),
            page: Some(Page::first(window)),
        };
        let events = forum.feed(&request).await.unwrap();
        (
            [("content-type", "application/json; charset=utf-8")],
            envelopes_json(&events),
        )
    }
    serve(
        Router::new()
            .route("/api/events", get(newest))
            .with_state((a.clone(), window)),
    )
    .await
}

async fn pull_now(b: &Instance, job: &str) {
    let before = b.job(job).await.last_run_ms;
    b.forum().store().steer_job(job, None, true).await.unwrap();
    b.forum().network_changed().notify_one();
    eventually(Duration::from_secs(20), "a pull", || async {
        b.job(job).await.last_run_ms > before
    })
    .await;
}

// A moderator's ban on B holds against the next pull of a peer that sends the event again.
with_b_on_both_databases!(a_ban_on_b_holds_against_the_next_pull);
async fn a_ban_on_b_holds_against_the_next_pull(db: Db) {
    let moderator = TestKey::from_seed(7);
    let Some(b) = Instance::start(db, moderated_by(&moderator, &TestKey::from_seed(8))).await
    else {
        return;
    };
    let a = Instance::start(Db::Sqlite, Settings::default())
        .await
        .unwrap();
    let alice = alice();
    let spam = a
        .publish(&alice.sign_ethereum(&post(
            "Spam",
            "Buy now",
            None,
            T0,
            &[alice.ethereum_author()],
        )))
        .await;
    let peer = old_style_peer(a.forum(), 10).await;
    let url = format!("http://127.0.0.1:{}/api/events", peer.port());
    let _jobs = start_jobs(
        b.forum(),
        client(&["127.0.0.1"]),
        vec![source("old", &url, "1d")],
    );
    eventually(Duration::from_secs(20), "the post on B", || async {
        b.visible(&spam).await.is_some() && b.job("pull:old").await.last_run_ms.is_some()
    })
    .await;
    let delete = moderator.sign_ethereum(&moderate_delete(
        &parent(&spam),
        T0 + 5,
        &[moderator.ethereum_author()],
    ));
    b.forum()
        .submit(&bytes(&delete), Origin::Submit)
        .await
        .unwrap();
    assert!(b.visible(&spam).await.is_none());
    pull_now(&b, "pull:old").await;
    assert!(b.visible(&spam).await.is_none(), "the ban held");
    let job = b.job("pull:old").await;
    assert_eq!(job.mode.as_deref(), Some("window"));
    assert!(job.refused.contains("\"banned\":1"), "{job:?}");
    support::drop_database(b.test.cleanup()).await;
}

// A reply that reaches B before its parent shows under it once the parent arrives.
with_b_on_both_databases!(a_reply_before_its_parent_attaches_when_it_arrives);
async fn a_reply_before_its_parent_attaches_when_it_arrives(db: Db) {
    let Some(b) = Instance::start(db, Settings::default()).await else {
        return;
    };
    let a = Instance::start(Db::Sqlite, Settings::default())
        .await
        .unwrap();
    let (alice, bob) = (alice(), bob());
    let parent_post = alice.sign_ethereum(&post(
        "Parent",
        "First",
        None,
        T0,
        &[alice.ethereum_author()],
    ));
    let parent_id = spasmid_of(&parent_post);
    // A keeps the reply waiting too, so B reads it first (A's key order).
    let early = a
        .publish(&bob.sign_ethereum(&reply(
            &parent(&parent_id),
            "Early reply",
            T0 + 1,
            &[bob.ethereum_author()],
        )))
        .await;
    let early_like = a
        .publish(&bob.sign_ethereum(&react(
            &parent(&parent_id),
            Reaction::Upvote,
            T0 + 2,
            &[bob.ethereum_author()],
        )))
        .await;
    let peer = old_style_peer(a.forum(), 10).await;
    let _ = peer;
    let jobs = start_jobs(
        b.forum(),
        client(&["127.0.0.1"]),
        vec![source("peer-a", &a.api("127.0.0.1"), "1s")],
    );
    eventually(Duration::from_secs(20), "the reply on B", || async {
        b.visible(&early).await.is_some()
    })
    .await;
    assert_eq!(b.forum().store().waiting_count().await.unwrap(), 2);
    a.publish(&parent_post).await;
    eventually(Duration::from_secs(20), "the parent on B", || async {
        b.visible(&parent_id).await.is_some()
    })
    .await;
    jobs.stop().await;
    for instance in [&a, &b] {
        let shown = instance.visible(&parent_id).await.unwrap();
        assert_eq!(shown.stats.reply_total(), 1);
        assert_eq!(shown.stats.reaction("upvote"), 1);
        let tree = instance.forum().event_with_tree(&shown, 2).await.unwrap();
        assert!(tree.contains("Early reply"), "{tree}");
        assert_eq!(instance.forum().store().waiting_count().await.unwrap(), 0);
    }
    assert!(b.visible(&early_like).await.is_some());
    support::drop_database(b.test.cleanup()).await;
}

// B pulling from a source that ignores `since` takes everything in its window and records
// that more may have been missed when a window holds nothing it has seen.
with_b_on_both_databases!(a_peer_that_ignores_since_is_read_by_window);
async fn a_peer_that_ignores_since_is_read_by_window(db: Db) {
    let Some(b) = Instance::start(db, Settings::default()).await else {
        return;
    };
    let a = Instance::start(Db::Sqlite, Settings::default())
        .await
        .unwrap();
    let alice = alice();
    let mut published = Vec::new();
    for index in 0..3 {
        published.push(
            a.publish(&alice.sign_ethereum(&post(
                &format!("Old {index}"),
                "x",
                None,
                T0 + index,
                &[alice.ethereum_author()],
            )))
            .await,
        );
    }
    let peer = old_style_peer(a.forum(), 5).await;
    let url = format!("http://127.0.0.1:{}/api/events", peer.port());
    let _jobs = start_jobs(
        b.forum(),
        client(&["127.0.0.1"]),
        vec![source("old", &url, "1d")],
    );
    eventually(Duration::from_secs(20), "the first window", || async {
        b.posts().await.len() == 3 && b.job("pull:old").await.last_run_ms.is_some()
    })
    .await;
    let job = b.job("pull:old").await;
    assert_eq!(job.mode.as_deref(), Some("window"));
    assert!(job.possibly_incomplete_ms.is_none());
    // Twelve more than the window shows: the next pull takes the newest five and says so.
    for index in 3..15 {
        published.push(
            a.publish(&alice.sign_ethereum(&post(
                &format!("New {index}"),
                "x",
                None,
                T0 + index,
                &[alice.ethereum_author()],
            )))
            .await,
        );
    }
    pull_now(&b, "pull:old").await;
    assert_eq!(b.posts().await.len(), 8);
    let job = b.job("pull:old").await;
    assert!(job.possibly_incomplete_ms.is_some(), "{job:?}");
    assert!(
        job.last_report
            .unwrap_or_default()
            .contains("may have been missed")
    );
    // A window that overlaps what was seen is complete.
    a.publish(&alice.sign_ethereum(&post(
        "One more",
        "x",
        None,
        T0 + 99,
        &[alice.ethereum_author()],
    )))
    .await;
    let flagged = b.job("pull:old").await.possibly_incomplete_ms;
    pull_now(&b, "pull:old").await;
    assert_eq!(b.posts().await.len(), 9);
    assert_eq!(b.job("pull:old").await.possibly_incomplete_ms, flagged);
    support::drop_database(b.test.cleanup()).await;
}

/// How a hostile source answers every request.
#[derive(Clone, Copy, Debug)]
enum Hostile {
    HangsAfterHeaders,
    TricklesOneBytePerSecond,
    InvalidJson,
    HundredMegabytes,
    RedirectsToLoopback,
    AnswersHtml,
}

async fn hostile_source(behaviour: Hostile) -> SocketAddr {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut byte = [0_u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    match stream.read(&mut byte).await {
                        Ok(1) => head.push(byte[0]),
                        _ => return,
                    }
                }
                let json = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n";
                match behaviour {
                    Hostile::HangsAfterHeaders => {
                        let _ = stream
                            .write_all(format!("{json}content-length: 100\r\n\r\n").as_bytes())
                            .await;
                        tokio::time::sleep(Duration::from_secs(30)).await;
                    }
                    Hostile::TricklesOneBytePerSecond => {
                        let _ = stream
                            .write_all(format!("{json}content-length: 100\r\n\r\n").as_bytes())
                            .await;
                        for _ in 0..30 {
                            if stream.write_all(b" ").await.is_err() {
                                break;
                            }
                            tokio::time::sleep(Duration::from_secs(1)).await;
                        }
                    }
                    Hostile::InvalidJson => {
                        let _ = stream
                            .write_all(
                                format!("{json}content-length: 8\r\n\r\n[{{\"oops\"").as_bytes(),
                            )
                            .await;
                    }
                    Hostile::HundredMegabytes => {
                        let _ = stream
                            .write_all(
                                format!("{json}content-length: 104857600\r\n\r\n").as_bytes(),
                            )
                            .await;
                        let chunk = vec![b'['; 64 * 1024];
                        for _ in 0..1600 {
                            if stream.write_all(&chunk).await.is_err() {
                                break;
                            }
                        }
                    }
                    Hostile::RedirectsToLoopback => {
                        let port = address.port();
                        let _ = stream
                            .write_all(format!("HTTP/1.1 302 Found\r\nlocation: http://127.0.0.1:{port}/api/events\r\ncontent-length: 0\r\n\r\n").as_bytes())
                            .await;
                    }
                    Hostile::AnswersHtml => {
                        let page = "<!doctype html><title>Not an API</title>";
                        let _ = stream
                            .write_all(format!("HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: {}\r\n\r\n{page}", page.len()).as_bytes())
                            .await;
                    }
                }
                let _ = stream.shutdown().await;
            });
        }
    });
    address
}

// Hostile sources neither stall nor crash the scheduler, stay within the size cap, and
// each shows its error in words while the other sources keep their schedule.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_sources_fail_in_words_while_others_keep_their_schedule() {
    let b = Instance::start(Db::Sqlite, Settings::default())
        .await
        .unwrap();
    let a = Instance::start(Db::Sqlite, Settings::default())
        .await
        .unwrap();
    let alice = alice();
    let first = a
        .publish(&alice.sign_ethereum(&post(
            "Good",
            "From a good source",
            None,
            T0,
            &[alice.ethereum_author()],
        )))
        .await;
    // Loopback is allowed by the name `localhost` only, as a host would name a peer on
    // its own network: a redirect to the literal 127.0.0.1 is refused.
    let mut sources = vec![source("good", &a.api("localhost"), "1s")];
    let mut expected = Vec::new();
    for (behaviour, words) in [
        (
            Hostile::HangsAfterHeaders,
            "no complete answer within 2 seconds",
        ),
        (
            Hostile::TricklesOneBytePerSecond,
            "no complete answer within 2 seconds",
        ),
        (Hostile::InvalidJson, "the answer is not valid JSON"),
        (Hostile::HundredMegabytes, "the answer is larger than 1 MiB"),
        (
            Hostile::RedirectsToLoopback,
            "127.0.0.1 is a loopback address (this machine)",
        ),
        (Hostile::AnswersHtml, "answered a web page (text/html)"),
    ] {
        let address = hostile_source(behaviour).await;
        let name = format!("{behaviour:?}");
        sources.push(source(
            &name,
            &format!("http://localhost:{}/api/events", address.port()),
            "1s",
        ));
        expected.push((name, words));
    }
    sources.push(source("Private", "http://private.test/api/events", "1s"));
    expected.push((
        "Private".into(),
        "private.test is a private network address (10.0.0.1)",
    ));
    let jobs = start_jobs(b.forum(), client(&["localhost"]), sources);
    eventually(
        Duration::from_secs(20),
        "the good source's post",
        || async { b.visible(&first).await.is_some() },
    )
    .await;
    eventually(
        Duration::from_secs(20),
        "every hostile source's error",
        || async {
            for (name, _) in &expected {
                if b.job(&format!("pull:{name}")).await.last_error.is_none() {
                    return false;
                }
            }
            true
        },
    )
    .await;
    // While the hostile ones wait out their backoff, the good one keeps its schedule.
    let second = a
        .publish(&alice.sign_ethereum(&post(
            "Still good",
            "Later",
            None,
            T0 + 1,
            &[alice.ethereum_author()],
        )))
        .await;
    eventually(
        Duration::from_secs(10),
        "the good source's next post",
        || async { b.visible(&second).await.is_some() },
    )
    .await;
    let stopping = Instant::now();
    jobs.stop().await;
    assert!(
        stopping.elapsed() < Duration::from_secs(5),
        "the scheduler stops promptly"
    );
    let now = forum::service::now_ms();
    for (name, words) in &expected {
        let job = b.job(&format!("pull:{name}")).await;
        let error = job.last_error.clone().unwrap_or_default();
        assert!(error.contains(words), "{name}: {error}");
        assert!(
            job.failures >= 1 && job.last_success_ms.is_none(),
            "{name}: {job:?}"
        );
        // Backoff: the next attempt is at least most of a minute away.
        assert!(job.next_attempt_ms > now + 40_000, "{name}: {job:?}");
    }
    let good = b.job("pull:good").await;
    assert!(good.last_error.is_none() && good.taken == 2, "{good:?}");
}
