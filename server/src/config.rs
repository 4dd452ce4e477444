//! Instance configuration: defaults, then an optional TOML file, then environment variables,
//! then command-line flags. `spasm-forum check-config` prints the result (secrets redacted).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use forum::network::sources::{
    ConfiguredBy, Source, SourceSpec, parse_custom_links, sources_from_specs,
};
use forum::nostr::RelayUrl;
use forum::screen::TagLimits;
use forum::storage::WriteLimits;
use forum::{ForumLimits, Settings};
use outgoing::OutgoingPolicy;

use crate::feeds::FeedChannel;
use serde::Deserialize;
use serde_json::{Map, Value};

/// The Spasm forum: one binary with the site, the storage and the Spasm HTTP API.
#[derive(Debug, Parser)]
#[command(name = "spasm-forum", version, about)]
pub struct Cli {
    /// What to do; `serve` when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Settings when no subcommand is given.
    #[command(flatten)]
    pub options: Options,
    /// How log lines are written on stderr: `text` for people, `json` (one object per line)
    /// for log collectors.
    #[arg(long, global = true, env = "SPASM_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
}

/// The shape of log lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line (tracing-subscriber's JSON format).
    Json,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start the forum (the default).
    Serve(Options),
    /// Create or update the database schema, then exit.
    Migrate(Options),
    /// Read and check the configuration, print it with secrets redacted, then exit.
    CheckConfig(Options),
    /// Move in from an existing degenrocket-server or spasm-forum-server: every event of its
    /// PostgreSQL database is verified again and stored here; run again to continue a run
    /// that stopped.
    Import(ImportArgs),
    /// Check the database file and that stored events still verify against their signed
    /// material, then exit (non-zero when anything fails).
    Check(CheckArgs),
    /// Copy the SQLite database to FILE while the forum serves (a consistent snapshot),
    /// then exit. For PostgreSQL use `pg_dump` (see the README).
    Backup(BackupArgs),
    /// Make the backup FILE the SQLite database of the data directory (refused while a
    /// forum process has it open; the replaced database is kept beside it), then exit.
    Restore(BackupArgs),
}

/// `spasm-forum backup FILE` and `spasm-forum restore FILE`.
#[derive(Debug, Clone, Args)]
pub struct BackupArgs {
    /// The backup file.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Where the forum keeps its data.
    #[command(flatten)]
    pub options: Options,
}

/// `spasm-forum import`.
#[derive(Debug, Clone, Args)]
pub struct ImportArgs {
    /// The old server's PostgreSQL database, `postgres://user:password@host:port/database`;
    /// it is only read.
    #[arg(
        value_name = "OLD_DATABASE_URL",
        env = "SPASM_IMPORT_FROM",
        hide_env_values = true
    )]
    pub source: String,
    /// Rows read at once from each old table, and rows between two records of where the
    /// import stands.
    #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub batch_rows: u32,
    /// Where the forum keeps its data.
    #[command(flatten)]
    pub options: Options,
}

/// `spasm-forum check`.
#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    /// Check every stored event, not a random sample.
    #[arg(long)]
    pub full: bool,
    /// Rows of each table in the random sample.
    #[arg(long, default_value_t = forum::check::DEFAULT_SAMPLE_ROWS, conflicts_with = "full", value_parser = clap::value_parser!(u32).range(1..))]
    pub sample: u32,
    /// Where the forum keeps its data.
    #[command(flatten)]
    pub options: Options,
}

impl CheckArgs {
    /// How many stored events to check.
    pub fn scope(&self) -> forum::check::CheckScope {
        if self.full {
            forum::check::CheckScope::Full
        } else {
            forum::check::CheckScope::Sample {
                rows_per_table: self.sample,
            }
        }
    }
}

impl Command {
    /// The flags and variables shared by every subcommand.
    pub fn options(&self) -> &Options {
        match self {
            Self::Serve(options) | Self::Migrate(options) | Self::CheckConfig(options) => options,
            Self::Import(args) => &args.options,
            Self::Check(args) => &args.options,
            Self::Backup(args) | Self::Restore(args) => &args.options,
        }
    }
}

