//! The items of an RSS 2.0 or Atom document, read as spasm.js reads them: through
//! fast-xml-parser with its default options, which spasm.js's converter then queries field
//! by field with `typeof field === "string"`.
//!
//! That gives these rules, kept here because ids of read posts depend on them:
//! * items are `rss > channel > item` (else `rss > channel > items`) or `feed > entry`;
//! * a field is a direct child element of the item, known by its qualified name
//!   (`content:encoded`); attributes are not read, so `<link href="…"/>` is empty;
//! * a field counts as text only if it appears once in the item, has no child elements, and
//!   its value does not read as a number or boolean (fast-xml-parser turns `<guid>1234</guid>`
//!   into the number 1234, which spasm.js then ignores);
//! * text is trimmed, CDATA sections are taken as they are, `&lt;` `&gt;` `&amp;` `&apos;`
//!   `&quot;` and character references are decoded, and other entity references (`&nbsp;`)
//!   are left as written for the HTML → Markdown step, which decodes them.

use std::collections::HashMap;

use quick_xml::Reader;
use quick_xml::events::Event;

use super::{MAX_FEED_ITEMS, MAX_XML_DEPTH, RssError};

/// One field of an item.
#[derive(Debug, Default)]
struct Field {
    text: String,
    /// Text not yet trimmed (a run of text and references ends at CDATA or a tag).
    run: String,
    has_children: bool,
    count: usize,
}

impl Field {
    fn end_run(&mut self) {
        self.text.push_str(self.run.trim());
        self.run.clear();
    }
}

/// The fields of one `<item>` or `<entry>`, by name.
#[derive(Debug, Default)]
pub(super) struct RawItem {
    fields: HashMap<String, Field>,
}

impl RawItem {
    /// The field's value if spasm.js would see a string there (see the module's rules);
    /// `Some("")` for an empty element.
    pub(super) fn string(&self, name: &str) -> Option<&str> {
        let field = self.fields.get(name)?;
        (field.count == 1 && !field.has_children && !reads_as_number_or_boolean(&field.text))
            .then_some(field.text.as_str())
    }

    /// [`Self::string`], when not empty.
    pub(super) fn non_empty(&self, name: &str) -> Option<&str> {
        self.string(name).filter(|text| !text.is_empty())
    }

    fn field_mut(&mut self, name: &str) -> &mut Field {
        self.fields.entry(name.to_string()).or_default()
    }
}

/// Where the reader is.
struct State {
    /// Names of the open elements.
    open: Vec<String>,
    /// The item being read, its depth (open elements including it) and whether it is an
    /// `items` element (RSS's less common spelling).
    item: Option<(RawItem, usize, bool)>,
    /// The name of the item's field being read, if the reader is directly inside one.
    field: Option<String>,
    items: Vec<RawItem>,
    items_spelled_items: Vec<RawItem>,
}

impl State {
    /// Whether an element named `name`, opening now, is an item.
    fn opens_item(&self, name: &str) -> Option<bool> {
        if self.open.len() > 2 {
            return None;
        }
        let path: Vec<&str> = self.open.iter().map(String::as_str).collect();
        match (path.as_slice(), name) {
            (["rss", "channel"], "item") => Some(false),
            (["rss", "channel"], "items") => Some(true),
            (["feed"], "entry") => Some(false),
            _ => None,
        }
    }

    fn start(&mut self, name: String, empty: bool) -> Result<(), RssError> {
        if self.open.is_empty() && name != "rss" && name != "feed" {
            return Err(RssError::NotAFeed);
        }
        if self.item.is_none()
            && let Some(spelled_items) = self.opens_item(&name)
        {
            if self.items.len() + self.items_spelled_items.len() >= MAX_FEED_ITEMS {
                return Err(RssError::TooManyItems);
            }
            self.item = Some((RawItem::default(), self.open.len() + 1, spelled_items));
        } else if let Some((item, depth, _)) = self.item.as_mut() {
            if self.open.len() == *depth {
                // A field of the item.
                let field = item.field_mut(&name);
                field.count += 1;
                self.field = Some(name.clone());
            } else if let Some(field) = self.field.take() {
                // An element inside a field: the field is not text.
                let field = item.field_mut(&field);
                field.end_run();
                field.has_children = true;
            }
        }
        if self.open.len() >= MAX_XML_DEPTH {
            return Err(RssError::TooDeep);
        }
        self.open.push(name);
        if empty {
            self.end();
        }
        Ok(())
    }

