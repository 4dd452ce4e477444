//! `spasm-forum check`: whether the store still holds what was signed.
//!
//! * The database file: SQLite's `PRAGMA integrity_check` (PostgreSQL has no such check;
//!   the report says it was skipped).
//! * The stored events of every table that keeps signed material (events, moderations,
//!   admin events): each stored form is converted again by the `spasm` crate, which
//!   verifies every signature of its siblings (the original signed material), and the
//!   fields readers are shown (action, title, content, timestamp, parent) must be the ones
//!   its signed material gives. An author's own delete (NIP-09) is kept as the signed Nostr
//!   event and verified as one. A random sample of each table by default, every row with
//!   [`CheckScope::Full`].

use std::fmt;

use serde_json::Value;
use spasm::convert::{ConvertError, convert_to_spasm};
use spasm::nostr::{NostrEventError, verify_nostr_event};

use crate::nostr::kind::NostrKind;
use crate::storage::{Backend, FormTable, StorageError, Store, StoredForm};

/// Rows checked per table when no scope is named.
pub const DEFAULT_SAMPLE_ROWS: u32 = 1_000;

/// Rows read at once by a full check (each up to the largest event accepted).
const FULL_BATCH_ROWS: u32 = 100;

/// The tables with signed material, in the order they are checked.
const TABLES: [FormTable; 3] = [
    FormTable::Events,
    FormTable::Moderations,
    FormTable::AdminEvents,
];

/// The fields of a stored event that readers are shown and must be the signed ones.
const SHOWN_FIELDS: [&str; 4] = ["action", "title", "content", "timestamp"];

/// How many stored events to check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckScope {
    /// Up to this many rows of each table, chosen at random.
    Sample {
        /// Rows per table.
        rows_per_table: u32,
    },
    /// Every row.
    Full,
}

/// What the database's own check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileIntegrity {
    /// `PRAGMA integrity_check` answered `ok`.
    Sound,
    /// `PRAGMA integrity_check` named these problems.
    Damaged(Vec<String>),
    /// PostgreSQL: there is no such check.
    NotChecked,
}

/// What was checked of one table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableChecked {
    /// The table.
    pub table: FormTable,
    /// Rows it holds.
    pub stored: u64,
    /// Rows checked.
    pub checked: u64,
    /// Of those, rows with at least one signature (the others are unsigned RSS items and
    /// web2 events, whose stored fields are still compared with their original item).
    pub signed: u64,
}

/// Why a stored event is not what was signed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormProblem {
    /// The stored form is not JSON.
    #[error("the stored form is not JSON: {0}")]
    NotJson(String),
    /// Its signed material does not verify (or no longer reads as an event).
    #[error("its signed material does not verify: {0}")]
    DoesNotVerify(ConvertError),
    /// A Nostr event kept as signed (an author's delete) does not verify.
    #[error("its Nostr signature does not verify: {0}")]
    NostrDoesNotVerify(NostrEventError),
    /// A field readers are shown differs from the one its signed material gives.
    #[error("its stored {0} is not the signed one")]
    DiffersFromSigned(&'static str),
}

/// A stored event that failed the check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredProblem {
    /// Its table.
    pub table: FormTable,
    /// Its row key.
    pub key: i64,
    /// The spasmid it is stored under (the Nostr id for an author's delete).
    pub spasmid: String,
    /// What is wrong.
    pub problem: FormProblem,
}

/// What a check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckReport {
    /// The database checked.
    pub backend: Backend,
    /// How many events were checked.
    pub scope: CheckScope,
    /// The database's own check.
    pub integrity: FileIntegrity,
    /// What was checked of each table.
    pub tables: Vec<TableChecked>,
    /// Every stored event that failed, in table and key order.
    pub problems: Vec<StoredProblem>,
}

impl CheckReport {
    /// Whether nothing failed.
    pub fn passed(&self) -> bool {
        self.problems.is_empty() && !matches!(self.integrity, FileIntegrity::Damaged(_))
    }
}

/// The name of a table as the report prints it.
fn table_name(table: FormTable) -> &'static str {
    match table {
        FormTable::Events => "events",
        FormTable::Moderations => "moderations",
        FormTable::AdminEvents => "admin events",
    }
}

impl fmt::Display for CheckReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.integrity {
            FileIntegrity::Sound => writeln!(f, "database file: PRAGMA integrity_check ok")?,
            FileIntegrity::Damaged(problems) => {
                writeln!(
                    f,
                    "database file: PRAGMA integrity_check FAILED ({} problems)",
                    problems.len()
                )?;
                for problem in problems {
                    writeln!(f, "  {problem}")?;
                }
            }
            FileIntegrity::NotChecked => writeln!(
                f,
                "database file: not checked ({} has no integrity check like SQLite's; its own \
                 tools, such as amcheck, do that)",
                self.backend.name()
            )?,
        }
        let how = match self.scope {
            CheckScope::Sample { rows_per_table } => {
                format!(
                    "a random sample of up to {rows_per_table} rows per table; --full checks every row"
                )
            }
            CheckScope::Full => "every row".to_owned(),
        };
        writeln!(f, "signatures and signed fields ({how}):")?;
        for table in &self.tables {
            writeln!(
                f,
                "  {}: {} of {} checked ({} signed, {} unsigned)",
                table_name(table.table),
                table.checked,
                table.stored,
                table.signed,
                table.checked - table.signed
            )?;
        }
        for problem in &self.problems {
            writeln!(
                f,
                "FAILED {} key {} {}: {}",
                table_name(problem.table),
                problem.key,
                problem.spasmid,
                problem.problem
            )?;
        }
        if self.passed() {
            writeln!(f, "the check passed")
        } else {
            writeln!(
                f,
                "the check FAILED: {} stored events are not what was signed{}",
                self.problems.len(),
                if matches!(self.integrity, FileIntegrity::Damaged(_)) {
                    ", and the database file is damaged"
                } else {
                    ""
                }
            )
        }
    }
}

