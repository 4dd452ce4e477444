//! The load script (`cargo xtask load`): starts the release server on loopback with a fresh
//! database (SQLite, or PostgreSQL with `--postgres`), then measures
//!
//! * submits per second of distinct, really signed events (this tool's keep-alive clients:
//!   every request carries a different body, which `oha` cannot send);
//! * `GET /api/events?limit=25` requests per second with p50/p99 latency at 50
//!   connections, measured by `oha`, with 10,000 and with 1,000,000 stored events;
//! * the front page and a post page with 200 comments, requested by 20 connections (as
//!   `wrk -c20`), compressed as Chromium asks and uncompressed;
//! * searches (`GET /api/search`) of words as common as every event down to one event's,
//!   one at a time, with the large number of events stored: median and p99 per search;
//! * the server's peak resident memory (`VmHWM`) after each phase;
//! * with `--processes N` (and `--postgres`), the same spread over N processes sharing the
//!   database.
//!
//! Every loop is bounded in count and time, and only 127.0.0.1 is contacted.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::Parser;
use serde_json::Value;
use spasm::body::post;
use testkit::TestKey;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::process::{Child, Command};

#[derive(Parser)]
#[command(about = "Load-test the forum server")]
struct Args {
    /// The release server binary.
    #[arg(long)]
    server: PathBuf,
    /// The `oha` binary.
    #[arg(long, default_value = "oha")]
    oha: PathBuf,
    /// A PostgreSQL URL: a fresh database is created beside it instead of SQLite.
    #[arg(long)]
    postgres: Option<String>,
    /// Events submitted for the measured submit rate (and stored before the first reads).
    #[arg(long, default_value_t = 10_000)]
    events: usize,
    /// Events stored before the second reads.
    #[arg(long, default_value_t = 1_000_000)]
    large: usize,
    /// Concurrent submit connections.
    #[arg(long, default_value_t = 32)]
    submit_connections: usize,
    /// Concurrent read connections.
    #[arg(long, default_value_t = 50)]
    read_connections: usize,
    /// Seconds of each read measurement.
    #[arg(long, default_value_t = 10)]
    read_seconds: u64,
    /// Measure only the pages (front page, post page with 200 comments) on an otherwise
    /// empty forum, and print their sizes.
    #[arg(long)]
    page_only: bool,
    /// How many times each search of the search benchmark is asked (with `--large`
    /// events stored).
    #[arg(long, default_value_t = 30)]
    search_repeats: usize,
    /// Server processes sharing the database (more than one needs `--postgres`): submits
    /// and reads are spread over them, and the figures are their sums.
    #[arg(long, default_value_t = 1)]
    processes: usize,
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<()> {
    let args = Args::parse();
    let data_dir = std::env::temp_dir().join(format!("spasm-load-{}", std::process::id()));
    let database = match &args.postgres {
        Some(url) => Some(fresh_postgres(url).await?),
        None => None,
    };
    let backend = if database.is_some() {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    if args.processes > 1 && database.is_none() {
        bail!("several processes share one database: add --postgres");
    }
    let processes = args.processes.max(1);
    println!("== load test on {backend}, 2 cores, release server, {processes} process(es) ==");
    let mut servers = Vec::with_capacity(processes);
    for _ in 0..processes {
        servers.push(start_server(&args.server, &data_dir, database.as_deref()).await?);
    }
    let addresses: Vec<String> = servers.iter().map(|(_, address)| address.clone()).collect();
    let pids: Vec<u32> = servers
        .iter()
        .map(|(server, _)| server.id().context("a server has no pid"))
        .collect::<Result<_>>()?;
    let address = addresses[0].clone();

    if args.page_only {
        post_page_benchmark(&args, &address).await?;
        stop_all(servers).await?;
        let _ = std::fs::remove_dir_all(&data_dir);
        return Ok(());
    }

    let generated = Instant::now();
    let first = generate(0, args.events);
    println!(
        "generated {} signed events in {:.1?}",
        first.len(),
        generated.elapsed()
    );
    let rate = submit_all(&addresses, first, args.submit_connections).await?;
    println!(
        "submits: {} distinct signed events in {:.2?} = {:.0} verified submits/s ({} connections)",
        rate.count,
        rate.elapsed,
        rate.per_second(),
        args.submit_connections
    );
    println!("peak RSS after submits: {:.1} MB", peak_rss_mb(&pids)?);

    post_page_benchmark(&args, &address).await?;

    let small = read_benchmark(&args, &addresses).await?;
    println!(
        "feed reads with {} events: {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms ({} connections, {} s)",
        args.events,
        small.rps,
        small.p50_ms,
        small.p99_ms,
        args.read_connections,
        args.read_seconds
    );
    println!("peak RSS after reads: {:.1} MB", peak_rss_mb(&pids)?);

    if args.large > args.events {
        let fill_started = Instant::now();
        let mut stored = args.events;
        while stored < args.large {
            let batch = (args.large - stored).min(100_000);
            let events = generate(stored, batch);
            let rate = submit_all(&addresses, events, args.submit_connections).await?;
            stored += batch;
            println!(
                "  filled to {stored} events ({:.0} submits/s in this batch, peak RSS {:.1} MB)",
                rate.per_second(),
                peak_rss_mb(&pids)?
            );
        }
        println!(
            "filled to {} events in {:.0?}",
            args.large,
            fill_started.elapsed()
        );
        let large = read_benchmark(&args, &addresses).await?;
        println!(
            "feed reads with {} events: {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms",
            args.large, large.rps, large.p50_ms, large.p99_ms
        );
        println!(
            "latency at {} vs {} events: p50 x{:.2}, p99 x{:.2}",
            args.large,
            args.events,
            large.p50_ms / small.p50_ms,
            large.p99_ms / small.p99_ms
        );
        search_benchmark(&address, args.large, args.search_repeats).await?;
    }
    println!(
        "peak RSS of the server over the whole run: {:.1} MB",
        peak_rss_mb(&pids)?
    );
    stop_all(servers).await?;
    let _ = std::fs::remove_dir_all(&data_dir);
    if let (Some(admin), Some(url)) = (&args.postgres, &database) {
        drop_postgres(admin, url).await?;
    }
    Ok(())
}

async fn stop_all(servers: Vec<(Child, String)>) -> Result<()> {
    for (mut server, _) in servers {
        server.start_kill()?;
        server.wait().await?;
    }
    Ok(())
}

/// A fresh database beside the one `admin_url` names.
async fn fresh_postgres(admin_url: &str) -> Result<String> {
    use sqlx::Connection;
    let name = format!("spasm_load_{}", std::process::id());
    let mut admin = sqlx::PgConnection::connect(admin_url).await?;
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut admin)
        .await?;
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await?;
    let base = admin_url
        .rsplit_once('/')
        .map_or(admin_url, |(base, _)| base);
    Ok(format!("{base}/{name}"))
}

async fn drop_postgres(admin_url: &str, url: &str) -> Result<()> {
    use sqlx::Connection;
    let name = url.rsplit_once('/').map_or(url, |(_, name)| name);
    let mut admin = sqlx::PgConnection::connect(admin_url).await?;
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut admin)
        .await?;
    Ok(())
}