    fn end(&mut self) {
        let closing = self.open.len();
        self.open.pop();
        let Some((item, depth, spelled_items)) = self.item.as_mut() else {
            return;
        };
        if closing == *depth + 1 {
            if let Some(field) = self.field.take() {
                item.field_mut(&field).end_run();
            }
        } else if closing == *depth {
            let spelled_items = *spelled_items;
            if let Some((item, _, _)) = self.item.take() {
                if spelled_items {
                    self.items_spelled_items.push(item);
                } else {
                    self.items.push(item);
                }
            }
        }
    }

    /// The field that text at this point belongs to.
    fn text_field(&mut self) -> Option<&mut Field> {
        let (item, depth, _) = self.item.as_mut()?;
        if self.open.len() != *depth + 1 {
            return None;
        }
        let name = self.field.as_deref()?;
        Some(item.field_mut(name))
    }
}

/// The items of a feed document. `Err` when it is not well-formed as far as the reader
/// checks, is neither RSS nor Atom, or is over the limits.
pub(super) fn read_items(xml: &str) -> Result<Vec<RawItem>, RssError> {
    let xml = xml.strip_prefix('\u{feff}').unwrap_or(xml);
    let mut reader = Reader::from_str(xml);
    let mut state = State {
        open: Vec::new(),
        item: None,
        field: None,
        items: Vec::new(),
        items_spelled_items: Vec::new(),
    };
    let mut root_seen = false;
    loop {
        let event = reader.read_event().map_err(|error| RssError::Xml {
            position: reader.error_position(),
            message: error.to_string(),
        })?;
        match event {
            Event::Start(start) => {
                root_seen = true;
                state.start(start.name().as_ref().to_string(), false)?;
            }
            Event::Empty(start) => {
                root_seen = true;
                state.start(start.name().as_ref().to_string(), true)?;
            }
            Event::End(_) => {
                state.end();
                if state.open.is_empty() {
                    break;
                }
            }
            Event::Text(text) => {
                if let Some(field) = state.text_field() {
                    field.run.push_str(&text.xml10_content());
                }
            }
            Event::GeneralRef(reference) => {
                if let Some(field) = state.text_field() {
                    push_reference(&mut field.run, &reference);
                }
            }
            Event::CData(cdata) => {
                if let Some(field) = state.text_field() {
                    field.end_run();
                    field.text.push_str(&cdata.xml10_content());
                }
            }
            Event::Eof => {
                if !state.open.is_empty() {
                    return Err(RssError::Xml {
                        position: reader.buffer_position(),
                        message: format!("<{}> is not closed", state.open.join("> <")),
                    });
                }
                if !root_seen {
                    return Err(RssError::NotAFeed);
                }
                break;
            }
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
    Ok(if state.items.is_empty() {
        state.items_spelled_items
    } else {
        state.items
    })
}

/// An entity or character reference as fast-xml-parser leaves it for spasm.js: the five
/// XML entities and character references decoded, anything else as written.
fn push_reference(out: &mut String, reference: &quick_xml::events::BytesRef<'_>) {
    let name: &str = reference;
    let predefined = match name {
        "lt" => Some('<'),
        "gt" => Some('>'),
        "amp" => Some('&'),
        "apos" => Some('\''),
        "quot" => Some('"'),
        _ => None,
    };
    match predefined.or_else(|| reference.resolve_char_ref().ok().flatten()) {
        Some(character) => out.push(character),
        None => {
            out.push('&');
            out.push_str(name);
            out.push(';');
        }
    }
}

/// Whether fast-xml-parser (default options: `parseTagValue`, hex, leading zeros and
/// exponents allowed) reads a trimmed text value as a number or boolean rather than a
/// string. Integers that a double cannot hold exactly stay strings, as there.
fn reads_as_number_or_boolean(text: &str) -> bool {
    let text = text.trim();
    if text.is_empty() {
        return false;
    }
    if text == "true" || text == "false" {
        return true;
    }
    let unsigned = text
        .strip_prefix('-')
        .or_else(|| text.strip_prefix('+'))
        .unwrap_or(text);
    if let Some(hex) = unsigned
        .strip_prefix("0x")
        .or_else(|| unsigned.strip_prefix("0X"))
    {
        return !hex.is_empty() && hex.bytes().all(|byte| byte.is_ascii_hexdigit());
    }
    let is_decimal = |part: &str| part.bytes().all(|byte| byte.is_ascii_digit());
    if let Some((mantissa, exponent)) = unsigned.split_once(['e', 'E']) {
        // `1e5`, `1.5E-3`: numbers when both sides are.
        let exponent = exponent
            .strip_prefix('-')
            .or_else(|| exponent.strip_prefix('+'))
            .unwrap_or(exponent);
        let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        return !mantissa.is_empty()
            && mantissa != "."
            && is_decimal(whole)
            && is_decimal(fraction)
            && !exponent.is_empty()
            && is_decimal(exponent);
    }
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    if !is_decimal(whole) || !is_decimal(fraction) || (whole.is_empty() && fraction.is_empty()) {
        return false;
    }
    if !unsigned.contains('.') {
        // An integer is a number only if it survives the round trip through a double.
        let digits = whole.trim_start_matches('0');
        if digits.is_empty() {
            return true;
        }
        return match digits.parse::<f64>() {
            Ok(number) if number >= 1e21 => true,
            Ok(number) => format!("{number}") == digits,
            Err(_) => false,
        };
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(xml: &str) -> Vec<RawItem> {
        read_items(xml).unwrap_or_default()
    }

    #[test]
    fn fields_read_as_fast_xml_parser_gives_them() {
        let xml = r#"<?xml version="1.0"?>
<rss version="2.0"><channel><title>t</title>
  <item>
    <title> Rates &amp; fees &nbsp;&#233; </title>
    <guid isPermaLink="false">20260825</guid>
    <link href="x"/>
    <description>
      <![CDATA[ <p>x</p> ]]>
    </description>
    <category>a</category><category>b</category>
    <author><name>n</name></author>
    <content:encoded>long</content:encoded>
  </item>
  <item><guid>example-1</guid></item>
</channel></rss>"#;
        let read = items(xml);
        assert_eq!(read.len(), 2);
        let first = &read[0];
        assert_eq!(first.string("title"), Some("Rates & fees &nbsp;é"));
        assert_eq!(first.string("guid"), None, "a number");
        assert_eq!(first.string("link"), Some(""));
        assert_eq!(first.string("description"), Some(" <p>x</p> "));
        assert_eq!(first.string("category"), None, "repeated");
        assert_eq!(first.string("author"), None, "has children");
        assert_eq!(first.string("content:encoded"), Some("long"));
        assert_eq!(read[1].non_empty("guid"), Some("example-1"));
    }

    #[test]
    fn atom_entries_and_errors() {
        let atom =
            r#"<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>urn:x</id></entry></feed>"#;
        assert_eq!(items(atom)[0].string("id"), Some("urn:x"));
        assert_eq!(read_items("<html/>").err(), Some(RssError::NotAFeed));
        assert_eq!(read_items("").err(), Some(RssError::NotAFeed));
        assert!(matches!(
            read_items("<rss><channel>"),
            Err(RssError::Xml { .. })
        ));
        assert!(matches!(
            read_items("<rss><channel></rss>"),
            Err(RssError::Xml { .. })
        ));
        let deep = format!("<rss>{}", "<a>".repeat(MAX_XML_DEPTH + 1));
        assert_eq!(read_items(&deep).err(), Some(RssError::TooDeep));
        let many = format!(
            "<rss><channel>{}</channel></rss>",
            "<item/>".repeat(MAX_FEED_ITEMS + 1)
        );
        assert_eq!(read_items(&many).err(), Some(RssError::TooManyItems));
        let spelled = "<rss><channel><items><title>a</title></items></channel></rss>";
        assert_eq!(items(spelled)[0].string("title"), Some("a"));
    }

    #[test]
    fn numbers_as_fast_xml_parser_reads_them() {
        for number in [
            "20260825",
            "0",
            "007",
            "-5",
            "+5",
            "1.5",
            ".5",
            "1e5",
            "0x1A",
            "true",
            "1e21",
            "123456789012345678901234",
        ] {
            assert!(reads_as_number_or_boolean(number), "{number}");
        }
        for text in [
            "example-1",
            "12345678901234567891",
            "1.2.3",
            "e5",
            "0x",
            "-",
            ".",
            "1e",
            "True",
            "12abc",
        ] {
            assert!(!reads_as_number_or_boolean(text), "{text}");
        }
    }
}
