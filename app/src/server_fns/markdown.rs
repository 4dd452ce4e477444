//! Markdown to HTML on the server, safe to insert: raw HTML is shown as text, links keep only
//! http, https and mailto and get `rel="nofollow noopener ugc"`, markdown images become
//! links. Media are embedded only where the instance turns that on, and only from a line that
//! is nothing but an https link to a media file (as the old client did). Signed text is never
//! changed; this is only how it is shown (DECISIONS.md, Security 5).

use std::borrow::Cow;

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd, TextMergeStream, html};
use spasm::bidi::{close_direction_controls, percent_encode_direction_controls};

/// Which kinds of media a full-line link embeds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MediaEmbeds {
    /// `<img>` for jpeg, jpg, png, gif, bmp, webp, avif, ico.
    pub images: bool,
    /// `<video>` for mp4, webm, mov, ogv.
    pub videos: bool,
    /// `<audio>` for mp3, wav, flac, aac, ogg, opus.
    pub audio: bool,
}

const IMAGE_EXTENSIONS: [&str; 8] = ["jpeg", "jpg", "png", "gif", "bmp", "webp", "avif", "ico"];
const VIDEO_EXTENSIONS: [&str; 4] = ["mp4", "webm", "mov", "ogv"];
const AUDIO_EXTENSIONS: [&str; 6] = ["mp3", "wav", "flac", "aac", "ogg", "opus"];

impl MediaEmbeds {
    /// The element a full-line `url` becomes, if it links to media of an enabled kind.
    fn element_for(self, url: &str) -> Option<String> {
        if !(self.images || self.videos || self.audio) {
            return None;
        }
        let lower = url.to_ascii_lowercase();
        let rest = lower.strip_prefix("https://")?;
        if rest.is_empty() || url.contains(char::is_whitespace) {
            return None;
        }
        // The extension of the path, not of a query string or fragment.
        let path = rest.split(['?', '#']).next().unwrap_or_default();
        let extension = path.rsplit_once('.').map(|(_, extension)| extension)?;
        let src = escape_attribute(url);
        if self.images && IMAGE_EXTENSIONS.contains(&extension) {
            // No referrer: the host of the picture need not learn which thread was read.
            Some(format!(
                r#"<img class="embedded" src="{src}" alt="Image from a link in the text" loading="lazy" decoding="async" referrerpolicy="no-referrer">"#
            ))
        } else if self.videos && VIDEO_EXTENSIONS.contains(&extension) {
            Some(format!(
                r#"<video class="embedded" src="{src}" controls preload="none" referrerpolicy="no-referrer"></video>"#
            ))
        } else if self.audio && AUDIO_EXTENSIONS.contains(&extension) {
            Some(format!(
                r#"<audio class="embedded" src="{src}" controls preload="none"></audio>"#
            ))
        } else {
            None
        }
    }
}

/// The Markdown this forum reads: CommonMark with strikethrough, tables and task lists.
const OPTIONS: Options = Options::ENABLE_STRIKETHROUGH
    .union(Options::ENABLE_TABLES)
    .union(Options::ENABLE_TASKLISTS);

