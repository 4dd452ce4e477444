//! Nostr profiles: the metadata a key publishes about itself in a kind-0 event (NIP-01,
//! with the field names of NIP-24 and the ones clients still send).
//!
//! Everything in a profile is chosen by its owner and shown to readers, so each field is
//! parsed into something safe to show or left out: names and descriptions without control
//! or bidirectional-override characters and of bounded length, a website only as an
//! `http(s)` URL, a picture only as an `https` URL.

use serde_json::{Map, Value};

/// The Nostr event kind of profile metadata.
pub const METADATA_KIND: u64 = 0;
/// The longest name kept, in characters.
pub const MAX_NAME_CHARS: usize = 64;
/// The longest description kept, in characters.
pub const MAX_ABOUT_CHARS: usize = 1_000;
/// The longest URL kept, in bytes.
pub const MAX_URL_BYTES: usize = 1_000;

/// What a key says about itself, each field safe to show as text or to use as a link.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NostrProfile {
    /// The first non-empty of `display_name`, `displayName`, `name`, `username`.
    pub name: Option<String>,
    /// `about`.
    pub about: Option<String>,
    /// `website`, an `http` or `https` URL.
    pub website: Option<String>,
    /// `picture`, an `https` URL.
    pub picture: Option<String>,
}

/// Why a kind-0 content is not a profile.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NostrProfileError {
    /// The content is not a JSON object.
    #[error("the profile is not a JSON object")]
    NotAnObject,
}

impl NostrProfile {
    /// Reads the content of a kind-0 event. Fields that are missing, empty, too long or
    /// unsafe are left out; only content that is not a JSON object is an error.
    pub fn from_metadata_content(content: &str) -> Result<Self, NostrProfileError> {
        let Ok(Value::Object(fields)) = serde_json::from_str::<Value>(content) else {
            return Err(NostrProfileError::NotAnObject);
        };
        Ok(Self {
            // NIP-24 names `display_name` the one to show; older clients wrote the others.
            name: ["display_name", "displayName", "name", "username"]
                .into_iter()
                .find_map(|key| text_field(&fields, key, MAX_NAME_CHARS)),
            about: text_field(&fields, "about", MAX_ABOUT_CHARS),
            website: url_field(&fields, "website", &["https://", "http://"]),
            picture: url_field(&fields, "picture", &["https://"]),
        })
    }

    /// Whether nothing in the profile can be shown.
    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }
}

/// Characters that must not reach a reader from someone else's text: controls (other than
/// line breaks and tabs, kept only in descriptions) and the bidirectional overrides that can
/// make a name read as another.
fn is_unsafe(character: char) -> bool {
    (character.is_control() && !matches!(character, '\n' | '\t'))
        || crate::bidi::is_direction_control(character)
}

fn text_field(fields: &Map<String, Value>, key: &str, max_chars: usize) -> Option<String> {
    let text = fields.get(key)?.as_str()?.trim();
    let single_line = max_chars == MAX_NAME_CHARS;
    let refused = text.is_empty()
        || text.chars().count() > max_chars
        || text.chars().any(is_unsafe)
        || (single_line && text.contains(['\n', '\t']));
    (!refused).then(|| text.to_owned())
}

fn url_field(fields: &Map<String, Value>, key: &str, schemes: &[&str]) -> Option<String> {
    let url = fields.get(key)?.as_str()?.trim();
    let scheme = schemes.iter().find(|scheme| {
        url.get(..scheme.len())
            .is_some_and(|prefix| prefix.eq_ignore_ascii_case(scheme))
    })?;
    let rest = &url[scheme.len()..];
    let host_present = rest
        .split(['/', '?', '#'])
        .next()
        .is_some_and(|host| !host.is_empty());
    let acceptable = url.len() <= MAX_URL_BYTES
        && host_present
        && !url
            .chars()
            .any(|character| character.is_whitespace() || is_unsafe(character));
    acceptable.then(|| url.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_fields_clients_write() {
        let profile = NostrProfile::from_metadata_content(
            r#"{"name":"alice","display_name":"Alice A.","about":"Builds things.\nLikes tea.",
                "website":"https://alice.example/","picture":"https://img.example/a.png","lud16":"x"}"#,
        )
        .unwrap();
        assert_eq!(
            profile,
            NostrProfile {
                name: Some("Alice A.".into()),
                about: Some("Builds things.\nLikes tea.".into()),
                website: Some("https://alice.example/".into()),
                picture: Some("https://img.example/a.png".into()),
            }
        );
        let older =
            NostrProfile::from_metadata_content(r#"{"displayName":"","username":"bob"}"#).unwrap();
        assert_eq!(older.name.as_deref(), Some("bob"));
    }

    #[test]
    fn unsafe_or_oversized_fields_are_left_out() {
        let long_name = "n".repeat(MAX_NAME_CHARS + 1);
        let content = serde_json::json!({
            "name": long_name,
            "display_name": "evil\u{202E}gnp.exe",
            "username": "two\nlines",
            "about": "bell\u{7}",
            "website": "javascript:alert(1)",
            "picture": "http://img.example/not-https.png",
        })
        .to_string();
        let profile = NostrProfile::from_metadata_content(&content).unwrap();
        assert!(profile.is_empty(), "{profile:?}");
        for picture in [
            "https://",
            "https:///path",
            "https://a b.example/x",
            "data:image/png,x",
        ] {
            let content = serde_json::json!({ "picture": picture }).to_string();
            let profile = NostrProfile::from_metadata_content(&content).unwrap();
            assert_eq!(profile.picture, None, "{picture}");
        }
    }

    #[test]
    fn content_that_is_not_an_object_is_an_error() {
        for content in ["", "hello", "[]", "\"name\"", "{"] {
            assert_eq!(
                NostrProfile::from_metadata_content(content),
                Err(NostrProfileError::NotAnObject)
            );
        }
    }
}
