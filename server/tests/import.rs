//! `spasm-forum import`: an existing server's PostgreSQL database (its schema as upstream
//! `database.sql` creates it, rows as it stores them: `SpasmEventDatabaseV2` with the
//! original signed material in `siblings`) moves into a fresh forum store, SQLite and
//! PostgreSQL, through the ingest. Real signatures: the spasm.js vectors' events, and
//! moderators', admins' and forgers' events signed here with real keys.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../forum/tests/support/mod.rs"]
mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::Output;
use std::sync::atomic::{AtomicBool, Ordering};

use forum::import::{ImportReport, ImportWatch, OldTable};
use forum::record::NewEvent;
use forum::storage::ImportProgress;
use forum::{Settings, SubmitError};
use serde_json::{Value, json};
use spasm::body::{SpasmBody, app_config, moderate_delete, post};
use spasm::convert::{convert_to_spasm, to_database};
use sqlx::Connection as _;
use support::{Db, TestForum, drop_database, fresh_postgres_database, moderated_by, parent};
use testkit::TestKey;

/// The V2 tables of upstream `database.sql` that hold events, as it creates them.
const OLD_SCHEMA: [&str; 6] = [
    "CREATE TABLE spasm_events (spasm_event JSONB, stats JSONB, shared_by JSONB, \
     db_key SERIAL PRIMARY KEY NOT NULL, db_added_timestamp BIGINT, db_updated_timestamp BIGINT)",
    "CREATE TABLE admin_events (spasm_event JSONB, db_key SERIAL PRIMARY KEY NOT NULL, \
     db_added_timestamp BIGINT, db_updated_timestamp BIGINT)",
    "CREATE TABLE app_configs (spasm_event JSONB, db_key SERIAL PRIMARY KEY NOT NULL, \
     db_added_timestamp BIGINT, db_updated_timestamp BIGINT)",
    "CREATE INDEX spasm_events_event_idx ON spasm_events USING GIN (spasm_event)",
    "CREATE INDEX admin_events_event_idx ON admin_events USING GIN (spasm_event)",
    "CREATE INDEX app_configs_event_idx ON app_configs USING GIN (spasm_event)",
];

fn moderator() -> TestKey {
    TestKey::from_seed(0x1001)
}

fn admin() -> TestKey {
    TestKey::from_seed(0x1002)
}

fn outsider() -> TestKey {
    TestKey::from_seed(0x1003)
}

fn settings() -> Settings {
    moderated_by(&moderator(), &admin())
}

fn vectors(file: &str) -> Value {
    let dir = std::env::var_os("SPASM_VECTORS_DIR").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/spasm/vectors"),
        PathBuf::from,
    );
    serde_json::from_slice(&std::fs::read(dir.join(file)).unwrap()).unwrap()
}

fn case<'a>(file: &'a Value, name: &str) -> &'a Value {
    file["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|case| case["name"] == name || case["label"] == name)
        .unwrap_or_else(|| panic!("no vector {name}"))
}

fn spasmid(event: &Value) -> String {
    convert_to_spasm(event).unwrap().id().to_string()
}

/// Changes the character at `index` of a hex string.
fn flip(text: &str, index: usize) -> String {
    let replacement = if &text[index..=index] == "0" {
        "1"
    } else {
        "0"
    };
    format!("{}{replacement}{}", &text[..index], &text[index + 1..])
}

/// What the old database holds, and what the import should make of it.
struct OldData {
    /// `(table, spasm_event)` in the order the old server added them (`None`: SQL NULL).
    rows: Vec<(OldTable, Option<Value>)>,
    /// The genuine events among the rows: each one's ids (rows that share an id carry the
    /// same event, as the store sees it), and how many rows carry it.
    genuine: Vec<(BTreeSet<String>, u64)>,
    /// Ids of forged events, which must not be stored.
    forged: Vec<String>,
    /// The event a moderator deleted on the old server (absent from its table), as signed.
    deleted: Value,
    /// A genuine event whose stored copy had its shown content changed, and that content.
    retouched: (String, String),
}

