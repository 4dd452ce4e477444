//! Explaining why a JSON text does not parse, for the one fault real clients make that a
//! parser's message does not explain: a UTF-16 surrogate escape without its other half.
//!
//! JavaScript strings are UTF-16, so a client that cuts a string by length (a preview, a
//! title limit) can cut an emoji in half and `JSON.stringify` then writes `"\ud83c"`.
//! Such text is not Unicode, so it cannot be stored or shown faithfully, and Nostr relays
//! disagree on how to serialise it (DECISIONS.md, Security 6): it is refused, with a message
//! that says what happened and where.

use core::fmt;

use serde_json::Value;

/// A `\uXXXX` escape of a surrogate code unit that is not half of a pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnpairedSurrogate {
    /// The code unit, in `0xD800..=0xDFFF`.
    pub unit: u16,
    /// Where it is, as a path into the JSON (`content`, `tags[0][1]`, `authors[0].name`).
    pub field: String,
    /// How many characters of that string come before it (counted from 0).
    pub position: usize,
}

impl fmt::Display for UnpairedSurrogate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "an unpaired surrogate \\u{:04x} at character {} of the {}: the client cut a \
             character in half",
            self.unit, self.position, self.field
        )
    }
}

/// Why a JSON text is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JsonTextError {
    /// A string holds half of a UTF-16 surrogate pair.
    #[error("{0}")]
    UnpairedSurrogate(UnpairedSurrogate),
    /// Any other syntax error (the parser's message).
    #[error("{0}")]
    Invalid(String),
}

/// Parses JSON text, explaining an unpaired surrogate when that is why it fails.
///
/// # Errors
/// [`JsonTextError::UnpairedSurrogate`] for a lone `\uD800`–`\uDFFF` escape, else
/// [`JsonTextError::Invalid`] with `serde_json`'s message.
pub fn parse(text: &[u8]) -> Result<Value, JsonTextError> {
    serde_json::from_slice(text).map_err(|error| {
        match find_unpaired_surrogate(&String::from_utf8_lossy(text)) {
            Some(found) => JsonTextError::UnpairedSurrogate(found),
            None => JsonTextError::Invalid(error.to_string()),
        }
    })
}

/// One level of the JSON being walked.
enum Level {
    Object { key: Option<String> },
    Array { index: usize },
}

/// The first unpaired surrogate escape in a JSON text's strings, with its place. Only the
/// error path calls this, so it favours being simple over being fast.
pub fn find_unpaired_surrogate(text: &str) -> Option<UnpairedSurrogate> {
    let mut levels: Vec<Level> = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' => levels.push(Level::Object { key: None }),
            '[' => levels.push(Level::Array { index: 0 }),
            '}' | ']' => {
                levels.pop();
            }
            ',' => match levels.last_mut() {
                Some(Level::Array { index }) => *index += 1,
                Some(Level::Object { key }) => *key = None,
                None => {}
            },
            '"' => {
                let is_key = matches!(levels.last(), Some(Level::Object { key: None }));
                let (decoded, unpaired) = read_string(&mut chars);
                if let Some((unit, position)) = unpaired {
                    let mut field = path(&levels);
                    if is_key {
                        field = if field.is_empty() {
                            "a key".to_string()
                        } else {
                            format!("a key of {field}")
                        };
                    }
                    return Some(UnpairedSurrogate {
                        unit,
                        field: if field.is_empty() {
                            "text".to_string()
                        } else {
                            field
                        },
                        position,
                    });
                }
                if is_key && let Some(Level::Object { key }) = levels.last_mut() {
                    *key = Some(decoded);
                }
            }
            _ => {}
        }
    }
    None
}

