//! [`Forum`]: the service the HTTP handlers and server functions call.

use std::sync::{Arc, RwLock};

use serde_json::Value;
use spasm::formats::is_valid_url;
use spasm::nostr::NostrProfile;
use spasm::nostr::nip19::{bare_identifier, decode_nevent, decode_note};

use crate::address::{AddressError, AuthorAddress};
use crate::envelope::StoredEvent;
use crate::ingest::SubmitError;
use crate::network::sources::{FEDERATION_LIST_ACTION, Source, parse_admin_list};
use crate::nostr::NostrState;
use crate::query::{Activity, FeedFilter, FeedRequest, Page};
use crate::rate::RateLimiter;
use crate::screen::TagLimits;
use crate::search::SearchQuery;
use crate::settings::{Settings, SharedSettings};
use crate::storage::{ModerationRecord, StorageError, Store};

/// The deepest reply tree `commentsDepth` builds (as the existing server).
pub const MAX_COMMENTS_DEPTH: u32 = 20;

/// Limits on what one event may be; the request body limit of the HTTP layer comes first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ForumLimits {
    /// The largest event, in bytes of JSON.
    pub max_event_bytes: usize,
    /// The longest title, in characters.
    pub max_title_chars: usize,
    /// The longest content, in characters.
    pub max_content_chars: usize,
    /// The most events one reply tree holds.
    pub max_tree_events: u32,
    /// Submits one signing key may make per minute (0: no limit).
    pub submits_per_minute_per_key: u32,
    /// Submits one signing key may make at once.
    pub submit_burst_per_key: u32,
    /// Submits one client address may make per minute, through any write door (0: no
    /// limit). The address is the one `trusted_proxies` let the HTTP layer believe.
    pub submits_per_minute_per_address: u32,
    /// Submits one client address may make at once.
    pub submit_burst_per_address: u32,
    /// Bounds on tags, checked before any signature or id.
    pub tags: TagLimits,
    /// Days a reply or reaction waits for its target before it is dropped.
    pub waiting_target_days: u32,
    /// The most replies and reactions one signing key may have waiting for their target.
    pub max_waiting_per_key: u32,
    /// The most replies and reactions waiting for their target in all.
    pub max_waiting_total: u32,
}

impl Default for ForumLimits {
    fn default() -> Self {
        Self {
            max_event_bytes: 256 * 1024,
            max_title_chars: 1_000,
            max_content_chars: 100_000,
            max_tree_events: 2_000,
            // Sized for people, not for floods alone: each reaction, reply or post is a signature
            // the person confirms in a wallet or extension, a second or two apiece, so a reader
            // reacting through a long thread stays within the burst; a script signing as fast as
            // it can meets the steady rate after it.
            submits_per_minute_per_key: 60,
            submit_burst_per_key: 60,
            submits_per_minute_per_address: 240,
            submit_burst_per_address: 120,
            tags: TagLimits::default(),
            waiting_target_days: 30,
            max_waiting_per_key: 100,
            max_waiting_total: 100_000,
        }
    }
}

/// Why a read could not be answered.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The request is malformed; the text says how.
    #[error("{0}")]
    BadRequest(String),
    /// The store failed; details are logged, not shown.
    #[error("ERROR: the forum cannot read its database right now; try again in a few seconds")]
    Storage(#[from] StorageError),
}

impl From<AddressError> for ReadError {
    fn from(error: AddressError) -> Self {
        Self::BadRequest(format!("ERROR: {error}"))
    }
}

/// The most event ids [`Forum::reactions_by`] answers for at once (a long thread's page).
pub const MAX_IDS_PER_REACTIONS_QUERY: usize = 500;

