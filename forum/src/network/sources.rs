//! Federation sources and feeds: where the instance pulls events from, as the host configures
//! them (the existing server's `FEDERATION_CUSTOM_LINKS`, TOML, or an admin-signed
//! `app-config-federation-list` event).
//!
//! A source is a URL; what it answers decides how it is read (as the current upstream
//! server does, by `Content-Type`): Spasm JSON from another instance, or an RSS or Atom feed.

use std::time::Duration;

use serde::{Deserialize, Serialize};

pub use spasm::body::{FEDERATION_LIST_ACTION, PULL_NOW_ACTION};

/// Who configured a source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ConfiguredBy {
    /// `FEDERATION_CUSTOM_LINKS` in the environment.
    Environment,
    /// The TOML file.
    File,
    /// An admin on the admin page (an `app-config-federation-list` event).
    Admin,
}

/// One source of events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// Its name: unique, shown with what it brought ("from degenrocket.space").
    pub name: String,
    /// What is fetched (`http` or `https`; a Spasm API query or a feed).
    pub url: String,
    /// The category given to a feed's posts (the existing server's rule: events from
    /// instances keep their own).
    pub category: Option<String>,
    /// How often it is pulled.
    pub every: Duration,
    /// Whether pages name it on what it brought.
    pub show_source: bool,
    /// Whether unsigned events from a Spasm source are taken (feeds' posts always are).
    pub trusted_for_unsigned: bool,
    /// Whether the host paused it.
    pub paused: bool,
    /// Who configured it.
    pub configured_by: ConfiguredBy,
}

impl Source {
    /// Its URL as pages show it: without a user name or password.
    pub fn shown_url(&self) -> String {
        match url::Url::parse(&self.url) {
            Ok(mut url) if !url.username().is_empty() || url.password().is_some() => {
                let _ = url.set_username("");
                let _ = url.set_password(None);
                url.to_string()
            }
            _ => self.url.clone(),
        }
    }

    /// The name of its background job.
    pub fn job_name(&self) -> String {
        format!("pull:{}", self.name)
    }
}

/// Why a source list was refused. The text is shown to the host.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SourceError {
    /// A URL that does not parse or is not http(s).
    #[error("source {position}: {url:?} is not an http or https URL")]
    BadUrl {
        /// Its position in the list, from 1.
        position: usize,
        /// The text.
        url: String,
    },
    /// A frequency that is not `high`, `medium`, `low` or a duration.
    #[error(
        "source {position}: the frequency {given:?} is not high, medium, low or a duration from 1s to 30d such as 30s, 15m, 2h or 1d"
    )]
    BadFrequency {
        /// Its position in the list, from 1.
        position: usize,
        /// The text.
        given: String,
    },
    /// Two sources with one name.
    #[error("two sources are named {0:?}; names must differ")]
    DuplicateName(String),
    /// The admin list is not a JSON array of sources.
    #[error("the list of sources must be a JSON array of objects with at least a url: {0}")]
    NotAList(String),
}

/// The existing server's frequencies: `high` 16 minutes, `medium` (the default) 59 minutes,
/// `low` 3 hours; or a duration (`30s`, `15m`, `2h`, `1d`, bare seconds), from 1 second to
/// 30 days.
pub fn parse_frequency(text: &str) -> Option<Duration> {
    let text = text.trim().to_ascii_lowercase();
    let minutes = |count: u64| Duration::from_secs(count * 60);
    match text.as_str() {
        "" | "medium" => return Some(minutes(59)),
        "high" => return Some(minutes(16)),
        "low" => return Some(minutes(180)),
        _ => {}
    }
    let split = text
        .find(|character: char| !character.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: u64 = number.parse().ok()?;
    let seconds = match unit.trim() {
        "" | "s" => number,
        "m" => number.checked_mul(60)?,
        "h" => number.checked_mul(3600)?,
        "d" => number.checked_mul(86_400)?,
        _ => return None,
    };
    (seconds > 0 && seconds <= MAX_FREQUENCY_SECS).then(|| Duration::from_secs(seconds))
}

/// The longest period between pulls: 30 days.
pub const MAX_FREQUENCY_SECS: u64 = 30 * 86_400;

/// The default name of a source: its host without `www.` (as the existing server).
fn default_name(url: &url::Url) -> String {
    let host = url.host_str().unwrap_or_default();
    host.strip_prefix("www.").unwrap_or(host).to_owned()
}

fn checked_url(position: usize, text: &str) -> Result<url::Url, SourceError> {
    match url::Url::parse(text.trim()) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host_str().is_some() => Ok(url),
        _ => Err(SourceError::BadUrl {
            position,
            url: text.to_owned(),
        }),
    }
}