/// Legacy events signed by the old client hold `&lt;`, `&gt;` and `&amp;` for the
/// characters they stand for.
fn unescape_legacy(markdown: &str) -> String {
    markdown
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The words of `markdown` as a reader sees them, on one line: no markup, a link's text
/// without its address, an image's alt text, raw HTML as the text it is shown as. For
/// excerpts, titles of untitled posts and page descriptions.
pub fn plain_text(markdown: &str) -> String {
    let text = unescape_legacy(markdown);
    let mut out = String::new();
    for event in Parser::new_ext(&text, OPTIONS) {
        match event {
            Event::Text(words)
            | Event::Code(words)
            | Event::Html(words)
            | Event::InlineHtml(words) => {
                out.push_str(&words);
            }
            // Inline markup ends inside the words ("**right**," stays "right,").
            Event::End(
                TagEnd::Emphasis
                | TagEnd::Strong
                | TagEnd::Strikethrough
                | TagEnd::Link
                | TagEnd::Image,
            ) => {}
            // Where a reader sees a space or a new line.
            Event::SoftBreak | Event::HardBreak | Event::End(_) | Event::Rule => out.push(' '),
            _ => {}
        }
    }
    out
}

/// The HTML of `markdown`, embedding `media` from full-line links.
pub fn render(markdown: &str, media: MediaEmbeds) -> String {
    let text = unescape_legacy(markdown);
    // Whether each open link or image became an `<a>`, and how many `<a>` are open: an
    // image inside a link (`[![alt](img)](url)`) is its alt text, never a second `<a>`
    // (browsers split nested anchors and the visible link would go to the image).
    let mut link_open = Vec::new();
    let mut anchors_open = 0_usize;
    let events = TextMergeStream::new(Parser::new_ext(&text, OPTIONS)).map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(shown_text(raw, anchors_open)),
        Event::Start(Tag::Link { dest_url, .. }) | Event::Start(Tag::Image { dest_url, .. }) => {
            match safe_url(&dest_url).filter(|_| anchors_open == 0) {
                Some(url) => {
                    link_open.push(true);
                    anchors_open += 1;
                    // Direction controls in an address are shown percent-encoded: the
                    // address reads in the order of its characters and still leads there.
                    Event::Html(CowStr::from(format!(
                        r#"<a href="{}" rel="nofollow noopener ugc" target="_blank">"#,
                        escape_attribute(&percent_encode_direction_controls(url))
                    )))
                }
                None => {
                    link_open.push(false);
                    Event::Text(CowStr::from(""))
                }
            }
        }
        Event::End(TagEnd::Link) | Event::End(TagEnd::Image) => {
            if link_open.pop().unwrap_or(false) {
                anchors_open = anchors_open.saturating_sub(1);
                Event::Html(CowStr::from("</a>"))
            } else {
                Event::Text(CowStr::from(""))
            }
        }
        Event::Text(text) => Event::Text(shown_text(text, anchors_open)),
        Event::Code(text) => Event::Code(shown_text(text, anchors_open)),
        Event::SoftBreak => Event::HardBreak,
        other => other,
    });
    // After the raw HTML became text: the media elements are the only HTML added here.
    let events = embed_full_line_media(events.collect(), media);
    let mut out = String::new();
    html::push_html(&mut out, events.into_iter());
    out
}

/// Replaces each text that is a whole line of a paragraph and a media link by its element.
fn embed_full_line_media(mut events: Vec<Event<'_>>, media: MediaEmbeds) -> Vec<Event<'_>> {
    if media == MediaEmbeds::default() {
        return events;
    }
    let line_start = |event: Option<&Event<'_>>| {
        matches!(
            event,
            Some(Event::Start(Tag::Paragraph) | Event::SoftBreak | Event::HardBreak)
        )
    };
    let line_end = |event: Option<&Event<'_>>| {
        matches!(
            event,
            Some(Event::End(TagEnd::Paragraph) | Event::SoftBreak | Event::HardBreak)
        )
    };
    for index in 0..events.len() {
        let element = match &events[index] {
            Event::Text(text)
                if line_start(index.checked_sub(1).and_then(|before| events.get(before)))
                    && line_end(events.get(index + 1)) =>
            {
                media.element_for(text.trim())
            }
            _ => None,
        };
        if let Some(element) = element {
            events[index] = Event::Html(CowStr::from(element));
        }
    }
    events
}