/// The forum service: settings, limits and the store.
#[derive(Debug, Clone)]
pub struct Forum {
    store: Arc<dyn Store>,
    settings: SharedSettings,
    limits: ForumLimits,
    /// The newest admin app-config's content, served by `GET /api/app-config`.
    app_config: Arc<RwLock<Arc<Value>>>,
    /// Submits per signing key.
    key_limiter: Arc<RateLimiter>,
    /// Submits per client address.
    address_limiter: Arc<RateLimiter>,
    /// Wakes the background jobs when an admin changes the sources or asks for a pull.
    network_changed: Arc<tokio::sync::Notify>,
    /// The sources the host configured (environment, TOML).
    host_sources: Arc<RwLock<Arc<Vec<Source>>>>,
    /// Whether sources are pulled (`ENABLE_SPASM_MODULE`).
    federation_enabled: Arc<std::sync::atomic::AtomicBool>,
    /// The relays and the wake-ups of their connections.
    nostr: Arc<NostrState>,
}

impl Forum {
    /// The service over `store`, with the host's settings; then the newest app-config
    /// signed by a current admin is applied.
    pub async fn new(
        store: Arc<dyn Store>,
        settings: Settings,
        limits: ForumLimits,
    ) -> Result<Self, StorageError> {
        let forum = Self {
            store,
            settings: SharedSettings::new(settings),
            limits,
            app_config: Arc::new(RwLock::new(Arc::new(Value::Object(Default::default())))),
            key_limiter: Arc::new(RateLimiter::new(
                limits.submits_per_minute_per_key,
                limits.submit_burst_per_key,
            )),
            address_limiter: Arc::new(RateLimiter::new(
                limits.submits_per_minute_per_address,
                limits.submit_burst_per_address,
            )),
            network_changed: Arc::new(tokio::sync::Notify::new()),
            host_sources: Arc::new(RwLock::new(Arc::new(Vec::new()))),
            federation_enabled: Arc::new(std::sync::atomic::AtomicBool::new(true)),
            nostr: Arc::new(NostrState::default()),
        };
        forum.load_app_config().await?;
        Ok(forum)
    }

    pub(crate) async fn load_app_config(&self) -> Result<(), StorageError> {
        let base = self.settings.base().clone();
        for stored in self.store.latest_admin_events("app-config", 50).await? {
            let is_admin =
                AuthorAddress::parse(&stored.signer).is_ok_and(|signer| base.is_admin(&signer));
            if !is_admin {
                tracing::warn!(signer = %stored.signer, "ignoring an app config signed by someone who is no longer an admin");
                continue;
            }
            let config = match serde_json::from_str::<Value>(&stored.content) {
                Ok(Value::Object(config)) => config,
                _ => continue,
            };
            match base.with_app_config(&config) {
                Ok(settings) => {
                    self.apply_app_config(settings, Value::Object(config));
                    tracing::info!(signer = %stored.signer, "applied the newest app config");
                    return Ok(());
                }
                Err(error) => tracing::warn!(%error, "ignoring an invalid stored app config"),
            }
        }
        Ok(())
    }

    pub(crate) fn apply_app_config(&self, settings: Settings, config: Value) {
        self.settings.replace(settings);
        let config = Arc::new(config);
        match self.app_config.write() {
            Ok(mut current) => *current = config,
            Err(poisoned) => *poisoned.into_inner() = config,
        }
    }

    /// The settings in force.
    pub fn settings(&self) -> Arc<Settings> {
        self.settings.current()
    }

    pub(crate) fn shared_settings(&self) -> &SharedSettings {
        &self.settings
    }

    /// The limits on events.
    pub fn limits(&self) -> &ForumLimits {
        &self.limits
    }

    pub(crate) fn key_limiter(&self) -> &RateLimiter {
        &self.key_limiter
    }

    /// Spends one submit of the client at `address` (IPv6 addresses by their /64): every
    /// write door (the Spasm API's submit, the browser's server functions) asks before it
    /// ingests anything.
    ///
    /// # Errors
    /// [`SubmitError::AddressRateLimited`] when the address has none left.
    pub fn check_client_address(&self, address: std::net::IpAddr) -> Result<(), SubmitError> {
        // One IPv6 host holds a whole /64: its addresses share one limit.
        let key = match address {
            std::net::IpAddr::V4(v4) => v4.to_string(),
            std::net::IpAddr::V6(v6) => {
                let [a, b, c, d, ..] = v6.segments();
                format!("{a:x}:{b:x}:{c:x}:{d:x}::/64")
            }
        };
        self.address_limiter
            .check(&key)
            .map_err(|wait| SubmitError::AddressRateLimited {
                retry_after_secs: wait.as_secs() + 1,
            })
    }