/// Starts one server process (`testkit::process`, rate limits off).
async fn start_server(
    binary: &Path,
    data_dir: &Path,
    database_url: Option<&str>,
) -> Result<(Child, String)> {
    let env: Vec<(&str, &str)> = database_url
        .map(|url| vec![("DATABASE_URL", url)])
        .unwrap_or_default();
    let binary = binary.to_str().context("the server's path is not UTF-8")?;
    let server = testkit::process::try_start(binary, data_dir, &env)
        .await
        .map_err(anyhow::Error::msg)?;
    Ok((server.child, server.address))
}

/// `count` distinct posts signed with Ethereum by 1,000 keys, starting at `offset`.
fn generate(offset: usize, count: usize) -> Vec<String> {
    let keys: Arc<Vec<TestKey>> = Arc::new((0..1_000).map(TestKey::from_seed).collect());
    let threads = 2;
    let handles: Vec<_> = (0..threads)
        .map(|thread| {
            let keys = Arc::clone(&keys);
            std::thread::spawn(move || {
                (offset + thread..offset + count)
                    .step_by(threads)
                    .map(|index| {
                        let key = &keys[index % keys.len()];
                        let category = ["defi", "nft", "privacy", "dao"][index % 4];
                        let [first, second, third] = topic_words(index);
                        let body = post(
                            &format!("Load test post {index} on {first}"),
                            &format!(
                                "A post of the load test, number {index}. It is signed for real. \
                                 It is about {first}, {second} and {third}."
                            ),
                            Some(category),
                            1_730_000_000_000 + index as u64,
                            &[key.ethereum_author()],
                        );
                        key.sign_ethereum(&body).to_string()
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut events = Vec::with_capacity(count);
    for handle in handles {
        events.extend(handle.join().unwrap_or_default());
    }
    events
}

/// Words a search benchmark looks for: one of [`COMMON_WORDS`] in every 64 events and of each
/// pair about one in 4,000; `topic<n>` words (5,000 of them) about 200 events each.
const COMMON_WORDS: [&str; 64] = [
    "bitcoin",
    "ethereum",
    "nostr",
    "relay",
    "wallet",
    "privacy",
    "keys",
    "federation",
    "forum",
    "moderation",
    "signature",
    "identity",
    "protocol",
    "network",
    "server",
    "client",
    "garden",
    "music",
    "cinema",
    "football",
    "chess",
    "cooking",
    "travel",
    "history",
    "science",
    "physics",
    "biology",
    "climate",
    "energy",
    "solar",
    "battery",
    "rust",
    "python",
    "database",
    "search",
    "index",
    "latency",
    "memory",
    "compiler",
    "browser",
    "markets",
    "inflation",
    "savings",
    "mortgage",
    "taxes",
    "startup",
    "design",
    "typography",
    "poetry",
    "novel",
    "library",
    "museum",
    "painting",
    "theatre",
    "opera",
    "festival",
    "mountain",
    "ocean",
    "forest",
    "desert",
    "river",
    "island",
    "winter",
    "summer",
];

/// Three words for the event `index`: two of [`COMMON_WORDS`] and one rare `topic<n>`,
/// spread by a multiplicative hash so that neighbours differ.
fn topic_words(index: usize) -> [String; 3] {
    let hash = (index as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let first = COMMON_WORDS[(hash >> 58) as usize];
    let second = COMMON_WORDS[((hash >> 52) & 63) as usize];
    let rare = (hash >> 20) % 5_000;
    [first.to_owned(), second.to_owned(), format!("topic{rare}")]
}

/// Searches (`GET /api/search`) one at a time over one keep-alive connection, each query
/// `repeats` times: per query the median and p99 in milliseconds and how many results the
/// first page had, then the median over all of them.
async fn search_benchmark(address: &str, stored: usize, repeats: usize) -> Result<()> {
    let queries = [
        ("a word in every event", "q=signed".to_owned()),
        ("a word in 1 of 64", "q=bitcoin".to_owned()),
        ("two words in 1 of 4,000", "q=bitcoin+opera".to_owned()),
        ("a rare word (~200)", "q=topic1234".to_owned()),
        ("one event's number", format!("q={}", stored / 2)),
        ("a prefix (garden*)", "q=gard".to_owned()),
        (
            "a word in 1 of 64, one category",
            "q=privacy&category=dao".to_owned(),
        ),
        (
            "a word in every event, page 2",
            "q=signed&before=500000".to_owned(),
        ),
        ("no match", "q=zzyzx".to_owned()),
    ];
    let mut connection = Connection::open(address).await?;
    let mut all = Vec::new();
    println!("search with {stored} events ({repeats} times each, one at a time):");
    for (what, query) in queries {
        let path = format!("/api/search?{query}&limit=20");
        let mut times = Vec::with_capacity(repeats);
        let mut found = 0;
        for _ in 0..repeats {
            let started = Instant::now();
            let (status, body) =
                tokio::time::timeout(Duration::from_secs(30), connection.get(&path))
                    .await
                    .context("a search took longer than 30 s")??;
            times.push(started.elapsed().as_secs_f64() * 1_000.0);
            if status != 200 {
                bail!("{path} answered {status}: {body}");
            }
            found = serde_json::from_str::<Value>(&body)?
                .as_array()
                .map_or(0, Vec::len);
        }
        times.sort_by(f64::total_cmp);
        let median = times[times.len() / 2];
        let p99 = times[(times.len() * 99 / 100).min(times.len() - 1)];
        println!(
            "  {what:<36} {query:<28} median {median:7.2} ms, p99 {p99:7.2} ms, {found} results"
        );
        all.extend(times);
    }
    all.sort_by(f64::total_cmp);
    println!(
        "search median over every query: {:.2} ms",
        all[all.len() / 2]
    );
    Ok(())
}

struct Rate {
    count: usize,
    elapsed: Duration,
}

impl Rate {
    fn per_second(&self) -> f64 {
        self.count as f64 / self.elapsed.as_secs_f64()
    }
}

/// Submits every event over `connections` keep-alive connections, spread over the
/// processes at `addresses`; every answer must be 201.
async fn submit_all(addresses: &[String], events: Vec<String>, connections: usize) -> Result<Rate> {
    let events = Arc::new(events);
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let tasks: Vec<_> = (0..connections)
        .map(|connection| {
            let events = Arc::clone(&events);
            let next = Arc::clone(&next);
            let address = addresses[connection % addresses.len()].clone();
            tokio::spawn(async move {
                let mut connection = Connection::open(&address).await?;
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(event) = events.get(index) else {
                        return Ok::<(), anyhow::Error>(());
                    };
                    let (status, body) = connection.post("/api/submit/", event).await?;
                    if status != 201 {
                        bail!("submit {index} answered {status}: {body}");
                    }
                }
            })
        })
        .collect();
    for task in tasks {
        tokio::time::timeout(Duration::from_secs(900), task)
            .await
            .context("submits took longer than 15 minutes")???;
    }
    Ok(Rate {
        count: events.len(),
        elapsed: started.elapsed(),
    })
}

/// The size of a page's response body (with chunk headers, when the server streams it).
async fn page_size(address: &str, path: &str, accept_encoding: &str) -> Result<usize> {
    let mut stream = TcpStream::connect(address).await?;
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nAccept-Encoding: {accept_encoding}\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await?;
    let head = response
        .windows(4)
        .position(|window| window == b"\r\n\r\n")
        .context("no end of the response head")?;
    Ok(response.len() - head - 4)
}

/// A keep-alive HTTP/1.1 connection to the server.
struct Connection {
    reader: BufReader<TcpStream>,
    host: String,
}

impl Connection {
    async fn open(address: &str) -> Result<Self> {
        let stream = TcpStream::connect(address).await?;
        stream.set_nodelay(true)?;
        Ok(Self {
            reader: BufReader::new(stream),
            host: address.to_owned(),
        })
    }

    async fn post(&mut self, path: &str, body: &str) -> Result<(u16, String)> {
        let request = format!(
            "POST {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            self.host,
            body.len()
        );
        self.exchange(&request).await
    }

    async fn get(&mut self, path: &str) -> Result<(u16, String)> {
        let request = format!("GET {path} HTTP/1.1\r\nHost: {}\r\n\r\n", self.host);
        self.exchange(&request).await
    }

    /// Sends a request and reads the answer (its body sized by `Content-Length`).
    async fn exchange(&mut self, request: &str) -> Result<(u16, String)> {
        self.reader.get_mut().write_all(request.as_bytes()).await?;
        let mut status_line = String::new();
        self.reader.read_line(&mut status_line).await?;
        let status: u16 = status_line
            .split_whitespace()
            .nth(1)
            .and_then(|status| status.parse().ok())
            .with_context(|| format!("bad status line {status_line:?}"))?;
        let mut length = 0usize;
        loop {
            let mut line = String::new();
            if self.reader.read_line(&mut line).await? == 0 {
                bail!("the connection closed");
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse()?;
            }
        }
        let mut body = vec![0; length];
        self.reader.read_exact(&mut body).await?;
        Ok((status, String::from_utf8_lossy(&body).into_owned()))
    }
}

struct Reads {
    rps: f64,
    p50_ms: f64,
    p99_ms: f64,
}

/// A post with 200 signed comments (a reply tree), then its page requested one at a time;
/// prints its size and latency.
async fn post_page_benchmark(args: &Args, address: &str) -> Result<()> {
    let key = TestKey::from_seed(9_999);
    let root = post(
        "A post with 200 comments",
        "The page benchmark's post.",
        None,
        1_730_000_000_000,
        &[key.ethereum_author()],
    );
    let root = key.sign_ethereum(&root);
    let root_id = spasm::convert::convert_to_spasm(&root)?.id().to_string();
    let mut events = vec![root.to_string()];
    let mut parents = vec![root_id.clone()];
    for index in 0..200u64 {
        let author = TestKey::from_seed(20_000 + index);
        // Every fourth comment answers the previous one: a tree, not only a list.
        let parent_id = if index % 4 == 3 {
            parents.last().cloned().unwrap_or_default()
        } else {
            root_id.clone()
        };
        let parent = spasm::body::ParentInfo {
            ids: vec![parent_id],
            ..Default::default()
        };
        let body = spasm::body::reply(
            &parent,
            &format!(
                "Comment {index}: a few words with **markdown** and a [link](https://example.com)."
            ),
            1_730_000_000_000 + index,
            &[author.ethereum_author()],
        );
        let signed = author.sign_ethereum(&body);
        parents.push(spasm::convert::convert_to_spasm(&signed)?.id().to_string());
        events.push(signed.to_string());
    }
    // Sequential: each reply needs its parent stored.
    let mut connection = Connection::open(address).await?;
    for event in &events {
        let (status, body) = connection.post("/api/submit/", event).await?;
        if status != 201 {
            bail!("a comment answered {status}: {body}");
        }
    }
    for (name, path) in [
        ("front page", "/".to_owned()),
        ("post page with 200 comments", format!("/news/{root_id}")),
    ] {
        println!(
            "{name}: {:.1} KB of HTML, {:.1} KB as Chromium receives it (brotli)",
            page_size(address, &path, "identity").await? as f64 / 1024.0,
            page_size(address, &path, "gzip, deflate, br, zstd").await? as f64 / 1024.0
        );
        pages_benchmark(args, address, name, &path).await?;
    }
    Ok(())
}

/// One page requested by 20 connections for `--read-seconds`, as `wrk -c20` would: as
/// Chromium asks (`Accept-Encoding: gzip, deflate, br, zstd`), uncompressed, and with a
/// random query added to every request, which the server cannot have kept rendered (the
/// cost of rendering it, as after every write).
async fn pages_benchmark(args: &Args, address: &str, name: &str, path: &str) -> Result<()> {
    let url = format!("http://{address}{path}");
    let random = format!(
        "{}\\?fresh=[0-9]{{12}}",
        regex_literal(&format!("http://{address}{path}"))
    );
    let seconds = format!("{}s", args.read_seconds);
    let chromium = ["-H", "Accept-Encoding: gzip, deflate, br, zstd"];
    for (how, target, extra) in [
        ("as Chromium asks", &url, &chromium[..]),
        ("uncompressed", &url, &["--disable-compression"][..]),
        (
            "rendered anew each time (random query), as Chromium asks",
            &random,
            &["--rand-regex-url", chromium[0], chromium[1]][..],
        ),
    ] {
        let mut options = vec!["-z", seconds.as_str(), "-c", "20"];
        options.extend(extra);
        let pages = oha(args, target, &options).await?;
        println!(
            "{name}, {how}: {:.0} pages/s, p50 {:.2} ms, p99 {:.2} ms (20 connections, {} s)",
            pages.rps, pages.p50_ms, pages.p99_ms, args.read_seconds
        );
    }
    Ok(())
}

/// `text` as a regular expression matching only itself, for `oha --rand-regex-url` (where
/// `.` is already literal: escaping it makes a random character).
fn regex_literal(text: &str) -> String {
    text.chars().fold(String::new(), |mut escaped, c| {
        if r"\+*?()|[]{}^$".contains(c) {
            escaped.push('\\');
        }
        escaped.push(c);
        escaped
    })
}

/// `oha` against the feed, JSON output parsed.
/// Feed reads from every process at once, the connections split between them: the sum of
/// their rates, and the worst process's latencies.
async fn read_benchmark(args: &Args, addresses: &[String]) -> Result<Reads> {
    let seconds = format!("{}s", args.read_seconds);
    let connections = (args.read_connections / addresses.len()).max(1).to_string();
    let runs = addresses.iter().map(|address| {
        let url = format!("http://{address}/api/events?limit=25");
        let (seconds, connections) = (seconds.clone(), connections.clone());
        async move { oha(args, &url, &["-z", &seconds, "-c", &connections]).await }
    });
    let mut total = Reads {
        rps: 0.0,
        p50_ms: 0.0,
        p99_ms: 0.0,
    };
    for reads in futures_util::future::join_all(runs).await {
        let reads = reads?;
        total.rps += reads.rps;
        total.p50_ms = total.p50_ms.max(reads.p50_ms);
        total.p99_ms = total.p99_ms.max(reads.p99_ms);
    }
    Ok(total)
}

async fn oha(args: &Args, url: &str, load: &[&str]) -> Result<Reads> {
    let output = Command::new(&args.oha)
        .args(["--no-tui", "--output-format", "json"])
        .args(load)
        .arg(url)
        .output()
        .await
        .with_context(|| {
            format!(
                "cannot run {} (install it with `cargo install oha --locked`)",
                args.oha.display()
            )
        })?;
    if !output.status.success() {
        bail!("oha failed: {}", String::from_utf8_lossy(&output.stderr));
    }
    let report: Value = serde_json::from_slice(&output.stdout).context("oha's JSON")?;
    let statuses = &report["statusCodeDistribution"];
    if statuses
        .as_object()
        .is_some_and(|codes| codes.keys().any(|code| code != "200"))
    {
        bail!("some reads failed: {statuses}");
    }
    let seconds = |value: &Value| value.as_f64().unwrap_or(f64::NAN) * 1000.0;
    Ok(Reads {
        rps: report["summary"]["requestsPerSec"]
            .as_f64()
            .unwrap_or(f64::NAN),
        p50_ms: seconds(&report["latencyPercentiles"]["p50"]),
        p99_ms: seconds(&report["latencyPercentiles"]["p99"]),
    })
}

/// The servers' peak resident set sizes so far, summed.
fn peak_rss_mb(pids: &[u32]) -> Result<f64> {
    let mut total = 0.0;
    for pid in pids {
        total += peak_rss_mb_of(*pid)?;
    }
    Ok(total)
}

/// One process's peak resident set size so far.
fn peak_rss_mb_of(pid: u32) -> Result<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let kib: f64 = status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .context("no VmHWM")?;
    Ok(kib / 1024.0)
}
