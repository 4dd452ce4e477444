//! The instance's policy: which events it accepts from whom. Read from defaults, an optional
//! TOML file and environment variables at start, then changed at run time by admin-signed
//! `app-config` events (SPEC of the existing server: degenrocket-server.md §3).
//!
//! Every key has one name in three spellings: `camelCase` in app-config events and
//! `GET /api/app-config` (as the existing web client sends them), `snake_case` in the TOML
//! file, and `UPPER_SNAKE_CASE` in the environment (the existing server's variable names).

use std::fmt;
use std::sync::{Arc, RwLock};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use spasm::spasmid::SpasmId01;

use crate::address::AuthorAddress;

/// The policy of one instance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct Settings {
    /// Accept admin-signed `app-config` events at all.
    pub enable_app_config_changes: bool,
    /// Accept them from admins (the only ones who may send them).
    pub enable_app_config_changes_by_admin: bool,
    /// Recognise admins.
    pub enable_admin: bool,
    /// The admins (Ethereum addresses, Nostr hex keys or npubs).
    pub admins: AddressList,
    /// Accept unsigned ("web2") events from the public submit endpoint. Off by default
    /// (DECISIONS.md, Security 7): RSS and trusted federation sources do not need it.
    pub allow_new_events_without_signature: bool,
    /// Master switch for new events.
    pub enable_new_web3_actions_all: bool,
    /// New posts.
    pub enable_new_web3_actions_post: bool,
    /// New replies.
    pub enable_new_web3_actions_reply: bool,
    /// New reactions.
    pub enable_new_web3_actions_react: bool,
    /// New moderation actions.
    pub enable_new_web3_actions_moderate: bool,
    /// Events signed only with Nostr keys.
    pub enable_new_nostr_actions_all: bool,
    /// Events signed only with Ethereum keys.
    pub enable_new_ethereum_actions_all: bool,
    /// Moderators may delete.
    pub enable_moderation: bool,
    /// The moderators.
    pub moderators: AddressList,
    /// Resolve ids by a prefix of this length.
    pub enable_short_urls_for_web3_actions: bool,
    /// The length of short ids (at least 15).
    pub short_urls_length_of_web3_ids: u32,
    /// Only whitelisted signers may post.
    pub enable_whitelist_for_action_post: bool,
    /// Only whitelisted signers may reply.
    pub enable_whitelist_for_action_reply: bool,
    /// Only whitelisted signers may react.
    pub enable_whitelist_for_action_react: bool,
    /// Who may post when the post whitelist is on.
    pub whitelisted_for_action_post: AddressList,
    /// Who may reply when the reply whitelist is on.
    pub whitelisted_for_action_reply: AddressList,
    /// Who may react when the react whitelist is on.
    pub whitelisted_for_action_react: AddressList,
    /// Federated posts skip the post whitelist.
    pub ignore_whitelist_for_action_post_in_spasm_module: bool,
    /// Federated replies skip the reply whitelist.
    pub ignore_whitelist_for_action_reply_in_spasm_module: bool,
    /// Federated reactions skip the react whitelist.
    pub ignore_whitelist_for_action_react_in_spasm_module: bool,
    /// Reactions a post needs to be "hot".
    pub feed_filters_activity_hot: i64,
    /// Reactions a post needs to be "rising".
    pub feed_filters_activity_rising: i64,
    /// Authors without a known name are shown with the old client's generated name.
    pub enable_auto_generated_names: bool,
    /// A line of a post that is only an https link to an image shows the image.
    pub enable_embed_image_tags_in_posts: bool,
    /// The same in comments.
    pub enable_embed_image_tags_in_comments: bool,
    /// A line of a post that is only an https link to a video shows a player.
    pub enable_embed_video_tags_in_posts: bool,
    /// The same in comments.
    pub enable_embed_video_tags_in_comments: bool,
    /// A line of a post that is only an https link to audio shows a player.
    pub enable_embed_audio_tags_in_posts: bool,
    /// The same in comments.
    pub enable_embed_audio_tags_in_comments: bool,
    /// Author pages show the picture of a known Nostr profile (loaded from its host).
    pub enable_nostr_display_profiles_pictures: bool,
    /// Events shown first in the feed, in this order.
    pub pinned_ids: PinnedIds,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            enable_app_config_changes: true,
            enable_app_config_changes_by_admin: true,
            enable_admin: true,
            admins: AddressList::default(),
            allow_new_events_without_signature: false,
            enable_new_web3_actions_all: true,
            enable_new_web3_actions_post: true,
            enable_new_web3_actions_reply: true,
            enable_new_web3_actions_react: true,
            enable_new_web3_actions_moderate: true,
            enable_new_nostr_actions_all: true,
            enable_new_ethereum_actions_all: true,
            enable_moderation: true,
            moderators: AddressList::default(),
            enable_short_urls_for_web3_actions: true,
            short_urls_length_of_web3_ids: 30,
            enable_whitelist_for_action_post: false,
            enable_whitelist_for_action_reply: false,
            enable_whitelist_for_action_react: false,
            whitelisted_for_action_post: AddressList::default(),
            whitelisted_for_action_reply: AddressList::default(),
            whitelisted_for_action_react: AddressList::default(),
            ignore_whitelist_for_action_post_in_spasm_module: true,
            ignore_whitelist_for_action_reply_in_spasm_module: true,
            ignore_whitelist_for_action_react_in_spasm_module: true,
            feed_filters_activity_hot: 5,
            feed_filters_activity_rising: 3,
            enable_auto_generated_names: true,
            // Embedded media load from other hosts, which learn who reads: off unless the
            // host chooses it.
            enable_embed_image_tags_in_posts: false,
            enable_embed_image_tags_in_comments: false,
            enable_embed_video_tags_in_posts: false,
            enable_embed_video_tags_in_comments: false,
            enable_embed_audio_tags_in_posts: false,
            enable_embed_audio_tags_in_comments: false,
            enable_nostr_display_profiles_pictures: false,
            pinned_ids: PinnedIds::default(),
        }
    }
}

