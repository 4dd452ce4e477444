//! Unicode direction controls (UAX #9) in text from strangers.
//!
//! A right-to-left override (U+202E) between `song` and `3pm.exe` makes it read as `songexe.mp3`, and one
//! left open reorders everything after it up to the end of the paragraph. Signed text is never
//! changed; what is shown is made safe with the two functions here, the one mechanism for
//! every piece of user text the forum shows (content, titles, names, `<title>`, links).

use std::borrow::Cow;

/// The explicit direction formatting characters: LRE, RLE, PDF, LRO, RLO (U+202A–U+202E),
/// LRI, RLI, FSI, PDI (U+2066–U+2069), and the marks LRM, RLM (U+200E, U+200F) and ALM
/// (U+061C).
pub fn is_direction_control(character: char) -> bool {
    matches!(
        character,
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}'
    )
}

/// `text` with every embedding, override and isolate it opens closed at its end (PDF for
/// U+202A, U+202B, U+202D, U+202E; PDI for U+2066–U+2068), so that nothing it opens reaches
/// the text after it. Line breaks end every embedding in UAX #9, so each line is balanced.
pub fn close_direction_controls(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_direction_control) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    // What is open, innermost last: PDF or PDI closes it.
    let mut open: Vec<char> = Vec::new();
    let close_all = |open: &mut Vec<char>, out: &mut String| {
        while let Some(closer) = open.pop() {
            out.push(closer);
        }
    };
    for character in text.chars() {
        match character {
            '\n' | '\r' | '\u{2029}' => close_all(&mut open, &mut out),
            '\u{202A}' | '\u{202B}' | '\u{202D}' | '\u{202E}' => open.push('\u{202C}'),
            '\u{2066}'..='\u{2068}' => open.push('\u{2069}'),
            // A PDI closes its isolate and whatever was opened inside it.
            '\u{2069}' => {
                if let Some(at) = open.iter().rposition(|closer| *closer == '\u{2069}') {
                    open.truncate(at);
                }
            }
            '\u{202C}' if open.last() == Some(&'\u{202C}') => {
                open.pop();
            }
            _ => {}
        }
        out.push(character);
    }
    close_all(&mut open, &mut out);
    Cow::Owned(out)
}

/// `text` for places without markup (a document's `<title>`, a notification): when it has
/// direction controls, closed ([`close_direction_controls`]) and wrapped in FSI … PDI
/// (U+2068, U+2069), so that it cannot reorder what is written around it.
pub fn isolate(text: &str) -> Cow<'_, str> {
    match close_direction_controls(text) {
        Cow::Borrowed(text) => Cow::Borrowed(text),
        Cow::Owned(closed) => Cow::Owned(format!("\u{2068}{closed}\u{2069}")),
    }
}

/// `address` with direction controls percent-encoded (as UTF-8, RFC 3986), so that a link's
/// address reads in the order of its characters. Browsers decode them back when following
/// the link, so the address still leads where it was written to.
pub fn percent_encode_direction_controls(address: &str) -> Cow<'_, str> {
    if !address.chars().any(is_direction_control) {
        return Cow::Borrowed(address);
    }
    let mut out = String::with_capacity(address.len() + 16);
    for character in address.chars() {
        if is_direction_control(character) {
            let mut bytes = [0; 4];
            for byte in character.encode_utf8(&mut bytes).bytes() {
                out.push_str(&format!("%{byte:02X}"));
            }
        } else {
            out.push(character);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_overrides_are_closed_at_the_end_and_at_line_breaks() {
        assert_eq!(close_direction_controls("plain"), "plain");
        assert_eq!(
            close_direction_controls("song\u{202E}3pm.exe"),
            "song\u{202E}3pm.exe\u{202C}"
        );
        assert_eq!(
            close_direction_controls("a\u{2067}b\u{202B}c\nd"),
            "a\u{2067}b\u{202B}c\u{202C}\u{2069}\nd"
        );
        // Closed ones stay as they are; a PDI closes embeddings inside its isolate.
        assert_eq!(
            close_direction_controls("\u{202E}x\u{202C} \u{2066}y\u{202A}z\u{2069}"),
            "\u{202E}x\u{202C} \u{2066}y\u{202A}z\u{2069}"
        );
    }

    #[test]
    fn plain_text_is_isolated_only_when_it_needs_to_be() {
        assert_eq!(isolate("title"), "title");
        assert_eq!(isolate("a\u{202E}b"), "\u{2068}a\u{202E}b\u{202C}\u{2069}");
    }

    #[test]
    fn addresses_show_their_controls_percent_encoded() {
        assert_eq!(
            percent_encode_direction_controls("https://files.example/song\u{202E}3pm.exe"),
            "https://files.example/song%E2%80%AE3pm.exe"
        );
        assert_eq!(
            percent_encode_direction_controls("https://x.example/\u{200F}\u{2066}"),
            "https://x.example/%E2%80%8F%E2%81%A6"
        );
        assert_eq!(
            percent_encode_direction_controls("https://x.example/é"),
            "https://x.example/é"
        );
    }
}
