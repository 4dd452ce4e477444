//! The options of [`super::convert_to_rss`] and [`super::generate_rss_feed`], with spasm.js
//! rc.52's defaults (`ConvertToRssConfig`, `GenerateRssFeedConfig` in `types/interfaces.ts`).

use serde_json::Value;

use crate::js_value::truthy;

/// spasm.js's default channel image (`GenerateRssFeedConfig.channel.imageUrl`).
pub const DEFAULT_CHANNEL_IMAGE_URL: &str = "https://media.spasm.network/spasmim016863a1cae922c77a970a86e0d339455d6417c6106125b8ebac744e50f51581a9.jpeg";

/// For which event actions an option is on (spasm.js `forAction: {post, reply, react}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ForActions {
    /// `action: "post"`.
    pub post: bool,
    /// `action: "reply"`.
    pub reply: bool,
    /// `action: "react"`.
    pub react: bool,
}

impl ForActions {
    /// Whether the option is on for `action` (always off for other actions).
    pub fn includes(&self, action: &str) -> bool {
        match action {
            "post" => self.post,
            "reply" => self.reply,
            "react" => self.react,
            _ => false,
        }
    }

    fn merge_spasm_js(&mut self, custom: &Value) {
        merge_bool(&mut self.post, custom, "post");
        merge_bool(&mut self.reply, custom, "reply");
        merge_bool(&mut self.react, custom, "react");
    }
}

/// The lines added under a description after `---` (spasm.js `extraEventInfo`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtraEventInfo {
    /// For which actions the lines are added. Default: all three.
    pub for_actions: ForActions,
    /// `[Submit your comment on Spasm](<custom domain>/<spasmid>)`, when there is a custom
    /// domain. Default on.
    pub submit_comment_link: bool,
    /// `Signed date: 01 Sep 2026` (or `Published date:` for an unsigned event). Default on.
    pub signed_date: bool,
    /// One `Ethereum signer: 0x…` / `Nostr signer: npub…` line per verified signer. Default
    /// on.
    pub signers: bool,
}

impl Default for ExtraEventInfo {
    fn default() -> Self {
        Self {
            for_actions: ForActions {
                post: true,
                reply: true,
                react: true,
            },
            submit_comment_link: true,
            signed_date: true,
            signers: true,
        }
    }
}

/// `This message is a response to: <parent>` under replies (spasm.js `extraContent`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtraContent {
    /// For which actions it is added. Default: replies and reactions.
    pub for_actions: ForActions,
    /// Whether a parent that is not a URL or guid is linked under the custom domain.
    /// Default on.
    pub add_domain: bool,
    /// The text before the parent's link. Default
    /// `"\n\n---\nThis message is a response to: "`.
    pub text: String,
}

impl Default for ExtraContent {
    fn default() -> Self {
        Self {
            for_actions: ForActions {
                post: false,
                reply: true,
                react: true,
            },
            add_domain: true,
            text: "\n\n---\nThis message is a response to: ".to_string(),
        }
    }
}

/// How one event becomes an [`super::RssItem`] (spasm.js `ConvertToRssConfig`).
///
/// Empty strings count as absent, as in spasm.js.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RssItemConfig {
    /// The forum's address for events, e.g. `https://forum.example.org/news`: an item's link
    /// is `<custom_domain>/<spasmid>` when the event has no URL id. Default none.
    pub custom_domain: Option<String>,
    /// A guid for every item (meant for converting a single event). Default none.
    pub custom_guid: Option<String>,
    /// A link for every item (meant for converting a single event). Default none.
    pub custom_link: Option<String>,
    /// Whether the item carries the event's envelope (`<spasmEnvelope>`). Default on.
    pub add_spasm_envelope: bool,
    /// Lines under the description. See [`ExtraEventInfo`].
    pub extra_event_info: ExtraEventInfo,
    /// The parent of replies. See [`ExtraContent`].
    pub extra_content: ExtraContent,
    /// Whether the description (Markdown) is rendered as HTML. Default on. When off, the
    /// description is the text with `&`, `<` and `>` escaped, so that readers (which treat
    /// a description as HTML) show it as written.
    pub convert_description_to_html: bool,
}