/// Reads a string literal after its opening quote: its text (surrogates replaced) and the
/// first unpaired surrogate with its position in characters.
fn read_string(
    chars: &mut core::iter::Peekable<core::str::Chars<'_>>,
) -> (String, Option<(u16, usize)>) {
    let mut decoded = String::new();
    let mut count = 0;
    let mut unpaired = None;
    let mut pending_high: Option<u16> = None;
    fn note(unit: u16, at: usize, unpaired: &mut Option<(u16, usize)>) {
        unpaired.get_or_insert((unit, at));
    }
    while let Some(c) = chars.next() {
        let unit = match c {
            '"' => break,
            '\\' => match chars.next() {
                Some('u') => {
                    let hex: String = chars.by_ref().take(4).collect();
                    u16::from_str_radix(&hex, 16).ok()
                }
                Some(other) => {
                    decoded.push(other);
                    None
                }
                None => break,
            },
            other => {
                decoded.push(other);
                None
            }
        };
        // A high half is paired only by a low half escaped right after it.
        if let Some(high) = pending_high.take() {
            if let Some(low @ 0xDC00..=0xDFFF) = unit {
                let pair = char::decode_utf16([high, low]).next().and_then(Result::ok);
                decoded.push(pair.unwrap_or('\u{FFFD}'));
                count += 1;
                continue;
            }
            note(high, count, &mut unpaired);
            count += 1;
        }
        match unit {
            Some(high @ 0xD800..=0xDBFF) => pending_high = Some(high),
            Some(low @ 0xDC00..=0xDFFF) => {
                note(low, count, &mut unpaired);
                decoded.push('\u{FFFD}');
                count += 1;
            }
            Some(other) => {
                decoded.push(char::from_u32(u32::from(other)).unwrap_or('\u{FFFD}'));
                count += 1;
            }
            None => count += 1,
        }
    }
    if let Some(high) = pending_high {
        note(high, count, &mut unpaired);
    }
    (decoded, unpaired)
}

/// `content`, `tags[0][1]`, `authors[0].addresses[0].value`.
fn path(levels: &[Level]) -> String {
    let mut out = String::new();
    for level in levels {
        match level {
            Level::Object { key: Some(key) } => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Level::Object { key: None } => {}
            Level::Array { index } => out.push_str(&format!("[{index}]")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Option<(u16, String, usize)> {
        find_unpaired_surrogate(text).map(|found| (found.unit, found.field, found.position))
    }

    #[test]
    fn a_cut_emoji_is_found_with_its_field_and_position() {
        let text = r#"{"action":"post","content":"Great day at the beach \ud83c","title":"t"}"#;
        assert_eq!(found(text), Some((0xd83c, "content".into(), 23)));
        let message = parse(text.as_bytes()).unwrap_err().to_string();
        assert_eq!(
            message,
            "an unpaired surrogate \\ud83c at character 23 of the content: the client cut a \
             character in half"
        );
    }

    #[test]
    fn low_halves_nested_fields_and_keys_are_found() {
        assert_eq!(
            found(r#"{"tags":[["t","ok"],["t","a\udc00b"]]}"#),
            Some((0xdc00, "tags[1][1]".into(), 1))
        );
        assert_eq!(
            found(r#"{"authors":[{"name":"\u00e9\n\ud800x"}]}"#),
            Some((0xd800, "authors[0].name".into(), 2))
        );
        assert_eq!(found(r#"{"k\udbff":1}"#), Some((0xdbff, "a key".into(), 1)));
        // A high half followed by a non-surrogate escape is unpaired too.
        assert_eq!(
            found(r#"["\ud83c\u0041"]"#),
            Some((0xd83c, "[0]".into(), 0))
        );
    }

    #[test]
    fn pairs_and_other_faults_are_not_surrogate_faults() {
        assert_eq!(found(r#"{"content":"\ud83c\udf0a \\ud83c"}"#), None);
        assert!(parse(br#"{"content":"\ud83c\udf0a"}"#).is_ok());
        assert!(matches!(
            parse(br#"{"content": }"#),
            Err(JsonTextError::Invalid(_))
        ));
    }
}
