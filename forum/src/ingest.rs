//! The ingest pipeline: every event, from any source, goes through [`Forum::submit`]:
//! parse → identify and verify every signature, compute the `spasmid01` (the `spasm` crate)
//! → the existing server's policy gates in its order → one store transaction.
//!
//! Messages are the existing server's (degenrocket-server.md §1.6), so its clients keep
//! working; each error also has the HTTP status that tells the truth.

use serde_json::Value;
use sha2::{Digest, Sha256};
use spasm::action::{Action, Reaction};
use spasm::convert::{ConvertError, VerifiedEvent, convert_to_spasm};
use spasm::json_text::{self, JsonTextError, UnpairedSurrogate};

use crate::address::AuthorAddress;
use crate::network::LocalFilter;
use crate::network::sources::{FEDERATION_LIST_ACTION, PULL_NOW_ACTION, parse_admin_list};
use crate::nostr::deletion::author_deletion;
use crate::nostr::kind::{NostrKind, NostrReaction};
use crate::nostr::relay_list::relay_list_update;
use crate::nostr::{SignedNostrEvent, parse_relay_array};
use crate::profile::ProfileUpdate;
use crate::record::NewEvent;
use crate::screen::{TagLimitExceeded, screen};
use crate::service::{Forum, now_ms};
use crate::settings::{AddressList, Settings};
use crate::storage::{
    DeleteOutcome, Insert, InsertOutcome, Moderation, Publication, RestoreOutcome, StorageError,
    TargetCounter, TargetRule, WaitingRule,
};
use spasm::body::NOSTR_RELAYS_ACTION;
use spasm::nostr::METADATA_KIND;

/// How recently an event must have been signed (its `created_at`) for a submitter's request
/// to publish it to be honoured.
const FRESH_FOR_PUBLICATION_SECS: u64 = 10 * 60;

/// Where an event comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A browser or client, through a server function or `POST /api/submit`.
    Submit,
    /// A pull from another Spasm instance.
    Federation {
        /// The source's name.
        source: String,
        /// Whether the admin trusts this source with unsigned events.
        trusted_for_unsigned: bool,
        /// The source's query, applied again here (peers ignore what they do not know).
        only: Option<LocalFilter>,
    },
    /// The instance's own RSS ingestion.
    Rss {
        /// The feed's name.
        source: String,
    },
    /// A Nostr relay the server subscribes to.
    Nostr {
        /// The relay's URL.
        relay: String,
    },
    /// `spasm-forum import`: a row of an existing server's database, moving in
    /// (`forum::import`). Its signatures are verified as any other's, moderators' deletes
    /// need a moderator of this instance, app configs an admin of it; the old instance's
    /// switches and whitelists were applied when it accepted the row, and unsigned rows are
    /// the items its RSS feeds gave it.
    Import {
        /// The old table (`spasm_events`, `admin_events`, `app_configs`).
        table: String,
    },
}

/// Counts an ingest's outcome in `spasm_submits_total{source, outcome}`: `accepted`, or
/// the refusal's [`SubmitError::reason`].
fn counted(
    source: &'static str,
    outcome: Result<Accepted, SubmitError>,
) -> Result<Accepted, SubmitError> {
    let label = match &outcome {
        Ok(_) => "accepted",
        Err(error) => error.reason(),
    };
    metrics::counter!("spasm_submits_total", "source" => source, "outcome" => label).increment(1);
    outcome
}

/// Whether the author asked for a submitted event to be published to Nostr relays too.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Publish {
    /// Kept here only (the default).
    #[default]
    HereOnly,
    /// Also published by the server to the instance's relays and the author's NIP-65 write
    /// relays: posts, replies and profiles whose Nostr signature was checked and which were
    /// signed in the last 10 minutes (reactions never are: their Nostr form would be a note
    /// reading "upvote"; older events only at their signer's request, `Forum::publish_later`).
    ToNostrRelays,
}

impl Origin {
    /// The kind of origin, as the `source` label of `spasm_submits_total`.
    pub fn metric_name(&self) -> &'static str {
        match self {
            Self::Submit => "submit",
            Self::Federation { .. } => "federation",
            Self::Rss { .. } => "rss",
            Self::Nostr { .. } => "nostr",
            Self::Import { .. } => "import",
        }
    }

    /// How it is stored: `submit`, `federation:<source>`, `rss:<feed>`, `nostr:<relay>`,
    /// `import:<old table>`.
    pub fn label(&self) -> String {
        match self {
            Self::Submit => "submit".into(),
            Self::Federation { source, .. } => format!("federation:{source}"),
            Self::Rss { source } => format!("rss:{source}"),
            Self::Nostr { relay } => format!("nostr:{relay}"),
            Self::Import { table } => format!("import:{table}"),
        }
    }

    fn may_be_unsigned(&self, settings: &Settings) -> bool {
        match self {
            Self::Submit => settings.allow_new_events_without_signature,
            Self::Federation {
                trusted_for_unsigned,
                ..
            } => *trusted_for_unsigned,
            Self::Rss { .. } | Self::Import { .. } => true,
            Self::Nostr { .. } => false,
        }
    }
}

/// What kind of success a submit was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AcceptedKind {
    /// A post or other event was stored.
    Saved,
    /// A reply or reaction was stored and counted on its target.
    Counted,
    /// A moderator's delete took effect.
    Deleted,
    /// An admin undid a delete.
    Restored,
    /// An admin changed the instance settings.
    AppConfigUpdated,
    /// A Nostr key's profile (kind 0) replaced the older one.
    ProfileSaved,
    /// A reply or reaction was stored before its target: it shows under the target, and
    /// counts there, once the target arrives.
    Waiting,
    /// An author deleted its own events (NIP-09).
    DeletedByAuthor,
    /// A Nostr key's relay list (NIP-65) replaced the older one.
    RelayListSaved,
}

