//! RSS and Atom, both ways, through real servers on loopback: feeds of sites become web2
//! posts once each; a Spasm instance's feed gives the signed events it carries, verified;
//! our own feeds parse with `feed-rs` and their envelopes re-verify.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../forum/tests/support/mod.rs"]
mod support;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::http::header;
use axum::response::Response;
use axum::routing::get;
use forum::jobs::{Jobs, JobsConfig, JobsHandle};
use forum::network::sources::{ConfiguredBy, Source, SourceSpec, sources_from_specs};
use forum::query::{FeedFilter, FeedRequest, Page};
use forum::storage::JobState;
use forum::{Forum, Origin, Settings};
use outgoing::{OutgoingClient, OutgoingPolicy, StaticResolver};
use serde_json::Value;
use server::config::Limits;
use server::http::{AppState, router};
use spasm::body::{post, reply};
use spasm::rss::{RssSource, convert_rss_feed_to_spasm};
use support::{Db, TestForum, bytes, parent};
use testkit::TestKey;
use tokio::net::TcpListener;

const T0: u64 = 1_790_000_000_000;

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

async fn instance() -> (TestForum, SocketAddr) {
    let test = TestForum::open(Db::Sqlite, Settings::default())
        .await
        .unwrap();
    let limits = Limits {
        submits_per_minute_per_ip: 0,
        submits_per_minute_per_key: 0,
        ..Limits::default()
    };
    let address = serve(router(AppState::new(test.forum.clone(), limits))).await;
    (test, address)
}

fn client() -> OutgoingClient {
    let loopback: IpAddr = [127, 0, 0, 1].into();
    OutgoingClient::with_resolver(
        OutgoingPolicy {
            allowed_hosts: vec!["127.0.0.1".into()],
            total_timeout: Duration::from_secs(5),
            max_body_bytes: 2 * 1024 * 1024,
            ..OutgoingPolicy::default()
        },
        Arc::new(StaticResolver::default().with("localhost", &[loopback])),
    )
    .unwrap()
}

fn source(name: &str, url: String) -> Source {
    sources_from_specs(
        vec![SourceSpec {
            url,
            name: Some(name.into()),
            category: Some("news".into()),
            frequency: Some("1d".into()),
            ..SourceSpec::default()
        }],
        ConfiguredBy::File,
    )
    .unwrap()
    .remove(0)
}

fn start_jobs(forum: &Forum, sources: Vec<Source>) -> JobsHandle {
    forum.set_host_sources(sources);
    Jobs::new(
        forum.clone(),
        client(),
        JobsConfig {
            tick: Duration::from_millis(100),
            max_concurrent: 8,
            ..JobsConfig::default()
        },
    )
    .start()
}

async fn job(forum: &Forum, name: &str) -> JobState {
    forum
        .store()
        .job_states()
        .await
        .unwrap()
        .into_iter()
        .find(|state| state.name == name)
        .unwrap_or_default()
}