/// Flags and variables shared by every subcommand; each overrides the TOML file.
#[derive(Debug, Clone, Default, Args)]
pub struct Options {
    /// A TOML configuration file.
    #[arg(long, env = "SPASM_CONFIG")]
    pub config: Option<PathBuf>,
    /// Address and port to listen on [default: 127.0.0.1:3000]. Port 0 picks a free port;
    /// the chosen address is printed as `listening on http://ADDRESS`.
    #[arg(long, env = "SPASM_LISTEN")]
    pub listen: Option<SocketAddr>,
    /// Directory for the SQLite database; created if missing [default: data].
    #[arg(long, env = "SPASM_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// PostgreSQL URL (`postgres://…`). When unset, SQLite in the data directory is used.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// What this process does: `all` (the default), `web` (pages and API, no background
    /// jobs) or `jobs` (background jobs, with only health and metrics over HTTP). Several
    /// processes on one PostgreSQL may take any roles; each job group runs in one at a time.
    #[arg(long, env = "SPASM_ROLE", value_enum)]
    pub role: Option<Role>,
}

/// What a `serve` process does.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Pages, API and background jobs.
    #[default]
    All,
    /// Pages and API only.
    Web,
    /// Background jobs only (HTTP serves `/healthz`, `/api/health` and `/metrics`).
    Jobs,
}

impl Role {
    /// Whether this process serves pages and the API.
    pub fn serves_web(self) -> bool {
        matches!(self, Self::All | Self::Web)
    }

    /// Whether this process takes part in running background jobs.
    pub fn runs_jobs(self) -> bool {
        matches!(self, Self::All | Self::Jobs)
    }
}

/// The HTTP surface's deployment settings (`[http]` in TOML).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HttpConfig {
    /// Proxies whose `X-Forwarded-For` and `Forwarded` headers are believed (addresses and
    /// CIDR ranges): TOML `trusted_proxies`, then `SPASM_TRUSTED_PROXIES` (comma-separated).
    /// Empty: the headers are ignored and the peer address is the client's.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// The site is served over https (by a proxy in front): responses carry HSTS. TOML
    /// `https`, `SPASM_HTTPS=true`.
    pub https: bool,
    /// A second address serving only `/metrics` (and health), for a scraper that should not
    /// reach the site: TOML `metrics_listen`, `SPASM_METRICS_LISTEN`. `/metrics` is served
    /// on the main address too unless this is set.
    pub metrics_listen: Option<SocketAddr>,
    /// How long a shutdown waits for requests in flight, in seconds (then it exits anyway).
    pub shutdown_grace_seconds: u64,
}

/// `[http]` as written in the TOML file.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct FileHttp {
    trusted_proxies: Vec<String>,
    https: Option<bool>,
    metrics_listen: Option<SocketAddr>,
    shutdown_grace_seconds: Option<u64>,
}

/// A proxy address or range: `10.0.0.1`, `10.0.0.0/8`, `::1`.
fn parse_proxy(text: &str) -> Result<ipnet::IpNet, ConfigError> {
    let text = text.trim();
    text.parse::<ipnet::IpNet>()
        .or_else(|_| text.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
        .map_err(|_| {
            ConfigError::Http(format!(
                "trusted proxy {text:?}: expected an IP address or a CIDR range such as 10.0.0.0/8"
            ))
        })
}

impl HttpConfig {
    fn load(file: FileHttp, lookup: &impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let mut trusted_proxies = file
            .trusted_proxies
            .iter()
            .map(|text| parse_proxy(text))
            .collect::<Result<Vec<_>, _>>()?;
        if let Some(list) = lookup("SPASM_TRUSTED_PROXIES") {
            for text in list.split(',').filter(|text| !text.trim().is_empty()) {
                trusted_proxies.push(parse_proxy(text)?);
            }
        }
        let https = match lookup("SPASM_HTTPS").as_deref().map(str::trim) {
            Some("true") => true,
            Some("false") => false,
            Some(other) => {
                return Err(ConfigError::Http(format!(
                    "environment variable SPASM_HTTPS: expected true or false, found {other:?}"
                )));
            }
            None => file.https.unwrap_or(false),
        };
        let metrics_listen = match lookup("SPASM_METRICS_LISTEN") {
            Some(text) => Some(text.trim().parse().map_err(|_| {
                ConfigError::Http(format!(
                    "environment variable SPASM_METRICS_LISTEN: expected an address and port such as 127.0.0.1:9100, found {text:?}"
                ))
            })?),
            None => file.metrics_listen,
        };
        Ok(Self {
            trusted_proxies,
            https,
            metrics_listen,
            shutdown_grace_seconds: file.shutdown_grace_seconds.unwrap_or(30),
        })
    }
}

impl Cli {
    /// The subcommand, `serve` when none was named.
    pub fn into_command(self) -> Command {
        self.command.unwrap_or(Command::Serve(self.options))
    }
}

/// Protection limits of the HTTP layer and the service.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// The largest request body, in bytes.
    pub max_request_bytes: usize,
    /// The largest event, in bytes.
    pub max_event_bytes: usize,
    /// The longest title, in characters.
    pub max_title_chars: usize,
    /// The longest content, in characters.
    pub max_content_chars: usize,
    /// The most tags in one event's tag list.
    pub max_tags: usize,
    /// The most elements in one tag.
    pub max_tag_elements: usize,
    /// The longest tag element, in characters.
    pub max_tag_element_chars: usize,
    /// Seconds before a request is answered with 408.
    pub request_timeout_seconds: u64,
    /// Submits per minute from one IP address (0: no limit).
    pub submits_per_minute_per_ip: u32,
    /// Submits at once from one IP address.
    pub submit_burst_per_ip: u32,
    /// Submits per minute by one signing key (0: no limit).
    pub submits_per_minute_per_key: u32,
    /// Submits at once by one signing key.
    pub submit_burst_per_key: u32,
    /// Writes that may wait for the database's writer; one more is answered 503 with
    /// `Retry-After`.
    pub write_queue: usize,
}