/// A stored event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    /// What happened.
    pub kind: AcceptedKind,
    /// The event's `spasmid01`.
    pub spasmid: String,
    /// Its row key, for events that are listed.
    pub key: Option<i64>,
}

impl Accepted {
    /// The existing server's message.
    pub fn message(&self) -> &'static str {
        match self.kind {
            AcceptedKind::Saved => "Success. The event was saved into database",
            AcceptedKind::Counted => "Success. Action has been saved and incremented",
            AcceptedKind::Deleted => "Success. Action saved and target deleted",
            AcceptedKind::Restored => "Success. Moderation undone and target restored",
            AcceptedKind::AppConfigUpdated => "SUCCESS: App config updated",
            AcceptedKind::ProfileSaved => "Success. The Nostr profile was saved",
            AcceptedKind::Waiting => {
                "Success. The event was saved; it will show under the event it answers once that \
                 arrives here"
            }
            AcceptedKind::DeletedByAuthor => "Success. The author's events were deleted",
            AcceptedKind::RelayListSaved => "Success. The Nostr relay list was saved",
        }
    }

    /// The outcome in words for the person who signed it, as the web client shows it (the
    /// Spasm API keeps the existing server's [`Self::message`]).
    pub fn in_words(&self) -> &'static str {
        match self.kind {
            AcceptedKind::Saved => "Published: it is on this forum now.",
            AcceptedKind::Counted => "Counted: your reaction is on this forum now.",
            AcceptedKind::Deleted => "Deleted from this forum.",
            AcceptedKind::Restored => "Restored: it is shown again.",
            AcceptedKind::AppConfigUpdated => "Saved: the new settings are in force.",
            AcceptedKind::ProfileSaved => "Saved: the Nostr profile is on this forum now.",
            AcceptedKind::Waiting => {
                "Saved: it will show under the post it answers once that reaches this forum."
            }
            AcceptedKind::DeletedByAuthor => {
                "Deleted: the author's events are gone from this forum."
            }
            AcceptedKind::RelayListSaved => "Saved: the Nostr relay list is on this forum now.",
        }
    }

    /// The HTTP status of this success: 202 when the event waits for its target.
    pub fn status(&self) -> u16 {
        match self.kind {
            AcceptedKind::Waiting => 202,
            _ => 201,
        }
    }
}

