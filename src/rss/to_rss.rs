//! One event → one RSS item (spasm.js `convertToRss` / `convertSpasmEventV2ToRssEvent`).

use serde::Serialize;
use serde_json::Value;

use super::config::RssItemConfig;
use super::dates::{pub_date, short_date};
use super::markdown::{escape_html_text, markdown_to_html};
use super::media::{first_audio_or_video_url, mime_type};
use super::signers::VerifiedSigners;
use crate::convert::{VerifiedEvent, convert_to_spasm, to_envelope};
use crate::formats::{find_most_likely_url, is_valid_url};
use crate::js_value::{is_object_with_values, js_string, truthy};
use crate::nostr::nip19::{to_note_lenient, to_npub_lenient};

/// How many characters (UTF-16 code units, as JavaScript counts) of a reply's content make
/// its title.
const REPLY_TITLE_LENGTH: usize = 60;

/// One event as an RSS item (spasm.js `RssEvent`). Every field is optional, as in spasm.js;
/// a feed leaves out items with neither a guid nor a link. Serialises to spasm.js's JSON
/// field names (`spasmEnvelope`, `pubDate`, `enclosureUrl`, …).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RssItem {
    /// The event's `SpasmEventEnvelopeV2` as JSON text, exactly as converted: readers verify
    /// its signatures again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spasm_envelope: Option<String>,
    /// The first verified signer, lower case (an Ethereum address, or a Nostr key as
    /// `npub`). A feed shows it shortened (see [`super::short_address`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// The event's title; for a reply without one, `Comment: ` and the first 60 characters
    /// of its content (`...` when there are more).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// HTML: the content with the configured extra lines, rendered from Markdown, or the
    /// escaped text when Markdown rendering is off. `None` without content.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The custom guid, else the event's `guid` id, else its spasmid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guid: Option<String>,
    /// The custom link, else the event's URL id, else `<custom domain>/<spasmid>`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// RFC 822 date of `db.addedTimestamp`, else of the signed `timestamp`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pub_date: Option<String>,
    /// The first audio or video link in the content.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enclosure_url: Option<String>,
}

impl RssItem {
    /// The item's identifier in a feed: the guid, else the link.
    pub fn feed_guid(&self) -> Option<&str> {
        self.guid.as_deref().or(self.link.as_deref())
    }

    /// Whether [`Self::feed_guid`] is written with `isPermaLink="true"`: whenever the WHATWG
    /// URL parser accepts it, as spasm.js decides (so `tag:` URIs get it too).
    pub fn guid_is_permalink(&self) -> bool {
        self.feed_guid().is_some_and(is_valid_url)
    }

    /// The MIME type of the enclosure (see [`super::mime_type`]).
    pub fn enclosure_type(&self) -> Option<&'static str> {
        self.enclosure_url.as_deref().map(mime_type)
    }
}

/// spasm.js `convertToRss`: any event form that [`convert_to_spasm`] accepts (envelope,
/// signed body, Nostr event, `SpasmEventV2`, web2 item…) → its RSS item. `None` when the
/// event does not convert (for example when a signature does not verify). spasm.js also
/// passes an already converted `RssEvent` through; this function does not take one.
pub fn convert_to_rss(event: &Value, config: &RssItemConfig) -> Option<RssItem> {
    convert_to_spasm(event)
        .ok()
        .map(|event| rss_item(&event, config))
}

