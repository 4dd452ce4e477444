//! Events → an RSS 2.0 document (spasm.js `generateRssFeed`).

use std::io;

use quick_xml::Writer;
use quick_xml::events::{BytesCData, BytesDecl, BytesText, Event};
use serde_json::Value;

use super::config::RssFeedConfig;
use super::to_rss::{RssItem, rss_item};
use crate::convert::{VerifiedEvent, convert_to_spasm, merge_events};
use crate::js_value::{js_string, truthy};
use crate::names::short_address;

/// spasm.js `generateRssFeed`: an RSS 2.0 document (UTF-8 XML text) with one `<item>` per
/// event.
///
/// `events` may be in any form [`convert_to_spasm`] accepts (envelopes as stored or
/// posted, signed bodies, Nostr events, web2 items, `SpasmEventV2`). Each is converted and
/// verified; one that does not convert is left out, as in spasm.js. Events that share an id
/// are merged into one item (spasm.js `toBeUniqueSpasmEventsV2`). The order is kept.
///
/// The channel has `<title>` (with the filtered signer, see
/// [`super::RssChannelConfig::add_signer_to_title`]), `<link>`, `<description>`,
/// `<language>`, `<lastBuildDate>`, `<atom:link rel="self">` and `<image>`, each when
/// configured. Each item has `<guid>` (`isPermaLink="true"` when it is a URL), `<title>`,
/// `<description>`, `<link>`, `<pubDate>`, `<author>` (shortened signer),
/// `<enclosure url type>` and `<spasmEnvelope><![CDATA[…]]></spasmEnvelope>`, each when
/// the item has it (see [`super::RssItem`]); items with neither guid nor link are left out.
///
/// Unlike spasm.js, every `]]>` in the envelope is split across CDATA sections (spasm.js
/// splits only the first and so can write XML that is not well-formed), the envelope is not
/// passed through an HTML sanitiser, and characters that XML 1.0 cannot hold (C0 controls
/// other than tab, line feed and carriage return, U+FFFE, U+FFFF) are written as U+FFFD in
/// text and as `\u` escapes inside the envelope's JSON strings (which keeps it the same
/// JSON). The result is always a well-formed document.
pub fn generate_rss_feed(events: &[Value], config: &RssFeedConfig) -> String {
    let mut unique: Vec<VerifiedEvent> = Vec::new();
    for event in events {
        let Ok(event) = convert_to_spasm(event) else {
            continue;
        };
        push_unique(&mut unique, event);
    }
    render(&unique, config)
}

/// [`generate_rss_feed`] for events that are verified already (as a server holds them):
/// the same document, without converting them again.
pub fn generate_rss_feed_from_verified(events: &[VerifiedEvent], config: &RssFeedConfig) -> String {
    let mut unique: Vec<VerifiedEvent> = Vec::new();
    for event in events {
        push_unique(&mut unique, event.clone());
    }
    render(&unique, config)
}

/// spasm.js `pushToArrayIfEventIsUnique`: an event that shares an id (any of its `ids`,
/// compared in lower case) with one in the list is merged into it; others are appended.
fn push_unique(list: &mut Vec<VerifiedEvent>, event: VerifiedEvent) {
    let ids = event_ids(event.event());
    let existing = list
        .iter_mut()
        .find(|known| event_ids(known.event()).iter().any(|id| ids.contains(id)));
    match existing {
        Some(known) => {
            if let Ok(merged) = merge_events(&[known.event().clone(), event.event().clone()]) {
                *known = merged;
            }
        }
        None => list.push(event),
    }
}

/// spasm.js `getAllEventIds`: every truthy string or number id value, lower-cased.
fn event_ids(event: &Value) -> Vec<String> {
    event
        .get("ids")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|id| id.get("value"))
        .filter(|value| matches!(value, Value::String(_) | Value::Number(_)) && truthy(value))
        .map(|value| js_string(Some(value)).to_lowercase())
        .collect()
}

fn render(events: &[VerifiedEvent], config: &RssFeedConfig) -> String {
    let items: Vec<RssItem> = events
        .iter()
        .map(|event| rss_item(event, &config.item))
        .filter(|item| item.feed_guid().is_some())
        .collect();
    // Writing into a Vec cannot fail, and every piece written is a &str, so the fallback
    // (spasm.js also returns "" when it fails) is not reached.
    write_document(&items, config)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .unwrap_or_default()
}

fn write_document(items: &[RssItem], config: &RssFeedConfig) -> io::Result<Vec<u8>> {
    let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
    writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    writer
        .create_element("rss")
        .with_attributes([
            ("version", "2.0"),
            ("xmlns:atom", "http://www.w3.org/2005/Atom"),
        ])
        .write_inner_content(|writer| {
            writer
                .create_element("channel")
                .write_inner_content(|writer| {
                    write_channel(writer, config)?;
                    for item in items {
                        write_item(writer, item, config)?;
                    }
                    Ok(())
                })?;
            Ok(())
        })?;
    let mut bytes = writer.into_inner();
    bytes.push(b'\n');
    Ok(bytes)
}