/// Why a submit was refused. The display text is what the submitter sees.
#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
    /// Nothing was sent.
    #[error("ERROR: Unknown event is empty")]
    Empty,
    /// The body is larger than the instance accepts.
    #[error("ERROR: the event is larger than {max} bytes")]
    TooLarge {
        /// The limit.
        max: usize,
    },
    /// A field is longer than the instance accepts.
    #[error("ERROR: the {field} is longer than {max} characters")]
    FieldTooLong {
        /// Which field.
        field: &'static str,
        /// The limit.
        max: usize,
    },
    /// The body is not JSON.
    #[error("ERROR: the request body is not valid JSON")]
    NotJson,
    /// The event came as a JSON string (as rc.52 clients may send it) whose text is not JSON.
    #[error("ERROR: the event was sent as a JSON string, but that string is not valid JSON")]
    EventTextNotJson,
    /// Text holds half of a UTF-16 surrogate pair (a client cut a character in half).
    #[error("ERROR: {0}")]
    UnpairedSurrogate(UnpairedSurrogate),
    /// Tags over the instance's limits (which bound the cost of the id).
    #[error("ERROR: {0}")]
    TagLimit(TagLimitExceeded),
    /// A Nostr kind the forum does not handle.
    #[error(
        "ERROR: Nostr events of kind {0} are not accepted here; this forum takes kinds {taken}",
        taken = NostrKind::TAKEN
    )]
    UnsupportedNostrKind(String),
    /// A Nostr event without content, which spasm.js cannot read as one.
    #[error(
        "ERROR: this Nostr event (kind {}) has empty content; there is nothing to show{}",
        .0.number(),
        if *.0 == NostrKind::Reaction { " (send a like as \"+\")" } else { "" }
    )]
    EmptyNostrContent(NostrKind),
    /// A NIP-25 reaction other than `+` and `-`.
    #[error(
        "ERROR: the Nostr reaction {0:?} is not counted here; only \"+\" (an upvote) and \"-\" \
         (a downvote) are"
    )]
    UnsupportedNostrReaction(String),
    /// A Spasm action the forum does not handle.
    #[error(
        "ERROR: the action {0:?} is not handled here; this forum takes post, reply, react and \
         moderate"
    )]
    UnsupportedAction(String),
    /// Not an event, or a signature that does not verify.
    #[error("ERROR: {0}")]
    NotConvertible(ConvertError),
    /// Unsigned events are refused here.
    #[error("ERROR: events without signatures are not allowed on this instance.")]
    UnsignedNotAllowed,
    /// The master switch is off.
    #[error("ERROR: submitting all new web3 actions is currently disabled")]
    AllActionsDisabled,
    /// Nostr-only events are switched off.
    #[error("ERROR: submitting all new Nostr actions is currently disabled")]
    NostrDisabled,
    /// Ethereum-only events are switched off.
    #[error("ERROR: submitting all new Ethereum actions is currently disabled")]
    EthereumDisabled,
    /// This action is switched off (`posts`, `replies`, `reactions`, `moderation actions`).
    #[error("ERROR: submitting new {0} is currently disabled")]
    ActionDisabled(&'static str),
    /// No verified signer is on the action's whitelist.
    #[error("ERROR: this address is not whitelisted to submit new {0}")]
    NotWhitelisted(&'static str),
    /// One of the event's ids was banned by a moderator.
    #[error("ERROR: this event ID is banned")]
    Banned,
    /// A federation source sent an event its own query excludes.
    #[error("ERROR: the source sent an event its query does not ask for")]
    OutsideSourceQuery,
    /// Stored already.
    #[error("An event with the same Spasm ID is already in database.")]
    Duplicate,
    /// A profile of the same key, signed later, is stored already.
    #[error("A newer profile of this key is already in database.")]
    StaleProfile,
    /// A newer relay list of the same key is stored already.
    #[error("A newer relay list of this key is already in database.")]
    StaleRelayList,
    /// A deletion request names no event its signer signed.
    #[error(
        "ERROR: only the author of an event can delete it, and none of the events named was signed by this key"
    )]
    NotTheAuthor,
    /// A Nostr event whose id or signature is wrong.
    #[error("ERROR: {0}")]
    BadNostrEvent(#[from] spasm::nostr::NostrEventError),
    /// The signer did the same to the same target before.
    #[error("Sorry, but you've already submitted the same action")]
    DuplicateAction,
    /// A reply or reaction without a parent id.
    #[error("ERROR: a {0} needs the id of the event it answers")]
    NoTarget(&'static str),
    /// The target is not stored here.
    #[error("ERROR: the event you are replying or reacting to is not stored on this instance")]
    TargetNotFound,
    /// The target is not here and too many events already wait for theirs.
    #[error(
        "ERROR: the event you are replying or reacting to is not stored on this instance, and \
         too many events are already waiting for theirs; send it again once it is here"
    )]
    WaitingFull,
    /// The target was deleted by a moderator.
    #[error("ERROR: the event you are replying or reacting to was deleted by a moderator")]
    TargetDeleted,
    /// A reaction this forum does not know.
    #[error("ERROR: {0:?} is not a known reaction")]
    UnknownReaction(String),
    /// Moderation is off.
    #[error("ERROR: the moderation is disabled")]
    ModerationDisabled,
    /// No moderators are configured.
    #[error("ERROR: moderators are not set")]
    NoModerators,
    /// The signer is not a moderator.
    #[error("ERROR: you're not a moderator")]
    NotModerator,
    /// A moderation action other than delete or restore.
    #[error("ERROR: unknown moderation action {0:?}; use delete (moderators) or restore (admins)")]
    UnknownModeration(String),
    /// Nothing to restore.
    #[error("ERROR: there is no standing moderation of this event")]
    NothingToRestore,
    /// App-config events are switched off.
    #[error("ERROR: app config changes are disabled")]
    AppConfigDisabled,
    /// Admin features are off or no admins are configured.
    #[error("ERROR: admins are not set")]
    NoAdmins,
    /// The signer is not an admin.
    #[error("ERROR: you're not an admin")]
    NotAdmin,
    /// The app-config content is not valid settings.
    #[error("ERROR: the app config is invalid: {0}")]
    InvalidAppConfig(String),
    /// The signing key submitted too often.
    #[error("ERROR: too many submits from this key; try again in {retry_after_secs} seconds")]
    RateLimited {
        /// When the next submit will be accepted.
        retry_after_secs: u64,
    },
    /// The client's address submitted too often (through any write door).
    #[error("ERROR: too many submits from this address; try again in {retry_after_secs} seconds")]
    AddressRateLimited {
        /// When the next submit will be accepted.
        retry_after_secs: u64,
    },
    /// Too many writes are waiting: nothing was stored.
    #[error(
        "ERROR: the server is busy and did not store the event; try again in {retry_after_secs} seconds"
    )]
    Busy {
        /// When to try again.
        retry_after_secs: u64,
    },
    /// The store failed (a full disk, a database that does not answer); details are logged,
    /// not shown. Answered 503 with `Retry-After`: the forum recovers by itself.
    #[error(
        "ERROR: the forum cannot store events right now; nothing was saved, try again in {} seconds",
        crate::storage::STORAGE_RETRY_AFTER_SECS
    )]
    Storage(StorageError),
    /// The database refused to store this event (not a fault of the database: it takes
    /// other writes); details are logged, not shown.
    #[error("ERROR: the server could not store this event; nothing was saved")]
    NotStored(StorageError),
}

impl From<StorageError> for SubmitError {
    fn from(error: StorageError) -> Self {
        match error {
            StorageError::Busy { retry_after_secs } => Self::Busy { retry_after_secs },
            error if error.is_fault() => Self::Storage(error),
            error => Self::NotStored(error),
        }
    }
}

impl SubmitError {
    /// The refusal in words for the person who signed, as the web client shows it: the
    /// Spasm API's message without its `ERROR:` prefix, as a sentence.
    pub fn in_words(&self) -> String {
        let message = self.to_string();
        let mut sentence = message
            .strip_prefix("ERROR:")
            .map_or(message.as_str(), str::trim_start)
            .to_owned();
        if let Some(first) = sentence.get_mut(..1) {
            first.make_ascii_uppercase();
        }
        if !sentence.ends_with(['.', '!', '?']) {
            sentence.push('.');
        }
        sentence
    }

    /// When a refusal for load may be tried again (`Retry-After`, in seconds).
    pub fn retry_after_secs(&self) -> Option<u64> {
        match self {
            Self::RateLimited { retry_after_secs }
            | Self::AddressRateLimited { retry_after_secs }
            | Self::Busy { retry_after_secs } => Some(*retry_after_secs),
            Self::Storage(_) => Some(crate::storage::STORAGE_RETRY_AFTER_SECS),
            _ => None,
        }
    }