/// The fields of one source as text, from any of the three places.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "snake_case")]
pub struct SourceSpec {
    /// The URL.
    pub url: String,
    /// The name (default: the URL's host without `www.`).
    pub name: Option<String>,
    /// The category of a feed's posts.
    pub category: Option<String>,
    /// `high`, `medium`, `low` or a duration.
    pub frequency: Option<String>,
    /// Whether to name the source on what it brought (default true).
    pub show_source: Option<bool>,
    /// Whether unsigned events are taken from a Spasm source (default false).
    pub trusted_for_unsigned: Option<bool>,
    /// Whether it is paused (default false).
    pub paused: Option<bool>,
}

impl SourceSpec {
    fn into_source(self, position: usize, by: ConfiguredBy) -> Result<Source, SourceError> {
        let url = checked_url(position, &self.url)?;
        let every = match self.frequency.as_deref() {
            None => parse_frequency("medium"),
            Some(text) => parse_frequency(text),
        }
        .ok_or_else(|| SourceError::BadFrequency {
            position,
            given: self.frequency.clone().unwrap_or_default(),
        })?;
        Ok(Source {
            name: self
                .name
                .map(|name| name.trim().to_owned())
                .filter(|name| !name.is_empty())
                .unwrap_or_else(|| default_name(&url)),
            url: url.to_string(),
            category: self
                .category
                .map(|category| category.trim().to_owned())
                .filter(|category| !category.is_empty()),
            every,
            show_source: self.show_source.unwrap_or(true),
            trusted_for_unsigned: self.trusted_for_unsigned.unwrap_or(false),
            paused: self.paused.unwrap_or(false),
            configured_by: by,
        })
    }
}

/// Sources from specs, checked: valid URLs and frequencies, distinct names.
pub fn sources_from_specs(
    specs: Vec<SourceSpec>,
    by: ConfiguredBy,
) -> Result<Vec<Source>, SourceError> {
    let mut sources: Vec<Source> = Vec::with_capacity(specs.len());
    for (index, spec) in specs.into_iter().enumerate() {
        let source = spec.into_source(index + 1, by)?;
        if sources.iter().any(|known| known.name == source.name) {
            return Err(SourceError::DuplicateName(source.name));
        }
        sources.push(source);
    }
    Ok(sources)
}

/// The existing server's `FEDERATION_CUSTOM_LINKS`: comma-separated
/// `url|category|frequency|network|name|showSource` entries; only the URL is required,
/// `network` is read and ignored (the answer's `Content-Type` decides), `showSource` is true
/// unless `false`. Unlike the existing server, URLs and names keep their case.
pub fn parse_custom_links(text: &str) -> Result<Vec<Source>, SourceError> {
    let specs = text
        .split(',')
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .map(|entry| {
            let mut fields = entry.split('|').map(str::trim);
            let mut next = || fields.next().filter(|field| !field.is_empty());
            let url = next().unwrap_or_default().to_owned();
            let category = next().map(str::to_owned);
            let frequency = next().map(str::to_owned);
            let _network = next();
            let name = next().map(str::to_owned);
            let show_source = next().map(|flag| !flag.eq_ignore_ascii_case("false"));
            SourceSpec {
                url,
                name,
                category,
                frequency,
                show_source,
                ..SourceSpec::default()
            }
        })
        .collect();
    sources_from_specs(specs, ConfiguredBy::Environment)
}

/// One entry of an `app-config-federation-list` event, in the upstream shape
/// (`{network, name, uiUrl, apiUrl, query, showSource, category}`) with this forum's
/// additions (`frequency`, `paused`, `trustedForUnsigned`); `url` may replace `apiUrl`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct AdminSourceEntry {
    /// The source's URL (this forum's field).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The upstream field: the API's URL, to which `query` is added.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_url: Option<String>,
    /// The upstream field: the query added to `apiUrl` (`?webType=web3&limit=10`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// The upstream field: the peer's site, for links.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ui_url: Option<String>,
    /// The upstream field, read and ignored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub network: Option<String>,
    /// The name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The category of a feed's posts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// `high`, `medium`, `low` or a duration.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frequency: Option<String>,
    /// Whether pages name it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub show_source: Option<bool>,
    /// Whether unsigned events are taken.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trusted_for_unsigned: Option<bool>,
    /// Whether it is paused.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paused: Option<bool>,
}

