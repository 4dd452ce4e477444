//! Stored events → what pages show (server side): authors, counts, excerpts, markdown.

use forum::envelope::StoredEvent;
use serde_json::Value;
use spasm::action::{Action, Reaction};
use spasm::js_value::js_string;
use spasm::timestamps::to_long_timestamp;

use super::markdown::{self, MediaEmbeds};
use crate::identity::{Blockie, auto_generated_name, identicon_path};
use crate::model::{AuthorIdentity, AuthorView, EventView, ParentData, ProfileView, ReactionCount};
use crate::urls::path_segment;

/// How this instance shows events: its display settings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Display {
    /// Authors get the old client's generated names.
    auto_names: bool,
    /// What full-line links embed in posts.
    post_media: MediaEmbeds,
    /// What full-line links embed in comments.
    comment_media: MediaEmbeds,
    /// Author pages show Nostr profile pictures.
    profile_pictures: bool,
    /// The length of the short ids the server resolves (`shortUrlsLengthOfWeb3Ids`), when
    /// it does.
    short_ids: Option<usize>,
}

impl Display {
    /// The HTML of the text `content` of an event of `action`: its Markdown rendered
    /// ([`markdown::render`]) with the media this instance embeds in posts or in comments.
    pub fn body_html(&self, content: &str, action: Action) -> String {
        let media = if action == Action::Post {
            self.post_media
        } else {
            self.comment_media
        };
        markdown::render(content, media)
    }

    /// The display settings of an instance.
    pub fn of(settings: &forum::Settings) -> Self {
        Self {
            auto_names: settings.enable_auto_generated_names,
            post_media: MediaEmbeds {
                images: settings.enable_embed_image_tags_in_posts,
                videos: settings.enable_embed_video_tags_in_posts,
                audio: settings.enable_embed_audio_tags_in_posts,
            },
            comment_media: MediaEmbeds {
                images: settings.enable_embed_image_tags_in_comments,
                videos: settings.enable_embed_video_tags_in_comments,
                audio: settings.enable_embed_audio_tags_in_comments,
            },
            profile_pictures: settings.enable_nostr_display_profiles_pictures,
            // The forum resolves a prefix of exactly this length, and none under 15.
            short_ids: usize::try_from(settings.short_urls_length_of_web3_ids)
                .ok()
                .filter(|length| settings.enable_short_urls_for_web3_actions && *length >= 15),
        }
    }

    /// The page of the event `id`: by its short id (a prefix the forum resolves) where the
    /// forum has them, so that links are short to share.
    pub fn event_href(&self, id: &str) -> String {
        let short = match self.short_ids {
            Some(length) if id.starts_with("spasmid") && id.chars().count() > length => id
                .char_indices()
                .nth(length)
                .map_or(id, |(end, _)| &id[..end]),
            _ => id,
        };
        format!("/news/{}", path_segment(short))
    }
}

/// The fields of a stored event that pages show. Everything else (the siblings with their
/// signed strings, most of the text) is skipped while parsing rather than built and dropped:
/// a long thread shows hundreds of events.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct ShownFields {
    ids: Value,
    action: Value,
    title: Value,
    content: Value,
    timestamp: Value,
    authors: Value,
    mentions: Value,
    categories: Value,
    parent: Value,
    links: Value,
    source: Value,
}

impl ShownFields {
    /// The fields as an event object, for the helpers that read events.
    fn into_event(self) -> Value {
        let fields = [
            ("ids", self.ids),
            ("action", self.action),
            ("title", self.title),
            ("content", self.content),
            ("timestamp", self.timestamp),
            ("authors", self.authors),
            ("mentions", self.mentions),
            ("categories", self.categories),
            ("parent", self.parent),
            ("links", self.links),
            ("source", self.source),
        ];
        Value::Object(
            fields
                .into_iter()
                .filter(|(_, value)| !value.is_null())
                .map(|(key, value)| (key.to_owned(), value))
                .collect(),
        )
    }
}

/// Sets the reaction and reply counts, the only parts of a view that change after storing.
pub fn set_counts(view: &mut EventView, stored: &StoredEvent) {
    let mut reactions: Vec<ReactionCount> = stored
        .stats
        .reactions
        .iter()
        .map(|counter| ReactionCount {
            name: counter.content.clone(),
            total: counter.total,
        })
        .collect();
    reactions.sort_by_key(|reaction| {
        Reaction::of(&reaction.name).map_or(usize::MAX, Reaction::display_rank)
    });
    view.reactions = reactions;
    view.replies = stored.stats.reply_total();
}