fn old_data() -> OldData {
    let envelopes = vectors("envelope-database-cases.json");
    let spasm_v2 = vectors("spasm-v2-events.json");
    let web2 = vectors("web2-events.json");
    let mut rows = Vec::new();
    let mut genuine: Vec<(BTreeSet<String>, u64)> = Vec::new();
    let mut keep = |rows: &mut Vec<(OldTable, Option<Value>)>, form: Value| {
        let ids: BTreeSet<String> = NewEvent::from_verified(&convert_to_spasm(&form).unwrap())
            .ids()
            .iter()
            .map(|id| id.value.clone())
            .collect();
        match genuine
            .iter_mut()
            .find(|(known, _)| !known.is_disjoint(&ids))
        {
            Some((known, copies)) => {
                known.extend(ids);
                *copies += 1;
            }
            None => genuine.push((ids, 1)),
        }
        rows.push((OldTable::SpasmEvents, Some(form)));
    };
    // The admin's settings come first, as on the old server.
    let admin = admin();
    let config = admin.sign_ethereum(&app_config(
        &json!({"feedFiltersActivityHot": 7}),
        1_700_000_000_000,
        &[admin.ethereum_author()],
    ));
    rows.push((OldTable::AppConfigs, Some(to_database(&config).unwrap())));
    // Signed DMP, Nostr and Nostr-Spasm events as spasm.js stored them, several copies each.
    for case in envelopes["cases"].as_array().unwrap().iter().take(10) {
        let form = &case["convertToSpasmEventDatabase"]["libraryOutput"];
        if form["signatures"]
            .as_array()
            .is_some_and(|list| !list.is_empty())
        {
            keep(&mut rows, form.clone());
        }
    }
    // RSS items (unsigned) and signed Spasm V2 events, a thread among them.
    for case in web2["cases"].as_array().unwrap() {
        keep(&mut rows, to_database(&case["input"]).unwrap());
    }
    for name in [
        "validSpasmEventBodyV2ReplyToGenesisSignedClosed",
        "validSpasmEventV2WithTwoParentUrlIds",
        "validSpasmEventV2TreeDepth0_Post1",
        "validSpasmEventV2TreeDepth1_Post1React1",
        "validSpasmEventV2TreeDepth1_Post1Reply1",
        "validSpasmEventV2TreeDepth1_Post1Reply2",
        "validSpasmEventV2TreeDepth2_Post1Reply1Reply1",
        "validSpasmEventV2TreeDepth2_Post1Reply2React1",
        "validSpasmEventV2TreeDepth3_Post1Reply1Reply1Reply1",
    ] {
        keep(
            &mut rows,
            to_database(&case(&spasm_v2, name)["input"]).unwrap(),
        );
    }
    // A stored copy whose shown content someone changed: its signed material stands.
    let mut retouched =
        to_database(&case(&spasm_v2, "validSpasmEventV2TreeDepth2_Post1Reply2Reply1")["input"])
            .unwrap();
    let signed_content = retouched["content"].as_str().unwrap().to_owned();
    retouched["content"] = Value::from("words its author never signed");
    let retouched_id = spasmid(&retouched);
    keep(&mut rows, retouched);
    // Forgeries: a signature changed, and a Nostr event's content changed under its id.
    let mut forged = Vec::new();
    let mut bad_signature = to_database(
        &case(
            &spasm_v2,
            "validSpasmEventV2TreeDepth4_Post1Reply1Reply1Reply1Reply1",
        )["input"],
    )
    .unwrap();
    forged.push(spasmid(&bad_signature));
    let signature = bad_signature["siblings"][0]["signatures"][0]["value"]
        .as_str()
        .unwrap()
        .to_owned();
    bad_signature["siblings"][0]["signatures"][0]["value"] = Value::from(flip(&signature, 10));
    rows.push((OldTable::SpasmEvents, Some(bad_signature)));
    let forger = TestKey::from_seed(0x1004);
    let nostr_post = forger.sign_nostr(&post(
        "forged",
        "what was signed",
        None,
        1_700_000_100_000,
        &[forger.nostr_author()],
    ));
    let mut bad_content = to_database(&nostr_post).unwrap();
    forged.push(spasmid(&bad_content));
    bad_content["siblings"][0]["originalObject"]["content"] = Value::from("what was not");
    rows.push((OldTable::SpasmEvents, Some(bad_content)));
    // An admin event, then a row without an event.
    let mut note = post(
        "",
        "moving house",
        None,
        1_700_000_200_000,
        &[admin.ethereum_author()],
    )
    .as_json()
    .clone();
    note["action"] = Value::from("admin-note");
    let note = admin.sign_ethereum(&SpasmBody::try_from(note).unwrap());
    rows.push((OldTable::AdminEvents, Some(to_database(&note).unwrap())));
    rows.push((OldTable::SpasmEvents, None));
    // The moderator's delete stayed; the event it deleted is gone from the table.
    let deleted = case(&spasm_v2, "validSpasmEventBodySignedClosedV2")["input"].clone();
    let moderator = moderator();
    let delete = moderator.sign_ethereum(&moderate_delete(
        &parent(&spasmid(&deleted)),
        1_700_000_300_000,
        &[moderator.ethereum_author()],
    ));
    rows.push((OldTable::SpasmEvents, Some(to_database(&delete).unwrap())));
    // A delete by someone who is not a moderator here.
    let outsider = outsider();
    let not_allowed = outsider.sign_ethereum(&moderate_delete(
        &parent(&retouched_id),
        1_700_000_400_000,
        &[outsider.ethereum_author()],
    ));
    rows.push((
        OldTable::SpasmEvents,
        Some(to_database(&not_allowed).unwrap()),
    ));
    OldData {
        rows,
        genuine,
        forged,
        deleted,
        retouched: (retouched_id, signed_content),
    }
}