impl Default for Limits {
    fn default() -> Self {
        let forum = ForumLimits::default();
        Self {
            max_request_bytes: 1024 * 1024,
            max_event_bytes: forum.max_event_bytes,
            max_title_chars: forum.max_title_chars,
            max_content_chars: forum.max_content_chars,
            max_tags: forum.tags.max_tags,
            max_tag_elements: forum.tags.max_tag_elements,
            max_tag_element_chars: forum.tags.max_tag_element_chars,
            request_timeout_seconds: 30,
            submits_per_minute_per_ip: forum.submits_per_minute_per_address,
            submit_burst_per_ip: forum.submit_burst_per_address,
            submits_per_minute_per_key: forum.submits_per_minute_per_key,
            submit_burst_per_key: forum.submit_burst_per_key,
            write_queue: WriteLimits::default().queue,
        }
    }
}

impl Limits {
    /// The service's share of the limits.
    pub fn forum_limits(&self) -> ForumLimits {
        ForumLimits {
            max_event_bytes: self.max_event_bytes,
            max_title_chars: self.max_title_chars,
            max_content_chars: self.max_content_chars,
            submits_per_minute_per_key: self.submits_per_minute_per_key,
            submit_burst_per_key: self.submit_burst_per_key,
            submits_per_minute_per_address: self.submits_per_minute_per_ip,
            submit_burst_per_address: self.submit_burst_per_ip,
            tags: TagLimits {
                max_tags: self.max_tags,
                max_tag_elements: self.max_tag_elements,
                max_tag_element_chars: self.max_tag_element_chars,
            },
            ..ForumLimits::default()
        }
    }

    /// The request timeout.
    pub fn request_timeout(&self) -> Duration {
        Duration::from_secs(self.request_timeout_seconds.max(1))
    }

    /// The write queue's bounds. A write not started within a third of the request timeout
    /// is withdrawn and answered 503, which leaves the rest of the timeout for a started
    /// write to commit: a stored event is never answered 408.
    pub fn write_limits(&self) -> WriteLimits {
        WriteLimits {
            queue: self.write_queue.max(1),
            wait: self.request_timeout() / 3,
        }
    }
}

/// The whole configuration of an instance.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Where to listen.
    pub listen: SocketAddr,
    /// The data directory (SQLite).
    pub data_dir: PathBuf,
    /// PostgreSQL, when set.
    pub database_url: Option<String>,
    /// Protection limits.
    pub limits: Limits,
    /// The instance's policy.
    pub settings: Settings,
    /// Pulling from other instances and feeds, and what the server may fetch.
    pub federation: Federation,
    /// The channel of the instance's RSS feeds.
    pub feed_channel: FeedChannel,
    /// The instance's public address (`SPASM_INSTANCE_URL`, `[federation] instance_url`),
    /// for the pages' canonical and OpenGraph addresses.
    pub site_address: app::urls::SiteAddress,
    /// The Nostr relays the server publishes to and reads from.
    pub nostr: NostrConfig,
    /// What this process does.
    pub role: Role,
    /// Proxies, https, the metrics address.
    pub http: HttpConfig,
}

