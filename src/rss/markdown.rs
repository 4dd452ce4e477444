//! Markdown → HTML for descriptions (in place of spasm.js's `marked` + DOMPurify) and
//! HTML → Markdown for read feeds (in place of `turndown`).

use std::rc::Rc;

use htmd::element_handler::{HandlerResult, Handlers};
use htmd::options::{
    BrStyle, BulletListMarker, CodeBlockFence, CodeBlockStyle, HeadingStyle, HrStyle,
    LinkReferenceStyle, LinkStyle, Options as HtmdOptions, TranslationMode,
};
use htmd::{Element, HtmlToMarkdown, Node};
use linkify::{LinkFinder, LinkKind};
use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd, html};

use super::MAX_HTML_DEPTH;

/// The HTML of a description written in Markdown, as `marked.parse(text, {breaks: true})`
/// renders it (GitHub-flavoured: tables, strikethrough, task lists, bare URLs linked; a
/// line break is a `<br>`), made safe without a sanitiser: raw HTML in the Markdown is
/// shown as text, and links and images keep only `http:`, `https:` and `mailto:` addresses
/// (others become their text). spasm.js instead lets `marked` pass raw HTML through and
/// then runs DOMPurify over the result.
pub(super) fn markdown_to_html(markdown: &str) -> String {
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let mut finder = LinkFinder::new();
    finder.kinds(&[LinkKind::Url]);
    // Whether each open link or image was kept, how many kept links are open, and whether
    // the text is code (where bare URLs stay text).
    let mut kept: Vec<bool> = Vec::new();
    let mut links_open = 0_usize;
    let mut in_code_block = false;
    let mut events: Vec<Event<'_>> = Vec::new();
    for event in Parser::new_ext(markdown, options) {
        match event {
            Event::Html(raw) | Event::InlineHtml(raw) => events.push(Event::Text(raw)),
            Event::SoftBreak => events.push(Event::HardBreak),
            Event::Start(Tag::CodeBlock(kind)) => {
                in_code_block = true;
                events.push(Event::Start(Tag::CodeBlock(kind)));
            }
            Event::End(TagEnd::CodeBlock) => {
                in_code_block = false;
                events.push(Event::End(TagEnd::CodeBlock));
            }
            Event::Start(tag @ (Tag::Link { .. } | Tag::Image { .. })) => {
                let safe = match &tag {
                    Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. } => {
                        is_safe_url(dest_url)
                    }
                    _ => false,
                };
                kept.push(safe);
                if safe {
                    if matches!(tag, Tag::Link { .. }) {
                        links_open += 1;
                    }
                    events.push(Event::Start(tag));
                }
            }
            Event::End(end @ (TagEnd::Link | TagEnd::Image)) => {
                if kept.pop().unwrap_or(false) {
                    if end == TagEnd::Link {
                        links_open = links_open.saturating_sub(1);
                    }
                    events.push(Event::End(end));
                }
            }
            Event::Text(text) if links_open == 0 && !in_code_block => {
                link_bare_urls(&finder, text, &mut events);
            }
            other => events.push(other),
        }
    }
    let mut out = String::new();
    html::push_html(&mut out, events.into_iter());
    out
}

/// Text with its bare `http(s)://` URLs turned into links (GitHub's autolink extension,
/// which `marked` follows).
fn link_bare_urls<'a>(finder: &LinkFinder, text: CowStr<'a>, events: &mut Vec<Event<'a>>) {
    let mut rest = 0;
    let mut found = false;
    for link in finder.links(&text) {
        if !is_web_url(link.as_str()) {
            continue;
        }
        found = true;
        if link.start() > rest {
            events.push(Event::Text(CowStr::from(
                text.get(rest..link.start()).unwrap_or_default().to_string(),
            )));
        }
        let url = link.as_str().to_string();
        events.push(Event::Start(Tag::Link {
            link_type: pulldown_cmark::LinkType::Autolink,
            dest_url: CowStr::from(url.clone()),
            title: CowStr::from(""),
            id: CowStr::from(""),
        }));
        events.push(Event::Text(CowStr::from(url)));
        events.push(Event::End(TagEnd::Link));
        rest = link.end();
    }
    if !found {
        events.push(Event::Text(text));
    } else if rest < text.len() {
        events.push(Event::Text(CowStr::from(
            text.get(rest..).unwrap_or_default().to_string(),
        )));
    }
}

fn is_web_url(url: &str) -> bool {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

fn is_safe_url(url: &str) -> bool {
    let lower = url.trim().get(..7).unwrap_or(url).to_ascii_lowercase();
    is_web_url(url.trim()) || lower.starts_with("mailto:")
}

/// Text made safe to show as HTML: `&`, `<`, `>` escaped (by pulldown-cmark's writer).
pub(super) fn escape_html_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    html::push_html(
        &mut out,
        std::iter::once(Event::Text(CowStr::Borrowed(text))),
    );
    out
}