async fn all_ran(forum: &Forum, names: &[&str], after: &[Option<i64>]) {
    let started = Instant::now();
    loop {
        let mut done = true;
        for (name, before) in names.iter().zip(after) {
            if job(forum, &format!("pull:{name}")).await.last_run_ms <= *before {
                done = false;
            }
        }
        if done {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the pulls did not run"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The stored (database) forms of the visible posts, newest first.
async fn posts(forum: &Forum) -> Vec<Value> {
    let request = FeedRequest {
        filter: FeedFilter {
            actions: vec!["post".into()],
            ..FeedFilter::default()
        },
        page: Some(Page::first(300)),
    };
    forum
        .feed(&request)
        .await
        .unwrap()
        .iter()
        .map(|event| serde_json::from_str(&event.event_json).unwrap())
        .collect()
}

fn xml(content_type: &'static str, body: Vec<u8>) -> Response {
    Response::builder()
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(body))
        .unwrap()
}

const RSS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Site</title><link>https://site.example/</link>
<item><title>CDATA and HTML</title><link>https://site.example/one</link><guid>site-1</guid>
  <pubDate>Tue, 10 Jun 2025 04:00:00 GMT</pubDate>
  <description><![CDATA[<p>Some <b>bold</b> text <img src=x onerror=alert(1)> and <a href="https://x.example">a link</a></p>]]></description></item>
<item><title>No guid</title><link>https://site.example/two</link><pubDate>Wed, 11 Jun 2025 04:00:00 GMT</pubDate>
  <description>Plain &amp; simple</description></item>
<item><title>Relative link, bad date</title><link>/three</link><guid isPermaLink="false">site-3</guid>
  <pubDate>the day after tomorrow</pubDate><description>Third</description></item>
</channel></rss>"#;

const ATOM: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Blog</title><id>urn:blog</id>
<link href="https://blog.example/"/><updated>2025-06-10T00:00:00Z</updated>
<entry><title>Atom one</title><link href="/posts/1"/><id>urn:blog:1</id><updated>2025-06-10T00:00:00Z</updated>
  <content type="html">&lt;p&gt;Hello &lt;em&gt;Atom&lt;/em&gt;&lt;/p&gt;</content></entry>
<entry><title>Atom two</title><link rel="alternate" href="https://blog.example/posts/2"/><id>urn:blog:2</id>
  <summary>Short</summary></entry>
</feed>"#;

fn latin1() -> Vec<u8> {
    let mut body = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss version=\"2.0\"><channel><title>Caf\xe9</title>\
        <item><title>Caf\xe9 cr\xe8me</title><link>https://latin.example/cafe</link><description>D\xe9j\xe0 vu</description></item>\
        </channel></rss>".to_vec();
    body.shrink_to_fit();
    body
}

/// spasm.js rc.52's own feed with its faults (vector `rssout-05`): an envelope rewritten
/// so that it no longer verifies, and a CDATA section ended early.
fn upstream_faulty_feed() -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/spasm/vectors-rc52/rss-out.json");
    let vectors: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let case = vectors["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|case| {
            case["id"]
                .as_str()
                .unwrap_or_default()
                .starts_with("rssout-05")
        })
        .unwrap();
    case["library"]["rc52"]["generateRssFeed"]
        .as_str()
        .unwrap()
        .as_bytes()
        .to_vec()
}