/// Nostr relays (`[nostr]` in TOML).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NostrConfig {
    /// The host's relays: TOML `relays`, then `NOSTR_DEFAULT_RELAYS` (comma-separated, as
    /// the existing web client names it); none by default.
    pub relays: Vec<RelayUrl>,
}

/// `[nostr]` as written in the TOML file.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct FileNostr {
    relays: Vec<String>,
}

impl NostrConfig {
    fn load(
        file: FileNostr,
        lookup: &impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let mut relays: Vec<RelayUrl> = Vec::new();
        for text in &file.relays {
            let relay = RelayUrl::parse(text)
                .map_err(|error| ConfigError::Nostr(format!("[nostr] relays: {error}")))?;
            if !relays.contains(&relay) {
                relays.push(relay);
            }
        }
        if let Some(list) = lookup("NOSTR_DEFAULT_RELAYS") {
            for relay in RelayUrl::parse_list(&list)
                .map_err(|error| ConfigError::Nostr(format!("NOSTR_DEFAULT_RELAYS: {error}")))?
            {
                if !relays.contains(&relay) {
                    relays.push(relay);
                }
            }
        }
        Ok(Self { relays })
    }
}

/// Federation, feeds and outgoing requests (`[federation]` in TOML).
#[derive(Debug, Clone, PartialEq)]
pub struct Federation {
    /// Whether sources are pulled at all (`ENABLE_SPASM_MODULE`, default true).
    pub enabled: bool,
    /// The host's sources: TOML `[[federation.sources]]`, then `FEDERATION_CUSTOM_LINKS`.
    pub sources: Vec<Source>,
    /// Bounds and address rules of every request the server makes.
    pub outgoing: OutgoingPolicy,
}

/// `[federation]` as written in the TOML file.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct FileFederation {
    enabled: Option<bool>,
    sources: Vec<SourceSpec>,
    allow_private_network: Option<bool>,
    allowed_hosts: Vec<String>,
    instance_url: Option<String>,
    request_timeout_seconds: Option<u64>,
    max_answer_bytes: Option<usize>,
}

impl Federation {
    fn load(
        file: FileFederation,
        lookup: &impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let flag = |name: &str, default: Option<bool>| -> Result<bool, ConfigError> {
            match lookup(name) {
                Some(value) => match value.trim() {
                    "true" => Ok(true),
                    "false" => Ok(false),
                    _ => Err(ConfigError::Federation(format!(
                        "environment variable {name}: expected true or false, found {value:?}"
                    ))),
                },
                None => Ok(default.unwrap_or(false)),
            }
        };
        let mut sources = sources_from_specs(file.sources, ConfiguredBy::File)
            .map_err(|error| ConfigError::Federation(format!("[federation] sources: {error}")))?;
        if let Some(links) = lookup("FEDERATION_CUSTOM_LINKS") {
            for source in parse_custom_links(&links).map_err(|error| {
                ConfigError::Federation(format!("FEDERATION_CUSTOM_LINKS: {error}"))
            })? {
                if sources.iter().any(|known| known.name == source.name) {
                    return Err(ConfigError::Federation(format!(
                        "FEDERATION_CUSTOM_LINKS: a source named {:?} is in the TOML file too",
                        source.name
                    )));
                }
                sources.push(source);
            }
        }
        let mut allowed_hosts = file.allowed_hosts;
        if let Some(hosts) = lookup("SPASM_OUTGOING_ALLOWED_HOSTS") {
            allowed_hosts.extend(
                hosts
                    .split(',')
                    .map(str::trim)
                    .filter(|host| !host.is_empty())
                    .map(str::to_owned),
            );
        }
        let instance_url = lookup("SPASM_INSTANCE_URL").or(file.instance_url);
        let defaults = OutgoingPolicy::default();
        Ok(Self {
            enabled: flag("ENABLE_SPASM_MODULE", Some(file.enabled.unwrap_or(true)))?,
            sources,
            outgoing: OutgoingPolicy {
                allow_private_network: flag(
                    "SPASM_ALLOW_PRIVATE_NETWORK",
                    file.allow_private_network,
                )?,
                allowed_hosts,
                total_timeout: file
                    .request_timeout_seconds
                    .map_or(defaults.total_timeout, |seconds| {
                        Duration::from_secs(seconds.max(1))
                    }),
                max_body_bytes: file.max_answer_bytes.unwrap_or(defaults.max_body_bytes),
                user_agent: OutgoingPolicy::user_agent_for(instance_url.as_deref()),
                ..defaults
            },
        })
    }
}