/// The RSS item of a verified event (spasm.js `convertSpasmEventV2ToRssEvent`, without its
/// DOMPurify pass: the envelope is left exactly as converted, and the description is safe
/// HTML by construction; see [`super`]).
pub fn rss_item(event: &VerifiedEvent, config: &RssItemConfig) -> RssItem {
    let json = event.event();
    let spasmid = event.id().to_string();
    let signers = VerifiedSigners::of(json);
    let action = json
        .get("action")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let content = non_empty_str(json, "content");

    let spasm_envelope = if config.add_spasm_envelope {
        to_envelope(json)
            .ok()
            .filter(is_object_with_values)
            .and_then(|envelope| serde_json::to_string(&envelope).ok())
    } else {
        None
    };

    let author = if let Some(signer) = signers.spasm.first() {
        Some(signer.clone())
    } else if let Some(signer) = signers.ethereum.first() {
        Some(signer.clone())
    } else if let Some(signer) = signers.nostr.first() {
        Some(to_npub_lenient(signer)).filter(|npub| !npub.is_empty())
    } else {
        signers.any.first().cloned()
    };

    let title = match non_empty_str(json, "title") {
        Some(title) => Some(title.to_string()),
        None if action == "reply" => content.map(|content| {
            let (head, cut) = utf16_prefix(content, REPLY_TITLE_LENGTH);
            format!("Comment: {head}{}", if cut { "..." } else { "" })
        }),
        None => None,
    };

    let description = content.map(|content| {
        let text = description_text(json, content, action, &spasmid, &signers, config);
        if config.convert_description_to_html {
            markdown_to_html(&text)
        } else {
            escape_html_text(&text)
        }
    });

    let guid = config.custom_guid.clone().or_else(|| {
        Some(
            first_id_of_format(json.get("ids"), "guid", None)
                .map_or_else(|| spasmid.clone(), |guid| js_string(Some(guid))),
        )
    });

    let link = config.custom_link.clone().or_else(|| {
        url_id(json.get("ids")).or_else(|| {
            config
                .custom_domain
                .as_deref()
                .map(|domain| under_domain(domain, &spasmid))
        })
    });

    let pub_date = json
        .get("db")
        .and_then(|db| db.get("addedTimestamp"))
        .filter(|added| truthy(added))
        .and_then(pub_date)
        .or_else(|| {
            json.get("timestamp")
                .filter(|timestamp| truthy(timestamp))
                .and_then(pub_date)
        });

    let enclosure_url = content
        .and_then(first_audio_or_video_url)
        .map(str::to_string);

    RssItem {
        spasm_envelope,
        author,
        title,
        description,
        guid,
        link,
        pub_date,
        enclosure_url,
    }
}

/// The description before rendering: the content, then `---` and the extra event lines,
/// then the parent of a reply.
fn description_text(
    json: &Value,
    content: &str,
    action: &str,
    spasmid: &str,
    signers: &VerifiedSigners,
    config: &RssItemConfig,
) -> String {
    let mut text = content.to_string();
    let info = &config.extra_event_info;
    if info.for_actions.includes(action) {
        text.push_str("\n\n---");
        if info.submit_comment_link
            && let Some(domain) = config.custom_domain.as_deref()
        {
            let link = under_domain(domain, spasmid);
            if is_valid_url(&link) {
                text.push_str(&format!("\n[Submit your comment on Spasm]({link})"));
            }
        }
        if info.signed_date
            && let Some(date) = json
                .get("timestamp")
                .filter(|timestamp| truthy(timestamp))
                .and_then(short_date)
        {
            text.push_str(if signers.is_empty() {
                "\nPublished date: "
            } else {
                "\nSigned date: "
            });
            text.push_str(&date);
        }
        if info.signers {
            for signer in &signers.spasm {
                text.push_str(&format!("\nSpasm signer: {signer}"));
            }
            for signer in &signers.ethereum {
                text.push_str(&format!("\nEthereum signer: {signer}"));
            }
            for signer in &signers.nostr {
                let npub = to_npub_lenient(signer);
                if !npub.is_empty() {
                    text.push_str(&format!("\nNostr signer: {npub}"));
                }
            }
        }
    }
    let extra = &config.extra_content;
    if extra.for_actions.includes(action)
        && let Some((parent, is_address)) = parent_id(json)
        && !parent.is_empty()
    {
        let link = match config.custom_domain.as_deref() {
            Some(domain) if !is_address && extra.add_domain => under_domain(domain, &parent),
            _ => parent,
        };
        text.push_str(&extra.text);
        text.push_str(&link);
    }
    text
}

