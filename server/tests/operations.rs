//! Running a real instance, through the real binary: several processes on one PostgreSQL,
//! `/metrics`, security headers, clients behind a trusted proxy, and storage faults (a full
//! SQLite data directory, a PostgreSQL restart) answered 503 with `Retry-After` and recovered
//! from without a restart or a lost acknowledged submit.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use spasm::body::app_config;
use testkit::TestKey;
use testkit::process::{self, Answer, ServerProcess};
use tokio::sync::Mutex;

#[path = "../../forum/tests/support/mod.rs"]
mod support;

const BINARY: &str = env!("CARGO_BIN_EXE_spasm-forum");

/// A signed post and its spasmid.
fn signed_post(seed: u64, index: u64, content: &str) -> (String, String) {
    TestKey::from_seed(seed).signed_post(
        "Operations",
        &format!("{index} {content}"),
        1_730_000_000_000 + index,
    )
}

/// `name{labels} value` lines of the Prometheus text format, parsed; every sample must parse.
fn parse_metrics(text: &str) -> Vec<(String, HashMap<String, String>, f64)> {
    text.lines()
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| {
            let (series, value) = line.rsplit_once(' ').unwrap();
            let value: f64 = value
                .parse()
                .unwrap_or_else(|_| panic!("bad value in {line}"));
            let (name, labels) = match series.split_once('{') {
                Some((name, rest)) => {
                    let labels = rest
                        .trim_end_matches('}')
                        .split("\",")
                        .filter(|pair| !pair.is_empty())
                        .map(|pair| {
                            let (key, value) = pair.split_once('=').unwrap();
                            (key.to_owned(), value.trim_matches('"').to_owned())
                        })
                        .collect();
                    (name.to_owned(), labels)
                }
                None => (series.to_owned(), HashMap::new()),
            };
            (name, labels, value)
        })
        .collect()
}

fn sample(
    metrics: &[(String, HashMap<String, String>, f64)],
    name: &str,
    labels: &[(&str, &str)],
) -> Option<f64> {
    metrics
        .iter()
        .find(|(found, found_labels, _)| {
            found == name
                && labels
                    .iter()
                    .all(|(key, value)| found_labels.get(*key).map(String::as_str) == Some(*value))
        })
        .map(|(_, _, value)| *value)
}