/// The sources of an `app-config-federation-list` event's content.
pub fn parse_admin_list(content: &str) -> Result<Vec<Source>, SourceError> {
    let entries: Vec<AdminSourceEntry> =
        serde_json::from_str(content).map_err(|error| SourceError::NotAList(error.to_string()))?;
    let specs = entries
        .into_iter()
        .map(|entry| {
            let url = entry.url.unwrap_or_else(|| {
                format!(
                    "{}{}",
                    entry.api_url.unwrap_or_default(),
                    entry.query.unwrap_or_default()
                )
            });
            SourceSpec {
                url,
                name: entry.name,
                category: entry.category,
                frequency: entry.frequency,
                show_source: entry.show_source,
                trusted_for_unsigned: entry.trusted_for_unsigned,
                paused: entry.paused,
            }
        })
        .collect();
    sources_from_specs(specs, ConfiguredBy::Admin)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frequencies_follow_the_existing_server_and_take_durations() {
        assert_eq!(parse_frequency("high"), Some(Duration::from_secs(16 * 60)));
        assert_eq!(
            parse_frequency("MEDIUM"),
            Some(Duration::from_secs(59 * 60))
        );
        assert_eq!(parse_frequency("low"), Some(Duration::from_secs(3 * 3600)));
        assert_eq!(parse_frequency("1s"), Some(Duration::from_secs(1)));
        assert_eq!(parse_frequency("15m"), Some(Duration::from_secs(900)));
        assert_eq!(parse_frequency("2h"), Some(Duration::from_secs(7200)));
        assert_eq!(parse_frequency("1d"), Some(Duration::from_secs(86_400)));
        assert_eq!(parse_frequency("90"), Some(Duration::from_secs(90)));
        assert_eq!(parse_frequency("0s"), None);
        assert_eq!(parse_frequency("31d"), None);
        assert_eq!(parse_frequency("18446744073709551615s"), None);
        assert_eq!(parse_frequency("often"), None);
    }

    #[test]
    fn custom_links_read_like_the_existing_server() {
        let sources = parse_custom_links(
            "https://www.Example.com/api/events?webType=web3|news|high|spasm|Example|false, \
             https://feeds.example.org/rss.xml",
        )
        .unwrap_or_default();
        assert_eq!(sources.len(), 2);
        assert_eq!(sources[0].name, "Example");
        assert_eq!(sources[0].category.as_deref(), Some("news"));
        assert_eq!(sources[0].every, Duration::from_secs(16 * 60));
        assert!(!sources[0].show_source);
        assert_eq!(sources[1].name, "feeds.example.org");
        assert_eq!(sources[1].every, Duration::from_secs(59 * 60));
        assert!(sources[1].show_source);
        assert!(matches!(
            parse_custom_links("ftp://example.com"),
            Err(SourceError::BadUrl { position: 1, .. })
        ));
        assert!(matches!(
            parse_custom_links("https://a.example, https://a.example/feed"),
            Err(SourceError::DuplicateName(_))
        ));
    }

    #[test]
    fn admin_lists_take_the_upstream_shape() {
        let sources = parse_admin_list(
            r#"[{"network":"spasm","name":"dr","apiUrl":"https://degenrocket.space/api/events","query":"?activity=rising","showSource":true},
                {"url":"http://127.0.0.1:9/feed","frequency":"30s","paused":true}]"#,
        )
        .unwrap_or_default();
        assert_eq!(sources.len(), 2);
        assert_eq!(
            sources[0].url,
            "https://degenrocket.space/api/events?activity=rising"
        );
        assert!(sources[1].paused);
        assert_eq!(sources[1].name, "127.0.0.1");
        assert!(matches!(
            parse_admin_list(r#"{"url":"x"}"#),
            Err(SourceError::NotAList(_))
        ));
    }
}