// Site feeds (RSS 2.0 and Atom, CDATA, HTML, no guid, relative links, bad dates,
// ISO-8859-1), a Spasm instance's feed and upstream's faulty one become posts once each;
// pulling again adds nothing; a 50 MB feed and one that is not XML fail in words.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn feeds_become_posts_once_each() {
    let (a, a_address) = instance().await;
    let alice = TestKey::from_seed(41);
    let signed = alice.sign_ethereum(&post(
        "Signed on A",
        "With an envelope",
        None,
        T0,
        &[alice.ethereum_author()],
    ));
    let signed_id = a
        .forum
        .submit(&bytes(&signed), Origin::Submit)
        .await
        .unwrap()
        .spasmid;
    let sites = serve(
        Router::new()
            .route(
                "/rss.xml",
                get(|| async { xml("application/rss+xml", RSS.as_bytes().to_vec()) }),
            )
            .route(
                "/atom.xml",
                get(|| async {
                    xml(
                        "application/atom+xml; charset=utf-8",
                        ATOM.as_bytes().to_vec(),
                    )
                }),
            )
            .route("/latin1.xml", get(|| async { xml("text/xml", latin1()) }))
            .route(
                "/faulty.xml",
                get(|| async { xml("application/rss+xml", upstream_faulty_feed()) }),
            )
            .route(
                "/not-xml.xml",
                get(|| async { xml("application/rss+xml", b"this is not XML at all".to_vec()) }),
            )
            .route(
                "/huge.xml",
                get(|| async {
                    let chunk = bytes::Bytes::from(vec![b' '; 1024 * 1024]);
                    let stream = futures_stream(chunk, 50);
                    Response::builder()
                        .header(header::CONTENT_TYPE, "application/rss+xml")
                        .body(Body::from_stream(stream))
                        .unwrap()
                }),
            ),
    )
    .await;
    let at = |path: &str| format!("http://127.0.0.1:{}{path}", sites.port());
    let names = [
        "rss",
        "atom",
        "latin1",
        "faulty",
        "not-xml",
        "huge",
        "spasm-rss",
    ];
    let sources = vec![
        source("rss", at("/rss.xml")),
        source("atom", at("/atom.xml")),
        source("latin1", at("/latin1.xml")),
        source("faulty", at("/faulty.xml")),
        source("not-xml", at("/not-xml.xml")),
        source("huge", at("/huge.xml")),
        source(
            "spasm-rss",
            format!("http://127.0.0.1:{}/api/rss", a_address.port()),
        ),
    ];
    let b = TestForum::open(Db::Sqlite, Settings::default())
        .await
        .unwrap();
    let jobs = start_jobs(&b.forum, sources);
    all_ran(&b.forum, &names, &[None; 7]).await;
    let first = posts(&b.forum).await;
    let titles: Vec<&str> = first
        .iter()
        .filter_map(|event| event["title"].as_str())
        .collect();
    for title in [
        "CDATA and HTML",
        "No guid",
        "Relative link, bad date",
        "Atom one",
        "Atom two",
        "Café crème",
        "Signed on A",
    ] {
        assert!(
            titles.contains(&title),
            "{title} missing from {titles:?}: {:#?}",
            b.forum.store().job_states().await.unwrap()
        );
    }
    let by_title = |title: &str| first.iter().find(|event| event["title"] == title).unwrap();
    let html = by_title("CDATA and HTML")["content"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(!html.contains('<'), "HTML is never kept raw: {html}");
    assert!(
        html.contains("**bold**") && html.contains("[a link](https://x.example)"),
        "{html}"
    );
    let relative = by_title("Relative link, bad date");
    assert!(
        relative.to_string().contains("https://127.0.0.1")
            || relative.to_string().contains(&at("/three")),
        "{relative}"
    );
    assert_eq!(by_title("Café crème")["content"], "Déjà vu");
    // A Spasm instance's feed gives its signed event, verified, with the same id.
    let from_a = b.forum.event(&signed_id).await.unwrap().unwrap();
    assert_eq!(from_a.pulled_from(), Some("spasm-rss"));
    assert_eq!(job(&b.forum, "pull:rss").await.taken, 3);
    assert_eq!(job(&b.forum, "pull:atom").await.taken, 2);
    // Upstream's faulty feed: what still verifies is taken, the rest reported.
    let faulty = job(&b.forum, "pull:faulty").await;
    assert!(faulty.last_error.is_none(), "{faulty:?}");
    assert!(
        faulty.refused.contains("\"invalid or unverifiable\":2"),
        "{faulty:?}"
    );
    assert_eq!(faulty.taken, 4, "{faulty:?}");
    let not_xml = job(&b.forum, "pull:not-xml")
        .await
        .last_error
        .unwrap_or_default();
    assert!(not_xml.contains("not RSS or Atom"), "{not_xml}");
    let huge = job(&b.forum, "pull:huge")
        .await
        .last_error
        .unwrap_or_default();
    assert!(huge.contains("larger than 2 MiB"), "{huge}");
    // Pulling again adds nothing.
    let mut before = Vec::new();
    for name in names {
        before.push(job(&b.forum, &format!("pull:{name}")).await.last_run_ms);
        b.forum
            .store()
            .steer_job(&format!("pull:{name}"), None, true)
            .await
            .unwrap();
    }
    b.forum.network_changed().notify_one();
    all_ran(&b.forum, &names, &before).await;
    jobs.stop().await;
    assert_eq!(posts(&b.forum).await.len(), first.len());
    for name in ["rss", "atom", "latin1"] {
        let state = job(&b.forum, &format!("pull:{name}")).await;
        assert!(state.refused.contains("already here"), "{name}: {state:?}");
    }
}

fn futures_stream(
    chunk: bytes::Bytes,
    count: usize,
) -> impl futures_core::Stream<Item = Result<bytes::Bytes, std::io::Error>> {
    tokio_stream::iter((0..count).map(move |_| Ok(chunk.clone())))
}