/// Checks the store (see the module's description).
///
/// # Errors
/// [`StorageError`] when the store cannot be read; a stored event that fails is a problem
/// in the report, not an error.
pub async fn check_store(
    store: &dyn Store,
    scope: CheckScope,
) -> Result<CheckReport, StorageError> {
    let integrity = match store.integrity_check().await? {
        None => FileIntegrity::NotChecked,
        Some(problems) if problems.is_empty() => FileIntegrity::Sound,
        Some(problems) => FileIntegrity::Damaged(problems),
    };
    let mut report = CheckReport {
        backend: store.backend(),
        scope,
        integrity,
        tables: Vec::new(),
        problems: Vec::new(),
    };
    for table in TABLES {
        let mut checked = TableChecked {
            table,
            stored: store.form_count(table).await?,
            checked: 0,
            signed: 0,
        };
        match scope {
            CheckScope::Sample { rows_per_table } => {
                let forms = store.sample_forms(table, rows_per_table).await?;
                check_forms(table, forms, &mut checked, &mut report.problems).await?;
            }
            CheckScope::Full => {
                let mut after = 0;
                loop {
                    let forms = store.stored_forms(table, after, FULL_BATCH_ROWS).await?;
                    let Some(last) = forms.last() else {
                        break;
                    };
                    after = last.key;
                    check_forms(table, forms, &mut checked, &mut report.problems).await?;
                }
            }
        }
        report.tables.push(checked);
    }
    Ok(report)
}

/// Verifies `forms` off the threads that serve requests, and counts them.
async fn check_forms(
    table: FormTable,
    forms: Vec<StoredForm>,
    checked: &mut TableChecked,
    problems: &mut Vec<StoredProblem>,
) -> Result<(), StorageError> {
    let outcomes = tokio::task::spawn_blocking(move || {
        forms
            .into_iter()
            .map(|form| {
                let outcome = verify_form(&form.event_json);
                (form, outcome)
            })
            .collect::<Vec<_>>()
    })
    .await
    .map_err(|error| StorageError::Worker(format!("the check stopped: {error}")))?;
    for (form, outcome) in outcomes {
        checked.checked += 1;
        match outcome {
            Ok(signed) => checked.signed += u64::from(signed),
            Err(problem) => problems.push(StoredProblem {
                table,
                key: form.key,
                spasmid: form.spasmid,
                problem,
            }),
        }
    }
    Ok(())
}

/// Verifies one stored form (its JSON text): `true` when it is signed and every
/// signature verifies, `false` when it is unsigned and consistent with its original item.
///
/// # Errors
/// [`FormProblem`] when it is not what was signed.
pub fn verify_form(event_json: &str) -> Result<bool, FormProblem> {
    let stored: Value = serde_json::from_str(event_json)
        .map_err(|error| FormProblem::NotJson(error.to_string()))?;
    if NostrKind::of_nostr_only(&stored).is_some() {
        verify_nostr_event(&stored).map_err(FormProblem::NostrDoesNotVerify)?;
        return Ok(true);
    }
    let verified = convert_to_spasm(&stored).map_err(FormProblem::DoesNotVerify)?;
    let signed = verified.event();
    for field in SHOWN_FIELDS {
        if stored.get(field) != signed.get(field) {
            return Err(FormProblem::DiffersFromSigned(field));
        }
    }
    if parent_ids(&stored) != parent_ids(signed) {
        return Err(FormProblem::DiffersFromSigned("parent"));
    }
    Ok(verified.is_signed())
}

/// The values of an event's parent ids, in order.
fn parent_ids(event: &Value) -> Vec<&Value> {
    event
        .get("parent")
        .and_then(|parent| parent.get("ids"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|id| id.get("value"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::NewEvent;
    use spasm::body::post;
    use testkit::TestKey;

    fn stored_form() -> Value {
        let key = TestKey::from_seed(7);
        let signed = key.sign_ethereum(&post("title", "words", None, 1, &[key.ethereum_author()]));
        let event = NewEvent::from_verified(&convert_to_spasm(&signed).unwrap());
        serde_json::from_str(event.event_json()).unwrap()
    }

    #[test]
    fn a_stored_event_verifies_as_signed() {
        assert_eq!(verify_form(&stored_form().to_string()), Ok(true));
    }

    #[test]
    fn a_changed_field_or_signature_is_found() {
        let mut shown = stored_form();
        shown["content"] = Value::from("other words");
        assert_eq!(
            verify_form(&shown.to_string()),
            Err(FormProblem::DiffersFromSigned("content"))
        );
        let mut signature = stored_form();
        let text = signature["siblings"][0]["signatures"][0]["value"]
            .as_str()
            .unwrap()
            .to_owned();
        let flipped = if &text[10..11] == "0" { "1" } else { "0" };
        signature["siblings"][0]["signatures"][0]["value"] =
            Value::from(format!("{}{flipped}{}", &text[..10], &text[11..]));
        assert!(matches!(
            verify_form(&signature.to_string()),
            Err(FormProblem::DoesNotVerify(_))
        ));
        assert!(matches!(verify_form("{"), Err(FormProblem::NotJson(_))));
    }
}