/// Everything of a view that the signed event and the display settings decide, without
/// counts: the same for as long as the event is stored.
pub fn content_view(stored: &StoredEvent, display: &Display) -> EventView {
    let event = serde_json::from_str::<ShownFields>(&stored.event_json)
        .map(ShownFields::into_event)
        .unwrap_or(Value::Null);
    let text = |key: &str| match event.get(key) {
        Some(Value::String(text)) => text.clone(),
        Some(value @ Value::Number(_)) => js_string(Some(value)),
        _ => String::new(),
    };
    let ids: Vec<String> = event
        .get("ids")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|id| id.get("value").and_then(Value::as_str).map(str::to_owned))
        .collect();
    let spasmid = ids.first().cloned().unwrap_or_default();
    let content = text("content");
    let action = text("action");
    let body_html = display.body_html(&content, Action::of(&action));
    let authors = authors_of(&event, display);
    let parent_id = event
        .get("parent")
        .and_then(|parent| parent.get("ids"))
        .and_then(Value::as_array)
        .and_then(|ids| ids.first())
        .and_then(|id| id.get("value"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    let link = event
        .get("links")
        .and_then(Value::as_array)
        .and_then(|links| links.first())
        .and_then(|link| link.get("value"))
        .and_then(Value::as_str)
        .filter(|link| link.starts_with("https://") || link.starts_with("http://"))
        .map(str::to_owned);
    EventView {
        key: stored.key,
        href: display.event_href(&spasmid),
        spasmid,
        action,
        // User text is shown with every direction override it opens closed (and in `<bdi>`
        // or `dir="auto"` elements); the body's markdown does the same for its text.
        title: shown(&text("title")),
        excerpt: shown(&excerpt(&markdown::plain_text(&content), 140)),
        body_html,
        added_at_ms: stored.added_at_ms,
        signed_at_ms: event.get("timestamp").and_then(to_long_timestamp),
        categories: event
            .get("categories")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|category| category.get("name").and_then(Value::as_str).map(shown))
            .collect(),
        // Where this server pulled it from is ours to say; a `source` the event itself
        // names (an RSS post's feed) is shown for events submitted here.
        source: stored
            .pulled_from()
            .or_else(|| {
                event
                    .get("source")
                    .and_then(|source| source.get("name"))
                    .and_then(Value::as_str)
            })
            .map(shown),
        link,
        reactions: Vec::new(),
        replies: 0,
        signed: authors.iter().any(|author| author.verified),
        parent_href: parent_id.as_deref().map(|id| display.event_href(id)),
        parent_id,
        parent_title: None,
        parent_data: parent_data(&event, ids),
        authors,
    }
}

/// User text as it is shown: direction overrides it opens are closed at its end.
fn shown(text: &str) -> String {
    spasm::bidi::close_direction_controls(text).into_owned()
}

fn authors_of(event: &Value, display: &Display) -> Vec<AuthorView> {
    let mut authors: Vec<AuthorView> = Vec::new();
    for author in event
        .get("authors")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        for address in author
            .get("addresses")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let Some(value) = address.get("value").and_then(Value::as_str) else {
                continue;
            };
            let verified = address.get("verified") == Some(&Value::Bool(true));
            let author = author_view(value, verified, display);
            if !authors.iter().any(|known| known.address == author.address) {
                authors.push(author);
            }
        }
    }
    authors
}

/// An address (Ethereum, or Nostr in hex or npub) as the pages show an author; `verified`
/// when a signature this server checked proves it.
pub fn author_view(address: &str, verified: bool, display: &Display) -> AuthorView {
    let normalised = forum::AuthorAddress::from_claimed(address);
    // The form the old client shows, and seeds its icon and name with.
    let (network, shown) = if normalised.as_str().starts_with("0x") {
        ("Ethereum", normalised.as_str().to_owned())
    } else {
        let npub = spasm::nostr::nip19::to_npub_lenient(normalised.as_str());
        ("Nostr", npub)
    };
    let short = if network == "Ethereum" {
        shorten(&shown, 6, 4)
    } else {
        shorten(&shown, 9, 4)
    };
    AuthorView {
        // The form people share: `npub1…` for a Nostr key (the page takes hex as well).
        href: format!("/authors/{}", path_segment(&shown)),
        address: normalised.as_str().to_owned(),
        short,
        verified,
        network: network.to_owned(),
        name: display
            .auto_names
            .then(|| auto_generated_name(&shown))
            .filter(|name| !name.is_empty()),
        identicon_paths: Blockie::new(&shown).svg_paths(),
    }
}