// Our feeds (all, by category, by author, a thread's replies) parse with feed-rs, and every
// `<spasmEnvelope>` re-verifies to the event we hold, byte for byte.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn our_feeds_parse_and_their_envelopes_verify() {
    let (a, address) = instance().await;
    let (alice, bob) = (TestKey::from_seed(51), TestKey::from_seed(52));
    let mut ids = Vec::new();
    for signed in [
        alice.sign_ethereum(&post(
            "Ethereum",
            "Hello",
            Some("tech"),
            T0,
            &[alice.ethereum_author()],
        )),
        bob.sign_nostr(&post(
            "Nostr",
            "a < b > c\u{a0}d ]]> twice ]]>",
            Some("tech"),
            T0 + 1,
            &[bob.nostr_author()],
        )),
        alice.sign_both(&post(
            "Both",
            "Signed twice",
            None,
            T0 + 2,
            &alice.both_authors(),
        )),
    ] {
        ids.push(
            a.forum
                .submit(&bytes(&signed), Origin::Submit)
                .await
                .unwrap()
                .spasmid,
        );
    }
    let answer = bob.sign_ethereum(&reply(
        &parent(&ids[0]),
        "A reply with <html>",
        T0 + 3,
        &[bob.ethereum_author()],
    ));
    let reply_id = a
        .forum
        .submit(&bytes(&answer), Origin::Submit)
        .await
        .unwrap()
        .spasmid;
    for (path, expected) in [
        (
            "/api/rss".to_owned(),
            vec![ids[0].clone(), ids[1].clone(), ids[2].clone()],
        ),
        (
            "/api/rss/all".to_owned(),
            vec![ids[0].clone(), ids[1].clone(), ids[2].clone()],
        ),
        (
            "/api/events?format=rss&category=tech&action=post".to_owned(),
            vec![ids[0].clone(), ids[1].clone()],
        ),
        (
            format!(
                "/api/rss?signer={}",
                alice.ethereum_address().to_lowercase_hex()
            ),
            vec![ids[0].clone(), ids[2].clone()],
        ),
        (
            format!("/api/rss?parentId={}&action=reply", ids[0]),
            vec![reply_id.clone()],
        ),
    ] {
        let (content_type, body) = fetch_text(address, &path).await;
        assert!(
            content_type.starts_with("application/rss+xml"),
            "{path}: {content_type}"
        );
        let feed = feed_rs::parser::parse(body.as_bytes())
            .unwrap_or_else(|error| panic!("{path}: {error}"));
        assert_eq!(feed.entries.len(), expected.len(), "{path}");
        let import = convert_rss_feed_to_spasm(&body, &RssSource::default()).unwrap();
        assert!(import.rejected.is_empty(), "{path}: {:?}", import.rejected);
        let mut found: Vec<String> = import
            .events
            .iter()
            .map(|event| event.id().to_string())
            .collect();
        found.sort();
        let mut expected = expected;
        expected.sort();
        assert_eq!(found, expected, "{path}");
        // Each envelope is the one the JSON API serves, byte for byte.
        for id in &found {
            let stored = a.forum.event(id).await.unwrap().unwrap();
            let envelope = stored.envelope_json();
            assert!(
                body.contains(&envelope.replace("]]>", "]]]]><![CDATA[>")),
                "{path}: {id}"
            );
        }
    }
}

/// `GET path` of the instance at `address`, through the outgoing client: its content
/// type and text.
async fn fetch_text(address: SocketAddr, path: &str) -> (String, String) {
    let fetched = client()
        .get(&outgoing::GetRequest {
            url: &format!("http://127.0.0.1:{}{path}", address.port()),
            ..outgoing::GetRequest::default()
        })
        .await
        .unwrap();
    match fetched {
        outgoing::Fetched::Body {
            content_type, body, ..
        } => (
            content_type.unwrap_or_default(),
            String::from_utf8(body.to_vec()).unwrap(),
        ),
        outgoing::Fetched::NotModified => panic!("not modified"),
    }
}