/// The TOML file: top-level server keys, `[limits]` and `[policy]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    listen: Option<SocketAddr>,
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
    #[serde(default)]
    limits: Option<toml::Table>,
    #[serde(default)]
    policy: Option<toml::Table>,
    #[serde(default)]
    federation: FileFederation,
    #[serde(default)]
    nostr: FileNostr,
    role: Option<Role>,
    #[serde(default)]
    http: FileHttp,
}

/// Why the configuration is unusable.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read the configuration file {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The file is not valid TOML of the expected shape.
    #[error("invalid configuration file {path}: {message}")]
    Parse {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// A limit variable is malformed.
    #[error("environment variable {name}: expected a whole number, found {value:?}")]
    LimitVariable {
        /// The variable.
        name: String,
        /// Its text.
        value: String,
    },
    /// The policy is invalid.
    #[error(transparent)]
    Settings(#[from] forum::settings::SettingsError),
    /// A Nostr setting is invalid.
    #[error("{0}")]
    Nostr(String),
    /// A federation setting is invalid.
    #[error("{0}")]
    Federation(String),
    /// An `[http]` setting is invalid.
    #[error("{0}")]
    Http(String),
}

/// Environment variables of the limits: `SPASM_` + the key in upper case.
const LIMIT_VARIABLES: [&str; 13] = [
    "max_request_bytes",
    "max_event_bytes",
    "max_title_chars",
    "max_content_chars",
    "max_tags",
    "max_tag_elements",
    "max_tag_element_chars",
    "request_timeout_seconds",
    "submits_per_minute_per_ip",
    "submit_burst_per_ip",
    "submits_per_minute_per_key",
    "submit_burst_per_key",
    "write_queue",
];

impl Config {
    /// Reads the configuration: defaults, the TOML file, the environment (`lookup`), flags.
    pub fn load(
        options: &Options,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let file = match &options.config {
            Some(path) => read_file(path)?,
            None => FileConfig::default(),
        };
        let path_text = options
            .config
            .as_ref()
            .map(|path| path.display().to_string())
            .unwrap_or_default();
        let mut limits_table = toml_to_json(file.limits.unwrap_or_default());
        for key in LIMIT_VARIABLES {
            let name = format!("SPASM_{}", key.to_uppercase());
            if let Some(value) = lookup(&name) {
                let number: u64 = value
                    .trim()
                    .parse()
                    .map_err(|_| ConfigError::LimitVariable {
                        name: name.clone(),
                        value: value.clone(),
                    })?;
                limits_table.insert(key.into(), Value::from(number));
            }
        }
        let limits: Limits =
            serde_json::from_value(Value::Object(limits_table)).map_err(|error| {
                ConfigError::Parse {
                    path: path_text.clone(),
                    message: format!("[limits]: {error}"),
                }
            })?;
        let settings = Settings::default()
            .with_toml_table(&toml_to_json(file.policy.unwrap_or_default()))?
            .with_environment(&lookup)?;
        let instance_url = lookup("SPASM_INSTANCE_URL").or(file.federation.instance_url.clone());
        let site_address = app::urls::SiteAddress::parse(instance_url.as_deref())
            .map_err(|error| ConfigError::Federation(format!("SPASM_INSTANCE_URL: {error}")))?;
        let mut feed_channel = FeedChannel::from_environment(&lookup);
        if feed_channel.link.is_none() {
            // The TOML file's address serves the feeds as the environment's does.
            feed_channel.link = site_address.as_str().map(str::to_owned);
        }
        let federation = Federation::load(file.federation, &lookup)?;
        let nostr = NostrConfig::load(file.nostr, &lookup)?;
        let http = HttpConfig::load(file.http, &lookup)?;
        Ok(Self {
            role: options.role.or(file.role).unwrap_or_default(),
            http,
            listen: options
                .listen
                .or(file.listen)
                .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 3000))),
            data_dir: options
                .data_dir
                .clone()
                .or(file.data_dir)
                .unwrap_or_else(|| PathBuf::from("data")),
            database_url: options.database_url.clone().or(file.database_url),
            limits,
            settings,
            federation,
            nostr,
            feed_channel,
            site_address,
        })
    }

    /// The configuration as `check-config` prints it, with the database password redacted.
    pub fn describe(&self) -> String {
        let database = match &self.database_url {
            Some(url) => format!("PostgreSQL {}", redact_url(url)),
            None => format!("SQLite in {}", self.data_dir.display()),
        };
        let policy = serde_json::to_string_pretty(&self.settings).unwrap_or_default();
        let mut sources = String::new();
        for source in &self.federation.sources {
            sources.push_str(&format!(
                "\n  {} <{}> every {} s{}",
                source.name,
                source.url,
                source.every.as_secs(),
                if source.paused { " (paused)" } else { "" }
            ));
        }
        format!(
            "listen: {}\nrole: {:?}\ntrusted proxies: {:?}\nhttps: {}\nmetrics: {}\ndatabase: {database}\nlimits: {:?}\npolicy: {policy}\nfederation: {}, \
             private networks {}, allowed hosts {:?}, user agent {:?}\nsources:{}\nnostr relays: {}\n",
            self.listen,
            self.role,
            self.http.trusted_proxies,
            self.http.https,
            self.http.metrics_listen.map_or_else(
                || "/metrics on the main address".to_owned(),
                |address| format!("on {address}")
            ),
            self.limits,
            if self.federation.enabled { "on" } else { "off" },
            if self.federation.outgoing.allow_private_network {
                "allowed"
            } else {
                "refused"
            },
            self.federation.outgoing.allowed_hosts,
            self.federation.outgoing.user_agent,
            if sources.is_empty() {
                " none".into()
            } else {
                sources
            },
            if self.nostr.relays.is_empty() {
                "none".to_owned()
            } else {
                self.nostr
                    .relays
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        )
    }
}

