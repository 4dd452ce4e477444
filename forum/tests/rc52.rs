//! spasm.js rc.52 through the forum's ingest path, on SQLite and PostgreSQL: events given as
//! JSON text and EIP-2098 compact signatures are accepted, and events stored under their
//! beta.29 ids get their rc.52 ids too (the `rc52-ids` upgrade): every valid post of the
//! shared rc.52 vectors whose id rc.52 changed is stored as a beta.29 instance stored it,
//! then upgraded; both ids find it, and the event submitted again (as a peer on rc.52 sends
//! it) is a duplicate. Moderations and admin events stored under older ids are recognised
//! again after the upgrade (a replayed delete or app-config is a duplicate).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use forum::{Settings, SubmitError};
use serde_json::Value;
use sqlx::Connection;
use support::{Db, TestForum, moderated_by, parent, submit};

/// `(name, input, beta.29 id, rc.52 id)` of every valid post whose id rc.52 changed
/// (replies and reactions need targets this instance does not have).
fn changed_cases() -> Vec<(String, Value, String, String)> {
    let dir = format!(
        "{}/../../shared/spasm/vectors-rc52",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut cases = Vec::new();
    for file in [
        "identify.json",
        "nostr-tags.json",
        "tips.json",
        "verification.json",
    ] {
        let text = std::fs::read_to_string(format!("{dir}/{file}")).unwrap();
        let file: Value = serde_json::from_str(&text).unwrap();
        for case in file["cases"].as_array().unwrap() {
            let (rc7, rc52) = (&case["library"]["rc7"], &case["library"]["rc52"]);
            if case["validity"] == "valid"
                && rc7["accepted"] == true
                && rc52["accepted"] == true
                && rc7["spasmid01"] != rc52["spasmid01"]
                && rc52["convertToSpasm"]["action"] == "post"
            {
                cases.push((
                    case["id"].as_str().unwrap().to_owned(),
                    case["input"].clone(),
                    rc7["spasmid01"].as_str().unwrap().to_owned(),
                    rc52["spasmid01"].as_str().unwrap().to_owned(),
                ));
            }
        }
    }
    cases
}

/// Rewrites a stored event's spasmid to the one beta.29 gave it, as if a beta.29 instance
/// had stored it.
async fn store_under(test: &TestForum, current: &str, old: &str) {
    run_sql(
        test,
        &[
            "UPDATE events SET spasmid = $1 WHERE spasmid = $2",
            "UPDATE event_ids SET value = $1 WHERE value = $2",
            "UPDATE moderations SET spasmid = $1 WHERE spasmid = $2",
            "UPDATE admin_events SET spasmid = $1 WHERE spasmid = $2",
        ],
        old,
        current,
    )
    .await;
}

/// Runs statements with `$1 = first`, `$2 = second` on the test's database.
async fn run_sql(test: &TestForum, statements: &[&str], first: &str, second: &str) {
    match test.db {
        Db::Sqlite => {
            let path = test.data_dir.join(forum::storage::SQLITE_FILE_NAME);
            let connection = rusqlite::Connection::open(path).unwrap();
            connection
                .busy_timeout(std::time::Duration::from_secs(5))
                .unwrap();
            for statement in statements {
                let statement = statement.replace('$', "?");
                connection.execute(&statement, [first, second]).unwrap();
            }
        }
        Db::Postgres => {
            let url = test.database_url.as_deref().unwrap();
            let mut connection = sqlx::PgConnection::connect(url).await.unwrap();
            for statement in statements {
                sqlx::query(statement)
                    .bind(first)
                    .bind(second)
                    .execute(&mut connection)
                    .await
                    .unwrap();
            }
        }
    }
}

async fn stored_under_beta29_ids_get_rc52_ids(test: &TestForum) {
    let cases = changed_cases();
    println!(
        "{} valid rc.52 vector posts have another id under beta.29",
        cases.len()
    );
    assert!(cases.len() >= 10, "{cases:?}");
    for (name, input, old, current) in &cases {
        let accepted = submit(test, input)
            .await
            .unwrap_or_else(|error| panic!("{name}: {error}"));
        assert_eq!(&accepted.spasmid, current, "{name}");
        store_under(test, current, old).await;
    }
    // A fresh service, as after the upgrade's restart (no cached reads).
    let forum = test.reopen(Settings::default()).await;
    for (name, _, _, current) in &cases {
        assert!(
            forum.event(current).await.unwrap().is_none(),
            "{name}: not yet"
        );
    }

    let report = forum::upgrade::run_pending(forum.store(), 1_790_000_000_000)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(report.scanned, cases.len() as u64);
    assert_eq!(report.changed, cases.len() as u64);
    assert_eq!(report.added, cases.len() as u64);
    assert_eq!((report.taken, report.unreadable), (0, 0));
    for (name, input, old, current) in &cases {
        let by_old = forum.event(old).await.unwrap().unwrap();
        let by_current = forum.event(current).await.unwrap().unwrap();
        assert_eq!(by_old.key, by_current.key, "{name}");
        // A peer on rc.52 sends the same event: the same event, not a second copy.
        let again = forum
            .submit(&support::bytes(input), forum::Origin::Submit)
            .await;
        assert!(
            matches!(again, Err(SubmitError::Duplicate)),
            "{name}: {again:?}"
        );
    }
    // `spasm-forum migrate` runs it again: what is recorded is reported as recorded.
    let again = forum::upgrade::add_current_ids(forum.store())
        .await
        .unwrap();
    assert_eq!(again.recorded_before, cases.len() as u64, "{again:?}");
    assert_eq!((again.added, again.taken), (0, 0), "{again:?}");
    // Done once: a restart does not read everything again.
    assert_eq!(
        forum::upgrade::run_pending(forum.store(), 1_790_000_000_001)
            .await
            .unwrap(),
        None
    );
}

on_both_databases!(stored_under_beta29_ids_get_rc52_ids, Settings::default());

async fn json_text_and_compact_signatures_are_accepted(test: &TestForum) {
    let key = testkit::TestKey::from_seed(52);
    let body = |content: &str| {
        spasm::body::post(
            "rc.52",
            content,
            None,
            1_790_000_000_000,
            &[key.ethereum_author()],
        )
    };
    // The closed form, sent as a JSON string, bare and inside `unknownEvent`.
    let text = key.sign_ethereum(&body("as text")).to_string();
    let accepted = submit(test, &Value::from(text.as_str())).await.unwrap();
    let wrapped = serde_json::json!({"unknownEvent": text});
    assert!(matches!(
        submit(test, &wrapped).await,
        Err(SubmitError::Duplicate)
    ));
    assert!(test.forum.event(&accepted.spasmid).await.unwrap().is_some());
    // Text that is not JSON is refused in words.
    let refused = submit(test, &Value::from("{not json")).await.unwrap_err();
    assert!(
        matches!(refused, SubmitError::EventTextNotJson),
        "{refused:?}"
    );
    assert_eq!(refused.status(), 400);

    // EIP-2098: the wallet's signature in 64 bytes.
    let compact_body = body("compact");
    let signed_string = compact_body.signed_string();
    let full = hex::decode(&key.personal_sign(&signed_string)[2..]).unwrap();
    let mut compact = full[..64].to_vec();
    compact[32] |= (full[64] - 27) << 7;
    let closed = spasm::signed::EthereumSignedBody::new(
        &compact_body,
        &format!("0x{}", hex::encode(&compact)),
        key.ethereum_address(),
    )
    .unwrap()
    .signed_closed();
    let accepted = submit(test, &closed).await.unwrap();
    let stored = test.forum.event(&accepted.spasmid).await.unwrap().unwrap();
    assert!(stored.event_json.contains(&hex::encode(&compact)));
}

on_both_databases!(
    json_text_and_compact_signatures_are_accepted,
    Settings::default()
);

/// A moderator's delete and an admin's settings, written by a client that signs its tips as
/// typed (mixed case): their ids changed with rc.52.
async fn moderations_and_admin_events_are_recognised_after_the_upgrade(test: &TestForum) {
    let (author, moderator, admin) = (
        testkit::TestKey::from_seed(53),
        testkit::TestKey::from_seed(54),
        testkit::TestKey::from_seed(55),
    );
    let with_tips = |body: spasm::body::SpasmBody| {
        let mut json = body.as_json().clone();
        json["tips"] = serde_json::json!([{"address": "0xAbC", "text": "Thanks"}]);
        spasm::body::SpasmBody::try_from(json).unwrap()
    };
    let post = spasm::body::post(
        "Hidden",
        "soon",
        None,
        1_790_000_000_000,
        &[author.ethereum_author()],
    );
    let posted = submit(test, &author.sign_ethereum(&post)).await.unwrap();
    let delete = with_tips(spasm::body::moderate_delete(
        &parent(&posted.spasmid),
        1_790_000_000_100,
        &[moderator.ethereum_author()],
    ));
    let delete = moderator.sign_ethereum(&delete);
    let deleted = submit(test, &delete).await.unwrap();
    let config = with_tips(spasm::body::app_config(
        &serde_json::json!({"forumName": "rc.52"}),
        1_790_000_000_200,
        &[admin.ethereum_author()],
    ));
    let config = admin.sign_ethereum(&config);
    let configured = submit(test, &config).await.unwrap();
    for (index, accepted) in [&deleted, &configured].into_iter().enumerate() {
        let old = format!("spasmid01{}", format!("{index:02}").repeat(32));
        store_under(test, &accepted.spasmid, &old).await;
    }
    let forum = test.reopen(moderated_by(&moderator, &admin)).await;
    let report = forum::upgrade::run_pending(forum.store(), 1_790_000_001_000)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((report.changed, report.added), (2, 2), "{report:?}");
    for replay in [&delete, &config] {
        let again = forum
            .submit(&support::bytes(replay), forum::Origin::Submit)
            .await;
        assert!(matches!(again, Err(SubmitError::Duplicate)), "{again:?}");
    }
}

on_both_databases!(
    moderations_and_admin_events_are_recognised_after_the_upgrade,
    moderated_by(
        &testkit::TestKey::from_seed(54),
        &testkit::TestKey::from_seed(55)
    )
);
