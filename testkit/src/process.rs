//! The real `spasm-forum` binary in a child process, and plain HTTP/1.1 to it, for tests
//! that need processes: kills, restarts, several processes on one database.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::process::{Child, Command};

/// A running server process; killed when dropped.
#[derive(Debug)]
pub struct ServerProcess {
    /// The child.
    pub child: Child,
    /// `127.0.0.1:PORT`.
    pub address: String,
}

/// Starts `binary serve --listen 127.0.0.1:0 --data-dir DIR` with rate limits off, these
/// variables and `RUST_LOG=warn` (unless given); waits until it listens (at most 60 s).
///
/// # Panics
/// When the process cannot start or exits before listening ([`try_start`] says why).
pub async fn start(binary: &str, data_dir: &Path, env: &[(&str, &str)]) -> ServerProcess {
    try_start(binary, data_dir, env)
        .await
        .expect("the server starts and listens")
}

/// [`start`], with the reason when the server does not listen.
///
/// # Errors
/// When the binary cannot run, exits before listening, or does not listen within 60 s.
pub async fn try_start(
    binary: &str,
    data_dir: &Path,
    env: &[(&str, &str)],
) -> Result<ServerProcess, String> {
    let mut command = Command::new(binary);
    command
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(data_dir)
        // Tests and load come from one address and a few keys: the limits are for people.
        .env("SPASM_SUBMITS_PER_MINUTE_PER_IP", "0")
        .env("SPASM_SUBMITS_PER_MINUTE_PER_KEY", "0")
        .env("RUST_LOG", "warn")
        .env_remove("DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true);
    for (name, value) in env {
        command.env(name, value);
    }
    let mut child = command
        .spawn()
        .map_err(|error| format!("cannot start {binary}: {error}"))?;
    let stdout = child.stdout.take().ok_or("the server has no stdout")?;
    let mut lines = BufReader::new(stdout).lines();
    let address = tokio::time::timeout(Duration::from_secs(60), async {
        while let Ok(Some(line)) = lines.next_line().await {
            if let Some(address) = line.strip_prefix("listening on http://") {
                return Ok(address.to_owned());
            }
        }
        Err("the server exited before listening".to_owned())
    })
    .await
    .map_err(|_| "the server did not listen within 60 s".to_owned())??;
    // Keep reading stdout so the child never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    Ok(ServerProcess { child, address })
}

/// An HTTP answer: status, headers (lower-case names) and body.
#[derive(Debug, Clone)]
pub struct Answer {
    /// The status code.
    pub status: u16,
    /// `(name, value)` pairs, names in lower case.
    pub headers: Vec<(String, String)>,
    /// The body (`Connection: close`, so read to the end).
    pub body: String,
}

impl Answer {
    /// The first value of header `name` (lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(found, _)| found == name)
            .map(|(_, value)| value.as_str())
    }
}

/// One request over a fresh connection; `None` when the connection failed or broke.
pub async fn request(
    address: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Option<Answer> {
    let mut stream = TcpStream::connect(address).await.ok()?;
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await.ok()?;
    stream.write_all(body.as_bytes()).await.ok()?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.ok()?;
    let text = String::from_utf8_lossy(&response).into_owned();
    let (head, body) = text.split_once("\r\n\r\n")?;
    let mut lines = head.lines();
    let status = lines.next()?.split_whitespace().nth(1)?.parse().ok()?;
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        unchunk(body)
    } else {
        body.to_owned()
    };
    Some(Answer {
        status,
        headers,
        body,
    })
}

/// A chunked body's data.
fn unchunk(mut text: &str) -> String {
    let mut body = String::new();
    while let Some((size, rest)) = text.split_once("\r\n") {
        let Ok(size) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        if size == 0 || rest.len() < size {
            break;
        }
        body.push_str(&rest[..size]);
        text = rest[size..].trim_start_matches("\r\n");
    }
    body
}

/// `GET path`.
pub async fn get(address: &str, path: &str) -> Option<Answer> {
    request(address, "GET", path, &[], "").await
}

/// `POST /api/submit/` with a JSON body.
pub async fn submit(address: &str, body: &str) -> Option<Answer> {
    request(
        address,
        "POST",
        "/api/submit/",
        &[("Content-Type", "application/json")],
        body,
    )
    .await
}