/// `turndown` with its default options, as spasm.js calls it on every field of a read
/// item: setext headings, `* * *` rules, `*   ` bullets, `_` emphasis, `**` strong,
/// indented code blocks, inline links, Markdown characters in text escaped.
pub(super) struct HtmlToMarkdownConverter(HtmlToMarkdown);

/// Why a field could not be converted.
#[derive(Debug)]
pub(super) enum HtmlError {
    /// The HTML nests deeper than [`MAX_HTML_DEPTH`].
    TooDeep,
}

impl HtmlToMarkdownConverter {
    pub(super) fn new() -> Self {
        let options = HtmdOptions {
            heading_style: HeadingStyle::Setex,
            hr_style: HrStyle::Asterisks,
            br_style: BrStyle::TwoSpaces,
            link_style: LinkStyle::Inlined,
            link_reference_style: LinkReferenceStyle::Full,
            code_block_style: CodeBlockStyle::Indented,
            code_block_fence: CodeBlockFence::Backticks,
            bullet_list_marker: BulletListMarker::Asterisk,
            ul_bullet_spacing: 3,
            ol_number_spacing: 2,
            preformatted_code: false,
            translation_mode: TranslationMode::Pure,
        };
        let converter = HtmlToMarkdown::builder()
            .options(options)
            // turndown's default `emDelimiter` is `_`; htmd writes `*`.
            .add_handler(vec!["em", "i"], emphasis_with_underscores)
            .build();
        Self(converter)
    }

    /// The Markdown of an HTML fragment (plain text is HTML too: its entities are decoded
    /// and its Markdown characters escaped, as turndown does).
    pub(super) fn convert(&self, html: &str) -> Result<String, HtmlError> {
        if html.is_empty() {
            return Ok(String::new());
        }
        let tree = self.0.html_to_tree(html).map_err(|_| HtmlError::TooDeep)?;
        if depth(&tree) > MAX_HTML_DEPTH {
            return Err(HtmlError::TooDeep);
        }
        Ok(self.0.tree_to_markdown(&tree))
    }
}

/// The Markdown of an HTML fragment as spasm.js's reader writes it (turndown's style), or
/// `None` when the HTML nests deeper than [`MAX_HTML_DEPTH`] (converting it would
/// exhaust the stack: the converter walks the tree recursively).
pub fn html_to_markdown(html: &str) -> Option<String> {
    thread_local! {
        static CONVERTER: HtmlToMarkdownConverter = HtmlToMarkdownConverter::new();
    }
    CONVERTER.with(|converter| converter.convert(html).ok())
}

/// `_text_`, with the whitespace inside the element moved outside the markers.
fn emphasis_with_underscores(handlers: &dyn Handlers, element: Element) -> Option<HandlerResult> {
    let content = handlers.walk_children(element.node).content;
    let trimmed = content.trim();
    if trimmed.is_empty() {
        return None;
    }
    let leading = content
        .get(..content.len() - content.trim_start().len())
        .unwrap_or_default();
    let trailing = content.get(content.trim_end().len()..).unwrap_or_default();
    Some(format!("{leading}_{trimmed}_{trailing}").into())
}

/// How deep the elements of a parsed document nest, counted without recursion.
fn depth(root: &Rc<Node>) -> usize {
    let mut deepest = 0;
    let mut stack = vec![(Rc::clone(root), 0_usize)];
    while let Some((node, level)) = stack.pop() {
        deepest = deepest.max(level);
        if level > MAX_HTML_DEPTH {
            break;
        }
        for child in node.children.borrow().iter() {
            stack.push((Rc::clone(child), level + 1));
        }
    }
    deepest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_becomes_safe_html() {
        let html = markdown_to_html(
            "Hi <script>alert(1)</script> [x](javascript:alert(1)) [y](https://e.example/a_b)\nnext https://m.example/ep.mp3.",
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(
            html.contains(r#"<a href="https://e.example/a_b">y</a>"#),
            "{html}"
        );
        assert!(html.contains("<br />"), "{html}");
        assert!(
            html.contains(r#"<a href="https://m.example/ep.mp3">https://m.example/ep.mp3</a>."#),
            "{html}"
        );
        let code = markdown_to_html("`https://a.example` and\n\n    https://b.example");
        assert!(!code.contains("<a "), "{code}");
    }

    #[test]
    fn html_becomes_markdown_as_turndown_writes_it() {
        let converter = HtmlToMarkdownConverter::new();
        let convert = |html: &str| converter.convert(html).unwrap_or_default();
        assert_eq!(
            convert("<h2>Full text</h2><p>It is <em>longer</em>.</p><ul><li>a</li></ul>"),
            "Full text\n---------\n\nIt is _longer_.\n\n*   a"
        );
        assert_eq!(convert("Caf&eacute; &amp; <em> x </em>"), "Café & _x_");
        assert_eq!(convert(""), "");
        let deep = format!("{}x{}", "<div>".repeat(5000), "</div>".repeat(5000));
        assert!(matches!(converter.convert(&deep), Err(HtmlError::TooDeep)));
    }
}