/// An old server's database filled with `data`: its URL and its cleanup.
async fn old_database(data: &OldData) -> Option<(String, (String, String))> {
    let (url, cleanup) = fresh_postgres_database("spasm_old").await?;
    let mut connection = sqlx::PgConnection::connect(&url).await.unwrap();
    for statement in OLD_SCHEMA {
        sqlx::query(statement)
            .execute(&mut connection)
            .await
            .unwrap();
    }
    for (index, (table, event)) in data.rows.iter().enumerate() {
        let added = 1_700_000_000_000_i64 + i64::try_from(index).unwrap() * 1_000;
        sqlx::query(&format!(
            "INSERT INTO {table} (spasm_event, db_added_timestamp, db_updated_timestamp) \
             VALUES ($1::jsonb, $2, $2)"
        ))
        .bind(event.as_ref().map(Value::to_string))
        .bind(added)
        .execute(&mut connection)
        .await
        .unwrap();
    }
    Some((url, cleanup))
}

fn rows_of(data: &OldData, table: OldTable) -> u64 {
    data.rows.iter().filter(|(of, _)| *of == table).count() as u64
}

/// The first import, checked row by row.
async fn first_import(test: &TestForum, data: &OldData, url: &str) -> ImportReport {
    let report = server::import::import_quietly(&test.forum, url, 4)
        .await
        .unwrap();
    println!("{report}");
    let copies: u64 = data.genuine.iter().map(|(_, copies)| copies).sum();
    let distinct = data.genuine.len() as u64;
    // Every distinct genuine event, the app config, the admin event and the delete.
    assert_eq!(report.imported, distinct + 3, "{report}");
    assert_eq!(report.already_here, copies - distinct, "{report}");
    let refused: BTreeMap<&str, u64> = [
        ("invalid or unverifiable", 2),
        ("not allowed", 1),
        ("not an event", 1),
    ]
    .into_iter()
    .collect();
    assert_eq!(report.refused, refused, "{report}");
    assert_eq!(report.rows_read(), data.rows.len() as u64);
    assert!(report.waiting_for_target >= 1, "{report}");
    assert!(!report.interrupted);
    assert!(report.continued_after.is_empty());
    report
}