fn write_channel(writer: &mut Writer<Vec<u8>>, config: &RssFeedConfig) -> io::Result<()> {
    let channel = &config.channel;
    if let Some(title) = non_empty(&channel.title) {
        let signer = config
            .signer
            .as_deref()
            .filter(|_| channel.add_signer_to_title)
            .map(|signer| short_address(signer, channel.auto_generated_names_in_title))
            .filter(|signer| !signer.is_empty());
        match signer {
            Some(signer) => text_element(writer, "title", &format!("{title} - {signer}"))?,
            None => text_element(writer, "title", title)?,
        }
    }
    for (name, value) in [
        ("link", &channel.link),
        ("description", &channel.description),
        ("language", &channel.language),
        ("lastBuildDate", &channel.last_build_date),
    ] {
        if let Some(value) = non_empty(value) {
            text_element(writer, name, value)?;
        }
    }
    if let Some(uri) = non_empty(&channel.full_uri) {
        writer
            .create_element("atom:link")
            .with_attributes([
                ("href", xml_text(uri).as_str()),
                ("rel", "self"),
                ("type", "application/rss+xml"),
            ])
            .write_empty()?;
    }
    if let Some(image) = non_empty(&channel.image_url) {
        writer
            .create_element("image")
            .write_inner_content(|writer| {
                text_element(writer, "url", image)?;
                if let Some(title) = non_empty(&channel.title) {
                    text_element(writer, "title", title)?;
                }
                if let Some(link) = non_empty(&channel.link) {
                    text_element(writer, "link", link)?;
                }
                Ok(())
            })?;
    }
    Ok(())
}

fn write_item(
    writer: &mut Writer<Vec<u8>>,
    item: &RssItem,
    config: &RssFeedConfig,
) -> io::Result<()> {
    writer
        .create_element("item")
        .write_inner_content(|writer| {
            if let Some(guid) = item.feed_guid() {
                let element = writer.create_element("guid");
                let element = if item.guid_is_permalink() {
                    element.with_attribute(("isPermaLink", "true"))
                } else {
                    element
                };
                element.write_text_content(BytesText::new(&xml_text(guid)))?;
            }
            if let Some(title) = &item.title {
                text_element(writer, "title", title)?;
            }
            if let Some(description) = &item.description {
                text_element(writer, "description", description)?;
            }
            if let Some(link) = &item.link {
                text_element(writer, "link", link)?;
            }
            if let Some(date) = &item.pub_date {
                text_element(writer, "pubDate", date)?;
            }
            if let Some(author) = &item.author {
                text_element(
                    writer,
                    "author",
                    &short_address(author, config.auto_generated_names),
                )?;
            }
            if let (Some(url), Some(mime)) = (&item.enclosure_url, item.enclosure_type()) {
                writer
                    .create_element("enclosure")
                    .with_attributes([("url", xml_text(url).as_str()), ("type", mime)])
                    .write_empty()?;
            }
            if let Some(envelope) = &item.spasm_envelope {
                let envelope = xml_safe_json(envelope);
                writer
                    .create_element("spasmEnvelope")
                    .write_inner_content(|writer| {
                        for section in BytesCData::escaped(&envelope) {
                            writer.write_event(Event::CData(section))?;
                        }
                        Ok(())
                    })?;
            }
            Ok(())
        })?;
    Ok(())
}

/// `<name>text</name>`, the text escaped.
fn text_element(writer: &mut Writer<Vec<u8>>, name: &str, text: &str) -> io::Result<()> {
    writer
        .create_element(name)
        .write_text_content(BytesText::new(&xml_text(text)))?;
    Ok(())
}

fn non_empty(value: &Option<String>) -> Option<&str> {
    value.as_deref().filter(|text| !text.is_empty())
}

/// Whether XML 1.0 can hold the character at all (its `Char` production; Rust strings hold
/// no surrogates).
fn is_xml_char(character: char) -> bool {
    matches!(character, '\t' | '\n' | '\r' | ' '..='\u{fffd}' | '\u{10000}'..)
}

/// Text with the characters XML cannot hold replaced by U+FFFD.
fn xml_text(text: &str) -> String {
    text.chars()
        .map(|character| {
            if is_xml_char(character) {
                character
            } else {
                '\u{fffd}'
            }
        })
        .collect()
}

/// JSON text with the characters XML cannot hold written as `\u` escapes: serde_json
/// escapes control characters already, so only U+FFFE and U+FFFF remain, and they can only
/// be inside strings, where the escape means the same character.
fn xml_safe_json(json: &str) -> String {
    if json.chars().all(is_xml_char) {
        return json.to_string();
    }
    let mut out = String::with_capacity(json.len() + 12);
    for character in json.chars() {
        if is_xml_char(character) {
            out.push(character);
        } else {
            out.push_str(&format!("\\u{:04x}", u32::from(character)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn characters_xml_cannot_hold() {
        assert_eq!(xml_text("a\u{1}b\u{ffff}\tc"), "a\u{fffd}b\u{fffd}\tc");
        assert_eq!(xml_safe_json("\"\u{fffe}\""), "\"\\ufffe\"");
        let parsed: Value =
            serde_json::from_str(&xml_safe_json("\"x\u{ffff}\"")).unwrap_or_default();
        assert_eq!(parsed, Value::from("x\u{ffff}"));
    }

    #[test]
    fn an_empty_feed_is_a_channel() {
        let xml = generate_rss_feed(&[], &RssFeedConfig::default());
        assert!(
            xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"")
        );
        assert!(xml.contains("<title>Spasm</title>"), "{xml}");
        assert!(xml.contains("<language>en-us</language>"), "{xml}");
        assert!(!xml.contains("<item>"), "{xml}");
    }
}
