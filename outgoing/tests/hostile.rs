//! Hostile answers on loopback: each is refused in words, within the time and size bounds.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use outgoing::{
    Fetched, GetRequest, OutgoingClient, OutgoingError, OutgoingPolicy, StaticResolver,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What a test server does with each connection, after reading the request head.
#[derive(Clone, Copy)]
enum Behaviour {
    Ok,
    HangAfterHeaders,
    TrickleOneBytePerSecond,
    Huge,
    HugeDeclared,
    RedirectToLoopbackLiteral,
    RedirectForever,
    NotModifiedWhenAsked,
}

async fn read_head(stream: &mut TcpStream) -> String {
    let mut head = Vec::new();
    let mut byte = [0_u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte).await {
            Ok(1) => head.push(byte[0]),
            _ => break,
        }
    }
    String::from_utf8_lossy(&head).into_owned()
}

async fn answer(mut stream: TcpStream, behaviour: Behaviour, port: u16) {
    let head = read_head(&mut stream).await;
    let write = |text: String| text.into_bytes();
    let result = match behaviour {
        Behaviour::Ok => {
            stream
                .write_all(&write(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\netag: \"v1\"\r\ncontent-length: 2\r\n\r\n[]".into(),
                ))
                .await
        }
        Behaviour::NotModifiedWhenAsked => {
            let text = if head.to_ascii_lowercase().contains("if-none-match: \"v1\"") {
                "HTTP/1.1 304 Not Modified\r\n\r\n".to_owned()
            } else {
                "HTTP/1.1 200 OK\r\netag: \"v1\"\r\ncontent-length: 2\r\n\r\n[]".to_owned()
            };
            stream.write_all(&write(text)).await
        }
        Behaviour::HangAfterHeaders => {
            let _ = stream
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n")
                .await;
            tokio::time::sleep(Duration::from_secs(60)).await;
            Ok(())
        }
        Behaviour::TrickleOneBytePerSecond => {
            let _ = stream
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n")
                .await;
            for _ in 0..100 {
                if stream.write_all(b"[").await.is_err() {
                    break;
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            Ok(())
        }
        Behaviour::Huge | Behaviour::HugeDeclared => {
            let declared = matches!(behaviour, Behaviour::HugeDeclared);
            let head = if declared {
                "HTTP/1.1 200 OK\r\ncontent-length: 104857600\r\n\r\n"
            } else {
                "HTTP/1.1 200 OK\r\nconnection: close\r\n\r\n"
            };
            let _ = stream.write_all(head.as_bytes()).await;
            let chunk = vec![b'x'; 64 * 1024];
            for _ in 0..1600 {
                if stream.write_all(&chunk).await.is_err() {
                    break;
                }
            }
            Ok(())
        }
        Behaviour::RedirectToLoopbackLiteral => {
            stream
                .write_all(&write(format!(
                    "HTTP/1.1 302 Found\r\nlocation: http://127.0.0.1:{port}/secret\r\ncontent-length: 0\r\n\r\n"
                )))
                .await
        }
        Behaviour::RedirectForever => {
            stream
                .write_all(&write(
                    "HTTP/1.1 302 Found\r\nlocation: /again\r\ncontent-length: 0\r\n\r\n".into(),
                ))
                .await
        }
    };
    let _ = result;
    let _ = stream.shutdown().await;
}

async fn server(behaviour: Behaviour) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|_| unreachable!());
    let address = listener.local_addr().unwrap_or_else(|_| unreachable!());
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(answer(stream, behaviour, address.port()));
        }
    });
    address
}

/// A client that may reach `localhost` (and only by that name), with short bounds.
fn client() -> OutgoingClient {
    let loopback: IpAddr = [127, 0, 0, 1].into();
    let names = StaticResolver::default()
        .with("localhost", &[loopback])
        .with("private.test", &[[10, 0, 0, 1].into()])
        .with(
            "mixed.test",
            &[[192, 168, 0, 1].into(), [169, 254, 169, 254].into()],
        );
    OutgoingClient::with_resolver(
        OutgoingPolicy {
            allowed_hosts: vec!["localhost".into()],
            total_timeout: Duration::from_secs(2),
            connect_timeout: Duration::from_secs(1),
            max_body_bytes: 1024 * 1024,
            max_redirects: 3,
            ..OutgoingPolicy::default()
        },
        Arc::new(names),
    )
    .unwrap_or_else(|_| unreachable!())
}

