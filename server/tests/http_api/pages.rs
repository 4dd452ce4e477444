//! Pages, server functions, health and the HTTP layer.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use k256::ecdsa::SigningKey;
use spasm::body::{AuthorKey, post};
use spasm::ethereum::personal_sign_digest;
use tower::ServiceExt;

use crate::TestApp;

/// The test key 0x11…11 and its address.
const TEST_ADDRESS: &str = "0x19E7E376E7C213B7E7e7e46cc70A5dD086DAff2A";

fn personal_sign(message: &str) -> String {
    let key = SigningKey::from_slice(&[0x11; 32]).unwrap();
    let (signature, recovery_id) =
        key.sign_prehash_recoverable(&personal_sign_digest(message.as_bytes()));
    format!(
        "0x{}{:02x}",
        hex::encode(signature.to_bytes()),
        27 + recovery_id.to_byte()
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn front_page_is_rendered_on_the_server() {
    let app = TestApp::spawn().await;
    let (status, html) = app.get("/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains(r#"<html lang="en">"#));
    assert!(
        html.contains("<h1 id=\"intro-title\">Spasm forum</h1>"),
        "{html}"
    );
    assert!(
        html.contains("No posts here yet."),
        "the empty feed says so"
    );
    assert!(html.contains("Latest comments"));
    assert!(
        html.contains("/pkg/spasm_forum.js"),
        "the page loads the browser bundle"
    );
    let (status, about) = app.get("/about").await;
    assert_eq!(status, StatusCode::OK);
    assert!(about.contains("Welcome to the Spasm forum"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_pages_answer_404_with_a_page() {
    let app = TestApp::spawn().await;
    let (status, html) = app.get("/no/such/page").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("Page not found"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_reports_the_database() {
    let app = TestApp::spawn().await;
    assert_eq!(
        app.get("/healthz").await,
        (StatusCode::OK, "ok (sqlite)\n".to_string())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn responses_carry_a_request_id() {
    let app = TestApp::spawn().await;
    let response = app
        .router
        .clone()
        .oneshot(Request::get("/healthz").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert!(response.headers().contains_key("x-request-id"));
}

/// A test post by the test key, as the browser builds it.
fn test_post(content: &str) -> String {
    let author = AuthorKey::Ethereum(TEST_ADDRESS.parse().unwrap());
    post(
        "Wallet check (not published)",
        content,
        None,
        1_730_000_000_000,
        &[author],
    )
    .signed_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_really_signed_post_is_verified() {
    let app = TestApp::spawn().await;
    let signed = test_post("Hello from the test ✓");
    let (status, body) = app
        .verify(&signed, &personal_sign(&signed), TEST_ADDRESS)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let verified: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(verified["signer"], TEST_ADDRESS);
    let id = verified["spasmid"].as_str().unwrap();
    assert!(id.starts_with("spasmid01") && id.len() == 73, "{id}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signature_over_other_text_is_refused_with_400() {
    let app = TestApp::spawn().await;
    let signature = personal_sign(&test_post("original"));
    let (status, body) = app
        .verify(&test_post("tampered"), &signature, TEST_ADDRESS)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("The signature was refused"), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_post_signed_by_someone_else_than_its_author_is_refused() {
    let app = TestApp::spawn().await;
    let other = "0x0000000000000000000000000000000000000001";
    let signed = post(
        "t",
        "c",
        None,
        1,
        &[AuthorKey::Ethereum(other.parse().unwrap())],
    )
    .signed_string();
    let (status, body) = app
        .verify(&signed, &personal_sign(&signed), TEST_ADDRESS)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("not one of its authors"), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_input_is_refused_with_400_and_a_reason() {
    let app = TestApp::spawn().await;
    let signed = test_post("hello");
    let (status, body) = app.verify(&signed, "0x1234", TEST_ADDRESS).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("130 hexadecimal digits"), "{body}");

    let (status, body) = app
        .verify(&signed, &personal_sign(&signed), "not-an-address")
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("signer"), "{body}");

    let (status, body) = app
        .verify("not json", &personal_sign("not json"), TEST_ADDRESS)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");

    let long = "x".repeat(4_001);
    let (status, _) = app.verify(&long, &personal_sign(&long), TEST_ADDRESS).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_bodies_are_refused_with_413() {
    let app = TestApp::spawn().await;
    let body = vec![b'a'; 2 * 1024 * 1024];
    let request = Request::post("/_fn/verify_test_post")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::CONTENT_LENGTH, body.len())
        .body(Body::from(body))
        .unwrap();
    let (status, _) = app.send(request).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identicons_are_cached_svg_and_only_for_addresses() {
    let app = TestApp::spawn().await;
    let response = app
        .router
        .clone()
        .oneshot(
            Request::get("/identicons/0xf8553015220a857eda377a1e903c9e5afb3ac2fa.svg")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::CONTENT_TYPE], "image/svg+xml");
    assert!(
        response.headers()[header::CACHE_CONTROL]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    // What unverified events claim as addresses is drawn too, from its encoded path.
    let (status, svg) = app.get("/identicons/a%22b%2F%2E%2E.svg").await;
    assert_eq!(status, StatusCode::OK);
    assert!(svg.starts_with("<svg"));
    let too_long = format!("/identicons/{}.svg", "a".repeat(101));
    for path in [
        "/identicons/0xabc",
        "/identicons/.svg",
        "/identicons/a%0Ab.svg",
        too_long.as_str(),
    ] {
        let (status, _) = app.get(path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authors_are_shown_with_identicons_and_generated_names() {
    let app = TestApp::spawn().await;
    let (status, html) = app
        .get("/authors/0xF8553015220A857eDA377A1E903c9E5AFb3aC2Fa")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<h1>BlackSpaceDev</h1>"), "{html}");
    assert!(html.contains("/identicons/0xf8553015220a857eda377a1e903c9e5afb3ac2fa.svg"));
    assert!(
        html.contains("0xF8553015220a857eda377a1E903c9e5Afb3aC2fa"),
        "checksum form"
    );
    let (status, html) = app
        .get("/authors/npub1sg6plzptd64u62a878hep2kev88swjh3tw00gjsfl8f237lmu63q0uf63m")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<h1>GrayMeshExplorer</h1>"), "{html}");
    assert!(html.contains("nostr:npub1sg6plzptd64u62a878hep2kev88swjh3tw00gjsfl8f237lmu63q0uf63m"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_describe_themselves_for_search_engines_and_link_previews() {
    let app = TestApp::spawn().await;
    let (_, front) = app.get("/").await;
    assert!(
        front.contains(r#"<link href="/" rel="canonical">"#),
        "{front}"
    );
    assert!(front.contains(r#"<meta property="og:title" content="Spasm forum""#));
    assert!(front.contains(r#"<meta name="description""#));
    assert!(!front.contains("noindex"));
    let (_, about) = app.get("/about").await;
    assert!(about.contains(r#"<link href="/about" rel="canonical">"#));
    let (_, author) = app
        .get("/authors/0xF8553015220A857eDA377A1E903c9E5AFb3aC2Fa")
        .await;
    assert!(author.contains(
        r#"<link href="/authors/0xf8553015220a857eda377a1e903c9e5afb3ac2fa" rel="canonical">"#
    ));
    assert!(author.contains(r#"<meta property="og:type" content="profile""#));
    let (_, new_post) = app.get("/newpost").await;
    assert!(new_post.contains(r#"<meta name="robots" content="noindex""#));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_nostr_profile_names_its_author_page_safely() {
    use forum::Settings;
    use serde_json::json;

    let key = testkit::TestKey::from_seed(21);
    let npub = spasm::nostr::nip19::to_npub_lenient(&key.nostr_pubkey().to_string());
    let profile = key.sign_nostr_event(json!({
        "kind": 0,
        "created_at": 1_700_000_000,
        "tags": [],
        "content": json!({
            "name": "</title><script>alert(1)</script>Zed",
            "about": "Writes about <b>keys</b>.",
            "website": "https://zed.example/",
            "picture": "https://img.example/zed.png",
        }).to_string(),
    }));
    for pictures in [false, true] {
        let app = TestApp::with(
            Settings {
                enable_nostr_display_profiles_pictures: pictures,
                ..Settings::default()
            },
            crate::unlimited(),
        )
        .await;
        let (status, body) = app.submit(&profile).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert!(body.contains("Nostr profile was saved"), "{body}");
        let (status, body) = app.submit(&profile).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");

        let (status, html) = app.get(&format!("/authors/{npub}")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            html.contains("<h1>&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;Zed</h1>"),
            "the chosen name, escaped: {html}"
        );
        assert!(
            html.contains("<title>&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;Zed"),
            "the title cannot be ended early: {html}"
        );
        assert!(!html.contains("<script>alert"), "{html}");
        assert!(html.contains("Writes about &lt;b&gt;keys&lt;/b&gt;."));
        assert!(html.contains(r#"href="https://zed.example/" rel="nofollow noopener ugc""#));
        assert_eq!(
            html.contains(r#"src="https://img.example/zed.png""#),
            pictures,
            "the picture only where the host shows them"
        );
    }
}

/// The nonce a page's Content-Security-Policy names, and whether the page's scripts carry it.
async fn page_and_nonce(app: &TestApp, path: &str) -> (String, String) {
    let response = app
        .router
        .clone()
        .oneshot(Request::get(path).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let policy = response.headers()[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .to_owned();
    let nonce = policy
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .unwrap()
        .to_owned();
    let body = http_body_util::BodyExt::collect(response.into_body())
        .await
        .unwrap()
        .to_bytes();
    let html = String::from_utf8(body.to_vec()).unwrap();
    assert!(
        html.contains(&format!("nonce=\"{nonce}\"")),
        "the page's scripts carry the policy's nonce"
    );
    (html, nonce)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kept_pages_show_every_write_at_once_with_a_fresh_nonce_per_rendering() {
    let app = TestApp::spawn().await;
    let (first, first_nonce) = page_and_nonce(&app, "/").await;
    assert!(first.contains("No posts here yet."));
    // Kept: the same rendering, with the nonce it was rendered with.
    let (again, again_nonce) = page_and_nonce(&app, "/").await;
    assert_eq!(again, first);
    assert_eq!(again_nonce, first_nonce);

    let key = testkit::TestKey::from_seed(4);
    let (id, post) = key.signed_post(
        "Kept pages follow writes",
        "Shown at once.",
        1_730_000_000_000,
    );
    let (status, message) = app.submit(&serde_json::from_str(&post).unwrap()).await;
    assert_eq!(status, StatusCode::CREATED, "{message}");

    let (after, after_nonce) = page_and_nonce(&app, "/").await;
    assert!(
        after.contains("Kept pages follow writes"),
        "the new post is on the front page"
    );
    assert_ne!(after_nonce, first_nonce, "a new rendering has a new nonce");
    let (thread, _) = page_and_nonce(&app, &format!("/news/{id}")).await;
    assert!(thread.contains("Shown at once."));

    // A parameter no page reads is rendered each time, never kept.
    let (tracked, tracked_nonce) = page_and_nonce(&app, "/?utm_source=x").await;
    let (_, tracked_again) = page_and_nonce(&app, "/?utm_source=x").await;
    assert!(tracked.contains("Kept pages follow writes"));
    assert_ne!(
        tracked_nonce, tracked_again,
        "rendered anew, with a new nonce"
    );

    // Compressed once for those who accept it, the same page.
    let response = app
        .router
        .clone()
        .oneshot(
            Request::get("/")
                .header(header::ACCEPT_ENCODING, "gzip, br")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.headers()[header::CONTENT_ENCODING], "br");
    assert_eq!(response.headers()[header::VARY], "accept-encoding");
}