    /// The HTTP status that tells the truth about this refusal.
    pub fn status(&self) -> u16 {
        match self {
            Self::Empty
            | Self::NotJson
            | Self::EventTextNotJson
            | Self::NotConvertible(_)
            | Self::NoTarget(_)
            | Self::UnknownReaction(_)
            | Self::UnknownModeration(_)
            | Self::InvalidAppConfig(_) => 400,
            Self::TooLarge { .. } | Self::FieldTooLong { .. } | Self::TagLimit(_) => 413,
            Self::UnpairedSurrogate(_) => 400,
            Self::UnsupportedNostrKind(_)
            | Self::EmptyNostrContent(_)
            | Self::UnsupportedNostrReaction(_)
            | Self::UnsupportedAction(_) => 422,
            Self::UnsignedNotAllowed
            | Self::AllActionsDisabled
            | Self::NostrDisabled
            | Self::EthereumDisabled
            | Self::ActionDisabled(_)
            | Self::NotWhitelisted(_)
            | Self::Banned
            | Self::ModerationDisabled
            | Self::NoModerators
            | Self::NotModerator
            | Self::AppConfigDisabled
            | Self::NoAdmins
            | Self::NotAdmin
            | Self::NotTheAuthor => 403,
            Self::BadNostrEvent(_) => 400,
            Self::TargetNotFound | Self::NothingToRestore => 404,
            Self::Duplicate | Self::DuplicateAction | Self::StaleProfile | Self::StaleRelayList => {
                409
            }
            Self::OutsideSourceQuery => 422,
            Self::TargetDeleted => 410,
            Self::RateLimited { .. } | Self::AddressRateLimited { .. } => 429,
            Self::Storage(_) | Self::Busy { .. } | Self::WaitingFull => 503,
            Self::NotStored(_) => 500,
        }
    }

    /// A short name of the refusal, for counts by reason (the admin page, logs).
    pub fn reason(&self) -> &'static str {
        match self {
            Self::Empty | Self::NotJson | Self::EventTextNotJson | Self::UnpairedSurrogate(_) => {
                "not an event"
            }
            Self::TooLarge { .. } | Self::FieldTooLong { .. } | Self::TagLimit(_) => "too large",
            Self::UnsupportedNostrKind(_)
            | Self::EmptyNostrContent(_)
            | Self::UnsupportedNostrReaction(_)
            | Self::UnsupportedAction(_)
            | Self::UnknownReaction(_) => "not handled here",
            Self::NotConvertible(_) | Self::BadNostrEvent(_) => "invalid or unverifiable",
            Self::UnsignedNotAllowed => "unsigned",
            Self::AllActionsDisabled
            | Self::NostrDisabled
            | Self::EthereumDisabled
            | Self::ActionDisabled(_) => "switched off here",
            Self::NotWhitelisted(_) => "not whitelisted",
            Self::Banned => "banned",
            Self::OutsideSourceQuery => "outside the source's query",
            Self::Duplicate | Self::DuplicateAction | Self::StaleProfile | Self::StaleRelayList => {
                "already here"
            }
            Self::NoTarget(_) | Self::TargetNotFound | Self::WaitingFull => "target missing",
            Self::TargetDeleted => "target deleted",
            Self::ModerationDisabled
            | Self::NoModerators
            | Self::NotModerator
            | Self::UnknownModeration(_)
            | Self::NothingToRestore
            | Self::AppConfigDisabled
            | Self::NoAdmins
            | Self::NotAdmin
            | Self::NotTheAuthor
            | Self::InvalidAppConfig(_) => "not allowed",
            Self::RateLimited { .. } | Self::AddressRateLimited { .. } | Self::Busy { .. } => {
                "busy"
            }
            Self::Storage(_) | Self::NotStored(_) => "storage failure",
        }
    }
}

impl Forum {
    /// Ingests one event sent as JSON bytes (`{"unknownEvent": event}` or the event itself,
    /// in any shape the existing server accepts).
    pub async fn submit(&self, body: &[u8], origin: Origin) -> Result<Accepted, SubmitError> {
        self.submit_with(body, origin, Publish::HereOnly).await
    }

    /// [`Forum::submit`], and, when the author asks for it, the event's publication to
    /// Nostr relays, queued in the same transaction.
    pub async fn submit_with(
        &self,
        body: &[u8],
        origin: Origin,
        publish: Publish,
    ) -> Result<Accepted, SubmitError> {
        let source = origin.metric_name();
        counted(source, self.submit_bytes(body, origin, publish).await)
    }

    async fn submit_bytes(
        &self,
        body: &[u8],
        origin: Origin,
        publish: Publish,
    ) -> Result<Accepted, SubmitError> {
        if body.len() > self.limits().max_event_bytes {
            return Err(SubmitError::TooLarge {
                max: self.limits().max_event_bytes,
            });
        }
        if body.iter().all(u8::is_ascii_whitespace) {
            return Err(SubmitError::Empty);
        }
        let mut input = json_text::parse(body).map_err(|error| match error {
            JsonTextError::UnpairedSurrogate(found) => SubmitError::UnpairedSurrogate(found),
            JsonTextError::Invalid(_) => SubmitError::NotJson,
        })?;
        if let Some(inner) = input
            .as_object_mut()
            .filter(|object| object.len() == 1)
            .and_then(|object| object.remove("unknownEvent"))
        {
            input = inner;
        }
        // rc.52 clients may send the event as JSON text (`convertToSpasmEventEnvelope`
        // accepts a string): read it once more.
        if let Value::String(text) = &input {
            input = json_text::parse(text.as_bytes()).map_err(|error| match error {
                JsonTextError::UnpairedSurrogate(found) => SubmitError::UnpairedSurrogate(found),
                JsonTextError::Invalid(_) => SubmitError::EventTextNotJson,
            })?;
        }
        self.ingest_with(input, origin, publish).await
    }

    /// Ingests one event already parsed as JSON (the event, an envelope, or rc.52's JSON
    /// text of one): the entry of jobs that read many events from one answer. The size of
    /// the answer is bounded by whoever read it; fields and tags are checked here.
    pub async fn ingest(&self, input: Value, origin: Origin) -> Result<Accepted, SubmitError> {
        let source = origin.metric_name();
        counted(
            source,
            self.ingest_with(input, origin, Publish::HereOnly).await,
        )
    }