async fn scrape(address: &str) -> Vec<(String, HashMap<String, String>, f64)> {
    let answer = process::get(address, "/metrics").await.unwrap();
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert!(
        answer
            .header("content-type")
            .unwrap()
            .starts_with("text/plain")
    );
    parse_metrics(&answer.body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_and_security_headers_are_served() {
    let data_dir = tempfile::tempdir().unwrap();
    let server = process::start(BINARY, data_dir.path(), &[("SPASM_HTTPS", "true")]).await;
    let (_, body) = signed_post(1, 1, "counted");
    assert_eq!(
        process::submit(&server.address, &body)
            .await
            .unwrap()
            .status,
        201
    );
    assert_eq!(
        process::submit(&server.address, "{}").await.unwrap().status,
        400
    );
    let page = process::get(&server.address, "/").await.unwrap();
    assert_eq!(page.status, 200);
    let policy = page.header("content-security-policy").unwrap().to_owned();
    let nonce = policy
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .unwrap();
    assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
    assert!(policy.contains("'wasm-unsafe-eval'"), "{policy}");
    // Every script of the page carries this response's nonce.
    let scripts = page.body.matches("<script").count();
    assert!(scripts > 0);
    assert!(
        page.body.matches(&format!("nonce=\"{nonce}\"")).count() >= scripts,
        "{}",
        page.body
    );
    assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
    assert!(page.header("referrer-policy").is_some());
    assert!(
        page.header("strict-transport-security")
            .unwrap()
            .contains("max-age=")
    );
    // A fresh nonce per rendering: a page not kept (the page cache keeps the feed, threads
    // and author pages with their rendering's nonce) is rendered for every response.
    let about = process::get(&server.address, "/about").await.unwrap();
    let about_again = process::get(&server.address, "/about").await.unwrap();
    assert_ne!(
        about.header("content-security-policy"),
        about_again.header("content-security-policy"),
        "a fresh nonce per rendering"
    );

    let metrics = scrape(&server.address).await;
    assert_eq!(
        sample(
            &metrics,
            "spasm_submits_total",
            &[("source", "submit"), ("outcome", "accepted")]
        ),
        Some(1.0)
    );
    assert_eq!(
        sample(
            &metrics,
            "spasm_submits_total",
            &[("source", "submit"), ("outcome", "not an event")]
        ),
        Some(1.0)
    );
    assert_eq!(
        sample(
            &metrics,
            "spasm_http_requests_total",
            &[
                ("route", "/api/submit/"),
                ("method", "POST"),
                ("status", "201")
            ]
        ),
        Some(1.0)
    );
    assert!(
        sample(
            &metrics,
            "spasm_http_request_duration_seconds_count",
            &[("route", "/api/submit/")]
        )
        .is_some()
    );
    assert!(sample(&metrics, "spasm_verify_seconds_count", &[]).unwrap() >= 1.0);
    assert!(sample(&metrics, "spasm_write_group_size_count", &[]).unwrap() >= 1.0);
    assert!(sample(&metrics, "spasm_write_queue_depth", &[]).is_some());
    assert!(sample(&metrics, "spasm_db_connections", &[("state", "idle")]).is_some());
    assert_eq!(sample(&metrics, "spasm_up", &[]), Some(1.0));
    assert_eq!(
        sample(
            &metrics,
            "spasm_job_lock_held",
            &[("group", "scheduled-jobs")]
        ),
        Some(1.0)
    );
    assert!(
        sample(
            &metrics,
            "spasm_job_runs_total",
            &[("job", "expire-waiting"), ("outcome", "ok")]
        )
        .is_some()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_behind_a_trusted_proxy_are_limited_apart_and_forged_headers_are_ignored() {
    let limited = [
        ("SPASM_SUBMITS_PER_MINUTE_PER_IP", "1"),
        ("SPASM_SUBMIT_BURST_PER_IP", "2"),
    ];
    let data_dir = tempfile::tempdir().unwrap();
    let mut trusting = limited.to_vec();
    trusting.push(("SPASM_TRUSTED_PROXIES", "127.0.0.0/8"));
    let behind_proxy = process::start(BINARY, data_dir.path(), &trusting).await;
    let from = |address: &'static str| {
        [
            ("X-Forwarded-For", address),
            ("Content-Type", "application/json"),
        ]
    };
    let submit = |server: &ServerProcess, headers: [(&'static str, &'static str); 2]| {
        let address = server.address.clone();
        async move {
            process::request(&address, "POST", "/api/submit/", &headers, "{}")
                .await
                .unwrap()
        }
    };
    // Two clients of the proxy: each has its own burst of two.
    for _ in 0..2 {
        assert_eq!(
            submit(&behind_proxy, from("198.51.100.1")).await.status,
            400
        );
    }
    let refused = submit(&behind_proxy, from("198.51.100.1")).await;
    assert_eq!(refused.status, 429);
    assert!(
        refused.body.contains("too many submits from this address"),
        "{}",
        refused.body
    );
    assert!(refused.header("retry-after").is_some());
    // A client behind the proxy cannot choose its address: a forged leftmost entry (a proxy
    // that appends) and a forged `Forwarded` change nothing.
    for forged in [
        vec![("X-Forwarded-For", "203.0.113.50, 198.51.100.1")],
        vec![
            ("Forwarded", "for=203.0.113.51"),
            ("X-Forwarded-For", "198.51.100.1"),
        ],
    ] {
        let answer = process::request(&behind_proxy.address, "POST", "/api/submit/", &forged, "{}")
            .await
            .unwrap();
        assert_eq!(answer.status, 429, "{forged:?}: {}", answer.body);
    }
    for _ in 0..2 {
        assert_eq!(
            submit(&behind_proxy, from("198.51.100.2")).await.status,
            400
        );
    }
    assert_eq!(
        submit(&behind_proxy, from("198.51.100.2")).await.status,
        429
    );
    // The browser's server function is a write door too, under the same limit.
    let form = process::request(
        &behind_proxy.address,
        "POST",
        "/_fn/submit",
        &[
            ("X-Forwarded-For", "198.51.100.1"),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        "event=%7B%7D&publish_to_nostr=false",
    )
    .await
    .unwrap();
    assert_eq!(form.status, 429, "{}", form.body);
    assert!(
        form.body.contains("Too many submits from this address"),
        "{}",
        form.body
    );

    // Without trusted proxies the header is the client's own claim and changes nothing.
    let other_dir = tempfile::tempdir().unwrap();
    let direct = process::start(BINARY, other_dir.path(), &limited).await;
    assert_eq!(submit(&direct, from("203.0.113.1")).await.status, 400);
    assert_eq!(submit(&direct, from("203.0.113.2")).await.status, 400);
    assert_eq!(submit(&direct, from("203.0.113.3")).await.status, 429);
}

/// A stream of submits from 4 clients until `stop`; what was acknowledged (201), and every
/// 503 seen with its `Retry-After` and message.
struct Stream {
    acknowledged: Arc<Mutex<Vec<String>>>,
    refusals: Arc<Mutex<Vec<Answer>>>,
    stop: Arc<AtomicBool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

fn stream_submits(address: &str, content: &str) -> Stream {
    let acknowledged = Arc::new(Mutex::new(Vec::new()));
    let refusals = Arc::new(Mutex::new(Vec::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let next = Arc::new(AtomicUsize::new(0));
    let tasks = (0..4)
        .map(|_| {
            let (acknowledged, refusals, stop, next) = (
                Arc::clone(&acknowledged),
                Arc::clone(&refusals),
                Arc::clone(&stop),
                Arc::clone(&next),
            );
            let (address, content) = (address.to_owned(), content.to_owned());
            tokio::spawn(async move {
                while !stop.load(Ordering::Relaxed) {
                    let index = next.fetch_add(1, Ordering::Relaxed) as u64;
                    let (id, body) = signed_post(index % 40, index, &content);
                    match process::submit(&address, &body).await {
                        Some(answer) if answer.status == 201 => acknowledged.lock().await.push(id),
                        Some(answer) if answer.status == 503 => {
                            refusals.lock().await.push(answer);
                            tokio::time::sleep(Duration::from_millis(50)).await;
                        }
                        Some(answer) => {
                            panic!("unexpected answer {}: {}", answer.status, answer.body)
                        }
                        None => tokio::time::sleep(Duration::from_millis(50)).await,
                    }
                }
            })
        })
        .collect();
    Stream {
        acknowledged,
        refusals,
        stop,
        tasks,
    }
}

impl Stream {
    async fn finish(self) -> (Vec<String>, Vec<Answer>) {
        self.stop.store(true, Ordering::Relaxed);
        for task in self.tasks {
            task.await.unwrap();
        }
        (
            self.acknowledged.lock().await.clone(),
            self.refusals.lock().await.clone(),
        )
    }

    async fn wait_for_refusal(&self, within: Duration) {
        let deadline = Instant::now() + within;
        while self.refusals.lock().await.is_empty() {
            assert!(
                Instant::now() < deadline,
                "no submit was refused within {within:?}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Waits until health is 200 again and `more` submits succeed, stops the stream, and
    /// checks the refusals and that every acknowledged submit is read: what was
    /// acknowledged and refused.
    async fn recovers(
        self,
        address: &str,
        within: Duration,
        more: usize,
    ) -> (Vec<String>, Vec<Answer>) {
        wait_healthy(address, within).await;
        let before = self.acknowledged_count().await;
        let deadline = Instant::now() + within;
        while self.acknowledged_count().await < before + more {
            assert!(Instant::now() < deadline, "submits did not succeed again");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let (acknowledged, refusals) = self.finish().await;
        check_refusals(&refusals);
        assert_all_readable(address, &acknowledged).await;
        (acknowledged, refusals)
    }

    async fn acknowledged_count(&self) -> usize {
        self.acknowledged.lock().await.len()
    }
}

fn check_refusals(refusals: &[Answer]) {
    assert!(!refusals.is_empty());
    for refusal in refusals {
        assert!(
            refusal
                .header("retry-after")
                .is_some_and(|seconds| seconds.parse::<u64>().is_ok())
        );
        assert!(
            refusal.body.contains("cannot store events right now") || refusal.body.contains("busy"),
            "{}",
            refusal.body
        );
    }
}

async fn health(address: &str) -> (u16, Value) {
    let answer = process::get(address, "/api/health").await.unwrap();
    (answer.status, serde_json::from_str(&answer.body).unwrap())
}

/// The body of the first 503 health answer, within `within`.
async fn wait_unhealthy(address: &str, within: Duration) -> Value {
    let deadline = Instant::now() + within;
    loop {
        let (status, body) = health(address).await;
        if status == 503 {
            return body;
        }
        assert!(
            Instant::now() < deadline,
            "health still answered {status} after {within:?}: {body}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn wait_healthy(address: &str, within: Duration) {
    let deadline = Instant::now() + within;
    loop {
        if process::get(address, "/api/health")
            .await
            .is_some_and(|answer| answer.status == 200)
        {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the forum did not recover within {within:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn assert_all_readable(address: &str, ids: &[String]) {
    for id in ids {
        let answer = process::get(address, &format!("/api/events/{id}"))
            .await
            .unwrap();
        assert_eq!(
            answer.status, 200,
            "acknowledged {id} was lost: {}",
            answer.body
        );
    }
}

fn run(program: &str, args: &[&str]) -> std::process::Output {
    std::process::Command::new(program)
        .args(args)
        .output()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_data_directory_answers_503_and_recovers_by_itself() {
    let mount = tempfile::tempdir().unwrap();
    let dir = mount.path().to_str().unwrap().to_owned();
    let mounted = run("mount", &["-t", "tmpfs", "-o", "size=3m", "tmpfs", &dir]);
    if !mounted.status.success() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must be able to mount a small tmpfs: {}",
            String::from_utf8_lossy(&mounted.stderr)
        );
        eprintln!("cannot mount a tmpfs here (not root?): the full-disk test is skipped");
        return;
    }
    let unmount = scopeguard(dir.clone());
    let server = process::start(BINARY, mount.path(), &[]).await;
    let stream = stream_submits(&server.address, &"x".repeat(20_000));
    stream.wait_for_refusal(Duration::from_secs(60)).await;
    // A refused write frees what it took, so a health probe just after it may still find
    // room; while the stream keeps writing, health must say the disk is full soon.
    let body = wait_unhealthy(&server.address, Duration::from_secs(15)).await;
    assert_eq!(body["writes"], false);
    assert!(
        body["problem"]
            .as_str()
            .unwrap()
            .contains("does not take writes")
    );
    // Room again: the forum notices by itself.
    let grown = run("mount", &["-o", "remount,size=64m", &dir]);
    assert!(grown.status.success());
    let (acknowledged, refusals) = stream
        .recovers(&server.address, Duration::from_secs(20), 20)
        .await;
    eprintln!(
        "full disk: {} acknowledged, {} refused with 503",
        acknowledged.len(),
        refusals.len()
    );
    drop(server);
    drop(unmount);
}

/// Unmounts a tmpfs when dropped.
struct Unmount(String);

fn scopeguard(dir: String) -> Unmount {
    Unmount(dir)
}

impl Drop for Unmount {
    fn drop(&mut self) {
        let _ = run("umount", &["-l", &self.0]);
    }
}

/// A PostgreSQL server of this test's own (initdb in a temporary directory, trust auth),
/// which the test may restart without disturbing others.
struct OwnPostgres {
    bin: PathBuf,
    dir: PathBuf,
    port: u16,
}

impl OwnPostgres {
    fn find_bin() -> Option<PathBuf> {
        let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
            .ok()?
            .filter_map(Result::ok)
            .map(|entry| entry.path().join("bin"))
            .filter(|bin| bin.join("pg_ctl").exists())
            .collect();
        versions.sort();
        versions.pop()
    }

    /// Runs a PostgreSQL tool as the `postgres` user when we are root (initdb refuses root).
    fn tool(&self, tool: &str, args: &[&str]) -> std::process::Output {
        let program = self.bin.join(tool);
        let program = program.to_str().unwrap();
        let is_root = run("id", &["-u"]).stdout.starts_with(b"0");
        if is_root {
            let mut all = vec!["-u", "postgres", "--", program];
            all.extend_from_slice(args);
            run("runuser", &all)
        } else {
            run(program, args)
        }
    }

    fn start() -> Option<Self> {
        let bin = Self::find_bin()?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .ok()?
            .local_addr()
            .ok()?
            .port();
        let dir = std::env::temp_dir().join(format!("spasm-own-pg-{}-{port}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).ok()?;
        let _ = run("chown", &["postgres", dir.to_str()?]);
        let postgres = Self { bin, dir, port };
        let data = postgres.dir.join("data");
        let initdb = postgres.tool(
            "initdb",
            &[
                "-D",
                data.to_str()?,
                "--auth=trust",
                "-U",
                "postgres",
                "--no-sync",
            ],
        );
        if !initdb.status.success() {
            eprintln!("initdb failed: {}", String::from_utf8_lossy(&initdb.stderr));
            return None;
        }
        postgres.pg_ctl("start").then_some(postgres)
    }

    fn pg_ctl(&self, action: &str) -> bool {
        let data = self.dir.join("data");
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1",
            self.port,
            self.dir.display()
        );
        let log = self.dir.join("log");
        let mut args = vec![action, "-D", data.to_str().unwrap(), "-w", "-t", "30"];
        if action != "stop" {
            args.extend_from_slice(&["-o", &options, "-l", log.to_str().unwrap()]);
        } else {
            args.extend_from_slice(&["-m", "fast"]);
        }
        let output = self.tool("pg_ctl", &args);
        if !output.status.success() {
            eprintln!(
                "pg_ctl {action}: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        output.status.success()
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for OwnPostgres {
    fn drop(&mut self) {
        self.pg_ctl("stop");
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgres_restart_answers_503_and_recovers_by_itself() {
    let Some(postgres) = OwnPostgres::start() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must be able to run a PostgreSQL server of the test's own"
        );
        eprintln!("no PostgreSQL binaries to run a server of our own: the restart test is skipped");
        return;
    };
    let data_dir = tempfile::tempdir().unwrap();
    let url = postgres.url();
    let server = process::start(BINARY, data_dir.path(), &[("DATABASE_URL", url.as_str())]).await;
    let stream = stream_submits(&server.address, "during a restart");
    while stream.acknowledged_count().await < 100 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(postgres.pg_ctl("stop"));
    stream.wait_for_refusal(Duration::from_secs(30)).await;
    let (status, body) = health(&server.address).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["database"], false);
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(postgres.pg_ctl("start"));
    let (acknowledged, refusals) = stream
        .recovers(&server.address, Duration::from_secs(30), 50)
        .await;
    eprintln!(
        "restart: {} acknowledged, {} refused with 503",
        acknowledged.len(),
        refusals.len()
    );
}

/// A Spasm peer that answers every feed request slowly with nothing, counting requests and
/// the most that were ever in flight at once.
async fn slow_peer() -> (String, Arc<AtomicUsize>, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap().to_string();
    let requests = Arc::new(AtomicUsize::new(0));
    let most_at_once = Arc::new(AtomicUsize::new(0));
    let in_flight = Arc::new(AtomicUsize::new(0));
    let (counted, most) = (Arc::clone(&requests), Arc::clone(&most_at_once));
    tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                return;
            };
            let (counted, most, in_flight) = (
                Arc::clone(&counted),
                Arc::clone(&most),
                Arc::clone(&in_flight),
            );
            tokio::spawn(async move {
                use tokio::io::{AsyncReadExt, AsyncWriteExt};
                let mut buffer = [0_u8; 4096];
                let _ = stream.read(&mut buffer).await;
                counted.fetch_add(1, Ordering::SeqCst);
                let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(300)).await;
                in_flight.fetch_sub(1, Ordering::SeqCst);
                let _ = stream
                    .write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n[]")
                    .await;
            });
        }
    });
    (address, requests, most_at_once)
}

async fn owners(processes: &[ServerProcess]) -> Vec<usize> {
    let mut owners = Vec::new();
    for (index, server) in processes.iter().enumerate() {
        let Some(answer) = process::get(&server.address, "/metrics").await else {
            continue;
        };
        let metrics = parse_metrics(&answer.body);
        if sample(
            &metrics,
            "spasm_job_lock_held",
            &[("group", "scheduled-jobs")],
        ) == Some(1.0)
        {
            owners.push(index);
        }
    }
    owners
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_processes_on_one_postgres_behave_as_one_forum() {
    let Some((url, cleanup)) = support::fresh_postgres_database("spasm_three").await else {
        return;
    };
    let admin = TestKey::from_seed(77);
    let admins = admin.ethereum_address().to_string();
    let (peer, peer_requests, most_at_once) = slow_peer().await;
    let source = format!("http://{peer}/api/events||1s|spasm|peer");
    let env = [
        ("DATABASE_URL", url.as_str()),
        ("ADMINS", admins.as_str()),
        ("FEDERATION_CUSTOM_LINKS", source.as_str()),
        ("SPASM_ALLOW_PRIVATE_NETWORK", "true"),
    ];
    let mut processes = Vec::new();
    let mut dirs = Vec::new();
    for _ in 0..3 {
        let dir = tempfile::tempdir().unwrap();
        processes.push(process::start(BINARY, dir.path(), &env).await);
        dirs.push(dir);
    }

    // A submit through any process is read through all.
    for (index, server) in processes.iter().enumerate() {
        let (id, body) = signed_post(5, 9_000 + index as u64, "through one, read through all");
        assert_eq!(
            process::submit(&server.address, &body)
                .await
                .unwrap()
                .status,
            201
        );
        assert_all_readable_everywhere(&processes, &id).await;
    }

    // An admin's settings change through one process is in force in the others within 1 s.
    let config = json!({"telegramLink": "https://t.me/spasm-operations"});
    let signed = admin.sign_ethereum(&app_config(
        &config,
        1_730_000_000_000,
        &[admin.ethereum_author()],
    ));
    let changed_at = Instant::now();
    assert_eq!(
        process::submit(&processes[0].address, &signed.to_string())
            .await
            .unwrap()
            .status,
        201
    );
    for server in &processes[1..] {
        loop {
            let answer = process::get(&server.address, "/api/app-config")
                .await
                .unwrap();
            if serde_json::from_str::<Value>(&answer.body).unwrap() == config {
                break;
            }
            assert!(
                changed_at.elapsed() < Duration::from_secs(1),
                "the change took longer than 1 s"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    eprintln!(
        "settings reached every process in {:?}",
        changed_at.elapsed()
    );

    // Exactly one process runs the jobs; killing it moves them within 10 s.
    let deadline = Instant::now() + Duration::from_secs(10);
    let owner = loop {
        let owners = owners(&processes).await;
        assert!(
            owners.len() <= 1,
            "two processes hold the job lock: {owners:?}"
        );
        if let [owner] = owners[..] {
            break owner;
        }
        assert!(Instant::now() < deadline, "no process took the jobs");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let pulled_before = peer_requests.load(Ordering::SeqCst);
    let mut killed = processes.remove(owner);
    killed.child.start_kill().unwrap();
    killed.child.wait().await.unwrap();
    let killed_at = Instant::now();
    let new_owner = loop {
        let owners = owners(&processes).await;
        assert!(
            owners.len() <= 1,
            "two processes hold the job lock: {owners:?}"
        );
        if let [owner] = owners[..] {
            break owner;
        }
        assert!(
            killed_at.elapsed() < Duration::from_secs(10),
            "the jobs did not move within 10 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    eprintln!(
        "the jobs moved to process {new_owner} in {:?}",
        killed_at.elapsed()
    );
    // The new owner pulls the source (the dead owner's lease does not hold it back).
    while peer_requests.load(Ordering::SeqCst) <= pulled_before {
        assert!(
            killed_at.elapsed() < Duration::from_secs(10),
            "the source was not pulled after the move"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        most_at_once.load(Ordering::SeqCst),
        1,
        "two pulls of one source ran at once"
    );
    let (id, body) = signed_post(6, 9_100, "after the move");
    assert_eq!(
        process::submit(&processes[0].address, &body)
            .await
            .unwrap()
            .status,
        201
    );
    assert_all_readable_everywhere(&processes, &id).await;
    drop(processes);
    support::drop_database(Some(cleanup)).await;
}

async fn assert_all_readable_everywhere(processes: &[ServerProcess], id: &str) {
    for server in processes {
        assert_all_readable(&server.address, &[id.to_owned()]).await;
    }
}

/// `spasm-forum ARGS…` run to its end: whether it succeeded, and what it printed.
async fn command(args: &[&str]) -> (bool, String) {
    let output = tokio::process::Command::new(BINARY)
        .args(args)
        .env("RUST_LOG", "warn")
        .env_remove("DATABASE_URL")
        .output()
        .await
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_while_submits_stream_restores_everything_acknowledged_before_it() {
    let serving = tempfile::tempdir().unwrap();
    let backups = tempfile::tempdir().unwrap();
    let server = process::start(BINARY, serving.path(), &[]).await;
    let stream = stream_submits(&server.address, "backed up");
    while stream.acknowledged_count().await < 200 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let before_backup = stream.acknowledged.lock().await.clone();
    let file = backups.path().join("forum-backup.sqlite3");
    let serving_dir = serving.path().to_str().unwrap();
    let file_name = file.to_str().unwrap();
    let (ok, said) = command(&["backup", file_name, "--data-dir", serving_dir]).await;
    assert!(ok, "{said}");
    assert!(said.contains("backed up the forum database"), "{said}");
    // The stream goes on after the backup.
    while stream.acknowledged_count().await < before_backup.len() + 50 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let (all, refusals) = stream.finish().await;
    assert!(refusals.is_empty());
    // A backup never overwrites a file.
    let (ok, said) = command(&["backup", file_name, "--data-dir", serving_dir]).await;
    assert!(!ok && said.contains("exists already"), "{said}");
    // The running forum's database is never replaced.
    let (ok, said) = command(&["restore", file_name, "--data-dir", serving_dir]).await;
    assert!(!ok && said.contains("has the database"), "{said}");
    assert_all_readable(&server.address, &all).await;
    drop(server);

    let restored = tempfile::tempdir().unwrap();
    let restored_dir = restored.path().to_str().unwrap();
    let (ok, said) = command(&["restore", file_name, "--data-dir", restored_dir]).await;
    assert!(ok, "{said}");
    let (ok, said) = command(&["check", "--full", "--data-dir", restored_dir]).await;
    assert!(ok, "{said}");
    let server = process::start(BINARY, restored.path(), &[]).await;
    assert_all_readable(&server.address, &before_backup).await;
    eprintln!(
        "backup: {} acknowledged before it began, {} in all",
        before_backup.len(),
        all.len()
    );
    drop(server);
    // What is not a forum database is refused, and nothing changes.
    let junk = backups.path().join("junk");
    std::fs::write(&junk, "not a database").unwrap();
    let (ok, said) = command(&[
        "restore",
        junk.to_str().unwrap(),
        "--data-dir",
        restored_dir,
    ])
    .await;
    assert!(
        !ok && said.contains("is not a sound forum database"),
        "{said}"
    );
}
