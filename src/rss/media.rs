//! Media links in content: the `<enclosure>` of an item (spasm.js
//! `getFirstAudioOrVideoUrlFromString`, `getMimeType`).

use linkify::{LinkFinder, LinkKind};

/// The type of files whose extension spasm.js does not know.
const DEFAULT_MIME_TYPE: &str = "application/octet-stream";

/// spasm.js `MIME_TYPE_MAP`.
const MIME_TYPES: [(&str, &str); 29] = [
    ("mp4", "video/mp4"),
    ("mov", "video/quicktime"),
    ("avi", "video/x-msvideo"),
    ("mkv", "video/x-matroska"),
    ("webm", "video/webm"),
    ("m4v", "video/mp4"),
    ("wmv", "video/x-ms-wmv"),
    ("flv", "video/x-flv"),
    ("mp3", "audio/mpeg"),
    ("wav", "audio/wav"),
    ("flac", "audio/flac"),
    ("ogg", "audio/ogg"),
    ("m4a", "audio/mp4"),
    ("aac", "audio/aac"),
    ("opus", "audio/opus"),
    ("wma", "audio/x-ms-wma"),
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("png", "image/png"),
    ("gif", "image/gif"),
    ("bmp", "image/bmp"),
    ("webp", "image/webp"),
    ("ico", "image/vnd.microsoft.icon"),
    ("svg", "image/svg+xml"),
    ("tiff", "image/tiff"),
    ("pdf", "application/pdf"),
    ("zip", "application/zip"),
    ("json", "application/json"),
    ("git", "application/git"),
];

fn mime_of_extension(extension: &str) -> Option<&'static str> {
    let extension = extension.to_lowercase();
    MIME_TYPES
        .iter()
        .find(|(known, _)| *known == extension)
        .map(|(_, mime)| *mime)
}

/// spasm.js `getMimeType`: the MIME type of a file name or URL from its extension, the
/// part after the last `.` and before a `?` that follows it (`audio/mpeg` for
/// `https://a.example/ep1.mp3?x=1`); `application/octet-stream` when unknown.
pub fn mime_type(name: &str) -> &'static str {
    let Some(last_dot) = name.rfind('.') else {
        return mime_of_extension(name).unwrap_or(DEFAULT_MIME_TYPE);
    };
    let end = name.rfind('?').unwrap_or(name.len());
    if last_dot + 1 < end {
        name.get(last_dot + 1..end)
            .and_then(mime_of_extension)
            .unwrap_or(DEFAULT_MIME_TYPE)
    } else {
        DEFAULT_MIME_TYPE
    }
}

/// spasm.js `getFirstAudioOrVideoUrlFromString`: the first `http://` or `https://` link in
/// `text` whose [`mime_type`] is audio or video. Links are found by `linkify`, which, like
/// spasm.js, leaves out punctuation that ends a sentence.
pub fn first_audio_or_video_url(text: &str) -> Option<&str> {
    let mut finder = LinkFinder::new();
    finder.kinds(&[LinkKind::Url]);
    finder
        .links(text)
        .map(|link| link.as_str())
        .filter(|url| {
            let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
            lower.starts_with("http://") || lower.starts_with("https://")
        })
        .find(|url| {
            let mime = mime_type(url);
            mime.starts_with("audio") || mime.starts_with("video")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_links_and_types() {
        assert_eq!(mime_type("https://m.example/a/ep-1.MP3?x=1"), "audio/mpeg");
        assert_eq!(
            mime_type("https://m.example/a?file=b.mp3"),
            DEFAULT_MIME_TYPE
        );
        assert_eq!(mime_type("mp4"), "video/mp4");
        assert_eq!(mime_type("name."), DEFAULT_MIME_TYPE);
        assert_eq!(
            first_audio_or_video_url(
                "See https://m.example/pic.png and https://m.example/ep.mp3, or ftp://x/y.mp4."
            ),
            Some("https://m.example/ep.mp3")
        );
        assert_eq!(
            first_audio_or_video_url("(https://m.example/v.webm)"),
            Some("https://m.example/v.webm")
        );
        assert_eq!(first_audio_or_video_url("no links"), None);
    }
}