async fn get(url: &str) -> Result<Fetched, OutgoingError> {
    client()
        .get(&GetRequest {
            url,
            ..GetRequest::default()
        })
        .await
}

#[tokio::test]
async fn an_allowed_host_answers() {
    let address = server(Behaviour::Ok).await;
    let fetched = get(&format!("http://localhost:{}/api/events", address.port())).await;
    match fetched {
        Ok(Fetched::Body {
            body,
            content_type,
            etag,
            ..
        }) => {
            assert_eq!(&body[..], b"[]");
            assert_eq!(content_type.as_deref(), Some("application/json"));
            assert_eq!(etag.as_deref(), Some("\"v1\""));
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test]
async fn a_conditional_get_learns_nothing_changed() {
    let address = server(Behaviour::NotModifiedWhenAsked).await;
    let url = format!("http://localhost:{}/feed", address.port());
    let again = client()
        .get(&GetRequest {
            url: &url,
            etag: Some("\"v1\""),
            ..GetRequest::default()
        })
        .await;
    assert_eq!(again, Ok(Fetched::NotModified));
}

#[tokio::test]
async fn a_source_that_hangs_after_its_headers_times_out() {
    let address = server(Behaviour::HangAfterHeaders).await;
    let started = Instant::now();
    let error = get(&format!("http://localhost:{}/", address.port())).await;
    assert!(
        matches!(error, Err(OutgoingError::Timeout { .. })),
        "{error:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(
        error
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
            .contains("within 2 seconds")
    );
}

#[tokio::test]
async fn a_source_that_trickles_times_out() {
    let address = server(Behaviour::TrickleOneBytePerSecond).await;
    let started = Instant::now();
    let error = get(&format!("http://localhost:{}/", address.port())).await;
    assert!(
        matches!(error, Err(OutgoingError::Timeout { .. })),
        "{error:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn a_huge_answer_is_cut_at_the_cap() {
    for behaviour in [Behaviour::Huge, Behaviour::HugeDeclared] {
        let address = server(behaviour).await;
        let error = get(&format!("http://localhost:{}/", address.port())).await;
        assert_eq!(
            error,
            Err(OutgoingError::TooLarge {
                max_bytes: 1024 * 1024
            })
        );
        assert_eq!(
            error.err().map(|e| e.to_string()).unwrap_or_default(),
            "the answer is larger than 1 MiB (the limit for one answer)"
        );
    }
}

#[tokio::test]
async fn a_redirect_to_a_loopback_literal_is_refused() {
    let address = server(Behaviour::RedirectToLoopbackLiteral).await;
    let error = get(&format!("http://localhost:{}/", address.port())).await;
    assert!(
        matches!(error, Err(OutgoingError::AddressRefused { ref host, .. }) if host == "127.0.0.1"),
        "{error:?}"
    );
}

#[tokio::test]
async fn endless_redirects_stop() {
    let address = server(Behaviour::RedirectForever).await;
    let error = get(&format!("http://localhost:{}/", address.port())).await;
    assert_eq!(error, Err(OutgoingError::TooManyRedirects { max: 3 }));
}

#[tokio::test]
async fn names_and_literals_of_private_addresses_are_refused() {
    for url in [
        "http://private.test/",
        "http://mixed.test/",
        "http://127.0.0.1:9/",
        "http://[::1]:9/",
        "http://[::ffff:127.0.0.1]:9/",
        "http://2130706433/",
        "http://0x7f.1/",
        "http://169.254.169.254/latest/meta-data/",
    ] {
        let error = get(url).await;
        assert!(
            matches!(error, Err(OutgoingError::AddressRefused { .. })),
            "{url}: {error:?}"
        );
    }
    let private = get("http://private.test/")
        .await
        .err()
        .map(|e| e.to_string());
    assert_eq!(
        private.as_deref(),
        Some(
            "private.test is a private network address (10.0.0.1); this instance does not \
             fetch from such addresses (allow them with allow_private_network or by naming the host)"
        )
    );
}

#[tokio::test]
async fn only_web_schemes_are_fetched() {
    for url in [
        "ftp://example.com/",
        "file:///etc/passwd",
        "gopher://example.com/",
    ] {
        let error = get(url).await;
        assert!(
            matches!(error, Err(OutgoingError::SchemeNotAllowed { .. })),
            "{url}: {error:?}"
        );
    }
    assert!(matches!(
        get("not a url").await,
        Err(OutgoingError::InvalidUrl { .. })
    ));
}
