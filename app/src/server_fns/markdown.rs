//! Markdown to HTML on the server, safe to insert: raw HTML is shown as text, links keep only
//! http, https and mailto and get `rel="nofollow noopener ugc"`, images become links (media
//! are not embedded unless the instance turns that on). Signed text is never changed; this
//! is only how it is shown (DECISIONS.md, Security 5).

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd, html};

/// The HTML of `markdown`.
pub fn render(markdown: &str) -> String {
    // Legacy events signed by the old client hold `&lt;`, `&gt;` and `&amp;` for the
    // characters they stand for.
    let text = markdown
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    let options =
        Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TABLES | Options::ENABLE_TASKLISTS;
    let mut link_open = Vec::new();
    let events = Parser::new_ext(&text, options).map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        Event::Start(Tag::Link { dest_url, .. }) | Event::Start(Tag::Image { dest_url, .. }) => {
            match safe_url(&dest_url) {
                Some(url) => {
                    link_open.push(true);
                    Event::Html(CowStr::from(format!(
                        r#"<a href="{}" rel="nofollow noopener ugc" target="_blank">"#,
                        escape_attribute(url)
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
                Event::Html(CowStr::from("</a>"))
            } else {
                Event::Text(CowStr::from(""))
            }
        }
        Event::SoftBreak => Event::HardBreak,
        other => other,
    });
    let mut out = String::new();
    html::push_html(&mut out, events);
    out
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
    fn legacy_escapes_render_as_their_characters() {
        assert!(render("&gt; quoted").contains("<blockquote>"));
        assert!(render("a &lt; b").contains("a &lt; b"));
    }
}