    async fn ingest_with(
        &self,
        input: Value,
        origin: Origin,
        publish: Publish,
    ) -> Result<Accepted, SubmitError> {
        if matches!(&input, Value::Null)
            || input.as_object().is_some_and(|object| object.is_empty())
        {
            return Err(SubmitError::Empty);
        }
        // Cheap refusals first: none of these needs a signature check or an id.
        screen(
            &input,
            &self.limits().tags,
            origin.may_be_unsigned(&self.settings()),
        )?;
        // Deletions and relay lists are Nostr's own: they have no Spasm form.
        if let Some(kind) = NostrKind::of_nostr_only(&input) {
            return self.ingest_nostr_only(&input, kind, &origin).await;
        }
        let verifying = std::time::Instant::now();
        let converted = convert_to_spasm(&input);
        metrics::histogram!("spasm_verify_seconds").record(verifying.elapsed().as_secs_f64());
        let verified = converted.map_err(|error| match error {
            ConvertError::UnpairedSurrogate(found) => SubmitError::UnpairedSurrogate(found),
            error => SubmitError::NotConvertible(error),
        })?;
        self.accept(&verified, origin, publish).await
    }

    /// Ingests an event whose signatures were verified already (a feed's `<spasmEnvelope>`
    /// items, converted by `spasm::rss`; web2 posts with none): the policy gates and the
    /// store, as for every other event.
    pub async fn ingest_verified(
        &self,
        verified: &VerifiedEvent,
        origin: Origin,
    ) -> Result<Accepted, SubmitError> {
        let source = origin.metric_name();
        counted(
            source,
            self.accept(verified, origin, Publish::HereOnly).await,
        )
    }

    async fn accept(
        &self,
        verified: &VerifiedEvent,
        origin: Origin,
        publish: Publish,
    ) -> Result<Accepted, SubmitError> {
        let mut event = NewEvent::from_verified(verified);
        // Envelopes and federated copies carry their Nostr events in siblings.
        if NostrKind::of_converted(verified.event())? == Some(NostrKind::Reaction) {
            event = event.into_nostr_reaction(&NostrReaction::of_converted(verified.event())?);
        }
        self.check_field_sizes(&event)?;
        if origin == Origin::Submit {
            for signer in event.signers() {
                if let Err(wait) = self.key_limiter().check(signer.as_str()) {
                    return Err(SubmitError::RateLimited {
                        retry_after_secs: wait.as_secs() + 1,
                    });
                }
            }
        }
        let settings = self.settings();
        let action = Action::of(event.action());
        match action {
            Action::AppConfig => return self.submit_app_config(event, &settings).await,
            Action::Admin => return self.submit_admin_event(event, &settings).await,
            _ => {}
        }
        check_submit_gates(&event, &settings, &origin)?;
        if let Origin::Federation {
            only: Some(filter), ..
        } = &origin
            && !filter.admits(&event)
        {
            return Err(SubmitError::OutsideSourceQuery);
        }
        // Only what the author signed with Nostr: posts, replies and profiles. The Nostr
        // form of a reaction or a moderation would be a note reading "upvote" or "delete".
        let publication = match (publish, SignedNostrEvent::of_verified(verified)) {
            (Publish::ToNostrRelays, Some(signed))
                if signed.kind() == METADATA_KIND
                    || matches!(action, Action::Post | Action::Reply) =>
            {
                // Whoever holds a copy of someone's old signed event could otherwise publish
                // it first; a fresh one comes from its author's composer. Older events are
                // published only at their signer's signed request (`Forum::publish_later`).
                if signed.created_at().abs_diff(now_ms() / 1000) <= FRESH_FOR_PUBLICATION_SECS {
                    self.publication_of(&signed).await
                } else {
                    tracing::info!(
                        nostr_id = signed.id(),
                        "not publishing an event signed long ago on a submitter's request"
                    );
                    None
                }
            }
            _ => None,
        };
        // A profile describes its key; it is kept beside the events, not among them.
        if let Some(profile) = ProfileUpdate::of(verified) {
            return self.save_profile(profile, &event, publication).await;
        }
        match action {
            Action::Moderate => self.submit_moderation(event, &settings).await,
            // Actions spasm.js names but the forum has no rule for (`share`, `vote`, ...):
            // stored, they would be shown as what they are not.
            Action::Other if !event.action().is_empty() => {
                Err(SubmitError::UnsupportedAction(event.action().to_owned()))
            }
            _ => self.store_event(event, action, &origin, publication).await,
        }
    }

    /// A Nostr deletion request (NIP-09) or relay list (NIP-65), checked as NIP-01 says.
    async fn ingest_nostr_only(
        &self,
        input: &Value,
        kind: NostrKind,
        origin: &Origin,
    ) -> Result<Accepted, SubmitError> {
        let signed = SignedNostrEvent::verify(input)?;
        let settings = self.settings();
        if !settings.enable_new_nostr_actions_all {
            return Err(SubmitError::NostrDisabled);
        }
        if let Origin::Federation { only: Some(_), .. } = origin {
            return Err(SubmitError::OutsideSourceQuery);
        }
        let accepted = |kind| Accepted {
            kind,
            spasmid: signed.id().to_owned(),
            key: None,
        };
        match kind {
            NostrKind::Deletion => {
                let Some(deletion) = author_deletion(&signed, now_ms()) else {
                    return Err(SubmitError::UnsupportedNostrKind(kind.number().to_string()));
                };
                match self.store().delete_by_author(deletion).await? {
                    DeleteOutcome::Deleted { hidden } => {
                        tracing::info!(author = %signed.pubkey(), hidden, "an author deleted events");
                        Ok(accepted(AcceptedKind::DeletedByAuthor))
                    }
                    DeleteOutcome::Duplicate => Err(SubmitError::Duplicate),
                    DeleteOutcome::NotAuthor => Err(SubmitError::NotTheAuthor),
                    DeleteOutcome::NothingStored => Err(SubmitError::TargetNotFound),
                }
            }
            NostrKind::RelayList => {
                let Some(update) = relay_list_update(&signed) else {
                    return Err(SubmitError::UnsupportedNostrKind(kind.number().to_string()));
                };
                if self.store().save_relay_list(update, now_ms()).await? {
                    Ok(accepted(AcceptedKind::RelayListSaved))
                } else {
                    Err(SubmitError::StaleRelayList)
                }
            }
            _ => Err(SubmitError::UnsupportedNostrKind(kind.number().to_string())),
        }
    }