/// Who an author page's id names, with what its Nostr profile says; `None` when the id is
/// no address or key.
pub fn author_identity(
    id: &str,
    profile: Option<spasm::nostr::NostrProfile>,
    display: &Display,
) -> Option<AuthorIdentity> {
    let address = forum::AuthorAddress::parse(id).ok()?;
    let normalised = address.as_str();
    let identity = if let Ok(ethereum) = normalised.parse::<spasm::ethereum::EthereumAddress>() {
        AuthorIdentity {
            network: "Ethereum".into(),
            shown: normalised.to_owned(),
            also_known_as: ethereum.to_checksum(),
            name: None,
            identicon: identicon_path(normalised),
            explorer_href: format!("https://etherscan.io/address/{normalised}"),
            nostr_uri: None,
            profile: None,
        }
    } else {
        let npub = spasm::nostr::nip19::to_npub_lenient(normalised);
        AuthorIdentity {
            network: "Nostr".into(),
            identicon: identicon_path(&npub),
            explorer_href: format!("https://njump.me/{npub}"),
            nostr_uri: Some(format!("nostr:{npub}")),
            also_known_as: normalised.to_owned(),
            shown: npub,
            name: None,
            profile: None,
        }
    };
    let name = display
        .auto_names
        .then(|| auto_generated_name(&identity.shown))
        .filter(|name| !name.is_empty());
    let profile = profile.map(|profile| ProfileView {
        name: profile.name,
        about: profile.about,
        website: profile.website,
        picture: profile.picture.filter(|_| display.profile_pictures),
    });
    Some(AuthorIdentity {
        name,
        profile,
        ..identity
    })
}

/// What a reply or reaction to this event needs, with mentions sorted as spasm.js does.
fn parent_data(event: &Value, ids: Vec<String>) -> ParentData {
    let clean = |people: Option<&Value>| -> Vec<Value> {
        people
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|person| {
                let addresses: Vec<Value> = person
                    .get("addresses")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|address| {
                        let value = address.get("value")?;
                        let mut kept = serde_json::Map::new();
                        kept.insert("value".into(), value.clone());
                        if let Some(format) = address.get("format") {
                            kept.insert("format".into(), format.clone());
                        }
                        Some(Value::Object(kept))
                    })
                    .collect();
                (!addresses.is_empty()).then(|| serde_json::json!({ "addresses": addresses }))
            })
            .collect()
    };
    let dedupe_and_sort = |people: Vec<Value>| -> Vec<Value> {
        let mut unique: Vec<Value> = Vec::new();
        for person in people {
            let first = person["addresses"][0]["value"].clone();
            if !unique
                .iter()
                .any(|known| known["addresses"][0]["value"] == first)
            {
                unique.push(person);
            }
        }
        // One person with one address is already in order; sorting needs the collator,
        // which costs more than everything else here on a long thread.
        let single = match unique.as_slice() {
            [person] => person["addresses"].as_array().is_some_and(|addresses| {
                addresses.len() == 1
                    && addresses[0]["value"]
                        .as_str()
                        .is_some_and(|value| !value.is_empty())
            }),
            _ => false,
        };
        if single {
            return unique;
        }
        spasm::spasmid::sort_authors_for_spasmid01(&Value::Array(unique))
    };
    let authors = clean(event.get("authors"));
    let mut for_reply = authors.clone();
    for_reply.extend(clean(event.get("mentions")));
    ParentData::new(
        ids,
        event
            .get("categories")
            .and_then(Value::as_array)
            .map_or(&[], Vec::as_slice),
        &dedupe_and_sort(for_reply),
        &dedupe_and_sort(authors),
    )
}