/// Text as shown: inside a link, direction controls percent-encoded (a link's text is
/// usually its address); elsewhere, every override it opens closed at its end.
fn shown_text(text: CowStr<'_>, anchors_open: usize) -> CowStr<'_> {
    let shown = if anchors_open > 0 {
        percent_encode_direction_controls(&text)
    } else {
        close_direction_controls(&text)
    };
    match shown {
        Cow::Borrowed(_) => text,
        Cow::Owned(changed) => CowStr::from(changed),
    }
}

fn safe_url(url: &str) -> Option<&str> {
    let lower = url.trim().to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://") || lower.starts_with("mailto:"))
        .then_some(url.trim())
}

fn escape_attribute(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('\'', "&#39;")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(markdown: &str) -> String {
        super::render(markdown, MediaEmbeds::default())
    }

    const ALL_MEDIA: MediaEmbeds = MediaEmbeds {
        images: true,
        videos: true,
        audio: true,
    };

    #[test]
    fn full_line_media_links_embed_only_when_enabled() {
        let text = "Look:\nhttps://example.com/cat.PNG\n\nhttps://example.com/clip.mp4?x=1\n\nhttps://example.com/song.mp3";
        let plain = render(text);
        assert!(!plain.contains("<img") && !plain.contains("<video") && !plain.contains("<audio"));
        let html = super::render(text, ALL_MEDIA);
        assert!(
            html.contains(r#"<img class="embedded" src="https://example.com/cat.PNG""#),
            "{html}"
        );
        assert!(
            html.contains(r#"<video class="embedded" src="https://example.com/clip.mp4?x=1""#),
            "{html}"
        );
        assert!(
            html.contains(r#"<audio class="embedded" src="https://example.com/song.mp3""#),
            "{html}"
        );
        let images_only = super::render(
            text,
            MediaEmbeds {
                images: true,
                ..MediaEmbeds::default()
            },
        );
        assert!(
            images_only.contains("<img") && !images_only.contains("<video"),
            "{images_only}"
        );
    }

    #[test]
    fn only_whole_https_lines_embed() {
        for text in [
            "see https://example.com/cat.png here",
            "http://example.com/cat.png",
            "`https://example.com/cat.png`",
            "[https://example.com/cat.png](https://example.com/cat.png)",
            "https://example.com/cat.png\" onerror=\"alert(1)",
            "javascript:alert(1)//.png",
        ] {
            let html = super::render(text, ALL_MEDIA);
            assert!(!html.contains("<img"), "{text} → {html}");
        }
        let html = super::render("https://example.com/a\"b.png", ALL_MEDIA);
        assert!(!html.contains(r#"a"b"#), "{html}");
    }

    #[test]
    fn plain_text_is_what_a_reader_sees() {
        let words = plain_text(
            "# Title\n\n**Bold** and [a link](https://example.com) `code`\n\n![alt](x.png) <b>raw</b>",
        );
        assert_eq!(
            words.split_whitespace().collect::<Vec<_>>().join(" "),
            "Title Bold and a link code alt <b>raw</b>"
        );
    }

    #[test]
    fn raw_html_is_text_and_unsafe_links_are_dropped() {
        let html = render("<script>alert(1)</script>\n\n**bold** <img src=x onerror=alert(1)>");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(html.contains("<strong>bold</strong>"));
        let html = render("[click](javascript:alert(1)) [ok](https://example.com/a\"b)");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(
            html.contains(r#"href="https://example.com/a%22b""#) || html.contains("&quot;"),
            "{html}"
        );
        assert!(html.contains(r#"rel="nofollow noopener ugc""#));
        let html = render("![pic](https://example.com/x.png)");
        assert!(!html.contains("<img"), "{html}");
    }

    #[test]
    fn an_image_inside_a_link_is_one_link() {
        let html = render("[![alt text](https://img.example/a.png)](https://link.example/)");
        assert_eq!(html.matches("<a ").count(), 1, "{html}");
        assert!(html.contains(r#"href="https://link.example/""#), "{html}");
        assert!(html.contains("alt text"), "{html}");
        assert!(!html.contains("img.example"), "{html}");
        // A link in a link's text is its text.
        let html = render("[a <https://inner.example/> b](https://outer.example/)");
        assert_eq!(html.matches("<a ").count(), 1, "{html}");
    }

    #[test]
    fn direction_controls_never_disguise_a_link_or_the_text_after_it() {
        let case = "My new song: <https://files.example/about\u{202E}3pm.exe>\n\nAlso \
            [https://files.example/song\u{202E}3pm.exe](https://files.example/song\u{202E}3pm.exe) \
            and plain text after.";
        let html = render(case);
        assert!(!html.contains('\u{202E}'), "{html}");
        assert!(
            html.contains(r#"href="https://files.example/song%E2%80%AE3pm.exe""#),
            "{html}"
        );
        assert!(
            html.contains(">https://files.example/song%E2%80%AE3pm.exe</a>"),
            "{html}"
        );
        // Outside links, an override is kept but closed before the text that follows.
        let html = render("x \u{202E}reversed\n\nnext");
        assert!(html.contains("\u{202E}reversed\u{202C}"), "{html}");
    }

    #[test]
    fn legacy_escapes_render_as_their_characters() {
        assert!(render("&gt; quoted").contains("<blockquote>"));
        assert!(render("a &lt; b").contains("a &lt; b"));
    }
}