async fn import_moves_everything_in(test: &TestForum) {
    let data = old_data();
    let Some((url, cleanup)) = old_database(&data).await else {
        return;
    };
    let store = test.forum.store();
    let first = first_import(test, &data, &url).await;
    for (ids, _) in &data.genuine {
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        assert_eq!(
            store.keys_of_ids(&ids).await.unwrap().len(),
            1,
            "{ids:?} was not imported once"
        );
    }
    for id in &data.forged {
        assert!(
            store.keys_of_ids(&[id.as_str()]).await.unwrap().is_empty(),
            "the forgery {id} was stored"
        );
    }
    let (retouched, signed_content) = &data.retouched;
    let shown = store.event_by_id(retouched).await.unwrap().unwrap();
    assert!(shown.event_json.contains(signed_content.as_str()));
    assert!(!shown.event_json.contains("never signed"));
    assert_eq!(test.forum.settings().feed_filters_activity_hot, 7);
    // What came in is what was signed, by `spasm-forum check`'s measure.
    let checked = forum::check::check_store(store, forum::check::CheckScope::Full)
        .await
        .unwrap();
    assert!(checked.passed(), "{checked}");
    // The moderator's delete holds: the deleted event is refused when it comes again.
    let again = test
        .forum
        .submit(data.deleted.to_string().as_bytes(), forum::Origin::Submit)
        .await;
    assert!(matches!(again, Err(SubmitError::Banned)), "{again:?}");

    // A second run finds everything here.
    let second = server::import::import_quietly(&test.forum, &url, 500)
        .await
        .unwrap();
    println!("{second}");
    assert_eq!(second.imported, 0, "{second}");
    assert_eq!(
        second.already_here,
        first.imported + first.already_here,
        "{second}"
    );
    assert_eq!(second.refused, first.refused);

    // A run that stopped after db_key 5 of spasm_events is continued there.
    let recorded = store
        .import_progress(&first.source)
        .await
        .unwrap()
        .into_iter()
        .map(|entry| (entry.table.clone(), entry.finished, entry.last_db_key))
        .collect::<Vec<_>>();
    assert_eq!(recorded.len(), 3);
    assert!(recorded.iter().all(|(_, finished, _)| *finished));
    store
        .save_import_progress(vec![ImportProgress {
            source: first.source.clone(),
            table: OldTable::SpasmEvents.name().into(),
            last_db_key: 5,
            finished: false,
            updated_at_ms: 0,
        }])
        .await
        .unwrap();
    let continued = server::import::import_quietly(&test.forum, &url, 500)
        .await
        .unwrap();
    println!("{continued}");
    assert_eq!(
        continued.continued_after,
        vec![
            (OldTable::AppConfigs, 1),
            (OldTable::AdminEvents, 1),
            (OldTable::SpasmEvents, 5)
        ]
    );
    assert_eq!(
        continued.rows_read(),
        rows_of(&data, OldTable::SpasmEvents) - 5
    );
    assert_eq!(continued.imported, 0);
    drop_database(Some(cleanup)).await;
}

on_both_databases!(import_moves_everything_in, settings());

