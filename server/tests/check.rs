//! `spasm-forum check`: a sound store passes; a stored event whose signature was changed in
//! the database fails `check --full`, named by its key and spasmid. The real binary, real
//! databases, events signed with real keys.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../forum/tests/support/mod.rs"]
mod support;

use std::path::PathBuf;
use std::process::Output;

use forum::Origin;
use serde_json::{Value, json};
use spasm::body::{Reaction, app_config, moderate_delete, post, react, reply};
use sqlx::Connection as _;
use support::{Db, TestForum, moderated_by, parent, submit};
use testkit::TestKey;

fn author() -> TestKey {
    TestKey::from_seed(0x2001)
}

fn moderator() -> TestKey {
    TestKey::from_seed(0x2002)
}

fn admin() -> TestKey {
    TestKey::from_seed(0x2003)
}

/// An RSS item of the spasm.js vectors, unsigned.
fn rss_item() -> Value {
    let dir = std::env::var_os("SPASM_VECTORS_DIR").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/spasm/vectors"),
        PathBuf::from,
    );
    let web2: Value =
        serde_json::from_slice(&std::fs::read(dir.join("web2-events.json")).unwrap()).unwrap();
    web2["cases"][0]["input"].clone()
}

/// Stores events of every kind the check reads: posts signed with Ethereum and Nostr, a
/// reply, a reaction, an RSS item, a moderator's delete and an admin's settings. The
/// spasmid of the Ethereum post.
async fn fill(test: &TestForum) -> String {
    let author = author();
    let signed = author.sign_ethereum(&post(
        "checked",
        "kept as signed",
        None,
        1_700_000_000_000,
        &[author.ethereum_author()],
    ));
    let kept = submit(test, &signed).await.unwrap().spasmid;
    let nostr = author.sign_nostr(&post(
        "nostr",
        "signed with Nostr",
        None,
        1_700_000_001_000,
        &[author.nostr_author()],
    ));
    submit(test, &nostr).await.unwrap();
    let answer = author.sign_ethereum(&reply(
        &parent(&kept),
        "an answer",
        1_700_000_002_000,
        &[author.ethereum_author()],
    ));
    submit(test, &answer).await.unwrap();
    let like = author.sign_ethereum(&react(
        &parent(&kept),
        Reaction::Upvote,
        1_700_000_003_000,
        &[author.ethereum_author()],
    ));
    submit(test, &like).await.unwrap();
    let doomed = author.sign_ethereum(&post(
        "doomed",
        "deleted by a moderator",
        None,
        1_700_000_004_000,
        &[author.ethereum_author()],
    ));
    let doomed = submit(test, &doomed).await.unwrap().spasmid;
    let moderator = moderator();
    let delete = moderator.sign_ethereum(&moderate_delete(
        &parent(&doomed),
        1_700_000_005_000,
        &[moderator.ethereum_author()],
    ));
    submit(test, &delete).await.unwrap();
    let admin = admin();
    let config = admin.sign_ethereum(&app_config(
        &json!({"feedFiltersActivityHot": 9}),
        1_700_000_006_000,
        &[admin.ethereum_author()],
    ));
    submit(test, &config).await.unwrap();
    test.forum
        .submit(
            rss_item().to_string().as_bytes(),
            Origin::Rss {
                source: "news".into(),
            },
        )
        .await
        .unwrap();
    kept
}

/// `spasm-forum check` with `args` on the test's database.
async fn check(test: &TestForum, args: &[&str]) -> (bool, String) {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_spasm-forum"));
    command
        .arg("check")
        .args(args)
        .arg("--data-dir")
        .arg(&test.data_dir)
        .env_remove("DATABASE_URL");
    if let Some(url) = &test.database_url {
        command.arg("--database-url").arg(url);
    }
    let output: Output = command.output().await.unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    println!("{stdout}{stderr}");
    (output.status.success(), stdout)
}