/// `0xf855...c2fa`.
pub fn shorten(text: &str, head: usize, tail: usize) -> String {
    let characters: Vec<char> = text.chars().collect();
    if characters.len() <= head + tail + 3 {
        return text.to_owned();
    }
    let start: String = characters[..head].iter().collect();
    let end: String = characters[characters.len() - tail..].iter().collect();
    format!("{start}...{end}")
}

/// The first `limit` characters of `text` on one line, with `…` when cut.
///
/// An excerpt flattens the text (a link's address becomes plain words), so it leaves out
/// direction controls: shown in a feed, a link preview or a notification, an override there
/// would disguise what the post says (`song` U+202E `3pm.exe` reading `songexe.mp3`).
fn excerpt(text: &str, limit: usize) -> String {
    let line: String = text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace(spasm::bidi::is_direction_control, "");
    if line.chars().count() <= limit {
        return line;
    }
    let cut: String = line.chars().take(limit).collect();
    format!("{}…", cut.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_shortened_as_the_old_client_did() {
        assert_eq!(
            shorten("0xf8553015220a857eda377a1e903c9e5afb3ac2fa", 6, 4),
            "0xf855...c2fa"
        );
        assert_eq!(excerpt("a  b\n\nc", 140), "a b c");
        assert_eq!(excerpt(&"x".repeat(200), 5), "xxxxx…");
        assert_eq!(
            excerpt("song\u{202E}3pm.exe \u{2067}x", 140),
            "song3pm.exe x"
        );
    }

    #[test]
    fn mentions_are_what_spasm_js_sorting_gives_also_when_it_is_skipped() {
        let person = |address: &str| serde_json::json!({"addresses": [{"format": {"name": "ethereum-pubkey"}, "value": address, "verified": true}]});
        for authors in [
            vec![person("0xb")],
            vec![person("0xb"), person("0xa")],
            vec![person("")],
        ] {
            let event = serde_json::json!({ "authors": authors });
            let data = parent_data(&event, Vec::new());
            let cleaned: Vec<Value> = authors
                .iter()
                .map(|author| {
                    let address = &author["addresses"][0];
                    serde_json::json!({"addresses": [{"value": address["value"], "format": address["format"]}]})
                })
                .collect();
            let mut unique: Vec<Value> = Vec::new();
            for person in cleaned {
                if !unique.contains(&person) {
                    unique.push(person);
                }
            }
            let sorted = spasm::spasmid::sort_authors_for_spasmid01(&Value::Array(unique));
            assert_eq!(
                serde_json::to_string(data.reaction_mentions()).unwrap(),
                serde_json::to_string(&sorted).unwrap()
            );
        }
    }

    #[test]
    fn event_links_use_the_short_ids_the_forum_resolves() {
        let id = format!("spasmid01{}", "ab".repeat(32));
        let short = Display::of(&forum::Settings::default());
        assert_eq!(short.event_href(&id), format!("/news/{}", &id[..30]));
        // Other ids (a feed item's URL) stay whole, and so does everything without short ids.
        let url = "https://example.org/a-long-feed-item-address";
        assert_eq!(
            short.event_href(url),
            format!("/news/{}", path_segment(url))
        );
        let off = Display::of(&forum::Settings {
            enable_short_urls_for_web3_actions: false,
            ..forum::Settings::default()
        });
        assert_eq!(off.event_href(&id), format!("/news/{id}"));
    }

    #[test]
    fn author_pages_know_both_forms_of_a_key() {
        let display = Display {
            auto_names: true,
            ..Display::default()
        };
        let ethereum =
            author_identity("0xF8553015220A857eDA377A1E903c9E5AFb3aC2Fa", None, &display).unwrap();
        assert_eq!(ethereum.shown, "0xf8553015220a857eda377a1e903c9e5afb3ac2fa");
        assert_eq!(
            ethereum.also_known_as,
            "0xF8553015220a857eda377a1E903c9e5Afb3aC2fa"
        );
        assert_eq!(ethereum.name.as_deref(), Some("BlackSpaceDev"));
        assert!(author_identity("not a key", None, &display).is_none());
        let hidden = author_identity(
            "0xf8553015220a857eda377a1e903c9e5afb3ac2fa",
            None,
            &Display::default(),
        )
        .unwrap();
        assert_eq!(hidden.name, None);
    }
}