/// The parent id spasm.js links a reply to, and whether it is a URL or guid (linked as it
/// is): URL, guid, spasmid, Nostr id (as `note`), `nevent`, else the first id.
fn parent_id(json: &Value) -> Option<(String, bool)> {
    let ids = json.get("parent").and_then(|parent| parent.get("ids"));
    if let Some(url) = url_id(ids) {
        return Some((url, true));
    }
    if let Some(guid) = first_id_of_format(ids, "guid", None) {
        return Some((js_string(Some(guid)), true));
    }
    if let Some(spasmid) = first_id_of_format(ids, "spasmid", Some("01")) {
        return Some((js_string(Some(spasmid)), false));
    }
    for name in ["nostr-hex", "nostr-note"] {
        if let Some(id) = first_id_of_format(ids, name, None) {
            return Some((to_note_lenient(&js_string(Some(id))), false));
        }
    }
    if let Some(nevent) = first_id_of_format(ids, "nostr-nevent", None) {
        return Some((js_string(Some(nevent)), false));
    }
    let first = ids?
        .as_array()?
        .iter()
        .filter_map(|id| id.get("value"))
        .find(|value| matches!(value, Value::String(_) | Value::Number(_)) && truthy(value))?;
    Some((js_string(Some(first)).to_lowercase(), false))
}

/// spasm.js `getIdByFormat`: the values of `ids` whose format has this name (and this
/// version, when one is given).
fn ids_of_format<'a>(
    ids: Option<&'a Value>,
    name: &str,
    version: Option<&str>,
) -> impl Iterator<Item = &'a Value> {
    ids.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(move |id| {
            let format = id
                .get("format")
                .filter(|format| is_object_with_values(format));
            let value_ok = id.get("value").is_some_and(|value| {
                matches!(value, Value::String(_) | Value::Number(_)) && truthy(value)
            });
            let name_ok = format
                .and_then(|format| format.get("name"))
                .and_then(Value::as_str)
                == Some(name);
            let version_ok = match version {
                None => true,
                Some(version) => {
                    format
                        .and_then(|format| format.get("version"))
                        .and_then(Value::as_str)
                        == Some(version)
                }
            };
            value_ok && name_ok && version_ok
        })
        .filter_map(|id| id.get("value"))
}

fn first_id_of_format<'a>(
    ids: Option<&'a Value>,
    name: &str,
    version: Option<&str>,
) -> Option<&'a Value> {
    ids_of_format(ids, name, version).next()
}

/// The URL id: the only one, or the most likely of several (spasm.js `findMostLikelyUrl`).
fn url_id(ids: Option<&Value>) -> Option<String> {
    let urls: Vec<Value> = ids_of_format(ids, "url", None).cloned().collect();
    match urls.as_slice() {
        [] => None,
        [only] => Some(js_string(Some(only))),
        several => find_most_likely_url(several),
    }
}

/// `domain/id`, without doubling a slash the domain ends with.
fn under_domain(domain: &str, id: &str) -> String {
    if domain.ends_with('/') {
        format!("{domain}{id}")
    } else {
        format!("{domain}/{id}")
    }
}

fn non_empty_str<'a>(json: &'a Value, key: &str) -> Option<&'a str> {
    json.get(key)
        .and_then(Value::as_str)
        .filter(|text| !text.is_empty())
}

/// The first `limit` UTF-16 code units of `text` (without splitting a surrogate pair, which
/// JavaScript would), and whether `text` is longer.
fn utf16_prefix(text: &str, limit: usize) -> (&str, bool) {
    let mut units = 0;
    for (index, character) in text.char_indices() {
        units += character.len_utf16();
        if units > limit {
            return (text.get(..index).unwrap_or_default(), true);
        }
    }
    (text, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reply_titles_count_utf16_units() {
        assert_eq!(utf16_prefix("abc", 2), ("ab", true));
        assert_eq!(utf16_prefix("abc", 3), ("abc", false));
        assert_eq!(utf16_prefix("a😀b", 2), ("a", true));
        assert_eq!(utf16_prefix("a😀b", 3), ("a😀", true));
    }

    #[test]
    fn items_are_not_made_from_unverifiable_events() {
        let forged = serde_json::json!({
            "type": "SpasmEventBodySignedClosedV2",
            "signedString": "{\"type\":\"SpasmEventBodyV2\",\"action\":\"post\",\"content\":\"x\"}",
            "signature": format!("0x{}", "11".repeat(65)),
            "signer": "0x961d90164af4c8e8554bb01b2972c218c398cb6a"
        });
        assert_eq!(convert_to_rss(&forged, &RssItemConfig::default()), None);
    }
}