    fn check_field_sizes(&self, event: &NewEvent) -> Result<(), SubmitError> {
        let limits = self.limits();
        if event.title().chars().count() > limits.max_title_chars {
            return Err(SubmitError::FieldTooLong {
                field: "title",
                max: limits.max_title_chars,
            });
        }
        if event.content().chars().count() > limits.max_content_chars {
            return Err(SubmitError::FieldTooLong {
                field: "content",
                max: limits.max_content_chars,
            });
        }
        Ok(())
    }

    async fn store_event(
        &self,
        event: NewEvent,
        action: Action,
        origin: &Origin,
        publish: Option<Publication>,
    ) -> Result<Accepted, SubmitError> {
        let target = match action {
            Action::React => {
                let reaction = Reaction::of(event.content())
                    .ok_or_else(|| SubmitError::UnknownReaction(event.content().to_owned()))?;
                if event.parent_ids().is_empty() {
                    return Err(SubmitError::NoTarget("reaction"));
                }
                Some(TargetRule {
                    // Unsigned reactions are kept but never counted (anyone could repeat them).
                    counter: event
                        .is_signed()
                        .then_some(TargetCounter::Reaction(reaction)),
                    once_per_signer: Some((Action::React, reaction.name().to_owned())),
                })
            }
            Action::Reply => {
                if event.parent_ids().is_empty() {
                    return Err(SubmitError::NoTarget("reply"));
                }
                Some(TargetRule {
                    counter: Some(TargetCounter::Reply),
                    // The same signer may not post the same reply text twice to one target.
                    once_per_signer: Some((Action::Reply, content_digest(event.content()))),
                })
            }
            _ => None,
        };
        let counted = target.as_ref().is_some_and(|rule| rule.counter.is_some());
        let queued = publish.is_some();
        let spasmid = event.spasmid().to_owned();
        let now = now_ms();
        let limits = self.limits();
        // Signed replies and reactions may arrive before their target (DECISIONS.md); an
        // unsigned one has no signer to bound its waiting by.
        let wait_for_target = event.is_signed().then(|| WaitingRule {
            expires_at_ms: now.saturating_add(
                i64::from(limits.waiting_target_days).saturating_mul(24 * 60 * 60 * 1000),
            ),
            max_per_signer: limits.max_waiting_per_key,
            max_total: limits.max_waiting_total,
        });
        let outcome = self
            .store()
            .insert_event(Insert {
                event,
                origin: origin.label(),
                now_ms: now,
                target,
                wait_for_target,
                publish,
            })
            .await?;
        if queued
            && matches!(
                outcome,
                InsertOutcome::Stored { .. } | InsertOutcome::Waiting { .. }
            )
        {
            self.outbox_changed();
        }
        match outcome {
            InsertOutcome::Stored { key } => Ok(Accepted {
                kind: if counted {
                    AcceptedKind::Counted
                } else {
                    AcceptedKind::Saved
                },
                spasmid,
                key: Some(key),
            }),
            InsertOutcome::Waiting { key } => Ok(Accepted {
                kind: AcceptedKind::Waiting,
                spasmid,
                key: Some(key),
            }),
            InsertOutcome::WaitingFull => Err(SubmitError::WaitingFull),
            InsertOutcome::Duplicate => Err(SubmitError::Duplicate),
            InsertOutcome::DuplicateAction => Err(SubmitError::DuplicateAction),
            InsertOutcome::Banned => Err(SubmitError::Banned),
            InsertOutcome::TargetNotFound => Err(SubmitError::TargetNotFound),
            InsertOutcome::TargetDeleted => Err(SubmitError::TargetDeleted),
        }
    }

    async fn save_profile(
        &self,
        profile: ProfileUpdate,
        event: &NewEvent,
        publish: Option<Publication>,
    ) -> Result<Accepted, SubmitError> {
        let queued = publish.is_some();
        if !self
            .store()
            .save_nostr_profile(profile, now_ms(), publish)
            .await?
        {
            return Err(SubmitError::StaleProfile);
        }
        if queued {
            self.outbox_changed();
        }
        Ok(Accepted {
            kind: AcceptedKind::ProfileSaved,
            spasmid: event.spasmid().to_owned(),
            key: None,
        })
    }

    async fn submit_moderation(
        &self,
        event: NewEvent,
        settings: &Settings,
    ) -> Result<Accepted, SubmitError> {
        let spasmid = event.spasmid().to_owned();
        let accepted = |kind| Accepted {
            kind,
            spasmid: spasmid.clone(),
            key: None,
        };
        match event.content() {
            "delete" => {
                if !settings.enable_moderation {
                    return Err(SubmitError::ModerationDisabled);
                }
                if settings.moderators.is_empty() {
                    return Err(SubmitError::NoModerators);
                }
                let moderator =
                    first_listed(&event, &settings.moderators).ok_or(SubmitError::NotModerator)?;
                if event.parent_ids().is_empty() {
                    return Err(SubmitError::NoTarget("moderation"));
                }
                let outcome = self
                    .store()
                    .delete_by_moderator(Moderation {
                        event,
                        moderator: moderator.clone(),
                        now_ms: now_ms(),
                    })
                    .await?;
                match outcome {
                    DeleteOutcome::Deleted { hidden } => {
                        tracing::info!(%moderator, hidden, spasmid, "moderator deleted events");
                        Ok(accepted(AcceptedKind::Deleted))
                    }
                    DeleteOutcome::Duplicate => Err(SubmitError::Duplicate),
                    DeleteOutcome::NotAuthor | DeleteOutcome::NothingStored => {
                        Err(SubmitError::NotModerator)
                    }
                }
            }
            "restore" | "undelete" => {
                let admin = self.verified_admin(&event, settings)?;
                let outcome = self
                    .store()
                    .restore_by_admin(Moderation {
                        event,
                        moderator: admin.clone(),
                        now_ms: now_ms(),
                    })
                    .await?;
                match outcome {
                    RestoreOutcome::Restored { undone } => {
                        tracing::info!(%admin, undone, spasmid, "admin undid moderation");
                        Ok(accepted(AcceptedKind::Restored))
                    }
                    RestoreOutcome::NothingToRestore => Err(SubmitError::NothingToRestore),
                    RestoreOutcome::Duplicate => Err(SubmitError::Duplicate),
                }
            }
            other => Err(SubmitError::UnknownModeration(other.to_owned())),
        }
    }