/// Keys an app-config event may not change: who the admins are, and whether admins may
/// change settings at all, stay with the host.
const HOST_ONLY_KEYS: [&str; 4] = [
    "enableAppConfigChanges",
    "enableAppConfigChangesByAdmin",
    "enableAdmin",
    "admins",
];

/// Why settings could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// A key has a value of the wrong kind, or is unknown.
    #[error("invalid settings: {0}")]
    Invalid(String),
    /// An environment variable holds something its key cannot take.
    #[error("environment variable {name}: {reason}")]
    Environment {
        /// The variable.
        name: String,
        /// What is wrong.
        reason: String,
    },
}

impl Settings {
    /// The settings with `overrides` (camelCase keys) applied on top.
    pub fn with_overrides(&self, overrides: &Map<String, Value>) -> Result<Self, SettingsError> {
        let mut merged = self.as_map();
        for (key, value) in overrides {
            merged.insert(key.clone(), value.clone());
        }
        serde_json::from_value(Value::Object(merged))
            .map_err(|error| SettingsError::Invalid(error.to_string()))
    }

    /// The settings with the TOML file's keys (snake_case) applied on top.
    pub fn with_toml_table(&self, table: &Map<String, Value>) -> Result<Self, SettingsError> {
        let overrides = table
            .iter()
            .map(|(key, value)| (snake_to_camel(key), value.clone()))
            .collect();
        self.with_overrides(&overrides)
    }

    /// The settings with environment variables applied on top; `lookup` reads one variable.
    pub fn with_environment(
        &self,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, SettingsError> {
        let mut overrides = Map::new();
        for (key, default) in self.as_map() {
            let name = camel_to_upper_snake(&key);
            let Some(text) = lookup(&name) else { continue };
            let value = environment_value(&text, &default)
                .map_err(|reason| SettingsError::Environment { name, reason })?;
            overrides.insert(key, value);
        }
        self.with_overrides(&overrides)
    }

    /// The settings after an admin's app-config `content`: every key but the host-only ones
    /// ([`HOST_ONLY_KEYS`]) may change; keys this server does not know (the display strings
    /// of the web client) are left to the client.
    pub fn with_app_config(&self, config: &Map<String, Value>) -> Result<Self, SettingsError> {
        let known = self.as_map();
        let overrides = config
            .iter()
            .filter(|(key, _)| known.contains_key(*key) && !HOST_ONLY_KEYS.contains(&key.as_str()))
            .map(|(key, value)| (key.clone(), value.clone()))
            .collect();
        self.with_overrides(&overrides)
    }

    fn as_map(&self) -> Map<String, Value> {
        match serde_json::to_value(self) {
            Ok(Value::Object(map)) => map,
            // Settings always serialise to an object.
            _ => Map::new(),
        }
    }

    /// Whether `address` may act as an admin.
    pub fn is_admin(&self, address: &AuthorAddress) -> bool {
        self.enable_admin && self.admins.contains(address)
    }
}

/// A list setting, written as a JSON or TOML array of strings or as one comma-separated
/// string (the existing server's `splitIntoArray`); each entry parsed ([`ListEntry`]), the
/// same entry kept once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingList<T>(Vec<T>);

/// Keys: admins, moderators, whitelists.
pub type AddressList = SettingList<AuthorAddress>;

/// The events the feed shows first, in this order (`PINNED_IDS`, as the current upstream
/// server and web client name it).
pub type PinnedIds = SettingList<SpasmId01>;

/// What a [`SettingList`] holds: parsed from one entry, written back as text.
pub trait ListEntry: Sized + PartialEq + fmt::Display {
    /// The entry `text` (trimmed, not empty); the error says in words what is wrong.
    fn parse_entry(text: &str) -> Result<Self, String>;
}

impl ListEntry for AuthorAddress {
    fn parse_entry(text: &str) -> Result<Self, String> {
        Self::parse(text).map_err(|error| error.to_string())
    }
}

impl ListEntry for SpasmId01 {
    fn parse_entry(text: &str) -> Result<Self, String> {
        text.parse()
            .map_err(|error| format!("{text:?} is not an event id: {error}"))
    }
}

impl<T> Default for SettingList<T> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<T: ListEntry> SettingList<T> {
    /// Parses every entry; an entry that is not a `T` is an error, not silently ignored.
    pub fn parse<'a>(entries: impl IntoIterator<Item = &'a str>) -> Result<Self, String> {
        let mut list = Vec::new();
        for entry in entries
            .into_iter()
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
        {
            let entry = T::parse_entry(entry)?;
            if !list.contains(&entry) {
                list.push(entry);
            }
        }
        Ok(Self(list))
    }