fn read_file(path: &Path) -> Result<FileConfig, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.display().to_string(),
        source,
    })?;
    toml::from_str(&text).map_err(|error| ConfigError::Parse {
        path: path.display().to_string(),
        message: error.to_string(),
    })
}

fn toml_to_json(table: toml::Table) -> Map<String, Value> {
    match serde_json::to_value(table) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    }
}

/// A database URL with any password replaced by `***`, for logs.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return "***".to_string();
    };
    let Some((credentials, host)) = rest.rsplit_once('@') else {
        return url.to_string();
    };
    match credentials.split_once(':') {
        Some((user, _password)) => format!("{scheme}://{user}:***@{host}"),
        None => format!("{scheme}://{credentials}@{host}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_reach_the_log() {
        assert_eq!(
            redact_url("postgres://forum:s3cret@db:5432/forum"),
            "postgres://forum:***@db:5432/forum"
        );
        assert_eq!(
            redact_url("postgres://forum@db/forum"),
            "postgres://forum@db/forum"
        );
        assert_eq!(redact_url("postgres://db/forum"), "postgres://db/forum");
        assert_eq!(redact_url("garbage"), "***");
    }

    #[test]
    fn serve_is_the_default_command() {
        let cli = Cli::parse_from(["spasm-forum", "--listen", "127.0.0.1:0"]);
        let Command::Serve(options) = cli.into_command() else {
            panic!("not serve");
        };
        assert_eq!(options.listen.unwrap().port(), 0);
        let cli = Cli::parse_from(["spasm-forum", "migrate", "--data-dir", "/tmp/x"]);
        assert!(matches!(cli.into_command(), Command::Migrate(_)));
    }

    #[test]
    fn import_takes_the_old_database_and_check_a_scope() {
        let cli = Cli::parse_from([
            "spasm-forum",
            "import",
            "postgres://old@db/spasm_database",
            "--data-dir",
            "/srv/forum",
        ]);
        let Command::Import(args) = cli.into_command() else {
            panic!("not import");
        };
        assert_eq!(args.source, "postgres://old@db/spasm_database");
        assert_eq!(args.batch_rows, 500);
        assert_eq!(args.options.data_dir, Some(PathBuf::from("/srv/forum")));
        let cli = Cli::parse_from(["spasm-forum", "check"]);
        let Command::Check(args) = cli.into_command() else {
            panic!("not check");
        };
        assert_eq!(
            args.scope(),
            forum::check::CheckScope::Sample {
                rows_per_table: 1_000
            }
        );
        let cli = Cli::parse_from(["spasm-forum", "check", "--full"]);
        let Command::Check(args) = cli.into_command() else {
            panic!("not check");
        };
        assert_eq!(args.scope(), forum::check::CheckScope::Full);
        assert!(Cli::try_parse_from(["spasm-forum", "check", "--full", "--sample", "5"]).is_err());
    }

    #[test]
    fn flags_beat_environment_beats_file_beats_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("forum.toml");
        std::fs::write(
            &path,
            "listen = \"127.0.0.1:4000\"\ndata_dir = \"/srv/forum\"\n\
             [limits]\nsubmits_per_minute_per_ip = 5\n\
             [policy]\nenable_moderation = false\nmoderators = [\"0x19E7E376E7C213B7E7e7e46cc70A5dD086DAff2A\"]\n",
        )
        .unwrap();
        let options = Options {
            config: Some(path),
            data_dir: Some(PathBuf::from("/flag")),
            ..Options::default()
        };
        let config = Config::load(&options, |name| match name {
            "SPASM_SUBMITS_PER_MINUTE_PER_IP" => Some("7".into()),
            "ENABLE_MODERATION" => Some("true".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(config.listen.port(), 4000);
        assert_eq!(config.data_dir, PathBuf::from("/flag"));
        assert_eq!(config.limits.submits_per_minute_per_ip, 7);
        assert!(config.settings.enable_moderation);
        assert_eq!(config.settings.moderators.iter().count(), 1);
        let defaults = Config::load(&Options::default(), |_| None).unwrap();
        assert_eq!(defaults.listen.port(), 3000);
        assert_eq!(defaults.data_dir, PathBuf::from("data"));
    }

    #[test]
    fn mistakes_are_reported_with_their_place() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("forum.toml");
        std::fs::write(&path, "[policy]\nenable_moderatoin = true\n").unwrap();
        let options = Options {
            config: Some(path),
            ..Options::default()
        };
        let error = Config::load(&options, |_| None).unwrap_err().to_string();
        assert!(
            error.contains("enableModeratoin") || error.contains("moderatoin"),
            "{error}"
        );
        let error = Config::load(&Options::default(), |name| {
            (name == "SPASM_MAX_EVENT_BYTES").then(|| "lots".into())
        })
        .unwrap_err()
        .to_string();
        assert!(error.contains("SPASM_MAX_EVENT_BYTES"), "{error}");
    }

    #[test]
    fn federation_sources_come_from_the_file_and_the_existing_variable() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("forum.toml");
        std::fs::write(
            &path,
            "[federation]\nallowed_hosts = [\"peer.lan\"]\ninstance_url = \"https://forum.example\"\n\
             [[federation.sources]]\nurl = \"https://peer.example/api/events\"\nfrequency = \"15m\"\n",
        )
        .unwrap();
        let options = Options {
            config: Some(path),
            ..Options::default()
        };
        let config = Config::load(&options, |name| match name {
            "FEDERATION_CUSTOM_LINKS" => {
                Some("https://news.example/rss.xml|news|low|rss|News|true".into())
            }
            "SPASM_OUTGOING_ALLOWED_HOSTS" => Some("10.0.0.5".into()),
            _ => None,
        })
        .unwrap();
        let names: Vec<&str> = config
            .federation
            .sources
            .iter()
            .map(|source| source.name.as_str())
            .collect();
        assert_eq!(names, ["peer.example", "News"]);
        assert_eq!(
            config.federation.outgoing.allowed_hosts,
            ["peer.lan", "10.0.0.5"]
        );
        assert!(config.federation.enabled);
        assert!(!config.federation.outgoing.allow_private_network);
        assert!(
            config
                .federation
                .outgoing
                .user_agent
                .ends_with("(+https://forum.example)")
        );
        let error = Config::load(&Options::default(), |name| {
            (name == "FEDERATION_CUSTOM_LINKS").then(|| "ftp://x.example".into())
        })
        .unwrap_err()
        .to_string();
        assert!(
            error.contains("FEDERATION_CUSTOM_LINKS") && error.contains("not an http"),
            "{error}"
        );
        let error = Config::load(&Options::default(), |name| {
            (name == "ENABLE_SPASM_MODULE").then(|| "yes".into())
        })
        .unwrap_err()
        .to_string();
        assert!(error.contains("expected true or false"), "{error}");
    }
}