    pub(crate) fn nostr(&self) -> &NostrState {
        &self.nostr
    }

    /// Notified when an admin changes the federation sources or asks for a pull now.
    pub fn network_changed(&self) -> &tokio::sync::Notify {
        &self.network_changed
    }

    /// The store.
    pub fn store(&self) -> &dyn Store {
        self.store.as_ref()
    }

    /// `GET /api/app-config`: the newest admin app-config's content, or `{}`.
    pub fn app_config(&self) -> Arc<Value> {
        match self.app_config.read() {
            Ok(current) => Arc::clone(&current),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// `GET /api/events`: the feed.
    pub async fn feed(&self, request: &FeedRequest) -> Result<Vec<StoredEvent>, ReadError> {
        let Some(page) = request.page else {
            return Ok(Vec::new());
        };
        let min_reactions = self.min_reactions(&request.filter);
        Ok(self
            .store
            .feed(&request.filter, min_reactions, page)
            .await?)
    }

    /// `GET /api/search` and the search page: visible posts and replies with every word of
    /// `query`, filtered as the feed is, newest first ([`crate::search`]).
    pub async fn search(
        &self,
        query: &SearchQuery,
        request: &FeedRequest,
    ) -> Result<Vec<StoredEvent>, ReadError> {
        let Some(page) = request.page else {
            return Ok(Vec::new());
        };
        let min_reactions = self.min_reactions(&request.filter);
        Ok(self
            .store
            .search(query, &request.filter, min_reactions, page)
            .await?)
    }

    /// The hot or rising threshold a filter asks for.
    fn min_reactions(&self, filter: &FeedFilter) -> Option<i64> {
        let settings = self.settings();
        filter.activity.map(|activity| match activity {
            Activity::Hot => settings.feed_filters_activity_hot,
            Activity::Rising => settings.feed_filters_activity_rising,
        })
    }

    /// The events the host pinned ([`crate::settings::Settings::pinned_ids`]) that this
    /// server holds and shows (not deleted), in the order listed.
    pub async fn pinned(&self) -> Result<Vec<StoredEvent>, ReadError> {
        let settings = self.settings();
        let mut pinned = Vec::new();
        for id in settings.pinned_ids.iter() {
            if let Some(event) = self.store.event_by_id(&id.to_string()).await? {
                pinned.push(event);
            }
        }
        Ok(pinned)
    }

    /// The event with any of its ids: a `spasmid01`, signature, Nostr hex id, `note1`,
    /// `nevent1`, URL or guid, or a short prefix of one when short ids are on.
    pub async fn event(&self, id: &str) -> Result<Option<StoredEvent>, ReadError> {
        let id = lookup_id(id);
        let id = id.as_str();
        if id.is_empty() {
            return Err(ReadError::BadRequest("ERROR: no event id given".into()));
        }
        if let Some(event) = self.store.event_by_id(id).await? {
            return Ok(Some(event));
        }
        let settings = self.settings();
        let short_length =
            usize::try_from(settings.short_urls_length_of_web3_ids).unwrap_or(usize::MAX);
        let is_short_id = settings.enable_short_urls_for_web3_actions
            && short_length >= 15
            && id.chars().count() == short_length
            && !is_valid_url(id);
        if is_short_id {
            return Ok(self.store.event_by_id_prefix(id).await?);
        }
        Ok(None)
    }

    /// The event with its reply tree down to `depth` levels (at most [`MAX_COMMENTS_DEPTH`])
    /// as a `SpasmEventEnvelopeWithTreeV2`, JSON text.
    pub async fn event_with_tree(
        &self,
        root: &StoredEvent,
        depth: u32,
    ) -> Result<String, ReadError> {
        let depth = depth.min(MAX_COMMENTS_DEPTH);
        let mut levels: Vec<Vec<StoredEvent>> = Vec::new();
        let mut parents = vec![root.key];
        let mut remaining = self.limits.max_tree_events;
        for _ in 0..depth {
            if parents.is_empty() || remaining == 0 {
                break;
            }
            let level = self.store.replies(&parents, remaining).await?;
            remaining = remaining.saturating_sub(u32::try_from(level.len()).unwrap_or(u32::MAX));
            parents = level.iter().map(|event| event.key).collect();
            levels.push(level);
        }
        let mut out = String::new();
        write_tree(&mut out, root, &levels, 0);
        Ok(out)
    }

    /// `GET /api/events/children`: events whose parent is one of `ids`, with one of
    /// `actions` (`any` for all).
    pub async fn children(
        &self,
        ids: &[&str],
        actions: &[&str],
        page: Page,
    ) -> Result<Vec<StoredEvent>, ReadError> {
        if ids.iter().all(|id| id.trim().is_empty()) {
            return Err(ReadError::BadRequest(
                "ERROR: no parent id given (use ?id=…)".into(),
            ));
        }
        if actions.is_empty() {
            return Err(ReadError::BadRequest(
                "ERROR: no action given (use ?action=reply, ?action=react or ?action=any)".into(),
            ));
        }
        let ids: Vec<String> = ids.iter().map(|id| lookup_id(id)).collect();
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        let parents = self.store.keys_of_ids(&ids).await?;
        let actions: Option<Vec<String>> = (!actions.contains(&"any"))
            .then(|| actions.iter().map(|action| (*action).to_owned()).collect());
        Ok(self
            .store
            .children(&parents, actions.as_deref(), page)
            .await?)
    }

    /// `GET /api/authors/:id`: events the author verifiably signed.
    pub async fn author_events(&self, id: &str, page: Page) -> Result<Vec<StoredEvent>, ReadError> {
        let author = AuthorAddress::parse(id)?;
        Ok(self.store.by_author(&author, page).await?)
    }

    /// The reactions the keys `signers` (Ethereum addresses, Nostr keys in hex or npub) gave
    /// to the events `ids` (any of their ids): `(id, reaction name)`, so that a page can mark
    /// what its visitor already did. At most two keys (a visitor signs with an Ethereum
    /// wallet, a Nostr extension or both) and [`MAX_IDS_PER_REACTIONS_QUERY`] ids.
    ///
    /// # Errors
    /// [`ReadError::BadRequest`] for a key that is not an address or for too many keys or
    /// ids; [`ReadError::Storage`] when the store fails.
    pub async fn reactions_by(
        &self,
        signers: &[String],
        ids: &[String],
    ) -> Result<Vec<(String, String)>, ReadError> {
        if signers.len() > 2 || ids.len() > MAX_IDS_PER_REACTIONS_QUERY {
            return Err(ReadError::BadRequest(format!(
                "ERROR: ask about at most 2 keys and {MAX_IDS_PER_REACTIONS_QUERY} events at once"
            )));
        }
        let signers = signers
            .iter()
            .map(|signer| AuthorAddress::parse(signer))
            .collect::<Result<Vec<_>, _>>()?;
        let signers: Vec<&str> = signers.iter().map(AuthorAddress::as_str).collect();
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        Ok(self.store.reactions_by(&signers, &ids).await?)
    }

    /// What a Nostr key (hex or npub) says about itself in its newest stored profile;
    /// `None` for other keys, unknown profiles and profiles with nothing to show.
    pub async fn nostr_profile(&self, id: &str) -> Result<Option<NostrProfile>, ReadError> {
        let author = AuthorAddress::parse(id)?;
        if author.as_str().starts_with("0x") {
            return Ok(None);
        }
        let stored = self.store.nostr_profile(&author).await?;
        Ok(stored
            .and_then(|stored| stored.profile())
            .filter(|profile| !profile.is_empty()))
    }

    /// The newest `app-config-federation-list` signed by a current admin: its content (the
    /// JSON array `GET /api/federation-list` serves) and its sources.
    pub async fn federation_list(&self) -> Result<Option<(Value, Vec<Source>)>, ReadError> {
        let base = self.settings.base().clone();
        for stored in self
            .store
            .latest_admin_events(FEDERATION_LIST_ACTION, 20)
            .await?
        {
            if stored.action != FEDERATION_LIST_ACTION {
                continue;
            }
            let is_admin =
                AuthorAddress::parse(&stored.signer).is_ok_and(|signer| base.is_admin(&signer));
            if !is_admin {
                continue;
            }
            let (Ok(content), Ok(sources)) = (
                serde_json::from_str::<Value>(&stored.content),
                parse_admin_list(&stored.content),
            ) else {
                continue;
            };
            return Ok(Some((content, sources)));
        }
        Ok(None)
    }

    /// Records whether the instance pulls its sources (`ENABLE_SPASM_MODULE`).
    pub fn set_federation_enabled(&self, enabled: bool) {
        self.federation_enabled
            .store(enabled, std::sync::atomic::Ordering::Relaxed);
    }

    /// Whether the instance pulls its sources.
    pub fn federation_enabled(&self) -> bool {
        self.federation_enabled
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Sets the sources the host configured (environment, TOML).
    pub fn set_host_sources(&self, sources: Vec<Source>) {
        let sources = Arc::new(sources);
        match self.host_sources.write() {
            Ok(mut current) => *current = sources,
            Err(poisoned) => *poisoned.into_inner() = sources,
        }
        self.network_changed.notify_one();
    }

    /// Every source pulled: the host's, then the admin's (a name the host used is the
    /// host's). The admin's are left out, with a log line, when the store cannot say.
    pub async fn sources(&self) -> Vec<Source> {
        let mut sources: Vec<Source> = match self.host_sources.read() {
            Ok(current) => current.as_ref().clone(),
            Err(poisoned) => poisoned.into_inner().as_ref().clone(),
        };
        let admin = match self.federation_list().await {
            Ok(list) => list.map(|(_, sources)| sources).unwrap_or_default(),
            Err(error) => {
                tracing::warn!(%error, "cannot read the admin's federation sources");
                Vec::new()
            }
        };
        for source in admin {
            if sources.iter().any(|known| known.name == source.name) {
                tracing::debug!(name = %source.name, "an admin's source has the name of one the host configured; the host's is used");
                continue;
            }
            sources.push(source);
        }
        sources
    }

    /// The moderation audit trail.
    pub async fn moderations(&self, page: Page) -> Result<Vec<ModerationRecord>, ReadError> {
        Ok(self.store.moderations(page).await?)
    }
}

/// Writes `event` as an envelope with tree; `levels[depth]` holds the replies one level
/// below it.
fn write_tree(out: &mut String, event: &StoredEvent, levels: &[Vec<StoredEvent>], depth: usize) {
    let children: Vec<&StoredEvent> = levels
        .get(depth)
        .map(|level| {
            level
                .iter()
                .filter(|child| child.parent_key == Some(event.key))
                .collect()
        })
        .unwrap_or_default();
    if children.is_empty() {
        event.write_envelope(out, "SpasmEventEnvelopeWithTreeV2", None);
        return;
    }
    let mut children_json = String::from("[");
    for (index, child) in children.iter().enumerate() {
        if index > 0 {
            children_json.push(',');
        }
        children_json.push_str(r#"{"event":"#);
        write_tree(&mut children_json, child, levels, depth + 1);
        children_json.push('}');
    }
    children_json.push(']');
    event.write_envelope(out, "SpasmEventEnvelopeWithTreeV2", Some(&children_json));
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or_default()
}

/// An event id as it is stored: bare and lower-case bech32 ([`bare_identifier`]), a `note`
/// or `nevent` decoded to its hex id, hex ids (a Nostr id, a `spasmid01`) in lower case.
/// URLs and guids keep their case.
pub fn lookup_id(id: &str) -> String {
    let id = bare_identifier(id);
    let decoded = if id.starts_with("note1") {
        decode_note(&id).ok().map(|id| id.to_string())
    } else if id.starts_with("nevent1") {
        decode_nevent(&id).ok().map(|nevent| nevent.id.to_string())
    } else {
        None
    };
    if let Some(decoded) = decoded {
        return decoded;
    }
    let hex = id.strip_prefix("spasmid01").unwrap_or(&id);
    if hex.len() == 64 && hex.bytes().all(|byte| byte.is_ascii_hexdigit()) {
        return id.to_ascii_lowercase();
    }
    id.into_owned()
}