impl Default for RssItemConfig {
    fn default() -> Self {
        Self {
            custom_domain: None,
            custom_guid: None,
            custom_link: None,
            add_spasm_envelope: true,
            extra_event_info: ExtraEventInfo::default(),
            extra_content: ExtraContent::default(),
            convert_description_to_html: true,
        }
    }
}

impl RssItemConfig {
    /// The defaults with a spasm.js `CustomConvertToRssConfig` object merged over them, as
    /// spasm.js `mergeConvertToRssConfigs` does: a key that is present replaces the default
    /// (`null`, `false` and `""` switch an option off); unknown keys and values of the
    /// wrong type are ignored.
    pub fn from_spasm_js(custom: &Value) -> Self {
        let mut config = Self::default();
        config.merge_spasm_js(custom);
        config
    }

    fn merge_spasm_js(&mut self, custom: &Value) {
        merge_string(&mut self.custom_domain, custom, "customDomain");
        merge_string(&mut self.custom_guid, custom, "customGuid");
        merge_string(&mut self.custom_link, custom, "customLink");
        merge_bool(&mut self.add_spasm_envelope, custom, "addSpasmEnvelope");
        merge_bool(
            &mut self.convert_description_to_html,
            custom,
            "convertDescriptionToHtml",
        );
        if let Some(info) = custom.get("extraEventInfo") {
            let own = &mut self.extra_event_info;
            if let Some(actions) = info.get("forAction") {
                own.for_actions.merge_spasm_js(actions);
            }
            merge_enabled(&mut own.submit_comment_link, info, "addSubmitComment");
            merge_enabled(&mut own.signed_date, info, "addSignedDate");
            merge_enabled(&mut own.signers, info, "addSigner");
        }
        if let Some(extra) = custom.get("extraContent") {
            let own = &mut self.extra_content;
            if let Some(actions) = extra.get("forAction") {
                own.for_actions.merge_spasm_js(actions);
            }
            merge_enabled(&mut own.add_domain, extra, "addDomain");
            if let Some(Value::String(text)) = extra.get("text") {
                own.text.clone_from(text);
            }
        }
    }
}

/// The `<channel>` of a feed (spasm.js `GenerateRssFeedConfig.channel`).
///
/// Empty strings count as absent: the element is then left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RssChannelConfig {
    /// `<title>`. Default `"Spasm"`.
    pub title: Option<String>,
    /// `<link>`, the site's address. Default none.
    pub link: Option<String>,
    /// `<description>`. Default `"RSS Feed of Spasm events"`.
    pub description: Option<String>,
    /// `<language>`. Default `"en-us"`.
    pub language: Option<String>,
    /// `<lastBuildDate>`, an RFC 822 date such as [`super::utc_string`] writes. spasm.js
    /// defaults to the current time; this crate reads no clock, so the default is none.
    pub last_build_date: Option<String>,
    /// The feed's own address: `<atom:link href="…" rel="self">`. Default none.
    pub full_uri: Option<String>,
    /// `<image><url>`. Default [`DEFAULT_CHANNEL_IMAGE_URL`].
    pub image_url: Option<String>,
    /// Whether the title ends with `" - "` and the [`RssFeedConfig::signer`] the feed is
    /// filtered by. Default on.
    pub add_signer_to_title: bool,
    /// Whether that signer is shown with its generated name, `RedDefiPhantom (0x5cfc...6c9a)`,
    /// or only shortened, `(0x5cfc...6c9a)`. Default on.
    pub auto_generated_names_in_title: bool,
}

impl Default for RssChannelConfig {
    fn default() -> Self {
        Self {
            title: Some("Spasm".to_string()),
            link: None,
            description: Some("RSS Feed of Spasm events".to_string()),
            language: Some("en-us".to_string()),
            last_build_date: None,
            full_uri: None,
            image_url: Some(DEFAULT_CHANNEL_IMAGE_URL.to_string()),
            add_signer_to_title: true,
            auto_generated_names_in_title: true,
        }
    }
}