    /// The first verified signer who is an admin.
    fn verified_admin(
        &self,
        event: &NewEvent,
        settings: &Settings,
    ) -> Result<AuthorAddress, SubmitError> {
        if !settings.enable_admin || settings.admins.is_empty() {
            return Err(SubmitError::NoAdmins);
        }
        first_listed(event, &settings.admins).ok_or(SubmitError::NotAdmin)
    }

    async fn submit_app_config(
        &self,
        event: NewEvent,
        settings: &Settings,
    ) -> Result<Accepted, SubmitError> {
        if !settings.enable_app_config_changes || !settings.enable_app_config_changes_by_admin {
            return Err(SubmitError::AppConfigDisabled);
        }
        let admin = self.verified_admin(&event, settings)?;
        if event.action() == FEDERATION_LIST_ACTION {
            return self.submit_source_list(event, admin).await;
        }
        if event.action() == NOSTR_RELAYS_ACTION {
            return self.submit_relay_list(event, admin).await;
        }
        let config = parse_app_config(event.content())?;
        let updated = self
            .shared_settings()
            .base()
            .with_app_config(&config)
            .map_err(|error| SubmitError::InvalidAppConfig(error.to_string()))?;
        let spasmid = event.spasmid().to_owned();
        self.store_admin_event(event, admin.clone()).await?;
        self.apply_app_config(updated, Value::Object(config));
        tracing::info!(%admin, spasmid, "admin changed the instance settings");
        Ok(Accepted {
            kind: AcceptedKind::AppConfigUpdated,
            spasmid,
            key: None,
        })
    }

    /// Stores an admin-signed event; a second copy is a duplicate.
    async fn store_admin_event(
        &self,
        event: NewEvent,
        admin: AuthorAddress,
    ) -> Result<(), SubmitError> {
        if self
            .store()
            .insert_admin_event(event, admin, now_ms())
            .await?
        {
            Ok(())
        } else {
            Err(SubmitError::Duplicate)
        }
    }

    /// An admin's list of federation sources and feeds: checked, stored, and in force at
    /// once.
    async fn submit_source_list(
        &self,
        event: NewEvent,
        admin: AuthorAddress,
    ) -> Result<Accepted, SubmitError> {
        parse_admin_list(event.content())
            .map_err(|error| SubmitError::InvalidAppConfig(error.to_string()))?;
        let spasmid = event.spasmid().to_owned();
        self.store_admin_event(event, admin.clone()).await?;
        tracing::info!(%admin, spasmid, "admin changed the federation sources");
        self.network_changed().notify_one();
        Ok(Accepted {
            kind: AcceptedKind::AppConfigUpdated,
            spasmid,
            key: None,
        })
    }

    /// An admin's list of Nostr relays: checked, stored, and in force at once.
    async fn submit_relay_list(
        &self,
        event: NewEvent,
        admin: AuthorAddress,
    ) -> Result<Accepted, SubmitError> {
        parse_relay_array(event.content()).map_err(SubmitError::InvalidAppConfig)?;
        let spasmid = event.spasmid().to_owned();
        self.store_admin_event(event, admin.clone()).await?;
        tracing::info!(%admin, spasmid, "admin changed the Nostr relays");
        self.outbox_changed();
        Ok(Accepted {
            kind: AcceptedKind::AppConfigUpdated,
            spasmid,
            key: None,
        })
    }

    async fn submit_admin_event(
        &self,
        event: NewEvent,
        settings: &Settings,
    ) -> Result<Accepted, SubmitError> {
        let admin = self.verified_admin(&event, settings)?;
        let pull_now =
            (event.action() == PULL_NOW_ACTION).then(|| event.content().trim().to_owned());
        if pull_now.as_deref() == Some("") {
            return Err(SubmitError::InvalidAppConfig(
                "name the source to pull in the content".into(),
            ));
        }
        let spasmid = event.spasmid().to_owned();
        self.store_admin_event(event, admin).await?;
        // Only a new request pulls: the same signed request sent again is a duplicate.
        if let Some(name) = pull_now {
            self.store()
                .steer_job(&format!("pull:{name}"), None, true)
                .await?;
            self.network_changed().notify_one();
        }
        Ok(Accepted {
            kind: AcceptedKind::Saved,
            spasmid,
            key: None,
        })
    }
}