    /// Whether the list names `entry`.
    pub fn contains(&self, entry: &T) -> bool {
        self.0.contains(entry)
    }

    /// Whether the list names any of `entries`.
    pub fn contains_any<'a>(&self, mut entries: impl Iterator<Item = &'a T>) -> bool
    where
        T: 'a,
    {
        entries.any(|entry| self.contains(entry))
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The entries, in the order written.
    pub fn iter(&self) -> impl Iterator<Item = &T> {
        self.0.iter()
    }
}

impl<T: ListEntry> Serialize for SettingList<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(ToString::to_string))
    }
}

impl<'de, T: ListEntry> Deserialize<'de> for SettingList<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Written {
            Many(Vec<String>),
            CommaSeparated(String),
        }
        let entries = match Written::deserialize(deserializer)? {
            Written::Many(entries) => entries,
            Written::CommaSeparated(text) => text.split(',').map(str::to_owned).collect(),
        };
        Self::parse(entries.iter().map(String::as_str)).map_err(serde::de::Error::custom)
    }
}

/// A handle every worker of the process shares: an accepted app-config event is seen by all
/// of them at once.
#[derive(Debug, Clone)]
pub struct SharedSettings {
    /// The settings from defaults, file and environment.
    base: Arc<Settings>,
    current: Arc<RwLock<Arc<Settings>>>,
}

impl SharedSettings {
    /// Starts from the host's settings.
    pub fn new(base: Settings) -> Self {
        let base = Arc::new(base);
        Self {
            current: Arc::new(RwLock::new(Arc::clone(&base))),
            base,
        }
    }