/// Changes one character of the signature of the stored event `spasmid`, behind the
/// store's back; its row key.
async fn corrupt_signature(test: &TestForum, spasmid: &str) -> i64 {
    let change = |event_json: &str| {
        let mut event: Value = serde_json::from_str(event_json).unwrap();
        let signature = event["siblings"][0]["signatures"][0]["value"]
            .as_str()
            .unwrap()
            .to_owned();
        let replacement = if &signature[10..11] == "0" { "1" } else { "0" };
        event["siblings"][0]["signatures"][0]["value"] = Value::from(format!(
            "{}{replacement}{}",
            &signature[..10],
            &signature[11..]
        ));
        event.to_string()
    };
    match test.db {
        Db::Sqlite => {
            let connection =
                rusqlite::Connection::open(test.data_dir.join(forum::storage::SQLITE_FILE_NAME))
                    .unwrap();
            let (key, event_json): (i64, String) = connection
                .query_row(
                    "SELECT key, event_json FROM events WHERE spasmid = ?1",
                    [spasmid],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )
                .unwrap();
            connection
                .execute(
                    "UPDATE events SET event_json = ?1 WHERE key = ?2",
                    rusqlite::params![change(&event_json), key],
                )
                .unwrap();
            key
        }
        Db::Postgres => {
            let url = test.database_url.as_deref().unwrap();
            let mut connection = sqlx::PgConnection::connect(url).await.unwrap();
            let (key, event_json): (i64, String) =
                sqlx::query_as("SELECT key, event_json FROM events WHERE spasmid = $1")
                    .bind(spasmid)
                    .fetch_one(&mut connection)
                    .await
                    .unwrap();
            sqlx::query("UPDATE events SET event_json = $1 WHERE key = $2")
                .bind(change(&event_json))
                .bind(key)
                .execute(&mut connection)
                .await
                .unwrap();
            key
        }
    }
}

async fn check_finds_a_changed_signature(test: &TestForum) {
    let kept = fill(test).await;
    let (passed, report) = check(test, &["--full"]).await;
    assert!(passed, "{report}");
    assert!(report.contains("the check passed"), "{report}");
    // Posts, reply, reaction, the deleted post and the RSS item; one delete; one app config.
    assert!(
        report.contains("events: 6 of 6 checked (5 signed, 1 unsigned)"),
        "{report}"
    );
    assert!(report.contains("moderations: 1 of 1 checked"), "{report}");
    assert!(report.contains("admin events: 1 of 1 checked"), "{report}");
    match test.db {
        Db::Sqlite => assert!(report.contains("PRAGMA integrity_check ok"), "{report}"),
        Db::Postgres => assert!(report.contains("database file: not checked"), "{report}"),
    }
    let (passed, report) = check(test, &[]).await;
    assert!(passed, "{report}");
    assert!(report.contains("a random sample"), "{report}");
    if test.db == Db::Sqlite {
        let elsewhere = tempfile::tempdir().unwrap();
        let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_spasm-forum"))
            .args(["check", "--data-dir"])
            .arg(elsewhere.path().join("typo"))
            .env_remove("DATABASE_URL")
            .output()
            .await
            .unwrap();
        assert!(!output.status.success());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("there is no forum database at"), "{stderr}");
        assert!(!elsewhere.path().join("typo").exists());
    }

    let key = corrupt_signature(test, &kept).await;
    let (passed, report) = check(test, &["--full"]).await;
    assert!(!passed, "{report}");
    assert!(
        report.contains(&format!(
            "FAILED events key {key} {kept}: its signed material does not verify"
        )),
        "{report}"
    );
    assert!(
        report.contains("the check FAILED: 1 stored events"),
        "{report}"
    );
    // The default sample holds every row of so small a store.
    let (passed, _) = check(test, &[]).await;
    assert!(!passed);
}

on_both_databases!(
    check_finds_a_changed_signature,
    moderated_by(&moderator(), &admin())
);