/// A whole feed (spasm.js `GenerateRssFeedConfig`; `Default` is spasm.js's defaults,
/// without `lastBuildDate`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RssFeedConfig {
    /// The channel.
    pub channel: RssChannelConfig,
    /// Whether item authors are shown with a generated name, `SilverZkHacker (0x961d...cb6a)`,
    /// or only shortened, `(0x961d...cb6a)` (spasm.js `items.enableAutoGeneratedNames`).
    /// Default on.
    pub auto_generated_names: bool,
    /// The signer the caller filtered the events by (spasm.js `filters.signer`, or the first
    /// of a list). It only names the feed (see [`RssChannelConfig::add_signer_to_title`]):
    /// the feed does not filter. Default none.
    pub signer: Option<String>,
    /// How each event becomes an item (spasm.js `customConvertToRssConfig`).
    pub item: RssItemConfig,
}

impl Default for RssFeedConfig {
    fn default() -> Self {
        Self {
            channel: RssChannelConfig::default(),
            auto_generated_names: true,
            signer: None,
            item: RssItemConfig::default(),
        }
    }
}

impl RssFeedConfig {
    /// The defaults with a spasm.js `CustomGenerateRssFeedConfig` object merged over them,
    /// as spasm.js `mergeGenerateRssFeedConfigs` does (see [`RssItemConfig::from_spasm_js`]),
    /// except that a missing `channel.lastBuildDate` stays absent instead of "now".
    pub fn from_spasm_js(custom: &Value) -> Self {
        let mut config = Self::default();
        if let Some(channel) = custom.get("channel") {
            let own = &mut config.channel;
            merge_string(&mut own.title, channel, "title");
            merge_string(&mut own.link, channel, "link");
            merge_string(&mut own.description, channel, "description");
            merge_string(&mut own.language, channel, "language");
            merge_string(&mut own.last_build_date, channel, "lastBuildDate");
            merge_string(&mut own.full_uri, channel, "fullUri");
            merge_string(&mut own.image_url, channel, "imageUrl");
            merge_bool(&mut own.add_signer_to_title, channel, "addSignerToTitle");
            merge_bool(
                &mut own.auto_generated_names_in_title,
                channel,
                "enableAutoGeneratedNamesInTitle",
            );
        }
        if let Some(items) = custom.get("items") {
            merge_bool(
                &mut config.auto_generated_names,
                items,
                "enableAutoGeneratedNames",
            );
        }
        config.signer = match custom
            .get("filters")
            .and_then(|filters| filters.get("signer"))
        {
            Some(Value::String(signer)) if !signer.is_empty() => Some(signer.clone()),
            Some(Value::Array(signers)) => signers
                .first()
                .and_then(Value::as_str)
                .filter(|signer| !signer.is_empty())
                .map(str::to_string),
            _ => None,
        };
        if let Some(item) = custom.get("customConvertToRssConfig") {
            config.item.merge_spasm_js(item);
        }
        config
    }
}

/// A present key replaces the default: a non-empty string sets it, anything else clears it.
fn merge_string(target: &mut Option<String>, custom: &Value, key: &str) {
    if let Some(value) = custom.get(key) {
        *target = value
            .as_str()
            .filter(|text| !text.is_empty())
            .map(str::to_string);
    }
}

/// A present key replaces the default by its JavaScript truthiness.
fn merge_bool(target: &mut bool, custom: &Value, key: &str) {
    if let Some(value) = custom.get(key) {
        *target = truthy(value);
    }
}

/// `{key: {enabled: …}}`.
fn merge_enabled(target: &mut bool, custom: &Value, key: &str) {
    if let Some(value) = custom.get(key).and_then(|option| option.get("enabled")) {
        *target = truthy(value);
    }
}