/// The existing server's gates 4–9, in its order: unsigned events, the master switch,
/// signer kinds, per-action switches, whitelists.
fn check_submit_gates(
    event: &NewEvent,
    settings: &Settings,
    origin: &Origin,
) -> Result<(), SubmitError> {
    if !event.is_signed() && !origin.may_be_unsigned(settings) {
        return Err(SubmitError::UnsignedNotAllowed);
    }
    // The old instance applied its switches and whitelists when it accepted the row; they
    // govern new events, and history moves in whole.
    if matches!(origin, Origin::Import { .. }) {
        return Ok(());
    }
    if !settings.enable_new_web3_actions_all {
        return Err(SubmitError::AllActionsDisabled);
    }
    if event.is_signed() {
        let (ethereum, nostr) = signer_kinds(event);
        if nostr && !ethereum && !settings.enable_new_nostr_actions_all {
            return Err(SubmitError::NostrDisabled);
        }
        if ethereum && !nostr && !settings.enable_new_ethereum_actions_all {
            return Err(SubmitError::EthereumDisabled);
        }
    }
    let federated = matches!(origin, Origin::Federation { .. });
    let (switch, whitelist, ignored_for_federation, noun) = match Action::of(event.action()) {
        Action::Post => (
            settings.enable_new_web3_actions_post,
            settings
                .enable_whitelist_for_action_post
                .then_some(&settings.whitelisted_for_action_post),
            settings.ignore_whitelist_for_action_post_in_spasm_module,
            "posts",
        ),
        Action::Reply => (
            settings.enable_new_web3_actions_reply,
            settings
                .enable_whitelist_for_action_reply
                .then_some(&settings.whitelisted_for_action_reply),
            settings.ignore_whitelist_for_action_reply_in_spasm_module,
            "replies",
        ),
        Action::React => (
            settings.enable_new_web3_actions_react,
            settings
                .enable_whitelist_for_action_react
                .then_some(&settings.whitelisted_for_action_react),
            settings.ignore_whitelist_for_action_react_in_spasm_module,
            "reactions",
        ),
        Action::Moderate => (
            settings.enable_new_web3_actions_moderate,
            None,
            false,
            "moderation actions",
        ),
        _ => return Ok(()),
    };
    if !switch {
        return Err(SubmitError::ActionDisabled(noun));
    }
    let skip_whitelist = federated && ignored_for_federation;
    if let Some(list) = whitelist.filter(|_| !skip_whitelist)
        && !list.contains_any(event.signers().iter())
    {
        return Err(SubmitError::NotWhitelisted(noun));
    }
    Ok(())
}

/// Whether the event has Ethereum and Nostr signers.
fn signer_kinds(event: &NewEvent) -> (bool, bool) {
    let ethereum = event
        .signers()
        .iter()
        .any(|signer| signer.as_str().starts_with("0x"));
    let nostr = event
        .signers()
        .iter()
        .any(|signer| !signer.as_str().starts_with("0x"));
    (ethereum, nostr)
}

/// The first verified signer on `list`.
fn first_listed(event: &NewEvent, list: &AddressList) -> Option<AuthorAddress> {
    event
        .signers()
        .iter()
        .find(|signer| list.contains(signer))
        .cloned()
}

fn parse_app_config(content: &str) -> Result<serde_json::Map<String, Value>, SubmitError> {
    match serde_json::from_str::<Value>(content) {
        Ok(Value::Object(config)) => Ok(config),
        _ => Err(SubmitError::InvalidAppConfig(
            "the content must be a JSON object of settings".into(),
        )),
    }
}

/// A short fixed-size stand-in for a reply's text in the once-per-signer index.
fn content_digest(content: &str) -> String {
    hex::encode(Sha256::digest(content.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use spasm::body::post;
    use testkit::TestKey;

    fn event_by(key: &TestKey) -> NewEvent {
        let signed = key.sign_ethereum(&post("t", "c", None, 1, &[key.ethereum_author()]));
        NewEvent::from_verified(&convert_to_spasm(&signed).unwrap())
    }

    fn whitelisting(other: &TestKey, ignore_for_federation: bool) -> Settings {
        Settings {
            enable_whitelist_for_action_post: true,
            whitelisted_for_action_post: AddressList::parse([other
                .ethereum_address()
                .to_lowercase_hex()
                .as_str()])
            .unwrap(),
            ignore_whitelist_for_action_post_in_spasm_module: ignore_for_federation,
            ..Settings::default()
        }
    }

    #[test]
    fn federated_events_skip_whitelists_only_when_the_host_says_so() {
        let event = event_by(&TestKey::from_seed(1));
        let settings = whitelisting(&TestKey::from_seed(2), true);
        let federation = Origin::Federation {
            source: "peer".into(),
            trusted_for_unsigned: false,
            only: None,
        };
        assert!(matches!(
            check_submit_gates(&event, &settings, &Origin::Submit),
            Err(SubmitError::NotWhitelisted("posts"))
        ));
        assert!(check_submit_gates(&event, &settings, &federation).is_ok());
        let strict = whitelisting(&TestKey::from_seed(2), false);
        assert!(check_submit_gates(&event, &strict, &federation).is_err());
    }

    #[test]
    fn every_refusal_has_a_truthful_status() {
        assert_eq!(SubmitError::Duplicate.status(), 409);
        assert_eq!(SubmitError::NotModerator.status(), 403);
        assert_eq!(SubmitError::TargetNotFound.status(), 404);
        assert_eq!(
            SubmitError::RateLimited {
                retry_after_secs: 1
            }
            .status(),
            429
        );
        assert_eq!(SubmitError::TooLarge { max: 1 }.status(), 413);
        assert_eq!(SubmitError::Empty.status(), 400);
    }

    #[test]
    fn people_read_refusals_and_outcomes_as_sentences() {
        assert_eq!(
            SubmitError::RateLimited {
                retry_after_secs: 2
            }
            .in_words(),
            "Too many submits from this key; try again in 2 seconds."
        );
        assert_eq!(SubmitError::Empty.in_words(), "Unknown event is empty.");
        let config = Accepted {
            kind: AcceptedKind::AppConfigUpdated,
            spasmid: String::new(),
            key: None,
        };
        assert_eq!(config.message(), "SUCCESS: App config updated");
        assert_eq!(config.in_words(), "Saved: the new settings are in force.");
    }
}