/// Runs the binary with `args`, the data directory `data_dir`, and the moderators and
/// admins of the old server's `.env`.
async fn spasm_forum(args: &[&str], data_dir: &std::path::Path) -> Output {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_spasm-forum"))
        .args(args)
        .arg("--data-dir")
        .arg(data_dir)
        .env_remove("DATABASE_URL")
        .env_remove("SPASM_IMPORT_FROM")
        .env(
            "MODERATORS",
            moderator().ethereum_address().to_lowercase_hex(),
        )
        .env("ADMINS", admin().ethereum_address().to_lowercase_hex())
        .output()
        .await
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_imports_with_the_old_servers_settings() {
    let data = old_data();
    let Some((url, cleanup)) = old_database(&data).await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let first = spasm_forum(&["import", &url], dir.path()).await;
    let stdout = text(&first.stdout);
    assert!(first.status.success(), "{stdout}\n{}", text(&first.stderr));
    let imported = data.genuine.len() + 3;
    assert!(
        stdout.contains(&format!("imported: {imported}")),
        "{stdout}"
    );
    assert!(stdout.contains("invalid or unverifiable: 2"), "{stdout}");
    // Not a terminal: no progress bar on stderr.
    assert!(
        !text(&first.stderr).contains("rows,"),
        "{}",
        text(&first.stderr)
    );
    let second = spasm_forum(&["import", &url], dir.path()).await;
    let stdout = text(&second.stdout);
    assert!(second.status.success(), "{stdout}");
    assert!(stdout.contains("imported: 0"), "{stdout}");
    let copies: u64 = data.genuine.iter().map(|(_, copies)| copies).sum();
    assert!(
        stdout.contains(&format!("already here: {}", copies + 3)),
        "{stdout}"
    );
    drop_database(Some(cleanup)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_a_host_gets_wrong_is_said_in_a_sentence() {
    let dir = tempfile::tempdir().unwrap();
    let failure = |output: &Output| {
        assert!(!output.status.success());
        let stderr = text(&output.stderr);
        assert!(!stderr.contains("panicked"), "{stderr}");
        stderr
    };
    let stderr = failure(&spasm_forum(&["import", "mysql://old/forum"], dir.path()).await);
    assert!(stderr.contains("is not a PostgreSQL URL"), "{stderr}");
    let stderr = failure(
        &spasm_forum(
            &["import", "postgres://old:secret@127.0.0.1:1/forum"],
            dir.path(),
        )
        .await,
    );
    assert!(
        stderr.contains("cannot connect to the old database postgres://old:***@127.0.0.1:1/forum"),
        "{stderr}"
    );
    assert!(!stderr.contains("secret"), "{stderr}");
    let Some((url, cleanup)) = fresh_postgres_database("spasm_empty").await else {
        return;
    };
    let stderr = failure(&spasm_forum(&["import", &url], dir.path()).await);
    assert!(stderr.contains("has no table spasm_events"), "{stderr}");
    let mut connection = sqlx::PgConnection::connect(&url).await.unwrap();
    sqlx::query("CREATE TABLE actions (target TEXT)")
        .execute(&mut connection)
        .await
        .unwrap();
    let stderr = failure(&spasm_forum(&["import", &url], dir.path()).await);
    assert!(stderr.contains("npm run migrate"), "{stderr}");
    sqlx::query("CREATE TABLE spasm_events (spasm_event JSONB, db_key SERIAL)")
        .execute(&mut connection)
        .await
        .unwrap();
    let stderr = failure(&spasm_forum(&["import", &url], dir.path()).await);
    assert!(
        stderr.contains("spasm_events cannot be read") && stderr.contains("db_added_timestamp"),
        "{stderr}"
    );
    drop(connection);
    drop_database(Some(cleanup)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_old_database_is_only_read() {
    let data = old_data();
    let Some((url, cleanup)) = old_database(&data).await else {
        return;
    };
    let test = TestForum::open(Db::Sqlite, settings()).await.unwrap();
    let mut old = server::import::OldDatabase::connect(&url).await.unwrap();
    assert_eq!(old.tables(), OldTable::ALL);
    let mut connection = sqlx::PgConnection::connect(&url).await.unwrap();
    let before: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM spasm_events")
        .fetch_one(&mut connection)
        .await
        .unwrap();
    server::import::import_quietly(&test.forum, &url, 500)
        .await
        .unwrap();
    let after: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM spasm_events")
        .fetch_one(&mut connection)
        .await
        .unwrap();
    assert_eq!(before, after);
    use forum::import::OldRows as _;
    assert_eq!(
        old.count_after(OldTable::SpasmEvents, 0).await.unwrap(),
        rows_of(&data, OldTable::SpasmEvents)
    );
    drop(old);
    drop(connection);
    drop_database(Some(cleanup)).await;
}

/// Stops the run after a number of rows, as Ctrl-C does.
struct StopAfter<'a> {
    rows: u64,
    stop: &'a AtomicBool,
}

impl ImportWatch for StopAfter<'_> {
    fn row_done(&self, report: &ImportReport) {
        if report.rows_read() == self.rows {
            self.stop.store(true, Ordering::Relaxed);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_run_is_continued_where_it_stopped() {
    let data = old_data();
    let Some((url, cleanup)) = old_database(&data).await else {
        return;
    };
    let test = TestForum::open(Db::Sqlite, settings()).await.unwrap();
    let stop = AtomicBool::new(false);
    let watch = StopAfter {
        rows: 10,
        stop: &stop,
    };
    let stopped = server::import::import_into(&test.forum, &url, 4, &watch, &stop)
        .await
        .unwrap();
    println!("{stopped}");
    assert!(stopped.interrupted);
    assert_eq!(stopped.rows_read(), 10);
    assert!(stopped.to_string().contains("run the same command again"));
    let continued = server::import::import_quietly(&test.forum, &url, 4)
        .await
        .unwrap();
    println!("{continued}");
    assert!(!continued.interrupted);
    assert!(!continued.continued_after.is_empty());
    // Nothing is read twice but what came after the last record (every 4 rows), and nothing
    // is lost: together the two runs did what one does.
    let whole = data.rows.len() as u64;
    assert!(continued.rows_read() >= whole - 10 && continued.rows_read() <= whole - 8);
    let twice = continued.rows_read() + 10 - whole;
    assert_eq!(
        stopped.imported + continued.imported,
        data.genuine.len() as u64 + 3
    );
    assert_eq!(
        stopped.already_here + continued.already_here,
        data.genuine.iter().map(|(_, copies)| copies).sum::<u64>() - data.genuine.len() as u64
            + twice
    );
    drop_database(Some(cleanup)).await;
}