    /// The settings in force now.
    pub fn current(&self) -> Arc<Settings> {
        match self.current.read() {
            Ok(current) => Arc::clone(&current),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// The host's settings, before any app-config event.
    pub fn base(&self) -> &Settings {
        &self.base
    }

    /// Replaces the settings in force.
    pub fn replace(&self, settings: Settings) {
        let settings = Arc::new(settings);
        match self.current.write() {
            Ok(mut current) => *current = settings,
            Err(poisoned) => *poisoned.into_inner() = settings,
        }
    }
}

fn snake_to_camel(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    let mut upper = false;
    for character in key.chars() {
        if character == '_' {
            upper = true;
        } else if upper {
            out.extend(character.to_uppercase());
            upper = false;
        } else {
            out.push(character);
        }
    }
    out
}

fn camel_to_upper_snake(key: &str) -> String {
    let mut out = String::with_capacity(key.len() + 8);
    for character in key.chars() {
        if character.is_ascii_uppercase() {
            out.push('_');
        }
        out.push(character.to_ascii_uppercase());
    }
    out
}

/// An environment variable's text as a value of the same kind as the key's default.
fn environment_value(text: &str, default: &Value) -> Result<Value, String> {
    let text = text.trim();
    match default {
        Value::Bool(_) => match text {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            _ => Err(format!("expected true or false, found {text:?}")),
        },
        Value::Number(_) => text
            .parse::<i64>()
            .map(Value::from)
            .map_err(|_| format!("expected a whole number, found {text:?}")),
        _ => Ok(Value::String(text.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const ALICE: &str = "0x19e7e376e7c213b7e7e7e46cc70a5dd086daff2a";

    #[test]
    fn names_convert_between_spellings() {
        assert_eq!(
            camel_to_upper_snake("enableNewWeb3ActionsAll"),
            "ENABLE_NEW_WEB3_ACTIONS_ALL"
        );
        assert_eq!(
            camel_to_upper_snake("ignoreWhitelistForActionPostInSpasmModule"),
            "IGNORE_WHITELIST_FOR_ACTION_POST_IN_SPASM_MODULE"
        );
        assert_eq!(
            snake_to_camel("short_urls_length_of_web3_ids"),
            "shortUrlsLengthOfWeb3Ids"
        );
    }

    #[test]
    fn environment_uses_the_existing_variable_names() {
        let settings = Settings::default()
            .with_environment(|name| match name {
                "ENABLE_NEW_WEB3_ACTIONS_POST" => Some("false".into()),
                "MODERATORS" => Some(format!("{}, ", ALICE.to_uppercase().replace("0X", "0x"))),
                "FEED_FILTERS_ACTIVITY_HOT" => Some("9".into()),
                _ => None,
            })
            .unwrap();
        assert!(!settings.enable_new_web3_actions_post);
        assert!(
            settings
                .moderators
                .contains(&AuthorAddress::parse(ALICE).unwrap())
        );
        assert_eq!(settings.feed_filters_activity_hot, 9);
    }

    #[test]
    fn bad_environment_values_are_errors() {
        let error = Settings::default()
            .with_environment(|name| (name == "ENABLE_MODERATION").then(|| "yes".into()))
            .unwrap_err();
        assert!(error.to_string().contains("ENABLE_MODERATION"), "{error}");
        let error = Settings::default()
            .with_environment(|name| (name == "ADMINS").then(|| "alice".into()))
            .unwrap_err();
        assert!(error.to_string().contains("alice"), "{error}");
    }

    #[test]
    fn toml_keys_are_snake_case_and_unknown_keys_are_refused() {
        let table = json!({"enable_moderation": false, "moderators": [ALICE]});
        let settings = Settings::default()
            .with_toml_table(table.as_object().unwrap())
            .unwrap();
        assert!(!settings.enable_moderation);
        let typo = json!({"enable_moderatoin": false});
        assert!(
            Settings::default()
                .with_toml_table(typo.as_object().unwrap())
                .is_err()
        );
    }

    #[test]
    fn app_config_cannot_change_the_admins() {
        let base = Settings {
            admins: AddressList::parse([ALICE]).unwrap(),
            ..Settings::default()
        };
        let config = json!({
            "admins": [],
            "enableAdmin": false,
            "enableNewWeb3ActionsPost": false,
            "moderators": "npub1sg6plzptd64u62a878hep2kev88swjh3tw00gjsfl8f237lmu63q0uf63m",
            "telegramLink": "https://t.me/example"
        });
        let changed = base.with_app_config(config.as_object().unwrap()).unwrap();
        assert_eq!(changed.admins, base.admins);
        assert!(changed.enable_admin);
        assert!(!changed.enable_new_web3_actions_post);
        assert_eq!(changed.moderators.iter().count(), 1);
        let invalid = json!({"feedFiltersActivityHot": "many"});
        assert!(base.with_app_config(invalid.as_object().unwrap()).is_err());
    }

    #[test]
    fn pinned_ids_are_spasm_ids_kept_in_the_order_written() {
        let first = format!("spasmid01{}", "b".repeat(64));
        let second = format!("spasmid01{}", "a".repeat(64));
        let settings = Settings::default()
            .with_environment(|name| {
                (name == "PINNED_IDS").then(|| format!("{first}, {second},{first}"))
            })
            .unwrap();
        let pinned: Vec<String> = settings
            .pinned_ids
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(pinned, [first.clone(), second]);
        // Written back as the existing server's array, under its name.
        assert_eq!(settings.as_map()["pinnedIds"][0], first.as_str());
        let typo = json!({"pinnedIds": ["spasmid01xyz"]});
        let error = Settings::default()
            .with_app_config(typo.as_object().unwrap())
            .unwrap_err();
        assert!(
            error
                .to_string()
                .contains("\"spasmid01xyz\" is not an event id"),
            "{error}"
        );
    }

    #[test]
    fn shared_settings_change_for_every_holder() {
        let shared = SharedSettings::new(Settings::default());
        let other = shared.clone();
        shared.replace(Settings {
            enable_moderation: false,
            ..Settings::default()
        });
        assert!(!other.current().enable_moderation);
        assert!(other.base().enable_moderation);
    }
}
